//! What the server keeps per organisation to act for it, outside any document: provider
//! settings (their secrets encrypted, see `crate::secrets`), the do-not-call list, the plan, and
//! the monthly usage ledger the plan's allowances are checked against. None of it ever reaches
//! a device.

use chrono::{DateTime, Utc};
use fieldstone_model::UserId;

/// One provider an organisation's admin set up (`kind`: `email`, `sms`, `ai`, `sendgrid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRow {
    pub kind: String,
    /// The settings that are not secret, as JSON.
    pub settings: String,
    /// The secret (password, token, key) sealed by `crate::secrets`; `None` when it has none.
    pub sealed_secret: Option<Vec<u8>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserId>,
}

/// A number nobody in the organisation may text or call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DncRow {
    /// As `fieldstone_model::outreach::dnc_key` writes it.
    pub number: String,
    /// Where it came from: "import: national.csv", "added by an agent".
    pub source: String,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<UserId>,
}

/// An organisation's plan and the zone its months are counted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// `free`, `starter`, `pro` or `enterprise`.
    pub plan: String,
    /// IANA time zone: the month resets on the 1st there.
    pub time_zone: String,
    pub updated_at: DateTime<Utc>,
}

/// How much of a meter one user (or, with `user: None`, the whole organisation) used in a
/// period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub user: Option<UserId>,
    pub meter: String,
    pub used: i64,
}

/// A metered use: `amount` of `meter` by `user` in `period` (`2026-12`), allowed while the
/// organisation's total stays within `allowance` (`None`: no cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metered<'a> {
    pub user: UserId,
    pub period: &'a str,
    pub meter: &'a str,
    pub amount: i64,
    pub allowance: Option<i64>,
}

/// The user id of the organisation-wide total row in the usage ledger.
pub(crate) const TOTAL: &str = "*";
