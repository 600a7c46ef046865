//! Outbound messages (intents, DESIGN decision 13): written here, offline too, and sent by the
//! sync server, which writes the result back into the same document. The device only writes a
//! message (and may delete it while it waits); it never writes a result.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{parsed, required_time, time};
use crate::store::Replica;
use fieldstone_model::{
    Contact, ContactId, Message, MessageId, MessageInput, MessageStatus, UserId,
};
use rusqlite::{params, Connection, Row};

record_kind!(
    Message,
    MessageId,
    fieldstone_doc::message,
    project_message,
    crate::records::Tables {
        main: "messages",
        children: &[],
        search: None,
    }
);

pub use fieldstone_protocol::views::{MessageSummary, MESSAGE_PAGE_MAX};

/// Characters of a message's text its list row shows.
const PREVIEW_CHARS: usize = 140;

fn preview(body: &str) -> String {
    let one_line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", one_line[..cut].trim_end()),
        None => one_line,
    }
}

fn project_message(conn: &Connection, m: &Message) -> Result<(), ReplicaError> {
    conn.prepare_cached(
        "INSERT INTO messages (id, contact_id, channel, purpose, recipient, subject, preview,
           status, reason, status_at, task_id, written_by, created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id,
           channel = excluded.channel, purpose = excluded.purpose,
           recipient = excluded.recipient, subject = excluded.subject,
           preview = excluded.preview, status = excluded.status, reason = excluded.reason,
           status_at = excluded.status_at, task_id = excluded.task_id,
           written_by = excluded.written_by, created_at = excluded.created_at,
           updated_at = excluded.updated_at, deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        m.id.to_string(),
        m.contact.to_string(),
        m.channel.as_str(),
        m.purpose.as_str(),
        m.to,
        m.subject,
        preview(&m.body),
        m.result.status.as_str(),
        m.result.reason,
        m.result.status_at.map(|t| t.timestamp_millis()),
        m.task.map(|t| t.to_string()),
        m.written_by.to_string(),
        m.created_at.timestamp_millis(),
        m.updated_at.timestamp_millis(),
        m.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    Ok(())
}

const MESSAGE_COLUMNS: &str = "id, contact_id, channel, purpose, recipient, subject, preview,
     status, reason, status_at, created_at, deleted_at";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<MessageSummary> {
    Ok(MessageSummary {
        id: parsed(row, 0)?,
        contact: parsed(row, 1)?,
        channel: parsed(row, 2)?,
        purpose: parsed(row, 3)?,
        to: row.get(4)?,
        subject: row.get(5)?,
        preview: row.get(6)?,
        status: parsed(row, 7)?,
        reason: row.get(8)?,
        status_at: time(row, 9)?,
        created_at: required_time(row, 10)?,
        deleted_at: time(row, 11)?,
    })
}

