//! Documents, changes and the per-scope change feed in SQLite.

use super::ms;
use crate::store::page::FeedRow;
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

// The statements whose cost must follow what is asked, not how much is stored (their query
// plans are checked by a test below).
const SCOPES_OF: &str =
    "SELECT scope FROM doc_scopes WHERE org_id = ?1 AND doc_id = ?2 ORDER BY joined_seq, scope";
const FEED_PAGE: &str = "SELECT doc_id, seq, joined_seq, updated_at FROM doc_scopes
     WHERE org_id = ?1 AND scope = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4";
const DOC_RANGE: &str = "SELECT DISTINCT doc_id FROM doc_scopes
     WHERE org_id = ?1 AND doc_id > ?3 AND doc_id <= ?4
       AND scope IN (SELECT value FROM json_each(?2))
     ORDER BY doc_id LIMIT ?5";
const SCOPE_TOP: &str =
    "SELECT coalesce(max(seq), 0) FROM doc_scopes WHERE org_id = ?1 AND scope = ?2";
const CHANGES_AFTER: &str =
    "SELECT bytes FROM changes WHERE org_id = ?1 AND doc_id = ?2 AND seq > ?3 ORDER BY seq";
const SET_FEED_SEQ: &str =
    "UPDATE doc_scopes SET seq = ?3, updated_at = ?4 WHERE org_id = ?1 AND doc_id = ?2";

