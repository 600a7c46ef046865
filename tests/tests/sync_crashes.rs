//! Sync across crashes and cut connections: the server killed between storing a push and
//! answering it, the server killed while a device pulls, a connection cut part-way through an
//! answer, and the device's own process killed between two pull pages. Each time the device
//! resumes, ends identical to a replica that synced without trouble, keeps an intact database,
//! and neither loses nor duplicates anything.
//!
//! Kill points come from a seeded RNG; the seed is printed and `FIELDSTONE_TEST_SEED=<n>`
//! replays it.

use fieldstone_model::{ContactInput, UserId};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient, SyncError};
use fieldstone_tests::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Documents a long pull brings: three pages of `MAX_PULL_DOCS`.
const DOCS: usize = 3000;
const PAGE: usize = fieldstone_protocol::MAX_PULL_DOCS as usize;
const LIMIT: Duration = Duration::from_secs(60);

fn seed() -> u64 {
    let seed = match std::env::var("FIELDSTONE_TEST_SEED") {
        Ok(seed) => seed.parse().expect("FIELDSTONE_TEST_SEED is a number"),
        Err(_) => rand::random::<u32>() as u64,
    };
    println!("seed {seed} (FIELDSTONE_TEST_SEED={seed} replays it)");
    seed
}

/// An organisation with agent Ada; her user id.
struct Office {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    server_dir: PathBuf,
    org: Org,
    ada: UserId,
}

const ADA: &str = "ada@harbour.test";

fn office() -> Office {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_owned();
    let server_dir = root.join("server");
    let org = Org::create(&server_dir, "Harbour");
    let ada = org.user(ADA, "agent", None).parse().expect("user id");
    Office {
        _tmp: tmp,
        root,
        server_dir,
        org,
        ada,
    }
}

impl Office {
    fn replica(&self, name: &str) -> Arc<Replica> {
        open_replica(&self.root.join(name))
    }

    fn db(&self, name: &str) -> PathBuf {
        self.root.join(name).join("fieldstone.db")
    }

    /// A client for a new device of Ada's.
    fn client(&self, url: &str, device: &str) -> SyncClient {
        SyncClient::new(url, &self.org.device_token(ADA, device)).expect("client")
    }
}

/// `n` contacts written in one transaction.
fn create_contacts(replica: &Replica, n: usize, by: UserId) {
    replica
        .batch(|b| {
            for i in 0..n {
                b.create_contact(
                    &ContactInput {
                        given_name: format!("Buyer {i}"),
                        family_name: "Crash".into(),
                        tags: vec!["open-house".into()],
                        ..ContactInput::default()
                    },
                    by,
                )?;
            }
            Ok(())
        })
        .expect("create contacts");
}

/// Ada's `DOCS` contacts stored on the server, and a replica that pulled them without trouble.
async fn loaded_server(o: &Office) -> (ServerProcess, Arc<Replica>) {
    let server = ServerProcess::start(&o.server_dir, "127.0.0.1:0");
    let writer = o.replica("writer");
    create_contacts(&writer, DOCS, o.ada);
    sync_once(&writer, &o.client(&server.url, "writer"))
        .await
        .expect("writer syncs");
    let clean = o.replica("clean");
    let report = sync_once(&clean, &o.client(&server.url, "clean"))
        .await
        .expect("clean pull");
    assert_eq!(report.pulled as usize, DOCS);
    (server, clean)
}

fn integrity_ok(path: &Path) {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open for integrity check");
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(result, "ok", "{} damaged", path.display());
}

/// A count from a device's database, read on a connection of its own (None while the file
/// or its tables do not exist yet).
fn count(path: &Path, sql: &str) -> Option<usize> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .ok()
        .and_then(|n| usize::try_from(n).ok())
}

