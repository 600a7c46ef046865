//! Messages through the command table as the window sends them: queued with the engine's
//! sentence for each bad field, listed on the contact, withdrawn while they wait.

use crate::support::{open, person, t0, TestApp};
use fieldstone_model::{Message, MessageStatus};
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_protocol::views::MessageSummary;
use serde_json::json;

/// A local app (no server) with one contact, Ada.
async fn app_with_ada() -> (tempfile::TempDir, TestApp, fieldstone_model::Contact) {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let ada = app
        .api
        .create_contact(person("Ada", "King", "ada@example.com"))
        .await
        .expect("ada");
    (dir, app, ada)
}

#[tokio::test]
async fn a_message_is_queued_listed_and_withdrawn_through_the_table() {
    let (_dir, app, ada) = app_with_ada().await;
    let answer = app
        .api
        .dispatch(
            "queue_message",
            json!({
                "contact": ada.id,
                "channel": "email",
                "to": "ada@example.com",
                "subject": "Homes near the park",
                "body": "Hi Ada,\n\nThree homes fit what you asked for."
            }),
        )
        .await
        .expect("queued");
    let message: Message = serde_json::from_value(answer).expect("a message");
    assert_eq!(message.result.status, MessageStatus::Queued);
    // Written by the device's own user (local only here).
    let listed: Vec<MessageSummary> = serde_json::from_value(
        app.api
            .dispatch("contact_messages", json!(ada.id))
            .await
            .expect("list"),
    )
    .expect("rows");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, message.id);

    let withdrawn: Message = serde_json::from_value(
        app.api
            .dispatch("withdraw_message", json!(message.id))
            .await
            .expect("withdraw"),
    )
    .expect("a message");
    assert!(withdrawn.deleted_at.is_some());
}

#[tokio::test]
async fn a_bad_message_answers_with_each_fields_sentence() {
    let (_dir, app, ada) = app_with_ada().await;
    let error = app
        .api
        .dispatch(
            "queue_message",
            json!({
                "contact": ada.id,
                "channel": "sms",
                "to": "call me maybe",
                "subject": "Hello",
                "body": ""
            }),
        )
        .await
        .expect_err("refused");
    assert_eq!(error.code, CommandErrorCode::Validation);
    assert!(error.field("to").is_some(), "{error:?}");
    assert_eq!(
        error.field("subject"),
        Some("A text message has no subject; leave it empty.")
    );
    assert_eq!(error.field("body"), Some("Enter a message."));
    let listed = app.api.contact_messages(ada.id).await.expect("list");
    assert!(listed.is_empty(), "nothing stored");
    let unknown = app
        .api
        .dispatch(
            "queue_message",
            json!({"contact": ada.id, "channel": "fax"}),
        )
        .await
        .expect_err("unreadable");
    assert_eq!(unknown.code, CommandErrorCode::Validation);
}
