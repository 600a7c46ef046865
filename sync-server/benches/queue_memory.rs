//! Server memory while emails queue up: a real server on a loopback port (SQLite store in a temp
//! dir) whose relay cannot be reached, so nothing leaves; a device pushes 100,000 emails through
//! the sync API in batches, and the process's resident memory (VmRSS) is read every 10,000.
//! The dispatcher runs as in production (each push's news wakes it; every attempt fails at the
//! closed port and is put off until later), so what it holds per waiting message is counted too.
//! Prints the RSS series and the growth per queued message.
//!
//! A timed run rather than criterion. Run with
//! `cargo bench -p fieldstone-server --bench queue_memory` (`MESSAGES`, `BATCH`, `EVERY`;
//! `RELAY=none` for a server with no email relay and no dispatcher at all).

use automerge::ActorId;
use fieldstone_model::{
    Clock, Contact, ContactId, ContactInput, FixedClock, Message, MessageChannel, MessageId,
    MessageInput, MessagePurpose, UserId,
};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{codec, DocId, DocPush, PushRequest, PushResponse, Scope};
use fieldstone_server::auth::{hash_token, new_token};
use fieldstone_server::config::{Config, Secret};
use fieldstone_server::dispatch::EmailConfig;
use fieldstone_server::store::{DocWrite, NewUser, SqliteStore, Store};
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn dir_kib(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len() / 1024)
                .sum()
        })
        .unwrap_or(0)
}

fn write(doc_id: DocId, doc: &mut automerge::AutoCommit, owner: UserId) -> DocWrite {
    DocWrite {
        doc_id,
        expected_head_seq: None,
        changes: doc
            .get_changes(&[])
            .iter()
            .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
            .collect(),
        add_scopes: vec![Scope::User(owner)],
        snapshot: Some(doc.save()),
        new_actors: Vec::new(),
        writer: owner,
        intent: false,
    }
}

fn main() {
    let count = env("MESSAGES", 100_000);
    let batch = env("BATCH", 500).max(1);
    let every = env("EVERY", 10_000).max(batch);
    let relay = std::env::var("RELAY").unwrap_or_else(|_| "down".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");

    // A port nobody listens on: bound, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let at = clock.now();
    let config = if relay == "none" {
        Config::default()
    } else {
        Config {
            email: Some(EmailConfig::new(
                &format!("smtp://127.0.0.1:{closed}"),
                "crm@harbour.test",
            )),
            secret_key: Some(Secret::new(
                "YmVuY2ggc2VjcmV0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVz",
            )),
            ..Config::default()
        }
    };
    let hot_docs = config.limits.hot_docs;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&data).expect("store"));
    let org = store.create_org("Harbour", at).expect("org").id;
    let owner = store
        .create_user(
            org,
            &NewUser {
                email: "ada@harbour.test".into(),
                display_name: "Ada King".into(),
                role: Role::Agent,
                password_hash: "x".into(),
            },
            at,
        )
        .expect("user")
        .id;
    let token = new_token();
    let device = store
        .create_device(org, owner, "bench laptop", at)
        .expect("device");
    store
        .create_session(
            org,
            owner,
            device.id,
            &hash_token(&token),
            at + chrono::Duration::days(30),
        )
        .expect("session");
    let contact_id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let input = ContactInput {
        given_name: "Lena".into(),
        family_name: "Park".into(),
        ..ContactInput::default()
    };
    let contact = Contact::create(contact_id, input.validate().expect("valid"), owner, at);
    let (mut doc, _) = fieldstone_doc::contact::create(ActorId::random(), &contact).expect("doc");
    let contact_doc = DocId::new("contact", contact_id).expect("id");
    store
        .commit(org, vec![write(contact_doc, &mut doc, owner)], at)
        .expect("contact");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(store.clone(), config, clock.clone()) })
        .expect("state");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = fieldstone_server::public_url(listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(fieldstone_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        println!(
            "{count} emails pushed {batch} a request with the relay {}; hot_docs {hot_docs}",
            if relay == "none" {
                "not configured (no dispatcher)"
            } else {
                "unreachable (the dispatcher tries each and puts it off)"
            }
        );
        let started = Instant::now();
        let base_rss = rss_kib();
        println!("queued {:>7}: RSS {:>7} KiB", 0, base_rss);
        let mut series = vec![(0usize, base_rss)];
        let mut pushed = 0;
        while pushed < count {
            let n = batch.min(count - pushed);
            let docs: Vec<DocPush> = (0..n)
                .map(|i| {
                    let id = MessageId::from_uuid(uuid::Uuid::new_v4());
                    let input = MessageInput {
                        contact: contact_id,
                        channel: MessageChannel::Email,
                        purpose: MessagePurpose::OneToOne,
                        to: "lena@example.com".into(),
                        subject: Some(format!("Three homes near the park ({})", pushed + i)),
                        body: "Hi Lena,\n\nThree homes fit what you asked for.".into(),
                        body_html: None,
                        task: None,
                    };
                    let message = Message::create(id, input.validate().expect("valid"), owner, at);
                    let (mut doc, _) =
                        fieldstone_doc::message::create(ActorId::random(), &message).expect("doc");
                    DocPush {
                        doc_id: DocId::new(fieldstone_doc::message::KIND, id).expect("id"),
                        changes: doc
                            .get_changes(&[])
                            .iter()
                            .map(|c| c.raw_bytes().to_vec())
                            .collect(),
                    }
                })
                .collect();
            let body = codec::encode(&PushRequest { docs }).expect("encode");
            let answer = http
                .post(format!("{base}/v2/sync/push"))
                .bearer_auth(&token)
                .header("content-type", fieldstone_protocol::SYNC_CONTENT_TYPE)
                .body(body)
                .send()
                .await
                .expect("push");
            assert!(answer.status().is_success(), "{}", answer.status());
            let answer: PushResponse =
                codec::decode(&answer.bytes().await.expect("body")).expect("decode");
            assert_eq!(
                (answer.accepted as usize, answer.rejected.len()),
                (n, 0),
                "{answer:?}"
            );
            pushed += n;
            if pushed % every == 0 || pushed == count {
                let rss = rss_kib();
                println!(
                    "queued {pushed:>7}: RSS {rss:>7} KiB  (store {:>7} KiB, {:.0} s)",
                    dir_kib(&data),
                    started.elapsed().as_secs_f64()
                );
                series.push((pushed, rss));
            }
        }
        // The dispatcher keeps working through the backlog after the pushes stop.
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(5)).await;
            println!(
                "after     +{:>3} s: RSS {:>7} KiB",
                started.elapsed().as_secs(),
                rss_kib()
            );
        }
        let (first_n, first) = series[1.min(series.len() - 1)];
        let (last_n, last) = *series.last().expect("one");
        if last_n > first_n {
            println!(
                "growth from {first_n} to {last_n} queued: {} KiB, {:.0} bytes a queued message",
                last as i64 - first as i64,
                (last as f64 - first as f64) * 1024.0 / (last_n - first_n) as f64
            );
        }
        let _ = stop.send(());
        let _ = server.await;
    });
}
