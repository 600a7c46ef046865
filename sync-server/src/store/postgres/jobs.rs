//! The job table in PostgreSQL (see `store::jobs`). Several server processes share it: taking
//! jobs is one `UPDATE … WHERE … IN (SELECT … FOR UPDATE SKIP LOCKED)`, so a job another process
//! is taking is skipped, never run twice at once.

use super::ms;
use crate::store::jobs::{Enrolment, JobClaim, JobFinish, JobRow, JobSchedule};
use crate::store::*;
use ::postgres::{Client, GenericClient};

pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS jobs (
    org_id      TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    key         TEXT COLLATE "C" NOT NULL,
    state       TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    attempts    INTEGER NOT NULL,
    worker      TEXT,
    lease_until BIGINT,
    detail      TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, key)
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, due_at);
CREATE TABLE IF NOT EXISTS contact_replies (
    org_id     TEXT COLLATE "C" NOT NULL,
    contact_id TEXT COLLATE "C" NOT NULL,
    replied_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, contact_id)
);
CREATE TABLE IF NOT EXISTS campaign_enrolments (
    org_id      TEXT COLLATE "C" NOT NULL,
    campaign_id TEXT COLLATE "C" NOT NULL,
    contact_id  TEXT COLLATE "C" NOT NULL,
    episode     TEXT COLLATE "C" NOT NULL,
    enrolled_at BIGINT,
    PRIMARY KEY (org_id, campaign_id, contact_id, episode)
);
"#;

pub fn schedule(
    c: &mut impl GenericClient,
    org: &str,
    job: &JobSchedule,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match job.due_at {
        Some(due) => {
            c.execute(
                "INSERT INTO jobs (org_id, kind, key, state, due_at, attempts, updated_at)
                 VALUES ($1, $2, $3, 'waiting', $4, 0, $5)
                 ON CONFLICT (org_id, kind, key) DO UPDATE SET due_at = excluded.due_at,
                   updated_at = excluded.updated_at
                 WHERE jobs.state = 'waiting' AND jobs.due_at <> excluded.due_at",
                &[&org, &job.kind, &job.key, &ms(due), &ms(now)],
            )?;
        }
        None => {
            c.execute(
                "UPDATE jobs SET state = 'done', detail = 'no longer wanted', updated_at = $4
                 WHERE org_id = $1 AND kind = $2 AND key = $3 AND state = 'waiting'",
                &[&org, &job.kind, &job.key, &ms(now)],
            )?;
        }
    }
    Ok(())
}

pub fn claim(
    c: &mut Client,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<JobClaim>, StoreError> {
    let rows = c.query(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = $1,
           lease_until = $2, updated_at = $3
         WHERE (org_id, kind, key) IN (
             SELECT org_id, kind, key FROM jobs
             WHERE (state = 'waiting' AND due_at <= $3)
                OR (state = 'running' AND lease_until < $3)
             ORDER BY due_at, org_id, kind, key LIMIT $4
             FOR UPDATE SKIP LOCKED)
         RETURNING org_id, kind, key, attempts",
        &[
            &worker,
            &ms(lease_until),
            &ms(now),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )?;
    rows.iter()
        .map(|r| {
            Ok(JobClaim {
                org: parse_uuid(r.try_get::<_, &str>(0)?)?,
                kind: r.try_get(1)?,
                key: r.try_get(2)?,
                attempt: u32::try_from(r.try_get::<_, i32>(3)?).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

pub fn finish(
    c: &mut Client,
    claim: &JobClaim,
    worker: &str,
    finish: &JobFinish,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (state, due, detail) = match finish {
        JobFinish::Done(detail) => ("done", None, detail.as_str()),
        JobFinish::Later { at, detail } => ("waiting", Some(ms(*at)), detail.as_str()),
    };
    let attempt = i32::try_from(claim.attempt).unwrap_or(i32::MAX);
    let changed = c.execute(
        "UPDATE jobs SET state = $6, due_at = coalesce($7, due_at), detail = $8,
           worker = NULL, lease_until = NULL, updated_at = $9
         WHERE org_id = $1 AND kind = $2 AND key = $3 AND state = 'running'
           AND worker = $4 AND attempts = $5",
        &[
            &claim.org.to_string(),
            &claim.kind,
            &claim.key,
            &worker,
            &attempt,
            &state,
            &due,
            &detail,
            &ms(now),
        ],
    )?;
    Ok(changed == 1)
}

pub fn job(
    c: &mut Client,
    org: OrgId,
    kind: &str,
    key: &str,
) -> Result<Option<JobRow>, StoreError> {
    let Some(r) = c.query_opt(
        "SELECT state, due_at, attempts, detail FROM jobs
         WHERE org_id = $1 AND kind = $2 AND key = $3",
        &[&org.to_string(), &kind, &key],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(JobRow {
        state: r.try_get(0)?,
        due_at: from_ms(r.try_get(1)?),
        attempts: u32::try_from(r.try_get::<_, i32>(2)?).unwrap_or(u32::MAX),
        detail: r.try_get(3)?,
    }))
}

pub fn record_reply(
    c: &mut Client,
    org: OrgId,
    contact: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO contact_replies (org_id, contact_id, replied_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_id, contact_id) DO UPDATE SET replied_at = excluded.replied_at
         WHERE excluded.replied_at > contact_replies.replied_at",
        &[&org.to_string(), &contact, &ms(at)],
    )?;
    Ok(())
}

pub fn replies(
    c: &mut Client,
    org: OrgId,
    since: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    c.query(
        "SELECT contact_id, replied_at FROM contact_replies
         WHERE org_id = $1 AND replied_at >= $2",
        &[&org.to_string(), &ms(since)],
    )?
    .iter()
    .map(|r| Ok((r.try_get(0)?, from_ms(r.try_get(1)?))))
    .collect()
}

pub fn enrolments(
    c: &mut Client,
    org: OrgId,
    campaign: &str,
) -> Result<Vec<Enrolment>, StoreError> {
    c.query(
        "SELECT contact_id, episode, enrolled_at FROM campaign_enrolments
         WHERE org_id = $1 AND campaign_id = $2",
        &[&org.to_string(), &campaign],
    )?
    .iter()
    .map(|r| {
        Ok(Enrolment {
            contact: r.try_get(0)?,
            episode: r.try_get(1)?,
            enrolled_at: r.try_get::<_, Option<i64>>(2)?.map(from_ms),
        })
    })
    .collect()
}

pub fn enrol(
    c: &mut Client,
    org: OrgId,
    campaign: &str,
    rows: &[Enrolment],
) -> Result<(), StoreError> {
    let mut tx = c.transaction()?;
    let stmt = tx.prepare(
        "INSERT INTO campaign_enrolments (org_id, campaign_id, contact_id, episode, enrolled_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )?;
    let org = org.to_string();
    for row in rows {
        tx.execute(
            &stmt,
            &[
                &org,
                &campaign,
                &row.contact,
                &row.episode,
                &row.enrolled_at.map(ms),
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}
