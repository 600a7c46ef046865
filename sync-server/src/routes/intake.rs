//! Lead intake over HTTP: the organisation's intake API keys and Meta app settings (admins),
//! `POST /v2/intake/leads` (a key, not a session), and Meta's webhook for Instagram and
//! WhatsApp (`/hooks/meta/{org}`: the subscription handshake, then signed messages). Every
//! lead goes through `intake::deliver`.

use super::outreach::{limited, refuse_webhook};
use super::{path_id, ApiJson, ClientIp};
use crate::auth::{Admin, PublicRoute};
use crate::error::ApiError;
use crate::intake::keys::{self, CreatedKey, KeyError, KeyInfo};
use crate::intake::lead::LeadEvent;
use crate::intake::meta::{self, MetaSecrets};
use crate::intake::{deliver, Arrival, IntakeError};
use crate::webhooks::meta as signature;
use crate::{blocking, AppState, Audit};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use fieldstone_model::{OrgId, ValidationErrors};
use fieldstone_protocol::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

// Keys ------------------------------------------------------------------------------------------

/// `GET /v2/org/intake-keys`: every key, revoked ones too (admins).
pub async fn list_keys(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    blocking(move || {
        let rows = state.store.intake_keys(caller.org)?;
        Ok(Json(rows.into_iter().map(KeyInfo::from).collect()))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    pub label: String,
}

/// `POST /v2/org/intake-keys`: the whole key is in this answer and nowhere else, ever.
pub async fn create_key(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(request): ApiJson<NewKey>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    blocking(move || {
        let now = state.clock.now();
        let created = keys::create(
            state.store.as_ref(),
            caller.org,
            &request.label,
            Some(caller.user),
            now,
        )
        .map_err(|e| match e {
            KeyError::Store(e) => e.into(),
            label => ApiError::BadRequest(label.to_string()),
        })?;
        state.audit(
            caller.org,
            Audit {
                kind: "intake_key_created",
                user: Some(caller.user),
                subject: Some(created.info.id.clone()),
                detail: format!("intake API key {:?} created", created.info.label),
                ip: None,
            },
        );
        Ok((StatusCode::CREATED, Json(created)))
    })
    .await
}

/// `DELETE /v2/org/intake-keys/{key_id}`: the key stops letting leads in at once. Another
/// organisation's key is "not found", like a missing one.
pub async fn revoke_key(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(key_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: uuid::Uuid = path_id(&key_id, "intake key")?;
    blocking(move || {
        let id = id.to_string();
        if !state
            .store
            .revoke_intake_key(caller.org, &id, state.clock.now())?
        {
            return Err(ApiError::NotFound("intake key".into()));
        }
        state.audit(
            caller.org,
            Audit {
                kind: "intake_key_revoked",
                user: Some(caller.user),
                subject: Some(id),
                detail: "intake API key revoked".into(),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

// Meta settings ---------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct MetaInfo {
    pub configured: bool,
    /// Where Meta must send the webhooks (after the server's public address).
    pub webhook_path: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// `GET /v2/org/meta`: whether Instagram and WhatsApp are connected (the secrets never leave).
pub async fn meta_settings(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<MetaInfo>, ApiError> {
    blocking(move || {
        let row = state.store.provider(caller.org, meta::PROVIDER_KIND)?;
        Ok(Json(MetaInfo {
            configured: row.is_some(),
            webhook_path: format!("/hooks/meta/{}", caller.org),
            updated_at: row.map(|r| r.updated_at),
        }))
    })
    .await
}

/// `PUT /v2/org/meta`: the app secret and the verify token, both required, sealed at rest.
pub async fn set_meta(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(secrets): ApiJson<MetaSecrets>,
) -> Result<Json<MetaInfo>, ApiError> {
    let problems = secrets.problems();
    if !problems.is_empty() {
        return Err(ApiError::BadRequest(problems.join("; ")));
    }
    blocking(move || {
        let Some(sealer) = state.providers.sealer() else {
            return Err(ApiError::Conflict(
                "this server has no secret_key, so it cannot keep the app secret; set one first"
                    .into(),
            ));
        };
        let now = state.clock.now();
        let row = secrets.seal(sealer, caller.org, Some(caller.user), now);
        state.store.set_provider(caller.org, &row)?;
        state.audit(
            caller.org,
            Audit {
                kind: "provider_set",
                user: Some(caller.user),
                subject: Some(meta::PROVIDER_KIND.into()),
                detail: "Instagram and WhatsApp (Meta) webhook secrets set".into(),
                ip: None,
            },
        );
        Ok(Json(MetaInfo {
            configured: true,
            webhook_path: format!("/hooks/meta/{}", caller.org),
            updated_at: Some(now),
        }))
    })
    .await
}

/// `DELETE /v2/org/meta`: Meta's webhooks are refused from now on.
pub async fn remove_meta(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<StatusCode, ApiError> {
    blocking(move || {
        if !state
            .store
            .remove_provider(caller.org, meta::PROVIDER_KIND)?
        {
            return Err(ApiError::NotFound("Meta settings".into()));
        }
        state.audit(
            caller.org,
            Audit {
                kind: "provider_removed",
                user: Some(caller.user),
                subject: Some(meta::PROVIDER_KIND.into()),
                detail: "Instagram and WhatsApp (Meta) webhook secrets removed".into(),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

// The intake API --------------------------------------------------------------------------------

/// An error answer in the API's shape, with the problem fields when there are any.
#[derive(Debug, Serialize)]
struct Refusal {
    #[serde(flatten)]
    body: ErrorBody,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<fieldstone_model::FieldError>,
}

fn refusal(status: StatusCode, code: ErrorCode, message: String) -> Response {
    let body = Refusal {
        body: ErrorBody { code, message },
        fields: Vec::new(),
    };
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

fn invalid(errors: ValidationErrors) -> Response {
    let body = Refusal {
        body: ErrorBody {
            code: ErrorCode::BadRequest,
            message: format!("the lead is not valid: {errors}"),
        },
        fields: errors.0,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

fn intake_error(error: IntakeError) -> Response {
    match error {
        IntakeError::Invalid(errors) => invalid(errors),
        IntakeError::NoOwner => ApiError::Conflict(error.to_string()).into_response(),
        other => ApiError::Internal(other.to_string()).into_response(),
    }
}

/// The body, refused past `limit` bytes (413) before it is all read.
async fn body_within(body: Body, limit: usize) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        // Too large, or cut off mid-way: either way nothing is read, and a cut body is one
        // the sender can send again.
        ApiError::PayloadTooLarge { limit }.into_response()
    })
}

fn answer(arrival: Arrival) -> Response {
    let status = if arrival.created && !arrival.replayed {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(arrival)).into_response()
}

/// `POST /v2/intake/leads` with `Authorization: Bearer fsl_…`.
pub async fn lead(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match take_lead(state, ip, headers, body).await {
        Ok(response) | Err(response) => response,
    }
}

async fn take_lead(
    state: AppState,
    ip: std::net::IpAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    let too_many = |retry_after| ApiError::TooManyRequests { retry_after }.into_response();
    state.intake.check_ip(ip).map_err(too_many)?;
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .map(str::to_owned);
    let store = state.store.clone();
    let now = state.clock.now();
    let (org, key) = blocking(move || Ok(keys::authenticate(store.as_ref(), key.as_deref(), now)?))
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(|refused| {
            refusal(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                refused.to_string(),
            )
        })?;
    state.intake.check_key(&key.id).map_err(too_many)?;
    let bytes = body_within(body, state.config.intake.max_body_bytes).await?;
    let event: LeadEvent = serde_json::from_slice(&bytes).map_err(|e| {
        let why = if e.is_syntax() || e.is_eof() {
            format!("the body is not JSON: {e}")
        } else {
            format!("the body is not a lead event: {e}")
        };
        ApiError::BadRequest(why).into_response()
    })?;
    let lead = event.into_lead(now).map_err(invalid)?;
    let arrival = blocking(move || Ok(deliver(&state, org, lead)))
        .await
        .map_err(IntoResponse::into_response)?
        .map_err(intake_error)?;
    Ok(answer(arrival))
}

// Meta's webhook --------------------------------------------------------------------------------

/// The organisation's Meta secrets (blocking); `None` when it has none or they do not open.
fn meta_secrets(state: &AppState, org: OrgId) -> Result<Option<MetaSecrets>, ApiError> {
    let Some(row) = state.store.provider(org, meta::PROVIDER_KIND)? else {
        return Ok(None);
    };
    Ok(state
        .providers
        .sealer()
        .and_then(|sealer| MetaSecrets::open(sealer, org, &row)))
}

/// `GET /hooks/meta/{org}?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: Meta's
/// subscription check, answered with the challenge only when the token is the organisation's.
pub async fn handshake(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Hook, ip)?;
    let forbidden = || ApiError::Forbidden("the verify token does not match".into());
    let org: OrgId = org.parse().map_err(|_| forbidden())?;
    let (Some("subscribe"), Some(token), Some(challenge)) = (
        query.get("hub.mode").map(String::as_str),
        query.get("hub.verify_token").cloned(),
        query.get("hub.challenge").cloned(),
    ) else {
        return Err(ApiError::BadRequest(
            "a subscription check sends hub.mode=subscribe, hub.verify_token and hub.challenge"
                .into(),
        ));
    };
    if challenge.len() > 256 {
        return Err(ApiError::BadRequest(
            "hub.challenge: at most 256 characters".into(),
        ));
    }
    let secrets = blocking(move || meta_secrets(&state, org)).await?;
    let matches =
        secrets.is_some_and(|s| bool::from(s.verify_token.as_bytes().ct_eq(token.as_bytes())));
    if !matches {
        return Err(forbidden());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        challenge,
    )
        .into_response())
}

/// What a delivered webhook did (Meta reads only the status; the counts are for people).
#[derive(Debug, Serialize)]
pub struct Received {
    pub messages: usize,
    pub new_contacts: usize,
    pub replayed: usize,
}

/// `POST /hooks/meta/{org}`: signed Instagram or WhatsApp messages, each a lead.
pub async fn messages(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    limited(&state, PublicRoute::Hook, ip).map_err(IntoResponse::into_response)?;
    let refuse = |why: &str| refuse_webhook(&state, "meta", why).into_response();
    // An id that is not one is refused like a bad signature.
    let org: OrgId = org.parse().map_err(|_| refuse("not an organisation id"))?;
    let bytes = body_within(body, state.config.intake.max_hook_bytes).await?;
    let header = headers
        .get(signature::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let lookup = state.clone();
    let secrets = blocking(move || meta_secrets(&lookup, org))
        .await
        .map_err(IntoResponse::into_response)?
        .ok_or_else(|| refuse("Meta is not set up for the organisation"))?;
    signature::verify(&secrets.app_secret, &bytes, header.as_deref())
        .map_err(|e| refuse(&e.to_string()))?;
    let leads = meta::leads(&bytes, state.clock.now())
        .map_err(|e| ApiError::BadRequest(e.to_string()).into_response())?;
    let received = blocking(move || {
        let mut received = Received {
            messages: leads.len(),
            new_contacts: 0,
            replayed: 0,
        };
        for lead in leads {
            match deliver(&state, org, lead) {
                Ok(arrival) => {
                    received.new_contacts += usize::from(arrival.created && !arrival.replayed);
                    received.replayed += usize::from(arrival.replayed);
                }
                Err(IntakeError::Invalid(problems)) => {
                    tracing::warn!(%org, %problems, "a Meta message was left out");
                }
                Err(IntakeError::NoOwner) => {
                    return Err(ApiError::Conflict(IntakeError::NoOwner.to_string()))
                }
                // Stored so far stays; Meta sends the batch again and what was delivered is
                // replayed, not repeated.
                Err(other) => return Err(ApiError::Internal(other.to_string())),
            }
        }
        Ok(received)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    Ok(Json(received).into_response())
}
