//! Lead routing on the server (issue 15: "the server decides once"). The rule itself is the
//! model's pure function (`fieldstone_model::routing::route`); this module gathers what it needs
//! from the server's data, stores its decision, and carries it out:
//!
//! - **When**: `intake::deliver` asks [`decide_new`] before it creates a new lead's contact, so
//!   the contact is created already in the routed agent's scope with `assigned_agent` set: no
//!   moment where another agent's device holds it. An organisation with no rule list keeps
//!   intake's behaviour (the organisation's scope, nobody assigned).
//! - **Once**: the decision is a `lead_routing` row keyed by (organisation, contact), inserted
//!   only if absent, in the same transaction as the lead's documents; the contact's id is
//!   derived from the sender's event id, so two deliveries of one event (or two server
//!   processes) store one lead and one row: the second's commit finds the documents there.
//! - **Workload**: an agent's open leads are the organisation's contacts whose `assigned_agent`
//!   is them and whose stage is not Closed or Lost, and their conversion rate is closed ÷
//!   (closed + lost) of the same contacts; both counted from the server's contact index, which
//!   every stored change to a contact keeps (device pushes too), so hand assignments made on
//!   devices count.
//! - **Expiry of offers**: there is no job runner in the server yet (DESIGN decision 14), so an
//!   offer whose time is over falls back lazily: on the organisation's next intake, when leads
//!   are listed and when one is claimed ([`expire_offers`]). The fallback replaces the row only
//!   while nobody has claimed it (a conditional update), so a claim racing it wins or loses whole.
//! - **What devices see**: the decision and its reason are written as a note on the contact
//!   (in the contact's scopes, by the server), so the agent's and the broker's devices show why
//!   without a new document kind or protocol change; the server's row is what brokers list.

pub mod handover;

use crate::store::routing::{LeadRoutingRow, Replace};
use crate::store::{Store, StoreError, UserRow};
use crate::sync::server_write::ServerWriteError;
use crate::AppState;
use chrono::{DateTime, Utc};
use fieldstone_model::routing::{
    route, AgentProfile, Candidate, Cursors, Decision, LeadFacts, Routed, RoutingRules,
};
use fieldstone_model::{Contact, ContactId, InteractionId, OrgId, UserId, Valid};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::Scope;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error("stored routing settings are not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
}

/// The organisation's rules; `None` when it has none (routing is off).
pub fn rules(store: &dyn Store, org: OrgId) -> Result<Option<Valid<RoutingRules>>, RoutingError> {
    Ok(stored(store, org)?.filter(|rules| !rules.rules.is_empty()))
}

/// What was stored with the rules, even with no rule at all (the response-time target may be
/// set without routing); `None` when nothing was ever set.
pub fn stored(store: &dyn Store, org: OrgId) -> Result<Option<Valid<RoutingRules>>, RoutingError> {
    let Some(body) = store.routing_rules(org)? else {
        return Ok(None);
    };
    let rules: RoutingRules = serde_json::from_str(&body)
        .map_err(|e| RoutingError::Corrupt(format!("routing rules: {e}")))?;
    // Checked again: a stored list is input too (an older build may have written it).
    let rules = rules
        .validate()
        .map_err(|e| RoutingError::Corrupt(format!("routing rules: {e}")))?;
    Ok(Some(rules))
}

/// `user`'s profile, if one was set.
pub fn profile(
    store: &dyn Store,
    org: OrgId,
    user: UserId,
) -> Result<Option<AgentProfile>, RoutingError> {
    store
        .routing_profile(org, user)?
        .map(|body| parse_profile(&body))
        .transpose()
}

fn parse_profile(body: &str) -> Result<AgentProfile, RoutingError> {
    serde_json::from_str(body).map_err(|e| RoutingError::Corrupt(format!("agent profile: {e}")))
}

/// Open, closed and lost contacts per assigned agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Workload {
    pub open: u32,
    pub closed: u32,
    pub lost: u32,
}

impl Workload {
    pub fn conversion_rate(&self) -> f64 {
        let done = self.closed + self.lost;
        if done == 0 {
            0.0
        } else {
            f64::from(self.closed) / f64::from(done)
        }
    }
}

/// Every agent's workload, from the contact index (see the module docs).
pub fn workloads(store: &dyn Store, org: OrgId) -> Result<HashMap<UserId, Workload>, StoreError> {
    Ok(store
        .agent_counts(org)?
        .into_iter()
        .map(|(agent, n)| {
            let load = Workload {
                open: n.open,
                closed: n.closed,
                lost: n.lost,
            };
            (agent, load)
        })
        .collect())
}

