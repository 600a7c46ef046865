//! From documents to the read model: which projection a document kind gets, rebuilding the whole
//! read model from the documents alone, and quarantining documents that cannot be read.

use crate::error::ReplicaError;
use crate::records::{KindVisitor, Record, Tables};
use crate::store::Replica;
use automerge::AutoCommit;
use fieldstone_doc::DocError;
use fieldstone_protocol::DocId;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

const REBUILD_KEY: &str = "rebuild_read_model";

/// Tables holding projections, cleared by a rebuild (their FTS indexes included): every kind's
/// tables, and the conflicts found in documents.
fn projection_tables() -> Vec<&'static str> {
    let mut tables = Vec::new();
    for kind in crate::KIND_TABLES {
        tables.push(kind.main);
        tables.extend(kind.children.iter().map(|(table, _)| *table));
        tables.extend(kind.search.map(|(fts, _)| fts));
    }
    tables.push("doc_conflicts");
    tables
}

/// What [`Replica::rebuild_read_model`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RebuildReport {
    /// Documents projected.
    pub projected: usize,
    /// Documents kept but not projected: a shape newer than this build, or an unknown kind.
    pub skipped: Vec<(String, String)>,
    /// Documents whose bytes could not be read, moved to quarantine.
    pub quarantined: Vec<(String, String)>,
}

/// Bytes of a document kept aside because they could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedDoc {
    pub doc_id: String,
    pub reason: String,
    pub at_ms: i64,
    pub size: usize,
    /// Sent by the sync server (this device kept its own copy, if it had one), rather than
    /// this device's own copy.
    pub from_server: bool,
}

/// Reads a document's record and writes its read-model rows.
struct Project<'a> {
    conn: &'a Connection,
    doc_id: &'a DocId,
    doc: &'a AutoCommit,
}

impl KindVisitor for Project<'_> {
    type Output = Result<(), ReplicaError>;

    fn visit<R: Record>(self) -> Self::Output {
        let record =
            R::read_doc(self.doc).map_err(|e| ReplicaError::doc(self.doc_id.as_str(), e))?;
        R::project(self.conn, &record)
    }
}

/// A kind's read-model tables.
struct TablesOf;

impl KindVisitor for TablesOf {
    type Output = &'static Tables;

    fn visit<R: Record>(self) -> &'static Tables {
        &R::TABLES
    }
}

