//! What the server keeps for lead routing (issue 15), outside any document: each agent's
//! routing profile and the organisation's rule list (the model's types as JSON, checked by the
//! model before they are stored and again when read), round-robin cursors, and one row per
//! routed lead — the decision, its reason, and who claimed it. Claims and fallbacks are
//! conditional updates of that row, so two claims of one lead, or two server processes routing
//! it, leave one owner.

use chrono::{DateTime, Utc};
use fieldstone_model::UserId;

/// One lead's routing, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRoutingRow {
    /// The contact's id (a `ContactId`'s text).
    pub contact: String,
    /// `agent`, `offer`, `pond`, or `assigned` (a broker's hand).
    pub decision: String,
    /// Who has it: the routed agent, the claimer, or the broker's choice.
    pub agent: Option<UserId>,
    /// Who an offer went to.
    pub offered: Vec<UserId>,
    /// Index of the deciding rule (an offer's fallback starts after it).
    pub rule: Option<i64>,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
    /// Until when an offer waits for a claim.
    pub claim_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<UserId>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// The lead's interaction (moved with the contact on reassignment).
    pub interaction: Option<String>,
}

/// Which stored row [`crate::store::Store::replace_lead_routing`] may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only an offer nobody claimed whose time is over (the fallback).
    ExpiredOffer,
    /// Whatever it says (a broker's assignment).
    Any,
}

/// Most rows the lead list answers.
pub const LIST_LIMIT: usize = 500;

/// `offered` as stored: a JSON array of user ids.
pub(crate) fn offered_text(offered: &[UserId]) -> String {
    serde_json::to_string(offered).unwrap_or_else(|_| "[]".to_owned())
}

pub(crate) fn parse_offered(text: &str) -> Result<Vec<UserId>, super::StoreError> {
    serde_json::from_str(text)
        .map_err(|e| super::StoreError::Corrupt(format!("lead_routing.offered: {e}")))
}
