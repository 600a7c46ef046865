//! A real server process and two replicas in temp dirs: the walking skeleton's sync path.

use fieldstone_model::{Contact, ContactId, ContactInput, EmailEntry, PhoneEntry, Stage, UserId};
use fieldstone_protocol::commands::SyncState;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::Replica;
use fieldstone_replica::{
    contact_doc_id, SyncClient, SyncDetail, SyncError, SyncHandle, SyncOptions,
};
use fieldstone_tests::*;
use std::sync::Arc;
use std::time::Duration;

/// A lead: a contact in the pipeline's first stages.
fn ada() -> ContactInput {
    ContactInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        emails: vec![EmailEntry {
            address: "ada@example.com".into(),
            label: Default::default(),
            primary: true,
        }],
        phones: vec![PhoneEntry {
            number: "+44 20 7946 0958".into(),
            label: Default::default(),
            primary: true,
        }],
        stage: Stage::Qualified,
        ..ContactInput::default()
    }
}

/// The agent the contacts are made by: nobody in the server's organisation, like the local user
/// of a device that never signed in.
fn agent() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(7))
}

/// Every contact `replica` holds, read from their documents.
fn contacts(replica: &Replica) -> Vec<Contact> {
    replica
        .document_ids()
        .expect("ids")
        .into_iter()
        .filter_map(|id| {
            let (kind, uuid) = id.as_str().split_once(':')?;
            let id = ContactId::from_uuid(uuid.parse().ok()?);
            (kind == "contact").then(|| replica.get_contact(&id).expect("get"))?
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_created_offline_reaches_a_second_device() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let token = create_account(&server_dir, "agent@example.com");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let a = open_replica(&tmp.path().join("a"));
    let b = open_replica(&tmp.path().join("b"));
    let client = SyncClient::new(&url, &token).expect("client");

    // Offline: the write succeeds locally and waits in the outbox.
    let lead = a.create_contact(&ada(), agent()).expect("create offline");
    assert_eq!(a.pending_changes().expect("pending"), 1);
    assert!(matches!(
        sync_once(&a, &client).await,
        Err(SyncError::Unreachable(_))
    ));
    assert_eq!(
        a.pending_changes().expect("pending"),
        1,
        "nothing lost while offline"
    );

    let _server = ServerProcess::start(&server_dir, &format!("127.0.0.1:{port}"));
    let pushed = sync_once(&a, &client).await.expect("A syncs");
    assert_eq!(pushed.pushed, 1);
    assert_eq!(a.pending_changes().expect("pending"), 0);

    assert!(contacts(&b).is_empty());
    let pulled = sync_once(&b, &client).await.expect("B syncs");
    assert_eq!((pulled.pulled, pulled.docs_changed), (1, 1));
    assert_eq!(contacts(&b), vec![lead.clone()]);
    let doc = contact_doc_id(&lead.id).expect("doc id");
    assert_eq!(
        a.doc_heads(&doc).expect("heads A"),
        b.doc_heads(&doc).expect("heads B"),
        "identical documents, not just identical rows"
    );

    // A second round is a no-op on both sides: nothing is duplicated.
    let again = sync_once(&a, &client).await.expect("A again");
    assert_eq!((again.pushed, again.docs_changed), (0, 0));
    let again = sync_once(&b, &client).await.expect("B again");
    assert_eq!((again.pulled, again.docs_changed), (0, 0));
    assert_eq!(contacts(&b).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_is_refused_and_local_data_is_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let _ = create_account(&server_dir, "agent@example.com");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let a = open_replica(&tmp.path().join("a"));
    let lead = a.create_contact(&ada(), agent()).expect("create");

    for token in ["fst_not-a-real-token", ""] {
        let client = SyncClient::new(&server.url, token).expect("client");
        assert!(matches!(
            sync_once(&a, &client).await,
            Err(SyncError::Unauthorized)
        ));
    }
    assert_eq!(contacts(&a), vec![lead]);
    assert_eq!(
        a.pending_changes().expect("pending"),
        1,
        "outbox kept for later"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_sync_reports_offline_then_recovers_by_itself() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let token = create_account(&server_dir, "agent@example.com");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let a = open_replica(&tmp.path().join("a"));
    let b = open_replica(&tmp.path().join("b"));
    let options = SyncOptions {
        poll_interval: Duration::from_millis(100),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        live_poll_interval: Duration::from_millis(500),
        live: true,
        ..SyncOptions::default()
    };
    let sync_a = SyncHandle::spawn(
        a.clone(),
        SyncClient::new(&url, &token).expect("client"),
        options.clone(),
    );
    let lead = a.create_contact(&ada(), agent()).expect("create");
    sync_a.nudge();

    let offline = eventually("A reports offline", Duration::from_secs(20), || {
        let s = sync_a.status();
        (s.state == SyncState::Offline && s.pending == 1).then_some(s)
    })
    .await;
    assert!(
        matches!(offline.detail, SyncDetail::Offline { .. }),
        "{:?}",
        offline.detail
    );

    let _server = ServerProcess::start(&server_dir, &format!("127.0.0.1:{port}"));
    eventually(
        "A syncs once the server is back",
        Duration::from_secs(20),
        || {
            let s = sync_a.status();
            (s.state == SyncState::UpToDate && s.pending == 0).then_some(())
        },
    )
    .await;

    let sync_b = SyncHandle::spawn(
        b.clone(),
        SyncClient::new(&url, &token).expect("client"),
        options,
    );
    let status_b = eventually("B receives the lead", Duration::from_secs(20), || {
        let s = sync_b.status();
        (s.remote_revision > 0).then_some(s)
    })
    .await;
    assert_eq!(status_b.state, SyncState::UpToDate);
    assert_eq!(contacts(&b), vec![lead]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_live_connection_shows_offline_without_waiting_for_a_poll() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let token = create_account(&server_dir, "agent@example.com");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let a = open_replica(&tmp.path().join("a"));
    // Polls far apart: only the live connection's end can tell the loop the server is gone.
    let options = SyncOptions {
        poll_interval: Duration::from_secs(3600),
        live_poll_interval: Duration::from_secs(3600),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        live: true,
        ..SyncOptions::default()
    };
    let sync_a = SyncHandle::spawn(
        a.clone(),
        SyncClient::new(&server.url, &token).expect("client"),
        options,
    );
    eventually("A is up to date", Duration::from_secs(20), || {
        (sync_a.status().state == SyncState::UpToDate).then_some(())
    })
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while metric(&server.metrics().await, "fieldstone_live_connections") < 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "A's live connection never opened"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();
    eventually("A reports offline", Duration::from_secs(20), || {
        (sync_a.status().state == SyncState::Offline).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_send_says_how_many_of_how_many_then_what_came_back() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let token = create_account(&server_dir, "agent@example.com");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let a = open_replica(&tmp.path().join("a"));
    let b = open_replica(&tmp.path().join("b"));
    // More changes than one push carries, written before any sync.
    let owner = UserId::from_uuid(uuid::Uuid::from_u128(7));
    a.batch(|batch| {
        for i in 0..4500 {
            batch.create_contact(
                &ContactInput {
                    given_name: format!("Buyer {i}"),
                    family_name: "Progress".into(),
                    ..ContactInput::default()
                },
                owner,
            )?;
        }
        Ok(())
    })
    .expect("create contacts");
    let to_send = a.pending_changes().expect("pending");

    // Every status the loop publishes, as the UI's event stream would see it.
    let seen = |replica: Arc<Replica>| {
        let handle = SyncHandle::spawn(
            replica,
            SyncClient::new(&server.url, &token).expect("client"),
            SyncOptions::default(),
        );
        let mut statuses = handle.subscribe();
        let log = tokio::spawn(async move {
            let mut log = vec![statuses.borrow_and_update().clone()];
            while statuses.changed().await.is_ok() {
                let status = statuses.borrow_and_update().clone();
                let done = status.state == SyncState::UpToDate;
                log.push(status);
                if done {
                    break;
                }
            }
            log
        });
        (handle, log)
    };
    let (_sync_a, log_a) = seen(a.clone());
    let log_a = tokio::time::timeout(Duration::from_secs(120), log_a)
        .await
        .expect("A finishes sending")
        .expect("log");
    let sending: Vec<_> = log_a.iter().filter_map(|s| s.progress).collect();
    assert!(
        sending
            .iter()
            .any(|p| p.to_send == to_send && p.sent > 0 && p.sent < to_send),
        "a part-way 'n of {to_send}' was shown: {sending:?}"
    );
    assert!(
        log_a
            .iter()
            .all(|s| s.progress.is_none() || s.state == SyncState::Syncing),
        "progress is shown only while syncing"
    );
    assert_eq!(
        log_a.last().and_then(|s| s.progress),
        None,
        "cleared at the end"
    );

    let (_sync_b, log_b) = seen(b.clone());
    let log_b = tokio::time::timeout(Duration::from_secs(120), log_b)
        .await
        .expect("B finishes receiving")
        .expect("log");
    let received: Vec<u64> = log_b
        .iter()
        .filter_map(|s| s.progress.map(|p| p.received))
        .collect();
    assert!(
        received.windows(2).all(|w| w[0] <= w[1]) && received.last() == Some(&4500),
        "received counts grow to every contact: {received:?}"
    );
}
