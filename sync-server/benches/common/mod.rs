//! What the server's benches share: a SQLite store in a temp dir holding Harbour, its agent Ada
//! and her contact Lena; documents written straight into the store as a device would have
//! pushed them; an email to Lena; a real server on a loopback port and a device pushing to it;
//! and the figures' helpers. Each bench is its own crate and uses a part of this.
#![allow(dead_code)]

use automerge::{ActorId, AutoCommit};
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Contact, ContactId, ContactInput, Message, MessageChannel, MessageId, MessageInput,
    MessagePurpose, OrgId, UserId,
};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{codec, DocId, DocPush, PushRequest, PushResponse, Scope};
use fieldstone_server::auth::{hash_token, new_token};
use fieldstone_server::config::Secret;
use fieldstone_server::store::{DocWrite, NewUser, SqliteStore, Store};
use fieldstone_server::AppState;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The server's `secret_key` in every bench (signed links, sealed secrets).
pub fn secret_key() -> Secret {
    Secret::new("YmVuY2ggc2VjcmV0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVz")
}

/// A count from the environment (`MESSAGES=5000`), else `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile (0 to 1) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `doc` whole, as the first write of `doc_id` in `owner`'s scope (an intent when `intent`:
/// a queued message the dispatcher will take).
pub fn write(doc_id: DocId, doc: &mut AutoCommit, owner: UserId, intent: bool) -> DocWrite {
    DocWrite {
        doc_id: doc_id.clone(),
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
        intent,
        // As a device's push would: a contact is indexed by the commit that stores it.
        contact: fieldstone_server::store::contact_index::entry_for(&doc_id, doc),
        job: fieldstone_server::jobs::job_for(&doc_id, doc),
    }
}

/// The organisation every bench works in.
pub struct Harbour {
    pub store: Arc<dyn Store>,
    pub org: OrgId,
    /// Ada King, an agent.
    pub owner: UserId,
    /// Lena Park, Ada's contact (no consent recorded: one-to-one email is allowed).
    pub contact: ContactId,
}

impl Harbour {
    /// A SQLite store in `data` with Harbour, Ada and Lena, written at `at`.
    pub fn open(data: &Path, at: DateTime<Utc>) -> Self {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(data).expect("store"));
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
        let contact = ContactId::from_uuid(uuid::Uuid::new_v4());
        let input = ContactInput {
            given_name: "Lena".into(),
            family_name: "Park".into(),
            ..ContactInput::default()
        };
        let lena = Contact::create(contact, input.validate().expect("valid"), owner, at);
        let (mut doc, _) = fieldstone_doc::contact::create(ActorId::random(), &lena).expect("doc");
        let doc_id = DocId::new(fieldstone_doc::contact::KIND, contact).expect("id");
        store
            .commit(org, vec![write(doc_id, &mut doc, owner, false)], at)
            .expect("contact");
        Harbour {
            store,
            org,
            owner,
            contact,
        }
    }

    /// `n` more contacts of Ada's ("Known 0" … with `known<i>@example.com`), written 500 to a
    /// commit as devices would have pushed them: the organisation a bench starts from.
    pub fn seed_contacts(&self, n: usize, at: DateTime<Utc>) {
        for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
            let writes = chunk
                .iter()
                .map(|i| {
                    let input = ContactInput {
                        given_name: format!("Known {i}"),
                        emails: vec![fieldstone_model::EmailEntry {
                            address: format!("known{i}@example.com"),
                            label: Default::default(),
                            primary: true,
                        }],
                        ..ContactInput::default()
                    };
                    let id = ContactId::from_uuid(uuid::Uuid::new_v4());
                    let contact =
                        Contact::create(id, input.validate().expect("valid"), self.owner, at);
                    let (mut doc, _) =
                        fieldstone_doc::contact::create(ActorId::random(), &contact).expect("doc");
                    let doc_id = DocId::new(fieldstone_doc::contact::KIND, id).expect("id");
                    write(doc_id, &mut doc, self.owner, false)
                })
                .collect();
            self.store
                .commit(self.org, writes, at)
                .expect("existing contacts");
        }
    }

    /// A device of Ada's, signed in: its bearer token.
    pub fn device_token(&self, at: DateTime<Utc>) -> String {
        let token = new_token();
        let device = self
            .store
            .create_device(self.org, self.owner, "bench laptop", at)
            .expect("device");
        self.store
            .create_session(
                self.org,
                self.owner,
                device.id,
                &hash_token(&token),
                at + chrono::Duration::days(30),
            )
            .expect("session");
        token
    }

    /// A new one-to-one email from Ada to Lena, queued.
    pub fn email(&self, subject: &str, at: DateTime<Utc>) -> Message {
        let input = MessageInput {
            contact: self.contact,
            channel: MessageChannel::Email,
            purpose: MessagePurpose::OneToOne,
            to: "lena@example.com".into(),
            subject: Some(subject.to_owned()),
            body: "Hi Lena,\n\nThree homes fit what you asked for.".into(),
            body_html: None,
            task: None,
        };
        let id = MessageId::from_uuid(uuid::Uuid::new_v4());
        Message::create(id, input.validate().expect("valid"), self.owner, at)
    }
}

