//! Sync: push the outbox, pull the change feed, and a background loop that keeps doing both
//! with backoff while the app runs.

mod background;
mod client;

pub use background::{SyncHandle, SyncOptions};
pub use client::{SyncClient, SyncError};

use crate::Replica;
use fieldstone_protocol::{MAX_PULL_LIMIT, MAX_REQUEST_BYTES};
use std::sync::Arc;

/// Changes per push request; a batch also stops short of the server's body limit.
const PUSH_BATCH: usize = 500;

/// What one sync round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub pulled: u64,
    /// Documents changed here by what was pulled.
    pub docs_changed: u64,
}

/// One full round: send every pending change, then fetch everything new.
pub async fn sync_once(
    replica: &Arc<Replica>,
    client: &SyncClient,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    loop {
        let r = Arc::clone(replica);
        let (batch, last_id) =
            blocking(move || r.outbox_batch(PUSH_BATCH, MAX_REQUEST_BYTES * 3 / 4)).await?;
        let Some(last_id) = last_id else { break };
        let sent = batch.len() as u64;
        client.push(batch).await?;
        let r = Arc::clone(replica);
        blocking(move || r.ack_outbox(last_id)).await?;
        report.pushed += sent;
    }
    loop {
        let r = Arc::clone(replica);
        let since = blocking(move || r.sync_cursor()).await?;
        let page = client.pull(since, MAX_PULL_LIMIT).await?;
        if page.cursor < since {
            return Err(SyncError::Protocol(format!(
                "server moved the cursor backwards ({since} → {})",
                page.cursor
            )));
        }
        report.pulled += page.entries.len() as u64;
        let more = page.more && !page.entries.is_empty();
        let r = Arc::clone(replica);
        let changed = blocking(move || r.apply_remote(&page.entries, page.cursor)).await?;
        report.docs_changed += changed as u64;
        if !more {
            break;
        }
    }
    Ok(report)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, crate::ReplicaError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Protocol(format!("local task failed: {e}")))?
        .map_err(SyncError::Local)
}
