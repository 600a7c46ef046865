//! Notes, interactions, bookings, listings, tasks and the contact timeline, against real SQLite
//! files.

mod support;

use chrono::Duration;
use fieldstone_model::{RecordRef, TaskStatus};
use fieldstone_replica::{ContactQuery, ListingQuery, ReplicaError, TimelineEntry};
use support::*;

#[test]
fn notes_are_listed_pinned_first_and_searched_with_their_contact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let bob = r
        .create_contact(&person("Bob", "Stone"), user())
        .expect("bob");
    let first = r
        .create_note(&note(ada.id, "Wants a garden flat"), user())
        .expect("note");
    clock.set(t(5));
    let mut pinned = note(ada.id, "Pre-approved for £450k\nsecond line");
    pinned.pinned = true;
    let pinned = r.create_note(&pinned, user()).expect("pinned");
    clock.set(t(10));
    let latest = r
        .create_note(&note(ada.id, "Called back"), user())
        .expect("latest");

    let listed = r.notes_for(&RecordRef::Contact(ada.id)).expect("notes");
    let ids: Vec<_> = listed.iter().map(|n| n.id).collect();
    assert_eq!(ids, [pinned.id, latest.id, first.id]);
    assert_eq!(
        listed[0].preview, "Pre-approved for £450k",
        "first line only"
    );
    assert!(r
        .notes_for(&RecordRef::Contact(bob.id))
        .expect("bob")
        .is_empty());

    // Contact search reaches into the contact's notes.
    let found = r
        .list_contacts(&ContactQuery {
            search: Some("garde".into()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(
        found.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada.id]
    );

    // Editing the body changes search and preview; deleting hides the note and its text.
    r.update_note(&first.id, &note(ada.id, "Wants a loft"))
        .expect("edit");
    let search = |text: &str| {
        r.list_contacts(&ContactQuery {
            search: Some(text.into()),
            ..Default::default()
        })
        .expect("search")
        .items
        .len()
    };
    assert_eq!(search("garden"), 0);
    assert_eq!(search("loft"), 1);
    // Found by its note while the next word is typed: a short word does not filter notes.
    r.update_note(&latest.id, &note(ada.id, "Viewing at 12 Elm Street"))
        .expect("edit");
    for typed in ["elm", "elm s", "elm st", "elm street", "12 elm"] {
        assert_eq!(search(typed), 1, "{typed:?}");
    }
    assert_eq!(search("elm road"), 0, "a long word still filters");
    r.soft_delete_note(&first.id).expect("delete");
    assert_eq!(search("loft"), 0);
    assert_eq!(
        r.notes_for(&RecordRef::Contact(ada.id))
            .expect("notes")
            .len(),
        2
    );
    r.restore_note(&first.id).expect("restore");
    assert_eq!(search("loft"), 1);
    assert_eq!(
        r.get_note(&first.id).expect("get").expect("some").body,
        "Wants a loft"
    );
}

#[test]
fn invalid_inputs_are_refused_with_field_errors_and_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let before = r.pending_changes().expect("pending");

    let err = r
        .create_note(&note(ada.id, "   "), user())
        .expect_err("blank");
    assert!(
        matches!(&err, ReplicaError::Validation(e) if e.for_field("body").is_some()),
        "{err:?}"
    );
    let mut booking = showing(vec![ada.id], t(60), 30);
    booking.ends_at = booking.starts_at - Duration::minutes(1);
    let err = r
        .create_booking(&booking, user())
        .expect_err("ends before it starts");
    assert!(
        matches!(&err, ReplicaError::Validation(e) if e.for_field("ends_at").is_some()),
        "{err:?}"
    );
    let mut bad_listing = listing("", "Camden", 1);
    bad_listing.address.country = "Narnia".into();
    let err = r
        .create_listing(&bad_listing, user())
        .expect_err("bad listing");
    assert!(
        matches!(&err, ReplicaError::Validation(e)
        if e.for_field("address.line1").is_some() && e.for_field("address.country").is_some()),
        "{err:?}"
    );
    let err = r
        .create_task(&task("", None, None), user())
        .expect_err("untitled");
    assert!(
        matches!(&err, ReplicaError::Validation(e) if e.for_field("title").is_some()),
        "{err:?}"
    );
    assert_eq!(
        r.pending_changes().expect("pending"),
        before,
        "nothing queued"
    );
}

