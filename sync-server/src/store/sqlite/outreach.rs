//! Providers, the do-not-call list, plans and the usage ledger in SQLite (see
//! `store::outreach`). One writer connection: a transaction is enough to make metering atomic.

use super::ms;
use crate::store::outreach::TOTAL;
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Version 5's tables.
pub const V5: &str = r#"
CREATE TABLE org_providers (
    org_id        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    settings      TEXT NOT NULL,   -- JSON, nothing secret
    sealed_secret BLOB,            -- nonce || ciphertext (crate::secrets)
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT,
    PRIMARY KEY (org_id, kind)
) STRICT, WITHOUT ROWID;
CREATE TABLE dnc_numbers (
    org_id   TEXT NOT NULL,
    number   TEXT NOT NULL,        -- dnc_key: digits, with a leading + when it had one
    source   TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    added_by TEXT,
    PRIMARY KEY (org_id, number)
) STRICT, WITHOUT ROWID;
CREATE TABLE org_plans (
    org_id     TEXT PRIMARY KEY,
    plan       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE usage_ledger (
    org_id  TEXT NOT NULL,
    period  TEXT NOT NULL,         -- YYYY-MM in the organisation's zone
    meter   TEXT NOT NULL,
    user_id TEXT NOT NULL,         -- '*' is the organisation's total
    used    INTEGER NOT NULL,
    PRIMARY KEY (org_id, period, meter, user_id)
) STRICT, WITHOUT ROWID;
"#;

/// A provider row as read: kind, settings, sealed secret, updated at, updated by.
type RawProvider = (String, String, Option<Vec<u8>>, i64, Option<String>);

fn provider_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawProvider> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_provider(
    (kind, settings, sealed_secret, at, by): RawProvider,
) -> Result<ProviderRow, StoreError> {
    Ok(ProviderRow {
        kind,
        settings,
        sealed_secret,
        updated_at: from_ms(at),
        updated_by: by.as_deref().map(parse_uuid).transpose()?,
    })
}

pub fn set_provider(conn: &Connection, org: OrgId, row: &ProviderRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO org_providers (org_id, kind, settings, sealed_secret, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (org_id, kind) DO UPDATE SET settings = excluded.settings,
           sealed_secret = excluded.sealed_secret, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by",
    )?
    .execute(params![
        org.to_string(),
        row.kind,
        row.settings,
        row.sealed_secret,
        ms(row.updated_at),
        row.updated_by.map(|u| u.to_string())
    ])?;
    Ok(())
}

const PROVIDER_COLUMNS: &str = "kind, settings, sealed_secret, updated_at, updated_by";

pub fn provider(
    conn: &Connection,
    org: OrgId,
    kind: &str,
) -> Result<Option<ProviderRow>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {PROVIDER_COLUMNS} FROM org_providers WHERE org_id = ?1 AND kind = ?2"
    ))?
    .query_row(params![org.to_string(), kind], provider_from)
    .optional()?
    .map(to_provider)
    .transpose()
}

pub fn providers(conn: &Connection, org: OrgId) -> Result<Vec<ProviderRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PROVIDER_COLUMNS} FROM org_providers WHERE org_id = ?1 ORDER BY kind"
    ))?;
    let rows = stmt.query_map(params![org.to_string()], provider_from)?;
    rows.map(|r| to_provider(r?)).collect()
}

pub fn remove_provider(conn: &Connection, org: OrgId, kind: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM org_providers WHERE org_id = ?1 AND kind = ?2")?
        .execute(params![org.to_string(), kind])?
        == 1)
}

pub fn add_dnc(conn: &mut Connection, org: OrgId, rows: &[DncRow]) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let mut added = 0;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO dnc_numbers (org_id, number, source, added_at, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?;
        let org = org.to_string();
        for row in rows {
            added += insert.execute(params![
                org,
                row.number,
                row.source,
                ms(row.added_at),
                row.added_by.map(|u| u.to_string())
            ])?;
        }
    }
    tx.commit()?;
    Ok(added)
}

