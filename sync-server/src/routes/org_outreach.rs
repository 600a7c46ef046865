//! An organisation's outreach set-up over HTTP: its providers — email, texts, AI — (admins
//! only; secrets go in and never come out), its do-not-call list (agents add numbers, admins import and remove), and
//! its plan with this month's usage (everyone sees it; the server's operator sets the plan).

use super::ApiJson;
use crate::access::Caller;
use crate::auth::Admin;
use crate::dnc::listable;
use crate::error::ApiError;
use crate::providers::{self, ProviderError};
use crate::store::{DncRow, ProviderRow};
use crate::{blocking, quota, AppState, Audit};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use fieldstone_model::plan::{period_of, Meter};
use fieldstone_model::UserId;
use fieldstone_protocol::account::{MeterUsage, OrgUsage, Role};
use serde::{Deserialize, Serialize};

/// A provider as an admin sees it: everything but the secret.
#[derive(Debug, Serialize)]
pub struct ProviderInfo {
    pub kind: String,
    pub settings: serde_json::Value,
    pub secret_set: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
}

fn info(row: ProviderRow) -> ProviderInfo {
    ProviderInfo {
        settings: serde_json::from_str(&row.settings).unwrap_or(serde_json::Value::Null),
        secret_set: row.sealed_secret.is_some(),
        kind: row.kind,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }
}

fn provider_error(error: ProviderError) -> ApiError {
    match error {
        ProviderError::Store(e) => e.into(),
        ProviderError::NoKey => ApiError::Conflict(error.to_string()),
        other => ApiError::BadRequest(other.to_string()),
    }
}

