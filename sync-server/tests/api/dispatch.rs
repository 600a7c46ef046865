//! Outbound email end to end: a device's message is sent once to a real SMTP server (Debian's
//! `python3-aiosmtpd`, writing what it receives to a maildir), and the result comes back into
//! the message for the device; a contact who said no is not emailed; a relay that is down is
//! tried again, then the message fails with the relay's words.

use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::EmailConfig;
use fieldstone_server::store::{IntentOutcome, IntentRow, IntentState};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A real SMTP server on a free loopback port, keeping each message it accepts as a file.
pub(crate) struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd (cargo xtask installs it)");
        // Owned first, so a server that never listens is still stopped (by `Drop`).
        let sink = SmtpSink { child, port, dir };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return sink;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the SMTP server did not start on port {port}");
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received, as text.
    pub(crate) fn received(&self) -> Vec<String> {
        let new = self.dir.path().join("mail").join("new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&new)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("read mail"))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address links in sent email point at (tests call the server's real address with the
/// link's path).
pub(crate) const PUBLIC_URL: &str = "https://crm.harbour.test";

pub(crate) fn config(smtp_url: &str) -> Config {
    let mut email = EmailConfig::new(smtp_url, "crm@harbour.test");
    email.poll_ms = 50;
    email.retry_secs = 60;
    email.max_attempts = 2;
    email.timeout_secs = 5;
    email.lease_secs = 30;
    let mut config = Config {
        email: Some(email),
        secret_key: Some(fieldstone_server::config::Secret::new(
            "c2VydmVyIHNlY3JldCBmb3IgdGhlIHRlc3RzIG9mIGRpc3BhdGNo",
        )),
        // A test moving the clock past a Monday morning counts only the mail it sends.
        weekly_reports: false,
        ..Config::default()
    };
    config.http.public_url = Some(PUBLIC_URL.into());
    config
}

pub(crate) struct Agent {
    pub(crate) org: OrgId,
    pub(crate) user: UserId,
    pub(crate) token: String,
}

pub(crate) fn agent(s: &TestServer) -> Agent {
    let org = s.org("Harbour");
    let user = s.user(org, "ada@harbour.test", Role::Agent, None);
    Agent {
        org,
        user,
        token: s.token(org, user),
    }
}

pub(crate) fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time")
}

/// A contact of `agent`'s with the given email consent, pushed as a device would.
pub(crate) async fn push_contact(
    s: &TestServer,
    agent: &Agent,
    email_consent: Consent,
) -> ContactId {
    let input = ContactInput {
        given_name: "Lena".into(),
        family_name: "Park".into(),
        emails: vec![EmailEntry {
            address: "lena@example.com".into(),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    let id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let mut contact = Contact::create(id, input.validate().expect("valid"), agent.user, at());
    contact.consent.email = email_consent;
    push_new_contact(s, &agent.token, &contact).await;
    id
}

/// An email to the contact, pushed as a device would; answers its document id.
pub(crate) async fn push_message(s: &TestServer, agent: &Agent, contact: ContactId) -> DocId {
    push_input(s, agent, email_to(contact)).await
}

/// A one-to-one email to Lena.
pub(crate) fn email_to(contact: ContactId) -> MessageInput {
    MessageInput {
        contact,
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: "lena@example.com".into(),
        subject: Some("Three homes near the park".into()),
        body: "Hi Lena,\n\nThree homes fit what you asked for.".into(),
        body_html: None,
        task: None,
    }
}

/// `input`, written and pushed as a device would; answers its document id.
pub(crate) async fn push_input(s: &TestServer, agent: &Agent, input: MessageInput) -> DocId {
    let id = MessageId::from_uuid(uuid::Uuid::new_v4());
    let message = Message::create(id, input.validate().expect("valid"), agent.user, at());
    let (doc, _) =
        fieldstone_doc::message::create(automerge::ActorId::random(), &message).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::message::KIND, id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    doc_id
}

/// The message as the device reads it after a pull.
pub(crate) async fn pulled(s: &TestServer, agent: &Agent, doc_id: &DocId) -> Message {
    let (docs, _) = s.pull_all(&agent.token, vec![]).await;
    let doc = docs
        .iter()
        .find(|d| &d.doc_id == doc_id)
        .expect("readable document");
    let loaded = fieldstone_doc::load(doc.snapshot.as_deref().expect("whole")).expect("load");
    fieldstone_doc::message::read(&loaded).expect("read")
}

/// The contact as the device reads it after a pull.
pub(crate) async fn pulled_contact(s: &TestServer, agent: &Agent, contact: ContactId) -> Contact {
    let (docs, _) = s.pull_all(&agent.token, vec![]).await;
    let id = DocId::new(fieldstone_doc::contact::KIND, contact).expect("id");
    let doc = docs.iter().find(|d| d.doc_id == id).expect("contact");
    let loaded = fieldstone_doc::load(doc.snapshot.as_deref().expect("whole")).expect("load");
    fieldstone_doc::contact::read(&loaded).expect("read")
}

/// Pulls until the message's status is `status` (bounded, at half a minute: a hang is a
/// failure, but a loaded CI machine is not).
pub(crate) async fn until_status(
    s: &TestServer,
    agent: &Agent,
    doc_id: &DocId,
    status: MessageStatus,
) -> Message {
    for _ in 0..1200 {
        let message = pulled(s, agent, doc_id).await;
        if message.result.status == status {
            return message;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let last = pulled(s, agent, doc_id).await;
    panic!("the message never reached {status:?}: {:?}", last.result);
}

pub(crate) fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devices_email_is_sent_once_and_its_result_comes_back() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;

    let sent = until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    assert_eq!(sent.result.attempts, 1);
    let id = sent.result.provider_id.clone().expect("a Message-ID");
    let mail = smtp.received();
    assert_eq!(mail.len(), 1, "sent once: {mail:?}");
    assert_eq!(header(&mail[0], "Message-ID"), Some(id.as_str()));
    assert!(id.ends_with("@harbour.test>"), "{id}");
    assert_eq!(header(&mail[0], "From"), Some("ada <crm@harbour.test>"));
    assert_eq!(header(&mail[0], "To"), Some("lena@example.com"));
    assert_eq!(
        header(&mail[0], "Subject"),
        Some("Three homes near the park")
    );
    assert!(mail[0].contains("Three homes fit what you asked for."));
    let ledger = until_done(&s, ada.org, &doc_id).await;
    assert_eq!(
        (ledger.state, ledger.outcome, ledger.attempts),
        (IntentState::Done, Some(IntentOutcome::Sent), 1)
    );
    // Rounds go on; nothing is sent again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_who_said_no_is_not_emailed_and_the_device_learns_why() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::denied("unsubscribed by email", at())).await;
    let doc_id = push_message(&s, &ada, contact).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some("The contact said no to email (unsubscribed by email).")
    );
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_is_down_is_tried_again_then_the_message_fails_with_its_words() {
    // A port nobody listens on: every connection is refused, a passing failure.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let s = TestServer::start_with(config(&format!("smtp://127.0.0.1:{closed}"))).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    let waiting = until_status(&s, &ada, &doc_id, MessageStatus::Queued).await;
    // Queued again, with why and when (the first state a message has is queued too, so wait
    // for the reason).
    let mut waiting = waiting;
    for _ in 0..1200 {
        if waiting.result.reason.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        waiting = pulled(&s, &ada, &doc_id).await;
    }
    let reason = waiting.result.reason.clone().expect("a reason");
    assert!(reason.starts_with("Attempt 1 of 2 failed"), "{reason}");
    // The retry is due a minute later on the server's clock.
    s.clock.set(s.clock.now() + chrono::Duration::seconds(61));
    let failed = until_status(&s, &ada, &doc_id, MessageStatus::Failed).await;
    assert_eq!(failed.result.attempts, 2);
    let why = failed.result.reason.expect("why");
    assert!(
        why.starts_with("Not sent: the mail server did not take it"),
        "{why}"
    );
    let ledger = until_done(&s, ada.org, &doc_id).await;
    assert_eq!(ledger.outcome, Some(IntentOutcome::Failed));
}

/// The ledger's row once it is done (bounded). The message shows an outcome a moment before
/// the ledger does: results are written into messages first.
pub(crate) async fn until_done(s: &TestServer, org: OrgId, doc_id: &DocId) -> IntentRow {
    for _ in 0..1200 {
        let row = s.store.intent(org, doc_id).expect("ledger").expect("row");
        if row.state == IntentState::Done {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the ledger never finished {doc_id}");
}

/// Pulls until every message in `ids` is sent (bounded).
async fn until_all_sent(s: &TestServer, agent: &Agent, ids: &[DocId]) -> Vec<Message> {
    for _ in 0..800 {
        let (docs, _) = s.pull_all(&agent.token, vec![]).await;
        let messages: Vec<Message> = docs
            .iter()
            .filter(|d| ids.contains(&d.doc_id))
            .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
            .filter_map(|doc| fieldstone_doc::message::read(&doc).ok())
            .collect();
        if messages.len() == ids.len()
            && messages
                .iter()
                .all(|m| m.result.status == MessageStatus::Sent)
        {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("not every message was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
async fn two_server_processes_on_one_database_send_each_message_once() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_postgres(config(&smtp.url())).await;
    let other = s.beside().await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(push_message(&s, &ada, contact).await);
    }
    let sent = until_all_sent(&s, &ada, &ids).await;
    assert!(sent.iter().all(|m| m.result.attempts == 1));
    let mail = smtp.received();
    assert_eq!(mail.len(), 20, "each message once");
    let distinct: std::collections::BTreeSet<_> = mail
        .iter()
        .filter_map(|m| header(m, "Message-ID"))
        .collect();
    assert_eq!(distinct.len(), 20);
    drop(other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_server_stopped_midway_is_not_repeated_and_says_so() {
    let smtp = SmtpSink::start();
    // A server without email, so nothing else takes the message.
    let s = TestServer::start_with(Config::default()).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    // A server process took it and stopped before recording anything: its claim, with its
    // lease, is all that is left.
    let now = s.clock.now();
    let store = s.store.clone();
    let claimed = off_runtime(move || {
        store.claim_intents(
            "a-server-that-died",
            now,
            now + chrono::Duration::seconds(10),
            5,
        )
    })
    .expect("claim");
    assert_eq!(claimed.len(), 1);
    // A server with email starts on the same data.
    let s = s.restart_with(config(&smtp.url())).await;
    // Within the dead server's lease it is left alone; past it, closed as unknown, never sent.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        pulled(&s, &ada, &doc_id).await.result.status,
        MessageStatus::Queued
    );
    s.clock.set(now + chrono::Duration::seconds(11));
    let failed = until_status(&s, &ada, &doc_id, MessageStatus::Failed).await;
    assert_eq!(
        failed.result.reason.as_deref(),
        Some(fieldstone_server::store::UNKNOWN_DETAIL)
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(smtp.received().is_empty(), "never repeated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_recorded_in_the_message_before_its_server_stopped_keeps_its_result() {
    use fieldstone_server::sync::server_write::{update_message_results, ResultEdit, ResultUpdate};
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(Config::default()).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    // A server took it, sent it, wrote "sent" into the message, and stopped before its ledger
    // said so.
    let now = s.clock.now();
    let (state, org, doc) = (s.state.clone(), ada.org, doc_id.clone());
    off_runtime(move || {
        let claimed = state
            .store
            .claim_intents(
                "a-server-that-died",
                now,
                now + chrono::Duration::seconds(10),
                5,
            )
            .expect("claim");
        assert_eq!(claimed.len(), 1);
        let sent = ResultUpdate {
            status: MessageStatus::Sent,
            reason: None,
            provider_id: Some("<sent-before-the-crash@harbour.test>".into()),
            attempts: 1,
            at: now,
        };
        update_message_results(&state, org, vec![(doc, ResultEdit::Attempt(sent))])
            .expect("recorded");
    });
    let s = s.restart_with(config(&smtp.url())).await;
    s.clock.set(now + chrono::Duration::seconds(11));
    // Past the lease the ledger closes it; the message keeps what was recorded.
    until_done(&s, ada.org, &doc_id).await;
    let message = pulled(&s, &ada, &doc_id).await;
    assert_eq!(message.result.status, MessageStatus::Sent);
    assert_eq!(
        message.result.provider_id.as_deref(),
        Some("<sent-before-the-crash@harbour.test>")
    );
    assert!(smtp.received().is_empty(), "never sent again");
}
