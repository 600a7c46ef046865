use super::*;
use crate::conflict::{conflicts, resolve};
use crate::test_support::samples::{booking, minimal_booking as minimal};
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused, at,
    booking_kind as kind, contact_id as contact, merged, user,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::BookingStatus;

#[test]
fn booking_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &booking());
}

#[test]
fn a_minimal_booking_round_trips() {
    assert_round_trips(&kind(), &minimal());
}

#[test]
fn the_booking_kind_does_not_clash_with_the_document_kind() {
    let (doc, _) = create(actor(1), &booking()).expect("create");
    let get = |field: &str| {
        doc.get(automerge::ROOT, field)
            .expect("get")
            .and_then(|(v, _)| v.into_string().ok())
    };
    assert_eq!(get("kind").as_deref(), Some("booking"));
    assert_eq!(get("booking_kind").as_deref(), Some("showing"));
}

#[test]
fn update_writes_only_when_something_differs() {
    let mut b = booking();
    let (mut doc, _) = create(actor(1), &b).expect("create");
    assert!(update(&mut doc, &b).expect("update").is_none());
    b.status = BookingStatus::Cancelled;
    let change = update(&mut doc, &b).expect("update").expect("a change");
    assert_eq!(change.len(), 1, "only the status was written");
    assert_eq!(read(&doc).expect("read"), b);
    assert!(update(&mut doc, &b).expect("update").is_none());
}

#[test]
fn concurrent_attendee_and_reminder_edits_all_survive() {
    let doc = merged(
        &kind(),
        &booking(),
        |b| {
            b.attendees.contacts.push(contact(9));
            b.reminders.push(2_880);
        },
        |b| {
            b.attendees.contacts.retain(|c| *c != contact(8));
            b.attendees.users.push(user(2));
            b.reminders.retain(|m| *m != 60);
        },
    );
    let b = read(&doc).expect("read");
    assert_eq!(b.attendees.contacts, [contact(7), contact(9)]);
    assert_eq!(b.attendees.users, [user(1), user(2)]);
    assert_eq!(b.reminders, [15, 1_440, 2_880]);
}

#[test]
fn the_same_attendee_or_reminder_added_on_two_devices_is_kept_once() {
    let doc = merged(
        &kind(),
        &booking(),
        |b| {
            b.attendees.contacts.push(contact(9));
            b.reminders.push(30);
        },
        |b| {
            b.attendees.contacts.push(contact(9));
            b.reminders.push(30);
        },
    );
    let b = read(&doc).expect("read");
    assert_eq!(
        b.attendees
            .contacts
            .iter()
            .filter(|c| **c == contact(9))
            .count(),
        1
    );
    let mut sorted = b.reminders.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(b.reminders, sorted, "one of each, in order");
    assert!(b.reminders.contains(&30));
}

#[test]
fn concurrent_status_changes_are_a_conflict_until_resolved() {
    let mut doc = merged(
        &kind(),
        &booking(),
        |b| b.status = BookingStatus::Completed,
        |b| b.status = BookingStatus::NoShow,
    );
    let values = conflicts(&doc, "status").expect("conflicts");
    let mut shown: Vec<_> = values.iter().map(|c| c.display.as_str()).collect();
    shown.sort_unstable();
    assert_eq!(shown, ["completed", "no_show"]);
    let chosen = values
        .iter()
        .find(|c| c.display == "no_show")
        .expect("present");
    resolve(&mut doc, "status", chosen).expect("resolve");
    assert_eq!(conflicts(&doc, "status").expect("conflicts").len(), 1);
    assert_eq!(read(&doc).expect("read").status, BookingStatus::NoShow);
}

#[test]
fn a_moved_start_is_a_conflict_on_starts_at_ms() {
    let doc = merged(
        &kind(),
        &booking(),
        |b| b.starts_at = at(90_000_000),
        |b| b.starts_at = at(80_000_000),
    );
    assert_eq!(conflicts(&doc, "starts_at_ms").expect("conflicts").len(), 2);
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &booking());
}

#[test]
fn a_document_of_another_kind_is_refused() {
    assert_wrong_kind_refused(&kind(), &booking());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &booking()).expect("create");
    doc.put(automerge::ROOT, "booking_kind", "party")
        .expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("booking_kind") && m.contains("party"))
    );
    let (mut doc, _) = create(actor(1), &booking()).expect("create");
    let (_, reminders) = doc
        .get(automerge::ROOT, "reminders")
        .expect("get")
        .expect("present");
    doc.put(&reminders, 0, u64::from(u32::MAX) + 1)
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("reminders")));
    let (mut doc, _) = create(actor(1), &booking()).expect("create");
    let (_, attendees) = doc
        .get(automerge::ROOT, "attendees")
        .expect("get")
        .expect("present");
    let (_, users) = doc.get(&attendees, "users").expect("get").expect("present");
    doc.put(&users, 0, "nobody").expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("attendees.users")));
}
