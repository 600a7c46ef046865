//! Lead routing's rows: a lead is decided once, claimed by one of many racing claimers (on
//! PostgreSQL, through two stores: two server processes), an offer falls back only while
//! unclaimed and after its time, and nothing crosses organisations.

use crate::support::{at, Backend, Kind};
use crate::{new_user, org_with_owner};
use fieldstone_model::UserId;
use fieldstone_protocol::account::Role;
use fieldstone_server::store::routing::{LeadRoutingRow, Replace};
use fieldstone_server::store::Store;
use std::collections::BTreeMap;

fn row(contact: usize, decision: &str, claim_until: Option<i64>) -> LeadRoutingRow {
    LeadRoutingRow {
        contact: uuid::Uuid::from_u128(contact as u128 + 1).to_string(),
        decision: decision.into(),
        agent: None,
        offered: Vec::new(),
        rule: Some(0),
        reason: format!("lead {contact}"),
        decided_at: at(0),
        claim_until: claim_until.map(at),
        claimed_by: None,
        claimed_at: None,
        interaction: None,
    }
}

fn agents(store: &dyn Store, org: fieldstone_model::OrgId, n: usize) -> Vec<UserId> {
    (0..n)
        .map(|i| {
            store
                .create_user(
                    org,
                    &new_user(&format!("agent{i}@acme.test"), Role::Agent),
                    at(0),
                )
                .expect("agent")
                .id
        })
        .collect()
}

