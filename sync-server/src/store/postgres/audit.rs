//! Quotas' running totals, actors across organisations, and the audit log, in PostgreSQL.

use super::ms;
use crate::store::*;
use ::postgres::{Client, GenericClient};

pub fn usage(c: &mut Client, org: OrgId, user: UserId) -> Result<Usage, StoreError> {
    let org = org.to_string();
    let (user_docs, user_bytes): (i64, i64) = c
        .query_opt(
            "SELECT docs, bytes FROM usage WHERE org_id = $1 AND user_id = $2",
            &[&org, &user.to_string()],
        )?
        .map(|r| Ok::<_, ::postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?
        .unwrap_or((0, 0));
    let row = c.query_one(
        "SELECT coalesce(sum(docs), 0)::bigint, coalesce(sum(bytes), 0)::bigint
         FROM usage WHERE org_id = $1",
        &[&org],
    )?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(Usage {
        user_docs: n(user_docs),
        user_bytes: n(user_bytes),
        org_docs: n(row.try_get(0)?),
        org_bytes: n(row.try_get(1)?),
    })
}

/// Adds a write's documents and bytes to its writer's totals (inside the commit's transaction).
pub fn add_usage(
    tx: &mut impl GenericClient,
    org: &str,
    user: &str,
    docs: u64,
    bytes: u64,
) -> Result<(), StoreError> {
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO usage (org_id, user_id, docs, bytes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO UPDATE
         SET docs = usage.docs + excluded.docs, bytes = usage.bytes + excluded.bytes",
        &[&org, &user, &i(docs), &i(bytes)],
    )?;
    Ok(())
}

pub fn actors_elsewhere(
    c: &mut Client,
    org: OrgId,
    actors: &[Vec<u8>],
) -> Result<bool, StoreError> {
    if actors.is_empty() {
        return Ok(false);
    }
    Ok(c.query_opt(
        "SELECT 1 FROM actors WHERE actor = ANY($1) AND org_id <> $2 LIMIT 1",
        &[&actors, &org.to_string()],
    )?
    .is_some())
}

pub fn record(c: &mut Client, org: OrgId, e: &AuditEvent) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO audit_log (org_id, at, kind, user_id, subject, detail, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &org.to_string(),
            &ms(e.at),
            &e.kind,
            &e.user.map(|u| u.to_string()),
            &e.subject,
            &e.detail,
            &e.ip,
        ],
    )?;
    Ok(())
}

pub fn log(
    c: &mut Client,
    org: OrgId,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditRow>, StoreError> {
    let rows = c.query(
        "SELECT id, at, kind, user_id, subject, detail, ip FROM audit_log
         WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        &[
            &org.to_string(),
            &before.unwrap_or(i64::MAX),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get(0)?,
                event: AuditEvent {
                    at: from_ms(r.try_get(1)?),
                    kind: r.try_get(2)?,
                    user: r
                        .try_get::<_, Option<&str>>(3)?
                        .map(parse_uuid)
                        .transpose()?,
                    subject: r.try_get(4)?,
                    detail: r.try_get(5)?,
                    ip: r.try_get(6)?,
                },
            })
        })
        .collect()
}

pub fn remember_device(
    c: &mut Client,
    org: OrgId,
    user: UserId,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO known_devices (token_hash, org_id, user_id, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        &[&token_hash, &org.to_string(), &user.to_string(), &ms(now)],
    )?;
    Ok(())
}

pub fn known_device(
    c: &mut Client,
    token_hash: &str,
) -> Result<Option<(OrgId, UserId, DateTime<Utc>)>, StoreError> {
    c.query_opt(
        "SELECT org_id, user_id, created_at FROM known_devices WHERE token_hash = $1",
        &[&token_hash],
    )?
    .map(|r| {
        Ok((
            parse_uuid(r.try_get::<_, &str>(0)?)?,
            parse_uuid(r.try_get::<_, &str>(1)?)?,
            from_ms(r.try_get(2)?),
        ))
    })
    .transpose()
}
