//! Tasks from Today, in the real window: Add task (with whom it is about) puts a follow-up on
//! the day's list, an empty title is refused with the engine's sentence, Edit renames it, and
//! moving it to another day takes it off Today.

mod app_support;

use app_support::{App, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_task_is_added_edited_and_moved_from_today() {
    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.goto("today").await;

    // Added, about Ada; an empty title first.
    app.click("#today-add-task").await;
    app.wait_for("#task-dialog").await;
    app.click("#task-save").await;
    app.until_text("#task-title-error", "Enter a title").await;
    app.type_into("#task-title", "Send the CMA").await;
    app.type_into("#task-about-search", "Ada").await;
    app.click("#task-about .picker__match").await;
    app.until_text("#task-about .picker__chosen", "Ada King")
        .await;
    app.screens("today-task-dialog").await;
    app.resize(PHONE).await;
    app.assert_phone_layout("the task dialog").await;
    app.resize(app_support::DESKTOP).await;
    app.click("#task-save").await;
    app.until_gone("#task-dialog").await;
    app.until_text("#today-message", "Task added.").await;
    app.until_text("#today-follow-ups", "Send the CMA").await;
    // About Ada: the title links to her.
    let href = app
        .js(
            "return document.querySelector('#today-follow-ups a.today-task__title').getAttribute('href')",
            vec![],
        )
        .await;
    assert!(
        href.as_str().is_some_and(|h| h.starts_with("#/contacts/")),
        "{href}"
    );

    // Edited: a new title.
    app.click("#today-follow-ups [data-task-action='edit']")
        .await;
    app.wait_for("#task-dialog").await;
    assert_eq!(app.value_of("#task-title").await, "Send the CMA");
    app.set_input("#task-title", "Send the CMA and comps").await;
    app.click("#task-save").await;
    app.until_gone("#task-dialog").await;
    app.until_text("#today-message", "Task saved.").await;
    app.until_text("#today-follow-ups", "Send the CMA and comps")
        .await;

    // Moved to next week: off Today.
    app.click("#today-follow-ups [data-task-action='edit']")
        .await;
    app.wait_for("#task-dialog").await;
    let next_week = (chrono::Local::now().date_naive() + chrono::Duration::days(7)).to_string();
    app.set_input("#task-due-day", &next_week).await;
    app.click("#task-save").await;
    app.until_gone("#task-dialog").await;
    app.until("the task left Today", || async {
        !app.dom_text("#today-follow-ups")
            .await
            .contains("Send the CMA")
    })
    .await;
    app.until_text("#today-follow-ups", "No follow-ups due")
        .await;
    app.close().await;
}
