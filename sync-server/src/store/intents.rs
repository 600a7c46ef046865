//! The attempt ledger of intents (DESIGN decision 13): what the server has done about each
//! outbound message, kept in the server's database, not in the document, so a crash, a retried
//! push or several server processes on one database cannot act on an intent twice.
//!
//! A row moves `pending → sending → done`, or `sending → retry → sending` for a transient
//! failure. Taking a row (`claim_intents`) and recording the attempt are one statement; only the
//! worker holding the attempt may finish it. A `sending` row whose lease ran out belonged to a
//! worker that stopped mid-send: the provider may have accepted the message, so it is never
//! sent again — it ends as `unknown`, and the person is told to check and send it again.

use chrono::{DateTime, Utc};
use fieldstone_model::OrgId;
use fieldstone_protocol::DocId;

/// One intent a worker now holds: it may act on it, once, as attempt `attempt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentClaim {
    pub org: OrgId,
    pub doc: DocId,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentFinish {
    /// Nothing more will be done: sent, failed for good or refused.
    Done {
        outcome: IntentOutcome,
        detail: Option<String>,
    },
    /// A transient failure: try again from `at`.
    Retry { at: DateTime<Utc>, detail: String },
}

/// What finally happened to an intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentOutcome {
    Sent,
    Failed,
    Refused,
    /// The worker stopped while sending: the provider may or may not have it.
    Unknown,
}

impl IntentOutcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            IntentOutcome::Sent => "sent",
            IntentOutcome::Failed => "failed",
            IntentOutcome::Refused => "refused",
            IntentOutcome::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            IntentOutcome::Sent,
            IntentOutcome::Failed,
            IntentOutcome::Refused,
            IntentOutcome::Unknown,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// Where an intent stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentState {
    Pending,
    Sending,
    Retry,
    Done,
}

impl IntentState {
    pub const fn as_str(self) -> &'static str {
        match self {
            IntentState::Pending => "pending",
            IntentState::Sending => "sending",
            IntentState::Retry => "retry",
            IntentState::Done => "done",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            IntentState::Pending,
            IntentState::Sending,
            IntentState::Retry,
            IntentState::Done,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// A ledger row, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentRow {
    pub state: IntentState,
    pub attempts: u32,
    pub outcome: Option<IntentOutcome>,
    pub detail: Option<String>,
    /// When a pending or retrying intent may be taken.
    pub next_at: DateTime<Utc>,
}

/// Why an intent whose worker stopped mid-send ends as [`IntentOutcome::Unknown`].
pub const UNKNOWN_DETAIL: &str = "The server stopped while sending this message, so it may or may \
     not have gone out. It was not sent again, to avoid a duplicate; check with the recipient \
     and send it again if needed.";
