//! The contact as an action hub, in the real window: Call, Text, WhatsApp and Email hand their
//! links to the OS through the opener plugin (a handler the test installs as the OS default
//! writes down what it received), a call started from the app is offered to be logged and lands
//! on the timeline and as the last touch, and the header names the next task and the score's
//! reasons. The same buttons sit on contact rows and Today's people.

mod app_support;

use app_support::{App, PHONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_call_started_from_the_contact_reaches_the_os_and_is_logged() {
    let app = App::launch(None).await;
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.type_into("#new-contact-given-name", "Ada").await;
    app.type_into("#new-contact-family-name", "King").await;
    app.type_into("#new-contact-emails-0-address", "ada@example.com")
        .await;
    app.type_into("#new-contact-phones-0-number", "+1 (415) 555-0100")
        .await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", "Ada King").await;

    // The header: the top bar names her, she was never contacted, and the first step of her
    // follow-up plan is next.
    app.until_text("#page-title", "Ada King").await;
    app.until_text("#contact-last-touch", "Never contacted")
        .await;
    app.until_text("#contact-next-task", "Day 1 follow-up")
        .await;
    app.until_text("#contact-phone", "+1 (415) 555-0100").await;
    app.until_text("#contact-score summary", "/ 100 ·").await;
    app.click("#contact-score summary").await;
    // Seed 001's rule score, a line per point, and which score is shown (issue 15).
    app.until_text("#contact-score", "Phone on file").await;
    app.until_text("#contact-score-which", "Rule score —").await;
    app.screens("contact-header").await;
    app.click("#contact-score summary").await;

    // Call: the OS gets the dial string; the app asks to log it.
    app.click(".detail-head [data-action='call']").await;
    app.until_text("#log-touch", "Log this call?").await;
    app.until("the OS received the call link", || async {
        app.opened_links().contains(&"tel:+14155550100".to_owned())
    })
    .await;
    app.click("#log-touch [data-outcome='Left voicemail']")
        .await;
    app.type_into("#log-touch-minutes", "2").await;
    app.screens("log-call").await;
    app.click("#log-touch-save").await;
    app.until_gone("#log-touch").await;
    app.until_text("#timeline", "Called Ada King").await;
    app.until_text("#timeline", "Left voicemail").await;
    app.until("the header shows the touch", || async {
        !app.dom_text("#contact-last-touch").await.contains("Never")
    })
    .await;

    // Text, WhatsApp and Email: each its own link; "Not now" logs nothing.
    for (action, link) in [
        ("text", "sms:+14155550100"),
        ("whatsapp", "https://wa.me/14155550100"),
        ("email", "mailto:ada@example.com"),
    ] {
        app.click(&format!(".detail-head [data-action='{action}']"))
            .await;
        app.wait_for("#log-touch").await;
        app.until(&format!("the OS received {link}"), || async {
            app.opened_links().contains(&link.to_owned())
        })
        .await;
        app.click("#log-touch .button--ghost").await;
        app.until_gone("#log-touch").await;
    }
    let calls_logged = app
        .texts("#timeline .timeline__entry[data-kind='interaction']")
        .await
        .len();
    assert_eq!(
        calls_logged, 1,
        "only the call was logged: the dismissed prompts wrote nothing"
    );

    // Log call without calling: an empty summary is refused with a sentence.
    app.click(".detail-head [data-action='log']").await;
    app.wait_for("#log-touch").await;
    app.set_input("#log-touch-summary", "").await;
    app.click("#log-touch-save").await;
    app.until_text("#log-touch-error", "Write a line").await;
    app.type_into("#log-touch-summary", "Met at the open house")
        .await;
    app.click("#log-touch [data-channel='text']").await;
    app.click("#log-touch-save").await;
    app.until_gone("#log-touch").await;
    app.until_text("#timeline", "Met at the open house").await;

    // A task makes the next step show in the header.
    app.click("#composer-tab-task").await;
    app.type_into("#composer-title", "Send the CMA").await;
    app.click("#composer-submit").await;
    app.until_text("#contact-next-task", "Send the CMA").await;

    // Deleted, then undone: she is back with everything logged.
    app.click("#contact-delete").await;
    app.until_text("#undo-toast", "Ada King deleted.").await;
    app.wait_for("#contacts-empty").await;
    app.screens("contact-deleted-undo").await;
    app.click("#undo-delete").await;
    app.until_text("#contact-name", "Ada King").await;
    app.until_gone("#undo-toast").await;
    app.until_text("#timeline", "Called Ada King").await;

    // The same buttons on the contact's row; at phone width they are full-size targets.
    app.goto("contacts").await;
    app.wait_for("#contact-rows [data-action='call']").await;
    app.click("#contact-rows [data-action='call']").await;
    app.until_text("#log-touch", "Log this call?").await;
    app.click("#log-touch .button--ghost").await;
    app.until_gone("#log-touch").await;
    assert!(
        app.client
            .current_url()
            .await
            .expect("url")
            .fragment()
            .is_some_and(|f| f.starts_with("/contacts")),
        "a button on a row does not open the contact"
    );
    app.resize(PHONE).await;
    let sizes = app
        .js(
            "return [...document.querySelectorAll('#contact-rows .action-button')]\
             .map(b => { const r = b.getBoundingClientRect(); return [r.width, r.height]; })",
            vec![],
        )
        .await;
    let sizes = sizes.as_array().expect("sizes");
    assert!(!sizes.is_empty(), "the row has its buttons at phone width");
    for size in sizes {
        let (w, h) = (
            size[0].as_f64().unwrap_or(0.0),
            size[1].as_f64().unwrap_or(0.0),
        );
        assert!(
            w >= 44.0 && h >= 44.0,
            "a row button is {w}×{h} px at phone width"
        );
    }
    app.screenshot("contacts-actions-phone.png").await;
    app.close().await;
}
