//! Every input of the listing form as a value: the markup, the draft, the focus order and the
//! lookup of the engine's messages all name a field by this enum, and its one `path` is the
//! engine's dotted field path (`address.city`, `media.2.uri`, `open_houses.0.ends_at`).

use super::form::{table_field, table_path, FieldPath};

/// Which part of an open-house row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenHousePart {
    Date,
    StartsAt,
    EndsAt,
}

impl OpenHousePart {
    pub const ALL: [OpenHousePart; 3] = [
        OpenHousePart::Date,
        OpenHousePart::StartsAt,
        OpenHousePart::EndsAt,
    ];

    fn key(self) -> &'static str {
        match self {
            OpenHousePart::Date => "date",
            OpenHousePart::StartsAt => "starts_at",
            OpenHousePart::EndsAt => "ends_at",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingField {
    Line1,
    Line2,
    City,
    Region,
    PostalCode,
    Country,
    Price,
    Currency,
    Beds,
    Baths,
    LivingArea,
    /// The unit select beside the area (not an engine path of its own).
    LivingAreaUnit,
    LotArea,
    LotAreaUnit,
    PropertyType,
    Status,
    Visibility,
    Description,
    /// All features in one input (the engine names each, `features.3`).
    Features,
    MlsNumber,
    /// The media as a whole (a message about all of them).
    Media,
    /// A tour link's address (`media[N]`).
    MediaUri(usize),
    /// The open houses as a whole.
    OpenHouses,
    OpenHouse(usize, OpenHousePart),
}

/// The fields with one plain path, and that path.
const PLAIN: [(ListingField, &str); 22] = [
    (ListingField::Line1, "address.line1"),
    (ListingField::Line2, "address.line2"),
    (ListingField::City, "address.city"),
    (ListingField::Region, "address.region"),
    (ListingField::PostalCode, "address.postal_code"),
    (ListingField::Country, "address.country"),
    (ListingField::Price, "price"),
    (ListingField::Currency, "currency"),
    (ListingField::Beds, "beds"),
    (ListingField::Baths, "baths"),
    (ListingField::LivingArea, "living_area"),
    (ListingField::LivingAreaUnit, "living_area.unit"),
    (ListingField::LotArea, "lot_area"),
    (ListingField::LotAreaUnit, "lot_area.unit"),
    (ListingField::PropertyType, "property_type"),
    (ListingField::Status, "status"),
    (ListingField::Visibility, "visibility"),
    (ListingField::Description, "description"),
    (ListingField::Features, "features"),
    (ListingField::MlsNumber, "mls_number"),
    (ListingField::Media, "media"),
    (ListingField::OpenHouses, "open_houses"),
];

impl ListingField {
    /// The fields in the order the form shows them, before its photos, tours and open houses.
    pub const FORM_ORDER: [ListingField; 18] = [
        ListingField::Line1,
        ListingField::Line2,
        ListingField::City,
        ListingField::Region,
        ListingField::PostalCode,
        ListingField::Country,
        ListingField::Price,
        ListingField::Currency,
        ListingField::PropertyType,
        ListingField::Status,
        ListingField::Visibility,
        ListingField::Beds,
        ListingField::Baths,
        ListingField::LivingArea,
        ListingField::LotArea,
        ListingField::MlsNumber,
        ListingField::Description,
        ListingField::Features,
    ];

    /// The field an engine path names, if the form knows it.
    pub fn parse(path: &str) -> Option<ListingField> {
        if let Some(field) = table_field(&PLAIN, path) {
            return Some(field);
        }
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["media", i, "uri"] => Some(ListingField::MediaUri(i.parse().ok()?)),
            ["open_houses", i, part] => {
                let part = OpenHousePart::ALL.into_iter().find(|p| p.key() == *part)?;
                Some(ListingField::OpenHouse(i.parse().ok()?, part))
            }
            _ => None,
        }
    }
}

impl FieldPath for ListingField {
    fn path(self) -> String {
        match self {
            ListingField::MediaUri(i) => format!("media.{i}.uri"),
            ListingField::OpenHouse(i, part) => format!("open_houses.{i}.{}", part.key()),
            plain => table_path(&PLAIN, plain),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_path_that_reads_back() {
        let mut fields: Vec<ListingField> = PLAIN.iter().map(|(field, _)| *field).collect();
        fields.push(ListingField::MediaUri(3));
        fields.extend(OpenHousePart::ALL.map(|part| ListingField::OpenHouse(1, part)));
        for field in fields {
            let path = field.path();
            assert!(!path.is_empty(), "{field:?}");
            assert_eq!(ListingField::parse(&path), Some(field), "{path}");
        }
        assert_eq!(
            ListingField::OpenHouse(0, OpenHousePart::EndsAt).path(),
            "open_houses.0.ends_at"
        );
        assert_eq!(ListingField::parse("address.latitude"), None);
        assert_eq!(ListingField::parse("media.x.uri"), None);
    }
}
