//! Property match on the device: a buyer's best listings with why each fits, a listing's
//! buyers, and Today's suggestions when a new or changed listing fits the user's buyers.

mod support;

use fieldstone_model::{ContactInput, ListingStatus, Preferences, PropertyType, Stage};
use support::*;

fn buyer(given: &str, prefs: Preferences) -> ContactInput {
    ContactInput {
        preferences: prefs,
        ..person(given, "Buyer")
    }
}

fn islington_family() -> Preferences {
    Preferences {
        budget_max: Some(500_000),
        areas: vec!["Islington".into()],
        bedrooms_min: Some(3),
        must_haves: vec!["garden".into(), "parking".into()],
        ..Preferences::default()
    }
}

#[test]
fn a_buyer_sees_their_best_listings_with_reasons_and_a_listing_its_buyers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let mut upper = listing("12 Upper Street, Islington", "London", 480_000);
    upper.address.postal_code = Some("N1 2AB".into());
    let upper = r.create_listing(&upper, user()).expect("upper");
    let mut canon = listing("4 Canonbury Square, Islington", "London", 455_000);
    canon.features = vec!["garden".into(), "off-street parking".into()];
    let canon = r.create_listing(&canon, user()).expect("canon");
    let hackney = r
        .create_listing(
            &listing("9 Mare Street, Hackney", "London", 430_000),
            user(),
        )
        .expect("hackney");
    let mut flat = listing("77 Essex Road, Islington", "London", 400_000);
    flat.property_type = PropertyType::Condo;
    flat.beds = Some(1);
    r.create_listing(&flat, user()).expect("flat");

    let family = r
        .create_contact(&buyer("Ada", islington_family()), user())
        .expect("family");
    let got = r.listing_matches(&family.id).expect("matches");
    assert!(got.looking);
    let ids: Vec<_> = got.listings.iter().map(|f| f.listing.id).collect();
    assert_eq!(
        ids,
        [canon.id, upper.id],
        "Hackney is elsewhere, the flat too small"
    );
    assert_eq!(
        got.listings[1].why,
        "inside budget by 4%, in Islington, 3 beds as asked, has the garden they want; no parking"
    );
    assert_eq!(got.listings[0].score, 100);
    assert_eq!(
        got.listings[0].listing.address,
        "4 Canonbury Square, Islington"
    );

    // Someone with no wish list is not "looking": the screen asks for preferences instead.
    let nobody = r
        .create_contact(&person("Bo", "Plain"), user())
        .expect("nobody");
    let got = r.listing_matches(&nobody.id).expect("matches");
    assert!(!got.looking && got.listings.is_empty());

    // Sold and deleted listings leave the matches; a changed price moves one out of budget.
    let mut sold = listing("4 Canonbury Square, Islington", "London", 455_000);
    sold.features = vec!["garden".into(), "off-street parking".into()];
    sold.status = ListingStatus::Sold;
    r.update_listing(&canon.id, &sold).expect("sold");
    r.soft_delete_listing(&upper.id).expect("delete");
    let got = r.listing_matches(&family.id).expect("matches");
    assert!(got.listings.is_empty(), "{:?}", got.listings);
    r.restore_listing(&upper.id).expect("restore");
    assert_eq!(
        r.listing_matches(&family.id)
            .expect("matches")
            .listings
            .len(),
        1
    );

    // The listing's buyers: best first; closed and lost contacts are not looking any more.
    let cheap = r
        .create_contact(
            &buyer(
                "Cy",
                Preferences {
                    budget_max: Some(470_000),
                    ..Preferences::default()
                },
            ),
            user(),
        )
        .expect("cy");
    let mut done = buyer("Di", islington_family());
    done.stage = Stage::Closed;
    r.create_contact(&done, user()).expect("di");
    let buyers = r.listing_buyers(&upper.id).expect("buyers");
    let names: Vec<&str> = buyers.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["Ada Buyer", "Cy Buyer"]);
    assert_eq!(buyers[1].contact, cheap.id);
    assert_eq!(buyers[1].why, "over budget by 2%");
    assert!(r.listing_buyers(&hackney.id).expect("buyers")[0].name == "Cy Buyer");

    // A rebuilt read model holds the same match rows.
    let before = r.read_model_dump().expect("dump");
    assert!(before.iter().any(|l| l.starts_with("listing_match:")));
    assert!(before.iter().any(|l| l.starts_with("buyer_wishes:")));
    r.rebuild_read_model().expect("rebuild");
    assert_eq!(r.read_model_dump().expect("dump"), before);
}

#[test]
fn a_new_listing_that_fits_raises_a_suggestion_until_dismissed_and_again_when_it_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&buyer("Ada", islington_family()), user())
        .expect("ada");
    assert!(r.match_suggestions().expect("none").is_empty());

    let mut canon = listing("4 Canonbury Square, Islington", "London", 455_000);
    canon.features = vec!["garden".into(), "parking".into()];
    let canon = r.create_listing(&canon, user()).expect("canon");
    // A poor fit (no garden, no parking: 72 of 100) is not suggested.
    let mut bare = listing("1 Upper Street, Islington", "London", 499_000);
    bare.features = Vec::new();
    bare.description = "Plain".into();
    r.create_listing(&bare, user()).expect("bare");

    let got = r.match_suggestions().expect("suggestions");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].listing.id, canon.id);
    assert_eq!(got[0].buyers[0].contact, ada.id);
    assert_eq!(got[0].buyers[0].score, 100);

    r.dismiss_match(&canon.id, &ada.id).expect("dismiss");
    assert!(r.match_suggestions().expect("dismissed").is_empty());

    // A price drop is news again.
    clock.set(t(60));
    let mut cheaper = listing("4 Canonbury Square, Islington", "London", 440_000);
    cheaper.features = vec!["garden".into(), "parking".into()];
    r.update_listing(&canon.id, &cheaper).expect("cheaper");
    assert_eq!(r.match_suggestions().expect("again").len(), 1);

    // A week later it is no longer new.
    clock.set(t(60 + 7 * 24 * 60 + 1));
    assert!(r.match_suggestions().expect("old").is_empty());

    // Dismissing a listing that cannot fit anyone is a clear error.
    let gone = r.soft_delete_listing(&canon.id).expect("delete");
    let err = r.dismiss_match(&gone.id, &ada.id).expect_err("gone");
    assert!(err.to_string().contains("not found"), "{err}");
}

#[test]
fn a_database_from_before_matching_finds_matches_once_upgraded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let clock = clock();
    let (ada, canon) = {
        let r = open(&db, &clock);
        let ada = r
            .create_contact(&buyer("Ada", islington_family()), user())
            .expect("ada");
        let canon = r
            .create_listing(
                &listing("4 Canonbury Square, Islington", "London", 455_000),
                user(),
            )
            .expect("canon");
        (ada, canon)
    };
    {
        // As version 13 left it: the documents hold preferences and listings, no match tables.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "DROP TABLE listing_match; DROP TABLE buyer_wishes; DROP TABLE match_dismissed;
             PRAGMA user_version = 13;",
        )
        .expect("downgrade");
    }
    let r = open(&db, &clock);
    let got = r.listing_matches(&ada.id).expect("matches");
    assert_eq!(
        got.listings
            .iter()
            .map(|f| f.listing.id)
            .collect::<Vec<_>>(),
        [canon.id]
    );
    assert_eq!(
        got.listings[0].why,
        "inside budget by 9%, in Islington, 3 beds as asked, has the garden they want; no parking"
    );
}
