//! Issue 11's attacks against a real release `fieldstone-server` process on loopback: the
//! server's memory (VmRSS, and its peak VmHWM) and CPU time while change bombs and operation
//! bombs are pushed, and how fast each is refused; then the sign-in rate an attacker can
//! sustain per account and per address. Prints the figures recorded in docs/BENCHMARKS.md.
//!
//! `cargo bench -p fieldstone-tests --bench attack` (FIELDSTONE_BENCH_SIGNIN_SECS sets how long
//! each sign-in attack runs; default 60).

use fieldstone_protocol::{codec, DocId, DocPush, PushRequest, PushResponse, SYNC_CONTENT_TYPE};
use fieldstone_server::sync::inspect::craft;
use fieldstone_tests::{Org, ServerProcess};
use std::time::{Duration, Instant};

fn kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User + system CPU time of the process, in seconds (clock ticks of 10 ms).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

struct Probe {
    pid: u32,
    rss: u64,
    cpu: f64,
}

impl Probe {
    fn start(pid: u32) -> Self {
        Self {
            pid,
            rss: kib(pid, "VmRSS:"),
            cpu: cpu_secs(pid),
        }
    }

    fn report(&self, what: &str, took: &[f64]) {
        let mut took = took.to_vec();
        took.sort_by(f64::total_cmp);
        let p50 = took.get(took.len() / 2).copied().unwrap_or(0.0);
        let max = took.last().copied().unwrap_or(0.0);
        println!(
            "{what}: refused in p50 {p50:.1} ms, max {max:.1} ms; server RSS {:.1} → {:.1} MiB (peak since start {:.1} MiB); CPU {:.2} s",
            self.rss as f64 / 1024.0,
            kib(self.pid, "VmRSS:") as f64 / 1024.0,
            kib(self.pid, "VmHWM:") as f64 / 1024.0,
            cpu_secs(self.pid) - self.cpu
        );
    }
}

async fn push(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    docs: Vec<DocPush>,
) -> (f64, PushResponse) {
    let body = codec::encode(&PushRequest { docs }).expect("encode");
    let start = Instant::now();
    let response = http
        .post(format!("{url}/v2/sync/push"))
        .bearer_auth(token)
        .header("content-type", SYNC_CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .expect("push");
    let status = response.status();
    let bytes = response.bytes().await.expect("body");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&bytes)
    );
    (ms, codec::decode(&bytes).expect("decode"))
}

fn doc(n: usize) -> DocId {
    DocId::new("contact", format!("00000000-0000-4000-8000-{n:012}")).expect("id")
}

async fn bombs(dir: &std::path::Path) {
    let data = dir.join("bomb-server");
    std::fs::create_dir_all(&data).expect("dir");
    let org = Org::create(&data, "Harbour");
    let team = org.team("Downtown");
    org.user("vic@harbour.test", "viewer", Some(&team));
    org.user("ada@harbour.test", "agent", Some(&team));
    let (viewer, agent) = (org.token("vic@harbour.test"), org.token("ada@harbour.test"));
    let server = ServerProcess::start(&data, "127.0.0.1:0");
    let pid = server.pid();
    let http = reqwest::Client::new();
    // Warm up: one ordinary push.
    let _ = push(&http, &server.url, &agent, vec![]).await;
    println!(
        "server at rest: RSS {:.1} MiB",
        kib(pid, "VmRSS:") as f64 / 1024.0
    );

    // Changes of ~1 MiB of DEFLATE that each inflate to 1 GiB: 7 fit in a push's decoded
    // body (7 GiB claimed); a push of 30 is refused while it is being decompressed.
    let bomb = craft::inflate_bomb(&[9; 16], 1 << 30);
    let wire = |n: usize| {
        codec::encode(&PushRequest {
            docs: vec![DocPush {
                doc_id: doc(1),
                changes: vec![bomb.clone(); n],
            }],
        })
        .expect("encode")
        .len()
    };
    println!(
        "change bomb: one change {} bytes (inflates to 1 GiB); a push of 7 is {} bytes on the wire, of 30 {} bytes",
        bomb.len(),
        wire(7),
        wire(30)
    );
    let probe = Probe::start(pid);
    let start = Instant::now();
    let status = http
        .post(format!("{}/v2/sync/push", server.url))
        .bearer_auth(&viewer)
        .header("content-type", SYNC_CONTENT_TYPE)
        .body(
            codec::encode(&PushRequest {
                docs: vec![DocPush {
                    doc_id: doc(1),
                    changes: vec![bomb.clone(); 30],
                }],
            })
            .expect("encode"),
        )
        .send()
        .await
        .expect("push")
        .status();
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    probe.report(
        "a push of 30 (31 MiB decoded) by a viewer, refused as too large while decompressing",
        &[start.elapsed().as_secs_f64() * 1000.0],
    );
    for (who, token) in [("viewer", &viewer), ("agent", &agent)] {
        let probe = Probe::start(pid);
        let mut took = Vec::new();
        for round in 0..10 {
            let docs = (0..1)
                .map(|i| DocPush {
                    doc_id: doc(100 + round * 10 + i),
                    changes: vec![bomb.clone(); 7],
                })
                .collect();
            let (ms, answer) = push(&http, &server.url, token, docs).await;
            assert_eq!(answer.accepted, 0);
            took.push(ms);
        }
        probe.report(
            &format!("10 change-bomb pushes (7 GiB claimed each) by an {who}"),
            &took,
        );
    }

    // 30 changes of a billion run-length-encoded operations each, then 2,000 documents of the
    // most operations a change may hold, in one push.
    let ops_bomb = craft::chunk(&craft::op_bomb_body(&[7; 16], 1_000_000_000), 2);
    let probe = Probe::start(pid);
    let mut took = Vec::new();
    for round in 0..10 {
        let (ms, answer) = push(
            &http,
            &server.url,
            &agent,
            vec![DocPush {
                doc_id: doc(1000 + round),
                changes: vec![ops_bomb.clone(); 30],
            }],
        )
        .await;
        assert_eq!(answer.accepted, 0);
        took.push(ms);
    }
    probe.report(
        &format!(
            "10 op-bomb pushes ({} bytes a change, 30 billion operations claimed each)",
            ops_bomb.len()
        ),
        &took,
    );
    let big = craft::chunk(&craft::op_bomb_body(&[8; 16], 1_000_001), 2);
    let probe = Probe::start(pid);
    let docs = (0..2000)
        .map(|i| DocPush {
            doc_id: doc(10_000 + i),
            changes: vec![big.clone()],
        })
        .collect();
    let (ms, answer) = push(&http, &server.url, &agent, docs).await;
    assert_eq!(answer.accepted, 0);
    probe.report(
        &format!(
            "one push of 2,000 new documents of 1,000,001 operations each ({} bytes a change)",
            big.len()
        ),
        &[ms],
    );
    let status = http
        .get(format!("{}/healthz", server.url))
        .send()
        .await
        .expect("healthz")
        .status();
    println!("after the bombs the server answers /healthz: {status}");
}

