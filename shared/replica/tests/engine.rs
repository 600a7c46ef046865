//! The local engine against real SQLite files in temp dirs.

use chrono::DateTime;
use fieldstone_model::{FixedClock, LeadInput, Stage};
use fieldstone_protocol::{DocId, DocUpdate, Scope, ScopeCursor};
use fieldstone_replica::{lead_doc_id, Replica, ReplicaError, SCHEMA_VERSION};
use std::path::Path;
use std::sync::Arc;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        DateTime::from_timestamp_millis(1_763_700_000_123).expect("time"),
    ))
}

fn open(path: &Path) -> Replica {
    Replica::open(path, clock()).expect("open")
}

fn input(name: &str) -> LeadInput {
    LeadInput {
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        phone: String::new(),
        stage: Stage::Lead,
    }
}

#[test]
fn database_is_durable_wal_with_full_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("nested/dir/fieldstone.db");
    let replica = open(&db);
    // Another connection sees the journal mode (a property of the file).
    let conn = rusqlite::Connection::open(&db).expect("open raw");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("pragma");
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(replica.synchronous_mode().expect("pragma"), 2, "FULL");
}

#[test]
fn writes_survive_reopening_with_the_same_actor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("fieldstone.db");
    let (lead, actor) = {
        let replica = open(&db);
        (
            replica.create_lead(&input("Ada")).expect("create"),
            replica.actor().clone(),
        )
    };
    let replica = open(&db);
    assert_eq!(
        replica.actor(),
        &actor,
        "a device keeps its actor id for life"
    );
    assert_eq!(replica.list_leads().expect("list"), vec![lead.clone()]);
    assert_eq!(replica.get_lead(&lead.id).expect("get"), Some(lead));
    assert_eq!(replica.pending_changes().expect("pending"), 1);
}

#[test]
fn leads_are_listed_newest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
    let first = replica.create_lead(&input("First")).expect("create");
    clock.set(first.created_at + chrono::Duration::seconds(1));
    let second = replica.create_lead(&input("Second")).expect("create");
    let names: Vec<_> = replica
        .list_leads()
        .expect("list")
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, [second.name, first.name]);
}

#[test]
fn invalid_input_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"));
    let error = replica
        .create_lead(&LeadInput {
            name: String::new(),
            email: "nope".into(),
            ..Default::default()
        })
        .expect_err("rejected");
    let ReplicaError::Validation(errors) = error else {
        panic!("expected a validation error, got {error:?}");
    };
    assert!(errors.for_field("name").is_some() && errors.for_field("email").is_some());
    assert!(replica.list_leads().expect("list").is_empty());
    assert_eq!(replica.pending_changes().expect("pending"), 0);
}

#[test]
fn a_newer_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let lead = open(&db).create_lead(&input("Ada")).expect("create");
    {
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("bump");
    }
    let error = Replica::open(&db, clock()).err().expect("refused");
    assert!(
        matches!(error, ReplicaError::NewerDatabase { found, .. } if found == SCHEMA_VERSION + 1),
        "{error:?}"
    );
    assert!(error.to_string().contains("update the app"), "{error}");
    // Put the version back: the data is still there.
    rusqlite::Connection::open(&db)
        .expect("raw")
        .pragma_update(None, "user_version", SCHEMA_VERSION)
        .expect("restore");
    assert_eq!(open(&db).list_leads().expect("list"), vec![lead]);
}

#[test]
fn corrupt_remote_changes_are_set_aside_without_touching_stored_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"));
    let b = open(&dir.path().join("b.db"));
    let lead = a.create_lead(&input("Ada")).expect("create");
    let (batch, _) = a.outbox_batch(10, 1 << 20).expect("outbox");
    let good = DocUpdate {
        doc_id: batch[0].doc_id.clone(),
        snapshot: None,
        changes: batch[0].changes.clone(),
    };
    let cursor = |seq| {
        vec![ScopeCursor {
            scope: Scope::User(fieldstone_model::UserId::from_uuid(uuid::Uuid::from_u128(
                1,
            ))),
            seq,
            base: seq,
        }]
    };
    let applied = b
        .apply_remote(std::slice::from_ref(&good), Some(&cursor(1)))
        .expect("apply");
    assert_eq!(applied.docs_changed, 1);

    let junk = DocUpdate {
        doc_id: DocId::new("lead", "00000000-0000-0000-0000-000000000009").expect("id"),
        snapshot: None,
        changes: vec![b"garbage".to_vec()],
    };
    let applied = b
        .apply_remote(&[junk], Some(&cursor(2)))
        .expect("a bad document does not fail the page");
    assert_eq!(applied.docs_changed, 0);
    assert_eq!(applied.set_aside.len(), 1, "one notice");
    let quarantined = b.quarantined().expect("quarantine");
    assert_eq!(quarantined.len(), 1);
    assert!(quarantined[0].doc_id.starts_with("lead:00000000"));
    assert!(quarantined[0].from_server);
    assert_eq!(
        b.scope_cursors().expect("cursor"),
        cursor(2),
        "the cursor moves past the bad document, so sync is never stuck on it"
    );
    assert_eq!(b.list_leads().expect("list"), vec![lead.clone()]);

    // Applying the same change twice changes nothing (at-least-once delivery is safe).
    assert_eq!(
        b.apply_remote(&[good], None).expect("again").docs_changed,
        0
    );
    let doc = lead_doc_id(&lead.id).expect("id");
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
}

#[test]
fn outbox_batches_respect_count_and_size_and_ack_removes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"));
    for i in 0..5 {
        replica
            .create_lead(&input(&format!("Lead{i}")))
            .expect("create");
    }
    let (two, last) = replica.outbox_batch(2, 1 << 20).expect("batch");
    assert_eq!(two.len(), 2, "two documents, one change each");
    assert!(two.iter().all(|d| d.changes.len() == 1));
    // A tiny byte budget still yields one change, so a big change can never block sync.
    let (one, _) = replica.outbox_batch(10, 1).expect("batch");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].changes.len(), 1);
    replica.ack_outbox(last.expect("last id")).expect("ack");
    assert_eq!(replica.pending_changes().expect("pending"), 3);
}

#[test]
fn a_document_received_whole_is_stored_as_sent_and_projected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"));
    let b = open(&dir.path().join("b.db"));
    let lead = a.create_lead(&input("Ada")).expect("create");
    let doc = lead_doc_id(&lead.id).expect("id");
    let bytes: Vec<u8> = rusqlite::Connection::open(dir.path().join("a.db"))
        .expect("raw")
        .query_row(
            "SELECT bytes FROM documents WHERE doc_id = ?1",
            [doc.as_str()],
            |r| r.get(0),
        )
        .expect("bytes");
    let update = DocUpdate {
        doc_id: doc.clone(),
        snapshot: Some(bytes),
        changes: vec![],
    };
    let applied = b.apply_remote(&[update], None).expect("apply");
    assert_eq!(applied.docs_changed, 1);
    assert_eq!(b.list_leads().expect("list"), vec![lead]);
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
    assert_eq!(
        b.pending_changes().expect("pending"),
        0,
        "nothing to send back"
    );
}