/// `GET /v2/org/providers`.
pub async fn list(
    State(state): State<AppState>,
    Admin(caller): Admin,
) -> Result<Json<Vec<ProviderInfo>>, ApiError> {
    blocking(move || {
        Ok(Json(
            state
                .store
                .providers(caller.org)?
                .into_iter()
                .map(info)
                .collect(),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetProvider {
    pub settings: serde_json::Value,
    /// The password, token or key; left out, the stored one is kept (rotating it is sending a
    /// new one).
    #[serde(default)]
    pub secret: Option<String>,
    /// Drops the stored secret: for an AI endpoint that needs no key (a local model server).
    #[serde(default)]
    pub no_secret: bool,
}

/// `PUT /v2/org/providers/{kind}`: checked whole before anything is stored.
pub async fn set(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(kind): Path<String>,
    ApiJson(request): ApiJson<SetProvider>,
) -> Result<Json<ProviderInfo>, ApiError> {
    if !providers::KINDS.contains(&kind.as_str()) {
        return Err(ApiError::NotFound(format!("provider kind {kind}")));
    }
    if request.secret.as_ref().is_some_and(|s| s.len() > 4096) {
        return Err(ApiError::BadRequest(
            "secret: at most 4096 characters".into(),
        ));
    }
    if request.secret.is_some() && request.no_secret {
        return Err(ApiError::BadRequest(
            "send a secret or no_secret, not both".into(),
        ));
    }
    blocking(move || {
        let secret = match (request.secret.as_deref(), request.no_secret) {
            (Some(secret), _) => providers::SecretChange::Set(secret),
            (None, true) => providers::SecretChange::Drop,
            (None, false) => providers::SecretChange::Keep,
        };
        let change = providers::ProviderChange {
            kind: &kind,
            settings: &request.settings,
            secret,
            by: Some(caller.user),
        };
        let row = providers::prepare(
            state.store.as_ref(),
            state.providers.sealer(),
            &state.config,
            caller.org,
            &change,
            state.clock.now(),
        )
        .map_err(provider_error)?;
        state.store.set_provider(caller.org, &row)?;
        // A new or changed MLS connection runs at once (its mark is kept).
        if kind == crate::mls::MLS {
            crate::mls::run_now(&state, caller.org)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
        }
        state.audit(
            caller.org,
            Audit {
                kind: "provider_set",
                user: Some(caller.user),
                subject: Some(kind.clone()),
                detail: format!(
                    "{kind} provider set{}",
                    match secret {
                        providers::SecretChange::Set(_) => " with a new secret",
                        providers::SecretChange::Drop => " without a secret",
                        providers::SecretChange::Keep => "",
                    }
                ),
                ip: None,
            },
        );
        Ok(Json(info(row)))
    })
    .await
}

/// `DELETE /v2/org/providers/{kind}`: the organisation falls back to the server's.
pub async fn remove(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(kind): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(move || {
        if !state.store.remove_provider(caller.org, &kind)? {
            return Err(ApiError::NotFound(format!("provider {kind}")));
        }
        state.audit(
            caller.org,
            Audit {
                kind: "provider_removed",
                user: Some(caller.user),
                subject: Some(kind.clone()),
                detail: format!("{kind} provider removed"),
                ip: None,
            },
        );
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

// Do-not-call -----------------------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct DncEntry {
    pub number: String,
    pub source: String,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<UserId>,
}

#[derive(Debug, Deserialize)]
pub struct DncQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /v2/org/dnc`: the list in number order, a page at a time (admins).
pub async fn dnc_list(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Query(query): Query<DncQuery>,
) -> Result<Json<Vec<DncEntry>>, ApiError> {
    let limit = query.limit.unwrap_or(500);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::BadRequest(
            "limit must be between 1 and 5000".into(),
        ));
    }
    blocking(move || {
        let rows = state.store.dnc(caller.org, query.after.as_deref(), limit)?;
        Ok(Json(
            rows.into_iter()
                .map(|r| DncEntry {
                    number: r.number,
                    source: r.source,
                    added_at: r.added_at,
                    added_by: r.added_by,
                })
                .collect(),
        ))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddDnc {
    pub number: String,
}

/// `POST /v2/org/dnc`: any member who works contacts adds a number ("don't call me again").
pub async fn dnc_add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<AddDnc>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    if caller.role == Role::Viewer {
        return Err(ApiError::Forbidden("viewers change nothing".into()));
    }
    let number = listable(&request.number).map_err(ApiError::BadRequest)?;
    blocking(move || {
        let row = DncRow {
            number: number.clone(),
            source: "added by a member".into(),
            added_at: state.clock.now(),
            added_by: Some(caller.user),
        };
        let added = state.store.add_dnc(caller.org, &[row])? == 1;
        let status = if added {
            // Who listed it and when is on the row; the audit log keeps it past a removal.
            state.audit(
                caller.org,
                Audit {
                    kind: "dnc_added",
                    user: Some(caller.user),
                    subject: Some(number.clone()),
                    detail: "a number was added to the do-not-call list".into(),
                    ip: None,
                },
            );
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((
            status,
            Json(serde_json::json!({ "number": number, "added": added })),
        ))
    })
    .await
}

/// `POST /v2/org/dnc/import`: a CSV (`text/csv`) whose first column, or the column named
/// `phone` or `number`, holds the numbers. Every good row is added in one transaction; bad
/// rows are reported by line with their reason, and do not stop the rest.
pub async fn dnc_import(
    State(state): State<AppState>,
    Admin(caller): Admin,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let list = crate::dnc::parse_csv(&body);
    let (numbers, rejected_count) = (list.numbers, list.rejected_count);
    let rejected: Vec<serde_json::Value> = list
        .rejected
        .into_iter()
        .map(|(line, reason)| serde_json::json!({"line": line, "reason": reason}))
        .collect();
    blocking(move || {
        let now = state.clock.now();
        let rows: Vec<DncRow> = numbers
            .iter()
            .map(|number| DncRow {
                number: number.clone(),
                source: "imported list".into(),
                added_at: now,
                added_by: Some(caller.user),
            })
            .collect();
        let added = state.store.add_dnc(caller.org, &rows)?;
        state.audit(
            caller.org,
            Audit {
                kind: "dnc_imported",
                user: Some(caller.user),
                subject: None,
                detail: format!(
                    "{added} numbers added to the do-not-call list ({rejected_count} rejected)"
                ),
                ip: None,
            },
        );
        Ok(Json(serde_json::json!({
            "read": rows.len(),
            "added": added,
            "already_listed": rows.len() - added,
            "rejected": rejected_count,
            "rejected_rows": rejected,
        })))
    })
    .await
}

/// `DELETE /v2/org/dnc/{number}` (admins).
pub async fn dnc_remove(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(number): Path<String>,
) -> Result<StatusCode, ApiError> {
    let number = listable(&number).map_err(|_| ApiError::NotFound("number".into()))?;
    blocking(move || {
        if state.store.remove_dnc(caller.org, &number)? {
            state.audit(
                caller.org,
                Audit {
                    kind: "dnc_removed",
                    user: Some(caller.user),
                    subject: Some(number.clone()),
                    detail: "a number was taken off the do-not-call list".into(),
                    ip: None,
                },
            );
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::NotFound("number".into()))
        }
    })
    .await
}

// Plan and usage --------------------------------------------------------------------------

/// `GET /v2/org/usage`: the plan and this month's use of each allowance, for the
/// organisation and for the caller, in the shape the app reads (`fieldstone_protocol`).
pub async fn usage(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<OrgUsage>, ApiError> {
    blocking(move || {
        let (plan, zone) = quota::plan_of(&state, caller.org)?;
        let (period, resets_at) = period_of(state.clock.now(), zone);
        let rows = state.store.usage_in(caller.org, &period)?;
        let used = |meter: Meter, user: Option<UserId>| {
            rows.iter()
                .find(|r| r.meter == meter.as_str() && r.user == user)
                // The ledger never goes below zero.
                .map_or(0, |r| u64::try_from(r.used).unwrap_or(0))
        };
        let meters = Meter::ALL
            .into_iter()
            // Leads are counted from the contacts themselves, not metered monthly.
            .filter(|m| *m != Meter::Leads)
            .map(|meter| MeterUsage {
                meter: meter.as_str().into(),
                label: meter.label().into(),
                allowance: plan.allowance(meter),
                used: used(meter, None),
                used_by_me: used(meter, Some(caller.user)),
            })
            .collect();
        Ok(Json(OrgUsage {
            plan: plan.as_str().into(),
            plan_label: plan.label().into(),
            time_zone: zone.name().into(),
            period,
            resets_at,
            meters,
        }))
    })
    .await
}
