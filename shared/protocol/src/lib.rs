//! Everything that crosses a process boundary: the sync wire format (device ⇄ server), the
//! account API bodies, the command DTOs (UI ⇄ shell) and the one table of commands ([`table`]).
//! Golden tests in `tests/golden.rs` freeze the bytes; changing a frozen type is a new protocol
//! version, never an edit.

pub mod account;
pub mod calls;
pub mod campaigns;
#[cfg(feature = "codec")]
pub mod codec;
pub mod commands;
pub mod sync;
pub mod table;
pub mod views;

pub use sync::{
    heads_digest, DocDigest, DocId, DocPush, DocUpdate, ErrorBody, ErrorCode, InvalidDocId,
    InvalidScope, LiveMessage, PullRequest, PullResponse, PullResponseV3, PushRequest,
    PushResponse, RejectCode, Rejection, RepairRequest, RepairResponse, Scope, ScopeCursor,
    MAX_DECODED_BYTES, MAX_PULL_DOCS, MAX_REPAIR_DOCS, MAX_REQUEST_BYTES, PROTOCOL_VERSION,
    SYNC_CONTENT_TYPE,
};
