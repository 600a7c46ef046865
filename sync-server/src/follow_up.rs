//! The follow-up plan of leads the server places (seed 002, issue 16): a lead that arrives by
//! intake, or is claimed, assigned or routed from an open house, gets the organisation's plan as
//! tasks owned by the agent who now holds it, due in that agent's zone. The same rule the
//! devices use for what agents type and import (`fieldstone_model::follow_up`).
//!
//! Each step's task id is derived from the contact and the step, so a retried delivery, two
//! racing claims or two server processes create each step once.

use crate::org_settings;
use crate::store::StoreError;
use crate::sync::server_write::{create_as_server, server_actor_id, NewDoc, ServerWriteError};
use crate::AppState;
use fieldstone_model::{Contact, FollowUpPlanning, OrgId, Task, TaskId, UserId};
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
