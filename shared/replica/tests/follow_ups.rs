//! The follow-up plan on the device (issue 16): made with the contact in one transaction, for
//! what an agent types, imports or signs in at a kiosk used alone; due in the agent's zone
//! (across a DST change); switched off and on per contact; tasks closed with a note.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use fieldstone_model::sign_in::SignIn;
use fieldstone_model::{
    ContactId, FixedClock, FollowUpPlanning, FollowUpSettings, FollowUpStep, LeadSource, Priority,
    RecordRef, TaskKind, TaskStatus,
};
use fieldstone_protocol::views::{TaskSummary, TimelineEntry};
use fieldstone_replica::{ImportMode, ImportOptions, Replica, ReplicaError};
use std::sync::Arc;
use support::{listing, open, person, task, user};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("time")
}

fn paris() -> FollowUpPlanning {
    FollowUpPlanning {
        settings: FollowUpSettings::default(),
        zone: "Europe/Paris".parse().expect("zone"),
    }
}

/// A replica whose clock reads 09:00 in Paris on Friday 27 March 2026 (the clocks go forward
/// on the 29th).
fn replica(dir: &tempfile::TempDir) -> (Replica, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(utc(2026, 3, 27, 8, 0)));
    (open(&dir.path().join("f.db"), &clock), clock)
}

/// The open tasks about `contact`, soonest first.
fn open_tasks(r: &Replica, contact: ContactId) -> Vec<TaskSummary> {
    r.tasks_due(utc(2030, 1, 1, 0, 0))
        .expect("tasks")
        .into_iter()
        .filter(|t| t.record == Some(RecordRef::Contact(contact)))
        .collect()
}

fn create_with_plan(r: &Replica, source: LeadSource, planning: &FollowUpPlanning) -> ContactId {
    r.batch(|b| {
        let mut input = person("Ada", "Lovelace");
        input.source = source;
        let contact = b.create_contact(&input, user())?;
        b.plan_follow_ups(&contact, user(), planning)?;
        Ok(contact.id)
    })
    .expect("contact")
}

#[test]
fn a_typed_contact_gets_five_steps_at_the_same_paris_time_across_the_dst_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let ada = create_with_plan(&r, LeadSource::Manual, &paris());
    let tasks = open_tasks(&r, ada);
    let steps: Vec<(TaskKind, Priority, DateTime<Utc>)> = tasks
        .iter()
        .map(|t| (t.kind, t.priority, t.due_at.expect("due")))
        .collect();
    assert_eq!(
        steps,
        vec![
            (TaskKind::Day1, Priority::High, utc(2026, 3, 28, 8, 0)),
            (TaskKind::Day3, Priority::Medium, utc(2026, 3, 30, 7, 0)),
            (TaskKind::Week1, Priority::Medium, utc(2026, 4, 3, 7, 0)),
            (TaskKind::Week2, Priority::Low, utc(2026, 4, 10, 7, 0)),
            (TaskKind::Month1, Priority::Low, utc(2026, 4, 26, 7, 0)),
        ]
    );
    let paris: Tz = "Europe/Paris".parse().expect("zone");
    for task in &tasks {
        let local = task.due_at.expect("due").with_timezone(&paris);
        assert_eq!(local.format("%H:%M").to_string(), "09:00", "{task:?}");
    }
    assert_eq!(r.follow_ups_open(&ada).expect("open"), 5);
}

#[test]
fn a_source_the_organisation_switched_off_gets_no_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let mut planning = paris();
    planning.settings.off_for = vec![LeadSource::Referral];
    let referred = create_with_plan(&r, LeadSource::Referral, &planning);
    assert!(open_tasks(&r, referred).is_empty());
    let walk_in = create_with_plan(&r, LeadSource::Manual, &planning);
    assert_eq!(open_tasks(&r, walk_in).len(), 5);
}

