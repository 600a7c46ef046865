//! How Fieldstone records become Automerge documents: one document per record (DESIGN decision 1).
//!
//! Every document carries `schema`, the shape version it was written with. A build refuses to
//! write into a document whose shape is newer than it understands, instead of corrupting it.

pub mod booking;
pub mod campaign;
pub mod conflict;
pub mod contact;
mod error;
pub mod interaction;
pub mod listing;
pub mod message;
pub mod note;
pub mod org_settings;
pub mod prefs;
#[cfg(test)]
mod shape_tests;
pub mod task;
#[cfg(test)]
mod test_support;
mod util;

pub use automerge::{ActorId, AutoCommit, Change, ChangeHash};
pub use error::DocError;

/// Document kinds that earlier builds wrote and this one no longer reads, each with why. A
/// document of such a kind is set aside by the engine (kept, never shown or synced again).
pub const RETIRED_KINDS: &[(&str, &str)] = &[(
    "lead",
    "the walking skeleton's lead record is retired: a lead is a contact in a stage",
)];

/// Why documents of `kind` are no longer read, if that kind is retired.
pub fn retired(kind: &str) -> Option<&'static str> {
    RETIRED_KINDS
        .iter()
        .find(|(retired, _)| *retired == kind)
        .map(|(_, why)| *why)
}

/// Reads a document from its saved bytes, reporting corruption as an error (never a panic).
pub fn load(bytes: &[u8]) -> Result<AutoCommit, DocError> {
    guard("cannot load the document", || {
        AutoCommit::load(bytes).map_err(|e| DocError::Corrupt(e.to_string()))
    })
}

/// Parses one change received from elsewhere.
pub fn parse_change(bytes: &[u8]) -> Result<Change, DocError> {
    guard("cannot read the change", || {
        Change::try_from(bytes).map_err(|e| DocError::Corrupt(format!("bad change: {e}")))
    })
}

/// Merges saved document bytes (a whole document or saved changes) into `doc`. On an error
/// `doc` may hold part of them: callers throw it away rather than save it.
pub fn load_incremental(doc: &mut AutoCommit, bytes: &[u8]) -> Result<usize, DocError> {
    guard("cannot merge the document", || {
        doc.load_incremental(bytes)
            .map_err(|e| DocError::Corrupt(format!("cannot merge the document: {e}")))
    })
}

/// Applies changes received from elsewhere to `doc`. On an error `doc` may hold part of them:
/// callers throw it away rather than save it.
pub fn apply_changes(
    doc: &mut AutoCommit,
    changes: impl IntoIterator<Item = Change> + Clone,
) -> Result<(), DocError> {
    guard("cannot apply the changes", || {
        doc.apply_changes(changes)
            .map_err(|e| DocError::Corrupt(format!("cannot apply the changes: {e}")))
    })
}

/// The document's saved bytes, proven to load back to the same heads. Automerge accepts some
/// malformed changes whose result cannot be loaded again; storing such bytes would turn a
/// readable document into a lost one the next time it is opened.
pub fn save_checked(doc: &mut AutoCommit) -> Result<Vec<u8>, DocError> {
    let bytes = guard("cannot save the document", || Ok(doc.save()))?;
    check_loads(&bytes, &doc.get_heads())?;
    Ok(bytes)
}

/// Proves that `bytes` load into a document with exactly `heads`.
pub fn check_loads(bytes: &[u8], heads: &[ChangeHash]) -> Result<(), DocError> {
    let mut reloaded = load(bytes)?;
    let mut found = reloaded.get_heads();
    let mut expected = heads.to_vec();
    found.sort();
    expected.sort();
    if found == expected {
        Ok(())
    } else {
        Err(DocError::Corrupt(
            "the merged document does not load back to the same state".into(),
        ))
    }
}

/// Runs Automerge work on bytes from elsewhere. Automerge 0.12 panics on some malformed input
/// instead of returning an error; one bad document must not take the engine (or the server
/// thread) down, so a panic becomes [`DocError::Corrupt`] naming `what` failed. The value the
/// closure was working on may be half-changed after a panic and must be thrown away.
pub fn guard<T>(what: &str, work: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no detail".to_owned());
            Err(DocError::Corrupt(format!(
                "{what}: malformed input made Automerge fail ({detail})"
            )))
        }
    }
}
