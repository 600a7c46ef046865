//! "Draft with AI" and "Enhance" through the command table: offline (or signed out) the
//! template comes at once, labelled, with "AI needs a connection"; signed in, the draft comes
//! from the server's provider (a loopback OpenAI-compatible double); the server gone, the
//! template again. Bad requests name their field.

use crate::support::{fast_sync, open, open_with, person, t0, TestApp};
use fieldstone_app_api::config::{ServerOverride, SyncConfig};
use fieldstone_model::drafting::{Draft, DraftSource, Enhanced};
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_tests::{Org, ServerProcess};
use serde_json::{json, Value};
use std::time::Duration;

const OFFLINE: &str = "AI needs a connection — this is a template.";

async fn draft(app: &TestApp, request: Value) -> Draft {
    let answer = app
        .api
        .dispatch("draft_email", request)
        .await
        .expect("a draft");
    serde_json::from_value(answer).expect("a Draft")
}

#[tokio::test]
async fn offline_the_template_comes_at_once_labelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let ada = app
        .api
        .create_contact(person("Ada", "King", "ada@example.com"))
        .await
        .expect("ada");
    let answer = draft(&app, json!({"contact": ada.id, "kind": "day_3"})).await;
    assert_eq!(answer.source, DraftSource::Template);
    assert_eq!(answer.notice.as_deref(), Some(OFFLINE));
    assert_eq!(answer.subject, "Checking in");
    assert!(answer.body.starts_with("Hi Ada,"), "{}", answer.body);

    let enhanced: Enhanced = serde_json::from_value(
        app.api
            .dispatch(
                "enhance_text",
                json!({"text": "See you at 5.", "tone": "friendly"}),
            )
            .await
            .expect("an answer"),
    )
    .expect("Enhanced");
    assert_eq!(enhanced.rewrite, "See you at 5.");
    assert_eq!(enhanced.source, DraftSource::Template);
    assert_eq!(
        enhanced.notice.as_deref(),
        Some("AI needs a connection — your text is unchanged.")
    );
}

#[tokio::test]
async fn bad_requests_name_their_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let ada = app
        .api
        .create_contact(person("Ada", "King", "ada@example.com"))
        .await
        .expect("ada");
    let error = app
        .api
        .dispatch(
            "draft_email",
            json!({"contact": ada.id, "kind": "week_2", "instructions": "x".repeat(501)}),
        )
        .await
        .expect_err("too long");
    assert_eq!(error.code, CommandErrorCode::Validation);
    assert_eq!(
        error.field("instructions"),
        Some("Custom instructions can be at most 500 characters.")
    );
    let error = app
        .api
        .dispatch(
            "draft_email",
            json!({"contact": uuid::Uuid::new_v4(), "kind": "day_1"}),
        )
        .await
        .expect_err("no such contact");
    assert_eq!(error.code, CommandErrorCode::NotFound);
    let error = app
        .api
        .dispatch("enhance_text", json!({"text": "", "tone": "formal"}))
        .await
        .expect_err("empty");
    assert!(error.field("text").is_some(), "{error:?}");
}

/// A loopback OpenAI-compatible provider that checks the key and answers one draft.
async fn provider() -> String {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    async fn complete(
        headers: HeaderMap,
        axum::Json(body): axum::Json<Value>,
    ) -> axum::response::Response {
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer sk-app-test")
        {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let prompt = body["messages"].to_string();
        assert!(prompt.contains("Ivy Stone"), "{prompt}");
        assert!(!prompt.contains("ivy@example.com"), "{prompt}");
        axum::Json(json!({
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1_767_000_000,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant",
                "content": "{\"subject\": \"Welcome, Ivy\", \"body\": \"Hi Ivy,\\n\\nGlad you reached out.\\n\\nBest,\"}"
            }}]
        }))
        .into_response()
    }
    let app = axum::Router::new().route("/v1/chat/completions", axum::routing::post(complete));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_the_servers_provider_drafts_and_the_server_gone_gives_the_template() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let north = Org::create(&server_dir, "North");
    let sales = north.team("Sales");
    north.agent_in("ada@north.test", "Ada King", &sales);
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "[ai]\nbase_url = \"{}\"\napi_key = \"sk-app-test\"\nmodel = \"test-model\"\ntimeout_secs = 10\n",
            provider().await
        ),
    )
    .expect("config");
    let config = config.to_str().expect("utf-8 path").to_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        "127.0.0.1:0",
        &[("FIELDSTONE_CONFIG", &config)],
    );
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
    let ivy = app
        .api
        .create_contact(person("Ivy", "Stone", "ivy@example.com"))
        .await
        .expect("ivy");
    let request = json!({"contact": ivy.id, "kind": "day_1", "instructions": "Keep it short"});

    // Until Ivy has synced, the server does not know her: a template that says so.
    let mut answer = draft(&app, request.clone()).await;
    for _ in 0..100 {
        if answer.source == DraftSource::Ai {
            break;
        }
        assert_eq!(answer.source, DraftSource::Template);
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = draft(&app, request.clone()).await;
    }
    assert_eq!(answer.source, DraftSource::Ai, "{answer:?}");
    assert_eq!(answer.subject, "Welcome, Ivy");
    assert_eq!(
        answer.body,
        "Hi Ivy,\n\nGlad you reached out.\n\nBest,\nAda King"
    );
    assert_eq!(answer.notice, None);

    server.kill();
    let answer = draft(&app, request).await;
    assert_eq!(answer.source, DraftSource::Template);
    assert_eq!(answer.notice.as_deref(), Some(OFFLINE));
    assert!(answer.body.starts_with("Hi Ivy,"));
    // Synced through the development override, the device holds no session and so no name.
    assert!(answer.body.ends_with("Your agent"), "{}", answer.body);
}
