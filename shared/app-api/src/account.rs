//! The account: local only by default; sign in to a sync server later (the session token goes to
//! the OS credential store and nowhere else; each account's records in a store of their own, see
//! `stores.rs`), sign out (the server session ends if reachable, the token is removed, local
//! data stays), the device's name, and what the app is. A sign-in sends the known-device proof
//! the account's last sign-in on this device got, and keeps the one it gets (credential store
//! only), so strangers guessing at the account do not hold this device back.

use super::{settings_error, Api};
use crate::credentials::{CredentialError, KnownDevices};
use crate::settings::Shown;
use fieldstone_protocol::account::{LoginRequest, NAME_MAX_CHARS, PASSWORD_MAX_BYTES};
use fieldstone_protocol::commands::{
    About, Account, CommandError, CommandErrorCode, ErrorDetail, SessionInfo, SignInRequest,
};
use fieldstone_protocol::sync::ErrorCode;
use fieldstone_replica::{sync, AccountBinding, SyncClient, SyncError};
use std::sync::Arc;

impl Api {
    pub fn account(&self) -> Account {
        let settings = self.settings.get();
        Account {
            user_id: self.user(),
            server_override: self
                .sync_config
                .server
                .as_ref()
                .map(|s| s.server_url.clone()),
            session: settings.session,
            device_name: settings.device_name,
        }
    }

