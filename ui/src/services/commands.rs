//! Typed wrappers over the shell's commands and events. Argument and result types come from
//! `fieldstone-protocol` / `fieldstone-model`, shared with the shell, so the two sides cannot
//! drift apart. Arguments are keyed by the Rust parameter name (camelCase) of the command.

use super::bridge::{call, listen};
use fieldstone_model::{Lead, LeadInput};
use fieldstone_protocol::commands::{CommandError, SyncStatus, SYNC_STATUS_EVENT};
use serde::Serialize;

/// Commands without parameters still take an (empty) argument object.
#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct InputArgs<'a, T> {
    input: &'a T,
}

pub async fn create_lead(input: &LeadInput) -> Result<Lead, CommandError> {
    call("create_lead", &InputArgs { input }).await
}

pub async fn list_leads() -> Result<Vec<Lead>, CommandError> {
    call("list_leads", &NoArgs {}).await
}

pub async fn sync_status() -> Result<SyncStatus, CommandError> {
    call("sync_status", &NoArgs {}).await
}

/// Calls `handler` with every [`SyncStatus`] the shell emits, for the rest of the app's life.
pub async fn on_sync_status(handler: impl FnMut(SyncStatus) + 'static) -> Result<(), CommandError> {
    listen(SYNC_STATUS_EVENT, handler).await
}
