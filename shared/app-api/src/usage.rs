//! The organisation's plan and this month's usage, for Settings. Only the server knows them
//! (it meters every send), so the command asks it through the running sync's client (the same
//! server and session) and gives up after a few seconds with a sentence rather than hang;
//! signed out or offline, it says so in words the screen shows as they are.

use super::Api;
use fieldstone_protocol::account::OrgUsage;
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use fieldstone_protocol::ErrorCode;
use fieldstone_replica::SyncError;
use std::time::Duration;

/// How long the server may take (connect attempts alone give up after 5 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Signed out (no running sync): the plan is the organisation's, known only once signed in.
pub const SIGN_IN: &str = "Sign in to see your plan.";
/// The server cannot be reached.
pub const OFFLINE: &str = "Usage needs a connection to the server.";
/// The server no longer accepts this device's sign-in.
pub const SIGN_IN_AGAIN: &str =
    "Sign in again to see your plan: the server no longer accepts this device's sign-in.";

impl Api {
    /// The organisation's plan, its allowances and this month's use of each, the whole
    /// organisation's and this user's.
    pub async fn org_usage(&self) -> Result<OrgUsage, CommandError> {
        let Some(client) = self.lock_sync().client.clone() else {
            return Err(CommandError::new(CommandErrorCode::WrongState, SIGN_IN));
        };
        let usage = tokio::time::timeout(ANSWER_WITHIN, client.org_usage())
            .await
            .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())))
            .map_err(usage_error)?;
        // Remembered for the lead warning, which must work offline too.
        let bound = self.read(|r| r.account_binding()).await.ok().flatten();
        if let (Some(account), Ok(plan)) = (bound, usage.plan.parse()) {
            if let Err(error) = self.remember_plan(account.org_id, plan) {
                tracing::warn!(message = %error.message, "could not remember the plan");
            }
        }
        Ok(usage)
    }
}

/// The server's answer (or silence) in the agent's words, with a code the screen branches on.
fn usage_error(error: SyncError) -> CommandError {
    use CommandErrorCode as C;
    match error {
        SyncError::Unreachable(why) => {
            tracing::info!(%why, "usage: the server cannot be reached");
            CommandError::new(C::Offline, OFFLINE)
        }
        SyncError::Unauthorized
        | SyncError::Revoked
        | SyncError::InvalidCredentials
        | SyncError::ChooseOrganisation(_) => CommandError::new(C::Refused, SIGN_IN_AGAIN),
        SyncError::TooManyRequests { retry_after } => crate::error::server_busy(retry_after),
        // A server from before plans has no such route.
        SyncError::Rejected {
            code: ErrorCode::NotFound,
            ..
        } => CommandError::new(
            C::NotFound,
            "Your team's server does not report plans and usage (it may need updating).",
        ),
        SyncError::Rejected { code, message } => {
            tracing::warn!(?code, %message, "usage refused");
            CommandError::new(C::Refused, format!("The server refused: {message}"))
        }
        SyncError::Protocol(why) => CommandError::new(
            C::Refused,
            format!("The server answered something this app does not understand ({why})."),
        ),
        SyncError::Local(error) => crate::error::from_replica(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_a_code_the_screen_branches_on() {
        let offline = usage_error(SyncError::Unreachable("connection refused".into()));
        assert_eq!(offline.code, CommandErrorCode::Offline);
        assert_eq!(offline.message, OFFLINE);
        let refused = usage_error(SyncError::Unauthorized);
        assert_eq!(refused.code, CommandErrorCode::Refused);
        assert_eq!(refused.message, SIGN_IN_AGAIN);
        let old = usage_error(SyncError::Rejected {
            code: ErrorCode::NotFound,
            message: "no route".into(),
        });
        assert_eq!(old.code, CommandErrorCode::NotFound);
        let busy = usage_error(SyncError::TooManyRequests {
            retry_after: Duration::from_millis(10),
        });
        assert_eq!(busy.message, "The server is busy; try again in 1 s.");
    }
}
