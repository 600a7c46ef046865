//! Contacts in the local engine, against real SQLite files in temp dirs.

mod support;

use chrono::Duration;
use fieldstone_model::{ContactInput, Stage};
use fieldstone_protocol::DocUpdate;
use fieldstone_replica::{contact_doc_id, ContactQuery, Replica, ReplicaError};
use support::*;

#[test]
fn a_created_contact_is_read_back_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let mut input = person("Ada", "Lovelace");
    input.phones = vec![phone("+1 555 0100")];
    input.tags = vec!["  VIP ".into(), "cash".into()];
    let contact = replica.create_contact(&input, user()).expect("create");
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(contact.clone())
    );
    let page = replica.list_contacts(&query()).expect("list");
    assert_eq!(page.next, None);
    let [row] = page.items.as_slice() else {
        panic!("expected one contact, got {:?}", page.items);
    };
    assert_eq!(row.id, contact.id);
    assert_eq!(row.display_name, "Ada Lovelace");
    assert_eq!(
        row.primary_email.as_deref(),
        Some("ada.lovelace@example.com")
    );
    assert_eq!(row.primary_phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(row.stage, Stage::Lead);
    assert_eq!(row.owner, user());
    assert_eq!(row.updated_at, contact.updated_at);
    assert_eq!(row.tags, ["cash", "vip"]);
    assert_eq!(row.deleted_at, None);
    assert_eq!(replica.pending_changes().expect("pending"), 1);
    let (batch, _) = replica.outbox_batch(10, 1 << 20).expect("outbox");
    assert_eq!(
        batch[0].doc_id,
        contact_doc_id(&contact.id).expect("doc id")
    );
    assert_eq!(batch[0].doc_id.kind(), "contact");
}

#[test]
fn invalid_input_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let error = replica
        .create_contact(&ContactInput::default(), user())
        .expect_err("rejected");
    let ReplicaError::Validation(errors) = error else {
        panic!("expected a validation error, got {error:?}");
    };
    assert!(errors.for_field("given_name").is_some(), "{errors:?}");
    assert!(replica
        .list_contacts(&query())
        .expect("list")
        .items
        .is_empty());
    assert_eq!(replica.pending_changes().expect("pending"), 0);

    // A bad edit leaves the stored contact alone.
    let contact = replica
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    let mut bad = person("Ada", "Lovelace");
    bad.emails = vec![email("not an email")];
    let error = replica
        .update_contact(&contact.id, &bad, user())
        .expect_err("rejected");
    assert!(matches!(error, ReplicaError::Validation(_)), "{error:?}");
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(contact)
    );
    assert_eq!(replica.pending_changes().expect("pending"), 1);
}

#[test]
fn unknown_contacts_are_not_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let id = "00000000-0000-4000-8000-0000000000ff".parse().expect("id");
    assert_eq!(replica.get_contact(&id).expect("get"), None);
    let error = replica.soft_delete_contact(&id).expect_err("missing");
    assert!(matches!(error, ReplicaError::NotFound { .. }), "{error:?}");
    let error = replica
        .update_contact(&id, &person("Ada", "Lovelace"), user())
        .expect_err("missing");
    assert!(matches!(error, ReplicaError::NotFound { .. }), "{error:?}");
}

#[test]
fn list_limits_outside_1_to_200_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    for limit in [0, 201] {
        let error = replica
            .list_contacts(&ContactQuery { limit, ..query() })
            .expect_err("rejected");
        assert!(matches!(error, ReplicaError::Validation(_)), "{error:?}");
    }
    assert!(replica
        .list_contacts(&ContactQuery {
            limit: 200,
            ..query()
        })
        .is_ok());
}

#[test]
fn an_update_changes_list_columns_and_search() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("f.db"), &clock);
    let contact = replica
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    clock.set(contact.updated_at + Duration::seconds(5));
    let mut edit = person("Grace", "Hopper");
    edit.stage = Stage::Qualified;
    edit.tags = vec!["navy".into()];
    let updated = replica
        .update_contact(&contact.id, &edit, user())
        .expect("update");
    assert_eq!(updated.stage, Stage::Qualified);
    assert_eq!(updated.stage_history.len(), 1);
    assert_eq!(updated.created_at, contact.created_at);
    assert_eq!(
        updated.updated_at,
        contact.updated_at + Duration::seconds(5)
    );
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(updated.clone())
    );

    let page = replica.list_contacts(&query()).expect("list");
    let [row] = page.items.as_slice() else {
        panic!("expected one contact, got {:?}", page.items);
    };
    assert_eq!(row.display_name, "Grace Hopper");
    assert_eq!(row.stage, Stage::Qualified);
    assert_eq!(row.tags, ["navy"]);
    assert_eq!(row.updated_at, updated.updated_at);
    assert_eq!(
        row.primary_email.as_deref(),
        Some("grace.hopper@example.com")
    );

    assert!(search(&replica, "ada").is_empty(), "old name is gone");
    assert!(search(&replica, "lovelace").is_empty(), "old email is gone");
    assert_eq!(search(&replica, "grace"), ["Grace Hopper"]);
    assert_eq!(search(&replica, "hop"), ["Grace Hopper"]);
    assert_eq!(replica.pending_changes().expect("pending"), 2);
}

