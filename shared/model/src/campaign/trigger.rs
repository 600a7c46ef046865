//! What enrols a contact in a sequence, and when they leave it.
//!
//! Enrolment must happen once per occasion, on whichever server process sees the event first, so
//! a trigger gives each firing an **episode** key: the same birthday year, the same silent spell,
//! the same tag being added gives the same key, and the server enrols `(campaign, contact,
//! episode)` once. A pure rule: the device can show why a contact was enrolled.

use crate::checks::{normalise_tag, TAG_MAX_CHARS};
use crate::contact::{Contact, CustomValue, LeadSource, Stage};
use crate::validation::ValidationErrors;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest silence a re-engagement trigger may wait for.
pub const SILENT_DAYS_MAX: u16 = 730;

/// What starts a sequence for a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// The tag was added to the contact.
    TagAdded { tag: String },
    /// The contact moved into the stage.
    StageReached { stage: Stage },
    /// A new lead arrived, from this source (any when `None`).
    NewLead {
        #[serde(default)]
        source: Option<LeadSource>,
    },
    /// A showing or meeting with the contact took place (post-visit feedback).
    BookingCompleted,
    /// A new listing fits the buyer's preferences (new-listing announcement).
    ListingMatch,
    /// The contact's birthday, from a custom date field (often "birthday").
    Birthday { field: String },
    /// No contact for this many days (re-engagement).
    Silent { days: u16 },
}

/// Something that happened to a contact, as the server sees it.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The contact was created (`before: None`) or changed.
    Changed {
        before: Option<&'a Contact>,
        after: &'a Contact,
    },
    /// A booking with the contact was completed.
    BookingCompleted {
        contact: &'a Contact,
        booking: uuid::Uuid,
    },
    /// A listing was found to fit the contact.
    ListingMatched {
        contact: &'a Contact,
        listing: uuid::Uuid,
    },
    /// The daily look at every contact, on `today` in the contact's zone.
    Daily {
        contact: &'a Contact,
        today: NaiveDate,
    },
}

impl Trigger {
    /// The trigger as the review step says it.
    pub fn sentence(&self) -> String {
        match self {
            Trigger::TagAdded { tag } => format!("When the tag “{tag}” is added"),
            Trigger::StageReached { stage } => format!("When a contact reaches {}", stage.label()),
            Trigger::NewLead { source: None } => "When a new lead arrives".to_owned(),
            Trigger::NewLead { source: Some(s) } => {
                format!("When a new lead arrives from {}", s.label())
            }
            Trigger::BookingCompleted => "After a showing or meeting takes place".to_owned(),
            Trigger::ListingMatch => "When a new listing fits a buyer".to_owned(),
            Trigger::Birthday { field } => format!("On the contact's birthday (“{field}”)"),
            Trigger::Silent { days } => format!("After {days} days without contact"),
        }
    }

    pub(super) fn check(&mut self, errors: &mut ValidationErrors) {
        match self {
            Trigger::TagAdded { tag } => {
                *tag = normalise_tag(tag);
                if tag.is_empty() {
                    errors.push("trigger.tag", "Name the tag that starts the sequence.");
                } else if tag.chars().count() > TAG_MAX_CHARS {
                    errors.push(
                        "trigger.tag",
                        format!("A tag can be at most {TAG_MAX_CHARS} characters."),
                    );
                }
            }
            Trigger::Birthday { field } => {
                *field = field.trim().to_owned();
                if field.is_empty() {
                    errors.push(
                        "trigger.field",
                        "Name the custom date field that holds the birthday.",
                    );
                }
            }
            Trigger::Silent { days } => {
                if *days == 0 || *days > SILENT_DAYS_MAX {
                    errors.push(
                        "trigger.days",
                        format!("Choose between 1 and {SILENT_DAYS_MAX} days."),
                    );
                }
            }
            Trigger::StageReached { .. }
            | Trigger::NewLead { .. }
            | Trigger::BookingCompleted
            | Trigger::ListingMatch => {}
        }
    }

