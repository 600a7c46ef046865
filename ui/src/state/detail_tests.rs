//! The contact screen's reducer: generations, composer submits, overlaps, conflicts.

use super::*;
use crate::state::contacts::tests::contact_id;
use chrono::TimeZone;
use fieldstone_model::{
    BookingId, BookingKind, BookingStatus, Contact, ContactInput, FieldError, UserId,
};
use fieldstone_protocol::views::ConflictOption;

fn start() -> Rc<DetailState> {
    Rc::new(DetailState::new(
        contact_id(1),
        NaiveDate::from_ymd_opt(2026, 11, 3).expect("date"),
        8,
    ))
}

fn reduce_all(actions: impl IntoIterator<Item = DetailAction>) -> Rc<DetailState> {
    actions
        .into_iter()
        .fold(start(), |state, action| state.reduce(action))
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, hour, 0, 0)
        .single()
        .expect("time")
}

fn here() -> Here {
    Here {
        now: at(9),
        local: Local::UTC,
        time_zone: "UTC".into(),
    }
}

fn detail(conflicts: Vec<FieldConflict>) -> Box<ContactDetail> {
    let owner: UserId = "00000000-0000-4000-9000-000000000001".parse().expect("id");
    let input = ContactInput {
        given_name: "Ada".into(),
        ..ContactInput::default()
    }
    .validate()
    .expect("valid");
    Box::new(ContactDetail {
        contact: Contact::create(contact_id(1), input, owner, at(8)),
        conflicts,
        next_task: None,
        score: None,
        follow_ups_open: 0,
    })
}

fn stage_conflict() -> FieldConflict {
    FieldConflict {
        field: "stage".into(),
        options: vec![
            ConflictOption {
                display: "offer".into(),
                choice: "a".into(),
            },
            ConflictOption {
                display: "showing".into(),
                choice: "b".into(),
            },
        ],
    }
}

fn booking(hour: u32) -> BookingSummary {
    BookingSummary {
        id: "00000000-0000-4000-8000-0000000000b1"
            .parse::<BookingId>()
            .expect("id"),
        kind: BookingKind::Showing,
        title: Some("Elm St".into()),
        starts_at: at(hour),
        ends_at: at(hour + 1),
        time_zone: "UTC".into(),
        location: None,
        listing: None,
        status: BookingStatus::Scheduled,
        deleted_at: None,
        with: Vec::new(),
        listing_address: None,
    }
}

#[test]
fn the_contact_loads_and_stale_answers_are_dropped() {
    let state = reduce_all([DetailAction::Reload]);
    assert_eq!(state.request, 2);
    let stale = Rc::clone(&state).reduce(DetailAction::Loaded {
        request: 1,
        detail: detail(vec![]),
    });
    assert!(Rc::ptr_eq(&state, &stale));
    let state = state.reduce(DetailAction::Loaded {
        request: 2,
        detail: detail(vec![]),
    });
    assert_eq!(state.view, ListView::Loaded);
    assert!(state.detail.is_some());
}

#[test]
fn a_missing_contact_says_so() {
    let state = reduce_all([DetailAction::LoadFailed {
        request: 1,
        error: CommandError::new(CommandErrorCode::NotFound, "No such contact."),
    }]);
    assert!(state.missing);
    assert_eq!(state.view, ListView::Failed("No such contact.".into()));
}

#[test]
fn a_note_is_sent_once_then_cleared_and_the_timeline_reloads() {
    let state = reduce_all([
        DetailAction::ComposerSet("body".into(), "Loves the garden".into(), Local::UTC),
        DetailAction::Submit(here()),
    ]);
    let run = state.run.clone().expect("a run");
    assert!(matches!(&run.input, ComposerInput::Note(note) if note.body == "Loves the garden"));
    let again = Rc::clone(&state).reduce(DetailAction::Submit(here()));
    assert!(Rc::ptr_eq(&state, &again), "one submit at a time");
    let state = state.reduce(DetailAction::Composed(Ok(Composed::Note)));
    assert_eq!(state.composer.body, "");
    assert_eq!(state.message.as_deref(), Some("Note added."));
    assert_eq!(state.request, 2, "reloaded");
    assert_eq!(state.run, None);
}

#[test]
fn the_engines_refusal_lands_next_to_the_composer_input() {
    let state = reduce_all([
        DetailAction::Submit(here()),
        DetailAction::Composed(Err(CommandError {
            code: CommandErrorCode::Validation,
            message: "Check the note.".into(),
            fields: vec![FieldError {
                field: "body".into(),
                message: "Enter a note.".into(),
            }],
            detail: None,
        })),
    ]);
    assert_eq!(state.composer_errors.get("body"), Some("Enter a note."));
    assert_eq!(state.composer_errors.banner, None);
    let state = state.reduce(DetailAction::ComposerSet(
        "body".into(),
        "x".into(),
        Local::UTC,
    ));
    assert_eq!(state.composer_errors.get("body"), None);
}

