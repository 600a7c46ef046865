//! Freezes the wire format: these exact bytes must keep (de)serialising the same way.
//! If a test fails, you changed the protocol: add a new version instead of editing the old one.

use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SyncState, SyncStatus};
use fieldstone_protocol::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;
use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: &T) {
    let path = golden_path(name);
    let produced = serde_json::to_string_pretty(value).expect("serialise") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &produced).expect("write golden");
    }
    let frozen = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 once)", path.display()));
    assert_eq!(produced, frozen, "{name}: serialised form changed");
    let parsed: T = serde_json::from_str(&frozen).expect("parse golden");
    assert_eq!(&parsed, value, "{name}: parsed value changed");
}

fn doc_id() -> DocId {
    DocId::new("lead", "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10").expect("valid id")
}

#[test]
fn push_request_v1() {
    check(
        "push_request_v1.json",
        &PushRequest {
            changes: vec![DocChange {
                doc_id: doc_id(),
                change: vec![0x85, 0x6f, 0x4a, 0x83, 0x00, 0xff],
            }],
        },
    );
}

#[test]
fn push_response_v1() {
    check(
        "push_response_v1.json",
        &PushResponse {
            accepted: 3,
            duplicates: 1,
        },
    );
}

#[test]
fn pull_v1() {
    check(
        "pull_request_v1.json",
        &PullRequest {
            since: 41,
            limit: 500,
        },
    );
    check(
        "pull_response_v1.json",
        &PullResponse {
            entries: vec![FeedEntry {
                seq: 42,
                doc_id: doc_id(),
                change: vec![1, 2, 3, 4],
            }],
            cursor: 42,
            more: false,
        },
    );
}

#[test]
fn error_body_v1() {
    check(
        "error_body_v1.json",
        &ErrorBody {
            code: ErrorCode::Unauthorized,
            message: "missing or invalid bearer token".into(),
        },
    );
}

#[test]
fn command_dtos() {
    check(
        "command_error.json",
        &CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: vec![fieldstone_model::FieldError {
                field: "email".into(),
                message: "not an email address".into(),
            }],
        },
    );
    check(
        "sync_status.json",
        &SyncStatus {
            state: SyncState::Offline,
            pending: 2,
            last_synced_at: None,
            detail: "retrying in 4 s".into(),
            remote_revision: 7,
        },
    );
}

#[test]
fn bad_base64_and_bad_doc_ids_are_rejected_with_reasons() {
    let bad_b64 = r#"{"changes":[{"doc_id":"lead:abc","change":"***"}]}"#;
    let err = serde_json::from_str::<PushRequest>(bad_b64).expect_err("rejected");
    assert!(err.to_string().contains("invalid base64"), "{err}");

    let bad_id = r#"{"changes":[{"doc_id":"../../etc/passwd","change":""}]}"#;
    let err = serde_json::from_str::<PushRequest>(bad_id).expect_err("rejected");
    assert!(err.to_string().contains("invalid document id"), "{err}");
}
