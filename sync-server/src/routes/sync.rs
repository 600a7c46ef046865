//! The binary sync routes and the live WebSocket.

use super::{SyncBody, SyncReply};
use crate::access::Caller;
use crate::error::ApiError;
use crate::{blocking, AppState};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use fieldstone_protocol::{PullRequest, PushRequest, RepairRequest};

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    SyncBody(request): SyncBody<PushRequest>,
) -> Result<SyncReply, ApiError> {
    blocking(move || {
        let access = state.access.get(state.store.as_ref(), &caller)?;
        let response = crate::sync::push::push(&state, &caller, &access, request)?;
        SyncReply::encode(&state, &response)
    })
    .await
}

pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    SyncBody(request): SyncBody<PullRequest>,
) -> Result<SyncReply, ApiError> {
    blocking(move || {
        let access = state.access.get(state.store.as_ref(), &caller)?;
        let response = crate::sync::pull::pull(&state, &caller, &access, &request)?;
        SyncReply::encode(&state, &response.page)
    })
    .await
}

/// Version 3: the same page, and which of its documents are not the caller's own.
pub async fn pull_v3(
    State(state): State<AppState>,
    caller: Caller,
    SyncBody(request): SyncBody<PullRequest>,
) -> Result<SyncReply, ApiError> {
    blocking(move || {
        let access = state.access.get(state.store.as_ref(), &caller)?;
        let response = crate::sync::pull::pull(&state, &caller, &access, &request)?;
        SyncReply::encode(&state, &response)
    })
    .await
}

pub async fn repair(
    State(state): State<AppState>,
    caller: Caller,
    SyncBody(request): SyncBody<RepairRequest>,
) -> Result<SyncReply, ApiError> {
    blocking(move || {
        let access = state.access.get(state.store.as_ref(), &caller)?;
        let response = crate::sync::pull::repair(&state, &caller, &access, &request)?;
        SyncReply::encode(&state, &response)
    })
    .await
}

pub async fn live(
    State(state): State<AppState>,
    caller: Caller,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Upgraded sockets leave the connection cap's count: they have a cap of their own.
    let open = usize::try_from(state.metrics.live_connections.get()).unwrap_or(0);
    if open >= state.config.http.max_connections {
        return ApiError::Unavailable("too many live connections; try again later".into())
            .into_response();
    }
    upgrade
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| crate::sync::live::session(socket, state, caller))
}
