//! Outbound messages on the device: queued offline with the sentence for each bad field, listed
//! on the contact, withdrawn while they wait, and the server's result arriving by sync.

mod support;

use fieldstone_model::{
    ContactId, MessageChannel, MessageEvent, MessageEventKind, MessageId, MessageInput,
    MessagePurpose, MessageStatus,
};
use fieldstone_protocol::{DocId, DocUpdate};
use fieldstone_replica::{Replica, ReplicaError};
use support::remote::stored_bytes;
use support::{clock, open, person, t, user};

fn email_to(contact: ContactId) -> MessageInput {
    MessageInput {
        contact,
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: "ada@example.com".into(),
        subject: Some("Homes near the park".into()),
        body: "Hi Ada,\n\nThree homes fit what you asked for.".into(),
        body_html: None,
        task: None,
    }
}

fn message_doc(id: &MessageId) -> DocId {
    DocId::new(fieldstone_doc::message::KIND, id).expect("doc id")
}

/// What the sync server does once it has sent the message: the same document, its result
/// written with the server's own actor, delivered to the device as a change.
fn server_marks(
    db: &std::path::Path,
    id: &MessageId,
    edit: impl FnOnce(&mut fieldstone_model::Message),
) -> DocUpdate {
    let doc_id = message_doc(id);
    let mut doc = fieldstone_doc::load(&stored_bytes(db, &doc_id))
        .expect("load")
        .with_actor(automerge::ActorId::from(b"fieldstone-server".as_slice()));
    let mut message = fieldstone_doc::message::read(&doc).expect("read");
    edit(&mut message);
    let change = fieldstone_doc::message::update(&mut doc, &message)
        .expect("update")
        .expect("a change");
    DocUpdate {
        doc_id,
        snapshot: None,
        changes: vec![change.raw_bytes().to_vec()],
    }
}

fn setup() -> (tempfile::TempDir, Replica, ContactId) {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("m.db"), &clock());
    let ada = replica
        .create_contact(&person("Ada", "King"), user())
        .expect("ada")
        .id;
    (dir, replica, ada)
}

#[test]
fn a_message_written_offline_is_queued_listed_and_waits_in_the_outbox() {
    let (_dir, r, ada) = setup();
    let before = r.pending_changes().expect("outbox");
    let message = r.queue_message(&email_to(ada), user()).expect("queue");
    assert_eq!(message.result.status, MessageStatus::Queued);
    assert_eq!(message.written_by, user());
    assert_eq!(message.created_at, t(0));
    assert_eq!(
        r.pending_changes().expect("outbox"),
        before + 1,
        "the message is sent by sync"
    );
    let listed = r.contact_messages(&ada, 50).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, message.id);
    assert_eq!(listed[0].status, MessageStatus::Queued);
    assert_eq!(
        listed[0].preview,
        "Hi Ada, Three homes fit what you asked for."
    );
    assert_eq!(listed[0].subject.as_deref(), Some("Homes near the park"));
    assert_eq!(
        r.get_message(&message.id).expect("get"),
        Some(message),
        "the document reads back whole"
    );
}

#[test]
fn a_bad_message_is_refused_field_by_field_and_nothing_is_stored() {
    let (_dir, r, ada) = setup();
    let before = r.pending_changes().expect("outbox");
    let text = MessageInput {
        channel: MessageChannel::Sms,
        to: "not a number".into(),
        subject: None,
        body: "x".repeat(1_601),
        ..email_to(ada)
    };
    match r.queue_message(&text, user()) {
        Err(ReplicaError::Validation(errors)) => {
            assert_eq!(errors.fields(), ["to", "body"]);
            assert_eq!(
                errors.for_field("body"),
                Some("A message can be at most 1600 characters.")
            );
        }
        other => panic!("refused as invalid, not {other:?}"),
    }
    let nobody = ContactId::from_uuid(uuid::Uuid::from_u128(99));
    assert!(matches!(
        r.queue_message(&email_to(nobody), user()),
        Err(ReplicaError::NotFound { .. })
    ));
    assert_eq!(r.pending_changes().expect("outbox"), before);
    assert!(r.contact_messages(&ada, 50).expect("list").is_empty());
}

#[test]
fn a_waiting_message_can_be_withdrawn_but_not_one_the_server_took() {
    let (dir, r, ada) = setup();
    let first = r.queue_message(&email_to(ada), user()).expect("queue");
    let withdrawn = r.withdraw_message(&first.id).expect("withdraw");
    assert!(withdrawn.deleted_at.is_some());
    let listed = r.contact_messages(&ada, 50).expect("list");
    assert!(listed[0].deleted_at.is_some(), "kept, marked withdrawn");

    let second = r.queue_message(&email_to(ada), user()).expect("queue");
    let sent = server_marks(&dir.path().join("m.db"), &second.id, |m| {
        m.result.status = MessageStatus::Sending;
        m.result.attempts = 1;
    });
    r.apply_remote(&[sent], None).expect("apply");
    match r.withdraw_message(&second.id) {
        Err(ReplicaError::Validation(errors)) => assert_eq!(
            errors.for_field("status"),
            Some("This message can no longer be withdrawn: its status is \"Sending\".")
        ),
        other => panic!("refused, not {other:?}"),
    }
    assert_eq!(
        r.get_message(&second.id)
            .expect("get")
            .expect("there")
            .deleted_at,
        None
    );
}

#[test]
fn the_servers_result_arrives_by_sync_and_shows_in_the_list() {
    let (dir, r, ada) = setup();
    let message = r.queue_message(&email_to(ada), user()).expect("queue");
    let update = server_marks(&dir.path().join("m.db"), &message.id, |m| {
        m.result.status = MessageStatus::Sent;
        m.result.attempts = 1;
        m.result.provider_id = Some("<m-1@mail.example.com>".into());
        m.result.status_at = Some(t(1));
        m.result.apply(MessageEvent {
            at: t(3),
            kind: MessageEventKind::Opened,
            url: None,
            user_agent: Some("Mozilla/5.0".into()),
            provider_event: None,
        });
    });
    r.apply_remote(&[update], None).expect("apply");
    let listed = r.contact_messages(&ada, 50).expect("list");
    assert_eq!(listed[0].status, MessageStatus::Opened);
    assert_eq!(listed[0].status_at, Some(t(3)));
    let stored = r.get_message(&message.id).expect("get").expect("there");
    assert_eq!(
        stored.result.provider_id.as_deref(),
        Some("<m-1@mail.example.com>")
    );
    assert_eq!(stored.result.events.len(), 1);
    // The request half is the device's, untouched.
    assert_eq!(stored.body, message.body);
}

#[test]
fn messages_from_before_this_build_are_listed_after_the_upgrade() {
    let (dir, r, ada) = setup();
    let message = r.queue_message(&email_to(ada), user()).expect("queue");
    drop(r);
    let db = dir.path().join("m.db");
    {
        // As a build that kept message documents (synced from a newer device) but had no
        // table for them left it.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "DROP TABLE messages; DROP TABLE agent_score_models;
             ALTER TABLE contacts DROP COLUMN score_facts; DROP TABLE campaigns; PRAGMA user_version = 9;",
        )
        .expect("downgrade");
    }
    let r = open(&db, &clock());
    let listed = r.contact_messages(&ada, 50).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, message.id);
}
