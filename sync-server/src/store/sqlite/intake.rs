//! Intake API keys and the intake event ledger in SQLite (see `store::intake`).

use super::ms;
pub use crate::store::intake::{IntakeEventRow, IntakeKeyRow};
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Version 6's tables.
pub const V6: &str = r#"
CREATE TABLE intake_keys (
    org_id       TEXT NOT NULL,
    id           TEXT NOT NULL,
    label        TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE, -- SHA-256 of the key (DESIGN decision 7)
    created_at   INTEGER NOT NULL,
    created_by   TEXT,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    PRIMARY KEY (org_id, id)
) STRICT;
CREATE TABLE intake_events (
    org_id         TEXT NOT NULL,
    channel        TEXT NOT NULL,      -- api | whatsapp | instagram
    event_id       TEXT NOT NULL,      -- the sender's id for the event
    sender         TEXT,               -- a WhatsApp number, an Instagram sender id
    contact_id     TEXT NOT NULL,
    created        INTEGER NOT NULL,   -- 1 when the event created the contact
    interaction_id TEXT NOT NULL,
    at             INTEGER NOT NULL,
    PRIMARY KEY (org_id, channel, event_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX intake_events_by_sender ON intake_events (org_id, channel, sender, at);
"#;

const KEY_COLUMNS: &str =
    "id, label, prefix, key_hash, created_at, created_by, last_used_at, revoked_at";

/// A key row whose columns start at `from`.
fn key_at(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<RawKey> {
    Ok((
        r.get(from)?,
        r.get(from + 1)?,
        r.get(from + 2)?,
        r.get(from + 3)?,
        r.get(from + 4)?,
        r.get(from + 5)?,
        r.get(from + 6)?,
        r.get(from + 7)?,
    ))
}

type RawKey = (
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn to_key(
    (id, label, prefix, key_hash, created, by, used, revoked): RawKey,
) -> Result<IntakeKeyRow, StoreError> {
    Ok(IntakeKeyRow {
        id,
        label,
        prefix,
        key_hash,
        created_at: from_ms(created),
        created_by: by.as_deref().map(parse_uuid).transpose()?,
        last_used_at: used.map(from_ms),
        revoked_at: revoked.map(from_ms),
    })
}

pub fn create_key(conn: &Connection, org: OrgId, row: &IntakeKeyRow) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO intake_keys (org_id, id, label, prefix, key_hash, created_at, created_by,
           last_used_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        org.to_string(),
        row.id,
        row.label,
        row.prefix,
        row.key_hash,
        ms(row.created_at),
        row.created_by.map(|u| u.to_string()),
        row.last_used_at.map(ms),
        row.revoked_at.map(ms)
    ])?;
    Ok(())
}

pub fn keys(conn: &Connection, org: OrgId) -> Result<Vec<IntakeKeyRow>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM intake_keys WHERE org_id = ?1 ORDER BY created_at, id"
        ))?
        .query_map(params![org.to_string()], |r| key_at(r, 0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter().map(to_key).collect()
}

pub fn key_by_hash(
    conn: &Connection,
    key_hash: &str,
) -> Result<Option<(OrgId, IntakeKeyRow)>, StoreError> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT org_id, {KEY_COLUMNS} FROM intake_keys WHERE key_hash = ?1"
        ))?
        .query_row(params![key_hash], |r| {
            Ok((r.get::<_, String>(0)?, key_at(r, 1)?))
        })
        .optional()?;
    found
        .map(|(org, raw)| Ok((parse_uuid(&org)?, to_key(raw)?)))
        .transpose()
}

/// Revoking twice keeps the first time (the evidence of when it stopped working).
pub fn revoke_key(
    conn: &Connection,
    org: OrgId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE intake_keys SET revoked_at = coalesce(revoked_at, ?3)
             WHERE org_id = ?1 AND id = ?2",
        )?
        .execute(params![org.to_string(), id, ms(now)])?
        == 1)
}

pub fn touch_key(
    conn: &Connection,
    org: OrgId,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE intake_keys SET last_used_at = ?3 WHERE org_id = ?1 AND id = ?2")?
        .execute(params![org.to_string(), id, ms(now)])?;
    Ok(())
}

type RawEvent = (String, String, Option<String>, String, i64, String, i64);

fn to_event(
    (channel, event_id, sender, contact, created, interaction, at): RawEvent,
) -> IntakeEventRow {
    IntakeEventRow {
        channel,
        event_id,
        sender,
        contact,
        created: created != 0,
        interaction,
        at: from_ms(at),
    }
}

pub fn event(
    conn: &Connection,
    org: OrgId,
    channel: &str,
    event_id: &str,
) -> Result<Option<IntakeEventRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT channel, event_id, sender, contact_id, created, interaction_id, at
             FROM intake_events WHERE org_id = ?1 AND channel = ?2 AND event_id = ?3",
        )?
        .query_row(params![org.to_string(), channel, event_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?
        .map(to_event))
}

pub fn record_event(
    conn: &Connection,
    org: OrgId,
    row: &IntakeEventRow,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO intake_events (org_id, channel, event_id, sender, contact_id, created,
               interaction_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (org_id, channel, event_id) DO NOTHING",
        )?
        .execute(params![
            org.to_string(),
            row.channel,
            row.event_id,
            row.sender,
            row.contact,
            i64::from(row.created),
            row.interaction,
            ms(row.at)
        ])?
        == 1)
}

pub fn sender_contact(
    conn: &Connection,
    org: OrgId,
    channel: &str,
    sender: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT contact_id FROM intake_events
             WHERE org_id = ?1 AND channel = ?2 AND sender = ?3 ORDER BY at DESC LIMIT 1",
        )?
        .query_row(params![org.to_string(), channel, sender], |r| r.get(0))
        .optional()?)
}
