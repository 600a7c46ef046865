//! The table of commands served in process (`Api::dispatch`): every command in the table
//! answers by its name, with its request read from JSON as the window sends it; nothing else
//! does.

use crate::support::{open, t0};
use fieldstone_model::{Contact, ContactId, ContactInput};
use fieldstone_protocol::commands::{CommandErrorCode, ContactDetail};
use fieldstone_protocol::table::COMMAND_NAMES;
use serde_json::json;

/// `(name, takes a request)` for every command, from the table itself.
fn commands() -> Vec<(&'static str, bool)> {
    macro_rules! shapes {
        ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
            vec![$( (stringify!($name), !<[&str]>::is_empty(&[$(stringify!($request)),*])) ),+]
        };
    }
    #[allow(unused_imports)] // the types are only stringified
    use fieldstone_protocol::table::types::*;
    fieldstone_protocol::app_commands!(shapes)
}

#[tokio::test]
async fn every_command_in_the_table_is_served_by_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let commands = commands();
    assert_eq!(commands.len(), COMMAND_NAMES.len());
    for (name, takes_request) in commands {
        // No command's request is a bare boolean: those with one refuse it as unreadable,
        // which proves the request reached the command's own decoder; those without one run.
        let answer = app.api.dispatch(name, json!(true)).await;
        if takes_request {
            let error = answer.expect_err(name);
            assert_eq!(
                error.code,
                CommandErrorCode::Validation,
                "{name}: {error:?}"
            );
            assert!(error.field("request").is_some(), "{name}: {error:?}");
            assert!(error.message.contains(name), "{name}: {}", error.message);
        } else if let Err(error) = answer {
            assert_ne!(error.code, CommandErrorCode::NotFound, "{name}: {error:?}");
        }
    }
}

#[tokio::test]
async fn a_command_not_in_the_table_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let error = app
        .api
        .dispatch("list_offers", json!({}))
        .await
        .expect_err("no such command");
    assert_eq!(error.code, CommandErrorCode::NotFound);
    assert!(error.message.contains("list_offers"), "{}", error.message);
}

#[tokio::test]
async fn requests_and_answers_cross_as_json_like_the_methods_they_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let input = ContactInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        ..ContactInput::default()
    };
    let created = app
        .api
        .dispatch(
            "create_contact",
            serde_json::to_value(&input).expect("json"),
        )
        .await
        .expect("create_contact");
    let created: Contact = serde_json::from_value(created).expect("a contact");
    assert_eq!(created.given_name, "Ada");

    let id: ContactId = created.id;
    let through_json: ContactDetail = serde_json::from_value(
        app.api
            .dispatch("get_contact", serde_json::to_value(id).expect("json"))
            .await
            .expect("get_contact"),
    )
    .expect("a contact detail");
    let direct = app.api.get_contact(id).await.expect("direct");
    assert_eq!(through_json, direct);

    // A plain getter answers through the same door.
    let status = app
        .api
        .dispatch("sync_status", json!(null))
        .await
        .expect("sync_status");
    assert_eq!(status["state"], "local_only");
}
