//! The intents' attempt ledger in SQLite. The store has one writer connection, so taking rows
//! and counting the attempt in one transaction is enough for a single server process (the
//! SQLite store serves one).

use super::ms;
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

fn claim_from(org: String, doc: String, attempt: i64) -> Result<IntentClaim, StoreError> {
    Ok(IntentClaim {
        org: parse_uuid(&org)?,
        doc: parse_doc_id(&doc)?,
        attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
    })
}

pub fn enqueue(
    conn: &Connection,
    org: OrgId,
    doc: &DocId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let added = conn
        .prepare_cached(
            "INSERT INTO intent_attempts (org_id, doc_id, state, attempts, next_at, updated_at)
             VALUES (?1, ?2, 'pending', 0, ?3, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![org.to_string(), doc.as_str(), ms(now)])?;
    Ok(added == 1)
}

pub fn claim(
    conn: &mut Connection,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IntentClaim>, StoreError> {
    let tx = conn.transaction()?;
    let due: Vec<(String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT org_id, doc_id FROM intent_attempts
             WHERE state IN ('pending', 'retry') AND next_at <= ?1
             ORDER BY next_at, org_id, doc_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![ms(now), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    let mut claims = Vec::with_capacity(due.len());
    {
        let mut take = tx.prepare_cached(
            "UPDATE intent_attempts SET state = 'sending', attempts = attempts + 1,
               worker = ?3, lease_until = ?4, updated_at = ?5
             WHERE org_id = ?1 AND doc_id = ?2 RETURNING attempts",
        )?;
        for (org, doc) in due {
            let attempt: i64 = take
                .query_row(params![org, doc, worker, ms(lease_until), ms(now)], |r| {
                    r.get(0)
                })?;
            claims.push(claim_from(org, doc, attempt)?);
        }
    }
    tx.commit()?;
    Ok(claims)
}

pub fn finish(
    conn: &Connection,
    claim: &IntentClaim,
    worker: &str,
    finish: &IntentFinish,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (state, outcome, detail, next_at) = match finish {
        IntentFinish::Done { outcome, detail } => {
            ("done", Some(outcome.as_str()), detail.as_deref(), None)
        }
        IntentFinish::Retry { at, detail } => ("retry", None, Some(detail.as_str()), Some(ms(*at))),
    };
    let changed = conn
        .prepare_cached(
            "UPDATE intent_attempts SET state = ?5, outcome = ?6, detail = ?7,
               next_at = coalesce(?8, next_at), worker = NULL, lease_until = NULL,
               updated_at = ?9
             WHERE org_id = ?1 AND doc_id = ?2 AND state = 'sending' AND worker = ?3
               AND attempts = ?4",
        )?
        .execute(params![
            claim.org.to_string(),
            claim.doc.as_str(),
            worker,
            i64::from(claim.attempt),
            state,
            outcome,
            detail,
            next_at,
            ms(now),
        ])?;
    Ok(changed == 1)
}

pub fn close_abandoned(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IntentClaim>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "UPDATE intent_attempts SET state = 'done', outcome = 'unknown', detail = ?3,
           worker = NULL, lease_until = NULL, updated_at = ?1
         WHERE (org_id, doc_id) IN (SELECT org_id, doc_id FROM intent_attempts
                                    WHERE state = 'sending' AND lease_until < ?1 LIMIT ?2)
         RETURNING org_id, doc_id, attempts",
    )?;
    let rows = stmt.query_map(
        params![
            ms(now),
            i64::try_from(limit).unwrap_or(i64::MAX),
            UNKNOWN_DETAIL
        ],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let rows: Vec<(String, String, i64)> = rows.collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(org, doc, attempt)| claim_from(org, doc, attempt))
        .collect()
}

/// A ledger row's columns: state, attempts, outcome, detail, next_at.
type StoredRow = (String, i64, Option<String>, Option<String>, i64);

pub fn get(conn: &Connection, org: OrgId, doc: &DocId) -> Result<Option<IntentRow>, StoreError> {
    let row: Option<StoredRow> = conn
        .prepare_cached(
            "SELECT state, attempts, outcome, detail, next_at FROM intent_attempts
             WHERE org_id = ?1 AND doc_id = ?2",
        )?
        .query_row(params![org.to_string(), doc.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    row.map(|(state, attempts, outcome, detail, next_at)| {
        Ok(IntentRow {
            state: IntentState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("intent state {state:?}")))?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            outcome: outcome
                .map(|o| {
                    IntentOutcome::parse(&o)
                        .ok_or_else(|| StoreError::Corrupt(format!("intent outcome {o:?}")))
                })
                .transpose()?,
            detail,
            next_at: from_ms(next_at),
        })
    })
    .transpose()
}
