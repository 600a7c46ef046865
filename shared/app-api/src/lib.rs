//! The app's API as plain methods over the engine, written once: the Tauri shell's commands are
//! expanded from the one table of commands (`fieldstone_protocol::app_commands!`) into one-line
//! calls of these methods, [`Api::dispatch`] serves the same table in process, and the tests
//! call the methods directly, without a window or IPC, against real SQLite files.
//!
//! Every method validates its input (the engine validates records), answers with the shared
//! DTOs, and fails with a `CommandError` in the app's words ([`error`], [`badge`]: the engine
//! itself only says what happened). Local writes nudge background sync.
//!
//! Beside the API, what it needs and nothing of a window: the app's settings file, the stores
//! of each account, the OS credential store, and sync settings from the environment.

mod account;
mod ai;
pub mod badge;
mod calendar;
mod calls;
mod campaigns;
pub mod config;
mod contacts;
pub mod credentials;
mod detail;
pub mod dispatch;
pub mod error;
mod follow_ups;
mod invitation;
mod kiosk;
mod leads;
mod listings;
mod merge;
mod messages;
mod preferences;
mod records;
pub mod settings;
mod sharing;
pub mod stores;
mod sync;
mod team;
mod today;
mod transfer;
mod usage;

pub use sync::SyncSlot;

use crate::config::SyncConfig;
use crate::credentials::Credentials;
use crate::settings::{Settings, SettingsError, SettingsStore};
use crate::stores::Stores;
use fieldstone_model::{Clock, UserId};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, ImportProgressEvent, SyncStatus,
};
use fieldstone_replica::{AccountBinding, Replica, ReplicaError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Where the API pushes what the UI must hear without asking.
pub trait Events: Send + Sync + 'static {
    fn sync_status(&self, status: &SyncStatus);
    fn import_progress(&self, event: &ImportProgressEvent);
}

/// For callers that listen to nothing.
pub struct NoEvents;

impl Events for NoEvents {
    fn sync_status(&self, _: &SyncStatus) {}
    fn import_progress(&self, _: &ImportProgressEvent) {}
}

/// Where things live, and how to reach the OS.
pub struct ApiConfig {
    /// The engine's database and the media folder (photos).
    pub data_dir: PathBuf,
    /// `settings.json`.
    pub config_dir: PathBuf,
    /// Uploads waiting to be imported.
    pub cache_dir: PathBuf,
    /// Where exports go (the user's downloads folder); `None`: `<data_dir>/exports`.
    pub export_dir: Option<PathBuf>,
    pub credentials: Credentials,
    /// Timing, and a server that overrides the signed-in session (environment).
    pub sync: SyncConfig,
}

/// The store shown and synced now, and whose it is.
struct Current {
    replica: Arc<Replica>,
    /// `None`: the first store, before any sign-in.
    account: Option<AccountBinding>,
}

pub struct Api {
    /// Replaced when signing in to another account switches stores; every command takes the
    /// store current when it starts.
    current: RwLock<Current>,
    stores: Stores,
    /// What the last sign-in did to the records shown, in a sentence for the person.
    records_note: Mutex<Option<String>>,
    clock: Arc<dyn Clock>,
    settings: SettingsStore,
    credentials: Credentials,
    data_dir: PathBuf,
    cache_dir: PathBuf,
    export_dir: PathBuf,
    sync_config: SyncConfig,
    sync: Mutex<SyncSlot>,
    events: Arc<dyn Events>,
    /// Counts local writes (the reminder plan is rebuilt when it moves).
    writes: AtomicU64,
    /// Sign-in and sign-out one at a time.
    account_lock: tokio::sync::Mutex<()>,
    /// The last duplicate search and what it was run against (see `merge.rs`).
    duplicates: Mutex<Option<merge::DuplicatesCache>>,
}