/// Who may be routed leads: members with a profile who work leads (not viewers).
pub fn candidates(store: &dyn Store, org: OrgId) -> Result<Vec<Candidate>, RoutingError> {
    let users = store.users(org)?;
    let memberships = store.memberships(org)?;
    let loads = workloads(store, org)?;
    let mut out = Vec::new();
    for (user, body) in store.routing_profiles(org)? {
        let works_leads = users.iter().any(|u| u.id == user && u.role != Role::Viewer);
        if !works_leads {
            continue;
        }
        let load = loads.get(&user).copied().unwrap_or_default();
        out.push(Candidate {
            user,
            profile: parse_profile(&body)?,
            open_leads: load.open,
            conversion_rate: load.conversion_rate(),
            teams: memberships
                .iter()
                .filter(|(_, u)| *u == user)
                .map(|(t, _)| *t)
                .collect::<BTreeSet<_>>(),
        });
    }
    Ok(out)
}

/// What routing knows of a contact: its areas, property types and the top of its budget.
pub fn facts(contact: &Contact) -> LeadFacts {
    LeadFacts {
        source: contact.source,
        areas: contact.preferences.areas.clone(),
        property_types: contact.preferences.property_types.clone(),
        price: contact.preferences.budget_max,
        language: None,
    }
}

/// How often a round-robin decision is made again when other leads keep moving the cursor
/// first; past it the last decision stands (one agent may get two in a row, no lead is lost).
const CURSOR_TRIES: usize = 20;

/// Runs the organisation's rules from rule `start`; `None` when routing is off. A round-robin
/// cursor moves here, from where the decision read it or not at all: when another lead (another
/// thread, another server process) moved it first, the lead is decided again from the new
/// place, so concurrent leads still go round the agents in turn.
pub fn decide(
    store: &dyn Store,
    org: OrgId,
    lead: &LeadFacts,
    start: usize,
) -> Result<Option<Routed>, RoutingError> {
    let Some(rules) = rules(store, org)? else {
        return Ok(None);
    };
    let agents = candidates(store, org)?;
    // A weighted draw: any well-spread number will do; the model maps it onto the weights.
    let draw = (uuid::Uuid::new_v4().as_u128() >> 64) as u64;
    let mut tries = 0;
    loop {
        tries += 1;
        let cursors: Cursors = store.routing_cursors(org)?.into_iter().collect();
        let routed = route(&rules, lead, &agents, &cursors, draw, start);
        let Some((rule, agent)) = &routed.cursor else {
            return Ok(Some(routed));
        };
        let from = cursors.get(rule).copied();
        if store.swap_routing_cursor(org, rule, from, *agent)? || tries >= CURSOR_TRIES {
            return Ok(Some(routed));
        }
    }
}

/// The row that records `routed` for `contact`.
pub fn row(
    contact: ContactId,
    routed: &Routed,
    reason: String,
    now: DateTime<Utc>,
) -> LeadRoutingRow {
    let (agent, offered, claim_until) = match &routed.decision {
        Decision::Agent { agent } => (Some(*agent), Vec::new(), None),
        Decision::Offer { agents, minutes } => (
            None,
            agents.clone(),
            Some(now + chrono::Duration::minutes(i64::from(*minutes))),
        ),
        Decision::Pond => (None, Vec::new(), None),
    };
    LeadRoutingRow {
        contact: contact.to_string(),
        decision: routed.decision.kind().to_owned(),
        agent,
        offered,
        rule: routed.rule.and_then(|r| i64::try_from(r).ok()),
        reason,
        decided_at: now,
        claim_until,
        claimed_by: None,
        claimed_at: None,
        interaction: None,
    }
}

/// The reason with user ids replaced by names, for people.
pub fn readable(reason: &str, users: &[UserRow]) -> String {
    users.iter().fold(reason.to_owned(), |text, u| {
        text.replace(&u.id.to_string(), &u.display_name)
    })
}

/// Where a routed contact's documents live: the agent's own scope (their devices, and the
/// brokers and admins who read it), or, for an offer or the pond, the organisation's scope,
/// which every member reads, so any agent offered it can see what they would claim.
pub fn scopes_for(org: OrgId, decision: &LeadRoutingRow) -> Vec<Scope> {
    match (decision.decision.as_str(), decision.agent) {
        ("agent", Some(agent)) => vec![Scope::User(agent)],
        _ => vec![Scope::Org(org)],
    }
}

