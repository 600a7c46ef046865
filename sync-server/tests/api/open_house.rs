//! Open-house visitors written on a device reach routing when their push is stored (issue 15;
//! the whole offline story, with the app, is `shared/app-api/tests/api/open_house.rs`). Here,
//! on both stores: what marks a kiosk lead and what does not, an offer opened to the agents it
//! is offered to and claimed, and a device that tries to use a "visit" to reach a teammate's
//! client.

use crate::routing::*;
use crate::support::*;
use automerge::ActorId;
use fieldstone_model::sign_in::VISIT_OUTCOME;
use fieldstone_model::*;
use fieldstone_protocol::{DocId, DocPush};
use reqwest::StatusCode;
use serde_json::json;

crate::support::on_both_stores! {
    a_kiosk_visitor_is_offered_to_the_rules_agents_and_claimed(Default::default());
    only_a_new_open_house_contact_with_its_visit_is_routed(Default::default());
    a_visit_matching_a_teammates_client_goes_there_without_opening_it(Default::default());
}

fn visitor(owner: UserId, n: u32, source: LeadSource) -> Contact {
    let input = ContactInput {
        given_name: "Visitor".into(),
        family_name: format!("No{n}"),
        emails: vec![EmailEntry {
            address: format!("visitor{n}@example.com"),
            label: Default::default(),
            primary: true,
        }],
        source,
        ..ContactInput::default()
    };
    Contact::create(
        ContactId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        now(),
    )
}

fn visit(by: UserId, contact: ContactId, outcome: &str) -> Interaction {
    let input = InteractionInput {
        contact,
        listing: Some(ListingId::from_uuid(uuid::Uuid::new_v4())),
        channel: Channel::Meeting,
        direction: Direction::Inbound,
        summary: "Signed in at the open house at 12 Elm Street on the hall tablet.".into(),
        outcome: Some(outcome.into()),
        duration_seconds: None,
        occurred_at: now(),
    };
    Interaction::create(
        InteractionId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        by,
        now(),
    )
}

fn contact_push(contact: &Contact) -> DocPush {
    let (doc, _) = fieldstone_doc::contact::create(ActorId::random(), contact).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    device.unsent(&DocId::new(fieldstone_doc::contact::KIND, contact.id).expect("id"))
}

fn visit_push(visit: &Interaction) -> DocPush {
    let (doc, _) = fieldstone_doc::interaction::create(ActorId::random(), visit).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    device.unsent(&DocId::new(fieldstone_doc::interaction::KIND, visit.id).expect("id"))
}

async fn push_all(s: &TestServer, token: &str, docs: Vec<DocPush>) {
    let n = docs.len() as u32;
    let answer = s.push(token, docs).await;
    assert_eq!(answer.accepted, n, "{answer:?}");
}

async fn routing_row(s: &TestServer, token: &str, contact: ContactId) -> Option<serde_json::Value> {
    let (status, list) = s.json("GET", "/v2/leads/routing", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .and_then(|l| l.iter().find(|r| r["contact"] == contact.to_string()))
        .cloned()
}

/// Ann runs the kiosk; Bob and Cat are offered open-house visitors for ten minutes.
async fn kiosk_office(s: &TestServer, name: &str) -> Office {
    let o = office(s, name).await;
    for agent in 1..3 {
        profile(s, &o, agent, json!({"active": true, "max_open_leads": 100})).await;
    }
    let (bob, cat) = (o.agents[1].0, o.agents[2].0);
    rules(
        s,
        &o,
        json!([{"name": "visitors", "when": {"sources": ["open_house"]}, "agents": [bob, cat],
            "strategy": {"kind": "first_to_claim", "minutes": 10}}]),
    )
    .await;
    o
}

async fn a_kiosk_visitor_is_offered_to_the_rules_agents_and_claimed(s: TestServer) {
    let o = kiosk_office(&s, "Quay").await;
    let (ann, ann_token) = o.agents[0].clone();
    let guest = visitor(ann, 1, LeadSource::OpenHouse);
    let seen = visit(ann, guest.id, VISIT_OUTCOME);
    let pushed = vec![contact_push(&guest), visit_push(&seen)];
    push_all(&s, &ann_token, pushed.clone()).await;

    let row = routing_row(&s, &o.broker, guest.id)
        .await
        .expect("the visitor was routed");
    assert_eq!(row["decision"], "offer", "{row}");
    assert_eq!(row["offered"].as_array().map(Vec::len), Some(2), "{row}");
    // Offered to Bob and Cat: both devices hold the visitor (and the visit) to decide.
    for agent in 1..3 {
        let (contacts, notes) = device(&s, &o.agents[agent].1).await;
        assert!(holds(&contacts, guest.id).is_some(), "agent {agent}");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("Lead routing: rule \"visitors\"")),
            "{notes:?}"
        );
    }
    // Cat claims it: hers alone now, and Bob's device lets it go.
    let path = format!("/v2/leads/{}/claim", guest.id);
    let (status, answer) = s.json("POST", &path, Some(&o.agents[2].1), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (cats, _) = device(&s, &o.agents[2].1).await;
    assert_eq!(
        holds(&cats, guest.id).and_then(|c| c.assigned_agent),
        Some(o.agents[2].0)
    );
    let (bobs, _) = device(&s, &o.agents[1].1).await;
    assert!(holds(&bobs, guest.id).is_none());
    // The same push again (a device that never heard the answer) routes nothing twice.
    let again = s.push(&ann_token, pushed).await;
    assert_eq!((again.accepted, again.rejected.len()), (0, 0), "{again:?}");
    let row = routing_row(&s, &o.broker, guest.id).await.expect("row");
    assert_eq!(row["claimed_by"], o.agents[2].0.to_string(), "{row}");
}

