//! Automerge calls on bytes that came from outside, made safe to fail: the panic-containing
//! wrappers of `fieldstone-doc` (Automerge 0.12 panics on some malformed input), with errors as
//! the sentences the push path logs. A document is proven to load again before it is accepted.

use automerge::{AutoCommit, Change, ChangeHash, Patch};
use fieldstone_doc::DocError;

fn text(e: DocError) -> String {
    e.to_string()
}

/// Loads saved document bytes.
pub fn load(bytes: &[u8]) -> Result<AutoCommit, String> {
    fieldstone_doc::load(bytes).map_err(text)
}

/// Parses one change (its cost already checked by `inspect`).
pub fn parse_change(bytes: &[u8]) -> Result<Change, String> {
    fieldstone_doc::parse_change(bytes).map_err(text)
}

/// Applies changes to `doc`; after an `Err`, `doc` must be thrown away.
pub fn apply(doc: &mut AutoCommit, changes: &[Change]) -> Result<(), String> {
    fieldstone_doc::apply_changes(doc, changes.iter().cloned()).map_err(text)
}

/// What the changes between two sets of heads did.
// `DocError` (fieldstone-doc's error) is what `guard` returns; boxing it here would buy nothing.
#[allow(clippy::result_large_err)]
pub fn diff(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> Result<Vec<Patch>, String> {
    fieldstone_doc::guard("cannot compare the document's versions", || {
        Ok(doc.diff(before, after))
    })
    .map_err(text)
}

/// Saves `doc` and proves the bytes load again into a document with the same heads: the bytes
/// are what the store keeps and what devices receive, so a document that cannot come back from
/// them must never be accepted.
pub fn save_and_prove(doc: &mut AutoCommit) -> Result<Vec<u8>, String> {
    fieldstone_doc::save_checked(doc).map_err(text)
}
