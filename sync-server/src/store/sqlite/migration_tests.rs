//! Opening a version 2 file (the format before quotas and the audit log): it becomes version
//! 3 in place, keeps what it stored, and its quota totals are counted from the stored documents
//! (each document and its changes' bytes to the document's creator). Opening a version 7 file
//! (before the contact index): the index is filled from the stored contacts. Opening a version 8
//! file: it gains the queue of open-house visitors waiting for routing.

use super::schema::SCHEMA_VERSION;
use super::*;
use crate::store::contact_index::ContactIndexStore;
use crate::store::routing::RoutingStore;
use fieldstone_model::Contact;
use rusqlite::params;

fn uuid(n: u128) -> String {
    uuid::Uuid::from_u128(n).hyphenated().to_string()
}

/// A version 2 database as that build left it, holding `docs` (org, doc, creator, change bytes).
fn version_2_file(dir: &Path, docs: &[(u128, &str, u128, &[&[u8]])]) {
    let conn = Connection::open(dir.join(DB_FILE)).expect("create");
    conn.execute_batch(&format!(
        "BEGIN; {} PRAGMA user_version = 2; COMMIT;",
        schema::SCHEMA
    ))
    .expect("version 2 schema");
    let mut seq = 0;
    for (org, doc, creator, changes) in docs {
        conn.execute(
            "INSERT INTO documents (org_id, doc_id, snapshot, snapshot_seq, head_seq, tail_len,
                                    created_by, created_at)
             VALUES (?1, ?2, x'', 0, 0, 0, ?3, 0)",
            params![uuid(*org), doc, uuid(*creator)],
        )
        .expect("document");
        for bytes in *changes {
            seq += 1;
            conn.execute(
                "INSERT INTO changes (seq, org_id, doc_id, bytes) VALUES (?1, ?2, ?3, ?4)",
                params![seq, uuid(*org), doc, bytes],
            )
            .expect("change");
        }
    }
}

#[test]
fn a_version_2_file_is_upgraded_with_its_totals_counted_and_nothing_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (acme, beta, ada, bob) = (1, 2, 10, 11);
    version_2_file(
        dir.path(),
        &[
            (acme, "contact:a", ada, &[b"12345", b"678"]),
            (acme, "contact:b", ada, &[b"1"]),
            (acme, "note:c", bob, &[b"1234567890"]),
            (beta, "contact:d", ada, &[]),
        ],
    );

    let store = SqliteStore::open(dir.path()).expect("a version 2 file opens");
    let version: i64 = store
        .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);

    let usage = |org: u128, user: u128| {
        let org = OrgId::from_uuid(uuid::Uuid::from_u128(org));
        let user = UserId::from_uuid(uuid::Uuid::from_u128(user));
        store.usage(org, user).expect("usage")
    };
    let ada_at_acme = usage(acme, ada);
    assert_eq!((ada_at_acme.user_docs, ada_at_acme.user_bytes), (2, 9));
    assert_eq!((ada_at_acme.org_docs, ada_at_acme.org_bytes), (3, 19));
    let bob_at_acme = usage(acme, bob);
    assert_eq!((bob_at_acme.user_docs, bob_at_acme.user_bytes), (1, 10));
    // Another organisation's totals are its own, even for the same person.
    let ada_at_beta = usage(beta, ada);
    assert_eq!((ada_at_beta.user_docs, ada_at_beta.user_bytes), (1, 0));
    assert_eq!((ada_at_beta.org_docs, ada_at_beta.org_bytes), (1, 0));

    // What version 2 stored is all still there.
    let (docs, changes): (i64, i64) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM changes)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .expect("counts");
    assert_eq!((docs, changes), (4, 4));
    drop(store);

    // Opened again, it is not counted twice.
    let again = SqliteStore::open(dir.path()).expect("reopen");
    let org = OrgId::from_uuid(uuid::Uuid::from_u128(acme));
    let user = UserId::from_uuid(uuid::Uuid::from_u128(ada));
    assert_eq!(again.usage(org, user).expect("usage").user_docs, 2);
}

#[test]
fn the_pre_release_format_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = Connection::open(dir.path().join(DB_FILE)).expect("create");
    conn.pragma_update(None, "user_version", 1)
        .expect("version");
    drop(conn);
    match SqliteStore::open(dir.path()) {
        Err(StoreError::Unavailable(message)) => {
            assert!(message.contains("cannot migrate"), "{message}");
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a version 1 file was opened"),
    }
}

