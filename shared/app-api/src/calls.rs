//! Click-to-call: when the device is signed in to a server, online, and the agent's own phone
//! is set, Call asks the server to ring that phone and bridge the contact (the server checks
//! consent, the do-not-call list, calling hours and the plan's minutes, and writes the call on
//! the timeline once it ends). Otherwise, or when the server has no telephony, the answer is to
//! dial from the device as before, with a line saying why when that helps the agent.
//!
//! The choice is two pure steps, [`route`] before asking and [`answered`] after, so each rule
//! is tested without a server.

use super::Api;
use fieldstone_model::ContactId;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::calls::{CallPlaced, CallRequest, CallStarted, PlaceCall};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SyncState};
use fieldstone_protocol::ErrorCode;
use fieldstone_replica::SyncError;
use std::time::Duration;

/// How long the agent waits: the server's own provider timeout (15 s by default) and a margin.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

pub const SET_YOUR_PHONE: &str = "Set your phone in Settings to have Fieldstone call you first.";
pub const OFFLINE: &str = "Offline: calling from this device.";
pub const SIGN_IN_AGAIN: &str =
    "Sign in again to have Fieldstone call you first; calling from this device.";
pub const NOT_SET_UP: &str =
    "Your team's server doesn't place calls yet, so this call goes from this device.";
pub const NOT_ON_SERVER: &str =
    "This contact hasn't reached your team's server yet, so this call goes from this device.";
pub const COULD_NOT: &str =
    "Your team's server couldn't place this call, so it goes from this device.";

/// What the device knows before asking anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Before {
    /// A running sync has a client for the server (signed in, or a server from the
    /// environment).
    pub signed_in: bool,
    pub role: Option<Role>,
    pub sync: SyncState,
    /// E.164, when set.
    pub agent_phone: Option<String>,
}

/// What to do before asking: ask the server with this phone, or dial from the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Ask { agent_phone: String },
    Dial(Option<&'static str>),
}

/// Whether the server is worth asking, and if not, what to say.
pub fn route(before: Before) -> Route {
    // Local only, or a viewer (the server places no calls for them): today's flow, no hint.
    if !before.signed_in || before.role == Some(Role::Viewer) {
        return Route::Dial(None);
    }
    let Some(agent_phone) = before.agent_phone else {
        return Route::Dial(Some(SET_YOUR_PHONE));
    };
    match before.sync {
        SyncState::Offline => Route::Dial(Some(OFFLINE)),
        SyncState::SignInAgain => Route::Dial(Some(SIGN_IN_AGAIN)),
        _ => Route::Ask { agent_phone },
    }
}

/// The server's answer (or silence) as what the Call button does. Only a refusal by a rule
/// (403) stops the call: anything else the server cannot do, the device still can.
pub fn answered(answer: Result<CallStarted, SyncError>, name: &str) -> CallPlaced {
    let dial = |hint: &str| CallPlaced::Dial {
        hint: Some(hint.to_owned()),
    };
    match answer {
        Ok(_) => CallPlaced::Ringing {
            message: format!("Ringing your phone… answer it and we'll connect {name}."),
        },
        Err(SyncError::Rejected {
            code: ErrorCode::Forbidden,
            message,
        }) => CallPlaced::Refused { reason: message },
        // No telephony, no public address or no secret on the server.
        Err(SyncError::Rejected {
            code: ErrorCode::Conflict,
            message,
        }) => {
            tracing::info!(%message, "the server places no calls");
            dial(NOT_SET_UP)
        }
        Err(SyncError::Rejected {
            code: ErrorCode::NotFound,
            ..
        }) => dial(NOT_ON_SERVER),
        Err(SyncError::Unreachable(why)) => {
            tracing::info!(%why, "call: the server cannot be reached");
            dial(OFFLINE)
        }
        Err(SyncError::Unauthorized | SyncError::Revoked) => dial(SIGN_IN_AGAIN),
        Err(other) => {
            tracing::warn!(error = %other, "the server did not place the call");
            dial(COULD_NOT)
        }
    }
}

