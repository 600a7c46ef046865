//! Leads that arrive by themselves: the JSON intake API (per-organisation API keys) and the
//! Instagram and WhatsApp webhooks. Every channel turns what it received into a [`Lead`] and
//! calls [`deliver`], the one place a lead becomes (or enriches) a contact, so routing can
//! later hook in there alone.
//!
//! Delivery is idempotent by the sender's event id (a table keyed by organisation, channel and
//! event id; the documents' ids are derived from the same key, so two deliveries racing each
//! other create one contact) and dedupes on arrival: a lead whose email, phone or channel
//! identity matches a contact of the organisation becomes an interaction on that contact.
//! A new lead is routed here, before its contact is created (see `crate::routing`).

pub mod dedupe;
pub mod device;
pub mod keys;
pub mod lead;
pub mod meta;

use crate::store::intake::IntakeEventRow;
use crate::store::StoreError;
use crate::sync::server_write::{
    create_all_as_server, record_contacted, server_actor_id, NewDoc, ServerWriteError,
};
use crate::AppState;
use chrono::{DateTime, Utc};
use fieldstone_model::validation::{Valid, ValidationErrors};
use fieldstone_model::{
    Channel, Contact, ContactId, ContactInput, Direction, Interaction, InteractionId,
    InteractionInput, OrgId, UserId,
};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// `[intake]` in the configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeConfig {
    /// Largest lead event accepted on `POST /v2/intake/leads` (a lead is a few KiB at most).
    pub max_body_bytes: usize,
    /// Largest Meta webhook body (Meta batches several messages in one).
    pub max_hook_bytes: usize,
    /// Leads a minute one API key may send.
    pub leads_per_key_per_minute: u32,
    /// Leads a minute from one client address, whatever the key (a leaked key used from many
    /// places is held by the key's rate; a flood of guessed keys by this one).
    pub leads_per_ip_per_minute: u32,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            max_hook_bytes: 1024 * 1024,
            leads_per_key_per_minute: 600,
            leads_per_ip_per_minute: 600,
        }
    }
}

impl IntakeConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(1024..=8 * 1024 * 1024).contains(&self.max_body_bytes) {
            problems.push("intake.max_body_bytes must be between 1 KiB and 8 MiB".to_owned());
        }
        if !(1024..=32 * 1024 * 1024).contains(&self.max_hook_bytes) {
            problems.push("intake.max_hook_bytes must be between 1 KiB and 32 MiB".to_owned());
        }
        if self.leads_per_key_per_minute == 0 || self.leads_per_ip_per_minute == 0 {
            problems.push("intake.leads_per_key_per_minute and intake.leads_per_ip_per_minute must be at least 1".to_owned());
        }
        problems
    }
}

