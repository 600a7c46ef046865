//! The session token in the OS credential store (DESIGN decision 7): Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate. There is no
//! fallback: with no store, signing in fails with a clear error and the token is written
//! nowhere. (Phones: not wired yet, so they say exactly that.)
//!
//! Every call may block on D-Bus or the OS: call from a blocking thread.

/// Why the credential store could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// No store on this system (no Secret Service, no session bus, a phone).
    #[error("no credential store is available on this system ({0})")]
    Unavailable(String),
    /// The store is there but refused or failed (locked keyring, access denied...).
    #[error("the system credential store failed: {0}")]
    Failed(String),
}

/// One app's entries in the OS credential store, told apart by `service`.
#[derive(Debug, Clone)]
pub struct Credentials {
    service: String,
}

impl Credentials {
    /// `service` names the app in the store (tests use their own, so they never touch the
    /// user's entries).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The entry name of the session for `server_url`.
    fn account(server_url: &str) -> String {
        format!("sync-session {server_url}")
    }

    /// Whether a store can be used at all (the first call connects to it).
    pub fn check(&self) -> Result<(), CredentialError> {
        os::check()
    }

    pub fn save(&self, server_url: &str, token: &str) -> Result<(), CredentialError> {
        os::save(&self.service, &Self::account(server_url), token)
    }

    /// The token kept for `server_url`, if any.
    pub fn load(&self, server_url: &str) -> Result<Option<String>, CredentialError> {
        os::load(&self.service, &Self::account(server_url))
    }

    /// Removes the token kept for `server_url`; removing one that is not there is fine.
    pub fn delete(&self, server_url: &str) -> Result<(), CredentialError> {
        os::delete(&self.service, &Self::account(server_url))
    }
}

#[cfg(desktop)]
mod os {
    use super::CredentialError;
    use keyring::{Entry, Error};

    fn describe(error: &Error) -> CredentialError {
        match error {
            Error::NoDefaultStore | Error::NoStorageAccess(_) | Error::PlatformFailure(_) => {
                CredentialError::Unavailable(error.to_string())
            }
            other => CredentialError::Failed(other.to_string()),
        }
    }

    pub fn check() -> Result<(), CredentialError> {
        Entry::store_status().as_ref().map_err(describe).copied()
    }

    fn entry(service: &str, account: &str) -> Result<Entry, CredentialError> {
        check()?;
        Entry::new(service, account).map_err(|e| describe(&e))
    }

    pub fn save(service: &str, account: &str, token: &str) -> Result<(), CredentialError> {
        entry(service, account)?
            .set_password(token)
            .map_err(|e| describe(&e))
    }

    pub fn load(service: &str, account: &str) -> Result<Option<String>, CredentialError> {
        match entry(service, account)?.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(Error::NoEntry) => Ok(None),
            Err(error) => Err(describe(&error)),
        }
    }

    pub fn delete(service: &str, account: &str) -> Result<(), CredentialError> {
        match entry(service, account)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(error) => Err(describe(&error)),
        }
    }
}

#[cfg(mobile)]
mod os {
    use super::CredentialError;

    fn unavailable() -> CredentialError {
        CredentialError::Unavailable(
            "signing in is not available on phones yet; the app works on this device only".into(),
        )
    }

    pub fn check() -> Result<(), CredentialError> {
        Err(unavailable())
    }

    pub fn save(_: &str, _: &str, _: &str) -> Result<(), CredentialError> {
        Err(unavailable())
    }

    pub fn load(_: &str, _: &str) -> Result<Option<String>, CredentialError> {
        Ok(None)
    }

    pub fn delete(_: &str, _: &str) -> Result<(), CredentialError> {
        Ok(())
    }
}
