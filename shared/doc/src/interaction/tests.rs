use super::*;
use crate::conflict::{conflicts, resolve};
use crate::test_support::samples::{interaction, minimal_interaction as minimal};
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused,
    interaction_kind as kind, merged,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;

#[test]
fn interaction_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &interaction());
}

#[test]
fn a_minimal_interaction_with_non_ascii_text_round_trips() {
    assert_round_trips(&kind(), &minimal());
}

#[test]
fn the_summary_is_a_plain_string() {
    let (doc, _) = create(actor(1), &minimal()).expect("create");
    let (value, _) = doc
        .get(automerge::ROOT, "summary")
        .expect("get")
        .expect("present");
    // A string scalar, not a text object (`as_str` is `None` for text).
    assert_eq!(value.as_str(), Some(minimal().summary.as_str()));
}

#[test]
fn update_writes_only_when_something_differs() {
    let mut i = interaction();
    let (mut doc, _) = create(actor(1), &i).expect("create");
    assert!(update(&mut doc, &i).expect("update").is_none());
    i.outcome = Some("Booked a showing".into());
    let change = update(&mut doc, &i).expect("update").expect("a change");
    assert_eq!(change.len(), 1, "only the outcome was written");
    assert_eq!(read(&doc).expect("read"), i);
    assert!(update(&mut doc, &i).expect("update").is_none());
}

#[test]
fn concurrent_edits_of_different_fields_merge() {
    let doc = merged(
        &kind(),
        &interaction(),
        |i| i.duration_seconds = Some(420),
        |i| i.summary = "Discussed the offer; they will think it over.".into(),
    );
    let i = read(&doc).expect("read");
    assert_eq!(i.duration_seconds, Some(420));
    assert_eq!(i.summary, "Discussed the offer; they will think it over.");
}

#[test]
fn concurrent_outcome_edits_are_a_conflict_until_resolved() {
    // An interaction has no status; its outcome is the field two people are likely to fix at once.
    let mut doc = merged(
        &kind(),
        &interaction(),
        |i| i.outcome = Some("Left voicemail".into()),
        |i| i.outcome = Some("Booked a showing".into()),
    );
    let values = conflicts(&doc, "outcome").expect("conflicts");
    let mut shown: Vec<_> = values.iter().map(|c| c.display.as_str()).collect();
    shown.sort_unstable();
    assert_eq!(shown, ["Booked a showing", "Left voicemail"]);
    let chosen = values
        .iter()
        .find(|c| c.display == "Left voicemail")
        .expect("present");
    resolve(&mut doc, "outcome", chosen).expect("resolve");
    assert_eq!(conflicts(&doc, "outcome").expect("conflicts").len(), 1);
    assert_eq!(
        read(&doc).expect("read").outcome.as_deref(),
        Some("Left voicemail")
    );
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &interaction());
}

#[test]
fn a_document_of_another_kind_is_refused() {
    assert_wrong_kind_refused(&kind(), &interaction());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &interaction()).expect("create");
    doc.put(automerge::ROOT, "channel", "pigeon").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("channel") && m.contains("pigeon"))
    );
    let (mut doc, _) = create(actor(1), &interaction()).expect("create");
    doc.put(automerge::ROOT, "duration_seconds", u64::from(u32::MAX) + 1)
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("duration_seconds")));
    let (mut doc, _) = create(actor(1), &interaction()).expect("create");
    doc.put(automerge::ROOT, "contact", "not-a-uuid")
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("contact")));
}
