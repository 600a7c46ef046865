//! Open-house leads written on a device (issue 15's kiosk): a visitor signs in on an agent's
//! laptop or phone, often with no network; the device dedupes against the contacts it holds and
//! writes a new lead in the agent's own scope. When that push reaches the server, the lead gets
//! what a lead from any other channel gets, here, once:
//!
//! - **Dedupe against the whole organisation**: the device only knew its own contacts. When the
//!   visitor's email or phone is an earlier contact's anywhere in the organisation (another
//!   agent's client, a web-form lead that arrived while the device was offline, the same
//!   visitor signed in at a second kiosk), the visit is copied onto that contact as an
//!   interaction in its scopes and the device's new contact is deleted (with its visits),
//!   so nobody is created twice. The device's agent does not gain the earlier contact: typing
//!   someone's email at a kiosk must not open another agent's client file. Only a match made
//!   *earlier* wins, so two kiosks racing with the same visitor keep the first one.
//! - **Routing**: an unmatched visitor is routed by the organisation's rules as an intake lead
//!   is (`crate::routing`, source "Open house"); the agent it goes to receives it live with the
//!   reason, an offer or the pond opens it to the organisation, and with routing off it stays
//!   the device's agent's lead.
//!
//! What marks a kiosk lead: a contact created in this push, from an open house, assigned to
//! nobody, with a sign-in visit (`VISIT_OUTCOME`) created in the same push. A contact an agent
//! types in by hand is theirs and never routed away. The work runs after the push is stored,
//! from a queue (`DeviceLeadRow`) written before it: a server that stops in between, or a
//! failure, leaves the lead queued, and a sweep (at start, then every minute for leads older
//! than [`SWEEP_AFTER`]) handles it; until then it stays with the device's agent.

use super::dedupe::{self, Found};
use crate::routing::{self, handover, RoutingError};
use crate::store::contact_index::{self, key_text};
use crate::store::routing::DeviceLeadRow;
use crate::sync::server_write::ServerWriteError;
use crate::sync::server_write::{create_as_server, server_actor_id, write_as_server};
use crate::{AppState, Audit};
use fieldstone_model::contact::MatchKey;
use fieldstone_model::sign_in::VISIT_OUTCOME;
use fieldstone_model::{
    ContactId, Interaction, InteractionId, InteractionInput, LeadSource, OrgId, UserId,
};
use fieldstone_protocol::{DocId, Scope};
use std::collections::{BTreeMap, BTreeSet};

/// What one push created that may be kiosk leads: new contacts, and new sign-in visits.
#[derive(Debug, Default)]
pub struct Created {
    pub contacts: BTreeSet<ContactId>,
    /// (visit, the contact it is on).
    pub visits: Vec<(InteractionId, ContactId)>,
}

impl Created {
    /// Notes a document the push created; `doc` is its content as stored.
    pub fn note(&mut self, doc_id: &DocId, doc: &automerge::AutoCommit) {
        match doc_id.kind() {
            fieldstone_doc::contact::KIND => {
                if let Ok(id) = doc_id.record_id().parse() {
                    self.contacts.insert(id);
                }
            }
            fieldstone_doc::interaction::KIND => {
                let Ok(visit) = fieldstone_doc::interaction::read(doc) else {
                    return;
                };
                if visit.outcome.as_deref() == Some(VISIT_OUTCOME) && visit.listing.is_some() {
                    self.visits.push((visit.id, visit.contact));
                }
            }
            _ => {}
        }
    }

    /// Each new contact that has new visits, with them.
    fn leads(self) -> BTreeMap<ContactId, Vec<InteractionId>> {
        self.leads_with(&BTreeSet::new())
    }

    /// [`Created::leads`], counting `earlier` (contacts an earlier part of the same push
    /// created) as new too.
    pub fn leads_with(
        &self,
        earlier: &BTreeSet<ContactId>,
    ) -> BTreeMap<ContactId, Vec<InteractionId>> {
        let mut out: BTreeMap<ContactId, Vec<InteractionId>> = BTreeMap::new();
        for (visit, contact) in &self.visits {
            if self.contacts.contains(contact) || earlier.contains(contact) {
                out.entry(*contact).or_default().push(*visit);
            }
        }
        out
    }

    /// The rows that queue [`Created::leads_with`] for `user` (see `DeviceLeadRow`).
    pub fn queue_rows(
        &self,
        earlier: &BTreeSet<ContactId>,
        user: UserId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<DeviceLeadRow> {
        self.leads_with(earlier)
            .into_iter()
            .map(|(contact, visits)| DeviceLeadRow {
                contact: contact.to_string(),
                user,
                visits: visits.iter().map(ToString::to_string).collect(),
                queued_at: now,
            })
            .collect()
    }
}

/// What became of one kiosk lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Added to this earlier contact; the device's copy deleted.
    Merged(ContactId),
    /// Routed by the organisation's rules.
    Routed,
    /// Not a kiosk lead after all (assigned, deleted, another source), or routing is off.
    Kept,
}

