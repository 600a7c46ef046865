//! Divergence repaired: the server is restored from an older backup, so it has lost changes the
//! devices hold and its feed numbers restart below the devices' cursors. Devices start the lost
//! part of the feed over, and the repair pass sends the server what it lost; a new device then
//! receives everything.

use fieldstone_model::{ContactId, ContactInput, Stage, UserId};
use fieldstone_replica::sync::{repair, sync_once};
use fieldstone_replica::{Replica, SyncClient, SyncHandle, SyncOptions};
use fieldstone_tests::*;
use std::sync::Arc;
use std::time::Duration;

fn contact(name: &str) -> ContactInput {
    ContactInput {
        given_name: name.into(),
        family_name: "Restored".into(),
        ..Default::default()
    }
}

fn create(replica: &Replica, name: &str, by: UserId) -> ContactId {
    replica
        .create_contact(&contact(name), by)
        .expect("create")
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_heal_a_server_restored_from_an_older_backup() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("server");
    let org = Org::create(&data, "Harbour");
    let ada: UserId = org
        .user("ada@harbour.test", "agent", None)
        .parse()
        .expect("user id");
    let laptop_token = org.token("ada@harbour.test");
    let phone_token = org.token("ada@harbour.test");
    let tablet_token = org.token("ada@harbour.test");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let listen = format!("127.0.0.1:{port}");
    let server = ServerProcess::start(&data, &listen);
    let client = |token: &str| SyncClient::new(&url, token).expect("client");
    let laptop: Arc<Replica> = open_replica(&tmp.path().join("laptop"));
    let phone: Arc<Replica> = open_replica(&tmp.path().join("phone"));

    let early: Vec<ContactId> = (0..5)
        .map(|n| create(&laptop, &format!("Early{n}"), ada))
        .collect();
    sync_once(&laptop, &client(&laptop_token))
        .await
        .expect("laptop");
    sync_once(&phone, &client(&phone_token))
        .await
        .expect("phone");

    // A backup while serving; then more work the backup will not have.
    let backup = tmp.path().join("backup.db");
    admin(
        &data,
        &["backup", "--to", backup.to_str().expect("utf-8 path")],
    );
    let late: Vec<ContactId> = (0..5)
        .map(|n| create(&laptop, &format!("Late{n}"), ada))
        .collect();
    laptop
        .set_contact_stage(&early[0], Stage::Offer, ada)
        .expect("edit");
    sync_once(&laptop, &client(&laptop_token))
        .await
        .expect("laptop");
    let report = sync_once(&phone, &client(&phone_token))
        .await
        .expect("phone");
    assert_eq!(report.docs_changed, 6);

    // Disaster: the server comes back from the backup.
    server.kill();
    for name in ["fieldstone.db", "fieldstone.db-wal", "fieldstone.db-shm"] {
        let _ = std::fs::remove_file(data.join(name));
    }
    std::fs::copy(&backup, data.join("fieldstone.db")).expect("restore");
    let _server = ServerProcess::start(&data, &listen);

    // A new change after the restore is numbered below the phone's old cursor; the phone still
    // receives it, because a cursor past the server's feed starts over.
    let after = create(&laptop, "AfterRestore", ada);
    sync_once(&laptop, &client(&laptop_token))
        .await
        .expect("laptop");
    sync_once(&phone, &client(&phone_token))
        .await
        .expect("phone");
    assert!(
        phone.get_contact(&after).expect("read").is_some(),
        "the phone receives changes made after the restore"
    );

    // The server lost the late contacts and the edit; the laptop, which made them, sends them
    // back through the repair pass its background sync runs (here on every round after the
    // first, instead of daily), and the phone's own pass finds nothing missing.
    let laptop_sync = SyncHandle::spawn(
        laptop.clone(),
        client(&laptop_token),
        SyncOptions {
            poll_interval: Duration::from_millis(100),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            repair_every: Duration::ZERO,
            ..SyncOptions::default()
        },
    );
    repair(&phone, &client(&phone_token))
        .await
        .expect("repair phone");
    let tablet: Arc<Replica> = open_replica(&tmp.path().join("tablet"));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        sync_once(&tablet, &client(&tablet_token))
            .await
            .expect("tablet");
        if late
            .iter()
            .chain([&after])
            .all(|id| tablet.get_contact(id).expect("read").is_some())
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the laptop's repair pass never gave the server back what it lost"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(laptop_sync);
    assert_eq!(
        tablet
            .get_contact(&early[0])
            .expect("read")
            .map(|c| c.stage),
        Some(Stage::Offer),
        "the lost edit came back"
    );
    sync_once(&laptop, &client(&laptop_token))
        .await
        .expect("laptop");
    sync_once(&phone, &client(&phone_token))
        .await
        .expect("phone");
    assert_converged(
        "after the restore and repair",
        &[("laptop", &laptop), ("phone", &phone), ("tablet", &tablet)],
    );
}
