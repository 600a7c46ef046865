//! Access control on every change: each rule's violation is refused with a reason naming the
//! document, is not stored, is not forwarded, and comes back with the server's copy.

use crate::support::*;
use fieldstone_model::{OrgId, TeamId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::*;
use futures_util::StreamExt;
use std::time::Duration;

/// Team Downtown: broker Bea, agents Ada and Cal, viewer Vic. Team Uptown: agent Uma.
struct Office {
    s: TestServer,
    org: OrgId,
    team: TeamId,
    bea: (UserId, String),
    ada: (UserId, String),
    cal: (UserId, String),
    vic: (UserId, String),
    uma: (UserId, String),
}

async fn office() -> Office {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let team = s.team(org, "Downtown");
    let uptown = s.team(org, "Uptown");
    let person = |email: &str, role: Role, team: TeamId| {
        let id = s.user(org, email, role, Some(team));
        (id, s.token(org, id))
    };
    let bea = person("bea@example.com", Role::Broker, team);
    let ada = person("ada@example.com", Role::Agent, team);
    let cal = person("cal@example.com", Role::Agent, team);
    let vic = person("vic@example.com", Role::Viewer, team);
    let uma = person("uma@example.com", Role::Agent, uptown);
    Office {
        s,
        org,
        team,
        bea,
        ada,
        cal,
        vic,
        uma,
    }
}

/// Ada's contact, stored on the server; returns Ada's device holding it.
async fn adas_contact(o: &Office, n: u32) -> Device {
    let mut device = Device::create(o.ada.0);
    let answer = o.s.push(&o.ada.1, vec![device.unsent(&doc_id(n))]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    device
}

/// The server's copy as a reader sees it.
async fn server_copy(o: &Office, token: &str, n: u32) -> Device {
    let (docs, _) = o.s.pull_all(token, vec![]).await;
    let doc = docs
        .iter()
        .find(|d| d.doc_id == doc_id(n))
        .expect("readable document");
    Device::from_snapshot(doc.snapshot.as_deref().expect("whole"))
}

fn only_rejection(answer: &PushResponse) -> &Rejection {
    assert_eq!(answer.accepted, 0, "{answer:?}");
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    &answer.rejected[0]
}

#[tokio::test]
async fn an_agent_may_not_reassign_and_gets_the_servers_copy_back() {
    let o = office().await;
    let mut ada = adas_contact(&o, 1).await;
    let mut broker_live = live(&o.s, &o.bea.1).await;

    ada.set("assigned_agent", &o.cal.0.to_string());
    ada.set("stage", "won"); // an allowed edit in the same push goes down with it
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id(1))]).await;
    let refused = only_rejection(&answer);
    assert_eq!(
        refused.code,
        RejectCode::FieldNotAllowed {
            field: "assigned_agent".into()
        }
    );
    assert!(
        refused.message.contains("assigned agent of this contact")
            && !refused.message.contains(doc_id(1).record_id()),
        "{}",
        refused.message
    );
    let back = refused.server_doc.as_deref().expect("the server's copy");
    assert_eq!(field(back, "assigned_agent"), None);
    assert_eq!(field(back, "stage").as_deref(), Some("new"));

    // Not stored: the broker (who reads Ada's work) sees the old version...
    let copy = server_copy(&o, &o.bea.1, 1).await;
    assert_eq!(copy.get("stage").as_deref(), Some("new"));
    assert_eq!(copy.get("assigned_agent"), None);
    // ...and not forwarded: Cal never received the document, and no live news went out.
    let (docs, _) = o.s.pull_all(&o.cal.1, vec![]).await;
    assert!(!has_doc(&docs, &doc_id(1)));
    let silent = tokio::time::timeout(Duration::from_millis(300), broker_live.next()).await;
    assert!(silent.is_err(), "no news for a refused change: {silent:?}");

    // The device converges back: reset to the server's copy, then edit again within its rights.
    let mut reset = Device::from_snapshot(back);
    reset.set("stage", "won");
    let answer = o.s.push(&o.ada.1, vec![reset.unsent(&doc_id(1))]).await;
    assert_eq!((answer.accepted, answer.rejected.len()), (1, 0));
}

