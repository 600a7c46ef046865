use super::*;
use crate::test_support::samples::{message, minimal_message as minimal};
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused, merged,
    message_kind as kind,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::{Message, MessageEvent, MessageEventKind, MessageResult, MessageStatus};

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

fn event(n: u32, kind: MessageEventKind) -> MessageEvent {
    MessageEvent {
        at: minimal().created_at + chrono::Duration::seconds(i64::from(n)),
        kind,
        url: (kind == MessageEventKind::Clicked).then(|| format!("https://homes.example/{n}")),
        user_agent: Some("Mail".into()),
        provider_event: Some(format!("sg-{n}")),
    }
}

/// Writes `edit` of the result both ways: the targeted write and a whole reconcile. Answers
/// the document the targeted write made and its change.
fn both_ways(m: &Message, edit: impl Fn(&mut MessageResult)) -> (AutoCommit, Option<Change>) {
    let (mut targeted, _) = create(actor(1), m).expect("create");
    let mut whole = targeted.fork().with_actor(actor(2));
    let before = read(&targeted).expect("read").result;
    let mut after = before.clone();
    edit(&mut after);
    let change = update_result(&mut targeted, &before, &after, m.updated_at).expect("write");
    let mut expected = m.clone();
    expected.result = after;
    update(&mut whole, &expected).expect("update");
    assert_eq!(read(&targeted).expect("read"), expected);
    assert_eq!(read(&targeted).expect("read"), read(&whole).expect("read"));
    (targeted, change)
}

#[test]
fn the_targeted_result_write_reads_back_as_a_whole_reconcile_would() {
    let base = message();
    // New events, a status moved on, a reason and a provider id: each alone, then together.
    both_ways(&base, |r| {
        r.apply(event(1, MessageEventKind::Clicked));
    });
    both_ways(&base, |r| r.reason = Some("550 no such user".into()));
    both_ways(&base, |r| {
        r.provider_id = None;
        r.attempts = 3;
        r.status_at = None;
    });
    both_ways(&base, |r| {
        r.apply(event(2, MessageEventKind::Bounced));
        r.apply(event(3, MessageEventKind::Opened));
        r.reason = Some("mailbox full".into());
    });
    // Events dropped from the middle and the front (the cap's order), and an event put in
    // between (no edit does that; the write must still be right).
    both_ways(&base, |r| {
        r.events.remove(1);
    });
    both_ways(&base, |r| {
        r.events.remove(0);
        r.events.push(event(4, MessageEventKind::Opened));
    });
    both_ways(&base, |r| {
        r.events.insert(1, event(5, MessageEventKind::Opened))
    });
    both_ways(&base, |r| r.events.clear());
    let (_, unchanged) = both_ways(&base, |_| {});
    assert!(unchanged.is_none(), "nothing differed, nothing written");
}

#[test]
fn an_event_on_a_full_message_writes_a_change_the_size_of_one_event() {
    let mut m = minimal();
    for n in 0..fieldstone_model::message::EVENTS_MAX as u32 {
        m.result.apply(event(n, MessageEventKind::Opened));
    }
    let (mut doc, _) = create(actor(1), &m).expect("create");
    let before = read(&doc).expect("read").result;
    let mut after = before.clone();
    // Past the cap: the new event is appended and the oldest open goes.
    assert!(after.apply(event(1_000, MessageEventKind::Clicked)));
    assert_eq!(after.events.len(), fieldstone_model::message::EVENTS_MAX);
    let change = update_result(&mut doc, &before, &after, m.updated_at)
        .expect("write")
        .expect("a change");
    // One deletion, one new map with its six fields, the status and its time: no more, however
    // many events the message holds.
    assert!(change.len() <= 12, "{} operations", change.len());
    assert_eq!(read(&doc).expect("read").result, after);
}

#[test]
fn a_device_deleting_and_the_server_appending_an_event_at_once_both_hold() {
    let m = minimal();
    let (mut server, _) = create(actor(1), &m).expect("create");
    let mut device = server.fork().with_actor(actor(2));
    let before = read(&server).expect("read").result;
    let mut after = before.clone();
    after.apply(event(1, MessageEventKind::Delivered));
    update_result(&mut server, &before, &after, m.updated_at).expect("write");
    let mut deleted = m.clone();
    deleted.deleted_at = Some(m.created_at);
    update(&mut device, &deleted).expect("update");
    server.merge(&mut device).expect("merge");
    let merged = read(&server).expect("read");
    assert_eq!(merged.deleted_at, Some(m.created_at));
    assert_eq!(merged.result, after);
}

#[test]
fn a_before_that_is_not_what_the_document_holds_still_writes_the_new_result() {
    let m = message();
    let (mut doc, _) = create(actor(1), &m).expect("create");
    let mut after = m.result.clone();
    after.apply(event(9, MessageEventKind::Opened));
    // The caller claims the list was empty: the whole list is reconciled instead.
    let mut wrong = m.result.clone();
    wrong.events.clear();
    update_result(&mut doc, &wrong, &after, m.updated_at).expect("write");
    assert_eq!(read(&doc).expect("read").result, after);
}

#[test]
fn the_edit_script_deletes_and_appends() {
    assert_eq!(edit_script(&[1, 2, 3], &[1, 3, 4]), (vec![1], 2));
    assert_eq!(edit_script(&[1, 2, 3], &[2, 3]), (vec![0], 2));
    assert_eq!(edit_script::<u8>(&[], &[]), (vec![], 0));
    assert_eq!(edit_script(&[1, 2], &[]), (vec![0, 1], 0));
    // Something put in between: longer than needed, still right.
    assert_eq!(edit_script(&[1, 2], &[1, 5, 2]), (vec![1], 1));
}
