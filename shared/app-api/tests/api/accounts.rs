//! A second organisation never receives the first one's records (issue 11, finding 4): each
//! account's records live in a store of their own. Signed in to Harbour, then Cedar on the same
//! server, then Birch on another server, then Harbour again — against real server processes,
//! with the token in a private gnome-keyring (see `support::in_child`).

use crate::support::{eventually, in_child, open, person, sign_in, t0, Session, TestApp};
use fieldstone_protocol::commands::SyncState;
use fieldstone_protocol::views::ContactQuery;
use fieldstone_protocol::DocId;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{contact_doc_id, SyncClient};
use fieldstone_tests::{open_replica, Org, ServerProcess};
use std::collections::BTreeSet;
use std::time::Duration;

async fn names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = app
        .api
        .list_contacts(ContactQuery::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.display_name)
        .collect();
    names.sort();
    names
}

async fn create(app: &TestApp, given: &str) -> DocId {
    let contact = app
        .api
        .create_contact(person(
            given,
            "Field",
            &format!("{}@example.com", given.to_lowercase()),
        ))
        .await
        .expect("create");
    contact_doc_id(&contact.id).expect("doc id")
}

async fn synced(app: &TestApp, what: &str) {
    eventually(what, Duration::from_secs(30), || {
        let status = app.api.sync_status();
        status.state == SyncState::UpToDate && status.pending == 0
    })
    .await;
}

/// Every document the server holds for `org`, as its owner (an admin reads everything) sees
/// them on a fresh device.
async fn server_docs(server: &ServerProcess, org: &Org, owner_email: &str) -> BTreeSet<DocId> {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open_replica(dir.path());
    let client = SyncClient::new(&server.url, &org.token(owner_email)).expect("client");
    sync_once(&replica, &client)
        .await
        .expect("sync as the owner");
    // Each account's own preferences document (its zone) is its own business, and the emails
    // the server drafts for follow-ups falling due are the server's writing: records made on
    // the device are what this story follows.
    replica
        .document_ids()
        .expect("ids")
        .into_iter()
        .filter(|d| d.kind() != fieldstone_replica::PREFS_KIND && d.kind() != "message")
        .collect()
}