/// Sign-in attempts an attacker gets checked (answered 401, not 429) in `secs`.
async fn hammer(
    http: &reqwest::Client,
    url: &str,
    secs: u64,
    mut next: impl FnMut(usize) -> (String, String),
) -> (usize, usize) {
    let until = Instant::now() + Duration::from_secs(secs);
    let (mut checked, mut held) = (0, 0);
    let mut i = 0;
    while Instant::now() < until {
        let (forwarded, email) = next(i);
        i += 1;
        let status = http
            .post(format!("{url}/v2/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&serde_json::json!({"email": email, "password": "guess guess guess", "device_name": "x"}))
            .send()
            .await
            .expect("login")
            .status();
        match status.as_u16() {
            401 => checked += 1,
            429 => held += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (checked, held)
}

async fn sign_in(dir: &std::path::Path) {
    let secs: u64 = std::env::var("FIELDSTONE_BENCH_SIGNIN_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let data = dir.join("signin-server");
    std::fs::create_dir_all(&data).expect("dir");
    let config = dir.join("signin.toml");
    std::fs::write(&config, "[auth]\ntrusted_proxies = [\"127.0.0.1\"]\n").expect("config");
    let org = Org::create(&data, "Harbour");
    for n in 0..400 {
        org.user(&format!("agent{n}@harbour.test"), "agent", None);
    }
    let server = ServerProcess::start_with_env(
        &data,
        "127.0.0.1:0",
        &[("FIELDSTONE_CONFIG", config.to_str().expect("utf-8"))],
    );
    let http = reqwest::Client::new();
    let per_min = |n: usize| n as f64 * 60.0 / secs as f64;
    let (checked, held) = hammer(&http, &server.url, secs, |_| {
        ("203.0.113.1".into(), "agent0@harbour.test".into())
    })
    .await;
    println!(
        "one address, one account, {secs} s: {checked} guesses checked ({:.1}/min), {held} held back  [defaults: 5 free, then waits doubling to 15 min]",
        per_min(checked)
    );
    let (checked, held) = hammer(&http, &server.url, secs, |i| {
        (
            "203.0.113.2".into(),
            format!("agent{}@harbour.test", 1 + i % 300),
        )
    })
    .await;
    println!(
        "one address spraying 300 accounts, {secs} s: {checked} checked ({:.1}/min), {held} held back  [default: 30 attempts a minute per address]",
        per_min(checked)
    );
    let (checked, held) = hammer(&http, &server.url, secs, |i| {
        (
            format!("198.51.{}.{}", (i / 250) % 250, i % 250),
            "agent399@harbour.test".into(),
        )
    })
    .await;
    println!(
        "a new address for every guess at one account, {secs} s: {checked} checked ({:.1}/min), {held} held back  [default: 20 failures per 15 min from unknown devices]",
        per_min(checked)
    );
}

#[tokio::main]
async fn main() {
    let bin = fieldstone_tests::release_server_bin();
    std::env::set_var("FIELDSTONE_SERVER_BIN", &bin);
    let dir = tempfile::tempdir().expect("tempdir");
    println!("# attack benchmarks (2 cores; release server process on loopback)");
    bombs(dir.path()).await;
    sign_in(dir.path()).await;
}
