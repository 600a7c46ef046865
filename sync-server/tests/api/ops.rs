//! Health, readiness, metrics, the OpenAPI document and request ids.

use crate::support::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::config::Secret;
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

const METRICS_TOKEN: &str = "a metrics token of some length";

async fn metrics(s: &TestServer, base: &str) -> String {
    let response = s
        .http
        .get(format!("{base}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

#[tokio::test]
async fn metrics_need_their_token_or_their_own_address() {
    // Neither configured: not served at all.
    let s = TestServer::start().await;
    let (status, _) = s.json("GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A token: only with it.
    let mut config = fieldstone_server::Config::default();
    config.http.metrics_token = Some(Secret::new(METRICS_TOKEN));
    let s = TestServer::start_with(config).await;
    for token in [None, Some("wrong"), Some("fst_a session token")] {
        let (status, body) = s.json("GET", "/metrics", token, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{token:?}: {body}");
    }
    assert!(metrics(&s, &s.url)
        .await
        .contains("fieldstone_http_requests_total"));
    // Its own address: served there without a token, and not on the main address.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let mut config = fieldstone_server::Config::default();
    config.http.metrics_listen = Some(port);
    let s = TestServer::start_with(config).await;
    let (status, _) = s.json("GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut text = None;
    // The metrics listener starts beside the main one: give it a moment (not a timing assertion).
    for _ in 0..100 {
        if let Ok(r) = s.http.get(format!("http://{port}/metrics")).send().await {
            text = Some(r.text().await.expect("text"));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let text = text.expect("metrics on their own address");
    assert!(text.contains("fieldstone_http_requests_total"), "{text}");
}

#[tokio::test]
async fn made_up_methods_and_paths_do_not_grow_the_metrics() {
    let mut config = fieldstone_server::Config::default();
    config.http.metrics_token = Some(Secret::new(METRICS_TOKEN));
    let s = TestServer::start_with(config).await;
    let mut sizes = Vec::new();
    for round in 0..3 {
        for n in 0..100 {
            let method = reqwest::Method::from_bytes(format!("X{round}M{n}").as_bytes())
                .expect("a made-up method is a valid token");
            let _ = s
                .http
                .request(method, format!("{}/no/such/{round}/{n}", s.url))
                .send()
                .await
                .expect("send");
        }
        sizes.push(metrics(&s, &s.url).await.len());
    }
    // Counts change, series do not: once the first round and the first read of /metrics have
    // made their series, the next hundred made-up requests add no lines.
    let lines = metrics(&s, &s.url).await;
    assert!(lines.contains("method=\"other\""), "{lines}");
    assert!(lines.contains("route=\"unmatched\""), "{lines}");
    assert!(!lines.contains("X2M99"), "a made-up method became a label");
    assert!(
        sizes[1].abs_diff(sizes[2]) < 64,
        "metrics grew from {} to {} bytes",
        sizes[1],
        sizes[2]
    );
}

#[tokio::test]
async fn metrics_count_requests_changes_and_bytes() {
    let mut config = fieldstone_server::Config::default();
    config.http.metrics_token = Some(Secret::new(METRICS_TOKEN));
    let s = TestServer::start_with(config).await;
    let org = s.org("Harbour");
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let token = s.token(org, ada);
    let mut device = Device::create(ada);
    s.push(&token, vec![device.unsent(&doc_id(1))]).await;
    let mut foreign = Device::new();
    foreign.doc.set_actor(device.doc.get_actor().clone());
    let _ = s.pull_all(&token, vec![]).await;
    let text = metrics(&s, &s.url).await;
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