/// A new lead's routing: the row stored already, or a decision made now and not stored yet.
#[derive(Debug, Clone)]
pub enum NewRouting {
    /// `contact` was routed already (a racing or repeated delivery of the same event).
    Stored(LeadRoutingRow),
    /// Decided now: the caller stores it, with the lead's documents when it can
    /// (`Store::commit_lead`: one durable commit for the whole lead).
    Decided(LeadRoutingRow),
}

impl NewRouting {
    pub fn row(&self) -> &LeadRoutingRow {
        match self {
            NewRouting::Stored(row) | NewRouting::Decided(row) => row,
        }
    }
}

/// [`decide_new`] without storing a new decision. `None`: routing off.
pub fn decide_new_lead(
    state: &AppState,
    org: OrgId,
    contact: &Contact,
    facts: &LeadFacts,
    interaction: Option<InteractionId>,
) -> Result<Option<NewRouting>, RoutingError> {
    let store = state.store.as_ref();
    if let Err(error) = expire_offers(state, org) {
        // A stale offer waits for the next chance; this lead's routing does not.
        tracing::warn!(%error, "expired offers were not routed again");
    }
    if let Some(row) = store.lead_routing(org, &contact.id.to_string())? {
        return Ok(Some(NewRouting::Stored(row)));
    }
    let Some(routed) = decide(store, org, facts, 0)? else {
        return Ok(None);
    };
    let now = state.clock.now();
    let reason = readable(&routed.reason, &store.users(org)?);
    let mut row = row(contact.id, &routed, reason, now);
    row.interaction = interaction.map(|i| i.to_string());
    Ok(Some(NewRouting::Decided(row)))
}

/// A new lead's routing, decided once: the stored row if `contact` was routed already, else a
/// new decision recorded now (if another request recorded one meanwhile, that one). `None`:
/// routing off.
pub fn decide_new(
    state: &AppState,
    org: OrgId,
    contact: &Contact,
    facts: &LeadFacts,
    interaction: Option<InteractionId>,
) -> Result<Option<LeadRoutingRow>, RoutingError> {
    let store = state.store.as_ref();
    match decide_new_lead(state, org, contact, facts, interaction)? {
        None => Ok(None),
        Some(NewRouting::Stored(row)) => Ok(Some(row)),
        Some(NewRouting::Decided(row)) => {
            if store.record_lead_routing(org, &row)? {
                return Ok(Some(row));
            }
            Ok(store
                .lead_routing(org, &contact.id.to_string())?
                .or(Some(row)))
        }
    }
}

/// Offers nobody claimed in time go to the rules after the offering one (else the pond).
/// Answers how many moved.
pub fn expire_offers(state: &AppState, org: OrgId) -> Result<usize, RoutingError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let mut moved = 0;
    for offer in store.expired_offers(org, now)? {
        let Ok(contact_id) = offer.contact.parse::<ContactId>() else {
            continue;
        };
        let Some(contact) = handover::contact(store, org, contact_id)? else {
            continue;
        };
        let start = offer
            .rule
            .and_then(|r| usize::try_from(r).ok())
            .map_or(0, |r| r + 1);
        let routed = match decide(store, org, &facts(&contact.contact), start)? {
            Some(routed) => routed,
            // The rules were removed meanwhile: the pond.
            None => Routed {
                decision: Decision::Pond,
                rule: None,
                reason: "routing was turned off: in the pond".to_owned(),
                cursor: None,
            },
        };
        let reason = readable(
            &format!("nobody claimed the offer in time; {}", routed.reason),
            &store.users(org)?,
        );
        let mut next = row(contact_id, &routed, reason, now);
        next.interaction.clone_from(&offer.interaction);
        if !store.replace_lead_routing(org, &next, Replace::ExpiredOffer, now)? {
            continue; // claimed meanwhile: the claim stands
        }
        moved += 1;
        if let Some(agent) = next.agent {
            handover::hand_over(state, org, &contact, agent, &next)?;
        } else {
            let id = fieldstone_model::NoteId::from_uuid(uuid::Uuid::new_v4());
            handover::note(state, org, &contact, &next.reason, id)?;
        }
    }
    Ok(moved)
}
