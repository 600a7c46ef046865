//! Open-house sign-in: what a visitor types on the agent's device in kiosk mode, checked here,
//! and what it becomes — a lead (a contact from the open house) and an in-person interaction on
//! the listing that keeps the consent text the visitor saw, the time and the device. A rule, so
//! the device and (later) the server read a sign-in the same way (DESIGN decision 18).

use crate::contact::{Consent, Consents, ContactInput, LeadSource, Stage};
use crate::interaction::{Channel, Direction, InteractionInput};
use crate::validation::{Valid, ValidationErrors};
use crate::{ContactId, EmailEntry, ListingId, PhoneEntry};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Shortest and longest kiosk PIN, in digits.
pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;
/// The longest note a visitor may leave ("what are you looking for?").
pub const NOTE_MAX_CHARS: usize = 1_000;
/// The outcome of a visit's interaction: how the server tells a sign-in from other meetings.
pub const VISIT_OUTCOME: &str = "open-house visit";

/// The consent sentence shown beside the box, for the open house at `place`. Recorded word for
/// word with every sign-in, ticked or not, so what the visitor agreed to can be shown later.
pub fn consent_text(place: &str) -> String {
    format!(
        "Yes, the agent hosting the open house at {place} may contact me by email, text and \
         phone about this home and others like it. I can ask them to stop at any time."
    )
}

/// A visitor's sign-in as the kiosk form sends it. Untrusted until [`SignIn::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// The consent box was ticked.
    #[serde(default)]
    pub consent: bool,
    #[serde(default)]
    pub note: String,
}

impl SignIn {
    /// A visitor needs a given name and an email or a phone (a lead nobody can reach back is
    /// not one); both are checked as a contact's are. Errors are on `given_name`, `email`,
    /// `phone` and `note`: the kiosk form's own fields.
    pub fn validate(&self) -> Result<Valid<SignIn>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.given_name.trim().is_empty() {
            errors.push("given_name", "Enter your first name.");
        }
        if self.email.trim().is_empty() && self.phone.trim().is_empty() {
            errors.push("email", "Enter an email address or a phone number.");
        }
        if self.note.chars().count() > NOTE_MAX_CHARS {
            errors.push(
                "note",
                format!("A note can be at most {NOTE_MAX_CHARS} characters."),
            );
        }
        // The contact's own rules for names, addresses and numbers, under the form's names.
        if let Err(contact) = self
            .contact_input("", DateTime::<Utc>::UNIX_EPOCH)
            .validate()
        {
            for e in contact.0 {
                let field = match e.field.as_str() {
                    f if f.starts_with("emails") => "email",
                    f if f.starts_with("phones") => "phone",
                    "family_name" => "family_name",
                    "given_name" => continue,
                    _ => "given_name",
                };
                if !errors.0.iter().any(|known| known.field == field) {
                    errors.push(field, e.message);
                }
            }
        }
        let trimmed = SignIn {
            given_name: self.given_name.trim().to_owned(),
            family_name: self.family_name.trim().to_owned(),
            email: self.email.trim().to_owned(),
            phone: self.phone.trim().to_owned(),
            consent: self.consent,
            note: self.note.trim().to_owned(),
        };
        errors.into_valid(trimmed)
    }

    /// The new contact for this visitor: a lead from an open house at `place`; consent to email,
    /// texts and calls granted with the open house as its source when the box was ticked, else
    /// not asked (an unticked box is not a refusal).
    pub fn contact_input(&self, place: &str, at: DateTime<Utc>) -> ContactInput {
        let granted = || Consent::granted(&consent_source(place), at);
        let consent = if self.consent {
            Consents {
                email: granted(),
                sms: granted(),
                call: granted(),
            }
        } else {
            Consents::default()
        };
        ContactInput {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            emails: Some(self.email.trim())
                .filter(|e| !e.is_empty())
                .map(|address| EmailEntry {
                    address: address.to_owned(),
                    label: Default::default(),
                    primary: true,
                })
                .into_iter()
                .collect(),
            phones: Some(self.phone.trim())
                .filter(|p| !p.is_empty())
                .map(|number| PhoneEntry {
                    number: number.to_owned(),
                    label: Default::default(),
                    primary: true,
                })
                .into_iter()
                .collect(),
            source: LeadSource::OpenHouse,
            source_detail: Some(place.chars().take(200).collect())
                .filter(|p: &String| !p.is_empty()),
            stage: Stage::Lead,
            consent,
            ..ContactInput::default()
        }
    }

    /// The in-person interaction that records the visit on `contact`, linked to the listing:
    /// when, on which device, the consent text shown and whether it was ticked, and the note.
    pub fn visit(
        &self,
        contact: ContactId,
        listing: ListingId,
        place: &str,
        device: &str,
        at: DateTime<Utc>,
    ) -> InteractionInput {
        let answer = if self.consent { "ticked" } else { "not ticked" };
        let mut summary = format!(
            "Signed in at the open house at {place} on {device}.\nConsent shown ({answer}): \"{}\"",
            consent_text(place)
        );
        if !self.note.is_empty() {
            summary.push_str(&format!("\nTheir note: {}", self.note));
        }
        InteractionInput {
            contact,
            listing: Some(listing),
            channel: Channel::Meeting,
            direction: Direction::Inbound,
            summary,
            outcome: Some(VISIT_OUTCOME.into()),
            duration_seconds: None,
            occurred_at: at,
        }
    }
}

/// Where a sign-in's consent came from, as the contact's consent keeps it (at most 200
/// characters there).
fn consent_source(place: &str) -> String {
    let mut source = format!("open-house sign-in at {place}");
    if source.chars().count() > crate::contact::CONSENT_SOURCE_MAX_CHARS {
        source = source
            .chars()
            .take(crate::contact::CONSENT_SOURCE_MAX_CHARS)
            .collect();
    }
    source
}

/// A kiosk PIN: 4 to 8 digits. The error is a sentence for the agent.
pub fn check_pin(pin: &str) -> Result<(), String> {
    let digits = pin.chars().count();
    if !pin.chars().all(|c| c.is_ascii_digit())
        || !(PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&digits)
    {
        return Err(format!(
            "Choose a PIN of {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits; you'll need it to leave sign-in mode."
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "sign_in_tests.rs"]
mod tests;
