//! The app's command DTOs: what the UI sends to the shell and gets back. Shared so the two
//! sides cannot drift apart.

use chrono::{DateTime, Utc};
use fieldstone_model::FieldError;
use serde::{Deserialize, Serialize};

/// Error codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorCode {
    /// The input was rejected; see `fields`.
    Validation,
    NotFound,
    /// The local database failed; the user's data is as it was before the command.
    Storage,
    Internal,
}

/// What every failed command returns: a code, a message a person can read, and per-field errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub code: CommandErrorCode,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl CommandError {
    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The sync state shown in the app's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No sync server configured: everything stays on this device.
    LocalOnly,
    Syncing,
    UpToDate,
    /// The server cannot be reached; work continues and is sent later.
    Offline,
    /// The server refused our credentials: the user must sign in again. Local data is untouched.
    SignInAgain,
    /// The server answered but refused or failed a request; `detail` says why. Retried later.
    NeedsAttention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Local changes not yet accepted by the server.
    pub pending: u64,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Human-readable detail (why offline, when the next attempt is).
    pub detail: String,
    /// Grows each time changes from elsewhere were applied, so the UI knows to reload lists.
    pub remote_revision: u64,
}

impl SyncStatus {
    pub fn local_only() -> Self {
        Self {
            state: SyncState::LocalOnly,
            pending: 0,
            last_synced_at: None,
            detail: "Not connected to a sync server: everything is kept on this device.".into(),
            remote_revision: 0,
        }
    }
}

/// Name of the event the shell emits whenever [`SyncStatus`] changes.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
