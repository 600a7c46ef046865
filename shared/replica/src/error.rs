use fieldstone_model::ValidationErrors;
use thiserror::Error;

/// Why an engine call failed. Typed, so each front end decides what to tell people (the app's
/// words are in `fieldstone-app-api`).
#[derive(Debug, Error)]
pub enum ReplicaError {
    #[error("{0}")]
    Validation(#[from] ValidationErrors),
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("this database was written by a newer Fieldstone (format {found}, this build reads up to {supported}); update the app")]
    NewerDatabase { found: i64, supported: i64 },
    #[error("document {doc_id}: {source}")]
    Document {
        doc_id: String,
        // Boxed: Automerge's errors are large and would bloat every Result in the engine.
        #[source]
        source: Box<fieldstone_doc::DocError>,
    },
    #[error("document {doc_id} could not be read ({reason}); it was set aside and the rest of your data is unaffected")]
    Quarantined { doc_id: String, reason: String },
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A CSV import refused the whole file; nothing was written.
    #[error("cannot import this file: {0}")]
    Import(#[from] crate::transfer::ImportFileError),
    /// An export could not be written to its destination (disk full, closed pipe...).
    #[error("could not write the export: {0}")]
    Export(#[source] std::io::Error),
    /// This store belongs to another account: it is never synced with, nor bound to, this one.
    #[error("the records on this device belong to {bound_to}, not {asked_for}; each account keeps its own records on this device and they are never synced with another")]
    OtherAccount { bound_to: String, asked_for: String },
    #[error("the account this store belongs to cannot be read ({detail}); it is not synced")]
    AccountBindingUnreadable { detail: String },
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ReplicaError {
    pub(crate) fn export(source: std::io::Error) -> Self {
        Self::Export(source)
    }

    pub(crate) fn doc(doc_id: &str, source: fieldstone_doc::DocError) -> Self {
        Self::Document {
            doc_id: doc_id.to_owned(),
            source: Box::new(source),
        }
    }
}
