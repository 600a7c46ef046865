//! A contact being written: the new-contact dialog and the detail screen's editor. Every input
//! is addressed by a [`ContactField`], whose path is the engine's (`emails.0.address`,
//! `preferences.budget_min`, `consent.sms.source`), so typing into a field clears exactly the
//! engine's message about it.
//! Numbers and dates stay text until the submit, which turns the draft into a `ContactInput`.

use super::contact_field::{ContactField, RowPart};
use super::custom_fields::CustomRow;
use super::form::{parse_optional, split_list, FormErrors};
use chrono::{DateTime, NaiveDate, Utc};
use fieldstone_model::{
    Baths, Choice, Consent, ConsentChannel, ConsentStatus, Contact, ContactInput, ContactKind,
    ContactLabel, EmailEntry, LeadSource, PhoneEntry, Preferences, Priority, PropertyType, Stage,
    UserId,
};
use std::collections::BTreeSet;

/// One email address or phone number row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRow {
    pub value: String,
    pub label: ContactLabel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactDraft {
    pub kind: ContactKind,
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<ChannelRow>,
    pub primary_email: usize,
    pub phones: Vec<ChannelRow>,
    pub primary_phone: usize,
    pub instagram: String,
    pub whatsapp: String,
    /// The contact's IANA zone when not the organisation's; blank for the organisation's.
    pub time_zone: String,
    pub source: LeadSource,
    pub source_detail: String,
    /// Comma-separated.
    pub tags: String,
    pub stage: Stage,
    pub priority: Priority,
    pub budget_min: String,
    pub budget_max: String,
    pub areas: String,
    pub property_types: BTreeSet<PropertyType>,
    pub bedrooms_min: String,
    pub bathrooms_min: String,
    /// `YYYY-MM-DD` (a date input's value).
    pub move_in: String,
    pub must_haves: String,
    pub consent: fieldstone_model::Consents,
    /// In the order the person added them (the engine's errors name them by index).
    pub custom_fields: Vec<CustomRow>,
    pub assigned_agent: Option<UserId>,
}

impl Default for ContactDraft {
    /// A blank contact with one empty email and phone row, ready to type into.
    fn default() -> Self {
        ContactDraft::from_input(&ContactInput::default())
    }
}

/// One change to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftEdit {
    /// Text (or a choice's machine name) for this field.
    Set(ContactField, String),
    /// A consent answer changed: recorded as given now.
    Consent(ConsentChannel, ConsentStatus, DateTime<Utc>),
    TogglePropertyType(PropertyType),
    AddEmail,
    RemoveEmail(usize),
    AddPhone,
    RemovePhone(usize),
    AddCustom,
    RemoveCustom(usize),
}

impl DraftEdit {
    /// The field whose message this edit makes stale.
    pub fn field(&self) -> ContactField {
        match self {
            DraftEdit::Set(field, _) => *field,
            DraftEdit::Consent(channel, _, _) => ContactField::ConsentSource(*channel),
            DraftEdit::TogglePropertyType(_) => ContactField::PropertyTypes,
            DraftEdit::AddEmail | DraftEdit::RemoveEmail(_) => ContactField::Emails,
            DraftEdit::AddPhone | DraftEdit::RemovePhone(_) => ContactField::Phones,
            DraftEdit::AddCustom | DraftEdit::RemoveCustom(_) => ContactField::CustomFields,
        }
    }
}

fn choice<T: Choice>(name: &str) -> Option<T> {
    T::all().iter().copied().find(|c| c.as_str() == name)
}

fn rows<T>(
    entries: &[T],
    value: impl Fn(&T) -> (String, ContactLabel, bool),
) -> (Vec<ChannelRow>, usize) {
    let mut primary = 0;
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let (value, label, is_primary) = value(entry);
            if is_primary {
                primary = i;
            }
            ChannelRow { value, label }
        })
        .collect();
    (rows, primary)
}

