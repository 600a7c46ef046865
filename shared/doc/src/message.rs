//! An outbound message (an intent, DESIGN decision 13) as an Automerge document.
//!
//! Mapping decisions:
//! - Two halves. The request (recipient, subject, body, purpose...) is top-level scalars the
//!   device writes; the outcome is the `result` map, which only the sync server writes, with its
//!   own actor (the server refuses a device's change under `result`). So a device deleting a
//!   queued message and the server marking it sent never touch the same field.
//! - `result.events` is a list keyed by the provider's event id when there is one (a retried
//!   webhook reconciles onto the same entry), else by time and kind.
//! - `body` is a plain string, not Automerge text: a message is written once and then sent, not
//!   edited together.
//! - Timestamps are i64 milliseconds (`*_ms`), ids strings, enums their `as_str()` names.

use crate::util::{
    check_kind, commit, ensure_readable, millis, narrow, opt_millis, opt_parse, parse, root_doc,
};
use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change, ObjId, ObjType, ReadDoc, Value};
use autosurgeon::{reconcile, reconcile_insert, reconcile_prop, Hydrate, Reconcile};
use fieldstone_model::{Message, MessageEvent, MessageResult};

#[cfg(test)]
mod tests;

pub const KIND: &str = "message";
/// Shape version of message documents written by this build.
pub const SCHEMA: u64 = 1;
/// The map only the server writes.
pub const RESULT_KEY: &str = "result";

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/message_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct MessageDoc {
        schema: u64,
        kind: String,
        id: String,
        contact: String,
        channel: String,
        purpose: String,
        to: String,
        subject: Option<String>,
        body: String,
        body_html: Option<String>,
        task: Option<String>,
        written_by: String,
        result: ResultDoc,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct ResultDoc {
    status: String,
    reason: Option<String>,
    provider_id: Option<String>,
    attempts: u64,
    status_at_ms: Option<i64>,
    events: Vec<EventDoc>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct EventDoc {
    #[key]
    key: String,
    at_ms: i64,
    kind: String,
    url: Option<String>,
    user_agent: Option<String>,
    provider_event: Option<String>,
}

impl EventDoc {
    fn from_model(e: &MessageEvent) -> Self {
        let at_ms = e.at.timestamp_millis();
        Self {
            key: e
                .provider_event
                .clone()
                .unwrap_or_else(|| format!("{at_ms}:{}", e.kind.as_str())),
            at_ms,
            kind: e.kind.as_str().to_owned(),
            url: e.url.clone(),
            user_agent: e.user_agent.clone(),
            provider_event: e.provider_event.clone(),
        }
    }

    fn into_model(self) -> Result<MessageEvent, DocError> {
        Ok(MessageEvent {
            at: millis("result.events.at_ms", self.at_ms)?,
            kind: parse("result.events.kind", &self.kind)?,
            url: self.url,
            user_agent: self.user_agent,
            provider_event: self.provider_event,
        })
    }
}

impl ResultDoc {
    fn from_model(r: &MessageResult) -> Self {
        Self {
            status: r.status.as_str().to_owned(),
            reason: r.reason.clone(),
            provider_id: r.provider_id.clone(),
            attempts: u64::from(r.attempts),
            status_at_ms: r.status_at.map(|t| t.timestamp_millis()),
            events: r.events.iter().map(EventDoc::from_model).collect(),
        }
    }

    fn into_model(self) -> Result<MessageResult, DocError> {
        Ok(MessageResult {
            status: parse("result.status", &self.status)?,
            reason: self.reason,
            provider_id: self.provider_id,
            attempts: narrow("result.attempts", self.attempts)?,
            status_at: opt_millis("result.status_at_ms", self.status_at_ms)?,
            events: self
                .events
                .into_iter()
                .map(EventDoc::into_model)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl MessageDoc {
    fn from_message(m: &Message) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: m.id.to_string(),
            contact: m.contact.to_string(),
            channel: m.channel.as_str().to_owned(),
            purpose: m.purpose.as_str().to_owned(),
            to: m.to.clone(),
            subject: m.subject.clone(),
            body: m.body.clone(),
            body_html: m.body_html.clone(),
            task: m.task.map(|t| t.to_string()),
            written_by: m.written_by.to_string(),
            result: ResultDoc::from_model(&m.result),
            created_at_ms: m.created_at.timestamp_millis(),
            updated_at_ms: m.updated_at.timestamp_millis(),
            deleted_at_ms: m.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_message(self) -> Result<Message, DocError> {
        check_kind(KIND, self.kind)?;
        Ok(Message {
            id: parse("id", &self.id)?,
            contact: parse("contact", &self.contact)?,
            channel: parse("channel", &self.channel)?,
            purpose: parse("purpose", &self.purpose)?,
            to: self.to,
            subject: self.subject,
            body: self.body,
            body_html: self.body_html,
            task: opt_parse("task", self.task.as_deref())?,
            written_by: parse("written_by", &self.written_by)?,
            result: self.result.into_model()?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Creates the document for a new message, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, message: &Message) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, MessageDoc::from_message(message))?;
    let change = commit(&mut doc, message.updated_at, "create message")
        .ok_or_else(|| DocError::InvalidValue("creating a message produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `message` into an existing document, touching only what differs. Returns the change,
/// or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, message: &Message) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, MessageDoc::from_message(message))?;
    Ok(commit(doc, message.updated_at, "update message"))
}

/// Writes the server's new `after` result into `doc`, which holds `before` (as [`read`] gave it
/// just now): only the fields that differ are put, events dropped from the list are deleted and
/// new ones appended. A webhook adds an event or two to a message that may already hold
/// [`fieldstone_model::message::EVENTS_MAX`]; reconciling the whole message diffed every field and the
/// whole list each time, so its cost grew with what the message held, not with what changed.
/// Returns the change, or `None` if nothing differed.
pub fn update_result(
    doc: &mut AutoCommit,
    before: &MessageResult,
    after: &MessageResult,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    let result = object(doc, &automerge::ROOT, RESULT_KEY, ObjType::Map)?;
    let (old, new) = (ResultDoc::from_model(before), ResultDoc::from_model(after));
    if old.status != new.status {
        reconcile_prop(doc, &result, "status", &new.status)?;
    }
    if old.reason != new.reason {
        reconcile_prop(doc, &result, "reason", &new.reason)?;
    }
    if old.provider_id != new.provider_id {
        reconcile_prop(doc, &result, "provider_id", &new.provider_id)?;
    }
    if old.attempts != new.attempts {
        reconcile_prop(doc, &result, "attempts", new.attempts)?;
    }
    if old.status_at_ms != new.status_at_ms {
        reconcile_prop(doc, &result, "status_at_ms", new.status_at_ms)?;
    }
    if old.events != new.events {
        let events = object(doc, &result, "events", ObjType::List)?;
        if doc.length(&events) == old.events.len() {
            let (dropped, kept) = edit_script(&old.events, &new.events);
            // From the end, so each index still names the element it named in `before`.
            for &i in dropped.iter().rev() {
                doc.delete(&events, i)?;
            }
            for (offset, event) in new.events[kept..].iter().enumerate() {
                reconcile_insert(doc, events.clone(), kept + offset, event)?;
            }
        } else {
            // `before` is not what the list holds (a caller's mistake): the whole list, keyed.
            reconcile_prop(doc, &result, "events", &new.events)?;
        }
    }
    Ok(commit(doc, at, "update message result"))
}

/// How `new` follows from `old` by deleting elements and appending others (all a result's
/// events ever do): the indices of `old` to delete, and how many of `new` are kept elements
/// (the rest is appended). Always a correct script; with any other edit it is only longer.
fn edit_script<T: PartialEq>(old: &[T], new: &[T]) -> (Vec<usize>, usize) {
    let mut kept = 0;
    let mut dropped = Vec::new();
    for (i, element) in old.iter().enumerate() {
        if new.get(kept) == Some(element) {
            kept += 1;
        } else {
            dropped.push(i);
        }
    }
    (dropped, kept)
}

/// The object of type `expected` at `prop` of `parent`.
fn object(
    doc: &AutoCommit,
    parent: &ObjId,
    prop: &'static str,
    expected: ObjType,
) -> Result<ObjId, DocError> {
    match doc.get(parent, prop)? {
        Some((Value::Object(found), id)) if found == expected => Ok(id),
        Some(_) => Err(DocError::WrongType {
            field: prop,
            detail: format!("it is not a {expected:?}"),
        }),
        None => Err(DocError::MissingField { field: prop }),
    }
}

/// Reads the message held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Message, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    MessageDoc::hydrate_root(doc)?.into_message()
}
