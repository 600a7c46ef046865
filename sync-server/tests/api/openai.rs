//! A loopback OpenAI-compatible double — a real HTTP server on 127.0.0.1 that checks each
//! request's route and key and answers in OpenAI's chat-completion format (or fails as told) —
//! and what the AI stories share: a server using it, an agent, and Lena to draft for.

use crate::support::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use axum::response::{IntoResponse, Response};
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::ai::AiConfig;
use fieldstone_server::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const KEY: &str = "sk-test-0123456789";
pub const MODEL: &str = "fieldstone-test-model";
pub const PHONE: &str = "+1 555 010 7788";
pub const EMAIL: &str = "lena.private@example.com";

/// What the double does with a chat-completion request.
#[derive(Clone)]
pub enum Behaviour {
    /// Answers 200 with this text as the assistant's message.
    Answer(String),
    /// Answers HTTP 500 with OpenAI's error body.
    Fail,
    /// Answers, but only after longer than the server waits.
    Slow,
}

#[derive(Clone)]
pub struct Double {
    behaviour: Behaviour,
    /// The only key it accepts (OpenAI answers 401 to any other, or none).
    key: String,
    /// Each request: path and query, the credential (`Bearer …`, or `api-key …` for Azure's
    /// header), JSON body.
    seen: Arc<Mutex<Vec<(String, String, Value)>>>,
}

impl Double {
    /// Starts the double, accepting [`KEY`]; answers its base URL (what `ai.base_url` is set
    /// to).
    pub async fn start(behaviour: Behaviour) -> (String, Double) {
        Self::start_for(behaviour, KEY).await
    }

    /// The same, accepting `key`.
    pub async fn start_for(behaviour: Behaviour, key: &str) -> (String, Double) {
        let double = Double {
            behaviour,
            key: key.to_owned(),
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(chat_completions)
            .with_state(double.clone());
        let addr = serve_loopback(app).await;
        (format!("http://{addr}/v1"), double)
    }

    pub fn requests(&self) -> Vec<(String, String, Value)> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

async fn chat_completions(
    State(double): State<Double>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let auth = header("authorization")
        .or_else(|| header("api-key").map(|key| format!("api-key {key}")))
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    double
        .seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((path, auth.clone(), body.clone()));
    // What OpenAI (or Azure) itself refuses: the wrong path or key.
    if !uri.path().ends_with("/chat/completions") {
        return (AxumStatus::NOT_FOUND, "no such route").into_response();
    }
    let key = &double.key;
    if auth != format!("Bearer {key}") && auth != format!("api-key {key}") {
        let error = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
        return (AxumStatus::UNAUTHORIZED, axum::Json(error)).into_response();
    }
    let content = match &double.behaviour {
        Behaviour::Answer(text) => text.clone(),
        Behaviour::Fail => {
            let error = json!({"error": {"message": "The server had an error while processing your request.", "type": "server_error"}});
            return (AxumStatus::INTERNAL_SERVER_ERROR, axum::Json(error)).into_response();
        }
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "too late".to_owned()
        }
    };
    axum::Json(json!({
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1_767_000_000,
        "model": body["model"],
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    }))
    .into_response()
}

pub fn ai_config(base_url: &str) -> AiConfig {
    let mut ai = AiConfig::new(base_url, MODEL);
    ai.api_key = Some(Secret::new(KEY));
    ai.max_tokens = 300;
    ai.timeout_secs = 1;
    ai
}

pub fn with_ai(ai: Option<AiConfig>) -> Config {
    Config {
        ai,
        ..Config::default()
    }
}

pub struct Agent {
    pub org: OrgId,
    pub token: String,
}

pub fn agent(s: &TestServer, org: &str, email: &str) -> Agent {
    let org = s.org(org);
    let user = s.user(org, email, Role::Agent, None);
    Agent {
        org,
        token: s.token(org, user),
    }
}

/// Lena, a buyer with an email, a phone and preferences, pushed by `agent`'s device.
pub async fn push_lena(s: &TestServer, agent: &Agent) -> ContactId {
    let me = s
        .with_store(|st| st.users(agent.org).expect("users"))
        .first()
        .expect("the agent")
        .id;
    let input = ContactInput {
        given_name: "Lena".into(),
        family_name: "Park".into(),
        emails: vec![EmailEntry {
            address: EMAIL.into(),
            label: Default::default(),
            primary: true,
        }],
        phones: vec![PhoneEntry {
            number: PHONE.into(),
            label: Default::default(),
            primary: true,
        }],
        stage: Stage::Showing,
        preferences: Preferences {
            areas: vec!["Riverside".into()],
            bedrooms_min: Some(3),
            ..Preferences::default()
        },
        ..ContactInput::default()
    };
    let id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let at = chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time");
    let contact = Contact::create(id, input.validate().expect("valid"), me, at);
    push_new_contact(s, &agent.token, &contact).await;
    id
}

pub async fn draft(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.json("POST", "/v2/ai/draft", Some(token), Some(body))
        .await
}

pub fn week1(contact: ContactId) -> Value {
    json!({"contact": contact, "kind": "week_1", "instructions": "Mention the open house on Saturday"})
}

/// Starts a double, a server using it, and Ada with Lena.
pub async fn set_up(behaviour: Behaviour) -> (Double, TestServer, Agent, ContactId) {
    let (base, double) = Double::start(behaviour).await;
    let s = TestServer::start_with(with_ai(Some(ai_config(&base)))).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    (double, s, ada, lena)
}

pub fn assert_template(answer: &Value, notice: &str) {
    assert_eq!(answer["source"], "template", "{answer}");
    assert_eq!(answer["notice"], notice, "{answer}");
    assert!(
        answer["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("Hi Lena,") && b.ends_with("ada")),
        "the Week 1 template, personalised: {answer}"
    );
    assert_eq!(
        answer["subject"], "What's happening in the market, and showings",
        "{answer}"
    );
}
