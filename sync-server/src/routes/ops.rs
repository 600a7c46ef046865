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

/// `/metrics` on the main address: only with `Authorization: Bearer <http.metrics_token>`;
/// anything else (no token configured, a missing or wrong one) is "not found", so the route
/// gives nothing away.
pub async fn metrics_guarded(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match (&state.config.http.metrics_token, given) {
        (Some(token), Some(given)) if same(token.expose().as_bytes(), given.as_bytes()) => {
            Ok(metrics(State(state)).await.into_response())
        }
        _ => Err(ApiError::NotFound("route".into())),
    }
}

/// Compares in time that does not depend on where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    // Equal-length digests, compared without an early exit.
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// `/metrics` as the dedicated metrics address serves it (`http.metrics_listen`).
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
