//! Intake API keys and the intake event ledger in PostgreSQL (see `store::intake`). Two
//! server processes recording the same event race on the primary key: one row wins, and the
//! loser reads it.

use super::ms;
pub use crate::store::intake::{IntakeEventRow, IntakeKeyRow};
use crate::store::*;
use ::postgres::{Client, GenericClient, Row};

/// Version 5's tables (created with the others: the schema is idempotent).
pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS intake_keys (
    org_id       TEXT COLLATE "C" NOT NULL,
    id           TEXT COLLATE "C" NOT NULL,
    label        TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    created_by   TEXT,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    PRIMARY KEY (org_id, id)
);
CREATE TABLE IF NOT EXISTS intake_events (
    org_id         TEXT COLLATE "C" NOT NULL,
    channel        TEXT COLLATE "C" NOT NULL,
    event_id       TEXT COLLATE "C" NOT NULL,
    sender         TEXT COLLATE "C",
    contact_id     TEXT COLLATE "C" NOT NULL,
    created        BOOLEAN NOT NULL,
    interaction_id TEXT COLLATE "C" NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (org_id, channel, event_id)
);
CREATE INDEX IF NOT EXISTS intake_events_by_sender ON intake_events (org_id, channel, sender, at);
"#;

const KEY_COLUMNS: &str =
    "id, label, prefix, key_hash, created_at, created_by, last_used_at, revoked_at";

/// A key row whose columns start at `from`.
fn to_key(r: &Row, from: usize) -> Result<IntakeKeyRow, StoreError> {
    Ok(IntakeKeyRow {
        id: r.try_get(from)?,
        label: r.try_get(from + 1)?,
        prefix: r.try_get(from + 2)?,
        key_hash: r.try_get(from + 3)?,
        created_at: from_ms(r.try_get(from + 4)?),
        created_by: r
            .try_get::<_, Option<&str>>(from + 5)?
            .map(parse_uuid)
            .transpose()?,
        last_used_at: r.try_get::<_, Option<i64>>(from + 6)?.map(from_ms),
        revoked_at: r.try_get::<_, Option<i64>>(from + 7)?.map(from_ms),
    })
}

pub fn create_key(c: &mut Client, org: OrgId, row: &IntakeKeyRow) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO intake_keys (org_id, id, label, prefix, key_hash, created_at, created_by,
           last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &org.to_string(),
            &row.id,
            &row.label,
            &row.prefix,
            &row.key_hash,
            &ms(row.created_at),
            &row.created_by.map(|u| u.to_string()),
            &row.last_used_at.map(ms),
            &row.revoked_at.map(ms),
        ],
    )?;
    Ok(())
}

pub fn keys(c: &mut Client, org: OrgId) -> Result<Vec<IntakeKeyRow>, StoreError> {
    c.query(
        &format!("SELECT {KEY_COLUMNS} FROM intake_keys WHERE org_id = $1 ORDER BY created_at, id"),
        &[&org.to_string()],
    )?
    .iter()
    .map(|r| to_key(r, 0))
    .collect()
}

pub fn key_by_hash(
    c: &mut Client,
    key_hash: &str,
) -> Result<Option<(OrgId, IntakeKeyRow)>, StoreError> {
    c.query_opt(
        &format!("SELECT org_id, {KEY_COLUMNS} FROM intake_keys WHERE key_hash = $1"),
        &[&key_hash],
    )?
    .map(|r| Ok((parse_uuid(r.try_get::<_, &str>(0)?)?, to_key(&r, 1)?)))
    .transpose()
}

pub fn revoke_key(
    c: &mut Client,
    org: OrgId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "UPDATE intake_keys SET revoked_at = coalesce(revoked_at, $3)
         WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &id, &ms(now)],
    )? == 1)
}

pub fn touch_key(
    c: &mut Client,
    org: OrgId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "UPDATE intake_keys SET last_used_at = $3 WHERE org_id = $1 AND id = $2",
        &[&org.to_string(), &id, &ms(now)],
    )?;
    Ok(())
}

pub fn event(
    c: &mut Client,
    org: OrgId,
    channel: &str,
    event_id: &str,
) -> Result<Option<IntakeEventRow>, StoreError> {
    c.query_opt(
        "SELECT channel, event_id, sender, contact_id, created, interaction_id, at
         FROM intake_events WHERE org_id = $1 AND channel = $2 AND event_id = $3",
        &[&org.to_string(), &channel, &event_id],
    )?
    .map(|r| {
        Ok(IntakeEventRow {
            channel: r.try_get(0)?,
            event_id: r.try_get(1)?,
            sender: r.try_get(2)?,
            contact: r.try_get(3)?,
            created: r.try_get(4)?,
            interaction: r.try_get(5)?,
            at: from_ms(r.try_get(6)?),
        })
    })
    .transpose()
}

pub fn record_event(
    c: &mut impl GenericClient,
    org: OrgId,
    row: &IntakeEventRow,
) -> Result<bool, StoreError> {
    Ok(c.execute(
        "INSERT INTO intake_events (org_id, channel, event_id, sender, contact_id, created,
           interaction_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (org_id, channel, event_id) DO NOTHING",
        &[
            &org.to_string(),
            &row.channel,
            &row.event_id,
            &row.sender,
            &row.contact,
            &row.created,
            &row.interaction,
            &ms(row.at),
        ],
    )? == 1)
}

pub fn sender_contact(
    c: &mut Client,
    org: OrgId,
    channel: &str,
    sender: &str,
) -> Result<Option<String>, StoreError> {
    Ok(c.query_opt(
        "SELECT contact_id FROM intake_events
         WHERE org_id = $1 AND channel = $2 AND sender = $3 ORDER BY at DESC LIMIT 1",
        &[&org.to_string(), &channel, &sender],
    )?
    .map(|r| r.try_get(0))
    .transpose()?)
}
