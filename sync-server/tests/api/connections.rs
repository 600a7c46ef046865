//! Slow and idle connections are cut, open connections are capped, and a live socket ends with
//! its session and follows its user's role. Waits here are bounded guards against a hang, never
//! assertions about how long anything took.

use crate::support::*;
use fieldstone_protocol::account::Role;
use fieldstone_server::Config;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest any test here waits for the server to act (a guard against hanging, not a figure).
const GUARD: Duration = Duration::from_secs(60);

fn quick(config: &mut Config) {
    config.http.header_timeout_secs = 1;
    config.http.body_timeout_secs = 1;
    config.http.request_timeout_secs = 2;
}

/// Reads until the server closes the connection; returns what it sent.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(GUARD, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&seen).into_owned(),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server left a stalled connection open"),
        }
    }
}

#[tokio::test]
async fn half_sent_requests_and_bodies_that_never_finish_are_cut() {
    let mut config = Config::default();
    quick(&mut config);
    let s = TestServer::start_with(config).await;
    let addr = s.url.trim_start_matches("http://").to_owned();
    // Headers that never end.
    let mut headers = TcpStream::connect(&addr).await.expect("connect");
    headers
        .write_all(b"POST /v2/auth/login HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    until_closed(&mut headers).await;
    // A body promised and never sent.
    let mut body = TcpStream::connect(&addr).await.expect("connect");
    body.write_all(
        b"POST /v2/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"email\":",
    )
    .await
    .expect("write");
    let answer = until_closed(&mut body).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "cut, or answered with an error: {answer:.200}"
    );
    // An idle kept-alive connection.
    let mut idle = TcpStream::connect(&addr).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let answer = until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.200}");
    let (status, _) = s.json("GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn open_connections_are_capped_and_idle_ones_make_room() {
    let mut config = Config::default();
    quick(&mut config);
    config.http.max_connections = 16;
    let s = TestServer::start_with(config).await;
    let addr = s.url.trim_start_matches("http://").to_owned();
    let mut hogs = Vec::new();
    for _ in 0..40 {
        hogs.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // Past the cap, a request waits for room; the idle hogs are cut and it is answered.
    let answered = tokio::time::timeout(GUARD, s.json("GET", "/healthz", None, None))
        .await
        .expect("answered once idle connections were cut");
    assert_eq!(answered.0, StatusCode::OK);
    // The hogs themselves were cut, not kept open for ever.
    until_closed(&mut hogs[0]).await;
    until_closed(&mut hogs[39]).await;
}

#[tokio::test]
async fn a_live_socket_closes_when_its_session_signs_out() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let session = s.session("ada@example.com").await;
    let other = s.session("ada@example.com").await;
    let mut socket = live(&s, &session.token).await;
    let mut kept = live(&s, &other.token).await;
    let (status, _) = s
        .json("POST", "/v2/auth/logout", Some(&session.token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let closed = tokio::time::timeout(GUARD, async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) => return true,
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("closed in time");
    assert!(closed);
    // The same user's other session keeps its socket.
    use futures_util::SinkExt;
    kept.send(tokio_tungstenite::tungstenite::Message::Ping(
        b"still?".to_vec().into(),
    ))
    .await
    .expect("the other socket is open");
}

#[tokio::test]
async fn a_demoted_admins_live_socket_stops_carrying_an_admins_news() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let owner = s.user(org, "owner@example.com", Role::Owner, None);
    let adm = s.user(org, "adm@example.com", Role::Admin, None);
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let (owner_t, adm_t, ada_t) = (s.token(org, owner), s.token(org, adm), s.token(org, ada));
    let mut socket = live(&s, &adm_t).await;
    let (status, _) = s
        .json(
            "PUT",
            &format!("/v2/users/{adm}/role"),
            Some(&owner_t),
            Some(json!({"role": "agent"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Ada's private change: news for an admin, none for an agent outside her scope.
    let mut private = Device::create(ada);
    assert_eq!(
        s.push(&ada_t, vec![private.unsent(&doc_id(1))])
            .await
            .accepted,
        1
    );
    // Then a change in the demoted user's own scope, as a marker that news has flowed.
    let mut own = Device::create(adm);
    assert_eq!(
        s.push(&adm_t, vec![own.unsent(&doc_id(2))]).await.accepted,
        1
    );
    let mut news = Vec::new();
    tokio::time::timeout(GUARD, async {
        while let Some(Ok(message)) = socket.next().await {
            if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
                let text = text.to_string();
                let marker = text.contains(&adm.to_string());
                news.push(text);
                if marker {
                    break;
                }
            }
        }
    })
    .await
    .expect("the marker's news arrives");
    assert!(
        !news.iter().any(|n| n.contains(&ada.to_string())),
        "news of Ada's private scope reached a demoted admin: {news:?}"
    );
    let (_, log) = s.json("GET", "/v2/audit", Some(&owner_t), None).await;
    assert!(log.to_string().contains("role_changed"), "{log}");
    let (status, _) = s.json("GET", "/v2/audit", Some(&ada_t), None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "agents do not read the audit log"
    );
}
