//! What a triggered sequence sees in one contact now: each occasion the trigger has for them,
//! named so the same occasion always gets the same name (the store then enrols each once).
//!
//! The rule of when a trigger fires is the model's (`Trigger::fires`); what the server adds is
//! the state it reads from the stored document. A tag or stage is named by the Automerge
//! operation that put it there, so an edit elsewhere on the contact keeps the name, while
//! removing a tag and adding it again (or leaving a stage and coming back) is a new occasion.

use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::campaign::trigger::{Event, Trigger};
use fieldstone_model::property_match::{self, ListingFacts, Wish, SUGGEST_AT};
use fieldstone_model::{BookingStatus, Contact};

/// One occasion a contact gives a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occasion {
    pub episode: String,
    /// When the sequence starts for them on this occasion.
    pub start: DateTime<Utc>,
}

/// A booking as a sequence's trigger and its figures see it.
#[derive(Debug, Clone)]
pub struct BookingFact {
    pub id: uuid::Uuid,
    pub created_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
}

/// A listing new or changed since the campaign's launch, as a "fits a buyer" trigger and the
/// step's `{{property}}` see it.
#[derive(Debug, Clone)]
pub struct ListingFact {
    pub id: uuid::Uuid,
    pub facts: ListingFacts,
    /// "12 Upper Street, London, N1 2AB, GB".
    pub address: String,
    /// "GBP 480,000"-style, as the step's `{{property_price}}` says it.
    pub price: String,
}

/// What the server knows around a contact that a trigger may read.
pub struct Around<'a> {
    pub bookings: &'a [BookingFact],
    pub listings: &'a [ListingFact],
}

/// The occasions `trigger` has in `contact` (read from `doc`) at `now`, in the contact's zone,
/// for a campaign launched at `launched` (a new lead is one that arrived after it).
pub fn occasions(
    trigger: &Trigger,
    launched: DateTime<Utc>,
    doc: &automerge::AutoCommit,
    contact: &Contact,
    around: &Around<'_>,
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<Occasion> {
    let bookings = around.bookings;
    let start = trigger.starts(now, zone);
    let one = |episode: String| vec![Occasion { episode, start }];
    match trigger {
        Trigger::TagAdded { tag } if contact.tags.contains(tag) => {
            let op = doc
                .get(ROOT, "tags")
                .ok()
                .flatten()
                .and_then(|(_, tags)| doc.get(&tags, tag.as_str()).ok().flatten())
                .map(|(_, op)| op.to_string());
            op.map_or_else(Vec::new, |op| one(format!("tag:{tag}:{op}")))
        }
        Trigger::StageReached { stage } if contact.stage == *stage => {
            let op = doc
                .get(ROOT, "stage")
                .ok()
                .flatten()
                .map(|(_, op)| op.to_string());
            op.map_or_else(Vec::new, |op| one(format!("stage:{}:{op}", stage.as_str())))
        }
        Trigger::TagAdded { .. } | Trigger::StageReached { .. } => Vec::new(),
        Trigger::NewLead { .. } if contact.created_at < launched => Vec::new(),
        Trigger::NewLead { .. } => trigger
            .fires(Event::Changed {
                before: None,
                after: contact,
            })
            .map_or_else(Vec::new, one),
        Trigger::BookingCompleted => bookings
            .iter()
            .filter(|b| b.status == BookingStatus::Completed && b.ends_at <= now)
            .filter_map(|b| {
                trigger.fires(Event::BookingCompleted {
                    contact,
                    booking: b.id,
                })
            })
            .map(|episode| Occasion { episode, start })
            .collect(),
        // A listing new or changed since launch that fits what the buyer asked for at least
        // as well as the app's suggestions (the same rule, `property_match`): one occasion
        // per listing, so a buyer hears about each listing once.
        Trigger::ListingMatch => match Wish::of(&contact.preferences) {
            None => Vec::new(),
            Some(wish) => around
                .listings
                .iter()
                .filter(|l| {
                    property_match::fit(&wish, &l.facts).is_some_and(|f| f.score >= SUGGEST_AT)
                })
                .filter_map(|l| {
                    trigger.fires(Event::ListingMatched {
                        contact,
                        listing: l.id,
                    })
                })
                .map(|episode| Occasion { episode, start })
                .collect(),
        },
        Trigger::Birthday { .. } | Trigger::Silent { .. } => trigger
            .fires(Event::Daily {
                contact,
                today: now.with_timezone(&zone).date_naive(),
            })
            .map_or_else(Vec::new, one),
    }
}
