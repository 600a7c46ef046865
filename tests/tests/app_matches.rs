//! Property match in the real window: a buyer's wish list typed on their page shows the
//! listings that fit, best first, with why in plain words; the listing's page names its
//! buyers; Today suggests the new listings to the agent, and a suggestion can be hidden; a
//! contact with no wish list is asked for one instead.

mod app_support;

use app_support::App;

/// Opens the listing editor, types the rooms and features, then the address and price, and
/// saves (waiting for the listing's screen).
async fn add_listing(app: &App, line1: &str, city: &str, price: &str, features: &str) {
    app.goto("listings").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.type_into("#listing-form-beds", "3").await;
    app.type_into("#listing-form-features", features).await;
    app.fill_listing(line1, city, "GB", price).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_buyers_wish_list_finds_listings_that_fit_and_today_suggests_them() {
    let app = App::launch(None).await;
    add_listing(
        &app,
        "4 Canonbury Square",
        "London",
        "455000",
        "Garden, Parking",
    )
    .await;
    add_listing(&app, "12 Upper Street", "London", "480000", "Garden").await;
    add_listing(&app, "9 Kirkgate", "Leeds", "250000", "Garden, Parking").await;
    // Before anyone is looking, the listing's page says so.
    app.until_text("#listing-buyers-none", "No buyer's wish list fits")
        .await;

    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    // With no wish list yet, the card asks for one.
    app.until_text("#matches-not-looking", "Add what they are looking for")
        .await;
    app.type_into("#contact-preferences-budget-max", "500000")
        .await;
    app.type_into("#contact-preferences-areas", "London").await;
    app.type_into("#contact-preferences-bedrooms-min", "3")
        .await;
    app.type_into("#contact-preferences-must-haves", "garden, parking")
        .await;
    app.click("#contact-save").await;
    app.until_text("#contact-saved", "Saved").await;

    // Best first, each with why; Leeds is another city, so not there.
    app.until_text("#listing-matches", "4 Canonbury Square")
        .await;
    let rows = app.texts("#listing-matches .matches__item").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0].contains("4 Canonbury Square"), "{rows:?}");
    assert!(rows[0].contains("100% fit"), "{rows:?}");
    assert!(
        rows[0].contains("inside budget by 9%, in London, 3 beds as asked, has the garden they want, has the parking they want"),
        "{rows:?}"
    );
    assert!(rows[1].contains("12 Upper Street"), "{rows:?}");
    assert!(rows[1].contains("; no parking"), "{rows:?}");
    assert!(!app.dom_text("#listing-matches").await.contains("Kirkgate"));
    app.screens_at("contact-listing-matches", "#listing-matches-title")
        .await;

    // The listing's page names its buyer, and the link leads back to her.
    app.click("#listing-matches .matches__item:nth-child(2) a")
        .await;
    app.until_text("#listing-buyers", "Ada King").await;
    app.until_text("#listing-buyers", "has the garden they want; no parking")
        .await;
    app.screens_at("listing-buyers", "#listing-buyers-title")
        .await;

    // Today: both listings are new this week and fit her well enough to mention.
    app.goto("today").await;
    app.until_text("#today-matches", "New listings for your buyers")
        .await;
    app.until("both listings are suggested", || async {
        app.texts("#today-matches .suggestions__listing")
            .await
            .len()
            == 2
    })
    .await;
    app.screens_at("today-listing-suggestions", "#today-matches")
        .await;
    app.assert_phone_layout("Today with suggestions").await;
    // Hidden, the pair is gone and the other stays.
    app.click("#today-matches .suggestions__listing:first-child .suggestions__dismiss")
        .await;
    app.until("one suggestion is left", || async {
        app.texts("#today-matches .suggestions__listing")
            .await
            .len()
            == 1
    })
    .await;
    let left = app.dom_text("#today-matches").await;
    assert!(!left.contains("Kirkgate"), "{left}");

    // Her page from the suggestion, at phone size: nothing wider than the screen, every row
    // big enough to tap.
    app.click("#today-matches .suggestions__who").await;
    app.until_text("#listing-matches", "4 Canonbury Square")
        .await;
    app.assert_phone_layout("A buyer's listings that fit").await;
    app.close().await;
}