/// Why the API could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl Api {
    /// Opens the settings and the store to show: the signed-in account's, else the last
    /// account's (signed out), else the first store. Syncing starts with [`Api::resume_sync`].
    pub fn open(
        config: ApiConfig,
        clock: Arc<dyn Clock>,
        events: Arc<dyn Events>,
    ) -> Result<Self, StartError> {
        let settings = SettingsStore::open(&config.config_dir)?;
        let stores = Stores::new(&config.data_dir);
        let current = open_current(&stores, &settings, &clock)?;
        let export_dir = config
            .export_dir
            .unwrap_or_else(|| config.data_dir.join("exports"));
        Ok(Self {
            current: RwLock::new(current),
            stores,
            records_note: Mutex::new(None),
            clock,
            settings,
            credentials: config.credentials,
            data_dir: config.data_dir,
            cache_dir: config.cache_dir,
            export_dir,
            sync_config: config.sync,
            sync: Mutex::new(SyncSlot::default()),
            events,
            writes: AtomicU64::new(0),
            account_lock: tokio::sync::Mutex::new(()),
            duplicates: Mutex::new(None),
        })
    }

    /// The store shown now (another after a sign-in to another account).
    pub fn replica(&self) -> Arc<Replica> {
        Arc::clone(&self.lock_current().replica)
    }

    fn lock_current(&self) -> std::sync::RwLockReadGuard<'_, Current> {
        self.current.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Shows (and from now on writes to) `replica`, the store of `account`.
    fn switch_to(&self, replica: Arc<Replica>, account: Option<AccountBinding>) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        *current = Current { replica, account };
        drop(current);
        // Everything shown changed: what depends on writes (the reminder plan) is read again.
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// How many local writes this API made (a cue to re-read what depends on them).
    pub fn write_count(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// Who records created here belong to: the signed-in user, else the user whose store is
    /// shown (signed out, the last account's records), else this device's local user.
    pub fn user(&self) -> UserId {
        let settings = self.settings.get();
        match settings.session {
            Some(session) => session.user_id,
            None => self
                .lock_current()
                .account
                .as_ref()
                .map_or(settings.local_user, |a| a.user_id),
        }
    }

    /// Runs blocking engine work off the async executor.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Replica) -> Result<T, ReplicaError> + Send + 'static,
    ) -> Result<T, CommandError> {
        let replica = self.replica();
        blocking(move || f(&replica).map_err(error::from_replica)).await
    }

    /// Like [`Api::read`], on a given store (one not shown yet).
    async fn read_on<T: Send + 'static>(
        &self,
        replica: Arc<Replica>,
        f: impl FnOnce(&Replica) -> Result<T, ReplicaError> + Send + 'static,
    ) -> Result<T, CommandError> {
        blocking(move || f(&replica).map_err(error::from_replica)).await
    }

    /// Refuses record changes for a viewer up front: the server would refuse them at the next
    /// sync and put them back, after the person had seen them saved.
    fn check_writable(&self) -> Result<(), CommandError> {
        match self.settings.get().session {
            Some(session) if session.role == fieldstone_protocol::account::Role::Viewer => {
                Err(CommandError::new(
                    CommandErrorCode::Refused,
                    format!(
                        "You are a viewer in {}: you can look at everything shared with you, \
                         but not change it. An admin can make you an agent.",
                        session.org.name
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Like [`Api::read`], for work that writes: sync is nudged when it succeeds. A viewer's
    /// writes are refused before anything is stored.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Replica) -> Result<T, ReplicaError> + Send + 'static,
    ) -> Result<T, CommandError> {
        self.check_writable()?;
        let result = self.read(f).await;
        if result.is_ok() {
            self.wrote();
        }
        result
    }

    /// After a local write: count it and ask background sync to send it soon.
    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
        if let Some(handle) = self.lock_sync().handle.as_ref() {
            handle.nudge();
        }
    }
}

/// The store to show at start: the signed-in account's (a store from before per-account
/// stores, with the session's records in the first store, is adopted by it), else the last
/// account's, else the first store.
fn open_current(
    stores: &Stores,
    settings: &SettingsStore,
    clock: &Arc<dyn Clock>,
) -> Result<Current, StartError> {
    let open = |path: &std::path::Path| Replica::open(path, Arc::clone(clock)).map(Arc::new);
    let Settings { session, shown, .. } = settings.get();
    if let Some(session) = session {
        let account = account_of(&session);
        let mut path = stores.path_for(account.org_id, account.user_id);
        if shown.is_none() && !path.exists() {
            path = stores.local(); // signed in before stores were per account
        }
        let mut replica = open(&path)?;
        if let Err(error) = replica.bind_account(&account) {
            // The first store is another account's: this one gets its own.
            tracing::warn!(%error, "the first store is not the session's");
            replica = open(&stores.path_for(account.org_id, account.user_id))?;
            replica.bind_account(&account)?;
        }
        settings.update(|s| s.shown = Some(crate::settings::Shown::of(&account)))?;
        return Ok(Current {
            replica,
            account: Some(account),
        });
    }
    let path = match shown {
        Some(shown) => stores.path_for(shown.org_id, shown.user_id),
        None => stores.local(),
    };
    let replica = open(&path)?;
    let account = replica.account_binding()?;
    Ok(Current { replica, account })
}

/// The account a session signs in as.
fn account_of(session: &fieldstone_protocol::commands::SessionInfo) -> AccountBinding {
    AccountBinding {
        server_url: session.server_url.clone(),
        org_id: session.org.id,
        org_name: session.org.name.clone(),
        user_id: session.user_id,
        email: session.email.clone(),
    }
}

/// Runs `f` on a blocking thread; a panic there becomes an internal error, not a crash.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        CommandError::new(
            CommandErrorCode::Internal,
            format!("The operation did not finish: {e}"),
        )
    })?
}

fn settings_error(error: SettingsError) -> CommandError {
    CommandError::new(
        CommandErrorCode::Storage,
        format!("Could not save the app's settings on this device: {error}."),
    )
}

/// Checks a page size.
fn check_limit(field: &str, limit: u32, max: u32) -> Result<(), CommandError> {
    if limit == 0 || limit > max {
        return Err(CommandError::invalid(
            field,
            format!("Ask for 1 to {max} at a time."),
        ));
    }
    Ok(())
}

/// Decodes base64 from the UI (a `data:…;base64,` prefix allowed), refusing more than `max`
/// decoded bytes before decoding.
fn decode_base64(field: &str, text: &str, max: usize) -> Result<Vec<u8>, CommandError> {
    use base64::Engine;
    let text = match text.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => text,
    };
    if text.len() / 4 * 3 > max + 3 {
        return Err(CommandError::invalid(
            field,
            format!("This is larger than {} MB.", max / (1024 * 1024)),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| CommandError::invalid(field, format!("Not base64 data ({e}).")))?;
    if bytes.len() > max {
        return Err(CommandError::invalid(
            field,
            format!("This is larger than {} MB.", max / (1024 * 1024)),
        ));
    }
    Ok(bytes)
}

fn encode_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
