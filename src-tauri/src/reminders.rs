//! Reminders as OS notifications, computed on this device from the local engine, so they fire
//! with no network: each booking's reminders (its own, or [`DEFAULT_BOOKING_MINUTES`] before
//! the start when it has none) and every open task when it falls due.
//!
//! Time is passed in: [`plan`] and [`Scheduler`] are pure, and [`tick`] takes `now`, so the
//! schedule is tested without sleeping. A notification that cannot be shown (no session bus, no
//! notification daemon, a phone) is logged and counted, never fatal.

use chrono::{DateTime, Duration, Utc};
use fieldstone_model::{Booking, BookingStatus, TaskStatus};
use fieldstone_protocol::views::TaskSummary;
use fieldstone_replica::{Replica, ReplicaError};
use std::collections::HashSet;

/// A booking with no reminder of its own is announced this long before it starts.
pub const DEFAULT_BOOKING_MINUTES: u32 = 15;
/// How often the shell checks.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);
/// At start-up, reminders this recent still fire (the app was closed, the laptop asleep).
pub const CATCH_UP: Duration = Duration::hours(1);
/// Bookings starting this far ahead are planned (the longest reminder a booking may have).
pub const LOOKAHEAD: Duration = Duration::days(28);
/// The plan is rebuilt at least this often even when nothing was written here.
pub const REPLAN_EVERY: Duration = Duration::minutes(10);

/// One notification to show at `at`, unless it is too late (`until`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Names the reminder across plans (`booking:<id>:<minutes>`, `task:<id>:<due>`).
    pub key: String,
    pub at: DateTime<Utc>,
    /// Past this the reminder is pointless (the booking started).
    pub until: Option<DateTime<Utc>>,
    pub title: String,
    pub body: String,
    /// A booking's start, or a task's due time: the body says "in 15 min" from it.
    pub of: DateTime<Utc>,
}

/// Every reminder of `bookings` and `tasks` (deleted, cancelled and closed ones have none).
pub fn plan(bookings: &[Booking], tasks: &[TaskSummary]) -> Vec<Reminder> {
    let mut reminders = Vec::new();
    for booking in bookings {
        if booking.deleted_at.is_some() || booking.status != BookingStatus::Scheduled {
            continue;
        }
        let minutes = if booking.reminders.is_empty() {
            vec![DEFAULT_BOOKING_MINUTES]
        } else {
            booking.reminders.clone()
        };
        let what = booking
            .title
            .clone()
            .unwrap_or_else(|| booking.kind.label().to_owned());
        for m in minutes {
            reminders.push(Reminder {
                key: format!("booking:{}:{m}", booking.id),
                at: booking.starts_at - Duration::minutes(i64::from(m)),
                until: Some(booking.starts_at),
                title: what.clone(),
                body: booking.location.clone().unwrap_or_default(),
                of: booking.starts_at,
            });
        }
    }
    for task in tasks {
        let Some(due) = task.due_at else { continue };
        if task.deleted_at.is_some() || task.status != TaskStatus::Pending {
            continue;
        }
        reminders.push(Reminder {
            key: format!("task:{}:{}", task.id, due.timestamp_millis()),
            at: due,
            until: None,
            title: format!("Follow-up due: {}", task.title),
            body: String::new(),
            of: due,
        });
    }
    reminders.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    reminders
}

/// Which reminders are due: those whose time passed since the last check (or within
/// [`CATCH_UP`] of the first), each once.
#[derive(Debug)]
pub struct Scheduler {
    since: DateTime<Utc>,
    fired: HashSet<String>,
}

