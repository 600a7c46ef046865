//! A contact's timeline: its notes, interactions, bookings and tasks, newest first, in pages.

use crate::bookings::{booking_from_row, BOOKING_COLUMNS};
use crate::error::ReplicaError;
use crate::interactions::{interaction_from_row, INTERACTION_COLUMNS};
use crate::notes::{note_from_row, NOTE_COLUMNS};
use crate::store::Replica;
use crate::tasks::{task_from_row, TASK_COLUMNS};
use fieldstone_model::{ContactId, ValidationErrors};
use rusqlite::{params, Connection, Row};

pub use fieldstone_protocol::views::{
    TimelineCursor, TimelineEntry, TimelinePage, TIMELINE_PAGE_MAX,
};

/// Runs one source's query for entries older than `before`, newest first.
fn older<T>(
    conn: &Connection,
    sql: &str,
    contact: &str,
    before: &TimelineCursor,
    limit: i64,
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, ReplicaError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![contact, before.at_ms, before.id, limit], map)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Replica {
    /// Up to `limit` entries of contact `id`'s timeline older than `after` (from the newest when
    /// `None`); deleted records are left out.
    pub fn timeline(
        &self,
        id: &ContactId,
        limit: u32,
        after: Option<&TimelineCursor>,
    ) -> Result<TimelinePage, ReplicaError> {
        if limit == 0 || limit > TIMELINE_PAGE_MAX {
            let mut errors = ValidationErrors::default();
            errors.push(
                "limit",
                format!("A page holds 1 to {TIMELINE_PAGE_MAX} entries."),
            );
            return Err(errors.into());
        }
        let before = after.cloned().unwrap_or(TimelineCursor {
            at_ms: i64::MAX,
            id: String::new(),
        });
        let take = i64::from(limit) + 1;
        let contact = id.to_string();
        // "Older than the cursor": earlier time, or the same time and a smaller id. The first
        // page's cursor (i64::MAX, "") matches everything.
        let older_than =
            |at: &str, id: &str| format!("({at} < ?2 OR ({at} = ?2 AND (?3 = '' OR {id} < ?3)))");
        let conn = self.reader();
        let mut entries: Vec<TimelineEntry> = Vec::new();
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes n
             WHERE n.record_id = ?1 AND n.record_kind = 'contact' AND n.deleted_at IS NULL
               AND {}
             ORDER BY n.created_at DESC, n.id DESC LIMIT ?4",
            older_than("n.created_at", "n.id")
        );
        entries.extend(
            older(&conn, &sql, &contact, &before, take, note_from_row)?
                .into_iter()
                .map(TimelineEntry::Note),
        );
        let sql = format!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions i
             WHERE i.contact_id = ?1 AND i.deleted_at IS NULL AND {}
             ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?4",
            older_than("i.occurred_at", "i.id")
        );
        entries.extend(
            older(&conn, &sql, &contact, &before, take, interaction_from_row)?
                .into_iter()
                .map(TimelineEntry::Interaction),
        );
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
             WHERE a.attendee_id = ?1 AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL
               AND {}
             ORDER BY b.starts_at DESC, b.id DESC LIMIT ?4",
            older_than("b.starts_at", "b.id")
        );
        entries.extend(
            older(&conn, &sql, &contact, &before, take, booking_from_row)?
                .into_iter()
                .map(TimelineEntry::Booking),
        );
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t
             WHERE t.record_id = ?1 AND t.record_kind = 'contact' AND t.deleted_at IS NULL
               AND {}
             ORDER BY t.created_at DESC, t.id DESC LIMIT ?4",
            older_than("t.created_at", "t.id")
        );
        entries.extend(
            older(&conn, &sql, &contact, &before, take, task_from_row)?
                .into_iter()
                .map(TimelineEntry::Task),
        );
        entries.sort_by_key(|e| std::cmp::Reverse(e.position()));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next = (entries.len() > limit).then(|| entries[limit - 1].position());
        entries.truncate(limit);
        Ok(TimelinePage { entries, next })
    }
}
