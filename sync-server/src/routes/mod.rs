//! HTTP routes: JSON account routes, binary sync routes, operations. Every route is listed in
//! [`ROUTES`] and in `openapi.json`; a test keeps the three in step.

mod account;
mod ai;
mod blobs;
mod calendar;
mod calls;
mod docs;
mod intake;
mod mls;
mod ops;
mod org;
mod org_outreach;
mod outreach;
mod public_listing;
mod readable;
mod routing;
mod settings;
mod sync;
mod twilio;
mod web_form;

use crate::error::ApiError;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use fieldstone_protocol::{codec, SYNC_CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_http::trace::TraceLayer;

/// Declares every route once: the router and [`ROUTES`] (which the OpenAPI and tenancy tests
/// walk) are both made from this table, so a route cannot be served without being walked.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path, $access:ident; )*) => {
        /// Every route: (method, path template, needs a session).
        pub const ROUTES: &[(&str, &str, bool)] = &[
            $( (method_name!($method), $path, needs_session!($access)), )*
        ];

        fn api(router: Router<AppState>) -> Router<AppState> {
            router $( .route($path, axum::routing::$method($handler)) )*
        }
    };
}

macro_rules! method_name {
    (get) => {
        "GET"
    };
    (post) => {
        "POST"
    };
    (put) => {
        "PUT"
    };
    (delete) => {
        "DELETE"
    };
}

macro_rules! needs_session {
    (public) => {
        false
    };
    (session) => {
        true
    };
}

api_routes! {
    get "/healthz" => ops::healthz, public;
    get "/readyz" => ops::readyz, public;
    get "/metrics" => ops::metrics_guarded, public;
    get "/openapi.json" => ops::openapi, public;
    post "/v2/auth/login" => account::login, public;
    post "/v2/auth/accept-invite" => account::accept_invite, public;
    post "/v2/auth/refresh" => account::refresh, session;
    post "/v2/auth/logout" => account::logout, session;
    post "/v2/auth/logout-all" => account::logout_all, session;
    post "/v2/auth/password" => account::change_password, session;
    get "/v2/me" => account::me, session;
    get "/v2/devices" => org::devices, session;
    delete "/v2/devices/{device_id}" => org::revoke_device, session;
    get "/v2/users" => org::users, session;
    get "/v2/users/{user_id}" => org::user, session;
    put "/v2/users/{user_id}/role" => org::set_role, session;
    get "/v2/teams" => org::teams, session;
    post "/v2/teams" => org::create_team, session;
    get "/v2/teams/{team_id}" => org::team, session;
    post "/v2/teams/{team_id}/members" => org::add_member, session;
    delete "/v2/teams/{team_id}/members/{user_id}" => org::remove_member, session;
    post "/v2/invitations" => org::invite, session;
    get "/v2/audit" => org::audit_log, session;
    get "/v2/org/providers" => org_outreach::list, session;
    put "/v2/org/providers/{kind}" => org_outreach::set, session;
    delete "/v2/org/providers/{kind}" => org_outreach::remove, session;
    get "/v2/org/mls" => mls::status, session;
    post "/v2/org/mls/run" => mls::run, session;
    post "/v2/org/listings/import" => mls::import_csv, session;
    get "/v2/org/dnc" => org_outreach::dnc_list, session;
    post "/v2/org/dnc" => org_outreach::dnc_add, session;
    post "/v2/org/dnc/import" => org_outreach::dnc_import, session;
    delete "/v2/org/dnc/{number}" => org_outreach::dnc_remove, session;
    get "/v2/org/usage" => org_outreach::usage, session;
    get "/v2/org/settings/follow-up" => settings::follow_up, session;
    put "/v2/org/settings/follow-up" => settings::set_follow_up, session;
    get "/v2/org/settings/branding" => settings::branding, session;
    put "/v2/org/settings/branding" => settings::set_branding, session;
    get "/v2/docs/{doc_id}" => docs::get_doc, session;
    get "/v2/docs/{doc_id}/shares" => docs::shares, session;
    post "/v2/docs/{doc_id}/shares" => docs::share, session;
    delete "/v2/docs/{doc_id}/shares/{scope}" => docs::unshare, session;
    post "/v2/sync/push" => sync::push, session;
    post "/v2/sync/pull" => sync::pull, session;
    post "/v3/sync/pull" => sync::pull_v3, session;
    post "/v2/sync/repair" => sync::repair, session;
    get "/v2/sync/live" => sync::live, session;
    post "/v2/ai/draft" => ai::draft, session;
    post "/v2/ai/enhance" => ai::enhance, session;
    get "/v2/blobs/{name}/upload" => blobs::progress, session;
    put "/v2/blobs/{name}" => blobs::upload, session;
    get "/v2/blobs/{name}" => blobs::get, session;
    get "/v2/blobs/{name}/thumb" => blobs::thumb, session;
    get "/v2/listings/{listing_id}/tour" => public_listing::figures, session;
    get "/l/{org}/{listing}" => public_listing::page, public;
    get "/l/{org}/{listing}/photo/{name}" => public_listing::photo, public;
    get "/l/{org}/{listing}/thumb/{name}" => public_listing::thumb, public;
    post "/l/{org}/{listing}/beacon" => public_listing::beacon, public;
    get "/v2/calendar/feed" => calendar::feed_link, session;
    get "/cal/{token}" => calendar::feed, public;
    get "/u/{token}" => outreach::unsubscribe_page, public;
    post "/u/{token}" => outreach::unsubscribe, public;
    get "/invite/{token}" => outreach::invitation_page, public;
    get "/t/o/{token}" => outreach::open_pixel, public;
    get "/t/c/{token}" => outreach::click, public;
    post "/hooks/sendgrid/{org}" => outreach::sendgrid_events, public;
    post "/hooks/twilio/{org}/status" => twilio::status, public;
    post "/hooks/twilio/{org}/inbound" => twilio::inbound, public;
    post "/v2/calls" => calls::start, session;
    post "/hooks/twilio/{org}/bridge" => calls::bridge, public;
    post "/hooks/twilio/{org}/call" => calls::ended, public;
    get "/v2/org/intake-keys" => intake::list_keys, session;
    post "/v2/org/intake-keys" => intake::create_key, session;
    delete "/v2/org/intake-keys/{key_id}" => intake::revoke_key, session;
    get "/v2/org/meta" => intake::meta_settings, session;
    put "/v2/org/meta" => intake::set_meta, session;
    delete "/v2/org/meta" => intake::remove_meta, session;
    post "/v2/intake/leads" => intake::lead, public;
    get "/forms/{org}" => web_form::form, public;
    post "/forms/{org}" => web_form::submit, public;
    get "/forms/{org}/snippet" => web_form::snippet, public;
    get "/hooks/meta/{org}" => intake::handshake, public;
    post "/hooks/meta/{org}" => intake::messages, public;
    get "/v2/org/agents/{user_id}/profile" => routing::get_profile, session;
    put "/v2/org/agents/{user_id}/profile" => routing::set_profile, session;
    get "/v2/org/routing" => routing::get_rules, session;
    put "/v2/org/routing" => routing::set_rules, session;
    get "/v2/leads/routing" => routing::leads, session;
    post "/v2/leads/{contact_id}/claim" => routing::claim, session;
    post "/v2/leads/{contact_id}/assign" => routing::assign, session;
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.limits.max_request_bytes;
    api(Router::new())
        .fallback(|| async { ApiError::NotFound("route".into()) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(limit))
        // A request is answered, or cut, within the request timeout; a body that stalls between
        // pieces for the body timeout is cut too (the live WebSocket, once upgraded, is neither).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.config.http.request_timeout_secs),
        ))
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
            state.config.http.body_timeout_secs,
        )))
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

