//! The server writing into a stored document with its own actor: where an intent's result is
//! recorded (DESIGN decision 13: status, attempts, provider id, events). The change is stored
//! like a device's (optimistic lock on the document's head, compaction when due), cached, and
//! announced, so every device that reads the document gets it by ordinary sync.
//!
//! No device may write these fields (`access::SERVER_FIELDS`); this path does not go through
//! the push's judge, which is what refuses them.

use super::cache::{ensure_loaded, HotDoc, LoadError, WrittenMessage};
use crate::hub::Event;
use crate::store::intake::IntakeEventRow;
use crate::store::routing::LeadRoutingRow;
use crate::store::{DocWrite, StoreError, COMPACT_AFTER};
use crate::AppState;
use automerge::{ActorId, AutoCommit};
use chrono::{DateTime, Utc};
use fieldstone_model::{Message, MessageEvent, MessageResult, MessageStatus, OrgId, UserId};
use fieldstone_protocol::DocId;
use std::collections::HashMap;
use std::sync::OnceLock;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerWriteError {
    #[error("document {0} is not stored")]
    Missing(DocId),
    #[error("document {doc} cannot be read: {reason}")]
    Unreadable { doc: DocId, reason: String },
    #[error("not a document id: {0}")]
    BadId(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// This process's Automerge actor: random per process, so two server processes writing the
/// same document never reuse each other's sequence numbers.
fn server_actor() -> ActorId {
    static ACTOR: OnceLock<ActorId> = OnceLock::new();
    ACTOR.get_or_init(ActorId::random).clone()
}

/// Applies `edit` to the stored document `doc_id` as the server and stores what it changed,
/// counted against `writer`'s usage (whose record it is). Answers whether anything changed.
/// Blocking: call from a blocking thread.
pub fn write_as_server(
    state: &AppState,
    org: OrgId,
    doc_id: &DocId,
    writer: UserId,
    edit: impl FnOnce(&mut AutoCommit) -> Result<(), ServerWriteError>,
) -> Result<bool, ServerWriteError> {
    let mut guard = state.docs.slot(org, doc_id).blocking_lock_owned();
    match ensure_loaded(state.store.as_ref(), &state.docs, org, doc_id, &mut guard) {
        Ok(()) => {}
        Err(LoadError::Store(e)) => return Err(e.into()),
        Err(LoadError::Unreadable(reason)) => {
            return Err(ServerWriteError::Unreadable {
                doc: doc_id.clone(),
                reason,
            })
        }
    }
    let Some(hot) = guard.as_mut() else {
        return Err(ServerWriteError::Missing(doc_id.clone()));
    };
    let mut fork = hot.doc.fork().with_actor(server_actor());
    let before = fork.get_heads();
    edit(&mut fork)?;
    let changes: Vec<([u8; 32], Vec<u8>)> = fork
        .get_changes(&before)
        .iter()
        .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
        .collect();
    if changes.is_empty() {
        return Ok(false);
    }
    let compact = hot.tail_len as usize + changes.len() >= COMPACT_AFTER as usize;
    let write = DocWrite {
        doc_id: doc_id.clone(),
        expected_head_seq: Some(hot.head_seq),
        changes,
        add_scopes: Vec::new(),
        snapshot: compact.then(|| fork.save()),
        // The server's actor is bound to no user: no device ever sends its changes.
        new_actors: Vec::new(),
        writer,
        intent: false,
        // A contact the server changes (routing's hand-over, "last contacted") stays indexed.
        contact: crate::store::contact_index::entry_for(doc_id, &fork),
        job: crate::jobs::job_for(doc_id, &fork),
    };
    let mut committed = state.store.commit(org, vec![write], state.clock.now())?;
    let Some(done) = committed.pop() else {
        return Ok(false);
    };
    let next = HotDoc::new(fork, done.scopes.clone(), done.seq, done.tail_len);
    state.docs.weigh(org, doc_id, next.ops());
    *guard = Some(next);
    drop(guard);
    state.publish(Event::Changed {
        org,
        doc: done.doc_id,
        scopes: done.scopes,
        seq: done.seq,
    });
    Ok(true)
}

/// Changes the result of the stored message `doc_id` with `edit`, as the server. Answers the
/// message as stored after it, or `None` if nothing changed.
pub fn update_message_result(
    state: &AppState,
    org: OrgId,
    doc_id: &DocId,
    writer: UserId,
    edit: impl FnOnce(&mut MessageResult),
) -> Result<Option<Message>, ServerWriteError> {
    let mut written = None;
    let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
        doc: doc_id.clone(),
        reason: e.to_string(),
    };
    let changed = write_as_server(state, org, doc_id, writer, |doc| {
        let mut message = fieldstone_doc::message::read(doc).map_err(unreadable)?;
        let before = message.result.clone();
        edit(&mut message.result);
        fieldstone_doc::message::update_result(doc, &before, &message.result, message.updated_at)
            .map_err(unreadable)?;
        written = Some(message);
        Ok(())
    })?;
    Ok(written.filter(|_| changed))
}

/// What the dispatcher records in a message's result for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultUpdate {
    pub status: MessageStatus,
    pub reason: Option<String>,
    /// Kept when `None` (a refusal does not erase an earlier attempt's id).
    pub provider_id: Option<String>,
    pub attempts: u32,
    pub at: DateTime<Utc>,
}