fn seq_i(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_u(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

pub fn max_seq(conn: &Connection) -> Result<u64, StoreError> {
    let seq: i64 = conn.query_row(
        "SELECT max(coalesce((SELECT max(seq) FROM changes), 0),
                    coalesce((SELECT max(seq) FROM doc_scopes), 0))",
        [],
        |r| r.get(0),
    )?;
    Ok(seq_u(seq))
}

fn scopes_of(conn: &Connection, org: &str, doc: &str) -> Result<Vec<Scope>, StoreError> {
    let mut stmt = conn.prepare_cached(SCOPES_OF)?;
    let rows = stmt.query_map(params![org, doc], |r| r.get::<_, String>(0))?;
    rows.map(|r| parse_scope(&r?)).collect()
}

/// The snapshot followed by every later change: bytes `AutoCommit::load` reads as one document.
fn doc_bytes(
    conn: &Connection,
    org: &str,
    doc: &str,
    snapshot: Vec<u8>,
    snapshot_seq: i64,
) -> Result<Vec<u8>, StoreError> {
    let mut bytes = snapshot;
    let mut stmt = conn.prepare_cached(CHANGES_AFTER)?;
    let rows = stmt.query_map(params![org, doc, snapshot_seq], |r| r.get::<_, Vec<u8>>(0))?;
    for change in rows {
        bytes.extend_from_slice(&change?);
    }
    Ok(bytes)
}

pub fn load_doc(
    conn: &Connection,
    org: OrgId,
    doc: &DocId,
) -> Result<Option<StoredDoc>, StoreError> {
    let org = org.to_string();
    let row = conn
        .prepare_cached(
            "SELECT snapshot, snapshot_seq, head_seq, tail_len FROM documents
             WHERE org_id = ?1 AND doc_id = ?2",
        )?
        .query_row(params![org, doc.as_str()], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()?;
    let Some((snapshot, snapshot_seq, head_seq, tail_len)) = row else {
        return Ok(None);
    };
    Ok(Some(StoredDoc {
        bytes: doc_bytes(conn, &org, doc.as_str(), snapshot, snapshot_seq)?,
        scopes: scopes_of(conn, &org, doc.as_str())?,
        head_seq: seq_u(head_seq),
        tail_len: u32::try_from(tail_len).unwrap_or(u32::MAX),
    }))
}

pub fn actor_owners(
    conn: &Connection,
    org: OrgId,
    actors: &[Vec<u8>],
) -> Result<HashMap<Vec<u8>, UserId>, StoreError> {
    let org = org.to_string();
    let mut stmt =
        conn.prepare_cached("SELECT user_id FROM actors WHERE org_id = ?1 AND actor = ?2")?;
    let mut owners = HashMap::new();
    for actor in actors {
        if let Some(user) = stmt
            .query_row(params![org, actor], |r| r.get::<_, String>(0))
            .optional()?
        {
            owners.insert(actor.clone(), parse_uuid(&user)?);
        }
    }
    Ok(owners)
}

/// Stores one write inside the caller's transaction, taking feed numbers from `next_seq`.
pub fn apply_write(
    conn: &Connection,
    next_seq: &mut u64,
    org: OrgId,
    write: DocWrite,
    now: DateTime<Utc>,
) -> Result<Committed, StoreError> {
    let org_s = org.to_string();
    let doc = write.doc_id.as_str();
    let current: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT head_seq, tail_len FROM documents WHERE org_id = ?1 AND doc_id = ?2",
        )?
        .query_row(params![org_s, doc], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match (write.expected_head_seq, current) {
        (None, None) => {}
        (Some(expected), Some((head, _))) if expected == seq_u(head) => {}
        _ => return Err(StoreError::Stale(write.doc_id)),
    }
    if write.changes.is_empty() {
        return Err(StoreError::Database(format!("empty write for {doc}")));
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO changes (seq, org_id, doc_id, bytes) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut last = 0;
    for (_, bytes) in &write.changes {
        last = *next_seq;
        *next_seq += 1;
        insert.execute(params![seq_i(last), org_s, doc, bytes])?;
    }
    let added = write.changes.len() as i64;
    let tail_len = match (current, &write.snapshot) {
        (None, Some(snapshot)) => {
            conn.prepare_cached(
                "INSERT INTO documents
                 (org_id, doc_id, snapshot, snapshot_seq, head_seq, tail_len, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?4, 0, ?5, ?6)",
            )?
            .execute(params![
                org_s,
                doc,
                snapshot,
                seq_i(last),
                write.writer.to_string(),
                ms(now)
            ])?;
            0
        }
        (None, None) => {
            return Err(StoreError::Database(format!(
                "new document {doc} written without a snapshot"
            )))
        }
        (Some(_), Some(snapshot)) => {
            conn.prepare_cached(
                "UPDATE documents SET snapshot = ?3, snapshot_seq = ?4, head_seq = ?4, tail_len = 0
                 WHERE org_id = ?1 AND doc_id = ?2",
            )?
            .execute(params![org_s, doc, snapshot, seq_i(last)])?;
            0
        }
        (Some((_, tail)), None) => {
            conn.prepare_cached(
                "UPDATE documents SET head_seq = ?3, tail_len = tail_len + ?4
                 WHERE org_id = ?1 AND doc_id = ?2",
            )?
            .execute(params![org_s, doc, seq_i(last), added])?;
            tail + added
        }
    };
    for scope in &write.add_scopes {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO doc_scopes (org_id, scope, doc_id, seq, joined_seq, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
        )?
        .execute(params![org_s, scope_key(scope), doc, seq_i(last), ms(now)])?;
    }
    conn.prepare_cached(SET_FEED_SEQ)?
        .execute(params![org_s, doc, seq_i(last), ms(now)])?;
    let bytes: usize = write.changes.iter().map(|(_, b)| b.len()).sum();
    super::audit::add_usage(
        conn,
        &org_s,
        &write.writer.to_string(),
        u64::from(current.is_none()),
        bytes as u64,
    )?;
    if let Some(entry) = &write.contact {
        super::contact_index::upsert(conn, &org_s, write.doc_id.record_id(), entry)?;
    }
    if let Some(job) = &write.job {
        super::jobs::schedule(conn, &org_s, job, now)?;
    }
    if write.intent {
        conn.prepare_cached(
            "INSERT INTO intent_attempts (org_id, doc_id, state, attempts, next_at, updated_at)
             VALUES (?1, ?2, 'pending', 0, ?3, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![org_s, doc, ms(now)])?;
    }
    let mut bind = conn.prepare_cached(
        "INSERT OR IGNORE INTO actors (org_id, actor, user_id) VALUES (?1, ?2, ?3)",
    )?;
    for actor in &write.new_actors {
        bind.execute(params![org_s, actor, write.writer.to_string()])?;
    }
    Ok(Committed {
        scopes: scopes_of(conn, &org_s, doc)?,
        doc_id: write.doc_id,
        seq: last,
        tail_len: u32::try_from(tail_len).unwrap_or(u32::MAX),
    })
}

pub fn pull(
    conn: &Connection,
    org: OrgId,
    cursors: &[ScopeCursor],
    max_docs: usize,
    max_bytes: usize,
) -> Result<PullPage, StoreError> {
    let org_s = org.to_string();
    // One read transaction: every query of the page sees the same committed state.
    conn.execute_batch("BEGIN")?;
    let result = (|| {
        let mut feed = conn.prepare_cached(FEED_PAGE)?;
        let mut scope_top = conn.prepare_cached(SCOPE_TOP)?;
        crate::store::page::build(
            cursors,
            max_docs,
            max_bytes,
            |cursor| {
                Ok(
                    scope_top.query_row(params![org_s, scope_key(&cursor.scope)], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            },
            |cursor, limit| {
                let rows = feed.query_map(
                    params![
                        org_s,
                        scope_key(&cursor.scope),
                        seq_i(cursor.seq),
                        limit as i64
                    ],
                    |r| {
                        Ok(FeedRow {
                            doc_id: r.get(0)?,
                            seq: r.get(1)?,
                            joined_seq: r.get(2)?,
                            updated_at: r.get(3)?,
                        })
                    },
                )?;
                Ok::<_, StoreError>(rows.collect::<Result<Vec<_>, _>>()?)
            },
            |row, from| read_doc(conn, &org_s, row, from),
        )
    })();
    conn.execute_batch("COMMIT")?;
    result
}

fn read_doc(
    conn: &Connection,
    org: &str,
    row: &FeedRow,
    from: i64,
) -> Result<PulledDoc, StoreError> {
    let doc_id = parse_doc_id(&row.doc_id)?;
    let updated_at = from_ms(row.updated_at);
    if from == 0 {
        let (snapshot, snapshot_seq): (Vec<u8>, i64) = conn
            .prepare_cached(
                "SELECT snapshot, snapshot_seq FROM documents WHERE org_id = ?1 AND doc_id = ?2",
            )?
            .query_row(params![org, row.doc_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let bytes = doc_bytes(conn, org, &row.doc_id, snapshot, snapshot_seq)?;
        return Ok(PulledDoc {
            doc_id,
            snapshot: Some(bytes),
            changes: Vec::new(),
            updated_at,
        });
    }
    let mut stmt = conn.prepare_cached(CHANGES_AFTER)?;
    let changes = stmt
        .query_map(params![org, row.doc_id, from], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PulledDoc {
        doc_id,
        snapshot: None,
        changes,
        updated_at,
    })
}

pub fn doc_scopes(
    conn: &Connection,
    org: OrgId,
    doc: &DocId,
) -> Result<Option<Vec<Scope>>, StoreError> {
    let scopes = scopes_of(conn, &org.to_string(), doc.as_str())?;
    Ok((!scopes.is_empty()).then_some(scopes))
}

pub fn scopes_of_docs(
    conn: &Connection,
    org: OrgId,
    docs: &[DocId],
) -> Result<std::collections::HashMap<DocId, Vec<Scope>>, StoreError> {
    // In-process reads: one indexed lookup per document costs less than building a list.
    let org_s = org.to_string();
    let mut out = std::collections::HashMap::with_capacity(docs.len());
    for doc in docs {
        let scopes = scopes_of(conn, &org_s, doc.as_str())?;
        if !scopes.is_empty() {
            out.insert(doc.clone(), scopes);
        }
    }
    Ok(out)
}

pub fn add_doc_scope(
    conn: &Connection,
    next_seq: &mut u64,
    org: OrgId,
    doc: &DocId,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let seq = *next_seq;
    let added = conn.execute(
        "INSERT OR IGNORE INTO doc_scopes (org_id, scope, doc_id, seq, joined_seq, updated_at)
         SELECT org_id, ?3, doc_id, ?4, ?4, ?5 FROM documents WHERE org_id = ?1 AND doc_id = ?2",
        params![
            org.to_string(),
            doc.as_str(),
            scope_key(&scope),
            seq_i(seq),
            ms(now)
        ],
    )?;
    if added == 0 {
        return Ok(None);
    }
    *next_seq += 1;
    Ok(Some(seq))
}

pub fn remove_doc_scope(
    conn: &Connection,
    org: OrgId,
    doc: &DocId,
    scope: Scope,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM doc_scopes WHERE org_id = ?1 AND doc_id = ?2 AND scope = ?3",
        params![org.to_string(), doc.as_str(), scope_key(&scope)],
    )? > 0)
}

pub fn doc_ids_in_range(
    conn: &Connection,
    org: OrgId,
    scopes: &[Scope],
    after: Option<&DocId>,
    upto: Option<&DocId>,
    limit: usize,
) -> Result<Vec<DocId>, StoreError> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    // The scope list is bounded by the user's readable scopes; as JSON it is one parameter.
    let scope_list = format!(
        "[{}]",
        scopes
            .iter()
            .map(|s| format!("\"{}\"", scope_key(s)))
            .collect::<Vec<_>>()
            .join(",")
    );
    // Open ends as bounds ('' and '~' sort around every id: ids are lowercase letters, digits,
    // '-' and ':'), so the range is an index range rather than a filter over the whole org.
    let mut stmt = conn.prepare_cached(DOC_RANGE)?;
    let rows = stmt.query_map(
        params![
            org.to_string(),
            scope_list,
            after.map_or("", DocId::as_str),
            upto.map_or("~", DocId::as_str),
            limit as i64
        ],
        |r| r.get::<_, String>(0),
    )?;
    rows.map(|r| parse_doc_id(&r?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hot statement finds its rows through an index that matches all its equality
    /// columns: none reads a whole organisation. (Without statistics SQLite once chose the
    /// primary key's `org_id` prefix for SCOPES_OF, scanning every document of the org.)
    #[test]
    fn hot_statements_use_full_index_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let _store = crate::store::SqliteStore::open(dir.path()).expect("open");
        let conn = Connection::open(dir.path().join("fieldstone.db")).expect("conn");
        for (sql, want) in [
            (SCOPES_OF, "doc_scopes_by_doc (org_id=? AND doc_id=?)"),
            (
                FEED_PAGE,
                "doc_scopes_feed (org_id=? AND scope=? AND seq>?)",
            ),
            (
                DOC_RANGE,
                "doc_scopes_by_doc (org_id=? AND doc_id>? AND doc_id<?)",
            ),
            (
                CHANGES_AFTER,
                "changes_by_doc (org_id=? AND doc_id=? AND seq>?)",
            ),
            (SET_FEED_SEQ, "doc_scopes_by_doc (org_id=? AND doc_id=?)"),
        ] {
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .expect("explain");
            let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .expect("plan")
                .collect::<Result<_, _>>()
                .expect("rows");
            assert!(
                plan.iter().any(|step| step.contains(want)),
                "{sql}\nplan: {plan:?}\nwanted: {want}"
            );
        }
    }
}
