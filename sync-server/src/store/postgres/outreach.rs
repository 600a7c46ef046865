//! Providers, the do-not-call list, plans and the usage ledger in PostgreSQL (see
//! `store::outreach`). Metering is atomic across server processes: the organisation's total row
//! is locked by its upsert for the rest of the transaction, so two processes cannot both take
//! the last use.

use super::ms;
use crate::store::outreach::TOTAL;
use crate::store::*;
use ::postgres::{Client, Row};

/// Version 4's tables (created with the others: the schema is idempotent).
pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS org_providers (
    org_id        TEXT COLLATE "C" NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL,
    settings      TEXT NOT NULL,
    sealed_secret BYTEA,
    updated_at    BIGINT NOT NULL,
    updated_by    TEXT,
    PRIMARY KEY (org_id, kind)
);
CREATE TABLE IF NOT EXISTS dnc_numbers (
    org_id   TEXT COLLATE "C" NOT NULL,
    number   TEXT COLLATE "C" NOT NULL,
    source   TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT,
    PRIMARY KEY (org_id, number)
);
CREATE TABLE IF NOT EXISTS org_plans (
    org_id     TEXT COLLATE "C" PRIMARY KEY,
    plan       TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_ledger (
    org_id  TEXT COLLATE "C" NOT NULL,
    period  TEXT COLLATE "C" NOT NULL,
    meter   TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (org_id, period, meter, user_id)
);
"#;

fn to_provider(r: &Row) -> Result<ProviderRow, StoreError> {
    Ok(ProviderRow {
        kind: r.try_get(0)?,
        settings: r.try_get(1)?,
        sealed_secret: r.try_get(2)?,
        updated_at: from_ms(r.try_get(3)?),
        updated_by: r
            .try_get::<_, Option<&str>>(4)?
            .map(parse_uuid)
            .transpose()?,
    })
}

pub fn set_provider(c: &mut Client, org: OrgId, row: &ProviderRow) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO org_providers (org_id, kind, settings, sealed_secret, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, kind) DO UPDATE SET settings = excluded.settings,
           sealed_secret = excluded.sealed_secret, updated_at = excluded.updated_at,
           updated_by = excluded.updated_by",
        &[
            &org.to_string(),
            &row.kind,
            &row.settings,
            &row.sealed_secret,
            &ms(row.updated_at),
            &row.updated_by.map(|u| u.to_string()),
        ],
    )?;
    Ok(())
}

pub fn provider(c: &mut Client, org: OrgId, kind: &str) -> Result<Option<ProviderRow>, StoreError> {
    c.query_opt(
        "SELECT kind, settings, sealed_secret, updated_at, updated_by FROM org_providers
         WHERE org_id = $1 AND kind = $2",
        &[&org.to_string(), &kind],
    )?
    .as_ref()
    .map(to_provider)
    .transpose()
}

pub fn providers(c: &mut Client, org: OrgId) -> Result<Vec<ProviderRow>, StoreError> {
    c.query(
        "SELECT kind, settings, sealed_secret, updated_at, updated_by FROM org_providers
         WHERE org_id = $1 ORDER BY kind",
        &[&org.to_string()],
    )?
    .iter()
    .map(to_provider)
    .collect()
}

pub fn remove_provider(c: &mut Client, org: OrgId, kind: &str) -> Result<bool, StoreError> {
    Ok(c.execute(
        "DELETE FROM org_providers WHERE org_id = $1 AND kind = $2",
        &[&org.to_string(), &kind],
    )? == 1)
}

