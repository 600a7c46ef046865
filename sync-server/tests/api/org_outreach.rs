//! An organisation's own outreach set-up through the HTTP API: an admin sets its text and
//! email providers (the secret sealed, never shown again, rotated by sending a new one), texts
//! and email go through them, the do-not-call list refuses a number, and a used-up allowance
//! refuses the next send with its name and reset date.

use crate::dispatch::*;
use crate::support::*;
use crate::texts::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::config::Config;
use fieldstone_server::store::{Metered, PlanRow};
use reqwest::StatusCode;
use serde_json::json;

/// A server with a secret key and a public address but no providers of its own.
fn bare_config() -> Config {
    let mut config = config("smtp://127.0.0.1:1");
    config.email = None;
    config
}

fn admin_of(s: &TestServer, org: OrgId) -> String {
    let admin = s.user(org, "owner@harbour.test", Role::Admin, None);
    s.token(org, admin)
}

fn sms_settings(base: &str) -> serde_json::Value {
    json!({
        "account_sid": SID,
        "from": FROM,
        "api_base": base,
        "time_zone": "America/New_York",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_text_provider_sends_its_texts_and_its_secret_never_comes_back() {
    let (twilio, base) = Double::start(false).await;
    let s = TestServer::start_with(bare_config()).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let admin = admin_of(&s, ada.org);
    let path = "/v2/org/providers/sms";

    // Agents may not; bad settings are refused whole; nothing is stored.
    let body = json!({"settings": sms_settings(&base), "secret": TOKEN});
    let (status, _) = s
        .json("PUT", path, Some(&ada.token), Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let bad = json!({"settings": {"account_sid": "nope", "from": "555"}, "secret": TOKEN});
    let (status, text) = s.json("PUT", path, Some(&admin), Some(bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = text["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("sms.account_sid") && message.contains("sms.from"),
        "{message}"
    );
    let (status, text) = s
        .json(
            "PUT",
            path,
            Some(&admin),
            Some(json!({"settings": sms_settings(&base)})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no secret yet: {text}");

    // Set: the answer, the list and the database never hold the token in the clear.
    let (status, text) = s.json("PUT", path, Some(&admin), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(text["secret_set"], true);
    assert!(!text.to_string().contains(TOKEN));
    let (_, list) = s.json("GET", "/v2/org/providers", Some(&admin), None).await;
    assert_eq!(list[0]["kind"], "sms");
    assert!(!list.to_string().contains(TOKEN), "{list}");
    let org = ada.org;
    let row = s.with_store(|st| st.provider(org, "sms").expect("read").expect("row"));
    let sealed = row.sealed_secret.expect("sealed");
    assert!(!sealed.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));

    // A text goes through it, with its account and token.
    let contact = push_texting_contact(&s, &ada).await;
    let first = push_input(&s, &ada, text_to(contact)).await;
    until_status(&s, &ada, &first, MessageStatus::Sent).await;
    use base64::Engine;
    let basic = |token: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{token}"))
        )
    };
    assert_eq!(twilio.received()[0].authorization, basic(TOKEN));
    // Its callbacks are checked with the organisation's token.
    let message_id = first.as_str().split_once(':').expect("id").1.to_owned();
    let status_path = format!("/hooks/twilio/{org}/status?m={message_id}");
    let delivered = [("MessageSid", "SM1"), ("MessageStatus", "delivered")];
    assert_eq!(
        post_signed(&s, &status_path, &delivered, Some(TOKEN)).await,
        StatusCode::OK
    );
    until_status(&s, &ada, &first, MessageStatus::Delivered).await;

    // Rotated: the next text uses the new token, and callbacks signed with the old one fail.
    let rotate = json!({"settings": sms_settings(&base), "secret": "rotated-token"});
    let (status, _) = s.json("PUT", path, Some(&admin), Some(rotate)).await;
    assert_eq!(status, StatusCode::OK);
    let second = push_input(&s, &ada, text_to(contact)).await;
    until_status(&s, &ada, &second, MessageStatus::Sent).await;
    assert_eq!(twilio.received()[1].authorization, basic("rotated-token"));
    assert_eq!(
        post_signed(&s, &status_path, &delivered, Some(TOKEN)).await,
        StatusCode::UNAUTHORIZED
    );

    // Removed: texts are refused with the reason.
    let (status, _) = s.json("DELETE", path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let third = push_input(&s, &ada, text_to(contact)).await;
    let refused = until_status(&s, &ada, &third, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some("Text messages are not set up for your organisation.")
    );
    assert_eq!(twilio.received().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisations_own_relay_sends_its_email_and_another_has_none() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(bare_config()).await;
    let ada = agent(&s);
    let admin = admin_of(&s, ada.org);
    let body = json!({
        "settings": {"from": "news@harbour.test"},
        "secret": smtp.url(),
    });
    let (status, text) = s
        .json("PUT", "/v2/org/providers/email", Some(&admin), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let doc_id = push_message(&s, &ada, contact).await;
    until_status(&s, &ada, &doc_id, MessageStatus::Sent).await;
    let mail = smtp.received();
    assert_eq!(mail.len(), 1);
    assert_eq!(header(&mail[0], "From"), Some("ada <news@harbour.test>"));

    // Another organisation on the same server has no relay: refused, with the reason.
    let other = s.org("Elsewhere");
    let bob = s.user(other, "bob@elsewhere.test", Role::Agent, None);
    let bob = Agent {
        org: other,
        user: bob,
        token: s.token(other, bob),
    };
    let contact = push_contact(&s, &bob, Consent::default()).await;
    let doc_id = push_message(&s, &bob, contact).await;
    let refused = until_status(&s, &bob, &doc_id, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some("Email is not set up for your organisation.")
    );
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_on_the_do_not_call_list_is_not_texted_and_the_list_says_who_added_it_and_when() {
    let (twilio, base) = Double::start(false).await;
    let mut config = config("smtp://127.0.0.1:1");
    let mut sms = fieldstone_server::dispatch::SmsConfig::new(SID, TOKEN, FROM);
    sms.api_base = base;
    config.sms = Some(sms);
    let s = TestServer::start_with(config).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let admin = admin_of(&s, ada.org);
    let org = ada.org;

    // An agent adds Lena's number, however it is written.
    let (status, text) = s
        .json(
            "POST",
            "/v2/org/dnc",
            Some(&ada.token),
            Some(json!({"number": "+1 (555) 555-0123"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let (status, _) = s
        .json(
            "POST",
            "/v2/org/dnc",
            Some(&ada.token),
            Some(json!({"number": "call me maybe"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let contact = push_texting_contact(&s, &ada).await;
    let doc_id = push_input(&s, &ada, text_to(contact)).await;
    let refused = until_status(&s, &ada, &doc_id, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some("+15555550123 is on your organisation's do-not-call list.")
    );
    assert!(twilio.received().is_empty());

    // An admin imports a list: good rows added in one go, bad ones reported by line.
    let csv = "name,phone\nAnn,+1 555 000 1111\nBen,not a number\nCat,+1 555 000 2222\nDan,+1 555 000 1111\n";
    let answer = s
        .http
        .post(format!("{}/v2/org/dnc/import", s.url))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(answer.status(), StatusCode::OK);
    let counts: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(counts["added"], 2, "{counts}");
    assert_eq!(counts["already_listed"], 1, "{counts}");
    assert_eq!(counts["rejected"], 1, "{counts}");
    assert_eq!(counts["rejected_rows"][0]["line"], 3, "{counts}");
    let (_, list) = s.json("GET", "/v2/org/dnc", Some(&admin), None).await;
    assert_eq!(list.as_array().map(Vec::len), Some(3), "{list}");
    // Who listed each number and when: the agent's own, and the admin's import.
    let admin_id = s.with_store(|st| {
        st.users(org)
            .expect("users")
            .into_iter()
            .find(|u| u.email == "owner@harbour.test")
            .expect("the admin")
            .id
    });
    let entry = |number: &str| {
        list.as_array()
            .and_then(|l| l.iter().find(|e| e["number"] == number))
            .cloned()
            .unwrap_or_default()
    };
    let lenas = entry("+15555550123");
    assert_eq!(lenas["added_by"], ada.user.to_string(), "{lenas}");
    assert_eq!(lenas["source"], "added by a member");
    let listed_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(lenas["added_at"].clone()).expect("added_at");
    assert_eq!(listed_at, noon_in_new_york());
    assert_eq!(entry("+15550001111")["added_by"], admin_id.to_string());
    let trail = s.with_store(|st| st.audit_log(org, None, 50).expect("audit"));
    let added = trail
        .iter()
        .find(|row| row.event.kind == "dnc_added")
        .expect("the agent's addition is in the audit log");
    assert_eq!(added.event.user, Some(ada.user));
    assert_eq!(added.event.subject.as_deref(), Some("+15555550123"));
    // Taken off the list, the number can be texted again.
    let (status, _) = s
        .json("DELETE", "/v2/org/dnc/+15555550123", Some(&admin), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let again = push_input(&s, &ada, text_to(contact)).await;
    until_status(&s, &ada, &again, MessageStatus::Sent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_up_allowance_refuses_the_next_send_and_says_which_and_when_it_resets() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(config(&smtp.url())).await;
    s.clock.set(noon_in_new_york());
    let ada = agent(&s);
    let org = ada.org;
    let user = ada.user;
    s.with_store(|st| {
        st.set_plan(
            org,
            &PlanRow {
                plan: "free".into(),
                time_zone: "Europe/Paris".into(),
                updated_at: now(),
            },
        )
        .expect("plan");
        // 199 of the free plan's 200 emails already sent this month.
        st.meter(
            org,
            &Metered {
                user,
                period: "2026-12",
                meter: "emails",
                amount: 199,
                allowance: Some(200),
            },
        )
        .expect("meter")
        .expect("within");
    });
    let contact = push_contact(&s, &ada, Consent::default()).await;
    let last = push_message(&s, &ada, contact).await;
    until_status(&s, &ada, &last, MessageStatus::Sent).await;
    let over = push_message(&s, &ada, contact).await;
    let refused = until_status(&s, &ada, &over, MessageStatus::Refused).await;
    assert_eq!(
        refused.result.reason.as_deref(),
        Some(
            "Your organisation has used this month's 200 emails on the Free plan; the \
             allowance resets on 1 January 2027."
        )
    );
    assert_eq!(smtp.received().len(), 1);

    let (status, usage) = s.json("GET", "/v2/org/usage", Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(usage["plan"], "free");
    assert_eq!(usage["period"], "2026-12");
    assert_eq!(usage["resets_at"], "2026-12-31T23:00:00Z");
    let emails = usage["meters"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["meter"] == "emails"))
        .expect("emails");
    assert_eq!(
        (emails["used"].as_i64(), emails["allowance"].as_i64()),
        (Some(200), Some(200))
    );
    assert_eq!(emails["used_by_me"], 200);
}

/// `n` new contacts of `agent`'s, as one device push.
fn new_contacts(agent: &Agent, n: usize) -> Vec<fieldstone_protocol::DocPush> {
    (0..n)
        .map(|i| {
            let input = ContactInput {
                given_name: format!("Lead {i}"),
                ..ContactInput::default()
            };
            let id = ContactId::from_uuid(uuid::Uuid::new_v4());
            let contact = Contact::create(id, input.validate().expect("valid"), agent.user, at());
            let (doc, _) = fieldstone_doc::contact::create(automerge::ActorId::random(), &contact)
                .expect("doc");
            let mut device = Device::new();
            device.doc = doc;
            let doc_id =
                fieldstone_protocol::DocId::new(fieldstone_doc::contact::KIND, id).expect("id");
            device.unsent(&doc_id)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_free_plans_fifty_leads_are_a_cap_and_the_51st_stays_on_the_device() {
    let s = TestServer::start_with(bare_config()).await;
    let ada = agent(&s);
    let org = ada.org;
    s.with_store(|st| {
        let plan = PlanRow {
            plan: "free".into(),
            time_zone: "UTC".into(),
            updated_at: now(),
        };
        st.set_plan(org, &plan).expect("plan");
    });
    // Another organisation's contacts do not count.
    let other = s.org("Elsewhere");
    let bob = s.user(other, "bob@elsewhere.test", Role::Agent, None);
    let bob = Agent {
        org: other,
        user: bob,
        token: s.token(other, bob),
    };
    assert_eq!(s.push(&bob.token, new_contacts(&bob, 5)).await.accepted, 5);

    let answer = s.push(&ada.token, new_contacts(&ada, 48)).await;
    assert_eq!(answer.accepted, 48, "{answer:?}");
    // The 49th and 50th go in; in the same push the 51st and 52nd do not.
    let answer = s.push(&ada.token, new_contacts(&ada, 4)).await;
    assert_eq!(answer.accepted, 2, "{answer:?}");
    assert_eq!(answer.rejected.len(), 2);
    let refusal = &answer.rejected[0];
    assert_eq!(
        refusal.code,
        fieldstone_protocol::RejectCode::LimitReached {
            limit: "leads".into()
        }
    );
    assert_eq!(
        refusal.message,
        "The Free plan holds 50 leads, and your organisation has them; this contact was not \
         uploaded and stays on this device until an admin changes the plan."
    );
    // Other records still sync; on a plan without the cap, contacts do too.
    s.with_store(|st| {
        let plan = PlanRow {
            plan: "starter".into(),
            time_zone: "UTC".into(),
            updated_at: now(),
        };
        st.set_plan(org, &plan).expect("plan");
    });
    assert_eq!(s.push(&ada.token, new_contacts(&ada, 2)).await.accepted, 2);
}
