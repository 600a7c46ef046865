//! How Fieldstone records become Automerge documents: one document per record (DESIGN decision 1).
//!
//! Every document carries `schema`, the shape version it was written with. A build refuses to
//! write into a document whose shape is newer than it understands, instead of corrupting it.

pub mod booking;
pub mod conflict;
pub mod contact;
mod error;
pub mod interaction;
pub mod lead;
pub mod listing;
pub mod note;
pub mod task;
#[cfg(test)]
mod test_support;
mod util;

pub use automerge::{ActorId, AutoCommit, Change, ChangeHash};
pub use error::DocError;

/// Reads a document from its saved bytes, reporting corruption as an error (never a panic).
pub fn load(bytes: &[u8]) -> Result<AutoCommit, DocError> {
    AutoCommit::load(bytes).map_err(|e| DocError::Corrupt(e.to_string()))
}

/// Parses one change received from elsewhere.
pub fn parse_change(bytes: &[u8]) -> Result<Change, DocError> {
    Change::try_from(bytes).map_err(|e| DocError::Corrupt(format!("bad change: {e}")))
}
