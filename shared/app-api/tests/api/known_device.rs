//! The known-device proof (issue 11, finding 6), for real: a `fieldstone-server` process and
//! gnome-keyring on a private D-Bus session (see `support::in_child`). The first sign-in keeps
//! the proof the server gives in the credential store (nowhere on disk), signing out keeps it,
//! and the next sign-in of the account sends it: while strangers' guesses hold every unknown
//! device of the account back, this one signs in. A proof that is wrong, or that the server
//! cannot read at all, never stops a sign-in; the server's new one replaces it.

use crate::support::{files_containing, in_child, open, t0, Session, TEST_SERVICE};
use fieldstone_app_api::credentials::{Credentials, KnownDevices};
use fieldstone_protocol::commands::SignInRequest;
use fieldstone_tests::{Org, ServerProcess, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;

fn sign_in(url: &str, email: &str) -> SignInRequest {
    SignInRequest {
        server_url: url.to_owned(),
        email: email.to_owned(),
        password: PASSWORD.to_owned(),
        device_name: "Ada's laptop".into(),
        org_id: None,
    }
}

/// A server that takes loopback for its proxy, so a request can say which address it comes
/// from (`X-Forwarded-For`); the app's own requests carry none and come from 127.0.0.1. A few
/// strangers' failures are enough to hold the account's unknown devices back.
fn server_behind_a_proxy(dir: &Path) -> ServerProcess {
    let config = dir.join("server.toml");
    std::fs::write(
        &config,
        "[auth]\ntrusted_proxies = [\"127.0.0.1\"]\nlogin_failures_per_account = 3\n",
    )
    .expect("write the server's configuration");
    let config = config.to_str().expect("a UTF-8 path");
    ServerProcess::start_with_env(dir, "127.0.0.1:0", &[("FIELDSTONE_CONFIG", config)])
}

/// A sign-in by another device, straight to the server, from `from` (or this machine).
async fn login_from(url: &str, from: Option<&str>, email: &str, password: &str) -> StatusCode {
    let mut request = reqwest::Client::new()
        .post(format!("{url}/v2/auth/login"))
        .json(&json!({"email": email, "password": password, "device_name": "not Ada's"}));
    if let Some(from) = from {
        request = request.header("x-forwarded-for", from);
    }
    request.send().await.expect("the server answers").status()
}

fn proof(url: &str, email: &str) -> Option<String> {
    Credentials::new(TEST_SERVICE)
        .load_known_devices(url, email)
        .expect("keyring readable")
        .proof_for(None)
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proof_outlives_sign_out_and_lets_this_device_in_while_strangers_wait() {
    if !in_child(
        "known_device::the_proof_outlives_sign_out_and_lets_this_device_in_while_strangers_wait",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let harbour = Org::create(server_dir.path(), "Harbour");
    harbour.user("ada@harbour.test", "agent", None);
    let server = server_behind_a_proxy(server_dir.path());
    let url = server.url.as_str();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());

    // Typed loosely the first time: kept under the email as the server compares it.
    app.api
        .sign_in(sign_in(url, " Ada@Harbour.TEST "))
        .await
        .expect("first sign-in");
    let first = proof(url, "ada@harbour.test").expect("the proof is kept");
    assert!(first.starts_with("fsk_"), "a known-device proof: {first}");
    assert!(
        files_containing(dir.path(), &first).is_empty(),
        "the proof is nowhere on disk but the keyring"
    );

    app.api.sign_out().await.expect("sign out");
    let credentials = Credentials::new(TEST_SERVICE);
    assert_eq!(credentials.load(url).expect("keyring"), None, "no token");
    assert_eq!(
        proof(url, "ada@harbour.test").as_deref(),
        Some(first.as_str()),
        "the proof stays for the next sign-in"
    );

    // Strangers guess from many places, each under its own address's limit: the account's
    // unknown devices now wait, even with the right password and from this very machine.
    for n in 0..4 {
        let from = format!("203.0.113.{n}");
        let status = login_from(url, Some(&from), "ada@harbour.test", "a wrong guess").await;
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&status),
            "{status}"
        );
    }
    assert_eq!(
        login_from(url, None, "ada@harbour.test", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a device the account does not know waits"
    );

    // This device sent its proof, so it is not held back.
    let account = app
        .api
        .sign_in(sign_in(url, "ada@harbour.test"))
        .await
        .expect("this device signs in while strangers wait");
    assert_eq!(account.session.expect("session").email, "ada@harbour.test");
    // The server hands a proof back unchanged only when it was sent and valid.
    assert_eq!(proof(url, "ada@harbour.test"), Some(first));
    app.api.sign_out().await.expect("sign out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_unreadable_proof_never_stops_a_sign_in_and_is_replaced() {
    if !in_child(
        "known_device::a_wrong_or_unreadable_proof_never_stops_a_sign_in_and_is_replaced",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let harbour = Org::create(server_dir.path(), "Harbour");
    harbour.user("ada@harbour.test", "agent", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let url = server.url.as_str();
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let credentials = Credentials::new(TEST_SERVICE);

    let account = app
        .api
        .sign_in(sign_in(url, "ada@harbour.test"))
        .await
        .expect("first sign-in");
    let org = account.session.expect("session").org.id;
    let first = proof(url, "ada@harbour.test").expect("the proof is kept");
    app.api.sign_out().await.expect("sign out");

    // Well formed but unknown to the server (another server's, or forged): a new device to
    // it, so it signs in and gives a new proof, which replaces the wrong one.
    // Then one the server refuses to read at all (far too long): asked again without it.
    for wrong in [format!("fsk_{}", "A".repeat(43)), "x".repeat(300)] {
        let mut known = KnownDevices::default();
        known.remember(org, wrong.clone());
        credentials
            .save_known_devices(url, "ada@harbour.test", &known)
            .expect("keyring writable");
        app.api
            .sign_in(sign_in(url, "ada@harbour.test"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "a wrong proof ({} bytes) stopped a sign-in: {e:?}",
                    wrong.len()
                )
            });
        let replaced = proof(url, "ada@harbour.test").expect("a proof is kept");
        assert!(replaced.starts_with("fsk_"), "{replaced}");
        assert_ne!(
            replaced, wrong,
            "the server's new proof replaces the wrong one"
        );
        assert_ne!(replaced, first);
        app.api.sign_out().await.expect("sign out");
    }
}
