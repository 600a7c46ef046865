//! Lead routing's tables in PostgreSQL (see `store::routing`). A claim is one conditional
//! `UPDATE`: the second of two concurrent claims waits on the first's row lock, then finds the
//! row claimed (READ COMMITTED re-checks the condition) and changes nothing.

use super::ms;
use crate::store::routing::{offered_text, parse_offered};
pub use crate::store::routing::{DeviceLeadRow, LeadRoutingRow, Replace, RoutingStore};
use crate::store::*;
use ::postgres::types::ToSql;
use ::postgres::{Client, Row};

/// Version 6's tables (created with the others: the schema is idempotent).
pub const TABLES: &str = r#"
-- Version 8: open-house visitors waiting for dedupe and routing (`DeviceLeadRow`).
CREATE TABLE IF NOT EXISTS device_leads (
    org_id     TEXT COLLATE "C" NOT NULL,
    contact_id TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    visits     TEXT NOT NULL,
    queued_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, contact_id)
);
CREATE INDEX IF NOT EXISTS device_leads_by_age ON device_leads (queued_at);
CREATE TABLE IF NOT EXISTS routing_profiles (
    org_id     TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE TABLE IF NOT EXISTS routing_rules (
    org_id     TEXT COLLATE "C" PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS routing_cursors (
    org_id  TEXT COLLATE "C" NOT NULL,
    rule    TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, rule)
);
CREATE TABLE IF NOT EXISTS lead_routing (
    org_id      TEXT COLLATE "C" NOT NULL,
    contact_id  TEXT COLLATE "C" NOT NULL,
    decision    TEXT COLLATE "C" NOT NULL,
    agent       TEXT COLLATE "C",
    offered     TEXT NOT NULL,
    rule        BIGINT,
    reason      TEXT NOT NULL,
    decided_at  BIGINT NOT NULL,
    claim_until BIGINT,
    claimed_by  TEXT COLLATE "C",
    claimed_at  BIGINT,
    interaction TEXT COLLATE "C",
    PRIMARY KEY (org_id, contact_id)
);
CREATE INDEX IF NOT EXISTS lead_routing_by_agent ON lead_routing (org_id, agent);
CREATE INDEX IF NOT EXISTS lead_routing_offers ON lead_routing (org_id, decision, claim_until);
"#;

const COLUMNS: &str = "contact_id, decision, agent, offered, rule, reason, decided_at, claim_until,
    claimed_by, claimed_at, interaction";

fn to_row(r: &Row) -> Result<LeadRoutingRow, StoreError> {
    let user = |i: usize| -> Result<Option<UserId>, StoreError> {
        r.try_get::<_, Option<&str>>(i)?.map(parse_uuid).transpose()
    };
    Ok(LeadRoutingRow {
        contact: r.try_get(0)?,
        decision: r.try_get(1)?,
        agent: user(2)?,
        offered: parse_offered(r.try_get(3)?)?,
        rule: r.try_get(4)?,
        reason: r.try_get(5)?,
        decided_at: from_ms(r.try_get(6)?),
        claim_until: r.try_get::<_, Option<i64>>(7)?.map(from_ms),
        claimed_by: user(8)?,
        claimed_at: r.try_get::<_, Option<i64>>(9)?.map(from_ms),
        interaction: r.try_get(10)?,
    })
}

pub fn profile(c: &mut Client, org: OrgId, user: UserId) -> Result<Option<String>, StoreError> {
    Ok(c.query_opt(
        "SELECT body FROM routing_profiles WHERE org_id = $1 AND user_id = $2",
        &[&org.to_string(), &user.to_string()],
    )?
    .map(|r| r.try_get(0))
    .transpose()?)
}

pub fn profiles(c: &mut Client, org: OrgId) -> Result<Vec<(UserId, String)>, StoreError> {
    c.query(
        "SELECT user_id, body FROM routing_profiles WHERE org_id = $1 ORDER BY user_id",
        &[&org.to_string()],
    )?
    .iter()
    .map(|r| Ok((parse_uuid(r.try_get::<_, &str>(0)?)?, r.try_get(1)?)))
    .collect()
}

pub fn set_profile(
    c: &mut Client,
    org: OrgId,
    user: UserId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO routing_profiles (org_id, user_id, body, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        &[&org.to_string(), &user.to_string(), &body, &ms(now)],
    )?;
    Ok(())
}

pub fn rules(c: &mut Client, org: OrgId) -> Result<Option<String>, StoreError> {
    Ok(c.query_opt(
        "SELECT body FROM routing_rules WHERE org_id = $1",
        &[&org.to_string()],
    )?
    .map(|r| r.try_get(0))
    .transpose()?)
}

pub fn set_rules(
    c: &mut Client,
    org: OrgId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO routing_rules (org_id, body, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (org_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        &[&org.to_string(), &body, &ms(now)],
    )?;
    Ok(())
}

pub fn cursors(c: &mut Client, org: OrgId) -> Result<Vec<(String, UserId)>, StoreError> {
    c.query(
        "SELECT rule, user_id FROM routing_cursors WHERE org_id = $1",
        &[&org.to_string()],
    )?
    .iter()
    .map(|r| Ok((r.try_get(0)?, parse_uuid(r.try_get::<_, &str>(1)?)?)))
    .collect()
}

/// A conditional update: a second swap from the same place waits for the first's row lock,
/// then finds the cursor moved (READ COMMITTED re-checks the condition) and changes nothing.
pub fn swap_cursor(
    c: &mut Client,
    org: OrgId,
    rule: &str,
    from: Option<UserId>,
    user: UserId,
) -> Result<bool, StoreError> {
    let changed = match from {
        None => c.execute(
            "INSERT INTO routing_cursors (org_id, rule, user_id) VALUES ($1, $2, $3)
             ON CONFLICT (org_id, rule) DO NOTHING",
            &[&org.to_string(), &rule, &user.to_string()],
        )?,
        Some(from) => c.execute(
            "UPDATE routing_cursors SET user_id = $3
             WHERE org_id = $1 AND rule = $2 AND user_id = $4",
            &[
                &org.to_string(),
                &rule,
                &user.to_string(),
                &from.to_string(),
            ],
        )?,
    };
    Ok(changed == 1)
}

/// The row's values in `COLUMNS` order after the organisation ($1..$12).
struct Values {
    org: String,
    agent: Option<String>,
    offered: String,
    decided_at: i64,
    claim_until: Option<i64>,
    claimed_by: Option<String>,
    claimed_at: Option<i64>,
}

impl Values {
    fn of(org: OrgId, row: &LeadRoutingRow) -> Self {
        Values {
            org: org.to_string(),
            agent: row.agent.map(|u| u.to_string()),
            offered: offered_text(&row.offered),
            decided_at: ms(row.decided_at),
            claim_until: row.claim_until.map(ms),
            claimed_by: row.claimed_by.map(|u| u.to_string()),
            claimed_at: row.claimed_at.map(ms),
        }
    }

    fn params<'a>(&'a self, row: &'a LeadRoutingRow) -> Vec<&'a (dyn ToSql + Sync)> {
        vec![
            &self.org,
            &row.contact,
            &row.decision,
            &self.agent,
            &self.offered,
            &row.rule,
            &row.reason,
            &self.decided_at,
            &self.claim_until,
            &self.claimed_by,
            &self.claimed_at,
            &row.interaction,
        ]
    }
}

pub fn record(
    c: &mut impl ::postgres::GenericClient,
    org: OrgId,
    row: &LeadRoutingRow,
) -> Result<bool, StoreError> {
    let values = Values::of(org, row);
    Ok(c.execute(
        &format!(
            "INSERT INTO lead_routing (org_id, {COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (org_id, contact_id) DO NOTHING"
        ),
        &values.params(row),
    )? == 1)
}

pub fn replace(
    c: &mut Client,
    org: OrgId,
    row: &LeadRoutingRow,
    which: Replace,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let only = match which {
        Replace::ExpiredOffer => {
            "AND decision = 'offer' AND claimed_by IS NULL AND claim_until <= $13"
        }
        Replace::Any => "AND $13::BIGINT IS NOT NULL",
    };
    let values = Values::of(org, row);
    let now = ms(now);
    let mut params = values.params(row);
    params.push(&now);
    Ok(c.execute(
        &format!(
            "UPDATE lead_routing SET decision = $3, agent = $4, offered = $5, rule = $6,
               reason = $7, decided_at = $8, claim_until = $9, claimed_by = $10,
               claimed_at = $11, interaction = coalesce($12, interaction)
             WHERE org_id = $1 AND contact_id = $2 {only}"
        ),
        &params,
    )? == 1)
}

pub fn claim(
    c: &mut Client,
    org: OrgId,
    contact: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "UPDATE lead_routing SET agent = $3, claimed_by = $3, claimed_at = $4
         WHERE org_id = $1 AND contact_id = $2 AND claimed_by IS NULL AND agent IS NULL
           AND (decision = 'pond' OR (decision = 'offer' AND claim_until > $4))",
        &[&org.to_string(), &contact, &user.to_string(), &ms(now)],
    )? == 1)
}

