//! Fieldstone's local engine. Automerge documents are the truth; SQLite holds them (as bytes)
//! next to the read model every list and search uses, and an outbox of changes not yet sent.
//! Each write touches all three in one durable transaction (DESIGN decisions 2 and 3).

mod contacts;
mod error;
mod leads;
mod store;
pub mod sync;

pub use contacts::{
    contact_doc_id, ContactPage, ContactQuery, ContactSummary, Cursor, CONTACT_PAGE_MAX,
};
pub use error::ReplicaError;
pub use leads::lead_doc_id;
pub use store::{Replica, SCHEMA_VERSION};
pub use sync::{SyncClient, SyncError, SyncHandle, SyncOptions, SyncReport};
