//! Freezes the wire format: these exact bytes must keep (de)serialising the same way.
//! If a test fails, you changed the protocol: add a new version instead of editing the old one.
//! `UPDATE_GOLDEN=1` writes the files anew (only for a new type, never for a frozen one).

use chrono::{TimeZone, Utc};
use fieldstone_model::{DeviceId, OrgId, TeamId, UserId};
use fieldstone_protocol::account::*;
use fieldstone_protocol::codec;
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, DeviceRecords, RecordsAccount, SyncState, SyncStatus,
};
use fieldstone_protocol::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;
use std::path::PathBuf;
use uuid::Uuid;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn frozen(name: &str, produced: &str) -> String {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, produced).expect("write golden");
    }
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 once)", path.display()))
}

/// JSON bodies (account routes, command DTOs).
fn check_json<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: &T) {
    let produced = serde_json::to_string_pretty(value).expect("serialise") + "\n";
    let frozen = frozen(name, &produced);
    assert_eq!(produced, frozen, "{name}: serialised form changed");
    let parsed: T = serde_json::from_str(&frozen).expect("parse golden");
    assert_eq!(&parsed, value, "{name}: parsed value changed");
}

/// Binary sync messages: the postcard bytes as hex, 32 bytes a line.
fn check_binary<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: &T) {
    let bytes = codec::to_postcard(value).expect("serialise");
    let produced: String = bytes
        .chunks(32)
        .map(|line| line.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    let frozen = frozen(name, &produced);
    assert_eq!(produced, frozen, "{name}: wire bytes changed");
    let hex: String = frozen.split_whitespace().collect();
    let parsed_bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    let parsed: T = codec::from_postcard(&parsed_bytes).expect("parse golden");
    assert_eq!(&parsed, value, "{name}: parsed value changed");
    // And through the full body encoding.
    let body = codec::encode(value).expect("encode");
    assert_eq!(&codec::decode::<T>(&body).expect("decode"), value);
}

fn doc_id() -> DocId {
    DocId::new("contact", "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10").expect("valid id")
}

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0d6f_2b9e_33a1_4c1e_9a51_0000_0000_0000 + n)
}

fn user() -> UserId {
    UserId::from_uuid(uuid(1))
}

fn team() -> TeamId {
    TeamId::from_uuid(uuid(2))
}

fn org() -> OrgId {
    OrgId::from_uuid(uuid(3))
}

#[test]
fn push_v2() {
    check_binary(
        "push_request_v2.hex",
        &PushRequest {
            docs: vec![DocPush {
                doc_id: doc_id(),
                changes: vec![vec![0x85, 0x6f, 0x4a, 0x83, 0x00, 0xff], vec![1, 2]],
            }],
        },
    );
    check_binary(
        "push_response_v2.hex",
        &PushResponse {
            accepted: 3,
            duplicates: 1,
            rejected: vec![
                Rejection {
                    doc_id: doc_id(),
                    code: RejectCode::FieldNotAllowed {
                        field: "assigned_agent".into(),
                    },
                    message: "only a broker or admin may reassign".into(),
                    server_doc: Some(vec![9, 8, 7]),
                },
                Rejection {
                    doc_id: doc_id(),
                    code: RejectCode::NotWritable,
                    message: "not yours".into(),
                    server_doc: None,
                },
            ],
        },
    );
}

#[test]
fn pull_v2() {
    let cursors = vec![
        ScopeCursor {
            scope: Scope::User(user()),
            seq: 41,
            base: 41,
        },
        ScopeCursor {
            scope: Scope::Team(team()),
            seq: 0,
            base: 0,
        },
        ScopeCursor {
            scope: Scope::Org(org()),
            seq: 300,
            base: 120,
        },
    ];
    check_binary(
        "pull_request_v2.hex",
        &PullRequest {
            cursors: cursors.clone(),
            max_docs: 500,
        },
    );
    check_binary(
        "pull_response_v2.hex",
        &PullResponse {
            docs: vec![
                DocUpdate {
                    doc_id: doc_id(),
                    snapshot: None,
                    changes: vec![vec![1, 2, 3, 4]],
                },
                DocUpdate {
                    doc_id: DocId::new("note", "x-1").expect("id"),
                    snapshot: Some(vec![5, 6]),
                    changes: vec![],
                },
            ],
            cursors,
            more: true,
        },
    );
}

