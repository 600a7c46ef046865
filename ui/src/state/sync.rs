//! The always-visible sync state: what the badge in the top bar says, from the shell's
//! [`SyncStatus`]. Offline and other sync problems are shown calmly, never as dialogs: the app
//! keeps working on this device either way.

use super::format::thousands;
use fieldstone_protocol::commands::{SyncProgress, SyncState, SyncStatus};

/// "2,000 of 5,000" while local changes go out, then "1,200 received" while documents come in.
fn progress_text(p: SyncProgress) -> Option<String> {
    if p.to_send > 0 && p.sent < p.to_send {
        Some(format!("{} of {}", thousands(p.sent), thousands(p.to_send)))
    } else if p.received > 0 {
        Some(format!("{} received", thousands(p.received)))
    } else {
        None
    }
}

/// What the header's sync badge shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncBadge {
    /// `data-state`: the snake_case [`SyncState`], or `checking` before the first answer.
    pub state: &'static str,
    pub label: &'static str,
    /// "n of m" (changes sent) or "n received" while a round is under way.
    pub progress: Option<String>,
    /// "· N changes waiting to sync" when local changes wait for the server.
    pub pending: Option<String>,
    /// Tooltip text.
    pub detail: Option<String>,
    /// Whether `detail` also deserves a visible line under the header.
    pub show_detail: bool,
}

impl SyncBadge {
    pub fn new(status: Option<&SyncStatus>, error: Option<&str>) -> Self {
        let Some(status) = status else {
            return match error {
                Some(error) => SyncBadge {
                    state: state_name(SyncState::NeedsAttention),
                    label: state_label(SyncState::NeedsAttention),
                    progress: None,
                    pending: None,
                    detail: Some(format!("Could not read the sync status: {error}")),
                    show_detail: true,
                },
                None => SyncBadge {
                    state: "checking",
                    label: "Checking…",
                    progress: None,
                    pending: None,
                    detail: None,
                    show_detail: false,
                },
            };
        };
        let detail = status.detail.trim();
        SyncBadge {
            state: state_name(status.state),
            label: state_label(status.state),
            progress: status
                .progress
                .filter(|_| status.state == SyncState::Syncing)
                .and_then(progress_text),
            // While sending, "n of m" already says what waits.
            pending: (status.pending > 0
                && !status
                    .progress
                    .is_some_and(|p| status.state == SyncState::Syncing && p.sent < p.to_send))
            .then(|| {
                if status.pending == 1 {
                    "· 1 change waiting to sync".to_owned()
                } else {
                    format!("· {} changes waiting to sync", thousands(status.pending))
                }
            }),
            detail: (!detail.is_empty()).then(|| detail.to_owned()),
            show_detail: !detail.is_empty()
                && matches!(
                    status.state,
                    SyncState::Offline | SyncState::SignInAgain | SyncState::NeedsAttention
                ),
        }
    }
}

/// The snake_case wire name of a sync state (what `data-state` carries).
pub const fn state_name(state: SyncState) -> &'static str {
    match state {
        SyncState::LocalOnly => "local_only",
        SyncState::Syncing => "syncing",
        SyncState::UpToDate => "up_to_date",
        SyncState::Offline => "offline",
        SyncState::SignInAgain => "sign_in_again",
        SyncState::NeedsAttention => "needs_attention",
    }
}

pub const fn state_label(state: SyncState) -> &'static str {
    match state {
        SyncState::LocalOnly => "Local only",
        SyncState::Syncing => "Syncing…",
        SyncState::UpToDate => "Up to date",
        SyncState::Offline => "Offline",
        SyncState::SignInAgain => "Sign in again",
        SyncState::NeedsAttention => "Needs attention",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn status(
        state: SyncState,
        pending: u64,
        remote_revision: u64,
        detail: &str,
    ) -> SyncStatus {
        SyncStatus {
            state,
            pending,
            last_synced_at: None,
            detail: detail.into(),
            remote_revision,
            progress: None,
        }
    }

    #[test]
    fn sync_badge_texts() {
        let badge = SyncBadge::new(
            Some(&status(
                SyncState::Offline,
                3,
                0,
                "No network; retrying in 30 s.",
            )),
            None,
        );
        assert_eq!(badge.state, "offline");
        assert_eq!(badge.label, "Offline");
        assert_eq!(
            badge.pending.as_deref(),
            Some("· 3 changes waiting to sync")
        );
        assert_eq!(
            badge.detail.as_deref(),
            Some("No network; retrying in 30 s.")
        );
        assert!(badge.show_detail);

        let badge = SyncBadge::new(
            Some(&status(SyncState::UpToDate, 0, 0, "Synced at 09:12.")),
            None,
        );
        assert_eq!(badge.state, "up_to_date");
        assert_eq!(badge.label, "Up to date");
        assert_eq!(badge.pending, None);
        assert!(!badge.show_detail, "calm states keep detail in the tooltip");

        let badge = SyncBadge::new(Some(&status(SyncState::SignInAgain, 0, 0, "x")), None);
        assert_eq!(badge.state, "sign_in_again");
        assert_eq!(badge.label, "Sign in again");

        let badge = SyncBadge::new(None, None);
        assert_eq!(badge.state, "checking");
        let badge = SyncBadge::new(None, Some("command not found"));
        assert_eq!(badge.state, "needs_attention");
        assert!(badge.show_detail);
    }

    #[test]
    fn syncing_says_how_far_it_has_got() {
        let mut sending = status(SyncState::Syncing, 3000, 0, "");
        sending.progress = Some(SyncProgress {
            sent: 2000,
            to_send: 5000,
            received: 0,
        });
        let badge = SyncBadge::new(Some(&sending), None);
        assert_eq!(badge.label, "Syncing…");
        assert_eq!(badge.progress.as_deref(), Some("2,000 of 5,000"));
        assert_eq!(badge.pending, None, "n of m already says what waits");

        let mut receiving = status(SyncState::Syncing, 0, 0, "");
        receiving.progress = Some(SyncProgress {
            sent: 5000,
            to_send: 5000,
            received: 1200,
        });
        let badge = SyncBadge::new(Some(&receiving), None);
        assert_eq!(badge.progress.as_deref(), Some("1,200 received"));

        // A round that ended offline shows no stale progress.
        let mut offline = status(SyncState::Offline, 4, 0, "");
        offline.progress = Some(SyncProgress {
            sent: 1,
            to_send: 5,
            received: 0,
        });
        let badge = SyncBadge::new(Some(&offline), None);
        assert_eq!(badge.progress, None);
        assert_eq!(
            badge.pending.as_deref(),
            Some("· 4 changes waiting to sync")
        );
    }

    #[test]
    fn every_sync_state_name_matches_the_wire() {
        for state in [
            SyncState::LocalOnly,
            SyncState::Syncing,
            SyncState::UpToDate,
            SyncState::Offline,
            SyncState::SignInAgain,
            SyncState::NeedsAttention,
        ] {
            let wire = serde_json::to_value(state).expect("serializes");
            assert_eq!(wire.as_str(), Some(state_name(state)));
        }
    }
}
