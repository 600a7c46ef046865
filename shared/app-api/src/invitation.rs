//! Accepting an invitation in the app: the invited person pastes the link, chooses a name and
//! a password, and this device is signed in as the new account, like a sign-in.

use super::account::{check_device_name, check_server_url, no_store, sign_in_error};
use super::Api;
use fieldstone_model::FieldError;
use fieldstone_protocol::account::{check_password, AcceptInviteRequest};
use fieldstone_protocol::commands::{
    read_invitation, AcceptInvitation, Account, CommandError, CommandErrorCode,
};
use fieldstone_protocol::sync::ErrorCode;
use fieldstone_replica::sync::{self, SyncError};

/// Longest display name (as the server allows).
const NAME_MAX_CHARS: usize = 100;

impl Api {
    pub async fn accept_invitation(
        &self,
        request: AcceptInvitation,
    ) -> Result<Account, CommandError> {
        let _one_at_a_time = self.account_lock.lock().await;
        if self.settings.get().session.is_some() {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "This device is already signed in; sign out first.",
            ));
        }
        let mut error =
            CommandError::new(CommandErrorCode::Validation, "Some fields need attention.");
        let mut field = |name: &str, message: String| {
            error.fields.push(FieldError {
                field: name.into(),
                message,
            })
        };
        let read = read_invitation(&request.invitation);
        if read.is_none() {
            field(
                "invitation",
                "Paste the invitation link you were sent (it contains /invite/).".into(),
            );
        }
        let name = request.display_name.trim().to_owned();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            field(
                "display_name",
                format!("Enter your name as teammates should see it (at most {NAME_MAX_CHARS} characters)."),
            );
        }
        if let Err(why) = check_password(&request.password) {
            field("password", format!("Choose a password: {why}."));
        }
        let readable = read.is_some();
        let (server, secret) = read.unwrap_or_default();
        let server_url = match server.as_deref().filter(|s| !s.is_empty()) {
            // Nothing to read a server from yet: the link's own error says what to paste.
            None if !readable => Err(CommandError::new(CommandErrorCode::Validation, "")),
            Some(from_link) => check_server_url(from_link).map_err(|_| {
                CommandError::invalid(
                    "invitation",
                    "The link's server address is not one the app can use (https://, or http:// on this network).".to_owned(),
                )
            }),
            None => check_server_url(&request.server_url),
        };
        let server_url = match server_url {
            Ok(url) => Some(url),
            Err(refused) => {
                error.fields.extend(refused.fields);
                None
            }
        };
        let device_name = match check_device_name(&request.device_name) {
            Ok(name) => Some(name),
            Err(refused) => {
                error.fields.extend(refused.fields);
                None
            }
        };
        let (Some(server_url), Some(device_name)) = (server_url, device_name) else {
            return Err(error);
        };
        if !error.fields.is_empty() {
            return Err(error);
        }
        // The store first: with nowhere safe to keep a session, the invitation is not used up.
        let credentials = self.credentials.clone();
        super::blocking(move || credentials.check().map_err(no_store)).await?;
        let accept = AcceptInviteRequest {
            token: secret,
            display_name: name,
            password: request.password,
            device_name: device_name.clone(),
        };
        let session = sync::accept_invite(&server_url, &accept)
            .await
            .map_err(|e| match e {
                SyncError::Rejected {
                    code: ErrorCode::NotFound,
                    ..
                } => CommandError::invalid(
                    "invitation",
                    "This invitation has expired or was used already; ask for a new one."
                        .to_owned(),
                ),
                other => sign_in_error(other),
            })?;
        self.keep_session(server_url, device_name, session, None)
            .await
    }
}
