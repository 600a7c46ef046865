//! Sign-in, sessions, devices, invitations.

use crate::support::*;
use fieldstone_protocol::account::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let wrong = s.login("ada@example.com", "not the password at all").await;
    let unknown = s.login("nobody@example.com", PASSWORD).await;
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown, "no way to tell which emails have accounts");
    assert_eq!(wrong.1["code"], "invalid_credentials");

    let session = s.session("ADA@example.com ").await;
    assert_eq!(session.me.user.email, "ada@example.com");
    assert_eq!(session.me.org.name, "Harbour");
    assert!(session.token.len() >= 40, "at least 128 random bits");
    let (status, me) = s.json("GET", "/v2/me", Some(&session.token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["role"], "agent");
    // Only the hash is stored: the token itself is nowhere in the database file.
    let db = std::fs::read(s.store_path()).expect("db bytes");
    assert!(!db
        .windows(session.token.len())
        .any(|w| w == session.token.as_bytes()));
}

#[tokio::test]
async fn guessing_from_one_address_backs_off_and_says_when_to_retry() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    for _ in 0..6 {
        let (status, _) = s.login("ada@example.com", "guess guess guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = s
        .http
        .post(format!("{}/v2/auth/login", s.url))
        .json(&json!({"email": "ada@example.com", "password": PASSWORD, "device_name": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!(retry >= 1);
    // Even the right password waits: guessing cannot continue by luck.
    let (status, body) = s.login("ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn an_email_in_two_organisations_chooses_one() {
    let s = TestServer::start().await;
    let a = s.org("Alpha Realty");
    let b = s.org("Beta Homes");
    s.user(a, "sam@example.com", Role::Agent, None);
    s.user(b, "sam@example.com", Role::Broker, None);
    let (status, body) = s.login("sam@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "choose_organisation");
    let names: Vec<&str> = body["orgs"]
        .as_array()
        .expect("orgs")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, ["Alpha Realty", "Beta Homes"]);
    let (status, session) = s
        .json(
            "POST",
            "/v2/auth/login",
            None,
            Some(json!({"email": "sam@example.com", "password": PASSWORD,
                        "device_name": "phone", "org_id": b.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["me"]["user"]["role"], "broker");
}

#[tokio::test]
async fn refresh_rotates_the_token_and_sign_out_ends_it() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let first = s.session("ada@example.com").await;
    let (status, refreshed) = s
        .json("POST", "/v2/auth/refresh", Some(&first.token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let second: Session = serde_json::from_value(refreshed).expect("session");
    assert_eq!(second.device_id, first.device_id, "same device");
    assert_ne!(second.token, first.token);
    let (status, _) = s.json("GET", "/v2/me", Some(&first.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "old token stops working");
    let (status, _) = s
        .json("POST", "/v2/auth/logout", Some(&second.token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.json("GET", "/v2/me", Some(&second.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_out_everywhere_and_password_change_end_every_session() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let laptop = s.session("ada@example.com").await;
    let phone = s.session("ada@example.com").await;
    let (status, _) = s
        .json("POST", "/v2/auth/logout-all", Some(&phone.token), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for token in [&laptop.token, &phone.token] {
        assert_eq!(
            s.json("GET", "/v2/me", Some(token), None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }

    let laptop = s.session("ada@example.com").await;
    let phone = s.session("ada@example.com").await;
    let (status, body) = s
        .json(
            "POST",
            "/v2/auth/password",
            Some(&phone.token),
            Some(json!({"current_password": "wrong wrong wrong", "new_password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = s
        .json(
            "POST",
            "/v2/auth/password",
            Some(&phone.token),
            Some(json!({"current_password": PASSWORD, "new_password": "short"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("at least 10"),
        "{body}"
    );
    let (status, fresh) = s
        .json(
            "POST",
            "/v2/auth/password",
            Some(&phone.token),
            Some(json!({"current_password": PASSWORD, "new_password": "a new long password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let fresh: Session = serde_json::from_value(fresh).expect("session");
    for token in [&laptop.token, &phone.token] {
        assert_eq!(
            s.json("GET", "/v2/me", Some(token), None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        s.json("GET", "/v2/me", Some(&fresh.token), None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.login("ada@example.com", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.login("ada@example.com", "a new long password").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sessions_expire() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let session = s.session("ada@example.com").await;
    s.clock
        .set(session.expires_at + chrono::Duration::seconds(1));
    let (status, body) = s.json("GET", "/v2/me", Some(&session.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["message"].as_str().unwrap_or("").contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn revoked_device_is_refused_at_once_and_told_to_wipe() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    s.user(org, "ada@example.com", Role::Agent, None);
    let laptop = s.session("ada@example.com").await;
    let phone = s.session("ada@example.com").await;
    let (status, devices) = s
        .json("GET", "/v2/devices", Some(&laptop.token), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let devices: Vec<DeviceInfo> = serde_json::from_value(devices).expect("devices");
    assert_eq!(devices.len(), 2);
    assert_eq!(devices.iter().filter(|d| d.current).count(), 1);
    let path = format!("/v2/devices/{}", phone.device_id);
    assert_eq!(
        s.json("DELETE", &path, Some(&laptop.token), None).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = s.json("GET", "/v2/me", Some(&phone.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "device_revoked");
    assert_eq!(
        s.json("GET", "/v2/me", Some(&laptop.token), None).await.0,
        StatusCode::OK
    );
    let (_, devices) = s
        .json("GET", "/v2/devices", Some(&laptop.token), None)
        .await;
    let devices: Vec<DeviceInfo> = serde_json::from_value(devices).expect("devices");
    assert!(devices
        .iter()
        .any(|d| d.id == phone.device_id && d.revoked_at.is_some()));
}

#[tokio::test]
async fn invitations_are_one_time_scoped_to_the_inviters_powers_and_expire() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let downtown = s.team(org, "Downtown");
    let uptown = s.team(org, "Uptown");
    s.user(org, "bea@example.com", Role::Broker, Some(downtown));
    s.user(org, "ada@example.com", Role::Agent, Some(downtown));
    let broker = s.session("bea@example.com").await;
    let agent = s.session("ada@example.com").await;

    let invite = |role: &str, team: Option<String>| json!({"email": "new@example.com", "role": role, "team_id": team});
    let (status, _) = s
        .json(
            "POST",
            "/v2/invitations",
            Some(&agent.token),
            Some(invite("agent", Some(downtown.to_string()))),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not invite");
    let (status, _) = s
        .json(
            "POST",
            "/v2/invitations",
            Some(&broker.token),
            Some(invite("admin", Some(downtown.to_string()))),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "brokers invite agents and viewers only"
    );
    let (status, _) = s
        .json(
            "POST",
            "/v2/invitations",
            Some(&broker.token),
            Some(invite("agent", Some(uptown.to_string()))),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not the broker's team");
    let (status, created) = s
        .json(
            "POST",
            "/v2/invitations",
            Some(&broker.token),
            Some(invite("agent", Some(downtown.to_string()))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token").to_owned();

    let accept = json!({"token": token, "display_name": "Newt", "password": PASSWORD, "device_name": "phone"});
    let (status, session) = s
        .json("POST", "/v2/auth/accept-invite", None, Some(accept.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    assert_eq!(session["me"]["user"]["role"], "agent");
    assert_eq!(session["me"]["teams"][0]["name"], "Downtown");
    let (status, _) = s
        .json("POST", "/v2/auth/accept-invite", None, Some(accept))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "used once");

    let (_, later) = s
        .json("POST", "/v2/invitations", Some(&broker.token),
              Some(json!({"email": "late@example.com", "role": "viewer", "team_id": downtown.to_string()})))
        .await;
    s.clock.set(now() + chrono::Duration::days(8));
    let (status, _) = s
        .json("POST", "/v2/auth/accept-invite", None,
              Some(json!({"token": later["token"], "display_name": "Late", "password": PASSWORD, "device_name": "x"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "expired");
}

#[tokio::test]
async fn bad_input_gets_specific_errors() {
    let s = TestServer::start().await;
    let cases = [
        (
            json!({"email": "not an email", "password": PASSWORD, "device_name": "x"}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "device_name": "  "}),
            "device name",
        ),
        (
            json!({"email": "a@example.com", "password": "x".repeat(300), "device_name": "x"}),
            "at most",
        ),
        (json!({"email": "a@example.com"}), "password"),
    ];
    for (body, expected) in cases {
        let (status, answer) = s.json("POST", "/v2/auth/login", None, Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["code"], "bad_request");
        assert!(
            answer["message"].as_str().unwrap_or("").contains(expected),
            "{expected}: {answer}"
        );
    }
}
