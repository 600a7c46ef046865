//! What the device keeps about sync, and how server answers change it: the outbox grouped per
//! document, one cursor per scope, pulled pages applied with their cursors in one transaction,
//! refused edits put back to the server's version, repair, and wiping on revocation.

use crate::error::ReplicaError;
use crate::store::{enqueue, held_changes, hold_missing, load_doc, save_doc, Replica};
use automerge::{ActorId, AutoCommit, Change, ChangeHash};
use fieldstone_protocol::{
    heads_digest, DocDigest, DocId, DocPush, DocUpdate, RejectCode, Rejection, RepairResponse,
    ScopeCursor,
};
use rusqlite::{params, OptionalExtension, Transaction};
use std::collections::BTreeMap;

/// An edit the server refused, kept for the person who made it until they dismiss it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncNotice {
    pub id: i64,
    pub doc_id: String,
    pub code: String,
    pub message: String,
    pub at_ms: i64,
}

/// What [`Replica::apply_remote`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Documents whose content changed here.
    pub docs_changed: usize,
}

fn parse_doc_id(text: &str) -> Result<DocId, ReplicaError> {
    text.parse()
        .map_err(|e: fieldstone_protocol::InvalidDocId| {
            ReplicaError::doc(&e.0, fieldstone_doc::DocError::InvalidValue(e.to_string()))
        })
}

