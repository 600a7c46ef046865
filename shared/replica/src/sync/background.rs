//! The background sync loop: runs while the app runs, listens for live news, reports status,
//! backs off when offline, and wipes the organisation's data if the device is revoked.

use super::live::{LiveEvent, LiveListener};
use super::status::{BackgroundStatus, SyncDetail};
use super::{repair, sync_once_with, SyncClient, SyncError};
use crate::Replica;
use chrono::Utc;
use fieldstone_protocol::commands::{SyncProgress, SyncState};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// How often to ask for news while online without a live connection.
    pub poll_interval: Duration,
    /// How often to ask anyway while the live connection is up (it could miss nothing but a
    /// notification, so this is a safety net).
    pub live_poll_interval: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Keep a live-news WebSocket open.
    pub live: bool,
    /// How often to compare every document with the server (the repair pass): it finds and
    /// fixes divergence nothing else would, such as a server restored from an older backup.
    pub repair_every: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(5),
            live_poll_interval: Duration::from_secs(60),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            live: true,
            repair_every: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Owns the background tasks; dropping it stops syncing.
pub struct SyncHandle {
    status: watch::Receiver<BackgroundStatus>,
    nudge: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
}

impl SyncHandle {
    /// Starts syncing `replica` through `client` on the current tokio runtime.
    pub fn spawn(replica: Arc<Replica>, client: SyncClient, options: SyncOptions) -> Self {
        let pending = replica.pending_changes().unwrap_or(0);
        let (tx, status) = watch::channel(BackgroundStatus {
            state: SyncState::Syncing,
            pending,
            last_synced_at: None,
            detail: SyncDetail::Connecting {
                server: client.base_url().to_owned(),
            },
            remote_revision: 0,
            progress: None,
        });
        let nudge = Arc::new(Notify::new());
        let (live_tx, live_rx) = mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        if options.live {
            tasks.push(tokio::spawn(keep_live(
                client.clone(),
                options.clone(),
                live_tx,
            )));
        }
        tasks.push(tokio::spawn(run(
            replica,
            client,
            options,
            tx,
            Arc::clone(&nudge),
            live_rx,
        )));
        Self {
            status,
            nudge,
            tasks,
        }
    }

