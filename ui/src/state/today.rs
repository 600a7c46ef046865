//! Today: the day's bookings, overdue and due follow-ups, the hottest open leads and recent
//! activity, for the local day. Ticking a follow-up off reloads the day.

use super::format::Local;
use super::ListView;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use fieldstone_model::{TaskId, TaskInput, TaskStatus};
use fieldstone_protocol::commands::{Today, TodayRequest};
use fieldstone_protocol::views::TaskSummary;
use std::rc::Rc;
use yew::Reducible;

/// Rows of hottest leads and of recent activity.
pub const TODAY_ROWS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodayAction {
    Reload,
    Loaded {
        request: u64,
        today: Box<Today>,
    },
    Failed {
        request: u64,
        message: String,
    },
    /// Done, skipped or moved to tomorrow, from the follow-up's row.
    Change(TaskId, TaskChange),
    Changed(Result<TaskChange, String>),
    /// A task was added or edited in the task dialog: say so and read the day again.
    Saved(String),
}

/// What a follow-up's row can do to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskChange {
    Done,
    Skip,
    /// Moved to tomorrow: the task as it will be written.
    Tomorrow(Box<TaskInput>),
}

impl TaskChange {
    /// What the screen says once it is written.
    pub fn said(&self) -> &'static str {
        match self {
            TaskChange::Done => "Done — nice.",
            TaskChange::Skip => "Skipped. It stays on the contact's timeline.",
            TaskChange::Tomorrow(_) => "Moved to tomorrow.",
        }
    }
}

