//! Quotas' running totals, actors across organisations, and the audit log, in SQLite.

use super::ms;
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

pub fn usage(conn: &Connection, org: OrgId, user: UserId) -> Result<Usage, StoreError> {
    let org = org.to_string();
    let (user_docs, user_bytes): (i64, i64) = conn
        .prepare_cached("SELECT docs, bytes FROM usage WHERE org_id = ?1 AND user_id = ?2")?
        .query_row(params![org, user.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or((0, 0));
    let (org_docs, org_bytes): (i64, i64) = conn
        .prepare_cached(
            "SELECT coalesce(sum(docs), 0), coalesce(sum(bytes), 0) FROM usage WHERE org_id = ?1",
        )?
        .query_row(params![org], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(Usage {
        user_docs: n(user_docs),
        user_bytes: n(user_bytes),
        org_docs: n(org_docs),
        org_bytes: n(org_bytes),
    })
}

/// Adds a write's documents and bytes to its writer's totals (inside the commit's transaction).
pub fn add_usage(
    conn: &Connection,
    org: &str,
    user: &str,
    docs: u64,
    bytes: u64,
) -> Result<(), StoreError> {
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT INTO usage (org_id, user_id, docs, bytes) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (org_id, user_id) DO UPDATE
         SET docs = docs + excluded.docs, bytes = bytes + excluded.bytes",
    )?
    .execute(params![org, user, i(docs), i(bytes)])?;
    Ok(())
}

pub fn actors_elsewhere(
    conn: &Connection,
    org: OrgId,
    actors: &[Vec<u8>],
) -> Result<bool, StoreError> {
    let org = org.to_string();
    let mut stmt =
        conn.prepare_cached("SELECT 1 FROM actors WHERE actor = ?1 AND org_id <> ?2 LIMIT 1")?;
    for actor in actors {
        if stmt.exists(params![actor, org])? {
            return Ok(true);
        }
    }
    Ok(false)
}

pub fn record(conn: &Connection, org: OrgId, e: &AuditEvent) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (org_id, at, kind, user_id, subject, detail, ip)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        org.to_string(),
        ms(e.at),
        e.kind,
        e.user.map(|u| u.to_string()),
        e.subject,
        e.detail,
        e.ip
    ])?;
    Ok(())
}

pub fn log(
    conn: &Connection,
    org: OrgId,
    before: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, kind, user_id, subject, detail, ip FROM audit_log
         WHERE org_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![
            org.to_string(),
            before.unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        },
    )?;
    rows.map(|row| {
        let (id, at, kind, user, subject, detail, ip) = row?;
        Ok(AuditRow {
            id,
            event: AuditEvent {
                at: from_ms(at),
                kind,
                user: user.as_deref().map(parse_uuid).transpose()?,
                subject,
                detail,
                ip,
            },
        })
    })
    .collect()
}

pub fn remember_device(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO known_devices (token_hash, org_id, user_id, created_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        token_hash,
        org.to_string(),
        user.to_string(),
        ms(now)
    ])?;
    Ok(())
}

pub fn known_device(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<(OrgId, UserId, DateTime<Utc>)>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT org_id, user_id, created_at FROM known_devices WHERE token_hash = ?1",
        )?
        .query_row(params![token_hash], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    row.map(|(org, user, at)| Ok((parse_uuid(&org)?, parse_uuid(&user)?, from_ms(at))))
        .transpose()
}
