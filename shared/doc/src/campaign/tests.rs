use super::*;
use crate::test_support::samples::campaign;
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, assert_wrong_kind_refused, at,
    campaign_kind as kind, merged,
};
use automerge::transaction::Transactable;
use automerge::ReadDoc;
use fieldstone_model::campaign::record::StepCounts;
use fieldstone_model::campaign::CampaignStatus;

#[test]
fn a_campaign_with_its_result_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &campaign());
    let mut draft = campaign();
    draft.status = CampaignStatus::Draft;
    draft.status_at = None;
    draft.launched_at = None;
    draft.result = CampaignResult::default();
    assert_round_trips(&kind(), &draft);
}

#[test]
fn pausing_on_one_device_and_editing_on_another_both_hold() {
    let mut base = campaign();
    base.status = CampaignStatus::Running;
    let doc = merged(
        &kind(),
        &base,
        |c| {
            c.status = CampaignStatus::Paused;
            c.status_at = Some(at(500_000));
        },
        |c| {
            c.spec.steps[0].variations[0].subject = "Homes near the park this spring".into();
        },
    );
    let c = read(&doc).expect("read");
    assert_eq!(c.status, CampaignStatus::Paused);
    assert_eq!(
        c.spec.steps[0].variations[0].subject,
        "Homes near the park this spring"
    );
}

#[test]
fn two_edits_of_the_content_never_mix_into_one_nobody_checked() {
    // Each device moves the shares its own way, both adding up to 100; a field-by-field merge
    // could keep A from one and B from the other (110%). The spec is replaced whole: one wins.
    let base = campaign();
    let doc = merged(
        &kind(),
        &base,
        |c| {
            c.spec.steps[0].variations[0].percent = 70;
            c.spec.steps[0].variations[1].percent = 30;
        },
        |c| {
            c.spec.steps[0].variations[0].percent = 40;
            c.spec.steps[0].variations[1].percent = 60;
        },
    );
    let c = read(&doc).expect("read");
    let shares: Vec<u8> = c.spec.steps[0]
        .variations
        .iter()
        .map(|v| v.percent)
        .collect();
    assert!(shares == [70, 30] || shares == [40, 60], "{shares:?}");
    assert!(c.spec.validate().is_ok(), "what survives was checked");
}

#[test]
fn the_servers_counts_and_the_agents_stop_both_hold() {
    let doc = merged(
        &kind(),
        &campaign(),
        |c| {
            c.status = CampaignStatus::Stopped;
            c.status_at = Some(at(900_000));
        },
        |c| {
            c.result.counts.push(StepCounts {
                step: 1,
                variation: "A".into(),
                sent: 40,
                ..StepCounts::default()
            });
            c.result.counts[0].opened += 5;
        },
    );
    let c = read(&doc).expect("read");
    assert_eq!(c.status, CampaignStatus::Stopped);
    assert_eq!(c.result.counts.len(), 4);
    assert_eq!(
        c.result.counts[0].opened,
        campaign().result.counts[0].opened + 5
    );
}

#[test]
fn a_damaged_spec_or_a_disagreeing_copy_is_a_clear_error() {
    let (mut doc, _) = create(actor(1), &campaign()).expect("create");
    doc.put(automerge::ROOT, "spec", "{\"name\":").expect("put");
    doc.commit();
    match read(&doc) {
        Err(DocError::InvalidValue(detail)) => assert!(detail.starts_with("spec:"), "{detail}"),
        other => panic!("expected a clear error, got {other:?}"),
    }
    let (mut doc, _) = create(actor(1), &campaign()).expect("create");
    doc.put(automerge::ROOT, "name", "Something else")
        .expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(_))));
    let (doc, _) = create(actor(1), &campaign()).expect("create");
    let (_, result) = doc
        .get(automerge::ROOT, RESULT_KEY)
        .expect("get")
        .expect("the result map");
    assert!(doc.get(&result, "counts").expect("get").is_some());
}

#[test]
fn newer_shapes_and_other_kinds_are_refused() {
    assert_newer_shape_refused(&kind(), &campaign());
    assert_wrong_kind_refused(&kind(), &campaign());
}
