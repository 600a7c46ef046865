//! Server storage. Every method that touches records takes the account (the tenant), so no
//! handler can read or write outside it (DESIGN decision 6).

mod sqlite;

pub use sqlite::SqliteStore;

use fieldstone_protocol::{DocChange, PullResponse};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(pub i64);

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("change {index} for document {doc_id} rejected: {reason}")]
    BadChange {
        index: usize,
        doc_id: String,
        reason: String,
    },
    #[error("stored document {doc_id} is corrupt: {reason}")]
    Corrupt { doc_id: String, reason: String },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage task failed: {0}")]
    Task(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PushOutcome {
    pub accepted: u32,
    pub duplicates: u32,
}

/// Blocking storage API; async handlers call it through `spawn_blocking`.
pub trait Store: Send + Sync + 'static {
    /// Creates an account; fails if the email is taken.
    fn create_account(&self, email: &str) -> Result<AccountId, StoreError>;
    fn account_by_email(&self, email: &str) -> Result<Option<AccountId>, StoreError>;
    /// Stores the hash of a new session token for `account`.
    fn add_token(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError>;
    fn account_for_token(&self, token_hash: &str) -> Result<Option<AccountId>, StoreError>;
    /// Applies `changes` (in order) to `account`'s documents, all or nothing, and appends the
    /// ones not seen before to its change feed.
    fn push(&self, account: AccountId, changes: Vec<DocChange>) -> Result<PushOutcome, StoreError>;
    /// Up to `limit` feed entries of `account` after `since`.
    fn pull(&self, account: AccountId, since: u64, limit: u32) -> Result<PullResponse, StoreError>;
}
