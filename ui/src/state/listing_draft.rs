//! A listing being written: the new-listing dialog and the listing screen's editor. Every input
//! is addressed by a [`ListingField`], whose path is the engine's (`address.city`, `price`,
//! `media.2.uri`, `open_houses.0.ends_at`), so typing into a field clears exactly the engine's
//! message about it. Numbers and open-house times stay text until the submit turns the draft into a
//! `ListingInput` (times are the device's local wall-clock times).

use super::form::{parse_optional, split_list, FieldPath, FormErrors};
use super::format::Local;
use super::listing_field::{ListingField, OpenHousePart};
use chrono::{Datelike, NaiveDateTime};
use chrono::{Duration, NaiveDate, NaiveTime, Weekday};
use fieldstone_model::{
    Address, Area, AreaUnit, Baths, Choice, Listing, ListingInput, ListingStatus, Media, MediaKind,
    OpenHouse, PropertyType, Visibility,
};

/// One open house as typed: a local date and start and end times (`YYYY-MM-DD`, `HH:MM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHouseRow {
    pub date: String,
    pub starts_at: String,
    pub ends_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListingDraft {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    /// Not edited here; kept as they were.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub price: String,
    pub currency: String,
    pub beds: String,
    pub baths: String,
    pub living_area: String,
    pub living_area_unit: AreaUnit,
    pub lot_area: String,
    pub lot_area_unit: AreaUnit,
    pub property_type: PropertyType,
    pub status: ListingStatus,
    pub visibility: Visibility,
    pub description: String,
    /// Comma-separated.
    pub features: String,
    pub mls_number: String,
    /// Photos, floor plans, 360° media and tour links in the engine's order, so `media.N` in
    /// the engine's messages is `media[N]` here. Tour links are edited in place.
    pub media: Vec<Media>,
    pub open_houses: Vec<OpenHouseRow>,
}

impl Default for ListingDraft {
    /// A blank house for sale in the agent's currency and area unit (their locale's: US dollars
    /// and square feet unless they chose others), all of it editable.
    fn default() -> Self {
        let locale = super::format::locale();
        ListingDraft {
            line1: String::new(),
            line2: String::new(),
            city: String::new(),
            region: String::new(),
            postal_code: String::new(),
            country: "US".into(),
            latitude: None,
            longitude: None,
            price: String::new(),
            currency: locale.currency,
            beds: String::new(),
            baths: String::new(),
            living_area: String::new(),
            living_area_unit: locale.area_unit,
            lot_area: String::new(),
            lot_area_unit: locale.area_unit,
            property_type: PropertyType::House,
            status: ListingStatus::Active,
            visibility: Visibility::Private,
            description: String::new(),
            features: String::new(),
            mls_number: String::new(),
            media: Vec::new(),
            open_houses: Vec::new(),
        }
    }
}

/// One change to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingEdit {
    /// Text (or a choice's machine name) for this field.
    Set(ListingField, String),
    /// A photo kept on this device (`photos/<id>.jpg`) joins the gallery.
    AddPhoto(String),
    AddTour,
    /// Removes `media[N]` (a photo or a tour link).
    RemoveMedia(usize),
    /// Moves the photo at `media[N]` first: the grid shows the first photo.
    MakeCover(usize),
    /// A new open house on the first Saturday from this day, 14:00 to 16:00.
    AddOpenHouse(NaiveDate),
    RemoveOpenHouse(usize),
}

impl ListingEdit {
    /// The fields whose messages this edit makes stale.
    pub fn fields(&self) -> Vec<ListingField> {
        match self {
            // Any part of an open house may be what made it end before it starts.
            ListingEdit::Set(ListingField::OpenHouse(i, _), _) => OpenHousePart::ALL
                .map(|part| ListingField::OpenHouse(*i, part))
                .to_vec(),
            ListingEdit::Set(ListingField::LivingAreaUnit, _) => vec![ListingField::LivingArea],
            ListingEdit::Set(ListingField::LotAreaUnit, _) => vec![ListingField::LotArea],
            ListingEdit::Set(field, _) => vec![*field],
            ListingEdit::AddPhoto(_)
            | ListingEdit::AddTour
            | ListingEdit::RemoveMedia(_)
            | ListingEdit::MakeCover(_) => vec![ListingField::Media],
            ListingEdit::AddOpenHouse(_) | ListingEdit::RemoveOpenHouse(_) => {
                vec![ListingField::OpenHouses]
            }
        }
    }

