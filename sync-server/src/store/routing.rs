//! What the server keeps for lead routing (issue 15), outside any document: each agent's
//! routing profile and the organisation's rule list (the model's types as JSON, checked by the
//! model before they are stored and again when read), round-robin cursors, and one row per
//! routed lead — the decision, its reason, and who claimed it. Claims and fallbacks are
//! conditional updates of that row, so two claims of one lead, or two server processes routing
//! it, leave one owner.

use super::StoreError;
use chrono::{DateTime, Utc};
use fieldstone_model::{OrgId, UserId};

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

/// An open-house visitor a device's push stored, waiting for the server to dedupe and route it
/// (`intake::device`). Queued before the push's commit and removed once handled, so a server
/// that stops in between leaves it for the sweep rather than losing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceLeadRow {
    /// The new contact (a `ContactId`'s text).
    pub contact: String,
    /// Who pushed it: the agent at the door.
    pub user: UserId,
    /// Its sign-in visits (`InteractionId`s' text).
    pub visits: Vec<String>,
    pub queued_at: DateTime<Utc>,
}

/// The store's lead routing tables; every method takes the tenant (DESIGN decision 6).
pub trait RoutingStore {
    /// Queues `leads` (a later queueing of the same contact replaces its row).
    fn queue_device_leads(&self, org: OrgId, leads: &[DeviceLeadRow]) -> Result<(), StoreError>;
    /// Queued leads of every organisation, oldest first, at most `limit`; with `before`, only
    /// those queued before it (the sweep leaves fresh ones to the push handling them).
    fn device_leads(
        &self,
        before: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<(OrgId, DeviceLeadRow)>, StoreError>;
    fn forget_device_lead(&self, org: OrgId, contact: &str) -> Result<(), StoreError>;
    /// An agent's routing profile (the model's JSON), if one was set.
    fn routing_profile(&self, org: OrgId, user: UserId) -> Result<Option<String>, StoreError>;
    /// Every profile of the organisation, by user id.
    fn routing_profiles(&self, org: OrgId) -> Result<Vec<(UserId, String)>, StoreError>;
    fn set_routing_profile(
        &self,
        org: OrgId,
        user: UserId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The organisation's rule list (the model's JSON); `None`: routing is off.
    fn routing_rules(&self, org: OrgId) -> Result<Option<String>, StoreError>;
    fn set_routing_rules(
        &self,
        org: OrgId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Round-robin cursors: (rule name, who it gave its last lead to).
    fn routing_cursors(&self, org: OrgId) -> Result<Vec<(String, UserId)>, StoreError>;
    /// Moves rule `rule`'s cursor to `user` only if it is still at `from` (`None`: no cursor
    /// yet); `false` when another decision moved it first (decide again from where it is).
    fn swap_routing_cursor(
        &self,
        org: OrgId,
        rule: &str,
        from: Option<UserId>,
        user: UserId,
    ) -> Result<bool, StoreError>;
    /// Records a lead's first decision; `false` (nothing written) when it was routed already.
    fn record_lead_routing(&self, org: OrgId, row: &LeadRoutingRow) -> Result<bool, StoreError>;
    /// Replaces a lead's routing when `which` allows; `false` when it did not (claimed meanwhile).
    fn replace_lead_routing(
        &self,
        org: OrgId,
        row: &LeadRoutingRow,
        which: Replace,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// `user` takes an offered (still waiting) or pond lead; `false` when someone has it.
    fn claim_lead(
        &self,
        org: OrgId,
        contact: &str,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    fn lead_routing(&self, org: OrgId, contact: &str)
        -> Result<Option<LeadRoutingRow>, StoreError>;
    /// Newest first, at most `limit`; `agent`: only the leads they have.
    fn lead_routings(
        &self,
        org: OrgId,
        agent: Option<UserId>,
        limit: usize,
    ) -> Result<Vec<LeadRoutingRow>, StoreError>;
    /// Offers nobody claimed whose time is over (at most 100 at a time).
    fn expired_offers(
        &self,
        org: OrgId,
        now: DateTime<Utc>,
    ) -> Result<Vec<LeadRoutingRow>, StoreError>;
}
