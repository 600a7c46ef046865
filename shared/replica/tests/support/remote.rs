//! Helpers for the tests of what the server sends: a device that already has a record from
//! another device, updates taken from an outbox, and quiet Automerge panics.

use super::{clock, deliver, open, person, user};
use fieldstone_model::ContactId;
use fieldstone_protocol::{DocId, DocUpdate, Scope, ScopeCursor};
use fieldstone_replica::{contact_doc_id, ContactQuery, Replica};
use std::path::Path;

pub fn cursors(seq: u64) -> Vec<ScopeCursor> {
    vec![ScopeCursor {
        scope: Scope::User(user()),
        seq,
        base: seq,
    }]
}

/// The stored (saved) bytes of a document, read from the database file.
pub fn stored_bytes(db: &Path, doc_id: &DocId) -> Vec<u8> {
    rusqlite::Connection::open(db)
        .expect("raw")
        .query_row(
            "SELECT bytes FROM documents WHERE doc_id = ?1",
            [doc_id.as_str()],
            |r| r.get(0),
        )
        .expect("stored bytes")
}

/// Everything in `from`'s outbox as one update per document.
pub fn outbox_updates(from: &Replica) -> Vec<DocUpdate> {
    let (docs, _) = from.outbox_batch(100_000, usize::MAX).expect("outbox");
    docs.into_iter()
        .map(|d| DocUpdate {
            doc_id: d.doc_id,
            snapshot: None,
            changes: d.changes,
        })
        .collect()
}

pub fn names(r: &Replica) -> Vec<String> {
    let mut names: Vec<String> = r
        .list_contacts(&ContactQuery::default())
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    names.sort();
    names
}

/// Every stored document still loads: a rebuild quarantines nothing.
pub fn assert_everything_stored_loads(r: &Replica) {
    let report = r.rebuild_read_model().expect("rebuild");
    assert!(
        report.quarantined.is_empty(),
        "a stored document no longer loads: {:?}",
        report.quarantined
    );
}

/// A device (B) that has Ada from another device (A), and A's handle to make more.
pub struct Pair {
    _dir: tempfile::TempDir,
    pub a: Replica,
    pub b: Replica,
    pub b_db: std::path::PathBuf,
    pub ada: ContactId,
    pub ada_doc: DocId,
}

pub fn pair() -> Pair {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let a = open(&dir.path().join("a.db"), &clock);
    let b_db = dir.path().join("b.db");
    let b = open(&b_db, &clock);
    let ada = a
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada")
        .id;
    deliver(&a, &b);
    a.ack_outbox(i64::MAX).expect("ack");
    let ada_doc = contact_doc_id(&ada).expect("doc id");
    Pair {
        _dir: dir,
        a,
        b,
        b_db,
        ada,
        ada_doc,
    }
}

/// Hides the report Automerge's own panics print: they are expected here, caught and turned
/// into errors. Any other panic is reported as usual.
pub fn quiet_automerge_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let inside = info.location().is_some_and(|l| {
                ["/automerge-", "/hexane-", "/rustc/"]
                    .iter()
                    .any(|dir| l.file().contains(dir))
            });
            if !inside {
                previous(info);
            }
        }));
    });
}
