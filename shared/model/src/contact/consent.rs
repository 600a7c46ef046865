//! Whether a contact agreed to be reached on each channel, where that answer came from and when.

use crate::checks::{path, Text};
use crate::choice::choice_enum;
use crate::validation::ValidationErrors;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const CONSENT_SOURCE_MAX_CHARS: usize = 200;

choice_enum! {
    /// The channels that need a contact's consent before marketing contact.
    pub enum ConsentChannel as "consent channel" {
        Email => ("email", "Email"),
        Sms => ("sms", "SMS"),
        Call => ("call", "Phone call"),
    }
}

choice_enum! {
    /// A contact's answer for one channel.
    #[derive(Default)]
    pub enum ConsentStatus as "consent status" {
        #[default]
        Unknown => ("unknown", "Not asked"),
        Granted => ("granted", "Agreed"),
        Denied => ("denied", "Refused"),
    }
}

/// The answer for one channel. A granted or denied answer must say where it came from (e.g. "web
/// form opt-in", "said so on a call") and when, so it can be shown to a regulator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    #[serde(default)]
    pub status: ConsentStatus,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub recorded_at: Option<DateTime<Utc>>,
}

impl Consent {
    pub fn granted(source: &str, at: DateTime<Utc>) -> Self {
        Self {
            status: ConsentStatus::Granted,
            source: Some(source.to_owned()),
            recorded_at: Some(at),
        }
    }

    pub fn denied(source: &str, at: DateTime<Utc>) -> Self {
        Self {
            status: ConsentStatus::Denied,
            ..Self::granted(source, at)
        }
    }

    fn normalised(&self, errors: &mut ValidationErrors, prefix: &str) -> Consent {
        let source = Text::line("a consent source", CONSENT_SOURCE_MAX_CHARS).optional(
            errors,
            &path(prefix, "source"),
            self.source.as_deref(),
        );
        if self.status != ConsentStatus::Unknown {
            if source.is_none() {
                errors.push(
                    &path(prefix, "source"),
                    "Enter where this answer came from, such as \"web form opt-in\".",
                );
            }
            if self.recorded_at.is_none() {
                errors.push(
                    &path(prefix, "recorded_at"),
                    "Enter when this answer was given.",
                );
            }
        }
        Consent {
            status: self.status,
            source,
            recorded_at: self.recorded_at,
        }
    }
}

/// Consent for every channel. Unknown until asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consents {
    #[serde(default)]
    pub email: Consent,
    #[serde(default)]
    pub sms: Consent,
    #[serde(default)]
    pub call: Consent,
}

impl Consents {
    pub fn get(&self, channel: ConsentChannel) -> &Consent {
        match channel {
            ConsentChannel::Email => &self.email,
            ConsentChannel::Sms => &self.sms,
            ConsentChannel::Call => &self.call,
        }
    }

    pub fn set(&mut self, channel: ConsentChannel, consent: Consent) {
        match channel {
            ConsentChannel::Email => self.email = consent,
            ConsentChannel::Sms => self.sms = consent,
            ConsentChannel::Call => self.call = consent,
        }
    }

    /// Whether marketing contact on `channel` is allowed: only with an explicit "granted".
    pub fn allows(&self, channel: ConsentChannel) -> bool {
        self.get(channel).status == ConsentStatus::Granted
    }

    /// Checks every channel; problems are keyed `consent.email.source` and so on.
    pub(crate) fn normalised(&self, errors: &mut ValidationErrors) -> Consents {
        let mut out = Consents::default();
        for channel in ConsentChannel::ALL {
            let prefix = format!("consent.{}", channel.as_str());
            out.set(channel, self.get(channel).normalised(errors, &prefix));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn choices_are_consistent() {
        assert_choice_names::<ConsentChannel>();
        assert_choice_names::<ConsentStatus>();
    }

    #[test]
    fn only_an_explicit_grant_allows_contact() {
        let mut consents = Consents::default();
        assert!(!consents.allows(ConsentChannel::Email));
        consents.set(ConsentChannel::Email, Consent::granted("web form", at()));
        consents.set(ConsentChannel::Sms, Consent::denied("reply STOP", at()));
        assert!(consents.allows(ConsentChannel::Email));
        assert!(!consents.allows(ConsentChannel::Sms));
        assert!(!consents.allows(ConsentChannel::Call));
    }

    #[test]
    fn valid_consents_are_trimmed() {
        let mut errors = ValidationErrors::default();
        let input = Consents {
            call: Consent::granted("  said yes on the phone ", at()),
            ..Consents::default()
        };
        let out = input.normalised(&mut errors);
        assert!(errors.is_empty(), "{errors}");
        assert_eq!(out.call.source.as_deref(), Some("said yes on the phone"));
        assert_eq!(out.email, Consent::default());
    }

    #[test]
    fn an_answer_needs_a_source_and_a_time() {
        let mut errors = ValidationErrors::default();
        let input = Consents {
            sms: Consent {
                status: ConsentStatus::Denied,
                source: Some("  ".into()),
                recorded_at: None,
            },
            email: Consent {
                status: ConsentStatus::Granted,
                source: Some("x".repeat(CONSENT_SOURCE_MAX_CHARS + 1)),
                recorded_at: Some(at()),
            },
            ..Consents::default()
        };
        input.normalised(&mut errors);
        assert_eq!(
            errors.fields(),
            [
                "consent.email.source",
                "consent.sms.source",
                "consent.sms.recorded_at"
            ]
        );
        assert_eq!(
            errors.for_field("consent.sms.recorded_at"),
            Some("Enter when this answer was given.")
        );
    }
}
