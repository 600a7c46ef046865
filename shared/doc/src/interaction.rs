//! An interaction (a logged call, message or meeting) as an Automerge document.
//!
//! Mapping decisions (DESIGN decision 1: concurrent edits must merge well):
//! - Every field is a top-level scalar, so concurrent edits of different fields merge and an edit
//!   of the same field is a conflict a person resolves (see [`crate::conflict`]).
//! - `summary` is a plain string (last writer wins), not Automerge text like a note's body: it is
//!   a short log entry, rarely edited after it is written. Making it text would need a schema bump.
//! - `duration_seconds` is a u64 scalar narrowed back to u32 on read.
//! - Timestamps are i64 milliseconds (`*_ms`), ids are strings, enums their `as_str()` names.
//! - [`read`] and [`update`] check `kind` first: a document of another kind (its `schema` counts
//!   that kind's shapes, not ours) is refused as [`DocError::WrongKind`], never read or written.

use crate::util::{
    check_kind, commit, ensure_readable, millis, narrow, opt_millis, opt_parse, parse, root_doc,
};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, Reconcile};
use fieldstone_model::Interaction;

#[cfg(test)]
mod tests;

pub const KIND: &str = "interaction";
/// Shape version of interaction documents written by this build.
pub const SCHEMA: u64 = 1;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/interaction_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct InteractionDoc {
        schema: u64,
        kind: String,
        id: String,
        contact: String,
        listing: Option<String>,
        channel: String,
        direction: String,
        summary: String,
        outcome: Option<String>,
        duration_seconds: Option<u64>,
        occurred_at_ms: i64,
        logged_by: String,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

impl InteractionDoc {
    fn from_interaction(i: &Interaction) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: i.id.to_string(),
            contact: i.contact.to_string(),
            listing: i.listing.map(|l| l.to_string()),
            channel: i.channel.as_str().to_owned(),
            direction: i.direction.as_str().to_owned(),
            summary: i.summary.clone(),
            outcome: i.outcome.clone(),
            duration_seconds: i.duration_seconds.map(u64::from),
            occurred_at_ms: i.occurred_at.timestamp_millis(),
            logged_by: i.logged_by.to_string(),
            created_at_ms: i.created_at.timestamp_millis(),
            updated_at_ms: i.updated_at.timestamp_millis(),
            deleted_at_ms: i.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_interaction(self) -> Result<Interaction, DocError> {
        check_kind(KIND, self.kind)?;
        Ok(Interaction {
            id: parse("id", &self.id)?,
            contact: parse("contact", &self.contact)?,
            listing: opt_parse("listing", self.listing.as_deref())?,
            channel: parse("channel", &self.channel)?,
            direction: parse("direction", &self.direction)?,
            summary: self.summary,
            outcome: self.outcome,
            duration_seconds: self
                .duration_seconds
                .map(|d| narrow("duration_seconds", d))
                .transpose()?,
            occurred_at: millis("occurred_at_ms", self.occurred_at_ms)?,
            logged_by: parse("logged_by", &self.logged_by)?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Creates the document for a new interaction, written by `actor`. Returns it with the change
/// that created it (what sync sends).
pub fn create(actor: ActorId, interaction: &Interaction) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, InteractionDoc::from_interaction(interaction))?;
    let change =
        commit(&mut doc, interaction.updated_at, "create interaction").ok_or_else(|| {
            DocError::InvalidValue("creating an interaction produced no change".into())
        })?;
    Ok((doc, change))
}

/// Writes `interaction` into an existing document, touching only what differs. Returns the
/// change, or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, interaction: &Interaction) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, InteractionDoc::from_interaction(interaction))?;
    Ok(commit(doc, interaction.updated_at, "update interaction"))
}

/// Reads the interaction held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Interaction, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    InteractionDoc::hydrate_root(doc)?.into_interaction()
}
