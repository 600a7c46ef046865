//! `GET /v2/sync/live`: a WebSocket on which the server says "new changes exist in scope S" the
//! moment they are accepted, so an online teammate pulls at once instead of on a timer. It
//! carries no data: a device that misses a message loses nothing but a little time.

use crate::access::{Access, Caller};
use crate::hub::Event;
use crate::AppState;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use fieldstone_protocol::LiveMessage;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

const PING_EVERY: Duration = Duration::from_secs(25);
/// WebSocket close code for "policy violation": the session or device is no longer valid.
const CLOSE_POLICY: u16 = 1008;

pub async fn session(mut socket: WebSocket, state: AppState, mut caller: Caller) {
    state.metrics.live_connections.inc();
    let mut events = state.hub.subscribe();
    let mut access = match load_access(&state, &caller).await {
        Some(a) => a,
        None => {
            state.metrics.live_connections.dec();
            return;
        }
    };
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            event = events.recv() => {
                let message = match event {
                    Ok(delivery) => match &delivery.event {
                        Event::Changed { org, scopes, seq, .. } if *org == caller.org => {
                            scopes.iter().find(|s| access.readable.contains(s)).map(|scope| {
                                LiveMessage::News { scope: scope.to_string(), seq: *seq }
                            })
                        }
                        Event::AccessChanged { org } if *org == caller.org => {
                            // The role may be what changed: read it again with the session,
                            // so a demoted admin's socket stops carrying an admin's news.
                            match current_role(&state, &caller).await {
                                Some(role) => caller.role = role,
                                None => {
                                    close(&mut socket, "signed out").await;
                                    break;
                                }
                            }
                            match load_access(&state, &caller).await {
                                Some(fresh) => access = fresh,
                                None => break,
                            }
                            Some(LiveMessage::AccessChanged)
                        }
                        Event::DeviceRevoked { device, .. } if *device == caller.device => {
                            let _ = send(&mut socket, &LiveMessage::Revoked).await;
                            close(&mut socket, "device revoked").await;
                            break;
                        }
                        Event::SessionsEnded { user, .. } if *user == caller.user => {
                            if !session_alive(&state, &caller).await {
                                close(&mut socket, "signed out").await;
                                break;
                            }
                            None
                        }
                        _ => None,
                    },
                    // Fell behind the broadcast: we may have missed news, so say "pull".
                    Err(RecvError::Lagged(_)) => Some(LiveMessage::AccessChanged),
                    Err(RecvError::Closed) => break,
                };
                if let Some(message) = message {
                    if send(&mut socket, &message).await.is_err() {
                        break;
                    }
                }
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {} // pings are answered by the WebSocket layer; nothing else is expected
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    state.metrics.live_connections.dec();
}

async fn send(socket: &mut WebSocket, message: &LiveMessage) -> Result<(), axum::Error> {
    let text = serde_json::to_string(message).unwrap_or_default();
    socket.send(Message::Text(text.into())).await
}

async fn close(socket: &mut WebSocket, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: CLOSE_POLICY,
            reason: reason.to_owned().into(),
        })))
        .await;
}

async fn load_access(state: &AppState, caller: &Caller) -> Option<Arc<Access>> {
    let (s, c) = (state.clone(), caller.clone());
    crate::blocking(move || s.access.get(s.store.as_ref(), &c).map_err(Into::into))
        .await
        .ok()
}

async fn session_alive(state: &AppState, caller: &Caller) -> bool {
    current_role(state, caller).await.is_some()
}

/// The session's user's role now; `None` when the session ended, expired or its device was
/// revoked.
async fn current_role(
    state: &AppState,
    caller: &Caller,
) -> Option<fieldstone_protocol::account::Role> {
    let store = state.store.clone();
    let hash = caller.token_hash.clone();
    let now = state.clock.now();
    match crate::blocking(move || store.session(&hash).map_err(Into::into)).await {
        Ok(Some(s)) if !s.device_revoked && s.expires_at > now => Some(s.role),
        _ => None,
    }
}
