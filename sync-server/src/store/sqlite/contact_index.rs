//! The contact index's tables in SQLite (see `store::contact_index`): written inside the
//! commit's transaction, filled from the stored documents when a version 7 file is upgraded.

use super::feed;
use crate::store::contact_index::{
    entry_for_bytes, fold_counts, AgentCounts, ContactIndexEntry, ContactIndexStore,
};
use crate::store::*;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeSet;

/// Version 8's tables.
pub const V8: &str = r#"
CREATE TABLE contact_index (
    org_id     TEXT NOT NULL,
    contact_id TEXT NOT NULL,    -- the contact's id (its document is `contact:<id>`)
    instagram  TEXT,             -- lower-cased handle
    agent      TEXT,             -- assigned_agent
    stage      TEXT NOT NULL,
    deleted    INTEGER NOT NULL, -- deleted, or unreadable as a contact
    PRIMARY KEY (org_id, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_index_by_agent ON contact_index (org_id, agent, stage)
    WHERE deleted = 0 AND agent IS NOT NULL;
CREATE INDEX contact_index_by_instagram ON contact_index (org_id, instagram)
    WHERE deleted = 0 AND instagram IS NOT NULL;
-- Email and phone match keys of contacts that are not deleted.
CREATE TABLE contact_keys (
    org_id     TEXT NOT NULL,
    key        TEXT NOT NULL,    -- `email:<lower-case address>` or `phone:<digits>`
    contact_id TEXT NOT NULL,
    PRIMARY KEY (org_id, key, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_keys_by_contact ON contact_keys (org_id, contact_id);
"#;

/// Replaces contact `contact`'s entry, inside the caller's transaction.
pub fn upsert(
    conn: &Connection,
    org: &str,
    contact: &str,
    entry: &ContactIndexEntry,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO contact_index (org_id, contact_id, instagram, agent, stage, deleted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (org_id, contact_id) DO UPDATE SET instagram = excluded.instagram,
             agent = excluded.agent, stage = excluded.stage, deleted = excluded.deleted",
    )?
    .execute(params![
        org,
        contact,
        entry.instagram,
        entry.agent.map(|a| a.to_string()),
        entry.stage,
        entry.deleted
    ])?;
    conn.prepare_cached("DELETE FROM contact_keys WHERE org_id = ?1 AND contact_id = ?2")?
        .execute(params![org, contact])?;
    if !entry.deleted {
        let mut insert = conn.prepare_cached(
            "INSERT OR IGNORE INTO contact_keys (org_id, key, contact_id) VALUES (?1, ?2, ?3)",
        )?;
        for key in &entry.keys {
            insert.execute(params![org, key, contact])?;
        }
    }
    Ok(())
}

/// Indexes every stored contact document (the upgrade to version 8), inside the caller's
/// transaction. Reads one document at a time, so memory stays flat however many there are.
pub fn backfill(conn: &Connection) -> Result<u64, StoreError> {
    let ids: Vec<(String, String)> = conn
        .prepare(
            "SELECT org_id, doc_id FROM documents WHERE doc_id >= 'contact:' AND doc_id < 'contact;'",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut done = 0;
    for (org, doc) in ids {
        let org_id: OrgId = parse_uuid(&org)?;
        // Not a well-formed id: no device can name it, so nothing to find it by.
        let Ok(doc_id) = doc.parse::<DocId>() else {
            continue;
        };
        let Some(stored) = feed::load_doc(conn, org_id, &doc_id)? else {
            continue;
        };
        upsert(
            conn,
            &org,
            doc_id.record_id(),
            &entry_for_bytes(&stored.bytes),
        )?;
        done += 1;
    }
    Ok(done)
}

pub fn contacts_matching(
    conn: &Connection,
    org: OrgId,
    keys: &[String],
    instagram: Option<&str>,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let org = org.to_string();
    let mut found = BTreeSet::new();
    let mut by_key = conn.prepare_cached(
        "SELECT k.contact_id FROM contact_keys k
         JOIN contact_index c ON c.org_id = k.org_id AND c.contact_id = k.contact_id
         WHERE k.org_id = ?1 AND k.key = ?2 AND c.deleted = 0
         ORDER BY k.contact_id LIMIT ?3",
    )?;
    let cap = i64::try_from(limit).unwrap_or(i64::MAX);
    for key in keys {
        let ids = by_key
            .query_map(params![org, key, cap], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        found.extend(ids);
    }
    if let Some(handle) = instagram.map(|h| h.trim().to_ascii_lowercase()) {
        let ids = conn
            .prepare_cached(
                "SELECT contact_id FROM contact_index
                 WHERE org_id = ?1 AND instagram = ?2 AND deleted = 0
                 ORDER BY contact_id LIMIT ?3",
            )?
            .query_map(params![org, handle, cap], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        found.extend(ids);
    }
    Ok(found.into_iter().take(limit).collect())
}

pub fn agent_counts(
    conn: &Connection,
    org: OrgId,
) -> Result<Vec<(UserId, AgentCounts)>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT agent, stage, count(*) FROM contact_index
             WHERE org_id = ?1 AND deleted = 0 AND agent IS NOT NULL
             GROUP BY agent, stage",
        )?
        .query_map(params![org.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    fold_counts(rows)
}

pub fn entry(
    conn: &Connection,
    org: OrgId,
    contact: &str,
) -> Result<Option<ContactIndexEntry>, StoreError> {
    let org = org.to_string();
    let row: Option<(Option<String>, Option<String>, String, bool)> = conn
        .prepare_cached(
            "SELECT instagram, agent, stage, deleted FROM contact_index
             WHERE org_id = ?1 AND contact_id = ?2",
        )?
        .query_row(params![org, contact], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((instagram, agent, stage, deleted)) = row else {
        return Ok(None);
    };
    let keys = conn
        .prepare_cached(
            "SELECT key FROM contact_keys WHERE org_id = ?1 AND contact_id = ?2 ORDER BY key",
        )?
        .query_map(params![org, contact], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ContactIndexEntry {
        keys,
        instagram,
        agent: agent.as_deref().map(parse_uuid).transpose()?,
        stage,
        deleted,
    }))
}

impl ContactIndexStore for super::SqliteStore {
    fn contacts_matching(
        &self,
        org: OrgId,
        keys: &[String],
        instagram: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.read(|c| contacts_matching(c, org, keys, instagram, limit))
    }

    fn agent_counts(&self, org: OrgId) -> Result<Vec<(UserId, AgentCounts)>, StoreError> {
        self.read(|c| agent_counts(c, org))
    }

    fn contact_index_entry(
        &self,
        org: OrgId,
        contact: &str,
    ) -> Result<Option<ContactIndexEntry>, StoreError> {
        self.read(|c| entry(c, org, contact))
    }
}