#[test]
fn pull_v3() {
    // Version 3's answer is version 2's page followed by the documents that are not the
    // caller's own: the page's bytes are exactly version 2's.
    let page = PullResponse {
        docs: vec![DocUpdate {
            doc_id: doc_id(),
            snapshot: Some(vec![5, 6]),
            changes: vec![],
        }],
        cursors: vec![ScopeCursor {
            scope: Scope::Org(OrgId::from_uuid(uuid(7))),
            seq: 3,
            base: 0,
        }],
        more: false,
    };
    let answer = PullResponseV3 {
        page: page.clone(),
        not_mine: vec![doc_id()],
    };
    check_binary("pull_response_v3.hex", &answer);
    let v2 = codec::to_postcard(&page).expect("v2");
    let v3 = codec::to_postcard(&answer).expect("v3");
    assert_eq!(
        &v3[..v2.len()],
        &v2[..],
        "a version 3 answer starts with the version 2 page"
    );
}

#[test]
fn repair_v2() {
    check_binary(
        "repair_request_v2.hex",
        &RepairRequest {
            after: Some(doc_id()),
            last: false,
            docs: vec![DocDigest {
                doc_id: doc_id(),
                heads: [0xab; 16],
            }],
        },
    );
    check_binary(
        "repair_response_v2.hex",
        &RepairResponse {
            differing: vec![DocUpdate {
                doc_id: doc_id(),
                snapshot: Some(vec![1]),
                changes: vec![],
            }],
            unknown: vec![doc_id()],
            forbidden: vec![],
        },
    );
}

#[test]
fn live_and_errors_v2() {
    check_json(
        "live_messages_v2.json",
        &vec![
            LiveMessage::News {
                scope: Scope::Team(team()).to_string(),
                seq: 12,
            },
            LiveMessage::AccessChanged,
            LiveMessage::Revoked,
        ],
    );
    check_json(
        "error_body_v2.json",
        &ErrorBody {
            code: ErrorCode::DeviceRevoked,
            message: "this device was signed out by an administrator".into(),
        },
    );
}

#[test]
fn account_bodies_v2() {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 30, 9, 0, 0)
        .single()
        .expect("time");
    let me = Me {
        user: UserInfo {
            id: user(),
            email: "ada@example.com".into(),
            display_name: "Ada".into(),
            role: Role::Agent,
        },
        org: OrgInfo {
            id: org(),
            name: "Harbour Realty".into(),
        },
        teams: vec![TeamInfo {
            id: team(),
            name: "Downtown".into(),
        }],
    };
    check_json(
        "login_request_v2.json",
        &LoginRequest {
            email: "ada@example.com".into(),
            password: "correct horse".into(),
            device_name: "Ada's laptop".into(),
            org_id: None,
            known_device: None,
        },
    );
    check_json(
        "session_v2.json",
        &Session {
            token: "fst_abc".into(),
            expires_at: at,
            device_id: DeviceId::from_uuid(uuid(4)),
            me: me.clone(),
            known_device: None,
        },
    );
    check_json(
        "device_info_v2.json",
        &DeviceInfo {
            id: DeviceId::from_uuid(uuid(4)),
            user_id: user(),
            name: "Ada's phone".into(),
            created_at: at,
            last_seen_at: Some(at),
            revoked_at: None,
            current: true,
        },
    );
    check_json(
        "invite_request_v2.json",
        &InviteRequest {
            email: "bob@example.com".into(),
            role: Role::Broker,
            team_id: Some(team()),
        },
    );
}