/// The contact `doc` and its follow-up plan's tasks, as `app` holds them.
async fn with_plan(app: &TestApp, doc: &DocId) -> Vec<DocId> {
    let contact = doc.record_id().parse().expect("contact id");
    let page = app
        .api
        .timeline(fieldstone_protocol::commands::TimelineRequest {
            contact,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    let mut docs = vec![doc.clone()];
    for entry in page.entries {
        if let fieldstone_protocol::views::TimelineEntry::Task(task) = entry {
            docs.push(DocId::new("task", task.id).expect("task doc"));
        }
    }
    assert_eq!(docs.len(), 6, "{doc} and its five plan steps");
    docs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_account_keeps_its_own_records_and_another_sign_in_never_receives_them() {
    if !in_child(
        "accounts::each_account_keeps_its_own_records_and_another_sign_in_never_receives_them",
        Session::Keyring,
    ) {
        return;
    }
    let one_dir = tempfile::tempdir().expect("tempdir");
    let harbour = Org::create(one_dir.path(), "Harbour");
    harbour.user("ada@harbour.test", "agent", None);
    let cedar = Org::create(one_dir.path(), "Cedar");
    cedar.user("bea@cedar.test", "agent", None);
    let one = ServerProcess::start(one_dir.path(), "127.0.0.1:0");
    let two_dir = tempfile::tempdir().expect("tempdir");
    let birch = Org::create(two_dir.path(), "Birch");
    birch.user("cy@birch.test", "agent", None);
    let two = ServerProcess::start(two_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());

    // Work done offline before joining goes to the first account signed in to.
    let olive = create(&app, "Olive").await;
    app.api
        .sign_in(sign_in(&one.url, "ada@harbour.test"))
        .await
        .expect("sign in to Harbour");
    let hal = create(&app, "Hal").await;
    synced(&app, "Harbour's records sent").await;
    app.api.sign_out().await.expect("sign out of Harbour");
    // Signed out, the app still shows Harbour's records; an edit waits for Harbour.
    assert_eq!(names(&app).await, ["Hal Field", "Olive Field"]);
    let sam = create(&app, "Sam").await;
    let mut harbours: BTreeSet<DocId> = BTreeSet::new();
    for contact in [&olive, &hal, &sam] {
        harbours.extend(with_plan(&app, contact).await);
    }

    let records = app.api.device_records().await.expect("records");
    assert_eq!(
        records.shown.map(|a| a.org_name).as_deref(),
        Some("Harbour")
    );
    assert!(!records.synced, "signed out: shown, not synced");

    // Cedar, on the same server: its own empty store; Harbour's records are not shown.
    app.api
        .sign_in(sign_in(&one.url, "bea@cedar.test"))
        .await
        .expect("sign in to Cedar");
    assert!(
        names(&app).await.is_empty(),
        "Harbour's records shown to Cedar"
    );
    let records = app.api.device_records().await.expect("records");
    assert_eq!(records.shown.map(|a| a.org_name).as_deref(), Some("Cedar"));
    assert_eq!(
        records
            .apart
            .iter()
            .map(|a| a.org_name.as_str())
            .collect::<Vec<_>>(),
        ["Harbour"]
    );
    assert_eq!(
        records.note.as_deref(),
        Some("You are signed in to Cedar. Harbour's records stay on this device and come back when you sign in to it again.")
    );
    let cora = create(&app, "Cora").await;
    synced(&app, "Cedar synced").await;
    let at_cedar = server_docs(&one, &cedar, "owner@cedar.test").await;
    assert!(
        at_cedar.is_disjoint(&harbours),
        "Cedar's server holds Harbour's records: {:?}",
        at_cedar.intersection(&harbours).collect::<Vec<_>>()
    );
    assert!(at_cedar.contains(&cora));
    app.api.sign_out().await.expect("sign out of Cedar");

    // Birch, on another server: nothing of Harbour's or Cedar's goes there either.
    app.api
        .sign_in(sign_in(&two.url, "cy@birch.test"))
        .await
        .expect("sign in to Birch");
    assert!(
        names(&app).await.is_empty(),
        "another account's records shown to Birch"
    );
    create(&app, "Bo").await;
    synced(&app, "Birch synced").await;
    let at_birch = server_docs(&two, &birch, "owner@birch.test").await;
    assert!(at_birch.is_disjoint(&harbours) && !at_birch.contains(&cora));
    assert_eq!(
        at_birch.len(),
        6,
        "only Bo and his follow-up plan: {at_birch:?}"
    );
    app.api.sign_out().await.expect("sign out of Birch");

    // Harbour again: its records are back, with the edit made while signed out sent now;
    // nothing lost, nothing duplicated, nothing of the others'.
    app.api
        .sign_in(sign_in(&one.url, "ada@harbour.test"))
        .await
        .expect("sign in to Harbour again");
    assert_eq!(names(&app).await, ["Hal Field", "Olive Field", "Sam Field"]);
    let note = app.api.device_records().await.expect("records").note;
    assert!(
        note.as_deref()
            .is_some_and(|n| n.contains("its records on this device are back")),
        "{note:?}"
    );
    synced(&app, "Harbour synced again").await;
    let at_harbour = server_docs(&one, &harbour, "owner@harbour.test").await;
    assert_eq!(
        at_harbour, harbours,
        "Harbour's server holds exactly Harbour's records"
    );

    // A restart, signed in: Harbour's store again.
    drop(app);
    let app = open(dir.path(), t0());
    assert_eq!(names(&app).await, ["Hal Field", "Olive Field", "Sam Field"]);
}
