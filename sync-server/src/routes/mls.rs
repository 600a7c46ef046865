//! An organisation's MLS import over HTTP (admins only): where it stands — the high-water mark,
//! the last run's counts and refusals, why it stopped — and "run it now". The connection itself
//! is a provider (`PUT /v2/org/providers/mls`).

use crate::auth::Admin;
use crate::error::ApiError;
use crate::mls::{self, MlsState};
use crate::{blocking, AppState, Audit};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;

/// What `GET /v2/org/mls` answers.
#[derive(Debug, Serialize)]
pub struct MlsStatus {
    /// Whether the organisation has an MLS connection.
    pub connected: bool,
    /// The job's state (`None` before its first run).
    pub state: Option<MlsState>,
}

fn failed(error: mls::MlsError) -> ApiError {
    ApiError::Internal(error.to_string())
}

/// `GET /v2/org/mls`.
pub async fn status(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<MlsStatus>, ApiError> {
    blocking(move || {
        let connected = state.store.provider(caller.org, mls::MLS)?.is_some();
        let found = mls::status(&state, caller.org).map_err(failed)?;
        Ok(Json(MlsStatus {
            connected,
            state: found,
        }))
    })
    .await
}

/// `POST /v2/org/mls/run`: the next run now (refused without a connection).
pub async fn run(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<StatusCode, ApiError> {
    blocking(move || {
        if state.store.provider(caller.org, mls::MLS)?.is_none() {
            return Err(ApiError::Conflict(
                "no MLS connection: set one first (PUT /v2/org/providers/mls)".into(),
            ));
        }
        mls::run_now(&state, caller.org).map_err(failed)?;
        state.audit(
            caller.org,
            Audit {
                kind: "mls_run_asked",
                user: Some(caller.user),
                subject: None,
                detail: "MLS import asked to run now".into(),
                ip: None,
            },
        );
        Ok(StatusCode::ACCEPTED)
    })
    .await
}
