//! The listing grid's reducer: generations, pages, the status filter and search; and the
//! listing screen's reducer: stale loads, the gallery, the editor, open houses.

use super::*;
use crate::state::format::Local;
use crate::state::listing::{open_house_label, upcoming, ListingAction, ListingState};
use crate::state::record_detail::DetailAction;
use crate::state::ListView;
use chrono::{DateTime, TimeZone, Utc};
use fieldstone_model::{
    Address, Listing, ListingId, Media, MediaKind, OpenHouse, PropertyType, UserId, Visibility,
};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use std::rc::Rc;
use yew::Reducible;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("valid time")
}

fn id(n: u32) -> ListingId {
    format!("00000000-0000-4000-8000-{n:012}")
        .parse()
        .expect("valid id")
}

fn summary(n: u32) -> ListingSummary {
    ListingSummary {
        id: id(n),
        address: format!("{n} Elm Street"),
        city: "Springfield".into(),
        price: 425_000,
        currency: "USD".into(),
        beds: Some(3),
        baths_tenths: Some(25),
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        mls_number: None,
        cover_photo: None,
        updated_at: at(3, 9),
        deleted_at: None,
    }
}

fn page(from: u32, count: u32) -> Vec<ListingSummary> {
    (from..from + count).map(summary).collect()
}

fn reduce(state: Rc<ListingsState>, action: ListingsAction) -> Rc<ListingsState> {
    state.reduce(action)
}

#[test]
fn the_first_page_replaces_and_a_full_page_offers_more() {
    let state = Rc::new(ListingsState::default());
    assert_eq!(state.view, ListView::Loading);
    let state = reduce(
        state,
        ListingsAction::Loaded {
            request: 1,
            rows: page(0, PAGE_SIZE),
            more: false,
        },
    );
    assert_eq!(state.view, ListView::Loaded);
    assert!(state.has_more);
    let state = reduce(state, ListingsAction::LoadMore);
    assert_eq!(state.loading_more, Some(PAGE_SIZE));
    assert_eq!(state.query(PAGE_SIZE).offset, PAGE_SIZE);
    let again = reduce(Rc::clone(&state), ListingsAction::LoadMore);
    assert!(Rc::ptr_eq(&state, &again), "one page at a time");
    let state = reduce(
        state,
        ListingsAction::Loaded {
            request: 1,
            rows: page(PAGE_SIZE, 3),
            more: true,
        },
    );
    assert_eq!(state.rows.len(), PAGE_SIZE as usize + 3);
    assert!(!state.has_more, "a short page is the last");
    assert_eq!(state.loading_more, None);
    let same = reduce(Rc::clone(&state), ListingsAction::LoadMore);
    assert!(Rc::ptr_eq(&state, &same), "nothing more to ask for");
}

#[test]
fn answers_to_an_older_search_are_dropped() {
    let state = Rc::new(ListingsState::default());
    let state = reduce(
        state,
        ListingsAction::Filter(ListingFilterEdit::Search("el".into())),
    );
    let state = reduce(
        state,
        ListingsAction::Filter(ListingFilterEdit::Search("elm".into())),
    );
    assert_eq!(state.request, 3);
    assert_eq!(state.query(0).search.as_deref(), Some("elm"));
    let stale = reduce(
        Rc::clone(&state),
        ListingsAction::Loaded {
            request: 2,
            rows: page(0, 5),
            more: false,
        },
    );
    assert!(Rc::ptr_eq(&state, &stale));
    assert_eq!(stale.view, ListView::Loading);
    let same = reduce(
        Rc::clone(&state),
        ListingsAction::Filter(ListingFilterEdit::Search("elm".into())),
    );
    assert!(Rc::ptr_eq(&state, &same), "the same text asks nothing new");
}

#[test]
fn the_status_filter_is_sent_and_blank_search_is_none() {
    let state = reduce(
        Rc::new(ListingsState::default()),
        ListingsAction::Filter(ListingFilterEdit::Status(Some(ListingStatus::Pending))),
    );
    assert_eq!(state.request, 2);
    let query = state.query(0);
    assert_eq!(query.statuses, [ListingStatus::Pending]);
    assert_eq!(query.limit, PAGE_SIZE);
    assert!(state.has_filters());
    let state = reduce(
        state,
        ListingsAction::Filter(ListingFilterEdit::Search("   ".into())),
    );
    assert_eq!(state.query(0).search, None);
    let state = reduce(
        state,
        ListingsAction::Filter(ListingFilterEdit::Status(None)),
    );
    assert!(state.query(0).statuses.is_empty());
    assert!(!state.has_filters());
}

#[test]
fn a_failed_reload_keeps_the_cards_with_a_notice() {
    let state = reduce(
        Rc::new(ListingsState::default()),
        ListingsAction::Failed {
            request: 1,
            message: "The disk is busy.".into(),
            more: false,
        },
    );
    assert_eq!(state.view, ListView::Failed("The disk is busy.".into()));
    let state = reduce(state, ListingsAction::Reload);
    let state = reduce(
        state,
        ListingsAction::Loaded {
            request: 2,
            rows: page(0, 2),
            more: false,
        },
    );
    let state = reduce(state, ListingsAction::Reload);
    let state = reduce(
        state,
        ListingsAction::Failed {
            request: 3,
            message: "The disk is busy.".into(),
            more: false,
        },
    );
    assert_eq!(state.view, ListView::Loaded);
    assert_eq!(state.rows.len(), 2);
    assert_eq!(state.stale_error.as_deref(), Some("The disk is busy."));
}