fn text(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl ContactDraft {
    pub fn from_contact(contact: &Contact) -> Self {
        Self::from_input(&contact.to_input())
    }

    pub fn from_input(input: &ContactInput) -> Self {
        let (mut emails, primary_email) =
            rows(&input.emails, |e| (e.address.clone(), e.label, e.primary));
        let (mut phones, primary_phone) =
            rows(&input.phones, |p| (p.number.clone(), p.label, p.primary));
        if emails.is_empty() {
            emails.push(ChannelRow {
                value: String::new(),
                label: ContactLabel::Other,
            });
        }
        if phones.is_empty() {
            phones.push(ChannelRow {
                value: String::new(),
                label: ContactLabel::Mobile,
            });
        }
        let p = &input.preferences;
        ContactDraft {
            kind: input.kind,
            given_name: input.given_name.clone(),
            family_name: input.family_name.clone(),
            emails,
            primary_email,
            phones,
            primary_phone,
            instagram: input.instagram.clone().unwrap_or_default(),
            whatsapp: input.whatsapp.clone().unwrap_or_default(),
            time_zone: input.time_zone.clone().unwrap_or_default(),
            source: input.source,
            source_detail: input.source_detail.clone().unwrap_or_default(),
            tags: input.tags.join(", "),
            stage: input.stage,
            priority: input.priority,
            budget_min: text(p.budget_min),
            budget_max: text(p.budget_max),
            areas: p.areas.join(", "),
            property_types: p.property_types.clone(),
            bedrooms_min: text(p.bedrooms_min),
            bathrooms_min: text(p.bathrooms_min),
            move_in: text(p.move_in),
            must_haves: p.must_haves.join(", "),
            consent: input.consent.clone(),
            custom_fields: input
                .custom_fields
                .iter()
                .map(CustomRow::from_field)
                .collect(),
            assigned_agent: input.assigned_agent,
        }
    }

    /// The text shown in the input of `field` (empty for fields without text).
    pub fn value(&self, field: ContactField) -> String {
        use ContactField as F;
        let row = |rows: &[ChannelRow], i: usize| {
            rows.get(i).map(|row| row.value.clone()).unwrap_or_default()
        };
        match field {
            F::Kind => self.kind.as_str().into(),
            F::GivenName => self.given_name.clone(),
            F::FamilyName => self.family_name.clone(),
            F::Email(i, RowPart::Value) => row(&self.emails, i),
            F::Phone(i, RowPart::Value) => row(&self.phones, i),
            F::Instagram => self.instagram.clone(),
            F::Whatsapp => self.whatsapp.clone(),
            F::TimeZone => self.time_zone.clone(),
            F::Source => self.source.as_str().into(),
            F::SourceDetail => self.source_detail.clone(),
            F::Tags => self.tags.clone(),
            F::Stage => self.stage.as_str().into(),
            F::Priority => self.priority.as_str().into(),
            F::BudgetMin => self.budget_min.clone(),
            F::BudgetMax => self.budget_max.clone(),
            F::Areas => self.areas.clone(),
            F::BedroomsMin => self.bedrooms_min.clone(),
            F::BathroomsMin => self.bathrooms_min.clone(),
            F::MoveIn => self.move_in.clone(),
            F::MustHaves => self.must_haves.clone(),
            F::ConsentSource(channel) => {
                self.consent.get(channel).source.clone().unwrap_or_default()
            }
            F::CustomKey(i) => self
                .custom_fields
                .get(i)
                .map(|row| row.key.clone())
                .unwrap_or_default(),
            F::CustomType(i) => self
                .custom_fields
                .get(i)
                .map(|row| row.kind.as_str().to_owned())
                .unwrap_or_default(),
            F::CustomValue(i) => self
                .custom_fields
                .get(i)
                .map(|row| row.value.clone())
                .unwrap_or_default(),
            F::CustomFields
            | F::Emails
            | F::Phones
            | F::Email(..)
            | F::Phone(..)
            | F::PropertyTypes
            | F::ConsentStatus(_) => String::new(),
        }
    }

    /// Applies an edit; answers whether anything changed.
    pub fn apply(&mut self, edit: DraftEdit) -> bool {
        let before = self.clone();
        match edit {
            DraftEdit::Set(field, value) => self.set(field, value),
            DraftEdit::Consent(channel, status, at) => {
                let old = self.consent.get(channel).clone();
                if old.status != status {
                    self.consent.set(
                        channel,
                        Consent {
                            status,
                            source: old.source,
                            recorded_at: (status != ConsentStatus::Unknown).then_some(at),
                        },
                    );
                }
            }
            DraftEdit::TogglePropertyType(kind) => {
                if !self.property_types.remove(&kind) {
                    self.property_types.insert(kind);
                }
            }
            DraftEdit::AddEmail => self.emails.push(ChannelRow {
                value: String::new(),
                label: ContactLabel::Other,
            }),
            DraftEdit::RemoveEmail(i) => remove_row(&mut self.emails, &mut self.primary_email, i),
            DraftEdit::AddPhone => self.phones.push(ChannelRow {
                value: String::new(),
                label: ContactLabel::Mobile,
            }),
            DraftEdit::RemovePhone(i) => remove_row(&mut self.phones, &mut self.primary_phone, i),
            DraftEdit::AddCustom => self.custom_fields.push(CustomRow::blank()),
            DraftEdit::RemoveCustom(i) => {
                if i < self.custom_fields.len() {
                    self.custom_fields.remove(i);
                }
            }
        }
        *self != before
    }

    fn set(&mut self, field: ContactField, value: String) {
        use ContactField as F;
        match field {
            F::Kind => self.kind = choice(&value).unwrap_or(self.kind),
            F::GivenName => self.given_name = value,
            F::FamilyName => self.family_name = value,
            F::Email(i, part) => {
                if let Some(row) = self.emails.get_mut(i) {
                    match part {
                        RowPart::Value => row.value = value,
                        RowPart::Label => row.label = choice(&value).unwrap_or(row.label),
                        RowPart::Primary => self.primary_email = i,
                    }
                }
            }
            F::Phone(i, part) => {
                if let Some(row) = self.phones.get_mut(i) {
                    match part {
                        RowPart::Value => row.value = value,
                        RowPart::Label => row.label = choice(&value).unwrap_or(row.label),
                        RowPart::Primary => self.primary_phone = i,
                    }
                }
            }
            F::Instagram => self.instagram = value,
            F::Whatsapp => self.whatsapp = value,
            F::TimeZone => self.time_zone = value,
            F::Source => self.source = choice(&value).unwrap_or(self.source),
            F::SourceDetail => self.source_detail = value,
            F::Tags => self.tags = value,
            F::Stage => self.stage = value.parse().unwrap_or(self.stage),
            F::Priority => self.priority = choice(&value).unwrap_or(self.priority),
            F::BudgetMin => self.budget_min = value,
            F::BudgetMax => self.budget_max = value,
            F::Areas => self.areas = value,
            F::BedroomsMin => self.bedrooms_min = value,
            F::BathroomsMin => self.bathrooms_min = value,
            F::MoveIn => self.move_in = value,
            F::MustHaves => self.must_haves = value,
            F::ConsentSource(channel) => {
                let mut consent = self.consent.get(channel).clone();
                consent.source = Some(value).filter(|s| !s.trim().is_empty());
                self.consent.set(channel, consent);
            }
            F::CustomKey(i) => {
                if let Some(row) = self.custom_fields.get_mut(i) {
                    row.key = value;
                }
            }
            F::CustomType(i) => {
                if let (Some(row), Some(kind)) = (self.custom_fields.get_mut(i), choice(&value)) {
                    row.set_kind(kind);
                }
            }
            F::CustomValue(i) => {
                if let Some(row) = self.custom_fields.get_mut(i) {
                    row.value = value;
                }
            }
            // Not text: changed by their own edits.
            F::Emails | F::Phones | F::PropertyTypes | F::ConsentStatus(_) | F::CustomFields => {}
        }
    }

    /// The draft as the engine's input. Text that should be a number or a date and is not is
    /// reported here, under the engine's field path, and nothing is sent.
    pub fn to_input(&self) -> Result<ContactInput, FormErrors> {
        let mut errors = FormErrors::default();
        let mut number = |field: ContactField, text: &str, what: &str| -> Option<u64> {
            parse_optional::<u64>(text).unwrap_or_else(|_| {
                errors.set_field(
                    field,
                    format!("Enter {what} as a whole number, such as 450000."),
                );
                None
            })
        };
        let budget_min = number(
            ContactField::BudgetMin,
            &self.budget_min,
            "the minimum budget",
        );
        let budget_max = number(
            ContactField::BudgetMax,
            &self.budget_max,
            "the maximum budget",
        );
        let bedrooms_min = number(
            ContactField::BedroomsMin,
            &self.bedrooms_min,
            "the bedrooms",
        );
        let bedrooms_min = match bedrooms_min.map(u8::try_from) {
            Some(Ok(beds)) => Some(beds),
            Some(Err(_)) => {
                errors.set_field(
                    ContactField::BedroomsMin,
                    "That is more bedrooms than any home has.",
                );
                None
            }
            None => None,
        };
        let bathrooms_min = match self.bathrooms_min.trim() {
            "" => None,
            text => text.parse::<Baths>().map(Some).unwrap_or_else(|_| {
                errors.set_field(
                    ContactField::BathroomsMin,
                    "Enter bathrooms as a number, such as 2 or 2.5.",
                );
                None
            }),
        };
        let move_in = match self.move_in.trim() {
            "" => None,
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .unwrap_or_else(|_| {
                    errors.set_field(ContactField::MoveIn, "Enter a date, such as 2027-03-01.");
                    None
                }),
        };
        let mut custom_fields = Vec::with_capacity(self.custom_fields.len());
        for (i, row) in self.custom_fields.iter().enumerate() {
            match row.to_field() {
                Ok(field) => custom_fields.push(field),
                Err(message) => errors.set_field(ContactField::CustomValue(i), message),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Rows left blank are the form's affordance ("add one here"), not entries.
        let filled = |rows: &[ChannelRow], primary: usize| {
            rows.iter()
                .enumerate()
                .filter(|(_, row)| !row.value.trim().is_empty())
                .map(|(i, row)| (row.value.clone(), row.label, i == primary))
                .collect::<Vec<_>>()
        };
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(ContactInput {
            kind: self.kind,
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            emails: filled(&self.emails, self.primary_email)
                .into_iter()
                .map(|(address, label, primary)| EmailEntry {
                    address,
                    label,
                    primary,
                })
                .collect(),
            phones: filled(&self.phones, self.primary_phone)
                .into_iter()
                .map(|(number, label, primary)| PhoneEntry {
                    number,
                    label,
                    primary,
                })
                .collect(),
            instagram: optional(&self.instagram),
            whatsapp: optional(&self.whatsapp),
            time_zone: optional(&self.time_zone),
            source: self.source,
            source_detail: optional(&self.source_detail),
            tags: split_list(&self.tags),
            stage: self.stage,
            priority: self.priority,
            preferences: Preferences {
                budget_min,
                budget_max,
                areas: split_list(&self.areas),
                property_types: self.property_types.clone(),
                bedrooms_min,
                bathrooms_min,
                move_in,
                must_haves: split_list(&self.must_haves),
            },
            custom_fields,
            consent: self.consent.clone(),
            assigned_agent: self.assigned_agent,
        })
    }
}

impl ContactDraft {
    /// Drops the custom rows nothing was typed into, before a submit (so the engine's errors,
    /// which count the fields sent, name the rows shown).
    pub fn drop_blank_custom(&mut self) {
        self.custom_fields.retain(|row| !row.is_blank());
    }
}

fn remove_row(rows: &mut Vec<ChannelRow>, primary: &mut usize, i: usize) {
    if i >= rows.len() {
        return;
    }
    rows.remove(i);
    if *primary == i {
        *primary = 0;
    } else if *primary > i {
        *primary -= 1;
    }
}

#[cfg(test)]
#[path = "contact_draft_tests.rs"]
mod tests;
