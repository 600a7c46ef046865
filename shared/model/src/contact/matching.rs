//! What the engine derives from a contact for lists and duplicate detection: a lead score and
//! the keys two records of one person are likely to share.
//!
//! Both depend on the contact alone (never on the clock or other records), so every replica
//! projects the same values from the same document.

use super::channels::phone_digits;
use super::Contact;
use super::Stage;
use crate::common::Priority;
use crate::contact::ConsentChannel;

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

    /// How promising the contact looks, 0..=100: how far along the pipeline, how urgent, how
    /// reachable (a way to contact them and consent to use it) and how well their needs are
    /// known. Lost and deleted contacts score 0. The sum of [`Contact::score_reasons`].
    pub fn score(&self) -> u8 {
        let total: u32 = self
            .score_reasons()
            .iter()
            .map(|r| u32::from(r.points))
            .sum();
        u8::try_from(total.min(100)).unwrap_or(100)
    }

    /// Where the score comes from, one line per part that adds points, largest first — what
    /// the app shows when the agent asks why a contact scores what it does.
    pub fn score_reasons(&self) -> Vec<ScoreReason> {
        if self.deleted_at.is_some() {
            return vec![ScoreReason::new("Deleted", 0)];
        }
        if self.stage == Stage::Lost {
            return vec![ScoreReason::new("Lost", 0)];
        }
        let stage = match self.stage {
            Stage::Lead => 10,
            Stage::Qualified => 25,
            Stage::Showing => 35,
            Stage::Offer => 45,
            Stage::Closed => 20,
            Stage::Lost => 0,
        };
        let mut reasons = vec![ScoreReason::new(
            format!("Stage {}", self.stage.label()),
            stage,
        )];
        let priority = match self.priority {
            Priority::Low => 0,
            Priority::Medium => 10,
            Priority::High => 20,
        };
        reasons.push(ScoreReason::new(
            format!("{} priority", self.priority.label()),
            priority,
        ));
        let mut ways = Vec::new();
        if !self.emails.is_empty() {
            ways.push("email");
        }
        if !self.phones.is_empty() || self.whatsapp.is_some() {
            ways.push("phone");
        }
        if !ways.is_empty() {
            reasons.push(ScoreReason::new(
                format!("Has {}", ways.join(" and ")),
                u8::try_from(ways.len() * 5).unwrap_or(10),
            ));
        }
        let consents: Vec<&str> = [
            (ConsentChannel::Email, "email"),
            (ConsentChannel::Sms, "texts"),
            (ConsentChannel::Call, "calls"),
        ]
        .into_iter()
        .filter(|(channel, _)| self.consent.allows(*channel))
        .map(|(_, name)| name)
        .collect();
        if !consents.is_empty() {
            reasons.push(ScoreReason::new(
                format!("Agreed to {}", consents.join(", ")),
                u8::try_from(consents.len() * 2).unwrap_or(6),
            ));
        }
        let p = &self.preferences;
        let known: Vec<&str> = [
            (p.budget_min.is_some() || p.budget_max.is_some(), "budget"),
            (!p.areas.is_empty(), "areas"),
            (!p.property_types.is_empty(), "property type"),
            (p.bedrooms_min.is_some(), "bedrooms"),
            (p.move_in.is_some(), "move-in date"),
        ]
        .into_iter()
        .filter(|(known, _)| *known)
        .map(|(_, name)| name)
        .collect();
        if !known.is_empty() {
            reasons.push(ScoreReason::new(
                format!("Knows their {}", known.join(", ")),
                u8::try_from(known.len() * 3).unwrap_or(15),
            ));
        }
        reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
        reasons
    }
}

/// One part of a contact's score: "Stage Showing" +35.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreReason {
    pub label: String,
    pub points: u8,
}

impl ScoreReason {
    fn new(label: impl Into<String>, points: u8) -> Self {
        ScoreReason {
            label: label.into(),
            points,
        }
    }
}

/// How warm a score reads, the same everywhere it is shown (its colour and its word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreBand {
    Hot,
    Warm,
    Cold,
}

impl ScoreBand {
    /// The lowest hot score.
    pub const HOT_FROM: u8 = 70;
    /// The lowest warm score.
    pub const WARM_FROM: u8 = 40;

    pub const fn of(score: u8) -> Self {
        if score >= Self::HOT_FROM {
            ScoreBand::Hot
        } else if score >= Self::WARM_FROM {
            ScoreBand::Warm
        } else {
            ScoreBand::Cold
        }
    }

    pub const fn word(self) -> &'static str {
        match self {
            ScoreBand::Hot => "hot",
            ScoreBand::Warm => "warm",
            ScoreBand::Cold => "cold",
        }
    }
}

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
    fn score_rises_with_stage_priority_and_knowledge() {
        let mut c = contact(ContactInput {
            given_name: "Ada".into(),
            ..Default::default()
        });
        let base = c.score();
        c.stage = Stage::Offer;
        assert!(c.score() > base);
        let offer = c.score();
        c.priority = Priority::High;
        c.preferences.budget_max = Some(500_000);
        assert!(c.score() > offer);
        assert!(c.score() <= 100);
        c.stage = Stage::Lost;
        assert_eq!(c.score(), 0);
    }

    #[test]
    fn the_score_is_the_sum_of_its_reasons_largest_first() {
        let mut c = contact(ContactInput {
            given_name: "Ada".into(),
            ..Default::default()
        });
        c.stage = Stage::Showing;
        c.priority = Priority::High;
        c.preferences.budget_max = Some(500_000);
        c.preferences.bedrooms_min = Some(3);
        let reasons = c.score_reasons();
        let labels: Vec<(&str, u8)> = reasons
            .iter()
            .map(|r| (r.label.as_str(), r.points))
            .collect();
        assert_eq!(
            labels,
            [
                ("Stage Showing", 35),
                ("High priority", 20),
                ("Knows their budget, bedrooms", 6)
            ]
        );
        assert_eq!(c.score(), 61);
        assert_eq!(ScoreBand::of(c.score()), ScoreBand::Warm);
        assert_eq!(ScoreBand::of(70).word(), "hot");
        assert_eq!(ScoreBand::of(39).word(), "cold");
        c.stage = Stage::Lost;
        assert_eq!(
            c.score_reasons(),
            vec![ScoreReason::new("Lost", 0)],
            "a lost contact's score says why it is nothing"
        );
    }
}
