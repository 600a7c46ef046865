//! The server writing into a stored document with its own actor: where an intent's result is
//! recorded (DESIGN decision 13: status, attempts, provider id, events). The change is stored
//! like a device's (optimistic lock on the document's head, compaction when due), cached, and
//! announced, so every device that reads the document gets it by ordinary sync.
//!
//! No device may write these fields (`access::SERVER_FIELDS`); this path does not go through
//! the push's judge, which is what refuses them.

use super::cache::{ensure_loaded, HotDoc, LoadError};
use crate::hub::Event;
use crate::store::{DocWrite, StoreError, COMPACT_AFTER};
use crate::AppState;
use automerge::{ActorId, AutoCommit};
use fieldstone_model::{Message, MessageResult, OrgId, UserId};
use fieldstone_protocol::DocId;
use std::sync::OnceLock;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerWriteError {
    #[error("document {0} is not stored")]
    Missing(DocId),
    #[error("document {doc} cannot be read: {reason}")]
    Unreadable { doc: DocId, reason: String },
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
    };
    let mut committed = state.store.commit(org, vec![write], state.clock.now())?;
    let Some(done) = committed.pop() else {
        return Ok(false);
    };
    let next = HotDoc {
        doc: fork,
        scopes: done.scopes.clone(),
        head_seq: done.seq,
        tail_len: done.tail_len,
    };
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
        edit(&mut message.result);
        fieldstone_doc::message::update(doc, &message).map_err(unreadable)?;
        written = Some(message);
        Ok(())
    })?;
    Ok(written.filter(|_| changed))
}
