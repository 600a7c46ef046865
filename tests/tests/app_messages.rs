//! Emails and texts from the contact's composer, in the real window against a real server
//! process (with no mail relay configured, so a message the server has stays "Waits to be
//! sent"): the model's verdict under each field before anything is queued, drafts kept across
//! tabs, the text's live length, messages on the timeline with their status chip, one withdrawn
//! from the timeline and one undone from the composer, one written offline that "waits for a
//! connection", the consent per channel in the header and the warning before writing to a
//! contact who said no; with no AI provider, Draft with AI's labelled template and Enhance's
//! before and after. Screenshots of the Email and Text tabs, the timeline, the warning, the draft
//! preview and the before and after at 1280×800 and 390×844, each checked at phone width.

mod app_support;

use app_support::{App, Sync};
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn emails_and_texts_are_written_queued_withdrawn_and_warned_about() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let token = org.device_token(AGENT, "laptop");
    let server = ServerProcess::start(&server_dir, &format!("127.0.0.1:{}", free_port()));
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;

    // Ada, with an email address and a phone; she was never asked about consent.
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
    app.until_text(
        "#contact-consent [data-channel='email']",
        "Email: not asked",
    )
    .await;
    app.until_text("#contact-consent [data-channel='sms']", "Texts: not asked")
        .await;

    // The Email tab writes to her address; an empty or bad message is refused on the device,
    // each field saying what is wrong, and nothing is queued.
    app.click("#composer-tab-email").await;
    assert_eq!(app.value_of("#composer-email-to").await, "ada@example.com");
    app.until_text("#composer-submit", "Send email").await;
    app.click("#composer-submit").await;
    app.until_text("#composer-subject-error", "subject").await;
    app.until_text("#composer-email-body-error", "message")
        .await;
    app.type_into("#composer-email-to", "ada.example.com").await;
    app.type_into("#composer-subject", "Three homes for you")
        .await;
    app.click("#composer-submit").await;
    app.wait_for("#composer-email-to-error").await;
    assert!(
        !app.exists("#composer-subject-error").await,
        "a field fixed loses its message"
    );
    assert!(
        !app.exists("#timeline [data-kind='message']").await,
        "nothing was queued"
    );

    // She has a work address too, added under Details: the Email tab offers both, a tap each.
    app.js(
        "Array.from(document.querySelectorAll('#contact-form button'))
           .find(b => b.textContent.includes('Add an email')).click()",
        vec![],
    )
    .await;
    app.type_into("#contact-emails-1-address", "ada@work.example")
        .await;
    app.click("#contact-save").await;
    app.wait_for("#contact-saved").await;
    app.wait_for("#composer-email-to-picks [data-to='ada@work.example']")
        .await;
    app.click("#composer-email-to-picks [data-to='ada@example.com']")
        .await;
    assert_eq!(app.value_of("#composer-email-to").await, "ada@example.com");
    assert!(
        !app.exists("#composer-email-to-error").await,
        "an address picked loses the message"
    );

    // Drafts stay while another tab is shown.
    app.type_into(
        "#composer-email-body",
        "Hi Ada, three homes with gardens came up this week. Shall we see them on Saturday?",
    )
    .await;
    app.click("#composer-tab-text").await;
    assert_eq!(app.value_of("#composer-sms-to").await, "+1 (415) 555-0100");
    app.type_into(
        "#composer-sms-body",
        "Hi Ada, running 10 minutes late. See you at 5.",
    )
    .await;
    app.until_text("#composer-sms-count", "46 / 1,600 characters · 1 segment")
        .await;
    app.until_text("#composer-submit", "Send text").await;
    app.screens("contact-composer-text").await;
    app.click("#composer-tab-email").await;
    assert_eq!(
        app.value_of("#composer-subject").await,
        "Three homes for you"
    );
    app.screens("contact-composer-email").await;
    app.assert_phone_layout("contact, Email tab").await;

    // Sent: queued on the device, on the timeline, and synced; with no relay on this server it
    // stays waiting to be sent.
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Email queued").await;
    assert_eq!(app.value_of("#composer-subject").await, "");
    app.until(
        "the email is on the timeline, waiting to be sent",
        || async {
            app.message_chips().await == [("queued".to_owned(), "Waits to be sent".to_owned())]
        },
    )
    .await;
    app.until_text("#timeline", "Email to ada@example.com")
        .await;
    app.until_text("#timeline", "Three homes for you").await;

    // A second one, withdrawn while it waits.
    app.type_into("#composer-subject", "Saturday").await;
    app.type_into(
        "#composer-email-body",
        "Or Sunday, if that suits you better.",
    )
    .await;
    app.click("#composer-submit").await;
    app.until("two emails on the timeline", || async {
        app.message_chips().await.len() == 2
    })
    .await;
    app.click("#timeline [data-kind='message'] .message-withdraw")
        .await;
    app.until("the newest is withdrawn", || async {
        app.message_chips()
            .await
            .first()
            .map(|(key, text)| (key.as_str(), text.as_str()))
            == Some(("withdrawn", "Withdrawn"))
    })
    .await;
    assert_eq!(
        app.texts("#timeline [data-status='withdrawn'] .message-withdraw")
            .await
            .len(),
        0,
        "a withdrawn message offers nothing more to withdraw"
    );

    // Opened: what the provider reported (nothing yet).
    app.click("#timeline [data-status='queued'] .message-toggle")
        .await;
    app.until_text(".message-details", "Nothing reported by the provider yet")
        .await;

    // The server goes away: a message written now waits for a connection.
    server.kill();
    app.until_synced("offline").await;
    app.click("#composer-tab-text").await;
    app.until_text("#composer-submit", "Send text when online")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Text queued").await;
    // Taken back at once from beside the sentence that said it was queued.
    app.click("#composer-undo").await;
    app.until_text("#composer-message", "Withdrawn: it will not be sent.")
        .await;
    app.until_gone("#composer-undo").await;
    app.type_into(
        "#composer-sms-body",
        "Hi Ada, running 10 minutes late. See you at 5.",
    )
    .await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Text queued").await;
    // The email the server already has still waits to be sent by it, not for a connection.
    app.until("the text waits for a connection", || async {
        let pairs = app.message_chips().await;
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(key, text)| (key.as_str(), text.as_str()))
            .collect();
        pairs
            == [
                ("queued", "Waits for a connection"),
                ("withdrawn", "Withdrawn"),
                ("withdrawn", "Withdrawn"),
                ("queued", "Waits to be sent"),
            ]
    })
    .await;
    app.until_text("#timeline", "Text to +1 (415) 555-0100")
        .await;
    app.timeline_screens("contact-messages-timeline").await;
    app.assert_phone_layout("contact, timeline with messages")
        .await;

    // Bea has an email address only, and said no to email: the Text tab has nothing to write
    // to, and the Email tab warns before anything is written, with the reason the server
    // would give, and the button says what will happen.
    app.goto("contacts").await;
    app.new_contact("Bea", "Lowe", "bea@example.com").await;
    app.click("#composer-tab-text").await;
    app.until_text("#composer-text-empty", "Bea Lowe has no phone number yet.")
        .await;
    assert!(!app.exists("#composer-submit").await, "nothing to send");
    // The editor scrolls beside the timeline: set the choice as the select would.
    app.set_input("#contact-consent-email-status", "denied")
        .await;
    app.type_into(
        "#contact-consent-email-source",
        "Asked not to be emailed at the open house",
    )
    .await;
    app.click("#contact-save").await;
    app.wait_for("#contact-saved").await;
    app.until_text("#contact-consent [data-channel='email']", "Email: refused")
        .await;
    app.click("#composer-tab-email").await;
    app.until_text(
        "#composer-consent-warning",
        "The contact said no to email (Asked not to be emailed at the open house).",
    )
    .await;
    app.until_text("#composer-submit", "it will be refused")
        .await;
    app.screens("contact-consent-warning").await;
    app.assert_phone_layout("contact, consent warning").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn the_template_fallback_is_labelled_and_enhance_shows_before_and_after() {
    // A real server with no AI provider: a draft is the labelled template, never "AI draft",
    // and an enhanced text comes back unchanged with the reason.
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let token = org.device_token(AGENT, "laptop");
    let server = ServerProcess::start(&server_dir, &format!("127.0.0.1:{}", free_port()));
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;

    // Draft with AI: Day 1 unless chosen; the instructions are counted.
    app.click("#composer-tab-email").await;
    assert_eq!(app.value_of("#composer-draft-kind").await, "day_1");
    app.set_input("#composer-draft-kind", "day_3").await;
    app.type_into(
        "#composer-draft-instructions",
        "Mention the open house on Saturday",
    )
    .await;
    app.until_text("#composer-draft-count", "34 / 500 characters")
        .await;
    app.click("#composer-draft-ask").await;
    app.until_text("#composer-draft-label", "Template").await;
    app.until_text("#composer-draft-notice", "this is a template")
        .await;
    assert!(
        !app.texts("#composer-draft-preview")
            .await
            .concat()
            .contains("AI draft"),
        "a template is never presented as AI"
    );
    assert!(!app.value_of("#composer-subject").await.is_empty());
    assert!(app.value_of("#composer-email-body").await.contains("Ada"));
    // A preview, not sent: nothing on the timeline, and it can be edited.
    assert!(!app.exists("#timeline [data-kind='message']").await);
    app.type_into("#composer-subject", "Saturday's open house")
        .await;
    assert_eq!(
        app.value_of("#composer-subject").await,
        "Saturday's open house"
    );
    app.screens_at("contact-draft-template", "#composer-draft-preview")
        .await;
    app.assert_phone_layout("contact, draft preview").await;

    // Enhance: before and after side by side, Keep mine leaves the text as written.
    app.type_into(
        "#composer-email-body",
        "hi ada, the house on elm st is still free sat.",
    )
    .await;
    app.set_input("#composer-enhance-tone-email", "friendly")
        .await;
    app.click("#composer-enhance-ask-email").await;
    app.wait_for("#composer-enhance-compare").await;
    app.until_text("#composer-enhance-notice", "your text is unchanged")
        .await;
    app.until_text(
        "#composer-enhance-before",
        "hi ada, the house on elm st is still free sat.",
    )
    .await;
    app.screens_at("contact-enhance-compare", "#composer-enhance-compare")
        .await;
    app.assert_phone_layout("contact, enhance before and after")
        .await;
    app.click("#composer-enhance-keep").await;
    app.until_gone("#composer-enhance-compare").await;
    assert_eq!(
        app.value_of("#composer-email-body").await,
        "hi ada, the house on elm st is still free sat."
    );
    app.close().await;
}
