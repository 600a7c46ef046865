//! Public listing pages over HTTP (`crate::public_page`): the page, its pictures and its tour
//! beacon for anyone, and the tour figures for the people who may read the listing.
//!
//! A listing is shown only while it is public and for sale (`Listing::is_publicly_listed`):
//! a private, exclusive, withdrawn, deleted or unknown listing, another organisation's id, and
//! a picture the listing does not show all answer the same "not listed" 404. Every public
//! route is rate-limited per address before anything is read.

use super::outreach::limited;
use super::ClientIp;
use crate::access::Caller;
use crate::auth::PublicRoute;
use crate::error::ApiError;
use crate::public_page::{self, PageInput};
use crate::store::tour::{TourEvent, TourStats};
use crate::sync::guard;
use crate::{blocking, org_settings, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fieldstone_model::blob::{BlobRef, BLOB_DIR};
use fieldstone_model::{Listing, ListingId, OrgId};
use fieldstone_protocol::DocId;
use serde::{Deserialize, Serialize};

/// The largest beacon body taken (a few dozen bytes are sent).
const BEACON_MAX_BYTES: usize = 512;
/// A visit longer than this is a tab left open: counted as this long.
const VISIT_MAX_SECONDS: u32 = 4 * 60 * 60;
/// The figures cover this many days.
const STATS_DAYS: i64 = 30;

/// The listing, if it is on show. Blocking.
fn shown(state: &AppState, org: OrgId, id: ListingId) -> Result<Option<Listing>, ApiError> {
    let doc = DocId::new(fieldstone_doc::listing::KIND, id)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(state
        .store
        .load_doc(org, &doc)?
        .and_then(|stored| guard::load(&stored.bytes).ok())
        .and_then(|loaded| fieldstone_doc::listing::read(&loaded).ok())
        .filter(Listing::is_publicly_listed))
}

fn not_listed() -> Response {
    let body = "<h1>This home is not listed here</h1><p>It may have been sold or taken off the \
                market, or the address is mistyped.</p>";
    super::outreach::styled_page(
        StatusCode::NOT_FOUND,
        "Not listed",
        NOT_LISTED_STYLE,
        not_listed_csp(),
        body,
    )
}

const NOT_LISTED_STYLE: &str =
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2933}";

fn not_listed_csp() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    super::outreach::csp_of(NOT_LISTED_STYLE, &CSP)
}

fn html_response(html: String, csp: &str) -> Response {
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // A change (or the listing made private) shows within a minute.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /l/{org}/{listing}`: the page.
pub async fn page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path((org, listing)): Path<(OrgId, ListingId)>,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    blocking(move || {
        let Some(listing) = shown(&state, org, listing)? else {
            return Ok(not_listed());
        };
        let Some(org_row) = state.store.org(org)? else {
            return Ok(not_listed());
        };
        let branding = org_settings::branding(state.store.as_ref(), org)?;
        let zone = org_settings::agent_zone(&state, org, listing.owner)?;
        let rendered = public_page::render(&PageInput {
            org,
            org_name: &org_row.name,
            branding: &branding,
            listing: &listing,
            zone,
            now: state.clock.now(),
        });
        Ok(html_response(rendered.html, &rendered.csp))
    })
    .await
}

/// `GET /l/{org}/{listing}/photo/{name}`: a picture the public listing shows.
pub async fn photo(
    state: State<AppState>,
    ip: ClientIp,
    path: Path<(OrgId, ListingId, String)>,
) -> Result<Response, ApiError> {
    picture(state, ip, path, false).await
}

/// `GET /l/{org}/{listing}/thumb/{name}`: its thumbnail.
pub async fn thumb(
    state: State<AppState>,
    ip: ClientIp,
    path: Path<(OrgId, ListingId, String)>,
) -> Result<Response, ApiError> {
    picture(state, ip, path, true).await
}

