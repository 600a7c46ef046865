//! The live-news WebSocket: the server says "new changes in scope S" the moment they are
//! accepted, and the background loop pulls at once. It carries no data, so a lost connection
//! costs only latency (the loop also polls).

use super::{SyncClient, SyncError};
use fieldstone_protocol::LiveMessage;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// What the live connection tells the sync loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Connected,
    /// Pull now.
    News,
    /// This device was revoked.
    Revoked,
    Disconnected(String),
}

/// One live connection; `run` returns when it closes.
pub struct LiveListener {
    client: SyncClient,
}

impl LiveListener {
    pub fn new(client: SyncClient) -> Self {
        Self { client }
    }

    /// Connects and forwards events until the connection ends (or `events` is closed).
    pub async fn run(&self, events: &mpsc::UnboundedSender<LiveEvent>) -> Result<(), SyncError> {
        let mut request = self
            .client
            .live_url()
            .into_client_request()
            .map_err(|e| SyncError::Protocol(format!("live address: {e}")))?;
        let auth = HeaderValue::from_str(&format!("Bearer {}", self.client.token()))
            .map_err(|_| SyncError::Protocol("token is not a valid header".into()))?;
        request.headers_mut().insert("authorization", auth);
        let (mut socket, _) = match tokio_tungstenite::connect_async(request).await {
            Ok(ok) => ok,
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let body = response
                    .body()
                    .as_deref()
                    .map(String::from_utf8_lossy)
                    .unwrap_or_default()
                    .to_string();
                return Err(if body.contains("device_revoked") {
                    SyncError::Revoked
                } else if response.status().as_u16() == 401 {
                    SyncError::Unauthorized
                } else {
                    SyncError::Unreachable(format!("live: {}", response.status()))
                });
            }
            Err(e) => return Err(SyncError::Unreachable(format!("live: {e}"))),
        };
        let _ = events.send(LiveEvent::Connected);
        while let Some(message) = socket.next().await {
            let message = match message {
                Ok(m) => m,
                Err(e) => return Err(SyncError::Unreachable(format!("live: {e}"))),
            };
            match message {
                Message::Text(text) => match serde_json::from_str::<LiveMessage>(&text) {
                    Ok(LiveMessage::News { .. } | LiveMessage::AccessChanged) => {
                        if events.send(LiveEvent::News).is_err() {
                            return Ok(());
                        }
                    }
                    Ok(LiveMessage::Revoked) => {
                        let _ = events.send(LiveEvent::Revoked);
                        return Err(SyncError::Revoked);
                    }
                    Err(error) => tracing::debug!(%error, "unknown live message ignored"),
                },
                Message::Ping(data) => {
                    let _ = socket.send(Message::Pong(data)).await;
                }
                Message::Close(_) => break,
                _ => {}
            }
        }
        Ok(())
    }
}
