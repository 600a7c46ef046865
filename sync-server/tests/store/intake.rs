//! A lead's documents and the record of its event are stored in one transaction: both or
//! neither, and an event recorded before is kept as it was.

use crate::support::{at, Backend, Record};
use fieldstone_protocol::Scope;
use fieldstone_server::store::intake::IntakeEventRow;
use fieldstone_server::store::StoreError;

fn event(id: &str, contact: &str) -> IntakeEventRow {
    IntakeEventRow {
        channel: "api".into(),
        event_id: id.into(),
        sender: None,
        contact: contact.into(),
        created: true,
        interaction: "00000000-0000-4000-8000-000000000001".into(),
        at: at(1),
    }
}

pub fn a_leads_documents_and_its_event_are_stored_together_or_not_at_all(b: &Backend) {
    let store = b.store();
    let (org, owner) = crate::org_with_owner(store, "harbour");
    let (other, _) = crate::org_with_owner(store, "quay");
    let mut first = Record::new("lead-a", 1, 1);
    let (done, new) = store
        .commit_with_intake_event(
            org,
            vec![first.create(vec![Scope::Org(org)], owner)],
            &event("e1", "lead-a"),
            at(1),
        )
        .expect("commit");
    assert_eq!((done.len(), new), (1, true));
    let stored = store.intake_event(org, "api", "e1").expect("read");
    assert_eq!(stored.map(|e| e.contact).as_deref(), Some("lead-a"));

    // A stale write stores neither its documents nor its event.
    let mut again = Record::new("lead-a", 2, 1);
    match store.commit_with_intake_event(
        org,
        vec![again.create(vec![Scope::Org(org)], owner)],
        &event("e2", "lead-a"),
        at(2),
    ) {
        Err(StoreError::Stale(_) | StoreError::Conflict(_)) => {}
        other => panic!("a second creation was not refused: {other:?}"),
    }
    assert!(store
        .intake_event(org, "api", "e2")
        .expect("read")
        .is_none());

    // The same event again: the documents are stored, the first record stays.
    let mut second = Record::new("lead-b", 3, 1);
    let (done, new) = store
        .commit_with_intake_event(
            org,
            vec![second.create(vec![Scope::Org(org)], owner)],
            &event("e1", "lead-b"),
            at(3),
        )
        .expect("commit");
    assert_eq!((done.len(), new), (1, false));
    let stored = store.intake_event(org, "api", "e1").expect("read");
    assert_eq!(stored.map(|e| e.contact).as_deref(), Some("lead-a"));
    assert!(store.load_doc(org, &second.id).expect("load").is_some());
    // Another organisation has no such event.
    assert!(store
        .intake_event(other, "api", "e1")
        .expect("read")
        .is_none());
}