impl Scheduler {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            since: now - CATCH_UP,
            fired: HashSet::new(),
        }
    }

    /// The reminders of `plan` due at `now`, marked as fired. A clock that went back fires
    /// nothing and waits for the time to come round again.
    pub fn due(&mut self, plan: &[Reminder], now: DateTime<Utc>) -> Vec<Reminder> {
        if now < self.since {
            self.since = now;
            return Vec::new();
        }
        let since = self.since;
        self.since = now;
        // Keys of reminders long gone are forgotten so the set stays small.
        let horizon = now - CATCH_UP;
        let live: HashSet<&str> = plan
            .iter()
            .filter(|r| r.at > horizon)
            .map(|r| r.key.as_str())
            .collect();
        self.fired.retain(|k| live.contains(k.as_str()));
        plan.iter()
            .filter(|r| r.at > since && r.at <= now)
            .filter(|r| r.until.is_none_or(|until| now < until))
            .filter(|r| self.fired.insert(r.key.clone()))
            .cloned()
            .collect()
    }
}

/// "in 15 min", "now", "2 h ago" — relative, so it needs no time zone.
pub fn relative(of: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (of - now).num_minutes();
    match minutes {
        0 => "now".to_owned(),
        1..=90 => format!("in {minutes} min"),
        91.. => format!("in {} h", (minutes + 30) / 60),
        -90..=-1 => format!("{} min ago", -minutes),
        _ => format!("{} h ago", (-minutes + 30) / 60),
    }
}

/// Reads what [`plan`] needs from the engine: the user's bookings starting in `(now - CATCH_UP,
/// now + LOOKAHEAD]` (their documents, for their reminders) and open tasks due before the
/// lookahead; a teammate's on a broker's device never ring.
pub fn load_plan(replica: &Replica, now: DateTime<Utc>) -> Result<Vec<Reminder>, ReplicaError> {
    let mut bookings = Vec::new();
    for summary in replica.my_bookings_between(now - CATCH_UP, now + LOOKAHEAD)? {
        if summary.starts_at <= now - CATCH_UP || summary.status != BookingStatus::Scheduled {
            continue;
        }
        if let Some(booking) = replica.get_booking(&summary.id)? {
            bookings.push(booking);
        }
    }
    let tasks: Vec<TaskSummary> = replica
        .tasks_due(now + LOOKAHEAD)?
        .into_iter()
        .filter(|t| t.due_at.is_some_and(|d| d > now - CATCH_UP))
        .collect();
    Ok(plan(&bookings, &tasks))
}

/// Shows a notification.
pub trait Notifier: Send + Sync {
    fn show(&self, title: &str, body: &str) -> Result<(), String>;
}

/// The OS's notifications (notify-rust: D-Bus on Linux, Notification Center on macOS, toasts on
/// Windows). Phones: not wired yet; the reminder is logged.
pub struct OsNotifier;

impl Notifier for OsNotifier {
    #[cfg(desktop)]
    fn show(&self, title: &str, body: &str) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("Fieldstone")
            .summary(title)
            .body(body)
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[cfg(mobile)]
    fn show(&self, title: &str, _body: &str) -> Result<(), String> {
        Err(format!(
            "notifications are not available on phones yet: {title}"
        ))
    }
}

/// What one check did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Keys of the reminders shown or attempted.
    pub fired: Vec<String>,
    /// How many could not be shown (logged).
    pub failed: usize,
}

/// Shows what is due at `now`. A notification that fails is logged and counted; the rest
/// still go out.
pub fn tick(
    scheduler: &mut Scheduler,
    plan: &[Reminder],
    notifier: &dyn Notifier,
    now: DateTime<Utc>,
) -> TickReport {
    show(scheduler.due(plan, now), notifier, now)
}

/// Shows `due` (may block on D-Bus: call from a blocking thread).
pub fn show(due: Vec<Reminder>, notifier: &dyn Notifier, now: DateTime<Utc>) -> TickReport {
    let mut report = TickReport::default();
    for reminder in due {
        let when = relative(reminder.of, now);
        let body = if reminder.body.is_empty() {
            when
        } else {
            format!("{when} · {}", reminder.body)
        };
        if let Err(error) = notifier.show(&reminder.title, &body) {
            tracing::warn!(%error, key = %reminder.key, "reminder not shown");
            report.failed += 1;
        }
        report.fired.push(reminder.key);
    }
    report
}

#[cfg(test)]
mod tests;
