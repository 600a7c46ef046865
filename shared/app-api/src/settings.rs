//! What the app keeps outside the engine, in a small JSON file in the app's config folder:
//! this device's name and local user, who it is signed in as (never the token: that lives in
//! the OS credential store, see `credentials.rs`), and the user's smart lists.

use fieldstone_model::{Locale, OrgId, UserId};
use fieldstone_protocol::commands::{SessionInfo, SmartList};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FILE_NAME: &str = "settings.json";
const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub version: u32,
    pub device_name: String,
    /// Owns what is created while local only; minted on first start.
    pub local_user: UserId,
    /// Who this device is signed in as. The token is in the credential store.
    #[serde(default)]
    pub session: Option<SessionInfo>,
    /// The smart lists and locale kept on this device (local only, or as a viewer); signed in,
    /// they live in the account's preferences document (see `preferences.rs`).
    #[serde(default)]
    pub smart_lists: Vec<SmartList>,
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Accounts whose preferences document already received this device's lists.
    #[serde(default)]
    pub prefs_copied_for: Vec<UserId>,
    /// Whose records the app shows: the signed-in account, or the last one signed in to
    /// (kept after signing out). `None`: never signed in (the first store).
    #[serde(default)]
    pub shown: Option<Shown>,
    /// The agent's own phone (E.164) while the preferences stay on this device (local only,
    /// or as a viewer); signed in, it is in the account's preferences document.
    #[serde(default)]
    pub agent_phone: Option<String>,
    /// The zone the agent works in (IANA name), when chosen; `None`: this device's.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The last plan the server reported, and for which organisation: the warning before a
    /// contact past the plan's lead cap works offline from it.
    #[serde(default)]
    pub known_plan: Option<KnownPlan>,
}

/// An organisation's plan as the server last reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPlan {
    pub org_id: OrgId,
    /// `free`, `starter`, … (`fieldstone_model::plan::Plan`'s names).
    pub plan: String,
}

/// An account, by organisation and user (its store is found from these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    pub org_id: OrgId,
    pub user_id: UserId,
}

impl Shown {
    pub fn of(account: &fieldstone_replica::AccountBinding) -> Self {
        Self {
            org_id: account.org_id,
            user_id: account.user_id,
        }
    }
}

impl Settings {
    fn fresh() -> Self {
        Self {
            version: FORMAT_VERSION,
            device_name: default_device_name(),
            local_user: UserId::from_uuid(uuid::Uuid::new_v4()),
            session: None,
            smart_lists: Vec::new(),
            locale: None,
            prefs_copied_for: Vec::new(),
            shown: None,
            agent_phone: None,
            time_zone: None,
            known_plan: None,
        }
    }
}

/// This machine's host name, or a plain default (phones have none to read).
fn default_device_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty() && name.chars().count() <= 60)
        .unwrap_or_else(|| "My device".to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot write settings to {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The settings file, read once and written through on every change.
pub struct SettingsStore {
    path: PathBuf,
    current: Mutex<Settings>,
}

impl SettingsStore {
    /// Reads `settings.json` in `dir`, creating it on first start. A file that cannot be read
    /// is kept aside (`settings.json.unreadable`) and replaced by fresh settings, so a damaged
    /// file never stops the app (the data itself is in the engine's database).
    pub fn open(dir: &Path) -> Result<Self, SettingsError> {
        let path = dir.join(FILE_NAME);
        let write_error = |source| SettingsError::Write {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(write_error)?;
        let loaded = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(settings) => Some(settings),
                Err(error) => {
                    tracing::warn!(%error, path = %path.display(), "settings unreadable; starting afresh");
                    let _ = std::fs::rename(&path, path.with_extension("json.unreadable"));
                    None
                }
            },
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(write_error(error)),
        };
        let store = Self {
            path,
            current: Mutex::new(Settings::fresh()),
        };
        match loaded {
            Some(settings) => *store.lock() = settings,
            None => {
                let fresh = store.get();
                store.write(&fresh)?;
            }
        }
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self) -> Settings {
        self.lock().clone()
    }

    /// Changes the settings and writes them durably (a temporary file, fsynced, renamed over
    /// the old one); on failure nothing changes.
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> T) -> Result<T, SettingsError> {
        let mut current = self.lock();
        let mut next = current.clone();
        let result = change(&mut next);
        self.write(&next)?;
        *current = next;
        Ok(result)
    }

    /// Like [`SettingsStore::update`], for a change that may be refused: nothing is written
    /// when `change` fails.
    pub fn try_update<T, E>(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<T, E>,
    ) -> Result<Result<T, E>, SettingsError> {
        let mut current = self.lock();
        let mut next = current.clone();
        match change(&mut next) {
            Ok(value) => {
                self.write(&next)?;
                *current = next;
                Ok(Ok(value))
            }
            Err(error) => Ok(Err(error)),
        }
    }

    fn write(&self, settings: &Settings) -> Result<(), SettingsError> {
        let error = |source| SettingsError::Write {
            path: self.path.display().to_string(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(settings).map_err(|e| error(e.into()))?;
        let tmp = self.path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&tmp).map_err(error)?;
        file.write_all(&bytes).map_err(error)?;
        file.sync_all().map_err(error)?;
        std::fs::rename(&tmp, &self.path).map_err(error)?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_writes_fresh_settings_and_the_next_start_reads_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = SettingsStore::open(dir.path()).expect("open").get();
        assert!(!first.device_name.is_empty());
        let again = SettingsStore::open(dir.path()).expect("reopen").get();
        assert_eq!(
            first, again,
            "the local user must stay the same across starts"
        );
    }

    #[test]
    fn an_unreadable_file_is_kept_aside_and_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE_NAME), b"{ not json").expect("write");
        let store = SettingsStore::open(dir.path()).expect("open");
        assert_eq!(store.get().version, FORMAT_VERSION);
        assert!(dir.path().join("settings.json.unreadable").exists());
    }

    #[test]
    fn updates_are_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SettingsStore::open(dir.path()).expect("open");
        store
            .update(|s| s.device_name = "Ada's laptop".into())
            .expect("update");
        let reread = SettingsStore::open(dir.path()).expect("reopen").get();
        assert_eq!(reread.device_name, "Ada's laptop");
    }
}
