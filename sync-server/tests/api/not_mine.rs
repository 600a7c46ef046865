//! The version 3 pull marks what a caller holds only because they read other people's own
//! records (issue 15: a broker's Today counts only their own and explicitly shared items). On
//! both stores: a teammate's contact is marked for the broker; one shared with the broker or
//! their team, the broker's own, and an unrouted lead in the organisation's scope are not; an
//! agent, who reads nobody else's records, is sent no marks; version 2 answers as before.

use crate::routing::*;
use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::{DocId, PullRequest, PullResponse, PullResponseV3, ScopeCursor};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;

crate::support::on_both_stores! {
    a_teammates_contact_is_marked_for_the_broker_and_shared_ones_are_not(Default::default());
}

fn doc(c: &Contact) -> DocId {
    DocId::new(fieldstone_doc::contact::KIND, c.id).expect("id")
}

/// Every page of the version 3 pull from the start: the documents and the marked ones.
async fn pull_v3(s: &TestServer, token: &str) -> (BTreeSet<DocId>, BTreeSet<DocId>) {
    let mut cursors: Vec<ScopeCursor> = Vec::new();
    let (mut docs, mut marked) = (BTreeSet::new(), BTreeSet::new());
    loop {
        let answer: PullResponseV3 = s
            .sync(
                "/v3/sync/pull",
                token,
                &PullRequest {
                    cursors: cursors.clone(),
                    max_docs: 2,
                },
            )
            .await
            .expect("pull v3");
        docs.extend(answer.page.docs.iter().map(|d| d.doc_id.clone()));
        marked.extend(answer.not_mine);
        cursors = answer.page.cursors;
        if !answer.page.more {
            return (docs, marked);
        }
    }
}

async fn id_of(s: &TestServer, token: &str) -> String {
    let (status, me) = s.json("GET", "/v2/me", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["user"]["id"].as_str().expect("id").to_owned()
}

async fn a_teammates_contact_is_marked_for_the_broker_and_shared_ones_are_not(s: TestServer) {
    let o = office(&s, "Marks").await;
    let (ann, ann_token) = o.agents[0].clone();
    let broker = id_of(&s, &o.broker).await;
    let broker_id: UserId = broker.parse().expect("broker id");
    let (status, teams) = s.json("GET", "/v2/teams", Some(&ann_token), None).await;
    assert_eq!(status, StatusCode::OK, "{teams}");
    let team = teams[0]["id"].as_str().expect("team").to_owned();

    let own = new_contact(ann, "Ann's own", "Test");
    let to_broker = new_contact(ann, "Shared with the broker", "Test");
    let to_team = new_contact(ann, "Shared with the team", "Test");
    for c in [&own, &to_broker, &to_team] {
        push_new_contact(&s, &ann_token, c).await;
    }
    for (c, body) in [
        (&to_broker, json!({"user_id": broker})),
        (&to_team, json!({"team_id": team})),
    ] {
        let path = format!("/v2/docs/{}/shares", doc(c));
        let (status, answer) = s.json("POST", &path, Some(&ann_token), Some(body)).await;
        assert!(status.is_success(), "{status} {answer}");
    }
    let brokers = new_contact(broker_id, "The broker's own", "Test");
    push_new_contact(&s, &o.broker, &brokers).await;
    // An unrouted web lead: the organisation's scope, which is everyone's.
    let lead = lead(&s, &o, 1, "Docks", None).await;

    let (docs, marked) = pull_v3(&s, &o.broker).await;
    for c in [&own, &to_broker, &to_team, &brokers] {
        assert!(docs.contains(&doc(c)), "the broker reads {}", c.given_name);
    }
    let lead_doc = DocId::new(fieldstone_doc::contact::KIND, lead).expect("id");
    assert!(docs.contains(&lead_doc));
    assert_eq!(
        marked,
        BTreeSet::from([doc(&own)]),
        "only the teammate's own"
    );

    // The agent reads nobody else's records: nothing is ever marked for her.
    let (docs, marked) = pull_v3(&s, &ann_token).await;
    assert!(docs.contains(&doc(&own)) && docs.contains(&lead_doc));
    assert!(marked.is_empty(), "{marked:?}");

    // The broker is given Ann's contact: it is theirs now, and the next page says so.
    let path = format!("/v2/leads/{}/assign", own.id);
    let (status, answer) = s
        .json(
            "POST",
            &path,
            Some(&o.broker),
            Some(json!({"agent": broker})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, marked) = pull_v3(&s, &o.broker).await;
    assert!(marked.is_empty(), "{marked:?}");

    // Version 2 still answers its own shape for devices of before.
    let page: PullResponse = s
        .sync(
            "/v2/sync/pull",
            &o.broker,
            &PullRequest {
                cursors: Vec::new(),
                max_docs: 1000,
            },
        )
        .await
        .expect("pull v2");
    assert!(page.docs.iter().any(|d| d.doc_id == doc(&own)));
}
