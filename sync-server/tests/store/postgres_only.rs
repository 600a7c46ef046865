//! PostgreSQL alone: announcements between server processes (LISTEN/NOTIFY), the schema
//! version check, the contact index filled on upgrade, and closing connections from an async
//! thread.

use crate::support::{at, Backend};
use fieldstone_model::{DeviceId, OrgId, UserId};
use fieldstone_protocol::{DocId, Scope};
use fieldstone_server::hub::{Delivery, Event, Hub};
use fieldstone_server::store::contact_index::ContactIndexStore;
use fieldstone_server::store::{PostgresStore, Store, StoreError};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::{error::TryRecvError, Receiver};
use uuid::Uuid;

/// How long anything may take to arrive before the test fails (generous: CI machines stall).
const PATIENCE: Duration = Duration::from_secs(30);

/// The next delivery `wanted` accepts within `within`, and the others received before it.
fn wait_for(
    rx: &mut Receiver<Arc<Delivery>>,
    within: Duration,
    wanted: impl Fn(&Event) -> bool,
) -> (Option<Arc<Delivery>>, Vec<Arc<Delivery>>) {
    let deadline = Instant::now() + within;
    let mut others = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(delivery) if wanted(&delivery.event) => return (Some(delivery), others),
            Ok(delivery) => others.push(delivery),
            Err(TryRecvError::Empty) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(TryRecvError::Lagged(_)) => {}
            Err(_) => return (None, others),
        }
    }
}

fn is_warm_up(event: &Event) -> bool {
    matches!(event, Event::AccessChanged { org } if org.as_uuid().as_u128() < 1 << 20)
}

/// The listener connects in the background: `there` announces until `rx` hears one.
fn until_listening(rx: &mut Receiver<Arc<Delivery>>, there: &PostgresStore) {
    let deadline = Instant::now() + PATIENCE;
    for n in 0u128.. {
        let event = Event::AccessChanged {
            org: OrgId::from_uuid(Uuid::from_u128(n)),
        };
        there.announce(&event).expect("announce");
        if wait_for(rx, Duration::from_millis(200), is_warm_up)
            .0
            .is_some()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the listener never heard anything"
        );
    }
}

#[test]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
fn announcements_reach_other_processes_but_not_their_sender() {
    let b = Backend::postgres();
    let here = b.another_postgres_store();
    let there = b.another_postgres_store();
    let hub = Hub::new();
    let mut rx = hub.subscribe();
    here.listen(hub.clone()).expect("listen");
    until_listening(&mut rx, &there);

    let org = OrgId::from_uuid(Uuid::new_v4());
    let own = Event::DeviceRevoked {
        org,
        device: DeviceId::from_uuid(Uuid::new_v4()),
    };
    let theirs = Event::DeviceRevoked {
        org,
        device: DeviceId::from_uuid(Uuid::new_v4()),
    };
    // NOTIFYs arrive in commit order: had our own come back, it would come first.
    here.announce(&own).expect("announce");
    there.announce(&theirs).expect("announce");
    let (got, before) = wait_for(&mut rx, PATIENCE, |e| {
        matches!(e, Event::DeviceRevoked { .. })
    });
    let got = got.expect("the other process's announcement arrives");
    assert_eq!(got.event, theirs);
    assert!(got.remote);
    assert!(before.iter().all(|d| is_warm_up(&d.event)), "{before:?}");

    // A change in too many scopes for one NOTIFY arrives as "access changed".
    let scopes: Vec<Scope> = (0..500)
        .map(|_| Scope::User(UserId::from_uuid(Uuid::new_v4())))
        .collect();
    let huge = Event::Changed {
        org,
        doc: DocId::new("contact", "alpha").expect("id"),
        scopes,
        seq: 42,
    };
    there.announce(&huge).expect("announce");
    let (got, _) = wait_for(&mut rx, PATIENCE, |e| *e == Event::AccessChanged { org });
    assert!(got.expect("access changed arrives").remote);
    let small = Event::Changed {
        org,
        doc: DocId::new("contact", "alpha").expect("id"),
        scopes: vec![Scope::Org(org)],
        seq: 43,
    };
    there.announce(&small).expect("announce");
    let (got, _) = wait_for(&mut rx, PATIENCE, |e| *e == small);
    assert!(got.is_some(), "a small change arrives whole");
}