#[test]
fn an_organisations_own_offsets_and_priorities_are_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let planning = FollowUpPlanning {
        settings: FollowUpSettings {
            steps: vec![
                FollowUpStep {
                    kind: TaskKind::Day1,
                    offset_days: 2,
                    priority: Priority::Medium,
                },
                FollowUpStep {
                    kind: TaskKind::Month1,
                    offset_days: 45,
                    priority: Priority::High,
                },
            ],
            off_for: Vec::new(),
        },
        zone: Tz::UTC,
    };
    let ada = create_with_plan(&r, LeadSource::Manual, &planning);
    let tasks = open_tasks(&r, ada);
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].due_at, Some(utc(2026, 3, 29, 8, 0)));
    assert_eq!(tasks[0].priority, Priority::Medium);
    assert_eq!(tasks[1].due_at, Some(utc(2026, 5, 11, 8, 0)));
    assert_eq!(tasks[1].priority, Priority::High);
}

#[test]
fn switching_the_plan_off_cancels_open_steps_only_and_it_can_start_again_from_now() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, clock) = replica(&dir);
    let ada = create_with_plan(&r, LeadSource::Manual, &paris());
    let own = r
        .create_task(
            &task(
                "Send the CMA",
                Some(utc(2026, 3, 29, 9, 0)),
                Some(RecordRef::Contact(ada)),
            ),
            user(),
        )
        .expect("own task");
    let first = open_tasks(&r, ada)[0].id;
    r.close_task(&first, TaskStatus::Completed, None, user())
        .expect("day 1 done");

    assert!(matches!(
        r.plan_follow_ups(&ada, user(), &paris()),
        Err(ReplicaError::Validation(e)) if e.for_field("follow_up").is_some_and(|m| m.contains("already running"))
    ));
    let stopped = r.stop_follow_ups(&ada).expect("stop");
    assert_eq!(stopped.len(), 4, "day 1 was done already");
    assert!(stopped.iter().all(|t| t.status == TaskStatus::Cancelled));
    assert_eq!(r.follow_ups_open(&ada).expect("open"), 0);
    let left: Vec<_> = open_tasks(&r, ada).into_iter().map(|t| t.id).collect();
    assert_eq!(left, vec![own.id], "the agent's own task stays");
    assert_eq!(
        r.get_task(&first).expect("get").expect("day 1").status,
        TaskStatus::Completed,
        "a done step stays done"
    );
    assert!(r.stop_follow_ups(&ada).expect("again").is_empty());

    clock.set(utc(2026, 4, 20, 14, 30));
    let again = r.plan_follow_ups(&ada, user(), &paris()).expect("start");
    assert_eq!(again.len(), 5);
    assert_eq!(again[0].due_at, Some(utc(2026, 4, 21, 14, 30)), "from now");
    let ghost = ContactId::from_uuid(uuid::Uuid::from_u128(77));
    assert!(matches!(
        r.plan_follow_ups(&ghost, user(), &paris()),
        Err(ReplicaError::NotFound { .. })
    ));
}

