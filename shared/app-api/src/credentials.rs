//! The session token in the OS credential store (DESIGN decision 7): Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate. There is no
//! fallback: with no store, signing in fails with a clear error and the token is written
//! nowhere. (Phones: not wired yet, so they say exactly that.)
//!
//! Beside the token, in an entry of their own, the known-device proofs the server gave at
//! sign-in ([`KnownDevices`]). They are secrets too (they let this device sign in while
//! strangers guessing at the account are held back), so they live only here, and unlike the
//! token they stay after sign-out: their whole point is the next sign-in.
//!
//! Every call may block on D-Bus or the OS: call from a blocking thread.

use fieldstone_model::OrgId;
use serde::{Deserialize, Serialize};

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

    /// The entry name of the known-device proofs for `email` at `server_url`. Keyed by the
    /// email as the person types it (trimmed, lower-case, as the server compares it): a
    /// sign-in knows nothing else about the account before it succeeds.
    fn known_devices_account(server_url: &str, email: &str) -> String {
        format!("known-device {server_url} {}", email.trim().to_lowercase())
    }

    /// The proofs kept for `email` at `server_url`; none when there is no entry, and none
    /// when the entry cannot be read as proofs (it is replaced at the next sign-in).
    pub fn load_known_devices(
        &self,
        server_url: &str,
        email: &str,
    ) -> Result<KnownDevices, CredentialError> {
        let stored = os::load(
            &self.service,
            &Self::known_devices_account(server_url, email),
        )?;
        Ok(stored
            .map(|text| KnownDevices::parse(&text))
            .unwrap_or_default())
    }

    pub fn save_known_devices(
        &self,
        server_url: &str,
        email: &str,
        known: &KnownDevices,
    ) -> Result<(), CredentialError> {
        os::save(
            &self.service,
            &Self::known_devices_account(server_url, email),
            &known.to_text(),
        )
    }
}

/// The known-device proofs of one email on one server (`Session::known_device`), one per
/// organisation, the most recent first. One email may have accounts in several organisations
/// on one server; the server accepts a proof only for the account it was given to, so each
/// keeps its own, and the one signed in to last is sent when the organisation is not chosen
/// yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KnownDevices(Vec<KnownDevice>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KnownDevice {
    org_id: OrgId,
    proof: String,
}

impl KnownDevices {
    /// Organisations remembered per email and server; the least recent goes first. (Nobody
    /// has more; this only keeps the entry small whatever happens.)
    const MAX_ORGS: usize = 8;

    /// The proof to send when signing in to `org` (`None`: not chosen yet, so the most
    /// recent, which the server accepts for any of the email's accounts).
    pub fn proof_for(&self, org: Option<OrgId>) -> Option<&str> {
        self.0
            .iter()
            .find(|known| org.is_none_or(|org| known.org_id == org))
            .map(|known| known.proof.as_str())
    }

    /// Keeps `proof` as `org`'s, first; `false` when it was kept so already (nothing to save).
    pub fn remember(&mut self, org: OrgId, proof: String) -> bool {
        if self
            .0
            .first()
            .is_some_and(|known| known.org_id == org && known.proof == proof)
        {
            return false;
        }
        self.0.retain(|known| known.org_id != org);
        self.0.insert(0, KnownDevice { org_id: org, proof });
        self.0.truncate(Self::MAX_ORGS);
        true
    }

    /// Reads an entry's text; anything else than what [`KnownDevices::to_text`] writes (an
    /// entry damaged, or written by a future version) reads as no proofs.
    fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

// Tauri's `desktop`/`mobile` cfgs come from its build script, which this crate has not.
#[cfg(not(any(target_os = "android", target_os = "ios")))]
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

#[cfg(any(target_os = "android", target_os = "ios"))]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn org(n: u128) -> OrgId {
        OrgId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn each_organisation_keeps_its_proof_and_the_latest_goes_when_none_is_chosen() {
        let mut known = KnownDevices::default();
        assert_eq!(known.proof_for(None), None);
        assert!(known.remember(org(1), "fsk_acme".into()));
        assert!(known.remember(org(2), "fsk_beta".into()));
        assert_eq!(known.proof_for(None), Some("fsk_beta"));
        assert_eq!(known.proof_for(Some(org(1))), Some("fsk_acme"));
        assert_eq!(known.proof_for(Some(org(3))), None);
        // The server gave the same proof back: nothing to write.
        assert!(!known.remember(org(2), "fsk_beta".into()));
        // A new one replaces the organisation's old one and becomes the latest.
        assert!(known.remember(org(1), "fsk_acme2".into()));
        assert_eq!(known.proof_for(None), Some("fsk_acme2"));
        assert_eq!(known.0.len(), 2);
        for n in 10..30 {
            known.remember(org(n), format!("fsk_{n}"));
        }
        assert_eq!(known.0.len(), KnownDevices::MAX_ORGS);
        assert_eq!(known.proof_for(None), Some("fsk_29"));
    }

    #[test]
    fn an_entry_that_is_not_proofs_reads_as_none() {
        let mut known = KnownDevices::default();
        known.remember(org(1), "fsk_acme".into());
        assert_eq!(KnownDevices::parse(&known.to_text()), known);
        for damaged in [
            "",
            "fsk_acme",
            "{\"org_id\": 1}",
            "[{\"proof\": \"x\"}]",
            "\u{0}",
        ] {
            assert_eq!(
                KnownDevices::parse(damaged),
                KnownDevices::default(),
                "{damaged:?}"
            );
        }
    }
}
