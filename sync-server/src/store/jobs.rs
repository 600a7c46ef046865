//! Server jobs (DESIGN decision 14): work due at a time — a follow-up to draft, later campaign
//! steps and reports — kept in a table with leases, so it survives restarts and several server
//! processes on one PostgreSQL never run a job at once. A job is `(org, kind, key)`: scheduling
//! it again moves its time (while it waits), so whatever schedules it may do so every time the
//! thing it is about changes. A job's work must be safe to repeat (a worker that stopped midway
//! loses its lease and another takes the job again): its writes are keyed by the job.

use chrono::{DateTime, Utc};
use fieldstone_model::OrgId;

/// The kinds of job.
pub const FOLLOW_UP: &str = "follow_up";
/// A running campaign's rounds (key: the campaign and when it was launched or resumed).
pub const CAMPAIGN: &str = "campaign";
/// A person's weekly report email (key: the user; it schedules itself for the next week).
pub const WEEKLY: &str = "weekly";

/// What a stored document asks of the job table, written in the same transaction as it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSchedule {
    pub kind: &'static str,
    pub key: String,
    /// `Some`: due then (a waiting job moves to it; a finished one stays finished). `None`:
    /// not wanted any more (a task closed before its day): a waiting job is finished.
    pub due_at: Option<DateTime<Utc>>,
}

/// A job a worker now holds, until its lease runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobClaim {
    pub org: OrgId,
    pub kind: String,
    pub key: String,
    /// 1 for the first run.
    pub attempt: u32,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFinish {
    /// Done, with what happened (kept for people reading the table).
    Done(String),
    /// Run it again at `at` (a task moved later, or a passing failure).
    Later { at: DateTime<Utc>, detail: String },
}

/// A job as stored, for tests and the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    /// `waiting`, `running` or `done`.
    pub state: String,
    pub due_at: DateTime<Utc>,
    pub attempts: u32,
    pub detail: Option<String>,
}

/// One occasion a campaign enrolled a contact on (see the stores' `campaign_enrolments`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// A `ContactId`'s text.
    pub contact: String,
    /// What enrolled them: `tag:…`, `birthday:2027`, `repeat:3`…
    pub episode: String,
    /// `None`: already there at launch, so nobody was enrolled.
    pub enrolled_at: Option<DateTime<Utc>>,
}
