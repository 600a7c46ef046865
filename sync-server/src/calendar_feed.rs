//! Each person's calendar feed (issue 17): a secret address Google, Apple and Outlook calendars
//! subscribe to, answering an RFC 5545 calendar of the person's bookings and the open houses at
//! their listings.
//!
//! Nothing secret is stored. The address carries a token signed with the server's key that
//! names the organisation, the person and a generation; the person's preferences document
//! (theirs alone to write, synced like any record) holds the generation that is live under
//! `calendar_feed` (absent or 0: off). Making a new link is writing the next generation, from
//! any device, offline too: once synced, the old address answers 404.
//!
//! Times are written in UTC (`DTSTART:20261207T100000Z`): valid everywhere without a
//! `VTIMEZONE` for each zone, and every calendar shows them in its own zone.

use crate::store::StoreError;
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::{Booking, BookingStatus, ContactId, Listing, OrgId, UserId};
use fieldstone_protocol::{DocId, Scope};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use std::collections::HashMap;

/// The preference holding the live generation.
pub const CALENDAR_FEED_PREF: &str = "calendar_feed";
/// How far back and ahead the feed reaches.
const PAST_DAYS: i64 = 90;
const AHEAD_DAYS: i64 = 400;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
}

/// The generation of `user`'s feed that is live (0: off).
pub fn generation(state: &AppState, org: OrgId, user: UserId) -> Result<u32, FeedError> {
    let prefs = DocId::new(fieldstone_doc::prefs::KIND, user)
        .map_err(|e| FeedError::Invalid(e.to_string()))?;
    let Some(stored) = state.store.load_doc(org, &prefs)? else {
        return Ok(0);
    };
    Ok(crate::sync::guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::prefs::read(&doc).ok())
        .and_then(|entries| {
            entries
                .get(CALENDAR_FEED_PREF)
                .and_then(|json| serde_json::from_str::<u32>(json).ok())
        })
        .unwrap_or(0))
}

/// The saved documents of `kind` that `scopes` read.
fn docs_of(
    state: &AppState,
    org: OrgId,
    scopes: &[Scope],
    kind: &str,
) -> Result<Vec<automerge::AutoCommit>, FeedError> {
    let ids = crate::store::doc_ids_of_kind(state.store.as_ref(), org, scopes, kind)?;
    let mut docs = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(stored) = state.store.load_doc(org, &id)? {
            if let Ok(doc) = crate::sync::guard::load(&stored.bytes) {
                docs.push(doc);
            }
        }
    }
    Ok(docs)
}

/// `user`'s feed at `now`: their bookings (made by them or with them) and the open houses at
/// their listings, from 90 days ago on.
pub fn feed(
    state: &AppState,
    org: OrgId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<String, FeedError> {
    let store = state.store.as_ref();
    let Some(row) = store.user(org, user)? else {
        return Err(FeedError::Invalid("no such person".into()));
    };
    let scopes: Vec<Scope> = state
        .access
        .for_user(store, org, user, row.role)?
        .readable
        .iter()
        .copied()
        .collect();
    let (from, to) = (
        now - Duration::days(PAST_DAYS),
        now + Duration::days(AHEAD_DAYS),
    );
    let bookings: Vec<Booking> = docs_of(state, org, &scopes, fieldstone_doc::booking::KIND)?
        .iter()
        .filter_map(|d| fieldstone_doc::booking::read(d).ok())
        .filter(|b| b.deleted_at.is_none())
        .filter(|b| b.created_by == user || b.attendees.users.contains(&user))
        .filter(|b| b.ends_at >= from && b.starts_at <= to)
        .collect();
    let listings: HashMap<_, Listing> =
        docs_of(state, org, &scopes, fieldstone_doc::listing::KIND)?
            .iter()
            .filter_map(|d| fieldstone_doc::listing::read(d).ok())
            .filter(|l| l.deleted_at.is_none())
            .map(|l| (l.id, l))
            .collect();
    let names = contact_names(state, org, &scopes, &bookings)?;

    let mut calendar = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//Fieldstone//Agent calendar//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
    ] {
        calendar.append_property(Property::new(key, value));
    }
    calendar.append_property(Property::new(
        "X-WR-CALNAME",
        format!("Fieldstone: {}", row.display_name),
    ));
    // Calendars look again about hourly.
    calendar.append_property(
        Property::new("REFRESH-INTERVAL", "PT1H")
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    calendar.append_property(Property::new("X-PUBLISHED-TTL", "PT1H"));

    for b in &bookings {
        let with: Vec<&str> = b
            .attendees
            .contacts
            .iter()
            .filter_map(|c| names.get(c).map(String::as_str))
            .collect();
        let summary = match (&b.title, with.is_empty()) {
            (Some(title), _) => title.clone(),
            (None, false) => format!("{} with {}", b.kind.label(), with.join(", ")),
            (None, true) => b.kind.label().to_owned(),
        };
        let location = b.location.clone().or_else(|| {
            b.listing
                .and_then(|l| listings.get(&l))
                .map(|l| l.address.one_line())
        });
        let mut event = Event::new();
        event
            .uid(&format!("booking-{}@fieldstone", b.id))
            .timestamp(now)
            .starts(b.starts_at)
            .ends(b.ends_at)
            .summary(&summary)
            .add_property(
                "LAST-MODIFIED",
                b.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
            )
            .status(if b.status == BookingStatus::Cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        if !with.is_empty() {
            event.description(&format!("{}: {}", b.kind.label(), with.join(", ")));
        }
        if let Some(location) = location {
            event.location(&location);
        }
        calendar.push(event.done());
    }
    for listing in listings.values().filter(|l| l.owner == user) {
        for open in listing
            .open_houses
            .iter()
            .filter(|o| o.ends_at >= from && o.starts_at <= to)
        {
            let address = listing.address.one_line();
            let mut event = Event::new();
            event
                .uid(&format!(
                    "open-house-{}-{}@fieldstone",
                    listing.id,
                    open.starts_at.timestamp()
                ))
                .timestamp(now)
                .starts(open.starts_at)
                .ends(open.ends_at)
                .summary(&format!("Open house: {}", listing.address.line1))
                .location(&address)
                .status(EventStatus::Confirmed);
            calendar.push(event.done());
        }
    }
    Ok(calendar.done().to_string())
}

/// The display names of the contacts the bookings are with (those the person reads).
fn contact_names(
    state: &AppState,
    org: OrgId,
    scopes: &[Scope],
    bookings: &[Booking],
) -> Result<HashMap<ContactId, String>, FeedError> {
    let mut names = HashMap::new();
    for contact in bookings.iter().flat_map(|b| b.attendees.contacts.iter()) {
        if names.contains_key(contact) {
            continue;
        }
        let id = DocId::new(fieldstone_doc::contact::KIND, contact)
            .map_err(|e| FeedError::Invalid(e.to_string()))?;
        let Some(stored) = state.store.load_doc(org, &id)? else {
            continue;
        };
        // Only a contact the person may read is named.
        if !stored.scopes.iter().any(|s| scopes.contains(s)) {
            continue;
        }
        if let Some(c) = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|d| fieldstone_doc::contact::read(&d).ok())
            .filter(|c| c.deleted_at.is_none())
        {
            names.insert(*contact, c.display_name());
        }
    }
    Ok(names)
}
