//! Click-to-call and the free plan's lead cap through the command table. The agent's phone is
//! checked and kept as E.164; local only, Call dials from the device with nothing to say;
//! against a real server process with no telephony, Call says so and dials from the device
//! (and without the agent's phone, says to set it). On the free plan the 51st contact is warned
//! about before it is written, is kept on the device when the server refuses it at sync, and
//! the warning still shows with the server gone (the plan is remembered).

use crate::support::{eventually, fast_sync, open, open_with, person, t0};
use fieldstone_app_api::config::{ServerOverride, SyncConfig};
use fieldstone_model::{Contact, ContactInput, PhoneEntry};
use fieldstone_protocol::calls::CallPlaced;
use fieldstone_protocol::commands::{CommandErrorCode, LeadRoom, Preferences, SyncState};
use fieldstone_tests::{admin, Org, ServerProcess};
use serde_json::json;
use std::time::Duration;

const LENA: &str = "+1 (555) 555-0123";

fn lena() -> ContactInput {
    ContactInput {
        phones: vec![PhoneEntry {
            number: LENA.into(),
            label: Default::default(),
            primary: true,
        }],
        ..person("Lena", "Park", "lena@example.com")
    }
}

async fn create(api: &fieldstone_app_api::Api, input: ContactInput) -> Contact {
    serde_json::from_value(
        api.dispatch("create_contact", json!(input))
            .await
            .expect("created"),
    )
    .expect("Contact")
}

async fn call(api: &fieldstone_app_api::Api, contact: &Contact) -> CallPlaced {
    serde_json::from_value(
        api.dispatch("place_call", json!({ "contact": contact.id, "to": LENA }))
            .await
            .expect("an answer"),
    )
    .expect("CallPlaced")
}

async fn set_phone(api: &fieldstone_app_api::Api, phone: &str) -> Preferences {
    serde_json::from_value(
        api.dispatch("set_agent_phone", json!(phone))
            .await
            .expect("kept"),
    )
    .expect("Preferences")
}

async fn lead_room(api: &fieldstone_app_api::Api) -> LeadRoom {
    serde_json::from_value(api.dispatch("lead_room", json!({})).await.expect("room"))
        .expect("LeadRoom")
}