pub fn one(
    c: &mut Client,
    org: OrgId,
    contact: &str,
) -> Result<Option<LeadRoutingRow>, StoreError> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM lead_routing WHERE org_id = $1 AND contact_id = $2"),
        &[&org.to_string(), &contact],
    )?
    .as_ref()
    .map(to_row)
    .transpose()
}

pub fn list(
    c: &mut Client,
    org: OrgId,
    agent: Option<UserId>,
    limit: usize,
) -> Result<Vec<LeadRoutingRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM lead_routing
             WHERE org_id = $1 AND ($2::TEXT IS NULL OR agent = $2)
             ORDER BY decided_at DESC, contact_id LIMIT $3"
        ),
        &[&org.to_string(), &agent.map(|u| u.to_string()), &limit],
    )?
    .iter()
    .map(to_row)
    .collect()
}

pub fn expired_offers(
    c: &mut Client,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<LeadRoutingRow>, StoreError> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM lead_routing WHERE org_id = $1 AND decision = 'offer'
               AND claimed_by IS NULL AND claim_until <= $2 ORDER BY claim_until LIMIT 100"
        ),
        &[&org.to_string(), &ms(now)],
    )?
    .iter()
    .map(to_row)
    .collect()
}

impl RoutingStore for PostgresStore {
    fn queue_device_leads(&self, org: OrgId, leads: &[DeviceLeadRow]) -> Result<(), StoreError> {
        self.pool.with(|c| {
            let mut tx = c.transaction()?;
            for lead in leads {
                let visits =
                    serde_json::to_string(&lead.visits).unwrap_or_else(|_| "[]".to_owned());
                tx.execute(
                    "INSERT INTO device_leads (org_id, contact_id, user_id, visits, queued_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (org_id, contact_id) DO UPDATE SET visits = excluded.visits",
                    &[
                        &org.to_string(),
                        &lead.contact,
                        &lead.user.to_string(),
                        &visits,
                        &ms(lead.queued_at),
                    ],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn device_leads(
        &self,
        before: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<(OrgId, DeviceLeadRow)>, StoreError> {
        let before = before.map_or(i64::MAX, ms);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.pool.with(|c| {
            let mut out = Vec::new();
            for r in c.query(
                "SELECT org_id, contact_id, user_id, visits, queued_at FROM device_leads
                 WHERE queued_at < $1 ORDER BY queued_at LIMIT $2",
                &[&before, &limit],
            )? {
                let corrupt = |what: &str| StoreError::Corrupt(format!("device_leads.{what}"));
                let org: String = r.try_get(0)?;
                let user: String = r.try_get(2)?;
                let visits: String = r.try_get(3)?;
                out.push((
                    org.parse().map_err(|_| corrupt("org_id"))?,
                    DeviceLeadRow {
                        contact: r.try_get(1)?,
                        user: user.parse().map_err(|_| corrupt("user_id"))?,
                        visits: serde_json::from_str(&visits).map_err(|_| corrupt("visits"))?,
                        queued_at: from_ms(r.try_get(4)?),
                    },
                ));
            }
            Ok(out)
        })
    }

    fn forget_device_lead(&self, org: OrgId, contact: &str) -> Result<(), StoreError> {
        self.pool.with(|c| {
            c.execute(
                "DELETE FROM device_leads WHERE org_id = $1 AND contact_id = $2",
                &[&org.to_string(), &contact],
            )?;
            Ok(())
        })
    }

    fn routing_profile(&self, org: OrgId, user: UserId) -> Result<Option<String>, StoreError> {
        self.pool.with(|c| profile(c, org, user))
    }

    fn routing_profiles(&self, org: OrgId) -> Result<Vec<(UserId, String)>, StoreError> {
        self.pool.with(|c| profiles(c, org))
    }

    fn set_routing_profile(
        &self,
        org: OrgId,
        user: UserId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool.with(|c| set_profile(c, org, user, body, now))
    }

    fn routing_rules(&self, org: OrgId) -> Result<Option<String>, StoreError> {
        self.pool.with(|c| rules(c, org))
    }

    fn set_routing_rules(
        &self,
        org: OrgId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool.with(|c| set_rules(c, org, body, now))
    }

    fn routing_cursors(&self, org: OrgId) -> Result<Vec<(String, UserId)>, StoreError> {
        self.pool.with(|c| cursors(c, org))
    }

    fn swap_routing_cursor(
        &self,
        org: OrgId,
        rule: &str,
        from: Option<UserId>,
        user: UserId,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| swap_cursor(c, org, rule, from, user))
    }

    fn record_lead_routing(&self, org: OrgId, row: &LeadRoutingRow) -> Result<bool, StoreError> {
        self.pool.with(|c| record(c, org, row))
    }

    fn replace_lead_routing(
        &self,
        org: OrgId,
        row: &LeadRoutingRow,
        which: Replace,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| replace(c, org, row, which, now))
    }

    fn claim_lead(
        &self,
        org: OrgId,
        contact: &str,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| claim(c, org, contact, user, now))
    }

    fn lead_routing(
        &self,
        org: OrgId,
        contact: &str,
    ) -> Result<Option<LeadRoutingRow>, StoreError> {
        self.pool.with(|c| one(c, org, contact))
    }

    fn lead_routings(
        &self,
        org: OrgId,
        agent: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<LeadRoutingRow>, StoreError> {
        self.pool.with(|c| list(c, org, agent, limit))
    }

    fn expired_offers(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<LeadRoutingRow>, StoreError> {
        self.pool.with(|c| expired_offers(c, org, now))
    }
}
