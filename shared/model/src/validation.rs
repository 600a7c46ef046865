//! Field-level validation errors, shaped so the UI can show each message next to its field.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One rejected field: `field` is the machine name the UI keys on, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// All the problems with one input, so a form can show them at once rather than one per submit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if that field was rejected.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The rejected field names, in the order they were found (a field may repeat).
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }

    /// `Ok(value)` marked as validated when nothing was rejected, otherwise every problem.
    pub(crate) fn into_valid<T>(self, value: T) -> Result<Valid<T>, ValidationErrors> {
        self.into_result().map(|()| Valid(value))
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// An input that passed its `validate()` and is normalised (trimmed, deduplicated, sorted).
///
/// Only this crate's validators make one, so an engine function that takes a `Valid<ContactInput>`
/// cannot be handed an unchecked input. It serialises as the inner value but deliberately does not
/// implement `Deserialize`: bytes from outside are an input to validate again, never proof.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Valid<T>(T);

impl<T> Valid<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

pub const EMAIL_MAX_CHARS: usize = 254;
pub const PHONE_MAX_CHARS: usize = 40;
const PHONE_MIN_DIGITS: usize = 5;
const PHONE_MAX_DIGITS: usize = 15; // E.164

/// Checks an email address people typed into a CRM: RFC 5322 syntax plus a dotted domain,
/// because a bare `name@host` is almost always a typo here. The error is a sentence for people.
pub fn check_email(email: &str) -> Result<(), String> {
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!(
            "An email address can be at most {EMAIL_MAX_CHARS} characters."
        ));
    }
    let plausible = !email.chars().any(char::is_whitespace)
        && email
            .parse::<email_address::EmailAddress>()
            .is_ok_and(|parsed| {
                let domain = parsed.domain();
                domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
    if plausible {
        Ok(())
    } else {
        Err(format!(
            "{email:?} is not an email address (expected name@example.com)."
        ))
    }
}

/// The length and the characters every phone number is held to, however it is written.
fn check_phone_characters(phone: &str) -> Result<(), String> {
    if phone.chars().count() > PHONE_MAX_CHARS {
        return Err(format!(
            "A phone number can be at most {PHONE_MAX_CHARS} characters."
        ));
    }
    if let Some(bad) = phone
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.')))
    {
        return Err(format!(
            "A phone number can hold digits, spaces and + - ( ) . only, not {bad:?}."
        ));
    }
    Ok(())
}

/// Checks a phone number as people type it: digits with the usual separators, an optional
/// leading +, and 5 to 15 digits (E.164's maximum). The error is a sentence for people.
pub fn check_phone(phone: &str) -> Result<(), String> {
    check_phone_characters(phone)?;
    if phone.char_indices().any(|(i, c)| c == '+' && i != 0) {
        return Err("A + can only start a phone number.".to_owned());
    }
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&digits) {
        return Err(format!(
            "A phone number has {PHONE_MIN_DIGITS} to {PHONE_MAX_DIGITS} digits; this one has {digits}."
        ));
    }
    Ok(())
}

/// Shortest international number E.164 allows once the country code is counted (some
/// territories have 4-digit subscriber numbers behind a 3-digit code).
const E164_MIN_DIGITS: usize = 7;

/// A number a provider can dial without guessing the country: `+`, a country code and the
/// rest, 7 to 15 digits in all (E.164). Typed the way people write numbers (spaces, dashes,
/// dots, brackets allowed); answers it as E.164 (`+14155550100`), or a sentence for people.
pub fn e164(phone: &str) -> Result<String, String> {
    let phone = phone.trim();
    check_phone_characters(phone)?;
    if !phone.starts_with('+') || phone.rfind('+') != Some(0) {
        return Err(
            "Start with + and the country code, e.g. +1 415 555 0100 (an international number)."
                .to_owned(),
        );
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.starts_with('0') {
        return Err(
            "A country code never starts with 0: write the number after the +, e.g. +44 20 7946 0958."
                .to_owned(),
        );
    }
    if !(E164_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&digits.len()) {
        return Err(format!(
            "An international number has {E164_MIN_DIGITS} to {PHONE_MAX_DIGITS} digits with its country code; this one has {}.",
            digits.len()
        ));
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_emails_are_rejected() {
        assert!(check_email("ada@example.com").is_ok());
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada @example.com",
            "ada@.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn phone_rules() {
        assert!(check_phone("(555) 010-9999").is_ok());
        assert!(check_phone("555.010.9999").is_ok());
        assert!(check_phone("+44 20 7946 0958").is_ok());
        assert!(check_phone("555-CALL-NOW").is_err());
        assert!(check_phone("55+5 0100").is_err());
        assert!(check_phone("1234").is_err());
        assert!(check_phone("1234567890123456").is_err());
    }

    #[test]
    fn international_numbers_are_written_as_e164() {
        assert_eq!(e164(" +1 (415) 555-0100 ").as_deref(), Ok("+14155550100"));
        assert_eq!(e164("+44 20 7946 0958").as_deref(), Ok("+442079460958"));
        assert!(e164("415 555 0100")
            .expect_err("no country code")
            .contains("Start with + and the country code"));
        assert!(e164("+0 415 555 0100")
            .expect_err("zero")
            .contains("never starts with 0"));
        assert!(e164("+1 555")
            .expect_err("short")
            .contains("7 to 15 digits"));
        assert_eq!(
            e164("+1 415 555 0100 12345").expect_err("long"),
            "An international number has 7 to 15 digits with its country code; this one has 16."
        );
        assert!(e164("+1 415-CALL-NOW")
            .expect_err("letters")
            .contains("digits, spaces and"));
        assert!(e164("1+415").is_err());
        assert!(e164("+1 415 +555 0100").is_err());
        assert!(e164("").is_err());
    }
}
