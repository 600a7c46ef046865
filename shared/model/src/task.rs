//! Tasks and follow-ups. The plan a new contact gets (Day 1, Day 3, Week 1, Week 2, Month 1)
//! is `crate::follow_up`.

use crate::checks::Text;
use crate::choice::choice_enum;
use crate::common::{soft_delete_by_field, Priority, RecordRef};
use crate::ids::{TaskId, UserId};
use crate::validation::{Valid, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const TASK_TITLE_MAX_CHARS: usize = 200;

choice_enum! {
    /// Where a task stands. Only a pending task is still open.
    #[derive(Default)]
    pub enum TaskStatus as "task status" {
        #[default]
        Pending => ("pending", "Pending"),
        Completed => ("completed", "Completed"),
        Skipped => ("skipped", "Skipped"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl TaskStatus {
    pub const fn is_open(self) -> bool {
        matches!(self, TaskStatus::Pending)
    }
}

choice_enum! {
    /// A step of the follow-up plan, or a task the agent made up.
    #[derive(Default)]
    pub enum TaskKind as "task kind" {
        Day1 => ("day_1", "Day 1 follow-up"),
        Day3 => ("day_3", "Day 3 follow-up"),
        Week1 => ("week_1", "Week 1 follow-up"),
        Week2 => ("week_2", "Week 2 follow-up"),
        Month1 => ("month_1", "Month 1 follow-up"),
        #[default]
        Custom => ("custom", "Custom"),
    }
}

impl TaskKind {
    /// The follow-up steps, in order.
    pub const FOLLOW_UPS: [TaskKind; 5] = [
        TaskKind::Day1,
        TaskKind::Day3,
        TaskKind::Week1,
        TaskKind::Week2,
        TaskKind::Month1,
    ];

    /// How long after the contact was created the step falls due in the standard plan (an
    /// organisation may change it: `crate::follow_up`); `None` for a custom task.
    pub const fn offset_days(self) -> Option<i64> {
        match self {
            TaskKind::Day1 => Some(1),
            TaskKind::Day3 => Some(3),
            TaskKind::Week1 => Some(7),
            TaskKind::Week2 => Some(14),
            TaskKind::Month1 => Some(30),
            TaskKind::Custom => None,
        }
    }

    /// Whether this is a step of the follow-up plan (not a task the agent made up).
    pub const fn is_plan_step(self) -> bool {
        !matches!(self, TaskKind::Custom)
    }
}

/// A task as a form sends it. Untrusted until [`TaskInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub status: TaskStatus,
    #[serde(default)]
    pub kind: TaskKind,
    /// What the task is about, if anything.
    #[serde(default)]
    pub record: Option<RecordRef>,
}

impl TaskInput {
    /// The title is required and at most 200 characters; everything else is a closed choice.
    pub fn validate(&self) -> Result<Valid<TaskInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title =
            Text::line("a title", TASK_TITLE_MAX_CHARS).required(&mut errors, "title", &self.title);
        errors.into_valid(TaskInput {
            title,
            ..self.clone()
        })
    }
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Priority,
    pub status: TaskStatus,
    pub kind: TaskKind,
    pub record: Option<RecordRef>,
    /// Whose task it is.
    pub owner: UserId,
    /// When the task stopped being pending; `None` while it is open.
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Task);

impl Task {
    /// A new task from a validated input. The engine mints the id and passes the time in.
    pub fn create(id: TaskId, input: Valid<TaskInput>, owner: UserId, at: DateTime<Utc>) -> Self {
        let input = input.into_inner();
        Task {
            id,
            title: input.title,
            due_at: input.due_at,
            priority: input.priority,
            status: input.status,
            kind: input.kind,
            record: input.record,
            owner,
            closed_at: (!input.status.is_open()).then_some(at),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the editable fields with a validated input; a status change goes through
    /// [`Task::set_status`].
    pub fn apply(&mut self, input: Valid<TaskInput>, at: DateTime<Utc>) {
        let input = input.into_inner();
        self.title = input.title;
        self.due_at = input.due_at;
        self.priority = input.priority;
        self.kind = input.kind;
        self.record = input.record;
        self.set_status(input.status, at);
        self.updated_at = at;
    }

    /// Moves the task to `status`: closing an open task stamps `closed_at`, reopening clears it,
    /// and moving between closed states keeps the first closing time. Returns whether it changed.
    pub fn set_status(&mut self, status: TaskStatus, at: DateTime<Utc>) -> bool {
        if status == self.status {
            return false;
        }
        if status.is_open() {
            self.closed_at = None;
        } else if self.closed_at.is_none() {
            self.closed_at = Some(at);
        }
        self.status = status;
        true
    }

    /// Whether the task is open and its due time has passed at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open()
            && self.deleted_at.is_none()
            && self.due_at.is_some_and(|due| due < now)
    }
}

#[cfg(test)]
mod tests;
