//! The calendar reducer: windows, navigation, the editor and its overlap warning.

use super::*;
use chrono::TimeZone;
use fieldstone_model::{Attendees, BookingInput, BookingKind, UserId};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .expect("time")
}

fn booking(n: u32, day: u32, hour: u32, minutes: i64) -> BookingSummary {
    BookingSummary {
        id: format!("00000000-0000-4000-8000-{n:012}")
            .parse()
            .expect("id"),
        kind: BookingKind::Showing,
        title: Some(format!("Showing {n}")),
        starts_at: at(day, hour, 0),
        ends_at: at(day, hour, 0) + Duration::minutes(minutes),
        time_zone: "UTC".into(),
        location: None,
        listing: None,
        status: BookingStatus::Scheduled,
        deleted_at: None,
        with: Vec::new(),
        listing_address: None,
    }
}

/// Wednesday 4 November 2026, 09:00 UTC.
fn start() -> Rc<CalendarState> {
    Rc::new(CalendarState::new(at(4, 9, 0), Local::UTC))
}

fn here() -> Here {
    Here {
        now: at(4, 9, 0),
        local: Local::UTC,
        time_zone: "UTC".into(),
    }
}

#[test]
fn a_week_runs_monday_to_sunday_on_the_local_clock() {
    let state = CalendarState::new(at(4, 9, 0), Local { offset_minutes: 60 });
    let days = state.days();
    assert_eq!(days.len(), 7);
    assert_eq!(days[0], NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"));
    let window = state.window();
    assert_eq!(window.from, at(1, 23, 0), "local midnight in UTC");
    assert_eq!(window.to, at(8, 23, 0));
    assert_eq!(state.title(), "2 – 8 November 2026");
}

#[test]
fn navigation_moves_by_the_view_and_asks_again() {
    let state = start().reduce(CalendarAction::Next);
    assert_eq!(
        state.anchor,
        NaiveDate::from_ymd_opt(2026, 11, 11).expect("date")
    );
    assert_eq!(state.request, 2);
    let state = state.reduce(CalendarAction::View(CalendarView::Day));
    let state = state.reduce(CalendarAction::Previous);
    assert_eq!(
        state.anchor,
        NaiveDate::from_ymd_opt(2026, 11, 10).expect("date")
    );
    assert_eq!(state.days().len(), 1);
    let state = state.reduce(CalendarAction::Today);
    assert_eq!(state.anchor, state.today);
    assert_eq!(state.title(), "Wednesday 4 November 2026");
}

#[test]
fn days_list_their_bookings_in_order_and_clashes_are_marked() {
    let state = start().reduce(CalendarAction::Loaded {
        request: 1,
        bookings: vec![
            booking(2, 4, 11, 60),
            booking(1, 4, 10, 90),
            booking(3, 5, 10, 30),
        ],
    });
    let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
    let titles: Vec<_> = state
        .on_day(day)
        .iter()
        .map(|b| b.title.clone().unwrap_or_default())
        .collect();
    assert_eq!(titles, ["Showing 1", "Showing 2"]);
    assert!(state.clashes(&booking(1, 4, 10, 90)));
    assert!(!state.clashes(&booking(3, 5, 10, 30)));
    assert_eq!(
        crate::state::calendar_grid::hours(&state.on_day(day), state.local),
        (8, 20)
    );
}

#[test]
fn an_overlap_check_that_fails_says_so_in_the_editor() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
    let state = start().reduce(CalendarAction::New(day, 10));
    let (seq, _) = state
        .editor
        .as_ref()
        .and_then(|e| e.check)
        .expect("checked at once");
    let state = state.reduce(CalendarAction::Overlaps {
        seq,
        bookings: Err("The calendar is busy.".into()),
    });
    assert_eq!(
        state
            .editor
            .as_ref()
            .and_then(|e| e.form.errors.banner.as_deref()),
        Some("Couldn't check for overlapping bookings: The calendar is busy.")
    );
}

#[test]
fn a_new_booking_is_checked_for_overlaps_as_it_is_written_and_saved() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
    let state = start().reduce(CalendarAction::New(day, 10));
    let editor = state.editor.clone().expect("editor");
    assert_eq!(editor.form.draft.fields.time, "10:00");
    let (seq, check) = editor.check.expect("checked at once");
    assert_eq!(check.starts_at, at(4, 10, 0));
    assert_eq!(check.except, None);
    let state = state.reduce(CalendarAction::Overlaps {
        seq,
        bookings: Ok(vec![booking(1, 4, 10, 60)]),
    });
    assert_eq!(state.editor.as_ref().map(|e| e.overlaps.len()), Some(1));
    let state = state.reduce(CalendarAction::Save(here()));
    let saving = state
        .editor
        .as_ref()
        .and_then(BookingEditor::saving)
        .expect("saving");
    let EditorSave::Create(input) = saving.1 else {
        panic!("a new booking is created");
    };
    assert_eq!(input.starts_at, at(4, 10, 0));
    assert!(input.attendees.contacts.is_empty());
    assert!(input.validate().is_ok());
}

