//! Lead routing's tables in SQLite (see `store::routing`). One writer connection runs every
//! conditional update, so of two claims one changes the row and the other changes nothing.

use super::ms;
pub use crate::store::routing::{DeviceLeadRow, LeadRoutingRow, Replace, RoutingStore};
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Version 7's tables.
pub const V7: &str = r#"
CREATE TABLE routing_profiles (
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    body       TEXT NOT NULL,    -- fieldstone_model::routing::AgentProfile as JSON
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE routing_rules (
    org_id     TEXT PRIMARY KEY,
    body       TEXT NOT NULL,    -- fieldstone_model::routing::RoutingRules as JSON
    updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE routing_cursors (
    org_id  TEXT NOT NULL,
    rule    TEXT NOT NULL,       -- the round-robin rule's name
    user_id TEXT NOT NULL,       -- who it gave its last lead to
    PRIMARY KEY (org_id, rule)
) STRICT, WITHOUT ROWID;
CREATE TABLE lead_routing (
    org_id      TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    decision    TEXT NOT NULL,   -- agent | offer | pond | assigned
    agent       TEXT,
    offered     TEXT NOT NULL,   -- JSON array of user ids
    rule        INTEGER,
    reason      TEXT NOT NULL,
    decided_at  INTEGER NOT NULL,
    claim_until INTEGER,
    claimed_by  TEXT,
    claimed_at  INTEGER,
    interaction TEXT,
    PRIMARY KEY (org_id, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX lead_routing_by_agent ON lead_routing (org_id, agent);
CREATE INDEX lead_routing_offers ON lead_routing (org_id, decision, claim_until);
"#;

/// Version 9: open-house visitors waiting for dedupe and routing (`DeviceLeadRow`).
pub const V9: &str = r#"
CREATE TABLE device_leads (
    org_id     TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    visits     TEXT NOT NULL,    -- JSON array of interaction ids
    queued_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_leads_by_age ON device_leads (queued_at);
"#;

fn queue_device_leads(
    conn: &Connection,
    org: OrgId,
    leads: &[DeviceLeadRow],
) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO device_leads (org_id, contact_id, user_id, visits, queued_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (org_id, contact_id) DO UPDATE SET visits = excluded.visits",
    )?;
    for lead in leads {
        insert.execute(params![
            org.to_string(),
            lead.contact,
            lead.user.to_string(),
            serde_json::to_string(&lead.visits).unwrap_or_else(|_| "[]".to_owned()),
            ms(lead.queued_at)
        ])?;
    }
    Ok(())
}

fn device_leads(
    conn: &Connection,
    before: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<(OrgId, DeviceLeadRow)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT org_id, contact_id, user_id, visits, queued_at FROM device_leads
         WHERE queued_at < ?1 ORDER BY queued_at LIMIT ?2",
    )?;
    let before = before.map_or(i64::MAX, ms);
    let rows = stmt.query_map(params![before, limit as i64], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (org, contact, user, visits, at) = row?;
        let corrupt = |what: &str| StoreError::Corrupt(format!("device_leads.{what}"));
        out.push((
            org.parse().map_err(|_| corrupt("org_id"))?,
            DeviceLeadRow {
                contact,
                user: user.parse().map_err(|_| corrupt("user_id"))?,
                visits: serde_json::from_str(&visits).map_err(|_| corrupt("visits"))?,
                queued_at: from_ms(at),
            },
        ));
    }
    Ok(out)
}

const COLUMNS: &str = "contact_id, decision, agent, offered, rule, reason, decided_at, claim_until,
    claimed_by, claimed_at, interaction";

type Raw = (
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn to_row(
    (contact, decision, agent, offered, rule, reason, at, until, by, claimed, inter): Raw,
) -> Result<LeadRoutingRow, StoreError> {
    Ok(LeadRoutingRow {
        contact,
        decision,
        agent: agent.as_deref().map(parse_uuid).transpose()?,
        offered: super::super::routing::parse_offered(&offered)?,
        rule,
        reason,
        decided_at: from_ms(at),
        claim_until: until.map(from_ms),
        claimed_by: by.as_deref().map(parse_uuid).transpose()?,
        claimed_at: claimed.map(from_ms),
        interaction: inter,
    })
}

pub fn profile(conn: &Connection, org: OrgId, user: UserId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT body FROM routing_profiles WHERE org_id = ?1 AND user_id = ?2")?
        .query_row(params![org.to_string(), user.to_string()], |r| r.get(0))
        .optional()?)
}

pub fn profiles(conn: &Connection, org: OrgId) -> Result<Vec<(UserId, String)>, StoreError> {
    let raw = conn
        .prepare_cached(
            "SELECT user_id, body FROM routing_profiles WHERE org_id = ?1 ORDER BY user_id",
        )?
        .query_map(params![org.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|(user, body)| Ok((parse_uuid(&user)?, body)))
        .collect()
}

pub fn set_profile(
    conn: &Connection,
    org: OrgId,
    user: UserId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO routing_profiles (org_id, user_id, body, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (org_id, user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![org.to_string(), user.to_string(), body, ms(now)])?;
    Ok(())
}

pub fn rules(conn: &Connection, org: OrgId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT body FROM routing_rules WHERE org_id = ?1")?
        .query_row(params![org.to_string()], |r| r.get(0))
        .optional()?)
}

pub fn set_rules(
    conn: &Connection,
    org: OrgId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO routing_rules (org_id, body, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (org_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
    )?
    .execute(params![org.to_string(), body, ms(now)])?;
    Ok(())
}

pub fn cursors(conn: &Connection, org: OrgId) -> Result<Vec<(String, UserId)>, StoreError> {
    let raw = conn
        .prepare_cached("SELECT rule, user_id FROM routing_cursors WHERE org_id = ?1")?
        .query_map(params![org.to_string()], |r| {
            Ok((r.get(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    raw.into_iter()
        .map(|(rule, user)| Ok((rule, parse_uuid(&user)?)))
        .collect()
}

pub fn swap_cursor(
    conn: &Connection,
    org: OrgId,
    rule: &str,
    from: Option<UserId>,
    user: UserId,
) -> Result<bool, StoreError> {
    let changed = match from {
        None => conn
            .prepare_cached(
                "INSERT INTO routing_cursors (org_id, rule, user_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (org_id, rule) DO NOTHING",
            )?
            .execute(params![org.to_string(), rule, user.to_string()])?,
        Some(from) => conn
            .prepare_cached(
                "UPDATE routing_cursors SET user_id = ?3
                 WHERE org_id = ?1 AND rule = ?2 AND user_id = ?4",
            )?
            .execute(params![
                org.to_string(),
                rule,
                user.to_string(),
                from.to_string()
            ])?,
    };
    Ok(changed == 1)
}

fn values(org: OrgId, row: &LeadRoutingRow) -> Vec<Box<dyn rusqlite::ToSql>> {
    vec![
        Box::new(org.to_string()),
        Box::new(row.contact.clone()),
        Box::new(row.decision.clone()),
        Box::new(row.agent.map(|u| u.to_string())),
        Box::new(super::super::routing::offered_text(&row.offered)),
        Box::new(row.rule),
        Box::new(row.reason.clone()),
        Box::new(ms(row.decided_at)),
        Box::new(row.claim_until.map(ms)),
        Box::new(row.claimed_by.map(|u| u.to_string())),
        Box::new(row.claimed_at.map(ms)),
        Box::new(row.interaction.clone()),
    ]
}

/// Inserts `row` unless the lead was routed already (the first decision stands).
pub fn record(conn: &Connection, org: OrgId, row: &LeadRoutingRow) -> Result<bool, StoreError> {
    let values = values(org, row);
    Ok(conn
        .prepare_cached(&format!(
            "INSERT INTO lead_routing (org_id, {COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (org_id, contact_id) DO NOTHING"
        ))?
        .execute(rusqlite::params_from_iter(values.iter()))?
        == 1)
}

pub fn replace(
    conn: &Connection,
    org: OrgId,
    row: &LeadRoutingRow,
    which: Replace,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let only = match which {
        Replace::ExpiredOffer => {
            "AND decision = 'offer' AND claimed_by IS NULL AND claim_until <= ?13"
        }
        Replace::Any => "AND ?13 IS NOT NULL",
    };
    let mut values = values(org, row);
    values.push(Box::new(ms(now)));
    Ok(conn
        .prepare_cached(&format!(
            "UPDATE lead_routing SET decision = ?3, agent = ?4, offered = ?5, rule = ?6,
               reason = ?7, decided_at = ?8, claim_until = ?9, claimed_by = ?10,
               claimed_at = ?11, interaction = coalesce(?12, interaction)
             WHERE org_id = ?1 AND contact_id = ?2 {only}"
        ))?
        .execute(rusqlite::params_from_iter(values.iter()))?
        == 1)
}

/// The claim: only a lead nobody has, offered and still waiting, or in the pond.
pub fn claim(
    conn: &Connection,
    org: OrgId,
    contact: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE lead_routing SET agent = ?3, claimed_by = ?3, claimed_at = ?4
             WHERE org_id = ?1 AND contact_id = ?2 AND claimed_by IS NULL AND agent IS NULL
               AND (decision = 'pond' OR (decision = 'offer' AND claim_until > ?4))",
        )?
        .execute(params![org.to_string(), contact, user.to_string(), ms(now)])?
        == 1)
}

pub fn one(
    conn: &Connection,
    org: OrgId,
    contact: &str,
) -> Result<Option<LeadRoutingRow>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM lead_routing WHERE org_id = ?1 AND contact_id = ?2"
    ))?
    .query_row(params![org.to_string(), contact], raw)
    .optional()?
    .map(to_row)
    .transpose()
}

/// The newest rows first; `agent`: only theirs (`None`: all).
pub fn list(
    conn: &Connection,
    org: OrgId,
    agent: Option<UserId>,
    limit: usize,
) -> Result<Vec<LeadRoutingRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM lead_routing WHERE org_id = ?1 AND (?2 IS NULL OR agent = ?2)
             ORDER BY decided_at DESC, contact_id LIMIT ?3"
        ))?
        .query_map(
            params![org.to_string(), agent.map(|u| u.to_string()), limit],
            raw,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter().map(to_row).collect()
}

/// Offers nobody claimed whose time is over.
pub fn expired_offers(
    conn: &Connection,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<LeadRoutingRow>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM lead_routing WHERE org_id = ?1 AND decision = 'offer'
               AND claimed_by IS NULL AND claim_until <= ?2 ORDER BY claim_until LIMIT 100"
        ))?
        .query_map(params![org.to_string(), ms(now)], raw)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter().map(to_row).collect()
}

impl RoutingStore for SqliteStore {
    fn queue_device_leads(&self, org: OrgId, leads: &[DeviceLeadRow]) -> Result<(), StoreError> {
        // In the group commit, ahead of the push's own job: queued before its documents.
        let leads = leads.to_vec();
        super::group::execute(self, move |c| queue_device_leads(c, org, &leads))
    }

    fn device_leads(
        &self,
        before: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<(OrgId, DeviceLeadRow)>, StoreError> {
        self.read(|c| device_leads(c, before, limit))
    }

    fn forget_device_lead(&self, org: OrgId, contact: &str) -> Result<(), StoreError> {
        let contact = contact.to_owned();
        super::group::execute(self, move |c| {
            c.prepare_cached("DELETE FROM device_leads WHERE org_id = ?1 AND contact_id = ?2")?
                .execute(params![org.to_string(), contact])?;
            Ok(())
        })
    }

    fn routing_profile(&self, org: OrgId, user: UserId) -> Result<Option<String>, StoreError> {
        self.read(|c| profile(c, org, user))
    }

    fn routing_profiles(&self, org: OrgId) -> Result<Vec<(UserId, String)>, StoreError> {
        self.read(|c| profiles(c, org))
    }

    fn set_routing_profile(
        &self,
        org: OrgId,
        user: UserId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let w = self.writer();
        let c = &w.conn;
        set_profile(c, org, user, body, now)
    }

    fn routing_rules(&self, org: OrgId) -> Result<Option<String>, StoreError> {
        self.read(|c| rules(c, org))
    }

    fn set_routing_rules(
        &self,
        org: OrgId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let w = self.writer();
        let c = &w.conn;
        set_rules(c, org, body, now)
    }

    fn routing_cursors(&self, org: OrgId) -> Result<Vec<(String, UserId)>, StoreError> {
        self.read(|c| cursors(c, org))
    }

    fn swap_routing_cursor(
        &self,
        org: OrgId,
        rule: &str,
        from: Option<UserId>,
        user: UserId,
    ) -> Result<bool, StoreError> {
        // In the group commit: every lead a round-robin rule routes writes this. The one
        // writer runs the conditional update, so of two swaps from one place one takes.
        let rule = rule.to_owned();
        super::group::execute(self, move |c| swap_cursor(c, org, &rule, from, user))
    }

    fn record_lead_routing(&self, org: OrgId, row: &LeadRoutingRow) -> Result<bool, StoreError> {
        let row = row.clone();
        super::group::execute(self, move |c| record(c, org, &row))
    }

    fn replace_lead_routing(
        &self,
        org: OrgId,
        row: &LeadRoutingRow,
        which: Replace,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let w = self.writer();
        let c = &w.conn;
        replace(c, org, row, which, now)
    }

    fn claim_lead(
        &self,
        org: OrgId,
        contact: &str,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let w = self.writer();
        let c = &w.conn;
        claim(c, org, contact, user, now)
    }

    fn lead_routing(
        &self,
        org: OrgId,
        contact: &str,
    ) -> Result<Option<LeadRoutingRow>, StoreError> {
        self.read(|c| one(c, org, contact))
    }

    fn lead_routings(
        &self,
        org: OrgId,
        agent: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<LeadRoutingRow>, StoreError> {
        self.read(|c| list(c, org, agent, limit))
    }

    fn expired_offers(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<LeadRoutingRow>, StoreError> {
        self.read(|c| expired_offers(c, org, now))
    }
}
