//! The local engine against real SQLite files in temp dirs: durability, the file's format and
//! its migrations (the retired lead kind among them), and what arrives from elsewhere.

mod support;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit};
use fieldstone_protocol::{DocId, DocUpdate, Scope, ScopeCursor};
use fieldstone_replica::{contact_doc_id, Replica, ReplicaError, SCHEMA_VERSION};
use std::path::Path;
use support::*;

fn cursor(seq: u64) -> Vec<ScopeCursor> {
    vec![ScopeCursor {
        scope: Scope::User(user()),
        seq,
        base: seq,
    }]
}

/// What `from` would push, as the server's feed hands it to another device.
fn feed(from: &Replica) -> Vec<DocUpdate> {
    let (docs, _) = from.outbox_batch(100, 1 << 20).expect("outbox");
    docs.into_iter()
        .map(|d| DocUpdate {
            doc_id: d.doc_id,
            snapshot: None,
            changes: d.changes,
        })
        .collect()
}

fn raw(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).expect("raw")
}

fn user_version(db: &Path) -> i64 {
    raw(db)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("pragma")
}

fn has_table(db: &Path, name: &str) -> bool {
    raw(db)
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get::<_, i64>(0),
        )
        .expect("sqlite_master")
        > 0
}

const LEAD_ID: &str = "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10";

/// A lead document as the walking skeleton wrote it, and its one change. The kind is retired:
/// nothing in the engine can make one any more.
fn legacy_lead() -> (DocId, Vec<u8>, Vec<u8>) {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![7; 16]));
    doc.put(automerge::ROOT, "schema", 1_u64).expect("put");
    for (key, value) in [
        ("kind", "lead"),
        ("id", LEAD_ID),
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("phone", ""),
        ("stage", "qualified"),
    ] {
        doc.put(automerge::ROOT, key, value).expect("put");
    }
    for key in ["created_at_ms", "updated_at_ms"] {
        doc.put(automerge::ROOT, key, T0_MS).expect("put");
    }
    doc.commit();
    let change = doc
        .get_last_local_change()
        .expect("a change")
        .raw_bytes()
        .to_vec();
    (DocId::new("lead", LEAD_ID).expect("id"), doc.save(), change)
}

/// Takes the store at `db` back to format `version` (1 or 5) holding a lead as the walking
/// skeleton stored one: its document, unsent change and row in the `leads` table. Format 1 kept
/// only `meta`, `documents`, `outbox` and `leads`; what was added since is dropped, so whatever
/// the migrations rebuild can only come from the documents.
fn as_older_store_with_a_lead(db: &Path, version: i64) -> Vec<u8> {
    let (doc_id, bytes, change) = legacy_lead();
    let conn = raw(db);
    if version == 1 {
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT IN ('meta', 'documents', 'outbox')
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'",
            )
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("names");
        for table in tables {
            conn.execute_batch(&format!("DROP TABLE {table}"))
                .expect("drop");
        }
    }
    if version > 1 {
        // What versions 7 to 13 added, so the store is as version 5 or 6 left it.
        conn.execute_batch(
            "DROP TABLE campaigns; DROP TABLE agent_score_models; ALTER TABLE contacts DROP COLUMN score_facts;
             DROP TABLE contact_custom; DROP TABLE listing_open_houses; DROP TABLE messages;
             DROP INDEX notes_newest; DROP INDEX interactions_newest; DROP INDEX tasks_closed;
             DROP INDEX contacts_stage_budget;
             ALTER TABLE contacts DROP COLUMN budget;
             ALTER TABLE contacts DROP COLUMN stage_since;",
        )
        .expect("back to version 6");
    }
    conn.execute_batch(
        "CREATE TABLE leads (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
            stage TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
        ) STRICT;",
    )
    .expect("leads table");
    conn.execute(
        "INSERT INTO leads VALUES (?1, 'Ada Lovelace', 'ada@example.com', '', 'qualified', ?2, ?2)",
        rusqlite::params![LEAD_ID, T0_MS],
    )
    .expect("lead row");
    conn.execute(
        "INSERT INTO documents (doc_id, kind, bytes, updated_at) VALUES (?1, 'lead', ?2, ?3)",
        rusqlite::params![doc_id.as_str(), bytes, T0_MS],
    )
    .expect("lead document");
    conn.execute(
        "INSERT INTO outbox (doc_id, change) VALUES (?1, ?2)",
        rusqlite::params![doc_id.as_str(), change],
    )
    .expect("lead change");
    conn.pragma_update(None, "user_version", version)
        .expect("version");
    bytes
}