#[test]
fn closing_a_task_with_a_note_keeps_the_note_on_the_contacts_timeline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let ada = create_with_plan(&r, LeadSource::Manual, &paris());
    let day1 = open_tasks(&r, ada)[0].id;
    let done = r
        .close_task(
            &day1,
            TaskStatus::Completed,
            Some("  Left a voicemail; call back Monday  "),
            user(),
        )
        .expect("done");
    assert_eq!(done.status, TaskStatus::Completed);
    let page = r.timeline(&ada, 50, None).expect("timeline");
    let notes: Vec<String> = page
        .entries
        .iter()
        .filter_map(|e| match e {
            TimelineEntry::Note(n) => Some(n.preview.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        vec!["Day 1 follow-up (Completed): Left a voicemail; call back Monday".to_owned()]
    );

    // A task about nothing has nowhere to keep a note: refused, and its status is unchanged.
    let loose = r
        .create_task(&task("Renew licence", None, None), user())
        .expect("task");
    let refused = r
        .close_task(&loose.id, TaskStatus::Skipped, Some("no time"), user())
        .expect_err("nowhere");
    assert!(
        matches!(&refused, ReplicaError::Validation(e) if e.for_field("note").is_some()),
        "{refused:?}"
    );
    assert_eq!(
        r.get_task(&loose.id).expect("get").expect("task").status,
        TaskStatus::Pending
    );
    // A blank note is no note.
    r.close_task(&loose.id, TaskStatus::Skipped, Some("   "), user())
        .expect("skipped");
}

#[test]
fn an_import_plans_each_imported_contact_in_its_batches_and_a_rollback_plans_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let mut csv = String::from("First name,Last name,Email\n");
    for i in 0..1_500 {
        csv.push_str(&format!("Person,{i},p{i}@example.com\n"));
    }
    let mut options = ImportOptions::new(user());
    options.follow_up = Some(paris());
    let report = r
        .import_contacts_csv(csv.as_bytes(), &options, &mut |_| {})
        .expect("import");
    assert_eq!(report.imported, 1_500);
    assert_eq!(report.follow_ups_planned, 7_500);
    let due = r.tasks_due(utc(2030, 1, 1, 0, 0)).expect("due");
    assert_eq!(due.len(), 7_500);
    assert!(due.iter().all(|t| t.kind != TaskKind::Custom));

    // All or nothing with a bad row: no contact, no task.
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let mut options = ImportOptions::new(user());
    options.follow_up = Some(paris());
    options.mode = ImportMode::AllOrNothing;
    let report = r
        .import_contacts_csv(
            "First name,Email\nAda,ada@example.com\nBad,not-an-email\n".as_bytes(),
            &options,
            &mut |_| {},
        )
        .expect("import");
    assert!(report.rolled_back);
    assert_eq!(report.follow_ups_planned, 0);
    assert!(r.tasks_due(utc(2030, 1, 1, 0, 0)).expect("due").is_empty());

    // The source the organisation switched off: imported, no plan.
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let mut planning = paris();
    planning.settings.off_for = vec![LeadSource::Import];
    let mut options = ImportOptions::new(user());
    options.follow_up = Some(planning);
    let report = r
        .import_contacts_csv(
            "First name,Email\nAda,ada@example.com\n".as_bytes(),
            &options,
            &mut |_| {},
        )
        .expect("import");
    assert_eq!((report.imported, report.follow_ups_planned), (1, 0));
}

#[test]
fn a_kiosk_used_alone_plans_new_visitors_not_returning_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (r, _) = replica(&dir);
    let home = r
        .create_listing(&listing("12 Elm Street", "Springfield", 450_000), user())
        .expect("listing");
    r.start_kiosk(home.id, "2468").expect("kiosk");
    let visitor = SignIn {
        given_name: "Maya".into(),
        family_name: "Visitor".into(),
        email: "maya@example.com".into(),
        phone: String::new(),
        consent: true,
        note: String::new(),
    };
    let first = r
        .kiosk_sign_in(&visitor, user(), "iPad", Some(&paris()))
        .expect("sign-in");
    assert_eq!(open_tasks(&r, first.contact.id).len(), 5);
    let again = r
        .kiosk_sign_in(&visitor, user(), "iPad", Some(&paris()))
        .expect("again");
    assert!(again.returning);
    assert_eq!(
        open_tasks(&r, first.contact.id).len(),
        5,
        "not planned twice"
    );
    // Signed in, the device leaves the plan to the server.
    let other = SignIn {
        email: "sam@example.com".into(),
        given_name: "Sam".into(),
        ..visitor
    };
    let sam = r.kiosk_sign_in(&other, user(), "iPad", None).expect("sam");
    assert!(open_tasks(&r, sam.contact.id).is_empty());
}