async fn picture(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path((org, listing, name)): Path<(OrgId, ListingId, String)>,
    thumb: bool,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    let Some(blob) = BlobRef::parse(&format!("{BLOB_DIR}/{name}")).filter(|b| b.kind.is_image())
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    blocking(move || {
        let Some(listing) = shown(&state, org, listing)? else {
            return Ok(StatusCode::NOT_FOUND.into_response());
        };
        let uri = blob.uri();
        if !listing.media.iter().any(|m| m.uri == uri) {
            return Ok(StatusCode::NOT_FOUND.into_response());
        }
        let Some(bytes) = state
            .blobs
            .read(org, &blob, thumb)
            .map_err(|e| ApiError::Internal(format!("blob storage: {e}")))?
        else {
            return Ok(StatusCode::NOT_FOUND.into_response());
        };
        let mut response = super::blobs::served(
            bytes,
            if thumb {
                "image/jpeg"
            } else {
                blob.kind.mime()
            },
        );
        // Public, but not for good: a listing taken private stops being served within minutes.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        );
        Ok(response)
    })
    .await
}

/// What the page's beacon sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Beacon {
    kind: String,
    #[serde(default)]
    seconds: Option<u64>,
    #[serde(default)]
    hotspot: Option<String>,
}

fn event_of(beacon: Beacon) -> Result<TourEvent, String> {
    match (beacon.kind.as_str(), beacon.seconds, beacon.hotspot) {
        ("view", None, None) => Ok(TourEvent::View),
        ("time", Some(seconds), None) => Ok(TourEvent::Time(
            u32::try_from(seconds.min(u64::from(VISIT_MAX_SECONDS))).unwrap_or(VISIT_MAX_SECONDS),
        )),
        ("hotspot", None, Some(name)) if public_page::known_hotspot(&name) => {
            Ok(TourEvent::Hotspot(name))
        }
        ("hotspot", None, Some(_)) => Err("not a part of the page".into()),
        _ => Err(
            "a beacon is {kind: view} | {kind: time, seconds} | {kind: hotspot, hotspot}".into(),
        ),
    }
}

/// `POST /l/{org}/{listing}/beacon`: one view, visit time or opened part. Counted only for a
/// listing on show; answers 204 with no body.
pub async fn beacon(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path((org, listing)): Path<(OrgId, ListingId)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    limited(&state, PublicRoute::Link, ip)?;
    if body.len() > BEACON_MAX_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: BEACON_MAX_BYTES,
        });
    }
    let beacon: Beacon = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("not a beacon: {e}")))?;
    let event = event_of(beacon).map_err(ApiError::BadRequest)?;
    blocking(move || {
        if shown(&state, org, listing)?.is_none() {
            return Err(ApiError::NotFound("listing".into()));
        }
        let day = state.clock.now().format("%Y-%m-%d").to_string();
        state
            .store
            .record_tour_event(org, &listing.to_string(), &day, &event)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// What `GET /v2/listings/{listing_id}/tour` answers.
#[derive(Debug, Serialize)]
pub struct TourFigures {
    #[serde(flatten)]
    pub stats: TourStats,
    /// The page's address, while the listing is on show and the server knows its public URL.
    pub page_url: Option<String>,
    /// The figures' first day (`YYYY-MM-DD`).
    pub since: String,
}

/// `GET /v2/listings/{listing_id}/tour`: the public page's figures for the last 30 days, to
/// whoever may read the listing.
pub async fn figures(
    State(state): State<AppState>,
    caller: Caller,
    Path(listing_id): Path<ListingId>,
) -> Result<Json<TourFigures>, ApiError> {
    blocking(move || {
        let listing = super::readable::listing(&state, &caller, listing_id)?;
        let since = (state.clock.now() - chrono::Duration::days(STATS_DAYS - 1))
            .format("%Y-%m-%d")
            .to_string();
        let stats = state
            .store
            .tour_stats(caller.org, &listing_id.to_string(), &since)?;
        let page_url = state
            .config
            .http
            .public_url
            .as_deref()
            .filter(|_| listing.is_publicly_listed())
            .map(|base| {
                format!(
                    "{}{}",
                    base.trim_end_matches('/'),
                    public_page::path(caller.org, &listing)
                )
            });
        Ok(Json(TourFigures {
            stats,
            page_url,
            since,
        }))
    })
    .await
}
