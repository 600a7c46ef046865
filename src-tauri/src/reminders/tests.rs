use super::*;
use fieldstone_model::{
    Attendees, BookingId, BookingInput, BookingKind, FixedClock, Priority, TaskId, TaskInput,
    TaskKind, UserId,
};
use std::sync::{Arc, Mutex};

fn at(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_000_000, 0).expect("time") + Duration::minutes(minute)
}

fn booking(id: u128, starts: i64, reminders: Vec<u32>) -> Booking {
    Booking {
        id: BookingId::from_uuid(uuid::Uuid::from_u128(id)),
        kind: BookingKind::Showing,
        title: Some("Showing at 12 Oak St".into()),
        starts_at: at(starts),
        ends_at: at(starts + 30),
        time_zone: "Europe/London".into(),
        location: Some("12 Oak St".into()),
        attendees: Attendees::default(),
        listing: None,
        status: BookingStatus::Scheduled,
        reminders,
        created_by: UserId::from_uuid(uuid::Uuid::from_u128(9)),
        created_at: at(-1000),
        updated_at: at(-1000),
        deleted_at: None,
    }
}

fn task(id: u128, due: i64) -> TaskSummary {
    TaskSummary {
        id: TaskId::from_uuid(uuid::Uuid::from_u128(id)),
        title: "Call Ada back".into(),
        due_at: Some(at(due)),
        priority: Priority::default(),
        status: TaskStatus::Pending,
        kind: TaskKind::default(),
        record: None,
        closed_at: None,
        created_at: at(-1000),
        deleted_at: None,
    }
}

#[test]
fn a_booking_without_reminders_gets_the_default_and_its_own_otherwise() {
    let plan = plan(&[booking(1, 60, vec![]), booking(2, 60, vec![5, 120])], &[]);
    let times: Vec<i64> = plan.iter().map(|r| (r.at - at(0)).num_minutes()).collect();
    assert_eq!(times, vec![-60, 45, 55]);
}

#[test]
fn cancelled_deleted_and_closed_things_have_no_reminders() {
    let mut cancelled = booking(1, 60, vec![]);
    cancelled.status = BookingStatus::Cancelled;
    let mut deleted = booking(2, 60, vec![]);
    deleted.deleted_at = Some(at(0));
    let mut done = task(3, 10);
    done.status = TaskStatus::Completed;
    let mut undated = task(4, 10);
    undated.due_at = None;
    assert!(plan(&[cancelled, deleted], &[done, undated]).is_empty());
}

#[test]
fn each_reminder_fires_once_when_its_time_passes() {
    let plan = plan(&[booking(1, 30, vec![])], &[task(2, 20)]);
    let mut scheduler = Scheduler::new(at(0));
    assert!(scheduler.due(&plan, at(10)).is_empty(), "nothing due yet");
    let due = scheduler.due(&plan, at(15));
    assert_eq!(due.len(), 1, "the booking's 15-minute reminder");
    assert!(due[0].key.starts_with("booking:"));
    assert!(scheduler.due(&plan, at(16)).is_empty(), "not twice");
    let due = scheduler.due(&plan, at(21));
    assert_eq!(due.len(), 1);
    assert!(due[0].key.starts_with("task:"));
    assert!(scheduler.due(&plan, at(90)).is_empty());
}

#[test]
fn at_start_up_recent_reminders_catch_up_but_not_for_bookings_already_started() {
    // Reminders at -25 (booking starting at -10: too late) and -40 (booking at +5: still ahead).
    let plan = plan(
        &[booking(1, -10, vec![15]), booking(2, 5, vec![45])],
        &[task(3, -30), task(4, -(CATCH_UP.num_minutes() + 5))],
    );
    let mut scheduler = Scheduler::new(at(0));
    let keys: Vec<String> = scheduler
        .due(&plan, at(0))
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys
        .iter()
        .any(|k| k.starts_with("booking:") && k.ends_with(":45")));
    assert!(keys
        .iter()
        .any(|k| k.contains(&uuid::Uuid::from_u128(3).to_string())));
}

