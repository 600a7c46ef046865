//! A note: free text an agent writes about a contact, listing or booking. Each note is its own
//! record (and document), so a busy contact's notes never grow the contact's document.

use crate::checks::Text;
use crate::common::{soft_delete_by_field, RecordRef};
use crate::ids::{NoteId, UserId};
use crate::validation::{Valid, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const NOTE_BODY_MAX_CHARS: usize = 100_000;

/// A note as a form sends it. Untrusted until [`NoteInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteInput {
    /// What the note is about.
    pub record: RecordRef,
    pub body: String,
    #[serde(default)]
    pub pinned: bool,
}

impl NoteInput {
    /// The body is required, at most 100,000 characters, trimmed at both ends; line breaks and tabs
    /// inside are kept.
    pub fn validate(&self) -> Result<Valid<NoteInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let body = Text::multiline("a note", NOTE_BODY_MAX_CHARS).required(
            &mut errors,
            "body",
            &self.body,
        );
        errors.into_valid(NoteInput {
            record: self.record,
            body,
            pinned: self.pinned,
        })
    }
}

/// A stored note. `body` is a plain string here; the document layer keeps it as Automerge text so
/// two people editing it merge by character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    pub record: RecordRef,
    pub author: UserId,
    pub body: String,
    pub pinned: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Note);

impl Note {
    /// A new note from a validated input. The engine mints the id and passes the time in.
    pub fn create(id: NoteId, input: Valid<NoteInput>, author: UserId, at: DateTime<Utc>) -> Self {
        let input = input.into_inner();
        Note {
            id,
            record: input.record,
            author,
            body: input.body,
            pinned: input.pinned,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the body, pin and attachment with a validated input; the author stays the person
    /// who wrote the note.
    pub fn apply(&mut self, input: Valid<NoteInput>, at: DateTime<Utc>) {
        let input = input.into_inner();
        self.record = input.record;
        self.body = input.body;
        self.pinned = input.pinned;
        self.updated_at = at;
    }

    /// The first line of the body, cut to `max_chars` (with "…" when cut), for timelines.
    pub fn preview(&self, max_chars: usize) -> String {
        let first_line = self.body.lines().next().unwrap_or_default().trim();
        if first_line.chars().count() <= max_chars {
            first_line.to_owned()
        } else {
            let cut: String = first_line
                .chars()
                .take(max_chars.saturating_sub(1))
                .collect();
            format!("{}…", cut.trim_end())
        }
    }
}

/// Orders notes for a record's page: pinned first, then newest first; deleted notes are left out.
pub fn notes_for_display(notes: &[Note]) -> Vec<&Note> {
    let mut shown: Vec<&Note> = notes.iter().filter(|n| n.deleted_at.is_none()).collect();
    shown.sort_by(|a, b| {
        b.pinned
            .cmp(&a.pinned)
            .then(b.created_at.cmp(&a.created_at))
            .then(a.id.cmp(&b.id))
    });
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::SoftDelete;
    use crate::ids::{BookingId, ContactId};
    use crate::test_support::{assert_json_round_trip, at, user, uuid};

    fn input(body: &str) -> NoteInput {
        NoteInput {
            record: RecordRef::Contact(ContactId::from_uuid(uuid(1))),
            body: body.into(),
            pinned: false,
        }
    }

    fn note(n: u128, pinned: bool, day: u32) -> Note {
        let valid = NoteInput {
            pinned,
            ..input("text")
        }
        .validate()
        .expect("valid");
        Note::create(
            NoteId::from_uuid(uuid(n)),
            valid,
            user(1),
            at(2025, 1, day, 9, 0),
        )
    }

    #[test]
    fn body_is_trimmed_and_keeps_inner_lines() {
        let valid = input("\n  Called about the Elm St offer.\n\tCall back Friday.  \n")
            .validate()
            .expect("valid");
        assert_eq!(
            valid.body,
            "Called about the Elm St offer.\n\tCall back Friday."
        );
    }

    #[test]
    fn empty_body_is_rejected() {
        let errors = input(" \n ").validate().expect_err("invalid");
        assert_eq!(errors.fields(), ["body"]);
        assert_eq!(errors.for_field("body"), Some("Enter a note."));
    }

    #[test]
    fn body_length_limit() {
        assert!(input(&"x".repeat(NOTE_BODY_MAX_CHARS)).validate().is_ok());
        let errors = input(&"x".repeat(NOTE_BODY_MAX_CHARS + 1))
            .validate()
            .expect_err("invalid");
        assert_eq!(errors.fields(), ["body"]);
    }

    #[test]
    fn control_characters_other_than_line_breaks_are_rejected() {
        let errors = input("bell\u{7}").validate().expect_err("invalid");
        assert_eq!(errors.fields(), ["body"]);
    }

    #[test]
    fn create_and_apply() {
        let mut note = note(1, false, 1);
        assert_eq!(note.author, user(1));
        let booking = RecordRef::Booking(BookingId::from_uuid(uuid(9)));
        let edit = NoteInput {
            record: booking,
            body: "Moved to the showing".into(),
            pinned: true,
        };
        note.apply(edit.validate().expect("valid"), at(2025, 1, 2, 0, 0));
        assert_eq!(note.record, booking);
        assert!(note.pinned);
        assert_eq!(note.author, user(1));
        assert_eq!(note.updated_at, at(2025, 1, 2, 0, 0));
    }

    #[test]
    fn display_order_is_pinned_then_newest_without_deleted() {
        let old_pinned = note(1, true, 1);
        let newest = note(2, false, 5);
        let older = note(3, false, 3);
        let mut deleted = note(4, true, 9);
        deleted.soft_delete(at(2025, 1, 10, 0, 0));
        let notes = [older.clone(), deleted, newest.clone(), old_pinned.clone()];
        let ids: Vec<_> = notes_for_display(&notes).iter().map(|n| n.id).collect();
        assert_eq!(ids, [old_pinned.id, newest.id, older.id]);
    }

    #[test]
    fn preview_takes_the_first_line() {
        let mut note = note(1, false, 1);
        note.body = "A fairly long first line\nsecond".into();
        assert_eq!(note.preview(100), "A fairly long first line");
        assert_eq!(note.preview(8), "A fairl…");
    }

    #[test]
    fn notes_round_trip_through_json() {
        let mut note = note(1, true, 1);
        note.soft_delete(at(2025, 2, 1, 0, 0));
        assert_json_round_trip(&note);
        assert_json_round_trip(&input("hello"));
    }
}
