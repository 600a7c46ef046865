//! The calendar feed from the app: local only it is refused in words; signed in, turning it on
//! is a preference that syncs, after which the server hands out the address and a calendar app
//! (a plain GET, no session) reads an iCalendar from it; a new link retires the old address,
//! turning it off retires every address, and turning it on again never brings an old one back.

use crate::support::{eventually, in_child, open, sign_in, t0, Session, TestApp};
use fieldstone_protocol::commands::{
    CalendarFeedAction, CalendarFeedChange, CommandErrorCode, SyncState,
};
use fieldstone_tests::{Org, ServerProcess};
use std::time::Duration;

async fn synced(app: &TestApp) {
    app.api.sync_now();
    eventually("the app synced", Duration::from_secs(30), || {
        let status = app.api.sync_status();
        status.state == SyncState::UpToDate && status.pending == 0
    })
    .await;
}

fn change(action: CalendarFeedAction) -> CalendarFeedChange {
    CalendarFeedChange { action }
}

/// The address on the test server (the server names its configured public address).
fn local(url: &str, server: &str) -> String {
    format!(
        "{server}/cal/{}",
        url.rsplit("/cal/").next().expect("a feed address")
    )
}

/// The feed's address once the server has seen the latest choice: syncs and asks until it
/// answers one that is not among `old` (the sync status can read "up to date" a moment before
/// a change just made is picked up, so the answer itself is what is waited for).
async fn new_link(app: &TestApp, old: &[&str]) -> String {
    let mut found = None;
    for _ in 0..150 {
        app.api.sync_now();
        if let Ok(link) = app.api.calendar_feed_link().await {
            if !old.contains(&link.url.as_str()) {
                found = Some(link.url);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    found.expect("the server hands out the new address")
}

/// Waits until the server says the feed is off.
async fn until_off(app: &TestApp) {
    for _ in 0..150 {
        app.api.sync_now();
        if let Err(e) = app.api.calendar_feed_link().await {
            if e.code == CommandErrorCode::NotFound {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the server never saw the feed turned off");
}

async fn status_of(url: &str) -> reqwest::StatusCode {
    reqwest::get(url).await.expect("get").status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendar_feed_is_turned_on_from_the_app_and_a_new_link_retires_the_old() {
    if !in_child(
        "calendar::the_calendar_feed_is_turned_on_from_the_app_and_a_new_link_retires_the_old",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let org = Org::create(server_dir.path(), "Harbour");
    org.user("ada@harbour.test", "agent", None);
    let config = server_dir.path().join("server.toml");
    std::fs::write(
        &config,
        "secret_key = \"c2VydmVyIHNlY3JldCBmb3IgdGhlIGNhbGVuZGFyIGZlZWQ=\"\n\n[http]\npublic_url = \"https://crm.harbour.test\"\n",
    )
    .expect("config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        server_dir.path(),
        "127.0.0.1:0",
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());

    // Local only: the server serves the feed, so it cannot be turned on.
    let refused = app
        .api
        .set_calendar_feed(change(CalendarFeedAction::TurnOn))
        .await
        .expect_err("local only");
    assert!(refused.field("calendar_feed").is_some(), "{refused:?}");
    let refused = app.api.calendar_feed_link().await.expect_err("signed out");
    assert_eq!(refused.code, CommandErrorCode::WrongState);

    app.api
        .sign_in(sign_in(&server.url, "ada@harbour.test"))
        .await
        .expect("sign in");
    assert!(!app.api.preferences().await.expect("prefs").calendar_feed);
    let not_yet = app.api.calendar_feed_link().await.expect_err("off");
    assert_eq!(not_yet.code, CommandErrorCode::NotFound, "{not_yet:?}");

    // On: once synced, the server gives the address and it serves a calendar.
    let prefs = app
        .api
        .set_calendar_feed(change(CalendarFeedAction::TurnOn))
        .await
        .expect("on");
    assert!(prefs.calendar_feed);
    let first = new_link(&app, &[]).await;
    assert!(
        first.starts_with("https://crm.harbour.test/cal/"),
        "{first}"
    );
    let answer = reqwest::get(local(&first, &server.url)).await.expect("get");
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    assert!(answer
        .text()
        .await
        .expect("body")
        .starts_with("BEGIN:VCALENDAR"));

    // A new link retires the old address.
    app.api
        .set_calendar_feed(change(CalendarFeedAction::NewLink))
        .await
        .expect("new link");
    let second = new_link(&app, &[&first]).await;
    assert_eq!(
        status_of(&local(&first, &server.url)).await,
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&local(&second, &server.url)).await,
        reqwest::StatusCode::OK
    );

    // Off: no address works; on again, a third one (never an old one back).
    let prefs = app
        .api
        .set_calendar_feed(change(CalendarFeedAction::TurnOff))
        .await
        .expect("off");
    assert!(!prefs.calendar_feed);
    until_off(&app).await;
    synced(&app).await;
    assert_eq!(
        status_of(&local(&second, &server.url)).await,
        reqwest::StatusCode::NOT_FOUND
    );
    app.api
        .set_calendar_feed(change(CalendarFeedAction::TurnOn))
        .await
        .expect("on again");
    let third = new_link(&app, &[&first, &second]).await;
    assert_eq!(
        status_of(&local(&second, &server.url)).await,
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&local(&third, &server.url)).await,
        reqwest::StatusCode::OK
    );
}
