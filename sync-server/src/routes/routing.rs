//! Lead routing over HTTP: agents' routing profiles and the organisation's rules (brokers and
//! admins write them; an agent reads their own profile), the routed leads with their reasons,
//! the claim of an offered or pond lead, and a broker's reassignment. The rule is the model's
//! (`fieldstone_model::routing`); carrying it out is `crate::routing`'s.

use super::{path_id, ApiJson};
use crate::access::Caller;
use crate::error::ApiError;
use crate::routing::{self, handover, RoutingError};
use crate::store::routing::{LeadRoutingRow, Replace, LIST_LIMIT};
use crate::{blocking, AppState, Audit};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use fieldstone_model::routing::{AgentProfile, RoutingRules};
use fieldstone_model::{ContactId, UserId, ValidationErrors};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

impl From<RoutingError> for ApiError {
    fn from(error: RoutingError) -> Self {
        match error {
            RoutingError::Store(e) => e.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Brokers, admins and owners decide who gets leads.
fn routes_leads(role: Role) -> bool {
    role == Role::Broker || role.is_admin()
}

fn require_router(caller: &Caller, what: &str) -> Result<(), ApiError> {
    if routes_leads(caller.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only brokers and admins may {what}"
        )))
    }
}

/// A 422 naming every refused field.
#[derive(Debug, Serialize)]
struct Refusal {
    #[serde(flatten)]
    body: ErrorBody,
    fields: Vec<fieldstone_model::FieldError>,
}

fn invalid(what: &str, errors: ValidationErrors) -> Response {
    let body = Refusal {
        body: ErrorBody {
            code: ErrorCode::BadRequest,
            message: format!("the {what} is not valid: {errors}"),
        },
        fields: errors.0,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

// Profiles --------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub user_id: UserId,
    /// `None` until a broker sets one (then the agent is not routed leads).
    pub profile: Option<AgentProfile>,
}

/// The user must be the organisation's ("not found" otherwise, like a missing one).
fn member(state: &AppState, caller: &Caller, user: UserId) -> Result<(), ApiError> {
    match state.store.user(caller.org, user)? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound("user".into())),
    }
}

/// `GET /v2/org/agents/{user_id}/profile`: brokers and admins read any; an agent their own.
pub async fn get_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
) -> Result<Json<ProfileView>, ApiError> {
    let user: UserId = path_id(&user, "user")?;
    blocking(move || {
        member(&state, &caller, user)?;
        if user != caller.user && !routes_leads(caller.role) {
            return Err(ApiError::Forbidden(
                "an agent may read their own routing profile only".into(),
            ));
        }
        let profile = routing::profile(state.store.as_ref(), caller.org, user)?;
        Ok(Json(ProfileView {
            user_id: user,
            profile,
        }))
    })
    .await
}

/// `PUT /v2/org/agents/{user_id}/profile` (brokers and admins).
pub async fn set_profile(
    State(state): State<AppState>,
    caller: Caller,
    Path(user): Path<String>,
    ApiJson(profile): ApiJson<AgentProfile>,
) -> Result<Response, ApiError> {
    let user: UserId = path_id(&user, "user")?;
    blocking(move || {
        member(&state, &caller, user)?;
        require_router(&caller, "change routing profiles")?;
        let profile = match profile.validate() {
            Ok(valid) => valid.into_inner(),
            Err(errors) => return Ok(invalid("profile", errors)),
        };
        let body =
            serde_json::to_string(&profile).map_err(|e| ApiError::Internal(e.to_string()))?;
        state
            .store
            .set_routing_profile(caller.org, user, &body, state.clock.now())?;
        audit(
            &state,
            &caller,
            "routing_profile_set",
            user.to_string(),
            body,
        );
        Ok(Json(ProfileView {
            user_id: user,
            profile: Some(profile),
        })
        .into_response())
    })
    .await
}

fn audit(state: &AppState, caller: &Caller, kind: &str, subject: String, detail: String) {
    state.audit(
        caller.org,
        Audit {
            kind,
            user: Some(caller.user),
            subject: Some(subject),
            detail,
            ip: None,
        },
    );
}

// Rules -----------------------------------------------------------------------------------------

/// `GET /v2/org/routing`: the rules in order (every member may read them: a device explains a
/// decision with them).
pub async fn get_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<RoutingRules>, ApiError> {
    blocking(move || {
        let rules = routing::stored(state.store.as_ref(), caller.org)?;
        Ok(Json(rules.map(|r| r.into_inner()).unwrap_or_default()))
    })
    .await
}

