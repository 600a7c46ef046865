//! What a person (or an import) submits to create or edit a contact, and its validation.

use super::channels::{self, EmailEntry, PhoneEntry};
use super::consent::Consents;
use super::custom::{self, CustomField};
use super::preferences::Preferences;
use super::{ContactKind, LeadSource, Stage};
use crate::booking::check_time_zone;
use crate::checks::{tags, Text};
use crate::common::Priority;
use crate::ids::UserId;
use crate::validation::{Valid, ValidationErrors};
use serde::{Deserialize, Serialize};

/// Longest given name, and longest family name.
pub const NAME_MAX_CHARS: usize = 200;
pub const SOURCE_DETAIL_MAX_CHARS: usize = 200;

/// A contact as a form or an import row sends it. Untrusted until [`ContactInput::validate`].
///
/// Tags and custom fields are lists here (so errors can point at `tags.3`); the stored
/// [`Contact`](super::Contact) keeps them as a set and a map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInput {
    #[serde(default)]
    pub kind: ContactKind,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub emails: Vec<EmailEntry>,
    #[serde(default)]
    pub phones: Vec<PhoneEntry>,
    #[serde(default)]
    pub instagram: Option<String>,
    #[serde(default)]
    pub whatsapp: Option<String>,
    #[serde(default)]
    pub source: LeadSource,
    #[serde(default)]
    pub source_detail: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub stage: Stage,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub preferences: Preferences,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default)]
    pub consent: Consents,
    #[serde(default)]
    pub assigned_agent: Option<UserId>,
    /// The contact's own IANA time zone, for a contact who lives elsewhere than the organisation:
    /// texts and calls keep to 8:00–21:00 in it. `None` means the organisation's.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl ContactInput {
    /// Checks every field and returns the input normalised, or every problem at once.
    ///
    /// The name rule: a contact needs a given or family name, **or** at least one email address or
    /// phone number. Web-form, portal and imported leads often arrive with only an email, and a
    /// missed call leaves only a number; refusing those would lose real leads, and
    /// [`Contact::display_name`](super::Contact::display_name) falls back to the email or number so
    /// no list shows a blank row. The error is reported on `given_name`, the form's first field.
    ///
    /// Normalisation: text trimmed (blank optional text becomes `None`); email domains lower-cased;
    /// exactly one primary email/phone when any exist (the first, unless one is marked); tags
    /// trimmed, lower-cased, inner spaces folded, blanks dropped and repeats merged; custom fields
    /// sorted by name.
    pub fn validate(&self) -> Result<Valid<ContactInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let given_name = Text::line("a given name", NAME_MAX_CHARS).allow_blank(
            &mut errors,
            "given_name",
            &self.given_name,
        );
        let family_name = Text::line("a family name", NAME_MAX_CHARS).allow_blank(
            &mut errors,
            "family_name",
            &self.family_name,
        );
        let emails = channels::emails(&mut errors, &self.emails);
        let phones = channels::phones(&mut errors, &self.phones);
        if given_name.is_empty() && family_name.is_empty() && emails.is_empty() && phones.is_empty()
        {
            errors.push(
                "given_name",
                "Enter a given or family name, or at least one email address or phone number.",
            );
        }
        let instagram = channels::instagram(&mut errors, self.instagram.as_deref());
        let whatsapp = channels::whatsapp(&mut errors, self.whatsapp.as_deref());
        let source_detail = Text::line("a source detail", SOURCE_DETAIL_MAX_CHARS).optional(
            &mut errors,
            "source_detail",
            self.source_detail.as_deref(),
        );
        let tags = tags(&mut errors, "tags", &self.tags).into_iter().collect();
        let preferences = self.preferences.normalised(&mut errors, "preferences");
        let custom_fields =
            custom::to_fields(&custom::custom_fields(&mut errors, &self.custom_fields));
        let consent = self.consent.normalised(&mut errors);
        let time_zone = time_zone(&mut errors, self.time_zone.as_deref());
        errors.into_valid(ContactInput {
            kind: self.kind,
            given_name,
            family_name,
            emails,
            phones,
            instagram,
            whatsapp,
            source: self.source,
            source_detail,
            tags,
            stage: self.stage,
            priority: self.priority,
            preferences,
            custom_fields,
            consent,
            assigned_agent: self.assigned_agent,
            time_zone,
        })
    }
}

/// A blank zone is the organisation's (`None`). A named one must be a zone the time-zone database
/// knows, not only shaped like one: the server judges quiet hours in it, and a misspelt
/// "America/Chicgo" would otherwise fall back to the organisation's zone without anyone seeing.
fn time_zone(errors: &mut ValidationErrors, value: Option<&str>) -> Option<String> {
    let name = value.map(str::trim).filter(|v| !v.is_empty())?;
    if let Err(message) = check_time_zone(name) {
        errors.push("time_zone", message);
        return None;
    }
    match name.parse::<chrono_tz::Tz>() {
        Ok(zone) => Some(zone.name().to_owned()),
        Err(_) => {
            errors.push(
                "time_zone",
                format!("{name:?} is not a time zone we know; use a name such as America/Chicago or Europe/London."),
            );
            None
        }
    }
}