#[test]
fn cards_say_price_and_facts() {
    let mut listing = summary(1);
    assert_eq!(price(&listing), "$425,000");
    assert_eq!(facts(&listing), "3 bd · 2.5 ba · House");
    listing.beds = None;
    listing.baths_tenths = None;
    listing.property_type = PropertyType::Land;
    listing.currency = "EUR".into();
    assert_eq!(facts(&listing), "Land");
    assert_eq!(price(&listing), "€425,000");
}

fn listing(media: Vec<Media>, open_houses: Vec<OpenHouse>) -> Listing {
    let owner: UserId = "00000000-0000-4000-9000-000000000001"
        .parse()
        .expect("valid id");
    Listing {
        id: id(1),
        address: Address {
            line1: "12 Elm Street".into(),
            city: "Springfield".into(),
            country: "US".into(),
            ..Address::default()
        },
        price: 425_000,
        currency: "USD".into(),
        beds: None,
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Private,
        description: String::new(),
        features: vec![],
        media,
        open_houses,
        mls_number: None,
        owner,
        created_at: at(1, 9),
        updated_at: at(1, 9),
        deleted_at: None,
    }
}

fn media(kind: MediaKind, uri: &str) -> Media {
    Media {
        kind,
        uri: uri.into(),
        caption: None,
    }
}

#[test]
fn the_gallery_shows_photos_only_and_stays_in_range() {
    let stored = listing(
        vec![
            media(MediaKind::Photo, "photos/a.jpg"),
            media(
                MediaKind::ExternalTour,
                "https://tours.example.com/12-elm?x=1",
            ),
            media(MediaKind::Floorplan, "plans/ground.pdf"),
            media(MediaKind::Photo, "photos/b.jpg"),
        ],
        vec![],
    );
    let state =
        Rc::new(ListingState::new(id(1))).reduce(ListingAction::Detail(DetailAction::Loaded {
            request: 1,
            record: Box::new(stored.clone()),
        }));
    assert_eq!(state.photos(), ["photos/a.jpg", "photos/b.jpg"]);
    assert_eq!(
        state.tours(),
        [(
            "tours.example.com".to_owned(),
            "https://tours.example.com/12-elm?x=1".to_owned()
        )]
    );
    let state = state.reduce(ListingAction::Show(9));
    assert_eq!(state.photo, 1, "clamped to the last photo");
    // A photo removed elsewhere: the gallery does not point past the end.
    let mut fewer = stored;
    fewer.media.truncate(1);
    let state = state
        .reduce(ListingAction::Detail(DetailAction::Reload))
        .reduce(ListingAction::Detail(DetailAction::Loaded {
            request: 2,
            record: Box::new(fewer),
        }));
    assert_eq!(state.photo, 0);
}

#[test]
fn stale_loads_are_dropped_and_a_missing_listing_says_so() {
    let state =
        Rc::new(ListingState::new(id(1))).reduce(ListingAction::Detail(DetailAction::Reload));
    let stale = Rc::clone(&state).reduce(ListingAction::Detail(DetailAction::Loaded {
        request: 1,
        record: Box::new(listing(vec![], vec![])),
    }));
    assert!(Rc::ptr_eq(&state, &stale));
    let state = state.reduce(ListingAction::Detail(DetailAction::LoadFailed {
        request: 2,
        error: CommandError::new(CommandErrorCode::NotFound, "No listing."),
    }));
    assert!(state.detail.missing);
    assert_eq!(state.detail.view, ListView::Failed("No listing.".into()));
}

#[test]
fn saving_in_the_editor_shows_the_stored_listing_and_closes_it() {
    let state = Rc::new(ListingState::new(id(1)))
        .reduce(ListingAction::Detail(DetailAction::Loaded {
            request: 1,
            record: Box::new(listing(vec![], vec![])),
        }))
        .reduce(ListingAction::Detail(DetailAction::OpenEditor));
    assert_eq!(state.detail.editor, Some(1));
    let mut edited = listing(vec![], vec![]);
    edited.price = 410_000;
    let state = state.reduce(ListingAction::Detail(DetailAction::Saved(Box::new(edited))));
    assert_eq!(state.detail.editor, None);
    assert!(state.detail.saved_note);
    assert_eq!(state.listing().map(|l| l.price), Some(410_000));
    let state = state.reduce(ListingAction::Detail(DetailAction::OpenEditor));
    assert_eq!(state.detail.editor, Some(2), "a fresh form every time");
    assert!(!state.detail.saved_note);
}

#[test]
fn open_houses_to_come_are_listed_soonest_first_in_local_time() {
    let slot = |day, from, to| OpenHouse {
        starts_at: at(day, from),
        ends_at: at(day, to),
    };
    let now = at(10, 15);
    let (coming, past) = upcoming(
        &[
            slot(21, 13, 15),
            slot(3, 13, 15),
            slot(14, 13, 15),
            slot(10, 14, 16),
        ],
        now,
    );
    assert_eq!(past, 1);
    assert_eq!(
        coming.iter().map(|o| o.starts_at).collect::<Vec<_>>(),
        [at(10, 14), at(14, 13), at(21, 13)],
        "the one running now first"
    );
    let paris = Local { offset_minutes: 60 };
    assert_eq!(
        open_house_label(&slot(14, 13, 15), paris, now),
        "Sat 14 Nov · 14:00–16:00"
    );
    let overnight = OpenHouse {
        starts_at: at(14, 22),
        ends_at: at(14, 23) + chrono::Duration::hours(2),
    };
    assert_eq!(
        open_house_label(&overnight, paris, now),
        "Sat 14 Nov 23:00 – Sun 15 Nov 02:00"
    );
}
