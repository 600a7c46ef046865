//! Background sync: started at start-up (environment override, else the signed-in session with
//! its token from the credential store), started and stopped by sign-in and sign-out without a
//! restart; its status is pushed to the UI on every change. Refused edits become notices.

use super::{Api, Events};
use chrono::DateTime;
use fieldstone_protocol::commands::{CommandError, SyncNotice, SyncState, SyncStatus};
use fieldstone_replica::{AccountBinding, SyncClient, SyncHandle};
use std::sync::{Arc, MutexGuard};

/// The running sync, if any, and what to show when there is none.
#[derive(Default)]
pub struct SyncSlot {
    pub(super) handle: Option<SyncHandle>,
    /// The running sync's client: sharing asks the same server as the same session.
    pub(super) client: Option<SyncClient>,
    forward: Option<tokio::task::JoinHandle<()>>,
    /// Shown while no sync runs (`None`: local only).
    idle: Option<SyncStatus>,
}

impl Drop for SyncSlot {
    fn drop(&mut self) {
        if let Some(task) = self.forward.take() {
            task.abort();
        }
    }
}

impl Api {
    pub(super) fn lock_sync(&self) -> MutexGuard<'_, SyncSlot> {
        self.sync.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts syncing as configured: the environment's server, else the signed-in session
    /// (its token read from the credential store). Without either, the app is local only. Must
    /// run inside the async runtime.
    pub async fn resume_sync(&self) {
        if let Some(server) = self.sync_config.server.clone() {
            tracing::info!(server = %server.server_url, "syncing with the server from the environment");
            // Whose token it is, the client asks the server; the store refuses another's.
            if let Err(error) = self.start_sync(&server.server_url, &server.token, None) {
                tracing::error!(message = %error.message, "cannot sync with the environment's server");
            }
            return;
        }
        let Some(session) = self.settings.get().session else {
            tracing::info!("no sync server configured: local only");
            return;
        };
        let credentials = self.credentials.clone();
        let url = session.server_url.clone();
        let token = super::blocking(move || Ok(credentials.load(&url))).await;
        let problem = match token {
            Ok(Ok(Some(token))) => match self.start_sync(
                &session.server_url,
                &token,
                Some(super::account_of(&session)),
            ) {
                Ok(()) => return,
                Err(error) => error.message,
            },
            Ok(Ok(None)) => "the saved sign-in is missing from the system keyring".to_owned(),
            Ok(Err(error)) => error.to_string(),
            Err(error) => error.message,
        };
        tracing::warn!(%problem, "cannot resume sync");
        self.set_idle(Some(sign_in_again(&format!(
            "Sign in again to sync: {problem}. Your work stays on this device."
        ))));
    }

    /// Starts background sync of the current store with `server_url` as `token` (signed in
    /// as `account`, when known), replacing any running one, and forwards its status to the
    /// UI.
    pub(super) fn start_sync(
        &self,
        server_url: &str,
        token: &str,
        account: Option<AccountBinding>,
    ) -> Result<(), CommandError> {
        let mut client = SyncClient::new(server_url, token).map_err(|e| {
            CommandError::invalid("server_url", format!("Cannot use this server: {e}."))
        })?;
        if let Some(account) = account {
            client = client.with_account(account);
        }
        let handle = SyncHandle::spawn(
            self.replica(),
            client.clone(),
            self.sync_config.options.clone(),
        );
        let mut status = handle.subscribe();
        let events: Arc<dyn Events> = Arc::clone(&self.events);
        let forward = tokio::spawn(async move {
            loop {
                let current = super::badge::sync_status(&status.borrow_and_update());
                events.sync_status(&current);
                if status.changed().await.is_err() {
                    break;
                }
            }
        });
        let mut slot = self.lock_sync();
        if let Some(old) = slot.forward.replace(forward) {
            old.abort();
        }
        slot.handle = Some(handle);
        slot.client = Some(client);
        slot.idle = None;
        Ok(())
    }

    /// Stops background sync (if running) and shows `idle` instead.
    pub(super) fn stop_sync(&self) {
        let mut slot = self.lock_sync();
        slot.handle = None;
        slot.client = None;
        if let Some(task) = slot.forward.take() {
            task.abort();
        }
        drop(slot);
        self.set_idle(None);
    }

    fn set_idle(&self, idle: Option<SyncStatus>) {
        let status = idle.clone().unwrap_or_else(SyncStatus::local_only);
        self.lock_sync().idle = idle;
        self.events.sync_status(&status);
    }

    pub fn sync_status(&self) -> SyncStatus {
        let slot = self.lock_sync();
        match (&slot.handle, &slot.idle) {
            (Some(handle), _) => super::badge::sync_status(&handle.status()),
            (None, Some(idle)) => idle.clone(),
            (None, None) => SyncStatus::local_only(),
        }
    }

    /// Asks background sync to run now (e.g. a "sync now" button).
    pub fn sync_now(&self) -> SyncStatus {
        if let Some(handle) = self.lock_sync().handle.as_ref() {
            handle.nudge();
        }
        self.sync_status()
    }

    /// Edits the server refused and put back, newest first.
    pub async fn sync_notices(&self) -> Result<Vec<SyncNotice>, CommandError> {
        let notices = self.read(|r| r.sync_notices()).await?;
        Ok(notices
            .into_iter()
            .map(|n| SyncNotice {
                id: n.id,
                doc_id: n.doc_id,
                code: n.code,
                message: n.message,
                at: DateTime::from_timestamp_millis(n.at_ms).unwrap_or_default(),
            })
            .collect())
    }

    pub async fn dismiss_notice(&self, id: i64) -> Result<(), CommandError> {
        self.read(move |r| r.dismiss_notice(id)).await
    }
}

fn sign_in_again(detail: &str) -> SyncStatus {
    SyncStatus {
        state: SyncState::SignInAgain,
        detail: detail.to_owned(),
        ..SyncStatus::local_only()
    }
}
