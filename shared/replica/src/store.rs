//! The SQLite file: opening it durably, its migrations, and the document/outbox primitives.

use crate::error::ReplicaError;
use automerge::{ActorId, AutoCommit, Change};
use fieldstone_model::Clock;
use fieldstone_protocol::DocId;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const ACTOR_KEY: &str = "actor_id";
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 256;

/// One device's local copy of its data.
pub struct Replica {
    conn: Mutex<Connection>,
    /// Read-only connections for searches, counts and record reads (`None`: reads use `conn`).
    readers: Option<crate::readers::Readers>,
    actor: ActorId,
    pub(crate) clock: Arc<dyn Clock>,
    /// The account's media files, beside its database.
    media: crate::media::MediaFolder,
    _checkpointer: Option<crate::checkpoint::Checkpointer>,
}

impl Replica {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, ReplicaError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| ReplicaError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every write path reuses a dozen statements (document, outbox, each projection table);
        // rusqlite's default cache of 16 would evict and re-parse them on every record.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // WAL + FULL: once a write returns, a kill -9 or power cut cannot lose it.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        crate::schema::migrate(&mut conn, clock.now().timestamp_millis())?;
        let actor = load_or_create_actor(&conn)?;
        let checkpointer = crate::checkpoint::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(
                None,
                "wal_autocheckpoint",
                crate::checkpoint::AUTO_CHECKPOINT_PAGES,
            )?;
        }
        // Opened after the migrations, so they only ever see the current schema.
        let readers = crate::readers::Readers::open(path, crate::readers::READERS, BUSY_TIMEOUT);
        let replica = Self {
            conn: Mutex::new(conn),
            readers,
            actor,
            clock,
            media: crate::media::MediaFolder::for_store(path),
            _checkpointer: checkpointer,
        };
        if replica.rebuild_pending()? {
            replica.rebuild_read_model()?;
        }
        // Recency decays while the app is closed: every lead score is brought to now.
        replica.rescore_all()?;
        Ok(replica)
    }

    /// The store's media files (photos, floor plans, PDFs).
    pub fn media(&self) -> &crate::media::MediaFolder {
        &self.media
    }

    /// `PRAGMA synchronous` of the engine's connection (2 = FULL), for durability checks.
    pub fn synchronous_mode(&self) -> Result<i64, ReplicaError> {
        Ok(self
            .conn()
            .pragma_query_value(None, "synchronous", |r| r.get(0))?)
    }

    /// This device's Automerge actor id (bound to it for life).
    pub fn actor(&self) -> &ActorId {
        &self.actor
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection for reading only: a reader when there are, so a search never waits for a
    /// write or another search. It sees everything committed before the read began.
    pub(crate) fn reader(&self) -> crate::readers::ReadConn<'_> {
        match &self.readers {
            Some(readers) => crate::readers::ReadConn::Reader(readers.get()),
            None => crate::readers::ReadConn::Writer(self.conn()),
        }
    }

    /// The clock's time at the precision records keep (milliseconds), so what a write returns
    /// equals what a later read gives back.
    pub(crate) fn now_ms(&self) -> chrono::DateTime<chrono::Utc> {
        let now = self.clock.now();
        chrono::DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// Current heads of a document, for comparing replicas.
    pub fn doc_heads(&self, doc_id: &DocId) -> Result<Vec<String>, ReplicaError> {
        let conn = self.conn();
        let doc = load_doc(&conn, doc_id, &self.actor)?.ok_or_else(|| ReplicaError::NotFound {
            what: format!("document {doc_id}"),
        })?;
        let mut doc = doc;
        Ok(doc.get_heads().iter().map(|h| h.to_string()).collect())
    }
}

fn load_or_create_actor(conn: &Connection) -> Result<ActorId, ReplicaError> {
    let existing: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [ACTOR_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(bytes) = existing {
        return Ok(ActorId::from(bytes));
    }
    let bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![ACTOR_KEY, bytes],
    )?;
    Ok(ActorId::from(bytes))
}

/// Loads a stored document as this device (`actor`), so any edit made to it is attributed to
/// this device rather than to the random actor a plain load would get.
pub(crate) fn load_doc(
    conn: &Connection,
    doc_id: &DocId,
    actor: &ActorId,
) -> Result<Option<AutoCommit>, ReplicaError> {
    let bytes: Option<Vec<u8>> = conn
        .prepare_cached("SELECT bytes FROM documents WHERE doc_id = ?1")?
        .query_row([doc_id.as_str()], |r| r.get(0))
        .optional()?;
    bytes
        .map(|b| {
            fieldstone_doc::load(&b)
                .map(|doc| doc.with_actor(actor.clone()))
                .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))
        })
        .transpose()
}

pub(crate) fn save_doc(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    doc: &mut AutoCommit,
    now_ms: i64,
) -> Result<(), ReplicaError> {
    save_doc_bytes(tx, doc_id, &doc.save(), now_ms)
}

/// Stores a document's saved bytes (see [`save_doc`]).
pub(crate) fn save_doc_bytes(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    bytes: &[u8],
    now_ms: i64,
) -> Result<(), ReplicaError> {
    tx.prepare_cached(
        "INSERT INTO documents (doc_id, kind, bytes, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (doc_id) DO UPDATE SET bytes = excluded.bytes, updated_at = excluded.updated_at",
    )?
    .execute(params![doc_id.as_str(), doc_id.kind(), bytes, now_ms])?;
    Ok(())
}

pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    change: &Change,
) -> Result<(), ReplicaError> {
    tx.prepare_cached("INSERT INTO outbox (doc_id, change) VALUES (?1, ?2)")?
        .execute(params![doc_id.as_str(), change.raw_bytes()])?;
    Ok(())
}

/// Changes of `doc_id` received earlier whose dependencies had not arrived yet.
pub(crate) fn held_changes(
    tx: &Transaction<'_>,
    doc_id: &DocId,
) -> Result<Vec<Change>, ReplicaError> {
    let mut stmt = tx.prepare_cached("SELECT change FROM held_changes WHERE doc_id = ?1")?;
    let rows = stmt.query_map([doc_id.as_str()], |r| r.get::<_, Vec<u8>>(0))?;
    let mut changes = Vec::new();
    for bytes in rows {
        changes.push(
            fieldstone_doc::parse_change(&bytes?)
                .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?,
        );
    }
    Ok(changes)
}

/// Keeps every change in `offered` that the document could not apply yet (a dependency is still
/// missing: feeds may deliver out of order) in `held_changes`, so it is applied once the
/// dependency arrives instead of being lost when the cursor moves past it. Automerge itself only
/// holds such changes in memory, and `save()` leaves them out. Returns how many are held.
pub(crate) fn hold_missing(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    doc: &mut AutoCommit,
    offered: &[Change],
) -> Result<usize, ReplicaError> {
    tx.prepare_cached("DELETE FROM held_changes WHERE doc_id = ?1")?
        .execute([doc_id.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO held_changes (doc_id, hash, change) VALUES (?1, ?2, ?3)",
    )?;
    let mut held = 0;
    for change in offered {
        if doc.get_change_by_hash(&change.hash()).is_none() {
            held += insert.execute(params![
                doc_id.as_str(),
                change.hash().to_string(),
                change.raw_bytes()
            ])?;
        }
    }
    Ok(held)
}