#[test]
fn logging_an_interaction_moves_last_contacted_forward_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    r.log_interaction(&call(ada.id, t(30), "Intro call"), user())
        .expect("log");
    assert_eq!(
        r.get_contact(&ada.id)
            .expect("get")
            .expect("ada")
            .last_contacted_at,
        Some(t(30))
    );
    // An older call logged late does not move it back.
    let old = r
        .log_interaction(&call(ada.id, t(10), "Earlier"), user())
        .expect("log");
    assert_eq!(
        r.get_contact(&ada.id)
            .expect("get")
            .expect("ada")
            .last_contacted_at,
        Some(t(30))
    );
    let listed = r
        .list_contacts(&ContactQuery::default())
        .expect("list")
        .items;
    assert_eq!(
        listed[0].last_contacted_at,
        Some(t(30)),
        "read model follows"
    );
    r.soft_delete_interaction(&old.id).expect("delete");
    assert!(r
        .get_interaction(&old.id)
        .expect("get")
        .expect("kept")
        .deleted_at
        .is_some());
    // The contact must exist.
    let ghost = fieldstone_model::ContactId::from_uuid(uuid_of(9));
    assert!(matches!(
        r.log_interaction(&call(ghost, t(1), "?"), user()),
        Err(ReplicaError::NotFound { .. })
    ));
}

fn uuid_of(n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(n)
}

#[test]
fn bookings_show_in_their_window_and_overlaps_are_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let morning = r
        .create_booking(&showing(vec![ada.id], t(60), 60), user())
        .expect("b1");
    let afternoon = r
        .create_booking(&showing(vec![], t(300), 30), user())
        .expect("b2");
    let day = r.bookings_between(t(0), t(24 * 60)).expect("day");
    assert_eq!(
        day.iter().map(|b| b.id).collect::<Vec<_>>(),
        [morning.id, afternoon.id]
    );
    assert!(r.bookings_between(t(200), t(250)).expect("gap").is_empty());
    // 90..120 overlaps the morning showing (60..120) only.
    let clash = r
        .overlapping_bookings(t(90), t(120), None)
        .expect("overlap");
    assert_eq!(clash.iter().map(|b| b.id).collect::<Vec<_>>(), [morning.id]);
    assert!(r
        .overlapping_bookings(t(90), t(120), Some(morning.id))
        .expect("self")
        .is_empty());
    // Back to back is not an overlap; a cancelled booking does not occupy time.
    assert!(r
        .overlapping_bookings(t(120), t(150), None)
        .expect("adjacent")
        .is_empty());
    let mut cancelled = showing(vec![ada.id], t(60), 60);
    cancelled.status = fieldstone_model::BookingStatus::Cancelled;
    r.update_booking(&morning.id, &cancelled).expect("cancel");
    assert!(r
        .overlapping_bookings(t(90), t(120), None)
        .expect("overlap")
        .is_empty());
    assert_eq!(r.bookings_for_contact(&ada.id).expect("ada").len(), 1);
}

