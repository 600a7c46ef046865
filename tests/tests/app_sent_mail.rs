//! Email that leaves for real, in the real window: a server with a mail relay (a real SMTP
//! server) and a loopback OpenAI-compatible endpoint. An AI draft, labelled as one and edited,
//! is sent; the relay receives it once; a signed SendGrid event (a forged one refused first)
//! moves it to Delivered and Opened on the timeline; when the endpoint fails, the next draft is
//! the labelled template. Screenshots of the AI draft and the opened message at both sizes.

mod app_support;

use app_support::{App, Sync};
use fieldstone_tests::*;

const AGENT: &str = "agent@example.com";

/// A loopback OpenAI-compatible endpoint: answers each chat completion with `answer` as the
/// assistant's message and keeps the request bodies; once `down`, it answers as an overloaded
/// provider does (503 with OpenAI's error body).
struct AiDouble {
    base_url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl AiDouble {
    async fn start(answer: &str) -> AiDouble {
        use axum::response::IntoResponse;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (kept, answer, is_down) = (seen.clone(), answer.to_owned(), down.clone());
        let app = axum::Router::new().route(
            "/v1/chat/completions",
            axum::routing::post(move |body: axum::Json<serde_json::Value>| {
                let (kept, answer, is_down) = (kept.clone(), answer.clone(), is_down.clone());
                async move {
                    kept.lock().unwrap_or_else(|p| p.into_inner()).push(body.0);
                    if is_down.load(std::sync::atomic::Ordering::SeqCst) {
                        return (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(serde_json::json!({ "error": {
                                "message": "The engine is currently overloaded.",
                                "type": "server_error"
                            }})),
                        )
                            .into_response();
                    }
                    axum::Json(serde_json::json!({
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "choices": [{
                            "index": 0,
                            "message": { "role": "assistant", "content": answer },
                            "finish_reason": "stop"
                        }]
                    }))
                    .into_response()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        AiDouble {
            base_url: format!("http://{addr}/v1"),
            seen,
            down,
        }
    }

    fn requests(&self) -> Vec<serde_json::Value> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Posts SendGrid Event Webhook `events` for `org`, signed as SendGrid signs them (ECDSA P-256
/// over the timestamp and the body, base64 DER).
async fn sendgrid_events(
    server: &str,
    org: &str,
    key: &p256::ecdsa::SigningKey,
    events: &serde_json::Value,
) -> reqwest::StatusCode {
    use base64::Engine;
    use p256::ecdsa::signature::Signer;
    let body = events.to_string();
    let timestamp = chrono::Utc::now().timestamp();
    let signature: p256::ecdsa::Signature = key.sign(format!("{timestamp}{body}").as_bytes());
    reqwest::Client::new()
        .post(format!("{server}/hooks/sendgrid/{org}"))
        .header(
            "X-Twilio-Email-Event-Webhook-Signature",
            base64::engine::general_purpose::STANDARD.encode(signature.to_der().as_bytes()),
        )
        .header(
            "X-Twilio-Email-Event-Webhook-Timestamp",
            timestamp.to_string(),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("webhook")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_ai_draft_is_sent_to_the_smtp_server_and_opened_by_a_signed_webhook() {
    use base64::Engine;
    use p256::pkcs8::EncodePublicKey;
    let smtp = fieldstone_tests::smtp::SmtpSink::start();
    let ai = AiDouble::start(
        r#"{"subject":"Homes near Riverside Park","body":"Hi Ada,\n\nThree homes near Riverside Park fit what you told me. Shall we see them on Saturday?\n\nBest,\nSam"}"#,
    )
    .await;
    let webhook_key = p256::ecdsa::SigningKey::from_slice(&[42u8; 32]).expect("key");
    let public_key = base64::engine::general_purpose::STANDARD.encode(
        webhook_key
            .verifying_key()
            .to_public_key_der()
            .expect("der")
            .as_bytes(),
    );

    // A server with a mail relay that is SendGrid's (so its Event Webhook reports on the mail)
    // and an AI endpoint.
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    org.user(AGENT, "agent", None);
    let token = org.device_token(AGENT, "laptop");
    let port = free_port();
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            r#"secret_key = "{secret}"

[http]
public_url = "http://127.0.0.1:{port}"

[email]
smtp_url = "{smtp}"
from = "crm@harbour.test"
poll_ms = 200
sendgrid_webhook_key = "{public_key}"

[ai]
base_url = "{ai}"
api_key = "sk-window-test"
model = "window-test-model"
timeout_secs = 20
"#,
            secret = base64::engine::general_purpose::STANDARD.encode([7u8; 32]),
            smtp = smtp.url(),
            ai = ai.base_url,
        ),
    )
    .expect("write config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        &format!("127.0.0.1:{port}"),
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );
    let app = App::launch(Some(Sync {
        url: &server.url,
        token: &token,
    }))
    .await;
    app.until_synced("up_to_date").await;
    app.goto("contacts").await;
    app.new_contact("Ada", "King", "ada@example.com").await;

    // Draft with AI: the model's answer, labelled as AI, a preview to edit before anything goes.
    app.click("#composer-tab-email").await;
    app.click("#composer-draft-ask").await;
    app.until_text("#composer-draft-label", "AI draft").await;
    assert_eq!(
        app.value_of("#composer-subject").await,
        "Homes near Riverside Park"
    );
    assert!(app
        .value_of("#composer-email-body")
        .await
        .contains("Three homes near Riverside Park"));
    assert!(
        !app.exists("#timeline [data-kind='message']").await,
        "a draft is not sent"
    );
    let asked = ai.requests();
    assert_eq!(asked.len(), 1, "one question to the model");
    assert_eq!(asked[0]["model"], "window-test-model");
    assert!(
        asked[0].to_string().contains("Ada"),
        "the prompt names the contact: {}",
        asked[0]
    );
    assert!(
        !asked[0].to_string().contains("ada@example.com"),
        "the address never leaves the server for the model"
    );
    app.screens_at("contact-draft-ai", "#composer-draft-preview")
        .await;
    app.assert_phone_layout("contact, AI draft preview").await;

    // The agent edits the subject, sends; the server sends it once to the relay.
    app.set_input("#composer-subject", "").await;
    app.type_into("#composer-subject", "Three homes near Riverside Park")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#composer-message", "Email queued").await;
    let mail = fieldstone_tests::eventually(
        "the SMTP server has the email",
        std::time::Duration::from_secs(60),
        || smtp.received().into_iter().next(),
    )
    .await;
    assert_eq!(
        fieldstone_tests::smtp::header(&mail, "Subject").as_deref(),
        Some("Three homes near Riverside Park")
    );
    assert!(
        fieldstone_tests::smtp::header(&mail, "To")
            .is_some_and(|to| to.contains("ada@example.com")),
        "{mail}"
    );
    assert!(
        fieldstone_tests::smtp::joined(&mail).contains("Shall we see them on Saturday?"),
        "{mail}"
    );
    let message_id = fieldstone_tests::smtp::header(&mail, "Message-ID").expect("Message-ID");
    app.until("the timeline says it was sent", || async {
        app.message_chips().await == [("sent".to_owned(), "Sent".to_owned())]
    })
    .await;

    // SendGrid reports delivery and the open; a forged report is refused first.
    let events = serde_json::json!([
        { "event": "delivered", "timestamp": chrono::Utc::now().timestamp(),
          "smtp-id": message_id, "sg_event_id": "window-d1", "email": "ada@example.com" },
        { "event": "open", "timestamp": chrono::Utc::now().timestamp(),
          "smtp-id": message_id, "sg_event_id": "window-o1", "email": "ada@example.com",
          "useragent": "Mozilla/5.0 (iPhone)" }
    ]);
    let forger = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).expect("key");
    assert_eq!(
        sendgrid_events(&server.url, &org.id, &forger, &events).await,
        reqwest::StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sendgrid_events(&server.url, &org.id, &webhook_key, &events).await,
        reqwest::StatusCode::OK
    );
    app.until("the timeline says it was opened", || async {
        app.message_chips().await == [("opened".to_owned(), "Opened".to_owned())]
    })
    .await;
    app.click("#timeline [data-status='opened'] .message-toggle")
        .await;
    app.until_text(".message-details", "Delivered").await;
    app.until_text(".message-details", "Opened").await;
    app.timeline_screens("contact-message-opened").await;
    assert_eq!(smtp.received().len(), 1, "sent once");

    // The AI endpoint fails: the next draft is the labelled template, never AI.
    ai.down.store(true, std::sync::atomic::Ordering::SeqCst);
    app.set_input("#composer-draft-kind", "week_1").await;
    app.click("#composer-draft-ask").await;
    app.until_text("#composer-draft-label", "Template").await;
    app.until_text("#composer-draft-notice", "this is a template")
        .await;
    app.close().await;
}