/// The lead is in the quarantine, as it was stored, with why; nothing else refers to it.
fn assert_lead_set_aside(replica: &Replica, db: &Path, bytes: &[u8]) {
    let aside = replica.quarantined().expect("quarantine");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(aside[0].doc_id, format!("lead:{LEAD_ID}"));
    assert!(!aside[0].from_server);
    assert!(
        aside[0].reason.contains("a lead is a contact in a stage"),
        "{}",
        aside[0].reason
    );
    let kept: Vec<u8> = raw(db)
        .query_row("SELECT bytes FROM quarantine", [], |r| r.get(0))
        .expect("kept bytes");
    assert_eq!(kept, bytes, "kept as it was");
    assert!(!has_table(db, "leads"));
    let ids = replica.document_ids().expect("ids");
    assert!(ids.iter().all(|id| id.kind() != "lead"), "{ids:?}");
    let (outbox, _) = replica.outbox_batch(100, 1 << 20).expect("outbox");
    assert!(outbox.iter().all(|d| d.doc_id.kind() != "lead"));
}

#[test]
fn database_is_durable_wal_with_full_sync() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("nested/dir/fieldstone.db");
    let replica = open(&db, &clock());
    // Another connection sees the journal mode (a property of the file).
    let mode: String = raw(&db)
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    assert_eq!(replica.synchronous_mode().expect("pragma"), 2, "FULL");
}

#[test]
fn writes_survive_reopening_with_the_same_actor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("fieldstone.db");
    let (contact, actor) = {
        let replica = open(&db, &clock());
        (
            replica
                .create_contact(&person("Ada", "Lovelace"), user())
                .expect("create"),
            replica.actor().clone(),
        )
    };
    let replica = open(&db, &clock());
    assert_eq!(
        replica.actor(),
        &actor,
        "a device keeps its actor id for life"
    );
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(contact)
    );
    assert_eq!(search(&replica, "ada"), ["Ada Lovelace"]);
    assert_eq!(replica.pending_changes().expect("pending"), 1);
}

#[test]
fn a_newer_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let contact = open(&db, &clock())
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    raw(&db)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .expect("bump");
    let error = Replica::open(&db, clock()).err().expect("refused");
    assert!(
        matches!(error, ReplicaError::NewerDatabase { found, .. } if found == SCHEMA_VERSION + 1),
        "{error:?}"
    );
    assert!(error.to_string().contains("update the app"), "{error}");
    // Put the version back: the data is still there.
    raw(&db)
        .pragma_update(None, "user_version", SCHEMA_VERSION)
        .expect("restore");
    assert_eq!(
        open(&db, &clock()).get_contact(&contact.id).expect("get"),
        Some(contact)
    );
}

#[test]
fn a_version_1_database_migrates_and_its_read_model_is_rebuilt_from_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let contact = open(&db, &clock())
        .create_contact(&person("Grace", "Hopper"), user())
        .expect("contact");
    let lead = as_older_store_with_a_lead(&db, 1);
    let replica = open(&db, &clock());
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    assert_eq!(
        search(&replica, "grace"),
        ["Grace Hopper"],
        "rebuilt from its document"
    );
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(contact)
    );
    assert_lead_set_aside(&replica, &db, &lead);
    replica
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("contacts work after migrating");
    assert_eq!(search(&replica, "ada"), ["Ada Lovelace"]);
}