#[test]
fn a_clock_that_goes_back_fires_nothing_and_does_not_repeat() {
    let plan = plan(&[], &[task(1, 10)]);
    let mut scheduler = Scheduler::new(at(0));
    assert_eq!(scheduler.due(&plan, at(11)).len(), 1);
    assert!(scheduler.due(&plan, at(5)).is_empty());
    assert!(scheduler.due(&plan, at(12)).is_empty(), "fired already");
}

#[test]
fn a_moved_booking_is_reminded_again_at_its_new_time() {
    let mut scheduler = Scheduler::new(at(0));
    assert_eq!(
        scheduler
            .due(&plan(&[booking(1, 20, vec![])], &[]), at(6))
            .len(),
        1
    );
    // Moved, with a reminder 10 minutes before its new start: a new reminder, fired at 30.
    let moved = plan(&[booking(1, 40, vec![10])], &[]);
    assert_eq!(
        scheduler.due(&moved, at(31)).len(),
        1,
        "a new offset is a new reminder"
    );
}

#[test]
fn relative_times_read_naturally() {
    assert_eq!(relative(at(15), at(0)), "in 15 min");
    assert_eq!(relative(at(0), at(0)), "now");
    assert_eq!(relative(at(180), at(0)), "in 3 h");
    assert_eq!(relative(at(-5), at(0)), "5 min ago");
}

struct Recorder(Mutex<Vec<String>>, bool);

impl Notifier for Recorder {
    fn show(&self, title: &str, body: &str) -> Result<(), String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("{title} | {body}"));
        if self.1 {
            Ok(())
        } else {
            Err("no notification daemon".into())
        }
    }
}

#[test]
fn a_failed_notification_is_counted_and_the_others_still_go_out() {
    let plan = plan(&[booking(1, 30, vec![])], &[task(2, 15)]);
    let failing = Recorder(Mutex::new(Vec::new()), false);
    let mut scheduler = Scheduler::new(at(0));
    let report = tick(&mut scheduler, &plan, &failing, at(15));
    assert_eq!(report.fired.len(), 2);
    assert_eq!(report.failed, 2);
    let shown = failing.0.lock().expect("lock").clone();
    assert_eq!(
        shown,
        vec![
            "Showing at 12 Oak St | in 15 min · 12 Oak St".to_owned(),
            "Follow-up due: Call Ada back | now".to_owned()
        ]
    );
}

#[test]
fn the_plan_is_read_from_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(at(0)));
    let replica = Replica::open(&dir.path().join("db.sqlite"), clock).expect("open");
    let user = UserId::from_uuid(uuid::Uuid::from_u128(7));
    let input = BookingInput {
        kind: BookingKind::Showing,
        title: None,
        starts_at: at(60),
        ends_at: at(90),
        time_zone: "Europe/London".into(),
        location: None,
        attendees: Attendees::default(),
        listing: None,
        status: BookingStatus::Scheduled,
        reminders: vec![30],
    };
    replica.create_booking(&input, user).expect("booking");
    replica
        .create_booking(
            &BookingInput {
                starts_at: at(-600),
                ends_at: at(-580),
                ..input.clone()
            },
            user,
        )
        .expect("past booking");
    replica
        .create_task(
            &TaskInput {
                title: "Send the contract".into(),
                due_at: Some(at(120)),
                priority: Priority::default(),
                status: TaskStatus::Pending,
                kind: TaskKind::default(),
                record: None,
            },
            user,
        )
        .expect("task");
    let plan = load_plan(&replica, at(0)).expect("plan");
    let times: Vec<i64> = plan.iter().map(|r| (r.at - at(0)).num_minutes()).collect();
    assert_eq!(times, vec![30, 120]);
    assert_eq!(plan[0].title, "Showing");
}
