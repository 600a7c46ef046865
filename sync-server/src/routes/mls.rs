//! An organisation's MLS import over HTTP (admins only): where it stands — the high-water mark,
//! the last run's counts and refusals, why it stopped — and "run it now". The connection itself
//! is a provider (`PUT /v2/org/providers/mls`).

use crate::auth::Admin;
use crate::error::ApiError;
use crate::mls::{self, MlsState};
use crate::{blocking, AppState, Audit};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use fieldstone_model::Visibility;
use serde::{Deserialize, Serialize};

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

/// What a CSV import may say about its listings (else the MLS connection's, else USD, US,
/// private).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    pub currency: Option<String>,
    pub country: Option<String>,
    pub visibility: Option<Visibility>,
}

/// `POST /v2/org/listings/import` (admins; a CSV body with RESO column names): the office's
/// listings without an MLS feed, as `crate::mls::csv_import` maps them.
pub async fn import_csv(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Query(options): Query<ImportOptions>,
    body: Bytes,
) -> Result<Json<mls::RunReport>, ApiError> {
    blocking(move || {
        let connected: Option<mls::MlsSettings> = state
            .store
            .provider(caller.org, mls::MLS)?
            .and_then(|row| serde_json::from_str(&row.settings).ok());
        let currency = options
            .currency
            .or_else(|| connected.as_ref().map(|c| c.currency.clone()))
            .unwrap_or_else(|| "USD".into());
        let country = options
            .country
            .or_else(|| connected.as_ref().map(|c| c.country.clone()))
            .unwrap_or_else(|| "US".into());
        let currency = fieldstone_model::iso::check_currency_code(&currency)
            .map_err(|e| ApiError::BadRequest(format!("currency: {e}")))?;
        let country = fieldstone_model::iso::check_country_code(&country)
            .map_err(|e| ApiError::BadRequest(format!("country: {e}")))?;
        let defaults = mls::map::Defaults {
            currency,
            country,
            visibility: options
                .visibility
                .or_else(|| connected.as_ref().map(|c| c.visibility))
                .unwrap_or_default(),
        };
        let report = mls::csv_import::import(&state, caller.org, caller.user, &body, defaults)
            .map_err(failed)?
            .map_err(|refusal| ApiError::BadRequest(refusal.to_string()))?;
        state.audit(
            caller.org,
            Audit {
                kind: "listings_imported",
                user: Some(caller.user),
                subject: None,
                detail: format!(
                    "CSV listing import: {} new, {} updated, {} unchanged, {} refused",
                    report.new, report.updated, report.unchanged, report.rejected
                ),
                ip: None,
            },
        );
        Ok(Json(report))
    })
    .await
}
