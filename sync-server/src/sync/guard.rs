//! Automerge calls on bytes that came from outside, made safe to fail. Automerge 0.12 panics on
//! some malformed input (mutated changes found four such places), and accepts some changes whose
//! resulting document cannot be loaded again; here a panic becomes an error naming what failed,
//! and a document is proven to load again before it is accepted.

use automerge::{AutoCommit, Change, ChangeHash, Patch};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `Err` ("Automerge failed on …"). The value `f` worked on must
/// be thrown away after a panic: it may be half-changed.
fn contained<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::warn!(%detail, "automerge panicked on {what}; treated as malformed input");
            Err(format!("Automerge could not read {what}"))
        }
    }
}

/// Loads saved document bytes.
pub fn load(bytes: &[u8]) -> Result<AutoCommit, String> {
    contained("the document", || {
        AutoCommit::load(bytes).map_err(|e| format!("the document does not load: {e}"))
    })
}

/// Parses one change (its cost already checked by `inspect`).
pub fn parse_change(bytes: &[u8]) -> Result<Change, String> {
    contained("a change", || {
        Change::try_from(bytes).map_err(|e| format!("not an Automerge change: {e}"))
    })
}

/// Applies changes to `doc`; after an `Err`, `doc` must be thrown away.
pub fn apply(doc: &mut AutoCommit, changes: &[Change]) -> Result<(), String> {
    contained("the changes", || {
        doc.apply_changes(changes.iter().cloned())
            .map_err(|e| format!("the changes do not apply: {e}"))
    })
}

/// What the changes between two sets of heads did.
pub fn diff(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> Result<Vec<Patch>, String> {
    contained("the changes", || Ok(doc.diff(before, after)))
}

/// Saves `doc` and proves the bytes load again into a document with the same heads: the bytes
/// are what the store keeps and what devices receive, so a document that cannot come back from
/// them must never be accepted.
pub fn save_and_prove(doc: &mut AutoCommit) -> Result<Vec<u8>, String> {
    contained("the document", || {
        let bytes = doc.save();
        let mut again = AutoCommit::load(&bytes)
            .map_err(|e| format!("the document would not load again: {e}"))?;
        let (mut want, mut got) = (doc.get_heads(), again.get_heads());
        want.sort();
        got.sort();
        if want != got {
            return Err("the document would load again differently".into());
        }
        Ok(bytes)
    })
}
