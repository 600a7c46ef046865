//! Health, readiness, metrics, the OpenAPI document and request ids.

use crate::support::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::routes::ROUTES;
use reqwest::StatusCode;
use std::collections::BTreeSet;

#[tokio::test]
async fn health_readiness_and_request_ids() {
    let s = TestServer::start().await;
    let health = s
        .http
        .get(format!("{}/healthz", s.url))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), StatusCode::OK);
    let id = health
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("every answer carries a request id")
        .to_owned();
    assert_eq!(id.len(), 36, "a uuid: {id}");
    let ready = s
        .http
        .get(format!("{}/readyz", s.url))
        .send()
        .await
        .expect("get");
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.expect("text"), "ready");
    let (status, body) = s.json("GET", "/no/such/route", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn metrics_count_requests_changes_and_bytes() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let token = s.token(org, ada);
    let mut device = Device::create(ada);
    s.push(&token, vec![device.unsent(&doc_id(1))]).await;
    let mut foreign = Device::new();
    foreign.doc.set_actor(device.doc.get_actor().clone());
    let _ = s.pull_all(&token, vec![]).await;
    let text = s
        .http
        .get(format!("{}/metrics", s.url))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains("fieldstone_sync_changes_accepted_total 1"),
        "{text}"
    );
    assert!(
        text.contains("fieldstone_sync_bytes_total{direction=\"in\"}"),
        "{text}"
    );
    assert!(
        text.contains("fieldstone_sync_bytes_total{direction=\"out\"}"),
        "{text}"
    );
    assert!(
        text.contains("route=\"/v2/sync/push\""),
        "labelled by route template, not raw path: {text}"
    );
    assert!(text.contains("fieldstone_sync_lag_seconds_count"), "{text}");
    assert!(!text.contains(&token), "no secrets in metrics");
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_and_each_is_routed() {
    let s = TestServer::start().await;
    let (status, doc) = s.json("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("ops").keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed, "openapi.json and ROUTES must agree");
    // Every route that needs a session answers 401 without one: it exists and is guarded.
    for (method, path, needs_session) in ROUTES {
        if *needs_session {
            let concrete = path
                .replace("{device_id}", "00000000-0000-4000-8000-000000000001")
                .replace("{user_id}", "00000000-0000-4000-8000-000000000001")
                .replace("{team_id}", "00000000-0000-4000-8000-000000000001")
                .replace("{doc_id}", "contact:x")
                .replace("{scope}", "user:00000000-0000-4000-8000-000000000001");
            let (status, body) = s.json(method, &concrete, None, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
            assert_eq!(body["code"], "unauthorized");
        }
    }
}