#[tokio::test]
async fn local_only_the_phone_is_kept_as_e164_and_calls_dial_from_the_device() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let error = app
        .api
        .dispatch("set_agent_phone", json!("415 555 0100"))
        .await
        .expect_err("no country code");
    assert_eq!(error.code, CommandErrorCode::Validation);
    assert_eq!(error.fields[0].field, "agent_phone");
    assert!(error.fields[0]
        .message
        .starts_with("Start with + and the country code"));
    let kept = set_phone(&app.api, " +1 (415) 555-0100 ").await;
    assert_eq!(kept.agent_phone.as_deref(), Some("+14155550100"));
    assert!(!kept.follows_you, "kept on this device");
    // Read back after a restart of the API (the settings file).
    drop(app);
    let app = open(dir.path(), t0());
    let read: Preferences = serde_json::from_value(
        app.api
            .dispatch("preferences", json!({}))
            .await
            .expect("read"),
    )
    .expect("Preferences");
    assert_eq!(read.agent_phone.as_deref(), Some("+14155550100"));

    let contact = create(&app.api, lena()).await;
    assert_eq!(
        call(&app.api, &contact).await,
        CallPlaced::Dial { hint: None },
        "no server: today's flow, nothing to say"
    );
    let unknown = app
        .api
        .dispatch(
            "place_call",
            json!({ "contact": uuid::Uuid::new_v4(), "to": LENA }),
        )
        .await
        .expect_err("no such contact");
    assert_eq!(unknown.code, CommandErrorCode::NotFound);
    assert_eq!(lead_room(&app.api).await, LeadRoom::unknown(), "no plan");
    // Blank clears it.
    assert_eq!(set_phone(&app.api, "  ").await.agent_phone, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_free_plan_the_51st_contact_is_warned_about_kept_unsynced_and_calls_fall_back() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user("ada@harbour.test", "agent", None);
    admin(
        &server_dir,
        &["set-plan", "--org", &org.id, "--plan", "free"],
    );
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let app = open_with(
        &tmp.path().join("ada"),
        t0(),
        SyncConfig {
            server: Some(ServerOverride {
                server_url: server.url.clone(),
                token: org.device_token("ada@harbour.test", "laptop"),
            }),
            options: fast_sync(),
        },
    );
    app.api.resume_sync().await;
    let synced = || {
        let status = app.api.sync_status();
        status.state == SyncState::UpToDate && status.pending == 0
    };
    eventually("first sync", Duration::from_secs(30), synced).await;

    // No telephony on this server: Call says so once the phone is set, and says to set it
    // before; either way the device dials.
    let first = create(&app.api, lena()).await;
    assert_eq!(
        call(&app.api, &first).await,
        CallPlaced::Dial {
            hint: Some("Set your phone in Settings to have Fieldstone call you first.".into())
        }
    );
    let kept = set_phone(&app.api, "+1 555 000 9999").await;
    assert_eq!(kept.agent_phone.as_deref(), Some("+15550009999"));
    // The sync badge is refreshed by the sync loop, so "up to date" can still describe the
    // moment before Lena was written: ask until the server knows her (its first answer,
    // "not on the server yet", is itself a right answer for that moment).
    let mut answer = call(&app.api, &first).await;
    for _ in 0..300 {
        let not_yet = CallPlaced::Dial {
            hint: Some(
                "This contact hasn't reached your team's server yet, so this call goes from \
                 this device."
                    .into(),
            ),
        };
        if answer != not_yet {
            break;
        }
        app.api.sync_now();
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = call(&app.api, &first).await;
    }
    assert_eq!(
        answer,
        CallPlaced::Dial {
            hint: Some(
                "Your team's server doesn't place calls yet, so this call goes from this device."
                    .into()
            )
        }
    );

    // 49 more: the plan's 50 leads, all on the server. The 51st is warned about first.
    let room = lead_room(&app.api).await;
    assert_eq!((room.cap, room.count), (Some(50), 1));
    assert_eq!(room.warning(1), None);
    for n in 2..=50 {
        create(
            &app.api,
            person("Lead", &format!("No {n}"), &format!("lead{n}@example.com")),
        )
        .await;
    }
    eventually("fifty on the server", Duration::from_secs(60), synced).await;
    // As above, the badge may predate the last write: ask the server until it counts them.
    let mut room = lead_room(&app.api).await;
    for _ in 0..300 {
        if room.count == 50 {
            break;
        }
        app.api.sync_now();
        tokio::time::sleep(Duration::from_millis(100)).await;
        room = lead_room(&app.api).await;
    }
    assert_eq!(room.count, 50);
    assert_eq!(room.plan_label.as_deref(), Some("Free"));
    assert!(room
        .warning(1)
        .expect("the 51st")
        .contains("this contact stays on this device, unsynced"));

    // Written anyway: the server refuses it at sync, the device keeps it with the reason.
    let extra = create(&app.api, person("Fifty", "One", "fifty1@example.com")).await;
    eventually("the server's refusal", Duration::from_secs(30), || {
        app.api.sync_status().state != SyncState::Syncing
    })
    .await;
    let mut notices = Vec::new();
    for _ in 0..200 {
        notices = app.api.sync_notices().await.expect("notices");
        if !notices.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        notices.iter().any(|n| n.message.contains("holds 50 leads")),
        "{notices:?}"
    );
    let still: Contact = serde_json::from_value(
        app.api
            .dispatch("get_contact", json!(extra.id))
            .await
            .expect("kept on the device")["contact"]
            .clone(),
    )
    .expect("Contact");
    assert_eq!(still.id, extra.id);

    // The server gone: the remembered plan still warns; Call dials, saying why.
    server.kill();
    let room = lead_room(&app.api).await;
    assert_eq!(room.cap, Some(50));
    assert!(room.warning(1).is_some());
    match call(&app.api, &first).await {
        CallPlaced::Dial { hint: Some(hint) } => {
            assert_eq!(hint, "Offline: calling from this device.")
        }
        other => panic!("expected to dial: {other:?}"),
    }
}
