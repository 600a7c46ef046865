//! Click-to-call through a Twilio-shaped provider on loopback: the agent's phone is rung, the
//! signed bridge dials the lead, and how the call ended lands on the contact's timeline once,
//! with its minutes counted. Consent, the do-not-call list and calling hours refuse before
//! anything rings; a bridge or status request not signed for this call changes nothing.

use crate::dispatch::*;
use crate::support::*;
use crate::texts::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use reqwest::StatusCode;
use serde_json::json;

const AGENT_PHONE: &str = "+15550009999";

fn call_body(contact: ContactId) -> serde_json::Value {
    json!({"contact": contact, "to": LENA, "agent_phone": AGENT_PHONE})
}

/// The path and query of a URL the server gave the provider.
fn path_of(url: &str) -> String {
    url.strip_prefix(PUBLIC_URL)
        .expect("the server's address")
        .to_owned()
}

async fn post_form(s: &TestServer, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let pairs: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let signature = fieldstone_server::webhooks::twilio::signature(
        TOKEN,
        &format!("{PUBLIC_URL}{path}"),
        &pairs,
    );
    let answer = s
        .http
        .post(format!("{}{path}", s.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", signature)
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&pairs)
                .finish(),
        )
        .send()
        .await
        .expect("post");
    let status = answer.status();
    (status, answer.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_is_rung_the_lead_is_bridged_and_the_call_lands_on_the_timeline_once() {
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(sms_config("smtp://127.0.0.1:1", &base)).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;

    let (status, started) = s
        .json(
            "POST",
            "/v2/calls",
            Some(&ada.token),
            Some(call_body(contact)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert!(started["call_sid"]
        .as_str()
        .is_some_and(|sid| sid.starts_with("SM")));
    let requests = twilio.received();
    assert_eq!(requests.len(), 1);
    let field = |name: &str| {
        requests[0]
            .form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(field("To"), AGENT_PHONE, "the agent's phone rings first");
    assert_eq!(field("From"), FROM);
    let bridge = path_of(&field("Url"));
    let ended = path_of(&field("StatusCallback"));
    assert_eq!(field("StatusCallbackEvent"), "completed");
    assert!(
        bridge.starts_with(&format!("/hooks/twilio/{}/bridge?", ada.org)),
        "{bridge}"
    );

    // The agent answers: the bridge dials Lena, with the organisation's number shown.
    let answered = [("CallSid", "CA1"), ("From", FROM), ("To", AGENT_PHONE)];
    let (status, twiml) = post_form(&s, &bridge, &answered).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        twiml.contains(&format!(
            "<Dial callerId=\"{FROM}\"><Number>{LENA}</Number></Dial>"
        )),
        "{twiml}"
    );
    // A bridge address changed to dial someone else is refused, though Twilio-signed.
    let other = bridge.replace("n=%2B15555550123", "n=%2B19005550000");
    assert_ne!(other, bridge);
    assert_eq!(
        post_signed(&s, &other, &answered, Some(TOKEN)).await,
        StatusCode::UNAUTHORIZED
    );

    // It ends after 2 minutes 5 seconds, recorded; Twilio retries the callback.
    let done = [
        ("CallSid", "CA1"),
        ("CallStatus", "completed"),
        ("CallDuration", "125"),
        ("RecordingUrl", "https://api.twilio.com/recordings/RE1"),
    ];
    for _ in 0..2 {
        assert_eq!(
            post_signed(&s, &ended, &done, Some(TOKEN)).await,
            StatusCode::OK
        );
    }
    let (docs, _) = s.pull_all(&ada.token, vec![]).await;
    let calls: Vec<Interaction> = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::interaction::KIND)
        .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
        .filter_map(|doc| fieldstone_doc::interaction::read(&doc).ok())
        .collect();
    assert_eq!(calls.len(), 1, "once: {calls:?}");
    let call = &calls[0];
    assert_eq!(
        (call.contact, call.channel, call.direction),
        (contact, Channel::Call, Direction::Outbound)
    );
    assert_eq!(call.outcome.as_deref(), Some("connected"));
    // The contact's "last contacted" moved with the call, as a call logged on a device moves it.
    let lena = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::contact::KIND)
        .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
        .filter_map(|doc| fieldstone_doc::contact::read(&doc).ok())
        .find(|c| c.id == contact)
        .expect("the contact is pulled");
    assert_eq!(lena.last_contacted_at, Some(call.occurred_at));
    assert_eq!(call.duration_seconds, Some(125));
    assert!(
        call.summary
            .contains("https://api.twilio.com/recordings/RE1"),
        "{}",
        call.summary
    );
    // Three minutes counted.
    let (_, usage) = s.json("GET", "/v2/org/usage", Some(&ada.token), None).await;
    let minutes = usage["meters"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["meter"] == "call_minutes"))
        .expect("call minutes");
    assert_eq!(minutes["used"], 3, "{usage}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_refused_before_anything_rings_with_the_reason() {
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(sms_config("smtp://127.0.0.1:1", &base)).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let contact = push_texting_contact(&s, &ada).await;

    let (status, text) = s
        .json(
            "POST",
            "/v2/calls",
            Some(&ada.token),
            Some(json!({"contact": contact, "to": "+15550000000", "agent_phone": AGENT_PHONE})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not one of hers: {text}");
    let (status, _) = s
        .json(
            "POST",
            "/v2/calls",
            Some(&ada.token),
            Some(json!({"contact": contact, "to": LENA, "agent_phone": "my phone"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // 22:30 in New York.
    let late = chrono::DateTime::parse_from_rfc3339("2026-12-08T03:30:00Z")
        .expect("time")
        .to_utc();
    s.clock.set(late);
    let (status, text) = s
        .json(
            "POST",
            "/v2/calls",
            Some(&ada.token),
            Some(call_body(contact)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        text["message"],
        "It is 22:30 for the recipient (America/New_York); calls are placed between 8:00 and 21:00 their time."
    );
    // The same hour is 19:30 for a contact in Los Angeles: her phone may ring.
    let west = push_texting_contact_in(&s, &ada, Some("America/Los_Angeles")).await;
    let (status, text) = s
        .json("POST", "/v2/calls", Some(&ada.token), Some(call_body(west)))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(twilio.received().len(), 1, "the agent's phone rings once");
    s.clock.set(noon_in_new_york());

    let (status, _) = s
        .json(
            "POST",
            "/v2/org/dnc",
            Some(&ada.token),
            Some(json!({"number": LENA})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, text) = s
        .json(
            "POST",
            "/v2/calls",
            Some(&ada.token),
            Some(call_body(contact)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        text["message"]
            .as_str()
            .unwrap_or_default()
            .contains("do-not-call list"),
        "{text}"
    );

    let viewer = s.user(ada.org, "vic@harbour.test", Role::Viewer, None);
    let viewer = s.token(ada.org, viewer);
    let (status, _) = s
        .json("POST", "/v2/calls", Some(&viewer), Some(call_body(contact)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(twilio.received().len(), 1, "nothing more rang");

    // Without telephony the app is told to call from the phone.
    let bare = TestServer::start_with(config("smtp://127.0.0.1:1")).await;
    let bea = agent(&bare);
    let contact = push_texting_contact(&bare, &bea).await;
    let (status, text) = bare
        .json(
            "POST",
            "/v2/calls",
            Some(&bea.token),
            Some(call_body(contact)),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
}