#[test]
fn listings_filter_by_status_price_and_search_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let elm = r
        .create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("elm");
    clock.set(t(1));
    let oak = r
        .create_listing(&listing("3 Oak Road", "Hackney", 700_000), user())
        .expect("oak");
    let all = r.list_listings(&ListingQuery::default()).expect("all");
    assert_eq!(
        all.iter().map(|l| l.id).collect::<Vec<_>>(),
        [oak.id, elm.id]
    );
    let cheap = r
        .list_listings(&ListingQuery {
            max_price: Some(500_000),
            ..Default::default()
        })
        .expect("cheap");
    assert_eq!(cheap.iter().map(|l| l.id).collect::<Vec<_>>(), [elm.id]);
    let hack = r
        .list_listings(&ListingQuery {
            search: Some("hackn".into()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(hack.iter().map(|l| l.id).collect::<Vec<_>>(), [oak.id]);
    let mut sold = listing("3 Oak Road", "Hackney", 690_000);
    sold.status = fieldstone_model::ListingStatus::Sold;
    r.update_listing(&oak.id, &sold).expect("sold");
    let active = r
        .list_listings(&ListingQuery {
            statuses: vec![fieldstone_model::ListingStatus::Active],
            ..Default::default()
        })
        .expect("active");
    assert_eq!(active.iter().map(|l| l.id).collect::<Vec<_>>(), [elm.id]);
    assert_eq!(
        r.get_listing(&oak.id).expect("get").expect("oak").price,
        690_000
    );
}

#[test]
fn tasks_due_follow_ups_and_status_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let planning = fieldstone_model::FollowUpPlanning {
        settings: fieldstone_model::FollowUpSettings::default(),
        zone: chrono_tz::Tz::UTC,
    };
    let plan = r.plan_follow_ups(&ada.id, user(), &planning).expect("plan");
    assert_eq!(plan.len(), 5);
    let overdue = r
        .create_task(&task("Send CMA", Some(t(-60)), None), user())
        .expect("task");
    let due_today = r.tasks_due(t(24 * 60 + 1)).expect("due");
    assert_eq!(
        due_today.first().map(|t| t.id),
        Some(overdue.id),
        "overdue first"
    );
    assert!(due_today
        .iter()
        .any(|t| t.record == Some(RecordRef::Contact(ada.id))));
    let done = r
        .set_task_status(&overdue.id, TaskStatus::Completed)
        .expect("done");
    assert!(done.closed_at.is_some());
    assert!(!r
        .tasks_due(t(24 * 60))
        .expect("due")
        .iter()
        .any(|t| t.id == overdue.id));
    let ghost = fieldstone_model::ContactId::from_uuid(uuid_of(77));
    assert!(matches!(
        r.plan_follow_ups(&ghost, user(), &planning),
        Err(ReplicaError::NotFound { .. })
    ));
}

#[test]
fn the_next_task_is_the_earliest_due_open_one_on_that_contact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let bob = r
        .create_contact(&person("Bob", "Stone"), user())
        .expect("bob");
    let key = ada.id.to_string();
    assert_eq!(r.next_task_for(&key).expect("none yet"), None);
    let on_ada = |title: &str, due: Option<i64>| {
        r.create_task(
            &task(title, due.map(t), Some(RecordRef::Contact(ada.id))),
            user(),
        )
        .expect("task")
    };
    let undated = on_ada("Ask about school districts", None);
    assert_eq!(
        r.next_task_for(&key).expect("undated").map(|t| t.id),
        Some(undated.id),
        "an undated task is next when it is the only one"
    );
    let later = on_ada("Send the CMA", Some(3 * 60));
    let sooner = on_ada("Call back", Some(60));
    // Bob's earlier task is not Ada's.
    r.create_task(
        &task("Bob's", Some(t(1)), Some(RecordRef::Contact(bob.id))),
        user(),
    )
    .expect("bob's");
    assert_eq!(
        r.next_task_for(&key).expect("dated").map(|t| t.id),
        Some(sooner.id)
    );
    r.set_task_status(&sooner.id, TaskStatus::Completed)
        .expect("done");
    assert_eq!(
        r.next_task_for(&key).expect("after done").map(|t| t.id),
        Some(later.id),
        "a completed task is no longer next"
    );
    r.soft_delete_task(&later.id).expect("deleted");
    assert_eq!(
        r.next_task_for(&key).expect("after delete").map(|t| t.id),
        Some(undated.id)
    );
}

#[test]
fn recent_activity_names_what_happened_to_whom_newest_first() {
    use fieldstone_protocol::views::ActivityKind;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    assert!(r.recent_activity(10).expect("empty").is_empty());
    clock.set(t(1));
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    clock.set(t(2));
    r.create_note(&note(ada.id, "Wants a garden\nand a shed"), user())
        .expect("note");
    clock.set(t(3));
    r.log_interaction(&call(ada.id, t(3), "Talked about Oak St"), user())
        .expect("call");
    clock.set(t(4));
    let k = r
        .create_task(
            &task("Send the CMA", None, Some(RecordRef::Contact(ada.id))),
            user(),
        )
        .expect("task");
    clock.set(t(5));
    r.set_task_status(&k.id, TaskStatus::Completed)
        .expect("done");
    clock.set(t(6));
    let gone = r
        .create_contact(&person("Gone", "Away"), user())
        .expect("gone");
    r.create_note(&note(gone.id, "about someone deleted"), user())
        .expect("note");
    r.soft_delete_contact(&gone.id).expect("deleted");

    let items = r.recent_activity(10).expect("activity");
    let what: Vec<(ActivityKind, &str)> =
        items.iter().map(|a| (a.kind, a.detail.as_str())).collect();
    assert_eq!(
        what,
        [
            (ActivityKind::TaskDone, "Send the CMA"),
            (ActivityKind::Logged, "Talked about Oak St"),
            (ActivityKind::NoteAdded, "Wants a garden"),
            (ActivityKind::ContactAdded, ""),
        ],
        "newest first, a note's first line, nothing about a deleted contact"
    );
    assert!(items
        .iter()
        .all(|a| a.contact == ada.id && a.contact_name == "Ada Lovelace"));
    assert_eq!(items[1].channel, Some(fieldstone_model::Channel::Call));
    assert_eq!(r.recent_activity(2).expect("two").len(), 2);
}

