//! An organisation's own AI provider (`PUT /v2/org/providers/ai`): its admins point drafting
//! at their own OpenAI-compatible endpoint, model and key, or switch AI off outright; an
//! organisation that set nothing uses the server's `[ai]`. Each endpoint is a loopback double
//! that accepts only its own key and records every request.

use crate::openai::*;
use crate::support::*;
use fieldstone_model::ContactId;
use fieldstone_protocol::account::Role;
use fieldstone_server::config::Secret;
use fieldstone_server::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};

const ORG_KEY: &str = "sk-harbour-own-key-42";
const ORG_MODEL: &str = "harbour-llama-3.1-8b";
const PATH: &str = "/v2/org/providers/ai";
const DRAFTED: &str = r#"{"subject": "Homes this week", "body": "Hi Lena,\n\nThree new homes."}"#;

/// A server whose own `[ai]` is at `server_base` (with a `secret_key` to seal organisations'
/// keys when `sealing`); Ada of Harbour with Lena to draft for, and a token of Harbour's admin.
async fn harbour(server_base: &str, sealing: bool) -> (TestServer, Agent, ContactId, String) {
    let mut config = with_ai(Some(ai_config(server_base)));
    if sealing {
        config.secret_key = Some(Secret::new(
            "YWkgc3Rvcmllcycgc2VjcmV0IGtleSBvZiB0aGlydHktdHdvIGJ5dGVz",
        ));
    }
    let s = TestServer::start_with(config).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    let admin = s.user(ada.org, "owner@harbour.test", Role::Admin, None);
    let admin = s.token(ada.org, admin);
    (s, ada, lena, admin)
}

fn own_settings(base: &str) -> Value {
    json!({"base_url": base, "model": ORG_MODEL, "max_tokens": 200, "timeout_secs": 5})
}

