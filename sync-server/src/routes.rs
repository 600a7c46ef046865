//! HTTP routes of API v1.

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use fieldstone_protocol::{
    PullRequest, PullResponse, PushRequest, PushResponse, MAX_PULL_LIMIT, MAX_REQUEST_BYTES,
};
use serde::de::DeserializeOwned;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn push(
    State(state): State<AppState>,
    Authenticated(account): Authenticated,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let store = state.store.clone();
    let outcome = tokio::task::spawn_blocking(move || store.push(account, request.changes))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(PushResponse {
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
    }))
}

async fn pull(
    State(state): State<AppState>,
    Authenticated(account): Authenticated,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<Json<PullResponse>, ApiError> {
    if request.limit == 0 || request.limit > MAX_PULL_LIMIT {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_PULL_LIMIT}, got {}",
            request.limit
        )));
    }
    let store = state.store.clone();
    let page =
        tokio::task::spawn_blocking(move || store.pull(account, request.since, request.limit))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(page))
}

/// `Json` whose rejections are our JSON error bodies, with the parser's reason kept.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::PayloadTooLarge {
                    limit: MAX_REQUEST_BYTES,
                })
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}