#[test]
fn pipeline_columns_sum_budgets_and_cards_know_their_stage_since_and_next_step() {
    use fieldstone_model::Stage;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let mut rich = person("Ada", "Lovelace");
    rich.preferences.budget_min = Some(400_000);
    rich.preferences.budget_max = Some(600_000);
    let ada = r.create_contact(&rich, user()).expect("ada");
    let mut modest = person("Bob", "Stone");
    modest.preferences.budget_min = Some(250_000);
    let bob = r.create_contact(&modest, user()).expect("bob");
    r.create_contact(&person("Cy", "None"), user())
        .expect("no budget");
    let totals = r.stage_totals(&ContactQuery::default()).expect("totals");
    let lead = totals
        .iter()
        .find(|t| t.stage == Stage::Lead)
        .expect("lead");
    assert_eq!(
        (lead.count, lead.budget),
        (3, 850_000),
        "max, else min; none adds nothing"
    );

    clock.set(t(60 * 24 * 3));
    r.set_contact_stage(&bob.id, Stage::Showing, user())
        .expect("moved");
    r.create_task(
        &task(
            "Book the second viewing",
            Some(t(60 * 24 * 4)),
            Some(RecordRef::Contact(bob.id)),
        ),
        user(),
    )
    .expect("task");
    let totals = r.stage_totals(&ContactQuery::default()).expect("totals");
    let showing = totals
        .iter()
        .find(|t| t.stage == Stage::Showing)
        .expect("showing");
    assert_eq!((showing.count, showing.budget), (1, 250_000));
    let page = r
        .list_contacts(&ContactQuery {
            stages: vec![Stage::Showing],
            ..ContactQuery::default()
        })
        .expect("page");
    let card = &page.items[0];
    assert_eq!(card.budget, Some(250_000));
    assert_eq!(
        card.stage_since,
        Some(t(60 * 24 * 3)),
        "when it moved, not when it was made"
    );
    assert_eq!(card.next_step.as_deref(), Some("Book the second viewing"));
    let ada_card = r
        .list_contacts(&ContactQuery {
            search: Some("Ada".into()),
            ..ContactQuery::default()
        })
        .expect("ada")
        .items
        .remove(0);
    assert_eq!(ada_card.id, ada.id);
    assert_eq!(
        ada_card.stage_since,
        Some(t(0)),
        "never moved: since it was made"
    );
    assert_eq!(ada_card.next_step, None);
}

#[test]
fn the_timeline_mixes_every_kind_newest_first_in_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("f.db"), &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let other = r
        .create_contact(&person("Bob", "Stone"), user())
        .expect("bob");
    clock.set(t(1));
    let n = r
        .create_note(&note(ada.id, "first note"), user())
        .expect("note");
    let i = r
        .log_interaction(&call(ada.id, t(2), "call"), user())
        .expect("call");
    clock.set(t(3));
    let k = r
        .create_task(
            &task("follow up", None, Some(RecordRef::Contact(ada.id))),
            user(),
        )
        .expect("task");
    let b = r
        .create_booking(&showing(vec![ada.id], t(4), 30), user())
        .expect("booking");
    r.create_note(&note(other.id, "not Ada's"), user())
        .expect("other note");

    let page = r.timeline(&ada.id, 10, None).expect("timeline");
    let ids: Vec<String> = page.entries.iter().map(TimelineEntry::id).collect();
    assert_eq!(
        ids,
        [
            b.id.to_string(),
            k.id.to_string(),
            i.id.to_string(),
            n.id.to_string()
        ]
    );
    assert!(page.next.is_none());
    assert!(matches!(page.entries[0], TimelineEntry::Booking(_)));

    // Pages of two cover the same entries once, in order.
    let first = r.timeline(&ada.id, 2, None).expect("p1");
    let second = r.timeline(&ada.id, 2, first.next.as_ref()).expect("p2");
    let paged: Vec<String> = first
        .entries
        .iter()
        .chain(&second.entries)
        .map(TimelineEntry::id)
        .collect();
    assert_eq!(paged, ids);
    assert!(second.next.is_none());
    assert!(r.timeline(&ada.id, 0, None).is_err());
}