/// Dedupes and routes the kiosk leads `created` by `user`'s push (queued before it was
/// stored), and takes each off the queue once handled. Blocking.
pub fn arrived(state: &AppState, org: OrgId, user: UserId, created: Created) {
    for (contact, visits) in created.leads() {
        handle(state, org, user, contact, &visits);
    }
}

/// One queued lead: handled, then off the queue; a failure leaves it for the next sweep.
fn handle(
    state: &AppState,
    org: OrgId,
    user: UserId,
    contact: ContactId,
    visits: &[InteractionId],
) {
    match one(state, org, user, contact, visits) {
        Ok(outcome) => {
            tracing::debug!(%contact, ?outcome, "open-house lead");
            if let Err(error) = state.store.forget_device_lead(org, &contact.to_string()) {
                tracing::warn!(%error, %contact, "a handled open-house lead stays queued");
            }
        }
        Err(error) => {
            tracing::warn!(%error, %contact, "the open-house lead waits for the next sweep")
        }
    }
}

/// How long a queued lead is left to the push that queued it before a sweep takes it.
pub const SWEEP_AFTER: chrono::Duration = chrono::Duration::minutes(2);

/// Handles queued leads a push did not finish with (the server stopped between storing the
/// visitors and routing them, or routing failed): at start every queued lead (`before`
/// `None`), then every minute those queued before `before`. Blocking. Answers how many were
/// handled.
pub fn sweep(state: &AppState, before: Option<chrono::DateTime<chrono::Utc>>) -> usize {
    let rows = match state.store.device_leads(before, 500) {
        Ok(rows) => rows,
        Err(error) => {
            tracing::warn!(%error, "queued open-house leads were not read");
            return 0;
        }
    };
    let mut handled = 0;
    for (org, row) in rows {
        let Ok(contact) = row.contact.parse::<ContactId>() else {
            // Not a contact id: nothing could ever be done with it.
            let _ = state.store.forget_device_lead(org, &row.contact);
            continue;
        };
        let visits: Vec<InteractionId> = row.visits.iter().filter_map(|v| v.parse().ok()).collect();
        handle(state, org, row.user, contact, &visits);
        handled += 1;
    }
    handled
}

fn contact_doc(id: ContactId) -> Result<DocId, RoutingError> {
    DocId::new(fieldstone_doc::contact::KIND, id).map_err(|e| RoutingError::Corrupt(e.to_string()))
}

fn visit_doc(id: InteractionId) -> Result<DocId, RoutingError> {
    DocId::new(fieldstone_doc::interaction::KIND, id)
        .map_err(|e| RoutingError::Corrupt(e.to_string()))
}

fn one(
    state: &AppState,
    org: OrgId,
    user: UserId,
    contact: ContactId,
    visits: &[InteractionId],
) -> Result<Outcome, RoutingError> {
    let store = state.store.as_ref();
    let Some(found) = handover::contact(store, org, contact)? else {
        return Ok(Outcome::Kept);
    };
    let c = &found.contact;
    if c.source != LeadSource::OpenHouse || c.assigned_agent.is_some() || c.owner != user {
        return Ok(Outcome::Kept);
    }
    if store.lead_routing(org, &contact.to_string())?.is_some() {
        return Ok(Outcome::Kept);
    }
    if let Some(earlier) = earlier_match(state, org, &found)? {
        merge(state, org, &found, &earlier, visits)?;
        return Ok(Outcome::Merged(earlier.contact.id));
    }
    let facts = routing::facts(c);
    let Some(row) = routing::decide_new(state, org, c, &facts, visits.first().copied())? else {
        // Routing is off: the visitor stays with the agent at the door, who follows them up
        // (the device leaves a signed-in kiosk's plan to the server, which knows where the
        // visitor ends up).
        if let Err(error) = crate::follow_up::start(state, org, c, user, &[Scope::User(user)]) {
            tracing::warn!(%error, "the visitor is kept; their follow-up plan was not made");
        }
        return Ok(Outcome::Kept);
    };
    let visit_docs = visits
        .iter()
        .map(|v| visit_doc(*v))
        .collect::<Result<Vec<_>, _>>()?;
    match row.agent {
        Some(agent) => {
            // The visits were written by the agent at the door, who owns the visitor too.
            let with: Vec<(DocId, UserId)> = visit_docs.iter().map(|d| (d.clone(), user)).collect();
            handover::hand_over_with(state, org, &found, agent, &row, &with)?
        }
        None => {
            // Offered to several agents, or in the pond: every member must be able to see it.
            handover::open_to_org(state, org, &contact_doc(contact)?)?;
            for doc in &visit_docs {
                handover::open_to_org(state, org, doc)?;
            }
            if let Some(opened) = handover::contact(store, org, contact)? {
                let note = handover::decision_note(state, org, &opened, &row)?;
                create_as_server(state, org, &note.doc_id, note.scopes, note.writer, note.doc)?;
            }
        }
    }
    Ok(Outcome::Routed)
}

