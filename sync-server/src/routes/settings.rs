//! The organisation's settings (DESIGN decision 17): every member reads them (their device has
//! them by sync too); admins change them here, checked whole before the server writes the
//! settings document.

use super::ApiJson;
use crate::access::Caller;
use crate::error::ApiError;
use crate::{blocking, org_settings, AppState, Audit};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldstone_model::branding::Branding;
use fieldstone_model::{FollowUpSettings, ValidationErrors};
use fieldstone_protocol::{ErrorBody, ErrorCode};
use serde::Serialize;

/// A 422 naming every refused field.
#[derive(Debug, Serialize)]
struct Refusal {
    #[serde(flatten)]
    body: ErrorBody,
    fields: Vec<fieldstone_model::FieldError>,
}

fn invalid(errors: ValidationErrors) -> Response {
    refused("the follow-up plan", errors)
}

fn refused(what: &str, errors: ValidationErrors) -> Response {
    let body = Refusal {
        body: ErrorBody {
            code: ErrorCode::BadRequest,
            message: format!("{what} is not valid: {errors}"),
        },
        fields: errors.0,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// `GET /v2/org/settings/follow-up`: the plan new contacts get (seed 002's until changed).
pub async fn follow_up(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<FollowUpSettings>, ApiError> {
    blocking(move || {
        Ok(Json(org_settings::follow_up(
            state.store.as_ref(),
            caller.org,
        )?))
    })
    .await
}

/// `PUT /v2/org/settings/follow-up` (admins and owners): the whole plan, checked whole.
pub async fn set_follow_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(settings): ApiJson<FollowUpSettings>,
) -> Result<Response, ApiError> {
    blocking(move || {
        if !caller.role.is_admin() {
            return Err(ApiError::Forbidden(
                "only an admin or owner may change the follow-up plan".into(),
            ));
        }
        let settings = match settings.validate() {
            Ok(valid) => valid,
            Err(errors) => return Ok(invalid(errors)),
        };
        org_settings::set_follow_up(&state, caller.org, caller.user, &settings)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let detail = serde_json::to_string(&*settings).unwrap_or_default();
        state.audit(
            caller.org,
            Audit {
                kind: "follow_up_plan_set",
                user: Some(caller.user),
                subject: Some("follow_up_plan".into()),
                detail,
                ip: None,
            },
        );
        Ok(Json(settings.into_inner()).into_response())
    })
    .await
}

/// `GET /v2/org/settings/branding`: how public pages present the organisation.
pub async fn branding(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Branding>, ApiError> {
    blocking(move || {
        Ok(Json(org_settings::branding(
            state.store.as_ref(),
            caller.org,
        )?))
    })
    .await
}

/// `PUT /v2/org/settings/branding` (admins and owners): accent, tagline and disclaimer.
pub async fn set_branding(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(branding): ApiJson<Branding>,
) -> Result<Response, ApiError> {
    blocking(move || {
        if !caller.role.is_admin() {
            return Err(ApiError::Forbidden(
                "only an admin or owner may change the organisation's branding".into(),
            ));
        }
        let branding = match branding.validate() {
            Ok(valid) => valid,
            Err(errors) => return Ok(refused("the branding", errors)),
        };
        org_settings::set_branding(&state, caller.org, caller.user, &branding)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        state.audit(
            caller.org,
            Audit {
                kind: "branding_set",
                user: Some(caller.user),
                subject: Some("branding".into()),
                detail: serde_json::to_string(&*branding).unwrap_or_default(),
                ip: None,
            },
        );
        Ok(Json(branding.into_inner()).into_response())
    })
    .await
}
