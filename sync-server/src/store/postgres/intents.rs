//! The intents' attempt ledger in PostgreSQL. Several server processes share one database, so
//! taking rows is one `UPDATE … WHERE … IN (SELECT … FOR UPDATE SKIP LOCKED)`: a row another
//! process is taking is skipped, never taken twice, and the attempt is counted in the same
//! statement.

use super::ms;
use crate::store::*;
use ::postgres::{Client, GenericClient, Row};

fn claim_from(r: &Row) -> Result<IntentClaim, StoreError> {
    Ok(IntentClaim {
        org: parse_uuid(r.try_get::<_, &str>(0)?)?,
        doc: parse_doc_id(r.try_get::<_, &str>(1)?)?,
        attempt: u32::try_from(r.try_get::<_, i32>(2)?).unwrap_or(u32::MAX),
    })
}

fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

pub fn enqueue(
    c: &mut Client,
    org: OrgId,
    doc: &DocId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let added = c.execute(
        "INSERT INTO intent_attempts (org_id, doc_id, state, attempts, next_at, updated_at)
         VALUES ($1, $2, 'pending', 0, $3, $3) ON CONFLICT DO NOTHING",
        &[&org.to_string(), &doc.as_str(), &ms(now)],
    )?;
    Ok(added == 1)
}

pub fn claim(
    c: &mut Client,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IntentClaim>, StoreError> {
    let rows = c.query(
        "UPDATE intent_attempts SET state = 'sending', attempts = attempts + 1,
           worker = $1, lease_until = $2, updated_at = $3
         WHERE (org_id, doc_id) IN (
             SELECT org_id, doc_id FROM intent_attempts
             WHERE state IN ('pending', 'retry') AND next_at <= $3
             ORDER BY next_at, org_id, doc_id LIMIT $4
             FOR UPDATE SKIP LOCKED)
         RETURNING org_id, doc_id, attempts",
        &[&worker, &ms(lease_until), &ms(now), &limit_of(limit)],
    )?;
    rows.iter().map(claim_from).collect()
}

pub fn finish(
    c: &mut impl GenericClient,
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
    let attempt = i32::try_from(claim.attempt).unwrap_or(i32::MAX);
    let changed = c.execute(
        "UPDATE intent_attempts SET state = $5, outcome = $6, detail = $7,
           next_at = coalesce($8, next_at), worker = NULL, lease_until = NULL, updated_at = $9
         WHERE org_id = $1 AND doc_id = $2 AND state = 'sending' AND worker = $3
           AND attempts = $4",
        &[
            &claim.org.to_string(),
            &claim.doc.as_str(),
            &worker,
            &attempt,
            &state,
            &outcome,
            &detail,
            &next_at,
            &ms(now),
        ],
    )?;
    Ok(changed == 1)
}

pub fn close_abandoned(
    c: &mut Client,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<IntentClaim>, StoreError> {
    let rows = c.query(
        "UPDATE intent_attempts SET state = 'done', outcome = 'unknown', detail = $3,
           worker = NULL, lease_until = NULL, updated_at = $1
         WHERE (org_id, doc_id) IN (
             SELECT org_id, doc_id FROM intent_attempts
             WHERE state = 'sending' AND lease_until < $1 LIMIT $2
             FOR UPDATE SKIP LOCKED)
         RETURNING org_id, doc_id, attempts",
        &[&ms(now), &limit_of(limit), &UNKNOWN_DETAIL],
    )?;
    rows.iter().map(claim_from).collect()
}

pub fn get(c: &mut Client, org: OrgId, doc: &DocId) -> Result<Option<IntentRow>, StoreError> {
    let row = c.query_opt(
        "SELECT state, attempts, outcome, detail, next_at FROM intent_attempts
         WHERE org_id = $1 AND doc_id = $2",
        &[&org.to_string(), &doc.as_str()],
    )?;
    row.map(|r| {
        let state: &str = r.try_get(0)?;
        let outcome: Option<&str> = r.try_get(2)?;
        Ok(IntentRow {
            state: IntentState::parse(state)
                .ok_or_else(|| StoreError::Corrupt(format!("intent state {state:?}")))?,
            attempts: u32::try_from(r.try_get::<_, i32>(1)?).unwrap_or(u32::MAX),
            outcome: outcome
                .map(|o| {
                    IntentOutcome::parse(o)
                        .ok_or_else(|| StoreError::Corrupt(format!("intent outcome {o:?}")))
                })
                .transpose()?,
            detail: r.try_get(3)?,
            next_at: from_ms(r.try_get(4)?),
        })
    })
    .transpose()
}
