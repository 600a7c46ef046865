//! What the engine derives from a contact for duplicate detection: the keys two records of one
//! person are likely to share, and the name lists use for the score's band.
//!
//! Keys depend on the contact alone (never on the clock or other records), so every replica
//! projects the same values from the same document.

use super::channels::phone_digits;
use super::Contact;

/// Phone numbers are compared by their last this-many digits, so "+1 555 0100 222" and
/// "(555) 0100-222" match while a bare extension does not.
pub const PHONE_MATCH_DIGITS: usize = 10;
/// Shorter digit runs are too ambiguous to call two contacts the same.
const PHONE_MATCH_MIN_DIGITS: usize = 7;

/// A value two records of the same person are likely to share.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchKey {
    /// Lower-cased address.
    Email(String),
    /// The last [`PHONE_MATCH_DIGITS`] digits.
    Phone(String),
    /// Given and family name, lower-cased, accents and punctuation kept, spaces folded; only
    /// when both parts are present (a first name alone matches far too many people).
    Name(String),
}

impl MatchKey {
    pub const fn kind(&self) -> &'static str {
        match self {
            MatchKey::Email(_) => "email",
            MatchKey::Phone(_) => "phone",
            MatchKey::Name(_) => "name",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            MatchKey::Email(v) | MatchKey::Phone(v) | MatchKey::Name(v) => v,
        }
    }

    pub fn email(address: &str) -> Option<Self> {
        let address = address.trim().to_lowercase();
        address.contains('@').then_some(MatchKey::Email(address))
    }

    pub fn phone(number: &str) -> Option<Self> {
        let digits = phone_digits(number);
        if digits.len() < PHONE_MATCH_MIN_DIGITS {
            return None;
        }
        let tail = &digits[digits.len().saturating_sub(PHONE_MATCH_DIGITS)..];
        Some(MatchKey::Phone(tail.to_owned()))
    }

    pub fn name(given: &str, family: &str) -> Option<Self> {
        let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let (given, family) = (fold(given), fold(family));
        (!given.is_empty() && !family.is_empty())
            .then(|| MatchKey::Name(format!("{given} {family}").to_lowercase()))
    }
}

impl Contact {
    /// Every key this contact could be matched on, without repeats, sorted.
    pub fn match_keys(&self) -> Vec<MatchKey> {
        let mut keys: Vec<MatchKey> = self
            .emails
            .iter()
            .filter_map(|e| MatchKey::email(&e.address))
            .chain(
                self.phones
                    .iter()
                    .filter_map(|p| MatchKey::phone(&p.number)),
            )
            .chain(self.whatsapp.iter().filter_map(|w| MatchKey::phone(w)))
            .chain(MatchKey::name(&self.given_name, &self.family_name))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// How warm a lead score reads: the one band rule, seed 003's (hot from 80, warm from 50), which
/// is the rule score's own [`crate::score::Band`]. The name stays for the lists and Today that
/// filter by it; the home-made score it used to band (70/40 over stage and priority) is gone:
/// the contact's score is the rule score of issue 15 ([`crate::score::rule_score`]).
pub type ScoreBand = crate::score::Band;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{EmailEntry, PhoneEntry};
    use crate::test_support::{at, user, uuid};
    use crate::{ContactId, ContactInput};

    fn contact(input: ContactInput) -> Contact {
        Contact::create(
            ContactId::from_uuid(uuid(3)),
            input.validate().expect("valid"),
            user(1),
            at(2026, 1, 2, 9, 0),
        )
    }

    #[test]
    fn keys_normalise_case_digits_and_spaces() {
        assert_eq!(
            MatchKey::email(" Ada@Example.COM "),
            Some(MatchKey::Email("ada@example.com".into()))
        );
        assert_eq!(MatchKey::email("nope"), None);
        assert_eq!(
            MatchKey::phone("+1 (555) 010-0222"),
            MatchKey::phone("555 010 0222")
        );
        assert_eq!(MatchKey::phone("12-34"), None, "too short to mean anything");
        assert_eq!(
            MatchKey::name("  Ada ", "LOVELACE"),
            Some(MatchKey::Name("ada lovelace".into()))
        );
        assert_eq!(MatchKey::name("Ada", " "), None);
    }

    #[test]
    fn a_contact_lists_each_key_once() {
        let c = contact(ContactInput {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            emails: vec![EmailEntry {
                address: "ada@example.com".into(),
                label: Default::default(),
                primary: true,
            }],
            phones: vec![PhoneEntry {
                number: "+44 20 7946 0958".into(),
                label: Default::default(),
                primary: true,
            }],
            whatsapp: Some("+442079460958".into()),
            ..Default::default()
        });
        let keys = c.match_keys();
        assert_eq!(
            keys,
            vec![
                MatchKey::Email("ada@example.com".into()),
                MatchKey::Phone("2079460958".into()),
                MatchKey::Name("ada lovelace".into()),
            ]
        );
    }

    #[test]
    fn the_band_is_the_rule_scores_80_50() {
        assert_eq!(ScoreBand::of(80).word(), "hot");
        assert_eq!(ScoreBand::of(79).word(), "warm");
        assert_eq!(ScoreBand::of(50).word(), "warm");
        assert_eq!(ScoreBand::of(49).word(), "cold");
    }
}
