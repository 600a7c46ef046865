//! SendGrid's signed Event Webhook, end to end: a real server on a loopback port (SQLite store
//! in a temp dir), N sent emails stored as documents, then batches of signed events (delivered,
//! open, click spread over the messages, each with its own `sg_event_id`) posted by a few HTTP
//! clients side by side. Prints events verified and applied per second (HTTP included) and each
//! request's latency; then the same with one event per request. At the end every message is
//! read back, so the figure counts only events that really moved messages.
//!
//! A timed run rather than criterion (one run posts thousands of requests). Run with
//! `cargo bench -p fieldstone-server --bench webhooks` (`MESSAGES`, `EVENTS`, `BATCH`,
//! `CLIENTS`, `SINGLES` for other sizes).

mod common;

use base64::Engine;
use common::{message_doc, percentile, secret_key, write, Harbour, Serving};
use fieldstone_model::{Clock, FixedClock, MessageId, MessageStatus, OrgId};
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::EmailConfig;
use fieldstone_server::AppState;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One signed request, made before the clock starts: signing is SendGrid's work, not ours.
struct Signed {
    body: String,
    signature: String,
    timestamp: String,
    events: usize,
}

fn sign(key: &SigningKey, body: String, timestamp: i64, events: usize) -> Signed {
    let signature: Signature = key.sign(format!("{timestamp}{body}").as_bytes());
    Signed {
        signature: base64::engine::general_purpose::STANDARD.encode(signature.to_der().as_bytes()),
        timestamp: timestamp.to_string(),
        body,
        events,
    }
}

fn event(kind: &str, timestamp: i64, id: &str, org: OrgId, message: &MessageId) -> String {
    let extra = match kind {
        "click" => r#","url":"https://listings.example/week?a=1""#,
        "open" => r#","useragent":"Mozilla/5.0 (iPhone) Mail""#,
        _ => "",
    };
    format!(
        r#"{{"email":"lena@example.com","event":"{kind}","timestamp":{timestamp},"sg_event_id":"{id}","fs_org":"{org}","fs_message":"{message}"{extra}}}"#
    )
}