/// `PUT /v2/org/routing` (brokers and admins): the whole list, checked whole. An empty list
/// turns routing off.
pub async fn set_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(rules): ApiJson<RoutingRules>,
) -> Result<Response, ApiError> {
    blocking(move || {
        require_router(&caller, "change routing rules")?;
        let rules = match rules.validate() {
            Ok(valid) => valid.into_inner(),
            Err(errors) => return Ok(invalid("rule list", errors)),
        };
        // Agents and teams a rule names must be the organisation's: another's id is refused
        // the same way as a missing one.
        let mut errors = ValidationErrors::default();
        let users = state.store.users(caller.org)?;
        let teams = state.store.teams(caller.org)?;
        for (i, rule) in rules.rules.iter().enumerate() {
            if let Some(team) = rule.team {
                if !teams.iter().any(|t| t.id == team) {
                    errors.push(&format!("rules.{i}.team"), "No such team.");
                }
            }
            for (j, agent) in rule.agents.iter().enumerate() {
                if !users.iter().any(|u| u.id == *agent) {
                    errors.push(&format!("rules.{i}.agents.{j}"), "No such user.");
                }
            }
        }
        if !errors.is_empty() {
            return Ok(invalid("rule list", errors));
        }
        let body = serde_json::to_string(&rules).map_err(|e| ApiError::Internal(e.to_string()))?;
        state
            .store
            .set_routing_rules(caller.org, &body, state.clock.now())?;
        audit(&state, &caller, "routing_rules_set", "routing".into(), body);
        Ok(Json(rules).into_response())
    })
    .await
}

// Leads -----------------------------------------------------------------------------------------

/// One routed lead, as brokers and agents see it.
#[derive(Debug, Serialize)]
pub struct LeadView {
    pub contact: String,
    /// `agent`, `offer`, `pond` or `assigned`.
    pub decision: String,
    pub agent: Option<UserId>,
    pub offered: Vec<UserId>,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
    pub claim_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<UserId>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// The lead's name and source, in the list, while nobody holds it (an agent offered a
    /// lead decides by them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl From<LeadRoutingRow> for LeadView {
    fn from(row: LeadRoutingRow) -> Self {
        LeadView {
            contact: row.contact,
            decision: row.decision,
            agent: row.agent,
            offered: row.offered,
            reason: row.reason,
            decided_at: row.decided_at,
            claim_until: row.claim_until,
            claimed_by: row.claimed_by,
            claimed_at: row.claimed_at,
            name: None,
            source: None,
        }
    }
}

/// `GET /v2/leads/routing`: the newest routed leads. Brokers and admins see all; an agent sees
/// theirs, the offers made to them and the pond, among the organisation's newest
/// [`LIST_LIMIT`] (a paged list is for the broker's Team screen). Expired offers fall back first.
pub async fn leads(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<LeadView>>, ApiError> {
    blocking(move || {
        routing::expire_offers(&state, caller.org)?;
        let rows = state.store.lead_routings(caller.org, None, LIST_LIMIT)?;
        let everyone = routes_leads(caller.role);
        let mut out = Vec::new();
        for row in rows
            .into_iter()
            .filter(|r| everyone || visible_to(r, caller.user))
        {
            // Only a lead nobody holds yet is named: that is what an offered agent decides
            // by, and the list is read every minute by every open Today (one document read
            // per offer, not per row).
            let found = match row.contact.parse::<ContactId>() {
                Ok(id) if row.agent.is_none() => {
                    handover::contact(state.store.as_ref(), caller.org, id)?
                }
                _ => None,
            };
            let mut view = LeadView::from(row);
            if let Some(found) = found {
                view.name = Some(found.contact.display_name());
                view.source = Some(found.contact.source.label().to_owned());
            }
            out.push(view);
        }
        Ok(Json(out))
    })
    .await
}

fn visible_to(row: &LeadRoutingRow, user: UserId) -> bool {
    row.agent == Some(user)
        || (row.agent.is_none() && (row.decision == "pond" || row.offered.contains(&user)))
}

/// The lead's row, if the caller may see it ("not found" otherwise).
fn lead_row(
    state: &AppState,
    caller: &Caller,
    contact: ContactId,
) -> Result<LeadRoutingRow, ApiError> {
    state
        .store
        .lead_routing(caller.org, &contact.to_string())?
        // Someone holding it is no secret inside the organisation: a late claimer is told who.
        .filter(|r| routes_leads(caller.role) || visible_to(r, caller.user) || r.agent.is_some())
        .ok_or_else(|| ApiError::NotFound("lead".into()))
}

/// `POST /v2/leads/{contact_id}/claim`: an agent offered the lead (or anyone, for the pond)
/// takes it. Exactly one of several claimers wins; the others get 409 naming who has it.
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
) -> Result<Json<LeadView>, ApiError> {
    let contact: ContactId = path_id(&contact, "lead")?;
    blocking(move || {
        if caller.role == Role::Viewer {
            return Err(ApiError::Forbidden("viewers do not take leads".into()));
        }
        routing::expire_offers(&state, caller.org)?;
        let row = lead_row(&state, &caller, contact)?;
        let offered = row.decision == "pond" || row.offered.contains(&caller.user);
        if row.agent.is_none() && !offered {
            return Err(ApiError::Forbidden(
                "this lead was not offered to you".into(),
            ));
        }
        let now = state.clock.now();
        if !state
            .store
            .claim_lead(caller.org, &row.contact, caller.user, now)?
        {
            return Err(taken(&state, &caller, contact));
        }
        let Some(found) = handover::contact(state.store.as_ref(), caller.org, contact)? else {
            return Err(ApiError::NotFound("lead".into()));
        };
        let mut claimed = state
            .store
            .lead_routing(caller.org, &row.contact)?
            .ok_or_else(|| ApiError::NotFound("lead".into()))?;
        let name = display_name(&state, &caller, caller.user)?;
        claimed.reason = format!("claimed by {name}; {}", claimed.reason);
        handover::hand_over(&state, caller.org, &found, caller.user, &claimed)?;
        Ok(Json(LeadView::from(claimed)))
    })
    .await
}