/// Leads a minute per API key and per client address (governor's keyed GCRA, as the public
/// routes use): over the rate is a 429 with the wait, before the lead is read.
pub struct RateLimits {
    per_key: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(config: &IntakeConfig) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_key: RateLimiter::keyed(quota(config.leads_per_key_per_minute)),
            per_ip: RateLimiter::keyed(quota(config.leads_per_ip_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(wait)` when `ip` is over its rate.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = self.clock.now();
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(now))
    }

    /// `Err(wait)` when the key `id` is over its rate.
    pub fn check_key(&self, id: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        self.per_key
            .check_key(&id.to_owned())
            .map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Forgets keys and addresses not seen lately.
    pub fn shrink(&self) {
        self.per_key.retain_recent();
        self.per_ip.retain_recent();
    }
}

/// Where a lead came in: the ledger's `channel`, and how it reads on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeChannel {
    /// `POST /v2/intake/leads`.
    Api,
    WhatsApp,
    Instagram,
    /// The hosted web form (`/forms/{org}`) and its snippet on an office's website.
    WebForm,
}

impl IntakeChannel {
    pub const fn key(self) -> &'static str {
        match self {
            IntakeChannel::Api => "api",
            IntakeChannel::WhatsApp => "whatsapp",
            IntakeChannel::Instagram => "instagram",
            IntakeChannel::WebForm => "web_form",
        }
    }

    /// The interaction's channel. The model has none for a lead event from a website or a
    /// portal; such events are written messages that portals deliver by email, so email is the
    /// nearest (the summary names the source).
    const fn interaction(self) -> Channel {
        match self {
            IntakeChannel::Api | IntakeChannel::WebForm => Channel::Email,
            IntakeChannel::WhatsApp => Channel::WhatsApp,
            IntakeChannel::Instagram => Channel::Instagram,
        }
    }

    /// A conversation (a message on a messaging app), rather than a lead event.
    const fn is_conversation(self) -> bool {
        !matches!(self, IntakeChannel::Api | IntakeChannel::WebForm)
    }
}

/// A lead as every channel hands it over: a checked person, and what goes on the timeline.
#[derive(Debug, Clone)]
pub struct Lead {
    pub channel: IntakeChannel,
    /// The sender's id for this event, when the channel has one (idempotency).
    pub event_id: Option<String>,
    /// Who sent it on the channel (a WhatsApp number, an Instagram sender id): their later
    /// messages reach the same contact.
    pub sender: Option<String>,
    pub person: Valid<ContactInput>,
    /// The interaction's summary: the message, the property referenced, the source.
    pub summary: String,
    pub occurred_at: DateTime<Utc>,
    /// The price of the property asked about, in whole units, when the sender said (routing's
    /// price bands).
    pub price: Option<u64>,
    /// The language the lead asked for, when the sender said (routing may match on it).
    pub language: Option<String>,
}

/// What became of a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrival {
    pub contact: ContactId,
    /// Whether the lead created the contact (`false`: it enriched an existing one).
    pub created: bool,
    pub interaction: InteractionId,
    /// The event was delivered before: this is the first delivery's answer, nothing new stored.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The lead's fields, by their path in what the sender sent.
    #[error("the lead is not valid: {0}")]
    Invalid(ValidationErrors),
    #[error("the organisation has no owner or admin to hold incoming leads")]
    NoOwner,
    #[error("stored intake data is not readable: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
}

/// Delivers `lead` to `org`: creates its contact, or finds the contact it belongs to, and adds
/// the interaction; once per event id. Blocking: call from a blocking thread.
pub fn deliver(state: &AppState, org: OrgId, lead: Lead) -> Result<Arrival, IntakeError> {
    let channel = lead.channel.key();
    if let Some(event) = &lead.event_id {
        if let Some(row) = state.store.intake_event(org, channel, event)? {
            return replay(&row);
        }
    }
    let now = state.clock.now();
    let ids = Ids::for_event(org, channel, lead.event_id.as_deref());
    let mut routed = None;
    let mut new_docs = Vec::with_capacity(8);
    let (contact, scopes, created) = match dedupe::find(state.store.as_ref(), org, &lead)? {
        // The event's own contact, made by a delivery of this same event that raced this one
        // (or stopped half-way): still this event's creation.
        Some(found) => {
            let own = found.contact.id == ids.contact;
            (found.contact, found.scopes, own)
        }
        None => {
            let owner = intake_owner(state, org)?;
            let mut contact = Contact::create(ids.contact, lead.person.clone(), owner, now);
            // Routing decides before the contact exists, so it is created where the decision
            // puts it (the routed agent's scope, with `assigned_agent` set) and no other
            // agent's device ever holds it. A routing failure leaves the lead unrouted: the
            // lead matters more.
            let mut facts = crate::routing::facts(&contact);
            facts.price = lead.price.or(facts.price);
            facts.language.clone_from(&lead.language);
            routed = match crate::routing::decide_new_lead(
                state,
                org,
                &contact,
                &facts,
                Some(ids.interaction),
            ) {
                Ok(routed) => routed,
                Err(error) => {
                    tracing::warn!(%error, %org, "the lead was not routed");
                    None
                }
            };
            // Unrouted: the organisation's scope, which every member of the organisation reads
            // and its admins may write, so brokers and admins see the lead at once.
            let scopes = match &routed {
                Some(routing) => {
                    contact.assigned_agent = routing.row().agent;
                    crate::routing::scopes_for(org, routing.row())
                }
                None => vec![Scope::Org(org)],
            };
            let (doc, _) = fieldstone_doc::contact::create(server_actor_id(), &contact)
                .map_err(|e| IntakeError::Corrupt(e.to_string()))?;
            // Already there only when a delivery of this same event wrote it (the id is the
            // event's): created by this event either way.
            new_docs.push(NewDoc {
                doc_id: doc_id_of(&contact)?,
                scopes: scopes.clone(),
                writer: owner,
                doc,
                // From the record in hand: reading it back from the document cost more.
                index: Some(crate::store::contact_index::ContactIndexEntry::of(&contact)),
            });
            // A lead routed to an agent gets the follow-up plan, in the same commit; one
            // offered or in the pond gets it when someone claims it (`routing::handover`).
            if let Some(agent) = contact.assigned_agent {
                match crate::follow_up::plan_docs(state, org, &contact, agent, &scopes) {
                    Ok(plan) => new_docs.extend(plan),
                    Err(error) => {
                        tracing::warn!(%error, "the lead is stored; its follow-up plan was not made")
                    }
                }
            }
            (contact, scopes, true)
        }
    };
    let interaction = ids.interaction;
    new_docs.push(interaction_doc(
        state,
        &lead,
        &contact,
        scopes.clone(),
        interaction,
    )?);
    if let Some(routing) = &routed {
        let found = dedupe::Found {
            contact: contact.clone(),
            scopes,
        };
        match crate::routing::handover::decision_note(state, org, &found, routing.row()) {
            Ok(note) => new_docs.push(note),
            Err(error) => {
                tracing::warn!(%error, "the lead is routed; its routing note was not written")
            }
        }
    }
    let arrival = Arrival {
        contact: contact.id,
        created,
        interaction,
        replayed: false,
    };
    let event = lead.event_id.map(|event| IntakeEventRow {
        channel: channel.to_owned(),
        event_id: event,
        sender: lead.sender.clone(),
        contact: contact.id.to_string(),
        created,
        interaction: interaction.to_string(),
        at: now,
    });
    // The contact, its interaction, the routing note, the event's record and the routing row
    // in one durable commit (a commit is most of a lead's cost); each document is skipped if
    // a racing delivery of the event stored it.
    // A decision made now is stored with them (one stored already is not stored again).
    let decided = match &routed {
        Some(crate::routing::NewRouting::Decided(row)) => Some(row),
        _ => None,
    };
    let recorded = create_all_as_server(state, org, new_docs, event.as_ref(), decided)?;
    if !created && lead.channel.is_conversation() {
        // A message from someone already known continues a conversation, as a reply by text
        // does: their "last contacted" moves.
        if let Err(error) =
            record_contacted(state, org, contact.id, lead.occurred_at, contact.owner)
        {
            tracing::warn!(%error, "the message is on the timeline; the contact's last contact was not moved");
        }
        // And it is an answer: a campaign that stops on a reply stops for them.
        if let Err(error) = state
            .store
            .record_reply(org, &contact.id.to_string(), lead.occurred_at)
        {
            tracing::warn!(%error, "the reply was not recorded for campaigns");
        }
    }
    if let (Some(false), Some(event)) = (recorded, &event) {
        // Another delivery of the same event got there first: answer what it stored.
        if let Some(first) = state.store.intake_event(org, channel, &event.event_id)? {
            return replay(&first);
        }
    }
    Ok(arrival)
}

/// The ids a delivery writes: derived from the event when it has one, so a concurrent second
/// delivery writes the same documents (and `create_as_server` keeps the first).
struct Ids {
    contact: ContactId,
    interaction: InteractionId,
}

impl Ids {
    fn for_event(org: OrgId, channel: &str, event: Option<&str>) -> Self {
        let derive = |what: &str| match event {
            Some(event) => uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_OID,
                format!("intake:{org}:{channel}:{event}:{what}").as_bytes(),
            ),
            None => uuid::Uuid::new_v4(),
        };
        Ids {
            contact: ContactId::from_uuid(derive("contact")),
            interaction: InteractionId::from_uuid(derive("interaction")),
        }
    }
}

fn replay(row: &IntakeEventRow) -> Result<Arrival, IntakeError> {
    let corrupt = |what: &str| IntakeError::Corrupt(format!("intake event {what}"));
    Ok(Arrival {
        contact: row.contact.parse().map_err(|_| corrupt("contact id"))?,
        created: row.created,
        interaction: row
            .interaction
            .parse()
            .map_err(|_| corrupt("interaction id"))?,
        replayed: true,
    })
}

fn doc_id_of(contact: &Contact) -> Result<DocId, IntakeError> {
    DocId::new(fieldstone_doc::contact::KIND, contact.id)
        .map_err(|e| IntakeError::Corrupt(e.to_string()))
}

/// Who owns a lead nobody has been given yet: the organisation's first owner (else its first
/// admin). A document names one user as its owner and counts against their usage; the owner
/// of the organisation is the one person accountable for leads until routing (which changes
/// `assigned_agent`, and may move the contact) picks an agent. `assigned_agent` stays empty.
fn intake_owner(state: &AppState, org: OrgId) -> Result<UserId, IntakeError> {
    let users = state.store.users(org)?;
    let first = |role: Role| {
        users
            .iter()
            .filter(|u| u.role == role)
            .min_by_key(|u| (u.created_at, u.id))
            .map(|u| u.id)
    };
    first(Role::Owner)
        .or_else(|| first(Role::Admin))
        .ok_or(IntakeError::NoOwner)
}

/// The lead's interaction on `contact`, in the contact's scopes, as the server (not stored
/// yet).
fn interaction_doc(
    state: &AppState,
    lead: &Lead,
    contact: &Contact,
    scopes: Vec<Scope>,
    id: InteractionId,
) -> Result<NewDoc, IntakeError> {
    let input = InteractionInput {
        contact: contact.id,
        listing: None,
        channel: lead.channel.interaction(),
        direction: Direction::Inbound,
        // A sender's long referral or message is cut, not refused: the lead matters more.
        summary: lead
            .summary
            .chars()
            .take(fieldstone_model::interaction::SUMMARY_MAX_CHARS)
            .collect(),
        outcome: None,
        duration_seconds: None,
        occurred_at: lead.occurred_at,
    };
    let valid = input.validate().map_err(IntakeError::Invalid)?;
    let interaction = Interaction::create(id, valid, contact.owner, state.clock.now());
    let (doc, _) = fieldstone_doc::interaction::create(server_actor_id(), &interaction)
        .map_err(|e| IntakeError::Corrupt(e.to_string()))?;
    Ok(NewDoc {
        doc_id: DocId::new(fieldstone_doc::interaction::KIND, id)
            .map_err(|e| IntakeError::Corrupt(e.to_string()))?,
        scopes,
        writer: contact.owner,
        doc,
        index: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_intake_section_is_read_and_checked_whole() {
        let config: crate::Config =
            toml::from_str("[intake]\nmax_body_bytes = 10\nleads_per_key_per_minute = 0\n")
                .expect("parses");
        let problems = config.validate().expect_err("refused");
        assert!(problems.contains("intake.max_body_bytes"), "{problems}");
        assert!(
            problems.contains("intake.leads_per_key_per_minute"),
            "{problems}"
        );
        let config: crate::Config =
            toml::from_str("[intake]\nleads_per_ip_per_minute = 30\n").expect("parses");
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.intake.leads_per_ip_per_minute, 30);
        assert_eq!(config.intake.max_body_bytes, 64 * 1024, "the rest defaults");
        assert!(toml::from_str::<crate::Config>("[intake]\nmax_bytes = 1\n").is_err());
    }

    #[test]
    fn a_key_over_its_rate_waits_and_other_keys_and_addresses_do_not() {
        let limits = RateLimits::new(&IntakeConfig {
            leads_per_key_per_minute: 2,
            leads_per_ip_per_minute: 1,
            ..IntakeConfig::default()
        });
        assert!(limits.check_key("a").is_ok() && limits.check_key("a").is_ok());
        let wait = limits.check_key("a").expect_err("held");
        assert!(wait > Duration::ZERO);
        assert!(limits.check_key("b").is_ok());
        let ip = IpAddr::from([192, 0, 2, 1]);
        assert!(limits.check_ip(ip).is_ok());
        assert!(limits.check_ip(ip).is_err());
        assert!(limits.check_ip(IpAddr::from([192, 0, 2, 2])).is_ok());
    }
}
