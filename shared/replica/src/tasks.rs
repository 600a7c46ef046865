//! Tasks and follow-ups: one document each, optionally linked to a record.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{opt_parsed, parsed, required_time, time};
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    ContactId, FollowUpPlanning, Note, NoteId, NoteInput, Task, TaskId, TaskInput, TaskStatus,
    UserId,
};
use rusqlite::{params, Connection, Row};

record_kind!(
    Task,
    TaskId,
    fieldstone_doc::task,
    project_task,
    crate::records::Tables {
        main: "tasks",
        children: &[],
        search: None,
    }
);

pub use fieldstone_protocol::views::TaskSummary;

fn project_task(conn: &Connection, t: &Task) -> Result<(), ReplicaError> {
    let record = t.record.map(|r| r.to_string());
    let (record_kind, record_id) = match record.as_deref().and_then(|r| r.split_once(':')) {
        Some((k, i)) => (Some(k), Some(i)),
        None => (None, None),
    };
    conn.prepare_cached(
        "INSERT INTO tasks (id, title, due_at, priority, status, kind, record_kind, record_id,
           owner, closed_at, created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, due_at = excluded.due_at,
           priority = excluded.priority, status = excluded.status, kind = excluded.kind,
           record_kind = excluded.record_kind, record_id = excluded.record_id,
           owner = excluded.owner, closed_at = excluded.closed_at,
           created_at = excluded.created_at, updated_at = excluded.updated_at,
           deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        t.id.to_string(),
        t.title,
        t.due_at.map(|d| d.timestamp_millis()),
        t.priority.as_str(),
        t.status.as_str(),
        t.kind.as_str(),
        record_kind,
        record_id,
        t.owner.to_string(),
        t.closed_at.map(|d| d.timestamp_millis()),
        t.created_at.timestamp_millis(),
        t.updated_at.timestamp_millis(),
        t.deleted_at.map(|d| d.timestamp_millis()),
    ])?;
    Ok(())
}

pub(crate) const TASK_COLUMNS: &str = "t.id, t.title, t.due_at, t.priority, t.status, t.kind,
     CASE WHEN t.record_id IS NULL THEN NULL ELSE t.record_kind || ':' || t.record_id END,
     t.closed_at, t.created_at, t.deleted_at";

pub(crate) fn task_from_row(row: &Row<'_>) -> rusqlite::Result<TaskSummary> {
    Ok(TaskSummary {
        id: parsed(row, 0)?,
        title: row.get(1)?,
        due_at: time(row, 2)?,
        priority: parsed(row, 3)?,
        status: parsed(row, 4)?,
        kind: parsed(row, 5)?,
        record: opt_parsed(row, 6)?,
        closed_at: time(row, 7)?,
        created_at: required_time(row, 8)?,
        deleted_at: time(row, 9)?,
    })
}

impl Replica {
    /// Validates `input` and stores a new task owned by `owner`.
    pub fn create_task(&self, input: &TaskInput, owner: UserId) -> Result<Task, ReplicaError> {
        self.batch(|b| b.create_task(input, owner))
    }

    /// Starts the follow-up plan for an existing contact from now (the agent switched it back
    /// on, or the contact predates it), in one transaction, whatever the contact's source: the
    /// agent asked for it. Refused while the contact still has open plan steps.
    pub fn plan_follow_ups(
        &self,
        contact: &ContactId,
        owner: UserId,
        planning: &FollowUpPlanning,
    ) -> Result<Vec<Task>, ReplicaError> {
        let inputs = planning
            .settings
            .tasks(*contact, self.now_ms(), planning.zone)
            .iter()
            .map(TaskInput::validate)
            .collect::<Result<Vec<_>, _>>()?;
        if inputs.is_empty() {
            return Err(plan_error(
                "The organisation's follow-up plan has no steps.",
            ));
        }
        self.write(|tx, now| {
            if records::get::<fieldstone_model::Contact>(tx, self.actor(), *contact)?.is_none() {
                return Err(ReplicaError::NotFound {
                    what: format!("contact {contact}"),
                });
            }
            if !open_plan_steps(tx, contact)?.is_empty() {
                return Err(plan_error(
                    "This contact's follow-up plan is already running.",
                ));
            }
            let mut tasks = Vec::new();
            for input in inputs {
                let task = Task::create(
                    TaskId::from_uuid(crate::batch::new_uuid()),
                    input,
                    owner,
                    now,
                );
                records::insert(tx, self.actor(), now, &task)?;
                tasks.push(task);
            }
            Ok(tasks)
        })
    }

    /// Switches the follow-up plan off for `contact`: its open plan steps are cancelled (in one
    /// transaction), custom tasks are left alone. Answers the tasks cancelled.
    pub fn stop_follow_ups(&self, contact: &ContactId) -> Result<Vec<Task>, ReplicaError> {
        self.write(|tx, now| {
            let mut stopped = Vec::new();
            for id in open_plan_steps(tx, contact)? {
                let task = records::modify::<Task>(tx, self.actor(), id, now, |t| {
                    let changed = t.set_status(TaskStatus::Cancelled, now);
                    if changed {
                        t.updated_at = now;
                    }
                    Ok(changed)
                })?;
                stopped.push(task);
            }
            Ok(stopped)
        })
    }