#[test]
fn search_matches_prefixes_of_names_emails_and_phone_digits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let mut ada = person("Ada", "Lovelace");
    ada.phones = vec![phone("+1 555 0100")];
    replica.create_contact(&ada, user()).expect("create");
    let mut jose = person("José", "Núñez");
    jose.emails = vec![email("jnunez@correo.example")];
    jose.phones = vec![phone("(212) 333-4444")];
    replica.create_contact(&jose, user()).expect("create");
    let only_email = ContactInput {
        emails: vec![email("zed@quiet.example")],
        ..Default::default()
    };
    replica.create_contact(&only_email, user()).expect("create");

    assert_eq!(search(&replica, "ad"), ["Ada Lovelace"]);
    assert_eq!(search(&replica, "ADA"), ["Ada Lovelace"], "case-blind");
    assert_eq!(search(&replica, "Love"), ["Ada Lovelace"]);
    assert_eq!(
        search(&replica, "ada love"),
        ["Ada Lovelace"],
        "words AND-ed"
    );
    assert!(
        search(&replica, "ada hopper").is_empty(),
        "every word must match"
    );
    assert_eq!(search(&replica, "jose"), ["José Núñez"], "accent-blind");
    assert_eq!(search(&replica, "NUNEZ"), ["José Núñez"]);
    assert_eq!(search(&replica, "josé"), ["José Núñez"]);
    // Emails: by local part, by domain, or as typed.
    assert_eq!(search(&replica, "jnu"), ["José Núñez"]);
    assert_eq!(search(&replica, "correo"), ["José Núñez"]);
    assert_eq!(search(&replica, "zed@qui"), ["zed@quiet.example"]);
    // Phones: any run of digits, or as typed.
    assert_eq!(search(&replica, "5550"), ["Ada Lovelace"]);
    assert_eq!(search(&replica, "0100"), ["Ada Lovelace"]);
    assert_eq!(search(&replica, "15550100"), ["Ada Lovelace"]);
    assert_eq!(search(&replica, "555 01"), ["Ada Lovelace"]);
    assert_eq!(search(&replica, "2123334"), ["José Núñez"]);
    assert_eq!(search(&replica, "333-44"), ["José Núñez"]);
    // FTS syntax in the text is only text.
    assert!(search(&replica, r#"ada" OR "jose"#).is_empty());
    assert!(search(&replica, "NEAR(ada)").is_empty());
    assert!(search(&replica, "ada*").len() == 1);
    // Blank or punctuation-only search means no filter.
    assert_eq!(search(&replica, "   ").len(), 3);
    assert_eq!(search(&replica, "").len(), 3);
    assert_eq!(search(&replica, "-").len(), 3);
}

#[test]
fn stage_and_tag_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"), &clock());
    let mut ada = person("Ada", "Lovelace");
    ada.stage = Stage::Showing;
    ada.tags = vec!["VIP".into(), "cash buyer".into()];
    replica.create_contact(&ada, user()).expect("create");
    let mut grace = person("Grace", "Hopper");
    grace.tags = vec!["vip".into()];
    replica.create_contact(&grace, user()).expect("create");
    replica
        .create_contact(&person("Alan", "Turing"), user())
        .expect("create");

    let list = |q: ContactQuery| {
        let mut found = display_names(&replica.list_contacts(&q).expect("list").items);
        found.sort();
        found
    };
    assert_eq!(
        list(ContactQuery {
            stages: vec![Stage::Showing],
            ..query()
        }),
        ["Ada Lovelace"]
    );
    assert_eq!(
        list(ContactQuery {
            stages: vec![Stage::Lead],
            ..query()
        }),
        ["Alan Turing", "Grace Hopper"]
    );
    assert_eq!(
        list(ContactQuery {
            tags: vec![" Vip ".into()],
            ..query()
        }),
        ["Ada Lovelace", "Grace Hopper"]
    );
    assert_eq!(
        list(ContactQuery {
            tags: vec!["vip".into()],
            stages: vec![Stage::Lead],
            ..query()
        }),
        ["Grace Hopper"]
    );
    assert_eq!(
        list(ContactQuery {
            tags: vec!["cash  BUYER".into()],
            search: Some("ada".into()),
            ..query()
        }),
        ["Ada Lovelace"]
    );
    assert!(list(ContactQuery {
        tags: vec!["nobody".into()],
        ..query()
    })
    .is_empty());
}