    /// Signs this device in to a sync server and starts syncing. Fails, having stored nothing,
    /// when there is no credential store to keep the session in.
    ///
    /// The records shown become the account's: the store shown now if it is the account's or
    /// has never synced (the first sign-in adopts work done before it), else the account's own
    /// store (empty the first time, its records as they were after that). Another account's
    /// records are never shown to, nor synced with, this one; they stay on the device.
    pub async fn sign_in(&self, request: SignInRequest) -> Result<Account, CommandError> {
        let _one_at_a_time = self.account_lock.lock().await;
        if self.settings.get().session.is_some() {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "This device is already signed in; sign out first.",
            ));
        }
        let server_url = check_server_url(&request.server_url)?;
        let device_name = check_device_name(&request.device_name)?;
        check_sign_in_fields(&request)?;
        // The store first: with nowhere safe to keep a session, none is made on the server.
        let credentials = self.credentials.clone();
        super::blocking(move || credentials.check().map_err(no_store)).await?;
        let email = request.email.trim().to_owned();
        let known = self.known_devices(&server_url, &email).await;
        let mut login = LoginRequest {
            email: email.clone(),
            password: request.password,
            device_name: device_name.clone(),
            org_id: request.org_id,
            known_device: known.proof_for(request.org_id).map(str::to_owned),
        };
        let session = match sync::login(&server_url, &login).await {
            // A proof the server cannot read at all (damaged in the keyring) must not keep the
            // person out: ask again as a device it does not know. (A well-formed but wrong or
            // expired proof is not an error: the server treats the device as unknown.)
            Err(SyncError::Rejected {
                code: ErrorCode::BadRequest,
                ..
            }) if login.known_device.is_some() => {
                tracing::info!("the known-device proof was refused; signing in without it");
                login.known_device = None;
                sync::login(&server_url, &login).await
            }
            answer => answer,
        }
        .map_err(sign_in_error)?;
        self.keep_session(server_url, device_name, session, Some((email, known)))
            .await
    }

    /// Makes `session` (just given by the server) this device's: kept in the keyring, the
    /// account's store shown (adopting local records on a first sign-in), sync started. Undone
    /// on the server and here if any step fails. `known`: the known-device proofs to add the
    /// session's to (a sign-in with an email); an invitation's account has none yet.
    pub(crate) async fn keep_session(
        &self,
        server_url: String,
        device_name: String,
        session: fieldstone_protocol::account::Session,
        known: Option<(String, KnownDevices)>,
    ) -> Result<Account, CommandError> {
        let account = AccountBinding {
            server_url: server_url.clone(),
            org_id: session.me.org.id,
            org_name: session.me.org.name.clone(),
            user_id: session.me.user.id,
            email: session.me.user.email.clone(),
        };
        let plan = match self.plan_store(&account).await {
            Ok(plan) => plan,
            Err(error) => {
                end_server_session(&server_url, &session.token).await;
                return Err(error);
            }
        };
        let credentials = self.credentials.clone();
        let (url, token) = (server_url.clone(), session.token.clone());
        let saved = super::blocking(move || credentials.save(&url, &token).map_err(no_store)).await;
        if let Err(error) = saved {
            end_server_session(&server_url, &session.token).await;
            return Err(error);
        }
        if let (Some(proof), Some((email, mut known))) = (session.known_device.clone(), known) {
            if known.remember(session.me.org.id, proof) {
                self.keep_known_devices(&server_url, &email, known).await;
            }
        }
        let info = SessionInfo {
            server_url: server_url.clone(),
            user_id: session.me.user.id,
            email: session.me.user.email.clone(),
            display_name: session.me.user.display_name.clone(),
            role: session.me.user.role,
            org: session.me.org.clone(),
            teams: session.me.teams.clone(),
            expires_at: session.expires_at,
        };
        let shown_before = self.settings.get().shown;
        let stored = self.settings.update(|s| {
            s.session = Some(info);
            s.device_name = device_name;
            s.shown = Some(Shown::of(&account));
        });
        // Bound only once the session is kept: a sign-in that fails adopts nothing. Records
        // made before the first sign-in (owned by this device's local user) become the
        // account user's, or the server would refuse them as someone else's.
        let bound = match stored {
            Err(error) => Err(settings_error(error)),
            Ok(()) => {
                let to_bind = account.clone();
                let adopts = !plan.switches && plan.previous.is_none();
                let from = self.settings.get().local_user;
                self.read_on(Arc::clone(&plan.replica), move |r| {
                    r.bind_account(&to_bind)?;
                    if adopts {
                        r.hand_over_records(from, to_bind.user_id)?;
                    }
                    Ok(())
                })
                .await
            }
        };
        if let Err(error) = bound {
            let _ = self.settings.update(|s| {
                s.session = None;
                s.shown = shown_before;
            });
            let credentials = self.credentials.clone();
            let url = server_url.clone();
            let _ = super::blocking(move || Ok(credentials.delete(&url))).await;
            end_server_session(&server_url, &session.token).await;
            return Err(error);
        }
        self.set_records_note(plan.note(&account));
        if plan.switches {
            tracing::info!(org = %account.org_id, "signed in to another account: its own store");
        }
        self.switch_to(plan.replica, Some(account.clone()));
        tracing::info!(server = %server_url, "signed in; starting sync");
        self.start_sync(&server_url, &session.token, Some(account))?;
        Ok(self.account())
    }

    /// The known-device proofs kept for `email` at `server_url`. Signing in goes on without
    /// them when the keyring cannot give them: they only spare this device waits while
    /// strangers guess at the account.
    async fn known_devices(&self, server_url: &str, email: &str) -> KnownDevices {
        let credentials = self.credentials.clone();
        let (url, email) = (server_url.to_owned(), email.to_owned());
        let loaded = super::blocking(move || Ok(credentials.load_known_devices(&url, &email)));
        let why = match loaded.await {
            Ok(Ok(known)) => return known,
            Ok(Err(error)) => error.to_string(),
            Err(error) => error.message,
        };
        tracing::warn!(error = %why, "known-device proofs unreadable; signing in as a new device");
        KnownDevices::default()
    }

    /// Keeps the proofs after a sign-in (and after sign-out: the next sign-in of the account
    /// on this device sends them). A failure costs only that: the sign-in stands.
    async fn keep_known_devices(&self, server_url: &str, email: &str, known: KnownDevices) {
        let credentials = self.credentials.clone();
        let (url, email) = (server_url.to_owned(), email.to_owned());
        let saved =
            super::blocking(move || Ok(credentials.save_known_devices(&url, &email, &known)));
        let why = match saved.await {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(error) => error.message,
        };
        tracing::warn!(error = %why, "the known-device proof was not kept");
    }

    /// Ends the session (on the server too when it can be reached), removes the token from the
    /// credential store and stops syncing. Everything on this device stays, and the records
    /// shown stay the account's: edits made now wait in its store until it signs in again. The
    /// known-device proofs stay in the credential store too: they are for the next sign-in.
    pub async fn sign_out(&self) -> Result<Account, CommandError> {
        let _one_at_a_time = self.account_lock.lock().await;
        let Some(session) = self.settings.get().session else {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "This device is not signed in.",
            ));
        };
        self.stop_sync();
        self.set_records_note(None);
        let credentials = self.credentials.clone();
        let url = session.server_url.clone();
        let token = super::blocking(move || Ok(credentials.load(&url))).await?;
        if let Ok(Some(token)) = &token {
            end_server_session(&session.server_url, token).await;
        }
        self.settings
            .update(|s| s.session = None)
            .map_err(settings_error)?;
        let credentials = self.credentials.clone();
        let url = session.server_url.clone();
        let removed = super::blocking(move || Ok(credentials.delete(&url))).await?;
        if let Err(error) = removed {
            tracing::warn!(%error, "signed out, but the keyring entry stays");
            return Err(CommandError::new(
                CommandErrorCode::NoCredentialStore,
                format!(
                    "Signed out, but the saved sign-in could not be removed from the system \
                     keyring ({error}); remove \"Fieldstone\" from it by hand."
                ),
            ));
        }
        // With sync off, an environment override (development) takes over again.
        if self.sync_config.server.is_some() {
            self.resume_sync().await;
        }
        Ok(self.account())
    }

    /// The name this device signs in with next time.
    pub fn set_device_name(&self, name: String) -> Result<Account, CommandError> {
        let name = check_device_name(&name)?;
        self.settings
            .update(|s| s.device_name = name)
            .map_err(settings_error)?;
        Ok(self.account())
    }

    pub fn about(&self) -> About {
        About {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol_version: fieldstone_protocol::PROTOCOL_VERSION,
            database_schema: fieldstone_replica::SCHEMA_VERSION,
            data_dir: self.data_dir.display().to_string(),
        }
    }
}

