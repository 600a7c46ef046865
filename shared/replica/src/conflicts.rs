//! Conflicts made visible: when two devices set the same field concurrently, every value is
//! kept in the document. The engine records which fields of which documents are in that state
//! (so lists can mark them without loading documents), shows the competing values, and writes
//! the one a person picks.

use crate::error::ReplicaError;
use crate::store::{enqueue, load_doc, save_doc, Replica};
use automerge::AutoCommit;
use fieldstone_doc::conflict::{all_conflicts, resolve_path};
use fieldstone_protocol::DocId;
use rusqlite::{params, Connection};

pub use fieldstone_protocol::views::{ConflictOption, FieldConflict};

/// Replaces the recorded conflicts of `doc_id` with what the document holds now.
pub(crate) fn record_conflicts(
    conn: &Connection,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<(), ReplicaError> {
    let found = all_conflicts(doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    conn.prepare_cached("DELETE FROM doc_conflicts WHERE doc_id = ?1")?
        .execute([doc_id.as_str()])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO doc_conflicts (doc_id, field) VALUES (?1, ?2)")?;
    for conflict in found {
        insert.execute(params![doc_id.as_str(), conflict.path])?;
    }
    Ok(())
}

impl Replica {
    /// The fields of document `doc_id` holding concurrent values, with every value.
    pub fn conflicts(&self, doc_id: &DocId) -> Result<Vec<FieldConflict>, ReplicaError> {
        let result = (|| {
            let conn = self.conn();
            let doc =
                load_doc(&conn, doc_id, self.actor())?.ok_or_else(|| ReplicaError::NotFound {
                    what: format!("document {doc_id}"),
                })?;
            let found = all_conflicts(&doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
            Ok(found
                .into_iter()
                .map(|c| {
                    let mut options: Vec<ConflictOption> = c
                        .values
                        .into_iter()
                        .map(|v| ConflictOption {
                            display: v.display,
                            choice: v.id.to_string(),
                        })
                        .collect();
                    options.sort_by(|a, b| a.display.cmp(&b.display));
                    FieldConflict {
                        field: c.path,
                        options,
                    }
                })
                .collect())
        })();
        self.quarantine_if_corrupt(result)
    }

    /// Documents with at least one conflicted field, and those fields (from the read model).
    pub fn documents_with_conflicts(&self) -> Result<Vec<(DocId, Vec<String>)>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT doc_id, group_concat(field, char(31)) FROM doc_conflicts
             GROUP BY doc_id ORDER BY doc_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (doc_id, fields) = row?;
            let Ok(doc_id) = doc_id.parse::<DocId>() else {
                continue;
            };
            let mut fields: Vec<String> = fields.split('\u{1f}').map(str::to_owned).collect();
            fields.sort();
            out.push((doc_id, fields));
        }
        Ok(out)
    }

    /// Makes `choice` (from [`Replica::conflicts`]) the value of `field` everywhere: the
    /// document, the read model and the outbox change in one transaction, and once synced the
    /// conflict is gone on every device.
    pub fn resolve_conflict(
        &self,
        doc_id: &DocId,
        field: &str,
        choice: &str,
    ) -> Result<(), ReplicaError> {
        self.write(|tx, now| {
            let mut doc =
                load_doc(tx, doc_id, self.actor())?.ok_or_else(|| ReplicaError::NotFound {
                    what: format!("document {doc_id}"),
                })?;
            let change = resolve_path(&mut doc, field, choice).map_err(|e| {
                let mut errors = fieldstone_model::ValidationErrors::default();
                errors.push(field, e.to_string());
                ReplicaError::from(errors)
            })?;
            if let Some(change) = change {
                save_doc(tx, doc_id, &mut doc, now.timestamp_millis())?;
                crate::projection::project(tx, doc_id, &doc)?;
                enqueue(tx, doc_id, &change)?;
            }
            Ok(())
        })
    }
}
