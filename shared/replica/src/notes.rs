//! Notes: one document each (the body is Automerge text), attached to a contact, listing or
//! booking; listed per record from SQLite and searchable by body.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{parsed, required_time, time};
use crate::store::Replica;
use fieldstone_model::{Note, NoteId, NoteInput, RecordRef, UserId};
use rusqlite::{params, Connection, Row};

/// How much of a note lists show.
pub const NOTE_PREVIEW_CHARS: usize = 140;

record_kind!(
    Note,
    NoteId,
    fieldstone_doc::note,
    project_note,
    crate::records::Tables {
        main: "notes",
        children: &[],
        search: Some(("notes_fts", "f.body")),
    }
);

pub use fieldstone_protocol::views::NoteSummary;

fn project_note(conn: &Connection, note: &Note) -> Result<(), ReplicaError> {
    let record = note.record.to_string();
    let (record_kind, record_id) = record.split_once(':').unwrap_or((&record, ""));
    conn.prepare_cached(
        "INSERT INTO notes (id, record_kind, record_id, author, pinned, preview, created_at,
               updated_at, deleted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET record_kind = excluded.record_kind,
               record_id = excluded.record_id, author = excluded.author,
               pinned = excluded.pinned, preview = excluded.preview,
               created_at = excluded.created_at, updated_at = excluded.updated_at,
               deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        note.id.to_string(),
        record_kind,
        record_id,
        note.author.to_string(),
        note.pinned,
        note.preview(NOTE_PREVIEW_CHARS),
        note.created_at.timestamp_millis(),
        note.updated_at.timestamp_millis(),
        note.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    let seq = crate::projection::row_seq(conn, "notes", &note.id.to_string())?;
    conn.prepare_cached("INSERT OR REPLACE INTO notes_fts (rowid, body) VALUES (?1, ?2)")?
        .execute(params![seq, note.body])?;
    Ok(())
}

pub(crate) const NOTE_COLUMNS: &str =
    "n.id, n.record_kind || ':' || n.record_id, n.author, n.pinned, n.preview, n.created_at,
     n.updated_at, n.deleted_at";

pub(crate) fn note_from_row(row: &Row<'_>) -> rusqlite::Result<NoteSummary> {
    Ok(NoteSummary {
        id: parsed(row, 0)?,
        record: parsed(row, 1)?,
        author: parsed(row, 2)?,
        pinned: row.get(3)?,
        preview: row.get(4)?,
        created_at: required_time(row, 5)?,
        updated_at: required_time(row, 6)?,
        deleted_at: time(row, 7)?,
    })
}

impl Replica {
    /// Validates `input` and stores a new note by `author`.
    pub fn create_note(&self, input: &NoteInput, author: UserId) -> Result<Note, ReplicaError> {
        self.batch(|b| b.create_note(input, author))
    }

    /// Replaces note `id`'s body, pin and attachment. Only the changed stretch of the body is
    /// written, so another device's concurrent edit elsewhere in the body survives the merge.
    pub fn update_note(&self, id: &NoteId, input: &NoteInput) -> Result<Note, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            records::modify::<Note>(tx, self.actor(), *id, now, |note| {
                let unchanged = note.body == input.body
                    && note.pinned == input.pinned
                    && note.record == input.record;
                if unchanged {
                    return Ok(false);
                }
                note.apply(input, now);
                Ok(true)
            })
        })
    }

    pub fn soft_delete_note(&self, id: &NoteId) -> Result<Note, ReplicaError> {
        self.set_deleted::<Note>(*id, true)
    }

    pub fn restore_note(&self, id: &NoteId) -> Result<Note, ReplicaError> {
        self.set_deleted::<Note>(*id, false)
    }

    pub fn get_note(&self, id: &NoteId) -> Result<Option<Note>, ReplicaError> {
        self.read::<Note>(*id)
    }

    /// Notes on `record` (not deleted): pinned first, then newest first.
    pub fn notes_for(&self, record: &RecordRef) -> Result<Vec<NoteSummary>, ReplicaError> {
        let text = record.to_string();
        let (kind, id) = text.split_once(':').unwrap_or((&text, ""));
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM notes n
             WHERE n.record_id = ?1 AND n.record_kind = ?2 AND n.deleted_at IS NULL
             ORDER BY n.pinned DESC, n.created_at DESC, n.id DESC"
        ))?;
        let rows = stmt.query_map([id, kind], note_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
