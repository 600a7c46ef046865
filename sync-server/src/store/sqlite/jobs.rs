//! The job table in SQLite (see `store::jobs`). One writer connection: taking due jobs and
//! leasing them in one transaction is enough for the one process an SQLite store serves.

use super::ms;
use crate::store::jobs::{Enrolment, JobClaim, JobFinish, JobRow, JobSchedule};
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Version 10: server jobs.
pub const V10: &str = r#"
CREATE TABLE jobs (
    org_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,    -- follow_up | ...
    key         TEXT NOT NULL,    -- what it is about (a task id)
    state       TEXT NOT NULL,    -- waiting | running | done
    due_at      INTEGER NOT NULL, -- Unix ms
    attempts    INTEGER NOT NULL,
    worker      TEXT,
    lease_until INTEGER,
    detail      TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX jobs_due ON jobs (state, due_at);
"#;

/// Version 11: when each contact last answered (a text, a repeated inquiry), which a campaign's
/// "leave on reply" reads.
pub const V11: &str = r#"
CREATE TABLE contact_replies (
    org_id     TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    replied_at INTEGER NOT NULL, -- Unix ms, the latest
    PRIMARY KEY (org_id, contact_id)
) STRICT, WITHOUT ROWID;
"#;

/// Version 12: who a triggered sequence or a repeating broadcast enrolled, once per occasion
/// (`episode`); `enrolled_at` NULL marks an occasion that was already there at launch and
/// enrols nobody (a tag the contact had before the campaign started).
pub const V12: &str = r#"
CREATE TABLE campaign_enrolments (
    org_id      TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    episode     TEXT NOT NULL,
    enrolled_at INTEGER,          -- Unix ms; NULL: seen at launch, not enrolled
    PRIMARY KEY (org_id, campaign_id, contact_id, episode)
) STRICT, WITHOUT ROWID;
"#;

/// Applies `job` for `org` (inside a commit's transaction).
pub fn schedule(
    conn: &Connection,
    org: &str,
    job: &JobSchedule,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match job.due_at {
        Some(due) => {
            conn.prepare_cached(
                "INSERT INTO jobs (org_id, kind, key, state, due_at, attempts, updated_at)
                 VALUES (?1, ?2, ?3, 'waiting', ?4, 0, ?5)
                 ON CONFLICT (org_id, kind, key) DO UPDATE SET due_at = excluded.due_at,
                   updated_at = excluded.updated_at
                 WHERE jobs.state = 'waiting' AND jobs.due_at <> excluded.due_at",
            )?
            .execute(params![org, job.kind, job.key, ms(due), ms(now)])?;
        }
        None => {
            conn.prepare_cached(
                "UPDATE jobs SET state = 'done', detail = 'no longer wanted', updated_at = ?4
                 WHERE org_id = ?1 AND kind = ?2 AND key = ?3 AND state = 'waiting'",
            )?
            .execute(params![org, job.kind, job.key, ms(now)])?;
        }
    }
    Ok(())
}

/// Takes up to `limit` due jobs (waiting ones, and running ones whose worker's lease ran out).
pub fn claim(
    conn: &mut Connection,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<JobClaim>, StoreError> {
    let tx = conn.transaction()?;
    let due: Vec<(String, String, String)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT org_id, kind, key FROM jobs
             WHERE (state = 'waiting' AND due_at <= ?1)
                OR (state = 'running' AND lease_until < ?1)
             ORDER BY due_at, org_id, kind, key LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![ms(now), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    let mut claims = Vec::with_capacity(due.len());
    {
        let mut take = tx.prepare_cached(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = ?4,
               lease_until = ?5, updated_at = ?6
             WHERE org_id = ?1 AND kind = ?2 AND key = ?3 RETURNING attempts",
        )?;
        for (org, kind, key) in due {
            let attempt: i64 = take.query_row(
                params![org, kind, key, worker, ms(lease_until), ms(now)],
                |r| r.get(0),
            )?;
            claims.push(JobClaim {
                org: parse_uuid(&org)?,
                kind,
                key,
                attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
            });
        }
    }
    tx.commit()?;
    Ok(claims)
}

/// Ends `claim`'s run; `false` (nothing written) unless `worker` still holds it.
pub fn finish(
    conn: &Connection,
    claim: &JobClaim,
    worker: &str,
    finish: &JobFinish,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (state, due, detail) = match finish {
        JobFinish::Done(detail) => ("done", None, detail.as_str()),
        JobFinish::Later { at, detail } => ("waiting", Some(ms(*at)), detail.as_str()),
    };
    let changed = conn
        .prepare_cached(
            "UPDATE jobs SET state = ?6, due_at = coalesce(?7, due_at), detail = ?8,
               worker = NULL, lease_until = NULL, updated_at = ?9
             WHERE org_id = ?1 AND kind = ?2 AND key = ?3 AND state = 'running'
               AND worker = ?4 AND attempts = ?5",
        )?
        .execute(params![
            claim.org.to_string(),
            claim.kind,
            claim.key,
            worker,
            i64::from(claim.attempt),
            state,
            due,
            detail,
            ms(now),
        ])?;
    Ok(changed == 1)
}

pub fn job(
    conn: &Connection,
    org: OrgId,
    kind: &str,
    key: &str,
) -> Result<Option<JobRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT state, due_at, attempts, detail FROM jobs
             WHERE org_id = ?1 AND kind = ?2 AND key = ?3",
        )?
        .query_row(params![org.to_string(), kind, key], |r| {
            Ok(JobRow {
                state: r.get(0)?,
                due_at: from_ms(r.get(1)?),
                attempts: u32::try_from(r.get::<_, i64>(2)?).unwrap_or(u32::MAX),
                detail: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn record_reply(
    conn: &Connection,
    org: OrgId,
    contact: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO contact_replies (org_id, contact_id, replied_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (org_id, contact_id) DO UPDATE SET replied_at = excluded.replied_at
         WHERE excluded.replied_at > contact_replies.replied_at",
    )?
    .execute(params![org.to_string(), contact, ms(at)])?;
    Ok(())
}

pub fn replies(
    conn: &Connection,
    org: OrgId,
    since: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, replied_at FROM contact_replies
         WHERE org_id = ?1 AND replied_at >= ?2",
    )?;
    let rows = stmt.query_map(params![org.to_string(), ms(since)], |r| {
        Ok((r.get::<_, String>(0)?, from_ms(r.get(1)?)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn enrolments(
    conn: &Connection,
    org: OrgId,
    campaign: &str,
) -> Result<Vec<Enrolment>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT contact_id, episode, enrolled_at FROM campaign_enrolments
         WHERE org_id = ?1 AND campaign_id = ?2",
    )?;
    let rows = stmt.query_map(params![org.to_string(), campaign], |r| {
        Ok(Enrolment {
            contact: r.get(0)?,
            episode: r.get(1)?,
            enrolled_at: r.get::<_, Option<i64>>(2)?.map(from_ms),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn enrol(
    conn: &mut Connection,
    org: OrgId,
    campaign: &str,
    rows: &[Enrolment],
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO campaign_enrolments (org_id, campaign_id, contact_id, episode, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?;
        let org = org.to_string();
        for row in rows {
            stmt.execute(params![
                org,
                campaign,
                row.contact,
                row.episode,
                row.enrolled_at.map(ms)
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
