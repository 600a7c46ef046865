//! The intents' attempt ledger: each intent is taken once by one worker, finished only by the
//! worker holding the attempt, retried after its time, and never acted on again after a worker
//! stopped mid-send — on each backend, with workers racing (on PostgreSQL, two stores on one
//! database, as two server processes).

use crate::org_with_owner;
use crate::support::{at, Backend, Kind};
use fieldstone_model::OrgId;
use fieldstone_protocol::DocId;
use fieldstone_server::store::{
    IntentClaim, IntentFinish, IntentOutcome, IntentState, Store, UNKNOWN_DETAIL,
};
use std::collections::BTreeSet;

fn message(n: usize) -> DocId {
    DocId::new("message", format!("00000000-0000-4000-8000-{n:012}")).expect("id")
}

fn sent() -> IntentFinish {
    IntentFinish::Done {
        outcome: IntentOutcome::Sent,
        detail: Some("<m-1@mail.example.com>".into()),
    }
}

fn enqueue(store: &dyn Store, org: OrgId, n: usize) {
    assert!(store
        .enqueue_intent(org, &message(n), at(0))
        .expect("enqueue"));
}

pub fn an_intent_is_queued_once_taken_once_and_finished_by_its_holder(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    enqueue(store, org, 1);
    // A retried push, or a second server, queues nothing more.
    assert!(!store
        .enqueue_intent(org, &message(1), at(1))
        .expect("again"));
    let claims = store.claim_intents("w1", at(1), at(6), 10).expect("claim");
    assert_eq!(
        claims,
        [IntentClaim {
            org,
            doc: message(1),
            attempt: 1
        }]
    );
    assert!(store
        .claim_intents("w2", at(2), at(7), 10)
        .expect("claim")
        .is_empty());
    let row = store.intent(org, &message(1)).expect("row").expect("there");
    assert_eq!((row.state, row.attempts), (IntentState::Sending, 1));
    // Another worker cannot finish it; its holder can, once.
    assert!(!store
        .finish_intent(&claims[0], "w2", &sent(), at(2))
        .expect("finish"));
    assert!(store
        .finish_intent(&claims[0], "w1", &sent(), at(2))
        .expect("finish"));
    assert!(!store
        .finish_intent(&claims[0], "w1", &sent(), at(3))
        .expect("twice"));
    let row = store.intent(org, &message(1)).expect("row").expect("there");
    assert_eq!(row.state, IntentState::Done);
    assert_eq!(row.outcome, Some(IntentOutcome::Sent));
    assert_eq!(row.detail.as_deref(), Some("<m-1@mail.example.com>"));
    assert!(store
        .claim_intents("w1", at(100), at(105), 10)
        .expect("claim")
        .is_empty());
    // Another organisation sees nothing of it.
    let (other, _) = org_with_owner(store, "other");
    assert_eq!(store.intent(other, &message(1)).expect("row"), None);
}

pub fn a_transient_failure_is_taken_again_after_its_time(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    enqueue(store, org, 1);
    let first = store.claim_intents("w1", at(0), at(5), 10).expect("claim");
    let retry = IntentFinish::Retry {
        at: at(10),
        detail: "421 try again later".into(),
    };
    assert!(store
        .finish_intent(&first[0], "w1", &retry, at(1))
        .expect("finish"));
    let row = store.intent(org, &message(1)).expect("row").expect("there");
    assert_eq!((row.state, row.next_at), (IntentState::Retry, at(10)));
    assert!(store
        .claim_intents("w1", at(9), at(14), 10)
        .expect("early")
        .is_empty());
    let second = store.claim_intents("w2", at(10), at(15), 10).expect("due");
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempt, 2);
    // The first attempt's holder no longer holds anything.
    assert!(!store
        .finish_intent(&first[0], "w1", &sent(), at(11))
        .expect("stale"));
}

pub fn a_send_whose_worker_stopped_is_closed_as_unknown_and_never_taken_again(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    enqueue(store, org, 1);
    enqueue(store, org, 2);
    let claims = store.claim_intents("w1", at(0), at(5), 1).expect("claim");
    assert_eq!(claims.len(), 1);
    assert!(store
        .close_abandoned_intents(at(4), 10)
        .expect("close")
        .is_empty());
    let closed = store.close_abandoned_intents(at(6), 10).expect("close");
    assert_eq!(closed, claims);
    let row = store
        .intent(org, &claims[0].doc)
        .expect("row")
        .expect("there");
    assert_eq!(row.state, IntentState::Done);
    assert_eq!(row.outcome, Some(IntentOutcome::Unknown));
    assert_eq!(row.detail.as_deref(), Some(UNKNOWN_DETAIL));
    // Its worker coming back cannot record an outcome now, and nobody takes it again; the
    // other intent, never taken, still goes.
    assert!(!store
        .finish_intent(&claims[0], "w1", &sent(), at(7))
        .expect("late"));
    let next = store.claim_intents("w2", at(8), at(13), 10).expect("claim");
    assert_eq!(next.len(), 1);
    assert_ne!(next[0].doc, claims[0].doc);
    assert!(store
        .close_abandoned_intents(at(9), 10)
        .expect("close")
        .is_empty());
}

pub fn racing_workers_never_take_the_same_intent(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    const INTENTS: usize = 120;
    for n in 0..INTENTS {
        enqueue(store, org, n);
    }
    // On PostgreSQL half the workers go through a second store: another server process.
    let second = match b.kind {
        Kind::Postgres => Some(b.another_postgres_store()),
        Kind::Sqlite => None,
    };
    let taken: Vec<IntentClaim> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let store: &dyn Store = match (&second, w % 2) {
                    (Some(other), 1) => other,
                    _ => store,
                };
                s.spawn(move || {
                    let name = format!("w{w}");
                    let mut mine = Vec::new();
                    loop {
                        let claims = store.claim_intents(&name, at(1), at(60), 7).expect("claim");
                        if claims.is_empty() {
                            return mine;
                        }
                        for claim in &claims {
                            assert!(store
                                .finish_intent(claim, &name, &sent(), at(2))
                                .expect("finish"));
                        }
                        mine.extend(claims);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    let distinct: BTreeSet<_> = taken.iter().map(|c| c.doc.clone()).collect();
    assert_eq!(taken.len(), INTENTS, "each intent taken exactly once");
    assert_eq!(distinct.len(), INTENTS);
    assert!(taken.iter().all(|c| c.attempt == 1));
}
