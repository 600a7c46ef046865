//! The plan and this month's usage through the command table: signed out, a sentence to sign
//! in; against a real server process whose organisation is on Starter, its allowances with the
//! organisation's and this user's use; the server gone, a sentence that it needs a connection.

use crate::support::{fast_sync, open, open_with, t0};
use fieldstone_app_api::config::{ServerOverride, SyncConfig};
use fieldstone_protocol::account::OrgUsage;
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_tests::{admin, Org, ServerProcess};
use serde_json::json;

#[tokio::test]
async fn signed_out_it_says_to_sign_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let error = app
        .api
        .dispatch("org_usage", json!({}))
        .await
        .expect_err("no server to ask");
    assert_eq!(error.code, CommandErrorCode::WrongState);
    assert_eq!(error.message, "Sign in to see your plan.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_the_servers_plan_and_the_server_gone_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let north = Org::create(&server_dir, "North");
    north.user("ada@north.test", "agent", None);
    admin(
        &server_dir,
        &["set-plan", "--org", &north.id, "--plan", "starter"],
    );
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let app = open_with(
        &tmp.path().join("ada"),
        t0(),
        SyncConfig {
            server: Some(ServerOverride {
                server_url: server.url.clone(),
                token: north.device_token("ada@north.test", "laptop"),
            }),
            options: fast_sync(),
        },
    );
    app.api.resume_sync().await;

    let usage: OrgUsage = serde_json::from_value(
        app.api
            .dispatch("org_usage", json!({}))
            .await
            .expect("the plan"),
    )
    .expect("OrgUsage");
    assert_eq!(usage.plan, "starter");
    assert_eq!(usage.plan_label, "Starter");
    let sms = usage
        .meters
        .iter()
        .find(|m| m.meter == "sms")
        .expect("texts are metered");
    assert_eq!(sms.allowance, Some(500));
    assert_eq!((sms.used, sms.used_by_me), (0, 0));
    assert!(usage.resets_at > chrono::Utc::now() - chrono::Duration::days(1));

    server.kill();
    let error = app
        .api
        .dispatch("org_usage", json!({}))
        .await
        .expect_err("offline");
    assert_eq!(error.code, CommandErrorCode::Offline);
    assert_eq!(error.message, "Usage needs a connection to the server.");
}