#[test]
fn saving_an_overlapping_booking_keeps_the_editor_open_to_say_so() {
    let owner: UserId = "00000000-0000-4000-9000-000000000001".parse().expect("id");
    let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
    let state = start()
        .reduce(CalendarAction::New(day, 10))
        .reduce(CalendarAction::Save(here()));
    let input = match state.editor.as_ref().and_then(BookingEditor::saving) {
        Some((_, EditorSave::Create(input))) => input,
        other => panic!("unexpected {other:?}"),
    };
    let stored = Booking::create(
        booking(9, 4, 10, 60).id,
        input.validate().expect("valid"),
        owner,
        at(4, 9, 0),
    );
    let state = state.reduce(CalendarAction::Saved(Ok(Box::new(BookingSaved {
        booking: stored,
        overlaps: vec![booking(1, 4, 10, 60)],
    }))));
    let editor = state.editor.clone().expect("still open");
    assert!(editor.saved_with_overlaps);
    assert_eq!(editor.id(), Some(booking(9, 4, 10, 60).id), "now an edit");
    assert_eq!(state.request, 2);
    let state = state.reduce(CalendarAction::Close);
    assert_eq!(state.editor, None);
}

#[test]
fn editing_a_booking_leaves_itself_out_of_the_check() {
    let owner: UserId = "00000000-0000-4000-9000-000000000001".parse().expect("id");
    let summary = booking(5, 4, 14, 45);
    let input = BookingInput {
        kind: BookingKind::Meeting,
        title: Some("Offer review".into()),
        starts_at: summary.starts_at,
        ends_at: summary.ends_at,
        time_zone: "UTC".into(),
        location: Some("Office".into()),
        attendees: Attendees::default(),
        listing: None,
        status: BookingStatus::Scheduled,
        reminders: vec![15],
    };
    let stored = Booking::create(
        summary.id,
        input.validate().expect("valid"),
        owner,
        at(4, 9, 0),
    );
    let state = start()
        .reduce(CalendarAction::Edit(summary.id))
        .reduce(CalendarAction::EditorLoaded(Box::new(Ok(stored))));
    let editor = state.editor.clone().expect("editor");
    assert_eq!(editor.form.draft.fields.time, "14:00");
    assert_eq!(editor.form.draft.fields.length, "45");
    assert_eq!(editor.form.draft.fields.booking_kind, BookingKind::Meeting);
    assert_eq!(
        editor.check.as_ref().map(|(_, c)| c.except),
        Some(Some(summary.id))
    );
    let state = state
        .reduce(CalendarAction::Set("length".into(), "60".into()))
        .reduce(CalendarAction::Save(here()));
    match state.editor.as_ref().and_then(BookingEditor::saving) {
        Some((_, EditorSave::Update(id, input))) => {
            assert_eq!(id, summary.id);
            assert_eq!(input.reminders, [15], "kept from the stored booking");
            assert_eq!(input.ends_at - input.starts_at, Duration::minutes(60));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_booking_is_with_the_contacts_picked_and_about_the_listing_chosen() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
    let ada: ContactId = "00000000-0000-4000-8000-000000000011".parse().expect("id");
    let bo: ContactId = "00000000-0000-4000-8000-000000000012".parse().expect("id");
    let home: ListingId = "00000000-0000-4000-8000-000000000021".parse().expect("id");
    let state = start()
        .reduce(CalendarAction::New(day, 10))
        .reduce(CalendarAction::With(ada, "Ada King".into()))
        .reduce(CalendarAction::With(bo, "Bo Chen".into()))
        .reduce(CalendarAction::With(ada, "Ada King".into()))
        .reduce(CalendarAction::Unwith(bo))
        .reduce(CalendarAction::Listing(Some(home)));
    let editor = state.editor.clone().expect("editor");
    assert_eq!(
        editor.form.draft.with,
        [ada],
        "each once; removed ones gone"
    );
    assert_eq!(editor.name_of(ada), "Ada King");
    let state = state.reduce(CalendarAction::Save(here()));
    let Some((_, EditorSave::Create(input))) =
        state.editor.as_ref().and_then(BookingEditor::saving)
    else {
        panic!("a new booking is created");
    };
    assert_eq!(input.attendees.contacts, [ada]);
    assert_eq!(input.listing, Some(home));
    assert!(input.validate().is_ok());
}
