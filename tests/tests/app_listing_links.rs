//! A listing and the people around it, in the real window: a call logged "about" a home from the
//! contact's Log call dialog shows on the listing's page under Showings and calls, naming who it
//! was with; the listing is deleted, the list is empty with Undo offered, and Undo brings it back
//! with what was logged about it; the status chips count their listings.

mod app_support;

use app_support::{App, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_call_about_a_home_shows_on_it_and_a_deleted_listing_is_undone() {
    let app = App::launch(None).await;
    app.goto("listings").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.fill_listing("12 Elm Street", "Springfield", "US", "425000")
        .await;
    app.until_text("#listing-activity-title", "Showings and calls")
        .await;
    app.until_text(".page--listing", "Nothing yet").await;
    let listing = app
        .js(
            "return document.querySelector('.page--listing').dataset.listingId",
            vec![],
        )
        .await;
    let listing = listing
        .as_str()
        .expect("the page names its listing")
        .to_owned();

    // The call is about the home: chosen in the Log call dialog.
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.click(".detail-head [data-action='log']").await;
    app.wait_for("#log-touch-listing").await;
    app.until("the dialog offers the listing", || async {
        app.texts("#log-touch-listing option")
            .await
            .iter()
            .any(|o| o.contains("12 Elm Street, Springfield"))
    })
    .await;
    app.select("#log-touch-listing", &listing).await;
    app.set_input("#log-touch-summary", "Asked about the roof")
        .await;
    app.click("#log-touch-save").await;
    app.until_gone("#log-touch").await;
    app.until_text("#timeline", "Asked about the roof").await;

    // On the listing's page, with her name linking back to her.
    app.js(
        "location.hash = '#/listings/' + arguments[0]",
        vec![listing.clone().into()],
    )
    .await;
    app.until_text("#listing-activity", "Ada King: Asked about the roof")
        .await;
    app.until_text("#listing-activity", "Phone call · Today")
        .await;
    app.screens_at("listing-activity", "#listing-activity-title")
        .await;

    // Deleted: back to an empty list with Undo; Undo opens it again, activity and all.
    app.click("#listing-delete").await;
    app.until_text("#undo-toast", "12 Elm Street deleted.")
        .await;
    app.wait_for("#listings-empty").await;
    app.resize(PHONE).await;
    app.screenshot("listing-deleted-undo-phone.png").await;
    app.click("#undo-delete").await;
    app.until_text("#listing-address", "12 Elm Street").await;
    app.until_gone("#undo-toast").await;
    app.until_text("#listing-activity", "Asked about the roof")
        .await;

    // The status chips count what they would show.
    app.goto("listings").await;
    app.until_text("#listing-status-all", "1").await;
    app.until_text("#listing-status-active", "Active1").await;
    app.until_text("#listing-status-sold", "Sold0").await;
    app.screenshot("listings-counts-phone.png").await;
    app.close().await;
}