#[tokio::test]
async fn a_broker_reassigns_and_the_new_agent_receives_the_document() {
    let o = office().await;
    adas_contact(&o, 1).await;
    let mut broker = server_copy(&o, &o.bea.1, 1).await;
    broker.set("assigned_agent", &o.cal.0.to_string());
    let answer = o.s.push(&o.bea.1, vec![broker.unsent(&doc_id(1))]).await;
    assert_eq!(
        (answer.accepted, answer.rejected.len()),
        (1, 0),
        "{answer:?}"
    );
    let copy = server_copy(&o, &o.cal.1, 1).await;
    assert_eq!(copy.get("assigned_agent"), Some(o.cal.0.to_string()));
}

#[tokio::test]
async fn nobody_writes_outside_their_scopes() {
    let o = office().await;
    let ada = adas_contact(&o, 1).await;
    let snapshot = ada.doc.clone().save();

    // Cal (same team, but Ada's private work) and Uma (another team) cannot write it.
    for (who, token) in [("cal", &o.cal.1), ("uma", &o.uma.1)] {
        let mut other = Device::from_snapshot(&snapshot);
        other.set("stage", "lost");
        let answer = o.s.push(token, vec![other.unsent(&doc_id(1))]).await;
        let refused = only_rejection(&answer);
        assert_eq!(refused.code, RejectCode::NotWritable, "{who}");
        assert!(refused.server_doc.is_none(), "{who} may not read it either");
    }
    assert_eq!(
        server_copy(&o, &o.ada.1, 1).await.get("stage").as_deref(),
        Some("new")
    );
}

#[tokio::test]
async fn a_read_only_role_writes_nothing() {
    let o = office().await;
    // Vic may read the team's shared documents...
    let mut ada = adas_contact(&o, 1).await;
    let path = format!("/v2/docs/{}/shares", doc_id(1));
    let (status, body) =
        o.s.json("POST", &path, Some(&o.ada.1), Some(serde_json::json!({})))
            .await;
    assert_eq!(
        status,
        reqwest::StatusCode::BAD_REQUEST,
        "a share names a user or a team: {body}"
    );
    let (status, body) =
        o.s.json(
            "POST",
            &path,
            Some(&o.ada.1),
            Some(serde_json::json!({"team_id": o.team.to_string()})),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    ada.set("stage", "viewing");
    o.s.push(&o.ada.1, vec![ada.unsent(&doc_id(1))]).await;
    let mut vic = server_copy(&o, &o.vic.1, 1).await;
    assert_eq!(vic.get("stage").as_deref(), Some("viewing"));
    // ...but writes nothing: not an edit, not a new document.
    vic.set("stage", "lost");
    let answer = o.s.push(&o.vic.1, vec![vic.unsent(&doc_id(1))]).await;
    let refused = only_rejection(&answer);
    assert_eq!(refused.code, RejectCode::NotWritable);
    assert_eq!(
        field(refused.server_doc.as_deref().expect("readable"), "stage").as_deref(),
        Some("viewing")
    );
    let mut fresh = Device::create(o.vic.0);
    let answer = o.s.push(&o.vic.1, vec![fresh.unsent(&doc_id(2))]).await;
    assert_eq!(only_rejection(&answer).code, RejectCode::NotWritable);
    assert!(o
        .s
        .store
        .doc_scopes(o.org, &doc_id(2))
        .expect("scopes")
        .is_none());
}

#[tokio::test]
async fn identity_fields_never_change_and_actors_belong_to_their_first_user() {
    let o = office().await;
    let mut ada = adas_contact(&o, 1).await;
    ada.set("kind", "listing");
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id(1))]).await;
    assert_eq!(
        only_rejection(&answer).code,
        RejectCode::FieldNotAllowed {
            field: "kind".into()
        }
    );

    // Cal's device signs with Ada's actor id: Cal's changes signed with it are refused.
    let mut cal_doc = Device::new();
    cal_doc.doc.set_actor(ada.doc.get_actor().clone());
    cal_doc.set("stage", "x");
    let answer = o.s.push(&o.cal.1, vec![cal_doc.unsent(&doc_id(5))]).await;
    assert_eq!(only_rejection(&answer).code, RejectCode::ForeignActor);
    assert!(o
        .s
        .store
        .doc_scopes(o.org, &doc_id(5))
        .expect("scopes")
        .is_none());
}

