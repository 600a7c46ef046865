//! Today: the day's bookings, overdue and due follow-ups, the hottest open leads and recent
//! activity, for the local day. Ticking a follow-up off reloads the day.

use super::format::Local;
use super::ListView;
use chrono::{DateTime, NaiveDate, Utc};
use fieldstone_model::{TaskId, TaskStatus};
use fieldstone_protocol::commands::{Today, TodayRequest};
use std::rc::Rc;
use yew::Reducible;

/// Rows of hottest leads and of recent activity.
pub const TODAY_ROWS: u32 = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TodayAction {
    Reload,
    Loaded { request: u64, today: Box<Today> },
    Failed { request: u64, message: String },
    Tick(TaskId),
    Ticked(Result<(), String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodayState {
    pub day: NaiveDate,
    pub local: Local,
    pub today: Option<Rc<Today>>,
    pub view: ListView,
    pub request: u64,
    /// A follow-up to mark done: (seq, task).
    pub ticking: Option<(u64, TaskId)>,
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
            ticking: None,
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
            TodayAction::Tick(_) if self.ticking.is_some() => return self,
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
            TodayAction::Tick(task) => {
                next.seq += 1;
                next.ticking = Some((next.seq, task));
            }
            TodayAction::Ticked(result) => {
                next.ticking = None;
                match result {
                    Ok(()) => {
                        next.message = Some("Done — nice.".into());
                        next.request += 1;
                    }
                    Err(message) => next.message = Some(message),
                }
            }
        }
        Rc::new(next)
    }
}

/// The status a ticked follow-up gets.
pub const TICKED: TaskStatus = TaskStatus::Completed;

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
    fn a_tick_runs_once_and_reloads() {
        let task: TaskId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let state = Rc::new(TodayState::new(now(), Local::UTC)).reduce(TodayAction::Tick(task));
        assert_eq!(state.ticking, Some((1, task)));
        let twice = Rc::clone(&state).reduce(TodayAction::Tick(task));
        assert!(Rc::ptr_eq(&state, &twice));
        let state = state.reduce(TodayAction::Ticked(Ok(())));
        assert_eq!(state.request, 2);
        assert_eq!(state.ticking, None);
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
