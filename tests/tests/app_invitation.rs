//! Accepting an invitation in the real window (issue 15): an owner invites an agent on a real
//! server process; the agent pastes the link into Settings, a link without a secret and a short
//! password are refused beside their fields, then the device joins and syncs as the new agent.
//! The same link cannot be used twice. Photographed at laptop and phone size.

mod app_support;

use app_support::{App, Keyring, DESKTOP, PHONE};
use fieldstone_tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_invited_agent_pastes_the_link_chooses_a_password_and_is_signed_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let config = dir.path().join("server.toml");
    std::fs::write(
        &config,
        format!("[http]\npublic_url = \"http://127.0.0.1:{port}\"\n"),
    )
    .expect("server config");
    let org = Org::create(dir.path(), "Harbour");
    let owner = org.token("owner@harbour.test");
    let server = ServerProcess::start_with_env(
        dir.path(),
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", &config.to_string_lossy())],
    );
    let invited: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/v2/invitations", server.url))
        .bearer_auth(&owner)
        .json(&serde_json::json!({"email": "nia@harbour.test", "role": "agent"}))
        .send()
        .await
        .expect("invite")
        .json()
        .await
        .expect("invitation");
    let link = invited["link"]
        .as_str()
        .unwrap_or_else(|| panic!("a link in {invited}"))
        .to_owned();
    assert_eq!(
        link,
        format!(
            "{}/invite/{}",
            server.url,
            invited["token"].as_str().expect("token")
        )
    );
    // Opened in a browser, the link explains what to do and does not echo the secret.
    let page = reqwest::get(&link)
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("I have an invitation"), "{page}");
    assert!(!page.contains(invited["token"].as_str().expect("token")));

    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    app.click("#invitation-open").await;
    app.type_into("#invitation-link", &format!("{}/", server.url))
        .await;
    app.type_into("#invitation-name", "Nia Okafor").await;
    app.type_into("#invitation-password", "short").await;
    app.click("#invitation-submit").await;
    app.until_text("#invitation-link-error", "Paste the invitation link")
        .await;
    app.until_text("#invitation-password-error", "10 characters")
        .await;
    app.screens_at("invitation-refused", "#invitation-form")
        .await;

    app.type_into("#invitation-link", &link).await;
    app.type_into("#invitation-password", PASSWORD).await;
    app.click("#invitation-submit").await;
    app.wait_for("#settings-session").await;
    app.until_text("#session-org", "Harbour").await;
    app.until_synced("up_to_date").await;
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;
    app.screens("invitation-accepted").await;

    // Used once: the same link again is refused with what to do.
    app.click("#sign-out").await;
    app.click("#sign-out-confirm").await;
    app.wait_for("#settings-local").await;
    app.click("#invitation-open").await;
    app.type_into("#invitation-link", &link).await;
    app.type_into("#invitation-name", "Someone Else").await;
    app.type_into("#invitation-password", PASSWORD).await;
    app.click("#invitation-submit").await;
    app.until_text("#invitation-link-error", "expired or was used already")
        .await;
    app.close().await;
}