pub fn racing_claims_of_one_lead_leave_one_owner(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    let claimers = agents(store, org, 4);
    const LEADS: usize = 40;
    for n in 0..LEADS {
        // Half in the pond, half offered until minute 10.
        let lead = if n % 2 == 0 {
            row(n, "pond", None)
        } else {
            row(n, "offer", Some(10))
        };
        assert!(store.record_lead_routing(org, &lead).expect("record"));
    }
    let second = match b.kind {
        Kind::Postgres => Some(b.another_postgres_store()),
        Kind::Sqlite => None,
    };
    let won: Vec<(usize, UserId)> = std::thread::scope(|s| {
        let threads: Vec<_> = claimers
            .iter()
            .enumerate()
            .map(|(i, &agent)| {
                let store: &dyn Store = match (&second, i % 2) {
                    (Some(other), 1) => other,
                    _ => store,
                };
                s.spawn(move || {
                    (0..LEADS)
                        .filter(|n| {
                            store
                                .claim_lead(org, &row(*n, "pond", None).contact, agent, at(1))
                                .expect("claim")
                        })
                        .map(|n| (n, agent))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("claimer"))
            .collect()
    });
    let owners: BTreeMap<usize, UserId> = won.iter().copied().collect();
    assert_eq!(won.len(), LEADS, "each lead claimed exactly once");
    assert_eq!(owners.len(), LEADS);
    for (n, agent) in owners {
        let stored = store
            .lead_routing(org, &row(n, "pond", None).contact)
            .expect("read")
            .expect("row");
        assert_eq!(
            (stored.agent, stored.claimed_by),
            (Some(agent), Some(agent))
        );
        assert_eq!(stored.claimed_at, Some(at(1)));
    }
}

pub fn a_lead_is_decided_once_and_an_offer_falls_back_only_unclaimed_and_late(b: &Backend) {
    let store = b.store();
    let (org, _) = org_with_owner(store, "acme");
    let (other, _) = org_with_owner(store, "other");
    let agent = agents(store, org, 1)[0];
    let offer = row(1, "offer", Some(10));
    assert!(store.record_lead_routing(org, &offer).expect("first"));
    let mut second = row(1, "pond", None);
    second.reason = "a second decision".into();
    assert!(!store.record_lead_routing(org, &second).expect("second"));
    assert_eq!(
        store.lead_routing(org, &offer.contact).expect("read"),
        Some(offer.clone()),
        "the first decision stands"
    );
    // Not yet expired: no fallback; then it is.
    assert!(store.expired_offers(org, at(9)).expect("early").is_empty());
    assert!(!store
        .replace_lead_routing(org, &second, Replace::ExpiredOffer, at(9))
        .expect("early"));
    assert_eq!(store.expired_offers(org, at(10)).expect("due").len(), 1);
    // Another organisation sees and changes nothing of it.
    assert_eq!(
        store.lead_routing(other, &offer.contact).expect("read"),
        None
    );
    assert!(store
        .expired_offers(other, at(99))
        .expect("other")
        .is_empty());
    assert!(!store
        .claim_lead(other, &offer.contact, agent, at(1))
        .expect("other"));
    assert!(!store
        .replace_lead_routing(other, &second, Replace::Any, at(99))
        .expect("other"));
    // Past its time an offer can no longer be claimed, and falls back once.
    assert!(!store
        .claim_lead(org, &offer.contact, agent, at(10))
        .expect("late"));
    assert!(store
        .replace_lead_routing(org, &second, Replace::ExpiredOffer, at(10))
        .expect("fallback"));
    assert!(!store
        .replace_lead_routing(org, &second, Replace::ExpiredOffer, at(11))
        .expect("once"));
    // Claimed from the pond, it is never replaced as an expired offer.
    assert!(store
        .claim_lead(org, &offer.contact, agent, at(12))
        .expect("claim"));
    assert!(!store
        .claim_lead(org, &offer.contact, agent, at(12))
        .expect("again"));
    let listed = store.lead_routings(org, Some(agent), 10).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, "a second decision");
    assert!(store
        .lead_routings(other, None, 10)
        .expect("list")
        .is_empty());
    // Profiles, rules and cursors are the organisation's own.
    store
        .set_routing_profile(org, agent, r#"{"active":true}"#, at(0))
        .expect("profile");
    store
        .set_routing_rules(org, r#"{"rules":[]}"#, at(0))
        .expect("rules");
    let other_agent = store
        .create_user(org, &new_user("second@acme.test", Role::Agent), at(0))
        .expect("second agent")
        .id;
    assert!(store
        .swap_routing_cursor(org, "rr", None, other_agent)
        .expect("first cursor"));
    // A swap from where the cursor no longer is changes nothing.
    assert!(!store
        .swap_routing_cursor(org, "rr", None, agent)
        .expect("from nothing again"));
    assert!(!store
        .swap_routing_cursor(org, "rr", Some(agent), agent)
        .expect("from the wrong place"));
    assert!(store
        .swap_routing_cursor(org, "rr", Some(other_agent), agent)
        .expect("from where it is"));
    assert_eq!(store.routing_profiles(org).expect("profiles").len(), 1);
    assert!(store
        .routing_profile(other, agent)
        .expect("other")
        .is_none());
    assert!(store.routing_profiles(other).expect("other").is_empty());
    assert!(store.routing_rules(other).expect("other").is_none());
    assert_eq!(
        store.routing_cursors(org).expect("cursors"),
        vec![("rr".to_owned(), agent)]
    );
    assert!(store.routing_cursors(other).expect("other").is_empty());
}

pub fn open_house_visitors_wait_in_a_queue_per_organisation(b: &Backend) {
    use fieldstone_server::store::routing::DeviceLeadRow;
    let store = b.store();
    let (acme, ann) = org_with_owner(store, "acme");
    let (beta, bea) = org_with_owner(store, "beta");
    let contact = uuid::Uuid::from_u128(7).to_string();
    let lead = |user, at_minute: i64, visit: u128| DeviceLeadRow {
        contact: contact.clone(),
        user,
        visits: vec![uuid::Uuid::from_u128(visit).to_string()],
        queued_at: at(at_minute),
    };
    store
        .queue_device_leads(acme, &[lead(ann, 0, 1)])
        .expect("queue");
    store
        .queue_device_leads(beta, &[lead(bea, 5, 2)])
        .expect("queue");
    // A push retried after a stale commit queues the same contact again: one row.
    store
        .queue_device_leads(acme, &[lead(ann, 0, 1)])
        .expect("again");
    let all = store.device_leads(None, 10).expect("all");
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!((all[0].0, all[0].1.user), (acme, ann), "oldest first");
    let old = store.device_leads(Some(at(3)), 10).expect("old");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].0, acme);
    // Forgetting Acme's leaves Beta's, though the contact id is the same text.
    store.forget_device_lead(acme, &contact).expect("forget");
    let left = store.device_leads(None, 10).expect("left");
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].0, &left[0].1.visits),
        (beta, &vec![uuid::Uuid::from_u128(2).to_string()])
    );
}
