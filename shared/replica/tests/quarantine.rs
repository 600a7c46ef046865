//! Corrupt document bytes are reported and set aside, never crash the engine; the read model
//! can be rebuilt from the documents alone.

mod support;

use fieldstone_replica::{contact_doc_id, ContactQuery, ReplicaError};
use support::*;

fn corrupt(db: &std::path::Path, doc_id: &str) {
    let conn = rusqlite::Connection::open(db).expect("raw");
    let changed = conn
        .execute(
            "UPDATE documents SET bytes = x'00112233445566778899' WHERE doc_id = ?1",
            [doc_id],
        )
        .expect("corrupt");
    assert_eq!(changed, 1);
}

#[test]
fn a_corrupt_document_is_quarantined_and_the_rest_keeps_working() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let clock = clock();
    let r = open(&db, &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let bob = r
        .create_contact(&person("Bob", "Stone"), user())
        .expect("bob");
    let doc = contact_doc_id(&ada.id).expect("doc id");
    corrupt(&db, doc.as_str());

    let err = r.get_contact(&ada.id).expect_err("corrupt");
    assert!(
        matches!(&err, ReplicaError::Quarantined { doc_id, .. } if doc_id == doc.as_str()),
        "{err:?}"
    );
    assert!(err.to_string().contains("set aside"), "{err}");
    let quarantined = r.quarantined().expect("list");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].doc_id, doc.as_str());
    assert_eq!(quarantined[0].size, 10, "the bytes are kept");
    // Gone from lists and search; everything else works.
    let listed = r
        .list_contacts(&ContactQuery::default())
        .expect("list")
        .items;
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [bob.id]);
    assert_eq!(r.get_contact(&ada.id).expect("now absent"), None);
    r.update_contact(&bob.id, &person("Bob", "Stoner"), user())
        .expect("bob edits");
    r.create_contact(&person("Cy", "Young"), user())
        .expect("new contact");
}

#[test]
fn a_rebuild_projects_every_document_and_quarantines_unreadable_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let clock = clock();
    let r = open(&db, &clock);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let bob = r
        .create_contact(&person("Bob", "Stone"), user())
        .expect("bob");
    r.create_note(&note(bob.id, "likes gardens"), user())
        .expect("note");
    r.create_listing(&listing("12 Elm St", "Camden", 1), user())
        .expect("listing");
    let before = r.read_model_dump().expect("dump");
    let report = r.rebuild_read_model().expect("rebuild");
    assert_eq!(report.projected, 4);
    assert!(report.quarantined.is_empty() && report.skipped.is_empty());
    assert_eq!(
        r.read_model_dump().expect("dump"),
        before,
        "same read model from documents"
    );

    corrupt(&db, contact_doc_id(&ada.id).expect("id").as_str());
    {
        // Wipe the read model by hand too: the rebuild must not need it.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch("DELETE FROM contacts; DELETE FROM notes;")
            .expect("wipe");
    }
    let report = r.rebuild_read_model().expect("rebuild");
    assert_eq!(report.projected, 3);
    assert_eq!(report.quarantined.len(), 1);
    let search = r
        .list_contacts(&ContactQuery {
            search: Some("gardens".into()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(
        search.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [bob.id]
    );
}
