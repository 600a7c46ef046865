use super::*;
use crate::conflict::{conflicts, resolve};
use crate::test_support::samples::listing;
use crate::test_support::{
    actor, assert_newer_shape_refused, assert_round_trips, at, listing_kind as kind,
};
use automerge::transaction::Transactable;
use fieldstone_model::{AreaUnit, MediaKind};

#[test]
fn listing_round_trips_through_a_document_its_bytes_and_its_change() {
    assert_round_trips(&kind(), &listing());
}

#[test]
fn update_writes_only_when_something_differs() {
    let mut l = listing();
    let (mut doc, _) = create(actor(1), &l).expect("create");
    assert!(update(&mut doc, &l).expect("update").is_none());
    l.price = 399_000;
    l.lot_area = Some(Area {
        value: 300,
        unit: AreaUnit::SquareMetres,
    });
    l.media.reverse();
    l.updated_at = at(9);
    assert!(update(&mut doc, &l).expect("update").is_some());
    assert_eq!(read(&doc).expect("read"), l);
}

#[test]
fn concurrent_feature_media_and_open_house_adds_all_survive() {
    let base = listing();
    let (mut a, _) = create(actor(1), &base).expect("create");
    let mut b = a.fork().with_actor(actor(2));
    let mut on_a = base.clone();
    on_a.features.push("fireplace".into());
    on_a.media.push(Media {
        kind: MediaKind::Floorplan,
        uri: "plans/ground.pdf".into(),
        caption: None,
    });
    update(&mut a, &on_a).expect("update a");
    let mut on_b = base.clone();
    on_b.features.retain(|f| f != "parking");
    on_b.features.push("solar panels".into());
    on_b.open_houses.push(OpenHouse {
        starts_at: at(90_000_000),
        ends_at: at(93_600_000),
    });
    on_b.address.line2 = None;
    update(&mut b, &on_b).expect("update b");
    a.merge(&mut b).expect("merge into a");
    b.merge(&mut a).expect("merge into b");
    assert_eq!(a.get_heads(), b.get_heads());
    let merged = read(&a).expect("read");
    assert_eq!(merged, read(&b).expect("read"));
    // Concurrent inserts at the same place are ordered by actor; both are kept, "parking" is gone.
    let mut features = merged.features.clone();
    features.sort_unstable();
    assert_eq!(features, ["fireplace", "garden", "solar panels"]);
    assert_eq!(merged.media.len(), 3);
    assert_eq!(merged.open_houses.len(), 2);
    assert_eq!(merged.address.line2, None);
}

#[test]
fn concurrent_price_edits_are_a_conflict_until_resolved() {
    let base = listing();
    let (mut a, _) = create(actor(1), &base).expect("create");
    let mut b = a.fork().with_actor(actor(2));
    update(
        &mut a,
        &Listing {
            price: 410_000,
            ..base.clone()
        },
    )
    .expect("update a");
    update(
        &mut b,
        &Listing {
            price: 399_000,
            ..base
        },
    )
    .expect("update b");
    a.merge(&mut b).expect("merge");
    let values = conflicts(&a, "price").expect("conflicts");
    let mut shown: Vec<_> = values.iter().map(|c| c.display.as_str()).collect();
    shown.sort_unstable();
    assert_eq!(shown, ["399000", "410000"]);
    let chosen = values
        .iter()
        .find(|c| c.display == "399000")
        .expect("present");
    resolve(&mut a, "price", chosen).expect("resolve");
    assert_eq!(conflicts(&a, "price").expect("conflicts").len(), 1);
    assert_eq!(read(&a).expect("read").price, 399_000);
}

#[test]
fn a_newer_document_shape_is_neither_read_nor_overwritten() {
    assert_newer_shape_refused(&kind(), &listing());
}

#[test]
fn invalid_values_are_reported_naming_the_field() {
    let (mut doc, _) = create(actor(1), &listing()).expect("create");
    doc.put(automerge::ROOT, "status", "sold_out").expect("put");
    doc.commit();
    assert!(
        matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("status") && m.contains("sold_out"))
    );
    let (mut doc, _) = create(actor(1), &listing()).expect("create");
    doc.put(automerge::ROOT, "beds", 1000_u64).expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("beds")));
    let (mut doc, _) = create(actor(1), &listing()).expect("create");
    doc.put(automerge::ROOT, "kind", "contact").expect("put");
    doc.commit();
    assert!(matches!(read(&doc), Err(DocError::WrongKind { .. })));
}