impl Api {
    /// Places a call to one of the contact's numbers: through the server when it can, else an
    /// answer to dial from the device. Nothing is written here: a call the server placed comes
    /// back on the timeline by sync, one dialled from the device is logged by the agent.
    pub async fn place_call(&self, request: PlaceCall) -> Result<CallPlaced, CommandError> {
        let PlaceCall { contact, to } = request;
        fieldstone_model::check_phone(to.trim())
            .map_err(|problem| CommandError::invalid("to", problem))?;
        let name = self.caller_name(contact).await?;
        let client = self.lock_sync().client.clone();
        let before = Before {
            signed_in: client.is_some(),
            role: self.settings.get().session.map(|s| s.role),
            sync: self.sync_status().state,
            agent_phone: self.agent_phone().await?,
        };
        let agent_phone = match route(before) {
            Route::Ask { agent_phone } => agent_phone,
            Route::Dial(hint) => {
                return Ok(CallPlaced::Dial {
                    hint: hint.map(str::to_owned),
                })
            }
        };
        let Some(client) = client else {
            return Ok(CallPlaced::Dial { hint: None });
        };
        let body = CallRequest {
            contact,
            to: to.trim().to_owned(),
            agent_phone,
        };
        let answer = tokio::time::timeout(ANSWER_WITHIN, client.place_call(&body))
            .await
            .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())));
        Ok(answered(answer, &name))
    }

    /// The contact's name, as the sentence names them; a contact not on this device is a
    /// clear error rather than a call to nobody.
    async fn caller_name(&self, contact: ContactId) -> Result<String, CommandError> {
        let found = self.read(move |r| r.get_contact(&contact)).await?;
        match found {
            Some(c) if c.deleted_at.is_none() => Ok(c.display_name()),
            _ => Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This contact is no longer on this device.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(phone: Option<&str>, sync: SyncState) -> Before {
        Before {
            signed_in: true,
            role: Some(Role::Agent),
            sync,
            agent_phone: phone.map(str::to_owned),
        }
    }

    #[test]
    fn the_server_is_asked_only_signed_in_online_and_with_the_agents_phone() {
        assert_eq!(
            route(signed_in(Some("+15550009999"), SyncState::UpToDate)),
            Route::Ask {
                agent_phone: "+15550009999".into()
            }
        );
        // Mid-round or with an edit refused, the server is still there to ask.
        for state in [SyncState::Syncing, SyncState::NeedsAttention] {
            assert!(matches!(
                route(signed_in(Some("+15550009999"), state)),
                Route::Ask { .. }
            ));
        }
        assert_eq!(
            route(signed_in(None, SyncState::UpToDate)),
            Route::Dial(Some(SET_YOUR_PHONE))
        );
        assert_eq!(
            route(signed_in(Some("+15550009999"), SyncState::Offline)),
            Route::Dial(Some(OFFLINE))
        );
        assert_eq!(
            route(signed_in(Some("+15550009999"), SyncState::SignInAgain)),
            Route::Dial(Some(SIGN_IN_AGAIN))
        );
    }

    #[test]
    fn local_only_and_viewers_dial_from_the_device_with_nothing_to_say() {
        let local = Before {
            signed_in: false,
            role: None,
            sync: SyncState::LocalOnly,
            agent_phone: Some("+15550009999".into()),
        };
        assert_eq!(route(local), Route::Dial(None));
        let viewer = Before {
            role: Some(Role::Viewer),
            ..signed_in(Some("+15550009999"), SyncState::UpToDate)
        };
        assert_eq!(route(viewer), Route::Dial(None));
    }

    fn rejected(code: ErrorCode, message: &str) -> Result<CallStarted, SyncError> {
        Err(SyncError::Rejected {
            code,
            message: message.into(),
        })
    }

    #[test]
    fn a_placed_call_rings_and_a_rule_refuses_with_the_servers_sentence() {
        let started = Ok(CallStarted {
            call_sid: "CA1".into(),
            status: "Your phone will ring.".into(),
        });
        assert_eq!(
            answered(started, "Lena Park"),
            CallPlaced::Ringing {
                message: "Ringing your phone… answer it and we'll connect Lena Park.".into()
            }
        );
        let quiet = "It is 22:30 for the recipient (America/New_York); calls are placed between 8:00 and 21:00 their time.";
        assert_eq!(
            answered(rejected(ErrorCode::Forbidden, quiet), "Lena Park"),
            CallPlaced::Refused {
                reason: quiet.into()
            }
        );
    }

    #[test]
    fn whatever_the_server_cannot_do_the_device_dials_with_the_reason() {
        let hint = |answer| match answered(answer, "Lena Park") {
            CallPlaced::Dial { hint } => hint,
            other => panic!("expected to dial, got {other:?}"),
        };
        assert_eq!(
            hint(rejected(
                ErrorCode::Conflict,
                "Calls through the server are not set up for your organisation; call from your phone."
            ))
            .as_deref(),
            Some(NOT_SET_UP)
        );
        assert_eq!(
            hint(rejected(ErrorCode::NotFound, "contact not found")).as_deref(),
            Some(NOT_ON_SERVER)
        );
        assert_eq!(
            hint(Err(SyncError::Unreachable("connection refused".into()))).as_deref(),
            Some(OFFLINE)
        );
        assert_eq!(
            hint(Err(SyncError::Unauthorized)).as_deref(),
            Some(SIGN_IN_AGAIN)
        );
        assert_eq!(
            hint(rejected(ErrorCode::Unavailable, "provider down")).as_deref(),
            Some(COULD_NOT)
        );
        assert_eq!(
            hint(rejected(
                ErrorCode::BadRequest,
                "to: call one of the contact's numbers"
            ))
            .as_deref(),
            Some(COULD_NOT)
        );
    }
}