#[tokio::test]
async fn sharing_with_a_teammate_is_a_server_action() {
    let o = office().await;
    adas_contact(&o, 1).await;
    let path = format!("/v2/docs/{}/shares", doc_id(1));
    // Not with someone from another team, not by someone who cannot write it.
    let body = |user: UserId| Some(serde_json::json!({"user_id": user.to_string()}));
    assert_eq!(
        o.s.json("POST", &path, Some(&o.ada.1), body(o.uma.0))
            .await
            .0,
        reqwest::StatusCode::NOT_FOUND
    );
    assert_eq!(
        o.s.json("POST", &path, Some(&o.cal.1), body(o.cal.0))
            .await
            .0,
        reqwest::StatusCode::NOT_FOUND
    );
    let (status, answer) = o.s.json("POST", &path, Some(&o.ada.1), body(o.cal.0)).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{answer}");
    // Cal receives it whole and may now work on it.
    let mut cal = server_copy(&o, &o.cal.1, 1).await;
    cal.set("stage", "offer");
    let answer = o.s.push(&o.cal.1, vec![cal.unsent(&doc_id(1))]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    // And Ada receives Cal's edit.
    assert_eq!(
        server_copy(&o, &o.ada.1, 1).await.get("stage").as_deref(),
        Some("offer")
    );
    let (status, scopes) = o.s.json("GET", &path, Some(&o.ada.1), None).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(scopes["scopes"].as_array().map(Vec::len), Some(2));
    // Unsharing; the creator's own scope stays.
    let unshare = |user: UserId| format!("{path}/user:{user}");
    assert_eq!(
        o.s.json("DELETE", &unshare(o.ada.0), Some(&o.ada.1), None)
            .await
            .0,
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        o.s.json("DELETE", &unshare(o.cal.0), Some(&o.ada.1), None)
            .await
            .0,
        reqwest::StatusCode::NO_CONTENT
    );
    let (docs, _) = o.s.pull_all(&o.cal.1, vec![]).await;
    assert!(!has_doc(&docs, &doc_id(1)));
}

/// Ada's device with a message it wrote (queued), as the app's engine writes one.
fn adas_message(o: &Office, n: u128) -> (Device, DocId, fieldstone_model::Message) {
    use fieldstone_model::*;
    let at = chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time");
    let input = MessageInput {
        contact: ContactId::from_uuid(uuid::Uuid::from_u128(7)),
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: "lead@example.com".into(),
        subject: Some("Homes near the park".into()),
        body: "Three homes fit.".into(),
        body_html: None,
        task: None,
    };
    let id = MessageId::from_uuid(uuid::Uuid::from_u128(n));
    let message = Message::create(id, input.validate().expect("valid"), o.ada.0, at);
    let mut device = Device::new();
    let (doc, _) =
        fieldstone_doc::message::create(automerge::ActorId::random(), &message).expect("create");
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::message::KIND, id).expect("id");
    (device, doc_id, message)
}

#[tokio::test]
async fn a_device_never_writes_a_messages_result_and_a_new_one_arrives_unsent() {
    let o = office().await;
    let (mut ada, doc_id, mut message) = adas_message(&o, 41);
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id)]).await;
    assert_eq!(
        (answer.accepted, answer.rejected.len()),
        (1, 0),
        "{answer:?}"
    );
    // Stored and queued for sending in one transaction.
    let queued =
        o.s.store
            .intent(o.org, &doc_id)
            .expect("ledger")
            .expect("queued");
    assert_eq!(
        (queued.state, queued.attempts),
        (fieldstone_server::store::IntentState::Pending, 0)
    );

    // Marking it sent from the device (so the server would skip it, or a person would think it
    // went) is refused, whatever the role, and the server's copy comes back.
    message.result.status = fieldstone_model::MessageStatus::Sent;
    message.result.attempts = 1;
    fieldstone_doc::message::update(&mut ada.doc, &message)
        .expect("update")
        .expect("a change");
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id)]).await;
    let refused = only_rejection(&answer);
    assert_eq!(
        refused.code,
        RejectCode::FieldNotAllowed {
            field: "result".into()
        }
    );
    assert!(
        refused
            .message
            .starts_with("Only the server records the result of this message"),
        "{}",
        refused.message
    );
    let back = fieldstone_doc::load(refused.server_doc.as_deref().expect("the server's copy"))
        .expect("load");
    let stored = fieldstone_doc::message::read(&back).expect("read");
    assert_eq!(
        stored.result.status,
        fieldstone_model::MessageStatus::Queued
    );

    // Withdrawing it, from the server's copy, is the device's to do.
    let mut reset = Device::from_snapshot(refused.server_doc.as_deref().expect("copy"));
    let mut withdrawn = stored.clone();
    withdrawn.deleted_at = Some(withdrawn.created_at);
    fieldstone_doc::message::update(&mut reset.doc, &withdrawn)
        .expect("update")
        .expect("a change");
    let answer = o.s.push(&o.ada.1, vec![reset.unsent(&doc_id)]).await;
    assert_eq!(
        (answer.accepted, answer.rejected.len()),
        (1, 0),
        "{answer:?}"
    );

    // A message created already "sent" is refused outright: it was never queued here.
    let (mut forged, forged_id, mut forged_message) = adas_message(&o, 42);
    forged_message.result.status = fieldstone_model::MessageStatus::Delivered;
    let (doc, _) = fieldstone_doc::message::create(automerge::ActorId::random(), &forged_message)
        .expect("create");
    forged.doc = doc;
    let answer = o.s.push(&o.ada.1, vec![forged.unsent(&forged_id)]).await;
    assert_eq!(
        only_rejection(&answer).code,
        RejectCode::FieldNotAllowed {
            field: "result".into()
        }
    );
    let (docs, _) = o.s.pull_all(&o.bea.1, vec![]).await;
    assert!(!has_doc(&docs, &forged_id), "not stored");
    assert_eq!(
        o.s.store.intent(o.org, &forged_id).expect("ledger"),
        None,
        "nor queued"
    );
    // A contact is no intent.
    adas_contact(&o, 5).await;
    let contact = crate::support::doc_id(5);
    assert_eq!(o.s.store.intent(o.org, &contact).expect("ledger"), None);
    assert!(has_doc(&docs, &doc_id));
}