/// `GET /v2/org/usage` as the server writes it: a capped allowance and one with no cap (`null`).
#[test]
fn org_usage_v2() {
    check_json(
        "org_usage_v2.json",
        &OrgUsage {
            plan: "starter".into(),
            plan_label: "Starter".into(),
            time_zone: "Europe/Paris".into(),
            period: "2026-12".into(),
            resets_at: Utc
                .with_ymd_and_hms(2026, 12, 31, 23, 0, 0)
                .single()
                .expect("time"),
            meters: vec![
                MeterUsage {
                    meter: "sms".into(),
                    label: "text messages".into(),
                    allowance: Some(500),
                    used: 120,
                    used_by_me: 40,
                },
                MeterUsage {
                    meter: "emails".into(),
                    label: "emails".into(),
                    allowance: None,
                    used: 0,
                    used_by_me: 0,
                },
            ],
        },
    );
}

/// `POST /v2/calls` and its answer as the server reads and writes them, and what the app's
/// `place_call` answers the window (tagged by `kind`).
#[test]
fn calls_v2() {
    use fieldstone_protocol::calls::{CallPlaced, CallRequest, CallStarted};
    check_json(
        "call_request_v2.json",
        &CallRequest {
            contact: fieldstone_model::ContactId::from_uuid(Uuid::from_u128(7)),
            to: "+1 (415) 555-0100".into(),
            agent_phone: "+15550009999".into(),
        },
    );
    check_json(
        "call_started_v2.json",
        &CallStarted {
            call_sid: "CA0123".into(),
            status: "Your phone will ring; answer it to be connected to Ada King.".into(),
        },
    );
    check_json(
        "call_placed.json",
        &vec![
            CallPlaced::Ringing {
                message: "Ringing your phone…".into(),
            },
            CallPlaced::Refused {
                reason: "Ada King said no to calls.".into(),
            },
            CallPlaced::Dial { hint: None },
        ],
    );
}

#[test]
fn command_dtos() {
    check_json(
        "command_error.json",
        &CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: vec![fieldstone_model::FieldError {
                field: "email".into(),
                message: "not an email address".into(),
            }],
            detail: None,
        },
    );
    check_json(
        "sync_status.json",
        &SyncStatus {
            state: SyncState::Offline,
            pending: 2,
            last_synced_at: None,
            detail: "retrying in 4 s".into(),
            remote_revision: 7,
            progress: None,
        },
    );
    check_json(
        "device_records.json",
        &DeviceRecords {
            shown: Some(RecordsAccount {
                org_name: "Cedar Homes".into(),
                email: "bea@cedar.test".into(),
                server_url: "https://sync.example.com".into(),
            }),
            synced: true,
            apart: vec![RecordsAccount {
                org_name: "Harbour Realty".into(),
                email: "ada@harbour.test".into(),
                server_url: "https://sync.example.com".into(),
            }],
            note: Some("You are signed in to Cedar Homes.".into()),
        },
    );
    // Never signed in: nothing shown but this device's own records, nothing to say.
    check_json(
        "device_records_local.json",
        &DeviceRecords {
            shown: None,
            synced: false,
            apart: vec![],
            note: None,
        },
    );
}

#[test]
fn bad_doc_ids_and_truncated_bodies_are_rejected_with_reasons() {
    let mut bytes = codec::to_postcard(&PushRequest {
        docs: vec![DocPush {
            doc_id: doc_id(),
            changes: vec![vec![1, 2, 3]],
        }],
    })
    .expect("serialise");
    // Corrupt the document id's first byte: 'c' -> 'C' is not a valid kind.
    let at = bytes.iter().position(|b| *b == b'c').expect("id byte");
    bytes[at] = b'C';
    // (postcard drops serde's custom message, so the reason is generic; the id is still refused)
    let err = codec::from_postcard::<PushRequest>(&bytes).expect_err("rejected");
    assert!(matches!(err, codec::CodecError::Message(_)), "{err}");

    let good = codec::to_postcard(&PullRequest {
        cursors: vec![],
        max_docs: 10,
    })
    .expect("serialise");
    assert!(codec::from_postcard::<PullRequest>(&good[..good.len() - 1]).is_err());
}
