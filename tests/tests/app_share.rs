//! Sharing a contact from the real app window, through a real server process: Ada (the window)
//! adds a contact, opens Share, finds her teammate Bo and shares it; Bo's device (a replica in
//! this process) receives it; Ada removes the share and the list follows. A teammate-less
//! colleague and a user of another organisation are never offered, and the server refuses the
//! other organisation's user even when asked directly.

mod app_support;

use app_support::{sync_until, App, Sync, DESKTOP, PHONE};
use fieldstone_model::ContactId;
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient};
use fieldstone_tests::*;

/// One window at a time: both tests resize and photograph theirs.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const ADA: &str = "ada@north.test";
const BO: &str = "bo@north.test";
const CY: &str = "cy@north.test";
const ZED: &str = "zed@cedar.test";

fn find(replica: &Replica, name: &str) -> Option<ContactId> {
    let page = replica.list_contacts(&Default::default()).expect("list");
    page.items
        .iter()
        .find(|c| c.display_name == name)
        .map(|c| c.id)
}

/// The labels of the picker's choices and of the current holders.
async fn offered(app: &App) -> Vec<String> {
    app.texts("#share-choices .share-choice__name").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_contact_is_shared_with_a_teammate_who_receives_it_and_the_share_is_removed() {
    let _one = ONE_WINDOW.lock().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let north = Org::create(&server_dir, "North");
    let sales = north.team("Sales");
    north.agent_in(ADA, "Ada King", &sales);
    let bo_id = north.agent_in(BO, "Bo Diaz", &sales);
    // In the organisation but on no team of Ada's: not hers to share with.
    north.user(CY, "agent", None);
    let cedar = Org::create(&server_dir, "Cedar");
    let cedar_team = cedar.team("Cedar Sales");
    let zed_id = cedar.agent_in(ZED, "Zed Outsider", &cedar_team);
    let laptop = north.device_token(ADA, "laptop");
    let ada_api = north.device_token(ADA, "script");
    let bo_token = north.device_token(BO, "phone");
    let zed_token = cedar.device_token(ZED, "phone");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");

    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &laptop,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("contacts").await;
    app.new_contact("Ivy", "Stone", "ivy@example.com").await;
    app.wait_for("#contact-share").await;
    app.screens("share-header").await;

    // Share opens a sheet with the search field focused, once the server answered.
    app.click("#contact-share").await;
    app.wait_for("#share-dialog").await;
    app.wait_for("#share-search").await;
    app.until("the search field has the focus", || async {
        app.js(
            "return document.activeElement && document.activeElement.id",
            vec![],
        )
        .await
        .as_str()
            == Some("share-search")
    })
    .await;
    let choices = offered(&app).await;
    assert_eq!(choices, ["Everyone in Sales", "Bo Diaz"], "{choices:?}");
    let page = app.page_text().await;
    for stranger in ["Zed", "zed@cedar.test", "cy@north.test"] {
        assert!(!page.contains(stranger), "{stranger} is offered:\n{page}");
    }
    assert_eq!(app.texts("#share-list .share-list__name").await, ["You"]);
    assert_eq!(app.texts("#share-list .share-list__owner").await, ["Owner"]);
    app.screens("share-picker").await;

    // Search, pick Bo, share: a confirmation, and Bo listed as having it.
    app.type_into("#share-search", "bo").await;
    app.until("the search narrows the list", || async {
        offered(&app).await == ["Bo Diaz"]
    })
    .await;
    app.click("#share-choices [data-label='Bo Diaz']").await;
    app.until_text("#share-submit", "Share with Bo Diaz").await;
    app.click("#share-submit").await;
    app.until_text("#share-confirmation", "Shared with Bo Diaz")
        .await;
    app.until_text("#share-list", "Bo Diaz").await;
    assert_eq!(
        app.texts(&format!("[data-scope='user:{bo_id}'] .share-list__detail"))
            .await,
        [BO]
    );
    app.screens("share-shared").await;
    app.assert_phone_layout("the share sheet").await;

    // Bo's phone receives the contact.
    let bo_phone = open_replica(&tmp.path().join("bo"));
    let bo_client = SyncClient::new(&server.url, &bo_token).expect("client");
    let ivy = sync_until(&bo_phone, &bo_client, "Bo has Ivy Stone", |r| {
        find(r, "Ivy Stone")
    })
    .await;

    // Another organisation's user cannot be shared with, even asked directly, and their
    // device never sees the contact.
    let http = reqwest::Client::new();
    let shares = format!("{}/v2/docs/contact:{ivy}/shares", server.url);
    let refused = http
        .post(&shares)
        .bearer_auth(&ada_api)
        .json(&serde_json::json!({ "user_id": zed_id }))
        .send()
        .await
        .expect("share request");
    assert_eq!(refused.status(), reqwest::StatusCode::NOT_FOUND);
    let zed_phone = open_replica(&tmp.path().join("zed"));
    let zed_client = SyncClient::new(&server.url, &zed_token).expect("client");
    sync_once(&zed_phone, &zed_client).await.expect("Zed syncs");
    assert_eq!(find(&zed_phone, "Ivy Stone"), None);

    // Remove Bo: the list follows, with a sentence saying so, and the server agrees.
    app.click(&format!("[data-scope='user:{bo_id}'] .share-list__remove"))
        .await;
    app.until_text("#share-confirmation", "Bo Diaz no longer has this contact")
        .await;
    app.until("Bo is off the list", || async {
        app.texts("#share-list .share-list__name").await == ["You"]
    })
    .await;
    assert!(offered(&app).await.contains(&"Bo Diaz".to_owned()));
    let scopes: serde_json::Value = http
        .get(&shares)
        .bearer_auth(&ada_api)
        .send()
        .await
        .expect("shares")
        .json()
        .await
        .expect("json");
    assert_eq!(
        scopes["scopes"].as_array().map(Vec::len),
        Some(1),
        "{scopes}"
    );
    app.screens("share-removed").await;

    // Escape closes the sheet; the header keeps its tidy Share button.
    app.press("\u{e00c}").await;
    app.until_gone("#share-dialog").await;
    app.assert_phone_layout("the contact with Share").await;
    // Share beside the name leaves the name room to show.
    app.resize(PHONE).await;
    let width = app
        .js(
            "return document.querySelector('#contact-name').getBoundingClientRect().width",
            vec![],
        )
        .await
        .as_f64()
        .unwrap_or_default();
    assert!(
        width > 60.0,
        "the name is squeezed to {width} px beside Share"
    );
    app.resize(DESKTOP).await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_agent_on_no_team_is_told_so_and_a_local_only_window_has_no_share_button() {
    let _one = ONE_WINDOW.lock().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let solo = Org::create(&server_dir, "Solo");
    solo.user(ADA, "agent", None);
    let laptop = solo.device_token(ADA, "laptop");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");

    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &laptop,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("contacts").await;
    app.new_contact("Ivy", "Stone", "ivy@example.com").await;
    app.click("#contact-share").await;
    app.until_text("#share-empty", "You're not on a team yet")
        .await;
    assert!(!app.exists("#share-search").await);
    app.screens("share-no-team").await;
    app.press("\u{e00c}").await;
    app.until_gone("#share-dialog").await;

    // The server goes away: the sheet says sharing needs it, and does not hang.
    server.kill();
    app.click("#contact-share").await;
    app.until_text(
        "#share-failed",
        "Sharing needs a connection to your team's server",
    )
    .await;
    app.screens("share-offline").await;
    app.close().await;

    // Local only: nothing to share through, no button.
    let local = App::launch(None).await;
    local.goto("contacts").await;
    local.new_contact("Ivy", "Stone", "ivy@example.com").await;
    assert!(!local.exists("#contact-share").await);
    local.close().await;
}
