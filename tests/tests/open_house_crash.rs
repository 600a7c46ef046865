//! The server stops between storing an open-house push and routing its visitors (issue 15):
//! the visitors were queued before they were stored, so the server that starts again routes
//! them at once — the device's retried push, all duplicates, would not have brought them back.
//! Real server processes (the fault-injection build aborts right after the push's commit) and
//! real engine files.

use fieldstone_model::sign_in::SignIn;
use fieldstone_model::UserId;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{ContactQuery, SyncClient, SyncError};
use fieldstone_tests::*;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

async fn put(url: &str, token: &str, body: serde_json::Value) {
    let answer = reqwest::Client::new()
        .put(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = answer.status();
    assert!(
        status.is_success(),
        "{url}: {status} {:?}",
        answer.text().await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_stored_just_before_a_crash_are_routed_when_the_server_is_back() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let sales = org.team("Sales");
    let ann: UserId = org
        .agent_in("ann@harbour.test", "Ann Lee", &sales)
        .parse()
        .expect("id");
    let bob: UserId = org
        .agent_in("bob@harbour.test", "Bob Diaz", &sales)
        .parse()
        .expect("id");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let owner = org.token("owner@harbour.test");
    put(
        &format!("{}/v2/org/agents/{bob}/profile", server.url),
        &owner,
        serde_json::json!({"active": true, "max_open_leads": 50}),
    )
    .await;
    put(
        &format!("{}/v2/org/routing", server.url),
        &owner,
        serde_json::json!({"rules": [{"name": "visitors", "when": {"sources": ["open_house"]},
            "agents": [bob], "strategy": {"kind": "round_robin"}}]}),
    )
    .await;

    // Ann's laptop syncs once, then runs the open house.
    let laptop = open_replica(&tmp.path().join("laptop"));
    let token = org.device_token("ann@harbour.test", "laptop");
    sync_once(
        &laptop,
        &SyncClient::new(&server.url, &token).expect("client"),
    )
    .await
    .expect("first sync");
    let elm = laptop.create_listing(&elm_street(), ann).expect("listing");
    laptop.start_kiosk(elm.id, "2468").expect("kiosk");
    let mut visitors = Vec::new();
    for n in 0..3 {
        let visitor = SignIn {
            given_name: "Visitor".into(),
            family_name: format!("No{n}"),
            email: format!("visitor{n}@example.com"),
            phone: String::new(),
            consent: true,
            note: String::new(),
        };
        let visit = laptop
            .kiosk_sign_in(&visitor, ann, "laptop", None)
            .expect("sign-in");
        visitors.push(visit.contact.id);
    }
    server.kill();

    // The push is stored, and the server aborts before routing it or answering.
    let crashing = ServerProcess::start_with_env(
        &server_dir,
        "127.0.0.1:0",
        &[("FIELDSTONE_TEST_CRASH_AFTER_COMMITS", "1")],
    );
    let failed = sync_once(
        &laptop,
        &SyncClient::new(&crashing.url, &token).expect("client"),
    )
    .await;
    assert!(
        matches!(failed, Err(SyncError::Unreachable(_))),
        "the answer never came: {failed:?}"
    );
    let status = crashing.wait_for_exit(LIMIT).await;
    assert!(!status.success(), "the server aborted: {status:?}");

    // Back: the visitors reach Bob, assigned to him, without Ann pushing anything new.
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let phone = open_replica(&tmp.path().join("bob"));
    let bobs = SyncClient::new(&server.url, &org.device_token("bob@harbour.test", "phone"))
        .expect("client");
    let deadline = Instant::now() + LIMIT;
    loop {
        sync_once(&phone, &bobs).await.expect("bob syncs");
        let held = phone
            .list_contacts(&ContactQuery::default())
            .expect("list")
            .items;
        let routed = visitors.iter().all(|v| {
            held.iter()
                .any(|c| c.id == *v && c.assigned_agent == Some(bob))
        });
        if routed {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the queued visitors were never routed: Bob holds {:?}",
            held.iter().map(|c| &c.display_name).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Ann's retried push changes nothing: each visitor routed once.
    sync_once(
        &laptop,
        &SyncClient::new(&server.url, &token).expect("client"),
    )
    .await
    .expect("ann syncs");
    assert_eq!(laptop.pending_changes().expect("pending"), 0);
    let answer = reqwest::Client::new()
        .get(format!("{}/v2/leads/routing", server.url))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("list");
    let rows: serde_json::Value = answer.json().await.expect("json");
    let rows = rows.as_array().cloned().unwrap_or_default();
    for v in &visitors {
        let n = rows
            .iter()
            .filter(|r| r["contact"] == v.to_string())
            .count();
        assert_eq!(n, 1, "{v} routed {n} times: {rows:?}");
    }
}
