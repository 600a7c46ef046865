//! Tasks and follow-ups: one document each, optionally linked to a record.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{opt_parsed, parsed, required_time, time};
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{follow_up_tasks, ContactId, Task, TaskId, TaskInput, TaskStatus, UserId};
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

    /// Creates the standard follow-up plan (day 1, day 3, week 1, week 2, month 1) for a
    /// contact, in one transaction.
    pub fn plan_follow_ups(
        &self,
        contact: &ContactId,
        owner: UserId,
    ) -> Result<Vec<Task>, ReplicaError> {
        let inputs = follow_up_tasks(*contact, self.now_ms())
            .iter()
            .map(TaskInput::validate)
            .collect::<Result<Vec<_>, _>>()?;
        self.write(|tx, now| {
            if records::get::<fieldstone_model::Contact>(tx, self.actor(), *contact)?.is_none() {
                return Err(ReplicaError::NotFound {
                    what: format!("contact {contact}"),
                });
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
