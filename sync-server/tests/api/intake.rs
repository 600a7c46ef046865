//! Leads arriving by themselves, end to end on a real server: intake API keys made and revoked
//! by admins, leads sent with them (dedupe on arrival, idempotent by event id, bad bodies,
//! rates), and Instagram and WhatsApp messages in Meta's webhook format, signed as Meta signs
//! them. What arrived is checked where people see it: on the devices that pull it.

use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::config::{Config, Secret};
use fieldstone_server::webhooks::meta::signature;
use reqwest::StatusCode;
use serde_json::{json, Value};

const APP_SECRET: &str = "meta-app-secret-of-harbour";
const VERIFY_TOKEN: &str = "harbour-verify-token";

fn config() -> Config {
    Config {
        secret_key: Some(Secret::new(
            "aW50YWtlIHN0b3JpZXMnIHNlY3JldCBrZXksIHRoaXJ0eS10d28gYnl0ZXMh",
        )),
        ..Config::default()
    }
}

/// Small bodies, to reach the limits in a test.
fn small() -> Config {
    let mut config = config();
    config.intake.max_body_bytes = 4096;
    config.intake.max_hook_bytes = 4096;
    config
}

/// Few leads a minute.
fn tight() -> Config {
    let mut config = config();
    config.intake.leads_per_key_per_minute = 2;
    config.intake.leads_per_ip_per_minute = 4;
    config
}

crate::support::on_both_stores! {
    keys_are_made_listed_and_revoked_by_admins_and_another_organisations_key_is_not_found(config());
    a_lead_becomes_a_contact_brokers_and_admins_pull_and_the_same_person_again_enriches_it(config());
    the_same_event_id_twice_answers_the_first_result_and_stores_once(config());
    the_same_event_sent_many_times_at_once_stores_one_contact_and_one_interaction(config());
    bad_bodies_get_specific_errors_and_store_nothing(small());
    leads_over_the_rate_of_a_key_or_an_address_are_refused_with_retry_after(tight());
    a_signed_instagram_message_is_a_lead_and_unsigned_or_mis_signed_ones_store_nothing(small());
    the_subscription_handshake_answers_the_challenge_only_for_the_right_token(config());
    a_whatsapp_message_from_a_known_number_enriches_that_contact_once(config());
    a_second_organisation_never_sees_the_first_ones_leads(config());
}

pub(crate) struct Office {
    pub(crate) org: OrgId,
    pub(crate) owner: UserId,
    pub(crate) admin: String,
    pub(crate) broker: String,
    pub(crate) agent: (UserId, String),
}

pub(crate) fn office(s: &TestServer, name: &str) -> Office {
    let org = s.org(name);
    let domain = name.to_lowercase();
    let team = s.team(org, "Sales");
    let owner = s.user(org, &format!("owner@{domain}.test"), Role::Owner, None);
    let admin = s.user(org, &format!("admin@{domain}.test"), Role::Admin, None);
    let broker = s.user(
        org,
        &format!("broker@{domain}.test"),
        Role::Broker,
        Some(team),
    );
    let agent = s.user(
        org,
        &format!("agent@{domain}.test"),
        Role::Agent,
        Some(team),
    );
    Office {
        org,
        owner,
        admin: s.token(org, admin),
        broker: s.token(org, broker),
        agent: (agent, s.token(org, agent)),
    }
}

