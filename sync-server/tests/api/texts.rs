//! Text messages end to end through a Twilio-shaped provider: a loopback HTTP server speaking
//! Twilio's Messages API (the real one cannot be reached from here), checked field by field.
//! Status callbacks and STOP replies are signed as Twilio signs them; forged ones change
//! nothing. Quiet hours are judged in the recipient's zone on the server's clock.

use crate::dispatch::*;
use crate::support::*;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use fieldstone_model::*;
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::SmsConfig;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) const SID: &str = "AC0123456789abcdef0123456789abcdef";
pub(crate) const TOKEN: &str = "twilio-auth-token";
pub(crate) const FROM: &str = "+15005550006";
pub(crate) const LENA: &str = "+15555550123";

/// One request the provider double received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) account: String,
    pub(crate) authorization: String,
    pub(crate) form: Vec<(String, String)>,
}

#[derive(Clone, Default)]
pub(crate) struct Double {
    received: Arc<Mutex<Vec<Received>>>,
    refuse: bool,
}

impl Double {
    /// Starts on a free loopback port; answers its base address.
    pub(crate) async fn start(refuse: bool) -> (Self, String) {
        let double = Double {
            refuse,
            ..Double::default()
        };
        let app = axum::Router::new()
            .route(
                "/2010-04-01/Accounts/{account}/Messages.json",
                axum::routing::post(create_message),
            )
            // Calls are created the same way (click-to-call); the form tells them apart.
            .route(
                "/2010-04-01/Accounts/{account}/Calls.json",
                axum::routing::post(create_message),
            )
            .with_state(double.clone());
        let addr = serve_loopback(app).await;
        (double, format!("http://{addr}"))
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

/// Twilio's Messages resource: 201 with the new message, or its error body.
async fn create_message(
    State(double): State<Double>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let n = {
        let mut received = double.received.lock().expect("lock");
        received.push(Received {
            account: account.clone(),
            authorization,
            form: form.clone(),
        });
        received.len()
    };
    if double.refuse {
        let to = form.iter().find(|(k, _)| k == "To").map(|(_, v)| v.clone());
        return (
            AxumStatus::BAD_REQUEST,
            axum::Json(serde_json::json!({
                "code": 21211,
                "message": format!("The 'To' number {} is not a valid phone number.", to.unwrap_or_default()),
                "more_info": "https://www.twilio.com/docs/errors/21211",
                "status": 400
            })),
        )
            .into_response();
    }
    (
        AxumStatus::CREATED,
        axum::Json(serde_json::json!({
            "account_sid": account,
            "sid": format!("SM{n:032x}"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
        })),
    )
        .into_response()
}

pub(crate) fn sms_config(smtp_url: &str, api_base: &str) -> Config {
    let mut config = config(smtp_url);
    let mut sms = SmsConfig::new(SID, TOKEN, FROM);
    sms.api_base = api_base.to_owned();
    sms.time_zone = "America/New_York".into();
    config.sms = Some(sms);
    config
}

/// 12:00 in New York.
pub(crate) fn noon_in_new_york() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-07T17:00:00Z")
        .expect("time")
        .to_utc()
}

pub(crate) async fn push_texting_contact(s: &TestServer, agent: &Agent) -> ContactId {
    push_texting_contact_in(s, agent, None).await
}

/// Lena, whose own time zone is `zone` (`None`: the organisation's).
pub(crate) async fn push_texting_contact_in(
    s: &TestServer,
    agent: &Agent,
    zone: Option<&str>,
) -> ContactId {
    let input = ContactInput {
        time_zone: zone.map(str::to_owned),
        given_name: "Lena".into(),
        family_name: "Park".into(),
        phones: vec![PhoneEntry {
            number: LENA.into(),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    let id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let contact = Contact::create(id, input.validate().expect("valid"), agent.user, at());
    push_new_contact(s, &agent.token, &contact).await;
    id
}

pub(crate) fn text_to(contact: ContactId) -> MessageInput {
    MessageInput {
        contact,
        channel: MessageChannel::Sms,
        purpose: MessagePurpose::OneToOne,
        to: LENA.into(),
        subject: None,
        body: "The open house is at 2 today.".into(),
        body_html: None,
        task: None,
    }
}

/// Posts a form to one of the Twilio routes, signed with `token` as Twilio signs it.
pub(crate) async fn post_signed(
    s: &TestServer,
    path: &str,
    form: &[(&str, &str)],
    token: Option<&str>,
) -> StatusCode {
    let pairs: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    let mut request = s
        .http
        .post(format!("{}{path}", s.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(token) = token {
        let signature = fieldstone_server::webhooks::twilio::signature(
            token,
            &format!("{PUBLIC_URL}{path}"),
            &pairs,
        );
        request = request.header("X-Twilio-Signature", signature);
    }
    request.send().await.expect("post").status()
}

async fn sms_consent(s: &TestServer, agent: &Agent, contact: ContactId) -> Consent {
    pulled_contact(s, agent, contact).await.consent.sms
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_goes_out_once_its_status_comes_back_and_stop_revokes_consent() {
    let smtp = SmtpSink::start();
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(sms_config(&smtp.url(), &base)).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;
    let doc_id = push_input(&s, &ada, text_to(contact)).await;

    let sent = until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    let requests = twilio.received();
    assert_eq!(requests.len(), 1, "sent once");
    let request = &requests[0];
    assert_eq!(request.account, SID);
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    assert_eq!(request.authorization, format!("Basic {basic}"));
    let field = |name: &str| {
        request
            .form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let message_id = doc_id.as_str().split_once(':').expect("id").1.to_owned();
    assert_eq!(field("To"), Some(LENA));
    assert_eq!(field("From"), Some(FROM));
    assert_eq!(field("Body"), Some("The open house is at 2 today."));
    let status_path = format!("/hooks/twilio/{}/status?m={message_id}", ada.org);
    assert_eq!(
        field("StatusCallback"),
        Some(format!("{PUBLIC_URL}{status_path}").as_str())
    );
    let sid = sent.result.provider_id.clone().expect("the provider's id");
    assert!(sid.starts_with("SM"), "{sid}");

    // A forged or unsigned callback: 401, nothing changes.
    let delivered = [
        ("MessageSid", sid.as_str()),
        ("MessageStatus", "delivered"),
        ("AccountSid", SID),
    ];
    assert_eq!(
        post_signed(&s, &status_path, &delivered, Some("not-the-token")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_signed(&s, &status_path, &delivered, None).await,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        pulled(&s, &ada, &doc_id).await.result.status,
        MessageStatus::Sent
    );
    // Signed as Twilio signs: delivered.
    assert_eq!(
        post_signed(&s, &status_path, &delivered, Some(TOKEN)).await,
        StatusCode::OK
    );
    until_status(&s, &ada, &doc_id, MessageStatus::Delivered).await;

    // A reply from Lena goes on her timeline, once however often Twilio retries it.
    let inbound = format!("/hooks/twilio/{}/inbound", ada.org);
    let reply = [
        ("From", "+1 555 555 0123"),
        ("To", FROM),
        ("Body", "Can we see it at 5 instead?"),
        ("MessageSid", "SMreply1"),
    ];
    for _ in 0..2 {
        assert_eq!(
            post_signed(&s, &inbound, &reply, Some(TOKEN)).await,
            StatusCode::OK
        );
    }
    let (docs, _) = s.pull_all(&ada.token, vec![]).await;
    let replies: Vec<Interaction> = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::interaction::KIND)
        .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
        .filter_map(|doc| fieldstone_doc::interaction::read(&doc).ok())
        .collect();
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert_eq!(replies[0].contact, contact);
    assert_eq!(replies[0].channel, Channel::Sms);
    assert_eq!(replies[0].direction, Direction::Inbound);
    assert_eq!(replies[0].summary, "Can we see it at 5 instead?");
    // Her "last contacted" moved with it, as a reply logged on a device moves it.
    let lena = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::contact::KIND)
        .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
        .filter_map(|doc| fieldstone_doc::contact::read(&doc).ok())
        .find(|c| c.id == contact)
        .expect("Lena is pulled");
    assert_eq!(lena.last_contacted_at, Some(replies[0].occurred_at));

    // "Stop" from Lena's number revokes SMS consent; the device learns it.
    let stop = [("From", LENA), ("To", FROM), ("Body", " Stop ")];
    assert_eq!(
        post_signed(&s, &inbound, &stop, Some("forged")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sms_consent(&s, &ada, contact).await.status,
        ConsentStatus::Unknown
    );
    assert_eq!(
        post_signed(&s, &inbound, &stop, Some(TOKEN)).await,
        StatusCode::OK
    );
    let consent = sms_consent(&s, &ada, contact).await;
    assert_eq!(consent.status, ConsentStatus::Denied);
    assert_eq!(consent.source.as_deref(), Some("replied STOP to a text"));

    // The next text is refused with the reason and never reaches the provider.
    let next = push_input(&s, &ada, text_to(contact)).await;
    let refused = until_status(&s, &ada, &next, MessageStatus::Refused).await;
    let reason = refused.result.reason.unwrap_or_default();
    assert!(reason.contains("replied STOP"), "{reason}");
    assert_eq!(twilio.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_at_half_past_ten_at_night_in_the_recipients_zone_is_refused() {
    let smtp = SmtpSink::start();
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(sms_config(&smtp.url(), &base)).await;
    // 03:30 UTC is 22:30 in New York.
    s.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-08T03:30:00Z")
            .expect("time")
            .to_utc(),
    );
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;
    let doc_id = push_input(&s, &ada, text_to(contact)).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    let reason = refused.result.reason.unwrap_or_default();
    assert!(
        reason.starts_with("It is 22:30 for the recipient (America/New_York)"),
        "{reason}"
    );
    assert!(twilio.received().is_empty());
}

/// The organisation is in New York; a contact with a zone of their own is judged in theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hours_follow_the_contacts_own_zone_when_they_have_one() {
    let smtp = SmtpSink::start();
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(sms_config(&smtp.url(), &base)).await;
    let ada = agent(&s);

    // 03:30 UTC: 22:30 in New York, 19:30 in Los Angeles, where she lives.
    s.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-08T03:30:00Z")
            .expect("time")
            .to_utc(),
    );
    let west = push_texting_contact_in(&s, &ada, Some("America/Los_Angeles")).await;
    let doc_id = push_input(&s, &ada, text_to(west)).await;
    until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    assert_eq!(twilio.received().len(), 1);

    // Noon in New York is 02:00 the next morning in Tokyo.
    s.clock.set(noon_in_new_york());
    let east = push_texting_contact_in(&s, &ada, Some("Asia/Tokyo")).await;
    let doc_id = push_input(&s, &ada, text_to(east)).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    let reason = refused.result.reason.unwrap_or_default();
    assert!(
        reason.starts_with("It is 02:00 for the recipient (Asia/Tokyo)"),
        "{reason}"
    );
    assert_eq!(
        twilio.received().len(),
        1,
        "nothing more reached the provider"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_refusal_fails_the_text_with_the_providers_words() {
    let smtp = SmtpSink::start();
    let (twilio, base) = Double::start(true).await;
    let s = TestServer::start_with(sms_config(&smtp.url(), &base)).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;
    let doc_id = push_input(&s, &ada, text_to(contact)).await;
    let failed = until_status(&s, &ada, &doc_id, MessageStatus::Failed).await;
    let reason = failed.result.reason.unwrap_or_default();
    assert_eq!(
        reason,
        format!("Not sent: the SMS provider refused it: The 'To' number {LENA} is not a valid phone number. (error 21211)")
    );
    assert_eq!(twilio.received().len(), 1, "a refusal is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_text_provider_a_text_is_refused_and_twilio_callbacks_are_not_accepted() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;
    let doc_id = push_input(&s, &ada, text_to(contact)).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some("Text messages are not set up for your organisation.")
    );
    let inbound = format!("/hooks/twilio/{}/inbound", ada.org);
    assert_eq!(
        post_signed(
            &s,
            &inbound,
            &[("From", LENA), ("Body", "STOP")],
            Some(TOKEN)
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
}
