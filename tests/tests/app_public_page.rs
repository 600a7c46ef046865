//! Photos that sync and the public page, in the real window: a public listing with photos made
//! on the agent's other device reaches this app by sync; the grid fetches the photos' thumbnails
//! through the listing (nothing was on this device), the gallery the whole picture; visitors'
//! views of the public page come back as the listing's "Public page" figures with the page's
//! address to copy. Screenshots at both sizes, and the phone layout checked.

mod app_support;

use app_support::{App, Keyring, DESKTOP, PHONE};
use fieldstone_model::blob::BlobType;
use fieldstone_model::{Media, MediaKind, Visibility};
use fieldstone_replica::sync::{sync_once, upload_media};
use fieldstone_replica::SyncClient;
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn photos_from_the_agents_other_device_show_and_the_public_page_reports_its_visits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let agent: fieldstone_model::UserId = org.user(AGENT, "agent", None).parse().expect("id");
    let port = free_port();
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!("[http]\npublic_url = \"http://127.0.0.1:{port}\"\n"),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );

    // The agent's phone: a public listing with two photos, synced and uploaded.
    let token = org.device_token(AGENT, "phone");
    let phone = open_replica(&tmp.path().join("phone"));
    let mut input = elm_street();
    input.visibility = Visibility::Public;
    for seed in [51, 52] {
        let bytes = fieldstone_media::sample_picture(1500, 1000, BlobType::Jpeg, seed);
        let blob = phone.media().add(&bytes).expect("kept");
        input.media.push(Media {
            kind: MediaKind::Photo,
            uri: blob.uri(),
            caption: None,
        });
    }
    let listing = phone.create_listing(&input, agent).expect("listing");
    let client = SyncClient::new(&server.url, &token).expect("client");
    sync_once(&phone, &client).await.expect("sync");
    assert_eq!(upload_media(&phone, &client).await.expect("upload"), 2);

    // Visitors on the public page.
    let page = format!("{}/l/{}/{}", server.url, org.id, listing.id);
    let http = reqwest::Client::new();
    for body in [
        r#"{"kind":"view"}"#,
        r#"{"kind":"view"}"#,
        r#"{"kind":"view"}"#,
        r#"{"kind":"time","seconds":80}"#,
        r#"{"kind":"hotspot","hotspot":"photo-2"}"#,
        r#"{"kind":"hotspot","hotspot":"ask"}"#,
    ] {
        let status = http
            .post(format!("{page}/beacon"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("beacon")
            .status();
        assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    }

    // The laptop app signs in and syncs the listing; its grid shows the cover's thumbnail.
    let app = App::launch_with(None, Keyring::Unlocked).await;
    app.goto("settings").await;
    app.type_into("#sign-in-server-url", &server.url).await;
    app.type_into("#sign-in-email", AGENT).await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    // Under Xvfb WebKit can stop drawing after a sign-in until the window is resized.
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;
    app.goto("listings").await;
    app.until("the grid shows the cover photo from the server", || async {
        app.js(
            "const i = document.querySelector('#listing-grid img.listing-photo'); \
             return !!i && i.complete && i.naturalWidth > 0 && i.naturalWidth <= 320",
            vec![],
        )
        .await
            == serde_json::json!(true)
    })
    .await;
    app.screens_at("listings-synced-photos", "#listing-grid")
        .await;

    // The listing: the whole picture in the gallery, and the public page's figures.
    app.click(&format!("[data-listing-id='{}']", listing.id))
        .await;
    app.until("the gallery shows the whole photo", || async {
        app.js(
            "const i = document.querySelector('.gallery__main'); \
             return !!i && i.tagName === 'IMG' && i.naturalWidth === 1500",
            vec![],
        )
        .await
            == serde_json::json!(true)
    })
    .await;
    app.until_text("#listing-tour-views", "3").await;
    app.until_text("#listing-tour-top", "photo 2 (1)").await;
    let shown = app
        .js(
            "return document.querySelector('#listing-page-url').value",
            vec![],
        )
        .await;
    assert_eq!(
        shown,
        serde_json::json!(page.replace(&server.url, &format!("http://127.0.0.1:{port}")))
    );
    app.screens_at("listing-public-page", "#listing-public-title")
        .await;
    app.resize(PHONE).await;
    app.assert_phone_layout("a listing with its public page figures")
        .await;
    app.resize(DESKTOP).await;
    app.close().await;
}
