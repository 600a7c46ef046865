//! Contacts in the local engine, against real SQLite files in temp dirs.

use chrono::{DateTime, Duration};
use fieldstone_model::{
    Clock, ContactInput, EmailEntry, FixedClock, LeadInput, PhoneEntry, Stage, UserId,
};
use fieldstone_protocol::DocUpdate;
use fieldstone_replica::{
    contact_doc_id, ContactQuery, ContactSummary, Replica, ReplicaError, SCHEMA_VERSION,
};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        DateTime::from_timestamp_millis(1_763_700_000_123).expect("time"),
    ))
}

fn open(path: &Path) -> Replica {
    Replica::open(path, clock()).expect("open")
}

fn user() -> UserId {
    "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("user id")
}

fn email(address: &str) -> EmailEntry {
    EmailEntry {
        address: address.into(),
        label: Default::default(),
        primary: false,
    }
}

fn phone(number: &str) -> PhoneEntry {
    PhoneEntry {
        number: number.into(),
        label: Default::default(),
        primary: false,
    }
}

fn person(given: &str, family: &str) -> ContactInput {
    ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![email(&format!(
            "{}.{}@example.com",
            given.to_lowercase(),
            family.to_lowercase()
        ))],
        ..Default::default()
    }
}

fn query() -> ContactQuery {
    ContactQuery {
        limit: 50,
        ..Default::default()
    }
}

fn names(items: &[ContactSummary]) -> Vec<String> {
    items.iter().map(|c| c.display_name.clone()).collect()
}

fn search(replica: &Replica, text: &str) -> Vec<String> {
    let page = replica
        .list_contacts(&ContactQuery {
            search: Some(text.into()),
            ..query()
        })
        .expect("search");
    names(&page.items)
}

#[test]
fn a_created_contact_is_read_back_and_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&dir.path().join("f.db"));
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
    let replica = open(&dir.path().join("f.db"));
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
    let replica = open(&dir.path().join("f.db"));
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
    let replica = open(&dir.path().join("f.db"));
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
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
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
    let replica = open(&dir.path().join("f.db"));
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
    let replica = open(&dir.path().join("f.db"));
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
        let mut found = names(&replica.list_contacts(&q).expect("list").items);
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
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
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
        names(&replica.list_contacts(&query()).expect("list").items),
        ["Grace Hopper"]
    );
    assert!(search(&replica, "ada").is_empty());
    let all = replica
        .list_contacts(&ContactQuery {
            include_deleted: true,
            ..query()
        })
        .expect("list");
    assert_eq!(names(&all.items), ["Ada Lovelace", "Grace Hopper"]);
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
        names(&replica.list_contacts(&query()).expect("list").items),
        ["Ada Lovelace", "Grace Hopper"]
    );
    assert_eq!(search(&replica, "ada"), ["Ada Lovelace"]);
    assert_eq!(replica.pending_changes().expect("pending"), pending + 1);
}

#[test]
fn keyset_pages_cover_everything_once_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
    let start = clock.now();
    let mut created = Vec::new();
    for i in 0..25 {
        // Groups of three share a timestamp, so ties are broken by id.
        clock.set(start + Duration::milliseconds(i / 3));
        created.push(
            replica
                .create_contact(&person(&format!("Person{i}"), "Example"), user())
                .expect("create"),
        );
    }
    let mut expected: Vec<_> = created
        .iter()
        .map(|c| (c.updated_at, c.id.to_string()))
        .collect();
    expected.sort();
    expected.reverse();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after = None;
    loop {
        let page = replica
            .list_contacts(&ContactQuery {
                limit: 10,
                after,
                ..query()
            })
            .expect("page");
        sizes.push(page.items.len());
        seen.extend(page.items.iter().map(|c| (c.updated_at, c.id.to_string())));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(seen, expected, "no repeats, no gaps, newest first");
    let unique: BTreeSet<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(unique.len(), 25);

    // Exactly one full page: no next cursor.
    let page = replica
        .list_contacts(&ContactQuery {
            limit: 25,
            ..query()
        })
        .expect("page");
    assert_eq!((page.items.len(), page.next), (25, None));
}