    /// Call after a local write: sync soon, and refresh the pending count.
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    pub fn status(&self) -> BackgroundStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn subscribe(&self) -> watch::Receiver<BackgroundStatus> {
        self.status.clone()
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Keeps one live connection open, reconnecting with backoff; ends when the device is revoked
/// or its sign-in refused (the sync loop reports those).
async fn keep_live(
    client: SyncClient,
    options: SyncOptions,
    events: mpsc::UnboundedSender<LiveEvent>,
) {
    let listener = LiveListener::new(client);
    let mut backoff = options.min_backoff;
    loop {
        let started = Instant::now();
        let result = listener.run(&events).await;
        let reason = match result {
            Err(SyncError::Revoked) => {
                let _ = events.send(LiveEvent::Revoked);
                return;
            }
            Err(SyncError::Unauthorized) => return,
            Err(e) => e.to_string(),
            Ok(()) => "closed".to_owned(),
        };
        if events.send(LiveEvent::Disconnected(reason)).is_err() {
            return;
        }
        if started.elapsed() > options.max_backoff {
            backoff = options.min_backoff;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(options.max_backoff);
    }
}

async fn run(
    replica: Arc<Replica>,
    client: SyncClient,
    options: SyncOptions,
    tx: watch::Sender<BackgroundStatus>,
    nudge: Arc<Notify>,
    mut live: mpsc::UnboundedReceiver<LiveEvent>,
) {
    let mut backoff = options.min_backoff;
    let mut live_up = false;
    loop {
        let pending = pending_count(&replica).await;
        tx.send_if_modified(|s| {
            let mut changed = s.pending != pending;
            s.pending = pending;
            // Retries while offline or signed out keep that state: no flicker on every attempt.
            let online = matches!(s.state, SyncState::UpToDate | SyncState::Syncing);
            if online && pending > 0 && s.state != SyncState::Syncing {
                s.state = SyncState::Syncing;
                s.detail = SyncDetail::Sending { changes: pending };
                changed = true;
            }
            changed
        });
        // Progress only shows once there is real work: a quiet poll leaves the badge alone.
        let progress = |p: SyncProgress| {
            tx.send_modify(|s| {
                s.progress = Some(p);
                if matches!(s.state, SyncState::UpToDate | SyncState::Syncing) {
                    s.state = SyncState::Syncing;
                }
            });
        };
        let round = async {
            let report = sync_once_with(&replica, &client, &progress).await?;
            // Files after the records that name them: a device that fetches the record
            // first is told the file is on its way, and asks again later.
            match super::upload_media(&replica, &client).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "media files uploaded"),
                Err(SyncError::Revoked) => return Err(SyncError::Revoked),
                Err(error) => {
                    tracing::warn!(%error, "media upload stopped; the next round resumes it")
                }
            }
            if repair_due(&replica, options.repair_every).await {
                let changed = repair(&replica, &client).await?;
                tracing::info!(changed, "repair pass finished");
            }
            Ok::<_, SyncError>(report)
        };
        let wait = match round.await {
            Ok(report) => {
                backoff = options.min_backoff;
                let pending = pending_count(&replica).await;
                let notices = {
                    let r = Arc::clone(&replica);
                    tokio::task::spawn_blocking(move || r.sync_notices().unwrap_or_default())
                        .await
                        .unwrap_or_default()
                };
                tx.send_modify(|s| {
                    s.pending = pending;
                    s.progress = None;
                    s.last_synced_at = Some(Utc::now());
                    if let Some(latest) = notices.first() {
                        s.state = SyncState::NeedsAttention;
                        s.detail = SyncDetail::Notices {
                            latest: latest.message.clone(),
                            more: notices.len() - 1,
                        };
                    } else {
                        s.state = SyncState::UpToDate;
                        s.detail = SyncDetail::Synced {
                            server: client.base_url().to_owned(),
                        };
                    }
                    if report.docs_changed > 0
                        || !report.refused.is_empty()
                        || !report.set_aside.is_empty()
                    {
                        s.remote_revision += 1;
                    }
                });
                if live_up {
                    options.live_poll_interval
                } else {
                    options.poll_interval
                }
            }
            Err(SyncError::Revoked) => {
                revoked(&replica, &tx).await;
                return;
            }
            Err(error) => {
                let (state, wait) = match &error {
                    SyncError::Unauthorized => (SyncState::SignInAgain, options.max_backoff),
                    // Not a hiccup: only signing in to the store's own account helps.
                    SyncError::Local(crate::ReplicaError::OtherAccount { .. }) => {
                        (SyncState::NeedsAttention, options.max_backoff)
                    }
                    SyncError::Unreachable(_) => (SyncState::Offline, backoff),
                    _ => (SyncState::NeedsAttention, backoff),
                };
                tracing::warn!(%error, retry_in = ?wait, "sync failed");
                let detail = match &error {
                    SyncError::Unauthorized => SyncDetail::SignInAgain,
                    SyncError::Unreachable(reason) => SyncDetail::Offline {
                        reason: reason.clone(),
                        retry_in: wait,
                    },
                    SyncError::Local(crate::ReplicaError::OtherAccount { .. }) => {
                        SyncDetail::OtherAccount {
                            error: error.to_string(),
                        }
                    }
                    _ => SyncDetail::Failed {
                        error: error.to_string(),
                        retry_in: wait,
                    },
                };
                tx.send_modify(|s| {
                    s.state = state;
                    s.detail = detail;
                    s.progress = None;
                });
                backoff = (backoff * 2).min(options.max_backoff);
                wait
            }
        };
        match wait_for_work(&replica, &tx, &nudge, &mut live, &mut live_up, wait).await {
            Wake::Sync => {}
            Wake::Revoked => {
                revoked(&replica, &tx).await;
                return;
            }
        }
    }
}

/// Whether the last repair pass is older than `every`. A device that never repaired starts
/// counting now: its first sync just fetched everything, so there is nothing to compare yet.
async fn repair_due(replica: &Arc<Replica>, every: Duration) -> bool {
    let r = Arc::clone(replica);
    let last = tokio::task::spawn_blocking(move || match r.last_repair_ms() {
        Ok(None) => r.record_repair().map(|()| None),
        other => other,
    })
    .await
    .ok()
    .and_then(Result::ok)
    .flatten();
    let now = replica.clock.now().timestamp_millis();
    last.is_some_and(|at| now - at >= i64::try_from(every.as_millis()).unwrap_or(i64::MAX))
}

async fn revoked(replica: &Arc<Replica>, tx: &watch::Sender<BackgroundStatus>) {
    let r = Arc::clone(replica);
    let wiped = tokio::task::spawn_blocking(move || r.wipe_synced_data())
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    if let Err(error) = &wiped {
        tracing::error!(%error, "could not wipe the revoked device's data");
    }
    tx.send_modify(|s| {
        s.state = SyncState::SignInAgain;
        s.pending = 0;
        s.remote_revision += 1;
        s.detail = SyncDetail::Revoked;
    });
}

enum Wake {
    Sync,
    Revoked,
}

/// Sleeps for `wait`, ending early for live news, and for a local write while online; while
/// offline or signed out a write only refreshes the pending count, so typing never hammers a
/// dead server.
async fn wait_for_work(
    replica: &Arc<Replica>,
    tx: &watch::Sender<BackgroundStatus>,
    nudge: &Notify,
    live: &mut mpsc::UnboundedReceiver<LiveEvent>,
    live_up: &mut bool,
    wait: Duration,
) -> Wake {
    let deadline = Instant::now() + wait;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => return Wake::Sync,
            event = live.recv(), if !live.is_closed() => match event {
                Some(LiveEvent::News) => return Wake::Sync,
                Some(LiveEvent::Connected) => {
                    *live_up = true;
                    // Connected after being offline: catch up now.
                    let state = tx.borrow().state;
                    if !matches!(state, SyncState::UpToDate | SyncState::NeedsAttention) {
                        return Wake::Sync;
                    }
                }
                // A dropped live connection usually means the server went away: find out now
                // rather than at the next slow poll, so the badge says offline while it is.
                Some(LiveEvent::Disconnected(_)) => {
                    if std::mem::replace(live_up, false) {
                        return Wake::Sync;
                    }
                }
                Some(LiveEvent::Revoked) => return Wake::Revoked,
                None => *live_up = false,
            },
            () = nudge.notified() => {
                let state = tx.borrow().state;
                if matches!(state, SyncState::UpToDate | SyncState::Syncing | SyncState::NeedsAttention) {
                    return Wake::Sync;
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
