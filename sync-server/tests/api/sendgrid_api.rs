//! Email through SendGrid's v3 Mail Send API instead of SMTP: a loopback server speaking its
//! wire format checks every field the server sends, and SendGrid's refusal fails the message in
//! its words.

use crate::dispatch::*;
use crate::outreach::{newsletter, sendgrid_config};
use crate::support::*;
use fieldstone_model::*;

/// SendGrid's v3 Mail Send API on loopback: records each request's credential and body;
/// answers 202 with a message id, or SendGrid's error shape.
#[derive(Clone, Default)]
struct SendGridDouble {
    seen: std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>,
    refuse: bool,
}

async fn mail_send(
    axum::extract::State(double): axum::extract::State<SendGridDouble>,
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    double.seen.lock().expect("lock").push((auth, body));
    if double.refuse {
        let error = serde_json::json!({"errors": [{
            "message": "The from address does not match a verified Sender Identity.",
            "field": "from",
            "help": null,
        }]});
        return (axum::http::StatusCode::FORBIDDEN, axum::Json(error)).into_response();
    }
    (
        axum::http::StatusCode::ACCEPTED,
        [("x-message-id", "sg-message-1")],
    )
        .into_response()
}

async fn sendgrid_double(refuse: bool) -> (SendGridDouble, String) {
    let double = SendGridDouble {
        refuse,
        ..SendGridDouble::default()
    };
    let app = axum::Router::new()
        .route("/v3/mail/send", axum::routing::post(mail_send))
        .with_state(double.clone());
    let addr = serve_loopback(app).await;
    (double, format!("sendgrid+http://SG.test-key@{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_through_sendgrids_api_with_every_field_it_needs() {
    let (double, url) = sendgrid_double(false).await;
    let s = TestServer::start_with(sendgrid_config(&url)).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_input(&s, &ada, newsletter(contact)).await;
    let sent = until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    assert_eq!(sent.result.provider_id.as_deref(), Some("sg-message-1"));
    let seen = double.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1, "sent once");
    let (auth, body) = &seen[0];
    assert_eq!(auth, "Bearer SG.test-key");
    let message_id = doc_id.as_str().split_once(':').expect("id").1.to_owned();
    let to = &body["personalizations"][0];
    assert_eq!(to["to"][0]["email"], "lena@example.com");
    assert_eq!(to["custom_args"]["fs_message"], message_id.as_str());
    assert_eq!(to["custom_args"]["fs_org"], ada.org.to_string());
    assert_eq!(body["from"]["email"], "crm@harbour.test");
    assert_eq!(body["from"]["name"], "ada");
    assert_eq!(body["subject"], "New this week");
    assert_eq!(body["content"][0]["type"], "text/plain");
    assert_eq!(body["content"][1]["type"], "text/html");
    let html = body["content"][1]["value"].as_str().expect("html");
    assert!(html.contains(&format!("{PUBLIC_URL}/t/o/")), "{html}");
    assert!(html.contains(&format!("{PUBLIC_URL}/t/c/")), "{html}");
    let headers = &body["headers"];
    assert!(headers["List-Unsubscribe"]
        .as_str()
        .is_some_and(|u| u.starts_with(&format!("<{PUBLIC_URL}/u/"))));
    assert_eq!(
        headers["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    assert!(headers["Message-ID"]
        .as_str()
        .is_some_and(|id| id.starts_with(&format!("<{message_id}.1@"))));
    assert_eq!(body["tracking_settings"]["open_tracking"]["enable"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sendgrids_refusal_fails_the_message_in_its_words() {
    let (double, url) = sendgrid_double(true).await;
    let s = TestServer::start_with(sendgrid_config(&url)).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    let failed = until_status(&s, &ada, &doc_id, MessageStatus::Failed).await;
    assert_eq!(
        failed.result.reason.as_deref(),
        Some(
            "Not sent: SendGrid refused it: The from address does not match a verified \
             Sender Identity."
        )
    );
    assert_eq!(double.seen.lock().expect("lock").len(), 1, "not retried");
}