impl ResultUpdate {
    pub fn apply(&self, result: &mut MessageResult) {
        result.status = self.status;
        result.reason.clone_from(&self.reason);
        if self.provider_id.is_some() {
            result.provider_id.clone_from(&self.provider_id);
        }
        result.attempts = result.attempts.max(self.attempts);
        result.status_at = Some(self.at);
    }
}

/// A change to one message's result: an attempt's outcome (the dispatcher), or provider events
/// (webhooks, tracking links), with the provider's words when they end it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultEdit {
    Attempt(ResultUpdate),
    /// An attempt whose worker stopped: applied only when the message holds nothing about
    /// that attempt (the worker may have recorded it before stopping).
    Unrecorded(ResultUpdate),
    Events {
        events: Vec<MessageEvent>,
        /// Why it bounced or was dropped, as the provider said it.
        reason: Option<String>,
    },
}

impl ResultEdit {
    /// Applies the edit; answers whether it changed anything.
    pub fn apply(&self, result: &mut MessageResult) -> bool {
        let before = result.clone();
        match self {
            ResultEdit::Attempt(update) => update.apply(result),
            ResultEdit::Unrecorded(update) => {
                let recorded = result.attempts >= update.attempts
                    && !matches!(
                        result.status,
                        MessageStatus::Queued | MessageStatus::Sending
                    );
                if !recorded {
                    update.apply(result);
                }
            }
            ResultEdit::Events { events, reason } => {
                for event in events {
                    result.apply(event.clone());
                }
                if result.status != before.status && result.status.is_final() {
                    if let Some(reason) = reason {
                        result.reason = Some(reason.clone());
                    }
                }
            }
        }
        *result != before
    }
}

impl From<ResultUpdate> for ResultEdit {
    fn from(update: ResultUpdate) -> Self {
        ResultEdit::Attempt(update)
    }
}

/// A message's result edited in a fork, waiting for the batch's commit.
struct Pending {
    doc_id: DocId,
    writer: UserId,
    edits: Vec<ResultEdit>,
    /// The message as written into `fork`.
    message: Message,
    fork: AutoCommit,
    /// The store's head the fork was made from.
    head_seq: u64,
}