#[tokio::test]
async fn the_servers_result_reaches_devices_and_merges_with_their_edits() {
    use fieldstone_model::MessageStatus;
    let o = office().await;
    let (mut ada, doc_id, _) = adas_message(&o, 43);
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    let mut broker_live = live(&o.s, &o.bea.1).await;

    // The server records that it sent the message, with its own actor.
    let (state, org, doc, writer) = (o.s.state.clone(), o.org, doc_id.clone(), o.ada.0);
    let stored = off_runtime(move || {
        fieldstone_server::sync::server_write::update_message_result(
            &state,
            org,
            &doc,
            writer,
            |result| {
                result.status = MessageStatus::Sent;
                result.attempts = 1;
                result.provider_id = Some("<m-43@mail.example.com>".into());
            },
        )
    })
    .expect("server write")
    .expect("a change");
    assert_eq!(stored.result.status, MessageStatus::Sent);
    let news = tokio::time::timeout(Duration::from_secs(10), broker_live.next())
        .await
        .expect("live news of the server's change");
    assert!(news.is_some());

    // The same result again writes nothing.
    let (state, doc) = (o.s.state.clone(), doc_id.clone());
    let again = off_runtime(move || {
        fieldstone_server::sync::server_write::update_message_result(
            &state,
            org,
            &doc,
            writer,
            |result| {
                result.status = MessageStatus::Sent;
                result.attempts = 1;
                result.provider_id = Some("<m-43@mail.example.com>".into());
            },
        )
    })
    .expect("server write");
    assert_eq!(again, None);

    // Ada's device, still on its old copy, withdraws it (too late, but its own field): both
    // writes stand after the merge, and the device reads the server's result.
    let mut mine = fieldstone_doc::message::read(&ada.doc).expect("read");
    mine.deleted_at = Some(mine.created_at);
    fieldstone_doc::message::update(&mut ada.doc, &mine)
        .expect("update")
        .expect("a change");
    let answer = o.s.push(&o.ada.1, vec![ada.unsent(&doc_id)]).await;
    assert_eq!(
        (answer.accepted, answer.rejected.len()),
        (1, 0),
        "{answer:?}"
    );
    let copy = server_copy_of(&o, &o.ada.1, &doc_id).await;
    let merged = fieldstone_doc::message::read(&copy).expect("read");
    assert_eq!(merged.result.status, MessageStatus::Sent);
    assert_eq!(
        merged.result.provider_id.as_deref(),
        Some("<m-43@mail.example.com>")
    );
    assert!(merged.deleted_at.is_some());
}

/// Any document's server copy as `token`'s user reads it.
async fn server_copy_of(o: &Office, token: &str, id: &DocId) -> automerge::AutoCommit {
    let (docs, _) = o.s.pull_all(token, vec![]).await;
    let doc = docs
        .iter()
        .find(|d| &d.doc_id == id)
        .expect("readable document");
    fieldstone_doc::load(doc.snapshot.as_deref().expect("whole")).expect("load")
}
