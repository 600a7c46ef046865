//! The sync server's web pages in a real headless Chromium (DESIGN decision 16): the hosted lead
//! form is filled and sent as a visitor would, its one style applies under the strict CSP, the
//! honeypot is out of sight, a bad address comes back with its message beside the field, and the
//! lead reaches the owner's device by sync with the consent sentence the visitor saw.
//! Screenshots at 1280×800 and 390×844.

use fantoccini::{Client, ClientBuilder, Locator};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::SyncClient;
use fieldstone_tests::*;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

/// A chromedriver on a free port and a headless Chromium session through it; both stop when
/// dropped.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let driver_bin =
            std::env::var("CHROMEDRIVER_BIN").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (package chromium-driver; `cargo xtask test` installs it)");
        eventually("chromedriver listens", LIMIT, || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        })
        .await;
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        // Without the background-networking flags Chromium keeps reaching for Google's hosts,
        // which this closed network refuses.
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,800",
                ]
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.expect(css);
        element.click().await.expect("click");
    }

    /// The text of `css` once it is on the page (after a post, the next page may still load).
    async fn text(&self, css: &str) -> String {
        let element = self
            .client
            .wait()
            .at_most(LIMIT)
            .for_element(Locator::Css(css))
            .await
            .expect(css);
        element.text().await.expect("text")
    }

    /// `name-desktop.png` and `name-phone.png` in the screenshot directory.
    async fn screens(&self, name: &str) {
        let Some(dir) = std::env::var_os("FIELDSTONE_SCREENSHOT_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        for (suffix, (w, h)) in [("desktop", (1280, 800)), ("phone", (390, 844))] {
            self.client
                .set_window_size(w, h)
                .await
                .expect("window size");
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(dir.join(format!("{name}-{suffix}.png")), png).expect("write");
            // Nothing wider than the screen at either size.
            let overflow = self
                .js("return document.documentElement.scrollWidth > window.innerWidth")
                .await;
            assert_eq!(overflow, json!(false), "{name} is wider than {w} px");
        }
        self.client
            .set_window_size(1280, 800)
            .await
            .expect("window size");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sends_the_hosted_form_in_chromium_and_the_lead_reaches_the_owners_device() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let browser = Browser::start().await;
    let form = format!("{}/forms/{}", server.url, org.id);
    browser.client.goto(&form).await.expect("open the form");

    // The page's one style is allowed by its hash: the button is styled, so the CSP held and
    // let exactly that in. The honeypot is far off-screen for people.
    let background = browser
        .js("return getComputedStyle(document.querySelector('button')).backgroundColor")
        .await;
    assert_eq!(background, json!("rgb(29, 78, 216)"));
    let honeypot_right = browser
        .js("return document.getElementById('website').getBoundingClientRect().right")
        .await;
    assert!(
        honeypot_right.as_f64().is_some_and(|r| r < 0.0),
        "{honeypot_right}"
    );
    let sentence = browser.text("#consent-text").await;
    assert!(
        sentence.starts_with("Yes, Harbour may contact me"),
        "{sentence}"
    );
    browser.screens("web-form").await;

    // A bad address: the form comes back with the message beside the field, the name kept.
    browser.fill("#given_name", "Maya").await;
    browser.fill("#family_name", "Chen").await;
    browser.fill("#email", "maya@").await;
    browser.click("button[type=submit]").await;
    let error = browser.text("#email-error").await;
    assert!(!error.is_empty());
    let kept = browser
        .js("return document.getElementById('given_name').value")
        .await;
    assert_eq!(kept, json!("Maya"));
    browser.screens("web-form-error").await;

    browser.fill("#email", "maya@example.com").await;
    browser
        .fill("#message", "Is the garden south-facing?")
        .await;
    browser.click("#consent").await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.text("#thanks").await, "Thank you");
    browser.screens("web-form-thanks").await;

    // The owner's device pulls the lead, with the sentence the visitor saw.
    let token = org.device_token("owner@harbour.test", "laptop");
    let replica = open_replica(&tmp.path().join("laptop"));
    let client = SyncClient::new(&server.url, &token).expect("client");
    sync_once(&replica, &client).await.expect("sync");
    let page = replica
        .list_contacts(&fieldstone_replica::ContactQuery::default())
        .expect("contacts");
    let lead = page
        .items
        .iter()
        .find(|c| c.display_name == "Maya Chen")
        .expect("the lead is on the owner's device");
    let timeline = replica.timeline(&lead.id, 10, None).expect("timeline");
    let said = format!("{timeline:?}");
    assert!(said.contains("Consent shown (ticked)"), "{said}");
    assert!(said.contains(&sentence), "{said}");
}

