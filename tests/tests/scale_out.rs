//! Scale-out: two server processes on one PostgreSQL database. A change accepted by one reaches
//! a device connected live to the other (LISTEN/NOTIFY between the processes), and an admin
//! command run against the database reaches both.
//!
//! Needs `FIELDSTONE_TEST_POSTGRES_URL` (`cargo xtask test` starts a private PostgreSQL); skipped
//! without it, except under CI, where it fails.

use fieldstone_model::{ContactInput, UserId};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{SyncClient, SyncHandle, SyncOptions};
use fieldstone_tests::*;
use std::process::{Command, Stdio};
use std::time::Duration;

const URL_VAR: &str = "FIELDSTONE_TEST_POSTGRES_URL";

fn postgres_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") => {
            panic!("{URL_VAR} is not set, and under CI scale-out must be tested: run `cargo xtask test`")
        }
        _ => {
            eprintln!("scale-out test skipped: set {URL_VAR} to a PostgreSQL server");
            None
        }
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// url");
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, format!("?{query}")),
        None => (rest, String::new()),
    };
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    format!("{scheme}://{authority}/{name}{query}")
}

/// A database of this test's own, dropped at the end.
struct Database {
    admin_url: String,
    name: String,
    url: String,
}

impl Database {
    fn create(admin_url: &str) -> Self {
        let name = format!("fs_scale_{}", uuid::Uuid::new_v4().simple());
        psql(admin_url, &format!("CREATE DATABASE {name}"));
        Self {
            admin_url: admin_url.to_owned(),
            url: with_database(admin_url, &name),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args([
                &self.admin_url,
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn psql(url: &str, sql: &str) {
    let status = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qc", sql])
        .status()
        .expect("run psql (Debian package postgresql-client)");
    assert!(status.success(), "psql {sql:?} failed");
}

/// `fieldstone-server admin …` against the database; its stdout.
fn admin_pg(url: &str, args: &[&str]) -> String {
    use std::io::Write;
    let mut child = Command::new(server_bin())
        .arg("admin")
        .args(args)
        .env("FIELDSTONE_DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run admin");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "{PASSWORD}");
    }
    let out = child.wait_with_output().expect("admin output");
    assert!(
        out.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn live_connections(metrics: &str) -> f64 {
    metric(metrics, "fieldstone_live_connections")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_accepted_by_one_server_reaches_a_device_live_on_the_other() {
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let db = Database::create(&admin_url);
    let org = admin_pg(
        &db.url,
        &[
            "create-org",
            "--name",
            "Harbour",
            "--owner-email",
            "owner@harbour.test",
            "--password-stdin",
        ],
    );
    let team = admin_pg(
        &db.url,
        &["create-team", "--org", &org, "--name", "Downtown"],
    );
    let ada: UserId = admin_pg(
        &db.url,
        &[
            "create-user",
            "--org",
            &org,
            "--email",
            "ada@harbour.test",
            "--role",
            "agent",
            "--team",
            &team,
            "--password-stdin",
        ],
    )
    .parse()
    .expect("user id");
    admin_pg(
        &db.url,
        &[
            "create-user",
            "--org",
            &org,
            "--email",
            "bea@harbour.test",
            "--role",
            "broker",
            "--team",
            &team,
            "--password-stdin",
        ],
    );
    let ada_token = admin_pg(
        &db.url,
        &["issue-token", "--org", &org, "--email", "ada@harbour.test"],
    );
    let bea_token = admin_pg(
        &db.url,
        &["issue-token", "--org", &org, "--email", "bea@harbour.test"],
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let env = [("FIELDSTONE_DATABASE_URL", db.url.as_str())];
    let one = ServerProcess::start_with_env(&tmp.path().join("one"), "127.0.0.1:0", &env);
    let two = ServerProcess::start_with_env(&tmp.path().join("two"), "127.0.0.1:0", &env);
    assert_ne!(one.url, two.url);

    // Bea's device listens live on server two; polling is too slow to matter here.
    let bea = open_replica(&tmp.path().join("bea"));
    let options = SyncOptions {
        poll_interval: Duration::from_secs(600),
        live_poll_interval: Duration::from_secs(600),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        live: true,
        ..SyncOptions::default()
    };
    let bea_sync = SyncHandle::spawn(
        bea.clone(),
        SyncClient::new(&two.url, &bea_token).expect("client"),
        options,
    );
    eventually(
        "Bea's first sync and live connection on server two",
        Duration::from_secs(20),
        || bea_sync.status().last_synced_at.map(|_| ()),
    )
    .await;
    let mut connected = false;
    for _ in 0..200 {
        if live_connections(&two.metrics().await) >= 1.0 {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(connected, "Bea's live connection never reached server two");

    // Ada writes through server one.
    let ada_device = open_replica(&tmp.path().join("ada"));
    let contact = ada_device
        .create_contact(
            &ContactInput {
                given_name: "Grace".into(),
                family_name: "Hopper".into(),
                ..Default::default()
            },
            ada,
        )
        .expect("create");
    let report = sync_once(
        &ada_device,
        &SyncClient::new(&one.url, &ada_token).expect("client"),
    )
    .await
    .expect("Ada syncs with server one");
    assert_eq!(report.pushed, 1);

    let received = eventually(
        "Ada's contact reaches Bea, live on server two",
        Duration::from_secs(20),
        || bea.get_contact(&contact.id).expect("read"),
    )
    .await;
    assert_eq!(received, contact);
    assert!(
        live_connections(&one.metrics().await) < 1.0,
        "nobody was live on server one: the news crossed between the processes"
    );

    // An admin command against the database reaches both servers: Bea's device is revoked and
    // server two closes its live connection and refuses it.
    let device = bea_device_id(&two.url, &bea_token).await;
    admin_pg(
        &db.url,
        &["revoke-device", "--org", &org, "--device", &device],
    );
    eventually("Bea's device wipes itself", Duration::from_secs(20), || {
        (bea.document_ids().expect("ids").is_empty()).then_some(())
    })
    .await;
}

async fn bea_device_id(url: &str, token: &str) -> String {
    let devices: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/v2/devices"))
        .bearer_auth(token)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("json");
    devices
        .as_array()
        .and_then(|d| d.iter().find(|d| d["current"] == true))
        .and_then(|d| d["id"].as_str())
        .expect("current device")
        .to_owned()
}