/// The dedicated metrics address (`http.metrics_listen`): `/metrics` and nothing else.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(ops::metrics))
        .fallback(|| async { ApiError::NotFound("route".into()) })
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
        codec::decode_limited(&bytes, state.config.limits.max_decoded_request_bytes)
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

/// The client's address: the TCP peer, or, when the peer is a trusted proxy, the rightmost
/// `X-Forwarded-For` address that is not itself a trusted proxy. Entries left of that one were
/// written by whoever sent the request and are never believed.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        Ok(Self(client_address(peer, forwarded, &state.proxies)))
    }
}

/// See [`ClientIp`]. Several `X-Forwarded-For` headers read as one list, in order.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a str>,
    proxies: &[ipnet::IpNet],
) -> IpAddr {
    let trusted = |ip: &IpAddr| proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A garbled entry ends the chain: nothing left of it can be trusted.
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !trusted(&ip) {
            break;
        }
    }
    client
}

/// Parses an id from a path; a malformed id is "not found", exactly like a missing one.
pub fn path_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::NotFound(what.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn only_hops_added_by_trusted_proxies_are_believed() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        let via =
            |peer: &str, xff: &[&str]| client_address(ip(peer), xff.iter().copied(), &proxies);
        // Straight from the internet: the header is the client's own words.
        assert_eq!(via("203.0.113.9", &["1.2.3.4"]), ip("203.0.113.9"));
        // Through our proxy: the address it saw, not what the client wrote before it.
        assert_eq!(
            via("10.0.0.2", &["1.2.3.4, 198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Two of our proxies in a row.
        assert_eq!(
            via("10.0.0.2", &["6.6.6.6, 198.51.100.7, 10.0.0.3"]),
            ip("198.51.100.7")
        );
        // Several headers are one list.
        assert_eq!(
            via("10.0.0.2", &["6.6.6.6", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(via("10.0.0.2", &["198.51.100.7, nonsense"]), ip("10.0.0.2"));
        // No header: the proxy itself.
        assert_eq!(via("10.0.0.2", &[]), ip("10.0.0.2"));
        // No trusted proxies configured: the peer, whatever the header says.
        assert_eq!(
            client_address(ip("10.0.0.2"), ["1.2.3.4"].into_iter(), &[]),
            ip("10.0.0.2")
        );
    }
}