#[test]
fn a_booking_being_written_is_checked_for_overlaps_and_old_checks_are_dropped() {
    let state = reduce_all([
        DetailAction::Compose(ComposerKind::Booking, Local::UTC),
        DetailAction::ComposerSet("time".into(), "10:00".into(), Local::UTC),
    ]);
    let (first, check) = state.overlap_check.expect("a check");
    assert_eq!(first, 2, "checked when the booking form opened, then again");
    assert_eq!(check.starts_at, at(10));
    assert_eq!(check.ends_at, at(11));
    let state = state.reduce(DetailAction::ComposerSet(
        "length".into(),
        "90".into(),
        Local::UTC,
    ));
    let (second, _) = state.overlap_check.expect("a check");
    let stale = Rc::clone(&state).reduce(DetailAction::Overlaps {
        seq: first,
        bookings: Ok(vec![booking(10)]),
    });
    assert!(Rc::ptr_eq(&state, &stale));
    let state = state.reduce(DetailAction::Overlaps {
        seq: second,
        bookings: Ok(vec![booking(10)]),
    });
    assert_eq!(state.overlaps.len(), 1);

    let state = state.reduce(DetailAction::Submit(here()));
    assert!(matches!(
        state.run.as_ref().map(|r| &r.input),
        Some(ComposerInput::Booking(_))
    ));
    let state = state.reduce(DetailAction::Composed(Ok(Composed::Booking(vec![
        booking(10),
    ]))));
    assert!(
        state.overlaps.is_empty(),
        "one message, not the live warning as well"
    );
    assert!(state.message_warns);
    assert!(state
        .message
        .as_deref()
        .is_some_and(|m| m.starts_with("Booked — it overlaps another booking (")));
}

#[test]
fn an_overlap_check_that_fails_says_so_above_the_composer() {
    let state = reduce_all([
        DetailAction::Compose(ComposerKind::Booking, Local::UTC),
        DetailAction::ComposerSet("time".into(), "10:00".into(), Local::UTC),
    ]);
    let seq = state.overlap_check.as_ref().map(|(s, _)| *s).expect("seq");
    let state = state.reduce(DetailAction::Overlaps {
        seq,
        bookings: Err("The calendar is busy.".into()),
    });
    assert!(state.overlaps.is_empty());
    assert_eq!(
        state.composer_errors.banner.as_deref(),
        Some("Couldn't check for overlapping bookings: The calendar is busy.")
    );
}

#[test]
fn an_unreadable_booking_time_clears_the_warning() {
    let state = reduce_all([
        DetailAction::Compose(ComposerKind::Booking, Local::UTC),
        DetailAction::ComposerSet("time".into(), "10:00".into(), Local::UTC),
    ]);
    let seq = state.overlap_check.as_ref().map(|(s, _)| *s).expect("seq");
    let state = state.reduce(DetailAction::Overlaps {
        seq,
        bookings: Ok(vec![booking(10)]),
    });
    let state = state.reduce(DetailAction::ComposerSet(
        "time".into(),
        "later".into(),
        Local::UTC,
    ));
    assert!(state.overlaps.is_empty());
    assert_eq!(state.overlap_check, None);
}

#[test]
fn a_conflict_is_chosen_in_its_dialog() {
    let state = reduce_all([
        DetailAction::Loaded {
            request: 1,
            detail: detail(vec![stage_conflict()]),
        },
        DetailAction::OpenConflict("stage".into()),
    ]);
    assert_eq!(state.open_conflict().map(|c| c.options.len()), Some(2));
    let state = state.reduce(DetailAction::Resolve("b".into()));
    assert_eq!(
        state.resolving,
        Some((1, "stage".to_owned(), "b".to_owned()))
    );
    let twice = Rc::clone(&state).reduce(DetailAction::Resolve("a".into()));
    assert!(Rc::ptr_eq(&state, &twice));
    let state = state.reduce(DetailAction::Resolved(Ok(vec![])));
    assert!(state.conflicts().is_empty());
    assert_eq!(state.conflict_open, None);
    assert_eq!(state.request, 2);

    let failed = reduce_all([
        DetailAction::Loaded {
            request: 1,
            detail: detail(vec![stage_conflict()]),
        },
        DetailAction::OpenConflict("stage".into()),
        DetailAction::Resolve("a".into()),
        DetailAction::Resolved(Err("The disk is full.".into())),
    ]);
    assert_eq!(failed.conflict_error.as_deref(), Some("The disk is full."));
    assert!(failed.open_conflict().is_some(), "the dialog stays open");
}

#[test]
fn a_conflict_settled_elsewhere_closes_its_dialog() {
    let state = reduce_all([
        DetailAction::Loaded {
            request: 1,
            detail: detail(vec![stage_conflict()]),
        },
        DetailAction::OpenConflict("stage".into()),
        DetailAction::Reload,
        DetailAction::Loaded {
            request: 2,
            detail: detail(vec![]),
        },
    ]);
    assert_eq!(state.conflict_open, None);
}
