//! Sign-in and the credential store, for real: a `fieldstone-server` process and
//! gnome-keyring's Secret Service on a private D-Bus session. Each test re-runs itself in a
//! child process set up for it (see `support::in_child`). (Notifications are the shell's: its
//! own tests show a missing notification service is not fatal.)

use crate::support::{eventually, files_containing, in_child, open, t0, Session, TEST_SERVICE};
use fieldstone_app_api::credentials::Credentials;
use fieldstone_model::{ContactInput, OrgId};
use fieldstone_protocol::commands::{CommandErrorCode, ErrorDetail, SignInRequest, SyncState};
use fieldstone_protocol::views::ContactQuery;
use fieldstone_tests::{Org, ServerProcess, PASSWORD};
use std::time::Duration;

fn sign_in(url: &str, email: &str, password: &str, org_id: Option<OrgId>) -> SignInRequest {
    SignInRequest {
        server_url: url.to_owned(),
        email: email.to_owned(),
        password: password.to_owned(),
        device_name: "Test laptop".into(),
        org_id,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_later_keeps_the_token_in_the_keyring_syncs_and_signing_out_keeps_local_data() {
    if !in_child(
        "os::signing_in_later_keeps_the_token_in_the_keyring_syncs_and_signing_out_keeps_local_data",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let org = Org::create(server_dir.path(), "Acme");
    org.user("ada@acme.test", "agent", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");

    let account = {
        let app = open(dir.path(), t0());
        let api = &app.api;
        // Work done before there is an account.
        let before = api
            .create_contact(ContactInput {
                given_name: "Offline".into(),
                ..ContactInput::default()
            })
            .await
            .expect("local contact");
        let wrong = api
            .sign_in(sign_in(
                &server.url,
                "ada@acme.test",
                "wrong password!",
                None,
            ))
            .await
            .expect_err("wrong password");
        assert_eq!(wrong.code, CommandErrorCode::InvalidCredentials);
        let unreachable = api
            .sign_in(sign_in(
                "http://127.0.0.1:9",
                "ada@acme.test",
                PASSWORD,
                None,
            ))
            .await
            .expect_err("no server there");
        assert_eq!(unreachable.code, CommandErrorCode::Offline);

        let account = api
            .sign_in(sign_in(&server.url, "ada@acme.test", PASSWORD, None))
            .await
            .expect("sign in");
        let session = account.session.clone().expect("session");
        assert_eq!(session.email, "ada@acme.test");
        assert_eq!(account.user_id, session.user_id);
        let again = api
            .sign_in(sign_in(&server.url, "ada@acme.test", PASSWORD, None))
            .await
            .expect_err("already signed in");
        assert_eq!(again.code, CommandErrorCode::WrongState);

        let token = Credentials::new(TEST_SERVICE)
            .load(&server.url)
            .expect("keyring readable")
            .expect("token in the keyring");
        assert!(
            files_containing(dir.path(), &token).is_empty(),
            "the token must be nowhere on disk but the keyring"
        );
        api.create_contact(ContactInput {
            given_name: "Online".into(),
            ..ContactInput::default()
        })
        .await
        .expect("contact while signed in");
        eventually(
            "sync up to date with nothing pending",
            Duration::from_secs(20),
            || {
                let status = api.sync_status();
                status.state == SyncState::UpToDate && status.pending == 0
            },
        )
        .await;
        assert!(app
            .events
            .statuses
            .lock()
            .expect("lock")
            .iter()
            .any(|s| s.state == SyncState::UpToDate));
        assert!(api.get_contact(before.id).await.is_ok());
        account
    };

    // A restart: the session comes back from the settings and the keyring.
    let app = open(dir.path(), t0());
    assert_eq!(app.api.account(), account);
    app.api.resume_sync().await;
    eventually(
        "sync resumed after a restart",
        Duration::from_secs(20),
        || app.api.sync_status().state == SyncState::UpToDate,
    )
    .await;

    let out = app.api.sign_out().await.expect("sign out");
    assert!(out.session.is_none());
    assert_eq!(app.api.sync_status().state, SyncState::LocalOnly);
    assert_eq!(
        Credentials::new(TEST_SERVICE)
            .load(&server.url)
            .expect("keyring"),
        None,
        "the token is removed"
    );
    let kept = app
        .api
        .list_contacts(ContactQuery::default())
        .await
        .expect("list");
    assert_eq!(kept.items.len(), 2, "local data stays after signing out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_in_two_organisations_must_choose_one() {
    if !in_child(
        "os::an_email_in_two_organisations_must_choose_one",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let first = Org::create(server_dir.path(), "Acme");
    first.user("sam@both.test", "agent", None);
    let second = Org::create(server_dir.path(), "Beta");
    second.user("sam@both.test", "broker", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let choose = app
        .api
        .sign_in(sign_in(&server.url, "sam@both.test", PASSWORD, None))
        .await
        .expect_err("which organisation?");
    assert_eq!(choose.code, CommandErrorCode::ChooseOrganisation);
    let Some(ErrorDetail::ChooseOrganisation { orgs }) = choose.detail else {
        panic!("no organisations listed: {choose:?}");
    };
    assert_eq!(orgs.len(), 2);
    let beta = orgs
        .iter()
        .find(|o| o.name == "Beta")
        .expect("Beta listed")
        .id;
    let account = app
        .api
        .sign_in(sign_in(&server.url, "sam@both.test", PASSWORD, Some(beta)))
        .await
        .expect("signed in to Beta");
    assert_eq!(account.session.expect("session").org.name, "Beta");
    app.api.sign_out().await.expect("sign out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_credential_store_sign_in_fails_clearly_and_stores_nothing() {
    if !in_child(
        "os::without_a_credential_store_sign_in_fails_clearly_and_stores_nothing",
        Session::NoBus,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let org = Org::create(server_dir.path(), "Acme");
    org.user("ada@acme.test", "agent", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let error = app
        .api
        .sign_in(sign_in(&server.url, "ada@acme.test", PASSWORD, None))
        .await
        .expect_err("no keyring");
    assert_eq!(error.code, CommandErrorCode::NoCredentialStore);
    assert!(error.message.contains("keyring"), "{}", error.message);
    assert!(
        !error.message.contains("unix:") && !error.message.to_lowercase().contains("zbus"),
        "the system's own error stays in the log: {}",
        error.message
    );
    assert!(app.api.account().session.is_none());
    assert_eq!(app.api.sync_status().state, SyncState::LocalOnly);
    // No session was made on the server: the store is checked before signing in.
    assert!(org.device_ids("ada@acme.test", "Test laptop").is_empty());
    // The app goes on working locally.
    app.api
        .create_contact(ContactInput {
            given_name: "Still works".into(),
            ..ContactInput::default()
        })
        .await
        .expect("local work");
}