/// The earliest live contact of the organisation, made before `lead`, sharing an email or a
/// phone number with it (names never match: two "John Smith"s are two people).
fn earlier_match(
    state: &AppState,
    org: OrgId,
    lead: &Found,
) -> Result<Option<Found>, RoutingError> {
    let wanted: BTreeSet<MatchKey> = lead
        .contact
        .match_keys()
        .into_iter()
        .filter(|k| !matches!(k, MatchKey::Name(_)))
        .collect();
    if wanted.is_empty() {
        return Ok(None);
    }
    let keys: Vec<String> = wanted.iter().map(key_text).collect();
    let store = state.store.as_ref();
    let order = |c: &fieldstone_model::Contact| (c.created_at, c.id);
    let mut best: Option<Found> = None;
    for id in store.contacts_matching(org, &keys, None, contact_index::MATCH_LIMIT)? {
        let Ok(id) = id.parse::<ContactId>() else {
            continue;
        };
        if id == lead.contact.id {
            continue;
        }
        // The index names candidates; the document decides.
        let Some(found) = dedupe::load(store, org, &contact_doc(id)?)? else {
            continue;
        };
        if !dedupe::matches(&found.contact, &wanted, None)
            || order(&found.contact) >= order(&lead.contact)
        {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| order(&found.contact) < order(&b.contact))
        {
            best = Some(found);
        }
    }
    Ok(best)
}

/// Copies each visit onto `into` (in its scopes, ids derived from the visit's so a second run
/// writes nothing new), then deletes the device's contact and its visits.
fn merge(
    state: &AppState,
    org: OrgId,
    lead: &Found,
    into: &Found,
    visits: &[InteractionId],
) -> Result<(), RoutingError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    for visit in visits {
        let doc = visit_doc(*visit)?;
        let Some(stored) = store.load_doc(org, &doc)? else {
            continue;
        };
        let Some(original) = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|d| fieldstone_doc::interaction::read(&d).ok())
        else {
            continue;
        };
        let input = InteractionInput {
            contact: into.contact.id,
            listing: original.listing,
            channel: original.channel,
            direction: original.direction,
            summary: original.summary.clone(),
            outcome: original.outcome.clone(),
            duration_seconds: original.duration_seconds,
            occurred_at: original.occurred_at,
        };
        let valid = input
            .validate()
            .map_err(|e| RoutingError::Corrupt(format!("open-house visit: {e}")))?;
        let id = InteractionId::from_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("open-house:{org}:{visit}:merged").as_bytes(),
        ));
        let copy = Interaction::create(id, valid, original.logged_by, now);
        let (doc_copy, _) = fieldstone_doc::interaction::create(server_actor_id(), &copy)
            .map_err(|e| RoutingError::Corrupt(e.to_string()))?;
        create_as_server(
            state,
            org,
            &visit_doc(id)?,
            into.scopes.clone(),
            into.contact.owner,
            doc_copy,
        )?;
        delete(state, org, &doc, lead.contact.owner, |d, at| {
            let mut record = fieldstone_doc::interaction::read(d).map_err(|e| e.to_string())?;
            if record.deleted_at.is_none() {
                record.deleted_at = Some(at);
                record.updated_at = at;
                fieldstone_doc::interaction::update(d, &record).map_err(|e| e.to_string())?;
            }
            Ok(())
        })?;
    }
    delete(
        state,
        org,
        &contact_doc(lead.contact.id)?,
        lead.contact.owner,
        |d, at| {
            let mut record = fieldstone_doc::contact::read(d).map_err(|e| e.to_string())?;
            if record.deleted_at.is_none() {
                record.deleted_at = Some(at);
                record.updated_at = at;
                fieldstone_doc::contact::update(d, &record).map_err(|e| e.to_string())?;
            }
            Ok(())
        },
    )?;
    state.audit(
        org,
        Audit {
            kind: "open_house_duplicate",
            user: Some(lead.contact.owner),
            subject: Some(into.contact.id.to_string()),
            detail: format!(
                "An open-house visitor signed in on a device was already a contact of the \
                 organisation; the visit was added to that contact and the device's new \
                 contact {} was removed.",
                lead.contact.id
            ),
            ip: None,
        },
    );
    Ok(())
}

/// Marks `doc` deleted as the server, with `edit` given the document and the time.
fn delete(
    state: &AppState,
    org: OrgId,
    doc_id: &DocId,
    writer: UserId,
    // The error as text: the document error is large, and only its words are kept.
    edit: impl FnOnce(&mut automerge::AutoCommit, chrono::DateTime<chrono::Utc>) -> Result<(), String>,
) -> Result<(), RoutingError> {
    let at = state.clock.now();
    write_as_server(state, org, doc_id, writer, |doc| {
        edit(doc, at).map_err(|reason| ServerWriteError::Unreadable {
            doc: doc_id.clone(),
            reason,
        })
    })?;
    Ok(())
}
