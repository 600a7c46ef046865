//! Sync wire format, version 1 (JSON over HTTP).
//!
//! DO NOT MODIFY the shape of these types: they are frozen by `tests/golden`. A device and a
//! server of different builds must keep understanding each other; a new shape is a new version.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub const PROTOCOL_VERSION: u32 = 1;
/// Largest request body a server accepts; a device splits its outbox to stay below it.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// Largest page a pull may ask for.
pub const MAX_PULL_LIMIT: u32 = 1000;
const DOC_ID_MAX_LEN: usize = 80;

/// Names one Automerge document: `<kind>:<uuid>`, e.g. `lead:0d6f…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDocId(pub String);

impl fmt::Display for InvalidDocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid document id {:?}: expected <kind>:<id> of at most {DOC_ID_MAX_LEN} lowercase letters, digits and '-'",
            self.0
        )
    }
}

impl std::error::Error for InvalidDocId {}

impl DocId {
    pub fn new(kind: &str, id: impl fmt::Display) -> Result<Self, InvalidDocId> {
        format!("{kind}:{id}").parse()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The record kind before the colon (`lead`, `listing`, ...).
    pub fn kind(&self) -> &str {
        self.0.split_once(':').map_or("", |(kind, _)| kind)
    }

    /// The record id after the colon.
    pub fn record_id(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, id)| id)
    }
}

impl FromStr for DocId {
    type Err = InvalidDocId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let well_formed = s.len() <= DOC_ID_MAX_LEN
            && s.split_once(':').is_some_and(|(kind, id)| {
                !kind.is_empty()
                    && !id.is_empty()
                    && kind.bytes().all(|b| b.is_ascii_lowercase())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if well_formed {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidDocId(s.to_owned()))
        }
    }
}

impl TryFrom<String> for DocId {
    type Error = InvalidDocId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<DocId> for String {
    fn from(value: DocId) -> Self {
        value.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One Automerge change to one document, as produced by `Change::raw_bytes()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocChange {
    pub doc_id: DocId,
    #[serde(with = "crate::base64_bytes")]
    pub change: Vec<u8>,
}

/// `POST /v1/push`: the device's outbox, oldest first (so every change's dependencies precede it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub changes: Vec<DocChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Changes the server had not seen and has now stored.
    pub accepted: u32,
    /// Changes it already had (a retried push): safe to drop from the outbox too.
    pub duplicates: u32,
}

/// `POST /v1/pull`: "what changed in my scope since cursor `since`?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub since: u64,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub seq: u64,
    pub doc_id: DocId,
    #[serde(with = "crate::base64_bytes")]
    pub change: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub entries: Vec<FeedEntry>,
    /// The cursor to send next time: the last entry's `seq`, or `since` if there were none.
    pub cursor: u64,
    /// More entries wait beyond this page.
    pub more: bool,
}

/// Machine-readable error codes; clients branch on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    BadRequest,
    PayloadTooLarge,
    NotFound,
    Internal,
}

/// The body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_accepts_kind_and_uuid() {
        let id = DocId::new("lead", "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10").expect("valid");
        assert_eq!(id.kind(), "lead");
        assert_eq!(id.record_id(), "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10");
    }

    #[test]
    fn doc_id_rejects_malformed() {
        for bad in [
            "",
            "lead",
            ":x",
            "lead:",
            "Lead:x",
            "lead:X",
            "lead:a b",
            "lead:../etc",
            &format!("lead:{}", "a".repeat(80)),
        ] {
            assert!(bad.parse::<DocId>().is_err(), "{bad:?} accepted");
        }
    }
}
