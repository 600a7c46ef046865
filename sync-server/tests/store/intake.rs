//! A lead's documents, the record of its event and its routing decision are stored in one
//! transaction: all or none, and an event or a decision recorded before is kept as it was.

use crate::support::{at, Backend, Record};
use fieldstone_protocol::Scope;
use fieldstone_server::store::intake::IntakeEventRow;
use fieldstone_server::store::routing::LeadRoutingRow;
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

fn decision(contact: &str, reason: &str) -> LeadRoutingRow {
    LeadRoutingRow {
        contact: contact.into(),
        decision: "pond".into(),
        agent: None,
        offered: Vec::new(),
        rule: Some(0),
        reason: reason.into(),
        decided_at: at(1),
        claim_until: None,
        claimed_by: None,
        claimed_at: None,
        interaction: None,
    }
}

pub fn a_leads_routing_row_is_stored_with_its_documents_or_not_at_all(b: &Backend) {
    let store = b.store();
    let (org, owner) = crate::org_with_owner(store, "harbour");
    let lead = "00000000-0000-4000-8000-00000000000a";
    let mut first = Record::new(lead, 1, 1);
    let (done, new) = store
        .commit_lead(
            org,
            vec![first.create(vec![Scope::Org(org)], owner)],
            None,
            Some(&decision(lead, "first")),
            at(1),
        )
        .expect("commit");
    assert_eq!((done.len(), new), (1, None));
    let stored = store.lead_routing(org, lead).expect("read").expect("row");
    assert_eq!(stored.reason, "first");

    // A stale creation stores neither its documents nor its decision.
    let other = "00000000-0000-4000-8000-00000000000b";
    let mut again = Record::new(lead, 2, 1);
    let mut beside = Record::new(other, 2, 1);
    match store.commit_lead(
        org,
        vec![
            beside.create(vec![Scope::Org(org)], owner),
            again.create(vec![Scope::Org(org)], owner),
        ],
        Some(&event("e9", other)),
        Some(&decision(other, "stale")),
        at(2),
    ) {
        Err(StoreError::Stale(_) | StoreError::Conflict(_)) => {}
        other => panic!("a second creation was not refused: {other:?}"),
    }
    assert!(store.lead_routing(org, other).expect("read").is_none());
    assert!(store.load_doc(org, &beside.id).expect("load").is_none());
    assert!(store
        .intake_event(org, "api", "e9")
        .expect("read")
        .is_none());

    // A lead decided already keeps its first decision; the documents are stored all the same.
    let mut third = Record::new(other, 3, 1);
    store
        .commit_lead(
            org,
            vec![third.create(vec![Scope::Org(org)], owner)],
            None,
            Some(&decision(lead, "second")),
            at(3),
        )
        .expect("commit");
    let kept = store.lead_routing(org, lead).expect("read").expect("row");
    assert_eq!(kept.reason, "first");
    assert!(store.load_doc(org, &third.id).expect("load").is_some());
}
