//! AI drafting and enhancing against a loopback OpenAI-compatible double: a real HTTP server on
//! 127.0.0.1 that checks each request field by field and answers in OpenAI's chat-completion
//! format (or fails as told). Whatever the provider does, the agent gets a draft: the model's,
//! or the follow-up's template labelled as one. Nothing is sent.

use crate::support::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus, Uri};
use axum::response::{IntoResponse, Response};
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use fieldstone_server::ai::AiConfig;
use fieldstone_server::config::{Config, Secret};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk-test-0123456789";
const MODEL: &str = "fieldstone-test-model";
const PHONE: &str = "+1 555 010 7788";
const EMAIL: &str = "lena.private@example.com";

/// What the double does with a chat-completion request.
#[derive(Clone)]
enum Behaviour {
    /// Answers 200 with this text as the assistant's message.
    Answer(String),
    /// Answers HTTP 500 with OpenAI's error body.
    Fail,
    /// Answers, but only after longer than the server waits.
    Slow,
}

#[derive(Clone)]
struct Double {
    behaviour: Behaviour,
    /// Each request: path and query, the credential (`Bearer …`, or `api-key …` for Azure's
    /// header), JSON body.
    seen: Arc<Mutex<Vec<(String, String, Value)>>>,
}

impl Double {
    /// Starts the double; answers its base URL (what `ai.base_url` is set to).
    async fn start(behaviour: Behaviour) -> (String, Double) {
        let double = Double {
            behaviour,
            seen: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(chat_completions)
            .with_state(double.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (format!("http://{addr}/v1"), double)
    }

    fn requests(&self) -> Vec<(String, String, Value)> {
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
    if auth != format!("Bearer {KEY}") && auth != format!("api-key {KEY}") {
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

fn ai_config(base_url: &str) -> AiConfig {
    let mut ai = AiConfig::new(base_url, MODEL);
    ai.api_key = Some(Secret::new(KEY));
    ai.max_tokens = 300;
    ai.timeout_secs = 1;
    ai
}

fn with_ai(ai: Option<AiConfig>) -> Config {
    Config {
        ai,
        ..Config::default()
    }
}

struct Agent {
    org: OrgId,
    token: String,
}

fn agent(s: &TestServer, org: &str, email: &str) -> Agent {
    let org = s.org(org);
    let user = s.user(org, email, Role::Agent, None);
    Agent {
        org,
        token: s.token(org, user),
    }
}

/// Lena, a buyer with an email, a phone and preferences, pushed by `agent`'s device.
async fn push_lena(s: &TestServer, agent: &Agent) -> ContactId {
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
    let (doc, _) =
        fieldstone_doc::contact::create(automerge::ActorId::random(), &contact).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::contact::KIND, id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    id
}

async fn draft(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.json("POST", "/v2/ai/draft", Some(token), Some(body))
        .await
}

fn week1(contact: ContactId) -> Value {
    json!({"contact": contact, "kind": "week_1", "instructions": "Mention the open house on Saturday"})
}

/// Starts a double, a server using it, and Ada with Lena.
async fn set_up(behaviour: Behaviour) -> (Double, TestServer, Agent, ContactId) {
    let (base, double) = Double::start(behaviour).await;
    let s = TestServer::start_with(with_ai(Some(ai_config(&base)))).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    (double, s, ada, lena)
}

fn assert_template(answer: &Value, notice: &str) {
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

#[tokio::test]
async fn a_good_answer_is_the_draft_and_the_request_carries_only_the_prompts_fields() {
    let answer = r#"{"subject": "Homes in Riverside this week", "body": "Hi Lena,\n\nThe Riverside market is busy. Join us at the open house on Saturday?\n\nBest regards,"}"#;
    let (double, s, ada, lena) = set_up(Behaviour::Answer(answer.into())).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "ai");
    assert_eq!(body["subject"], "Homes in Riverside this week");
    assert_eq!(
        body["body"],
        "Hi Lena,\n\nThe Riverside market is busy. Join us at the open house on Saturday?\n\nBest regards,\nada"
    );
    assert!(body.get("notice").is_none(), "{body}");

    let requests = double.requests();
    assert_eq!(requests.len(), 1);
    let (path, auth, request) = &requests[0];
    assert_eq!(path, "/v1/chat/completions");
    assert_eq!(auth, &format!("Bearer {KEY}"));
    assert_eq!(request["model"], MODEL);
    assert_eq!(request["max_tokens"], 300);
    assert!(request["temperature"].is_number(), "{request}");
    let messages = request["messages"].as_array().expect("messages");
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[1]["role"], "user");
    let said: String = messages
        .iter()
        .map(|m| m["content"].as_str().expect("text content"))
        .collect();
    for wanted in [
        "Lena Park",
        "Week 1 market insights and showings",
        "Showing",
        "Riverside",
        "3+ bedrooms",
        "Mention the open house on Saturday",
    ] {
        assert!(said.contains(wanted), "{wanted:?} missing: {said}");
    }
    for private in [PHONE, "555", EMAIL, &lena.to_string(), &ada.org.to_string()] {
        assert!(
            !said.contains(private),
            "{private:?} left the server: {said}"
        );
    }
    // A preview: nothing was written, nothing queued to send.
    let (docs, _) = s.pull_all(&ada.token, vec![]).await;
    assert_eq!(docs.len(), 1, "only the contact: {docs:?}");
}

#[tokio::test]
async fn a_fenced_answer_is_read() {
    let answer = "Here you go:\n```json\n{\"subject\": \"Checking in\", \"body\": \"Hi Lena,\\nAny questions?\"}\n```";
    let (_double, s, ada, lena) = set_up(Behaviour::Answer(answer.into())).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "ai", "{body}");
    assert_eq!(body["subject"], "Checking in");
}

#[tokio::test]
async fn a_malformed_answer_gives_the_labelled_template() {
    let (double, s, ada, lena) =
        set_up(Behaviour::Answer("{\"subject\": \"Homes in Riv".into())).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_template(
        &body,
        "The AI service could not write this just now — this is a template.",
    );
    assert_eq!(double.requests().len(), 1);
}

#[tokio::test]
async fn a_provider_error_gives_the_template_and_the_text_unchanged() {
    let (_double, s, ada, lena) = set_up(Behaviour::Fail).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_template(
        &body,
        "The AI service could not write this just now — this is a template.",
    );
    let text = "Hi Lena, the house on Elm St is open Saturday.";
    let (status, body) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": text, "tone": "friendly"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["original"], text);
    assert_eq!(body["rewrite"], text);
    assert_eq!(body["source"], "template");
    assert_eq!(
        body["notice"],
        "The AI service could not rewrite this just now — your text is unchanged."
    );
}

#[tokio::test]
async fn a_provider_slower_than_the_timeout_gives_the_template() {
    let (double, s, ada, lena) = set_up(Behaviour::Slow).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_template(
        &body,
        "The AI service did not answer in time — this is a template.",
    );
    assert_eq!(double.requests().len(), 1, "it was asked");
}

#[tokio::test]
async fn without_a_provider_or_with_ai_off_the_template_comes_at_once() {
    let s = TestServer::start_with(with_ai(None)).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_template(
        &body,
        "AI is not set up on your team's server — this is a template.",
    );
    let (status, body) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": "See you at 5.", "tone": "formal"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rewrite"], "See you at 5.");
    assert_eq!(body["source"], "template");

    let (base, double) = Double::start(Behaviour::Fail).await;
    let mut off = ai_config(&base);
    off.enabled = false;
    let s = TestServer::start_with(with_ai(Some(off))).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_template(
        &body,
        "AI is switched off for your organisation — this is a template.",
    );
    assert!(double.requests().is_empty(), "AI off asks nobody");
}

#[tokio::test]
async fn a_contact_the_caller_cannot_see_is_not_found_and_nothing_is_asked() {
    let (double, s, ada, lena) = set_up(Behaviour::Answer("unused".into())).await;
    // Another organisation's agent, with Lena's id.
    let other = agent(&s, "Elsewhere", "eve@elsewhere.test");
    let (status, body) = draft(&s, &other.token, week1(lena)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
    assert!(!body.to_string().contains("Lena"), "{body}");
    // A colleague in the same organisation who was not given Lena.
    let colleague = s.user(ada.org, "bo@harbour.test", Role::Agent, None);
    let token = s.token(ada.org, colleague);
    let (status, _) = draft(&s, &token, week1(lena)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A contact nobody has.
    let nobody = ContactId::from_uuid(uuid::Uuid::new_v4());
    let (status, _) = draft(&s, &ada.token, week1(nobody)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        double.requests().is_empty(),
        "no prompt for a contact not seen"
    );
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_reason() {
    let (double, s, ada, lena) = set_up(Behaviour::Answer("unused".into())).await;
    let long = "x".repeat(501);
    let (status, body) = draft(
        &s,
        &ada.token,
        json!({"contact": lena, "kind": "day_1", "instructions": long}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "bad_request");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("instructions") && m.contains("500")),
        "{body}"
    );
    let (status, body) = draft(&s, &ada.token, json!({"contact": lena, "kind": "custom"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = draft(&s, &ada.token, json!({"contact": lena, "kind": "someday"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": "hello", "tone": "sarcastic"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": " ", "tone": "casual"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let huge = "x".repeat(5 * 1024 * 1024);
    let (status, _) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": huge, "tone": "casual"})),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(double.requests().is_empty());
}

#[tokio::test]
async fn a_text_is_enhanced_beside_the_original() {
    let (double, s, ada, _lena) = set_up(Behaviour::Answer(
        "Hello Lena! The Elm St house is open Saturday — come by!".into(),
    ))
    .await;
    let text = "Hi Lena, the house on Elm St is open Saturday.";
    let (status, body) = s
        .json(
            "POST",
            "/v2/ai/enhance",
            Some(&ada.token),
            Some(json!({"text": text, "tone": "friendly"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "ai");
    assert_eq!(body["original"], text);
    assert_eq!(
        body["rewrite"],
        "Hello Lena! The Elm St house is open Saturday — come by!"
    );
    let requests = double.requests();
    let said = requests[0].2["messages"][1]["content"]
        .as_str()
        .expect("text")
        .to_owned();
    assert!(
        said.contains("Tone: Friendly") && said.contains(text),
        "{said}"
    );
}

#[tokio::test]
async fn an_azure_style_deployment_url_keeps_its_query_and_gets_the_api_key_header() {
    let (base, double) = Double::start(Behaviour::Answer(
        r#"{"subject": "Checking in", "body": "Hi Lena"}"#.into(),
    ))
    .await;
    let root = base.trim_end_matches("/v1");
    let mut azure = ai_config(&format!(
        "{root}/openai/deployments/{MODEL}?api-version=2024-10-21"
    ));
    azure.key_header = fieldstone_server::ai::KeyHeader::ApiKey;
    let s = TestServer::start_with(with_ai(Some(azure))).await;
    let ada = agent(&s, "Harbour", "ada@harbour.test");
    let lena = push_lena(&s, &ada).await;
    let (status, body) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["source"], "ai", "{body}");
    let requests = double.requests();
    assert_eq!(
        requests[0].0,
        format!("/openai/deployments/{MODEL}/chat/completions?api-version=2024-10-21")
    );
    assert_eq!(requests[0].1, format!("api-key {KEY}"), "no bearer token");
}

#[tokio::test]
async fn a_used_up_ai_allowance_gives_the_template_with_the_allowance_and_its_reset() {
    let answer = r#"{"subject": "Homes", "body": "Hi Lena,\n\nNew homes this week."}"#;
    let (double, s, ada, lena) = set_up(Behaviour::Answer(answer.into())).await;
    s.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .expect("time")
            .to_utc(),
    );
    let org = ada.org;
    let (_, me) = s.json("GET", "/v2/me", Some(&ada.token), None).await;
    let user: UserId = me["user"]["id"]
        .as_str()
        .and_then(|u| u.parse().ok())
        .expect("my id");
    s.with_store(|st| {
        let plan = fieldstone_server::store::PlanRow {
            plan: "free".into(),
            time_zone: "UTC".into(),
            updated_at: now(),
        };
        st.set_plan(org, &plan).expect("plan");
        // 19 of the free plan's 20 drafts already asked for this month.
        let used = fieldstone_server::store::Metered {
            user,
            period: "2026-12",
            meter: "ai_drafts",
            amount: 19,
            allowance: Some(20),
        };
        st.meter(org, &used).expect("meter").expect("within");
    });
    let (_, last) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(last["source"], "ai", "the 20th: {last}");
    let (status, over) = draft(&s, &ada.token, week1(lena)).await;
    assert_eq!(status, StatusCode::OK);
    assert_template(
        &over,
        "AI was not asked: Your organisation has used this month's 20 AI drafts and chat \
         messages on the Free plan; the allowance resets on 1 January 2027. This is a template.",
    );
    assert_eq!(
        double.requests().len(),
        1,
        "the provider was not asked again"
    );
    let (_, usage) = s.json("GET", "/v2/org/usage", Some(&ada.token), None).await;
    let drafts = usage["meters"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["meter"] == "ai_drafts"))
        .expect("drafts");
    assert_eq!(drafts["used"], 20, "{usage}");
}
