//! The two backends the stories run against, and helpers to make real Automerge documents.
//!
//! PostgreSQL runs when `FIELDSTONE_TEST_POSTGRES_URL` names a server the tests may create
//! databases on (`cargo xtask test` starts a private one). Each test gets a database of its
//! own, dropped at the end, so tests run in parallel. Without the variable the PostgreSQL
//! variants are skipped, except under CI, where they fail.

use automerge::{transaction::Transactable, ActorId, AutoCommit, Change, ChangeHash, ROOT};
use chrono::{DateTime, TimeZone, Utc};
use fieldstone_model::{OrgId, UserId};
use fieldstone_protocol::{DocId, Scope};
use fieldstone_server::store::{DocWrite, PostgresStore, Store};
use fieldstone_server::SqliteStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;

#[path = "../common/pg.rs"]
mod pg;
pub use pg::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty store of one kind (fields drop in order: the store before its database).
pub struct Backend {
    store: Arc<dyn Store>,
    pub kind: Kind,
    pub dir: TempDir,
    pub pg: Option<PgDatabase>,
}

impl Backend {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("data")).expect("open SQLite store");
        Self {
            store: Arc::new(store),
            kind: Kind::Sqlite,
            dir,
            pg: None,
        }
    }

    /// A store on a database of its own; fails when no PostgreSQL server is configured (these
    /// tests are ignored unless asked for).
    pub fn postgres() -> Self {
        let admin_url = require_postgres_url();
        let pg = PgDatabase::create(&admin_url);
        let store = PostgresStore::connect(&pg.url).expect("connect the PostgreSQL store");
        Self {
            store: Arc::new(store),
            kind: Kind::Postgres,
            dir: tempfile::tempdir().expect("temp dir"),
            pg: Some(pg),
        }
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// Another PostgreSQL store on the same database: another server process, as far as the
    /// database can tell.
    pub fn another_postgres_store(&self) -> PostgresStore {
        let pg = self.pg.as_ref().expect("a PostgreSQL backend");
        PostgresStore::connect(&pg.url).expect("connect a second store")
    }

    /// Opens what `backup` wrote to `dest` as a store of the same kind.
    pub fn open_backup(&self, dest: &Path) -> Restored {
        match self.kind {
            Kind::Sqlite => {
                let dir = dest.parent().expect("backup dir").to_path_buf();
                let store = SqliteStore::open(&dir).expect("open the backup");
                Restored {
                    store: Box::new(store),
                    _db: None,
                }
            }
            Kind::Postgres => {
                let admin = &self.pg.as_ref().expect("a PostgreSQL backend").admin_url;
                let db = PgDatabase::create(admin);
                let out = std::process::Command::new("pg_restore")
                    .args(["--no-owner", "--exit-on-error", "--dbname"])
                    .arg(&db.url)
                    .arg(dest)
                    .output()
                    .expect("run pg_restore (Debian package postgresql-client)");
                assert!(
                    out.status.success(),
                    "pg_restore failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let store = PostgresStore::connect(&db.url).expect("open the restored database");
                Restored {
                    store: Box::new(store),
                    _db: Some(db),
                }
            }
        }
    }

    /// Where a backup may be written (a file that does not exist yet).
    pub fn backup_path(&self) -> PathBuf {
        match self.kind {
            // A data directory of its own, so the copy opens as a store.
            Kind::Sqlite => self.dir.path().join("restored").join("fieldstone.db"),
            Kind::Postgres => self.dir.path().join("fieldstone.dump"),
        }
    }
}

pub struct Restored {
    pub store: Box<dyn Store>,
    _db: Option<PgDatabase>,
}

// ---------------------------------------------------------------------------------------------
// Fixed times (tests never read the wall clock)

pub fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .expect("a valid time")
        + chrono::Duration::minutes(minute)
}

// ---------------------------------------------------------------------------------------------
// Automerge documents

/// A record's Automerge document as a device edits it.
pub struct Record {
    pub id: DocId,
    pub doc: AutoCommit,
    /// Heads the server has (what the next write is "since").
    pub stored_heads: Vec<ChangeHash>,
    /// Edits so far (each writes a new value, so each is a change).
    edits: usize,
}

pub fn actor_bytes(n: u8) -> Vec<u8> {
    vec![n; 16]
}

impl Record {
    /// A new contact with `changes` edits by actor `actor`.
    pub fn new(record: &str, actor: u8, changes: usize) -> Self {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(actor_bytes(actor)));
        for n in 0..changes {
            doc.put(ROOT, "name", format!("{record} v{n}"))
                .expect("put");
            doc.commit();
        }
        Self {
            id: DocId::new("contact", record).expect("doc id"),
            doc,
            stored_heads: Vec::new(),
            edits: 0,
        }
    }

    /// `n` more edits.
    pub fn edit(&mut self, n: usize) {
        for _ in 0..n {
            self.edits += 1;
            self.doc
                .put(ROOT, "note", format!("edit {}", self.edits))
                .expect("put");
            self.doc.commit();
        }
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    fn unsent(&mut self) -> Vec<Change> {
        let since = self.stored_heads.clone();
        self.stored_heads = self.doc.get_heads();
        self.doc.get_changes(&since)
    }

    /// The write that stores this new document in `scopes`.
    pub fn create(&mut self, scopes: Vec<Scope>, writer: UserId) -> DocWrite {
        let changes = self.unsent();
        let actors = changes
            .iter()
            .map(|c| c.actor_id().to_bytes().to_vec())
            .collect::<std::collections::BTreeSet<_>>();
        DocWrite {
            doc_id: self.id.clone(),
            expected_head_seq: None,
            changes: changes
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes: scopes,
            snapshot: Some(self.doc.save()),
            new_actors: actors.into_iter().collect(),
            writer,
            intent: false,
            contact: fieldstone_server::store::contact_index::entry_for(&self.id, &self.doc),
            job: None,
        }
    }

    /// The write that appends the changes since the last write (with a fresh snapshot when
    /// `compact`), checked against `head_seq`.
    pub fn append(&mut self, head_seq: u64, compact: bool, writer: UserId) -> DocWrite {
        let changes = self.unsent();
        DocWrite {
            doc_id: self.id.clone(),
            expected_head_seq: Some(head_seq),
            changes: changes
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes: Vec::new(),
            snapshot: compact.then(|| self.doc.save()),
            new_actors: Vec::new(),
            writer,
            intent: false,
            contact: fieldstone_server::store::contact_index::entry_for(&self.id, &self.doc),
            job: None,
        }
    }
}

/// Heads of a document loaded from stored bytes.
pub fn heads_of(bytes: &[u8]) -> Vec<ChangeHash> {
    AutoCommit::load(bytes)
        .expect("stored bytes load")
        .get_heads()
}

/// Heads after applying raw changes to a copy of `base`.
pub fn heads_after(base: &[u8], changes: &[Vec<u8>]) -> Vec<ChangeHash> {
    let mut doc = AutoCommit::load(base).expect("base loads");
    doc.apply_changes(
        changes
            .iter()
            .map(|c| Change::from_bytes(c.clone()).expect("a change")),
    )
    .expect("changes apply");
    doc.get_heads()
}

/// An organisation id that no store has.
pub fn unknown_org() -> OrgId {
    OrgId::from_uuid(uuid::Uuid::new_v4())
}
