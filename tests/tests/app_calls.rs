//! Click-to-call and the free plan's lead cap in the real window against real server processes.
//!
//! With telephony: the server's provider is a loopback HTTP server speaking Twilio's Calls API.
//! The agent sets their phone in Settings (a number without its country code is refused on the
//! device with the sentence), presses Call on a contact, and the app says their phone is
//! ringing; the provider was asked to ring the agent's phone with the server's signed bridge
//! address; the signed bridge dials the contact; the signed status callback puts the call on
//! the contact's timeline, by sync, with nothing logged by the app. From a row, the same line
//! shows as a toast. Without telephony: Call hands `tel:` to the OS and offers to log the call,
//! saying why (no phone set, then a server that places no calls). On the free plan with its 50
//! leads taken, the new-contact form and the import say the next ones stay on this device,
//! unsynced; saving still works and the server's refusal keeps the contact on the device.
//! Every changed screen photographed at 1280×800 and 390×844 and checked at phone width.

mod app_support;

use app_support::{App, Keyring, Sync, DESKTOP, PHONE};
use axum::body::Bytes;
use axum::extract::{Path, State};
use chrono::Timelike;
use fieldstone_tests::*;
use serde_json::json;
use std::sync::{Arc, Mutex};

const AGENT: &str = "ada@harbour.test";
const AGENT_PHONE: &str = "+15550009999";
const LENA: &str = "+1 (555) 555-0123";
const LENA_E164: &str = "+15555550123";
const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-auth-token";
const FROM: &str = "+15005550006";

/// A form body's pairs, decoded.
type Form = Vec<(String, String)>;

/// One call asked of the provider: the account in its address, and its form.
#[derive(Debug, Clone)]
struct Asked {
    account: String,
    form: Form,
}

/// The loopback Twilio: `POST /2010-04-01/Accounts/{sid}/Calls.json`, form-encoded, answered
/// with the created call's `sid` as Twilio does; each request's account and form kept.
#[derive(Clone, Default)]
struct Twilio {
    calls: Arc<Mutex<Vec<Asked>>>,
}

