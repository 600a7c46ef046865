//! End-to-end test of Settings' "Plan and usage" in the real window against a real server
//! process: signed out it says to sign in; signed in to an organisation on Starter it shows
//! the plan, each allowance with its bar and the month's reset, refreshed from the keyboard;
//! with the server gone it says usage needs a connection instead of waiting for ever. Checked
//! at phone width, photographed at both sizes.

mod app_support;

use app_support::{App, Keyring};
use chrono::{Datelike, Months, NaiveDate, Utc};
use fieldstone_tests::*;

/// "1 January 2027": the first of next month (the organisation counts in UTC here), as the
/// card writes it in the default day-month-year order.
fn next_reset() -> String {
    let today = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .expect("next month");
    first.format("%-d %B %Y").to_string()
}

async fn usage_state(app: &App) -> String {
    app.js(
        "const e = document.querySelector('#settings-usage'); return e ? e.dataset.state : ''",
        vec![],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn until_usage(app: &App, state: &str) {
    app.until(&format!("the usage card is {state}"), || async {
        usage_state(app).await == state
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn settings_shows_the_plan_and_this_months_usage_and_says_when_it_cannot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = Org::create(tmp.path(), "Harbour");
    org.user("ada@harbour.test", "agent", None);
    admin(
        tmp.path(),
        &["set-plan", "--org", &org.id, "--plan", "starter"],
    );
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch_with(None, Keyring::Unlocked).await;

    // Signed out: the card says what would show it, and offers nothing to retry.
    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    until_usage(&app, "signed_out").await;
    app.until_text("#usage-signed-out", "Sign in to see your plan.")
        .await;
    assert!(!app.exists("#usage-retry").await);
    app.screens_at("settings-usage-signed-out", "#settings-usage")
        .await;

    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", "ada@harbour.test").await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    // After a sign-in WebKit under Xvfb takes no screenshot until the window is resized (see
    // app_accounts.rs): a round trip lets it draw again.
    app.resize(app_support::PHONE).await;
    app.resize(app_support::DESKTOP).await;

    // Signed in, the card asks again by itself: the plan, an allowance, the reset.
    until_usage(&app, "loaded").await;
    app.until_text("#usage-plan", "Starter plan").await;
    app.until_text(
        "#usage-meters [data-meter='sms'] .usage-meter__count",
        "0 / 500",
    )
    .await;
    app.until_text(
        "#usage-meters [data-meter='emails'] .usage-meter__count",
        "0 / 5,000",
    )
    .await;
    app.until_text(
        "#usage-meters [data-meter='sms'] .usage-meter__mine",
        "You: none yet",
    )
    .await;
    app.until_text("#usage-resets", &format!("Resets on {}", next_reset()))
        .await;
    let bars = app
        .js(
            "return document.querySelectorAll('#usage-meters progress.usage-bar').length",
            vec![],
        )
        .await;
    assert_eq!(bars.as_u64(), Some(5), "a bar per capped allowance");
    let label = app
        .js(
            "return document.querySelector(\"#usage-meters [data-meter='sms'] progress\").getAttribute('aria-label')",
            vec![],
        )
        .await;
    assert_eq!(label.as_str(), Some("0 of 500 text messages used"));

    // Refresh from the keyboard: focus the button, press Enter; the figures stay.
    app.js("document.querySelector('#usage-retry').focus()", vec![])
        .await;
    app.wait_for("#usage-retry")
        .await
        .send_keys("\u{e007}")
        .await
        .expect("Enter on Refresh");
    until_usage(&app, "loaded").await;
    app.until_text("#usage-retry", "Refresh").await;
    app.until_text("#usage-plan", "Starter plan").await;
    app.screens_at("settings-usage", "#settings-usage").await;
    app.assert_phone_layout("Settings, plan and usage").await;

    // The server gone: the device goes offline and the card says why, with Try again.
    server.kill();
    app.until_synced("offline").await;
    until_usage(&app, "offline").await;
    app.until_text("#usage-offline", "Usage needs a connection to the server.")
        .await;
    app.until_text("#usage-retry", "Try again").await;
    app.click("#usage-retry").await;
    until_usage(&app, "offline").await;
    app.screens_at("settings-usage-offline", "#settings-usage")
        .await;
    app.assert_phone_layout("Settings, usage offline").await;
    app.close().await;
}