/// Best effort: an unreachable server lets the session expire by itself.
async fn end_server_session(server_url: &str, token: &str) {
    let ended = match SyncClient::new(server_url, token) {
        Ok(client) => client.logout().await,
        Err(error) => Err(error),
    };
    if let Err(error) = ended {
        tracing::info!(%error, "the server session was not ended (it expires by itself)");
    }
}

pub(crate) fn no_store(error: CredentialError) -> CommandError {
    // The system's own error (a D-Bus address, a service name) goes to the log, not to people.
    tracing::warn!(%error, "no keyring for the session token");
    let message = match &error {
        CredentialError::Unavailable(_) => "This device has no system keyring (such as GNOME \
             Keyring or KWallet) to keep your sign-in safely, so it cannot sign in. Nothing was \
             saved; the app keeps working on this device only."
            .to_owned(),
        CredentialError::Failed(_) => "The system keyring refused to keep your sign-in. Unlock \
             it and try again; nothing was saved."
            .to_owned(),
    };
    CommandError::new(CommandErrorCode::NoCredentialStore, message)
}

pub(crate) fn sign_in_error(error: SyncError) -> CommandError {
    use CommandErrorCode as C;
    match error {
        SyncError::InvalidCredentials => {
            CommandError::new(C::InvalidCredentials, "The email or password is wrong.")
        }
        SyncError::ChooseOrganisation(orgs) => CommandError::new(
            C::ChooseOrganisation,
            "This email belongs to several organisations: choose one.",
        )
        .with_detail(ErrorDetail::ChooseOrganisation { orgs }),
        SyncError::TooManyRequests { retry_after } => CommandError::new(
            C::TooManyAttempts,
            format!(
                "Too many attempts; try again in {} s.",
                retry_after.as_secs().max(1)
            ),
        )
        .with_detail(ErrorDetail::RetryAfter {
            seconds: retry_after.as_secs().max(1),
        }),
        SyncError::Unreachable(why) => CommandError::new(
            C::Offline,
            format!("The sync server cannot be reached ({why}). Check the address and network."),
        ),
        SyncError::Unauthorized | SyncError::Revoked => {
            CommandError::new(C::Refused, "The sync server refused this device's sign-in.")
        }
        SyncError::Rejected { message, .. } => {
            CommandError::new(C::Refused, format!("The sync server refused: {message}"))
        }
        SyncError::Protocol(why) => CommandError::new(
            C::Refused,
            format!("This does not look like a Fieldstone sync server ({why})."),
        ),
        SyncError::Local(error) => crate::error::from_replica(error),
    }
}

