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
    synced(&app).await;
    let first = app.api.calendar_feed_link().await.expect("link").url;
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
    synced(&app).await;
    let second = app.api.calendar_feed_link().await.expect("link").url;
    assert_ne!(first, second);
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
    synced(&app).await;
    assert_eq!(
        status_of(&local(&second, &server.url)).await,
        reqwest::StatusCode::NOT_FOUND
    );
    app.api
        .set_calendar_feed(change(CalendarFeedAction::TurnOn))
        .await
        .expect("on again");
    synced(&app).await;
    let third = app.api.calendar_feed_link().await.expect("link").url;
    assert!(third != first && third != second);
    assert_eq!(
        status_of(&local(&second, &server.url)).await,
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        status_of(&local(&third, &server.url)).await,
        reqwest::StatusCode::OK
    );
}
