//! HTTP routes: JSON account routes, binary sync routes, operations. Every route is listed in
//! [`ROUTES`] and in `openapi.json`; a test keeps the three in step.

mod account;
mod docs;
mod ops;
mod org;
mod sync;

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use fieldstone_protocol::{codec, SYNC_CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Every route: (method, path template, needs a session).
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("GET", "/healthz", false),
    ("GET", "/readyz", false),
    ("GET", "/metrics", false),
    ("GET", "/openapi.json", false),
    ("POST", "/v2/auth/login", false),
    ("POST", "/v2/auth/accept-invite", false),
    ("POST", "/v2/auth/refresh", true),
    ("POST", "/v2/auth/logout", true),
    ("POST", "/v2/auth/logout-all", true),
    ("POST", "/v2/auth/password", true),
    ("GET", "/v2/me", true),
    ("GET", "/v2/devices", true),
    ("DELETE", "/v2/devices/{device_id}", true),
    ("GET", "/v2/users", true),
    ("GET", "/v2/users/{user_id}", true),
    ("PUT", "/v2/users/{user_id}/role", true),
    ("GET", "/v2/teams", true),
    ("POST", "/v2/teams", true),
    ("GET", "/v2/teams/{team_id}", true),
    ("POST", "/v2/teams/{team_id}/members", true),
    ("DELETE", "/v2/teams/{team_id}/members/{user_id}", true),
    ("POST", "/v2/invitations", true),
    ("GET", "/v2/docs/{doc_id}", true),
    ("GET", "/v2/docs/{doc_id}/shares", true),
    ("POST", "/v2/docs/{doc_id}/shares", true),
    ("DELETE", "/v2/docs/{doc_id}/shares/{scope}", true),
    ("POST", "/v2/sync/push", true),
    ("POST", "/v2/sync/pull", true),
    ("POST", "/v2/sync/repair", true),
    ("GET", "/v2/sync/live", true),
];

pub fn router(state: AppState) -> Router {
    let limit = state.config.limits.max_request_bytes;
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/v2/auth/login", post(account::login))
        .route("/v2/auth/accept-invite", post(account::accept_invite))
        .route("/v2/auth/refresh", post(account::refresh))
        .route("/v2/auth/logout", post(account::logout))
        .route("/v2/auth/logout-all", post(account::logout_all))
        .route("/v2/auth/password", post(account::change_password))
        .route("/v2/me", get(account::me))
        .route("/v2/devices", get(org::devices))
        .route("/v2/devices/{device_id}", delete(org::revoke_device))
        .route("/v2/users", get(org::users))
        .route("/v2/users/{user_id}", get(org::user))
        .route("/v2/users/{user_id}/role", put(org::set_role))
        .route("/v2/teams", get(org::teams).post(org::create_team))
        .route("/v2/teams/{team_id}", get(org::team))
        .route("/v2/teams/{team_id}/members", post(org::add_member))
        .route(
            "/v2/teams/{team_id}/members/{user_id}",
            delete(org::remove_member),
        )
        .route("/v2/invitations", post(org::invite))
        .route("/v2/docs/{doc_id}", get(docs::get_doc))
        .route(
            "/v2/docs/{doc_id}/shares",
            get(docs::shares).post(docs::share),
        )
        .route("/v2/docs/{doc_id}/shares/{scope}", delete(docs::unshare))
        .route("/v2/sync/push", post(sync::push))
        .route("/v2/sync/pull", post(sync::pull))
        .route("/v2/sync/repair", post(sync::repair))
        .route("/v2/sync/live", get(sync::live))
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// `Json` whose rejections are our JSON error bodies, with the parser's reason kept.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::PayloadTooLarge {
                    limit: fieldstone_protocol::MAX_REQUEST_BYTES,
                })
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// A binary sync request body (`zstd(postcard(T))`), size-limited before and after inflating.
pub struct SyncBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for SyncBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if content_type != SYNC_CONTENT_TYPE {
            return Err(ApiError::BadRequest(format!(
                "sync bodies must be sent as {SYNC_CONTENT_TYPE}, not {content_type:?}"
            )));
        }
        let limit = state.config.limits.max_request_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit }
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        state
            .metrics
            .sync_bytes
            .get_or_create(&crate::metrics::Metrics::label("direction", "in"))
            .inc_by(bytes.len() as u64);
        codec::decode(&bytes)
            .map(Self)
            .map_err(|e| ApiError::BadRequest(e.to_string()))
    }
}

/// A binary sync answer.
pub struct SyncReply(pub Vec<u8>);

impl SyncReply {
    pub fn encode<T: Serialize>(state: &AppState, message: &T) -> Result<Self, ApiError> {
        let body = codec::encode(message).map_err(|e| ApiError::Internal(e.to_string()))?;
        state
            .metrics
            .sync_bytes
            .get_or_create(&crate::metrics::Metrics::label("direction", "out"))
            .inc_by(body.len() as u64);
        Ok(Self(body))
    }
}

impl IntoResponse for SyncReply {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(SYNC_CONTENT_TYPE),
            )],
            self.0,
        )
            .into_response()
    }
}

/// The client's address: the TCP peer, or the first `X-Forwarded-For` hop when configured to
/// trust a proxy.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.config.auth.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|ip| ip.trim().parse().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(Self(peer))
    }
}

/// Parses an id from a path; a malformed id is "not found", exactly like a missing one.
pub fn path_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::NotFound(what.to_owned()))
}