impl Replica {
    /// Validates `input` and stores a new message to `input.contact`, queued: it goes out when
    /// the sync server has it (at once when online; after the next sync when written offline).
    pub fn queue_message(&self, input: &MessageInput, by: UserId) -> Result<Message, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            let contact = input.contact;
            let known = records::get::<Contact>(tx, self.actor(), contact)?;
            if known.is_none_or(|c| c.deleted_at.is_some()) {
                return Err(ReplicaError::NotFound {
                    what: format!("contact {contact}"),
                });
            }
            let message = Message::create(
                MessageId::from_uuid(crate::batch::new_uuid()),
                input,
                by,
                now,
            );
            records::insert(tx, self.actor(), now, &message)?;
            Ok(message)
        })
    }

    /// Message `id` as stored, result included.
    pub fn get_message(&self, id: &MessageId) -> Result<Option<Message>, ReplicaError> {
        self.read::<Message>(*id)
    }

    /// Withdraws a message that still waits to be sent (kept, marked deleted, so the server
    /// learns it at the next sync and does not send it). One the server has taken is refused:
    /// it may already be with the provider.
    pub fn withdraw_message(&self, id: &MessageId) -> Result<Message, ReplicaError> {
        self.write(|tx, now| {
            records::modify::<Message>(tx, self.actor(), *id, now, |m| {
                if m.result.status != MessageStatus::Queued {
                    let mut errors = fieldstone_model::ValidationErrors::default();
                    errors.push(
                        "status",
                        format!(
                            "This message can no longer be withdrawn: its status is \"{}\".",
                            m.result.status.label()
                        ),
                    );
                    return Err(errors.into());
                }
                if m.deleted_at.is_some() {
                    return Ok(false);
                }
                m.deleted_at = Some(now);
                m.updated_at = now;
                Ok(true)
            })
        })
    }

    /// Drafts the server wrote for the user to review (due follow-ups), oldest first: Today's
    /// Ready to send. A draft whose follow-up was closed meanwhile (done by phone, skipped, the
    /// plan turned off) has nothing left to answer and is left out. A teammate's on a broker's
    /// device are not theirs to send (`crate::mine`).
    pub fn ready_to_send(&self, limit: u32) -> Result<Vec<MessageSummary>, ReplicaError> {
        let conn = self.reader();
        let mine = crate::mine::sql(fieldstone_doc::message::KIND, "id");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages
             WHERE status = 'draft' AND deleted_at IS NULL AND {mine}
               AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = messages.task_id
                                 AND (t.status <> 'pending' OR t.deleted_at IS NOT NULL))
             ORDER BY created_at, id LIMIT ?1"
        ))?;
        let rows = stmt.query_map(params![limit.min(MESSAGE_PAGE_MAX)], message_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sends draft `id` with the user's edits: one transaction queues a new message (the
    /// server's draft is never sent as it is: only the server writes its result), sets the
    /// draft aside and completes the follow-up it answers. Refused once the draft was sent or
    /// skipped (on another device too, once synced).
    pub fn send_draft(
        &self,
        id: &MessageId,
        subject: Option<String>,
        body: String,
        by: UserId,
    ) -> Result<Message, ReplicaError> {
        self.write(|tx, now| {
            let draft = open_draft(tx, self, id)?;
            let input = MessageInput {
                contact: draft.contact,
                channel: draft.channel,
                purpose: draft.purpose,
                to: draft.to.clone(),
                subject,
                body,
                body_html: None,
                task: draft.task,
            }
            .validate()?;
            let message = Message::create(
                MessageId::from_uuid(crate::batch::new_uuid()),
                input,
                by,
                now,
            );
            records::insert(tx, self.actor(), now, &message)?;
            set_draft_aside(tx, self, id, now)?;
            if let Some(task) = draft.task {
                close_task(tx, self, task, fieldstone_model::TaskStatus::Completed, now)?;
            }
            Ok(message)
        })
    }

    /// Skips draft `id`: set aside, and its follow-up skipped.
    pub fn skip_draft(&self, id: &MessageId) -> Result<(), ReplicaError> {
        self.write(|tx, now| {
            let draft = open_draft(tx, self, id)?;
            set_draft_aside(tx, self, id, now)?;
            if let Some(task) = draft.task {
                close_task(tx, self, task, fieldstone_model::TaskStatus::Skipped, now)?;
            }
            Ok(())
        })
    }

    /// The messages to `contact`, newest first (withdrawn ones too, marked), at most `limit`
    /// (≤ [`MESSAGE_PAGE_MAX`]).
    pub fn contact_messages(
        &self,
        contact: &ContactId,
        limit: u32,
    ) -> Result<Vec<MessageSummary>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE contact_id = ?1
             ORDER BY created_at DESC, id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![contact.to_string(), limit.min(MESSAGE_PAGE_MAX)],
            message_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Draft `id`, refused unless it is still a draft waiting for the user.
fn open_draft(
    tx: &rusqlite::Transaction<'_>,
    r: &Replica,
    id: &MessageId,
) -> Result<Message, ReplicaError> {
    let draft =
        records::get::<Message>(tx, r.actor(), *id)?.ok_or_else(|| ReplicaError::NotFound {
            what: format!("message {id}"),
        })?;
    if draft.result.status != MessageStatus::Draft || draft.deleted_at.is_some() {
        let mut errors = fieldstone_model::ValidationErrors::default();
        errors.push(
            "draft",
            "This draft was already sent or skipped (perhaps on another device).",
        );
        return Err(errors.into());
    }
    Ok(draft)
}

fn set_draft_aside(
    tx: &rusqlite::Transaction<'_>,
    r: &Replica,
    id: &MessageId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Message>(tx, r.actor(), *id, now, |m| {
        m.deleted_at = Some(now);
        m.updated_at = now;
        Ok(true)
    })?;
    Ok(())
}

fn close_task(
    tx: &rusqlite::Transaction<'_>,
    r: &Replica,
    id: fieldstone_model::TaskId,
    status: fieldstone_model::TaskStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ReplicaError> {
    if records::get::<fieldstone_model::Task>(tx, r.actor(), id)?.is_none() {
        return Ok(());
    }
    records::modify::<fieldstone_model::Task>(tx, r.actor(), id, now, |t| {
        let changed = t.set_status(status, now);
        if changed {
            t.updated_at = now;
        }
        Ok(changed)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn a_preview_is_one_line_and_cut_at_a_character() {
        assert_eq!(preview("Hi Ada,\n\n  Three homes."), "Hi Ada, Three homes.");
        let long = "é".repeat(PREVIEW_LEN + 10);
        let cut = preview(&long);
        assert_eq!(cut.chars().count(), PREVIEW_LEN + 1);
        assert!(cut.ends_with('…'));
    }

    const PREVIEW_LEN: usize = super::PREVIEW_CHARS;
}