    /// The engine paths whose messages this edit makes stale.
    pub fn paths(&self) -> Vec<String> {
        self.fields().into_iter().map(FieldPath::path).collect()
    }

    /// Rows shift: messages about numbered rows no longer point at the right one.
    pub fn renumbers(&self) -> Option<&'static str> {
        match self {
            ListingEdit::RemoveMedia(_) | ListingEdit::MakeCover(_) => Some("media."),
            ListingEdit::RemoveOpenHouse(_) => Some("open_houses."),
            _ => None,
        }
    }
}

fn choice<T: Choice>(name: &str) -> Option<T> {
    T::all().iter().copied().find(|c| c.as_str() == name)
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The first Saturday on or after `from`.
fn next_saturday(from: NaiveDate) -> NaiveDate {
    let ahead =
        (7 + Weekday::Sat.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(ahead))
}

impl ListingDraft {
    pub fn from_listing(listing: &Listing, local: Local) -> Self {
        Self::from_input(&listing.to_input(), local)
    }

    pub fn from_input(input: &ListingInput, local: Local) -> Self {
        let a = &input.address;
        let area = |area: Option<Area>| area.map(|a| a.value.to_string()).unwrap_or_default();
        let unit = |area: Option<Area>| area.map_or(AreaUnit::SquareFeet, |a| a.unit);
        ListingDraft {
            line1: a.line1.clone(),
            line2: text(a.line2.as_ref()),
            city: a.city.clone(),
            region: text(a.region.as_ref()),
            postal_code: text(a.postal_code.as_ref()),
            country: a.country.clone(),
            latitude: a.latitude,
            longitude: a.longitude,
            price: if input.price == 0 {
                String::new()
            } else {
                input.price.to_string()
            },
            currency: input.currency.clone(),
            beds: text(input.beds),
            baths: text(input.baths),
            living_area: area(input.living_area),
            living_area_unit: unit(input.living_area),
            lot_area: area(input.lot_area),
            lot_area_unit: unit(input.lot_area),
            property_type: input.property_type,
            status: input.status,
            visibility: input.visibility,
            description: input.description.clone(),
            features: input.features.join(", "),
            mls_number: text(input.mls_number.as_ref()),
            media: input.media.clone(),
            open_houses: input
                .open_houses
                .iter()
                .map(|open_house| OpenHouseRow {
                    date: local.date(open_house.starts_at).to_string(),
                    starts_at: local.time(open_house.starts_at),
                    ends_at: local.time(open_house.ends_at),
                })
                .collect(),
        }
    }

    /// The text shown in the input of `field` (empty for fields without text).
    pub fn value(&self, field: ListingField) -> String {
        use ListingField as F;
        match field {
            F::Line1 => self.line1.clone(),
            F::Line2 => self.line2.clone(),
            F::City => self.city.clone(),
            F::Region => self.region.clone(),
            F::PostalCode => self.postal_code.clone(),
            F::Country => self.country.clone(),
            F::Price => self.price.clone(),
            F::Currency => self.currency.clone(),
            F::Beds => self.beds.clone(),
            F::Baths => self.baths.clone(),
            F::LivingArea => self.living_area.clone(),
            F::LivingAreaUnit => self.living_area_unit.as_str().into(),
            F::LotArea => self.lot_area.clone(),
            F::LotAreaUnit => self.lot_area_unit.as_str().into(),
            F::PropertyType => self.property_type.as_str().into(),
            F::Status => self.status.as_str().into(),
            F::Visibility => self.visibility.as_str().into(),
            F::Description => self.description.clone(),
            F::Features => self.features.clone(),
            F::MlsNumber => self.mls_number.clone(),
            F::MediaUri(i) => self.media.get(i).map(|m| m.uri.clone()).unwrap_or_default(),
            F::OpenHouse(i, part) => self
                .open_houses
                .get(i)
                .map(|row| match part {
                    OpenHousePart::Date => row.date.clone(),
                    OpenHousePart::StartsAt => row.starts_at.clone(),
                    OpenHousePart::EndsAt => row.ends_at.clone(),
                })
                .unwrap_or_default(),
            F::Media | F::OpenHouses => String::new(),
        }
    }

    /// Applies an edit; answers whether anything changed.
    pub fn apply(&mut self, edit: ListingEdit) -> bool {
        let before = self.clone();
        match edit {
            ListingEdit::Set(field, value) => self.set(field, value),
            ListingEdit::AddPhoto(uri) => self.media.push(Media {
                kind: MediaKind::Photo,
                uri,
                caption: None,
            }),
            ListingEdit::AddTour => self.media.push(Media {
                kind: MediaKind::ExternalTour,
                uri: String::new(),
                caption: None,
            }),
            ListingEdit::RemoveMedia(i) => {
                if i < self.media.len() {
                    self.media.remove(i);
                }
            }
            ListingEdit::MakeCover(i) => {
                if self
                    .media
                    .get(i)
                    .is_some_and(|m| m.kind == MediaKind::Photo)
                {
                    let photo = self.media.remove(i);
                    self.media.insert(0, photo);
                }
            }
            ListingEdit::AddOpenHouse(today) => self.open_houses.push(OpenHouseRow {
                date: next_saturday(today).to_string(),
                starts_at: "14:00".into(),
                ends_at: "16:00".into(),
            }),
            ListingEdit::RemoveOpenHouse(i) => {
                if i < self.open_houses.len() {
                    self.open_houses.remove(i);
                }
            }
        }
        *self != before
    }

    fn set(&mut self, field: ListingField, value: String) {
        use ListingField as F;
        match field {
            F::Line1 => self.line1 = value,
            F::Line2 => self.line2 = value,
            F::City => self.city = value,
            F::Region => self.region = value,
            F::PostalCode => self.postal_code = value,
            F::Country => self.country = value,
            F::Price => self.price = value,
            F::Currency => self.currency = value,
            F::Beds => self.beds = value,
            F::Baths => self.baths = value,
            F::LivingArea => self.living_area = value,
            F::LivingAreaUnit => {
                self.living_area_unit = choice(&value).unwrap_or(self.living_area_unit);
            }
            F::LotArea => self.lot_area = value,
            F::LotAreaUnit => self.lot_area_unit = choice(&value).unwrap_or(self.lot_area_unit),
            F::PropertyType => self.property_type = choice(&value).unwrap_or(self.property_type),
            F::Status => self.status = choice(&value).unwrap_or(self.status),
            F::Visibility => self.visibility = choice(&value).unwrap_or(self.visibility),
            F::Description => self.description = value,
            F::Features => self.features = value,
            F::MlsNumber => self.mls_number = value,
            F::MediaUri(i) => {
                if let Some(media) = self.media.get_mut(i) {
                    media.uri = value;
                }
            }
            F::OpenHouse(i, part) => {
                if let Some(row) = self.open_houses.get_mut(i) {
                    match part {
                        OpenHousePart::Date => row.date = value,
                        OpenHousePart::StartsAt => row.starts_at = value,
                        OpenHousePart::EndsAt => row.ends_at = value,
                    }
                }
            }
            // Changed by their own edits.
            F::Media | F::OpenHouses => {}
        }
    }

    /// Tour links left blank are dropped before a submit (an empty row is not a mistake).
    pub fn drop_blank_tours(&mut self) {
        self.media
            .retain(|m| !(m.kind == MediaKind::ExternalTour && m.uri.trim().is_empty()));
    }

    /// Indexes into `media` of the photos, in gallery order.
    pub fn photos(&self) -> Vec<usize> {
        self.indexes(|kind| kind == MediaKind::Photo)
    }

    /// Indexes into `media` of the tour links, in order.
    pub fn tours(&self) -> Vec<usize> {
        self.indexes(MediaKind::is_external)
    }

    fn indexes(&self, keep: impl Fn(MediaKind) -> bool) -> Vec<usize> {
        (0..self.media.len())
            .filter(|&i| keep(self.media[i].kind))
            .collect()
    }

    /// The draft as the engine's input. Text that should be a number or a time and is not is
    /// reported here, under the field's path, and nothing is sent.
    pub fn to_input(&self, local: Local) -> Result<ListingInput, FormErrors> {
        let mut errors = FormErrors::default();
        let whole = "Enter a whole number, such as 3.";
        let price = parse_optional::<u64>(&self.price).unwrap_or_else(|_| {
            errors.set_field(
                ListingField::Price,
                "Enter the price as a whole number, such as 450000.",
            );
            None
        });
        let beds = parse_optional::<u8>(&self.beds).unwrap_or_else(|_| {
            errors.set_field(ListingField::Beds, whole);
            None
        });
        let baths = match self.baths.trim() {
            "" => None,
            text => text.parse::<Baths>().map(Some).unwrap_or_else(|_| {
                errors.set_field(
                    ListingField::Baths,
                    "Enter a number of baths such as 2 or 2.5.",
                );
                None
            }),
        };
        let mut area = |field: ListingField, text: &str, unit: AreaUnit| {
            parse_optional::<u32>(text)
                .map(|value| value.map(|value| Area::new(value, unit)))
                .unwrap_or_else(|_| {
                    errors.set_field(field, "Enter the area as a whole number, such as 1850.");
                    None
                })
        };
        let living_area = area(
            ListingField::LivingArea,
            &self.living_area,
            self.living_area_unit,
        );
        let lot_area = area(ListingField::LotArea, &self.lot_area, self.lot_area_unit);
        let open_houses = self
            .open_houses
            .iter()
            .enumerate()
            .filter_map(|(i, row)| open_house(&mut errors, i, row, local))
            .collect();
        if !errors.fields.is_empty() {
            return Err(errors);
        }
        let optional = |text: &str| Some(text.to_owned()).filter(|t| !t.trim().is_empty());
        Ok(ListingInput {
            address: Address {
                line1: self.line1.clone(),
                line2: optional(&self.line2),
                city: self.city.clone(),
                region: optional(&self.region),
                postal_code: optional(&self.postal_code),
                country: self.country.clone(),
                latitude: self.latitude,
                longitude: self.longitude,
            },
            price: price.unwrap_or(0),
            currency: self.currency.clone(),
            beds,
            baths,
            living_area,
            lot_area,
            property_type: self.property_type,
            status: self.status,
            visibility: self.visibility,
            description: self.description.clone(),
            features: split_list(&self.features),
            media: self.media.clone(),
            open_houses,
            mls_number: optional(&self.mls_number),
        })
    }
}

/// One open house row as an interval, or its problem under `open_houses.N.<part>`. The end
/// coming before the start is the engine's to say.
fn open_house(
    errors: &mut FormErrors,
    i: usize,
    row: &OpenHouseRow,
    local: Local,
) -> Option<OpenHouse> {
    let date = NaiveDate::parse_from_str(row.date.trim(), "%Y-%m-%d");
    let time = |text: &str| NaiveTime::parse_from_str(text.trim(), "%H:%M");
    let (starts, ends) = (time(&row.starts_at), time(&row.ends_at));
    if date.is_err() {
        errors.set_field(
            ListingField::OpenHouse(i, OpenHousePart::Date),
            "Pick the day of the open house.",
        );
    }
    if starts.is_err() {
        errors.set_field(
            ListingField::OpenHouse(i, OpenHousePart::StartsAt),
            "Enter a start time such as 14:00.",
        );
    }
    if ends.is_err() {
        errors.set_field(
            ListingField::OpenHouse(i, OpenHousePart::EndsAt),
            "Enter an end time such as 16:00.",
        );
    }
    let (date, starts, ends) = (date.ok()?, starts.ok()?, ends.ok()?);
    let at = |time: NaiveTime| local.instant(NaiveDateTime::new(date, time));
    Some(OpenHouse {
        starts_at: at(starts),
        ends_at: at(ends),
    })
}
