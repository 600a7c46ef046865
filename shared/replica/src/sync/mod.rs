//! Sync with the server: push the outbox (putting back what the server refuses), pull every
//! scope's changes page by page, repair divergence, and a background loop that keeps doing so
//! with live news, backoff and a typed status the app words for the person.

mod background;
mod client;
mod live;
mod media;
mod refusals;
mod set_aside;
mod state;
mod status;

pub use background::{SyncHandle, SyncOptions};
pub use client::{accept_invite, login, SyncClient, SyncError, Traffic};
pub use live::{LiveEvent, LiveListener};
pub use media::{upload_media, UploadProgress, PIECE_BYTES};
pub use set_aside::UNREADABLE_FROM_SERVER;
pub use state::{Applied, SyncNotice};
pub use status::{BackgroundStatus, SyncDetail};

use crate::Replica;
use fieldstone_protocol::commands::SyncProgress;
use fieldstone_protocol::{
    DocId, PullRequest, PushRequest, RepairRequest, Scope, MAX_PULL_DOCS, MAX_REQUEST_BYTES,
};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Changes per push request; a batch also stops short of the server's body limit (measured
/// before compression, so the compressed body is always smaller).
const PUSH_BATCH: usize = 2000;
/// Documents per repair page.
const REPAIR_PAGE: usize = 1000;

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    /// Documents received.
    pub pulled: u64,
    /// Documents changed here by what was received.
    pub docs_changed: u64,
    /// Edits the server refused (their documents were put back, or kept when only a limit
    /// stood in the way).
    pub refused: Vec<SyncNotice>,
    /// Documents received that could not be read, set aside (this device kept its copy).
    pub set_aside: Vec<SyncNotice>,
    /// HTTP requests made.
    pub round_trips: u32,
}

/// One full round: send every pending change, then fetch everything new in every scope. When
/// the server stops listing a scope (removed from a team), a repair pass removes what this
/// device may no longer read. A store bound to another account than the client's is refused
/// ([`crate::ReplicaError::OtherAccount`]) before anything is sent.
pub async fn sync_once(
    replica: &Arc<Replica>,
    client: &SyncClient,
) -> Result<SyncReport, SyncError> {
    sync_once_with(replica, client, &|_| {}).await
}

/// [`sync_once`], telling `progress` after every request how far the round has got.
pub async fn sync_once_with(
    replica: &Arc<Replica>,
    client: &SyncClient,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    ensure_account(replica, client).await?;
    let to_send = push_all(replica, client, &mut report, progress).await?;
    let mut lost_scope = false;
    loop {
        let r = Arc::clone(replica);
        let cursors = blocking(move || r.scope_cursors()).await?;
        let had: BTreeSet<Scope> = cursors.iter().map(|c| c.scope).collect();
        let (page, not_mine) = client
            .pull_marked(&PullRequest {
                cursors,
                max_docs: MAX_PULL_DOCS,
            })
            .await?;
        report.round_trips += 1;
        report.pulled += page.docs.len() as u64;
        lost_scope |= had
            .iter()
            .any(|s| !page.cursors.iter().any(|c| c.scope == *s));
        let more = page.more && !page.docs.is_empty();
        let r = Arc::clone(replica);
        let applied = blocking(move || {
            r.apply_remote_marked(&page.docs, Some(&page.cursors), not_mine.as_deref())
        })
        .await?;
        report.docs_changed += applied.docs_changed as u64;
        report.set_aside.extend(applied.set_aside);
        if report.pulled > 0 {
            progress(SyncProgress {
                sent: report.pushed,
                to_send,
                received: report.pulled,
            });
        }
        if !more {
            break;
        }
    }
    if lost_scope {
        report.docs_changed += repair(replica, client).await? as u64;
    }
    Ok(report)
}

/// Sends the outbox in batches, applying the server's refusals as they come. Returns how many
/// changes were waiting when it began.
async fn push_all(
    replica: &Arc<Replica>,
    client: &SyncClient,
    report: &mut SyncReport,
    progress: &(dyn Fn(SyncProgress) + Send + Sync),
) -> Result<u64, SyncError> {
    let r = Arc::clone(replica);
    let pending = blocking(move || r.pending_changes()).await?;
    // Refusals may queue a document's history again (missing dependencies): a bounded number
    // of rounds keeps a server that keeps refusing from looping us; the rest waits.
    let rounds = pending as usize / PUSH_BATCH + 3;
    for _ in 0..rounds {
        let r = Arc::clone(replica);
        let (docs, last_id) =
            blocking(move || r.outbox_batch(PUSH_BATCH, MAX_REQUEST_BYTES * 3 / 4)).await?;
        let Some(last_id) = last_id else { break };
        let sent: u64 = docs.iter().map(|d| d.changes.len() as u64).sum();
        let answer = client.push(&PushRequest { docs }).await?;
        report.round_trips += 1;
        let r = Arc::clone(replica);
        let refused = blocking(move || {
            let notices = r.apply_rejections(&answer.rejected)?;
            r.ack_outbox(last_id)?;
            Ok(notices)
        })
        .await?;
        report.pushed += sent;
        report.refused.extend(refused);
        progress(SyncProgress {
            sent: report.pushed.min(pending),
            to_send: pending,
            received: 0,
        });
    }
    Ok(pending)
}

/// Compares every local document's heads with the server's, a page of ids at a time, and
/// fixes what differs both ways. Returns documents changed here.
pub async fn repair(replica: &Arc<Replica>, client: &SyncClient) -> Result<usize, SyncError> {
    ensure_account(replica, client).await?;
    let mut after: Option<DocId> = None;
    let mut changed = 0;
    loop {
        let mut last = false;
        let mut end = None;
        // The server sends a bounded number of documents per answer: ask again for the same
        // range (with fresh digests) until nothing differs.
        for _ in 0..20 {
            let r = Arc::clone(replica);
            let from = after.clone();
            let docs = blocking(move || r.repair_page(from.as_ref(), REPAIR_PAGE)).await?;
            last = docs.len() < REPAIR_PAGE;
            end = docs.last().map(|d| d.doc_id.clone());
            let answer = client
                .repair(&RepairRequest {
                    after: after.clone(),
                    last,
                    docs,
                })
                .await?;
            let settled = answer.differing.is_empty();
            let r = Arc::clone(replica);
            changed += blocking(move || r.apply_repair(&answer)).await?;
            if settled {
                break;
            }
        }
        if last || end.is_none() {
            break;
        }
        after = end;
    }
    let mut report = SyncReport::default();
    push_all(replica, client, &mut report, &|_| {}).await?;
    let r = Arc::clone(replica);
    blocking(move || r.record_repair()).await?;
    Ok(changed)
}

/// Refuses to sync a store with any account but its own; a store that never synced becomes
/// the client's account's (the first sign-in adopts what was made before it). Nothing is sent
/// or received before this holds.
async fn ensure_account(replica: &Arc<Replica>, client: &SyncClient) -> Result<(), SyncError> {
    let account = client.account().await?;
    let r = Arc::clone(replica);
    blocking(move || r.bind_account(&account)).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::ReplicaError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Protocol(format!("local task failed: {e}")))?
        .map_err(SyncError::Local)
}
