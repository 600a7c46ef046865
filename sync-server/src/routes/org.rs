//! Devices, users and roles, teams and members, invitations. Whatever a caller may not see
//! answers 404, exactly like what does not exist; what they see but may not change answers 403.

use super::account::{normalize_email, user_info};
use super::{path_id, ApiJson};
use crate::access::{org, Caller};
use crate::auth::Admin;
use crate::auth::{hash_token, new_invite_token};
use crate::error::ApiError;
use crate::hub::Event;
use crate::store::{InvitationRow, TeamRow, UserRow};
use crate::{blocking, AppState, Audit};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Duration;
use fieldstone_model::{DeviceId, TeamId, UserId};
use fieldstone_protocol::account::*;
use serde::Deserialize;
use std::collections::BTreeSet;

/// Teams the caller belongs to.
fn my_teams(state: &AppState, caller: &Caller) -> Result<BTreeSet<TeamId>, ApiError> {
    Ok(state
        .store
        .memberships(caller.org)?
        .into_iter()
        .filter(|(_, u)| *u == caller.user)
        .map(|(t, _)| t)
        .collect())
}

/// Users the caller may see: everyone for admins, else the members of their own teams.
fn visible_users(state: &AppState, caller: &Caller) -> Result<Vec<UserRow>, ApiError> {
    let users = state.store.users(caller.org)?;
    if org::sees_everyone(caller.role) {
        return Ok(users);
    }
    let mine = my_teams(state, caller)?;
    let memberships = state.store.memberships(caller.org)?;
    let seen: BTreeSet<UserId> = memberships
        .iter()
        .filter(|(t, _)| mine.contains(t))
        .map(|(_, u)| *u)
        .chain([caller.user])
        .collect();
    Ok(users.into_iter().filter(|u| seen.contains(&u.id)).collect())
}

fn visible_user(state: &AppState, caller: &Caller, id: UserId) -> Result<UserRow, ApiError> {
    visible_users(state, caller)?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| ApiError::NotFound("user".into()))
}

fn visible_team(state: &AppState, caller: &Caller, id: TeamId) -> Result<TeamRow, ApiError> {
    let team = state
        .store
        .team(caller.org, id)?
        .ok_or_else(|| ApiError::NotFound("team".into()))?;
    if org::sees_everyone(caller.role) || my_teams(state, caller)?.contains(&id) {
        Ok(team)
    } else {
        Err(ApiError::NotFound("team".into()))
    }
}

#[derive(Debug, Deserialize)]
pub struct DevicesQuery {
    pub user_id: Option<String>,
}

pub async fn devices(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DevicesQuery>,
) -> Result<Json<Vec<DeviceInfo>>, ApiError> {
    blocking(move || {
        let user = match query.user_id.as_deref() {
            None => caller.user,
            Some(id) => {
                let id: UserId = path_id(id, "user")?;
                if id != caller.user && !org::sees_everyone(caller.role) {
                    return Err(ApiError::NotFound("user".into()));
                }
                state
                    .store
                    .user(caller.org, id)?
                    .ok_or_else(|| ApiError::NotFound("user".into()))?
                    .id
            }
        };
        let devices = state.store.devices(caller.org, Some(user))?;
        Ok(Json(
            devices
                .into_iter()
                .map(|d| DeviceInfo {
                    current: d.id == caller.device,
                    id: d.id,
                    user_id: d.user_id,
                    name: d.name,
                    created_at: d.created_at,
                    last_seen_at: d.last_seen_at,
                    revoked_at: d.revoked_at,
                })
                .collect(),
        ))
    })
    .await
}