async fn enhance(s: &TestServer, token: &str) -> Value {
    let body = json!({"text": "See you at 5.", "tone": "formal"});
    let (status, answer) = s
        .json("POST", "/v2/ai/enhance", Some(token), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn ai_drafts_used(s: &TestServer, token: &str) -> Value {
    let (_, usage) = s.json("GET", "/v2/org/usage", Some(token), None).await;
    usage["meters"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["meter"] == "ai_drafts"))
        .map(|m| m["used"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_organisations_own_endpoint_is_asked_with_its_model_and_key_and_another_uses_the_servers(
) {
    let (server_base, server_ai) = Double::start(Behaviour::Answer(DRAFTED.into())).await;
    let (own_base, own_ai) = Double::start_for(Behaviour::Answer(DRAFTED.into()), ORG_KEY).await;
    let (s, ada, lena, admin) = harbour(&server_base, true).await;

    let body = json!({"settings": own_settings(&own_base), "secret": ORG_KEY});
    let (status, set) = s.json("PUT", PATH, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["kind"], "ai");
    assert_eq!(set["secret_set"], true);
    assert_eq!(set["settings"]["model"], ORG_MODEL);
    let (_, list) = s.json("GET", "/v2/org/providers", Some(&admin), None).await;
    assert_eq!(list[0]["kind"], "ai", "{list}");
    for shown in [&set, &list] {
        assert!(!shown.to_string().contains(ORG_KEY), "{shown}");
    }
    let org = ada.org;
    let row = s.with_store(|st| st.provider(org, "ai").expect("read").expect("row"));
    let sealed = row.sealed_secret.expect("sealed");
    assert!(!sealed
        .windows(ORG_KEY.len())
        .any(|w| w == ORG_KEY.as_bytes()));

    // Harbour's draft goes to Harbour's endpoint, with its model, limit and key.
    let (status, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{drafted}");
    assert_eq!(drafted["source"], "ai", "{drafted}");
    let asked = own_ai.requests();
    assert_eq!(asked.len(), 1);
    let (path, auth, request) = &asked[0];
    assert_eq!(path, "/v1/chat/completions");
    assert_eq!(auth, &format!("Bearer {ORG_KEY}"));
    assert_eq!(request["model"], ORG_MODEL);
    assert_eq!(request["max_tokens"], 200);
    assert!(
        server_ai.requests().is_empty(),
        "the server's was not asked"
    );
    assert_eq!(ai_drafts_used(&s, &ada.token).await, 1, "metered as ever");

    // Keel set nothing: its agent's draft goes to the server's endpoint, as before.
    let keel = agent(&s, "Keel", "kit@keel.test");
    let keel_lena = push_lena(&s, &keel).await;
    let (_, drafted) = draft(&s, &keel.token, week1(keel_lena)).await;
    assert_eq!(drafted["source"], "ai", "{drafted}");
    let asked = server_ai.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].1, format!("Bearer {KEY}"));
    assert_eq!(asked[0].2["model"], MODEL);
    assert_eq!(own_ai.requests().len(), 1, "Keel never reaches Harbour's");

    // The key dropped (a server that needs none): it is never sent on, so this endpoint,
    // which wants it, refuses and the agent gets the labelled template.
    let body = json!({"settings": own_settings(&own_base), "no_secret": true});
    let (status, set) = s.json("PUT", PATH, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["secret_set"], false);
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_template(
        &drafted,
        "The AI service could not write this just now — this is a template.",
    );
    let asked = own_ai.requests();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[1].1, "", "no credential at all");

    // Removed: Harbour falls back to the server's.
    let (status, _) = s.json("DELETE", PATH, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(drafted["source"], "ai", "{drafted}");
    assert_eq!(server_ai.requests().len(), 2);
    assert_eq!(own_ai.requests().len(), 2);
}

#[tokio::test]
async fn an_organisation_that_switched_ai_off_gets_templates_and_nothing_is_asked() {
    let (server_base, server_ai) = Double::start(Behaviour::Answer(DRAFTED.into())).await;
    let (own_base, own_ai) = Double::start(Behaviour::Answer(DRAFTED.into())).await;
    let (s, ada, lena, admin) = harbour(&server_base, true).await;

    // Off, with nothing else: no endpoint and no key are needed to say no.
    let (status, set) = s
        .json(
            "PUT",
            PATH,
            Some(&admin),
            Some(json!({"settings": {"off": true}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let off = "AI is switched off for your organisation — this is a template.";
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_template(&drafted, off);
    let enhanced = enhance(&s, &ada.token).await;
    assert_eq!(enhanced["source"], "template", "{enhanced}");
    assert_eq!(enhanced["rewrite"], "See you at 5.");
    assert_eq!(
        enhanced["notice"],
        "AI is switched off for your organisation — your text is unchanged."
    );
    assert!(server_ai.requests().is_empty(), "not even the server's");
    assert_eq!(
        ai_drafts_used(&s, &ada.token).await,
        0,
        "a template costs nothing"
    );

    // Its own provider, kept whole while off; switched back on without retyping the key.
    let mut settings = own_settings(&own_base);
    settings["off"] = json!(true);
    let body = json!({"settings": settings, "secret": KEY});
    let (status, _) = s.json("PUT", PATH, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_template(&drafted, off);
    assert!(own_ai.requests().is_empty() && server_ai.requests().is_empty());
    settings["off"] = json!(false);
    let (status, set) = s
        .json(
            "PUT",
            PATH,
            Some(&admin),
            Some(json!({"settings": settings})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["secret_set"], true, "the stored key is kept");
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(drafted["source"], "ai", "{drafted}");
    assert_eq!(own_ai.requests().len(), 1);
    assert!(server_ai.requests().is_empty());
}

#[tokio::test]
async fn only_admins_set_it_and_bad_settings_are_refused_with_the_reason() {
    let (server_base, server_ai) = Double::start(Behaviour::Answer(DRAFTED.into())).await;
    let (s, ada, lena, admin) = harbour(&server_base, false).await;

    // An agent may neither set nor see it.
    let off = json!({"settings": {"off": true}});
    let (status, _) = s.json("PUT", PATH, Some(&ada.token), Some(off)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .json("GET", "/v2/org/providers", Some(&ada.token), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.json("DELETE", PATH, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Each bad setting is named, with what it must be.
    let refused = |settings: Value| json!({ "settings": settings });
    for (body, wanted) in [
        (
            refused(json!({"base_url": "not a url", "model": "m"})),
            "settings.base_url is not an address",
        ),
        (
            refused(json!({"base_url": "ftp://models.test/v1", "model": "m"})),
            "settings.base_url must be an http:// or https:// address",
        ),
        (
            refused(json!({"base_url": "http://127.0.0.1:1/v1", "model": "m", "timeout_secs": 0})),
            "settings.timeout_secs must be between 1 and",
        ),
        (
            refused(json!({"base_url": "http://127.0.0.1:1/v1"})),
            "settings.model must name the model",
        ),
        (
            refused(json!({"base_url": "http://127.0.0.1:1/v1", "model": "m", "max_tokens": 1})),
            "settings.max_tokens must be between 16 and 32768",
        ),
        (
            refused(json!({"off": true, "colour": "blue"})),
            "unknown field `colour`",
        ),
        (
            json!({"settings": {"off": true}, "secret": "sk-1", "no_secret": true}),
            "send a secret or no_secret, not both",
        ),
    ] {
        let (status, answer) = s.json("PUT", PATH, Some(&admin), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(wanted), "{wanted:?} in {message:?}");
    }
    // A key is sealed with the server's secret_key: without one, nothing is stored.
    let body = json!({"settings": own_settings("http://127.0.0.1:1/v1"), "secret": ORG_KEY});
    let (status, answer) = s.json("PUT", PATH, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    // Email and texts cannot do without their secret.
    let body = json!({"settings": {"from": "news@harbour.test"}, "no_secret": true});
    let (status, answer) = s
        .json("PUT", "/v2/org/providers/email", Some(&admin), Some(body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("secret: email providers need one")),
        "{answer}"
    );

    let org = ada.org;
    assert!(
        s.with_store(|st| st.providers(org).expect("read"))
            .is_empty(),
        "nothing refused was stored"
    );
    let (_, drafted) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(drafted["source"], "ai", "still the server's: {drafted}");
    assert_eq!(server_ai.requests().len(), 1);
}

/// `fieldstone-server admin ARGS --data-dir DIR/data`, as an operator runs it, with `input`
/// on its standard input (written to a file beside the data first): answers whether it
/// succeeded and everything it printed.
fn admin(dir: &std::path::Path, key: Option<&str>, input: &str, args: &[&str]) -> (bool, String) {
    let stdin = dir.join("stdin");
    std::fs::write(&stdin, input).expect("write stdin");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_fieldstone-server"));
    command
        .arg("admin")
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env_remove("FIELDSTONE_CONFIG")
        .env_remove("FIELDSTONE_DATABASE_URL")
        .env_remove("FIELDSTONE_SECRET_KEY")
        .stdin(std::fs::File::open(&stdin).expect("stdin"));
    if let Some(key) = key {
        command.env("FIELDSTONE_SECRET_KEY", key);
    }
    let output = command.output().expect("run the admin command");
    let printed = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    (output.status.success(), printed.into_owned())
}

#[test]
fn the_operator_sets_an_organisations_ai_from_the_command_line() {
    const SERVER_KEY: &str = "b3BlcmF0b3IncyBzZWNyZXQga2V5IGZvciB0aGUgdGVzdHM=";
    let dir = tempfile::tempdir().expect("tempdir");
    let store = fieldstone_server::SqliteStore::open(&dir.path().join("data")).expect("store");
    let org = store.create_org("Harbour", now()).expect("org").id;
    let set = |kind: &'static str, settings: &'static str, flag: Option<&'static str>| {
        let mut args = vec!["set-provider", "--org", "Harbour", "--kind", kind];
        args.extend(["--settings", settings]);
        args.extend(flag);
        args
    };
    let own = r#"{"base_url":"http://127.0.0.1:11434/v1","model":"llama3.1","timeout_secs":20}"#;

    let (ok, printed) = admin(dir.path(), Some(SERVER_KEY), ORG_KEY, &set("ai", own, None));
    assert!(ok, "{printed}");
    let (ok, printed) = admin(dir.path(), None, "", &["providers", "--org", "Harbour"]);
    assert!(ok, "{printed}");
    assert!(
        printed.starts_with("ai\t")
            && printed.contains("llama3.1")
            && printed.contains("secret set"),
        "{printed}"
    );
    assert!(!printed.contains(ORG_KEY), "the key is never printed");
    let db = std::fs::read(dir.path().join("data/fieldstone.db")).unwrap_or_default();
    assert!(
        !db.windows(ORG_KEY.len()).any(|w| w == ORG_KEY.as_bytes()),
        "sealed at rest"
    );

    // Refused with the reason, and what was stored stays.
    for (kind, settings, reason) in [
        (
            "ai",
            r#"{"base_url":"localhost:11434","model":"m"}"#,
            "settings.base_url must be an http:// or https:// address",
        ),
        (
            "ai",
            r#"{"base_url":"http://127.0.0.1:1/v1","model":"m","timeout_secs":0}"#,
            "settings.timeout_secs must be between 1 and",
        ),
        (
            "email",
            r#"{"from":"a@harbour.test"}"#,
            "email providers need one",
        ),
    ] {
        let (ok, printed) = admin(
            dir.path(),
            None,
            "",
            &set(kind, settings, Some("--no-secret")),
        );
        assert!(!ok && printed.contains(reason), "{reason:?} in {printed}");
    }
    let row = store.provider(org, "ai").expect("read").expect("kept");
    assert!(row.settings.contains("llama3.1") && row.sealed_secret.is_some());

    // Off, and the key dropped: needs no secret_key, and nothing is sealed any more.
    let off = set("ai", r#"{"off":true}"#, Some("--no-secret"));
    let (ok, printed) = admin(dir.path(), None, "", &off);
    assert!(ok, "{printed}");
    let row = store.provider(org, "ai").expect("read").expect("set");
    assert_eq!(row.sealed_secret, None);
    assert_eq!(
        serde_json::from_str::<Value>(&row.settings).expect("json")["off"],
        true
    );
}