/// Many messages' results at once, in one commit per organisation (a dispatcher round's
/// outcomes, a webhook's batch of events: one durable write instead of one per message). Each
/// document is read from the cache or the store and the commit checks each one's head, so a
/// device's push landing in between makes the batch stale; then each is written on its own,
/// under its lock. Answers the messages that changed, as stored after.
pub fn update_message_results(
    state: &AppState,
    org: OrgId,
    items: Vec<(DocId, ResultEdit)>,
) -> Result<Vec<Message>, ServerWriteError> {
    let mut writes = Vec::new();
    let mut pending = Vec::new();
    // Several edits of one message in one batch (a webhook reports open and click together)
    // are applied together, in order.
    let mut grouped: Vec<(DocId, Vec<ResultEdit>)> = Vec::new();
    let mut index: std::collections::HashMap<DocId, usize> = std::collections::HashMap::new();
    for (doc_id, edit) in items {
        match index.get(&doc_id) {
            Some(&i) => grouped[i].1.push(edit),
            None => {
                index.insert(doc_id.clone(), grouped.len());
                grouped.push((doc_id, vec![edit]));
            }
        }
    }
    for (doc_id, edits) in grouped {
        let base = {
            let mut guard = state.docs.slot(org, &doc_id).blocking_lock_owned();
            match ensure_loaded(state.store.as_ref(), &state.docs, org, &doc_id, &mut guard) {
                Ok(()) => {}
                Err(LoadError::Store(e)) => return Err(e.into()),
                // Unreadable: the ledger says what happened; nothing to write into.
                Err(LoadError::Unreadable(_)) => continue,
            }
            guard.as_mut().map(|hot| {
                let written = hot.written_message();
                (hot.doc.fork(), hot.head_seq, hot.tail_len, written)
            })
        };
        let Some((doc, head_seq, tail_len, written)) = base else {
            continue;
        };
        let mut fork = doc.with_actor(server_actor());
        let before = fork.get_heads();
        let Some(mut message) = written.or_else(|| fieldstone_doc::message::read(&fork).ok())
        else {
            continue;
        };
        // The write counts against whose message it is.
        let writer = message.written_by;
        let was = message.result.clone();
        let mut changed = false;
        for edit in &edits {
            changed |= edit.apply(&mut message.result);
        }
        // Only what the edits changed is written (an event appended, the status set), not the
        // whole message reconciled: most of a webhook's cost was that reconcile.
        if !changed
            || fieldstone_doc::message::update_result(
                &mut fork,
                &was,
                &message.result,
                message.updated_at,
            )
            .is_err()
        {
            continue;
        }
        let changes: Vec<([u8; 32], Vec<u8>)> = fork
            .get_changes(&before)
            .iter()
            .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
            .collect();
        if changes.is_empty() {
            continue;
        }
        let compact = tail_len as usize + changes.len() >= COMPACT_AFTER as usize;
        writes.push(DocWrite {
            doc_id: doc_id.clone(),
            expected_head_seq: Some(head_seq),
            changes,
            add_scopes: Vec::new(),
            snapshot: compact.then(|| fork.save()),
            new_actors: Vec::new(),
            writer,
            intent: false,
            contact: None, // messages only
            job: None,
        });
        pending.push(Pending {
            doc_id,
            writer,
            edits,
            message,
            fork,
            head_seq,
        });
    }
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    match state.store.commit(org, writes, state.clock.now()) {
        Ok(committed) => {
            let mut pending: HashMap<DocId, Pending> =
                pending.into_iter().map(|p| (p.doc_id.clone(), p)).collect();
            let mut changed = Vec::with_capacity(committed.len());
            for done in committed {
                let Some(written) = pending.remove(&done.doc_id) else {
                    continue;
                };
                // The written copy becomes the cached one, with the message as written (reading
                // it back for the next event was most of a webhook's cost), unless the slot
                // moved meanwhile.
                let mut guard = state.docs.slot(org, &done.doc_id).blocking_lock_owned();
                match guard.as_ref() {
                    Some(hot) if hot.head_seq == written.head_seq => {
                        let mut next =
                            HotDoc::new(written.fork, done.scopes.clone(), done.seq, done.tail_len);
                        next.written = Some(WrittenMessage {
                            heads: next.doc.get_heads(),
                            message: written.message.clone(),
                        });
                        state.docs.weigh(org, &done.doc_id, next.ops());
                        *guard = Some(next);
                    }
                    _ => {
                        drop(guard);
                        state.docs.evict(org, &done.doc_id);
                    }
                }
                changed.push(written.message);
                state.publish(Event::Changed {
                    org,
                    doc: done.doc_id,
                    scopes: done.scopes,
                    seq: done.seq,
                });
            }
            Ok(changed)
        }
        Err(StoreError::Stale(_)) => {
            let mut changed = Vec::new();
            for Pending {
                doc_id,
                writer,
                edits,
                ..
            } in pending
            {
                let written = update_message_result(state, org, &doc_id, writer, |r| {
                    for edit in &edits {
                        edit.apply(r);
                    }
                })?;
                changed.extend(written);
            }
            Ok(changed)
        }
        Err(e) => Err(e.into()),
    }
}

