use super::*;
use crate::test_support::samples::{message, minimal_message as minimal};
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused, merged,
    message_kind as kind,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::{MessageEvent, MessageEventKind, MessageStatus};

#[test]
fn a_message_with_its_result_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &message());
}

#[test]
fn a_queued_text_with_non_ascii_text_round_trips() {
    assert_round_trips(&kind(), &minimal());
}

#[test]
fn the_result_is_its_own_map_beside_the_request() {
    let (doc, _) = create(actor(1), &message()).expect("create");
    let (value, result) = doc
        .get(automerge::ROOT, RESULT_KEY)
        .expect("get")
        .expect("present");
    assert!(matches!(
        value,
        automerge::Value::Object(automerge::ObjType::Map)
    ));
    let (status, _) = doc.get(&result, "status").expect("get").expect("present");
    assert_eq!(status.as_str(), Some("clicked"));
}

#[test]
fn a_device_deleting_and_the_server_sending_at_once_both_hold() {
    // One side (the device) deletes the queued message; the other (the server) records that it
    // was sent. They write different fields, so both survive the merge.
    let doc = merged(
        &kind(),
        &minimal(),
        |m| m.deleted_at = Some(m.created_at),
        |m| {
            m.result.status = MessageStatus::Sent;
            m.result.attempts = 1;
            m.result.provider_id = Some("SM123".into());
        },
    );
    let m = read(&doc).expect("read");
    assert_eq!(m.deleted_at, Some(minimal().created_at));
    assert_eq!(m.result.status, MessageStatus::Sent);
    assert_eq!(m.result.provider_id.as_deref(), Some("SM123"));
}

#[test]
fn a_retried_webhook_event_lands_on_the_same_entry() {
    let mut m = minimal();
    let (mut doc, _) = create(actor(1), &m).expect("create");
    let delivered = MessageEvent {
        at: m.created_at,
        kind: MessageEventKind::Delivered,
        url: None,
        user_agent: None,
        provider_event: Some("sg-9".into()),
    };
    m.result.apply(delivered.clone());
    update(&mut doc, &m).expect("update").expect("a change");
    // Written again (a second server process applying the same webhook): nothing to write.
    let mut again = m.clone();
    again.result.events = vec![delivered];
    assert!(update(&mut doc, &again).expect("update").is_none());
    assert_eq!(read(&doc).expect("read").result.events.len(), 1);
}

#[test]
fn update_writes_only_when_something_differs() {
    let mut m = message();
    let (mut doc, _) = create(actor(1), &m).expect("create");
    assert!(update(&mut doc, &m).expect("update").is_none());
    m.result.reason = Some("No email consent: the contact unsubscribed.".into());
    update(&mut doc, &m).expect("update").expect("a change");
    assert_eq!(read(&doc).expect("read"), m);
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &message());
}

#[test]
fn a_document_of_another_kind_is_refused() {
    assert_wrong_kind_refused(&kind(), &message());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &message()).expect("create");
    doc.put(automerge::ROOT, "channel", "pigeon").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("channel") && m.contains("pigeon"))
    );
    let (mut doc, _) = create(actor(1), &message()).expect("create");
    let (_, result) = doc
        .get(automerge::ROOT, RESULT_KEY)
        .expect("get")
        .expect("present");
    doc.put(&result, "status", "teleported").expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("result.status")));
    let (mut doc, _) = create(actor(1), &message()).expect("create");
    let (_, result) = doc
        .get(automerge::ROOT, RESULT_KEY)
        .expect("get")
        .expect("present");
    doc.put(&result, "attempts", u64::from(u32::MAX) + 1)
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("result.attempts")));
}
