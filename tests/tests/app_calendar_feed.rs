//! The calendar feed in the real window: signed in to a server with a public address, the
//! agent turns the feed on in Settings; once the choice has synced the card shows the secret
//! address, which serves an iCalendar to a plain GET (as a calendar app subscribes); a new
//! address retires the old one. Screenshots at both sizes, and the phone layout checked.

mod app_support;

use app_support::{App, Keyring, DESKTOP, PHONE};
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";

/// The address the card shows once it shows one other than `not`.
async fn address(app: &App, not: &str) -> String {
    let read = || async {
        app.js(
            "const e = document.querySelector('#calendar-feed-url'); return e ? e.value : ''",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    app.until("the card shows a new address", || async {
        let shown = read().await;
        shown.contains("/cal/") && shown != not
    })
    .await;
    read().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn the_calendar_feed_is_turned_on_in_settings_and_its_address_serves_the_calendar() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let port = free_port();
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "secret_key = \"c2VydmVyIHNlY3JldCBmb3IgdGhlIGNhbGVuZGFyIHdpbmRvdyB0ZXN0\"\n[http]\npublic_url = \"http://127.0.0.1:{port}\"\n"
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );
    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    // Local only: the card says what signing in brings.
    app.until_text("#settings-calendar", "Sign in to a sync server")
        .await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", AGENT).await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;

    app.click("#calendar-feed-on").await;
    let first = address(&app, "").await;
    assert!(
        first.starts_with(&format!("http://127.0.0.1:{port}/cal/")),
        "{first}"
    );
    let answer = reqwest::get(&first).await.expect("get");
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    assert!(answer
        .text()
        .await
        .expect("body")
        .starts_with("BEGIN:VCALENDAR"));
    app.screens_at("settings-calendar-feed", "#settings-calendar")
        .await;
    app.assert_phone_layout("Settings with the calendar feed")
        .await;

    // A new address: the old one stops working once synced.
    app.click("#calendar-feed-new").await;
    let second = address(&app, &first).await;
    assert_eq!(
        reqwest::get(&first).await.expect("get").status(),
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        reqwest::get(&second).await.expect("get").status(),
        reqwest::StatusCode::OK
    );
    app.close().await;
}