/// A contact document of `org` written as a version 7 server wrote it (no index entry).
fn v7_contact(store: &SqliteStore, org: OrgId, owner: UserId, edit: impl FnOnce(&mut Contact)) {
    use fieldstone_model::contact::EmailEntry;
    let input = fieldstone_model::ContactInput {
        given_name: "Ada".into(),
        emails: vec![EmailEntry {
            address: "Ada@Example.com".into(),
            label: Default::default(),
            primary: true,
        }],
        ..Default::default()
    };
    let id = fieldstone_model::ContactId::from_uuid(uuid::Uuid::new_v4());
    let mut contact = Contact::create(id, input.validate().expect("valid"), owner, Utc::now());
    edit(&mut contact);
    let (mut doc, _) =
        fieldstone_doc::contact::create(automerge::ActorId::random(), &contact).expect("doc");
    let write = DocWrite {
        doc_id: DocId::new(fieldstone_doc::contact::KIND, id).expect("id"),
        expected_head_seq: None,
        changes: doc
            .get_changes(&[])
            .iter()
            .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
            .collect(),
        add_scopes: vec![Scope::User(owner)],
        snapshot: Some(doc.save()),
        new_actors: Vec::new(),
        writer: owner,
        intent: false,
        contact: None,
        job: None,
    };
    store.commit(org, vec![write], Utc::now()).expect("commit");
}

#[test]
fn a_version_7_file_gets_its_contact_index_filled_from_the_stored_contacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    let now = Utc::now();
    let acme = store.create_org("Acme", now).expect("org").id;
    let beta = store.create_org("Beta", now).expect("org").id;
    let owner = UserId::from_uuid(uuid::Uuid::new_v4());
    let agent = UserId::from_uuid(uuid::Uuid::new_v4());
    v7_contact(&store, acme, owner, |c| c.assigned_agent = Some(agent));
    v7_contact(&store, acme, owner, |c| {
        c.assigned_agent = Some(agent);
        c.stage = fieldstone_model::Stage::Lost;
        c.emails[0].address = "someone@else.test".into();
    });
    v7_contact(&store, acme, owner, |c| {
        c.deleted_at = Some(Utc::now());
        c.emails[0].address = "gone@example.com".into();
    });
    v7_contact(&store, beta, owner, |_| {});
    // What version 7 had: none of version 8's or 9's tables.
    store
        .writer()
        .conn
        .execute_batch(
            "DROP TABLE contact_keys; DROP TABLE contact_index; DROP TABLE device_leads;
             DROP TABLE jobs; DROP TABLE contact_replies; DROP TABLE campaign_enrolments; DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 7;",
        )
        .expect("back to version 7");
    drop(store);

    let store = SqliteStore::open(dir.path()).expect("a version 7 file opens");
    let version: i64 = store
        .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let ada = ["email:ada@example.com".to_owned()];
    let in_acme = store.contacts_matching(acme, &ada, None, 10).expect("acme");
    let in_beta = store.contacts_matching(beta, &ada, None, 10).expect("beta");
    assert_eq!((in_acme.len(), in_beta.len()), (1, 1));
    assert_ne!(in_acme, in_beta, "each organisation finds its own");
    let gone = ["email:gone@example.com".to_owned()];
    assert!(store
        .contacts_matching(acme, &gone, None, 10)
        .expect("deleted")
        .is_empty());
    let counts = store.agent_counts(acme).expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].0, agent);
    assert_eq!((counts[0].1.open, counts[0].1.lost), (1, 1));
    assert!(store.agent_counts(beta).expect("beta").is_empty());
}

#[test]
fn a_version_8_file_gains_the_open_house_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store
        .writer()
        .conn
        .execute_batch("DROP TABLE device_leads; DROP TABLE jobs; DROP TABLE contact_replies; DROP TABLE campaign_enrolments; DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 8;")
        .expect("back to version 8");
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("a version 8 file opens");
    let version: i64 = store
        .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let org = fieldstone_model::OrgId::from_uuid(uuid::Uuid::new_v4());
    let row = crate::store::routing::DeviceLeadRow {
        contact: "00000000-0000-4000-8000-000000000001".into(),
        user: fieldstone_model::UserId::from_uuid(uuid::Uuid::new_v4()),
        visits: vec!["00000000-0000-4000-8000-000000000002".into()],
        queued_at: Utc::now(),
    };
    store
        .queue_device_leads(org, std::slice::from_ref(&row))
        .expect("queue");
    let queued = store.device_leads(None, 10).expect("list");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, org);
    assert_eq!(queued[0].1.visits, row.visits);
    // Fresh ones are left to the push that queued them.
    assert!(store
        .device_leads(Some(row.queued_at - chrono::Duration::minutes(2)), 10)
        .expect("old only")
        .is_empty());
    store.forget_device_lead(org, &row.contact).expect("forget");
    assert!(store.device_leads(None, 10).expect("list").is_empty());
}