#[test]
fn contacts_from_another_replica_are_listed_and_searchable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = open(&dir.path().join("a.db"));
    let b = open(&dir.path().join("b.db"));
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
    assert_eq!(names(&page.items), ["José Núñez"]);
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
fn a_version_1_database_migrates_and_its_read_model_is_rebuilt_from_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let (lead, contact) = {
        let replica = open(&db);
        let lead = replica
            .create_lead(&LeadInput {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                phone: String::new(),
                stage: Stage::Lead,
            })
            .expect("create");
        let contact = replica
            .create_contact(&person("Grace", "Hopper"), user())
            .expect("contact");
        (lead, contact)
    };
    {
        // Take the file back to format 1 (documents, outbox, leads only): every later table is
        // gone, so the migrated read model can only come from the documents.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT IN ('meta', 'documents', 'outbox', 'leads')
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts_%'",
            )
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("names");
        for table in tables {
            conn.execute_batch(&format!("DROP TABLE {table}"))
                .expect("drop");
        }
        conn.execute_batch("PRAGMA user_version = 1;")
            .expect("downgrade");
    }
    let replica = open(&db);
    let version: i64 = rusqlite::Connection::open(&db)
        .expect("raw")
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("pragma");
    assert_eq!((version, SCHEMA_VERSION), (5, 5));
    assert_eq!(replica.list_leads().expect("leads"), vec![lead]);
    assert_eq!(
        search(&replica, "grace"),
        ["Grace Hopper"],
        "rebuilt from its document"
    );
    assert_eq!(
        replica.get_contact(&contact.id).expect("get"),
        Some(contact)
    );
    replica
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("contacts work after migrating");
    assert_eq!(search(&replica, "ada"), ["Ada Lovelace"]);
}

#[test]
fn every_local_change_is_attributed_to_this_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let id = open(&db)
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("create")
        .id;
    // Reopen so the edit starts from the stored bytes, not from a document still in memory.
    let replica = open(&db);
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

