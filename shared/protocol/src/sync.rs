//! Sync wire format, version 2: binary messages (postcard) compressed with zstd, over HTTP.
//!
//! DO NOT MODIFY the shape of these types: they are frozen by `tests/golden`. A device and a
//! server of different builds must keep understanding each other; a new shape is a new version.
//!
//! Version 1 (JSON with base64 changes, one feed per account) never shipped in a release and is
//! gone: it could not express scopes, rejections or snapshots.

use fieldstone_model::{OrgId, TeamId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub const PROTOCOL_VERSION: u32 = 2;
/// Content type of every sync request and answer body: `zstd(postcard(message))`.
pub const SYNC_CONTENT_TYPE: &str = "application/vnd.fieldstone.sync.v2+zstd";
/// Largest request body a server accepts, compressed; a device splits its outbox to stay below.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;
/// Largest size a sync message may have once decompressed (a guard against zstd bombs).
pub const MAX_DECODED_BYTES: usize = 32 * 1024 * 1024;
/// Most documents one pull page may carry.
pub const MAX_PULL_DOCS: u32 = 1000;
/// Most documents one repair request may list.
pub const MAX_REPAIR_DOCS: usize = 5000;
const DOC_ID_MAX_LEN: usize = 80;

/// Names one Automerge document: `<kind>:<id>`, e.g. `contact:0d6f…`.
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

    /// The record kind before the colon (`contact`, `listing`, ...).
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

/// A set of documents the server numbers changes in. Which scopes a document belongs to, and
/// who may read or write a scope, is server state (DESIGN decision 5), never document content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// One user's own work: their contacts, notes, bookings.
    User(UserId),
    /// Shared by a team's members and read by its brokers.
    Team(TeamId),
    /// Read by everyone in the organisation (e.g. office listings).
    Org(OrgId),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::User(id) => write!(f, "user:{id}"),
            Scope::Team(id) => write!(f, "team:{id}"),
            Scope::Org(id) => write!(f, "org:{id}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidScope(pub String);

impl fmt::Display for InvalidScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid scope {:?}: expected user:<uuid>, team:<uuid> or org:<uuid>",
            self.0
        )
    }
}

impl std::error::Error for InvalidScope {}

impl FromStr for Scope {
    type Err = InvalidScope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidScope(s.to_owned());
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "user" => id.parse().map(Scope::User).map_err(|_| bad()),
            "team" => id.parse().map(Scope::Team).map_err(|_| bad()),
            "org" => id.parse().map(Scope::Org).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// Where a device is in one scope's change feed. The feed keeps one entry per document, moved
/// to the end whenever the document changes, so a pass over it costs what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeCursor {
    pub scope: Scope,
    /// Every feed entry up to `seq` has reached this device.
    pub seq: u64,
    /// Where the device's last complete pass over the scope ended: every document in the scope
    /// then is on the device with all its changes up to `base`. Pages of a pass carry documents
    /// that joined the scope after `base` whole, the others as their changes after `base`.
    /// Equal to `seq` between passes; 0 before the first.
    pub base: u64,
}

impl ScopeCursor {
    /// The start of a scope: nothing received yet.
    pub fn start(scope: Scope) -> Self {
        Self {
            scope,
            seq: 0,
            base: 0,
        }
    }
}

/// `POST /v2/sync/push`: the device's outbox, grouped by document, oldest change first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub docs: Vec<DocPush>,
}

/// Changes to one document, each as produced by Automerge's `Change::raw_bytes()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocPush {
    pub doc_id: DocId,
    pub changes: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Changes the server had not seen and has now stored.
    pub accepted: u32,
    /// Changes it already had (a retried push): safe to drop from the outbox too.
    pub duplicates: u32,
    /// Documents whose changes were refused. Each refusal covers all of that document's
    /// changes in the request; nothing of it was stored or forwarded.
    pub rejected: Vec<Rejection>,
}

/// Why the changes to one document were refused, and the server's version to go back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub doc_id: DocId,
    pub code: RejectCode,
    /// A sentence for the person who made the edit.
    pub message: String,
    /// The server's copy (saved Automerge document) to reset to; `None` when the server has no
    /// copy the device may read (the document must be removed from the device).
    pub server_doc: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RejectCode {
    /// The writer may not write this document (not in their scopes, or a read-only role).
    NotWritable,
    /// The change touches a field the writer's role may not change.
    FieldNotAllowed { field: String },
    /// The change is signed with an Automerge actor that belongs to another user.
    ForeignActor,
    /// The bytes are not an Automerge change of this document.
    Malformed,
    /// The change depends on changes the server never received: the device should send the
    /// document's whole history (the repair path).
    MissingDependencies,
    /// A size limit of the server would be passed (`limit` names it, e.g. `ops_per_change`,
    /// `doc_ops`, `doc_bytes`, `user_docs`, `org_bytes`). The device keeps its copy as it is
    /// and stops sending these changes; nothing of them was stored.
    LimitReached { limit: String },
    /// The server's stored copy of this document cannot be read and is quarantined there; the
    /// device keeps its own copy. Added after the five above: postcard numbers variants in
    /// order, so the older variants keep their bytes.
    Unreadable,
}

