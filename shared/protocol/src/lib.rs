//! Everything that crosses a process boundary: the sync wire format (device ⇄ server) and the
//! command DTOs (UI ⇄ shell). Golden tests in `tests/golden.rs` freeze the JSON; changing a
//! frozen type is a new protocol version, never an edit.

pub mod commands;
pub mod sync;

mod base64_bytes;

pub use sync::{
    DocChange, DocId, ErrorBody, ErrorCode, FeedEntry, InvalidDocId, PullRequest, PullResponse,
    PushRequest, PushResponse, MAX_PULL_LIMIT, MAX_REQUEST_BYTES, PROTOCOL_VERSION,
};