/// A new intake key of `office`'s: (id, key).
async fn new_key(s: &TestServer, office: &Office, label: &str) -> (String, String) {
    let (status, made) = s
        .json(
            "POST",
            "/v2/org/intake-keys",
            Some(&office.admin),
            Some(json!({ "label": label })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let key = made["key"].as_str().expect("key").to_owned();
    (made["id"].as_str().expect("id").to_owned(), key)
}

async fn send(s: &TestServer, key: &str, lead: Value) -> (StatusCode, Value) {
    s.json("POST", "/v2/intake/leads", Some(key), Some(lead))
        .await
}

fn ada(event_id: Option<&str>) -> Value {
    json!({
        "event_id": event_id, "source": "Realtor.com", "type": "inquiry",
        "message": "Can we see it on Saturday?",
        "person": {"first_name": "Ada", "last_name": "Lovelace",
                   "emails": ["Ada@Example.com"], "phones": ["+1 (555) 010-0222"]},
        "property": {"address": "12 Harbour Row", "mls_number": "HR-77", "price": 450000}
    })
}

/// Everything `token`'s device pulls: contacts and interactions.
pub(crate) async fn pulled(s: &TestServer, token: &str) -> (Vec<Contact>, Vec<Interaction>) {
    let (docs, _) = s.pull_all(token, vec![]).await;
    let loaded = |kind: &'static str| {
        docs.iter()
            .filter(move |d| d.doc_id.kind() == kind)
            .filter_map(|d| fieldstone_doc::load(d.snapshot.as_deref()?).ok())
    };
    let contacts = loaded(fieldstone_doc::contact::KIND)
        .filter_map(|d| fieldstone_doc::contact::read(&d).ok())
        .collect();
    let interactions = loaded(fieldstone_doc::interaction::KIND)
        .filter_map(|d| fieldstone_doc::interaction::read(&d).ok())
        .collect();
    (contacts, interactions)
}

/// An error answer whose message has `words`.
fn says(answer: &Value, words: &str) {
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains(words), "{answer}");
}

