//! The organisation's settings (DESIGN decision 17) as one document, `settings:<org id>`, in
//! the organisation's scope, so every member's device has them and the app adapts at once.
//! Only the server writes it, on an admin's request it has checked (`PUT /v2/org/settings/...`):
//! devices never push changes to it, so what a device reads was validated once, on the server.
//!
//! The shape is the preferences document's (`crate::prefs`): text entries straight under the
//! root, each holding one setting's JSON, keyed by what it is. Provider keys are never here.

use crate::error::DocError;
use automerge::{ActorId, AutoCommit, Change};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub const KIND: &str = "settings";

/// The follow-up plan (`fieldstone_model::FollowUpSettings` as JSON).
pub const FOLLOW_UP_KEY: &str = "follow_up_plan";

/// Every text entry of the document.
pub fn read(doc: &AutoCommit) -> Result<BTreeMap<String, String>, DocError> {
    crate::prefs::read(doc)
}

/// Sets (`Some`) or removes (`None`) entries; makes the document when there is none yet.
/// Returns the document and its new change, or `None` when nothing differed.
pub fn write(
    doc: Option<AutoCommit>,
    actor: ActorId,
    at: DateTime<Utc>,
    entries: &[(String, Option<String>)],
) -> Result<(AutoCommit, Option<Change>), DocError> {
    crate::prefs::write_entries(doc, actor, at, entries, "organisation settings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_merge_key_by_key() {
        let at = DateTime::from_timestamp(1_767_000_000, 0).expect("time");
        let (mut doc, change) = write(
            None,
            ActorId::random(),
            at,
            &[(FOLLOW_UP_KEY.to_owned(), Some("{\"steps\":[]}".to_owned()))],
        )
        .expect("write");
        assert!(change.is_some());
        let mut other = doc.fork().with_actor(ActorId::random());
        let (mut mine, _) = write(
            Some(doc),
            ActorId::random(),
            at,
            &[("branding".to_owned(), Some("{}".to_owned()))],
        )
        .expect("write");
        let (mut theirs, none) = write(
            Some(std::mem::take(&mut other)),
            ActorId::random(),
            at,
            &[(FOLLOW_UP_KEY.to_owned(), Some("{\"steps\":[]}".to_owned()))],
        )
        .expect("write");
        assert!(none.is_none(), "the same value writes nothing");
        mine.merge(&mut theirs).expect("merge");
        let entries = read(&mine).expect("read");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[FOLLOW_UP_KEY], "{\"steps\":[]}");
    }
}