/// Records that the contact `contact` revoked consent on `channel` (an unsubscribe link, a
/// spam report, a STOP text), as the server, so every device learns it by sync. A consent
/// already refused is left as it was (its first source and time are the evidence). Answers
/// whether anything changed. `writer` is whose usage the write counts against.
pub fn revoke_consent(
    state: &AppState,
    org: OrgId,
    contact: fieldstone_model::ContactId,
    channel: fieldstone_model::ConsentChannel,
    source: &str,
    writer: UserId,
) -> Result<bool, ServerWriteError> {
    let doc_id = DocId::new(fieldstone_doc::contact::KIND, contact)
        .map_err(|e| ServerWriteError::BadId(e.to_string()))?;
    let now = state.clock.now();
    write_as_server(state, org, &doc_id, writer, |doc| {
        let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
            doc: doc_id.clone(),
            reason: e.to_string(),
        };
        let mut record = fieldstone_doc::contact::read(doc).map_err(unreadable)?;
        if record.consent.get(channel).status == fieldstone_model::ConsentStatus::Denied {
            return Ok(());
        }
        record
            .consent
            .set(channel, fieldstone_model::Consent::denied(source, now));
        fieldstone_doc::contact::update(doc, &record).map_err(unreadable)?;
        Ok(())
    })
}

/// Moves contact `contact`'s "last contacted" to `at` as the server, after an interaction the
/// server wrote (a call it placed, a reply by text), as the device does when the agent logs one:
/// reminders and "days without contact" then count from it. An older time never moves it back.
/// Answers whether it moved.
pub fn record_contacted(
    state: &AppState,
    org: OrgId,
    contact: fieldstone_model::ContactId,
    at: chrono::DateTime<chrono::Utc>,
    writer: UserId,
) -> Result<bool, ServerWriteError> {
    let doc_id = DocId::new(fieldstone_doc::contact::KIND, contact)
        .map_err(|e| ServerWriteError::BadId(e.to_string()))?;
    write_as_server(state, org, &doc_id, writer, |doc| {
        let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
            doc: doc_id.clone(),
            reason: e.to_string(),
        };
        let mut record = fieldstone_doc::contact::read(doc).map_err(unreadable)?;
        let before = record.last_contacted_at;
        record.record_contacted(at);
        if record.last_contacted_at != before {
            fieldstone_doc::contact::update(doc, &record).map_err(unreadable)?;
        }
        Ok(())
    })
}

