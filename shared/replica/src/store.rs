//! The SQLite file: opening it durably, its migrations, and the document/outbox primitives.

use crate::error::ReplicaError;
use automerge::{ActorId, AutoCommit, Change};
use fieldstone_model::Clock;
use fieldstone_protocol::{DocChange, DocId, FeedEntry};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const ACTOR_KEY: &str = "actor_id";
const CURSOR_KEY: &str = "sync_cursor";
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 256;

/// One device's local copy of its data.
pub struct Replica {
    conn: Mutex<Connection>,
    actor: ActorId,
    pub(crate) clock: Arc<dyn Clock>,
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
        crate::schema::migrate(&mut conn)?;
        let actor = load_or_create_actor(&conn)?;
        let checkpointer = crate::checkpoint::start(path);
        if checkpointer.is_some() {
            conn.pragma_update(
                None,
                "wal_autocheckpoint",
                crate::checkpoint::AUTO_CHECKPOINT_PAGES,
            )?;
        }
        let replica = Self {
            conn: Mutex::new(conn),
            actor,
            clock,
            _checkpointer: checkpointer,
        };
        if replica.rebuild_pending()? {
            replica.rebuild_read_model()?;
        }
        Ok(replica)
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

    /// The clock's time at the precision records keep (milliseconds), so what a write returns
    /// equals what a later read gives back.
    pub(crate) fn now_ms(&self) -> chrono::DateTime<chrono::Utc> {
        let now = self.clock.now();
        chrono::DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
    }

    /// Local changes waiting for the server.
    pub fn pending_changes(&self) -> Result<u64, ReplicaError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Up to `max_changes` outbox entries (stopping before `max_bytes`), oldest first, with
    /// the id of the last one for [`Replica::ack_outbox`].
    pub fn outbox_batch(
        &self,
        max_changes: usize,
        max_bytes: usize,
    ) -> Result<(Vec<DocChange>, Option<i64>), ReplicaError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT id, doc_id, change FROM outbox ORDER BY id LIMIT ?1")?;
        let rows = stmt.query_map([i64::try_from(max_changes).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut batch = Vec::new();
        let mut last = None;
        let mut bytes = 0usize;
        for row in rows {
            let (id, doc_id, change) = row?;
            // base64 inflates by 4/3; stay below the server's body limit.
            let cost = change.len() * 4 / 3 + doc_id.len() + 64;
            if !batch.is_empty() && bytes + cost > max_bytes {
                break;
            }
            bytes += cost;
            let doc_id: DocId =
                doc_id
                    .parse()
                    .map_err(|e: fieldstone_protocol::InvalidDocId| {
                        ReplicaError::doc(
                            &e.0,
                            fieldstone_doc::DocError::InvalidValue(e.to_string()),
                        )
                    })?;
            batch.push(DocChange { doc_id, change });
            last = Some(id);
        }
        Ok((batch, last))
    }

    /// Drops outbox entries up to and including `last_id`: the server has them.
    pub fn ack_outbox(&self, last_id: i64) -> Result<(), ReplicaError> {
        self.conn()
            .execute("DELETE FROM outbox WHERE id <= ?1", [last_id])?;
        Ok(())
    }

    /// The change-feed cursor: everything up to it has been applied here.
    pub fn sync_cursor(&self) -> Result<u64, ReplicaError> {
        let conn = self.conn();
        let value: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [CURSOR_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(value.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
    }

    /// Applies a page of changes from the server and advances the cursor, in one transaction.
    /// Returns how many documents changed.
    pub fn apply_remote(&self, entries: &[FeedEntry], cursor: u64) -> Result<usize, ReplicaError> {
        let mut by_doc: BTreeMap<&DocId, Vec<Change>> = BTreeMap::new();
        for entry in entries {
            let change = fieldstone_doc::parse_change(&entry.change)
                .map_err(|e| ReplicaError::doc(entry.doc_id.as_str(), e))?;
            by_doc.entry(&entry.doc_id).or_default().push(change);
        }
        let now = self.clock.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut changed = 0;
        for (doc_id, changes) in by_doc {
            let stored = match load_doc(&tx, doc_id, &self.actor) {
                Ok(doc) => doc,
                // Our copy is unreadable: keep its bytes aside and rebuild it from what arrives
                // (the server's repair path fills in anything older).
                Err(ReplicaError::Document { source, .. })
                    if matches!(*source, fieldstone_doc::DocError::Corrupt(_)) =>
                {
                    let reason = source.to_string();
                    crate::projection::quarantine(&tx, doc_id, &reason, now.timestamp_millis())?;
                    tracing::warn!(%doc_id, %reason, "corrupt document quarantined during sync");
                    None
                }
                Err(e) => return Err(e),
            };
            let mut doc =
                stored.unwrap_or_else(|| AutoCommit::new().with_actor(self.actor.clone()));
            let before = doc.get_heads();
            let mut changes = changes;
            changes.extend(held_changes(&tx, doc_id)?);
            doc.apply_changes(changes.iter().cloned())
                .map_err(|e| ReplicaError::doc(doc_id.as_str(), e.into()))?;
            hold_missing(&tx, doc_id, &mut doc, &changes)?;
            if doc.get_heads() == before {
                continue; // our own change echoed back, or a repeat
            }
            save_doc(&tx, doc_id, &mut doc, now.timestamp_millis())?;
            match crate::projection::project(&tx, doc_id, &doc) {
                Ok(()) => {}
                // Stored, but this build cannot show it (a newer shape, or changes still waiting
                // for the ones they depend on): its previous projection stays until it can.
                Err(ReplicaError::Document { doc_id, source }) => {
                    tracing::warn!(%doc_id, error = %source, "remote document kept but not projected");
                }
                Err(e) => return Err(e),
            }
            changed += 1;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![CURSOR_KEY, i64::try_from(cursor).unwrap_or(i64::MAX)],
        )?;
        tx.commit()?;
        Ok(changed)
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
    tx.prepare_cached(
        "INSERT INTO documents (doc_id, kind, bytes, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (doc_id) DO UPDATE SET bytes = excluded.bytes, updated_at = excluded.updated_at",
    )?
    .execute(params![doc_id.as_str(), doc_id.kind(), doc.save(), now_ms])?;
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
fn held_changes(tx: &Transaction<'_>, doc_id: &DocId) -> Result<Vec<Change>, ReplicaError> {
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
/// holds such changes in memory, and `save()` leaves them out.
fn hold_missing(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    doc: &mut AutoCommit,
    offered: &[Change],
) -> Result<(), ReplicaError> {
    tx.prepare_cached("DELETE FROM held_changes WHERE doc_id = ?1")?
        .execute([doc_id.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO held_changes (doc_id, hash, change) VALUES (?1, ?2, ?3)",
    )?;
    for change in offered {
        if doc.get_change_by_hash(&change.hash()).is_none() {
            insert.execute(params![
                doc_id.as_str(),
                change.hash().to_string(),
                change.raw_bytes()
            ])?;
        }
    }
    Ok(())
}