#[test]
fn the_lead_documents_of_a_version_5_store_are_set_aside_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let contact = open(&db, &clock())
        .create_contact(&person("Grace", "Hopper"), user())
        .expect("contact");
    let lead = as_older_store_with_a_lead(&db, 5);
    let replica = open(&db, &clock());
    assert_eq!(user_version(&db), SCHEMA_VERSION);
    assert_lead_set_aside(&replica, &db, &lead);
    assert_eq!(
        replica.quarantined().expect("quarantine")[0].at_ms,
        T0_MS,
        "the clock's time"
    );
    // The contact and its unsent change are untouched.
    assert_eq!(
        replica.document_ids().expect("ids"),
        [contact_doc_id(&contact.id).expect("id")]
    );
    assert_eq!(replica.pending_changes().expect("pending"), 1);
    assert_eq!(search(&replica, "grace"), ["Grace Hopper"]);
    // Opening again changes nothing.
    drop(replica);
    let replica = open(&db, &clock());
    assert_eq!(replica.quarantined().expect("quarantine").len(), 1);
}

#[test]
fn lead_documents_from_the_server_are_set_aside_once_without_a_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"), &clock());
    let b = open(&dir.path().join("b.db"), &clock());
    a.create_contact(&person("Grace", "Hopper"), user())
        .expect("contact");
    let (doc_id, bytes, change) = legacy_lead();
    let lead = DocUpdate {
        doc_id: doc_id.clone(),
        snapshot: Some(bytes),
        changes: vec![change],
    };
    let mut page = feed(&a);
    page.push(lead.clone());
    let applied = b.apply_remote(&page, Some(&cursor(1))).expect("apply");
    assert_eq!(applied.docs_changed, 1, "the contact");
    assert!(applied.set_aside.is_empty(), "no notice");
    // A repair or a repeated page brings the same lead again: nothing more is kept.
    b.apply_remote(&[lead], Some(&cursor(2))).expect("again");
    let aside = b.quarantined().expect("quarantine");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(aside[0].doc_id, doc_id.as_str());
    assert!(aside[0].from_server);
    assert!(aside[0].reason.contains("a lead is a contact in a stage"));
    assert!(b.sync_notices().expect("notices").is_empty());
    assert!(b
        .document_ids()
        .expect("ids")
        .iter()
        .all(|id| *id != doc_id));
    assert_eq!(b.scope_cursors().expect("cursors"), cursor(2));
    assert_eq!(search(&b, "grace"), ["Grace Hopper"]);
}

#[test]
fn corrupt_remote_changes_are_set_aside_without_touching_stored_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"), &clock());
    let b = open(&dir.path().join("b.db"), &clock());
    let contact = a
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    let good = feed(&a).remove(0);
    let applied = b
        .apply_remote(std::slice::from_ref(&good), Some(&cursor(1)))
        .expect("apply");
    assert_eq!(applied.docs_changed, 1);

    let junk = DocUpdate {
        doc_id: DocId::new("contact", "00000000-0000-0000-0000-000000000009").expect("id"),
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
    assert!(quarantined[0].doc_id.starts_with("contact:00000000"));
    assert!(quarantined[0].from_server);
    assert_eq!(
        b.scope_cursors().expect("cursor"),
        cursor(2),
        "the cursor moves past the bad document, so sync is never stuck on it"
    );
    assert_eq!(
        b.get_contact(&contact.id).expect("get"),
        Some(contact.clone())
    );

    // Applying the same change twice changes nothing (at-least-once delivery is safe).
    assert_eq!(
        b.apply_remote(&[good], None).expect("again").docs_changed,
        0
    );
    let doc = contact_doc_id(&contact.id).expect("id");
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
}

#[test]
fn outbox_batches_respect_count_and_size_and_ack_removes_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    for i in 0..5 {
        replica
            .create_contact(&person(&format!("Buyer{i}"), "Example"), user())
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
    let a = open(&dir.path().join("a.db"), &clock());
    let b = open(&dir.path().join("b.db"), &clock());
    let contact = a
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    let doc = contact_doc_id(&contact.id).expect("id");
    let bytes: Vec<u8> = raw(&dir.path().join("a.db"))
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
    assert_eq!(b.get_contact(&contact.id).expect("get"), Some(contact));
    assert_eq!(search(&b, "lovelace"), ["Ada Lovelace"]);
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
    assert_eq!(
        b.pending_changes().expect("pending"),
        0,
        "nothing to send back"
    );
}
