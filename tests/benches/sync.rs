//! Sync benchmarks against a real release `fieldstone-server` process on loopback, with every
//! byte between device and server counted by a TCP proxy (headers included). Prints the figures
//! recorded in docs/BENCHMARKS.md.
//!
//! `cargo bench -p fieldstone-tests --bench sync` (FIELDSTONE_BENCH_BIG=0 skips the 100k part).

use chrono::Utc;
use fieldstone_model::{Clock, ContactId, ContactInput, EmailEntry, PhoneEntry, Stage, UserId};
use fieldstone_protocol::*;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient, SyncHandle, SyncOptions};
use fieldstone_tests::{admin, Org, ServerProcess};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Clocked;

impl Clock for Clocked {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now()
    }
}

/// Counts every byte both ways between clients and the server.
struct Proxy {
    url: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

impl Proxy {
    async fn start(server: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let target = server.trim_start_matches("http://").to_owned();
        let up = Arc::new(AtomicU64::new(0));
        let down = Arc::new(AtomicU64::new(0));
        let (u, d) = (up.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pipe(cr, sw, u.clone()));
                tokio::spawn(pipe(sr, cw, d.clone()));
            }
        });
        Self { url, up, down }
    }

    fn take(&self) -> (u64, u64) {
        (
            self.up.swap(0, Ordering::SeqCst),
            self.down.swap(0, Ordering::SeqCst),
        )
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

fn contact(i: usize) -> ContactInput {
    const GIVEN: [&str; 8] = [
        "Ada", "Grace", "Maria", "Marcus", "Priya", "Jamal", "Sofia", "Liam",
    ];
    const FAMILY: [&str; 8] = [
        "Lovelace", "Hopper", "Garcia", "Okafor", "Patel", "Nguyen", "Rossi", "Kim",
    ];
    ContactInput {
        given_name: GIVEN[i % 8].into(),
        family_name: FAMILY[(i / 8) % 8].into(),
        emails: vec![EmailEntry {
            address: format!("person{i}@example.com"),
            label: Default::default(),
            primary: true,
        }],
        phones: vec![PhoneEntry {
            number: format!("+1 555 {:03} {:04}", (i * 7) % 1000, i % 10_000),
            label: Default::default(),
            primary: true,
        }],
        stage: Stage::ALL[i % Stage::ALL.len()],
        ..Default::default()
    }
}

fn open(dir: &Path, name: &str) -> Arc<Replica> {
    Arc::new(Replica::open(&dir.join(format!("{name}.db")), Arc::new(Clocked)).expect("replica"))
}

/// Creates `count` contacts on `replica` (in batches) and pushes them.
async fn add_contacts(
    replica: &Arc<Replica>,
    client: &SyncClient,
    owner: UserId,
    from: usize,
    count: usize,
) -> Vec<ContactId> {
    let mut ids = Vec::with_capacity(count);
    for start in (from..from + count).step_by(1000) {
        let end = (start + 1000).min(from + count);
        let made = replica
            .batch(|b| {
                (start..end)
                    .map(|i| b.create_contact(&contact(i), owner).map(|c| c.id))
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("create");
        ids.extend(made);
        sync_once(replica, client).await.expect("push fixture");
    }
    ids
}

/// A stage different from the contact's current one, so the edit is a real change.
fn next_stage(replica: &Replica, id: &ContactId) -> Stage {
    let current = replica
        .get_contact(id)
        .expect("read")
        .expect("contact")
        .stage;
    let at = Stage::ALL.iter().position(|s| *s == current).unwrap_or(0);
    Stage::ALL[(at + 1) % Stage::ALL.len()]
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Bench {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    server: ServerProcess,
    proxy: Proxy,
    org: Org,
    ada: UserId,
    ada_token: String,
    bea_token: String,
}

async fn setup() -> Bench {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_owned();
    let data = dir.join("server");
    let org = Org::create(&data, "Bench");
    let team = org.team("Downtown");
    let ada: UserId = org
        .user("ada@bench.test", "agent", Some(&team))
        .parse()
        .expect("uuid");
    org.user("bea@bench.test", "broker", Some(&team));
    let ada_token = org.token("ada@bench.test");
    let bea_token = org.token("bea@bench.test");
    let server = ServerProcess::start(&data, "127.0.0.1:0");
    let proxy = Proxy::start(&server.url).await;
    Bench {
        _dir: tmp,
        dir,
        server,
        proxy,
        org,
        ada,
        ada_token,
        bea_token,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // Run only under `cargo bench` (cargo test passes --bench-less args; skip quietly then).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    std::env::set_var(
        "FIELDSTONE_SERVER_BIN",
        fieldstone_tests::release_server_bin(),
    );
    let big = std::env::var("FIELDSTONE_BENCH_BIG").map_or(true, |v| v != "0");
    let b = setup().await;
    if std::env::var("FIELDSTONE_BENCH_ONLY").as_deref() == Ok("pull-memory") {
        pull_memory(&b).await;
        return;
    }
    if std::env::var("FIELDSTONE_BENCH_ONLY").as_deref() == Ok("broker-pull") {
        broker_pull(&b).await;
        return;
    }
    if std::env::var("FIELDSTONE_BENCH_ONLY").as_deref() == Ok("throughput") {
        let stored: usize = std::env::var("FIELDSTONE_BENCH_STORED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if stored > 0 {
            let client = SyncClient::new(&b.server.url, &b.ada_token).expect("client");
            add_contacts(&open(&b.dir, "laptop"), &client, b.ada, 0, stored).await;
            let pid = b.server.pid();
            println!(
                "server memory after storing {stored} contacts: RSS {:.1} MiB, high-water {:.1} MiB",
                rss_kib(pid, "VmRSS:") as f64 / 1024.0,
                rss_kib(pid, "VmHWM:") as f64 / 1024.0
            );
        }
        eprintln!("server pid {}", b.server.pid());
        throughput(&b, stored).await;
        return;
    }
    println!("# sync benchmarks (2 cores; release server process; bytes counted on the wire, HTTP headers included)");
    let a_direct = SyncClient::new(&b.server.url, &b.ada_token).expect("client");
    let laptop = open(&b.dir, "laptop");

    // --- initial sync of 10k contacts to an empty device --------------------------------------
    let t = Instant::now();
    let ids = add_contacts(&laptop, &a_direct, b.ada, 0, 10_000).await;
    println!(
        "fixture: 10,000 contacts created and pushed in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let pid = b.server.pid();
    println!(
        "server memory after storing 10,000 contacts: RSS {:.1} MiB, high-water {:.1} MiB",
        rss_kib(pid, "VmRSS:") as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
    let phone = open(&b.dir, "phone");
    let phone_token = b.org.token("ada@bench.test");
    let phone_client = SyncClient::new(&b.proxy.url, &phone_token).expect("client");
    b.proxy.take();
    let t = Instant::now();
    let report = sync_once(&phone, &phone_client)
        .await
        .expect("initial sync");
    let took = t.elapsed();
    let (up, down) = b.proxy.take();
    assert_eq!(report.docs_changed, 10_000);
    println!(
        "initial sync, 10k contacts -> empty device: {:.2} s, {} B on the wire ({} up, {} down), {} round trips  [targets: <= 3 s, <= 2 MB]",
        took.as_secs_f64(),
        up + down,
        up,
        down,
        report.round_trips
    );

    println!(
        "server memory after the initial sync: RSS {:.1} MiB, high-water {:.1} MiB",
        rss_kib(pid, "VmRSS:") as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
    // --- sign-in: an unknown email costs what a wrong password costs -------------------------
    login_timing(&b.dir).await;

    // --- reconnect after k changed documents, and a no-op sync --------------------------------
    reconnect(&b, &laptop, &a_direct, &phone, &phone_client, &ids, 10_000).await;

    // --- an edit reaches an online teammate ---------------------------------------------------
    latency(&b, &laptop, &a_direct, &ids).await;

    // --- throughput and server memory ---------------------------------------------------------
    throughput(&b, 10_000).await;

    if big {
        let t = Instant::now();
        let more = add_contacts(&laptop, &a_direct, b.ada, 10_000, 90_000).await;
        println!(
            "fixture: 90,000 more contacts pushed in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let mut all = ids.clone();
        all.extend(more);
        sync_once(&phone, &phone_client).await.expect("catch up");
        reconnect(&b, &laptop, &a_direct, &phone, &phone_client, &all, 100_000).await;
        throughput(&b, 100_000).await;
    }
    let _ = admin(&b.server.data_dir, &["stats"]);
}

async fn reconnect(
    b: &Bench,
    laptop: &Arc<Replica>,
    laptop_client: &SyncClient,
    phone: &Arc<Replica>,
    phone_client: &SyncClient,
    ids: &[ContactId],
    n: usize,
) {
    sync_once(phone, phone_client).await.expect("settle");
    for k in [1usize, 10, 100, 1000] {
        for id in ids.iter().take(k) {
            laptop
                .set_contact_stage(id, next_stage(laptop, id), b.ada)
                .expect("edit");
        }
        sync_once(laptop, laptop_client).await.expect("push edits");
        b.proxy.take();
        let report = sync_once(phone, phone_client).await.expect("reconnect");
        let (up, down) = b.proxy.take();
        let target = 1024 + 200 * k as u64;
        println!(
            "reconnect after k = {k} changed documents, N = {n}: {} B ({} up, {} down), {} round trips, {} docs changed  [target <= {target} B: {}]",
            up + down,
            up,
            down,
            report.round_trips,
            report.docs_changed,
            if up + down <= target { "met" } else { "NOT met" }
        );
    }
    b.proxy.take();
    let report = sync_once(phone, phone_client).await.expect("no-op");
    let (up, down) = b.proxy.take();
    println!(
        "no-op sync, N = {n}: {} round trip(s), {} B ({} up, {} down)  [target: 1 round trip, <= 1024 B: {}]",
        report.round_trips,
        up + down,
        up,
        down,
        if report.round_trips == 1 && up + down <= 1024 { "met" } else { "NOT met" }
    );
}

async fn latency(b: &Bench, laptop: &Arc<Replica>, laptop_client: &SyncClient, ids: &[ContactId]) {
    let broker = open(&b.dir, "broker");
    let broker_client = SyncClient::new(&b.server.url, &b.bea_token).expect("client");
    sync_once(&broker, &broker_client)
        .await
        .expect("broker initial sync");
    sync_once(laptop, laptop_client)
        .await
        .expect("laptop settled");
    let slow = SyncOptions {
        poll_interval: Duration::from_secs(600),
        live_poll_interval: Duration::from_secs(600),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(2),
        live: true,
        ..SyncOptions::default()
    };
    let laptop_sync = SyncHandle::spawn(laptop.clone(), laptop_client.clone(), slow.clone());
    let broker_sync = SyncHandle::spawn(broker.clone(), broker_client, slow);
    let mut watch = broker_sync.subscribe();
    // Both live sockets up and first rounds done.
    let deadline = Instant::now() + Duration::from_secs(30);
    while broker_sync.status().last_synced_at.is_none()
        || laptop_sync.status().last_synced_at.is_none()
    {
        assert!(Instant::now() < deadline, "sync handles did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut samples = Vec::new();
    for i in 0..200usize {
        let id = ids[i % ids.len()];
        let stage = next_stage(laptop, &id);
        let before = watch.borrow_and_update().remote_revision;
        let start = Instant::now();
        laptop.set_contact_stage(&id, stage, b.ada).expect("edit");
        laptop_sync.nudge();
        let deadline = start + Duration::from_secs(10);
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            assert!(
                !remaining.is_zero(),
                "edit {i} never reached the teammate: laptop {:?}, broker {:?}",
                laptop_sync.status(),
                broker_sync.status()
            );
            let _ = tokio::time::timeout(remaining, watch.changed()).await;
            if watch.borrow_and_update().remote_revision > before
                && broker.get_contact(&id).expect("read").map(|c| c.stage) == Some(stage)
            {
                break;
            }
        }
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!(
        "edit reaches an online teammate (live WebSocket): p50 {p50:.1} ms, p99 {p99:.1} ms, max {:.1} ms over {} edits  [targets p50 <= 150 ms, p99 <= 500 ms: {}]",
        samples.last().copied().unwrap_or(0.0),
        samples.len(),
        if p50 <= 150.0 && p99 <= 500.0 { "met" } else { "NOT met" }
    );
}

/// Server memory around a long pull burst: a fresh device catches up on many documents.
async fn pull_memory(b: &Bench) {
    let n: usize = std::env::var("FIELDSTONE_BENCH_STORED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let client = SyncClient::new(&b.server.url, &b.ada_token).expect("client");
    let laptop = open(&b.dir, "laptop");
    let ids = add_contacts(&laptop, &client, b.ada, 0, n).await;
    let pid = b.server.pid();
    let show = |when: &str| {
        println!(
            "server memory {when}: RSS {:.1} MiB, high-water {:.1} MiB",
            rss_kib(pid, "VmRSS:") as f64 / 1024.0,
            rss_kib(pid, "VmHWM:") as f64 / 1024.0
        );
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    show(&format!("after storing {n} contacts, idle 3 s"));
    let phone = open(&b.dir, "phone");
    let token = b.org.token("ada@bench.test");
    sync_once(
        &phone,
        &SyncClient::new(&b.server.url, &token).expect("client"),
    )
    .await
    .expect("catch up");
    show(&format!("right after a device pulled {n} documents"));
    tokio::time::sleep(Duration::from_secs(15)).await;
    show("after 15 s idle");
    for id in ids.iter().take(1000) {
        laptop
            .set_contact_stage(id, next_stage(&laptop, id), b.ada)
            .expect("edit");
    }
    sync_once(&laptop, &client).await.expect("push edits");
    show("after 1,000 edits of stored documents were pushed");
    tokio::time::sleep(Duration::from_secs(15)).await;
    show("after 15 s idle");
}

/// Wrong password vs unknown email, alternated, on a server whose rate limits are raised so that
/// every attempt is checked.
async fn login_timing(dir: &Path) {
    let data = dir.join("login-server");
    std::fs::create_dir_all(&data).expect("dir");
    let config = dir.join("login.toml");
    std::fs::write(
        &config,
        "[auth]\nlogin_per_ip_per_minute = 100000\nlogin_failures_per_account = 100000\nlogin_free_failures = 100000\n",
    )
    .expect("config");
    let org = Org::create(&data, "Timing");
    org.user("known@timing.test", "agent", None);
    let server = ServerProcess::start_with_env(
        &data,
        "127.0.0.1:0",
        &[("FIELDSTONE_CONFIG", config.to_str().expect("utf-8"))],
    );
    let http = reqwest::Client::new();
    let attempt = |email: String| {
        let request = http
            .post(format!("{}/v2/auth/login", server.url))
            .json(&serde_json::json!({"email": email, "password": "not the password at all", "device_name": "x"}));
        async move {
            let start = Instant::now();
            let response = request.send().await.expect("login");
            assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
            let body = response.text().await.expect("body");
            (start.elapsed().as_secs_f64() * 1000.0, body)
        }
    };
    let (mut wrong, mut unknown) = (Vec::new(), Vec::new());
    let mut bodies = std::collections::BTreeSet::new();
    for i in 0..60 {
        let (ms, body) = attempt("known@timing.test".into()).await;
        wrong.push(ms);
        bodies.insert(body);
        let (ms, body) = attempt(format!("nobody{i}@timing.test")).await;
        unknown.push(ms);
        bodies.insert(body);
    }
    wrong.sort_by(f64::total_cmp);
    unknown.sort_by(f64::total_cmp);
    println!(
        "sign-in refused, 60 each: wrong password p50 {:.1} ms (p90 {:.1}), unknown email p50 {:.1} ms (p90 {:.1}); {} distinct answer bod{}  [target: the same answer in the same time]",
        percentile(&wrong, 0.5),
        percentile(&wrong, 0.9),
        percentile(&unknown, 0.5),
        percentile(&unknown, 0.9),
        bodies.len(),
        if bodies.len() == 1 { "y" } else { "ies" }
    );
}

/// 50 devices (50 agents) push single changes as fast as the server accepts them.
async fn throughput(b: &Bench, stored: usize) {
    const DEVICES: usize = 50;
    let run = Duration::from_secs(15);
    let tokens: Vec<(UserId, String)> = (0..DEVICES)
        .map(|i| {
            let email = format!("load{i}-{stored}@bench.test");
            let id: UserId = b.org.user(&email, "agent", None).parse().expect("uuid");
            (id, b.org.token(&email))
        })
        .collect();
    let accepted = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let stop = start + run;
    let mut tasks = Vec::new();
    for (n, (user, token)) in tokens.into_iter().enumerate() {
        let url = b.server.url.clone();
        let accepted = accepted.clone();
        let requests = requests.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut docs: Vec<(DocId, automerge::AutoCommit, Vec<automerge::ChangeHash>)> =
                Vec::new();
            let mut i = 0usize;
            while Instant::now() < stop {
                // A new document every 20th change, else an edit of one of ours.
                if docs.is_empty() || i.is_multiple_of(20) {
                    let id = DocId::new("contact", uuid::Uuid::new_v4()).expect("id");
                    let mut doc = automerge::AutoCommit::new();
                    use automerge::transaction::Transactable;
                    doc.put(automerge::ROOT, "id", id.record_id()).expect("put");
                    doc.put(automerge::ROOT, "owner", user.to_string())
                        .expect("put");
                    docs.push((id, doc, Vec::new()));
                }
                let which = (i * 7 + n) % docs.len();
                let (id, doc, sent) = &mut docs[which];
                {
                    use automerge::transaction::Transactable;
                    doc.put(automerge::ROOT, "stage", format!("s{i}"))
                        .expect("put");
                }
                doc.commit();
                let changes: Vec<Vec<u8>> = doc
                    .get_changes(sent)
                    .iter()
                    .map(|c| c.raw_bytes().to_vec())
                    .collect();
                *sent = doc.get_heads();
                let body = codec::encode(&PushRequest {
                    docs: vec![DocPush {
                        doc_id: id.clone(),
                        changes,
                    }],
                })
                .expect("encode");
                let response = http
                    .post(format!("{url}/v2/sync/push"))
                    .bearer_auth(&token)
                    .header("content-type", SYNC_CONTENT_TYPE)
                    .body(body)
                    .send()
                    .await
                    .expect("push");
                assert!(response.status().is_success(), "{}", response.status());
                let answer: PushResponse =
                    codec::decode(&response.bytes().await.expect("body")).expect("decode");
                assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
                accepted.fetch_add(u64::from(answer.accepted), Ordering::Relaxed);
                requests.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    let pid = b.server.pid();
    let mut peak = 0;
    while Instant::now() < stop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        peak = peak.max(rss_kib(pid, "VmRSS:"));
    }
    for task in tasks {
        task.await.expect("device task");
    }
    let secs = start.elapsed().as_secs_f64();
    let per_s = accepted.load(Ordering::Relaxed) as f64 / secs;
    println!(
        "throughput, {DEVICES} devices each pushing one change per request, {stored} contacts already stored: {per_s:.0} accepted changes/s ({} requests in {secs:.1} s)  [target >= 2,000/s: {}]",
        requests.load(Ordering::Relaxed),
        if per_s >= 2000.0 { "met" } else { "NOT met" }
    );
    println!(
        "server memory during that run: peak RSS {:.1} MiB (hot-document cache: 2,000 documents), high-water {:.1} MiB",
        peak as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
}

/// What the version 3 pull's marks cost (issue 15): an empty device of agent Ada and one of
/// broker Bea each pull Ada's 10,000 contacts. Ada's pages need no scope read; every one of
/// Bea's documents is read for its scopes and marked "not mine". Three rounds each, fresh
/// devices, alternating.
async fn broker_pull(b: &Bench) {
    let laptop = open(&b.dir, "laptop");
    let client = SyncClient::new(&b.server.url, &b.ada_token).expect("client");
    add_contacts(&laptop, &client, b.ada, 0, 10_000).await;
    for round in 0..3 {
        for (who, token) in [("agent", &b.ada_token), ("broker", &b.bea_token)] {
            let device = open(&b.dir, &format!("{who}-{round}"));
            let client = SyncClient::new(&b.server.url, token).expect("client");
            let t = Instant::now();
            let report = sync_once(&device, &client).await.expect("pull");
            let took = t.elapsed();
            assert_eq!(report.docs_changed, 10_000);
            let marked = device
                .list_contacts(&fieldstone_replica::ContactQuery {
                    mine_only: true,
                    limit: 1,
                    ..Default::default()
                })
                .expect("mine")
                .items
                .len();
            println!(
                "initial sync of 10,000 contacts, {who}'s device (round {round}): {:.2} s, {} round trips, own contacts shown on Today: {}",
                took.as_secs_f64(),
                report.round_trips,
                if marked == 0 { "none" } else { "some" }
            );
        }
    }
}
