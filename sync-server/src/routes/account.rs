//! Sign-in, invitations, refresh, sign-out (here and everywhere), password change, `/v2/me`.

use super::{ApiJson, ClientIp};
use crate::access::Caller;
use crate::auth::{hash_token, new_token};
use crate::error::ApiError;
use crate::hub::Event;
use crate::store::{NewUser, Store, UserRow};
use crate::{blocking, AppState, Audit};
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

/// How long a known-device proof counts.
const KNOWN_DEVICE_DAYS: i64 = 180;

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
    if request.known_device.as_ref().is_some_and(|k| k.len() > 128) {
        return Err(ApiError::BadRequest(
            "known_device is not a valid proof".into(),
        ));
    }
    blocking(move || {
        let store = state.store.as_ref();
        let now = state.clock.now();
        let candidates: Vec<_> = store
            .accounts_by_email(&email)?
            .into_iter()
            .filter(|(org, _)| request.org_id.is_none_or(|want| want == org.id))
            .collect();
        // A proof from an earlier sign-in of one of these accounts on this device.
        let known = match request.known_device.as_deref() {
            Some(proof) => store.known_device(&hash_token(proof))?.is_some_and(|(org, user, since)| {
                now - since < Duration::days(KNOWN_DEVICE_DAYS)
                    && candidates.iter().any(|(o, u)| o.id == org && u.id == user)
            }),
            None => false,
        };
        if let Err(wait) = state.limiter.check_login(&email, ip, known) {
            count_login(&state, "rate_limited");
            return Err(ApiError::TooManyRequests { retry_after: wait });
        }
        // Unknown email and wrong password: same work, same answer.
        if candidates.is_empty() {
            state.passwords.verify_dummy(&request.password);
        }
        let matching: Vec<_> = candidates
            .iter()
            .filter(|(_, user)| {
                state
                    .passwords
                    .verify(&request.password, &user.password_hash)
            })
            .collect();
        match matching.as_slice() {
            [] => {
                count_login(&state, "invalid");
                let locked = state.limiter.login_failed(&email, ip, known);
                for (org, user) in &candidates {
                    state.audit(
                        org.id,
                        Audit {
                            kind: if locked.is_some() { "login_locked" } else { "login_failed" },
                            user: None,
                            subject: Some(user.id.to_string()),
                            detail: match locked {
                                Some(wait) => format!(
                                    "wrong password for {email}; attempts from this address{} wait {} s",
                                    if known { "" } else { " and from unknown devices" },
                                    wait.as_secs().max(1)
                                ),
                                None => format!("wrong password for {email}"),
                            },
                            ip: Some(ip),
                        },
                    );
                }
                Err(ApiError::InvalidCredentials)
            }
            [(_, user)] => {
                count_login(&state, "ok");
                state.limiter.login_succeeded(&email, ip);
                let device = store.create_device(user.org_id, user.id, &device_name, now)?;
                let mut session = open_session(&state, user, device.id)?;
                session.known_device = Some(match request.known_device.filter(|_| known) {
                    Some(proof) => proof,
                    None => remember_device(&state, user)?,
                });
                Ok(Json(session))
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

/// A new known-device proof for `user`; only its hash is kept.
fn remember_device(state: &AppState, user: &UserRow) -> Result<String, ApiError> {
    let proof = crate::auth::new_known_device();
    state
        .store
        .remember_device(user.org_id, user.id, &hash_token(&proof), state.clock.now())?;
    Ok(proof)
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
        known_device: None,
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
    // Invitation secrets are unguessable, but a flood of attempts is still refused: per
    // address, and per invitation (never one bucket for everyone, which a stranger could fill).
    let token_hash = hash_token(request.token.trim());
    if let Err(wait) = state.limiter.check_invitation(&token_hash, ip) {
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    blocking(move || {
        let store = state.store.as_ref();
        let now = state.clock.now();
        let Some(invite) = store.take_invitation(&token_hash, now)? else {
            state.limiter.invitation_failed(&token_hash);
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
        state.audit(
            invite.org_id,
            Audit {
                kind: "invitation_accepted",
                user: Some(user.id),
                subject: Some(user.id.to_string()),
                detail: format!("{} joined as {}", user.email, invite.role),
                ip: Some(ip),
            },
        );
        let device = store.create_device(invite.org_id, user.id, &device_name, now)?;
        let mut session = open_session(&state, &user, device.id)?;
        session.known_device = Some(remember_device(&state, &user)?);
        Ok((StatusCode::CREATED, Json(session)))
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
        // The live socket of this session closes; the user's other sessions see theirs alive.
        state.publish(Event::SessionsEnded {
            org: caller.org,
            user: caller.user,
        });
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
        let ended = state.store.end_sessions(caller.org, caller.user)?;
        state.publish(Event::SessionsEnded {
            org: caller.org,
            user: caller.user,
        });
        state.audit(
            caller.org,
            Audit {
                kind: "sessions_ended",
                user: Some(caller.user),
                subject: Some(caller.user.to_string()),
                detail: format!("signed out everywhere ({ended} sessions)"),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Changes the password, ends every session, and returns a new one for this device.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<Session>, ApiError> {
    check_password(&request.new_password).map_err(ApiError::BadRequest)?;
    // A stolen session must not become a way to guess the password it does not know.
    let key = caller.user.to_string();
    if let Err(wait) = state.limiter.check_password(&key) {
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    if request.current_password.len() > PASSWORD_MAX_BYTES {
        state.limiter.password_failed(&key);
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    blocking(move || {
        let user = caller_row(&state, &caller)?;
        if !state
            .passwords
            .verify(&request.current_password, &user.password_hash)
        {
            state.limiter.password_failed(&key);
            state.audit(
                caller.org,
                Audit {
                    kind: "password_change_failed",
                    user: Some(caller.user),
                    subject: Some(caller.user.to_string()),
                    detail: "wrong current password on the password-change route".into(),
                    ip: Some(ip),
                },
            );
            return Err(ApiError::Forbidden("the current password is wrong".into()));
        }
        state.limiter.password_succeeded(&key);
        let hash = state
            .passwords
            .hash(&request.new_password)
            .map_err(ApiError::Internal)?;
        state.store.set_password(caller.org, caller.user, &hash)?;
        state.publish(Event::SessionsEnded {
            org: caller.org,
            user: caller.user,
        });
        state.audit(
            caller.org,
            Audit {
                kind: "password_changed",
                user: Some(caller.user),
                subject: Some(caller.user.to_string()),
                detail: "password changed; every session ended".into(),
                ip: Some(ip),
            },
        );
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
