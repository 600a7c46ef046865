//! The task dialog's form (Today's Add task and Edit): title, due day and time, priority, and
//! for a new task whom it is about. Turned into the model's input on save; the model checks the
//! title, this checks the day and time as typed.

use super::format::Local;
use chrono::{NaiveDate, NaiveTime};
use fieldstone_model::{ContactId, Priority, RecordRef, TaskInput, TaskKind, TaskStatus};
use fieldstone_protocol::views::TaskSummary;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskForm {
    pub title: String,
    /// `YYYY-MM-DD` as a date input gives it; empty: no due date.
    pub day: String,
    /// `HH:MM`; empty with a day: 09:00.
    pub time: String,
    pub priority: Priority,
    /// Whom it is about: (id, name). Kept as it was when editing.
    pub about: Option<(ContactId, String)>,
    /// What an edited task was about, other than a contact (a listing, a booking).
    record: Option<RecordRef>,
    kind: TaskKind,
    status: TaskStatus,
}

/// When a task with a day and no time is due.
const DEFAULT_TIME: (u32, u32) = (9, 0);

impl TaskForm {
    /// A new task due on `day`.
    pub fn new(day: NaiveDate) -> Self {
        TaskForm {
            title: String::new(),
            day: day.format("%Y-%m-%d").to_string(),
            time: String::new(),
            priority: Priority::Medium,
            about: None,
            record: None,
            kind: TaskKind::Custom,
            status: TaskStatus::Pending,
        }
    }

    /// The form for editing `task` (its contact's name is not in the summary: `about_name`).
    pub fn edit(task: &TaskSummary, local: Local, about_name: Option<String>) -> Self {
        let (day, time) = task.due_at.map_or((String::new(), String::new()), |due| {
            let at = local.naive(due);
            (
                at.date().format("%Y-%m-%d").to_string(),
                at.time().format("%H:%M").to_string(),
            )
        });
        TaskForm {
            title: task.title.clone(),
            day,
            time,
            priority: task.priority,
            about: task
                .record
                .and_then(|r| r.as_contact())
                .map(|id| (id, about_name.unwrap_or_default())),
            record: task.record,
            kind: task.kind,
            status: task.status,
        }
    }

    /// The model's input, or the field (`due_day`, `due_time`) and the sentence to fix.
    pub fn to_input(&self, local: Local) -> Result<TaskInput, (&'static str, String)> {
        let day = self.day.trim();
        let time = self.time.trim();
        let due_at = if day.is_empty() {
            if !time.is_empty() {
                return Err((
                    "due_day",
                    "Choose the day it is due, or clear the time.".into(),
                ));
            }
            None
        } else {
            let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                (
                    "due_day",
                    format!("\"{day}\" is not a day (use the picker)."),
                )
            })?;
            let at = if time.is_empty() {
                NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).unwrap_or_default()
            } else {
                NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| {
                    (
                        "due_time",
                        format!("\"{time}\" is not a time, such as 14:30."),
                    )
                })?
            };
            Some(local.instant(day.and_time(at)))
        };
        let record = match self.about {
            Some((id, _)) => Some(RecordRef::Contact(id)),
            None => self.record.filter(|r| r.as_contact().is_none()),
        };
        Ok(TaskInput {
            title: self.title.clone(),
            due_at,
            priority: self.priority,
            status: self.status,
            kind: self.kind,
            record,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    fn local() -> Local {
        Local { offset_minutes: 60 }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).expect("day")
    }

    #[test]
    fn a_new_task_is_due_at_its_local_time_and_about_its_contact() {
        let ada: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let mut form = TaskForm::new(day());
        form.title = "Send the CMA".into();
        form.time = "14:30".into();
        form.about = Some((ada, "Ada King".into()));
        let input = form.to_input(local()).expect("valid");
        assert_eq!(
            input.due_at,
            Some(
                Utc.with_ymd_and_hms(2026, 3, 2, 13, 30, 0)
                    .single()
                    .expect("t")
            )
        );
        assert_eq!(input.record, Some(RecordRef::Contact(ada)));
        assert!(input.validate().is_ok());
        // A day without a time is due at nine.
        form.time.clear();
        assert_eq!(
            form.to_input(local()).expect("valid").due_at,
            Some(
                Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0)
                    .single()
                    .expect("t")
            )
        );
        // No day: no due date.
        form.day.clear();
        assert_eq!(form.to_input(local()).expect("valid").due_at, None);
    }

    #[test]
    fn a_bad_day_or_time_is_named_and_a_time_needs_a_day() {
        let mut form = TaskForm::new(day());
        form.time = "25:99".into();
        assert_eq!(form.to_input(local()).expect_err("time").0, "due_time");
        form.day = "someday".into();
        form.time.clear();
        assert_eq!(form.to_input(local()).expect_err("day").0, "due_day");
        form.day.clear();
        form.time = "10:00".into();
        assert_eq!(form.to_input(local()).expect_err("no day").0, "due_day");
    }

    #[test]
    fn editing_keeps_what_the_form_does_not_show() {
        let listing: fieldstone_model::ListingId =
            "00000000-0000-4000-8000-000000000009".parse().expect("id");
        let task = TaskSummary {
            id: "00000000-0000-4000-8000-000000000002".parse().expect("id"),
            title: "Order the sign".into(),
            due_at: Some(DateTime::from_timestamp(1_772_442_000, 0).expect("t")),
            priority: Priority::High,
            status: TaskStatus::Pending,
            kind: TaskKind::Week1,
            record: Some(RecordRef::Listing(listing)),
            closed_at: None,
            created_at: DateTime::from_timestamp(1_772_400_000, 0).expect("t"),
            deleted_at: None,
        };
        let form = TaskForm::edit(&task, local(), None);
        assert_eq!(form.about, None);
        let input = form.to_input(local()).expect("valid");
        assert_eq!(input.record, Some(RecordRef::Listing(listing)));
        assert_eq!(input.kind, TaskKind::Week1);
        assert_eq!(input.priority, Priority::High);
        assert_eq!(input.due_at, task.due_at);
    }
}