    /// The episode this event starts for the contact, or `None` when the trigger does not fire.
    /// The server enrols `(campaign, contact, episode)` at most once.
    pub fn fires(&self, event: Event<'_>) -> Option<String> {
        match (self, event) {
            (Trigger::TagAdded { tag }, Event::Changed { before, after }) => {
                let had = before.is_some_and(|b| b.tags.contains(tag));
                (!had && after.tags.contains(tag)).then(|| {
                    // Each adding is its own occasion: removing and adding again re-enrols.
                    format!("tag:{tag}:{}", after.updated_at.timestamp_millis())
                })
            }
            (Trigger::StageReached { stage }, Event::Changed { before, after }) => {
                let was = before.map(|b| b.stage);
                (was != Some(*stage) && after.stage == *stage).then(|| {
                    format!(
                        "stage:{}:{}",
                        stage.as_str(),
                        after.updated_at.timestamp_millis()
                    )
                })
            }
            (
                Trigger::NewLead { source },
                Event::Changed {
                    before: None,
                    after,
                },
            ) => source
                .is_none_or(|s| s == after.source)
                .then(|| "new".to_owned()),
            (Trigger::BookingCompleted, Event::BookingCompleted { booking, .. }) => {
                Some(format!("booking:{booking}"))
            }
            (Trigger::ListingMatch, Event::ListingMatched { listing, .. }) => {
                Some(format!("listing:{listing}"))
            }
            (Trigger::Birthday { field }, Event::Daily { contact, today }) => {
                let Some(CustomValue::Date(born)) = contact.custom_fields.get(field) else {
                    return None;
                };
                is_birthday(*born, today).then(|| format!("birthday:{}", today.year()))
            }
            (Trigger::Silent { days }, Event::Daily { contact, today }) => {
                let since = last_touch(contact);
                let silent = (today - since.date_naive()).num_days();
                // The episode is the silence itself: a new contact starts a new one.
                (silent >= i64::from(*days)).then(|| format!("silent:{}", since.timestamp_millis()))
            }
            _ => None,
        }
    }
}

/// The local hour a birthday greeting goes out (not at midnight).
pub const BIRTHDAY_HOUR: u32 = 9;

impl Trigger {
    /// When a sequence this trigger fired at `now` starts for a contact in `zone`: a birthday
    /// at [`BIRTHDAY_HOUR`] that day (now, once that has passed), anything else now.
    pub fn starts(&self, now: DateTime<Utc>, zone: chrono_tz::Tz) -> DateTime<Utc> {
        if !matches!(self, Trigger::Birthday { .. }) {
            return now;
        }
        let today = now.with_timezone(&zone).date_naive();
        today
            .and_hms_opt(BIRTHDAY_HOUR, 0, 0)
            .and_then(|local| crate::follow_up::resolve(zone, local))
            .map_or(now, |at| at.max(now))
    }

    /// Whether the occasion is a state the contact can already be in when the campaign is
    /// launched (a tag, a stage, a completed booking): those present at launch enrol nobody.
    pub const fn is_stateful(&self) -> bool {
        matches!(
            self,
            Trigger::TagAdded { .. } | Trigger::StageReached { .. } | Trigger::BookingCompleted
        )
    }
}

/// When the agent last had contact, or the contact's creation when never.
fn last_touch(contact: &Contact) -> DateTime<Utc> {
    contact.last_contacted_at.unwrap_or(contact.created_at)
}

/// Whether `today` is the birthday of someone born on `born`; 29 February is kept on 28
/// February in other years.
pub fn is_birthday(born: NaiveDate, today: NaiveDate) -> bool {
    let leap = NaiveDate::from_ymd_opt(today.year(), 2, 29).is_some();
    if born.month() == 2 && born.day() == 29 && !leap {
        return today.month() == 2 && today.day() == 28;
    }
    born.month() == today.month() && born.day() == today.day()
}

/// When a contact leaves a sequence. Unsubscribing always ends it (consent is not a choice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExitRules {
    /// Leave on a reply (an inbound email or text, or a logged call).
    pub on_reply: bool,
    /// Leave on reaching any of these stages.
    pub on_stages: Vec<Stage>,
}

impl Default for ExitRules {
    fn default() -> Self {
        ExitRules {
            on_reply: true,
            on_stages: vec![Stage::Closed, Stage::Lost],
        }
    }
}

/// Why a contact left a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    Replied,
    Unsubscribed,
    ReachedStage(Stage),
}

impl ExitRules {
    /// Whether the contact leaves, given what is known of them now.
    pub fn exit(&self, contact: &Contact, replied: bool, unsubscribed: bool) -> Option<ExitReason> {
        if unsubscribed {
            return Some(ExitReason::Unsubscribed);
        }
        if self.on_reply && replied {
            return Some(ExitReason::Replied);
        }
        self.on_stages
            .contains(&contact.stage)
            .then_some(ExitReason::ReachedStage(contact.stage))
    }
}
