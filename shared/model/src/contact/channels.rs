//! How to reach a contact: labelled email addresses and phone numbers (one of each primary),
//! an Instagram handle and a WhatsApp number.

use crate::checks::{check_count, path};
use crate::choice::choice_enum;
use crate::validation::{check_email, check_phone, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const EMAILS_MAX: usize = 10;
pub const PHONES_MAX: usize = 10;
pub const INSTAGRAM_MAX_CHARS: usize = 30;

choice_enum! {
    /// What kind of address or number an entry is.
    #[derive(Default)]
    pub enum ContactLabel as "contact label" {
        Mobile => ("mobile", "Mobile"),
        Home => ("home", "Home"),
        Work => ("work", "Work"),
        #[default]
        Other => ("other", "Other"),
    }
}

/// One email address of a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailEntry {
    pub address: String,
    #[serde(default)]
    pub label: ContactLabel,
    #[serde(default)]
    pub primary: bool,
}

/// One phone number of a contact, kept as typed (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneEntry {
    pub number: String,
    #[serde(default)]
    pub label: ContactLabel,
    #[serde(default)]
    pub primary: bool,
}

/// The address people type, normalised: trimmed, domain lower-cased (domains are case-blind; the
/// local part is left as typed because a few mail servers do distinguish it).
fn normalise_email(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => address.to_owned(),
    }
}

/// The digits of a phone number, for spotting the same number typed two ways.
pub(crate) fn phone_digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// Marks at most one entry primary: a second primary is an error under `field.N.primary`, and when
/// none is marked the first entry becomes primary, so a non-empty list always has exactly one.
fn settle_primary(
    errors: &mut ValidationErrors,
    field: &str,
    primaries: &mut [&mut bool],
    what: &str,
) {
    let mut seen = false;
    for (i, primary) in primaries.iter().enumerate() {
        if **primary {
            if seen {
                errors.push(
                    &path(field, format_args!("{i}.primary")),
                    format!("Only one {what} can be primary."),
                );
            }
            seen = true;
        }
    }
    if !seen {
        if let Some(first) = primaries.first_mut() {
            **first = true;
        }
    }
}

/// Checks and normalises the email list; problems are keyed `emails`, `emails.N.address`, ....
pub(crate) fn emails(errors: &mut ValidationErrors, input: &[EmailEntry]) -> Vec<EmailEntry> {
    check_count(errors, "emails", input.len(), EMAILS_MAX, "email addresses");
    let mut seen = BTreeSet::new();
    let mut out: Vec<EmailEntry> = Vec::with_capacity(input.len());
    for (i, entry) in input.iter().enumerate() {
        let key = format!("emails.{i}.address");
        let address = normalise_email(&entry.address);
        if address.is_empty() {
            errors.push(&key, "Enter an email address or remove this row.");
        } else if let Err(message) = check_email(&address) {
            errors.push(&key, message);
        } else if !seen.insert(address.to_lowercase()) {
            errors.push(&key, "This email address is already listed.");
        }
        out.push(EmailEntry {
            address,
            ..entry.clone()
        });
    }
    let mut primaries: Vec<&mut bool> = out.iter_mut().map(|e| &mut e.primary).collect();
    settle_primary(errors, "emails", &mut primaries, "email address");
    out
}

/// Checks and normalises the phone list; problems are keyed `phones`, `phones.N.number`, ....
pub(crate) fn phones(errors: &mut ValidationErrors, input: &[PhoneEntry]) -> Vec<PhoneEntry> {
    check_count(errors, "phones", input.len(), PHONES_MAX, "phone numbers");
    let mut seen = BTreeSet::new();
    let mut out: Vec<PhoneEntry> = Vec::with_capacity(input.len());
    for (i, entry) in input.iter().enumerate() {
        let key = format!("phones.{i}.number");
        let number = entry.number.trim().to_owned();
        if number.is_empty() {
            errors.push(&key, "Enter a phone number or remove this row.");
        } else if let Err(message) = check_phone(&number) {
            errors.push(&key, message);
        } else if !seen.insert(phone_digits(&number)) {
            errors.push(&key, "This phone number is already listed.");
        }
        out.push(PhoneEntry {
            number,
            ..entry.clone()
        });
    }
    let mut primaries: Vec<&mut bool> = out.iter_mut().map(|e| &mut e.primary).collect();
    settle_primary(errors, "phones", &mut primaries, "phone number");
    out
}

/// An Instagram handle: a leading `@` dropped, lower-cased (Instagram ignores case), letters,
/// digits, `.` and `_`, at most 30 characters. Blank is `None`.
pub(crate) fn instagram(errors: &mut ValidationErrors, input: Option<&str>) -> Option<String> {
    let raw = input.map(str::trim).filter(|h| !h.is_empty())?;
    let handle = raw.strip_prefix('@').unwrap_or(raw).to_lowercase();
    if handle.is_empty() || handle.chars().count() > INSTAGRAM_MAX_CHARS {
        errors.push(
            "instagram",
            format!("An Instagram handle has 1 to {INSTAGRAM_MAX_CHARS} characters."),
        );
    } else if !handle
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
    {
        errors.push(
            "instagram",
            "An Instagram handle can hold letters, digits, . and _ only.",
        );
    }
    Some(handle)
}

