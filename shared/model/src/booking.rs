//! A booking: a showing, open house, meeting or call in the agent's calendar, with reminders.

mod time_zone;

pub use time_zone::{check_time_zone, TIME_ZONE_MAX_CHARS};

use crate::checks::{check_count, Text};
use crate::choice::choice_enum;
use crate::common::soft_delete_by_field;
use crate::ids::{BookingId, ContactId, UserId};
use crate::listing::ListingId;
use crate::validation::{Valid, ValidationErrors};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const TITLE_MAX_CHARS: usize = 200;
pub const LOCATION_MAX_CHARS: usize = 300;
pub const CONTACT_ATTENDEES_MAX: usize = 50;
pub const USER_ATTENDEES_MAX: usize = 20;
pub const REMINDERS_MAX: usize = 5;
/// 28 days, in minutes.
pub const REMINDER_MAX_MINUTES: u32 = 40_320;
/// The longest booking: a week. Longer is almost surely a mistyped date.
pub const BOOKING_MAX_DAYS: i64 = 7;

choice_enum! {
    /// What the booking is for.
    pub enum BookingKind as "booking kind" {
        Showing => ("showing", "Showing"),
        OpenHouse => ("open_house", "Open house"),
        /// Meeting a seller to list (or value) their home.
        ListingAppointment => ("listing_appointment", "Listing appointment / valuation"),
        Inspection => ("inspection", "Inspection"),
        Closing => ("closing", "Closing"),
        Meeting => ("meeting", "Meeting"),
        Call => ("call", "Call"),
    }
}

choice_enum! {
    /// What became of the booking.
    #[derive(Default)]
    pub enum BookingStatus as "booking status" {
        #[default]
        Scheduled => ("scheduled", "Scheduled"),
        Completed => ("completed", "Completed"),
        Cancelled => ("cancelled", "Cancelled"),
        NoShow => ("no_show", "No-show"),
    }
}

/// Who takes part: contacts (buyers, sellers) and users (agents, colleagues).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendees {
    #[serde(default)]
    pub contacts: Vec<ContactId>,
    #[serde(default)]
    pub users: Vec<UserId>,
}

/// A booking as a form sends it. Untrusted until [`BookingInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingInput {
    pub kind: BookingKind,
    #[serde(default)]
    pub title: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA name of the zone the booking was made in ("Europe/London"), for showing local times.
    pub time_zone: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub attendees: Attendees,
    #[serde(default)]
    pub listing: Option<ListingId>,
    #[serde(default)]
    pub status: BookingStatus,
    /// Minutes before the start.
    #[serde(default)]
    pub reminders: Vec<u32>,
}

impl BookingInput {
    /// Checks every field and returns the input normalised (text trimmed, attendees without
    /// repeats, reminders sorted), or every problem at once.
    pub fn validate(&self) -> Result<Valid<BookingInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = Text::line("a title", TITLE_MAX_CHARS).optional(
            &mut errors,
            "title",
            self.title.as_deref(),
        );
        if self.ends_at <= self.starts_at {
            errors.push("ends_at", "A booking must end after it starts.");
        } else if self.ends_at - self.starts_at > Duration::days(BOOKING_MAX_DAYS) {
            errors.push(
                "ends_at",
                format!("A booking can last at most {BOOKING_MAX_DAYS} days; check the dates."),
            );
        }
        let time_zone = self.time_zone.trim().to_owned();
        if let Err(message) = check_time_zone(&time_zone) {
            errors.push("time_zone", message);
        }
        let location = Text::line("a location", LOCATION_MAX_CHARS).optional(
            &mut errors,
            "location",
            self.location.as_deref(),
        );
        let attendees = Attendees {
            contacts: without_repeats(&self.attendees.contacts),
            users: without_repeats(&self.attendees.users),
        };
        check_count(
            &mut errors,
            "attendees.contacts",
            attendees.contacts.len(),
            CONTACT_ATTENDEES_MAX,
            "contacts",
        );
        check_count(
            &mut errors,
            "attendees.users",
            attendees.users.len(),
            USER_ATTENDEES_MAX,
            "team members",
        );
        let reminders = reminders(&mut errors, &self.reminders);
        errors.into_valid(BookingInput {
            title,
            time_zone,
            location,
            attendees,
            reminders,
            ..self.clone()
        })
    }
}

