//! The background sync loop: runs while the app runs, reports status, backs off when offline.

use super::{sync_once, SyncClient, SyncError};
use crate::Replica;
use chrono::Utc;
use fieldstone_protocol::commands::{SyncState, SyncStatus};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// How often to ask for news while online (until live updates arrive in the protocol).
    pub poll_interval: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(5),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Owns the background task; dropping it stops syncing.
pub struct SyncHandle {
    status: watch::Receiver<SyncStatus>,
    nudge: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Starts syncing `replica` through `client` on the current tokio runtime.
    pub fn spawn(replica: Arc<Replica>, client: SyncClient, options: SyncOptions) -> Self {
        let pending = replica.pending_changes().unwrap_or(0);
        let (tx, status) = watch::channel(SyncStatus {
            state: SyncState::Syncing,
            pending,
            last_synced_at: None,
            detail: format!("Connecting to {}", client.base_url()),
            remote_revision: 0,
        });
        let nudge = Arc::new(Notify::new());
        let task = tokio::spawn(run(replica, client, options, tx, Arc::clone(&nudge)));
        Self {
            status,
            nudge,
            task,
        }
    }

    /// Call after a local write: sync soon, and refresh the pending count.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    replica: Arc<Replica>,
    client: SyncClient,
    options: SyncOptions,
    tx: watch::Sender<SyncStatus>,
    nudge: Arc<Notify>,
) {
    let mut backoff = options.min_backoff;
    loop {
        let pending = pending_count(&replica).await;
        tx.send_if_modified(|s| {
            let mut changed = s.pending != pending;
            s.pending = pending;
            // Retries while offline or signed out keep that state: no flicker on every attempt.
            let online = matches!(s.state, SyncState::UpToDate | SyncState::Syncing);
            if online && pending > 0 && s.state != SyncState::Syncing {
                s.state = SyncState::Syncing;
                s.detail = format!("Sending {pending} change(s)");
                changed = true;
            }
            changed
        });
        let wait = match sync_once(&replica, &client).await {
            Ok(report) => {
                backoff = options.min_backoff;
                let pending = pending_count(&replica).await;
                tx.send_modify(|s| {
                    s.state = SyncState::UpToDate;
                    s.pending = pending;
                    s.last_synced_at = Some(Utc::now());
                    s.detail = format!("Synced with {}", client.base_url());
                    if report.docs_changed > 0 {
                        s.remote_revision += 1;
                    }
                });
                options.poll_interval
            }
            Err(error) => {
                let (state, wait) = match &error {
                    SyncError::Unauthorized => (SyncState::SignInAgain, options.max_backoff),
                    SyncError::Unreachable(_) => (SyncState::Offline, backoff),
                    _ => (SyncState::NeedsAttention, backoff),
                };
                tracing::warn!(%error, retry_in = ?wait, "sync failed");
                let detail = match state {
                    SyncState::SignInAgain => {
                        "The sync server no longer accepts this device's sign-in. Your work is safe on this device; sign in again to resume syncing.".to_owned()
                    }
                    SyncState::Offline => {
                        let reason = match &error {
                            SyncError::Unreachable(reason) => reason.as_str(),
                            _ => "",
                        };
                        format!(
                            "Working offline — the sync server can't be reached ({reason}). Your work is saved on this device; retrying in {} s.",
                            wait.as_secs().max(1)
                        )
                    }
                    _ => format!("{error}. Retrying in {} s.", wait.as_secs().max(1)),
                };
                tx.send_modify(|s| {
                    s.state = state;
                    s.detail = detail;
                });
                backoff = (backoff * 2).min(options.max_backoff);
                wait
            }
        };
        wait_or_nudge(&replica, &tx, &nudge, wait).await;
    }
}

/// Sleeps for `wait`. While online a local write ends the wait at once; while offline or
/// signed out it only refreshes the pending count, so typing never hammers a dead server.
async fn wait_or_nudge(
    replica: &Arc<Replica>,
    tx: &watch::Sender<SyncStatus>,
    nudge: &Notify,
    wait: Duration,
) {
    let deadline = Instant::now() + wait;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => return,
            () = nudge.notified() => {
                let state = tx.borrow().state;
                if matches!(state, SyncState::UpToDate | SyncState::Syncing) {
                    return;
                }
                let pending = pending_count(replica).await;
                tx.send_if_modified(|s| {
                    let changed = s.pending != pending;
                    s.pending = pending;
                    changed
                });
            }
        }
    }
}

async fn pending_count(replica: &Arc<Replica>) -> u64 {
    let r = Arc::clone(replica);
    tokio::task::spawn_blocking(move || r.pending_changes().unwrap_or(0))
        .await
        .unwrap_or(0)
}
