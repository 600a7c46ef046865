//! Fixtures shared by the engine's integration tests.
#![allow(dead_code)] // each test file uses a different part

pub mod remote;

use chrono::{DateTime, Duration, Utc};
use fieldstone_model::{
    Address, Attendees, BookingInput, BookingKind, BookingStatus, Channel, ContactId, ContactInput,
    Direction, EmailEntry, FixedClock, InteractionInput, ListingInput, ListingStatus, NoteInput,
    PhoneEntry, PropertyType, RecordRef, TaskInput, UserId, Visibility,
};
use fieldstone_protocol::DocUpdate;
use fieldstone_replica::{ContactQuery, ContactSummary, Replica};
use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use std::path::Path;
use std::sync::Arc;

/// The tests' start time. Not on a whole second, so a time that lost its milliseconds between a
/// write and a read shows.
pub const T0_MS: i64 = 1_763_700_000_123;

pub fn t(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(T0_MS).expect("time") + Duration::minutes(minutes)
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(t(0)))
}

pub fn open(path: &Path, clock: &Arc<FixedClock>) -> Replica {
    Replica::open(path, clock.clone()).expect("open")
}

pub fn user() -> UserId {
    "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("user id")
}

pub fn email(address: &str) -> EmailEntry {
    EmailEntry {
        address: address.into(),
        label: Default::default(),
        primary: false,
    }
}

pub fn phone(number: &str) -> PhoneEntry {
    PhoneEntry {
        number: number.into(),
        label: Default::default(),
        primary: false,
    }
}

/// A contact with a name and an email made from it.
pub fn person(given: &str, family: &str) -> ContactInput {
    ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![EmailEntry {
            primary: true,
            ..email(&format!(
                "{}.{}@example.com",
                given.to_lowercase(),
                family.to_lowercase()
            ))
        }],
        ..Default::default()
    }
}

/// The first page of 50 contacts, newest first.
pub fn query() -> ContactQuery {
    ContactQuery {
        limit: 50,
        ..Default::default()
    }
}

pub fn display_names(items: &[ContactSummary]) -> Vec<String> {
    items.iter().map(|c| c.display_name.clone()).collect()
}

/// The names the first page of a search for `text` shows.
pub fn search(replica: &Replica, text: &str) -> Vec<String> {
    let page = replica
        .list_contacts(&ContactQuery {
            search: Some(text.into()),
            ..query()
        })
        .expect("search");
    display_names(&page.items)
}

pub fn with_phone(mut input: ContactInput, number: &str) -> ContactInput {
    input.phones.push(PhoneEntry {
        number: number.into(),
        label: Default::default(),
        primary: input.phones.is_empty(),
    });
    input
}

pub fn note(contact: ContactId, body: &str) -> NoteInput {
    NoteInput {
        record: RecordRef::Contact(contact),
        body: body.into(),
        pinned: false,
    }
}

pub fn call(contact: ContactId, at: DateTime<Utc>, summary: &str) -> InteractionInput {
    InteractionInput {
        contact,
        listing: None,
        channel: Channel::Call,
        direction: Direction::Outbound,
        summary: summary.into(),
        outcome: Some("left voicemail".into()),
        duration_seconds: Some(90),
        occurred_at: at,
    }
}

pub fn showing(contacts: Vec<ContactId>, starts: DateTime<Utc>, minutes: i64) -> BookingInput {
    BookingInput {
        kind: BookingKind::Showing,
        title: Some("Showing".into()),
        starts_at: starts,
        ends_at: starts + Duration::minutes(minutes),
        time_zone: "Europe/London".into(),
        location: Some("12 Elm St".into()),
        attendees: Attendees {
            contacts,
            users: vec![user()],
        },
        listing: None,
        status: BookingStatus::Scheduled,
        reminders: vec![30],
    }
}

pub fn listing(line1: &str, city: &str, price: u64) -> ListingInput {
    ListingInput {
        address: Address {
            line1: line1.into(),
            line2: None,
            city: city.into(),
            region: None,
            postal_code: Some("NW1 8AB".into()),
            country: "GB".into(),
            latitude: Some(51.5),
            longitude: Some(-0.14),
        },
        price,
        currency: "GBP".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: "Bright house with a garden".into(),
        features: vec!["garden".into()],
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: Some("MLS-42".into()),
    }
}

pub fn task(title: &str, due: Option<DateTime<Utc>>, record: Option<RecordRef>) -> TaskInput {
    TaskInput {
        title: title.into(),
        due_at: due,
        priority: Default::default(),
        status: Default::default(),
        kind: Default::default(),
        record,
    }
}

/// A property test's configuration: `default_cases` cases unless `PROPTEST_CASES` says otherwise,
/// failures kept in `proptest-regressions/<file>` (replayed first on every run).
pub fn proptest_config(file: &'static str, default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

/// Sends everything in `from`'s outbox to `to`, as the server's feed would (repeats are fine:
/// the engine skips changes it has).
pub fn deliver(from: &Replica, to: &Replica) {
    let (docs, _) = from.outbox_batch(100_000, usize::MAX).expect("outbox");
    let entries: Vec<DocUpdate> = docs
        .into_iter()
        .map(|d| DocUpdate {
            doc_id: d.doc_id,
            snapshot: None,
            changes: d.changes,
        })
        .collect();
    to.apply_remote(&entries, None).expect("apply");
}