fn ends_like_clean(context: &str, clean: &Replica, replica: &Replica, db: &Path) {
    assert_converged(context, &[("clean", clean), ("resumed", replica)]);
    assert_eq!(
        replica.pending_changes().expect("pending"),
        0,
        "{context}: pulling queued nothing to send"
    );
    integrity_ok(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_after_storing_a_push_loses_and_duplicates_nothing() {
    let o = office();
    let laptop = o.replica("laptop");
    let contacts = 2500;
    create_contacts(&laptop, contacts, o.ada);
    let (docs, _) = laptop.outbox_batch(usize::MAX, usize::MAX).expect("outbox");
    let distinct: usize = docs.iter().map(|d| d.changes.len()).sum();
    assert_eq!(distinct as u64, laptop.pending_changes().expect("pending"));

    let server = ServerProcess::start_with_env(
        &o.server_dir,
        "127.0.0.1:0",
        &[("FIELDSTONE_TEST_CRASH_AFTER_COMMITS", "1")],
    );
    let token = o.org.device_token(ADA, "laptop");
    let client = SyncClient::new(&server.url, &token).expect("client");
    let failed = sync_once(&laptop, &client).await;
    assert!(
        matches!(failed, Err(SyncError::Unreachable(_))),
        "the answer never came: {failed:?}"
    );
    let status = server.wait_for_exit(LIMIT).await;
    assert!(!status.success(), "the server aborted: {status:?}");
    let stored = admin_stats(&o.server_dir)["changes"];
    assert!(
        stored > 0 && stored < distinct as u64,
        "the first batch ({stored} of {distinct} changes) was stored before the crash"
    );
    assert_eq!(
        laptop.pending_changes().expect("pending"),
        distinct as u64,
        "unanswered changes stay in the outbox"
    );

    let server = ServerProcess::start(&o.server_dir, "127.0.0.1:0");
    let client = SyncClient::new(&server.url, &token).expect("client");
    let report = sync_once(&laptop, &client)
        .await
        .expect("sync after restart");
    assert_eq!(report.pushed as usize, distinct);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!(laptop.pending_changes().expect("pending"), 0);
    let stats = admin_stats(&o.server_dir);
    assert_eq!(
        (stats["changes"], stats["documents"]),
        (distinct as u64, contacts as u64),
        "each change stored once"
    );

    let phone = o.replica("phone");
    let pulled = sync_once(&phone, &o.client(&server.url, "phone"))
        .await
        .expect("phone pulls");
    assert_eq!(pulled.pulled as usize, contacts);
    assert_converged(
        "after the push crash",
        &[("laptop", &laptop), ("phone", &phone)],
    );
    let again = sync_once(&laptop, &client).await.expect("laptop again");
    assert_eq!((again.pushed, again.docs_changed), (0, 0));
    assert_eq!(admin_stats(&o.server_dir)["changes"], distinct as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_during_a_long_pull_resumes_to_the_same_replica() {
    let mut rng = StdRng::seed_from_u64(seed());
    let o = office();
    let (mut server, clean) = loaded_server(&o).await;
    for cycle in 0..3 {
        let name = format!("device-{cycle}");
        let replica = o.replica(&name);
        let db = o.db(&name);
        // Kill once the device holds `pages` pages, plus a little jitter.
        let pages = rng.random_range(0..DOCS / PAGE);
        let jitter = Duration::from_millis(rng.random_range(0..40));
        let pull: JoinHandle<Result<_, SyncError>> = {
            let (r, c) = (Arc::clone(&replica), o.client(&server.url, &name));
            tokio::spawn(async move { sync_once(&r, &c).await })
        };
        let docs = "SELECT count(*) FROM documents";
        eventually("the device pulls its pages", LIMIT, || {
            (pull.is_finished() || count(&db, docs).is_some_and(|n| n >= pages * PAGE))
                .then_some(())
        })
        .await;
        tokio::time::sleep(jitter).await;
        server.kill();
        let first = pull.await.expect("pull task");
        let kept = replica.document_ids().expect("ids").len();
        println!(
            "cycle {cycle}: killed after {pages} page(s) + {jitter:?}: {} with {kept} documents",
            if first.is_ok() { "finished" } else { "cut" }
        );
        if let Err(e) = &first {
            assert!(matches!(e, SyncError::Unreachable(_)), "{e}");
        }
        assert_eq!(kept % PAGE, 0, "whole pages only");
        integrity_ok(&db);

        server = ServerProcess::start(&o.server_dir, "127.0.0.1:0");
        let report = sync_once(&replica, &o.client(&server.url, &name))
            .await
            .expect("resume");
        assert_eq!(report.pulled as usize, DOCS - kept, "no page pulled twice");
        ends_like_clean(&format!("cycle {cycle}"), &clean, &replica, &db);
    }
}

/// A loopback proxy to `upstream`; with `cut_after`, each connection is closed once that many
/// bytes of answers have passed.
struct Proxy {
    url: String,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy(upstream: u16, cut_after: Option<usize>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(relay(client, upstream, cut_after));
        }
    });
    Proxy { url, task }
}

async fn relay(mut client: TcpStream, upstream: u16, cut_after: Option<usize>) {
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let Some(limit) = cut_after else {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        return;
    };
    let (mut from_client, mut to_client) = client.split();
    let (mut from_server, mut to_server) = server.split();
    let up = tokio::io::copy(&mut from_client, &mut to_server);
    let down = async {
        let mut left = limit;
        let mut buf = vec![0u8; 16 * 1024];
        while left > 0 {
            let n = match from_server.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n.min(left),
            };
            if to_client.write_all(&buf[..n]).await.is_err() {
                return;
            }
            left -= n;
        }
    };
    tokio::select! {
        _ = up => {}
        () = down => {}
    }
    // Both sockets close here, in the middle of the answer.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_cut_mid_answer_then_resumed() {
    let o = office();
    let (server, clean) = loaded_server(&o).await;
    let clean_client = o.client(&server.url, "measure");
    let measure = o.replica("measure");
    sync_once(&measure, &clean_client).await.expect("measure");
    let answer_bytes = clean_client
        .traffic()
        .received
        .load(std::sync::atomic::Ordering::Relaxed) as usize;
    // In the first answer's headers; half-way through the answers (inside the second page).
    for (case, cut) in [(0, 300), (1, answer_bytes / 2)] {
        let name = format!("device-{case}");
        let replica = o.replica(&name);
        let db = o.db(&name);
        let token = o.org.device_token(ADA, &name);
        let cutting = proxy(server.port(), Some(cut)).await;
        let failed = sync_once(
            &replica,
            &SyncClient::new(&cutting.url, &token).expect("client"),
        )
        .await;
        assert!(
            matches!(failed, Err(SyncError::Unreachable(_))),
            "cut after {cut} bytes: {failed:?}"
        );
        let kept = replica.document_ids().expect("ids").len();
        if case == 1 {
            assert!(kept > 0, "the pages before the cut are kept");
        }
        assert_eq!(kept % PAGE, 0, "whole pages only");
        integrity_ok(&db);

        let through = proxy(server.port(), None).await;
        let report = sync_once(
            &replica,
            &SyncClient::new(&through.url, &token).expect("client"),
        )
        .await
        .expect("sync through a good connection");
        assert_eq!(report.pulled as usize, DOCS - kept, "no page pulled twice");
        ends_like_clean(&format!("cut after {cut} bytes"), &clean, &replica, &db);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_killed_between_pages_repeats_at_most_one_page() {
    let o = office();
    let (server, clean) = loaded_server(&o).await;
    let served_before = metric(&server.metrics().await, "fieldstone_sync_lag_seconds_count");
    let db = o.db("killed");
    let token = o.org.device_token(ADA, "killed");
    let worker = || {
        Command::new(env!("CARGO_BIN_EXE_pull_worker"))
            .arg(&db)
            .args([&server.url, &token])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn pull_worker")
    };

    let mut child = worker();
    let first_page = "SELECT count(*) FROM sync_cursors WHERE seq > 0";
    eventually("the worker commits its first page", LIMIT, || {
        if let Some(status) = child.try_wait().expect("poll worker") {
            panic!("the worker ended ({status}) before it could be killed between pages");
        }
        count(&db, first_page).is_some_and(|n| n > 0).then_some(())
    })
    .await;
    child.kill().expect("SIGKILL the worker");
    let _ = child.wait();
    let kept = count(&db, "SELECT count(*) FROM documents").expect("documents");
    println!("killed with {kept} documents stored");
    assert!(kept > 0 && kept < DOCS, "killed between pages ({kept})");
    integrity_ok(&db);

    let output = worker().wait_with_output().expect("worker runs again");
    assert!(output.status.success(), "second run failed");
    println!(
        "second run: {}",
        String::from_utf8_lossy(&output.stdout).trim()
    );

    let served =
        metric(&server.metrics().await, "fieldstone_sync_lag_seconds_count") - served_before;
    assert!(
        served <= (DOCS + PAGE) as f64,
        "the server sent {served} documents for {DOCS}: more than one page repeated"
    );
    let replica = open_replica(db.parent().expect("dir"));
    ends_like_clean("after the kill", &clean, &replica, &db);
}
