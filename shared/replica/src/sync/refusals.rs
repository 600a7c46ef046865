//! The server's corrections: refused edits put back (or kept, when the server only says a limit
//! was reached or its own copy is unreadable), histories sent again, and repair. Every document
//! the server sends here may be unreadable; it is set aside on its own and never stops the rest.

use super::set_aside;
use super::state::{contain, forget, parse_doc_id, queue_own_changes, save_bytes, Failure};
use crate::error::ReplicaError;
use crate::store::{load_doc, Replica};
use automerge::{AutoCommit, ChangeHash};
use fieldstone_protocol::{heads_digest, DocDigest, DocId, RejectCode, Rejection, RepairResponse};
use rusqlite::{params, Transaction};

use super::SyncNotice;

impl Replica {
    /// Answers the server's refusals, each document on its own, and records a notice for the
    /// person; returns the notices written. Every refused document's queued changes are
    /// dropped (sending them again would be refused again). Then, by code:
    /// - missing dependencies: the server's copy is merged and this device's own changes it
    ///   lacks are queued again (no notice);
    /// - a limit reached, or the server's copy unreadable: this device keeps its document as it
    ///   is (its work is not the problem, and nothing else holds it);
    /// - any other refusal: the document is put back as the server has it, or removed when the
    ///   server has no copy this device may read.
    ///
    /// A server copy that cannot be read is set aside and this device keeps its own.
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
            let code = rejection.code.label();
            let server_doc = rejection.server_doc.as_deref();
            tx.execute_batch("SAVEPOINT refused_doc")?;
            let outcome = contain(|| match (&rejection.code, server_doc) {
                (RejectCode::MissingDependencies, _) => {
                    self.resend_history(&tx, doc_id, server_doc, now)
                }
                (RejectCode::LimitReached { .. } | RejectCode::Unreadable, _) => Ok(()),
                (_, Some(bytes)) => self.reset_to(&tx, doc_id, bytes, now),
                (_, None) => forget(&tx, doc_id),
            });
            match outcome {
                Ok(()) => tx.execute_batch("RELEASE refused_doc")?,
                Err(Failure::Unreadable(reason)) => {
                    tx.execute_batch("ROLLBACK TO refused_doc; RELEASE refused_doc")?;
                    tracing::warn!(%doc_id, %reason, "the server's copy of a refused document is unreadable; kept ours");
                    let message = set_aside::refused_copy_message(doc_id, &rejection.message);
                    let bytes = server_doc.unwrap_or_default();
                    if let Some(notice) = set_aside::received_document(
                        &tx, doc_id, bytes, &reason, code, &message, now,
                    )? {
                        notices.push(notice);
                    }
                    continue;
                }
                Err(Failure::Local(error)) => return Err(error),
            }
            if rejection.code == RejectCode::MissingDependencies {
                continue;
            }
            notices.push(set_aside::notice(
                &tx,
                doc_id,
                code,
                &rejection.message,
                now,
            )?);
            tracing::info!(%doc_id, code = ?rejection.code, "edit refused by the server");
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
        let bad = |e| ReplicaError::doc(doc_id.as_str(), e);
        let mut doc = fieldstone_doc::load(bytes)
            .map_err(bad)?
            .with_actor(self.actor().clone());
        let saved = fieldstone_doc::save_checked(&mut doc).map_err(bad)?;
        tx.execute(
            "DELETE FROM held_changes WHERE doc_id = ?1",
            [doc_id.as_str()],
        )?;
        save_bytes(tx, doc_id, &saved, now)?;
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
        let bad = |e| ReplicaError::doc(doc_id.as_str(), e);
        let server_heads = match server_doc {
            Some(bytes) => {
                let mut server = fieldstone_doc::load(bytes).map_err(bad)?;
                fieldstone_doc::load_incremental(&mut doc, bytes).map_err(bad)?;
                let saved = fieldstone_doc::save_checked(&mut doc).map_err(bad)?;
                save_bytes(tx, doc_id, &saved, now)?;
                let _ = crate::projection::project(tx, doc_id, &doc);
                server.get_heads()
            }
            None => Vec::new(),
        };
        queue_own_changes(tx, doc_id, &mut doc, &server_heads, self.actor())
    }

    /// Digests of this device's documents after `after`, in id order, for one repair page. A
    /// document of this device's that cannot be read is quarantined and left out.
    pub fn repair_page(
        &self,
        after: Option<&DocId>,
        limit: usize,
    ) -> Result<Vec<DocDigest>, ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        let mut conn = self.conn();
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
        let mut unreadable = Vec::new();
        for id in ids {
            let doc_id = parse_doc_id(&id)?;
            let mut doc = match load_doc(&conn, &doc_id, self.actor()) {
                Ok(Some(doc)) => doc,
                Ok(None) => continue,
                Err(ReplicaError::Document { source, .. }) => {
                    unreadable.push((doc_id, source.to_string()));
                    continue;
                }
                Err(other) => return Err(other),
            };
            let heads: Vec<[u8; 32]> = doc.get_heads().iter().map(|h| h.0).collect();
            page.push(DocDigest {
                doc_id,
                heads: heads_digest(&heads),
            });
        }
        if !unreadable.is_empty() {
            let tx = conn.transaction()?;
            for (doc_id, reason) in &unreadable {
                crate::projection::quarantine(&tx, doc_id, reason, now)?;
                tracing::warn!(%doc_id, %reason, "corrupt document quarantined during repair");
            }
            tx.commit()?;
        }
        Ok(page)
    }

    /// Applies one repair answer: merges the server's copies (queuing this device's own changes
    /// the server lacks), queues the whole history of documents the server never received, and
    /// removes documents this device may no longer read. Returns documents changed here. A
    /// server copy that cannot be read is set aside (by [`Replica::apply_remote`]) and ours
    /// stays.
    pub fn apply_repair(&self, response: &RepairResponse) -> Result<usize, ReplicaError> {
        let changed = self.apply_remote(&response.differing, None)?.docs_changed;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for update in &response.differing {
            let Some(snapshot) = &update.snapshot else {
                continue;
            };
            let Some(mut doc) = readable(&tx, &update.doc_id, self)? else {
                continue;
            };
            let Ok(mut server) = fieldstone_doc::load(snapshot) else {
                continue; // set aside above; nothing to compare with
            };
            let server_heads = known_heads(&mut doc, server.get_heads());
            queue_own_changes(&tx, &update.doc_id, &mut doc, &server_heads, self.actor())?;
        }
        for doc_id in &response.unknown {
            if let Some(mut doc) = readable(&tx, doc_id, self)? {
                queue_own_changes(&tx, doc_id, &mut doc, &[], self.actor())?;
            }
        }
        for doc_id in &response.forbidden {
            forget(&tx, doc_id)?;
        }
        tx.commit()?;
        Ok(changed + response.forbidden.len())
    }
}

/// This device's copy of `doc_id`, or `None` when it has none or cannot read it (a corrupt
/// copy was already quarantined by the merge before; there is nothing of it to send).
fn readable(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    replica: &Replica,
) -> Result<Option<AutoCommit>, ReplicaError> {
    match load_doc(tx, doc_id, replica.actor()) {
        Ok(doc) => Ok(doc),
        Err(ReplicaError::Document { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The server's heads this device also has: a server change it could not merge (set aside)
/// must not stand for "the server has everything before it".
fn known_heads(doc: &mut AutoCommit, heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads
        .into_iter()
        .filter(|h| doc.get_change_by_hash(h).is_some())
        .collect()
}
