//! Documents, changes and the per-scope change feed in PostgreSQL. The page logic of `pull` is
//! the SQLite store's, statement for statement; see the module doc of `postgres` for how feed
//! numbers stay in commit order.

use super::ms;
use crate::store::page::FeedRow;
use crate::store::*;
use ::postgres::{Client, GenericClient, IsolationLevel, Transaction};
use std::collections::HashMap;

fn seq_i(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_u(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

/// The organisation's advisory-lock key (the `bigint` lock space). Two organisations sharing a
/// key only wait for each other; they never see each other's rows.
fn org_lock_key(org: OrgId) -> i64 {
    i64::from_be_bytes(org.as_uuid().as_u64_pair().0.to_be_bytes())
}

/// Makes this transaction the only one numbering `org`'s feed until it ends.
fn lock_org(tx: &mut Transaction<'_>, org: OrgId) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&org_lock_key(org)])?;
    Ok(())
}

/// A REPEATABLE READ read-only transaction: every statement sees the same committed state.
fn snapshot(c: &mut Client) -> Result<Transaction<'_>, StoreError> {
    Ok(c.build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?)
}

fn scopes_of(c: &mut impl GenericClient, org: &str, doc: &str) -> Result<Vec<Scope>, StoreError> {
    c.query(
        "SELECT scope FROM doc_scopes WHERE org_id = $1 AND doc_id = $2 ORDER BY joined_seq, scope",
        &[&org, &doc],
    )?
    .iter()
    .map(|r| parse_scope(r.try_get(0)?))
    .collect()
}

fn changes_after(
    c: &mut impl GenericClient,
    org: &str,
    doc: &str,
    after: i64,
) -> Result<Vec<Vec<u8>>, StoreError> {
    c.query(
        "SELECT bytes FROM changes WHERE org_id = $1 AND doc_id = $2 AND seq > $3 ORDER BY seq",
        &[&org, &doc, &after],
    )?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

/// The snapshot followed by every later change: bytes `AutoCommit::load` reads as one document.
pub(super) fn doc_bytes(
    c: &mut impl GenericClient,
    org: &str,
    doc: &str,
    snapshot: Vec<u8>,
    snapshot_seq: i64,
) -> Result<Vec<u8>, StoreError> {
    let mut bytes = snapshot;
    for change in changes_after(c, org, doc, snapshot_seq)? {
        bytes.extend_from_slice(&change);
    }
    Ok(bytes)
}

pub fn load_doc(c: &mut Client, org: OrgId, doc: &DocId) -> Result<Option<StoredDoc>, StoreError> {
    let org = org.to_string();
    let mut tx = snapshot(c)?;
    let row = tx.query_opt(
        "SELECT snapshot, snapshot_seq, head_seq, tail_len FROM documents
         WHERE org_id = $1 AND doc_id = $2",
        &[&org, &doc.as_str()],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let snapshot_seq: i64 = row.try_get(1)?;
    let head_seq: i64 = row.try_get(2)?;
    let tail_len: i64 = row.try_get(3)?;
    let stored = StoredDoc {
        bytes: doc_bytes(&mut tx, &org, doc.as_str(), row.try_get(0)?, snapshot_seq)?,
        scopes: scopes_of(&mut tx, &org, doc.as_str())?,
        head_seq: seq_u(head_seq),
        tail_len: u32::try_from(tail_len).unwrap_or(u32::MAX),
    };
    tx.commit()?;
    Ok(Some(stored))
}

pub fn actor_owners(
    c: &mut Client,
    org: OrgId,
    actors: &[Vec<u8>],
) -> Result<HashMap<Vec<u8>, UserId>, StoreError> {
    if actors.is_empty() {
        return Ok(HashMap::new());
    }
    c.query(
        "SELECT actor, user_id FROM actors WHERE org_id = $1 AND actor = ANY($2)",
        &[&org.to_string(), &actors],
    )?
    .iter()
    .map(|r| Ok((r.try_get(0)?, parse_uuid(r.try_get::<_, &str>(1)?)?)))
    .collect()
}

/// Stores every write in one transaction; a stale write rolls all of them back.
pub fn commit(
    c: &mut Client,
    org: OrgId,
    writes: Vec<DocWrite>,
    now: DateTime<Utc>,
) -> Result<Vec<Committed>, StoreError> {
    commit_lead(c, org, writes, None, None, now).map(|(done, _)| done)
}

/// [`commit`], and `event` recorded in the same transaction (whether it was new; `None`: no
/// event).
pub fn commit_lead(
    c: &mut Client,
    org: OrgId,
    writes: Vec<DocWrite>,
    event: Option<&crate::store::intake::IntakeEventRow>,
    routing: Option<&crate::store::routing::LeadRoutingRow>,
    now: DateTime<Utc>,
) -> Result<(Vec<Committed>, Option<bool>), StoreError> {
    let mut tx = c.transaction()?;
    // Before reading any head_seq: the optimistic check then sees every earlier commit.
    lock_org(&mut tx, org)?;
    let done = writes
        .into_iter()
        .map(|write| apply_write(&mut tx, org, write, now))
        .collect::<Result<Vec<_>, _>>()?;
    let new = event
        .map(|row| super::intake::record_event(&mut tx, org, row))
        .transpose()?;
    if let Some(row) = routing {
        super::routing::record(&mut tx, org, row)?;
    }
    tx.commit()?;
    Ok((done, new))
}

fn apply_write(
    tx: &mut Transaction<'_>,
    org: OrgId,
    write: DocWrite,
    now: DateTime<Utc>,
) -> Result<Committed, StoreError> {
    let org_s = org.to_string();
    let doc = write.doc_id.as_str();
    let current: Option<(i64, i64)> = tx
        .query_opt(
            "SELECT head_seq, tail_len FROM documents WHERE org_id = $1 AND doc_id = $2",
            &[&org_s, &doc],
        )?
        .map(|r| Ok::<_, ::postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
    match (write.expected_head_seq, current) {
        (None, None) => {}
        (Some(expected), Some((head, _))) if expected == seq_u(head) => {}
        _ => return Err(StoreError::Stale(write.doc_id)),
    }
    if write.changes.is_empty() {
        return Err(StoreError::Database(format!("empty write for {doc}")));
    }
    let added = i64::try_from(write.changes.len()).unwrap_or(i64::MAX);
    let mut seqs: Vec<i64> = tx
        .query(
            "SELECT nextval('feed_seq') FROM generate_series(1::bigint, $1::bigint)",
            &[&added],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    // Ascending, so the changes keep their dependency order in the feed.
    seqs.sort_unstable();
    let last = seqs.last().copied().unwrap_or_default();
    let bytes: Vec<&[u8]> = write.changes.iter().map(|(_, b)| b.as_slice()).collect();
    tx.execute(
        "INSERT INTO changes (seq, org_id, doc_id, bytes)
         SELECT s, $1::text, $2::text, b FROM unnest($3::bigint[], $4::bytea[]) AS t (s, b)",
        &[&org_s, &doc, &seqs, &bytes],
    )?;
    let tail_len = match (current, &write.snapshot) {
        (None, Some(snapshot)) => {
            tx.execute(
                "INSERT INTO documents
                 (org_id, doc_id, snapshot, snapshot_seq, head_seq, tail_len, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $4, 0, $5, $6)",
                &[
                    &org_s,
                    &doc,
                    snapshot,
                    &last,
                    &write.writer.to_string(),
                    &ms(now),
                ],
            )?;
            0
        }
        (None, None) => {
            return Err(StoreError::Database(format!(
                "new document {doc} written without a snapshot"
            )))
        }
        (Some(_), Some(snapshot)) => {
            tx.execute(
                "UPDATE documents SET snapshot = $3, snapshot_seq = $4, head_seq = $4, tail_len = 0
                 WHERE org_id = $1 AND doc_id = $2",
                &[&org_s, &doc, snapshot, &last],
            )?;
            0
        }
        (Some((_, tail)), None) => {
            tx.execute(
                "UPDATE documents SET head_seq = $3, tail_len = tail_len + $4
                 WHERE org_id = $1 AND doc_id = $2",
                &[&org_s, &doc, &last, &added],
            )?;
            tail + added
        }
    };
    for scope in &write.add_scopes {
        tx.execute(
            "INSERT INTO doc_scopes (org_id, scope, doc_id, seq, joined_seq, updated_at)
             VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT DO NOTHING",
            &[&org_s, &scope_key(scope), &doc, &last, &ms(now)],
        )?;
    }
    tx.execute(
        "UPDATE doc_scopes SET seq = $3, updated_at = $4 WHERE org_id = $1 AND doc_id = $2",
        &[&org_s, &doc, &last, &ms(now)],
    )?;
    let written: usize = bytes.iter().map(|b| b.len()).sum();
    super::audit::add_usage(
        tx,
        &org_s,
        &write.writer.to_string(),
        u64::from(current.is_none()),
        written as u64,
    )?;
    if let Some(entry) = &write.contact {
        super::contact_index::upsert(tx, &org_s, write.doc_id.record_id(), entry)?;
    }
    if let Some(job) = &write.job {
        super::jobs::schedule(tx, &org_s, job, now)?;
    }
    if write.intent {
        tx.execute(
            "INSERT INTO intent_attempts (org_id, doc_id, state, attempts, next_at, updated_at)
             VALUES ($1, $2, 'pending', 0, $3, $3) ON CONFLICT DO NOTHING",
            &[&org_s, &doc, &ms(now)],
        )?;
    }
    if !write.new_actors.is_empty() {
        tx.execute(
            "INSERT INTO actors (org_id, actor, user_id)
             SELECT $1::text, a, $3::text FROM unnest($2::bytea[]) AS t (a) ON CONFLICT DO NOTHING",
            &[&org_s, &write.new_actors, &write.writer.to_string()],
        )?;
    }
    Ok(Committed {
        scopes: scopes_of(tx, &org_s, doc)?,
        doc_id: write.doc_id,
        seq: seq_u(last),
        tail_len: u32::try_from(tail_len).unwrap_or(u32::MAX),
    })
}

pub fn pull(
    c: &mut Client,
    org: OrgId,
    cursors: &[ScopeCursor],
    max_docs: usize,
    max_bytes: usize,
) -> Result<PullPage, StoreError> {
    let org_s = org.to_string();
    let mut tx = snapshot(c)?;
    let feed = tx.prepare(
        "SELECT doc_id, seq, joined_seq, updated_at FROM doc_scopes
         WHERE org_id = $1 AND scope = $2 AND seq > $3 ORDER BY seq LIMIT $4",
    )?;
    // Both closures need the transaction; they never run at the same time.
    let tx_cell = std::cell::RefCell::new(&mut tx);
    let page = {
        let tx_cell = &tx_cell;
        crate::store::page::build(
            cursors,
            max_docs,
            max_bytes,
            |cursor| {
                let row = tx_cell.borrow_mut().query_one(
                    "SELECT coalesce(max(seq), 0) FROM doc_scopes WHERE org_id = $1 AND scope = $2",
                    &[&org_s, &scope_key(&cursor.scope)],
                )?;
                Ok(row.try_get::<_, i64>(0)?)
            },
            |cursor, limit| {
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = tx_cell.borrow_mut().query(
                    &feed,
                    &[
                        &org_s,
                        &scope_key(&cursor.scope),
                        &seq_i(cursor.seq),
                        &limit,
                    ],
                )?;
                rows.iter()
                    .map(|r| {
                        Ok(FeedRow {
                            doc_id: r.try_get(0)?,
                            seq: r.try_get(1)?,
                            joined_seq: r.try_get(2)?,
                            updated_at: r.try_get(3)?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()
            },
            |row, from| read_doc(&mut tx_cell.borrow_mut(), &org_s, row, from),
        )?
    };
    tx.commit()?;
    Ok(page)
}

fn read_doc(
    tx: &mut Transaction<'_>,
    org: &str,
    row: &FeedRow,
    from: i64,
) -> Result<PulledDoc, StoreError> {
    let doc_id = parse_doc_id(&row.doc_id)?;
    let updated_at = from_ms(row.updated_at);
    if from == 0 {
        let stored = tx.query_one(
            "SELECT snapshot, snapshot_seq FROM documents WHERE org_id = $1 AND doc_id = $2",
            &[&org, &row.doc_id],
        )?;
        let bytes = doc_bytes(tx, org, &row.doc_id, stored.try_get(0)?, stored.try_get(1)?)?;
        return Ok(PulledDoc {
            doc_id,
            snapshot: Some(bytes),
            changes: Vec::new(),
            updated_at,
        });
    }
    Ok(PulledDoc {
        doc_id,
        snapshot: None,
        changes: changes_after(tx, org, &row.doc_id, from)?,
        updated_at,
    })
}

pub fn doc_scopes(
    c: &mut Client,
    org: OrgId,
    doc: &DocId,
) -> Result<Option<Vec<Scope>>, StoreError> {
    let scopes = scopes_of(c, &org.to_string(), doc.as_str())?;
    Ok((!scopes.is_empty()).then_some(scopes))
}

pub fn scopes_of_docs(
    c: &mut Client,
    org: OrgId,
    docs: &[DocId],
) -> Result<std::collections::HashMap<DocId, Vec<Scope>>, StoreError> {
    // One round trip for the whole page rather than one per document.
    let ids: Vec<&str> = docs.iter().map(DocId::as_str).collect();
    let mut out: std::collections::HashMap<DocId, Vec<Scope>> =
        std::collections::HashMap::with_capacity(docs.len());
    for row in c.query(
        "SELECT doc_id, scope FROM doc_scopes WHERE org_id = $1 AND doc_id = ANY($2)
         ORDER BY doc_id, joined_seq, scope",
        &[&org.to_string(), &ids],
    )? {
        let doc = parse_doc_id(row.try_get(0)?)?;
        out.entry(doc)
            .or_default()
            .push(parse_scope(row.try_get(1)?)?);
    }
    Ok(out)
}

pub fn add_doc_scope(
    c: &mut Client,
    org: OrgId,
    doc: &DocId,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Option<u64>, StoreError> {
    let org_s = org.to_string();
    let scope_s = scope_key(&scope);
    let mut tx = c.transaction()?;
    lock_org(&mut tx, org)?;
    // Checked first so that a document already in the scope costs no feed number.
    let wanted: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE org_id = $1 AND doc_id = $2)
                AND NOT EXISTS (SELECT 1 FROM doc_scopes
                                WHERE org_id = $1 AND doc_id = $2 AND scope = $3)",
            &[&org_s, &doc.as_str(), &scope_s],
        )?
        .try_get(0)?;
    if !wanted {
        return Ok(None);
    }
    let seq: Option<i64> = tx
        .query_opt(
            "INSERT INTO doc_scopes (org_id, scope, doc_id, seq, joined_seq, updated_at)
             SELECT $1::text, $2::text, $3::text, n.seq, n.seq, $4::bigint FROM (SELECT nextval('feed_seq') AS seq) n
             ON CONFLICT DO NOTHING RETURNING seq",
            &[&org_s, &scope_s, &doc.as_str(), &ms(now)],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    tx.commit()?;
    Ok(seq.map(seq_u))
}

pub fn remove_doc_scope(
    c: &mut Client,
    org: OrgId,
    doc: &DocId,
    scope: Scope,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "DELETE FROM doc_scopes WHERE org_id = $1 AND doc_id = $2 AND scope = $3",
        &[&org.to_string(), &doc.as_str(), &scope_key(&scope)],
    )? > 0)
}

pub fn doc_ids_in_range(
    c: &mut Client,
    org: OrgId,
    scopes: &[Scope],
    after: Option<&DocId>,
    upto: Option<&DocId>,
    limit: usize,
) -> Result<Vec<DocId>, StoreError> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    let scopes: Vec<String> = scopes.iter().map(scope_key).collect();
    c.query(
        "SELECT DISTINCT doc_id FROM doc_scopes
         WHERE org_id = $1 AND scope = ANY($2)
           AND doc_id > coalesce($3::text, '') AND doc_id <= coalesce($4::text, '~')
         ORDER BY doc_id LIMIT $5",
        &[
            &org.to_string(),
            &scopes,
            &after.map(DocId::as_str),
            &upto.map(DocId::as_str),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )?
    .iter()
    .map(|r| parse_doc_id(r.try_get(0)?))
    .collect()
}
