//! A broker's device holds the team's records, but their Today, reminders and overlap warnings
//! count only their own and what was shared with them (issue 15). The server's version 3 pull
//! says which documents of a page are not the user's; here the pages are delivered by hand with
//! those marks, as the sync loop applies them.

mod support;

use fieldstone_model::{OpenHouse, RecordRef, UserId};
use fieldstone_protocol::{DocId, DocUpdate};
use fieldstone_replica::{ContactQuery, Replica};
use support::remote::cursors;
use support::*;

fn teammate() -> UserId {
    "00000000-0000-4000-8000-000000000202"
        .parse()
        .expect("teammate id")
}

/// Everything in `from`'s outbox as one page, and its document ids.
fn page(from: &Replica) -> (Vec<DocUpdate>, Vec<DocId>) {
    let updates = remote::outbox_updates(from);
    let ids = updates.iter().map(|u| u.doc_id.clone()).collect();
    (updates, ids)
}

fn names(items: &[fieldstone_replica::ContactSummary]) -> Vec<String> {
    let mut names = display_names(items);
    names.sort();
    names
}

#[test]
fn a_teammates_records_stay_out_of_the_brokers_day_until_shared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let theirs = open(&dir.path().join("teammate.db"), &clock);
    let db = dir.path().join("broker.db");
    let broker = open(&db, &clock);

    // The teammate's day: a lead, a call, a task due soon, a showing and an open house.
    let tess = theirs
        .create_contact(&person("Tess", "Teammate"), teammate())
        .expect("tess");
    theirs
        .log_interaction(&call(tess.id, t(1), "Called Tess"), teammate())
        .expect("call");
    theirs
        .create_task(
            &task(
                "Call Tess back",
                Some(t(30)),
                Some(RecordRef::Contact(tess.id)),
            ),
            teammate(),
        )
        .expect("task");
    let their_showing = theirs
        .create_booking(&showing(vec![tess.id], t(60), 30), teammate())
        .expect("showing");
    let mut house = listing("1 Their Road", "London", 500_000);
    house.open_houses = vec![OpenHouse {
        starts_at: t(90),
        ends_at: t(150),
    }];
    theirs.create_listing(&house, teammate()).expect("listing");

    // The broker's own: a lead, a task and a showing.
    let bea = broker
        .create_contact(&person("Bea", "Broker"), user())
        .expect("bea");
    broker
        .create_task(
            &task("Call Bea", Some(t(45)), Some(RecordRef::Contact(bea.id))),
            user(),
        )
        .expect("task");
    broker
        .create_booking(&showing(vec![bea.id], t(200), 30), user())
        .expect("showing");

    // The team's records arrive marked: held only because the broker reads the team's.
    let (updates, ids) = page(&theirs);
    broker
        .apply_remote_marked(&updates, Some(&cursors(5)), Some(&ids))
        .expect("apply");

    // Lists and the calendar show the team's records...
    let everyone = broker.list_contacts(&ContactQuery::default()).expect("all");
    assert_eq!(names(&everyone.items), ["Bea Broker", "Tess Teammate"]);
    assert_eq!(broker.bookings_between(t(0), t(300)).expect("all").len(), 2);
    // ...the broker's own day does not.
    let mine = ContactQuery {
        mine_only: true,
        ..ContactQuery::default()
    };
    assert_eq!(
        names(&broker.list_contacts(&mine).expect("mine").items),
        ["Bea Broker"]
    );
    let due: Vec<String> = broker
        .tasks_due(t(24 * 60))
        .expect("due")
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(due, ["Call Bea"]);
    let day = broker.my_bookings_between(t(0), t(300)).expect("mine");
    assert_eq!(day.len(), 1);
    assert_ne!(day[0].id, their_showing.id);
    assert!(
        broker
            .overlapping_bookings(t(60), t(90), None)
            .expect("overlaps")
            .is_empty(),
        "a teammate's showing is not the broker's clash"
    );
    assert!(broker
        .recent_activity(50)
        .expect("activity")
        .iter()
        .all(|a| a.contact != tess.id));
    assert!(broker
        .upcoming_open_houses(t(0), t(24 * 60), 10)
        .expect("open houses")
        .is_empty());

    // Tess is shared with the broker: her contact comes again, unmarked. Her task stays the
    // teammate's, and a page from a server that does not say (None) changes no mark.
    let tess_doc = fieldstone_replica::contact_doc_id(&tess.id).expect("doc id");
    let (updates, _) = page(&theirs);
    let updates: Vec<DocUpdate> = updates
        .into_iter()
        .filter(|u| u.doc_id == tess_doc)
        .collect();
    assert_eq!(updates.len(), 1);
    broker
        .apply_remote_marked(&updates, Some(&cursors(6)), Some(&[]))
        .expect("apply");
    assert_eq!(
        names(&broker.list_contacts(&mine).expect("mine").items),
        ["Bea Broker", "Tess Teammate"]
    );
    assert!(broker
        .recent_activity(50)
        .expect("activity")
        .iter()
        .any(|a| a.contact == tess.id));
    let (again, _) = page(&theirs);
    broker.apply_remote(&again, None).expect("apply unmarked");
    assert_eq!(broker.tasks_due(t(24 * 60)).expect("due").len(), 1);
    drop(broker);

    // A device from before the marks: every scope is pulled once more from its start, and the
    // store still counts as synced (its cursors stay).
    let raw = rusqlite::Connection::open(&db).expect("raw");
    raw.execute_batch(
        "DROP TABLE not_mine_docs; UPDATE sync_cursors SET seq = 9, base = 9;
         DROP TABLE campaigns; PRAGMA user_version = 11;",
    )
    .expect("downgrade");
    drop(raw);
    let reopened = open(&db, &clock);
    let cursors = reopened.scope_cursors().expect("cursors");
    assert_eq!(cursors.len(), 1);
    assert_eq!((cursors[0].seq, cursors[0].base), (0, 0));
    assert!(reopened.has_synced().expect("synced"));
    assert_eq!(
        names(&reopened.list_contacts(&mine).expect("mine").items),
        ["Bea Broker", "Tess Teammate"],
        "unmarked until the pages come again"
    );
}
