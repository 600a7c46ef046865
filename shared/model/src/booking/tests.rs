use super::*;
use crate::choice::assert_choice_names;
use crate::common::SoftDelete;
use crate::test_support::{assert_json_round_trip, at, user, uuid};

fn input() -> BookingInput {
    BookingInput {
        kind: BookingKind::Showing,
        title: Some(" Showing: 12 Elm St ".into()),
        starts_at: at(2025, 5, 6, 10, 0),
        ends_at: at(2025, 5, 6, 11, 0),
        time_zone: " America/Chicago ".into(),
        location: Some("12 Elm Street".into()),
        attendees: Attendees {
            contacts: vec![ContactId::from_uuid(uuid(1)), ContactId::from_uuid(uuid(1))],
            users: vec![user(1)],
        },
        listing: Some(ListingId::from_uuid(uuid(5))),
        status: BookingStatus::Scheduled,
        reminders: vec![60, 1440, 0],
    }
}

fn fields(input: &BookingInput) -> Vec<String> {
    let errors = input.validate().expect_err("invalid");
    errors.0.into_iter().map(|e| e.field).collect()
}

fn booking(n: u128, start: (u32, u32), end: (u32, u32)) -> Booking {
    let valid = BookingInput {
        starts_at: at(2025, 5, 6, start.0, start.1),
        ends_at: at(2025, 5, 6, end.0, end.1),
        ..input()
    }
    .validate()
    .expect("valid");
    Booking::create(
        BookingId::from_uuid(uuid(n)),
        valid,
        user(1),
        at(2025, 5, 1, 0, 0),
    )
}

#[test]
fn choices_are_consistent() {
    assert_choice_names::<BookingKind>();
    assert_choice_names::<BookingStatus>();
    assert_eq!(BookingStatus::NoShow.as_str(), "no_show");
}

#[test]
fn a_booking_is_normalised() {
    let valid = input().validate().expect("valid");
    assert_eq!(valid.title.as_deref(), Some("Showing: 12 Elm St"));
    assert_eq!(valid.time_zone, "America/Chicago");
    assert_eq!(valid.attendees.contacts, [ContactId::from_uuid(uuid(1))]);
    assert_eq!(valid.reminders, [0, 60, 1440]);
}

#[test]
fn end_must_be_after_start() {
    let mut bad = input();
    bad.ends_at = bad.starts_at;
    assert_eq!(fields(&bad), ["ends_at"]);
    bad.ends_at = at(2025, 5, 6, 9, 0);
    assert_eq!(fields(&bad), ["ends_at"]);
}

#[test]
fn a_booking_lasts_at_most_a_week() {
    let mut long = input();
    long.ends_at = long.starts_at + Duration::days(BOOKING_MAX_DAYS);
    assert!(long.validate().is_ok());
    long.ends_at += Duration::minutes(1);
    assert_eq!(fields(&long), ["ends_at"]);
}

#[test]
fn time_zone_is_checked() {
    let mut bad = input();
    bad.time_zone = "  ".into();
    assert_eq!(fields(&bad), ["time_zone"]);
    bad.time_zone = "GMT+05:00".into();
    assert_eq!(fields(&bad), ["time_zone"]);
}

#[test]
fn text_and_attendee_limits() {
    let mut bad = input();
    bad.title = Some("t".repeat(TITLE_MAX_CHARS + 1));
    bad.location = Some("l".repeat(LOCATION_MAX_CHARS + 1));
    bad.attendees.contacts = (0..=CONTACT_ATTENDEES_MAX as u128)
        .map(|n| ContactId::from_uuid(uuid(n)))
        .collect();
    bad.attendees.users = (0..=USER_ATTENDEES_MAX as u128).map(user).collect();
    assert_eq!(
        fields(&bad),
        ["title", "location", "attendees.contacts", "attendees.users"]
    );
}

#[test]
fn reminder_rules() {
    let mut ok = input();
    ok.reminders = vec![0, REMINDER_MAX_MINUTES];
    assert!(ok.validate().is_ok());
    let mut bad = input();
    bad.reminders = vec![15, REMINDER_MAX_MINUTES + 1, 15];
    assert_eq!(fields(&bad), ["reminders.1", "reminders.2"]);
    let mut many = input();
    many.reminders = vec![1, 2, 3, 4, 5, 6];
    assert_eq!(fields(&many), ["reminders"]);
    many.reminders.pop();
    assert!(many.validate().is_ok());
}

#[test]
fn overlapping_bookings_overlap_both_ways() {
    let a = booking(1, (10, 0), (11, 0));
    let b = booking(2, (10, 30), (11, 30));
    let inside = booking(3, (10, 15), (10, 45));
    assert!(a.overlaps(&b) && b.overlaps(&a));
    assert!(a.overlaps(&inside) && inside.overlaps(&a));
    assert!(a.overlaps(&a.clone()));
}

#[test]
fn touching_intervals_do_not_overlap() {
    let a = booking(1, (10, 0), (11, 0));
    let next = booking(2, (11, 0), (12, 0));
    let before = booking(3, (9, 0), (10, 0));
    assert!(!a.overlaps(&next) && !next.overlaps(&a));
    assert!(!a.overlaps(&before) && !before.overlaps(&a));
}

#[test]
fn cancelled_bookings_never_overlap() {
    let a = booking(1, (10, 0), (11, 0));
    let mut cancelled = booking(2, (10, 0), (11, 0));
    cancelled.status = BookingStatus::Cancelled;
    assert!(!a.overlaps(&cancelled) && !cancelled.overlaps(&a));
    assert!(!cancelled.overlaps(&cancelled.clone()));
    let mut done = booking(3, (10, 0), (11, 0));
    done.status = BookingStatus::Completed;
    assert!(a.overlaps(&done), "a completed booking did use its slot");
    let mut deleted = booking(4, (10, 0), (11, 0));
    deleted.soft_delete(at(2025, 5, 2, 0, 0));
    assert!(!a.overlaps(&deleted));
}

#[test]
fn conflicts_exclude_itself() {
    let a = booking(1, (10, 0), (11, 0));
    let others = [
        a.clone(),
        booking(2, (10, 30), (11, 30)),
        booking(3, (11, 0), (12, 0)),
    ];
    let ids: Vec<_> = a.conflicts(&others).iter().map(|b| b.id).collect();
    assert_eq!(ids, [BookingId::from_uuid(uuid(2))]);
}

#[test]
fn reminders_fire_before_the_start_while_scheduled() {
    let mut b = booking(1, (10, 0), (11, 0));
    assert_eq!(b.duration(), Duration::hours(1));
    assert_eq!(
        b.reminder_times(),
        [
            at(2025, 5, 5, 10, 0),
            at(2025, 5, 6, 9, 0),
            at(2025, 5, 6, 10, 0)
        ]
    );
    b.status = BookingStatus::Cancelled;
    assert!(b.reminder_times().is_empty());
}

#[test]
fn apply_keeps_identity() {
    let mut b = booking(1, (10, 0), (11, 0));
    let mut edit = input();
    edit.status = BookingStatus::NoShow;
    b.apply(edit.validate().expect("valid"), at(2025, 5, 6, 12, 0));
    assert_eq!(b.status, BookingStatus::NoShow);
    assert_eq!(b.id, BookingId::from_uuid(uuid(1)));
    assert_eq!(b.created_at, at(2025, 5, 1, 0, 0));
    assert_eq!(b.updated_at, at(2025, 5, 6, 12, 0));
}

#[test]
fn bookings_round_trip_through_json() {
    assert_json_round_trip(&booking(1, (10, 0), (11, 0)));
    assert_json_round_trip(&input());
}