fn reject_code(code: &RejectCode) -> &'static str {
    match code {
        RejectCode::NotWritable => "not_writable",
        RejectCode::FieldNotAllowed { .. } => "field_not_allowed",
        RejectCode::ForeignActor => "foreign_actor",
        RejectCode::Malformed => "malformed",
        RejectCode::MissingDependencies => "missing_dependencies",
        RejectCode::LimitReached { .. } => "limit_reached",
        RejectCode::Unreadable => "unreadable",
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
    pub fn apply_remote(
        &self,
        updates: &[DocUpdate],
        cursors: Option<&[ScopeCursor]>,
    ) -> Result<Applied, ReplicaError> {
        // Parse before opening the transaction: a malformed page changes nothing.
        let mut by_doc: BTreeMap<&DocId, (Vec<&[u8]>, Vec<Change>)> = BTreeMap::new();
        for update in updates {
            let entry = by_doc.entry(&update.doc_id).or_default();
            if let Some(snapshot) = &update.snapshot {
                entry.0.push(snapshot);
            }
            for bytes in &update.changes {
                entry.1.push(
                    fieldstone_doc::parse_change(bytes)
                        .map_err(|e| ReplicaError::doc(update.doc_id.as_str(), e))?,
                );
            }
        }
        let now = self.clock.now().timestamp_millis();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut applied = Applied::default();
        for (doc_id, (snapshots, changes)) in by_doc {
            if self.merge_into(&tx, doc_id, &snapshots, changes, now)? {
                applied.docs_changed += 1;
            }
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
        for snapshot in snapshots {
            doc.load_incremental(snapshot)
                .map_err(|e| ReplicaError::doc(doc_id.as_str(), e.into()))?;
        }
        changes.extend(held_changes(tx, doc_id)?);
        if !changes.is_empty() {
            doc.apply_changes(changes.iter().cloned())
                .map_err(|e| ReplicaError::doc(doc_id.as_str(), e.into()))?;
        }
        hold_missing(tx, doc_id, &mut doc, &changes)?;
        if doc.get_heads() == before {
            return Ok(false); // our own change echoed back, or a repeat
        }
        if is_new && snapshots.len() == 1 && changes.is_empty() {
            // The server's bytes are already a saved document: store them as they are.
            save_bytes(tx, doc_id, snapshots[0], now)?;
        } else {
            save_doc(tx, doc_id, &mut doc, now)?;
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

    /// Puts refused documents back as the server has them (or removes them when the server has
    /// no copy this device may read), drops their queued changes, and records a notice for the
    /// person. For missing dependencies, the server's copy is merged and this device's own
    /// changes the server lacks are queued again instead. Returns the notices written.
    pub fn apply_rejections(
        &self,
        rejections: &[Rejection],
    ) -> Result<Vec<SyncNotice>, ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut notices = Vec::new();
        for rejection in rejections {
            let doc_id = &rejection.doc_id;
            tx.execute("DELETE FROM outbox WHERE doc_id = ?1", [doc_id.as_str()])?;
            if rejection.code == RejectCode::MissingDependencies {
                self.resend_history(&tx, doc_id, rejection.server_doc.as_deref(), now)?;
                continue;
            }
            match &rejection.server_doc {
                Some(bytes) => self.reset_to(&tx, doc_id, bytes, now)?,
                None => forget(&tx, doc_id)?,
            }
            tx.execute(
                "INSERT INTO sync_notices (doc_id, code, message, at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    doc_id.as_str(),
                    reject_code(&rejection.code),
                    rejection.message,
                    now
                ],
            )?;
            notices.push(SyncNotice {
                id: tx.last_insert_rowid(),
                doc_id: doc_id.to_string(),
                code: reject_code(&rejection.code).to_owned(),
                message: rejection.message.clone(),
                at_ms: now,
            });
            tracing::info!(%doc_id, code = ?rejection.code, "edit refused by the server; document reset");
        }
        tx.commit()?;
        Ok(notices)
    }

    /// Replaces the local document with the server's copy and re-projects it.
    fn reset_to(
        &self,
        tx: &Transaction<'_>,
        doc_id: &DocId,
        bytes: &[u8],
        now: i64,
    ) -> Result<(), ReplicaError> {
        let doc = fieldstone_doc::load(bytes).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
        let mut doc = doc.with_actor(self.actor().clone());
        tx.execute(
            "DELETE FROM held_changes WHERE doc_id = ?1",
            [doc_id.as_str()],
        )?;
        save_doc(tx, doc_id, &mut doc, now)?;
        crate::projection::unproject(tx, doc_id)?;
        if let Err(ReplicaError::Document { doc_id, source }) =
            crate::projection::project(tx, doc_id, &doc)
        {
            tracing::warn!(%doc_id, error = %source, "server copy kept but not projected");
        }
        Ok(())
    }

    /// Merges the server's copy (if any) and queues this device's own changes it lacks.
    fn resend_history(
        &self,
        tx: &Transaction<'_>,
        doc_id: &DocId,
        server_doc: Option<&[u8]>,
        now: i64,
    ) -> Result<(), ReplicaError> {
        let Some(mut doc) = load_doc(tx, doc_id, self.actor())? else {
            return Ok(());
        };
        let server_heads = match server_doc {
            Some(bytes) => {
                let mut server = fieldstone_doc::load(bytes)
                    .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
                doc.load_incremental(bytes)
                    .map_err(|e| ReplicaError::doc(doc_id.as_str(), e.into()))?;
                save_doc(tx, doc_id, &mut doc, now)?;
                let _ = crate::projection::project(tx, doc_id, &doc);
                server.get_heads()
            }
            None => Vec::new(),
        };
        queue_own_changes(tx, doc_id, &mut doc, &server_heads, self.actor())
    }

    /// Digests of this device's documents after `after`, in id order, for one repair page.
    pub fn repair_page(
        &self,
        after: Option<&DocId>,
        limit: usize,
    ) -> Result<Vec<DocDigest>, ReplicaError> {
        let conn = self.conn();
        let ids: Vec<String> = {
            let mut stmt = conn.prepare_cached(
                "SELECT doc_id FROM documents WHERE (?1 IS NULL OR doc_id > ?1)
                 ORDER BY doc_id LIMIT ?2",
            )?;
            let rows = stmt.query_map(
                params![
                    after.map(DocId::as_str),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| r.get(0),
            )?;
            rows.collect::<Result<_, _>>()?
        };
        let mut page = Vec::with_capacity(ids.len());
        for id in ids {
            let doc_id = parse_doc_id(&id)?;
            let Some(mut doc) = load_doc(&conn, &doc_id, self.actor())? else {
                continue;
            };
            let heads: Vec<[u8; 32]> = doc.get_heads().iter().map(|h| h.0).collect();
            page.push(DocDigest {
                doc_id,
                heads: heads_digest(&heads),
            });
        }
        Ok(page)
    }

    /// Applies one repair answer: merges the server's copies (queuing this device's own changes
    /// the server lacks), queues the whole history of documents the server never received, and
    /// removes documents this device may no longer read. Returns documents changed here.
    pub fn apply_repair(&self, response: &RepairResponse) -> Result<usize, ReplicaError> {
        let changed = self.apply_remote(&response.differing, None)?.docs_changed;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for update in &response.differing {
            let Some(snapshot) = &update.snapshot else {
                continue;
            };
            let Some(mut doc) = load_doc(&tx, &update.doc_id, self.actor())? else {
                continue;
            };
            let mut server = fieldstone_doc::load(snapshot)
                .map_err(|e| ReplicaError::doc(update.doc_id.as_str(), e))?;
            let server_heads = server.get_heads();
            queue_own_changes(&tx, &update.doc_id, &mut doc, &server_heads, self.actor())?;
        }
        for doc_id in &response.unknown {
            if let Some(mut doc) = load_doc(&tx, doc_id, self.actor())? {
                queue_own_changes(&tx, doc_id, &mut doc, &[], self.actor())?;
            }
        }
        for doc_id in &response.forbidden {
            forget(&tx, doc_id)?;
        }
        tx.commit()?;
        Ok(changed + response.forbidden.len())
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

    /// Refused edits not yet dismissed, newest first.
    pub fn sync_notices(&self) -> Result<Vec<SyncNotice>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, doc_id, code, message, at FROM sync_notices
             WHERE dismissed_at IS NULL ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncNotice {
                id: r.get(0)?,
                doc_id: r.get(1)?,
                code: r.get(2)?,
                message: r.get(3)?,
                at_ms: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn dismiss_notice(&self, id: i64) -> Result<(), ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        let n = self.conn().execute(
            "UPDATE sync_notices SET dismissed_at = ?2 WHERE id = ?1 AND dismissed_at IS NULL",
            params![id, now],
        )?;
        if n == 0 {
            return Err(ReplicaError::NotFound {
                what: format!("notice {id}"),
            });
        }
        Ok(())
    }
}

/// Stores saved document bytes as they are (no load/save round trip).
fn save_bytes(
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
fn forget(tx: &Transaction<'_>, doc_id: &DocId) -> Result<(), ReplicaError> {
    for table in ["documents", "outbox", "held_changes"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE doc_id = ?1"),
            [doc_id.as_str()],
        )?;
    }
    crate::projection::unproject(tx, doc_id)
}

/// Queues (again) the changes this device authored that are not covered by `server_heads`.
fn queue_own_changes(
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
