//! A campaign in the real window against a server with a mail relay (a real SMTP server): the
//! agent writes it in the wizard (type, audience with its size, content previewed on a real
//! contact — an unknown variable refused by name — schedule, review with the cost, launch),
//! the server sends it to both contacts once, and the report shows its figures as numbers and
//! a chart; the agent pauses it. Then a drip to a pasted list (one line matched, one not),
//! started by a tag chosen in the schedule step, launched, waiting for its first occasion; and
//! the weekly report turned off in Settings. Screenshots of each step at both sizes.

mod app_support;

use app_support::{App, Keyring, DESKTOP, PHONE};
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_campaign_is_written_in_the_wizard_sent_once_and_reported() {
    let smtp = fieldstone_tests::smtp::SmtpSink::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
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
            secret = "c2VydmVyIHNlY3JldCBmb3IgdGhlIHdpbmRvdyBjYW1wYWlnbnMhIQ==",
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
    // Signed in as a person does (a campaign runs in its owner's name, so the server must know
    // whose it is).
    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", AGENT).await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    // WebKit under Xvfb draws again after a resize once signed in (see app_accounts).
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;
    app.goto("contacts").await;
    app.new_contact("Bo", "Lee", "bo@example.com").await;

    app.goto("campaigns").await;
    app.wait_for("#campaigns-empty").await;
    app.click("#campaign-new").await;
    app.wait_for("#campaign-wizard").await;
    app.type_into("#campaign-name", "Spring update").await;
    app.screens_at("campaign-type", "#campaign-wizard").await;
    app.assert_phone_layout("the campaign wizard, type").await;
    app.click("#campaign-next").await;

    // The audience, counted as it is chosen.
    app.click("#audience-everyone").await;
    app.until_text("#audience-size", "2 contacts").await;
    app.screens_at("campaign-audience", "#campaign-wizard")
        .await;
    app.assert_phone_layout("the campaign wizard, audience")
        .await;
    app.click("#campaign-next").await;

    // Content: a misspelt variable is refused by name; the fixed one previews on Ada.
    app.type_into("#variation-0-0-subject", "Spring, {{ frist_name }}")
        .await;
    app.type_into(
        "#variation-0-0-body",
        "Hi {{ first_name }}, prices moved this spring.",
    )
    .await;
    app.click("#variation-0-0-preview").await;
    app.until_text("#variation-0-0-preview-error", "frist_name")
        .await;
    app.set_input("#variation-0-0-subject", "").await;
    app.type_into("#variation-0-0-subject", "Spring, {{ first_name }}")
        .await;
    app.click("#variation-0-0-preview").await;
    app.until_text("#variation-0-0-preview-box", "As Ada King would get it")
        .await;
    app.until_text("#variation-0-0-preview-box", "Spring, Ada")
        .await;
    app.screens_at("campaign-content", "#campaign-wizard").await;
    app.assert_phone_layout("the campaign wizard, content")
        .await;
    app.click("#campaign-next").await;
    app.wait_for("#schedule-now").await;
    app.click("#campaign-next").await;

    // Review: the audience and what it sends, nothing in the way.
    app.until_text("#review-cost", "2 emails").await;
    app.until_text("#review-ready", "Ready to launch").await;
    app.screens_at("campaign-review", "#campaign-wizard").await;
    app.assert_phone_layout("the campaign wizard, review").await;
    app.click("#campaign-next").await;
    app.click("#campaign-launch").await;
    app.wait_for("#campaign-report").await;
    app.until_text("#campaign-status", "Running").await;

    // The server sends it to both, once each, and the figures come back.
    let mail = fieldstone_tests::eventually(
        "the relay received the campaign",
        std::time::Duration::from_secs(60),
        || {
            let all = smtp.received();
            (all.len() >= 2).then_some(all)
        },
    )
    .await;
    let mut subjects: Vec<String> = mail
        .iter()
        .filter_map(|m| fieldstone_tests::smtp::header(m, "Subject"))
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["Spring, Ada", "Spring, Bo"]);
    for _ in 0..3 {
        if app.dom_text("#campaign-report").await.contains("Step 1") {
            break;
        }
        app.until("the figures are counted", || async {
            app.dom_text("#campaign-report").await.contains("Step 1")
        })
        .await;
    }
    app.wait_for("#campaign-chart").await;
    app.until("two were sent", || async {
        app.js(
            "return document.querySelector('#campaign-figures tbody tr td')?.textContent ?? ''",
            vec![],
        )
        .await
        .as_str()
            == Some("2")
    })
    .await;
    // WebKit under Xvfb answers a screenshot again after a resize (as after a sign-in).
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;
    app.screens_at("campaign-report", "#campaign-report").await;
    app.assert_phone_layout("the campaign report").await;
    app.click("#campaign-pause").await;
    app.until_text("#campaign-status", "Paused").await;
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(smtp.received().len(), 2, "sent once each");

    // A drip that starts on its own when a tag is added: the schedule step chooses the
    // trigger and the stages that end it; launched, it waits for its first occasion.
    app.click("#campaign-report-back").await;
    app.click("#campaign-new").await;
    app.wait_for("#campaign-wizard").await;
    app.type_into("#campaign-name", "Hot leads").await;
    app.click("#campaign-kind-drip").await;
    app.click("#campaign-next").await;
    // The audience as a pasted list: one line matches Ada, one matches nobody.
    // Pasted (the keyboard's Enter would not make lines through the driver).
    app.set_input("#audience-paste", "ADA@example.com\nnobody@example.com")
        .await;
    app.click("#audience-paste-match").await;
    app.until_text("#audience-paste-result", "1 contact of 2 lines matched")
        .await;
    app.until_text("#audience-paste-result", "Not found: nobody@example.com")
        .await;
    app.until_text("#audience-size", "1 contact").await;
    app.screens_at("campaign-audience-pasted", "#campaign-wizard")
        .await;
    app.assert_phone_layout("the campaign wizard, a pasted list")
        .await;
    app.click("#campaign-next").await;
    app.type_into("#variation-0-0-subject", "Still looking, {{ first_name }}?")
        .await;
    app.type_into(
        "#variation-0-0-body",
        "Hi {{ first_name }}, three new homes fit.",
    )
    .await;
    app.click("#campaign-next").await;
    app.select("#schedule-trigger", "tag_added").await;
    app.type_into("#trigger-tag", "hot lead").await;
    app.wait_for("#exit-stage-closed").await;
    app.screens_at("campaign-schedule-trigger", "#campaign-wizard")
        .await;
    app.assert_phone_layout("the campaign wizard, a triggered schedule")
        .await;
    app.click("#campaign-next").await;
    app.until_text("#review-ready", "Ready to launch").await;
    app.click("#campaign-next").await;
    app.click("#campaign-launch").await;
    app.wait_for("#campaign-report").await;
    app.until_text("#campaign-status", "Running").await;
    app.until_text("#campaign-report", "When the tag “hot lead” is added")
        .await;
    app.until_text("#campaign-report-empty", "Nobody has gone through it yet")
        .await;
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(
        smtp.received().len(),
        2,
        "nobody had the tag added yet: nothing more is sent"
    );

    // The weekly report is on until the agent turns it off in Settings.
    app.goto("settings").await;
    app.wait_for("#weekly-report").await;
    assert_eq!(
        app.js(
            "return document.querySelector('#weekly-report').checked",
            vec![]
        )
        .await
        .as_bool(),
        Some(true)
    );
    app.click("#weekly-report").await;
    app.until_text("#follow-up-saved", "no more weekly reports")
        .await;
    app.screens_at("settings-weekly-report", "#weekly-report")
        .await;
    app.assert_phone_layout("settings, the weekly report").await;
    app.close().await;
    drop(server);
}