/// The 409 of a lost claim: who has the lead.
fn taken(state: &AppState, caller: &Caller, contact: ContactId) -> ApiError {
    let holder = state
        .store
        .lead_routing(caller.org, &contact.to_string())
        .ok()
        .flatten()
        .and_then(|r| r.agent);
    match holder.map(|h| display_name(state, caller, h)) {
        Some(Ok(name)) => ApiError::Conflict(format!("{name} has this lead already")),
        _ => ApiError::Conflict("this lead can no longer be claimed".into()),
    }
}

fn display_name(state: &AppState, caller: &Caller, user: UserId) -> Result<String, ApiError> {
    Ok(state
        .store
        .user(caller.org, user)?
        .map_or_else(|| user.to_string(), |u| u.display_name))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub agent: UserId,
    /// The lead's other records on the broker's device (document ids: interactions, notes,
    /// tasks, bookings, messages about it), to move with it; each is checked
    /// (`handover::history`). Absent: the contact and its first interaction only.
    #[serde(default)]
    pub records: Vec<String>,
}

/// `POST /v2/leads/{contact_id}/assign` (brokers and admins): moves the lead to `agent`, whose
/// devices receive it; the previous agent's scope is taken away. Any contact of the
/// organisation may be assigned this way, routed or not.
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(contact): Path<String>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<LeadView>, ApiError> {
    let contact: ContactId = path_id(&contact, "lead")?;
    if request.records.len() > handover::HISTORY_MAX {
        return Err(ApiError::BadRequest(format!(
            "records: at most {} records move with a lead, {} were listed",
            handover::HISTORY_MAX,
            request.records.len()
        )));
    }
    blocking(move || {
        let Some(found) = handover::contact(state.store.as_ref(), caller.org, contact)? else {
            return Err(ApiError::NotFound("lead".into()));
        };
        require_router(&caller, "reassign leads")?;
        let agent = state
            .store
            .user(caller.org, request.agent)?
            .filter(|u| u.role != Role::Viewer)
            .ok_or_else(|| {
                ApiError::BadRequest("agent: no such agent in the organisation".into())
            })?;
        let now = state.clock.now();
        let before = state.store.lead_routing(caller.org, &contact.to_string())?;
        let by = display_name(&state, &caller, caller.user)?;
        let row = LeadRoutingRow {
            contact: contact.to_string(),
            decision: "assigned".into(),
            agent: Some(agent.id),
            offered: Vec::new(),
            rule: None,
            reason: format!("assigned to {} by {by}", agent.display_name),
            decided_at: now,
            claim_until: None,
            claimed_by: None,
            claimed_at: None,
            interaction: before.as_ref().and_then(|b| b.interaction.clone()),
        };
        let stored = match before {
            Some(_) => state
                .store
                .replace_lead_routing(caller.org, &row, Replace::Any, now)?,
            None => state.store.record_lead_routing(caller.org, &row)?,
        };
        if !stored {
            return Err(ApiError::Conflict(
                "the lead changed meanwhile: try again".into(),
            ));
        }
        let access = state.access.get(state.store.as_ref(), &caller)?;
        let history = handover::history(
            state.store.as_ref(),
            caller.org,
            &access,
            &found,
            &request.records,
        )?;
        handover::hand_over_with(&state, caller.org, &found, agent.id, &row, &history)?;
        audit(
            &state,
            &caller,
            "lead_assigned",
            contact.to_string(),
            row.reason.clone(),
        );
        Ok(Json(LeadView::from(row)))
    })
    .await
}