#[test]
fn a_version_9_file_gains_the_job_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store
        .writer()
        .conn
        .execute_batch("DROP TABLE jobs; DROP TABLE contact_replies; DROP TABLE campaign_enrolments; DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 9;")
        .expect("back to version 9");
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("a version 9 file opens");
    let version: i64 = store
        .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    let now = Utc::now();
    let worker = "w";
    assert!(store
        .claim_jobs(worker, now, now + chrono::Duration::minutes(5), 10)
        .expect("claim")
        .is_empty());
}

#[test]
fn a_version_10_file_gains_the_replies_and_keeps_the_latest_per_contact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store
        .writer()
        .conn
        .execute_batch(
            "DROP TABLE contact_replies; DROP TABLE campaign_enrolments; DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 10;",
        )
        .expect("back to version 10");
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("a version 10 file opens");
    let org = store.create_org("acme", Utc::now()).expect("org").id;
    let other = store.create_org("beta", Utc::now()).expect("org").id;
    let t = |m: i64| chrono::DateTime::from_timestamp_millis(1_800_000_000_000 + m).expect("t");
    store.record_reply(org, "c1", t(5_000)).expect("reply");
    // An older answer arriving late does not move it back.
    store.record_reply(org, "c1", t(1_000)).expect("reply");
    store.record_reply(org, "c2", t(100)).expect("reply");
    store.record_reply(other, "c3", t(9_000)).expect("reply");
    let mut since = store.replies(org, t(200)).expect("replies");
    since.sort();
    assert_eq!(since, vec![("c1".to_owned(), t(5_000))]);
    assert_eq!(store.replies(org, t(0)).expect("replies").len(), 2);
    assert_eq!(store.replies(other, t(0)).expect("replies").len(), 1);
}

#[test]
fn a_version_11_file_gains_enrolments_and_an_occasion_is_recorded_once() {
    use crate::store::jobs::Enrolment;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store
        .writer()
        .conn
        .execute_batch("DROP TABLE campaign_enrolments; DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 11;")
        .expect("back to version 11");
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("a version 11 file opens");
    let org = store.create_org("acme", Utc::now()).expect("org").id;
    let other = store.create_org("beta", Utc::now()).expect("org").id;
    let t = |m: i64| chrono::DateTime::from_timestamp_millis(1_800_000_000_000 + m).expect("t");
    let row = |contact: &str, episode: &str, at: Option<i64>| Enrolment {
        contact: contact.to_owned(),
        episode: episode.to_owned(),
        enrolled_at: at.map(t),
    };
    store
        .enrol(
            org,
            "camp",
            &[row("c1", "tag:vip:1@a", None), row("c2", "new", Some(10))],
        )
        .expect("enrol");
    // The same occasion again (a second process, a repeated pass) keeps its first row.
    store
        .enrol(
            org,
            "camp",
            &[row("c2", "new", Some(99)), row("c3", "new", Some(20))],
        )
        .expect("enrol again");
    store
        .enrol(other, "camp", &[row("c9", "new", Some(1))])
        .expect("enrol other org");
    let mut rows = store.enrolments(org, "camp").expect("enrolments");
    rows.sort_by(|a, b| a.contact.cmp(&b.contact));
    assert_eq!(
        rows,
        vec![
            row("c1", "tag:vip:1@a", None),
            row("c2", "new", Some(10)),
            row("c3", "new", Some(20))
        ]
    );
    assert!(store
        .enrolments(org, "other")
        .expect("enrolments")
        .is_empty());
    assert_eq!(
        store.enrolments(other, "camp").expect("enrolments").len(),
        1
    );
}

#[test]
fn a_version_12_file_gains_the_tour_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path()).expect("open");
    store
        .writer()
        .conn
        .execute_batch("DROP TABLE tour_days; DROP TABLE tour_hotspots; PRAGMA user_version = 12;")
        .expect("back to version 12");
    drop(store);
    let store = SqliteStore::open(dir.path()).expect("a version 12 file opens");
    let org = store.create_org("acme", Utc::now()).expect("org").id;
    let other = store.create_org("beta", Utc::now()).expect("org").id;
    use crate::store::tour::TourEvent;
    for event in [TourEvent::View, TourEvent::View, TourEvent::Time(30)] {
        store
            .record_tour_event(org, "l1", "2026-12-05", &event)
            .expect("count");
    }
    store
        .record_tour_event(org, "l1", "2026-12-06", &TourEvent::Hotspot("tour".into()))
        .expect("count");
    let stats = store.tour_stats(org, "l1", "2026-12-01").expect("stats");
    assert_eq!((stats.views, stats.timed_visits, stats.seconds), (2, 1, 30));
    assert_eq!(stats.hotspots.len(), 1);
    assert_eq!(
        store
            .tour_stats(org, "l1", "2026-12-06")
            .expect("stats")
            .views,
        0
    );
    assert_eq!(
        store
            .tour_stats(other, "l1", "2026-12-01")
            .expect("stats")
            .views,
        0
    );
}
