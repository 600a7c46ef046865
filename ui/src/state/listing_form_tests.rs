//! The listing form: the draft's paths and parsing, the engine's verdict next to its field,
//! photos joining as they are stored, and the rows whose numbers shift.

use super::*;
use crate::state::listing_draft::OpenHouseRow;
use chrono::{NaiveDate, TimeZone, Utc};
use fieldstone_model::{Area, AreaUnit, Baths, FieldError, ListingStatus, Media};
use fieldstone_protocol::commands::CommandErrorCode;

const PARIS: Local = Local { offset_minutes: 60 };

fn set(path: &str, value: &str) -> ListingFormAction {
    let field = ListingField::parse(path).expect("a listing field");
    ListingFormAction::Edit(ListingEdit::Set(field, value.into()))
}

fn reduce_all(actions: impl IntoIterator<Item = ListingFormAction>) -> Rc<ListingForm> {
    actions.into_iter().fold(
        Rc::new(ListingForm::new(ListingDraft::default(), PARIS)),
        |state, action| state.reduce(action),
    )
}

fn refused(fields: &[(&str, &str)]) -> ListingFormAction {
    ListingFormAction::Failed(CommandError {
        code: CommandErrorCode::Validation,
        message: "Check the highlighted fields.".into(),
        fields: fields
            .iter()
            .map(|(field, message)| FieldError {
                field: (*field).into(),
                message: (*message).into(),
            })
            .collect(),
        detail: None,
    })
}

fn filled() -> Vec<ListingFormAction> {
    vec![
        set("address.line1", "12 Elm Street"),
        set("address.city", "Springfield"),
        set("price", "425,000"),
        set("beds", "3"),
        set("baths", "2.5"),
        set("living_area", "1850"),
        set("living_area.unit", "square_metres"),
        set("features", "Garden, Garage,, Fireplace"),
        set("status", "pending"),
    ]
}

#[test]
fn a_filled_draft_becomes_the_engines_input() {
    let mut actions = filled();
    actions.push(ListingFormAction::Submit);
    let state = reduce_all(actions);
    assert!(state.form.submitting && state.form.dirty);
    assert_eq!(state.form.submit_seq, 1);
    let input = state.form.submitted.clone().expect("sent");
    assert_eq!(input.address.line1, "12 Elm Street");
    assert_eq!(input.address.line2, None, "blank is none");
    assert_eq!(input.price, 425_000);
    assert_eq!(input.beds, Some(3));
    assert_eq!(input.baths, Some(Baths::from_halves(5)));
    assert_eq!(
        input.living_area,
        Some(Area::new(1850, AreaUnit::SquareMetres))
    );
    assert_eq!(input.lot_area, None);
    assert_eq!(input.features, ["Garden", "Garage", "Fireplace"]);
    assert_eq!(input.status, ListingStatus::Pending);
    assert_eq!(
        (input.address.country.as_str(), input.currency.as_str()),
        ("US", "USD")
    );
    let again = Rc::clone(&state).reduce(ListingFormAction::Submit);
    assert!(Rc::ptr_eq(&state, &again), "one submit in flight");
}

#[test]
fn text_where_a_number_belongs_is_caught_before_sending() {
    let state = reduce_all([
        set("price", "lots"),
        set("baths", "2.25"),
        set("beds", "300"),
        ListingFormAction::Submit,
    ]);
    assert!(!state.form.submitting);
    assert_eq!(state.form.submit_seq, 0);
    for path in ["price", "baths", "beds"] {
        assert!(state.form.errors.get(path).is_some(), "{path}");
    }
    assert_eq!(
        state.form.focus.as_ref().map(|f| f.path.as_str()),
        Some("price"),
        "the first in form order"
    );
}

