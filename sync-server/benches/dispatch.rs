//! Dispatcher throughput: N queued emails (each to a contact whose consent is checked) sent to a
//! real SMTP server on loopback (`python3-aiosmtpd`), by the dispatcher's own rounds on one
//! worker, against the SQLite store. Prints messages per second and where the time went.
//!
//! A timed run rather than criterion (one run sends thousands of messages). Run with
//! `cargo bench -p fieldstone-server --bench dispatch` (`MESSAGES=n` for another count).

mod common;

use common::{message_doc, secret_key, write, Harbour};
use fieldstone_model::{FixedClock, MessageStatus};
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::{round, EmailConfig, Mailer, Senders};
use fieldstone_server::store::IntentState;
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let count = common::env("MESSAGES", 2_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let smtp = common::SmtpSink::start();
    let at = chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time");
    let harbour = Harbour::open(&dir.path().join("data"), at);
    let (store, org, owner) = (harbour.store.clone(), harbour.org, harbour.owner);
    let email = EmailConfig::new(&smtp.url, "crm@harbour.test");
    let config = Config {
        email: Some(email.clone()),
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    let state = AppState::new(store.clone(), config, Arc::new(FixedClock::new(at))).expect("state");

    let mut ids = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(200) {
        let mut writes = Vec::new();
        for _ in chunk {
            let (doc_id, mut doc) = message_doc(&harbour.email("Three homes near the park", at));
            ids.push(doc_id.clone());
            writes.push(write(doc_id, &mut doc, owner, true));
        }
        store.commit(org, writes, at).expect("messages");
    }

    let mailer = Mailer::new(&email, None).expect("mailer");
    let started = Instant::now();
    let mut taken = 0;
    loop {
        let senders = Senders {
            mailer: Some(&mailer),
            texter: None,
            runtime: None,
        };
        let n = round(&state, &email, &senders, "bench").expect("round");
        if n == 0 {
            break;
        }
        taken += n;
    }
    let elapsed = started.elapsed();
    let sent = ids
        .iter()
        .filter(|id| {
            store
                .intent(org, id)
                .ok()
                .flatten()
                .is_some_and(|row| row.state == IntentState::Done)
        })
        .count();
    assert_eq!(
        (taken, sent),
        (count, count),
        "every message taken and done once"
    );
    let last = store
        .load_doc(org, ids.last().expect("one"))
        .expect("load")
        .expect("doc");
    let doc = fieldstone_doc::load(&last.bytes).expect("load");
    let message = fieldstone_doc::message::read(&doc).expect("read");
    assert_eq!(message.result.status, MessageStatus::Sent);
    println!(
        "dispatch {count} emails (consent checked, the result written into each) to a local \
         SMTP server: {:.2} s, {:.0} messages/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
