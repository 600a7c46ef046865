//! Time from a device's send to the SMTP server's accept, online: a real server on a loopback
//! port (SQLite store in a temp dir, the default email timings) whose `[email]` relay is a
//! small SMTP receiver in this process, so the accept is timed on the same clock as the push.
//! A device pushes one email at a time through the sync API; a sample is from just before the
//! push request to the receiver reading the message's final `\r\n.\r\n`. Prints p50, p90, p99
//! and the worst.
//!
//! A timed run rather than criterion (each sample waits for a real send). Run with
//! `cargo bench -p fieldstone-server --bench send_latency` (`SAMPLES=n`, `GAP_MS=n` for the
//! pause between sends).

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
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
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

/// Speaks just enough SMTP to accept mail; for each message, sends its Message-ID and the
/// instant its final `\r\n.\r\n` was read.
fn smtp_session(
    stream: TcpStream,
    accepted: tokio::sync::mpsc::UnboundedSender<(String, Instant)>,
) {
    let mut out = stream.try_clone().expect("clone");
    let mut lines = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(text.as_bytes()).is_ok();
    if !say("220 bench.test ESMTP\r\n") {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answered = match verb.as_str() {
            "EHLO" => say("250-bench.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"),
            "DATA" => {
                if !say("354 end with <CRLF>.<CRLF>\r\n") {
                    return;
                }
                let mut message_id = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    if message_id.is_empty()
                        && line.len() > 11
                        && line[..11].eq_ignore_ascii_case("message-id:")
                    {
                        message_id = line[11..].trim().to_owned();
                    }
                }
                let at = Instant::now();
                let _ = accepted.send((message_id, at));
                say("250 2.0.0 queued\r\n")
            }
            "QUIT" => {
                say("221 bye\r\n");
                return;
            }
            // HELO, MAIL, RCPT, RSET, NOOP: all fine by this relay.
            _ => say("250 2.0.0 ok\r\n"),
        };
        if !answered {
            return;
        }
    }
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let samples = env("SAMPLES", 200).max(1);
    let gap = Duration::from_millis(env("GAP_MS", 100) as u64);
    let dir = tempfile::tempdir().expect("tempdir");

    let relay = TcpListener::bind("127.0.0.1:0").expect("bind relay");
    let relay_port = relay.local_addr().expect("addr").port();
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for stream in relay.incoming() {
            let Ok(stream) = stream else { continue };
            let tx = accepted_tx.clone();
            std::thread::spawn(move || smtp_session(stream, tx));
        }
    });

    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let at = clock.now();
    // The default timings (poll every 2 s): a push's news should wake the dispatcher at once.
    let email = EmailConfig::new(
        &format!("smtp://127.0.0.1:{relay_port}"),
        "crm@harbour.test",
    );
    let config = Config {
        email: Some(email),
        secret_key: Some(Secret::new(
            "YmVuY2ggc2VjcmV0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVz",
        )),
        ..Config::default()
    };
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("data")).expect("store"));
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
        let mut to_accept = Vec::with_capacity(samples);
        let mut to_answer = Vec::with_capacity(samples);
        for n in 0..samples {
            // Written on the device before the clock starts: the user pressed Send.
            let id = MessageId::from_uuid(uuid::Uuid::new_v4());
            let input = MessageInput {
                contact: contact_id,
                channel: MessageChannel::Email,
                purpose: MessagePurpose::OneToOne,
                to: "lena@example.com".into(),
                subject: Some(format!("Three homes near the park ({n})")),
                body: "Hi Lena,\n\nThree homes fit what you asked for.".into(),
                body_html: None,
                task: None,
            };
            let message = Message::create(id, input.validate().expect("valid"), owner, at);
            let (mut doc, _) =
                fieldstone_doc::message::create(ActorId::random(), &message).expect("doc");
            let doc_id = DocId::new(fieldstone_doc::message::KIND, id).expect("id");
            let push = PushRequest {
                docs: vec![DocPush {
                    doc_id,
                    changes: doc
                        .get_changes(&[])
                        .iter()
                        .map(|c| c.raw_bytes().to_vec())
                        .collect(),
                }],
            };
            let body = codec::encode(&push).expect("encode");

            let started = Instant::now();
            let answer = http
                .post(format!("{base}/v2/sync/push"))
                .bearer_auth(&token)
                .header("content-type", fieldstone_protocol::SYNC_CONTENT_TYPE)
                .body(body)
                .send()
                .await
                .expect("push");
            assert!(answer.status().is_success(), "{}", answer.status());
            let bytes = answer.bytes().await.expect("body");
            let answered = started.elapsed();
            let pushed: PushResponse = codec::decode(&bytes).expect("decode");
            assert_eq!(pushed.accepted, 1, "{pushed:?}");
            let wanted = format!("<{id}.");
            // One message at a time: the next one the relay accepts must be this one.
            let (message_id, accepted_at) =
                tokio::time::timeout(Duration::from_secs(30), accepted.recv())
                    .await
                    .expect("the relay accepted the message in time")
                    .expect("relay running");
            assert!(
                message_id.starts_with(&wanted),
                "the relay saw {message_id}, waiting for {wanted}"
            );
            to_accept.push(accepted_at.duration_since(started));
            to_answer.push(answered);
            tokio::time::sleep(gap).await;
        }
        let _ = stop.send(());
        let _ = server.await;
        let first = to_accept[0];
        to_accept.sort();
        to_answer.sort();
        println!(
            "{samples} emails, one at a time ({} ms apart), device push to SMTP accept: \
             p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms (the first, with the \
             relay connection opened: {:.1} ms)",
            gap.as_millis(),
            ms(percentile(&to_accept, 0.50)),
            ms(percentile(&to_accept, 0.90)),
            ms(percentile(&to_accept, 0.99)),
            ms(*to_accept.last().expect("one")),
            ms(first),
        );
        println!(
            "of which the push's own answer: p50 {:.1} ms, p99 {:.1} ms",
            ms(percentile(&to_answer, 0.50)),
            ms(percentile(&to_answer, 0.99)),
        );
    });
}