#[test]
fn the_engines_messages_go_next_to_their_fields_and_typing_clears_one() {
    let state = reduce_all([
        set("price", ""),
        set("address.country", "UK"),
        ListingFormAction::Edit(ListingEdit::AddTour),
        set("media.0.uri", "http://tours.example.com"),
        ListingFormAction::Submit,
        refused(&[
            ("address.line1", "Enter the first address line."),
            ("address.country", "\"UK\" is not a country code."),
            ("price", "Enter a price above zero."),
            ("features.2", "A feature can be at most 100 characters."),
            ("media.0.uri", "A web address must start with https://."),
            ("address.latitude", "Enter both latitude and longitude."),
        ]),
    ]);
    assert!(!state.form.submitting);
    assert_eq!(
        state.form.errors.get("price"),
        Some("Enter a price above zero.")
    );
    assert!(state.form.errors.get("address.country").is_some());
    assert!(
        state.form.errors.get("features").is_some(),
        "each feature's message lands on the one input"
    );
    assert!(state.form.errors.get("media.0.uri").is_some());
    assert_eq!(
        state.form.errors.banner.as_deref(),
        Some("Enter both latitude and longitude."),
        "no input for the map position"
    );
    assert_eq!(
        state.form.focus.as_ref().map(|f| f.path.as_str()),
        Some("address.line1")
    );
    assert_eq!(
        state.form.draft.value(ListingField::Country),
        "UK",
        "kept as typed"
    );

    let state = state.reduce(set("address.country", "GB"));
    assert_eq!(state.form.errors.get("address.country"), None);
    assert!(state.form.errors.get("price").is_some());
    let same = Rc::clone(&state).reduce(set("address.country", "GB"));
    assert!(
        Rc::ptr_eq(&state, &same),
        "a repeated `change` keeps the rest"
    );
}

#[test]
fn blank_tour_rows_are_dropped_and_messages_keep_pointing_at_their_row() {
    let state = reduce_all([
        ListingFormAction::PhotosPicked(1),
        ListingFormAction::PhotoStored("photos/a.jpg".into()),
        ListingFormAction::Edit(ListingEdit::AddTour),
        ListingFormAction::Edit(ListingEdit::AddTour),
        set("media.2.uri", "ftp://x"),
        ListingFormAction::Submit,
    ]);
    let sent = state.form.submitted.as_ref().expect("sent");
    assert_eq!(sent.media.len(), 2, "the blank tour row is gone");
    assert_eq!(state.form.draft.tours(), [1]);
    let state = state.reduce(refused(&[("media.1.uri", "Must start with https://.")]));
    assert!(state.form.errors.get("media.1.uri").is_some());
    assert_eq!(state.form.draft.value(ListingField::MediaUri(1)), "ftp://x");
    // A message about a photo (no input of its own) is the banner's.
    let state = state.reduce(refused(&[("media.0.uri", "Not a relative path.")]));
    assert_eq!(
        state.form.errors.banner.as_deref(),
        Some("Not a relative path.")
    );
    // Removing a row renumbers the rest: old messages about rows go.
    let state = state
        .reduce(refused(&[("media.1.uri", "Must start with https://.")]))
        .reduce(ListingFormAction::Edit(ListingEdit::RemoveMedia(0)));
    assert_eq!(state.form.errors.get("media.1.uri"), None);
    assert_eq!(state.form.draft.tours(), [0]);
}

