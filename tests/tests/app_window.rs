//! End-to-end tests of the real Tauri window: the built app binary, driven through
//! tauri-driver + WebKitWebDriver under a real X display (Xvfb in CI), against a real sync
//! server process. Screenshots of every screen land in the screenshot directory.

mod app_support;

use app_support::{App, Sync};
use fieldstone_tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn contacts_are_created_found_and_listed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = create_account(tmp.path(), "agent@example.com");
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    app.screens("contacts-empty").await;

    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.type_into("#new-contact-emails-0-address", "ada@").await;
    app.click("#new-contact-save").await;
    app.until_text("#new-contact-emails-0-address-error", "email")
        .await;
    app.screens("new-contact-validation").await;
    app.close().await;
}
