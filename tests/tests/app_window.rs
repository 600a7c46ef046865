//! End-to-end tests of the real Tauri window: the built app binary, driven through
//! tauri-driver + WebKitWebDriver under a real X display (Xvfb in CI).
//!
//! They need the app built with its bundled UI and a display, so they are `#[ignore]`d in a
//! plain `cargo test`; `cargo xtask test` builds everything, starts Xvfb and runs them.

use fantoccini::{Client, ClientBuilder, Locator};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::SyncClient;
use fieldstone_tests::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`")
    })
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("FIELDSTONE_SCREENSHOT_DIR")
        .map_or_else(|| target_dir().join("screenshots"), PathBuf::from)
}

/// One running app window with its own data dirs, driver and WebDriver session.
struct App {
    client: Client,
    driver: Child,
    /// `127.0.0.1:port` of tauri-driver and the session id, to end the session from `Drop`.
    session: (String, String),
    _home: tempfile::TempDir,
}

impl App {
    async fn launch(server_url: &str, token: &str) -> App {
        let app_bin = required_env("FIELDSTONE_APP_BIN");
        let driver_bin = required_env("TAURI_DRIVER_BIN");
        let native = std::env::var("WEBKIT_WEBDRIVER_BIN")
            .unwrap_or_else(|_| "/usr/bin/WebKitWebDriver".into());
        let home = tempfile::tempdir().expect("tempdir");
        let (port, native_port) = (free_port(), free_port());
        let driver = Command::new(driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", &native])
            // The app inherits these through the driver: its own data dirs and server.
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("FIELDSTONE_SERVER_URL", server_url)
            .env("FIELDSTONE_TOKEN", token)
            .env("FIELDSTONE_SYNC_INTERVAL_MS", "200")
            .env("FIELDSTONE_SYNC_MAX_BACKOFF_MS", "1000")
            // Under Xvfb (software GL) WebKit's compositor stops producing frames, so
            // screenshots show a stale page; plain rendering keeps them true to the DOM.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tauri-driver");
        let url = format!("http://127.0.0.1:{port}");
        eventually("tauri-driver listens", WAIT, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .await;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app_bin }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("WebDriver session with the app");
        let session_id = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("WebDriver session id");
        let app = App {
            client,
            driver,
            session: (format!("127.0.0.1:{port}"), session_id),
            _home: home,
        };
        app.wait_for("#lead-form").await;
        app
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.expect("clear");
        // WebKitWebDriver rejects an empty `text` as missing; clearing already did the job.
        if !text.is_empty() {
            field.send_keys(text).await.expect("type");
        }
    }

    async fn text_of(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("text")
    }

    /// `textContent` of the first match: WebDriver's visible-text heuristics drop ellipsised
    /// (`overflow: hidden`) text that the screen shows.
    async fn dom_text(&self, css: &str) -> String {
        self.wait_for(css).await;
        let text = self
            .client
            .execute(
                "return document.querySelector(arguments[0]).textContent",
                vec![serde_json::Value::from(css)],
            )
            .await
            .expect("read text");
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Names in the lead list, top to bottom. Read from the DOM: WebDriver's element text
    /// depends on visibility, which a row's entrance animation makes flaky.
    async fn lead_names(&self) -> Vec<String> {
        let names = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('.lead-row .lead-row__name'), e => e.textContent.trim())",
                vec![],
            )
            .await
            .expect("read lead names");
        serde_json::from_value(names).expect("a list of names")
    }

    /// Polls the page until `check` passes, re-reading the DOM each time.
    async fn until<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = std::time::Instant::now() + WAIT;
        while !check().await {
            if std::time::Instant::now() > deadline {
                let page = self
                    .client
                    .execute("return document.body.innerText", vec![])
                    .await
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .unwrap_or_default();
                panic!("gave up waiting for: {what}\n--- the page says ---\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn sync_state(&self) -> String {
        match self.client.find(Locator::Css("#sync-status")).await {
            Ok(badge) => badge
                .attr("data-state")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }

    async fn add_lead(&self, name: &str, email: &str, phone: &str, stage: &str) {
        self.type_into("#lead-name", name).await;
        self.type_into("#lead-email", email).await;
        self.type_into("#lead-phone", phone).await;
        self.wait_for(&format!("#lead-stage option[value='{stage}']"))
            .await
            .click()
            .await
            .expect("pick stage");
        self.wait_for("#lead-submit")
            .await
            .click()
            .await
            .expect("submit");
    }

    async fn close(mut self) {
        let _ = self.client.clone().close().await;
        stop_gracefully(&mut self.driver);
    }
}

/// SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver and the app too.
fn stop_gracefully(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..50 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            // A failed test never reaches `close()`: end the session here so WebKitWebDriver
            // closes the app, which would otherwise outlive the driver.
            end_session_blocking(&self.session.0, &self.session.1);
            stop_gracefully(&mut self.driver);
        }
    }
}

/// `DELETE /session/{id}` with plain std I/O (no async runtime in `Drop`).
fn end_session_blocking(addr: &str, session_id: &str) {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// A second device (a replica in this process) pulls and returns the names it sees.
async fn second_device_names(server_url: &str, token: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open_replica(dir.path());
    let client = SyncClient::new(server_url, token).expect("client");
    sync_once(&replica, &client)
        .await
        .expect("second device syncs");
    replica
        .list_leads()
        .expect("list")
        .into_iter()
        .map(|l| l.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn lead_created_in_the_window_reaches_a_second_device() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = create_account(tmp.path(), "agent@example.com");
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch(&server.url, &token).await;
    app.until("sync is up to date", || async {
        app.sync_state().await == "up_to_date"
    })
    .await;
    app.wait_for("#leads-empty").await;
    app.screenshot("empty-desktop.png").await;

    // Bad input: the engine's messages appear next to the fields and nothing is written.
    app.add_lead("   ", "ada@", "", "lead").await;
    let name_error = app.text_of("#error-name").await;
    assert!(name_error.contains("Enter a name"), "{name_error}");
    let email_error = app.text_of("#error-email").await;
    assert!(
        email_error.contains("not an email address"),
        "{email_error}"
    );
    assert!(app.lead_names().await.is_empty());
    app.screenshot("validation-desktop.png").await;

    app.add_lead(
        "Ada Lovelace",
        "ada@example.com",
        "+44 20 7946 0958",
        "showing",
    )
    .await;
    app.until("the new lead is listed", || async {
        app.lead_names().await == ["Ada Lovelace"]
    })
    .await;
    assert!(
        app.client.find(Locator::Css("#error-name")).await.is_err(),
        "errors cleared"
    );
    let row = app.dom_text(".lead-row").await;
    assert!(
        row.contains("ada@example.com") && row.contains("Showing"),
        "{row}"
    );
    app.add_lead("Grace Hopper", "grace@example.com", "", "offer")
        .await;
    app.until("two leads listed", || async {
        app.lead_names().await.len() == 2
    })
    .await;
    app.until("sync is up to date", || async {
        app.sync_state().await == "up_to_date"
    })
    .await;
    app.screenshot("leads-desktop.png").await;
    app.client
        .set_window_size(390, 844)
        .await
        .expect("phone-sized window");
    app.screenshot("leads-phone.png").await;

    let names = second_device_names(&server.url, &token).await;
    assert!(names.contains(&"Ada Lovelace".to_owned()), "{names:?}");
    assert!(names.contains(&"Grace Hopper".to_owned()), "{names:?}");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn works_offline_and_syncs_when_the_server_returns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let token = create_account(tmp.path(), "agent@example.com");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let app = App::launch(&url, &token).await;
    app.until("the app says offline", || async {
        app.sync_state().await == "offline"
    })
    .await;
    assert!(app.text_of("#sync-status").await.contains("Offline"));

    app.add_lead("Basement Buyer", "buyer@example.com", "", "lead")
        .await;
    app.until("the lead is listed while offline", || async {
        app.lead_names()
            .await
            .contains(&"Basement Buyer".to_owned())
    })
    .await;
    app.until("the badge counts the unsent change", || async {
        app.text_of("#sync-status").await.contains("1 unsent")
    })
    .await;
    app.screenshot("offline-desktop.png").await;

    let server = ServerProcess::start(tmp.path(), &format!("127.0.0.1:{port}"));
    app.until("sync resumes by itself", || async {
        app.sync_state().await == "up_to_date"
    })
    .await;
    let names = second_device_names(&server.url, &token).await;
    assert_eq!(names, ["Basement Buyer"]);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_refused_token_asks_to_sign_in_again_and_keeps_local_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let _ = create_account(tmp.path(), "agent@example.com");
    let server = ServerProcess::start(tmp.path(), "127.0.0.1:0");
    let app = App::launch(&server.url, "fst_revoked-or-mistyped").await;
    app.until("the app asks to sign in again", || async {
        app.sync_state().await == "sign_in_again"
    })
    .await;
    assert!(app.text_of("#sync-status").await.contains("Sign in again"));
    app.add_lead("Kept Locally", "", "", "qualified").await;
    app.until("the lead is still saved locally", || async {
        app.lead_names().await.contains(&"Kept Locally".to_owned())
    })
    .await;
    app.screenshot("sign-in-again-desktop.png").await;
    app.close().await;
}
