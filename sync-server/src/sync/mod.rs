//! The sync engine above the store: the hot-document cache, access-checked pushes, pulls,
//! repair, and live news over WebSocket.

pub mod cache;
#[cfg(test)]
mod fuzz;
pub mod guard;
pub mod inspect;
pub mod judge;
pub mod live;
pub mod org_docs;
pub mod pull;
pub mod push;
pub mod server_write;

pub use cache::{AccessCache, DocCache};
