//! End-to-end tests of the Settings screen in the real window: the app starts local only, signs
//! in to a real server process (a wrong password first, then an organisation to choose) with
//! its token in a private gnome-keyring, renames the device, exports everything, says what
//! version it is and signs out keeping local data; and with no keyring at all it says so.

mod app_support;

use app_support::{App, Keyring};
use fieldstone_tests::*;
use std::process::Command;

/// The app's service name in the credential store (the shell's `CREDENTIAL_SERVICE`).
const CREDENTIAL_SERVICE: &str = "com.fieldstone.crm";

async fn new_contact(app: &App, given: &str, family: &str, email: &str) {
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.type_into("#new-contact-given-name", given).await;
    app.type_into("#new-contact-family-name", family).await;
    app.type_into("#new-contact-emails-0-address", email).await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", &format!("{given} {family}"))
        .await;
}

/// `dbus-send` to the Secret Service on the window's private bus; the reply as printed.
fn secret_service(bus: &str, object: &str, method: &str, args: &[&str]) -> String {
    let out = Command::new("dbus-send")
        .arg(format!("--bus={bus}"))
        .args([
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            object,
            method,
        ])
        .args(args)
        .output()
        .expect("run dbus-send");
    assert!(
        out.status.success(),
        "dbus-send {method} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The keyring items the app stored, with their attributes (the secret stays unread).
fn keyring_items(bus: &str) -> Vec<String> {
    let found = secret_service(
        bus,
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.SearchItems",
        &[&format!("dict:string:string:service,{CREDENTIAL_SERVICE}")],
    );
    found
        .lines()
        .filter_map(|line| line.trim().strip_prefix("object path \""))
        .filter_map(|rest| rest.strip_suffix('"'))
        .map(|item| {
            secret_service(
                bus,
                item,
                "org.freedesktop.DBus.Properties.Get",
                &["string:org.freedesktop.Secret.Item", "string:Attributes"],
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn local_first_then_signed_in_with_the_token_in_the_keyring_then_signed_out_keeping_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // One email in two organisations: signing in asks which.
    let acme = Org::create(tmp.path(), "Acme");
    acme.user("ada@both.test", "agent", None);
    let beta = Org::create(tmp.path(), "Beta");
    beta.user("ada@both.test", "broker", None);
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch_with(None, Keyring::Unlocked).await;
    let bus = app.bus_address().expect("a private bus").to_owned();

    // Work done before there is any account.
    new_contact(&app, "Grace", "Hopper", "grace@example.com").await;

    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    app.until_synced("local_only").await;
    app.until_text("#about-version", env!("CARGO_PKG_VERSION"))
        .await;
    app.screens("settings-local").await;

    // The device's name, saved before signing in: the server lists the device under it.
    app.type_into("#device-name", "Ada's field laptop").await;
    app.click("#device-name-save").await;
    app.until_text("#device-name-saved", "Saved").await;

    // Blank fields are all flagged at once, with focus on the first; nothing is sent.
    app.click("#sign-in-submit").await;
    app.until_text("#sign-in-server-url-error", "address").await;
    app.until_text("#sign-in-email-error", "email").await;
    app.until_text("#sign-in-password-error", "password").await;
    app.until("focus on the server address", || async {
        app.js("return document.activeElement.id", vec![]).await == "sign-in-server-url"
    })
    .await;

    // A wrong password: said at the password field, which is emptied for another try.
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", "ada@both.test").await;
    app.type_into("#sign-in-password", "not the password").await;
    app.click("#sign-in-submit").await;
    app.until_text("#sign-in-password-error", "wrong").await;
    assert_eq!(app.value_of("#sign-in-password").await, "");
    assert_eq!(app.value_of("#sign-in-email").await, "ada@both.test");
    app.screens_at("settings-wrong-password", "#sign-in-password")
        .await;
    assert!(keyring_items(&bus).is_empty(), "nothing stored yet");

    // The right one, typed and sent with Enter: two organisations to choose from.
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#org-choice").await;
    assert_eq!(
        app.texts(".org-option__name").await.len(),
        2,
        "both organisations offered"
    );
    app.screens_at("settings-choose-org", "#org-choice").await;
    app.click(".org-option[data-org-name='Beta']").await;

    app.wait_for("#settings-session").await;
    app.until_text("#session-org", "Beta").await;
    app.until_text("#session-user", "ada@both.test").await;
    app.until_text("#session-server", &server.url).await;
    app.until_synced("up_to_date").await;
    app.until("the screen's sync line agrees with the badge", || async {
        app.js(
            "return document.querySelector('#settings-sync').dataset.state",
            vec![],
        )
        .await
            == "up_to_date"
    })
    .await;
    // Signed in to the organisation picked, as the device named above.
    assert_eq!(
        beta.device_ids("ada@both.test", "Ada's field laptop").len(),
        1
    );
    assert!(acme
        .device_ids("ada@both.test", "Ada's field laptop")
        .is_empty());
    // The session is in the keyring, under the app's service, for this server; beside it the
    // proof that this device signed in before (kept so a lockout never shuts it out).
    let session_entry = format!("sync-session {}", server.url);
    let device_entry = format!("known-device {} ada@both.test", server.url);
    let items = keyring_items(&bus);
    assert_eq!(items.len(), 2, "a session and a device proof: {items:?}");
    assert_eq!(
        items.iter().filter(|i| i.contains(&session_entry)).count(),
        1,
        "one session entry: {items:?}"
    );
    assert_eq!(
        items.iter().filter(|i| i.contains(&device_entry)).count(),
        1,
        "one device proof: {items:?}"
    );
    app.click("#sync-now").await;
    app.until_synced("up_to_date").await;
    app.screens("settings-signed-in").await;

    // Renamed while signed in: saved, and the account shows it.
    app.type_into("#device-name", "Ada's laptop").await;
    app.click("#device-name-save").await;
    app.until_text("#device-name-saved", "Saved").await;
    app.until_text("#session-device", "Ada's laptop").await;

    // Everything exported: the file named on screen holds the contact made before signing in.
    app.click("#export-everything").await;
    app.until_text("#export-result", "Exported").await;
    let path = app.dom_text("#export-path").await;
    let exported = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the export at {path} cannot be read: {e}"));
    assert!(exported.contains("Grace"), "the export lacks the contact");
    assert!(exported.contains("grace@example.com"));
    app.screens_at("settings-exported", "#export-result").await;
    std::fs::remove_file(&path).expect("remove the export");

    // Signing out asks first; Escape keeps syncing.
    app.click("#sign-out").await;
    app.until_text("#sign-out-dialog", "stay on this device")
        .await;
    app.until("focus on the safe choice", || async {
        app.js("return document.activeElement.id", vec![]).await == "sign-out-cancel"
    })
    .await;
    app.screens("settings-sign-out").await;
    app.press("\u{e00c}").await;
    app.until_gone("#sign-out-dialog").await;
    assert_eq!(app.sync_state().await, "up_to_date");

    app.click("#sign-out").await;
    app.click("#sign-out-confirm").await;
    app.wait_for("#settings-local").await;
    app.until_text("#signed-out-note", "still here").await;
    app.until_synced("local_only").await;
    let items = keyring_items(&bus);
    assert!(
        !items.iter().any(|i| i.contains(&session_entry)),
        "the token left the keyring: {items:?}"
    );
    assert!(
        items.iter().any(|i| i.contains(&device_entry)),
        "the device proof stays for the next sign-in: {items:?}"
    );
    app.screens("settings-signed-out").await;

    // Local data stays.
    app.goto("contacts").await;
    app.until("Grace is still listed", || async {
        app.texts("#contact-rows .contact-row__name").await == ["Grace Hopper"]
    })
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn without_a_keyring_signing_in_says_so_and_the_app_stays_local() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = Org::create(tmp.path(), "Acme");
    org.user("ada@acme.test", "agent", None);
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch_with(None, Keyring::Missing).await;
    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", "ada@acme.test").await;
    app.type_into("#sign-in-password", PASSWORD).await;
    app.click("#sign-in-submit").await;
    app.until_text("#sign-in-no-store", "keyring").await;
    app.screens_at("settings-no-keyring", "#sign-in-no-store")
        .await;
    assert!(!app.exists("#settings-session").await);
    app.until_synced("local_only").await;
    // The store is checked before the server is asked: no session was made there.
    let device = app.value_of("#device-name").await;
    assert!(!device.is_empty());
    assert!(org.device_ids("ada@acme.test", &device).is_empty());
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_edit_the_server_refuses_shows_as_a_notice_until_dismissed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = Org::create(tmp.path(), "Acme");
    // Signed in as an agent; an admin then makes her a viewer on the server. The device still
    // believes she is an agent (its session says so until she signs in again), so a contact
    // made on it is stored here and refused there.
    org.user("val@acme.test", "agent", None);
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", "val@acme.test").await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_text("#session-org", "Agent").await;
    admin(
        tmp.path(),
        &[
            "set-role",
            "--org",
            &org.id,
            "--email",
            "val@acme.test",
            "--role",
            "viewer",
        ],
    );

    // Made here, refused there, put back at once: the contact may be gone before it shows.
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.type_into("#new-contact-given-name", "Not").await;
    app.type_into("#new-contact-family-name", "Mine").await;
    app.click("#new-contact-save").await;
    app.until_gone("#new-contact").await;
    app.goto("settings").await;
    app.wait_for("#sync-notices .settings-notice").await;
    // One notice for the contact and one for each step of the follow-up plan it got; the
    // contact's names the record and links to it.
    app.until(
        "the contact and its five plan steps are refused",
        || async {
            app.js(
                "return document.querySelectorAll('#sync-notices .settings-notice').length",
                vec![],
            )
            .await
            .as_u64()
                == Some(6)
        },
    )
    .await;
    let href = app
        .js(
            "return Array.from(document.querySelectorAll('#sync-notices .settings-notice__link'))
               .find(a => a.textContent.includes('Open the contact'))?.getAttribute('href') ?? ''",
            vec![],
        )
        .await;
    assert!(
        href.as_str().is_some_and(|h| h.starts_with("#/contacts/")),
        "{href}"
    );
    app.screens_at("settings-notice", "#sync-notices").await;
    for left in (1..=6).rev() {
        app.click("#sync-notices .settings-notice .icon-button")
            .await;
        app.until("a notice is dismissed", || async {
            app.js(
                "return document.querySelectorAll('#sync-notices .settings-notice').length",
                vec![],
            )
            .await
            .as_u64()
            .unwrap_or(0)
                < left
        })
        .await;
    }
    app.until_gone("#sync-notices").await;
    // Dismissed for good: a fresh read of the screen does not bring it back.
    app.goto("today").await;
    app.goto("settings").await;
    app.wait_for("#settings-session[data-notices-read]").await;
    assert!(!app.exists("#sync-notices").await);
    app.close().await;
}

/// Whether nothing matching `css` is shown (absent, or not displayed).
async fn hidden(app: &App, css: &str) -> bool {
    app.js(
        "const e = document.querySelector(arguments[0]); return !e || e.offsetParent === null",
        vec![css.into()],
    )
    .await
        == serde_json::Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_viewer_sees_read_only_screens_up_front() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let org = Org::create(tmp.path(), "Acme");
    org.user("vic@acme.test", "viewer", None);
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", "vic@acme.test").await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_text("#session-org", "Viewer").await;
    // After a sign-in WebKit under Xvfb takes no screenshot until the window is resized (see
    // app_accounts.rs): a round trip lets it draw again.
    app.resize(app_support::PHONE).await;
    app.resize(app_support::DESKTOP).await;

    // Said once, at the top of every screen; nothing that would change a record is offered.
    app.until_text("#view-only", "you are a viewer in Acme")
        .await;
    app.goto("contacts").await;
    app.wait_for("#contacts-empty").await;
    assert!(
        hidden(&app, "#new-contact-button").await,
        "New contact is offered"
    );
    assert!(hidden(&app, "#import-button").await, "Import is offered");
    app.goto("listings").await;
    app.wait_for("#listings-empty").await;
    assert!(
        hidden(&app, "#new-listing-button").await,
        "New listing is offered"
    );
    app.until_text("#view-only", "viewer").await;
    app.screens("view-only").await;

    // Signed out, the device is the agent's own again: the banner goes, the buttons come back.
    app.goto("settings").await;
    app.click("#sign-out").await;
    app.click("#sign-out-confirm").await;
    app.wait_for("#settings-local").await;
    app.goto("contacts").await;
    app.until_gone("#view-only").await;
    assert!(
        !hidden(&app, "#new-contact-button").await,
        "New contact is back"
    );
    app.close().await;
}