/// A WhatsApp number: a phone number in international form (WhatsApp links need the country
/// code). Blank is `None`.
pub(crate) fn whatsapp(errors: &mut ValidationErrors, input: Option<&str>) -> Option<String> {
    let number = input.map(str::trim).filter(|n| !n.is_empty())?;
    if let Err(message) = check_phone(number) {
        errors.push("whatsapp", message);
    } else if !number.starts_with('+') {
        errors.push(
            "whatsapp",
            "Enter the WhatsApp number in international form, starting with + and the country code.",
        );
    }
    Some(number.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;

    fn email(address: &str, primary: bool) -> EmailEntry {
        EmailEntry {
            address: address.into(),
            label: ContactLabel::Work,
            primary,
        }
    }

    fn phone(number: &str, primary: bool) -> PhoneEntry {
        PhoneEntry {
            number: number.into(),
            label: ContactLabel::Mobile,
            primary,
        }
    }

    #[test]
    fn labels_are_consistent() {
        assert_choice_names::<ContactLabel>();
    }

    #[test]
    fn emails_are_trimmed_domain_lowercased_and_first_made_primary() {
        let mut errors = ValidationErrors::default();
        let out = emails(
            &mut errors,
            &[
                email(" Ada@Example.COM ", false),
                email("b@example.org", false),
            ],
        );
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(out[0].address, "Ada@example.com");
        assert!(out[0].primary && !out[1].primary);
        assert_eq!(out[0].label, ContactLabel::Work);
    }

    #[test]
    fn a_marked_primary_is_kept() {
        let mut errors = ValidationErrors::default();
        let out = emails(
            &mut errors,
            &[email("a@example.com", false), email("b@example.com", true)],
        );
        assert!(errors.is_empty());
        assert!(!out[0].primary && out[1].primary);
    }

    #[test]
    fn bad_emails_are_reported_by_index() {
        let mut errors = ValidationErrors::default();
        emails(
            &mut errors,
            &[
                email("a@example.com", true),
                email("not-an-email", false),
                email("A@EXAMPLE.com", false),
                email("  ", false),
                email("c@example.com", true),
            ],
        );
        assert_eq!(
            errors.fields(),
            [
                "emails.1.address",
                "emails.2.address",
                "emails.3.address",
                "emails.4.primary"
            ]
        );
        assert_eq!(
            errors.for_field("emails.2.address"),
            Some("This email address is already listed.")
        );
        assert_eq!(
            errors.for_field("emails.4.primary"),
            Some("Only one email address can be primary.")
        );
    }

    #[test]
    fn too_many_emails() {
        let mut errors = ValidationErrors::default();
        let list: Vec<_> = (0..=EMAILS_MAX)
            .map(|i| email(&format!("a{i}@example.com"), false))
            .collect();
        emails(&mut errors, &list);
        assert_eq!(errors.fields(), ["emails"]);
    }

    #[test]
    fn phones_are_checked_deduplicated_by_digits_and_primary_settled() {
        let mut errors = ValidationErrors::default();
        let out = phones(&mut errors, &[phone(" +1 555 010 9999 ", false)]);
        assert!(errors.is_empty());
        assert_eq!(out[0].number, "+1 555 010 9999");
        assert!(out[0].primary);

        let mut errors = ValidationErrors::default();
        phones(
            &mut errors,
            &[
                phone("+1 555 010 9999", true),
                phone("+1 (555) 010-9999", false),
                phone("12", true),
                phone("", false),
            ],
        );
        assert_eq!(
            errors.fields(),
            [
                "phones.1.number",
                "phones.2.number",
                "phones.3.number",
                "phones.2.primary"
            ]
        );
        let mut errors = ValidationErrors::default();
        let list: Vec<_> = (0..=PHONES_MAX)
            .map(|i| phone(&format!("+1 555 010 00{i:02}"), false))
            .collect();
        phones(&mut errors, &list);
        assert_eq!(errors.fields(), ["phones"]);
    }

    #[test]
    fn instagram_handles() {
        let mut errors = ValidationErrors::default();
        assert_eq!(
            instagram(&mut errors, Some(" @Ada.Homes_1 ")),
            Some("ada.homes_1".to_owned())
        );
        assert_eq!(instagram(&mut errors, Some("  ")), None);
        assert!(errors.is_empty());
        instagram(&mut errors, Some("ada homes"));
        instagram(&mut errors, Some("@"));
        instagram(&mut errors, Some(&"a".repeat(INSTAGRAM_MAX_CHARS + 1)));
        assert_eq!(errors.fields(), ["instagram", "instagram", "instagram"]);
    }

    #[test]
    fn whatsapp_numbers_are_international() {
        let mut errors = ValidationErrors::default();
        assert_eq!(
            whatsapp(&mut errors, Some(" +44 7700 900123 ")),
            Some("+44 7700 900123".to_owned())
        );
        assert_eq!(whatsapp(&mut errors, None), None);
        assert!(errors.is_empty());
        whatsapp(&mut errors, Some("07700 900123"));
        assert_eq!(errors.fields(), ["whatsapp"]);
        whatsapp(&mut errors, Some("+44 call me"));
        assert_eq!(errors.fields(), ["whatsapp", "whatsapp"]);
    }
}
