//! The sync badge's words: the engine reports where background sync stands as data
//! ([`BackgroundStatus`]); this is how the app says it to the person.

use fieldstone_protocol::commands::SyncStatus;
use fieldstone_replica::{BackgroundStatus, SyncDetail};
use std::time::Duration;

/// The status the UI shows for `status`.
pub fn sync_status(status: &BackgroundStatus) -> SyncStatus {
    SyncStatus {
        state: status.state,
        pending: status.pending,
        last_synced_at: status.last_synced_at,
        detail: sentence(&status.detail),
        remote_revision: status.remote_revision,
        progress: status.progress,
    }
}

/// The status line under the badge.
pub fn sentence(detail: &SyncDetail) -> String {
    match detail {
        SyncDetail::Connecting { server } => format!("Connecting to {server}"),
        SyncDetail::Sending { changes } => format!("Sending {changes} change(s)"),
        SyncDetail::Synced { server } => format!("Synced with {server}"),
        SyncDetail::Notices { latest, more: 0 } => latest.clone(),
        SyncDetail::Notices { latest, more } => {
            format!("{latest} ({more} more notices in Settings)")
        }
        SyncDetail::SignInAgain => "The sync server no longer accepts this device's sign-in. \
            Your work is safe on this device; sign in again to resume syncing."
            .to_owned(),
        SyncDetail::Offline { reason, retry_in } => format!(
            "Working offline — the sync server can't be reached ({reason}). Your work is saved \
             on this device; retrying in {} s.",
            seconds(*retry_in)
        ),
        SyncDetail::OtherAccount { error } => format!("Not synced: {error}."),
        SyncDetail::Failed { error, retry_in } => {
            format!("{error}. Retrying in {} s.", seconds(*retry_in))
        }
        SyncDetail::Revoked => "This device was signed out by your organisation, and its copy \
            of the organisation's data was removed from it."
            .to_owned(),
    }
}

/// Whole seconds, never "0 s" (a retry under a second reads as "1 s").
fn seconds(wait: Duration) -> u64 {
    wait.as_secs().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The exact words: the window tests and people's eyes depend on them.
    #[test]
    fn each_detail_reads_as_it_always_did() {
        let server = "http://127.0.0.1:7070".to_owned();
        let cases = [
            (
                SyncDetail::Connecting {
                    server: server.clone(),
                },
                "Connecting to http://127.0.0.1:7070",
            ),
            (SyncDetail::Sending { changes: 3 }, "Sending 3 change(s)"),
            (
                SyncDetail::Synced { server },
                "Synced with http://127.0.0.1:7070",
            ),
            (
                SyncDetail::Notices {
                    latest: "Your edit to a contact was refused.".into(),
                    more: 0,
                },
                "Your edit to a contact was refused.",
            ),
            (
                SyncDetail::Notices {
                    latest: "Your edit to a contact was refused.".into(),
                    more: 2,
                },
                "Your edit to a contact was refused. (2 more notices in Settings)",
            ),
            (
                SyncDetail::SignInAgain,
                "The sync server no longer accepts this device's sign-in. Your work is safe on \
                 this device; sign in again to resume syncing.",
            ),
            (
                SyncDetail::Offline {
                    reason: "connection refused".into(),
                    retry_in: Duration::from_millis(200),
                },
                "Working offline — the sync server can't be reached (connection refused). Your \
                 work is saved on this device; retrying in 1 s.",
            ),
            (
                SyncDetail::OtherAccount {
                    error: "the records on this device belong to A, not B".into(),
                },
                "Not synced: the records on this device belong to A, not B.",
            ),
            (
                SyncDetail::Failed {
                    error: "the server answered 500".into(),
                    retry_in: Duration::from_secs(8),
                },
                "the server answered 500. Retrying in 8 s.",
            ),
            (
                SyncDetail::Revoked,
                "This device was signed out by your organisation, and its copy of the \
                 organisation's data was removed from it.",
            ),
        ];
        for (detail, words) in cases {
            assert_eq!(sentence(&detail), words, "{detail:?}");
        }
    }
}