async fn only_a_new_open_house_contact_with_its_visit_is_routed(s: TestServer) {
    let o = kiosk_office(&s, "Pier").await;
    let (ann, ann_token) = o.agents[0].clone();
    // Typed in by hand as from an open house, with no sign-in: Ann's own.
    let typed = visitor(ann, 1, LeadSource::OpenHouse);
    push_all(&s, &ann_token, vec![contact_push(&typed)]).await;
    // A meeting at a listing that is not a sign-in.
    let met = visitor(ann, 2, LeadSource::OpenHouse);
    let meeting = visit(ann, met.id, "showing");
    push_all(
        &s,
        &ann_token,
        vec![contact_push(&met), visit_push(&meeting)],
    )
    .await;
    // A referral who signed in at the kiosk on a device that knew them already.
    let known = visitor(ann, 3, LeadSource::Referral);
    let known_visit = visit(ann, known.id, VISIT_OUTCOME);
    push_all(
        &s,
        &ann_token,
        vec![contact_push(&known), visit_push(&known_visit)],
    )
    .await;
    // An open-house contact from an earlier push whose visit comes later (a returning visitor
    // on a contact the server had before routing was on): not new, not routed.
    let earlier = visitor(ann, 4, LeadSource::OpenHouse);
    push_all(&s, &ann_token, vec![contact_push(&earlier)]).await;
    let later = visit(ann, earlier.id, VISIT_OUTCOME);
    push_all(&s, &ann_token, vec![visit_push(&later)]).await;

    for c in [&typed, &met, &known, &earlier] {
        assert!(
            routing_row(&s, &o.broker, c.id).await.is_none(),
            "visitor {} was routed",
            c.family_name
        );
    }
    let (bobs, _) = device(&s, &o.agents[1].1).await;
    assert!(bobs.is_empty(), "Bob was given Ann's contacts");
    let (anns, _) = device(&s, &ann_token).await;
    assert_eq!(anns.len(), 4);
    assert!(anns.iter().all(|c| c.assigned_agent.is_none()));
}

async fn a_visit_matching_a_teammates_client_goes_there_without_opening_it(s: TestServer) {
    let o = kiosk_office(&s, "Dock").await;
    let (ann, ann_token) = o.agents[0].clone();
    let (bob, bob_token) = o.agents[1].clone();
    let client = visitor(bob, 7, LeadSource::Referral);
    push_new_contact(&s, &bob_token, &client).await;
    // Ann's device signs in "visitor 7" (she typed Bob's client's email at her kiosk).
    let guest = visitor(ann, 7, LeadSource::OpenHouse);
    let seen = visit(ann, guest.id, VISIT_OUTCOME);
    push_all(
        &s,
        &ann_token,
        vec![contact_push(&guest), visit_push(&seen)],
    )
    .await;

    // Not created twice, not routed: the visit is on Bob's client, Ann's copy deleted.
    assert!(routing_row(&s, &o.broker, guest.id).await.is_none());
    let (docs, _) = s.pull_all(&bob_token, vec![]).await;
    let visits: Vec<Interaction> = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::interaction::KIND)
        .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
        .filter_map(|d| fieldstone_doc::interaction::read(&d).ok())
        .collect();
    assert!(
        visits
            .iter()
            .any(|v| v.contact == client.id && v.outcome.as_deref() == Some(VISIT_OUTCOME)),
        "{visits:?}"
    );
    let (anns, _) = device(&s, &ann_token).await;
    // `device` reads every contact, deleted ones too: Ann's copy is deleted, and she was not
    // given Bob's client.
    assert!(
        holds(&anns, client.id).is_none(),
        "Ann was given Bob's client"
    );
    let copy = holds(&anns, guest.id).expect("Ann's copy, deleted");
    assert!(copy.deleted_at.is_some(), "{copy:?}");
}
