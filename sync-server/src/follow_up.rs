//! The follow-up plan of leads the server places (seed 002, issue 16): a lead that arrives by
//! intake, or is claimed, assigned or routed from an open house, gets the organisation's plan as
//! tasks owned by the agent who now holds it, due in that agent's zone. The same rule the
//! devices use for what agents type and import (`fieldstone_model::follow_up`).
//!
//! Each step's task id is derived from the contact and the step, so a retried delivery, two
//! racing claims or two server processes create each step once.

use crate::org_settings;
use crate::store::jobs::{self, JobClaim, JobFinish, JobSchedule};
use crate::store::StoreError;
use crate::sync::server_write::{
    create_as_server, server_actor_id, write_as_server, NewDoc, ServerWriteError,
};
use crate::AppState;
use fieldstone_model::drafting::{Draft, DraftFacts, Fallback};
use fieldstone_model::follow_up::AutoSend;
use fieldstone_model::outreach::{check_consent, ConsentRules};
use fieldstone_model::plan::Meter;
use fieldstone_model::{
    Contact, FollowUpPlanning, Message, MessageChannel, MessageId, MessageInput, MessagePurpose,
    MessageStatus, OrgId, RecordRef, Task, TaskId, TaskStatus, UserId,
};
use fieldstone_protocol::{DocId, Scope};

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
    #[error("the follow-up plan could not be made: {0}")]
    Invalid(String),
}

/// The id of `contact`'s plan step `kind`: the same wherever and however often it is made.
fn step_id(contact: &Contact, kind: &str) -> TaskId {
    TaskId::from_uuid(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("follow-up:{}:{kind}", contact.id).as_bytes(),
    ))
}

/// The plan's task documents for `contact`, held by `agent`, in `scopes` (the contact's),
/// ready to be stored with the contact. Nothing when the organisation's plan is off for its
/// source.
pub fn plan_docs(
    state: &AppState,
    org: OrgId,
    contact: &Contact,
    agent: UserId,
    scopes: &[Scope],
) -> Result<Vec<NewDoc>, PlanError> {
    let planning = FollowUpPlanning {
        settings: org_settings::follow_up(state.store.as_ref(), org)?,
        zone: org_settings::agent_zone(state, org, agent)?,
    };
    let now = state.clock.now();
    let mut docs = Vec::new();
    for input in planning.tasks_for(contact) {
        let valid = input
            .validate()
            .map_err(|e| PlanError::Invalid(e.to_string()))?;
        let task = Task::create(step_id(contact, input.kind.as_str()), valid, agent, now);
        let (doc, _) = fieldstone_doc::task::create(server_actor_id(), &task)
            .map_err(|e| PlanError::Invalid(e.to_string()))?;
        docs.push(NewDoc {
            doc_id: DocId::new(fieldstone_doc::task::KIND, task.id)
                .map_err(|e| PlanError::Invalid(e.to_string()))?,
            scopes: scopes.to_vec(),
            writer: agent,
            doc,
            index: None,
        });
    }
    Ok(docs)
}

/// Gives `contact` (already stored, in `scopes`) its plan for `agent`, each step stored unless
/// it exists. Answers how many steps were created.
pub fn start(
    state: &AppState,
    org: OrgId,
    contact: &Contact,
    agent: UserId,
    scopes: &[Scope],
) -> Result<usize, PlanError> {
    let mut created = 0;
    for doc in plan_docs(state, org, contact, agent, scopes)? {
        if create_as_server(state, org, &doc.doc_id, doc.scopes, doc.writer, doc.doc)? {
            created += 1;
        }
    }
    Ok(created)
}

/// The follow-up job a task document's changes ask for: a pending plan step about a contact is
/// drafted at its due time; one closed, deleted or undated is not wanted any more. `None` for
/// every other document (custom tasks included).
pub fn job_for(doc_id: &DocId, doc: &automerge::AutoCommit) -> Option<JobSchedule> {
    if doc_id.kind() != fieldstone_doc::task::KIND {
        return None;
    }
    let task = fieldstone_doc::task::read(doc).ok()?;
    if !task.kind.is_plan_step() || !matches!(task.record, Some(RecordRef::Contact(_))) {
        return None;
    }
    let wanted = task.status.is_open() && task.deleted_at.is_none();
    Some(JobSchedule {
        kind: jobs::FOLLOW_UP,
        key: task.id.to_string(),
        due_at: task.due_at.filter(|_| wanted),
    })
}

