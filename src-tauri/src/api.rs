//! The app's API as plain functions over the engine. Tauri commands are one-line wrappers over
//! these (see `commands.rs`), so everything here is tested without a window or IPC.

use fieldstone_model::{Lead, LeadInput};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SyncStatus};
use fieldstone_replica::{Replica, SyncHandle};
use std::sync::{Arc, Mutex};

pub struct Api {
    replica: Arc<Replica>,
    sync: Mutex<Option<SyncHandle>>,
}

impl Api {
    pub fn new(replica: Arc<Replica>) -> Self {
        Self {
            replica,
            sync: Mutex::new(None),
        }
    }

    #[cfg(test)]
    pub fn replica(&self) -> &Arc<Replica> {
        &self.replica
    }

    /// Attaches the background sync once it has started.
    pub fn attach_sync(&self, handle: SyncHandle) {
        *self.sync.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
    }

    pub async fn create_lead(&self, input: LeadInput) -> Result<Lead, CommandError> {
        let replica = Arc::clone(&self.replica);
        let lead = blocking(move || replica.create_lead(&input)).await?;
        if let Some(sync) = self.sync.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            sync.nudge();
        }
        Ok(lead)
    }

    pub async fn list_leads(&self) -> Result<Vec<Lead>, CommandError> {
        let replica = Arc::clone(&self.replica);
        blocking(move || replica.list_leads()).await
    }

    pub fn sync_status(&self) -> SyncStatus {
        self.sync
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or_else(SyncStatus::local_only, SyncHandle::status)
    }
}

/// Runs blocking SQLite work off the async executor and maps engine errors to command errors.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, fieldstone_replica::ReplicaError> + Send + 'static,
) -> Result<T, CommandError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| {
            CommandError::new(
                CommandErrorCode::Internal,
                format!("The operation did not finish: {e}"),
            )
        })?
        .map_err(CommandError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::{FixedClock, Stage};
    use fieldstone_protocol::commands::SyncState;

    fn api(dir: &std::path::Path) -> Api {
        let clock = Arc::new(FixedClock::new(chrono::DateTime::UNIX_EPOCH));
        let replica = Replica::open(&dir.join("fieldstone.db"), clock).expect("open");
        Api::new(Arc::new(replica))
    }

    #[tokio::test]
    async fn created_lead_is_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let api = api(dir.path());
        let lead = api
            .create_lead(LeadInput {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                phone: String::new(),
                stage: Stage::Showing,
            })
            .await
            .expect("created");
        assert_eq!(api.list_leads().await.expect("listed"), vec![lead]);
    }

    #[tokio::test]
    async fn invalid_lead_reports_field_errors_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let api = api(dir.path());
        let error = api
            .create_lead(LeadInput {
                name: " ".into(),
                email: "ada@".into(),
                ..Default::default()
            })
            .await
            .expect_err("rejected");
        assert_eq!(error.code, CommandErrorCode::Validation);
        assert!(error.field("name").is_some());
        assert!(error.field("email").is_some());
        assert!(api.list_leads().await.expect("listed").is_empty());
        assert_eq!(api.replica().pending_changes().expect("pending"), 0);
    }

    #[test]
    fn without_a_server_the_app_is_local_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(api(dir.path()).sync_status().state, SyncState::LocalOnly);
    }
}
