//! Each person's calendar feed over HTTP (`crate::calendar_feed`): its secret address for the
//! signed-in person, and the feed itself for calendar apps (no session: the signed token in the
//! address is the only authority, checked before anything is read).

use super::ClientIp;
use crate::access::Caller;
use crate::auth::PublicRoute;
use crate::calendar_feed::{self, FeedError};
use crate::error::ApiError;
use crate::{blocking, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// What `GET /v2/calendar/feed` answers.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    /// The address to subscribe to (secret: anyone with it reads the calendar).
    pub url: String,
    pub generation: u32,
}

fn failed(error: FeedError) -> ApiError {
    match error {
        FeedError::Store(e) => e.into(),
        FeedError::Invalid(message) => ApiError::BadRequest(message),
    }
}

/// `GET /v2/calendar/feed`: the caller's feed address, while their feed is on.
pub async fn feed_link(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<FeedLink>, ApiError> {
    let Some(signer) = state.links.clone() else {
        return Err(ApiError::Conflict(
            "this server has no secret_key, so it cannot make calendar links".into(),
        ));
    };
    let Some(base) = state.config.http.public_url.clone() else {
        return Err(ApiError::Conflict(
            "this server has no public_url, so calendars could not reach a link".into(),
        ));
    };
    blocking(move || {
        let generation =
            calendar_feed::generation(&state, caller.org, caller.user).map_err(failed)?;
        if generation == 0 {
            return Err(ApiError::NotFound(
                "your calendar feed is off (turn it on in Settings; it takes effect once synced)"
                    .into(),
            ));
        }
        let token = signer.calendar_token(caller.org, caller.user, generation);
        Ok(Json(FeedLink {
            url: format!("{}/cal/{token}.ics", base.trim_end_matches('/')),
            generation,
        }))
    })
    .await
}

/// `GET /cal/{token}.ics`: the calendar, if the token is this server's and its generation is
/// the live one; 404 for anything else (a made-up, old or turned-off link alike).
pub async fn feed(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    super::outreach::limited(&state, PublicRoute::Link, ip)?;
    let token = token.strip_suffix(".ics").unwrap_or(&token).to_owned();
    let Some((org, user, generation)) = state
        .links
        .as_ref()
        .and_then(|signer| signer.verify_calendar(&token))
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    blocking(move || {
        if generation == 0
            || calendar_feed::generation(&state, org, user).map_err(failed)? != generation
        {
            return Ok(StatusCode::NOT_FOUND.into_response());
        }
        let body = calendar_feed::feed(&state, org, user, state.clock.now()).map_err(failed)?;
        Ok((
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "private, max-age=300"),
            ],
            body,
        )
            .into_response())
    })
    .await
}