    /// How many open steps of the follow-up plan `contact` has (0: no plan running).
    pub fn follow_ups_open(&self, contact: &ContactId) -> Result<u32, ReplicaError> {
        let conn = self.reader();
        let count: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM tasks WHERE record_id = ?1 AND status = 'pending'
                   AND kind <> 'custom' AND deleted_at IS NULL",
            )?
            .query_row([contact.to_string()], |r| r.get(0))?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    /// Replaces task `id`'s editable fields with `input`.
    pub fn update_task(&self, id: &TaskId, input: &TaskInput) -> Result<Task, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            records::modify::<Task>(tx, self.actor(), *id, now, |t| {
                Ok(records::edit_changes(t, now, |t| t.apply(input, now)))
            })
        })
    }

    /// Completes, skips, cancels or reopens task `id`.
    pub fn set_task_status(&self, id: &TaskId, status: TaskStatus) -> Result<Task, ReplicaError> {
        self.write(|tx, now| {
            records::modify::<Task>(tx, self.actor(), *id, now, |t| {
                let changed = t.set_status(status, now);
                if changed {
                    t.updated_at = now;
                }
                Ok(changed)
            })
        })
    }

    /// [`Replica::set_task_status`] with what happened: a non-blank `note` is added, in the
    /// same transaction, to the record the task is about (a task about nothing has nowhere to
    /// keep one, and is refused with the note's field named).
    pub fn close_task(
        &self,
        id: &TaskId,
        status: TaskStatus,
        note: Option<&str>,
        by: UserId,
    ) -> Result<Task, ReplicaError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let Some(body) = note else {
            return self.set_task_status(id, status);
        };
        self.write(|tx, now| {
            let task = records::modify::<Task>(tx, self.actor(), *id, now, |t| {
                let changed = t.set_status(status, now);
                if changed {
                    t.updated_at = now;
                }
                Ok(changed)
            })?;
            let Some(record) = task.record else {
                let mut errors = fieldstone_model::ValidationErrors::default();
                errors.push(
                    "note",
                    "This task is not about a contact or listing, so its note has nowhere to go.",
                );
                return Err(ReplicaError::Validation(errors));
            };
            let input = NoteInput {
                record,
                body: format!("{} ({}): {body}", task.title, task.status.label()),
                pinned: false,
            }
            .validate()
            .map_err(|mut e| {
                for error in &mut e.0 {
                    error.field = "note".to_owned();
                }
                e
            })?;
            let note = Note::create(NoteId::from_uuid(crate::batch::new_uuid()), input, by, now);
            records::insert(tx, self.actor(), now, &note)?;
            Ok(task)
        })
    }

    pub fn soft_delete_task(&self, id: &TaskId) -> Result<Task, ReplicaError> {
        self.set_deleted::<Task>(*id, true)
    }

    pub fn restore_task(&self, id: &TaskId) -> Result<Task, ReplicaError> {
        self.set_deleted::<Task>(*id, false)
    }

    pub fn get_task(&self, id: &TaskId) -> Result<Option<Task>, ReplicaError> {
        self.read::<Task>(*id)
    }

    /// The record's next open task: the earliest due (undated ones after every dated one,
    /// oldest first), for the contact's header.
    pub fn next_task_for(&self, record_id: &str) -> Result<Option<TaskSummary>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks t
             WHERE t.record_id = ?1 AND t.status = 'pending' AND t.deleted_at IS NULL
             ORDER BY t.due_at IS NULL, t.due_at, t.created_at, t.id
             LIMIT 1"
        ))?;
        let mut rows = stmt.query_map([record_id], task_from_row)?;
        Ok(rows.next().transpose()?)
    }

    /// The user's open tasks due before `until` (overdue ones included), soonest first: the
    /// Today list and the reminders. A teammate's task on a broker's device is not theirs to do
    /// (`crate::mine`).
    pub fn tasks_due(&self, until: DateTime<Utc>) -> Result<Vec<TaskSummary>, ReplicaError> {
        let conn = self.reader();
        let mine = crate::mine::sql(fieldstone_doc::task::KIND, "t.id");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks t
             WHERE t.status = 'pending' AND t.due_at IS NOT NULL AND t.due_at < ?1
               AND t.deleted_at IS NULL AND {mine}
             ORDER BY t.due_at, t.id"
        ))?;
        let rows = stmt.query_map([until.timestamp_millis()], task_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The contact's open plan steps (not custom tasks), soonest first.
pub(crate) fn open_plan_steps(
    conn: &Connection,
    contact: &ContactId,
) -> Result<Vec<TaskId>, ReplicaError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM tasks WHERE record_id = ?1 AND status = 'pending' AND kind <> 'custom'
           AND deleted_at IS NULL ORDER BY due_at, id",
    )?;
    let rows = stmt.query_map([contact.to_string()], |r| parsed(r, 0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn plan_error(message: &str) -> ReplicaError {
    let mut errors = fieldstone_model::ValidationErrors::default();
    errors.push("follow_up", message);
    ReplicaError::Validation(errors)
}
