//! What the device keeps about sync, and how server answers change it: the outbox grouped per
//! document, one cursor per scope, pulled pages applied with their cursors in one transaction
//! (each document on its own, an unreadable one set aside), and wiping on revocation.

use super::set_aside;
use crate::error::ReplicaError;
use crate::store::{enqueue, held_changes, hold_missing, load_doc, Replica};
use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use fieldstone_protocol::{DocId, DocPush, DocUpdate, ScopeCursor};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::BTreeMap;

/// Something the person should know about sync (an edit the server refused, something it sent
/// that could not be read), kept until they dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncNotice {
    pub id: i64,
    pub doc_id: String,
    pub code: String,
    pub message: String,
    pub at_ms: i64,
}

/// What [`Replica::apply_remote`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Documents whose content changed here.
    pub docs_changed: usize,
    /// Documents whose incoming bytes could not be read and were set aside (one notice each;
    /// bytes already set aside before get none).
    pub set_aside: Vec<SyncNotice>,
}

pub(super) fn parse_doc_id(text: &str) -> Result<DocId, ReplicaError> {
    text.parse()
        .map_err(|e: fieldstone_protocol::InvalidDocId| {
            ReplicaError::doc(&e.0, fieldstone_doc::DocError::InvalidValue(e.to_string()))
        })
}

/// Why one document of a page could not be merged.
pub(super) enum Failure {
    /// Its bytes from the server are at fault: set them aside and go on.
    Unreadable(String),
    /// The device itself failed (its database): stop, nothing of the page is kept.
    Local(ReplicaError),
}

/// Runs one document's merge, sorting its failure into [`Failure`]. A panic (Automerge on
/// malformed input, or anything else reading those bytes) is that document's fault too: the
/// caller rolls its savepoint back and never uses what the merge held in memory.
pub(super) fn contain<T>(work: impl FnOnce() -> Result<T, ReplicaError>) -> Result<T, Failure> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(ReplicaError::Document { source, .. })) => {
            Err(Failure::Unreadable(source.to_string()))
        }
        Ok(Err(other)) => Err(Failure::Local(other)),
        Err(_) => Err(Failure::Unreadable(
            "reading it made the document library fail".into(),
        )),
    }
}

impl Replica {
    /// Local changes waiting for the server.
    pub fn pending_changes(&self) -> Result<u64, ReplicaError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Up to `max_changes` outbox entries (stopping before `max_bytes`), oldest first, grouped
    /// per document in the order each document first appears, with the id of the last entry for
    /// [`Replica::ack_outbox`].
    pub fn outbox_batch(
        &self,
        max_changes: usize,
        max_bytes: usize,
    ) -> Result<(Vec<DocPush>, Option<i64>), ReplicaError> {
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
        let mut batch: Vec<DocPush> = Vec::new();
        let mut at: BTreeMap<String, usize> = BTreeMap::new();
        let mut last = None;
        let mut bytes = 0usize;
        for row in rows {
            let (id, doc_id, change) = row?;
            let cost = change.len() + doc_id.len() + 8;
            if last.is_some() && bytes + cost > max_bytes {
                break;
            }
            bytes += cost;
            match at.get(&doc_id) {
                Some(&i) => batch[i].changes.push(change),
                None => {
                    at.insert(doc_id.clone(), batch.len());
                    batch.push(DocPush {
                        doc_id: parse_doc_id(&doc_id)?,
                        changes: vec![change],
                    });
                }
            }
            last = Some(id);
        }
        Ok((batch, last))
    }

    /// Drops outbox entries up to and including `last_id`: the server has answered for them.
    pub fn ack_outbox(&self, last_id: i64) -> Result<(), ReplicaError> {
        self.conn()
            .execute("DELETE FROM outbox WHERE id <= ?1", [last_id])?;
        Ok(())
    }