/// A public listing made on an agent's device — photos, a 360° picture — reaches its public
/// page through sync; the page paints under its CSP at both sizes, and a visitor's view, the
/// part they opened and their time on the page come back as the listing's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_listing_page_shows_the_devices_photos_and_counts_the_visit_in_chromium() {
    use fieldstone_model::blob::BlobType;
    use fieldstone_model::{Media, MediaKind, Visibility};
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let ann: fieldstone_model::UserId = org
        .user("ann@harbour.test", "agent", None)
        .parse()
        .expect("id");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let token = org.device_token("ann@harbour.test", "laptop");

    // Ann's laptop: three photos and a panorama, on a public listing.
    let replica = open_replica(&tmp.path().join("laptop"));
    let mut media = Vec::new();
    for (seed, kind, size) in [
        (41, MediaKind::Photo, (1600, 1067)),
        (42, MediaKind::Photo, (1200, 800)),
        (43, MediaKind::Photo, (1200, 800)),
        (44, MediaKind::Media360, (2400, 600)),
    ] {
        let bytes = fieldstone_media::sample_picture(size.0, size.1, BlobType::Jpeg, seed);
        let blob = replica.media().add(&bytes).expect("kept");
        media.push(Media {
            kind,
            uri: blob.uri(),
            caption: None,
        });
    }
    let mut input = elm_street();
    input.visibility = Visibility::Public;
    input.media = media;
    input.description = "Bright rooms over two floors.\n\nA south-facing garden.".into();
    input.features = vec!["garden".into(), "fireplace".into()];
    let listing = replica.create_listing(&input, ann).expect("listing");
    let client = SyncClient::new(&server.url, &token).expect("client");
    sync_once(&replica, &client).await.expect("sync");
    let sent = fieldstone_replica::sync::upload_media(&replica, &client)
        .await
        .expect("upload");
    assert_eq!(sent, 4);

    let browser = Browser::start().await;
    let page = format!("{}/l/{}/{}", server.url, org.id, listing.id);
    browser.client.goto(&page).await.expect("open the page");
    let title = browser.text("h1").await;
    assert_eq!(title, input.address.line1);
    // Every picture arrived and decoded (the CSP lets 'self' images in, and only those).
    let loaded = browser
        .js("return Promise.all([...document.images].map(i => i.decode().then(() => i.naturalWidth > 0, () => false)))")
        .await;
    let loaded = loaded.as_array().cloned().unwrap_or_default();
    assert!(
        loaded.len() >= 5 && loaded.iter().all(|l| l == &json!(true)),
        "{loaded:?}"
    );
    // Its style ran: the button wears the default accent.
    let background = browser
        .js("return getComputedStyle(document.querySelector('.button')).backgroundColor")
        .await;
    assert_eq!(background, json!("rgb(29, 78, 216)"));
    browser.screens("public-listing").await;
    // Tap targets at phone size: the question button and the thumbnails.
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("size");
    let small = browser
        .js("return [...document.querySelectorAll('.button, .thumbs a, .actions a')].filter(e => e.getBoundingClientRect().height < 44).length")
        .await;
    assert_eq!(small, json!(0));
    browser
        .client
        .set_window_size(1280, 800)
        .await
        .expect("size");

    // The visitor opens the 360° view, then leaves.
    browser.click(".pano").await;
    browser.client.goto("about:blank").await.expect("leave");
    let figures = format!("{}/v2/listings/{}/tour", server.url, listing.id);
    let http = reqwest::Client::new();
    let mut seen = serde_json::Value::Null;
    for _ in 0..100 {
        seen = http
            .get(&figures)
            .bearer_auth(&token)
            .send()
            .await
            .expect("figures")
            .json()
            .await
            .expect("json");
        if seen["timed_visits"] == json!(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen["views"], json!(1), "{seen}");
    assert_eq!(seen["timed_visits"], json!(1), "{seen}");
    assert_eq!(
        seen["hotspots"],
        json!([{"hotspot": "pano", "opened": 1}]),
        "{seen}"
    );
}
