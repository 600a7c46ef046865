//! A broker's reassignment moves the lead's history with it (issue 15): the calls, notes and
//! tasks the broker's device lists go to the new agent, each checked to be about the lead; the
//! previous agent keeps what they wrote; nothing else moves, whatever the list names.

use crate::routing::*;
use crate::support::*;
use automerge::ActorId;
use fieldstone_model::*;
use fieldstone_protocol::{DocId, DocPush};
use reqwest::StatusCode;
use serde_json::json;

crate::support::on_both_stores! {
    a_reassignment_moves_the_leads_history_and_nothing_else(Default::default());
}

fn push_of(doc_id: DocId, doc: automerge::AutoCommit) -> DocPush {
    let mut device = Device::new();
    device.doc = doc;
    device.unsent(&doc_id)
}

fn note_on(owner: UserId, contact: ContactId, body: &str) -> (DocId, DocPush) {
    let input = NoteInput {
        record: RecordRef::Contact(contact),
        body: body.into(),
        pinned: false,
    };
    let note = Note::create(
        NoteId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        now(),
    );
    let (doc, _) = fieldstone_doc::note::create(ActorId::random(), &note).expect("doc");
    let id = DocId::new(fieldstone_doc::note::KIND, note.id).expect("id");
    (id.clone(), push_of(id, doc))
}

fn call_with(by: UserId, contact: ContactId) -> (DocId, DocPush) {
    let input = InteractionInput {
        contact,
        listing: None,
        channel: Channel::Call,
        direction: Direction::Outbound,
        summary: "Talked about the garden flat".into(),
        outcome: None,
        duration_seconds: Some(120),
        occurred_at: now(),
    };
    let call = Interaction::create(
        InteractionId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        by,
        now(),
    );
    let (doc, _) = fieldstone_doc::interaction::create(ActorId::random(), &call).expect("doc");
    let id = DocId::new(fieldstone_doc::interaction::KIND, call.id).expect("id");
    (id.clone(), push_of(id, doc))
}

fn task_on(owner: UserId, contact: ContactId) -> (DocId, DocPush) {
    let input = TaskInput {
        title: "Send the floor plan".into(),
        due_at: Some(now()),
        priority: Default::default(),
        status: Default::default(),
        kind: Default::default(),
        record: Some(RecordRef::Contact(contact)),
    };
    let task = Task::create(
        TaskId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        now(),
    );
    let (doc, _) = fieldstone_doc::task::create(ActorId::random(), &task).expect("doc");
    let id = DocId::new(fieldstone_doc::task::KIND, task.id).expect("id");
    (id.clone(), push_of(id, doc))
}

async fn a_reassignment_moves_the_leads_history_and_nothing_else(s: TestServer) {
    let o = office(&s, "Moves").await;
    let (ann, ann_token) = o.agents[0].clone();
    let (bob, bob_token) = o.agents[1].clone();
    let lead = new_contact(ann, "Lena", "Client");
    let other = new_contact(ann, "Otto", "Client");
    push_new_contact(&s, &ann_token, &lead).await;
    push_new_contact(&s, &ann_token, &other).await;
    let (note, note_push) = note_on(ann, lead.id, "Wants a garden");
    let (call, call_push) = call_with(ann, lead.id);
    let (task, task_push) = task_on(ann, lead.id);
    let (unrelated, unrelated_push) = note_on(ann, other.id, "Otto's private note");
    let answer = s
        .push(
            &ann_token,
            vec![note_push, call_push, task_push, unrelated_push],
        )
        .await;
    assert_eq!(answer.accepted, 4, "{answer:?}");
    // Another organisation's note, with a guessable id in the list: never touched.
    let elsewhere = office(&s, "Elsewhere").await;
    let (foreign, foreign_push) = note_on(elsewhere.agents[0].0, lead.id, "Not yours");
    let answer = s.push(&elsewhere.agents[0].1, vec![foreign_push]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");

    let path = format!("/v2/leads/{}/assign", lead.id);
    let listed: Vec<String> = [&note, &call, &task, &unrelated, &foreign]
        .iter()
        .map(|d| d.to_string())
        .chain(["not a document id".to_owned()])
        .collect();
    let body = json!({"agent": bob.to_string(), "records": listed});
    let (status, answer) = s.json("POST", &path, Some(&o.broker), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let (docs, _) = s.pull_all(&bob_token, vec![]).await;
    let held = |id: &DocId| has_doc(&docs, id);
    assert!(held(
        &DocId::new(fieldstone_doc::contact::KIND, lead.id).expect("id")
    ));
    for (id, what) in [
        (&note, "the note"),
        (&call, "the call"),
        (&task, "the task"),
    ] {
        assert!(held(id), "{what} did not move with the lead");
    }
    assert!(!held(&unrelated), "a note about another client moved");
    assert!(!held(&foreign), "another organisation's note moved");
    // Ann keeps what she wrote; the lead itself is Bob's now.
    let (docs, _) = s.pull_all(&ann_token, vec![]).await;
    assert!(has_doc(&docs, &note) && has_doc(&docs, &unrelated));
    // The other organisation's note is where it was.
    let (docs, _) = s.pull_all(&elsewhere.agents[0].1, vec![]).await;
    assert!(has_doc(&docs, &foreign));

    // A list longer than a lead's history can be is refused before anything moves.
    let many: Vec<String> = (0..2_001).map(|n| format!("note:{n}")).collect();
    let body = json!({"agent": ann.to_string(), "records": many});
    let (status, answer) = s.json("POST", &path, Some(&o.broker), Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["message"]
        .as_str()
        .unwrap_or("")
        .contains("at most 2000"));
    let row = routed(&s, &o.broker, lead.id).await;
    assert_eq!(row["agent"], bob.to_string(), "{row}");
}