/// Creates `doc` (made with the server's actor, [`server_actor_id`]) as `doc_id` in `scopes`,
/// as the server, unless it exists: an id derived from what caused it (a provider's event id)
/// makes a retried webhook create nothing more. Answers whether it was created. `writer` is
/// whose usage it counts against.
pub fn create_as_server(
    state: &AppState,
    org: OrgId,
    doc_id: &DocId,
    scopes: Vec<fieldstone_protocol::Scope>,
    writer: UserId,
    doc: AutoCommit,
) -> Result<bool, ServerWriteError> {
    if state.store.load_doc(org, doc_id)?.is_some() {
        return Ok(false);
    }
    let write = first_write(&mut NewDoc {
        doc_id: doc_id.clone(),
        scopes,
        writer,
        doc,
        index: None,
    });
    let committed = match state.store.commit(org, vec![write], state.clock.now()) {
        Ok(committed) => committed,
        // Created meanwhile by another request or process: the same thing, once.
        Err(StoreError::Stale(_) | StoreError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    for done in committed {
        state.publish(Event::Changed {
            org,
            doc: done.doc_id,
            scopes: done.scopes,
            seq: done.seq,
        });
    }
    Ok(true)
}

/// One document for [`create_all_as_server`].
pub struct NewDoc {
    pub doc_id: DocId,
    pub scopes: Vec<fieldstone_protocol::Scope>,
    /// Whose usage it counts against.
    pub writer: UserId,
    pub doc: AutoCommit,
    /// Its contact index entry when the caller has the record at hand (else read from `doc`).
    pub index: Option<crate::store::contact_index::ContactIndexEntry>,
}

/// Creates each of `docs` that does not exist yet, as [`create_as_server`] does, but in one
/// transaction, with `event` recorded in the intake ledger and `routing` (a new lead's
/// decision) in the same one: a lead's contact, interaction, routing note, event and routing
/// row cost one durable commit instead of five. If another
/// request creates one of the documents meanwhile, each is created on its own (so the others
/// are still stored once) and the event recorded after them. Answers whether the event was
/// new (`None` without one).
pub fn create_all_as_server(
    state: &AppState,
    org: OrgId,
    docs: Vec<NewDoc>,
    event: Option<&IntakeEventRow>,
    routing: Option<&LeadRoutingRow>,
) -> Result<Option<bool>, ServerWriteError> {
    // No read first: a document that exists already makes the commit stale, and then each is
    // created on its own below (which skips it). Reading each first cost a lead three reads.
    let mut fresh = docs;
    let record = |state: &AppState| -> Result<Option<bool>, ServerWriteError> {
        if let Some(row) = routing {
            // Stored only if the lead has none: a racing delivery's decision stands.
            state.store.record_lead_routing(org, row)?;
        }
        Ok(match event {
            Some(row) => Some(state.store.record_intake_event(org, row)?),
            None => None,
        })
    };
    if fresh.is_empty() {
        return record(state);
    }
    let writes: Vec<DocWrite> = fresh.iter_mut().map(first_write).collect();
    let now = state.clock.now();
    let outcome = state.store.commit_lead(org, writes, event, routing, now);
    let (committed, new) = match outcome {
        Ok(done) => done,
        Err(StoreError::Stale(_) | StoreError::Conflict(_)) => {
            for new in fresh {
                let NewDoc {
                    doc_id,
                    scopes,
                    writer,
                    doc,
                    index: _,
                } = new;
                create_as_server(state, org, &doc_id, scopes, writer, doc)?;
            }
            return record(state);
        }
        Err(e) => return Err(e.into()),
    };
    for done in committed {
        state.publish(Event::Changed {
            org,
            doc: done.doc_id,
            scopes: done.scopes,
            seq: done.seq,
        });
    }
    Ok(new)
}

/// The write that stores `new` whole as a new document.
fn first_write(new: &mut NewDoc) -> DocWrite {
    let changes: Vec<([u8; 32], Vec<u8>)> = new
        .doc
        .get_changes(&[])
        .iter()
        .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
        .collect();
    DocWrite {
        doc_id: new.doc_id.clone(),
        expected_head_seq: None,
        changes,
        add_scopes: new.scopes.clone(),
        snapshot: Some(new.doc.save()),
        new_actors: Vec::new(),
        writer: new.writer,
        // A message the server writes queued (a follow-up sent for the agent) is sent like a
        // device's: queued in the attempt ledger with it.
        intent: new.doc_id.kind() == fieldstone_doc::message::KIND
            && fieldstone_doc::message::read(&new.doc)
                .is_ok_and(|m| m.result.status == fieldstone_model::MessageStatus::Queued),
        contact: new
            .index
            .take()
            .or_else(|| crate::store::contact_index::entry_for(&new.doc_id, &new.doc)),
        job: crate::jobs::job_for(&new.doc_id, &new.doc),
    }
}

/// Adds `doc` to `scope` and announces it, so the scope's live devices pull it whole (a share,
/// a lead handed to an agent or opened to the organisation). `false`: it was there already.
pub fn add_scope(
    state: &AppState,
    org: OrgId,
    doc: &DocId,
    scope: fieldstone_protocol::Scope,
) -> Result<bool, StoreError> {
    let Some(seq) = state
        .store
        .add_doc_scope(org, doc, scope, state.clock.now())?
    else {
        return Ok(false);
    };
    state.docs.evict(org, doc);
    state.publish(Event::Changed {
        org,
        doc: doc.clone(),
        scopes: vec![scope],
        seq,
    });
    Ok(true)
}

/// The server's Automerge actor, for documents it creates.
pub fn server_actor_id() -> ActorId {
    server_actor()
}