/// The agent's preferences entry naming what they let the server send without review
/// ([`fieldstone_model::follow_up::AutoSend`] as JSON).
pub const AUTO_SEND_PREF: &str = "follow_up_auto_send";

/// How long a passing failure waits before the job runs again.
const RETRY_MINUTES: i64 = 5;

/// A due step, ready to be drafted.
struct Due {
    task: Task,
    task_scopes: Vec<Scope>,
    contact: Contact,
    to: String,
    agent_name: String,
    auto: bool,
    config: Result<crate::ai::AiConfig, Fallback>,
}

enum Step {
    Finish(JobFinish),
    Draft(Box<Due>),
}

/// A follow-up job: when the step is due and its contact has an email and consent, the server
/// drafts the email for that step (the model, or the labelled template) and either leaves it
/// Ready to send for the agent (a message with status `draft`) or, when the agent chose
/// auto-send for the contact or its source, queues it and completes the task. Each step's
/// message id comes from its task, so a job run twice writes one message.
pub async fn draft_job(state: &AppState, claim: &JobClaim) -> JobFinish {
    let later = |detail: String| JobFinish::Later {
        at: state.clock.now() + chrono::Duration::minutes(RETRY_MINUTES),
        detail,
    };
    let (org, key) = (claim.org, claim.key.clone());
    let looked = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || prepare(&state, org, &key)).await
    };
    let due = match looked {
        Ok(Ok(Step::Finish(finish))) => return finish,
        Ok(Ok(Step::Draft(due))) => due,
        Ok(Err(error)) => return later(error.to_string()),
        Err(error) => return later(error.to_string()),
    };
    let facts = DraftFacts::of(&due.contact, None);
    let asks = due.config.as_ref().is_ok_and(|c| c.enabled);
    let allowed = if asks {
        let (state, owner) = (state.clone(), due.task.owner);
        crate::blocking(move || {
            let now = state.clock.now();
            Ok(crate::quota::take(
                &state,
                org,
                owner,
                Meter::AiDrafts,
                1,
                now,
            )?)
        })
        .await
        // The allowance could not be read: the draft matters more than the count.
        .unwrap_or(Ok(()))
    } else {
        Ok(())
    };
    let metered = asks && allowed.is_ok();
    let draft = match allowed {
        Ok(()) => {
            crate::ai::draft(
                due.config.as_ref().map_err(|why| *why),
                due.task.kind,
                &facts,
                None,
                &due.agent_name,
            )
            .await
        }
        Err(refusal) => {
            let mut draft = Draft::template(
                due.task.kind,
                &facts.first_name,
                &due.agent_name,
                Fallback::Disabled,
            );
            draft.notice = Some(format!(
                "AI was not asked: {} This is a template.",
                refusal.reason
            ));
            draft
        }
    };
    if metered && draft.source != fieldstone_model::drafting::DraftSource::Ai {
        // The model did not answer: the template costs nothing.
        let (state, owner) = (state.clone(), due.task.owner);
        let _ = tokio::task::spawn_blocking(move || {
            let now = state.clock.now();
            crate::quota::give_back(&state, org, owner, Meter::AiDrafts, now);
        })
        .await;
    }
    let stored = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || store(&state, org, &due, draft)).await
    };
    match stored {
        Ok(Ok(detail)) => JobFinish::Done(detail),
        Ok(Err(error)) => later(error.to_string()),
        Err(error) => later(error.to_string()),
    }
}

fn done(detail: &str) -> Result<Step, PlanError> {
    Ok(Step::Finish(JobFinish::Done(detail.to_owned())))
}

