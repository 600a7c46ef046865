//! Leads: writes go document → read model → outbox in one transaction; reads come from SQLite.

use crate::error::ReplicaError;
use crate::store::{enqueue, save_doc, Replica};
use automerge::AutoCommit;
use chrono::DateTime;
use fieldstone_doc::lead as lead_doc;
use fieldstone_model::{Lead, LeadId, LeadInput};
use fieldstone_protocol::DocId;
use rusqlite::{params, Connection, OptionalExtension, Row};

pub fn lead_doc_id(id: &LeadId) -> Result<DocId, ReplicaError> {
    DocId::new(lead_doc::KIND, id)
        .map_err(|e| ReplicaError::doc(&e.0, fieldstone_doc::DocError::InvalidValue(e.to_string())))
}

impl Replica {
    /// Validates `input`, then stores the new lead durably. When this returns `Ok`, the lead
    /// survives a crash and is queued for sync.
    pub fn create_lead(&self, input: &LeadInput) -> Result<Lead, ReplicaError> {
        let input = input.validate()?;
        let now = self.now_ms();
        let lead = Lead {
            id: LeadId::from_uuid(uuid::Uuid::new_v4()),
            name: input.name,
            email: input.email,
            phone: input.phone,
            stage: input.stage,
            created_at: now,
            updated_at: now,
        };
        let doc_id = lead_doc_id(&lead.id)?;
        let (mut doc, change) = lead_doc::create(self.actor().clone(), &lead)
            .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        save_doc(&tx, &doc_id, &mut doc, now.timestamp_millis())?;
        upsert_row(&tx, &lead)?;
        enqueue(&tx, &doc_id, &change)?;
        tx.commit()?;
        Ok(lead)
    }

    /// Every lead, newest first. Reads the read model only.
    pub fn list_leads(&self) -> Result<Vec<Lead>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, name, email, phone, stage, created_at, updated_at
             FROM leads ORDER BY created_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], from_row)?;
        rows.map(|r| r.map_err(ReplicaError::from)).collect()
    }

    pub fn get_lead(&self, id: &LeadId) -> Result<Option<Lead>, ReplicaError> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT id, name, email, phone, stage, created_at, updated_at
                 FROM leads WHERE id = ?1",
                [id.to_string()],
                from_row,
            )
            .optional()?)
    }
}

/// Re-projects a lead document into the read model after remote changes were merged into it.
pub(crate) fn project(
    conn: &Connection,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<(), ReplicaError> {
    let lead = lead_doc::read(doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    upsert_row(conn, &lead)
}

fn upsert_row(conn: &Connection, lead: &Lead) -> Result<(), ReplicaError> {
    conn.execute(
        "INSERT INTO leads (id, name, email, phone, stage, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,
           phone = excluded.phone, stage = excluded.stage, created_at = excluded.created_at,
           updated_at = excluded.updated_at",
        params![
            lead.id.to_string(),
            lead.name,
            lead.email,
            lead.phone,
            lead.stage.as_str(),
            lead.created_at.timestamp_millis(),
            lead.updated_at.timestamp_millis(),
        ],
    )?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Lead> {
    fn bad(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
    }
    let time = |col: usize| -> rusqlite::Result<_> {
        let ms: i64 = row.get(col)?;
        DateTime::from_timestamp_millis(ms).ok_or(rusqlite::Error::IntegralValueOutOfRange(col, ms))
    };
    Ok(Lead {
        id: row.get::<_, String>(0)?.parse().map_err(|e| bad(0, e))?,
        name: row.get(1)?,
        email: row.get(2)?,
        phone: row.get(3)?,
        stage: row.get::<_, String>(4)?.parse().map_err(|e| bad(4, e))?,
        created_at: time(5)?,
        updated_at: time(6)?,
    })
}
