//! A note as an Automerge document.
//!
//! The body is Automerge **text** (`autosurgeon::Text`), not a string scalar, so two devices
//! editing one note merge character by character instead of one body replacing the other.
//! Edits are written as a splice of the changed region only (see [`update_body`]).

use crate::util::{check_kind, commit, ensure_readable, millis, opt_millis, parse, root_doc};
use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change, ObjType, ReadDoc, TextEncoding, Value};
use autosurgeon::{reconcile, Hydrate, Reconcile, Text};
use fieldstone_model::Note;

pub const KIND: &str = "note";
/// Shape version of note documents written by this build.
pub const SCHEMA: u64 = 1;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/note_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, Reconcile, Hydrate)]
    struct NoteDoc {
        schema: u64,
        kind: String,
        id: String,
        // What the note is about, as `kind:uuid` (`RecordRef`'s text form).
        record: String,
        author: String,
        body: Text,
        pinned: bool,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

impl NoteDoc {
    fn from_note(note: &Note) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: note.id.to_string(),
            record: note.record.to_string(),
            author: note.author.to_string(),
            body: Text::with_value(&note.body),
            pinned: note.pinned,
            created_at_ms: note.created_at.timestamp_millis(),
            updated_at_ms: note.updated_at.timestamp_millis(),
            deleted_at_ms: note.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_note(self) -> Result<Note, DocError> {
        check_kind(KIND, self.kind)?;
        Ok(Note {
            id: parse("id", &self.id)?,
            record: parse("record", &self.record)?,
            author: parse("author", &self.author)?,
            body: self.body.as_str().to_owned(),
            pinned: self.pinned,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Width of `chars` in the units the document indexes text by.
fn width(chars: &[char], encoding: TextEncoding) -> Result<usize, DocError> {
    match encoding {
        TextEncoding::UnicodeCodePoint => Ok(chars.len()),
        TextEncoding::Utf8CodeUnit => Ok(chars.iter().map(|c| c.len_utf8()).sum()),
        TextEncoding::Utf16CodeUnit => Ok(chars.iter().map(|c| c.len_utf16()).sum()),
        TextEncoding::GraphemeCluster => Err(DocError::InvalidValue(
            "body: grapheme-indexed text is not supported".into(),
        )),
    }
}

/// Makes the body read `new` with one splice covering only the region between the common prefix
/// and the common suffix, so concurrent edits elsewhere in the body survive a merge.
///
/// This writes through automerge directly instead of `autosurgeon::Text::update`: in autosurgeon
/// 0.14 `Text` counts positions in UTF-8 bytes while automerge (by default) counts code points, so
/// any body with a non-ASCII character before the edit would be spliced at the wrong place (or
/// panic). Positions here are converted to the document's own text encoding.
fn splice_body(doc: &mut AutoCommit, new: &str) -> Result<(), DocError> {
    let body = match doc.get(automerge::ROOT, "body")? {
        Some((Value::Object(ObjType::Text), id)) => id,
        _ => return Err(DocError::InvalidValue("body is not text".into())),
    };
    let old: Vec<char> = doc.text(&body)?.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let deleted = &old[prefix..old.len() - suffix];
    let inserted: String = new[prefix..new.len() - suffix].iter().collect();
    if deleted.is_empty() && inserted.is_empty() {
        return Ok(());
    }
    let encoding = doc.text_encoding();
    let pos = width(&old[..prefix], encoding)?;
    let del = isize::try_from(width(deleted, encoding)?)
        .map_err(|_| DocError::InvalidValue("body: edit too large".into()))?;
    doc.splice_text(&body, pos, del, &inserted)?;
    Ok(())
}

/// The document's current shape, checked writable, hydrated for editing.
fn hydrate_for_edit(doc: &AutoCommit) -> Result<NoteDoc, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    NoteDoc::hydrate_root(doc)
}

/// Creates the document for a new note, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, note: &Note) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, NoteDoc::from_note(note))?;
    let change = commit(&mut doc, note.updated_at, "create note")
        .ok_or_else(|| DocError::InvalidValue("creating a note produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `note` into an existing document; the body is spliced, never replaced wholesale.
/// Returns the change, or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, note: &Note) -> Result<Option<Change>, DocError> {
    let mut next = hydrate_for_edit(doc)?;
    let fresh = NoteDoc::from_note(note);
    next.schema = SCHEMA;
    next.id = fresh.id;
    next.record = fresh.record;
    next.author = fresh.author;
    next.pinned = fresh.pinned;
    next.created_at_ms = fresh.created_at_ms;
    next.updated_at_ms = fresh.updated_at_ms;
    next.deleted_at_ms = fresh.deleted_at_ms;
    // The hydrated body carries no edits, so reconciling leaves it alone; it is spliced after.
    reconcile(doc, &next)?;
    splice_body(doc, &note.body)?;
    Ok(commit(doc, note.updated_at, "update note"))
}

/// Edits only the body to read `new_body`, splicing just the changed characters so concurrent
/// edits elsewhere in the body survive a merge. Returns the change, or `None` if the body was
/// already `new_body`. (Callers that also move `updated_at` use [`update`].)
pub fn update_body(doc: &mut AutoCommit, new_body: &str) -> Result<Option<Change>, DocError> {
    hydrate_for_edit(doc)?;
    splice_body(doc, new_body)?;
    let options = automerge::transaction::CommitOptions::default().with_message("edit note body");
    if doc.commit_with(options).is_none() {
        return Ok(None);
    }
    Ok(doc.get_last_local_change())
}

/// Reads the note held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Note, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    NoteDoc::hydrate_root(doc)?.into_note()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::samples::note;
    use crate::test_support::{
        actor, assert_newer_shape_refused, assert_round_trips, at, note_kind as kind,
    };

    #[test]
    fn note_round_trips_through_a_document_its_bytes_and_its_change() {
        assert_round_trips(
            &kind(),
            &note("Called about the Elm St offer.\n\tCall back Friday — café?"),
        );
    }

    #[test]
    fn the_body_is_automerge_text() {
        let (doc, _) = create(actor(1), &note("hello")).expect("create");
        let (value, _) = doc
            .get(automerge::ROOT, "body")
            .expect("get")
            .expect("body present");
        assert!(matches!(
            value,
            automerge::Value::Object(automerge::ObjType::Text)
        ));
    }

    #[test]
    fn concurrent_edits_at_both_ends_of_the_body_both_survive() {
        let (mut a, _) = create(actor(1), &note("call the seller")).expect("create");
        let mut b = a.fork().with_actor(actor(2));
        update_body(&mut a, "Urgent: call the seller")
            .expect("edit a")
            .expect("a change");
        update_body(&mut b, "call the seller today")
            .expect("edit b")
            .expect("a change");
        a.merge(&mut b).expect("merge into a");
        b.merge(&mut a).expect("merge into b");
        assert_eq!(a.get_heads(), b.get_heads());
        assert_eq!(
            read(&a).expect("read").body,
            "Urgent: call the seller today"
        );
        assert_eq!(
            read(&b).expect("read").body,
            "Urgent: call the seller today"
        );
    }

    #[test]
    fn edits_splice_by_character_even_with_non_ascii_text() {
        let (mut doc, _) = create(actor(1), &note("Café “Elm” — naïve")).expect("create");
        update_body(&mut doc, "Café “Oak” — naïve buyer").expect("edit");
        assert_eq!(read(&doc).expect("read").body, "Café “Oak” — naïve buyer");
        update_body(&mut doc, "").expect("edit");
        assert_eq!(read(&doc).expect("read").body, "");
    }

    #[test]
    fn update_writes_only_what_differs() {
        let mut n = note("first");
        let (mut doc, _) = create(actor(1), &n).expect("create");
        assert!(update(&mut doc, &n).expect("update").is_none());
        assert!(update_body(&mut doc, "first").expect("edit").is_none());
        n.body = "first draft".into();
        n.pinned = false;
        n.updated_at = at(5);
        let change = update(&mut doc, &n).expect("update").expect("a change");
        assert_eq!(read(&doc).expect("read"), n);
        // Only the appended characters are inserted, not the whole body again.
        let inserted = change
            .decode()
            .operations
            .iter()
            .filter(|op| op.insert)
            .count();
        assert_eq!(inserted, " draft".len());
    }

    #[test]
    fn a_newer_document_shape_is_neither_read_nor_overwritten() {
        let mut doc = assert_newer_shape_refused(&kind(), &note("body"));
        let before = doc.get_heads();
        assert!(matches!(
            update_body(&mut doc, "other"),
            Err(DocError::NewerSchema { .. })
        ));
        assert_eq!(doc.get_heads(), before, "nothing was written");
    }

    #[test]
    fn invalid_values_are_reported_naming_the_field() {
        let (mut doc, _) = create(actor(1), &note("body")).expect("create");
        doc.put(automerge::ROOT, "record", "planet:42")
            .expect("put");
        doc.commit();
        assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("record")));
        let (mut doc, _) = create(actor(1), &note("body")).expect("create");
        doc.put(automerge::ROOT, "body", "a plain string")
            .expect("put");
        doc.commit();
        assert!(matches!(
            read(&doc),
            Err(DocError::WrongType { field: "body", .. })
        ));
        let (mut doc, _) = create(actor(1), &note("body")).expect("create");
        doc.put(automerge::ROOT, "kind", "contact").expect("put");
        doc.commit();
        assert!(matches!(read(&doc), Err(DocError::WrongKind { .. })));
        assert!(matches!(
            update_body(&mut doc, "x"),
            Err(DocError::WrongKind { .. })
        ));
    }
}
