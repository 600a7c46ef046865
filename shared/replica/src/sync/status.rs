//! Where background sync stands, as data. The engine says what happened (offline since this
//! error, retrying in so long; revoked; notices waiting); the app words it for the badge.

use chrono::{DateTime, Utc};
use fieldstone_protocol::commands::{SyncProgress, SyncState};
use std::time::Duration;

/// What [`super::SyncHandle`] reports on every change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackgroundStatus {
    pub state: SyncState,
    /// Local changes not yet accepted by the server.
    pub pending: u64,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the state is what it is, for the status line.
    pub detail: SyncDetail,
    /// Grows each time changes from elsewhere were applied.
    pub remote_revision: u64,
    /// How far the round under way has got; absent between rounds.
    pub progress: Option<SyncProgress>,
}

/// What the status line reports, as data. Which one is current does not always follow the
/// state: a round with progress keeps the detail of the one before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncDetail {
    /// The first round with `server` has not finished.
    Connecting { server: String },
    /// Local changes are on their way (`changes` were waiting when sending began).
    Sending { changes: u64 },
    /// The last round with `server` finished and nothing needs the person.
    Synced { server: String },
    /// The last round finished, but notices wait for the person: the newest one's message
    /// and how many more there are.
    Notices { latest: String, more: usize },
    /// The server no longer accepts this device's sign-in; only signing in again helps.
    SignInAgain,
    /// The server cannot be reached (`reason`); the next attempt is in `retry_in`.
    Offline { reason: String, retry_in: Duration },
    /// This store belongs to another account than the one syncing (`error` says whose); it
    /// is not synced until that account signs in.
    OtherAccount { error: String },
    /// The round failed otherwise (`error`); the next attempt is in `retry_in`.
    Failed { error: String, retry_in: Duration },
    /// The organisation revoked this device, and its copy of the organisation's data was
    /// removed.
    Revoked,
}
