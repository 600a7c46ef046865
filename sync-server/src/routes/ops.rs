//! Health, readiness, metrics and the API description.

use crate::error::ApiError;
use crate::{blocking, AppState};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// The OpenAPI 3.1 description of every route, kept beside the code (a test checks it lists
/// exactly [`super::ROUTES`]).
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// Alive: the process answers. Says nothing about the database (that is `/readyz`).
pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready: the database answers.
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    let store = state.store.clone();
    blocking(move || {
        store
            .ping()
            .map_err(|e| ApiError::Unavailable(format!("database: {e}")))
    })
    .await?;
    Ok("ready")
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics.hot_docs.set(state.docs.len() as i64);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