#[test]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
fn the_listener_reconnects_after_losing_its_connection() {
    let b = Backend::postgres();
    let here = b.another_postgres_store();
    let there = b.another_postgres_store();
    let hub = Hub::new();
    let mut rx = hub.subscribe();
    here.listen(hub.clone()).expect("listen");
    until_listening(&mut rx, &there);
    let pg = b.pg.as_ref().expect("postgres");
    let mut admin = crate::support::admin(&pg.url);
    let killed: i64 = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND query = 'LISTEN fieldstone'",
            &[],
        )
        .expect("terminate the listener's connection")
        .get(0);
    assert_eq!(killed, 1);
    while rx.try_recv().is_ok() {}
    until_listening(&mut rx, &there);
}

#[test]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
fn a_newer_schema_is_refused() {
    let b = Backend::postgres();
    let pg = b.pg.as_ref().expect("postgres");
    // Connecting again to a current database changes nothing.
    PostgresStore::connect(&pg.url).expect("connect again");
    pg.execute("UPDATE schema_version SET version = version + 1");
    match PostgresStore::connect(&pg.url) {
        Err(StoreError::Unavailable(message)) => assert!(message.contains("newer"), "{message}"),
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a newer schema was accepted"),
    }
    // The store already open keeps working on what it knows.
    b.store().ping().expect("ping");
    assert_eq!(b.store().backend(), "postgres");
}

#[test]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
fn a_store_can_be_dropped_on_an_async_thread() {
    let b = Backend::postgres();
    let store: Arc<dyn Store> = Arc::new(b.another_postgres_store());
    store.listen(Hub::new()).expect("listen");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let user = Arc::clone(&store);
        let org = tokio::task::spawn_blocking(move || user.create_org("acme", at(0)))
            .await
            .expect("join")
            .expect("create org");
        assert_eq!(org.name, "acme");
        // The last reference goes here, on a runtime thread, with pooled connections open.
        drop(store);
    });
}

/// A contact of `org` committed without its index entry, as a version 6 server stored it.
fn version_6_contact(store: &dyn Store, org: OrgId, owner: UserId, email: &str, agent: bool) {
    use fieldstone_model::{Contact, ContactId, ContactInput, EmailEntry};
    let input = ContactInput {
        given_name: "Ada".into(),
        emails: vec![EmailEntry {
            address: email.into(),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    let id = ContactId::from_uuid(Uuid::new_v4());
    let mut contact = Contact::create(id, input.validate().expect("valid"), owner, at(0));
    contact.assigned_agent = agent.then_some(owner);
    let (mut doc, _) =
        fieldstone_doc::contact::create(automerge::ActorId::random(), &contact).expect("doc");
    let write = fieldstone_server::store::DocWrite {
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
    store.commit(org, vec![write], at(0)).expect("commit");
}

#[test]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
fn a_version_6_database_gets_its_contact_index_filled_from_the_stored_contacts() {
    let b = Backend::postgres();
    let pg = b.pg.as_ref().expect("postgres");
    let acme = b.store().create_org("acme", at(0)).expect("org").id;
    let beta = b.store().create_org("beta", at(0)).expect("org").id;
    let owner = UserId::from_uuid(Uuid::new_v4());
    version_6_contact(b.store(), acme, owner, "Ada@Example.com", true);
    version_6_contact(b.store(), acme, owner, "bob@example.com", false);
    version_6_contact(b.store(), beta, owner, "ada@example.com", false);
    // What version 6 had: none of version 7's tables.
    pg.execute("DROP TABLE contact_keys");
    pg.execute("DROP TABLE contact_index");
    pg.execute("UPDATE schema_version SET version = 6");

    let upgraded = PostgresStore::connect(&pg.url).expect("a version 6 database opens");
    let ada = ["email:ada@example.com".to_owned()];
    let in_acme = upgraded
        .contacts_matching(acme, &ada, None, 10)
        .expect("acme");
    let in_beta = upgraded
        .contacts_matching(beta, &ada, None, 10)
        .expect("beta");
    assert_eq!((in_acme.len(), in_beta.len()), (1, 1));
    assert_ne!(in_acme, in_beta, "each organisation finds its own");
    let counts = upgraded.agent_counts(acme).expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!((counts[0].0, counts[0].1.open), (owner, 1));
    // Connecting again does not fill it twice.
    drop(upgraded);
    let again = PostgresStore::connect(&pg.url).expect("again");
    assert_eq!(
        again.contacts_matching(acme, &ada, None, 10).expect("acme"),
        in_acme
    );
}