/// Revokes a device: its token stops working at once, its live connection closes, and its next
/// contact is told to wipe the organisation's data.
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(device_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let device_id: DeviceId = path_id(&device_id, "device")?;
    blocking(move || {
        let device = state
            .store
            .device(caller.org, device_id)?
            .filter(|d| org::may_revoke_device(&caller, d.user_id))
            .ok_or_else(|| ApiError::NotFound("device".into()))?;
        state
            .store
            .revoke_device(caller.org, device.id, state.clock.now())?;
        state.publish(Event::DeviceRevoked {
            org: caller.org,
            device: device.id,
        });
        state.audit(
            caller.org,
            Audit {
                kind: "device_revoked",
                user: Some(caller.user),
                subject: Some(device.id.to_string()),
                detail: format!(
                    "device {:?} of user {} revoked",
                    device.name, device.user_id
                ),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

pub async fn users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserInfo>>, ApiError> {
    blocking(move || {
        Ok(Json(
            visible_users(&state, &caller)?
                .iter()
                .map(user_info)
                .collect(),
        ))
    })
    .await
}

pub async fn user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<UserInfo>, ApiError> {
    let id: UserId = path_id(&user_id, "user")?;
    blocking(move || Ok(Json(user_info(&visible_user(&state, &caller, id)?)))).await
}

/// Admins set agent, broker and viewer roles; only an owner makes or unmakes admins and owners,
/// and nobody changes their own role (an organisation can never lose its last owner).
pub async fn set_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    ApiJson(request): ApiJson<SetRoleRequest>,
) -> Result<Json<UserInfo>, ApiError> {
    let id: UserId = path_id(&user_id, "user")?;
    blocking(move || {
        let target = visible_user(&state, &caller, id)?;
        org::may_set_role(&caller, target.id, target.role, request.role)
            .map_err(|why| ApiError::Forbidden(why.into()))?;
        state.store.set_role(caller.org, target.id, request.role)?;
        state.publish(Event::AccessChanged { org: caller.org });
        state.audit(
            caller.org,
            Audit {
                kind: "role_changed",
                user: Some(caller.user),
                subject: Some(target.id.to_string()),
                detail: format!(
                    "{} changed from {} to {}",
                    target.email, target.role, request.role
                ),
                ip: None,
            },
        );
        Ok(Json(UserInfo {
            role: request.role,
            ..user_info(&target)
        }))
    })
    .await
}

pub async fn teams(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TeamInfo>>, ApiError> {
    blocking(move || {
        let mine = my_teams(&state, &caller)?;
        Ok(Json(
            state
                .store
                .teams(caller.org)?
                .into_iter()
                .filter(|t| org::sees_everyone(caller.role) || mine.contains(&t.id))
                .map(|t| TeamInfo {
                    id: t.id,
                    name: t.name,
                })
                .collect(),
        ))
    })
    .await
}

pub async fn create_team(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(request): ApiJson<CreateTeamRequest>,
) -> Result<(StatusCode, Json<TeamInfo>), ApiError> {
    let name = check_name("team name", &request.name).map_err(ApiError::BadRequest)?;
    blocking(move || {
        let team = state.store.create_team(caller.org, &name)?;
        state.publish(Event::AccessChanged { org: caller.org });
        Ok((
            StatusCode::CREATED,
            Json(TeamInfo {
                id: team.id,
                name: team.name,
            }),
        ))
    })
    .await
}

pub async fn team(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
) -> Result<Json<TeamDetail>, ApiError> {
    let id: TeamId = path_id(&team_id, "team")?;
    blocking(move || {
        let team = visible_team(&state, &caller, id)?;
        let members: BTreeSet<UserId> = state
            .store
            .memberships(caller.org)?
            .into_iter()
            .filter(|(t, _)| *t == team.id)
            .map(|(_, u)| u)
            .collect();
        let members = state
            .store
            .users(caller.org)?
            .iter()
            .filter(|u| members.contains(&u.id))
            .map(user_info)
            .collect();
        Ok(Json(TeamDetail {
            id: team.id,
            name: team.name,
            members,
        }))
    })
    .await
}

/// Team membership is an admin's decision: joining a team gives its broker the member's
/// private work, so a broker adding people to their own team would be a broker granting
/// themselves access (brokers invite new hires into their teams instead).
fn may_manage_member(caller: &Caller) -> Result<(), ApiError> {
    if org::administers(caller.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only an admin or owner may change a team's members; ask one (brokers can invite new agents into their own teams)".into(),
        ))
    }
}

pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(team_id): Path<String>,
    ApiJson(request): ApiJson<UserRef>,
) -> Result<StatusCode, ApiError> {
    let id: TeamId = path_id(&team_id, "team")?;
    blocking(move || {
        let team = visible_team(&state, &caller, id)?;
        let target = state
            .store
            .user(caller.org, request.user_id)?
            .ok_or_else(|| ApiError::NotFound("user".into()))?;
        may_manage_member(&caller)?;
        state.store.add_member(caller.org, team.id, target.id)?;
        state.publish(Event::AccessChanged { org: caller.org });
        state.audit(
            caller.org,
            Audit {
                kind: "member_added",
                user: Some(caller.user),
                subject: Some(target.id.to_string()),
                detail: format!("{} added to team {}", target.email, team.name),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((team_id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let team_id: TeamId = path_id(&team_id, "team")?;
    let user_id: UserId = path_id(&user_id, "user")?;
    blocking(move || {
        let team = visible_team(&state, &caller, team_id)?;
        let target = state
            .store
            .user(caller.org, user_id)?
            .ok_or_else(|| ApiError::NotFound("user".into()))?;
        may_manage_member(&caller)?;
        if !state.store.remove_member(caller.org, team.id, target.id)? {
            return Err(ApiError::NotFound("team member".into()));
        }
        state.publish(Event::AccessChanged { org: caller.org });
        state.audit(
            caller.org,
            Audit {
                kind: "member_removed",
                user: Some(caller.user),
                subject: Some(target.id.to_string()),
                detail: format!("{} removed from team {}", target.email, team.name),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Creates a one-time invitation; its secret is in the answer and nowhere else.
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let email = normalize_email(&request.email)?;
    blocking(move || {
        if let Some(team) = request.team_id {
            visible_team(&state, &caller, team)?;
        }
        let into_own_team = match request.team_id {
            Some(team) => my_teams(&state, &caller)?.contains(&team),
            None => false,
        };
        if !org::may_invite(caller.role, request.role, into_own_team) {
            return Err(ApiError::Forbidden(
                "admins invite anyone but owners; brokers invite agents and viewers into their own teams".into(),
            ));
        }
        if state
            .store
            .users(caller.org)?
            .iter()
            .any(|u| u.email == email)
        {
            return Err(ApiError::Conflict(format!(
                "{email} already has an account in this organisation"
            )));
        }
        let token = new_invite_token();
        let expires_at =
            state.clock.now() + Duration::days(i64::from(state.config.auth.invitation_days));
        state.store.create_invitation(&InvitationRow {
            token_hash: hash_token(&token),
            org_id: caller.org,
            email: email.clone(),
            role: request.role,
            team_id: request.team_id,
            created_by: caller.user,
            expires_at,
        })?;
        Ok((
            StatusCode::CREATED,
            Json(Invitation {
                link: state
                    .config
                    .http
                    .public_url
                    .as_deref()
                    .map(|base| format!("{}/invite/{token}", base.trim_end_matches('/'))),
                token,
                email,
                role: request.role,
                expires_at,
            }),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// Events older than this event number (the `id` of the last one on the previous page).
    pub before: Option<i64>,
    /// At most this many (1..=500, default 100).
    pub limit: Option<usize>,
}

/// `GET /v2/audit`: the organisation's security events, newest first. Admins only.
pub async fn audit_log(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 500".into(),
        ));
    }
    blocking(move || {
        let rows = state.store.audit_log(caller.org, query.before, limit)?;
        Ok(Json(
            rows.into_iter()
                .map(|r| AuditEntry {
                    id: r.id,
                    at: r.event.at,
                    kind: r.event.kind,
                    user_id: r.event.user,
                    subject: r.event.subject,
                    detail: r.event.detail,
                    ip: r.event.ip,
                })
                .collect(),
        ))
    })
    .await
}
