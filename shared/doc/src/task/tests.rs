use super::*;
use crate::conflict::{conflicts, resolve};
use crate::test_support::samples::{minimal_task as minimal, task};
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused, at, displays,
    merged, task_kind as kind,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::{Priority, TaskStatus};

#[test]
fn task_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &task());
}

#[test]
fn a_minimal_task_with_non_ascii_text_round_trips() {
    assert_round_trips(&kind(), &minimal());
}

#[test]
fn the_record_is_stored_as_kind_colon_uuid() {
    let (doc, _) = create(actor(1), &task()).expect("create");
    let (value, _) = doc
        .get(automerge::ROOT, "record")
        .expect("get")
        .expect("present");
    assert_eq!(
        value.as_str(),
        Some("contact:00000000-0000-0000-0000-000000000007")
    );
}

#[test]
fn update_writes_only_when_something_differs() {
    let mut t = minimal();
    let (mut doc, _) = create(actor(1), &t).expect("create");
    assert!(update(&mut doc, &t).expect("update").is_none());
    t.priority = Priority::Low;
    let change = update(&mut doc, &t).expect("update").expect("a change");
    assert_eq!(change.len(), 1, "only the priority was written");
    assert_eq!(read(&doc).expect("read"), t);
    assert!(update(&mut doc, &t).expect("update").is_none());
    // Closing and reopening through the model round-trips `closed_at` too.
    assert!(t.set_status(TaskStatus::Completed, at(10)));
    update(&mut doc, &t).expect("update").expect("a change");
    assert_eq!(read(&doc).expect("read").closed_at, Some(at(10)));
    assert!(t.set_status(TaskStatus::Pending, at(20)));
    update(&mut doc, &t).expect("update").expect("a change");
    assert_eq!(read(&doc).expect("read"), t);
}

#[test]
fn concurrent_edits_of_different_fields_merge() {
    let doc = merged(
        &kind(),
        &minimal(),
        |t| t.title = "Call back about the offer".into(),
        |t| t.due_at = Some(at(172_800_000)),
    );
    let t = read(&doc).expect("read");
    assert_eq!(t.title, "Call back about the offer");
    assert_eq!(t.due_at, Some(at(172_800_000)));
}

#[test]
fn status_and_closing_time_never_disagree_after_a_merge() {
    // One device completes the task; the other reopens-then-skips it without a closing time
    // (as an older build might): whichever status wins, closed_at follows it.
    let doc = merged(
        &kind(),
        &minimal(),
        |t| {
            t.status = TaskStatus::Completed;
            t.closed_at = Some(at(5));
        },
        |t| {
            t.status = TaskStatus::Skipped;
            t.closed_at = None;
        },
    );
    let t = read(&doc).expect("read");
    assert!(!t.status.is_open());
    assert!(t.closed_at.is_some());
    let doc = merged(
        &kind(),
        &minimal(),
        |t| t.status = TaskStatus::Pending,
        |t| t.closed_at = Some(at(9)),
    );
    let t = read(&doc).expect("read");
    assert!(t.status.is_open());
    assert_eq!(t.closed_at, None);
}

#[test]
fn concurrent_status_changes_are_a_conflict_until_resolved() {
    let mut doc = merged(
        &kind(),
        &minimal(),
        |t| {
            t.set_status(TaskStatus::Completed, at(10));
        },
        |t| {
            t.set_status(TaskStatus::Skipped, at(20));
        },
    );
    assert_eq!(displays(&doc, "status"), ["completed", "skipped"]);
    // Both devices stamped a closing time; it conflicts independently of the status.
    assert_eq!(conflicts(&doc, "closed_at_ms").expect("conflicts").len(), 2);
    let chosen = conflicts(&doc, "status")
        .expect("conflicts")
        .into_iter()
        .find(|c| c.display == "completed")
        .expect("present");
    resolve(&mut doc, "status", &chosen).expect("resolve");
    assert_eq!(displays(&doc, "status"), ["completed"]);
    assert_eq!(read(&doc).expect("read").status, TaskStatus::Completed);
}

#[test]
fn concurrent_due_time_and_priority_edits_conflict_per_field() {
    let doc = merged(
        &kind(),
        &minimal(),
        |t| {
            t.due_at = Some(at(1_000));
            t.priority = Priority::High;
        },
        |t| {
            t.due_at = Some(at(2_000));
            t.priority = Priority::Low;
        },
    );
    assert_eq!(conflicts(&doc, "due_at_ms").expect("conflicts").len(), 2);
    assert_eq!(displays(&doc, "priority"), ["high", "low"]);
    assert_eq!(displays(&doc, "title"), [minimal().title]);
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &task());
}

#[test]
fn a_document_of_another_kind_is_refused() {
    assert_wrong_kind_refused(&kind(), &task());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &task()).expect("create");
    doc.put(automerge::ROOT, "status", "someday").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("status") && m.contains("someday"))
    );
    let (mut doc, _) = create(actor(1), &task()).expect("create");
    doc.put(automerge::ROOT, "record", "planet:42")
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("record")));
    let (mut doc, _) = create(actor(1), &task()).expect("create");
    doc.put(automerge::ROOT, "kind", "note").expect("put");
    doc.commit();
    assert!(matches!(
        read(&doc),
        Err(DocError::WrongKind { expected: "task", found }) if found == "note"
    ));
}
