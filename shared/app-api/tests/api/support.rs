//! Helpers: an `Api` over real SQLite files in a temp dir, an event recorder, and re-running a
//! test in a child process with its own D-Bus session (the credential store and notification
//! service are per process and per session bus, so OS tests get fresh ones).

use chrono::{DateTime, Utc};
use fieldstone_app_api::config::SyncConfig;
use fieldstone_app_api::credentials::Credentials;
use fieldstone_app_api::{Api, ApiConfig, Events};
use fieldstone_model::FixedClock;
use fieldstone_protocol::commands::{ImportProgressEvent, SyncStatus};
use fieldstone_replica::SyncOptions;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The credential store service the tests use (never the app's own).
pub const TEST_SERVICE: &str = "fieldstone-app-tests";

pub fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_000_000, 0).expect("time")
}

#[derive(Default)]
pub struct Recorder {
    pub statuses: Mutex<Vec<SyncStatus>>,
    pub progress: Mutex<Vec<ImportProgressEvent>>,
}

impl Events for Recorder {
    fn sync_status(&self, status: &SyncStatus) {
        self.statuses
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(status.clone());
    }
    fn import_progress(&self, event: &ImportProgressEvent) {
        self.progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(event.clone());
    }
}

pub struct TestApp {
    pub api: Api,
    pub events: Arc<Recorder>,
}

/// Sync timing fast enough for tests.
pub fn fast_sync() -> SyncOptions {
    SyncOptions {
        poll_interval: Duration::from_millis(100),
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        ..SyncOptions::default()
    }
}

/// An API whose data, settings, cache and exports live under `dir`.
pub fn open(dir: &Path, clock_at: DateTime<Utc>) -> TestApp {
    open_with(
        dir,
        clock_at,
        SyncConfig {
            server: None,
            options: fast_sync(),
        },
    )
}

/// An API under `dir`, its clock at `clock_at`, syncing with `url` as `token`'s device (the
/// sync loop running).
pub async fn syncing_at(dir: &Path, url: &str, token: &str, clock_at: DateTime<Utc>) -> TestApp {
    let app = open_with(
        dir,
        clock_at,
        SyncConfig {
            server: Some(fieldstone_app_api::config::ServerOverride {
                server_url: url.to_owned(),
                token: token.to_owned(),
            }),
            options: fast_sync(),
        },
    );
    app.api.resume_sync().await;
    app
}

pub fn open_with(dir: &Path, clock_at: DateTime<Utc>, sync: SyncConfig) -> TestApp {
    let clock = Arc::new(FixedClock::new(clock_at));
    let events = Arc::new(Recorder::default());
    let api = Api::open(
        ApiConfig {
            data_dir: dir.join("data"),
            config_dir: dir.join("config"),
            cache_dir: dir.join("cache"),
            export_dir: Some(dir.join("downloads")),
            credentials: Credentials::new(TEST_SERVICE),
            sync,
        },
        clock,
        events.clone(),
    )
    .expect("open api");
    TestApp { api, events }
}

/// Where a test body runs: in this process, or re-run in a child process set up for it.
pub enum Session {
    /// A private D-Bus session with an unlocked gnome-keyring (Secret Service).
    Keyring,
    /// No session bus at all.
    NoBus,
}

const CHILD_VAR: &str = "FIELDSTONE_APP_TEST_CHILD";

/// `true` when the caller is the child and should run the test body; otherwise re-runs test
/// `name` (its libtest path, e.g. `os::sign_in_...`) in a child process set up as `session`,
/// asserts that it passed, and returns `false`. Without the tools (dbus-run-session,
/// gnome-keyring-daemon) the test is skipped, except under CI where that is a failure.
pub fn in_child(name: &str, session: Session) -> bool {
    if std::env::var_os(CHILD_VAR).is_some() {
        return true;
    }
    let needs: &[&str] = match session {
        Session::Keyring => &["dbus-run-session", "gnome-keyring-daemon"],
        Session::NoBus => &[],
    };
    if let Some(missing) = needs.iter().find(|tool| !on_path(tool)) {
        assert!(
            std::env::var_os("CI").is_none(),
            "{missing} is needed for {name} (install the test packages)"
        );
        eprintln!("skipping {name}: {missing} is not installed");
        return false;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary");
    let test_args = [name, "--exact", "--nocapture", "--test-threads=1"];
    let mut command = match session {
        Session::Keyring => {
            let mut c = Command::new("dbus-run-session");
            c.args(["--", "sh", "-c"]).arg(
                "printf 'test-keyring-password' | gnome-keyring-daemon --unlock \
                 --components=secrets >/dev/null && exec \"$@\"",
            );
            c.arg("sh").arg(&exe).args(test_args);
            c
        }
        Session::NoBus => {
            let mut c = Command::new(&exe);
            c.args(test_args).env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-bus-here", home.path().display()),
            );
            c
        }
    };
    let status = command
        .env(CHILD_VAR, "1")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_RUNTIME_DIR", home.path())
        .env_remove("DISPLAY")
        .status()
        .expect("run the test in a child process");
    assert!(status.success(), "{name} failed in its child process");
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// Waits (polling, at most `limit`) until `check` holds; panics with `what` otherwise.
pub async fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Every file under `dir` that holds `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read dir").flatten() {
                stack.push(entry.path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                hits.push(path.display().to_string());
            }
        }
    }
    hits
}

/// A contact with one primary email: what most stories create.
pub fn person(given: &str, family: &str, email: &str) -> fieldstone_model::ContactInput {
    fieldstone_model::ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![fieldstone_model::EmailEntry {
            address: email.into(),
            label: Default::default(),
            primary: true,
        }],
        ..fieldstone_model::ContactInput::default()
    }
}

/// Signing in to `url` as `email` (the test password) from "Ada's laptop".
pub fn sign_in(url: &str, email: &str) -> fieldstone_protocol::commands::SignInRequest {
    fieldstone_protocol::commands::SignInRequest {
        server_url: url.to_owned(),
        email: email.to_owned(),
        password: fieldstone_tests::PASSWORD.to_owned(),
        device_name: "Ada's laptop".into(),
        org_id: None,
    }
}