#[test]
fn filters_sorts_counts_and_keyset_pages_in_any_order() {
    use fieldstone_model::{ContactKind, LeadSource, Priority};
    use fieldstone_replica::{ContactSort, SortField, TimeRange};
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
    let start = clock.now();
    let mut ids = Vec::new();
    for (i, name) in ["delta", "Alpha", "charlie", "Echo", "bravo"]
        .iter()
        .enumerate()
    {
        clock.set(start + Duration::minutes(i as i64));
        let mut input = person(name, "Test");
        input.kind = if i % 2 == 0 {
            ContactKind::Buyer
        } else {
            ContactKind::Seller
        };
        input.source = if i < 2 {
            LeadSource::Zillow
        } else {
            LeadSource::Referral
        };
        input.priority = if i == 4 {
            Priority::High
        } else {
            Priority::Low
        };
        ids.push(replica.create_contact(&input, user()).expect("create").id);
    }
    let by_name = ContactSort {
        field: SortField::Name,
        descending: false,
    };
    // Name order, two per page, across pages.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = replica
            .list_contacts(&ContactQuery {
                sort: by_name,
                limit: 2,
                after: after.clone(),
                ..query()
            })
            .expect("page");
        seen.extend(names(&page.items));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Alpha Test",
            "bravo Test",
            "charlie Test",
            "delta Test",
            "Echo Test"
        ]
    );
    // A cursor from another sort order is refused, not misread.
    let page = replica
        .list_contacts(&ContactQuery {
            sort: by_name,
            limit: 1,
            ..query()
        })
        .expect("page");
    let wrong = replica.list_contacts(&ContactQuery {
        after: page.next,
        ..query()
    });
    assert!(matches!(wrong, Err(ReplicaError::Validation(e)) if e.for_field("after").is_some()));

    let filtered = |q: ContactQuery| names(&replica.list_contacts(&q).expect("list").items);
    assert_eq!(
        filtered(ContactQuery {
            sources: vec![LeadSource::Zillow],
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "delta Test"]
    );
    assert_eq!(
        filtered(ContactQuery {
            kinds: vec![ContactKind::Seller],
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "Echo Test"]
    );
    assert_eq!(
        filtered(ContactQuery {
            created: TimeRange {
                from: Some(start + Duration::minutes(1)),
                to: Some(start + Duration::minutes(3)),
            },
            sort: by_name,
            ..query()
        }),
        ["Alpha Test", "charlie Test"]
    );
    // Score: the high-priority contact scores highest.
    let top = replica
        .list_contacts(&ContactQuery {
            sort: ContactSort {
                field: SortField::Score,
                descending: true,
            },
            limit: 1,
            ..query()
        })
        .expect("top");
    assert_eq!(names(&top.items), ["bravo Test"]);
    let high = top.items[0].score;
    assert_eq!(
        filtered(ContactQuery {
            min_score: Some(high),
            ..query()
        }),
        ["bravo Test"]
    );
    let other_owner: UserId = "00000000-0000-4000-8000-000000000002".parse().expect("id");
    assert!(filtered(ContactQuery {
        owner: Some(other_owner),
        ..query()
    })
    .is_empty());

    // Counts and per-stage counts follow the same filters.
    assert_eq!(replica.count_contacts(&query()).expect("count"), 5);
    replica
        .set_contact_stage(&ids[0], Stage::Showing, user())
        .expect("stage");
    replica
        .tag_contact(&ids[1], &["Hot Lead".into()], &[])
        .expect("tag");
    let counts = replica.stage_counts(&query()).expect("counts");
    assert_eq!(counts[0], (Stage::Lead, 4));
    assert!(counts.contains(&(Stage::Showing, 1)));
    assert_eq!(counts.len(), Stage::ALL.len());
    assert_eq!(
        replica
            .count_contacts(&ContactQuery {
                tags: vec!["hot lead".into()],
                ..query()
            })
            .expect("count"),
        1
    );
    let untag = replica
        .tag_contact(&ids[1], &[], &["HOT LEAD".into()])
        .expect("untag");
    assert!(untag.tags.is_empty());
    let bad = replica.tag_contact(&ids[1], &["a,b".into()], &[]);
    assert!(matches!(bad, Err(ReplicaError::Validation(_))));
}

#[test]
fn searches_with_many_matches_page_the_same_as_rare_ones() {
    // Past 1,500 index matches the engine walks the sort order instead of sorting the matches;
    // both must give the same pages.
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = Replica::open(&dir.path().join("f.db"), clock.clone()).expect("open");
    let start = clock.now();
    for chunk in 0..4 {
        clock.set(start + Duration::minutes(chunk));
        replica
            .batch(|b| {
                for i in 0..400 {
                    b.create_contact(&person(&format!("Mara{chunk}x{i}"), "Quill"), user())?;
                }
                Ok(())
            })
            .expect("batch");
    }
    replica
        .create_contact(&person("Zed", "Quill"), user())
        .expect("zed");
    let all = |text: &str| {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = replica
                .list_contacts(&ContactQuery {
                    search: Some(text.into()),
                    limit: 200,
                    after: after.clone(),
                    ..query()
                })
                .expect("page");
            seen.extend(page.items.iter().map(|c| (c.updated_at, c.id)));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        seen
    };
    let dense = all("m");
    assert_eq!(dense.len(), 1600);
    let mut sorted = dense.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dense, sorted, "newest first, ties by id");
    assert_eq!(all("quill").len(), 1601);
    assert_eq!(all("zed").len(), 1);
    assert_eq!(search(&replica, "mara3x399"), ["Mara3x399 Quill"]);
}
