//! Every input of the contact form as a value: the markup, the draft, the focus order and the
//! lookup of the engine's messages all name a field by this enum, and its one `path` is the
//! engine's dotted field path (`emails.0.address`), so that text is written once.

use super::form::{table_field, table_path, FieldPath};
use fieldstone_model::{Choice, ConsentChannel};

/// Which part of an email or phone row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowPart {
    /// The address or number.
    Value,
    Label,
    Primary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    Kind,
    GivenName,
    FamilyName,
    /// The email list as a whole (a message about all of them).
    Emails,
    Email(usize, RowPart),
    Phones,
    Phone(usize, RowPart),
    Instagram,
    Whatsapp,
    TimeZone,
    Source,
    SourceDetail,
    Tags,
    Stage,
    Priority,
    BudgetMin,
    BudgetMax,
    Areas,
    PropertyTypes,
    BedroomsMin,
    BathroomsMin,
    MoveIn,
    MustHaves,
    /// Where a consent was given (the engine's path).
    ConsentSource(ConsentChannel),
    /// The consent answer's select (no engine path of its own; named for its input id).
    ConsentStatus(ConsentChannel),
    /// The custom field list as a whole (too many of them).
    CustomFields,
    /// A custom field's name.
    CustomKey(usize),
    /// A custom field's type select (no engine path of its own; named for its input id).
    CustomType(usize),
    CustomValue(usize),
}

/// The fields with one plain path, and that path.
const PLAIN: [(ContactField, &str); 22] = [
    (ContactField::Kind, "kind"),
    (ContactField::GivenName, "given_name"),
    (ContactField::FamilyName, "family_name"),
    (ContactField::Emails, "emails"),
    (ContactField::Phones, "phones"),
    (ContactField::Instagram, "instagram"),
    (ContactField::Whatsapp, "whatsapp"),
    (ContactField::TimeZone, "time_zone"),
    (ContactField::Source, "source"),
    (ContactField::SourceDetail, "source_detail"),
    (ContactField::Tags, "tags"),
    (ContactField::Stage, "stage"),
    (ContactField::Priority, "priority"),
    (ContactField::BudgetMin, "preferences.budget_min"),
    (ContactField::BudgetMax, "preferences.budget_max"),
    (ContactField::Areas, "preferences.areas"),
    (ContactField::PropertyTypes, "preferences.property_types"),
    (ContactField::BedroomsMin, "preferences.bedrooms_min"),
    (ContactField::BathroomsMin, "preferences.bathrooms_min"),
    (ContactField::MoveIn, "preferences.move_in"),
    (ContactField::MustHaves, "preferences.must_haves"),
    (ContactField::CustomFields, "custom_fields"),
];

impl RowPart {
    fn key(self, value: &'static str) -> &'static str {
        match self {
            RowPart::Value => value,
            RowPart::Label => "label",
            RowPart::Primary => "primary",
        }
    }

    fn parse(key: &str, value: &str) -> Option<RowPart> {
        match key {
            "label" => Some(RowPart::Label),
            "primary" => Some(RowPart::Primary),
            key if key == value => Some(RowPart::Value),
            _ => None,
        }
    }
}

impl ContactField {
    /// The engine path of a field the engine names (`None`: the field is not part of the
    /// input on its own).
    pub fn parse(path: &str) -> Option<ContactField> {
        if let Some(field) = table_field(&PLAIN, path) {
            return Some(field);
        }
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["emails", i, part] => Some(ContactField::Email(
                i.parse().ok()?,
                RowPart::parse(part, "address")?,
            )),
            ["phones", i, part] => Some(ContactField::Phone(
                i.parse().ok()?,
                RowPart::parse(part, "number")?,
            )),
            ["custom_fields", i, part] => {
                let i = i.parse().ok()?;
                match *part {
                    "key" => Some(ContactField::CustomKey(i)),
                    "type" => Some(ContactField::CustomType(i)),
                    "value" => Some(ContactField::CustomValue(i)),
                    _ => None,
                }
            }
            ["consent", channel, part] => {
                let channel = ConsentChannel::all()
                    .iter()
                    .copied()
                    .find(|c| c.as_str() == *channel)?;
                match *part {
                    "source" => Some(ContactField::ConsentSource(channel)),
                    "status" => Some(ContactField::ConsentStatus(channel)),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl FieldPath for ContactField {
    fn path(self) -> String {
        match self {
            ContactField::Email(i, part) => format!("emails.{i}.{}", part.key("address")),
            ContactField::Phone(i, part) => format!("phones.{i}.{}", part.key("number")),
            ContactField::ConsentSource(channel) => format!("consent.{}.source", channel.as_str()),
            ContactField::ConsentStatus(channel) => format!("consent.{}.status", channel.as_str()),
            ContactField::CustomKey(i) => format!("custom_fields.{i}.key"),
            ContactField::CustomType(i) => format!("custom_fields.{i}.type"),
            ContactField::CustomValue(i) => format!("custom_fields.{i}.value"),
            plain => table_path(&PLAIN, plain),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_path_that_reads_back() {
        let mut fields: Vec<ContactField> = PLAIN.iter().map(|(field, _)| *field).collect();
        for part in [RowPart::Value, RowPart::Label, RowPart::Primary] {
            fields.extend([ContactField::Email(2, part), ContactField::Phone(0, part)]);
        }
        fields.extend([
            ContactField::CustomKey(3),
            ContactField::CustomType(0),
            ContactField::CustomValue(12),
        ]);
        for channel in ConsentChannel::all() {
            fields.extend([
                ContactField::ConsentSource(*channel),
                ContactField::ConsentStatus(*channel),
            ]);
        }
        for field in fields {
            let path = field.path();
            assert!(!path.is_empty(), "{field:?}");
            assert_eq!(ContactField::parse(&path), Some(field), "{path}");
        }
        assert_eq!(
            ContactField::Email(0, RowPart::Value).path(),
            "emails.0.address"
        );
        assert_eq!(
            ContactField::Phone(1, RowPart::Value).path(),
            "phones.1.number"
        );
        assert_eq!(ContactField::parse("emails.x.address"), None);
        assert_eq!(
            ContactField::parse("custom_fields.0.key"),
            Some(ContactField::CustomKey(0))
        );
        assert_eq!(ContactField::parse("custom_fields.x.key"), None);
    }
}
