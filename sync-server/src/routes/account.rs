//! Sign-in, invitations, refresh, sign-out (here and everywhere), password change, `/v2/me`.

use super::{ApiJson, ClientIp};
use crate::access::Caller;
use crate::auth::{hash_token, new_token};
use crate::error::ApiError;
use crate::hub::Event;
use crate::store::{NewUser, Store, UserRow};
use crate::{blocking, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Duration;
use fieldstone_model::DeviceId;
use fieldstone_protocol::account::*;

/// Trimmed, lower-case, and a plausible address.
pub fn normalize_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    fieldstone_model::check_email(&email).map_err(ApiError::BadRequest)?;
    Ok(email)
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<Session>, ApiError> {
    let email = normalize_email(&request.email)?;
    let device_name =
        check_name("device name", &request.device_name).map_err(ApiError::BadRequest)?;
    if request.password.len() > PASSWORD_MAX_BYTES {
        return Err(ApiError::BadRequest(format!(
            "passwords have at most {PASSWORD_MAX_BYTES} bytes"
        )));
    }
    if let Err(wait) = state.limiter.check(&email, ip) {
        count_login(&state, "rate_limited");
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    blocking(move || {
        let store = state.store.as_ref();
        let candidates: Vec<_> = store
            .accounts_by_email(&email)?
            .into_iter()
            .filter(|(org, _)| request.org_id.is_none_or(|want| want == org.id))
            .collect();
        // Unknown email and wrong password: same work, same answer.
        if candidates.is_empty() {
            state.passwords.verify_dummy(&request.password);
        }
        let matching: Vec<_> = candidates
            .into_iter()
            .filter(|(_, user)| {
                state
                    .passwords
                    .verify(&request.password, &user.password_hash)
            })
            .collect();
        match matching.as_slice() {
            [] => {
                count_login(&state, "invalid");
                Err(ApiError::InvalidCredentials)
            }
            [(_, user)] => {
                count_login(&state, "ok");
                let device =
                    store.create_device(user.org_id, user.id, &device_name, state.clock.now())?;
                open_session(&state, user, device.id).map(Json)
            }
            several => {
                count_login(&state, "choose_org");
                Err(ApiError::ChooseOrganisation(
                    several
                        .iter()
                        .map(|(org, _)| OrgInfo {
                            id: org.id,
                            name: org.name.clone(),
                        })
                        .collect(),
                ))
            }
        }
    })
    .await
}

fn count_login(state: &AppState, outcome: &str) {
    state
        .metrics
        .logins
        .get_or_create(&crate::metrics::Metrics::label("outcome", outcome))
        .inc();
}

/// Issues a session token for `device` and describes who it belongs to.
pub fn open_session(
    state: &AppState,
    user: &UserRow,
    device: DeviceId,
) -> Result<Session, ApiError> {
    let token = new_token();
    let expires_at = state.clock.now() + Duration::days(i64::from(state.config.auth.session_days));
    state.store.create_session(
        user.org_id,
        user.id,
        device,
        &hash_token(&token),
        expires_at,
    )?;
    Ok(Session {
        token,
        expires_at,
        device_id: device,
        me: describe(state.store.as_ref(), user)?,
    })
}

pub fn describe(store: &dyn Store, user: &UserRow) -> Result<Me, ApiError> {
    let org = store
        .org(user.org_id)?
        .ok_or_else(|| ApiError::Internal("a user's organisation is missing".into()))?;
    let mine: Vec<_> = store
        .memberships(user.org_id)?
        .into_iter()
        .filter(|(_, u)| *u == user.id)
        .map(|(t, _)| t)
        .collect();
    let teams = store
        .teams(user.org_id)?
        .into_iter()
        .filter(|t| mine.contains(&t.id))
        .map(|t| TeamInfo {
            id: t.id,
            name: t.name,
        })
        .collect();
    Ok(Me {
        user: user_info(user),
        org: OrgInfo {
            id: org.id,
            name: org.name,
        },
        teams,
    })
}

pub fn user_info(user: &UserRow) -> UserInfo {
    UserInfo {
        id: user.id,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
    }
}

fn caller_row(state: &AppState, caller: &Caller) -> Result<UserRow, ApiError> {
    state
        .store
        .user(caller.org, caller.user)?
        .ok_or(ApiError::Unauthorized)
}

pub async fn accept_invite(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<AcceptInviteRequest>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    let display_name =
        check_name("display name", &request.display_name).map_err(ApiError::BadRequest)?;
    let device_name =
        check_name("device name", &request.device_name).map_err(ApiError::BadRequest)?;
    check_password(&request.password).map_err(ApiError::BadRequest)?;
    // Invitation secrets are unguessable, but a flood of attempts is still refused.
    if let Err(wait) = state.limiter.check("invitation", ip) {
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    blocking(move || {
        let store = state.store.as_ref();
        let now = state.clock.now();
        let Some(invite) = store.take_invitation(&hash_token(request.token.trim()), now)? else {
            return Err(ApiError::NotFound(
                "invitation (it may have expired or been used already)".into(),
            ));
        };
        let password_hash = state
            .passwords
            .hash(&request.password)
            .map_err(ApiError::Internal)?;
        let user = store.create_user(
            invite.org_id,
            &NewUser {
                email: invite.email.clone(),
                display_name,
                role: invite.role,
                password_hash,
            },
            now,
        )?;
        if let Some(team) = invite.team_id {
            store.add_member(invite.org_id, team, user.id)?;
        }
        state.publish(Event::AccessChanged { org: invite.org_id });
        let device = store.create_device(invite.org_id, user.id, &device_name, now)?;
        open_session(&state, &user, device.id).map(|s| (StatusCode::CREATED, Json(s)))
    })
    .await
}

/// A new token for this device; the old one stops working.
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Session>, ApiError> {
    blocking(move || {
        let user = caller_row(&state, &caller)?;
        let session = open_session(&state, &user, caller.device)?;
        state.store.end_session(caller.org, &caller.token_hash)?;
        Ok(Json(session))
    })
    .await
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    blocking(move || {
        state.store.end_session(caller.org, &caller.token_hash)?;
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Ends every session of the user, on every device (this one too).
pub async fn logout_all(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    blocking(move || {
        state.store.end_sessions(caller.org, caller.user)?;
        state.publish(Event::SessionsEnded {
            org: caller.org,
            user: caller.user,
        });
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Changes the password, ends every session, and returns a new one for this device.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<Session>, ApiError> {
    check_password(&request.new_password).map_err(ApiError::BadRequest)?;
    if request.current_password.len() > PASSWORD_MAX_BYTES {
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    blocking(move || {
        let user = caller_row(&state, &caller)?;
        if !state
            .passwords
            .verify(&request.current_password, &user.password_hash)
        {
            return Err(ApiError::Forbidden("the current password is wrong".into()));
        }
        let hash = state
            .passwords
            .hash(&request.new_password)
            .map_err(ApiError::Internal)?;
        state.store.set_password(caller.org, caller.user, &hash)?;
        state.publish(Event::SessionsEnded {
            org: caller.org,
            user: caller.user,
        });
        open_session(&state, &user, caller.device).map(Json)
    })
    .await
}

pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Me>, ApiError> {
    blocking(move || {
        let user = caller_row(&state, &caller)?;
        describe(state.store.as_ref(), &user).map(Json)
    })
    .await
}