/// Reads the task and its contact and decides (blocking).
fn prepare(state: &AppState, org: OrgId, key: &str) -> Result<Step, PlanError> {
    let store = state.store.as_ref();
    let task_id = DocId::new(fieldstone_doc::task::KIND, key)
        .map_err(|e| PlanError::Invalid(e.to_string()))?;
    let Some(stored) = store.load_doc(org, &task_id)? else {
        return done("the task is gone");
    };
    let doc = crate::sync::guard::load(&stored.bytes).map_err(PlanError::Invalid)?;
    let task = fieldstone_doc::task::read(&doc).map_err(|e| PlanError::Invalid(e.to_string()))?;
    if !task.status.is_open() || task.deleted_at.is_some() || !task.kind.is_plan_step() {
        return done("the task was closed before it was due");
    }
    let now = state.clock.now();
    match task.due_at {
        None => return done("the task has no due time"),
        Some(due) if due > now => {
            return Ok(Step::Finish(JobFinish::Later {
                at: due,
                detail: "the task was moved later".into(),
            }))
        }
        Some(_) => {}
    }
    let Some(RecordRef::Contact(contact_id)) = task.record else {
        return done("the task is not about a contact");
    };
    let Some(found) = crate::routing::handover::contact(store, org, contact_id)? else {
        return done("the contact is gone");
    };
    let contact = found.contact;
    let Some(to) = contact
        .emails
        .iter()
        .find(|e| e.primary)
        .or_else(|| contact.emails.first())
        .map(|e| e.address.clone())
    else {
        return done("the contact has no email address: the task stays for the agent");
    };
    if let Err(refusal) = check_consent(
        &contact.consent,
        MessageChannel::Email,
        MessagePurpose::OneToOne,
        &ConsentRules::us(),
    ) {
        return done(&format!("not drafted: {}", refusal.reason));
    }
    let agent_name = store
        .user(org, task.owner)?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let auto = auto_send(state, org, task.owner)?.applies(&contact);
    Ok(Step::Draft(Box::new(Due {
        task,
        task_scopes: stored.scopes,
        contact,
        to,
        agent_name,
        auto,
        config: crate::ai::config_for(state, org),
    })))
}

/// What `agent` lets the server send without review (nothing until they choose).
fn auto_send(state: &AppState, org: OrgId, agent: UserId) -> Result<AutoSend, StoreError> {
    let prefs = DocId::new(fieldstone_doc::prefs::KIND, agent)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let Some(stored) = state.store.load_doc(org, &prefs)? else {
        return Ok(AutoSend::default());
    };
    Ok(crate::sync::guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::prefs::read(&doc).ok())
        .and_then(|entries| {
            entries
                .get(AUTO_SEND_PREF)
                .and_then(|json| serde_json::from_str(json).ok())
        })
        .unwrap_or_default())
}

/// The step's message id: the same however often its job runs.
pub fn message_id(task: &TaskId) -> MessageId {
    MessageId::from_uuid(uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("follow-up-message:{task}").as_bytes(),
    ))
}

/// Stores the drafted message (Ready to send, or queued and the task completed). Blocking.
fn store(state: &AppState, org: OrgId, due: &Due, draft: Draft) -> Result<String, PlanError> {
    let now = state.clock.now();
    let id = message_id(&due.task.id);
    let doc_id = DocId::new(fieldstone_doc::message::KIND, id)
        .map_err(|e| PlanError::Invalid(e.to_string()))?;
    if state.store.load_doc(org, &doc_id)?.is_some() {
        return Ok("drafted before".into());
    }
    let input = MessageInput {
        contact: due.contact.id,
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: due.to.clone(),
        subject: Some(draft.subject.clone()),
        body: draft.body.clone(),
        body_html: None,
        task: Some(due.task.id),
    }
    .validate()
    .map_err(|e| PlanError::Invalid(e.to_string()))?;
    let mut message = Message::create(id, input, due.task.owner, now);
    if !due.auto {
        message.result.status = MessageStatus::Draft;
        // How it was written, for the agent reviewing it ("Template: …" or the model's).
        message.result.reason = Some(match &draft.notice {
            Some(notice) => notice.clone(),
            None => format!("{} drafted this for you.", draft.source.label()),
        });
        message.result.status_at = Some(now);
    }
    let (doc, _) = fieldstone_doc::message::create(server_actor_id(), &message)
        .map_err(|e| PlanError::Invalid(e.to_string()))?;
    if !create_as_server(
        state,
        org,
        &doc_id,
        due.task_scopes.clone(),
        due.task.owner,
        doc,
    )? {
        return Ok("drafted before".into());
    }
    if !due.auto {
        return Ok("ready to send".into());
    }
    // Sent for the agent: the step is done, and the message says which task it answered.
    let task_doc = DocId::new(fieldstone_doc::task::KIND, due.task.id)
        .map_err(|e| PlanError::Invalid(e.to_string()))?;
    write_as_server(state, org, &task_doc, due.task.owner, |doc| {
        let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
            doc: task_doc.clone(),
            reason: e.to_string(),
        };
        let mut task = fieldstone_doc::task::read(doc).map_err(unreadable)?;
        if task.set_status(TaskStatus::Completed, now) {
            task.updated_at = now;
            fieldstone_doc::task::update(doc, &task).map_err(unreadable)?;
        }
        Ok(())
    })?;
    Ok("sent automatically".into())
}
