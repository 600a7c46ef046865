//! The contact index's tables in PostgreSQL (see `store::contact_index`): written inside the
//! commit's transaction, filled from the stored documents when a version 6 database is
//! upgraded.

use crate::store::contact_index::{
    entry_for_bytes, fold_counts, AgentCounts, ContactIndexEntry, ContactIndexStore,
};
use crate::store::*;
use ::postgres::{Client, GenericClient};

/// Version 7's tables (created with the others: the schema is idempotent).
pub const TABLES: &str = r#"
CREATE TABLE IF NOT EXISTS contact_index (
    org_id     TEXT COLLATE "C" NOT NULL,
    contact_id TEXT COLLATE "C" NOT NULL,
    instagram  TEXT COLLATE "C",
    agent      TEXT COLLATE "C",
    stage      TEXT COLLATE "C" NOT NULL,
    deleted    BOOLEAN NOT NULL,
    PRIMARY KEY (org_id, contact_id)
);
CREATE INDEX IF NOT EXISTS contact_index_by_agent ON contact_index (org_id, agent, stage)
    WHERE NOT deleted AND agent IS NOT NULL;
CREATE INDEX IF NOT EXISTS contact_index_by_instagram ON contact_index (org_id, instagram)
    WHERE NOT deleted AND instagram IS NOT NULL;
CREATE TABLE IF NOT EXISTS contact_keys (
    org_id     TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    contact_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, key, contact_id)
);
CREATE INDEX IF NOT EXISTS contact_keys_by_contact ON contact_keys (org_id, contact_id);
"#;

/// Replaces contact `contact`'s entry, inside the caller's transaction.
pub fn upsert(
    c: &mut impl GenericClient,
    org: &str,
    contact: &str,
    entry: &ContactIndexEntry,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO contact_index (org_id, contact_id, instagram, agent, stage, deleted)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, contact_id) DO UPDATE SET instagram = excluded.instagram,
             agent = excluded.agent, stage = excluded.stage, deleted = excluded.deleted",
        &[
            &org,
            &contact,
            &entry.instagram,
            &entry.agent.map(|a| a.to_string()),
            &entry.stage,
            &entry.deleted,
        ],
    )?;
    c.execute(
        "DELETE FROM contact_keys WHERE org_id = $1 AND contact_id = $2",
        &[&org, &contact],
    )?;
    if !entry.deleted && !entry.keys.is_empty() {
        c.execute(
            "INSERT INTO contact_keys (org_id, key, contact_id)
             SELECT $1::text, k, $3::text FROM unnest($2::text[]) AS t (k) ON CONFLICT DO NOTHING",
            &[&org, &entry.keys, &contact],
        )?;
    }
    Ok(())
}

/// Indexes every stored contact document (the upgrade to version 7), inside the migration's
/// transaction, one document at a time.
pub fn backfill(c: &mut impl GenericClient) -> Result<u64, StoreError> {
    let rows = c.query(
        "SELECT org_id, doc_id, snapshot_seq FROM documents
         WHERE doc_id >= 'contact:' AND doc_id < 'contact;'",
        &[],
    )?;
    let mut done = 0;
    for row in rows {
        let org: String = row.try_get(0)?;
        let doc: String = row.try_get(1)?;
        let snapshot_seq: i64 = row.try_get(2)?;
        // Not a well-formed id: no device can name it, so nothing to find it by.
        let Ok(doc_id) = doc.parse::<DocId>() else {
            continue;
        };
        let snapshot: Vec<u8> = c
            .query_one(
                "SELECT snapshot FROM documents WHERE org_id = $1 AND doc_id = $2",
                &[&org, &doc],
            )?
            .try_get(0)?;
        let bytes = super::feed::doc_bytes(c, &org, &doc, snapshot, snapshot_seq)?;
        upsert(c, &org, doc_id.record_id(), &entry_for_bytes(&bytes))?;
        done += 1;
    }
    Ok(done)
}

pub fn contacts_matching(
    c: &mut Client,
    org: OrgId,
    keys: &[String],
    instagram: Option<&str>,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let cap = i64::try_from(limit).unwrap_or(i64::MAX);
    let handle = instagram.map(|h| h.trim().to_ascii_lowercase());
    c.query(
        "SELECT c.contact_id FROM contact_index c
         WHERE c.org_id = $1 AND NOT c.deleted AND (
             c.contact_id IN (SELECT k.contact_id FROM contact_keys k
                              WHERE k.org_id = $1 AND k.key = ANY($2))
             OR c.instagram = $3)
         ORDER BY c.contact_id LIMIT $4",
        &[&org.to_string(), &keys, &handle, &cap],
    )?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

pub fn agent_counts(c: &mut Client, org: OrgId) -> Result<Vec<(UserId, AgentCounts)>, StoreError> {
    let rows = c
        .query(
            "SELECT agent, stage, count(*) FROM contact_index
             WHERE org_id = $1 AND NOT deleted AND agent IS NOT NULL
             GROUP BY agent, stage",
            &[&org.to_string()],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    fold_counts(rows)
}

pub fn entry(
    c: &mut Client,
    org: OrgId,
    contact: &str,
) -> Result<Option<ContactIndexEntry>, StoreError> {
    let org = org.to_string();
    let Some(row) = c.query_opt(
        "SELECT instagram, agent, stage, deleted FROM contact_index
         WHERE org_id = $1 AND contact_id = $2",
        &[&org, &contact],
    )?
    else {
        return Ok(None);
    };
    let keys = c
        .query(
            "SELECT key FROM contact_keys WHERE org_id = $1 AND contact_id = $2 ORDER BY key",
            &[&org, &contact],
        )?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect::<Result<Vec<String>, StoreError>>()?;
    Ok(Some(ContactIndexEntry {
        keys,
        instagram: row.try_get(0)?,
        agent: row
            .try_get::<_, Option<&str>>(1)?
            .map(parse_uuid)
            .transpose()?,
        stage: row.try_get(2)?,
        deleted: row.try_get(3)?,
    }))
}

impl ContactIndexStore for super::PostgresStore {
    fn contacts_matching(
        &self,
        org: OrgId,
        keys: &[String],
        instagram: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.pool
            .with(|c| contacts_matching(c, org, keys, instagram, limit))
    }

    fn agent_counts(&self, org: OrgId) -> Result<Vec<(UserId, AgentCounts)>, StoreError> {
        self.pool.with(|c| agent_counts(c, org))
    }

    fn contact_index_entry(
        &self,
        org: OrgId,
        contact: &str,
    ) -> Result<Option<ContactIndexEntry>, StoreError> {
        self.pool.with(|c| entry(c, org, contact))
    }
}
