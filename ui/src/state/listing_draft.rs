//! A listing being written: the new-listing dialog and the listing screen's editor. Every input
//! is addressed by the engine's field path (`address.city`, `price`, `media.2.uri`,
//! `open_houses.0.ends_at`), so typing into a field clears exactly the engine's message about
//! it. Numbers and open-house times stay text until the submit turns the draft into a
//! `ListingInput` (times are the device's local wall-clock times).

use super::form::{parse_optional, split_list, FormErrors};
use super::format::Local;
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
    /// A blank house for sale in US dollars: the most common start, all of it editable.
    fn default() -> Self {
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
            currency: "USD".into(),
            beds: String::new(),
            baths: String::new(),
            living_area: String::new(),
            living_area_unit: AreaUnit::SquareFeet,
            lot_area: String::new(),
            lot_area_unit: AreaUnit::SquareFeet,
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
    /// Text (or a choice's machine name) for the field at this path.
    Set(String, String),
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
    /// The engine paths whose messages this edit makes stale.
    pub fn paths(&self) -> Vec<String> {
        match self {
            ListingEdit::Set(path, _) => match path.split('.').collect::<Vec<_>>().as_slice() {
                // Any part of an open house may be what made it end before it starts.
                ["open_houses", i, _] => ["date", "starts_at", "ends_at"]
                    .iter()
                    .map(|part| format!("open_houses.{i}.{part}"))
                    .collect(),
                ["living_area", "unit"] => vec!["living_area".into()],
                ["lot_area", "unit"] => vec!["lot_area".into()],
                _ => vec![path.clone()],
            },
            ListingEdit::AddPhoto(_)
            | ListingEdit::AddTour
            | ListingEdit::RemoveMedia(_)
            | ListingEdit::MakeCover(_) => vec!["media".into()],
            ListingEdit::AddOpenHouse(_) | ListingEdit::RemoveOpenHouse(_) => {
                vec!["open_houses".into()]
            }
        }
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

    /// The text shown in the input at `path` (empty for unknown paths).
    pub fn value(&self, path: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["address", "line1"] => self.line1.clone(),
            ["address", "line2"] => self.line2.clone(),
            ["address", "city"] => self.city.clone(),
            ["address", "region"] => self.region.clone(),
            ["address", "postal_code"] => self.postal_code.clone(),
            ["address", "country"] => self.country.clone(),
            ["price"] => self.price.clone(),
            ["currency"] => self.currency.clone(),
            ["beds"] => self.beds.clone(),
            ["baths"] => self.baths.clone(),
            ["living_area"] => self.living_area.clone(),
            ["living_area", "unit"] => self.living_area_unit.as_str().into(),
            ["lot_area"] => self.lot_area.clone(),
            ["lot_area", "unit"] => self.lot_area_unit.as_str().into(),
            ["property_type"] => self.property_type.as_str().into(),
            ["status"] => self.status.as_str().into(),
            ["visibility"] => self.visibility.as_str().into(),
            ["description"] => self.description.clone(),
            ["features"] => self.features.clone(),
            ["mls_number"] => self.mls_number.clone(),
            ["media", i, "uri"] => i
                .parse::<usize>()
                .ok()
                .and_then(|i| self.media.get(i))
                .map(|m| m.uri.clone())
                .unwrap_or_default(),
            ["open_houses", i, part] => i
                .parse::<usize>()
                .ok()
                .and_then(|i| self.open_houses.get(i))
                .map(|row| match *part {
                    "date" => row.date.clone(),
                    "starts_at" => row.starts_at.clone(),
                    "ends_at" => row.ends_at.clone(),
                    _ => String::new(),
                })
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Applies an edit; answers whether anything changed.
    pub fn apply(&mut self, edit: ListingEdit) -> bool {
        let before = self.clone();
        match edit {
            ListingEdit::Set(path, value) => self.set(&path, value),
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

    fn set(&mut self, path: &str, value: String) {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["address", "line1"] => self.line1 = value,
            ["address", "line2"] => self.line2 = value,
            ["address", "city"] => self.city = value,
            ["address", "region"] => self.region = value,
            ["address", "postal_code"] => self.postal_code = value,
            ["address", "country"] => self.country = value,
            ["price"] => self.price = value,
            ["currency"] => self.currency = value,
            ["beds"] => self.beds = value,
            ["baths"] => self.baths = value,
            ["living_area"] => self.living_area = value,
            ["living_area", "unit"] => {
                self.living_area_unit = choice(&value).unwrap_or(self.living_area_unit);
            }
            ["lot_area"] => self.lot_area = value,
            ["lot_area", "unit"] => {
                self.lot_area_unit = choice(&value).unwrap_or(self.lot_area_unit);
            }
            ["property_type"] => self.property_type = choice(&value).unwrap_or(self.property_type),
            ["status"] => self.status = choice(&value).unwrap_or(self.status),
            ["visibility"] => self.visibility = choice(&value).unwrap_or(self.visibility),
            ["description"] => self.description = value,
            ["features"] => self.features = value,
            ["mls_number"] => self.mls_number = value,
            ["media", i, "uri"] => {
                if let Some(media) = i.parse::<usize>().ok().and_then(|i| self.media.get_mut(i)) {
                    media.uri = value;
                }
            }
            ["open_houses", i, part] => {
                if let Some(row) = i
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.open_houses.get_mut(i))
                {
                    match *part {
                        "date" => row.date = value,
                        "starts_at" => row.starts_at = value,
                        "ends_at" => row.ends_at = value,
                        _ => {}
                    }
                }
            }
            _ => {}
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
            errors.set(
                "price",
                "Enter the price as a whole number, such as 450000.",
            );
            None
        });
        let beds = parse_optional::<u8>(&self.beds).unwrap_or_else(|_| {
            errors.set("beds", whole);
            None
        });
        let baths = match self.baths.trim() {
            "" => None,
            text => text.parse::<Baths>().map(Some).unwrap_or_else(|_| {
                errors.set("baths", "Enter a number of baths such as 2 or 2.5.");
                None
            }),
        };
        let mut area = |path: &str, text: &str, unit: AreaUnit| {
            parse_optional::<u32>(text)
                .map(|value| value.map(|value| Area::new(value, unit)))
                .unwrap_or_else(|_| {
                    errors.set(path, "Enter the area as a whole number, such as 1850.");
                    None
                })
        };
        let living_area = area("living_area", &self.living_area, self.living_area_unit);
        let lot_area = area("lot_area", &self.lot_area, self.lot_area_unit);
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
        errors.set(
            &format!("open_houses.{i}.date"),
            "Pick the day of the open house.",
        );
    }
    if starts.is_err() {
        errors.set(
            &format!("open_houses.{i}.starts_at"),
            "Enter a start time such as 14:00.",
        );
    }
    if ends.is_err() {
        errors.set(
            &format!("open_houses.{i}.ends_at"),
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
