//! Tauri commands: one-line wrappers over [`crate::api::Api`].

use crate::api::Api;
use fieldstone_model::{Lead, LeadInput};
use fieldstone_protocol::commands::{CommandError, SyncStatus};
use tauri::State;

#[tauri::command]
pub async fn create_lead(api: State<'_, Api>, input: LeadInput) -> Result<Lead, CommandError> {
    api.create_lead(input).await
}

#[tauri::command]
pub async fn list_leads(api: State<'_, Api>) -> Result<Vec<Lead>, CommandError> {
    api.list_leads().await
}

#[tauri::command]
pub fn sync_status(api: State<'_, Api>) -> SyncStatus {
    api.sync_status()
}
