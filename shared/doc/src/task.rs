//! A task (a follow-up or a to-do) as an Automerge document.
//!
//! Mapping decisions (DESIGN decision 1: concurrent edits must merge well):
//! - `title`, `due_at_ms`, `priority`, `status`... are top-level scalars: concurrent edits of
//!   different fields merge, an edit of the same field is a conflict a person resolves (see
//!   [`crate::conflict`]), e.g. one device completing the task while another skips it.
//! - `record` (what the task is about) is `RecordRef`'s text form `kind:uuid`, as in a note.
//! - The task's own kind is `task_kind`: `kind` is the document kind, as in every document.
//! - Timestamps are i64 milliseconds (`*_ms`), ids are strings, enums their `as_str()` names.
//! - [`read`] and [`update`] check `kind` first: a document of another kind (its `schema` counts
//!   that kind's shapes, not ours) is refused as [`DocError::WrongKind`], never read or written.

use crate::util::{
    check_kind, commit, ensure_readable, millis, opt_millis, opt_parse, parse, root_doc,
};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, Reconcile};
use fieldstone_model::Task;

#[cfg(test)]
mod tests;

pub const KIND: &str = "task";
/// Shape version of task documents written by this build.
pub const SCHEMA: u64 = 1;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/task_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct TaskDoc {
        schema: u64,
        kind: String,
        id: String,
        title: String,
        due_at_ms: Option<i64>,
        priority: String,
        status: String,
        task_kind: String,
        // What the task is about, as `kind:uuid` (`RecordRef`'s text form).
        record: Option<String>,
        owner: String,
        closed_at_ms: Option<i64>,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

impl TaskDoc {
    fn from_task(t: &Task) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: t.id.to_string(),
            title: t.title.clone(),
            due_at_ms: t.due_at.map(|t| t.timestamp_millis()),
            priority: t.priority.as_str().to_owned(),
            status: t.status.as_str().to_owned(),
            task_kind: t.kind.as_str().to_owned(),
            record: t.record.map(|r| r.to_string()),
            owner: t.owner.to_string(),
            closed_at_ms: t.closed_at.map(|t| t.timestamp_millis()),
            created_at_ms: t.created_at.timestamp_millis(),
            updated_at_ms: t.updated_at.timestamp_millis(),
            deleted_at_ms: t.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_task(self) -> Result<Task, DocError> {
        check_kind(KIND, self.kind)?;
        let mut task = Task {
            id: parse("id", &self.id)?,
            title: self.title,
            due_at: opt_millis("due_at_ms", self.due_at_ms)?,
            priority: parse("priority", &self.priority)?,
            status: parse("status", &self.status)?,
            kind: parse("task_kind", &self.task_kind)?,
            record: opt_parse("record", self.record.as_deref())?,
            owner: parse("owner", &self.owner)?,
            closed_at: opt_millis("closed_at_ms", self.closed_at_ms)?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        };
        // `status` and `closed_at_ms` merge as separate fields, so concurrent edits (reopened
        // here, skipped there) can leave them disagreeing; the status wins and the closing time
        // follows it (the last edit's time when a closed task has none).
        if task.status.is_open() {
            task.closed_at = None;
        } else if task.closed_at.is_none() {
            task.closed_at = Some(task.updated_at);
        }
        Ok(task)
    }
}

/// Creates the document for a new task, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, task: &Task) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, TaskDoc::from_task(task))?;
    let change = commit(&mut doc, task.updated_at, "create task")
        .ok_or_else(|| DocError::InvalidValue("creating a task produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `task` into an existing document, touching only what differs. Returns the change, or
/// `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, task: &Task) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, TaskDoc::from_task(task))?;
    Ok(commit(doc, task.updated_at, "update task"))
}

/// Reads the task held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Task, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    TaskDoc::hydrate_root(doc)?.into_task()
}