    /// One cursor per scope this device reads, as the server last listed them.
    pub fn scope_cursors(&self) -> Result<Vec<ScopeCursor>, ReplicaError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT scope, seq, base FROM sync_cursors ORDER BY scope")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut cursors = Vec::new();
        for row in rows {
            let (scope, seq, base) = row?;
            // A scope this build cannot parse is dropped: the server lists every scope again.
            if let Ok(scope) = scope.parse() {
                cursors.push(ScopeCursor {
                    scope,
                    seq: u64::try_from(seq).unwrap_or(0),
                    base: u64::try_from(base).unwrap_or(0),
                });
            }
        }
        Ok(cursors)
    }

    /// Applies documents from the server and, when given, replaces the cursor set, in one
    /// transaction: a crash leaves either the page applied with its cursors or neither, so a
    /// dropped connection repeats at most one page.
    ///
    /// Each document stands alone: one whose bytes cannot be parsed, loaded or applied (even
    /// one that makes Automerge panic), or whose result would not load again, is set aside in
    /// the quarantine with a notice, this device's own copy of it stays as it was, and the rest
    /// of the page is applied and the cursors move on. Only a failure of the device itself (its
    /// database) fails the page.
    pub fn apply_remote(
        &self,
        updates: &[DocUpdate],
        cursors: Option<&[ScopeCursor]>,
    ) -> Result<Applied, ReplicaError> {
        self.apply_remote_marked(updates, cursors, None)
    }

    /// [`Replica::apply_remote`], with which of the page's documents are not this user's own
    /// (`crate::mine`): every document of the page is marked or unmarked by it, in the same
    /// transaction. `None` (a server that does not say) leaves the marks as they are.
    pub fn apply_remote_marked(
        &self,
        updates: &[DocUpdate],
        cursors: Option<&[ScopeCursor]>,
        not_mine: Option<&[DocId]>,
    ) -> Result<Applied, ReplicaError> {
        let mut by_doc: BTreeMap<&DocId, Vec<&DocUpdate>> = BTreeMap::new();
        for update in updates {
            by_doc.entry(&update.doc_id).or_default().push(update);
        }
        let now = self.clock.now().timestamp_millis();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut applied = Applied::default();
        for (doc_id, pieces) in by_doc {
            if let Some(why) = fieldstone_doc::retired(doc_id.kind()) {
                // Still on the server from devices of before; never stored as a document here.
                set_aside::retired_updates(&tx, doc_id, &pieces, why, now)?;
                continue;
            }
            // A savepoint per document: whatever a bad one wrote before failing is undone
            // without touching the documents before it.
            tx.execute_batch("SAVEPOINT remote_doc")?;
            match contain(|| self.merge_update(&tx, doc_id, &pieces, now)) {
                Ok(changed) => {
                    tx.execute_batch("RELEASE remote_doc")?;
                    applied.docs_changed += usize::from(changed);
                }
                Err(Failure::Unreadable(reason)) => {
                    tx.execute_batch("ROLLBACK TO remote_doc; RELEASE remote_doc")?;
                    tracing::warn!(%doc_id, %reason, "unreadable document from the server set aside");
                    let notice = set_aside::received_updates(&tx, doc_id, &pieces, &reason, now)?;
                    applied.set_aside.extend(notice);
                }
                Err(Failure::Local(error)) => return Err(error),
            }
        }
        if let Some(not_mine) = not_mine {
            crate::mine::mark_page(&tx, updates, not_mine)?;
        }
        if let Some(cursors) = cursors {
            tx.execute("DELETE FROM sync_cursors", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO sync_cursors (scope, seq, base) VALUES (?1, ?2, ?3)",
            )?;
            for c in cursors {
                insert.execute(params![
                    c.scope.to_string(),
                    i64::try_from(c.seq).unwrap_or(i64::MAX),
                    i64::try_from(c.base).unwrap_or(i64::MAX)
                ])?;
            }
        }
        tx.commit()?;
        Ok(applied)
    }

    /// Parses one document's updates and merges them; true when the document changed.
    fn merge_update(
        &self,
        tx: &Transaction<'_>,
        doc_id: &DocId,
        pieces: &[&DocUpdate],
        now: i64,
    ) -> Result<bool, ReplicaError> {
        let mut snapshots: Vec<&[u8]> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        for update in pieces {
            if let Some(snapshot) = &update.snapshot {
                snapshots.push(snapshot);
            }
            for bytes in &update.changes {
                changes.push(
                    fieldstone_doc::parse_change(bytes)
                        .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?,
                );
            }
        }
        self.merge_into(tx, doc_id, &snapshots, changes, now)
    }

    /// Merges snapshots and changes into one document and re-projects it; true when it changed.
    fn merge_into(
        &self,
        tx: &Transaction<'_>,
        doc_id: &DocId,
        snapshots: &[&[u8]],
        mut changes: Vec<Change>,
        now: i64,
    ) -> Result<bool, ReplicaError> {
        let stored = match load_doc(tx, doc_id, self.actor()) {
            Ok(doc) => doc,
            // Our copy is unreadable: keep its bytes aside and rebuild it from what arrives.
            Err(ReplicaError::Document { source, .. })
                if matches!(*source, fieldstone_doc::DocError::Corrupt(_)) =>
            {
                let reason = source.to_string();
                crate::projection::quarantine(tx, doc_id, &reason, now)?;
                tracing::warn!(%doc_id, %reason, "corrupt document quarantined during sync");
                None
            }
            Err(e) => return Err(e),
        };
        let is_new = stored.is_none();
        let mut doc = stored.unwrap_or_else(|| AutoCommit::new().with_actor(self.actor().clone()));
        let before = doc.get_heads();
        let bad = |e| ReplicaError::doc(doc_id.as_str(), e);
        for snapshot in snapshots {
            let added = fieldstone_doc::load_incremental(&mut doc, snapshot).map_err(bad)?;
            if added == 0 {
                // Nothing new: a repeat, or bytes Automerge skipped as an unfinished chunk
                // (it tolerates a torn end). Only a repeat is fine.
                fieldstone_doc::load(snapshot).map_err(bad)?;
            }
        }
        changes.extend(held_changes(tx, doc_id)?);
        if !changes.is_empty() {
            fieldstone_doc::apply_changes(&mut doc, changes.iter().cloned()).map_err(bad)?;
        }
        let held = hold_missing(tx, doc_id, &mut doc, &changes)?;
        if doc.get_heads() == before {
            if held > 0 {
                // Automerge 0.12 lets some malformed changes it holds for a missing dependency
                // into what it saves; held, they would break every later merge of this
                // document. Prove it still saves and loads, or set them aside now.
                fieldstone_doc::save_checked(&mut doc).map_err(bad)?;
            }
            return Ok(false); // our own change echoed back, a repeat, or changes held
        }
        // What is stored must load again: Automerge takes some malformed changes it cannot
        // read back, and storing those would lose the good copy the next time it is opened.
        if is_new && snapshots.len() == 1 && changes.is_empty() {
            // The server's bytes are already a saved document: store them as they are.
            fieldstone_doc::check_loads(snapshots[0], &doc.get_heads()).map_err(bad)?;
            save_bytes(tx, doc_id, snapshots[0], now)?;
        } else {
            let bytes = fieldstone_doc::save_checked(&mut doc).map_err(bad)?;
            save_bytes(tx, doc_id, &bytes, now)?;
        }
        match crate::projection::project(tx, doc_id, &doc) {
            Ok(()) => {}
            // Stored, but this build cannot show it (a newer shape, or changes still waiting
            // for the ones they depend on): its previous projection stays until it can.
            Err(ReplicaError::Document { doc_id, source }) => {
                tracing::warn!(%doc_id, error = %source, "remote document kept but not projected");
            }
            Err(e) => return Err(e),
        }
        Ok(true)
    }

    /// Removes everything that came from or went to the sync server: documents, read model,
    /// outbox, cursors. For a device revoked by its organisation. Local settings (the device's
    /// actor id) stay.
    pub fn wipe_synced_data(&self) -> Result<(), ReplicaError> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            for table in [
                "documents",
                "outbox",
                "held_changes",
                "sync_cursors",
                "merges",
                "quarantine",
            ] {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
            tx.commit()?;
        }
        self.rebuild_read_model()?;
        if let Err(error) = self.media().wipe() {
            tracing::error!(%error, "could not remove the revoked device's media files");
        }
        tracing::warn!("this device was revoked: synced data removed");
        Ok(())
    }

    /// When the last repair pass finished (milliseconds since the epoch), if ever.
    pub fn last_repair_ms(&self) -> Result<Option<i64>, ReplicaError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_repair_ms'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub(crate) fn record_repair(&self) -> Result<(), ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('last_repair_ms', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [now],
        )?;
        Ok(())
    }
}

/// Stores saved document bytes as they are (no load/save round trip).
pub(super) fn save_bytes(
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

/// Removes a document and everything derived from it.
pub(super) fn forget(tx: &Transaction<'_>, doc_id: &DocId) -> Result<(), ReplicaError> {
    for table in ["documents", "outbox", "held_changes"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE doc_id = ?1"),
            [doc_id.as_str()],
        )?;
    }
    crate::projection::unproject(tx, doc_id)
}

/// Queues (again) the changes this device authored that are not covered by `server_heads`.
pub(super) fn queue_own_changes(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    doc: &mut AutoCommit,
    server_heads: &[ChangeHash],
    actor: &ActorId,
) -> Result<(), ReplicaError> {
    let missing: Vec<Change> = doc
        .get_changes(server_heads)
        .into_iter()
        .filter(|c| c.actor_id() == actor)
        .collect();
    for change in &missing {
        enqueue(tx, doc_id, change)?;
    }
    Ok(())
}
