//! End-to-end tests of the real Tauri window: the built app binary, driven through
//! tauri-driver + WebKitWebDriver under a real X display (Xvfb in CI), against a real sync
//! server process. Screenshots of every screen land in the screenshot directory.

mod app_support;

use app_support::{App, Sync};
use fieldstone_tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_contact_is_created_edited_found_noted_and_booked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = create_account(tmp.path(), "agent@example.com");
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("today").await;
    app.until_text("#today-follow-ups", "all caught up").await;
    app.screens("today-empty").await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    app.screens("contacts-empty").await;

    // The engine's verdict lands next to the field; nothing is written.
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.type_into("#new-contact-emails-0-address", "ada@").await;
    app.click("#new-contact-save").await;
    app.until_text("#new-contact-emails-0-address-error", "email")
        .await;
    app.screens("new-contact-validation").await;
    app.press("\u{e00c}").await; // Escape closes the dialog.
    app.until_gone("#new-contact").await;

    app.new_contact("Ada", "Lovelace", "ada@example.com").await;
    // A new contact's timeline starts with the follow-up plan it got.
    app.until_text("#timeline", "Day 1 follow-up").await;
    app.until_text("#follow-up-plan", "Follow-up plan: 5 steps left")
        .await;

    // Edit: text where a number belongs is caught, then the engine's own rule, then saved.
    app.type_into("#contact-preferences-budget-min", "lots")
        .await;
    app.click("#contact-save").await;
    app.until_text("#contact-preferences-budget-min-error", "whole number")
        .await;
    app.type_into("#contact-preferences-budget-min", "700000")
        .await;
    app.type_into("#contact-preferences-budget-max", "500000")
        .await;
    app.type_into("#contact-time-zone", "America/Chicgo").await;
    app.click("#contact-save").await;
    app.until_text("#contact-time-zone-error", "not a time zone we know")
        .await;
    app.until_text(
        "#contact-preferences-budget-max-error",
        "at least the minimum",
    )
    .await;
    app.screens("contact-validation").await;
    app.screens_at("contact-time-zone", "#contact-time-zone")
        .await;
    app.type_into("#contact-preferences-budget-max", "900000")
        .await;
    app.type_into("#contact-time-zone", "America/Denver").await;
    app.type_into("#contact-family-name", "King").await;
    app.click("#contact-save").await;
    app.until_text("#contact-saved", "Saved").await;
    app.until_text("#contact-name", "Ada King").await;
    assert_eq!(app.value_of("#contact-time-zone").await, "America/Denver");

    // A note, then two showings at the same time: the second warns of the first.
    app.type_into(
        "#composer-body",
        "Wants a garden and a short walk to the station.",
    )
    .await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "Wants a garden").await;
    app.click("#composer-tab-booking").await;
    app.set_input("#composer-time", "10:00").await;
    app.type_into("#composer-title", "12 Elm Street").await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Booked").await;
    app.until_text("#timeline", "12 Elm Street").await;
    app.set_input("#composer-time", "10:30").await;
    app.until_text("#overlap-warning", "overlaps").await;
    app.until_text("#overlap-warning", "12 Elm Street").await;
    app.type_into("#composer-title", "3 Oak Lane").await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "overlaps another booking")
        .await;
    app.screens("contact").await;

    // The calendar shows both showings, marked as clashing; a third is warned about as it is
    // written in the calendar's own editor.
    app.goto("calendar").await;
    app.until_text("#week", "12 Elm Street").await;
    app.until_text("#week", "3 Oak Lane").await;
    assert_eq!(
        app.texts(".booking-chip--clash .booking-chip__title").await,
        ["12 Elm Street", "3 Oak Lane"]
    );
    app.click("#new-booking").await;
    app.wait_for("#booking-editor").await;
    let today = app
        .js(
            "return document.querySelector('.week__day--today').dataset.day",
            vec![],
        )
        .await;
    app.set_input("#booking-date", today.as_str().unwrap_or_default())
        .await;
    app.set_input("#booking-time", "10:15").await;
    app.type_into("#booking-title", "Valuation").await;
    app.until_text("#booking-overlap", "12 Elm Street").await;
    app.screens("calendar-overlap").await;
    app.click("#booking-save").await;
    app.until_text("#booking-overlap", "Saved").await;
    app.click("#booking-editor .dialog__header .icon-button")
        .await;
    app.until_gone("#booking-editor").await;
    app.until_text("#week", "Valuation").await;
    app.screens("calendar-week").await;
    app.click("#calendar-day").await;
    app.until_text("#day", "Valuation").await;
    app.screens("calendar-day").await;

    // Found by search, from anywhere with `/`.
    app.goto("contacts").await;
    app.new_contact("Grace", "Hopper", "grace@example.com")
        .await;
    app.goto("today").await;
    app.until_text("#today-bookings", "Valuation").await;
    app.until_text("#today-recent", "Grace Hopper").await;
    app.screens("today").await;
    app.press("/").await;
    app.until("the search box has focus", || async {
        app.js("return document.activeElement.id", vec![]).await == "contact-search"
    })
    .await;
    app.type_into("#contact-search", "ada").await;
    app.until("only Ada matches", || async {
        app.texts("#contact-rows .contact-row__name").await == ["Ada King"]
    })
    .await;
    app.type_into("#contact-search", "garden").await;
    app.until("notes are searched too", || async {
        app.texts("#contact-rows .contact-row__name").await == ["Ada King"]
    })
    .await;
    app.type_into("#contact-search", "").await;
    app.until("both listed", || async {
        app.texts("#contact-rows .contact-row__name").await.len() == 2
    })
    .await;
    app.screens("contacts").await;

    // The pipeline: drag Ada to the next stage with the mouse, Grace with a finger.
    app.goto("pipeline").await;
    app.until_text("#column-count-lead", "2").await;
    app.drag_to_stage("Ada King", "qualified").await;
    app.until_text("#column-count-qualified", "1").await;
    app.until_text("#column-count-lead", "1").await;
    let grace_grip = format!(
        "#column-lead .kanban-card[data-contact-id='{}'] .kanban-card__grip",
        app.card_id("Grace Hopper").await
    );
    app.touch_drag(&grace_grip, "#column-showing").await;
    app.until_text("#column-showing", "Grace Hopper").await;
    app.until_text("#column-count-lead", "0").await;
    app.screens("pipeline").await;
    // The move is the engine's, not just the board's: the contact says so.
    app.goto("contacts").await;
    app.type_into("#contact-search", "ada").await;
    app.until_text("#contact-rows .stage-pill", "Qualified")
        .await;
    app.close().await;
}
