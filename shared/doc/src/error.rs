use thiserror::Error;

#[derive(Debug, Error)]
pub enum DocError {
    #[error("document bytes are corrupt: {0}")]
    Corrupt(String),
    #[error("document was written by a newer Fieldstone (shape {found}, this build understands up to {supported}); update the app to edit it")]
    NewerSchema { found: u64, supported: u64 },
    #[error("document is not a {expected} (it is a {found:?})")]
    WrongKind {
        expected: &'static str,
        found: String,
    },
    #[error("document holds an invalid value: {0}")]
    InvalidValue(String),
    #[error("document has no `{field}`")]
    MissingField { field: &'static str },
    #[error("document field `{field}` holds the wrong type of value ({detail})")]
    WrongType { field: &'static str, detail: String },
    #[error("cannot read document: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    #[error("cannot write document: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    #[error("automerge: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}
