//! Carrying a routing decision out, as the server: `assigned_agent` written into the contact
//! with the server's actor (devices may not change it unless a broker or admin writes it; the
//! server's own writes do not pass the push's judge), the agent's scope added to the contact and
//! the lead's interaction so the agent's devices pull them whole (as sharing does), and a note
//! on the contact saying why, which every device holding the contact shows.

use super::RoutingError;
use crate::hub::Event;
use crate::intake::dedupe::{self, Found};
use crate::store::routing::LeadRoutingRow;
use crate::store::{Store, StoreError};
use crate::sync::server_write::{
    add_scope, create_as_server, server_actor_id, write_as_server, NewDoc, ServerWriteError,
};
use crate::AppState;
use fieldstone_model::{ContactId, Note, NoteId, NoteInput, OrgId, RecordRef, UserId};
use fieldstone_protocol::{DocId, Scope};

fn contact_doc(contact: ContactId) -> Result<DocId, StoreError> {
    DocId::new(fieldstone_doc::contact::KIND, contact)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The stored contact (not deleted) with its scopes.
pub fn contact(store: &dyn Store, org: OrgId, id: ContactId) -> Result<Option<Found>, StoreError> {
    dedupe::load(store, org, &contact_doc(id)?)
}

/// Gives `found` to `agent`: assigned, in their scope (and out of the previous agent's), with a
/// note of `row.reason`.
pub fn hand_over(
    state: &AppState,
    org: OrgId,
    found: &Found,
    agent: UserId,
    row: &LeadRoutingRow,
) -> Result<(), RoutingError> {
    hand_over_with(state, org, found, agent, row, &[])
}

/// [`hand_over`], moving `more` documents of the lead with it (an open-house visitor's visits,
/// the history a broker's reassignment names), each with whoever created it: the previous
/// agent keeps the records they wrote themselves.
pub fn hand_over_with(
    state: &AppState,
    org: OrgId,
    found: &Found,
    agent: UserId,
    row: &LeadRoutingRow,
    more: &[(DocId, UserId)],
) -> Result<(), RoutingError> {
    let doc_id = contact_doc(found.contact.id)?;
    let previous = found.contact.assigned_agent.filter(|p| *p != agent);
    write_as_server(state, org, &doc_id, found.contact.owner, |doc| {
        let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
            doc: doc_id.clone(),
            reason: e.to_string(),
        };
        let mut record = fieldstone_doc::contact::read(doc).map_err(unreadable)?;
        if record.assigned_agent != Some(agent) {
            record.assigned_agent = Some(agent);
            fieldstone_doc::contact::update(doc, &record).map_err(unreadable)?;
        }
        Ok(())
    })?;
    let mut docs = vec![doc_id];
    if let Some(interaction) = &row.interaction {
        if let Ok(id) = DocId::new(fieldstone_doc::interaction::KIND, interaction.as_str()) {
            docs.push(id);
        }
    }
    for doc in &docs {
        move_scope(state, org, doc, agent, previous, found.contact.owner)?;
    }
    for (doc, creator) in more.iter().filter(|(d, _)| !docs.contains(d)) {
        move_scope(state, org, doc, agent, previous, *creator)?;
    }
    let Some(moved) = contact(state.store.as_ref(), org, found.contact.id)? else {
        return Ok(());
    };
    if previous.is_none() {
        // The lead's first holder (a claim, an assignment from the pond, an open-house
        // visitor routed) gets the follow-up plan; a reassignment keeps the plan it has.
        if let Err(error) =
            crate::follow_up::start(state, org, &moved.contact, agent, &[Scope::User(agent)])
        {
            tracing::warn!(%error, "the lead is handed over; its follow-up plan was not made");
        }
    }
    note(
        state,
        org,
        &moved,
        &row.reason,
        NoteId::from_uuid(uuid::Uuid::new_v4()),
    )
}

/// The most records one reassignment moves with a lead (a long-standing client's history).
pub const HISTORY_MAX: usize = 2_000;

