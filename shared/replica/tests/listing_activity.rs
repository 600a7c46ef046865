//! A listing's page shows what happened about it: bookings at it and calls logged about it,
//! newest first; a deleted listing leaves the lists and comes back whole when restored.

mod support;

use fieldstone_replica::ListingQuery;
use support::*;

#[test]
fn a_listing_shows_its_bookings_and_the_calls_about_it_newest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let elm = r
        .create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("elm");
    let oak = r
        .create_listing(&listing("3 Oak Road", "Hackney", 700_000), user())
        .expect("oak");
    let ada = r
        .create_contact(&person("Ada", "King"), user())
        .expect("ada");
    let bo = r.create_contact(&person("Bo", "Chen"), user()).expect("bo");

    let mut first = showing(vec![ada.id], t(60), 30);
    first.listing = Some(elm.id);
    let first = r.create_booking(&first, user()).expect("first");
    let mut second = showing(vec![bo.id], t(180), 30);
    second.listing = Some(elm.id);
    let second = r.create_booking(&second, user()).expect("second");
    let mut elsewhere = showing(vec![ada.id], t(120), 30);
    elsewhere.listing = Some(oak.id);
    r.create_booking(&elsewhere, user()).expect("elsewhere");

    let mut about = call(ada.id, t(10), "Asked about the roof");
    about.listing = Some(elm.id);
    let about = r.log_interaction(&about, user()).expect("about");
    let mut later = call(bo.id, t(20), "Wants a second viewing");
    later.listing = Some(elm.id);
    let later = r.log_interaction(&later, user()).expect("later");
    r.log_interaction(&call(ada.id, t(30), "Not about a home"), user())
        .expect("unrelated");

    let activity = r.listing_activity(&elm.id).expect("activity");
    assert_eq!(
        activity.bookings.iter().map(|b| b.id).collect::<Vec<_>>(),
        [second.id, first.id]
    );
    assert_eq!(activity.bookings[0].with, [(bo.id, "Bo Chen".to_owned())]);
    assert_eq!(
        activity
            .touches
            .iter()
            .map(|t| (t.interaction.id, t.contact_name.as_str()))
            .collect::<Vec<_>>(),
        [(later.id, "Bo Chen"), (about.id, "Ada King")]
    );

    // A deleted contact's calls leave the page like they leave every screen.
    r.soft_delete_contact(&bo.id).expect("delete bo");
    let activity = r.listing_activity(&elm.id).expect("activity");
    assert_eq!(activity.touches.len(), 1);
    assert_eq!(activity.touches[0].contact_name, "Ada King");
    assert!(r.listing_activity(&oak.id).expect("oak").touches.is_empty());
}

#[test]
fn a_deleted_listing_leaves_the_list_keeps_its_links_and_is_restored_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let elm = r
        .create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("elm");
    let ada = r
        .create_contact(&person("Ada", "King"), user())
        .expect("ada");
    let mut visit = showing(vec![ada.id], t(60), 30);
    visit.listing = Some(elm.id);
    let visit = r.create_booking(&visit, user()).expect("visit");

    let deleted = r.soft_delete_listing(&elm.id).expect("delete");
    assert!(deleted.deleted_at.is_some());
    assert!(r
        .list_listings(&ListingQuery::default())
        .expect("list")
        .is_empty());
    // The booking keeps its link but no longer names a home that is gone.
    let booking = &r.bookings_between(t(0), t(600)).expect("week")[0];
    assert_eq!(booking.listing, Some(elm.id));
    assert_eq!(booking.listing_address, None);

    let restored = r.restore_listing(&elm.id).expect("restore");
    assert_eq!(restored.deleted_at, None);
    assert_eq!(restored.address.line1, "12 Elm St");
    let listed = r.list_listings(&ListingQuery::default()).expect("list");
    assert_eq!(listed.iter().map(|l| l.id).collect::<Vec<_>>(), [elm.id]);
    let booking = &r.bookings_between(t(0), t(600)).expect("week")[0];
    assert_eq!(booking.id, visit.id);
    assert_eq!(
        booking.listing_address.as_deref(),
        Some("12 Elm St, Camden")
    );
}