/// `message` as a new document: its id and the document a device would make.
pub fn message_doc(message: &Message) -> (DocId, AutoCommit) {
    let (doc, _) = fieldstone_doc::message::create(ActorId::random(), message).expect("doc");
    let doc_id = DocId::new(fieldstone_doc::message::KIND, message.id).expect("id");
    (doc_id, doc)
}

/// `message` as a device's push of a new document.
pub fn message_push(message: &Message) -> DocPush {
    let (doc_id, mut doc) = message_doc(message);
    DocPush {
        doc_id,
        changes: doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect(),
    }
}

/// A real server on a loopback port, until [`Serving::stop`].
pub struct Serving {
    /// Its address, as `http://127.0.0.1:PORT`.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Serving {
    /// Serves `state` on a free loopback port (call inside the runtime).
    pub async fn start(state: AppState) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = fieldstone_server::public_url(listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(fieldstone_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        Serving { base, stop, task }
    }

    /// Stops it and waits for in-flight requests to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Pushes `docs` through the sync API as the device of `token`; every one must be accepted.
pub async fn push(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    docs: Vec<DocPush>,
) -> PushResponse {
    let n = docs.len();
    let body = codec::encode(&PushRequest { docs }).expect("encode");
    let answer = http
        .post(format!("{base}/v2/sync/push"))
        .bearer_auth(token)
        .header("content-type", fieldstone_protocol::SYNC_CONTENT_TYPE)
        .body(body)
        .send()
        .await
        .expect("push");
    assert!(answer.status().is_success(), "{}", answer.status());
    let answer: PushResponse = codec::decode(&answer.bytes().await.expect("body")).expect("decode");
    assert_eq!(
        (answer.accepted as usize, answer.rejected.len()),
        (n, 0),
        "{answer:?}"
    );
    answer
}

/// A user of Harbour with `role`, signed in on a device: (id, bearer token).
pub fn signed_in(h: &Harbour, email: &str, role: Role, at: DateTime<Utc>) -> (UserId, String) {
    let user = h
        .store
        .create_user(
            h.org,
            &NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap_or(email).into(),
                role,
                password_hash: "x".into(),
            },
            at,
        )
        .expect("user")
        .id;
    let device = h
        .store
        .create_device(h.org, user, "bench", at)
        .expect("device");
    let token = new_token();
    h.store
        .create_session(
            h.org,
            user,
            device.id,
            &hash_token(&token),
            at + chrono::Duration::days(30),
        )
        .expect("session");
    (user, token)
}

/// `PUT path` with a JSON body as `token`'s user; it must succeed.
pub async fn put(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    body: serde_json::Value,
) {
    let answer = http
        .put(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("put");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
}

/// A real SMTP server (`python3-aiosmtpd`) on a free loopback port that accepts and drops
/// every message; stopped when dropped.
pub struct SmtpSink {
    child: std::process::Child,
    pub url: String,
}

impl SmtpSink {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = std::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Sink"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd");
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(20));
        }
        SmtpSink {
            child,
            url: format!("smtp://127.0.0.1:{port}"),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