pub fn add_dnc(c: &mut Client, org: OrgId, rows: &[DncRow]) -> Result<usize, StoreError> {
    let mut tx = c.transaction()?;
    let insert = tx.prepare(
        "INSERT INTO dnc_numbers (org_id, number, source, added_at, added_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )?;
    let org = org.to_string();
    let mut added = 0;
    for row in rows {
        added += tx.execute(
            &insert,
            &[
                &org,
                &row.number,
                &row.source,
                &ms(row.added_at),
                &row.added_by.map(|u| u.to_string()),
            ],
        )?;
    }
    tx.commit()?;
    Ok(usize::try_from(added).unwrap_or(usize::MAX))
}

pub fn remove_dnc(c: &mut Client, org: OrgId, number: &str) -> Result<bool, StoreError> {
    Ok(c.execute(
        "DELETE FROM dnc_numbers WHERE org_id = $1 AND number = $2",
        &[&org.to_string(), &number],
    )? == 1)
}

pub fn on_dnc(c: &mut Client, org: OrgId, number: &str) -> Result<bool, StoreError> {
    Ok(c.query_opt(
        "SELECT 1 FROM dnc_numbers WHERE org_id = $1 AND number = $2",
        &[&org.to_string(), &number],
    )?
    .is_some())
}

pub fn dnc(
    c: &mut Client,
    org: OrgId,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<DncRow>, StoreError> {
    c.query(
        "SELECT number, source, added_at, added_by FROM dnc_numbers
         WHERE org_id = $1 AND number > $2 ORDER BY number LIMIT $3",
        &[
            &org.to_string(),
            &after.unwrap_or(""),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )?
    .iter()
    .map(|r| {
        Ok(DncRow {
            number: r.try_get(0)?,
            source: r.try_get(1)?,
            added_at: from_ms(r.try_get(2)?),
            added_by: r
                .try_get::<_, Option<&str>>(3)?
                .map(parse_uuid)
                .transpose()?,
        })
    })
    .collect()
}

pub fn set_plan(c: &mut Client, org: OrgId, plan: &PlanRow) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO org_plans (org_id, plan, time_zone, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id) DO UPDATE SET plan = excluded.plan,
           time_zone = excluded.time_zone, updated_at = excluded.updated_at",
        &[
            &org.to_string(),
            &plan.plan,
            &plan.time_zone,
            &ms(plan.updated_at),
        ],
    )?;
    Ok(())
}

pub fn plan(c: &mut Client, org: OrgId) -> Result<Option<PlanRow>, StoreError> {
    c.query_opt(
        "SELECT plan, time_zone, updated_at FROM org_plans WHERE org_id = $1",
        &[&org.to_string()],
    )?
    .map(|r| {
        Ok(PlanRow {
            plan: r.try_get(0)?,
            time_zone: r.try_get(1)?,
            updated_at: from_ms(r.try_get(2)?),
        })
    })
    .transpose()
}

pub fn meter(c: &mut Client, org: OrgId, use_: &Metered<'_>) -> Result<Option<i64>, StoreError> {
    let mut tx = c.transaction()?;
    let org = org.to_string();
    // The upsert takes the total row's lock until commit; a second process waits here and
    // then sees this one's count.
    let total: i64 = tx
        .query_one(
            "INSERT INTO usage_ledger (org_id, period, meter, user_id, used)
             VALUES ($1, $2, $3, $4, 0)
             ON CONFLICT (org_id, period, meter, user_id) DO UPDATE SET used = usage_ledger.used
             RETURNING used",
            &[&org, &use_.period, &use_.meter, &TOTAL],
        )?
        .try_get(0)?;
    let next = total.saturating_add(use_.amount);
    if use_.amount > 0 && use_.allowance.is_some_and(|cap| next > cap) {
        return Ok(None);
    }
    let add = tx.prepare(
        "INSERT INTO usage_ledger (org_id, period, meter, user_id, used)
         VALUES ($1, $2, $3, $4, GREATEST($5::BIGINT, 0))
         ON CONFLICT (org_id, period, meter, user_id)
         DO UPDATE SET used = GREATEST(usage_ledger.used + $5::BIGINT, 0)",
    )?;
    tx.execute(
        &add,
        &[&org, &use_.period, &use_.meter, &TOTAL, &use_.amount],
    )?;
    tx.execute(
        &add,
        &[
            &org,
            &use_.period,
            &use_.meter,
            &use_.user.to_string(),
            &use_.amount,
        ],
    )?;
    tx.commit()?;
    Ok(Some(next.max(0)))
}

pub fn usage_in(c: &mut Client, org: OrgId, period: &str) -> Result<Vec<UsageRow>, StoreError> {
    c.query(
        "SELECT user_id, meter, used FROM usage_ledger
         WHERE org_id = $1 AND period = $2 ORDER BY meter, user_id",
        &[&org.to_string(), &period],
    )?
    .iter()
    .map(|r| {
        let user: &str = r.try_get(0)?;
        Ok(UsageRow {
            user: if user == TOTAL {
                None
            } else {
                Some(parse_uuid(user)?)
            },
            meter: r.try_get(1)?,
            used: r.try_get(2)?,
        })
    })
    .collect()
}