/// Which of `listed` (document ids the broker's device holds about the lead) move with it: each
/// must exist, be readable by `access` and be about `contact` — an interaction or message on
/// it, a note or task on it, a booking it attends. The server has no index from a contact to
/// its records; the device that shows the contact's timeline does, and every id it names is
/// checked here, so a device cannot move anything else this way. The rest are left as they
/// are.
pub fn history(
    store: &dyn Store,
    org: OrgId,
    access: &crate::access::Access,
    found: &Found,
    listed: &[String],
) -> Result<Vec<(DocId, UserId)>, StoreError> {
    let contact = found.contact.id;
    use fieldstone_model::RecordRef;
    let mut out = Vec::new();
    for text in listed.iter().take(HISTORY_MAX) {
        let Ok(doc_id) = text.parse::<DocId>() else {
            continue;
        };
        if out.iter().any(|(d, _)| *d == doc_id) {
            continue;
        }
        let Some(stored) = store.load_doc(org, &doc_id)? else {
            continue;
        };
        if !access.can_read(&stored.scopes) {
            continue;
        }
        let Ok(doc) = crate::sync::guard::load(&stored.bytes) else {
            continue;
        };
        let on_contact = RecordRef::Contact(contact);
        let about = match doc_id.kind() {
            fieldstone_doc::interaction::KIND => {
                fieldstone_doc::interaction::read(&doc).is_ok_and(|r| r.contact == contact)
            }
            fieldstone_doc::message::KIND => {
                fieldstone_doc::message::read(&doc).is_ok_and(|r| r.contact == contact)
            }
            fieldstone_doc::note::KIND => {
                fieldstone_doc::note::read(&doc).is_ok_and(|r| r.record == on_contact)
            }
            fieldstone_doc::task::KIND => {
                fieldstone_doc::task::read(&doc).is_ok_and(|r| r.record == Some(on_contact))
            }
            fieldstone_doc::booking::KIND => fieldstone_doc::booking::read(&doc)
                .is_ok_and(|r| r.attendees.contacts.contains(&contact)),
            _ => false,
        };
        if about {
            // Its first scope is the one it was created in: a device's user's own, else (made
            // by the server) the contact's owner's records.
            let creator = match stored.scopes.first() {
                Some(Scope::User(user)) => *user,
                _ => found.contact.owner,
            };
            out.push((doc_id, creator));
        }
    }
    Ok(out)
}

/// The note of a new lead's first decision, for the caller to create with the lead's other
/// documents in one commit. Its id is the contact's, so two deliveries of one event racing
/// each other write one note.
pub fn decision_note(
    state: &AppState,
    org: OrgId,
    found: &Found,
    row: &LeadRoutingRow,
) -> Result<NewDoc, RoutingError> {
    let id = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("routing:{org}:{}:decided", found.contact.id).as_bytes(),
    );
    note_doc(state, found, &row.reason, NoteId::from_uuid(id))
}

/// Adds `agent`'s scope to `doc` (announced, so their live devices pull it) and takes away
/// where else an agent could read it: the previous agent's scope and the organisation's (where
/// an offer or the pond kept it for every agent), since a lead is exclusive to whoever has it.
/// The owner's scope stays (they created it and it counts against them); owners and admins
/// read every scope, and brokers their team members'.
fn move_scope(
    state: &AppState,
    org: OrgId,
    doc: &DocId,
    agent: UserId,
    previous: Option<UserId>,
    owner: UserId,
) -> Result<(), StoreError> {
    add_scope(state, org, doc, Scope::User(agent))?;
    let mut elsewhere = vec![Scope::Org(org)];
    elsewhere.extend(previous.filter(|p| *p != owner).map(Scope::User));
    let mut removed = false;
    for scope in elsewhere {
        removed |= state.store.remove_doc_scope(org, doc, scope)?;
    }
    if removed {
        state.docs.evict(org, doc);
        state.publish(Event::AccessChanged { org });
    }
    Ok(())
}

/// Puts `doc` in the organisation's scope (announced), where every member reads it: a lead
/// offered to several agents, or left in the pond, that a device created in its own scope.
pub fn open_to_org(state: &AppState, org: OrgId, doc: &DocId) -> Result<(), StoreError> {
    add_scope(state, org, doc, Scope::Org(org))?;
    Ok(())
}

/// A note on the contact, by the server, in the contact's scopes: the routing's reason where
/// devices show a contact's notes.
pub fn note(
    state: &AppState,
    org: OrgId,
    found: &Found,
    body: &str,
    id: NoteId,
) -> Result<(), RoutingError> {
    let new = note_doc(state, found, body, id)?;
    create_as_server(state, org, &new.doc_id, new.scopes, new.writer, new.doc)?;
    Ok(())
}

/// The note [`note`] creates, not stored yet.
fn note_doc(
    state: &AppState,
    found: &Found,
    body: &str,
    id: NoteId,
) -> Result<NewDoc, RoutingError> {
    let input = NoteInput {
        record: RecordRef::Contact(found.contact.id),
        body: format!("Lead routing: {body}"),
        pinned: false,
    };
    let valid = input
        .validate()
        .map_err(|e| RoutingError::Corrupt(format!("routing note: {e}")))?;
    let note = Note::create(id, valid, found.contact.owner, state.clock.now());
    let (doc, _) = fieldstone_doc::note::create(server_actor_id(), &note)
        .map_err(|e| RoutingError::Corrupt(e.to_string()))?;
    Ok(NewDoc {
        doc_id: DocId::new(fieldstone_doc::note::KIND, id)
            .map_err(|e| RoutingError::Corrupt(e.to_string()))?,
        scopes: found.scopes.clone(),
        writer: found.contact.owner,
        doc,
        index: None,
    })
}
