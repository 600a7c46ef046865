use super::*;
use crate::test_support::samples::contact;
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, at, contact_kind as kind, user,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::{ConsentStatus, ContactLabel, Stage};

/// A second device's copy of `doc`, writing as `n`.
fn device(doc: &mut AutoCommit, n: u8) -> AutoCommit {
    doc.fork().with_actor(actor(n))
}

#[test]
fn contact_round_trips_through_a_document_its_bytes_and_its_change() {
    let original = contact();
    assert_eq!(original.consent.call.status, ConsentStatus::Unknown);
    assert_round_trips(&kind(), &original);
}

#[test]
fn tags_are_stored_as_a_set_map() {
    let (doc, _) = create(actor(1), &contact()).expect("create");
    let (tags, _) = doc
        .get(automerge::ROOT, "tags")
        .expect("get")
        .expect("tags present");
    assert!(matches!(
        tags,
        automerge::Value::Object(automerge::ObjType::Map)
    ));
}

#[test]
fn update_writes_only_when_something_differs_and_appends_history() {
    let mut c = contact();
    let (mut doc, _) = create(actor(1), &c).expect("create");
    assert!(update(&mut doc, &c).expect("update").is_none());
    c.set_stage(Stage::Offer, at(20), user(3));
    c.updated_at = at(20);
    assert!(update(&mut doc, &c).expect("update").is_some());
    let back = read(&doc).expect("read");
    assert_eq!(back.stage_history.len(), 2);
    assert_eq!(back, c);
}

#[test]
fn concurrent_tag_adds_on_two_devices_both_survive() {
    let base = contact();
    let (mut a, _) = create(actor(1), &base).expect("create");
    let mut b = device(&mut a, 2);
    let mut on_a = base.clone();
    on_a.tags.insert("cash buyer".into());
    update(&mut a, &on_a).expect("update a");
    let mut on_b = base.clone();
    on_b.tags.insert("relocating".into());
    update(&mut b, &on_b).expect("update b");
    a.merge(&mut b).expect("merge into a");
    b.merge(&mut a).expect("merge into b");
    assert_eq!(a.get_heads(), b.get_heads());
    let (ra, rb) = (read(&a).expect("read a"), read(&b).expect("read b"));
    assert_eq!(ra, rb);
    for tag in ["cash buyer", "relocating", "vip", "first time buyer"] {
        assert!(ra.tags.contains(tag), "{tag} missing");
    }
}

#[test]
fn removing_a_tag_does_not_clobber_a_concurrent_add() {
    let base = contact();
    let (mut a, _) = create(actor(1), &base).expect("create");
    let mut b = device(&mut a, 2);
    let mut on_a = base.clone();
    on_a.tags.remove("vip");
    update(&mut a, &on_a).expect("update a");
    let mut on_b = base.clone();
    on_b.tags.insert("relocating".into());
    update(&mut b, &on_b).expect("update b");
    a.merge(&mut b).expect("merge");
    let tags = read(&a).expect("read").tags;
    assert_eq!(
        tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["first time buyer", "relocating"]
    );
}

#[test]
fn concurrent_email_adds_and_custom_field_edits_merge() {
    let base = contact();
    let (mut a, _) = create(actor(1), &base).expect("create");
    let mut b = device(&mut a, 2);
    let mut on_a = base.clone();
    on_a.emails.push(EmailEntry {
        address: "a@example.org".into(),
        label: ContactLabel::Other,
        primary: false,
    });
    on_a.custom_fields
        .insert("Score".into(), CustomValue::Number(9.0));
    update(&mut a, &on_a).expect("update a");
    let mut on_b = base.clone();
    on_b.emails.push(EmailEntry {
        address: "b@example.org".into(),
        label: ContactLabel::Other,
        primary: false,
    });
    on_b.custom_fields
        .insert("Pets".into(), CustomValue::Text("two cats".into()));
    update(&mut b, &on_b).expect("update b");
    a.merge(&mut b).expect("merge");
    let merged = read(&a).expect("read");
    let addresses: Vec<_> = merged.emails.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(addresses.len(), 4);
    assert!(addresses.contains(&"a@example.org") && addresses.contains(&"b@example.org"));
    assert_eq!(
        merged.custom_fields.get("Score"),
        Some(&CustomValue::Number(9.0))
    );
    assert_eq!(
        merged.custom_fields.get("Pets"),
        Some(&CustomValue::Text("two cats".into()))
    );
}

#[test]
fn bounded_stage_history_round_trips() {
    let mut c = contact();
    let (mut doc, _) = create(actor(1), &c).expect("create");
    for i in 0..(fieldstone_model::contact::STAGE_HISTORY_MAX + 5) {
        let stage = if i % 2 == 0 {
            Stage::Showing
        } else {
            Stage::Qualified
        };
        c.set_stage(stage, at(100 + i64::try_from(i).expect("small")), user(2));
        update(&mut doc, &c).expect("update");
    }
    let back = read(&doc).expect("read");
    assert_eq!(
        back.stage_history.len(),
        fieldstone_model::contact::STAGE_HISTORY_MAX
    );
    assert_eq!(back, c);
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &contact());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &contact()).expect("create");
    doc.put(automerge::ROOT, "priority", "urgent").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("priority") && m.contains("urgent"))
    );

    let (mut doc, _) = create(actor(1), &contact()).expect("create");
    let prefs = doc
        .get(automerge::ROOT, "preferences")
        .expect("get")
        .expect("present")
        .1;
    doc.put(&prefs, "move_in", "March").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("preferences.move_in"))
    );

    let (mut doc, _) = create(actor(1), &contact()).expect("create");
    doc.put(automerge::ROOT, "kind", "listing").expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::WrongKind { .. })));
}
