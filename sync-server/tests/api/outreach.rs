//! What happens after an email leaves: the real SMTP server receives a marketing message with
//! its RFC 8058 headers, tracking pixel and signed links; the recipient opens, clicks and
//! unsubscribes through the server's public routes; SendGrid's signed events move the message
//! on; and every change reaches the device by sync. Forged, changed and stale requests change
//! nothing.

use crate::dispatch::*;
use crate::support::*;
use base64::Engine;
use fieldstone_model::*;
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use reqwest::StatusCode;
use std::time::Duration;

fn signing_key() -> SigningKey {
    SigningKey::from_slice(&[42u8; 32]).expect("key")
}

pub(crate) fn sendgrid_config(smtp_url: &str) -> Config {
    let mut config = config(smtp_url);
    let public = signing_key()
        .verifying_key()
        .to_public_key_der()
        .expect("der")
        .into_vec();
    if let Some(email) = config.email.as_mut() {
        email.sendgrid_webhook_key = Some(base64::engine::general_purpose::STANDARD.encode(public));
    }
    config
}

/// A marketing email with an HTML part that links to a listing.
pub(crate) fn newsletter(contact: ContactId) -> MessageInput {
    MessageInput {
        purpose: MessagePurpose::Marketing,
        subject: Some("New this week".into()),
        body: "Three new homes: https://listings.example/week?a=1&b=2".into(),
        body_html: Some(
            "<html><body><p>Three new homes.</p>\
             <a href=\"https://listings.example/week?a=1&amp;b=2\">See them</a></body></html>"
                .into(),
        ),
        ..email_to(contact)
    }
}

/// The decoded HTML part of a received mail.
pub(crate) fn html_part(raw: &str) -> String {
    let mail = mailparse::parse_mail(raw.as_bytes()).expect("a MIME message");
    mail.subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/html")
        .expect("an HTML part")
        .get_body()
        .expect("decoded")
}

/// The value of `attr="…"` after `marker` in `html`, unescaped.
pub(crate) fn attribute(html: &str, marker: &str, attr: &str) -> String {
    let from = html.find(marker).unwrap_or(0);
    let start =
        html[from..].find(&format!("{attr}=\"")).expect("attribute") + from + attr.len() + 2;
    let end = html[start..].find('"').expect("end") + start;
    html[start..end].replace("&amp;", "&")
}

