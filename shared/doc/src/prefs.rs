//! One agent's preferences (locale, smart lists) as a document of their own:
//! `prefs:<user id>`, in their private scope, so every device they sign in on receives it.
//!
//! Shape: every entry is a text scalar straight under the root, keyed by what it is (`locale`,
//! `smart_list:<id>`), holding that entry's JSON. No nested maps on purpose: two devices that
//! each make the document before they first sync would each create their own nested map, and
//! Automerge would keep only one of the two; the root is the same object in both, so their
//! entries merge key by key (the same key on both: the later write wins, which for a
//! preference is what the agent expects).

use crate::error::DocError;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change, ReadDoc, ScalarValue, Value, ROOT};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub const KIND: &str = "prefs";

/// The longest entry kept (a smart list's query is well under it).
pub const ENTRY_MAX_BYTES: usize = 64 * 1024;

/// Every text entry of the document. Entries of other types (from a newer build) are skipped.
pub fn read(doc: &AutoCommit) -> Result<BTreeMap<String, String>, DocError> {
    let mut entries = BTreeMap::new();
    for key in doc.keys(ROOT) {
        if let Some((Value::Scalar(value), _)) = doc.get(ROOT, key.as_str())? {
            if let ScalarValue::Str(text) = value.as_ref() {
                entries.insert(key, text.to_string());
            }
        }
    }
    Ok(entries)
}

/// Sets (`Some`) or removes (`None`) entries; makes the document when there is none yet.
/// Returns the document and its new change, or `None` when nothing differed.
pub fn write(
    doc: Option<AutoCommit>,
    actor: ActorId,
    at: DateTime<Utc>,
    entries: &[(String, Option<String>)],
) -> Result<(AutoCommit, Option<Change>), DocError> {
    write_entries(doc, actor, at, entries, "preferences")
}

/// [`write`] for any document of this shape (the organisation's settings too), the change
/// labelled `message`.
pub(crate) fn write_entries(
    doc: Option<AutoCommit>,
    actor: ActorId,
    at: DateTime<Utc>,
    entries: &[(String, Option<String>)],
    message: &str,
) -> Result<(AutoCommit, Option<Change>), DocError> {
    let mut doc = doc.unwrap_or_default().with_actor(actor);
    let current = read(&doc)?;
    for (key, value) in entries {
        if key.is_empty() || key.len() > 200 {
            return Err(DocError::InvalidValue(format!(
                "a preference key is 1 to 200 bytes, not {}",
                key.len()
            )));
        }
        match value {
            Some(value) if value.len() > ENTRY_MAX_BYTES => {
                return Err(DocError::InvalidValue(format!(
                    "the preference {key:?} is {} bytes; at most {ENTRY_MAX_BYTES} are kept",
                    value.len()
                )))
            }
            Some(value) if current.get(key) != Some(value) => {
                doc.put(ROOT, key.as_str(), value.as_str())?;
            }
            None if current.contains_key(key) => doc.delete(ROOT, key.as_str())?,
            _ => {}
        }
    }
    let change = crate::util::commit(&mut doc, at, message);
    Ok((doc, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_767_000_000, 0).expect("time")
    }

    fn set(key: &str, value: &str) -> (String, Option<String>) {
        (key.to_owned(), Some(value.to_owned()))
    }

    #[test]
    fn entries_are_set_removed_and_an_unchanged_write_makes_no_change() {
        let (doc, change) =
            write(None, ActorId::random(), at(), &[set("locale", "{}")]).expect("write");
        assert!(change.is_some());
        let (doc, again) =
            write(Some(doc), ActorId::random(), at(), &[set("locale", "{}")]).expect("same");
        assert!(again.is_none(), "nothing differed");
        let (doc, _) = write(
            Some(doc),
            ActorId::random(),
            at(),
            &[("locale".to_owned(), None), set("smart_list:a", "[1]")],
        )
        .expect("edit");
        assert_eq!(
            read(&doc).expect("read").into_iter().collect::<Vec<_>>(),
            [("smart_list:a".to_owned(), "[1]".to_owned())]
        );
    }

    #[test]
    fn two_devices_that_each_made_the_document_keep_both_entries() {
        let (mut laptop, _) =
            write(None, ActorId::random(), at(), &[set("smart_list:a", "A")]).expect("laptop");
        let (mut phone, _) =
            write(None, ActorId::random(), at(), &[set("smart_list:b", "B")]).expect("phone");
        laptop.merge(&mut phone).expect("merge");
        let entries = read(&laptop).expect("read");
        assert_eq!(entries.get("smart_list:a").map(String::as_str), Some("A"));
        assert_eq!(entries.get("smart_list:b").map(String::as_str), Some("B"));
    }

    #[test]
    fn oversized_or_unnamed_entries_are_refused() {
        let huge = "x".repeat(ENTRY_MAX_BYTES + 1);
        assert!(write(None, ActorId::random(), at(), &[set("locale", &huge)]).is_err());
        assert!(write(None, ActorId::random(), at(), &[set("", "x")]).is_err());
    }
}
