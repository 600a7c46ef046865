//! The follow-up plan and Ready to send, in the real window against a server with a mail relay
//! (a real SMTP server). The admin's plan (Day 1 at once, then Week 1) reaches the agent's app;
//! a contact typed in gets it; the agent turns it off and on, and finishes a step with a note
//! from the timeline. The server drafts the Day 1 email when it falls due (the labelled
//! template: no AI on this server); Today shows it Ready to send; the agent edits and sends it
//! and the relay receives it once. Screenshots of each at both sizes.

mod app_support;

use app_support::{App, Sync};
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";
const ADMIN: &str = "admin@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_contacts_plan_is_drafted_when_due_and_sent_from_today() {
    let smtp = fieldstone_tests::smtp::SmtpSink::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    org.user(ADMIN, "admin", None);
    let token = org.device_token(AGENT, "laptop");
    let admin = org.device_token(ADMIN, "office");
    let port = free_port();
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            r#"secret_key = "{secret}"

[http]
public_url = "http://127.0.0.1:{port}"

[email]
smtp_url = "{smtp}"
from = "crm@harbour.test"
poll_ms = 200
"#,
            secret = "c2VydmVyIHNlY3JldCBmb3IgdGhlIHdpbmRvdyBmb2xsb3ctdXBz",
            smtp = smtp.url(),
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );
    // The admin's plan: Day 1 the moment a contact is added, Week 1 a week later.
    let answer = reqwest::Client::new()
        .put(format!("{}/v2/org/settings/follow-up", server.url))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"steps": [
            {"kind": "day_1", "offset_days": 0, "priority": "high"},
            {"kind": "week_1", "offset_days": 7, "priority": "medium"}
        ]}))
        .send()
        .await
        .expect("set the plan");
    assert!(answer.status().is_success(), "{answer:?}");

    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    // The plan as the agent reads it: the admin's, not to be changed here.
    app.goto("settings").await;
    app.until_text("#settings-follow-up", "Only an admin can change the plan")
        .await;
    app.until("the admin's plan shows", || async {
        app.js(
            "return document.querySelector('#follow-up-week_1-days')?.value ?? ''",
            vec![],
        )
        .await
        .as_str()
            == Some("7")
    })
    .await;
    app.screens_at("settings-follow-ups", "#settings-follow-up")
        .await;
    app.assert_phone_layout("settings, follow-ups").await;

    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.until_text("#follow-up-plan", "Follow-up plan: 2 steps left")
        .await;
    app.click("#follow-up-stop").await;
    app.until_text("#follow-up-plan", "No follow-up plan running")
        .await;
    app.click("#follow-up-start").await;
    app.until_text("#follow-up-plan", "Follow-up plan: 2 steps left")
        .await;
    // Week 1 finished from the timeline with what happened.
    app.until("the plan's steps are on the timeline", || async {
        app.dom_text("#timeline").await.contains("Week 1 follow-up")
    })
    .await;
    app.js(
        "Array.from(document.querySelectorAll('#timeline [data-kind=\"task\"]'))
           .find(e => e.textContent.includes('Week 1 follow-up'))
           .querySelector('[data-task-action=\"edit\"]').click()",
        vec![],
    )
    .await;
    app.wait_for("#task-dialog").await;
    app.type_into("#task-note", "Met at the office; she will call back")
        .await;
    app.screens_at("task-finish", "#task-dialog").await;
    app.assert_phone_layout("the task dialog, finishing").await;
    app.click("#task-complete").await;
    app.until_gone("#task-dialog").await;
    app.until_text(
        "#timeline",
        "Week 1 follow-up (Completed): Met at the office",
    )
    .await;
    app.screens_at("contact-follow-up-plan", "#follow-up-plan")
        .await;

    // Day 1 fell due when she was added (the plan started again at once): the server drafts
    // it, and Today has it Ready to send.
    app.goto("today").await;
    app.until("the draft is Ready to send", || async {
        app.dom_text("#today-ready-to-send")
            .await
            .contains("Great to meet you, Ada")
    })
    .await;
    app.until_text("#today-ready-to-send", "To ada@example.com")
        .await;
    app.until_text("#today-ready-to-send", "this is a template")
        .await;
    app.screens_at("today-ready-to-send", "#today-ready-to-send")
        .await;
    app.assert_phone_layout("today, ready to send").await;
    let drafts = app
        .js(
            "return document.querySelectorAll('#today-ready-to-send .ready-draft').length",
            vec![],
        )
        .await;
    assert_eq!(
        drafts.as_u64(),
        Some(1),
        "one draft: Day 1 of the restarted plan"
    );
    app.click("#today-ready-to-send [data-draft-action='review']")
        .await;
    app.wait_for("#draft-dialog").await;
    app.until("the draft's text is read", || async {
        app.value_of("#draft-body").await.contains("Ada")
    })
    .await;
    app.set_input("#draft-subject", "").await;
    app.type_into("#draft-subject", "Lovely to meet you, Ada")
        .await;
    app.screens_at("today-draft-review", "#draft-dialog").await;
    app.assert_phone_layout("the draft review dialog").await;
    app.click("#draft-send").await;
    app.until_gone("#draft-dialog").await;
    app.until_text("#today-message", "Follow-up sent").await;
    app.until_gone("#today-ready-to-send").await;

    let mail = fieldstone_tests::eventually(
        "the relay received the follow-up",
        std::time::Duration::from_secs(60),
        || smtp.received().into_iter().next(),
    )
    .await;
    assert_eq!(
        fieldstone_tests::smtp::header(&mail, "Subject").as_deref(),
        Some("Lovely to meet you, Ada")
    );
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(smtp.received().len(), 1, "sent once");
    app.close().await;
    drop(server);
}
