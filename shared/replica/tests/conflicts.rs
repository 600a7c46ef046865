//! Concurrent edits of one field on two devices are shown, never silently lost, and resolved by
//! a person's pick, which then syncs.

mod support;

use fieldstone_model::Stage;
use fieldstone_protocol::DocId;
use fieldstone_replica::{contact_doc_id, Replica};
use support::*;

fn two_replicas(dir: &std::path::Path) -> (Replica, Replica) {
    let clock = clock();
    (
        open(&dir.join("a.db"), &clock),
        open(&dir.join("b.db"), &clock),
    )
}

fn displays(r: &Replica, doc: &DocId, field: &str) -> Vec<String> {
    r.conflicts(doc)
        .expect("conflicts")
        .into_iter()
        .find(|c| c.field == field)
        .map(|c| c.options.into_iter().map(|o| o.display).collect())
        .unwrap_or_default()
}

/// Resolves `field` on `r` to the option displayed as `display`.
fn pick(r: &Replica, doc: &DocId, field: &str, display: &str) {
    let conflict = r
        .conflicts(doc)
        .expect("conflicts")
        .into_iter()
        .find(|c| c.field == field)
        .expect("a conflict on the field");
    let option = conflict
        .options
        .iter()
        .find(|o| o.display == display)
        .expect("the value is offered");
    r.resolve_conflict(doc, field, &option.choice)
        .expect("resolve");
}

#[test]
fn concurrent_stage_changes_are_reported_and_resolved_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_replicas(dir.path());
    let ada = a
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    deliver(&a, &b);
    a.set_contact_stage(&ada.id, Stage::Offer, user())
        .expect("a");
    b.set_contact_stage(&ada.id, Stage::Lost, user())
        .expect("b");
    deliver(&a, &b);
    deliver(&b, &a);
    let doc = contact_doc_id(&ada.id).expect("doc id");
    assert_eq!(displays(&a, &doc, "stage"), ["lost", "offer"]);
    assert_eq!(displays(&b, &doc, "stage"), ["lost", "offer"]);
    // Both devices show the same winner meanwhile, and list the document as conflicted.
    let on_a = a.get_contact(&ada.id).expect("get").expect("ada").stage;
    assert_eq!(
        b.get_contact(&ada.id).expect("get").expect("ada").stage,
        on_a
    );
    assert_eq!(
        a.documents_with_conflicts().expect("list"),
        vec![(doc.clone(), vec!["stage".to_owned()])]
    );

    // The person picks the value that did not win; it sticks and syncs.
    let loser = if on_a == Stage::Offer {
        "lost"
    } else {
        "offer"
    };
    pick(&a, &doc, "stage", loser);
    let picked: Stage = loser.parse().expect("stage");
    assert_eq!(
        a.get_contact(&ada.id).expect("get").expect("ada").stage,
        picked
    );
    assert!(a.documents_with_conflicts().expect("list").is_empty());
    let listed = a.list_contacts(&Default::default()).expect("list").items;
    assert_eq!(listed[0].stage, picked, "read model follows the pick");
    deliver(&a, &b);
    assert!(displays(&b, &doc, "stage").len() <= 1);
    assert_eq!(
        b.get_contact(&ada.id).expect("get").expect("ada").stage,
        picked
    );
    assert!(b.documents_with_conflicts().expect("list").is_empty());
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
}

#[test]
fn concurrent_listing_prices_are_reported_and_resolved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_replicas(dir.path());
    let elm = a
        .create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("elm");
    deliver(&a, &b);
    a.update_listing(&elm.id, &listing("12 Elm St", "Camden", 410_000))
        .expect("a");
    b.update_listing(&elm.id, &listing("12 Elm St", "Camden", 440_000))
        .expect("b");
    deliver(&a, &b);
    deliver(&b, &a);
    let doc = DocId::new("listing", elm.id).expect("doc id");
    assert_eq!(displays(&a, &doc, "price"), ["410000", "440000"]);
    pick(&b, &doc, "price", "410000");
    deliver(&b, &a);
    for r in [&a, &b] {
        assert_eq!(
            r.get_listing(&elm.id).expect("get").expect("elm").price,
            410_000
        );
        assert!(displays(r, &doc, "price").len() <= 1);
    }
}

#[test]
fn concurrent_name_edits_are_reported_and_a_stale_pick_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = two_replicas(dir.path());
    let ada = a
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    deliver(&a, &b);
    let mut on_a = ada.to_input();
    on_a.given_name = "Augusta".into();
    a.update_contact(&ada.id, &on_a, user()).expect("a");
    let mut on_b = ada.to_input();
    on_b.given_name = "Ava".into();
    b.update_contact(&ada.id, &on_b, user()).expect("b");
    deliver(&a, &b);
    deliver(&b, &a);
    let doc = contact_doc_id(&ada.id).expect("doc id");
    assert_eq!(displays(&a, &doc, "given_name"), ["Augusta", "Ava"]);
    let stale = a.conflicts(&doc).expect("conflicts")[0].options[0]
        .choice
        .clone();
    pick(&a, &doc, "given_name", "Ava");
    let err = a.resolve_conflict(&doc, "given_name", &stale);
    // The stale choice is either the value now stored (a no-op) or gone: never a crash.
    if let Err(e) = err {
        assert!(
            matches!(e, fieldstone_replica::ReplicaError::Validation(_)),
            "{e:?}"
        );
    }
    assert_eq!(
        a.get_contact(&ada.id)
            .expect("get")
            .expect("ada")
            .given_name,
        "Ava"
    );
    let names = a
        .list_contacts(&fieldstone_replica::ContactQuery {
            search: Some("ava".into()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(names.items.len(), 1, "search follows the pick");
}