fn contact_id(answer: &Value) -> ContactId {
    answer["contact"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no contact in {answer}"))
}

async fn keys_are_made_listed_and_revoked_by_admins_and_another_organisations_key_is_not_found(
    s: TestServer,
) {
    let harbour = office(&s, "Harbour");
    let other = office(&s, "Quay");
    let (id, key) = new_key(&s, &harbour, "Website").await;
    assert!(key.starts_with("fsl_") && key.len() >= 4 + 43, "{key}");
    // Agents and brokers do not manage keys.
    for token in [&harbour.agent.1, &harbour.broker] {
        let (status, _) = s
            .json(
                "POST",
                "/v2/org/intake-keys",
                Some(token),
                Some(json!({"label": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(send(&s, &key, ada(None)).await.0, StatusCode::CREATED);
    let (status, list) = s
        .json("GET", "/v2/org/intake-keys", Some(&harbour.admin), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let listed = &list.as_array().expect("list")[0];
    assert_eq!(listed["id"], id.as_str());
    assert_eq!(listed["label"], "Website");
    assert!(key.starts_with(listed["prefix"].as_str().expect("prefix")));
    assert!(listed["last_used_at"].is_string(), "{listed}");
    assert!(listed["revoked_at"].is_null());
    assert!(
        !list.to_string().contains(&key),
        "the key is shown once only"
    );
    // Another organisation's admin cannot see or revoke it: "not found", like a missing one.
    let (_, theirs) = s
        .json("GET", "/v2/org/intake-keys", Some(&other.admin), None)
        .await;
    assert_eq!(theirs, json!([]));
    let path = format!("/v2/org/intake-keys/{id}");
    let (status, _) = s.json("DELETE", &path, Some(&other.admin), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&s, &key, ada(Some("still-works"))).await.0,
        StatusCode::OK
    );
    // Revoked by its own admin: refused at once, with a sentence saying so.
    let (status, _) = s.json("DELETE", &path, Some(&harbour.admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, refused) = send(&s, &key, ada(Some("after-revoke"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    says(&refused, "revoked");
    let (status, refused) = send(&s, "fsl_not-a-key-anyone-made", ada(None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    says(&refused, "not known");
    let (_, list) = s
        .json("GET", "/v2/org/intake-keys", Some(&harbour.admin), None)
        .await;
    assert!(list[0]["revoked_at"].is_string(), "{list}");
}

async fn a_lead_becomes_a_contact_brokers_and_admins_pull_and_the_same_person_again_enriches_it(
    s: TestServer,
) {
    let harbour = office(&s, "Harbour");
    let (_, key) = new_key(&s, &harbour, "Website").await;
    let (status, first) = send(&s, &key, ada(None)).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["created"], true);
    let id = contact_id(&first);
    for token in [&harbour.broker, &harbour.admin] {
        let (contacts, interactions) = pulled(&s, token).await;
        let ada = contacts.iter().find(|c| c.id == id).expect("pulled");
        assert_eq!(
            (ada.given_name.as_str(), ada.family_name.as_str()),
            ("Ada", "Lovelace")
        );
        assert_eq!(ada.source, LeadSource::Other);
        assert_eq!(ada.source_detail.as_deref(), Some("Realtor.com"));
        assert_eq!(ada.assigned_agent, None, "routing decides later");
        assert_eq!(ada.owner, harbour.owner);
        let lead = interactions
            .iter()
            .find(|i| i.contact == id)
            .expect("interaction");
        assert_eq!(lead.direction, Direction::Inbound);
        assert!(
            lead.summary.contains("Can we see it on Saturday?"),
            "{}",
            lead.summary
        );
        assert!(
            lead.summary.contains("12 Harbour Row, MLS HR-77"),
            "{}",
            lead.summary
        );
    }
    // The same person: the email in another case, then the phone written another way.
    let again = json!({"source": "zillow", "message": "Still interested",
        "person": {"first_name": "A.", "emails": ["ada@example.COM"]}});
    let (status, second) = send(&s, &key, again).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(
        (contact_id(&second), &second["created"]),
        (id, &json!(false))
    );
    let by_phone = json!({"source": "web_form", "person": {"phones": ["555.010.0222"]}});
    let (status, third) = send(&s, &key, by_phone).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert_eq!(contact_id(&third), id);
    let (contacts, interactions) = pulled(&s, &harbour.broker).await;
    assert_eq!(contacts.len(), 1, "one person, one contact: {contacts:?}");
    assert_eq!(interactions.iter().filter(|i| i.contact == id).count(), 3);
    assert!(interactions
        .iter()
        .any(|i| i.summary.contains("from Zillow: Still interested")));
    assert_eq!(
        contacts[0].given_name, "Ada",
        "a later lead does not rename the contact"
    );
}

async fn the_same_event_id_twice_answers_the_first_result_and_stores_once(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let (_, key) = new_key(&s, &harbour, "Portal").await;
    let (status, first) = send(&s, &key, ada(Some("fub-event-1"))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["replayed"], false);
    let (status, again) = send(&s, &key, ada(Some("fub-event-1"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["replayed"], true);
    for field in ["contact", "interaction", "created"] {
        assert_eq!(again[field], first[field], "{field}");
    }
    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    assert_eq!((contacts.len(), interactions.len()), (1, 1));
    // Another event id of the same person is another interaction on the same contact.
    let (_, third) = send(&s, &key, ada(Some("fub-event-2"))).await;
    assert_eq!(third["contact"], first["contact"]);
    assert_eq!(pulled(&s, &harbour.admin).await.1.len(), 2);
}

async fn the_same_event_sent_many_times_at_once_stores_one_contact_and_one_interaction(
    s: TestServer,
) {
    let harbour = office(&s, "Harbour");
    let (_, key) = new_key(&s, &harbour, "Portal").await;
    // A sender retrying on a timeout while the first attempt is still running.
    let answers =
        futures_util::future::join_all((0..6).map(|_| send(&s, &key, ada(Some("retried-event")))))
            .await;
    let first = &answers[0].1;
    for (status, answer) in &answers {
        assert!(status.is_success(), "{status} {answer}");
        for field in ["contact", "interaction", "created"] {
            assert_eq!(answer[field], first[field], "{field}: {answer}");
        }
    }
    assert_eq!(first["created"], true);
    let fresh = answers
        .iter()
        .filter(|(_, a)| a["replayed"] == false)
        .count();
    assert_eq!(
        fresh, 1,
        "one delivery stored it; the others answer its result"
    );
    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    assert_eq!((contacts.len(), interactions.len()), (1, 1));
}

async fn bad_bodies_get_specific_errors_and_store_nothing(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let (_, key) = new_key(&s, &harbour, "Website").await;
    let fields = |answer: &Value| -> Vec<String> {
        answer["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (status, answer) = send(&s, &key, json!({"source": "zillow"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), vec!["person"], "{answer}");
    let bad_email = json!({"source": "zillow", "person": {"emails": ["ada@"]}});
    let (status, answer) = send(&s, &key, bad_email).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), vec!["person.emails.0"], "{answer}");
    let raw = |body: Vec<u8>| {
        s.http
            .post(format!("{}/v2/intake/leads", s.url))
            .bearer_auth(&key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let big =
        json!({"source": "zillow", "message": "x".repeat(5000), "person": {"first_name": "Big"}});
    let response = raw(big.to_string().into_bytes()).await.expect("send");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = raw(b"source=zillow&name=Ada".to_vec()).await.expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.expect("json");
    says(&answer, "not JSON");
    let (status, answer) = send(&s, &key, json!({"source": "x", "person": {}, "persona": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says(&answer, "persona");
    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    assert!(
        contacts.is_empty() && interactions.is_empty(),
        "nothing stored"
    );
}

async fn leads_over_the_rate_of_a_key_or_an_address_are_refused_with_retry_after(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let (_, first_key) = new_key(&s, &harbour, "Website").await;
    let (_, second_key) = new_key(&s, &harbour, "Portal").await;
    let lead =
        |n: u32| json!({"source": "web", "person": {"emails": [format!("p{n}@example.com")]}});
    for n in 0..2 {
        assert_eq!(send(&s, &first_key, lead(n)).await.0, StatusCode::CREATED);
    }
    // The key's rate (2 a minute) is spent; another key of the same sender is not held by it.
    let response = s
        .http
        .post(format!("{}/v2/intake/leads", s.url))
        .bearer_auth(&first_key)
        .json(&lead(2))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!(wait >= 1);
    assert_eq!(send(&s, &second_key, lead(3)).await.0, StatusCode::CREATED);
    // The address's rate (4 a minute, every attempt counted) is spent too, whatever the key.
    assert_eq!(
        send(&s, &second_key, lead(4)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let (contacts, _) = pulled(&s, &harbour.admin).await;
    assert_eq!(contacts.len(), 3, "refused leads are not stored");
}

async fn set_meta(s: &TestServer, office: &Office) {
    let (status, answer) = s
        .json(
            "PUT",
            "/v2/org/meta",
            Some(&office.admin),
            Some(json!({"app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(!answer.to_string().contains(APP_SECRET));
}

async fn hook(s: &TestServer, org: OrgId, body: &str, signed: Option<&str>) -> (StatusCode, Value) {
    let mut request = s
        .http
        .post(format!("{}/hooks/meta/{org}", s.url))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(secret) = signed {
        request = request.header("X-Hub-Signature-256", signature(secret, body.as_bytes()));
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn instagram(mid: &str, text: &str) -> String {
    json!({"object": "instagram", "entry": [{"id": "17841400000000000", "time": 1,
        "messaging": [{"sender": {"id": "6123456789012345"}, "recipient": {"id": "17841400000000000"},
            "timestamp": now().timestamp_millis(),
            "message": {"mid": mid, "text": text,
                "reply_to": {"story": {"url": "https://lookaside.example/story/9", "id": "9"}}}}]}]})
    .to_string()
}

async fn a_signed_instagram_message_is_a_lead_and_unsigned_or_mis_signed_ones_store_nothing(
    s: TestServer,
) {
    let harbour = office(&s, "Harbour");
    set_meta(&s, &harbour).await;
    let body = instagram("aWdfZAG1faXRlbTox", "How much is the loft in your story?");
    assert_eq!(
        hook(&s, harbour.org, &body, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = hook(&s, harbour.org, &body, Some("another app's secret")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, answer) = hook(
        &s,
        harbour.org,
        "{\"object\": \"instagram\", ",
        Some(APP_SECRET),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    says(&answer, "not JSON");
    let huge = format!(
        "{{\"object\": \"instagram\", \"pad\": \"{}\"}}",
        "x".repeat(5000)
    );
    assert_eq!(
        hook(&s, harbour.org, &huge, Some(APP_SECRET)).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let (contacts, interactions) = pulled(&s, &harbour.admin).await;
    assert!(
        contacts.is_empty() && interactions.is_empty(),
        "nothing stored"
    );
    let (status, answer) = hook(&s, harbour.org, &body, Some(APP_SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["new_contacts"], 1);
    // A later message from the same person is another interaction on the same contact.
    let later = instagram("aWdfZAG1faXRlbToy", "Is Saturday at 10 possible?");
    let (_, answer) = hook(&s, harbour.org, &later, Some(APP_SECRET)).await;
    assert_eq!(answer["new_contacts"], 0, "{answer}");
    let (contacts, interactions) = pulled(&s, &harbour.broker).await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0].source, LeadSource::Instagram);
    assert_eq!(contacts[0].assigned_agent, None);
    let summaries: Vec<&str> = interactions
        .iter()
        .filter(|i| i.contact == contacts[0].id && i.channel == Channel::Instagram)
        .map(|i| i.summary.as_str())
        .collect();
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert!(summaries.iter().any(
        |s| s.contains("loft in your story") && s.contains("https://lookaside.example/story/9")
    ));
}

async fn the_subscription_handshake_answers_the_challenge_only_for_the_right_token(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let other = office(&s, "Quay");
    set_meta(&s, &harbour).await;
    let check = |org: OrgId, token: &str| {
        let url = format!(
            "{}/hooks/meta/{org}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            s.url
        );
        let http = s.http.clone();
        async move {
            let response = http.get(url).send().await.expect("send");
            let status = response.status();
            let kind = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            (status, kind, response.text().await.expect("body"))
        }
    };
    let (status, kind, body) = check(harbour.org, VERIFY_TOKEN).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "1158201444"));
    assert!(kind.starts_with("text/plain"), "{kind}");
    let (status, _, body) = check(harbour.org, "guessed-token").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("1158201444"));
    // Harbour's token on an organisation without Meta set up: refused too.
    assert_eq!(
        check(other.org, VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
}

async fn a_whatsapp_message_from_a_known_number_enriches_that_contact_once(s: TestServer) {
    let harbour = office(&s, "Harbour");
    set_meta(&s, &harbour).await;
    // The agent's own contact, with the number written as people write it.
    let input = ContactInput {
        given_name: "Lena".into(),
        phones: vec![PhoneEntry {
            number: "+1 (555) 010-0333".into(),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    let lena = Contact::create(
        ContactId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        harbour.agent.0,
        now(),
    );
    push_new_contact(&s, &harbour.agent.1, &lena).await;
    let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1029384756",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Lena P"}, "wa_id": "15550100333"}],
            "messages": [{"from": "15550100333", "id": "wamid.HBgLMTU1NTAxMDAzMzMVAgASGBQzQTdBRjE",
                "timestamp": now().timestamp().to_string(), "type": "text",
                "text": {"body": "Could we move the showing to 6pm?"}}]}}]}]})
    .to_string();
    let (status, answer) = hook(&s, harbour.org, &body, Some(APP_SECRET)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["new_contacts"], 0);
    // Meta retries: the same message id again stores nothing more.
    let (_, answer) = hook(&s, harbour.org, &body, Some(APP_SECRET)).await;
    assert_eq!(answer["replayed"], 1, "{answer}");
    let (contacts, interactions) = pulled(&s, &harbour.agent.1).await;
    assert_eq!(contacts.len(), 1, "no second Lena: {contacts:?}");
    let on_lena: Vec<&Interaction> = interactions
        .iter()
        .filter(|i| i.contact == lena.id)
        .collect();
    assert_eq!(on_lena.len(), 1, "{on_lena:?}");
    assert_eq!(on_lena[0].channel, Channel::WhatsApp);
    assert!(on_lena[0].summary.contains("move the showing to 6pm"));
    assert_eq!(contacts[0].given_name, "Lena", "her contact is not renamed");
    assert_eq!(contacts[0].last_contacted_at, Some(on_lena[0].occurred_at));
}

async fn a_second_organisation_never_sees_the_first_ones_leads(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let quay = office(&s, "Quay");
    let (_, harbour_key) = new_key(&s, &harbour, "Website").await;
    let (_, quay_key) = new_key(&s, &quay, "Website").await;
    set_meta(&s, &harbour).await;
    let (_, in_harbour) = send(&s, &harbour_key, ada(Some("shared-event"))).await;
    // The same person and event id sent to Quay: Quay's own contact, not Harbour's.
    let (status, in_quay) = send(&s, &quay_key, ada(Some("shared-event"))).await;
    assert_eq!(status, StatusCode::CREATED, "{in_quay}");
    assert_ne!(in_quay["contact"], in_harbour["contact"]);
    // Harbour's secret signs nothing for Quay.
    let body = instagram("bWlkOnF1YXk", "hello");
    assert_eq!(
        hook(&s, quay.org, &body, Some(APP_SECRET)).await.0,
        StatusCode::UNAUTHORIZED
    );
    for (office, own) in [(&harbour, &in_harbour), (&quay, &in_quay)] {
        for token in [&office.admin, &office.broker, &office.agent.1] {
            let (contacts, interactions) = pulled(&s, token).await;
            assert!(
                contacts.iter().all(|c| c.id == contact_id(own)),
                "{contacts:?}"
            );
            assert!(interactions.iter().all(|i| i.contact == contact_id(own)));
        }
    }
}