/// `https://host[:port][/path]`, or `http://` for this machine and private networks (a server
/// in the office); trailing slashes dropped.
pub(crate) fn check_server_url(raw: &str) -> Result<String, CommandError> {
    let url = raw.trim().trim_end_matches('/');
    let bad = |why: &str| CommandError::invalid("server_url", why.to_owned());
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("Enter the server's address, starting with https://."))?;
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("This is not a server address."));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if is_local_host(host) => {}
        "http" => {
            return Err(bad(
                "Use https:// (plain http:// is only for a server on this machine or network).",
            ))
        }
        _ => return Err(bad("The address must start with https://.")),
    }
    Ok(url.to_owned())
}

fn is_local_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => false,
    }
}

pub(crate) fn check_device_name(raw: &str) -> Result<String, CommandError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(CommandError::invalid(
            "device_name",
            "Name this device (e.g. \"Ada's laptop\").",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(CommandError::invalid(
            "device_name",
            format!("A device name is one line of at most {NAME_MAX_CHARS} characters."),
        ));
    }
    Ok(name.to_owned())
}

fn check_sign_in_fields(request: &SignInRequest) -> Result<(), CommandError> {
    let mut error = CommandError::new(CommandErrorCode::Validation, "Some fields need attention.");
    let email = request.email.trim();
    if email.is_empty() || !email.contains('@') || email.len() > 320 {
        error.fields.push(fieldstone_model::FieldError {
            field: "email".into(),
            message: "Enter the email address you sign in with.".into(),
        });
    }
    if request.password.is_empty() || request.password.len() > PASSWORD_MAX_BYTES {
        error.fields.push(fieldstone_model::FieldError {
            field: "password".into(),
            message: "Enter your password.".into(),
        });
    }
    if error.fields.is_empty() {
        Ok(())
    } else {
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_checked() {
        for ok in [
            "https://sync.example.com",
            "https://sync.example.com:8443/fieldstone/",
            "http://127.0.0.1:4000",
            "http://localhost:4000",
            "http://192.168.1.20:4000",
            "http://[::1]:4000",
        ] {
            assert!(check_server_url(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check_server_url(" https://a.example/ ").expect("ok"),
            "https://a.example"
        );
        for bad in [
            "",
            "sync.example.com",
            "http://sync.example.com",
            "ftp://sync.example.com",
            "https://",
            "https://exa mple.com",
        ] {
            let error = check_server_url(bad).expect_err(bad);
            assert!(error.field("server_url").is_some(), "{bad}");
        }
    }

    #[test]
    fn device_names_are_one_short_line() {
        assert_eq!(
            check_device_name("  Ada's laptop ").expect("ok"),
            "Ada's laptop"
        );
        assert!(check_device_name(" ").is_err());
        assert!(check_device_name("a\nb").is_err());
        assert!(check_device_name(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }
}
