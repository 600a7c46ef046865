//! From documents to the read model: which projection a document kind gets, rebuilding the whole
//! read model from the documents alone, and quarantining documents that cannot be read.

use crate::error::ReplicaError;
use crate::records::Record;
use crate::store::Replica;
use automerge::AutoCommit;
use fieldstone_doc::DocError;
use fieldstone_model::{Booking, Contact, Interaction, Listing, Note, Task};
use fieldstone_protocol::DocId;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

const REBUILD_KEY: &str = "rebuild_read_model";

/// Tables holding projections, cleared by a rebuild (their FTS indexes included).
const PROJECTION_TABLES: &[&str] = &[
    "contacts",
    "contact_tags",
    "contact_keys",
    "contact_custom",
    "contacts_fts",
    "notes",
    "notes_fts",
    "interactions",
    "bookings",
    "booking_attendees",
    "listings",
    "listings_fts",
    "listing_open_houses",
    "tasks",
    "doc_conflicts",
];

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

fn read_and_project<R: Record>(
    conn: &Connection,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<(), ReplicaError> {
    let record = R::read_doc(doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    R::project(conn, &record)
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
    if doc_id.kind() == fieldstone_doc::prefs::KIND {
        return Ok(());
    }
    crate::conflicts::record_conflicts(conn, doc_id, doc)?;
    match doc_id.kind() {
        fieldstone_doc::contact::KIND => read_and_project::<Contact>(conn, doc_id, doc),
        fieldstone_doc::note::KIND => read_and_project::<Note>(conn, doc_id, doc),
        fieldstone_doc::interaction::KIND => read_and_project::<Interaction>(conn, doc_id, doc),
        fieldstone_doc::booking::KIND => read_and_project::<Booking>(conn, doc_id, doc),
        fieldstone_doc::listing::KIND => read_and_project::<Listing>(conn, doc_id, doc),
        fieldstone_doc::task::KIND => read_and_project::<Task>(conn, doc_id, doc),
        _ => Ok(()),
    }
}

/// Removes every read-model row of document `doc_id`.
pub(crate) fn unproject(conn: &Connection, doc_id: &DocId) -> Result<(), ReplicaError> {
    conn.execute(
        "DELETE FROM doc_conflicts WHERE doc_id = ?1",
        [doc_id.as_str()],
    )?;
    let id = doc_id.as_str().split_once(':').map_or("", |(_, id)| id);
    let fts = |table: &str, fts: &str| -> Result<(), ReplicaError> {
        conn.execute(
            &format!("DELETE FROM {fts} WHERE rowid IN (SELECT seq FROM {table} WHERE id = ?1)"),
            [id],
        )?;
        conn.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
        Ok(())
    };
    match doc_id.kind() {
        fieldstone_doc::contact::KIND => {
            conn.execute("DELETE FROM contact_tags WHERE contact_id = ?1", [id])?;
            conn.execute("DELETE FROM contact_keys WHERE contact_id = ?1", [id])?;
            conn.execute("DELETE FROM contact_custom WHERE contact_id = ?1", [id])?;
            fts("contacts", "contacts_fts")?;
        }
        fieldstone_doc::note::KIND => fts("notes", "notes_fts")?,
        fieldstone_doc::interaction::KIND => {
            conn.execute("DELETE FROM interactions WHERE id = ?1", [id])?;
        }
        fieldstone_doc::booking::KIND => {
            conn.execute("DELETE FROM booking_attendees WHERE booking_id = ?1", [id])?;
            conn.execute("DELETE FROM bookings WHERE id = ?1", [id])?;
        }
        fieldstone_doc::listing::KIND => {
            conn.execute(
                "DELETE FROM listing_open_houses WHERE listing_id = ?1",
                [id],
            )?;
            fts("listings", "listings_fts")?;
        }
        fieldstone_doc::task::KIND => {
            conn.execute("DELETE FROM tasks WHERE id = ?1", [id])?;
        }
        _ => {}
    }
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
        for table in PROJECTION_TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT doc_id FROM documents ORDER BY doc_id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids
        };
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
                    quarantine(&tx, &doc_id, &reason, now)?;
                    report.quarantined.push((raw, reason));
                    continue;
                }
            };
            match project(&tx, &doc_id, &doc) {
                Ok(()) => report.projected += 1,
                Err(ReplicaError::Document { source, .. }) => {
                    unproject(&tx, &doc_id)?;
                    report.skipped.push((raw, source.to_string()));
                }
                Err(other) => return Err(other),
            }
        }
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
        for table in PROJECTION_TABLES.iter().filter(|t| !t.ends_with("_fts")) {
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
        for (table, fts, columns) in [
            ("contacts", "contacts_fts", "f.names, f.emails, f.phones"),
            ("notes", "notes_fts", "f.body"),
            (
                "listings",
                "listings_fts",
                "f.address, f.mls_number, f.description",
            ),
        ] {
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
