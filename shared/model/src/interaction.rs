//! An interaction: one logged call, message or meeting with a contact, for the activity timeline.
//! Each is its own record, so the timeline never grows a contact's document.

use crate::checks::Text;
use crate::choice::choice_enum;
use crate::common::soft_delete_by_field;
use crate::ids::{ContactId, InteractionId, UserId};
use crate::listing::ListingId;
use crate::validation::{Valid, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const SUMMARY_MAX_CHARS: usize = 5_000;
pub const OUTCOME_MAX_CHARS: usize = 200;
/// A day: longer is a typo (or a forgotten timer).
pub const DURATION_MAX_SECONDS: u32 = 86_400;

choice_enum! {
    /// How the agent and the contact were in touch.
    pub enum Channel as "channel" {
        Call => ("call", "Phone call"),
        Email => ("email", "Email"),
        Sms => ("sms", "SMS"),
        WhatsApp => ("whatsapp", "WhatsApp"),
        Instagram => ("instagram", "Instagram"),
        Meeting => ("meeting", "Meeting"),
    }
}

impl Channel {
    /// Whether an interaction on this channel can last a while (calls, WhatsApp calls, meetings);
    /// an email or a text message has no duration.
    pub const fn has_duration(self) -> bool {
        matches!(self, Channel::Call | Channel::WhatsApp | Channel::Meeting)
    }
}

choice_enum! {
    /// Who started it.
    pub enum Direction as "direction" {
        Inbound => ("inbound", "Inbound"),
        Outbound => ("outbound", "Outbound"),
    }
}

/// An interaction as a form (or the telephony broker) sends it. Untrusted until validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionInput {
    pub contact: ContactId,
    #[serde(default)]
    pub listing: Option<ListingId>,
    pub channel: Channel,
    pub direction: Direction,
    pub summary: String,
    /// A short result, e.g. "left voicemail", "booked a showing".
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<u32>,
    pub occurred_at: DateTime<Utc>,
}

impl InteractionInput {
    /// The summary is required (≤ 5,000 characters), the outcome optional (≤ 200), and a duration
    /// (≤ 24 h) only for calls, WhatsApp and meetings.
    pub fn validate(&self) -> Result<Valid<InteractionInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let summary = Text::multiline("a summary", SUMMARY_MAX_CHARS).required(
            &mut errors,
            "summary",
            &self.summary,
        );
        let outcome = Text::line("an outcome", OUTCOME_MAX_CHARS).optional(
            &mut errors,
            "outcome",
            self.outcome.as_deref(),
        );
        if let Some(seconds) = self.duration_seconds {
            if !self.channel.has_duration() {
                errors.push(
                    "duration_seconds",
                    format!(
                        "{} has no duration; leave it empty.",
                        match self.channel {
                            Channel::Email => "An email",
                            Channel::Sms => "A text message",
                            _ => "An Instagram message",
                        }
                    ),
                );
            } else if seconds > DURATION_MAX_SECONDS {
                errors.push(
                    "duration_seconds",
                    "A duration can be at most 24 hours (86400 seconds).",
                );
            }
        }
        errors.into_valid(InteractionInput {
            summary,
            outcome,
            ..self.clone()
        })
    }
}

/// A stored interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: InteractionId,
    pub contact: ContactId,
    pub listing: Option<ListingId>,
    pub channel: Channel,
    pub direction: Direction,
    pub summary: String,
    pub outcome: Option<String>,
    pub duration_seconds: Option<u32>,
    pub occurred_at: DateTime<Utc>,
    /// Who logged it.
    pub logged_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Interaction);

impl Interaction {
    /// A new interaction from a validated input. The engine mints the id and passes the time in;
    /// it should also call [`Contact::record_contacted`](crate::contact::Contact::record_contacted)
    /// with `occurred_at`.
    pub fn create(
        id: InteractionId,
        input: Valid<InteractionInput>,
        logged_by: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        let input = input.into_inner();
        Interaction {
            id,
            contact: input.contact,
            listing: input.listing,
            channel: input.channel,
            direction: input.direction,
            summary: input.summary,
            outcome: input.outcome,
            duration_seconds: input.duration_seconds,
            occurred_at: input.occurred_at,
            logged_by,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;
    use crate::test_support::{assert_json_round_trip, at, user, uuid};

    fn input(channel: Channel, duration: Option<u32>) -> InteractionInput {
        InteractionInput {
            contact: ContactId::from_uuid(uuid(1)),
            listing: Some(ListingId::from_uuid(uuid(2))),
            channel,
            direction: Direction::Outbound,
            summary: "  Discussed the Elm St offer. ".into(),
            outcome: Some(" Will counter at 410k ".into()),
            duration_seconds: duration,
            occurred_at: at(2025, 3, 3, 15, 30),
        }
    }

    #[test]
    fn choices_are_consistent() {
        assert_choice_names::<Channel>();
        assert_choice_names::<Direction>();
        assert_eq!(Channel::WhatsApp.as_str(), "whatsapp");
    }

    #[test]
    fn a_call_is_normalised() {
        let valid = input(Channel::Call, Some(300)).validate().expect("valid");
        assert_eq!(valid.summary, "Discussed the Elm St offer.");
        assert_eq!(valid.outcome.as_deref(), Some("Will counter at 410k"));
        assert_eq!(valid.duration_seconds, Some(300));
        let mut blank_outcome = input(Channel::Email, None);
        blank_outcome.outcome = Some("   ".into());
        assert_eq!(blank_outcome.validate().expect("valid").outcome, None);
    }

    #[test]
    fn summary_is_required_and_bounded() {
        let mut bad = input(Channel::Meeting, None);
        bad.summary = "  ".into();
        assert_eq!(bad.validate().expect_err("invalid").fields(), ["summary"]);
        bad.summary = "s".repeat(SUMMARY_MAX_CHARS + 1);
        assert_eq!(bad.validate().expect_err("invalid").fields(), ["summary"]);
        let mut bad = input(Channel::Meeting, None);
        bad.outcome = Some("o".repeat(OUTCOME_MAX_CHARS + 1));
        assert_eq!(bad.validate().expect_err("invalid").fields(), ["outcome"]);
    }

    #[test]
    fn only_calls_and_meetings_have_a_duration() {
        for channel in [Channel::Call, Channel::WhatsApp, Channel::Meeting] {
            assert!(input(channel, Some(DURATION_MAX_SECONDS))
                .validate()
                .is_ok());
        }
        for channel in [Channel::Email, Channel::Sms, Channel::Instagram] {
            assert!(input(channel, None).validate().is_ok());
            let errors = input(channel, Some(10)).validate().expect_err("invalid");
            assert_eq!(errors.fields(), ["duration_seconds"], "{channel}");
        }
        let errors = input(Channel::Call, Some(DURATION_MAX_SECONDS + 1))
            .validate()
            .expect_err("invalid");
        assert_eq!(errors.fields(), ["duration_seconds"]);
    }

    #[test]
    fn interactions_round_trip_through_json() {
        let valid = input(Channel::Call, Some(95)).validate().expect("valid");
        let stored = Interaction::create(
            InteractionId::from_uuid(uuid(3)),
            valid,
            user(1),
            at(2025, 3, 3, 16, 0),
        );
        assert_eq!(stored.logged_by, user(1));
        assert_eq!(stored.occurred_at, at(2025, 3, 3, 15, 30));
        assert_json_round_trip(&stored);
        assert_json_round_trip(&input(Channel::Sms, None));
    }
}