#[test]
fn status_chips_count_each_status_with_the_search_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let elm = r
        .create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("elm");
    r.create_listing(&listing("3 Oak Road", "Hackney", 700_000), user())
        .expect("oak");
    let mut sold = listing("9 Ash Lane", "Camden", 300_000);
    sold.status = fieldstone_model::ListingStatus::Sold;
    r.create_listing(&sold, user()).expect("ash");
    let gone = r
        .create_listing(&listing("1 Gone Row", "Camden", 1), user())
        .expect("gone");
    r.soft_delete_listing(&gone.id).expect("delete");

    use fieldstone_model::ListingStatus::{Active, Sold};
    // The status filter chosen does not change the chips' counts.
    let counts = r
        .listing_counts(&ListingQuery {
            statuses: vec![Sold],
            ..Default::default()
        })
        .expect("counts");
    assert_eq!((counts.all, counts.of(Active), counts.of(Sold)), (3, 2, 1));
    let camden = r
        .listing_counts(&ListingQuery {
            search: Some("camden".into()),
            ..Default::default()
        })
        .expect("camden");
    assert_eq!((camden.all, camden.of(Active), camden.of(Sold)), (2, 1, 1));
    r.soft_delete_listing(&elm.id).expect("delete elm");
    let after = r.listing_counts(&ListingQuery::default()).expect("after");
    assert_eq!((after.all, after.of(Active)), (2, 1));
}

fn open_house(from_minutes: i64, minutes: i64) -> fieldstone_model::OpenHouse {
    fieldstone_model::OpenHouse {
        starts_at: t(from_minutes),
        ends_at: t(from_minutes + minutes),
    }
}

#[test]
fn coming_open_houses_are_listed_soonest_first_from_live_listings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let mut elm = listing("12 Elm St", "Camden", 425_000);
    elm.open_houses = vec![open_house(600, 120), open_house(-600, 60)];
    let elm = r.create_listing(&elm, user()).expect("elm");
    let mut oak = listing("3 Oak Road", "Hackney", 700_000);
    oak.open_houses = vec![open_house(60, 120)];
    let oak = r.create_listing(&oak, user()).expect("oak");

    let coming = r
        .upcoming_open_houses(t(0), t(24 * 60), 10)
        .expect("coming");
    assert_eq!(
        coming
            .iter()
            .map(|o| (o.listing, o.address.as_str()))
            .collect::<Vec<_>>(),
        [
            (oak.id, "3 Oak Road, Hackney"),
            (elm.id, "12 Elm St, Camden")
        ],
        "the past one is left out, the rest soonest first"
    );
    assert_eq!(coming[0].starts_at, t(60));
    // One under way counts; one beyond the window does not.
    assert_eq!(
        r.upcoming_open_houses(t(90), t(100), 10)
            .expect("now")
            .len(),
        1
    );
    assert!(r
        .upcoming_open_houses(t(0), t(30), 10)
        .expect("soon")
        .is_empty());

    // Edited away, or the listing deleted: gone from the list.
    let mut edited = listing("3 Oak Road", "Hackney", 700_000);
    edited.open_houses = Vec::new();
    r.update_listing(&oak.id, &edited).expect("edit");
    r.soft_delete_listing(&elm.id).expect("delete");
    assert!(r
        .upcoming_open_houses(t(0), t(24 * 60), 10)
        .expect("none")
        .is_empty());
}

#[test]
fn a_version_8_store_gets_its_open_houses_into_the_read_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let mut elm = listing("12 Elm St", "Camden", 425_000);
    elm.open_houses = vec![open_house(60, 120)];
    let elm = open(&db, &clock())
        .create_listing(&elm, user())
        .expect("elm");
    {
        // As a build before open houses were projected left it.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "DROP TABLE listing_open_houses; DROP TABLE messages;
             DROP TABLE agent_score_models; ALTER TABLE contacts DROP COLUMN score_facts;
             DROP TABLE campaigns; PRAGMA user_version = 8;",
        )
        .expect("downgrade");
    }
    let r = open(&db, &clock());
    let coming = r
        .upcoming_open_houses(t(0), t(24 * 60), 10)
        .expect("coming");
    assert_eq!(coming.len(), 1);
    assert_eq!(coming[0].listing, elm.id);
}