#[test]
fn soft_delete_hides_and_restore_brings_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("f.db"), &clock);
    let ada = replica
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create");
    replica
        .create_contact(&person("Grace", "Hopper"), user())
        .expect("create");
    clock.set(ada.updated_at + Duration::seconds(1));
    let deleted = replica.soft_delete_contact(&ada.id).expect("delete");
    assert_eq!(
        deleted.deleted_at,
        Some(ada.updated_at + Duration::seconds(1))
    );

    assert_eq!(
        display_names(&replica.list_contacts(&query()).expect("list").items),
        ["Grace Hopper"]
    );
    assert!(search(&replica, "ada").is_empty());
    let all = replica
        .list_contacts(&ContactQuery {
            include_deleted: true,
            ..query()
        })
        .expect("list");
    assert_eq!(display_names(&all.items), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(all.items[0].deleted_at, deleted.deleted_at);
    assert_eq!(
        replica.get_contact(&ada.id).expect("get"),
        Some(deleted.clone()),
        "a deleted contact can still be opened"
    );

    // Deleting twice keeps the first time and writes nothing.
    clock.set(ada.updated_at + Duration::seconds(2));
    let pending = replica.pending_changes().expect("pending");
    assert_eq!(
        replica.soft_delete_contact(&ada.id).expect("again"),
        deleted
    );
    assert_eq!(replica.pending_changes().expect("pending"), pending);

    let restored = replica.restore_contact(&ada.id).expect("restore");
    assert_eq!(restored.deleted_at, None);
    assert_eq!(
        display_names(&replica.list_contacts(&query()).expect("list").items),
        ["Ada Lovelace", "Grace Hopper"]
    );
    assert_eq!(search(&replica, "ada"), ["Ada Lovelace"]);
    assert_eq!(replica.pending_changes().expect("pending"), pending + 1);
}

#[test]
fn contacts_from_another_replica_are_listed_and_searchable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"), &clock());
    let b = open(&dir.path().join("b.db"), &clock());
    let mut input = person("José", "Núñez");
    input.phones = vec![phone("+1 555 0100")];
    input.tags = vec!["vip".into()];
    let contact = a.create_contact(&input, user()).expect("create");

    let feed = |replica: &Replica| -> Vec<DocUpdate> {
        let (batch, _) = replica.outbox_batch(100, 1 << 20).expect("outbox");
        batch
            .into_iter()
            .map(|d| DocUpdate {
                doc_id: d.doc_id,
                snapshot: None,
                changes: d.changes,
            })
            .collect()
    };
    let entries = feed(&a);
    assert_eq!(
        b.apply_remote(&entries, None).expect("apply").docs_changed,
        1
    );
    assert_eq!(
        b.get_contact(&contact.id).expect("get"),
        Some(contact.clone())
    );
    let page = b.list_contacts(&query()).expect("list");
    assert_eq!(display_names(&page.items), ["José Núñez"]);
    assert_eq!(page.items[0].tags, ["vip"]);
    assert_eq!(search(&b, "jose"), ["José Núñez"]);
    assert_eq!(search(&b, "5550"), ["José Núñez"]);

    // B edits it and A receives the edit.
    let edited = b
        .update_contact(&contact.id, &person("Joseph", "Nunes"), user())
        .expect("update");
    let from_b = feed(&b);
    assert_eq!(from_b.len(), 1, "only B's own change is queued on B");
    assert_eq!(from_b[0].changes.len(), 1);
    assert_eq!(
        a.apply_remote(&from_b, None).expect("apply").docs_changed,
        1
    );
    assert_eq!(a.get_contact(&contact.id).expect("get"), Some(edited));
    assert_eq!(search(&a, "joseph"), ["Joseph Nunes"]);
    assert!(search(&a, "núñez").is_empty());
    let doc = contact_doc_id(&contact.id).expect("doc id");
    assert_eq!(a.doc_heads(&doc).expect("a"), b.doc_heads(&doc).expect("b"));
}

#[test]
fn every_local_change_is_attributed_to_this_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let id = open(&db, &clock())
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create")
        .id;
    // Reopen so the edit starts from the stored bytes, not from a document still in memory.
    let replica = open(&db, &clock());
    replica
        .update_contact(&id, &person("Ada", "King"), user())
        .expect("update");
    let (docs, _) = replica.outbox_batch(10, 1 << 20).expect("outbox");
    assert_eq!(docs.len(), 1, "one document");
    assert_eq!(docs[0].changes.len(), 2, "create and update");
    for change in &docs[0].changes {
        let parsed = fieldstone_doc::parse_change(change).expect("change");
        assert_eq!(parsed.actor_id(), replica.actor());
    }
}