/// The `seq` (the full-text index's rowid) of the row `id` of a projected table, after the row
/// was upserted. Not `RETURNING seq` on the upsert: a statement with `RETURNING` runs in a
/// statement savepoint, and opening one makes every FTS5 table flush its pending terms to disk,
/// so an import or a sync page wrote one tiny index segment per row and spent a third of its
/// time merging them.
pub(crate) fn row_seq(
    conn: &Connection,
    table: &'static str,
    id: &str,
) -> Result<i64, ReplicaError> {
    // `table` is one of this crate's table names, never outside input.
    Ok(conn
        .prepare_cached(&format!("SELECT seq FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))?)
}

/// Re-projects one document into the read model (after remote changes were merged into it).
/// Documents of kinds this build does not know are kept, unprojected.
pub(crate) fn project(
    conn: &Connection,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<(), ReplicaError> {
    // Preferences are the agent's own: concurrent values settle by the later write, and are
    // never offered as conflicts to settle.
    // The organisation's settings are the server's alone: nothing concurrent to settle.
    if doc_id.kind() == fieldstone_doc::prefs::KIND
        || doc_id.kind() == fieldstone_doc::org_settings::KIND
    {
        return Ok(());
    }
    crate::conflicts::record_conflicts(conn, doc_id, doc)?;
    crate::visit_kind(doc_id.kind(), Project { conn, doc_id, doc }).unwrap_or(Ok(()))
}

/// Projects every stored document of `kind` (a migration that adds a kind's tables uses it: a
/// device that synced before knowing the kind kept those documents unprojected). Unreadable
/// ones are quarantined, ones of a newer shape left unprojected, as in a rebuild.
pub(crate) fn project_all_of_kind(
    tx: &Transaction<'_>,
    kind: &str,
    now_ms: i64,
) -> Result<(), ReplicaError> {
    let ids = doc_ids(tx, &format!("{kind}:"))?;
    let mut report = RebuildReport::default();
    project_each(tx, ids, now_ms, &mut report)?;
    if !report.quarantined.is_empty() || !report.skipped.is_empty() {
        tracing::warn!(kind, ?report, "documents of a kind projected with problems");
    }
    Ok(())
}

/// The ids of the stored documents whose id starts with `prefix`, in order.
fn doc_ids(tx: &Transaction<'_>, prefix: &str) -> Result<Vec<String>, ReplicaError> {
    let mut stmt = tx.prepare(
        "SELECT doc_id FROM documents WHERE substr(doc_id, 1, length(?1)) = ?1 ORDER BY doc_id",
    )?;
    let ids = stmt
        .query_map([prefix], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Projects each of the documents `ids`, counting in `report`: an unreadable one is
/// quarantined, one this build cannot read (a newer shape) kept unprojected and listed.
fn project_each(
    tx: &Transaction<'_>,
    ids: Vec<String>,
    now_ms: i64,
    report: &mut RebuildReport,
) -> Result<(), ReplicaError> {
    for raw in ids {
        let Ok(doc_id) = raw.parse::<DocId>() else {
            report.skipped.push((raw, "not a document id".into()));
            continue;
        };
        let bytes: Vec<u8> = tx.query_row(
            "SELECT bytes FROM documents WHERE doc_id = ?1",
            [doc_id.as_str()],
            |r| r.get(0),
        )?;
        let doc = match fieldstone_doc::load(&bytes) {
            Ok(doc) => doc,
            Err(e) => {
                let reason = e.to_string();
                quarantine(tx, &doc_id, &reason, now_ms)?;
                report.quarantined.push((raw, reason));
                continue;
            }
        };
        match project(tx, &doc_id, &doc) {
            Ok(()) => report.projected += 1,
            Err(ReplicaError::Document { source, .. }) => {
                unproject(tx, &doc_id)?;
                report.skipped.push((raw, source.to_string()));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

/// Removes every read-model row of document `doc_id`.
pub(crate) fn unproject(conn: &Connection, doc_id: &DocId) -> Result<(), ReplicaError> {
    conn.execute(
        "DELETE FROM doc_conflicts WHERE doc_id = ?1",
        [doc_id.as_str()],
    )?;
    let id = doc_id.as_str().split_once(':').map_or("", |(_, id)| id);
    let Some(tables) = crate::visit_kind(doc_id.kind(), TablesOf) else {
        return Ok(());
    };
    // Table names come from the kinds' own constants, never from outside input.
    for (table, column) in tables.children {
        conn.execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [id])?;
    }
    if let Some((fts, _)) = tables.search {
        conn.execute(
            &format!(
                "DELETE FROM {fts} WHERE rowid IN (SELECT seq FROM {} WHERE id = ?1)",
                tables.main
            ),
            [id],
        )?;
    }
    conn.execute(&format!("DELETE FROM {} WHERE id = ?1", tables.main), [id])?;
    Ok(())
}

/// Moves document `doc_id` out of `documents` into `quarantine` with `reason`, and drops its
/// read-model rows. The bytes are kept for support; nothing else refers to them.
pub(crate) fn quarantine(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    reason: &str,
    now_ms: i64,
) -> Result<(), ReplicaError> {
    tx.execute(
        "INSERT INTO quarantine (doc_id, kind, origin, format, bytes, reason, quarantined_at)
         SELECT doc_id, kind, 'device', 'document', bytes, ?2, ?3 FROM documents
         WHERE doc_id = ?1",
        params![doc_id.as_str(), reason, now_ms],
    )?;
    tx.execute("DELETE FROM documents WHERE doc_id = ?1", [doc_id.as_str()])?;
    tx.execute("DELETE FROM outbox WHERE doc_id = ?1", [doc_id.as_str()])?;
    unproject(tx, doc_id)?;
    Ok(())
}

impl Replica {
    /// Turns a "corrupt document" error into a quarantine of that document plus a
    /// [`ReplicaError::Quarantined`] error, so the engine keeps working around it.
    pub(crate) fn quarantine_if_corrupt<T>(
        &self,
        result: Result<T, ReplicaError>,
    ) -> Result<T, ReplicaError> {
        let Err(ReplicaError::Document { doc_id, source }) = result else {
            return result;
        };
        let DocError::Corrupt(reason) = source.as_ref() else {
            return Err(ReplicaError::Document { doc_id, source });
        };
        let Ok(parsed) = doc_id.parse::<DocId>() else {
            return Err(ReplicaError::Document { doc_id, source });
        };
        let now = self.now_ms().timestamp_millis();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        quarantine(&tx, &parsed, reason, now)?;
        tx.commit()?;
        tracing::warn!(%doc_id, %reason, "corrupt document quarantined");
        Err(ReplicaError::Quarantined {
            doc_id,
            reason: reason.clone(),
        })
    }

    /// Documents set aside as unreadable, newest first.
    pub fn quarantined(&self) -> Result<Vec<QuarantinedDoc>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT doc_id, reason, quarantined_at, length(bytes), origin FROM quarantine
             ORDER BY quarantined_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(QuarantinedDoc {
                doc_id: r.get(0)?,
                reason: r.get(1)?,
                at_ms: r.get(2)?,
                size: usize::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                from_server: r.get::<_, String>(4)? == "server",
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether a migration asked for the read model to be rebuilt from the documents.
    pub(crate) fn rebuild_pending(&self) -> Result<bool, ReplicaError> {
        let value: Option<i64> = self
            .conn()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [REBUILD_KEY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value.unwrap_or(0) != 0)
    }

    /// Throws the read model away and projects every document again, in one transaction.
    /// Unreadable documents are quarantined; documents this build cannot read (a newer shape)
    /// are kept untouched and listed as skipped.
    pub fn rebuild_read_model(&self) -> Result<RebuildReport, ReplicaError> {
        let now = self.now_ms().timestamp_millis();
        let mut report = RebuildReport::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for table in projection_tables() {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let ids = doc_ids(&tx, "")?;
        project_each(&tx, ids, now, &mut report)?;
        tx.execute("DELETE FROM meta WHERE key = ?1", [REBUILD_KEY])?;
        tx.commit()?;
        if !report.quarantined.is_empty() || !report.skipped.is_empty() {
            tracing::warn!(?report, "read model rebuilt with problems");
        }
        Ok(report)
    }
}

impl Replica {
    /// Every read-model row as text, sorted, without local row numbers (`seq`, FTS rowids):
    /// two replicas holding the same documents give the same dump. For convergence checks.
    pub fn read_model_dump(&self) -> Result<Vec<String>, ReplicaError> {
        let conn = self.conn();
        let mut out = Vec::new();
        let searches: Vec<_> = crate::KIND_TABLES
            .iter()
            .filter_map(|kind| kind.search.map(|(fts, columns)| (kind.main, fts, columns)))
            .collect();
        for table in projection_tables()
            .into_iter()
            .filter(|t| !searches.iter().any(|(_, fts, _)| fts == t))
        {
            let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
            let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let mut line = format!("{table}:");
                for (i, name) in columns.iter().enumerate() {
                    if name == "seq" {
                        continue;
                    }
                    let value: rusqlite::types::Value = row.get(i)?;
                    line.push_str(&format!(" {name}={value:?}"));
                }
                out.push(line);
            }
        }
        // Search entries, by the id of the row they index.
        for (table, fts, columns) in searches {
            let mut stmt = conn.prepare(&format!(
                "SELECT t.id, {columns} FROM {fts} f JOIN {table} t ON t.seq = f.rowid"
            ))?;
            let count = stmt.column_count();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let mut line = format!("{fts}:");
                for i in 0..count {
                    let value: rusqlite::types::Value = row.get(i)?;
                    line.push_str(&format!(" {value:?}"));
                }
                out.push(line);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Ids of every stored document, sorted.
    pub fn document_ids(&self) -> Result<Vec<DocId>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT doc_id FROM documents ORDER BY doc_id")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.into_iter()
            .map(|id| {
                id.parse::<DocId>()
                    .map_err(|e| ReplicaError::doc(&id, DocError::InvalidValue(e.to_string())))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FixedClock;
    use std::sync::Arc;

    /// Tables the engine keeps for itself rather than projecting from documents.
    const ENGINE_TABLES: &[&str] = &[
        "account_binding",
        // The learned lead score per agent (issue 15), a cache refitted from the read model.
        "agent_score_models",
        "documents",
        "held_changes",
        // Property-match suggestions the user dismissed on this device (`crate::matches`).
        "match_dismissed",
        "merges",
        "meta",
        // Documents held only because the user reads teammates' records (`crate::mine`), as
        // the server marks them; not derived from any document.
        "not_mine_docs",
        "outbox",
        "quarantine",
        "sync_cursors",
        "sync_notices",
    ];

    #[test]
    fn every_read_model_table_belongs_to_a_registered_kind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(FixedClock::new(
            chrono::DateTime::from_timestamp_millis(1_763_700_000_000).expect("time"),
        ));
        let replica = Replica::open(&dir.path().join("r.db"), clock).expect("open");
        let conn = replica.conn();
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .expect("prepare");
        let mut found: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<Result<_, _>>()
            .expect("names");
        // FTS5 keeps its own shadow tables next to each search table.
        found.retain(|t: &String| {
            !ENGINE_TABLES.contains(&t.as_str())
                && !["_data", "_idx", "_content", "_docsize", "_config"]
                    .iter()
                    .any(|suffix| t.ends_with(suffix))
        });
        found.sort();
        let mut projected: Vec<String> =
            projection_tables().iter().map(|t| t.to_string()).collect();
        projected.sort();
        assert_eq!(
            found, projected,
            "a table of the schema is neither a registered kind's (`Record::TABLES`, listed in \
             `kinds!`) nor one of the engine's own"
        );
    }
}