/// The task moved to the local day after `day`, at its own local time of day (09:00 when it
/// had none): "tomorrow" for a task due today, and for one long overdue.
pub fn tomorrow(task: &TaskSummary, day: NaiveDate, local: Local) -> TaskInput {
    let at = task
        .due_at
        .map(|due| local.naive(due).time())
        .unwrap_or_else(|| NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
    let next = (day + Duration::days(1)).and_time(at.with_second(0).unwrap_or(at));
    TaskInput {
        title: task.title.clone(),
        due_at: Some(local.instant(next)),
        priority: task.priority,
        status: TaskStatus::Pending,
        kind: task.kind,
        record: task.record,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodayState {
    pub day: NaiveDate,
    pub local: Local,
    pub today: Option<Rc<Today>>,
    pub view: ListView,
    pub request: u64,
    /// A follow-up change to write: (seq, task, change).
    pub changing: Option<(u64, TaskId, TaskChange)>,
    seq: u64,
    pub message: Option<String>,
}

impl TodayState {
    pub fn new(now: DateTime<Utc>, local: Local) -> Self {
        TodayState {
            day: local.date(now),
            local,
            today: None,
            view: ListView::Loading,
            request: 1,
            changing: None,
            seq: 0,
            message: None,
        }
    }

    /// The local day, as the instants the engine is asked about.
    pub fn request_body(&self) -> TodayRequest {
        let (day_start, day_end) = self.local.day(self.day);
        TodayRequest {
            day_start,
            day_end,
            rows: TODAY_ROWS,
        }
    }

    /// Everything the day holds is empty: a calm day.
    pub fn is_quiet(&self) -> bool {
        self.today.as_ref().is_some_and(|t| {
            t.bookings.is_empty() && t.overdue.is_empty() && t.due_today.is_empty()
        })
    }
}

impl Reducible for TodayState {
    type Action = TodayAction;

    fn reduce(self: Rc<Self>, action: TodayAction) -> Rc<Self> {
        match &action {
            TodayAction::Loaded { request, .. } | TodayAction::Failed { request, .. }
                if *request != self.request =>
            {
                return self;
            }
            TodayAction::Change(..) if self.changing.is_some() => return self,
            _ => {}
        }
        let mut next = (*self).clone();
        match action {
            TodayAction::Reload => next.request += 1,
            TodayAction::Loaded { today, .. } => {
                next.today = Some(Rc::new(*today));
                next.view = ListView::Loaded;
            }
            TodayAction::Failed { message, .. } => {
                if next.today.is_some() {
                    next.message = Some(message);
                } else {
                    next.view = ListView::Failed(message);
                }
            }
            TodayAction::Change(task, change) => {
                next.seq += 1;
                next.changing = Some((next.seq, task, change));
            }
            TodayAction::Changed(result) => {
                next.changing = None;
                match result {
                    Ok(change) => {
                        next.message = Some(change.said().into());
                        next.request += 1;
                    }
                    Err(message) => next.message = Some(message),
                }
            }
            TodayAction::Saved(said) => {
                next.message = Some(said);
                next.request += 1;
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 3, 23, 30, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn the_day_is_the_local_one() {
        let state = TodayState::new(now(), Local { offset_minutes: 60 });
        assert_eq!(
            state.day,
            NaiveDate::from_ymd_opt(2026, 11, 4).expect("date")
        );
        let body = state.request_body();
        assert_eq!(
            body.day_start,
            Utc.with_ymd_and_hms(2026, 11, 3, 23, 0, 0)
                .single()
                .expect("t")
        );
        assert_eq!(body.day_end - body.day_start, chrono::Duration::days(1));
    }

    #[test]
    fn a_change_runs_once_reloads_and_says_what_it_did() {
        let task: TaskId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let state = Rc::new(TodayState::new(now(), Local::UTC))
            .reduce(TodayAction::Change(task, TaskChange::Skip));
        assert_eq!(state.changing, Some((1, task, TaskChange::Skip)));
        let twice = Rc::clone(&state).reduce(TodayAction::Change(task, TaskChange::Done));
        assert!(Rc::ptr_eq(&state, &twice), "one change at a time");
        let state = state.reduce(TodayAction::Changed(Ok(TaskChange::Skip)));
        assert_eq!(state.request, 2);
        assert_eq!(state.changing, None);
        assert_eq!(
            state.message.as_deref(),
            Some("Skipped. It stays on the contact's timeline.")
        );
        let failed = state.reduce(TodayAction::Changed(Err("Not saved".into())));
        assert_eq!(failed.request, 2, "a failure does not reload");
        assert_eq!(failed.message.as_deref(), Some("Not saved"));
    }

    #[test]
    fn tomorrow_keeps_the_time_of_day_or_takes_nine_o_clock() {
        let local = Local { offset_minutes: 60 };
        let day = NaiveDate::from_ymd_opt(2026, 11, 4).expect("date");
        let mut task = TaskSummary {
            id: "00000000-0000-4000-8000-000000000001".parse().expect("id"),
            title: "Call back".into(),
            // 14:30 local, three days ago.
            due_at: Utc.with_ymd_and_hms(2026, 11, 1, 13, 30, 0).single(),
            priority: fieldstone_model::Priority::High,
            status: TaskStatus::Pending,
            kind: Default::default(),
            record: None,
            closed_at: None,
            created_at: now(),
            deleted_at: None,
        };
        let moved = tomorrow(&task, day, local);
        assert_eq!(
            moved.due_at,
            Utc.with_ymd_and_hms(2026, 11, 5, 13, 30, 0).single()
        );
        assert_eq!(moved.title, "Call back");
        assert_eq!(moved.priority, fieldstone_model::Priority::High);
        task.due_at = None;
        assert_eq!(
            tomorrow(&task, day, local).due_at,
            Utc.with_ymd_and_hms(2026, 11, 5, 8, 0, 0).single()
        );
    }

    #[test]
    fn an_old_answer_is_dropped() {
        let state = Rc::new(TodayState::new(now(), Local::UTC)).reduce(TodayAction::Reload);
        let stale = Rc::clone(&state).reduce(TodayAction::Failed {
            request: 1,
            message: "x".into(),
        });
        assert!(Rc::ptr_eq(&state, &stale));
    }
}
