//! Interactions (calls, emails, messages, meetings): one document each, linked to a contact
//! (and maybe a listing). Logging one also moves the contact's "last contacted" forward, in the
//! same transaction.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{opt_parsed, parsed, required_time, time};
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{Contact, ContactId, Interaction, InteractionId, InteractionInput, UserId};
use rusqlite::{params, Connection, OptionalExtension, Row};

record_kind!(
    Interaction,
    InteractionId,
    fieldstone_doc::interaction,
    project_interaction,
    crate::records::Tables {
        main: "interactions",
        children: &[],
        search: None,
    }
);

pub use fieldstone_protocol::views::InteractionSummary;

fn project_interaction(conn: &Connection, i: &Interaction) -> Result<(), ReplicaError> {
    // The contact it was on before an edit, whose score loses it (issue 15's lead score).
    let before: Option<String> = conn
        .prepare_cached("SELECT contact_id FROM interactions WHERE id = ?1")?
        .query_row([i.id.to_string()], |r| r.get(0))
        .optional()?;
    conn.prepare_cached(
        "INSERT INTO interactions (id, contact_id, listing_id, channel, direction, summary,
           outcome, duration_seconds, occurred_at, logged_by, created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id,
           listing_id = excluded.listing_id, channel = excluded.channel,
           direction = excluded.direction, summary = excluded.summary,
           outcome = excluded.outcome, duration_seconds = excluded.duration_seconds,
           occurred_at = excluded.occurred_at, logged_by = excluded.logged_by,
           created_at = excluded.created_at, updated_at = excluded.updated_at,
           deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        i.id.to_string(),
        i.contact.to_string(),
        i.listing.map(|l| l.to_string()),
        i.channel.as_str(),
        i.direction.as_str(),
        i.summary,
        i.outcome,
        i.duration_seconds,
        i.occurred_at.timestamp_millis(),
        i.logged_by.to_string(),
        i.created_at.timestamp_millis(),
        i.updated_at.timestamp_millis(),
        i.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    let contact = i.contact.to_string();
    crate::score::rescore_contact(conn, &contact)?;
    if let Some(before) = before.filter(|b| *b != contact) {
        crate::score::rescore_contact(conn, &before)?;
    }
    Ok(())
}

pub(crate) const INTERACTION_COLUMNS: &str =
    "i.id, i.contact_id, i.listing_id, i.channel, i.direction, i.summary, i.outcome,
     i.duration_seconds, i.occurred_at, i.deleted_at";

pub(crate) fn interaction_from_row(row: &Row<'_>) -> rusqlite::Result<InteractionSummary> {
    Ok(InteractionSummary {
        id: parsed(row, 0)?,
        contact: parsed(row, 1)?,
        listing: opt_parsed(row, 2)?,
        channel: parsed(row, 3)?,
        direction: parsed(row, 4)?,
        summary: row.get(5)?,
        outcome: row.get(6)?,
        duration_seconds: row.get(7)?,
        occurred_at: required_time(row, 8)?,
        deleted_at: time(row, 9)?,
    })
}

/// Moves contact `contact`'s "last contacted" to `at` if that is later (in the caller's
/// transaction, so the interaction and the contact change together).
pub(crate) fn note_contacted(
    tx: &rusqlite::Transaction<'_>,
    actor: &automerge::ActorId,
    contact: ContactId,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Contact>(tx, actor, contact, now, |c| {
        let before = c.last_contacted_at;
        c.record_contacted(at);
        Ok(c.last_contacted_at != before)
    })?;
    Ok(())
}

impl Replica {
    /// Validates `input` and logs the interaction; the contact's "last contacted" moves to its
    /// time if that is later. Both documents change in one transaction.
    pub fn log_interaction(
        &self,
        input: &InteractionInput,
        by: UserId,
    ) -> Result<Interaction, ReplicaError> {
        self.batch(|b| b.log_interaction(input, by))
    }

    /// Replaces interaction `id`'s fields with `input`.
    pub fn update_interaction(
        &self,
        id: &InteractionId,
        input: &InteractionInput,
    ) -> Result<Interaction, ReplicaError> {
        let input = input.validate()?;
        let occurred_at = input.occurred_at;
        let contact = input.contact;
        self.write(|tx, now| {
            let updated = records::modify::<Interaction>(tx, self.actor(), *id, now, |i| {
                Ok(records::edit_changes(i, now, |i| {
                    let mut next = Interaction::create(i.id, input, i.logged_by, i.created_at);
                    next.deleted_at = i.deleted_at;
                    *i = next;
                }))
            })?;
            note_contacted(tx, self.actor(), contact, occurred_at, now)?;
            Ok(updated)
        })
    }

    pub fn soft_delete_interaction(&self, id: &InteractionId) -> Result<Interaction, ReplicaError> {
        self.set_deleted::<Interaction>(*id, true)
    }

    pub fn restore_interaction(&self, id: &InteractionId) -> Result<Interaction, ReplicaError> {
        self.set_deleted::<Interaction>(*id, false)
    }

    pub fn get_interaction(&self, id: &InteractionId) -> Result<Option<Interaction>, ReplicaError> {
        self.read::<Interaction>(*id)
    }
}