impl RejectCode {
    /// The code as one snake_case word, for logs, metrics labels and the device's notices.
    pub fn label(&self) -> &'static str {
        match self {
            RejectCode::NotWritable => "not_writable",
            RejectCode::FieldNotAllowed { .. } => "field_not_allowed",
            RejectCode::ForeignActor => "foreign_actor",
            RejectCode::Malformed => "malformed",
            RejectCode::MissingDependencies => "missing_dependencies",
            RejectCode::LimitReached { .. } => "limit_reached",
            RejectCode::Unreadable => "unreadable",
        }
    }
}

/// `POST /v2/sync/pull`: "what changed in my scopes since these cursors?" Scopes the device
/// has no cursor for yet start at 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub cursors: Vec<ScopeCursor>,
    /// At most this many documents in the answer (1..=[`MAX_PULL_DOCS`]).
    pub max_docs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub docs: Vec<DocUpdate>,
    /// Every scope the user may read now, with the cursor to send next time. A scope the device
    /// holds that is not listed is no longer readable: forget its cursor.
    pub cursors: Vec<ScopeCursor>,
    /// More changes wait beyond this page.
    pub more: bool,
}

/// `POST /v3/sync/pull`'s answer: version 2's page, and which of its documents the caller holds
/// only because they may read other people's own records (a broker their team's, an admin the
/// organisation's): in none of the caller's own scopes and not shared with them, a team or the
/// organisation. A device counts its Today, reminders and overlap warnings without those, so a
/// broker's day is theirs, not the team's. A document listed once and absent from a later page
/// that carries it is the caller's again (assigned to them, or shared with them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponseV3 {
    pub page: PullResponse,
    pub not_mine: Vec<DocId>,
}

/// What a device needs to bring one document up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocUpdate {
    pub doc_id: DocId,
    /// The whole document (saved Automerge bytes), when the device may not have it yet.
    pub snapshot: Option<Vec<u8>>,
    /// Changes since the device's cursor, oldest first.
    pub changes: Vec<Vec<u8>>,
}

/// `POST /v2/sync/repair`: one page of the device's documents in id order, each with a digest
/// of its heads, so the server can find and fix any divergence in that id range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairRequest {
    /// The range covered starts after this id (`None`: from the first id).
    pub after: Option<DocId>,
    /// This is the device's last page: the range extends to the end.
    pub last: bool,
    pub docs: Vec<DocDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDigest {
    pub doc_id: DocId,
    /// [`heads_digest`] of the device's copy.
    pub heads: [u8; 16],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairResponse {
    /// Documents in the range whose server copy differs from the device's or that the device
    /// lacks: merge each snapshot, then push whatever of your own the server still lacks.
    pub differing: Vec<DocUpdate>,
    /// Documents the device listed that the server has never received: push their history.
    pub unknown: Vec<DocId>,
    /// Documents the device listed that it may no longer read: remove them from the device.
    pub forbidden: Vec<DocId>,
}

/// A short, order-independent digest of a document's heads (SHA-256 of the sorted head hashes,
/// truncated to 16 bytes): equal digests mean equal documents.
pub fn heads_digest(heads: &[[u8; 32]]) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&[u8; 32]> = heads.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for head in sorted {
        hasher.update(head);
    }
    let full = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Text frames the server sends on the live WebSocket (`GET /v2/sync/live`), as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveMessage {
    /// New changes exist in a scope the device reads: pull.
    News { scope: String, seq: u64 },
    /// The user's scopes changed (joined or left a team, a document was shared): pull.
    AccessChanged,
    /// This device was revoked: wipe the organisation's data and stop.
    Revoked,
}

/// Machine-readable error codes; clients branch on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Missing, expired or unknown session token.
    Unauthorized,
    /// Email and password do not match an account (same answer for an unknown email).
    InvalidCredentials,
    /// This device was revoked: wipe the organisation's data from it.
    DeviceRevoked,
    /// Signed in, but the role may not do this.
    Forbidden,
    BadRequest,
    PayloadTooLarge,
    NotFound,
    /// The request clashes with what is stored (e.g. an email already in use).
    Conflict,
    /// The email has accounts in several organisations: ask again with `org_id`.
    ChooseOrganisation,
    TooManyRequests,
    Unavailable,
    Internal,
}

/// The body of every non-2xx answer, JSON even on the binary sync routes.
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

    #[test]
    fn scope_round_trips_through_text() {
        let text = "team:0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10";
        let scope: Scope = text.parse().expect("valid");
        assert!(matches!(scope, Scope::Team(_)));
        assert_eq!(scope.to_string(), text);
        for bad in [
            "",
            "team",
            "team:",
            "group:0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10",
            "user:x",
        ] {
            assert!(bad.parse::<Scope>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn heads_digest_ignores_order_and_tells_sets_apart() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_eq!(heads_digest(&[a, b]), heads_digest(&[b, a]));
        assert_ne!(heads_digest(&[a]), heads_digest(&[a, b]));
        assert_ne!(heads_digest(&[]), heads_digest(&[a]));
    }
}