impl Twilio {
    async fn start() -> (Twilio, String) {
        let twilio = Twilio::default();
        let app = axum::Router::new()
            .route(
                "/2010-04-01/Accounts/{account}/Calls.json",
                axum::routing::post(create_call),
            )
            .with_state(twilio.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the provider");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (twilio, format!("http://{addr}"))
    }

    fn calls(&self) -> Vec<Asked> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn create_call(
    State(twilio): State<Twilio>,
    Path(account): Path<String>,
    body: Bytes,
) -> (axum::http::StatusCode, axum::Json<serde_json::Value>) {
    let form = form_pairs(&String::from_utf8_lossy(&body));
    let mut calls = twilio.calls.lock().unwrap_or_else(|p| p.into_inner());
    calls.push(Asked { account, form });
    let sid = format!("CA{:032}", calls.len());
    (
        axum::http::StatusCode::CREATED,
        axum::Json(json!({"sid": sid, "status": "queued"})),
    )
}

/// A form body (`a=1&b=x+y`) as pairs, decoded.
fn form_pairs(body: &str) -> Form {
    reqwest::Url::parse(&format!("http://form.invalid/?{body}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn field(form: &Form, name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Posts `form` to `url` (an address the server gave the provider) signed as Twilio signs it.
async fn post_signed(url: &str, form: &[(&str, &str)]) -> (reqwest::StatusCode, String) {
    let pairs: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = fieldstone_server::webhooks::twilio::signature(TOKEN, url, &pairs);
    let body = reqwest::Url::parse_with_params("http://form.invalid/", &pairs)
        .expect("form")
        .query()
        .unwrap_or_default()
        .to_owned();
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(body)
        .send()
        .await
        .expect("post the callback");
    let status = answer.status();
    (status, answer.text().await.unwrap_or_default())
}

/// A fixed-offset zone where it is about noon now: calls are placed 8:00-21:00 in the
/// organisation's zone, and the test must not depend on when it runs. (`Etc/GMT-3` is UTC+3.)
fn zone_at_noon() -> String {
    let offset = 12 - i64::from(chrono::Utc::now().hour());
    match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// A server process with telephony through `provider`, answering at the address it tells the
/// provider to call back (its public address).
fn server_with_telephony(dir: &std::path::Path, provider: &str) -> ServerProcess {
    let port = free_port();
    let config = dir.join("server.toml");
    std::fs::write(
        &config,
        format!(
            "secret_key = \"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"\n\
             [http]\npublic_url = \"http://127.0.0.1:{port}\"\n\
             [sms]\naccount_sid = \"{SID}\"\nauth_token = \"{TOKEN}\"\nfrom = \"{FROM}\"\n\
             api_base = \"{provider}\"\ntime_zone = \"{}\"\n",
            zone_at_noon()
        ),
    )
    .expect("server config");
    ServerProcess::start_with_env(
        dir,
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", &config.to_string_lossy())],
    )
}

/// Signs the window in as the agent from Settings (the token goes to the window's own
/// keyring), as an agent does.
async fn sign_in(app: &App, url: &str) {
    app.goto("settings").await;
    app.wait_for("#settings-local").await;
    app.type_into("#sign-in-server-url", url).await;
    app.type_into("#sign-in-email", AGENT).await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    // After a sign-in WebKit under Xvfb takes no screenshot until the window is resized (see
    // app_accounts.rs): a round trip lets it draw again.
    app.resize(PHONE).await;
    app.resize(DESKTOP).await;
}

/// Lena Park with her phone, made in the app; her screen stays open.
async fn make_lena(app: &App) {
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.type_into("#new-contact-given-name", "Lena").await;
    app.type_into("#new-contact-family-name", "Park").await;
    app.type_into("#new-contact-phones-0-number", LENA).await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", "Lena Park").await;
}

/// Sets the agent's phone in Settings and comes back to the screen that was open.
async fn set_phone(app: &App, phone: &str) {
    let back = app.js("return location.hash", vec![]).await;
    app.goto("settings").await;
    app.type_into("#agent-phone", phone).await;
    app.click("#agent-phone-save").await;
    app.wait_for("#agent-phone-saved").await;
    app.js("location.hash = arguments[0]", vec![back]).await;
    app.until_text("#contact-name", "Lena Park").await;
}

async fn call_status(app: &App, scope: &str) -> (String, String) {
    let css = format!("{scope} .call-status");
    app.wait_for(&css).await;
    let state = app
        .js(
            "return document.querySelector(arguments[0]).dataset.state",
            vec![json!(css)],
        )
        .await;
    (
        state.as_str().unwrap_or_default().to_owned(),
        app.dom_text(&format!("{css} .call-status__text")).await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn call_rings_the_agents_phone_and_the_call_lands_on_the_timeline_by_sync() {
    let (twilio, provider) = Twilio::start().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let server = server_with_telephony(&server_dir, &provider);
    let app = App::launch_with(None, Keyring::Unlocked).await;
    sign_in(&app, &server.url).await;
    make_lena(&app).await;
    app.until_synced("up_to_date").await;

    // Without her country code the number is refused on the device, with the sentence.
    let back = app.js("return location.hash", vec![]).await;
    app.goto("settings").await;
    app.wait_for("#settings-phone").await;
    app.until_text(
        "#agent-phone-about",
        "without it, calls are dialled from this device",
    )
    .await;
    app.type_into("#agent-phone", "555 000 9999").await;
    app.click("#agent-phone-save").await;
    app.until_text(
        "#settings-phone .field__error",
        "Start with + and the country code",
    )
    .await;
    app.screens_at("settings-phone-refused", "#settings-phone")
        .await;
    app.type_into("#agent-phone", "+1 555 000 9999").await;
    app.click("#agent-phone-save").await;
    app.wait_for("#agent-phone-saved").await;
    assert_eq!(
        app.value_of("#agent-phone").await,
        AGENT_PHONE,
        "kept as E.164"
    );
    app.until_text("#agent-phone-about", "Your other devices use it too")
        .await;
    app.screens_at("settings-phone", "#settings-phone").await;
    app.assert_phone_layout("Settings, your phone").await;
    app.js("location.hash = arguments[0]", vec![back]).await;
    app.until_text("#contact-name", "Lena Park").await;

    // Call: the server rings the agent's phone first; the app says so and logs nothing.
    app.click(".detail-head [data-action='call']").await;
    let (state, text) = call_status(&app, ".detail-head").await;
    assert_eq!(state, "ringing", "{text}");
    assert_eq!(
        text,
        "Ringing your phone… answer it and we'll connect Lena Park."
    );
    let calls = twilio.calls();
    assert_eq!(calls.len(), 1, "one call asked of the provider");
    let Asked { account, form } = &calls[0];
    assert_eq!(account, SID);
    assert_eq!(
        field(form, "To"),
        AGENT_PHONE,
        "the agent's phone rings first"
    );
    assert_eq!(field(form, "From"), FROM);
    let bridge = field(form, "Url");
    let ended = field(form, "StatusCallback");
    assert!(
        bridge.starts_with(&format!("{}/hooks/twilio/{}/bridge?", server.url, org.id)),
        "{bridge}"
    );
    assert!(!app.exists("#log-touch").await, "no log prompt");
    assert!(app.opened_links().is_empty(), "nothing dialled here");
    app.screens_at("call-ringing", ".detail-head").await;
    app.assert_phone_layout("Contact, phone ringing").await;

    // The agent answers: the signed bridge dials Lena.
    let (status, twiml) = post_signed(
        &bridge,
        &[("CallSid", "CA1"), ("From", FROM), ("To", AGENT_PHONE)],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert!(
        twiml.contains(&format!("<Number>{LENA_E164}</Number>")),
        "{twiml}"
    );
    // It ends after two minutes: the server writes the call, the app shows it by sync.
    let (status, _) = post_signed(
        &ended,
        &[
            ("CallSid", "CA1"),
            ("CallStatus", "completed"),
            ("CallDuration", "125"),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    app.until_text(
        "#timeline",
        &format!("Called {LENA_E164} through Fieldstone: connected."),
    )
    .await;
    // 125 seconds: the outcome and the length, together.
    app.until_text("#timeline", "· 3 min").await;
    let logged = app
        .js(
            "return document.querySelector('#timeline').textContent.split('through Fieldstone').length - 1",
            vec![],
        )
        .await;
    assert_eq!(logged.as_u64(), Some(1), "one call on the timeline");
    app.screens_at("call-on-timeline", "#timeline").await;

    // From a row the same line is a toast (the row has no room for it).
    app.goto("contacts").await;
    app.click("#contact-rows [data-action='call']").await;
    let (state, _) = call_status(&app, "#contact-rows").await;
    assert_eq!(state, "ringing");
    assert_eq!(twilio.calls().len(), 2);
    app.screens("call-ringing-row").await;
    app.assert_phone_layout("Contacts, phone ringing").await;
    app.click("#contact-rows .call-status__dismiss").await;
    app.until_gone("#contact-rows .call-status").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn without_telephony_call_dials_from_the_device_and_offers_to_log_it_saying_why() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let token = org.device_token(AGENT, "laptop");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    make_lena(&app).await;
    app.until_synced("up_to_date").await;

    // No phone set: dialled here, with the way to have Fieldstone call first.
    app.click(".detail-head [data-action='call']").await;
    app.until_text("#log-touch", "Log this call?").await;
    app.until("the OS received the call link", || async {
        app.opened_links() == [format!("tel:{LENA_E164}")]
    })
    .await;
    let (state, text) = call_status(&app, ".detail-head").await;
    assert_eq!(state, "hint");
    assert_eq!(
        text,
        "Set your phone in Settings to have Fieldstone call you first."
    );
    app.until_text("#log-touch-hint", &text).await;
    app.click("#log-touch .button--ghost").await;
    app.until_gone("#log-touch").await;

    // With the phone set, this server places no calls: said, and dialled here again.
    set_phone(&app, "+1 555 000 9999").await;
    app.click(".detail-head [data-action='call']").await;
    app.until_text("#log-touch", "Log this call?").await;
    app.until("the OS received the second call link", || async {
        app.opened_links().len() == 2
    })
    .await;
    let (state, text) = call_status(&app, ".detail-head").await;
    assert_eq!(state, "hint");
    assert_eq!(
        text,
        "Your team's server doesn't place calls yet, so this call goes from this device."
    );
    // The log prompt covers the header: it says why too.
    app.until_text("#log-touch-hint", &text).await;
    app.screens("call-fallback").await;
    app.assert_phone_layout("Contact, call dialled here").await;
    // Logged by hand, as before.
    app.click("#log-touch [data-outcome='Left voicemail']")
        .await;
    app.click("#log-touch-save").await;
    app.until_gone("#log-touch").await;
    app.until_text("#timeline", "Called Lena Park").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn on_the_free_plan_the_51st_contact_is_warned_about_and_kept_on_the_device() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let ada = org.user(AGENT, "agent", None);
    admin(
        &server_dir,
        &["set-plan", "--org", &org.id, "--plan", "free"],
    );
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");

    // Fifty leads from the agent's phone: the plan's all.
    let phone_dir = tempfile::tempdir().expect("tempdir");
    let phone = open_replica(phone_dir.path());
    let user: fieldstone_model::UserId = ada.parse().expect("user id");
    for n in 1..=50 {
        let input = fieldstone_model::ContactInput {
            given_name: "Lead".into(),
            family_name: format!("Number {n}"),
            ..fieldstone_model::ContactInput::default()
        };
        phone.create_contact(&input, user).expect("a lead");
    }
    let client =
        fieldstone_replica::SyncClient::new(&server.url, &org.device_token(AGENT, "phone"))
            .expect("client");
    fieldstone_replica::sync::sync_once(&phone, &client)
        .await
        .expect("the phone syncs");

    let app = App::launch_with(None, Keyring::Unlocked).await;
    sign_in(&app, &server.url).await;

    // The new-contact form says it before anything is written; Save still works.
    app.goto("contacts").await;
    app.click("#new-contact-button").await;
    app.wait_for("#new-contact").await;
    app.until_text(
        "#new-contact-lead-cap",
        "The Free plan holds 50 leads, and your organisation has them. You can still save: \
         this contact stays on this device, unsynced, until an admin changes the plan.",
    )
    .await;
    app.type_into("#new-contact-given-name", "Fifty").await;
    app.type_into("#new-contact-family-name", "One").await;
    app.screens("lead-cap-new-contact").await;
    app.assert_phone_layout("New contact, lead cap").await;
    app.click("#new-contact-save").await;
    app.until_text("#contact-name", "Fifty One").await;
    // The server refuses it at sync; the device keeps it and says why in Settings.
    app.goto("settings").await;
    app.until_text("#sync-notices", "holds 50 leads").await;
    app.goto("contacts").await;
    app.until("the 51st is still listed", || async {
        app.texts("#contact-rows .contact-row__name")
            .await
            .contains(&"Fifty One".to_owned())
    })
    .await;

    // An import says how many would stay on the device.
    let csv = tmp.path().join("open-house.csv");
    std::fs::write(
        &csv,
        "First name,Last name,Email\nNoor,Haddad,noor@example.com\nPiet,Visser,piet@example.com\n",
    )
    .expect("csv");
    app.click("#import-button").await;
    app.wait_for("#import-file")
        .await
        .send_keys(&csv.to_string_lossy())
        .await
        .expect("pick the file");
    app.until_text(
        "#import-lead-cap",
        "You can still import: these 2 contacts stay on this device, unsynced",
    )
    .await;
    app.screens_at("lead-cap-import", "#import-lead-cap").await;
    app.assert_phone_layout("Import, lead cap").await;
    app.close().await;
}
