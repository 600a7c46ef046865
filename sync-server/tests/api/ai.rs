//! AI drafting and enhancing against the loopback OpenAI-compatible double (`crate::openai`).
//! Whatever the provider does, the agent gets a draft: the model's, or the follow-up's
//! template labelled as one. Nothing is sent.

use crate::openai::*;
use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use reqwest::StatusCode;
use serde_json::json;

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
