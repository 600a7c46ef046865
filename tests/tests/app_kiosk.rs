//! Open-house sign-in in the real Tauri window, with no sync server at all (the basement): the
//! agent starts it from a listing with a PIN, the window becomes the visitors' form and nothing
//! else — links, a typed address and a reload all land back on it — two visitors sign in (one
//! already a contact, by her email), a wrong PIN is refused, the right one ends it, and the
//! visitors are contacts with the visit on the listing. Screenshots at both sizes.

mod app_support;

use app_support::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn visitors_sign_in_offline_and_only_the_pin_ends_it() {
    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.new_contact("Ada", "Lovelace", "ada@example.com").await;
    app.goto("listings").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.fill_listing("12 Elm Street", "Springfield", "US", "425000")
        .await;

    // The PIN is checked before anything locks.
    app.click("#kiosk-start").await;
    app.type_into("#kiosk-start-pin", "24").await;
    app.type_into("#kiosk-start-again", "24").await;
    app.click("#kiosk-start-submit").await;
    app.until_text("#kiosk-start-error", "4 to 8 digits").await;
    app.type_into("#kiosk-start-pin", "2468").await;
    app.type_into("#kiosk-start-again", "2469").await;
    app.click("#kiosk-start-submit").await;
    app.until_text("#kiosk-start-error", "differ").await;
    app.screens_at("kiosk-start", "#kiosk-start-form").await;
    app.type_into("#kiosk-start-again", "2468").await;
    app.click("#kiosk-start-submit").await;
    app.until_text("#kiosk-place", "12 Elm Street").await;
    assert!(
        !app.exists("#nav-today").await,
        "no navigation in sign-in mode"
    );
    app.until_text("#kiosk-consent-text", "12 Elm Street").await;
    app.screens("kiosk-form").await;

    // An empty form names what is missing, in the visitor's words.
    app.click("#kiosk-submit").await;
    app.until_text("#kiosk-given_name-error", "first name")
        .await;
    app.until_text("#kiosk-email-error", "email address or a phone number")
        .await;
    app.screens("kiosk-errors").await;

    app.type_into("#kiosk-given_name", "Maya").await;
    app.type_into("#kiosk-family_name", "Chen").await;
    app.type_into("#kiosk-email", "maya@example.com").await;
    app.type_into("#kiosk-note", "Three bedrooms near the park")
        .await;
    app.click("#kiosk-consent").await;
    app.click("#kiosk-submit").await;
    app.until_text("#kiosk-thanks", "Thank you, Maya!").await;
    app.until_text("#kiosk-count", "1 visitor").await;
    app.screens("kiosk-thanks").await;

    // Ada again, by her email in capitals: a visit on her record, not a second Ada.
    app.click("#kiosk-next").await;
    app.until_text("#kiosk-form", "Welcome").await;
    assert_eq!(
        app.value_of("#kiosk-given_name").await,
        "",
        "nothing of Maya's is left"
    );
    app.type_into("#kiosk-given_name", "Ada").await;
    app.type_into("#kiosk-email", "ADA@example.com").await;
    app.click("#kiosk-submit").await;
    app.until_text("#kiosk-thanks", "Welcome back").await;
    app.until_text("#kiosk-count", "2 visitors").await;

    // Nothing else is in reach: a typed address and a reload land on the form again.
    app.js("location.hash = '#/contacts'", vec![]).await;
    app.until("the hash is put back", || async {
        app.js("return location.hash", vec![])
            .await
            .as_str()
            .is_some_and(|hash| hash.ends_with("/sign-in"))
    })
    .await;
    assert!(app.exists("#kiosk").await);
    assert!(!app.exists("#contact-search").await);
    app.js("location.reload()", vec![]).await;
    app.until_text("#kiosk-place", "12 Elm Street").await;
    app.until_text("#kiosk-count", "2 visitors").await;

    // The agent ends it: a wrong PIN is refused, the right one goes back to the listing.
    app.click("#kiosk-end").await;
    app.type_into("#kiosk-pin", "0000").await;
    app.click("#kiosk-pin-submit").await;
    app.until_text("#kiosk-pin-error", "not right").await;
    app.screens("kiosk-pin").await;
    app.type_into("#kiosk-pin", "2468").await;
    app.click("#kiosk-pin-submit").await;
    app.until_text("#listing-address", "12 Elm Street").await;
    app.until_text("#listing-activity", "Maya Chen").await;
    app.until_text("#listing-activity", "Ada Lovelace").await;

    app.goto("contacts").await;
    app.until_text("#contact-rows", "Maya Chen").await;
    assert_eq!(
        app.texts("#contact-rows .contact-row__name-text")
            .await
            .len(),
        2,
        "Ada once, and Maya"
    );
    app.close().await;
}
