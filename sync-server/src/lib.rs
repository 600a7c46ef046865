//! Fieldstone's sync server: stores every account's documents, numbers every accepted change
//! in a change feed, and answers "what changed since S?".

pub mod auth;
mod error;
pub mod routes;
pub mod store;

pub use error::ApiError;
pub use store::{AccountId, SqliteStore, Store, StoreError};

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Shared by every request handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

/// Serves on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// The address to print for clients: `http://` + the bound socket.
pub fn public_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}
