//! Guessing gets nowhere and nobody locks anyone else out: the client address behind a proxy,
//! per account-and-address backoff, known devices, invitations per token, the password route.
//! Addresses are told to the server through `X-Forwarded-For` from a trusted proxy (loopback).

use crate::support::*;
use fieldstone_protocol::account::{Role, Session};
use fieldstone_server::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A server that believes loopback is its proxy.
async fn behind_proxy(tune: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config::default();
    config.auth.trusted_proxies = vec!["127.0.0.1".into()];
    tune(&mut config);
    TestServer::start_with(config).await
}

async fn login_via(
    s: &TestServer,
    forwarded: &str,
    email: &str,
    password: &str,
    known_device: Option<&str>,
) -> (StatusCode, Value) {
    let response = s
        .http
        .post(format!("{}/v2/auth/login", s.url))
        .header("x-forwarded-for", forwarded)
        .json(
            &json!({"email": email, "password": password, "device_name": "laptop",
                      "known_device": known_device}),
        )
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_client_cannot_choose_its_address_behind_the_proxy() {
    let s = behind_proxy(|_| {}).await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    // The attacker writes a different "client address" first each time; the proxy appends the
    // one it saw (9.9.9.9), and that is the one counted.
    for n in 0..6 {
        let (status, _) = login_via(
            &s,
            &format!("10.0.0.{n}, 9.9.9.9"),
            "ada@example.com",
            "guess guess guess",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) =
        login_via(&s, "10.0.0.77, 9.9.9.9", "ada@example.com", PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn guessing_from_elsewhere_does_not_lock_the_owner_out() {
    let s = behind_proxy(|_| {}).await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    for _ in 0..10 {
        let _ = login_via(&s, "9.9.9.9", "ada@example.com", "guess guess guess", None).await;
    }
    let (status, _) = login_via(&s, "9.9.9.9", "ada@example.com", PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the guesser waits");
    let (status, body) = login_via(&s, "8.8.8.8", "ada@example.com", PASSWORD, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner, elsewhere, signs in: {body}"
    );
}

#[tokio::test]
async fn a_known_device_signs_in_while_strangers_everywhere_are_held_back() {
    let s = behind_proxy(|c| c.auth.login_failures_per_account = 5).await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let (status, first) = login_via(&s, "8.8.8.8", "ada@example.com", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    let first: Session = serde_json::from_value(first).expect("session");
    let proof = first.known_device.expect("a known-device proof");
    // A spray from many addresses, each well under its own backoff.
    for n in 0..6 {
        let _ = login_via(
            &s,
            &format!("203.0.113.{n}"),
            "ada@example.com",
            "guess guess guess",
            None,
        )
        .await;
    }
    let (status, _) = login_via(&s, "203.0.113.99", "ada@example.com", PASSWORD, None).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown device waits"
    );
    let (status, body) =
        login_via(&s, "192.0.2.1", "ada@example.com", PASSWORD, Some(&proof)).await;
    assert_eq!(status, StatusCode::OK, "Ada's own device signs in: {body}");
    // A proof is tied to its account: another account's proof is a stranger's.
    s.user(org, "bob@example.com", Role::Agent, None);
    for n in 0..6 {
        let _ = login_via(
            &s,
            &format!("198.51.100.{n}"),
            "bob@example.com",
            "nope nope",
            None,
        )
        .await;
    }
    let (status, _) = login_via(&s, "192.0.2.1", "bob@example.com", PASSWORD, Some(&proof)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn bogus_invitations_do_not_block_new_hires() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let owner = s.user(org, "owner@example.com", Role::Owner, None);
    let owner = s.token(org, owner);
    for n in 0..8 {
        let (status, _) = s
            .json(
                "POST",
                "/v2/auth/accept-invite",
                None,
                Some(
                    json!({"token": format!("fsi_bogus{n}"), "display_name": "X",
                            "password": "a long enough password", "device_name": "x"}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, invite) = s
        .json(
            "POST",
            "/v2/invitations",
            Some(&owner),
            Some(json!({"email": "new@example.com", "role": "agent"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = s
        .json(
            "POST",
            "/v2/auth/accept-invite",
            None,
            Some(json!({"token": invite["token"], "display_name": "New Hire",
                        "password": "a long enough password", "device_name": "laptop"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn guessing_the_current_password_on_the_password_route_backs_off() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let token = s.token(org, ada);
    let change = |current: &str| json!({"current_password": current, "new_password": "a brand new password"});
    for _ in 0..6 {
        let (status, _) = s
            .json(
                "POST",
                "/v2/auth/password",
                Some(&token),
                Some(change("guess guess")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = s
        .json(
            "POST",
            "/v2/auth/password",
            Some(&token),
            Some(change(PASSWORD)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right one waits now"
    );
    let owner = s.user(org, "owner@example.com", Role::Owner, None);
    let owner = s.token(org, owner);
    let (_, log) = s.json("GET", "/v2/audit", Some(&owner), None).await;
    assert!(log.to_string().contains("password_change_failed"), "{log}");
}

#[tokio::test]
async fn a_broker_cannot_add_agents_to_their_own_team() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let downtown = s.team(org, "Downtown");
    let uptown = s.team(org, "Uptown");
    let bea = s.user(org, "bea@example.com", Role::Broker, Some(downtown));
    let uma = s.user(org, "uma@example.com", Role::Agent, Some(uptown));
    let owner = s.user(org, "owner@example.com", Role::Owner, None);
    let (bea_t, uma_t, owner_t) = (s.token(org, bea), s.token(org, uma), s.token(org, owner));
    let mut private = Device::create(uma);
    private.set("secret", "uma's client");
    assert_eq!(
        s.push(&uma_t, vec![private.unsent(&doc_id(1))])
            .await
            .accepted,
        2
    );
    let path = format!("/v2/teams/{downtown}/members");
    let (status, body) = s
        .json(
            "POST",
            &path,
            Some(&bea_t),
            Some(json!({"user_id": uma.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (docs, _) = s.pull_all(&bea_t, vec![]).await;
    assert!(!has_doc(&docs, &doc_id(1)), "Uma's private work stays hers");
    // An admin decides, and the audit log says so.
    let (status, _) = s
        .json(
            "POST",
            &path,
            Some(&owner_t),
            Some(json!({"user_id": uma.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, log) = s.json("GET", "/v2/audit", Some(&owner_t), None).await;
    assert!(log.to_string().contains("member_added"), "{log}");
}
