//! The phone layout, checked on every screen in the real window at 390 × 844: the document is
//! never wider than the viewport and no interactive element is smaller than 44 × 44 px
//! (measured from the DOM; the offenders are named when it fails). Screens are shown with
//! something on them: a contact with a phone and a task, a booking, a listing.

mod app_support;

use app_support::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn every_screen_fits_a_phone_with_targets_a_finger_can_hit() {
    let app = App::launch(None).await;
    let mut problems: Vec<String> = Vec::new();

    // Empty screens first (a first run).
    for section in [
        "today", "contacts", "pipeline", "calendar", "listings", "settings",
    ] {
        app.goto(section).await;
        app.wait_for(".page").await;
        problems.extend(app.phone_layout(&format!("{section} (empty)")).await);
    }

    // Something to show.
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    problems.extend(app.phone_layout("the new-contact dialog").await);
    app.type_into("#new-contact-given-name", "Maximilian-Alexander")
        .await;
    app.type_into("#new-contact-family-name", "Featherstonehaugh-Worthington")
        .await;
    app.type_into(
        "#new-contact-emails-0-address",
        "maximilian.alexander.featherstonehaugh@example-brokerage.com",
    )
    .await;
    app.type_into("#new-contact-phones-0-number", "+852 (2) 9123-4567 00")
        .await;
    app.click("#new-contact-save").await;
    app.wait_for("#contact-name").await;
    app.click("#composer-tab-task").await;
    app.type_into(
        "#composer-title",
        "Send the comparables for the harbour flats",
    )
    .await;
    app.click("#composer-submit").await;
    app.until_text("#contact-next-task", "comparables").await;
    problems.extend(app.phone_layout("the contact (activity)").await);
    app.click("#contact-score summary").await;
    problems.extend(app.phone_layout("the contact's score explained").await);
    app.click("#contact-score summary").await;
    app.click(".detail-head [data-action='log']").await;
    app.wait_for("#log-touch").await;
    problems.extend(app.phone_layout("the log-a-call dialog").await);
    app.click("#log-touch .button--ghost").await;
    app.until_gone("#log-touch").await;
    app.resize(app_support::PHONE).await;
    app.click("#detail-tab-details").await;
    problems.extend(app.phone_layout("the contact (details)").await);

    app.resize(app_support::DESKTOP).await;

    // A booking today (from the contact's composer), then the calendar's views and editor.
    app.click("#composer-tab-booking").await;
    app.set_input("#composer-time", "10:00").await;
    app.type_into("#composer-title", "Harbour View Mansions, Flat 12B viewing")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Booked").await;
    app.goto("calendar").await;
    app.until_text("#week", "Harbour View").await;
    problems.extend(app.phone_layout("the calendar (week)").await);
    app.click("#calendar-day").await;
    app.until_text("#day", "Harbour View").await;
    problems.extend(app.phone_layout("the calendar (day)").await);
    app.click("#new-booking").await;
    app.wait_for("#booking-editor").await;
    problems.extend(app.phone_layout("the booking editor").await);
    app.click("#booking-editor .dialog__header .icon-button")
        .await;
    app.until_gone("#booking-editor").await;

    // A listing.
    app.goto("listings").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    problems.extend(app.phone_layout("the listing editor").await);
    app.fill_listing(
        "Flat 12B, Harbour View Mansions, 38 Gloucester Road",
        "Hong Kong",
        "HK",
        "8500000",
    )
    .await;
    problems.extend(app.phone_layout("the listing").await);

    // Every section again, with something on it.
    for section in ["today", "contacts", "pipeline", "listings", "settings"] {
        app.goto(section).await;
        app.wait_for(".page").await;
        problems.extend(app.phone_layout(section).await);
    }
    app.goto("contacts").await;
    app.click("#import-button").await;
    app.wait_for(".dialog").await;
    problems.extend(app.phone_layout("the import dialog").await);
    app.close().await;
    assert!(
        problems.is_empty(),
        "at 390 × 844, {} problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}