fn without_repeats<T: Ord + Copy>(ids: &[T]) -> Vec<T> {
    let mut seen = BTreeSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Each reminder 0..=40320 minutes before the start, no repeats, at most five; sorted.
fn reminders(errors: &mut ValidationErrors, input: &[u32]) -> Vec<u32> {
    check_count(errors, "reminders", input.len(), REMINDERS_MAX, "reminders");
    let mut seen = BTreeSet::new();
    for (i, &minutes) in input.iter().enumerate() {
        let key = format!("reminders.{i}");
        if minutes > REMINDER_MAX_MINUTES {
            errors.push(
                &key,
                format!(
                    "A reminder can be at most 28 days ({REMINDER_MAX_MINUTES} minutes) before the start."
                ),
            );
        } else if !seen.insert(minutes) {
            errors.push(&key, "This reminder is already set.");
        }
    }
    let mut sorted = input.to_vec();
    sorted.sort_unstable();
    sorted
}

/// A stored booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: BookingId,
    pub kind: BookingKind,
    pub title: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub location: Option<String>,
    pub attendees: Attendees,
    pub listing: Option<ListingId>,
    pub status: BookingStatus,
    /// Minutes before the start, ascending.
    pub reminders: Vec<u32>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Booking);

impl Booking {
    /// A new booking from a validated input. The engine mints the id and passes the time in.
    pub fn create(
        id: BookingId,
        input: Valid<BookingInput>,
        created_by: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        let input = input.into_inner();
        Booking {
            id,
            kind: input.kind,
            title: input.title,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            time_zone: input.time_zone,
            location: input.location,
            attendees: input.attendees,
            listing: input.listing,
            status: input.status,
            reminders: input.reminders,
            created_by,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the editable fields with a validated input (an edit form's submit).
    pub fn apply(&mut self, input: Valid<BookingInput>, at: DateTime<Utc>) {
        let mut next = Booking::create(self.id, input, self.created_by, self.created_at);
        next.deleted_at = self.deleted_at;
        next.updated_at = at;
        *self = next;
    }

    /// Whether the booking still takes up time in a calendar: not cancelled and not deleted.
    /// Completed and no-show bookings did take up their slot.
    pub fn occupies_time(&self) -> bool {
        self.status != BookingStatus::Cancelled && self.deleted_at.is_none()
    }

    /// Whether two bookings need the same time. Times are half-open intervals `[start, end)`, so
    /// one booking ending at 10:00 and the next starting at 10:00 do not overlap. A cancelled (or
    /// deleted) booking never overlaps anything. Whose calendars to compare is the caller's choice.
    pub fn overlaps(&self, other: &Booking) -> bool {
        self.occupies_time()
            && other.occupies_time()
            && self.starts_at < other.ends_at
            && other.starts_at < self.ends_at
    }

    /// The other bookings in `others` that overlap this one (itself excluded by id).
    pub fn conflicts<'a>(&self, others: &'a [Booking]) -> Vec<&'a Booking> {
        others
            .iter()
            .filter(|other| other.id != self.id && self.overlaps(other))
            .collect()
    }

    pub fn duration(&self) -> Duration {
        self.ends_at - self.starts_at
    }

    /// When each reminder fires, earliest first; none for a booking that is no longer scheduled.
    pub fn reminder_times(&self) -> Vec<DateTime<Utc>> {
        if self.status != BookingStatus::Scheduled || self.deleted_at.is_some() {
            return Vec::new();
        }
        let mut times: Vec<_> = self
            .reminders
            .iter()
            .map(|&minutes| self.starts_at - Duration::minutes(i64::from(minutes)))
            .collect();
        times.sort_unstable();
        times
    }
}

#[cfg(test)]
mod tests;