pub fn remove_dnc(conn: &Connection, org: OrgId, number: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM dnc_numbers WHERE org_id = ?1 AND number = ?2")?
        .execute(params![org.to_string(), number])?
        == 1)
}

pub fn on_dnc(conn: &Connection, org: OrgId, number: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM dnc_numbers WHERE org_id = ?1 AND number = ?2")?
        .query_row(params![org.to_string(), number], |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn dnc(
    conn: &Connection,
    org: OrgId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<DncRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, source, added_at, added_by FROM dnc_numbers
         WHERE org_id = ?1 AND number > ?2 ORDER BY number LIMIT ?3",
    )?;
    let rows = stmt.query_map(
        params![
            org.to_string(),
            after.unwrap_or(""),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    )?;
    rows.map(|r| {
        let (number, source, at, by) = r?;
        Ok(DncRow {
            number,
            source,
            added_at: from_ms(at),
            added_by: by.as_deref().map(parse_uuid).transpose()?,
        })
    })
    .collect()
}

pub fn set_plan(conn: &Connection, org: OrgId, plan: &PlanRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO org_plans (org_id, plan, time_zone, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (org_id) DO UPDATE SET plan = excluded.plan,
           time_zone = excluded.time_zone, updated_at = excluded.updated_at",
    )?
    .execute(params![
        org.to_string(),
        plan.plan,
        plan.time_zone,
        ms(plan.updated_at)
    ])?;
    Ok(())
}

pub fn plan(conn: &Connection, org: OrgId) -> Result<Option<PlanRow>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT plan, time_zone, updated_at FROM org_plans WHERE org_id = ?1")?
        .query_row(params![org.to_string()], |r| {
            Ok(PlanRow {
                plan: r.get(0)?,
                time_zone: r.get(1)?,
                updated_at: from_ms(r.get(2)?),
            })
        })
        .optional()?)
}

pub fn meter(
    conn: &mut Connection,
    org: OrgId,
    use_: &Metered<'_>,
) -> Result<Option<i64>, StoreError> {
    let tx = conn.transaction()?;
    let org = org.to_string();
    let total: i64 = tx
        .prepare_cached(
            "SELECT used FROM usage_ledger
             WHERE org_id = ?1 AND period = ?2 AND meter = ?3 AND user_id = ?4",
        )?
        .query_row(params![org, use_.period, use_.meter, TOTAL], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let next = total.saturating_add(use_.amount);
    if use_.amount > 0 && use_.allowance.is_some_and(|cap| next > cap) {
        return Ok(None);
    }
    {
        let mut add = tx.prepare_cached(
            "INSERT INTO usage_ledger (org_id, period, meter, user_id, used)
             VALUES (?1, ?2, ?3, ?4, max(?5, 0))
             ON CONFLICT (org_id, period, meter, user_id)
             DO UPDATE SET used = max(used + ?5, 0)",
        )?;
        add.execute(params![org, use_.period, use_.meter, TOTAL, use_.amount])?;
        add.execute(params![
            org,
            use_.period,
            use_.meter,
            use_.user.to_string(),
            use_.amount
        ])?;
    }
    tx.commit()?;
    Ok(Some(next.max(0)))
}

pub fn usage_in(conn: &Connection, org: OrgId, period: &str) -> Result<Vec<UsageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT user_id, meter, used FROM usage_ledger
         WHERE org_id = ?1 AND period = ?2 ORDER BY meter, user_id",
    )?;
    let rows = stmt.query_map(params![org.to_string(), period], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    rows.map(|r| {
        let (user, meter, used) = r?;
        Ok(UsageRow {
            user: if user == TOTAL {
                None
            } else {
                Some(parse_uuid(&user)?)
            },
            meter,
            used,
        })
    })
    .collect()
}
