//! A booking (showing, open house, meeting or call) as an Automerge document.
//!
//! Mapping decisions (DESIGN decision 1: concurrent edits must merge well):
//! - `status`, `title`, `starts_at_ms`, `ends_at_ms`, `location`... are top-level scalars:
//!   concurrent edits of different fields merge, an edit of the same field is a conflict a person
//!   resolves (see [`crate::conflict`]), e.g. one device cancelling while another completes.
//! - `attendees` is a nested map of two lists of id strings (`contacts`, `users`); autosurgeon
//!   diffs string lists by value, so concurrent additions and removals of different attendees
//!   merge instead of overwriting by position.
//! - `reminders` is a list of minutes before the start, diffed by value the same way.
//! - The booking's own kind is `booking_kind`: `kind` is the document kind, as in every document.
//! - Timestamps are i64 milliseconds (`*_ms`), ids are strings, enums their `as_str()` names.
//! - [`read`] and [`update`] check `kind` first: a document of another kind (its `schema` counts
//!   that kind's shapes, not ours) is refused as [`DocError::WrongKind`], never read or written.

use crate::util::{
    check_kind, commit, ensure_readable, millis, narrow, opt_millis, opt_parse, parse, root_doc,
};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, Reconcile};
use fieldstone_model::{Attendees, Booking};

#[cfg(test)]
mod tests;

pub const KIND: &str = "booking";
/// Shape version of booking documents written by this build.
pub const SCHEMA: u64 = 1;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/booking_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct BookingDoc {
        schema: u64,
        kind: String,
        id: String,
        booking_kind: String,
        title: Option<String>,
        starts_at_ms: i64,
        ends_at_ms: i64,
        time_zone: String,
        location: Option<String>,
        attendees: AttendeesDoc,
        listing: Option<String>,
        status: String,
        // Minutes before the start.
        reminders: Vec<u64>,
        created_by: String,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct AttendeesDoc {
    contacts: Vec<String>,
    users: Vec<String>,
}

impl BookingDoc {
    fn from_booking(b: &Booking) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: b.id.to_string(),
            booking_kind: b.kind.as_str().to_owned(),
            title: b.title.clone(),
            starts_at_ms: b.starts_at.timestamp_millis(),
            ends_at_ms: b.ends_at.timestamp_millis(),
            time_zone: b.time_zone.clone(),
            location: b.location.clone(),
            attendees: AttendeesDoc {
                contacts: b.attendees.contacts.iter().map(|c| c.to_string()).collect(),
                users: b.attendees.users.iter().map(|u| u.to_string()).collect(),
            },
            listing: b.listing.map(|l| l.to_string()),
            status: b.status.as_str().to_owned(),
            reminders: b.reminders.iter().copied().map(u64::from).collect(),
            created_by: b.created_by.to_string(),
            created_at_ms: b.created_at.timestamp_millis(),
            updated_at_ms: b.updated_at.timestamp_millis(),
            deleted_at_ms: b.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_booking(self) -> Result<Booking, DocError> {
        check_kind(KIND, self.kind)?;
        let a = self.attendees;
        let booking = Booking {
            id: parse("id", &self.id)?,
            kind: parse("booking_kind", &self.booking_kind)?,
            title: self.title,
            starts_at: millis("starts_at_ms", self.starts_at_ms)?,
            ends_at: millis("ends_at_ms", self.ends_at_ms)?,
            time_zone: self.time_zone,
            location: self.location,
            attendees: Attendees {
                contacts: a
                    .contacts
                    .iter()
                    .map(|c| parse("attendees.contacts", c))
                    .collect::<Result<_, _>>()?,
                users: a
                    .users
                    .iter()
                    .map(|u| parse("attendees.users", u))
                    .collect::<Result<_, _>>()?,
            },
            listing: opt_parse("listing", self.listing.as_deref())?,
            status: parse("status", &self.status)?,
            reminders: self
                .reminders
                .into_iter()
                .map(|m| narrow("reminders", m))
                .collect::<Result<_, _>>()?,
            created_by: parse("created_by", &self.created_by)?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        };
        Ok(settled(booking))
    }
}

/// Two devices adding the same attendee or reminder at once leave it twice in the merged lists;
/// the model's rule is one of each (attendees in the order first added, reminders sorted), so a
/// read settles the merge that way. The next write stores the settled lists.
fn settled(mut b: Booking) -> Booking {
    fn first_of_each<T: PartialEq + Copy>(items: &mut Vec<T>) {
        let mut seen: Vec<T> = Vec::with_capacity(items.len());
        items.retain(|item| {
            let new = !seen.contains(item);
            if new {
                seen.push(*item);
            }
            new
        });
    }
    first_of_each(&mut b.attendees.contacts);
    first_of_each(&mut b.attendees.users);
    b.reminders.sort_unstable();
    b.reminders.dedup();
    b
}

/// Creates the document for a new booking, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, booking: &Booking) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, BookingDoc::from_booking(booking))?;
    let change = commit(&mut doc, booking.updated_at, "create booking")
        .ok_or_else(|| DocError::InvalidValue("creating a booking produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `booking` into an existing document, touching only what differs. Returns the change,
/// or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, booking: &Booking) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, BookingDoc::from_booking(booking))?;
    Ok(commit(doc, booking.updated_at, "update booking"))
}

/// Reads the booking held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Booking, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    BookingDoc::hydrate_root(doc)?.into_booking()
}