/// The server's own address for a link that names the public one.
pub(crate) fn local(s: &TestServer, link: &str) -> String {
    let path = link.strip_prefix(PUBLIC_URL).expect("a link to the server");
    format!("{}{path}", s.url)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn contact_consent(s: &TestServer, agent: &Agent, contact: ContactId) -> Consent {
    pulled_contact(s, agent, contact).await.consent.email
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketing_mail_is_tracked_and_one_click_unsubscribe_reaches_the_device() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_input(&s, &ada, newsletter(contact)).await;
    until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;

    let mail = smtp.received();
    assert_eq!(mail.len(), 1);
    let unsubscribe = header(&mail[0], "List-Unsubscribe")
        .expect("List-Unsubscribe")
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(
        unsubscribe.starts_with(&format!("{PUBLIC_URL}/u/")),
        "{unsubscribe}"
    );
    assert_eq!(
        header(&mail[0], "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let html = html_part(&mail[0]);
    let pixel = attribute(&html, "<img", "src");
    assert!(pixel.starts_with(&format!("{PUBLIC_URL}/t/o/")), "{html}");
    let tracked = {
        // The link's own href comes before its text.
        let at = html.find("See them").expect("link");
        let before = &html[..at];
        let start = before.rfind("href=\"").expect("href") + 6;
        before[start..]
            .split('"')
            .next()
            .expect("value")
            .replace("&amp;", "&")
    };
    assert!(
        tracked.starts_with(&format!("{PUBLIC_URL}/t/c/")),
        "{tracked}"
    );
    assert!(
        !html.contains("href=\"https://listings.example"),
        "no untracked link: {html}"
    );

    // Opened: the pixel answers an image, and the device sees "opened".
    let answer = s.http.get(local(&s, &pixel)).send().await.expect("pixel");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "image/gif");
    until_status(&s, &ada, &doc_id, MessageStatus::Opened).await;

    // A click goes where the email said, and the device sees "clicked" with the address.
    let client = no_redirects();
    let answer = client
        .get(local(&s, &tracked))
        .header("user-agent", "Mail/1.0")
        .send()
        .await
        .expect("click");
    assert_eq!(answer.status(), StatusCode::FOUND);
    assert_eq!(
        answer.headers()["location"],
        "https://listings.example/week?a=1&b=2"
    );
    let clicked = until_status(&s, &ada, &doc_id, MessageStatus::Clicked).await;
    let event = clicked
        .result
        .events
        .iter()
        .find(|e| e.kind == MessageEventKind::Clicked)
        .expect("click event");
    assert_eq!(
        event.url.as_deref(),
        Some("https://listings.example/week?a=1&b=2")
    );
    assert_eq!(event.user_agent.as_deref(), Some("Mail/1.0"));

    // A link whose target was changed is refused, not followed, and records nothing.
    let (base, _) = tracked.split_once("?u=").expect("query");
    let changed = format!("{base}?u=https%3A%2F%2Fevil.example%2F");
    let answer = client
        .get(local(&s, &changed))
        .send()
        .await
        .expect("changed");
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.headers().get("location").is_none());
    assert!(answer
        .text()
        .await
        .expect("page")
        .contains("This link was changed"));

    // The unsubscribe page asks; a GET (a link scanner) changes nothing.
    let answer = s
        .http
        .get(local(&s, &unsubscribe))
        .send()
        .await
        .expect("page");
    assert_eq!(answer.status(), StatusCode::OK);
    let csp = answer.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(answer.text().await.expect("page").contains("<button"));
    assert_eq!(
        contact_consent(&s, &ada, contact).await.status,
        ConsentStatus::Unknown
    );

    // The one-click POST (no cookies, no session) revokes email consent; the device learns it.
    let answer = s
        .http
        .post(local(&s, &unsubscribe))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert_eq!(answer.status(), StatusCode::OK);
    let consent = contact_consent(&s, &ada, contact).await;
    assert_eq!(consent.status, ConsentStatus::Denied);
    assert_eq!(
        consent.source.as_deref(),
        Some("unsubscribe link in an email")
    );
    let message = pulled(&s, &ada, &doc_id).await;
    assert!(message
        .result
        .events
        .iter()
        .any(|e| e.kind == MessageEventKind::Unsubscribed));
    // Twice is harmless, and recorded once.
    let again = s
        .http
        .post(local(&s, &unsubscribe))
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::OK);
    let message = pulled(&s, &ada, &doc_id).await;
    let unsubscribes = message
        .result
        .events
        .iter()
        .filter(|e| e.kind == MessageEventKind::Unsubscribed)
        .count();
    assert_eq!(unsubscribes, 1, "recorded once");

    // The next marketing email to them is refused, with the reason, and never sent.
    let next = push_input(&s, &ada, newsletter(contact)).await;
    let refused = until_status(&s, &ada, &next, MessageStatus::Refused).await;
    assert!(
        refused
            .result
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("unsubscribe link"),
        "{:?}",
        refused.result.reason
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_malformed_links_change_nothing() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    for path in [
        "/u/AAAA.BBBB",
        "/u/not-a-token",
        &format!("/u/{}", "A".repeat(3000)),
        "/t/o/AAAA.BBBB",
    ] {
        let get = s
            .http
            .get(format!("{}{path}", s.url))
            .send()
            .await
            .expect("get");
        assert_eq!(get.status(), StatusCode::NOT_FOUND, "GET {path}");
    }
    let post = s
        .http
        .post(format!("{}/u/AAAA.BBBB", s.url))
        .send()
        .await
        .expect("post");
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
    let click = no_redirects()
        .get(format!(
            "{}/t/c/AAAA.BBBB?u=https%3A%2F%2Fevil.example",
            s.url
        ))
        .send()
        .await
        .expect("click");
    assert_eq!(click.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        contact_consent(&s, &ada, contact).await.status,
        ConsentStatus::Unknown
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketing_mail_without_a_public_address_is_refused_with_the_reason() {
    let smtp = SmtpSink::start();
    let mut config = config(&smtp.url());
    config.http.public_url = None;
    let s = TestServer::start_with(config).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_input(&s, &ada, newsletter(contact)).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    assert!(
        refused
            .result
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("http.public_url"),
        "{:?}",
        refused.result.reason
    );
    // A one-to-one email still goes, untracked.
    let plain = push_input(&s, &ada, email_to(contact)).await;
    until_status(&s, &ada, &plain, MessageStatus::Sent).await;
    assert_eq!(smtp.received().len(), 1);
}

/// Posts `body` to the SendGrid webhook signed at `timestamp` (unix seconds) with `key`.
async fn post_events(
    s: &TestServer,
    org: OrgId,
    body: &str,
    timestamp: i64,
    key: &SigningKey,
) -> (StatusCode, String) {
    let signature: Signature = key.sign(format!("{timestamp}{body}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(signature.to_der().as_bytes());
    let answer = s
        .http
        .post(format!("{}/hooks/sendgrid/{org}", s.url))
        .header("X-Twilio-Email-Event-Webhook-Signature", signature)
        .header(
            "X-Twilio-Email-Event-Webhook-Timestamp",
            timestamp.to_string(),
        )
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("webhook");
    let status = answer.status();
    (status, answer.text().await.unwrap_or_default())
}

/// A message the server sent through a SendGrid-configured relay, ready for SendGrid's events.
struct Sent {
    smtp: SmtpSink,
    s: TestServer,
    ada: Agent,
    contact: ContactId,
    doc_id: DocId,
    /// The message's id, as the events' `fs_message` names it.
    message_id: String,
}

async fn sent_message() -> Sent {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(sendgrid_config(&smtp.url())).await;
    let ada = agent(&s);
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    let message_id = doc_id.as_str().split_once(':').expect("id").1.to_owned();
    Sent {
        smtp,
        s,
        ada,
        contact,
        doc_id,
        message_id,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sendgrid_events_move_the_message_once_and_forgeries_change_nothing() {
    let Sent {
        smtp,
        s,
        ada,
        contact,
        doc_id,
        message_id,
    } = sent_message().await;
    let mail = smtp.received();
    // Tagged so SendGrid's events name the message.
    let tag = header(&mail[0], "X-SMTPAPI").expect("X-SMTPAPI");
    assert!(tag.contains(&message_id), "{tag}");

    let now = s.clock.now().timestamp();
    let delivered = format!(
        r#"[{{"event":"delivered","timestamp":{now},"sg_event_id":"d1","fs_org":"{}","fs_message":"{message_id}"}}]"#,
        ada.org
    );
    // Forged (another key), stale, unsigned: 401, and the message is as it was.
    let forger = SigningKey::from_slice(&[7u8; 32]).expect("key");
    let (status, _) = post_events(&s, ada.org, &delivered, now, &forger).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post_events(&s, ada.org, &delivered, now - 601, &signing_key()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "older than ten minutes");
    let unsigned = s
        .http
        .post(format!("{}/hooks/sendgrid/{}", s.url, ada.org))
        .body(delivered.clone())
        .send()
        .await
        .expect("unsigned");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        pulled(&s, &ada, &doc_id).await.result.status,
        MessageStatus::Sent
    );

    // Signed: delivered, then opened; the same event twice counts once.
    let (status, body) = post_events(&s, ada.org, &delivered, now, &signing_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until_status(&s, &ada, &doc_id, MessageStatus::Delivered).await;
    let opened = format!(
        r#"[{{"event":"open","timestamp":{now},"sg_event_id":"o1","useragent":"Phone","fs_org":"{}","fs_message":"{message_id}"}}]"#,
        ada.org
    );
    for _ in 0..2 {
        let (status, body) = post_events(&s, ada.org, &opened, now, &signing_key()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let message = until_status(&s, &ada, &doc_id, MessageStatus::Opened).await;
    let opens = message
        .result
        .events
        .iter()
        .filter(|e| e.kind == MessageEventKind::Opened)
        .count();
    assert_eq!(opens, 1, "{:?}", message.result.events);

    // Another organisation's path cannot move this organisation's message.
    let other = s.org("Elsewhere");
    let bounce = format!(
        r#"[{{"event":"bounce","timestamp":{now},"sg_event_id":"b1","reason":"550 no such user","fs_message":"{message_id}"}}]"#
    );
    let (status, _) = post_events(&s, other, &bounce, now, &signing_key()).await;
    assert_eq!(status, StatusCode::OK, "accepted, applied to nothing");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        pulled(&s, &ada, &doc_id).await.result.status,
        MessageStatus::Opened
    );

    // A spam report ends it and revokes email consent; malformed JSON is a 400.
    let spam = format!(
        r#"[{{"event":"spamreport","timestamp":{now},"sg_event_id":"s1","fs_org":"{}","fs_message":"{message_id}"}}]"#,
        ada.org
    );
    let (status, body) = post_events(&s, ada.org, &spam, now, &signing_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until_status(&s, &ada, &doc_id, MessageStatus::SpamReport).await;
    assert_eq!(
        contact_consent(&s, &ada, contact).await.status,
        ConsentStatus::Denied
    );
    let (status, _) = post_events(&s, ada.org, "{not json", now, &signing_key()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devices_edit_between_two_events_is_kept() {
    // The server starts a message's next event from the copy it last wrote (kept beside the
    // cached document); a device's change in between must be what that event builds on.
    let Sent {
        s,
        ada,
        doc_id,
        message_id,
        ..
    } = sent_message().await;
    let event = |kind: &str, id: &str| {
        let now = s.clock.now().timestamp();
        format!(
            r#"[{{"event":"{kind}","timestamp":{now},"sg_event_id":"{id}","fs_org":"{}","fs_message":"{message_id}"}}]"#,
            ada.org
        )
    };
    // The phone holds the sent message, then the delivery lands on the server.
    let (docs, _) = s.pull_all(&ada.token, vec![]).await;
    let snapshot = docs
        .iter()
        .find(|d| d.doc_id == doc_id)
        .and_then(|d| d.snapshot.clone())
        .expect("the message");
    let mut phone = Device::from_snapshot(&snapshot);
    let now = s.clock.now().timestamp();
    let (status, body) =
        post_events(&s, ada.org, &event("delivered", "d1"), now, &signing_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until_status(&s, &ada, &doc_id, MessageStatus::Delivered).await;
    // The phone, not having heard, hides the message from its timeline: a concurrent change.
    let mut hidden = fieldstone_doc::message::read(&phone.doc).expect("read");
    hidden.deleted_at = Some(s.clock.now());
    fieldstone_doc::message::update(&mut phone.doc, &hidden)
        .expect("update")
        .expect("a change");
    let answer = s.push(&ada.token, vec![phone.unsent(&doc_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    let (status, body) = post_events(&s, ada.org, &event("open", "o1"), now, &signing_key()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let message = until_status(&s, &ada, &doc_id, MessageStatus::Opened).await;
    assert!(message.deleted_at.is_some(), "the phone's change is kept");
    let kinds: Vec<_> = message.result.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [MessageEventKind::Delivered, MessageEventKind::Opened],
        "both events, once each"
    );
}

/// Signs nothing: the route must refuse without a configured key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_a_sendgrid_key_refuses_every_webhook() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let (status, _) = post_events(&s, org, "[]", s.clock.now().timestamp(), &signing_key()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_held_back_before_anything_is_read() {
    let mut config = config("smtp://127.0.0.1:1");
    config.limits.links_per_ip_per_minute = 3;
    config.limits.webhooks_per_ip_per_minute = 2;
    let s = TestServer::start_with(config).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let answer = s
            .http
            .get(format!("{}/t/o/AAAA.BBBB", s.url))
            .send()
            .await
            .expect("get");
        statuses.push(answer.status());
    }
    assert_eq!(&statuses[..3], &[StatusCode::NOT_FOUND; 3], "{statuses:?}");
    assert_eq!(
        &statuses[3..],
        &[StatusCode::TOO_MANY_REQUESTS; 2],
        "{statuses:?}"
    );
    let org = s.org("Harbour");
    let mut hooks = Vec::new();
    for _ in 0..3 {
        let answer = s
            .http
            .post(format!("{}/hooks/sendgrid/{org}", s.url))
            .body("[]")
            .send()
            .await
            .expect("post");
        hooks.push(answer.status());
    }
    assert_eq!(
        hooks,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}
