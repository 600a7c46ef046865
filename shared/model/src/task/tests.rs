use super::*;
use crate::choice::assert_choice_names;
use crate::common::SoftDelete;
use crate::ids::ContactId;
use crate::test_support::{assert_json_round_trip, at, user, uuid};

fn input(title: &str) -> TaskInput {
    TaskInput {
        title: title.into(),
        due_at: Some(at(2025, 3, 10, 9, 0)),
        priority: Priority::High,
        status: TaskStatus::Pending,
        kind: TaskKind::Custom,
        record: Some(RecordRef::Contact(ContactId::from_uuid(uuid(1)))),
    }
}

fn task() -> Task {
    let valid = input("Send comps").validate().expect("valid");
    Task::create(
        TaskId::from_uuid(uuid(4)),
        valid,
        user(1),
        at(2025, 3, 1, 9, 0),
    )
}

#[test]
fn choices_are_consistent() {
    assert_choice_names::<TaskStatus>();
    assert_choice_names::<TaskKind>();
    assert_eq!(TaskKind::Day1.as_str(), "day_1");
    assert_eq!(TaskKind::Month1.label(), "Month 1 follow-up");
    assert!(TaskStatus::Pending.is_open());
    assert!(!TaskStatus::Skipped.is_open());
}

#[test]
fn title_rules() {
    assert_eq!(
        input("  Call back ").validate().expect("valid").title,
        "Call back"
    );
    let errors = input("  ").validate().expect_err("invalid");
    assert_eq!(errors.fields(), ["title"]);
    assert_eq!(errors.for_field("title"), Some("Enter a title."));
    let long = "t".repeat(TASK_TITLE_MAX_CHARS + 1);
    assert_eq!(
        input(&long).validate().expect_err("invalid").fields(),
        ["title"]
    );
    assert_eq!(
        input("a\tb").validate().expect_err("invalid").fields(),
        ["title"]
    );
}

#[test]
fn status_changes_stamp_and_clear_closed_at() {
    let mut task = task();
    assert_eq!(task.closed_at, None);
    assert!(!task.set_status(TaskStatus::Pending, at(2025, 3, 2, 0, 0)));
    assert!(task.set_status(TaskStatus::Completed, at(2025, 3, 2, 0, 0)));
    assert_eq!(task.closed_at, Some(at(2025, 3, 2, 0, 0)));
    assert!(task.set_status(TaskStatus::Skipped, at(2025, 3, 3, 0, 0)));
    assert_eq!(task.closed_at, Some(at(2025, 3, 2, 0, 0)));
    assert!(task.set_status(TaskStatus::Pending, at(2025, 3, 4, 0, 0)));
    assert_eq!(task.closed_at, None);
}

#[test]
fn a_task_created_closed_is_stamped() {
    let mut done = input("Done already");
    done.status = TaskStatus::Completed;
    let task = Task::create(
        TaskId::from_uuid(uuid(5)),
        done.validate().expect("valid"),
        user(1),
        at(2025, 3, 1, 0, 0),
    );
    assert_eq!(task.closed_at, Some(at(2025, 3, 1, 0, 0)));
}

#[test]
fn overdue_means_open_and_past_due() {
    let mut task = task();
    assert!(
        !task.is_overdue(at(2025, 3, 10, 9, 0)),
        "due exactly now is not overdue"
    );
    assert!(task.is_overdue(at(2025, 3, 10, 9, 1)));
    task.set_status(TaskStatus::Completed, at(2025, 3, 11, 0, 0));
    assert!(!task.is_overdue(at(2025, 3, 12, 0, 0)));
    task.set_status(TaskStatus::Pending, at(2025, 3, 12, 0, 0));
    task.soft_delete(at(2025, 3, 12, 0, 0));
    assert!(!task.is_overdue(at(2025, 3, 12, 0, 0)));
    task.restore();
    task.due_at = None;
    assert!(!task.is_overdue(at(2030, 1, 1, 0, 0)));
}

#[test]
fn apply_updates_fields_and_status() {
    let mut task = task();
    let mut edit = input("Send comps and CMA");
    edit.status = TaskStatus::Cancelled;
    edit.record = None;
    task.apply(edit.validate().expect("valid"), at(2025, 3, 5, 0, 0));
    assert_eq!(task.title, "Send comps and CMA");
    assert_eq!(task.status, TaskStatus::Cancelled);
    assert_eq!(task.closed_at, Some(at(2025, 3, 5, 0, 0)));
    assert_eq!(task.record, None);
    assert_eq!(task.updated_at, at(2025, 3, 5, 0, 0));
}

#[test]
fn tasks_round_trip_through_json() {
    let mut task = task();
    task.set_status(TaskStatus::Completed, at(2025, 3, 2, 0, 0));
    assert_json_round_trip(&task);
    assert_json_round_trip(&input("x"));
}
