//! The agent's day in the real window: Today leads a first run with the import, then is the
//! call list (who to call now, new leads, follow-ups moved to tomorrow or skipped right there,
//! what happened lately); the pipeline shows each stage's value and, on a phone, moves a card
//! with "Move to…" instead of a drag; the calendar draws overlapping bookings side by side.

mod app_support;

use app_support::{App, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn today_is_the_call_list_and_the_pipeline_moves_on_a_phone() {
    let app = App::launch(None).await;
    app.goto("today").await;
    app.until_text("#today-first-run", "Import your contacts")
        .await;
    app.screens("today-first-run").await;

    // Two people: one with a budget and a follow-up due today.
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.type_into("#contact-preferences-budget-max", "650000")
        .await;
    app.click("#contact-save").await;
    app.until_text("#contact-saved", "Saved").await;
    app.click("#composer-tab-task").await;
    app.type_into("#composer-title", "Call about the offer")
        .await;
    // Early today: on Today whatever the hour the test runs (due, or overdue).
    app.set_input("#composer-time", "00:05").await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "Call about the offer").await;
    app.goto("contacts").await;
    app.new_contact("Bo", "Chen", "bo@example.com").await;
    app.type_into("#composer-body", "Prefers texts after six.")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "Prefers texts").await;
    // Bo has been called: a new lead, but no longer one to call first.
    app.click(".detail-head [data-action='log']").await;
    app.wait_for("#log-touch").await;
    app.click("#log-touch-save").await;
    app.until_gone("#log-touch").await;

    app.goto("today").await;
    app.until_gone("#today-first-run").await;
    app.until_text("#today-call-now", "never contacted").await;
    app.until_text("#today-call-now", "Ada King").await;
    app.until_text("#today-new-leads", "Bo Chen").await;
    assert!(
        !app.dom_text("#today-new-leads").await.contains("Ada King"),
        "each person shows once on Today"
    );
    app.until_text("#today-recent", "Note added to Bo Chen")
        .await;
    app.until_text("#today-recent", "Ada King added").await;
    assert!(
        app.exists("#today-call-now [data-action='email']").await,
        "the call list carries the action buttons"
    );
    app.screens("today-call-list").await;

    // The follow-up moves to tomorrow from Today, and leaves today's list.
    app.until_text("#today-follow-ups", "Call about the offer")
        .await;
    app.click("#today-follow-ups [data-task-action='tomorrow']")
        .await;
    app.until_text("#today-message", "Moved to tomorrow").await;
    app.until_text("#today-follow-ups", "all caught up").await;

    // The pipeline: each column's count and value; on a phone, tabs and Move to….
    app.goto("pipeline").await;
    app.until_text("#column-value-lead", "650k in budgets")
        .await;
    app.screens("pipeline-values").await;
    app.resize(PHONE).await;
    app.until_text("#stage-tab-lead", "2").await;
    let ada = app.card_id("Ada King").await;
    app.select(&format!("[data-move='{ada}']"), "showing").await;
    app.until_text("#column-count-showing", "1").await;
    app.until_text("#column-value-showing", "650k in budgets")
        .await;
    app.click("#stage-tab-showing").await;
    app.until_text("#column-showing", "Ada King").await;
    app.until_text("#column-showing", "moved here today").await;
    app.screenshot("pipeline-move-to-phone.png").await;
    app.assert_phone_layout("the pipeline with cards").await;
    // Stored: the contact says so after a reload of the screen.
    app.goto("contacts").await;
    app.goto("pipeline").await;
    app.until_text("#column-count-showing", "1").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_booking_is_with_a_client_about_a_home_and_shows_where_to_go() {
    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.goto("listings").await;
    app.click("#new-listing-button").await;
    app.wait_for("#listing-editor").await;
    app.fill_listing("12 Elm Street", "Springfield", "US", "425000")
        .await;

    // Booked from the calendar, with Ada (found by typing) and about the listing.
    app.goto("calendar").await;
    app.click("#new-booking").await;
    app.wait_for("#booking-editor").await;
    app.select("#booking-kind", "inspection").await;
    app.type_into("#booking-title", "Inspection with Ada").await;
    // Early today: on Today whatever the hour the test runs.
    app.set_input("#booking-time", "00:30").await;
    app.type_into("#booking-with-search", "ada").await;
    app.click("#booking-with .picker__match").await;
    app.until_text("#booking-with .picker__chosen", "Ada King")
        .await;
    app.until("the listing can be chosen", || async {
        app.exists("#booking-listing option:nth-child(2)").await
    })
    .await;
    let listing = app
        .js(
            "return document.querySelector('#booking-listing option:nth-child(2)').value",
            vec![],
        )
        .await;
    app.select("#booking-listing", listing.as_str().unwrap_or_default())
        .await;
    app.screens_at("booking-with-listing", "#booking-with")
        .await;
    app.click("#booking-save").await;
    app.until_gone("#booking-editor").await;
    app.until_text("#week", "with Ada King").await;
    app.until_text("#week", "12 Elm Street, Springfield").await;
    app.screens("calendar-grid").await;

    // Today names who and where, and gives directions through the OS.
    app.goto("today").await;
    app.until_text("#today-bookings", "with Ada King").await;
    app.until_text("#today-bookings", "12 Elm Street, Springfield")
        .await;
    app.click("#today-bookings .today-booking__directions")
        .await;
    app.until("the maps link reached the OS", || async {
        app.opened_links().iter().any(|l| {
            l == "https://www.google.com/maps/dir/?api=1&destination=12%20Elm%20Street%2C%20Springfield"
        })
    })
    .await;
    app.screens("today-booking").await;
    // And it is on her timeline.
    app.click("#today-bookings .today-booking__link").await;
    app.until_text("#contact-name", "Ada King").await;
    app.until_text("#timeline", "Inspection with Ada").await;
    app.close().await;
}