/// Posts every request from `clients` clients side by side; answers the wall time and each
/// request's latency. Every answer must be 200 and count the events it was sent.
async fn post_all(
    url: &str,
    requests: Vec<Signed>,
    clients: usize,
) -> (Duration, Vec<Duration>, usize) {
    let requests = Arc::new(requests);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (requests, next, url) = (requests.clone(), next.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut applied = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(request) = requests.get(i) else {
                    return (latencies, applied);
                };
                let sent = Instant::now();
                let answer = http
                    .post(&url)
                    .header("X-Twilio-Email-Event-Webhook-Signature", &request.signature)
                    .header("X-Twilio-Email-Event-Webhook-Timestamp", &request.timestamp)
                    .header("content-type", "application/json")
                    .body(request.body.clone())
                    .send()
                    .await
                    .expect("webhook");
                let status = answer.status();
                let body: serde_json::Value = answer.json().await.expect("answer");
                latencies.push(sent.elapsed());
                assert_eq!(status, reqwest::StatusCode::OK, "{body}");
                assert_eq!(body["events"], request.events, "{body}");
                assert_eq!(body["ignored"], 0, "{body}");
                applied += request.events;
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut applied = 0;
    for task in tasks {
        let (mine, n) = task.await.expect("client");
        latencies.extend(mine);
        applied += n;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    (elapsed, latencies, applied)
}

fn report(what: &str, elapsed: Duration, latencies: &[Duration], applied: usize) {
    println!(
        "{what}: {applied} events in {} requests, {:.2} s: {:.0} events/s, {:.0} requests/s; \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        applied as f64 / elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(latencies, 0.50).as_secs_f64() * 1e3,
        percentile(latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

fn main() {
    let count = common::env("MESSAGES", 2_000);
    let events = common::env("EVENTS", 20_000);
    let batch = common::env("BATCH", 100).max(1);
    let clients = common::env("CLIENTS", 4).max(1);
    let singles = common::env("SINGLES", 2_000);
    let dir = tempfile::tempdir().expect("tempdir");
    // The webhook refuses requests signed more than ten minutes from the server's clock.
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let at = clock.now();
    let key = SigningKey::from_slice(&[42u8; 32]).expect("key");
    let public = key
        .verifying_key()
        .to_public_key_der()
        .expect("der")
        .into_vec();
    // A relay nobody answers: nothing here is queued, so the dispatcher only looks and finds
    // nothing (each applied batch's news wakes it, as in a real server).
    let mut email = EmailConfig::new("smtp://127.0.0.1:9", "crm@harbour.test");
    email.sendgrid_webhook_key = Some(base64::engine::general_purpose::STANDARD.encode(public));
    let config = Config {
        email: Some(email),
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    let harbour = Harbour::open(&dir.path().join("data"), at);
    let (store, org, owner) = (harbour.store.clone(), harbour.org, harbour.owner);
    // Messages the dispatcher has already sent: the state SendGrid's events arrive in.
    let mut ids = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(200) {
        let mut writes = Vec::new();
        for _ in chunk {
            let mut message = harbour.email("Three homes near the park", at);
            message.result.status = MessageStatus::Sent;
            message.result.status_at = Some(at);
            message.result.attempts = 1;
            message.result.provider_id = Some(format!("<{}.1@harbour.test>", message.id));
            let (doc_id, mut doc) = message_doc(&message);
            writes.push(write(doc_id, &mut doc, owner, false));
            ids.push(message.id);
        }
        store.commit(org, writes, at).expect("messages");
    }

    // Delivered, then opened, then clicked, round after round over all the messages; a
    // batch's events are consecutive, so the clients side by side touch different messages.
    let now = at.timestamp();
    let kinds = ["delivered", "open", "click"];
    let all: Vec<String> = (0..events)
        .map(|i| {
            let kind = kinds[(i / count) % kinds.len()];
            event(kind, now, &format!("b{i}"), org, &ids[i % count])
        })
        .collect();
    let batches: Vec<Signed> = all
        .chunks(batch)
        .map(|chunk| sign(&key, format!("[{}]", chunk.join(",")), now, chunk.len()))
        .collect();
    let singles: Vec<Signed> = (0..singles)
        .map(|i| {
            let one = event("open", now, &format!("s{i}"), org, &ids[i % count]);
            sign(&key, format!("[{one}]"), now, 1)
        })
        .collect();

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let state = runtime.block_on(async { AppState::new(store.clone(), config, clock.clone()) });
    let state = state.expect("state");
    runtime.block_on(async {
        let server = Serving::start(state).await;
        let url = format!("{}/hooks/sendgrid/{org}", server.base);
        println!(
            "{count} sent emails; {events} signed events, {batch} a request, {clients} clients \
             side by side; a real server on loopback, SQLite"
        );
        let (elapsed, latencies, applied) = post_all(&url, batches, clients).await;
        report(
            &format!("{batch} events a request"),
            elapsed,
            &latencies,
            applied,
        );
        if !singles.is_empty() {
            let (elapsed, latencies, applied) = post_all(&url, singles, clients).await;
            report("1 event a request", elapsed, &latencies, applied);
        }
        server.stop().await;
    });

    // Every message moved: read back from the store, as a device's next pull would see it.
    let mut moved = 0;
    let mut recorded = 0;
    for id in &ids {
        let doc_id = DocId::new("message", *id).expect("id");
        let stored = store.load_doc(org, &doc_id).expect("load").expect("doc");
        let doc = fieldstone_doc::load(&stored.bytes).expect("load");
        let message = fieldstone_doc::message::read(&doc).expect("read");
        if message.result.status != MessageStatus::Sent {
            moved += 1;
        }
        recorded += message.result.events.len();
    }
    let expect_status = match events / count {
        0 => None,
        1 => Some(MessageStatus::Delivered),
        2 => Some(MessageStatus::Opened),
        _ => Some(MessageStatus::Clicked),
    };
    let first = DocId::new("message", ids[0]).expect("id");
    let stored = store.load_doc(org, &first).expect("load").expect("doc");
    let doc = fieldstone_doc::load(&stored.bytes).expect("load");
    let message = fieldstone_doc::message::read(&doc).expect("read");
    if let Some(status) = expect_status {
        assert_eq!(message.result.status, status, "{:?}", message.result);
    }
    assert_eq!(moved, count.min(events), "every message named moved");
    println!(
        "read back: {moved} of {count} messages moved on from sent (the first is {:?} with {} \
         events); {recorded} events held in all (each message keeps at most its latest few)",
        message.result.status,
        message.result.events.len()
    );
}