#[test]
fn photos_join_as_they_are_stored_and_saving_waits_for_them() {
    let state = reduce_all(filled())
        .reduce(ListingFormAction::PhotosPicked(2))
        .reduce(ListingFormAction::PhotoStored("photos/a.png".into()));
    assert_eq!(state.photos_pending, 1);
    let waiting = Rc::clone(&state).reduce(ListingFormAction::Submit);
    assert!(
        Rc::ptr_eq(&state, &waiting),
        "not sent while a photo is stored"
    );
    let state = state.reduce(ListingFormAction::PhotoFailed(
        "clip.mov: This is not a JPEG, PNG or WebP image.".into(),
    ));
    assert_eq!(state.photos_pending, 0);
    assert!(state
        .photo_error
        .as_deref()
        .is_some_and(|m| m.contains("clip.mov")));
    let state = state
        .reduce(ListingFormAction::PhotosPicked(1))
        .reduce(ListingFormAction::PhotoStored("photos/b.png".into()));
    assert_eq!(state.photo_error, None, "a new pick clears the old refusal");
    assert_eq!(state.form.draft.photos(), [0, 1]);
    let state = state.reduce(ListingFormAction::Edit(ListingEdit::MakeCover(1)));
    assert_eq!(
        state.form.draft.media[0].uri, "photos/b.png",
        "the cover is first"
    );
    let state = state.reduce(ListingFormAction::Submit);
    let sent: Vec<&str> = state
        .form
        .submitted
        .iter()
        .flat_map(|input| &input.media)
        .map(|m: &Media| m.uri.as_str())
        .collect();
    assert_eq!(sent, ["photos/b.png", "photos/a.png"]);
}

#[test]
fn open_houses_are_local_times_and_come_back_the_same() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 10).expect("date"); // a Tuesday
    let state = reduce_all([ListingFormAction::Edit(ListingEdit::AddOpenHouse(today))]);
    assert_eq!(
        state.form.draft.open_houses,
        [OpenHouseRow {
            date: "2026-11-14".into(),
            starts_at: "14:00".into(),
            ends_at: "16:00".into(),
        }],
        "the coming Saturday afternoon"
    );
    let mut actions = filled();
    actions.extend([
        ListingFormAction::Edit(ListingEdit::AddOpenHouse(today)),
        set("open_houses.0.starts_at", "10:30"),
        ListingFormAction::Submit,
    ]);
    let state = reduce_all(actions);
    let input = state.form.submitted.clone().expect("sent");
    let starts = Utc
        .with_ymd_and_hms(2026, 11, 14, 9, 30, 0)
        .single()
        .expect("time");
    assert_eq!(input.open_houses[0].starts_at, starts, "Paris is UTC+1");
    // Read back from the stored listing, the row says what was typed.
    let back = ListingDraft::from_input(&input, PARIS);
    assert_eq!(back.open_houses[0].starts_at, "10:30");
    assert_eq!(back.open_houses[0].date, "2026-11-14");
    assert_eq!(back.price, "425000");
}

#[test]
fn a_bad_open_house_time_is_caught_and_the_engines_verdict_cleared_by_any_part() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 14).expect("date"); // a Saturday
    let state = reduce_all([
        ListingFormAction::Edit(ListingEdit::AddOpenHouse(today)),
        set("open_houses.0.date", ""),
        ListingFormAction::Submit,
    ]);
    assert_eq!(state.form.draft.open_houses.len(), 1);
    assert!(state.form.errors.get("open_houses.0.date").is_some());
    assert!(state.form.submitted.is_none());
    let state = state
        .reduce(set("open_houses.0.date", "2026-11-14"))
        .reduce(refused(&[(
            "open_houses.0.ends_at",
            "An open house must end after it starts.",
        )]));
    assert!(state.form.errors.get("open_houses.0.ends_at").is_some());
    let state = state.reduce(set("open_houses.0.starts_at", "13:00"));
    assert_eq!(
        state.form.errors.get("open_houses.0.ends_at"),
        None,
        "changing the start may be the fix"
    );
}

#[test]
fn a_storage_failure_is_a_banner_and_keeps_the_draft() {
    let mut actions = filled();
    actions.extend([
        ListingFormAction::Submit,
        ListingFormAction::Failed(CommandError::new(CommandErrorCode::Storage, "Disk full.")),
    ]);
    let state = reduce_all(actions);
    assert_eq!(state.form.errors.banner.as_deref(), Some("Disk full."));
    assert_eq!(state.form.draft.line1, "12 Elm Street");
    assert!(state.form.dirty && !state.form.submitting);
}
