//! Preferences follow the agent: local only they stay in the device's settings; signed in, the
//! lists made before move into the account's preferences document, and a smart list or locale
//! set in the app reaches the agent's other device (a replica syncing with the same real
//! server) and back. A viewer's stay on the device.

use crate::support::{eventually, in_child, open, sign_in, t0, Session, TestApp};
use fieldstone_model::{DateOrder, Locale};
use fieldstone_protocol::commands::{CommandErrorCode, SaveSmartList, SyncState};
use fieldstone_protocol::views::ContactQuery;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::SyncClient;
use fieldstone_tests::{open_replica, Org, ServerProcess};
use std::time::Duration;

async fn synced(app: &TestApp) {
    eventually("the app synced", Duration::from_secs(30), || {
        let status = app.api.sync_status();
        status.state == SyncState::UpToDate && status.pending == 0
    })
    .await;
}

fn list(name: &str) -> SaveSmartList {
    SaveSmartList {
        id: None,
        name: name.into(),
        query: ContactQuery {
            search: Some(name.to_lowercase()),
            ..ContactQuery::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smart_lists_and_the_locale_follow_the_agent_to_their_other_devices() {
    if !in_child(
        "preferences::smart_lists_and_the_locale_follow_the_agent_to_their_other_devices",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let org = Org::create(server_dir.path(), "Harbour");
    let ada = org.user("ada@harbour.test", "agent", None);
    let ada: fieldstone_model::UserId = ada.trim().parse().expect("ada's id");
    org.user("vic@harbour.test", "viewer", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());

    // Local only: kept on this device, and said so.
    let before = app
        .api
        .save_smart_list(list("Made offline"))
        .await
        .expect("local list");
    let prefs = app.api.preferences().await.expect("prefs");
    assert!(!prefs.follows_you);
    assert_eq!(prefs.locale, Locale::default());
    let bad = app
        .api
        .set_locale(Locale {
            currency: "dollars".into(),
            ..Locale::default()
        })
        .await
        .expect_err("a made-up currency");
    assert_eq!(bad.code, CommandErrorCode::Validation);
    assert!(bad.field("currency").is_some());

    // Signed in: the list made before is in the account's document, with what follows.
    app.api
        .sign_in(sign_in(&server.url, "ada@harbour.test"))
        .await
        .expect("sign in");
    let prefs = app.api.preferences().await.expect("prefs");
    assert!(prefs.follows_you);
    assert_eq!(prefs.smart_lists, vec![before.clone()]);
    let hot = app
        .api
        .save_smart_list(list("Hot buyers"))
        .await
        .expect("list");
    let us = app
        .api
        .set_locale(Locale {
            date_order: DateOrder::MonthDayYear,
            currency: "cad".into(),
            ..Locale::default()
        })
        .await
        .expect("locale");
    assert_eq!(us.locale.currency, "CAD");
    app.api.sync_now();
    synced(&app).await;

    // Ada's phone (a replica of the same account) receives both, and adds a list of its own.
    let phone_dir = tempfile::tempdir().expect("tempdir");
    let phone = open_replica(phone_dir.path());
    let phone_sync = SyncClient::new(&server.url, &org.device_token("ada@harbour.test", "phone"))
        .expect("client");
    sync_once(&phone, &phone_sync).await.expect("phone sync");
    let on_phone = phone.preferences(&ada).expect("phone prefs");
    assert!(on_phone
        .get(&format!("smart_list:{}", hot.id))
        .is_some_and(|json| json.contains("Hot buyers")));
    assert!(on_phone.contains_key(&format!("smart_list:{}", before.id)));
    assert!(on_phone
        .get("locale")
        .is_some_and(|json| json.contains("mdy") && json.contains("CAD")));
    let from_phone = fieldstone_protocol::commands::SmartList {
        id: "phone-list".into(),
        name: "Open house visitors".into(),
        query: ContactQuery::default(),
    };
    phone
        .set_preferences(
            &ada,
            &[(
                "smart_list:phone-list".into(),
                Some(serde_json::to_string(&from_phone).expect("json")),
            )],
        )
        .expect("phone list");
    sync_once(&phone, &phone_sync).await.expect("phone sync");
    app.api.sync_now();
    let mut names = Vec::new();
    for _ in 0..60 {
        names = app
            .api
            .smart_lists()
            .await
            .expect("lists")
            .into_iter()
            .map(|l| l.name)
            .collect();
        if names.contains(&"Open house visitors".to_owned()) {
            break;
        }
        app.api.sync_now();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(names, ["Hot buyers", "Made offline", "Open house visitors"]);
    app.api
        .delete_smart_list("phone-list".into())
        .await
        .expect("delete the phone's list");
    // The app sends on its own clock: the phone looks until the removal has arrived.
    let mut gone = false;
    for _ in 0..60 {
        app.api.sync_now();
        sync_once(&phone, &phone_sync).await.expect("phone sync");
        gone = !phone
            .preferences(&ada)
            .expect("phone prefs")
            .contains_key("smart_list:phone-list");
        if gone {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(gone, "the removal reached the phone");

    // A viewer's stay on the device (the server takes no writes from a viewer).
    app.api.sign_out().await.expect("sign out");
    app.api
        .sign_in(sign_in(&server.url, "vic@harbour.test"))
        .await
        .expect("sign in as a viewer");
    let prefs = app.api.preferences().await.expect("viewer prefs");
    assert!(!prefs.follows_you);
    app.api
        .save_smart_list(list("Viewer's own"))
        .await
        .expect("a viewer keeps lists on the device");
}
