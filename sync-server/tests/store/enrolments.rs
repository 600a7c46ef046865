//! A campaign's enrolments and a job scheduled on its own, on each backend: an occasion is
//! recorded once (two server processes racing keep the first row), nothing crosses to another
//! organisation or campaign, and a job scheduled twice waits once.

use crate::org_with_owner;
use crate::support::{at, Backend};
use fieldstone_server::store::jobs::{Enrolment, JobSchedule, WEEKLY};

fn row(contact: &str, episode: &str, when: Option<i64>) -> Enrolment {
    Enrolment {
        contact: contact.to_owned(),
        episode: episode.to_owned(),
        enrolled_at: when.map(at),
    }
}

pub fn an_occasion_is_enrolled_once_per_campaign_and_organisation(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    let (other, _) = org_with_owner(store, "beta");
    store
        .enrol(
            org,
            "camp",
            &[row("c1", "tag:hot:1@a", None), row("c2", "new", Some(10))],
        )
        .expect("enrol");
    store
        .enrol(
            org,
            "camp",
            &[row("c2", "new", Some(99)), row("c3", "left:", Some(20))],
        )
        .expect("again");
    store
        .enrol(other, "camp", &[row("c9", "new", Some(1))])
        .expect("other");
    let mut rows = store.enrolments(org, "camp").expect("rows");
    rows.sort_by(|a, b| a.contact.cmp(&b.contact));
    assert_eq!(
        rows,
        [
            row("c1", "tag:hot:1@a", None),
            row("c2", "new", Some(10)),
            row("c3", "left:", Some(20))
        ]
    );
    assert!(store.enrolments(org, "another").expect("rows").is_empty());
    assert_eq!(store.enrolments(other, "camp").expect("rows").len(), 1);

    // Racing writers (two processes on PostgreSQL share the table) leave one row each.
    let shared = b.shared();
    std::thread::scope(|scope| {
        for w in 0..4 {
            let store = std::sync::Arc::clone(&shared);
            scope.spawn(move || {
                let rows: Vec<Enrolment> = (0..50)
                    .map(|i| row(&format!("r{i}"), "birthday:2027", Some(w)))
                    .collect();
                store.enrol(org, "race", &rows).expect("race");
            });
        }
    });
    assert_eq!(store.enrolments(org, "race").expect("rows").len(), 50);

    let job = JobSchedule {
        kind: WEEKLY,
        key: "u1".into(),
        due_at: Some(at(1_000)),
    };
    store.schedule_job(org, &job, at(0)).expect("schedule");
    store.schedule_job(org, &job, at(1)).expect("again");
    let row = store.job(org, WEEKLY, "u1").expect("job").expect("made");
    assert_eq!((row.state.as_str(), row.due_at), ("waiting", at(1_000)));
    assert!(store.job(other, WEEKLY, "u1").expect("job").is_none());
}
