//! The HTTP API against a real listener on port 0 and a real SQLite store in a temp dir.

use automerge::transaction::Transactable;
use automerge::AutoCommit;
use fieldstone_protocol::*;
use fieldstone_server::{auth, AppState, SqliteStore, Store};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

struct TestServer {
    url: String,
    store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(dir.path()).expect("store"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = fieldstone_server::public_url(listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState {
            store: store.clone(),
        };
        tokio::spawn(fieldstone_server::serve(listener, state, async {
            let _ = rx.await;
        }));
        Self {
            url,
            store,
            _dir: dir,
            _shutdown: tx,
        }
    }

    fn account(&self, email: &str) -> String {
        let id = self.store.create_account(email).expect("account");
        let token = auth::new_token();
        self.store
            .add_token(id, &auth::hash_token(&token))
            .expect("token");
        token
    }

    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }
}

fn doc_id(n: u8) -> DocId {
    DocId::new("lead", format!("00000000-0000-0000-0000-0000000000{n:02}")).expect("id")
}

/// Two consecutive changes of one document: (first, second-depending-on-first).
fn two_changes() -> (Vec<u8>, Vec<u8>) {
    let mut doc = AutoCommit::new();
    doc.put(automerge::ROOT, "name", "Ada").expect("put");
    doc.commit();
    let first = doc
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    doc.put(automerge::ROOT, "stage", "offer").expect("put");
    doc.commit();
    let second = doc
        .get_last_local_change()
        .expect("change")
        .raw_bytes()
        .to_vec();
    (first, second)
}

fn push_body(changes: &[(DocId, &[u8])]) -> serde_json::Value {
    serde_json::to_value(PushRequest {
        changes: changes
            .iter()
            .map(|(d, c)| DocChange {
                doc_id: d.clone(),
                change: c.to_vec(),
            })
            .collect(),
    })
    .expect("json")
}

#[tokio::test]
async fn health_needs_no_token_but_sync_does() {
    let server = TestServer::start().await;
    let health = reqwest::get(format!("{}/healthz", server.url))
        .await
        .expect("get");
    assert_eq!(health.status(), StatusCode::OK);
    for token in [None, Some("fst_wrong"), Some("")] {
        let (status, body) = server
            .post("/v1/pull", token, json!({"since": 0, "limit": 10}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(body["code"], "unauthorized");
    }
}

#[tokio::test]
async fn push_then_pull_with_dedup_and_paging() {
    let server = TestServer::start().await;
    let token = server.account("a@example.com");
    let (first, second) = two_changes();
    let body = push_body(&[(doc_id(1), &first), (doc_id(1), &second)]);
    let (status, answer) = server.post("/v1/push", Some(&token), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"accepted": 2, "duplicates": 0}));
    // A retried push (the answer was lost) stores nothing twice.
    let (_, answer) = server.post("/v1/push", Some(&token), body).await;
    assert_eq!(answer, json!({"accepted": 0, "duplicates": 2}));

    let (status, page) = server
        .post("/v1/pull", Some(&token), json!({"since": 0, "limit": 1}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page: PullResponse = serde_json::from_value(page).expect("page");
    assert_eq!(page.entries.len(), 1);
    assert!(page.more);
    assert_eq!(page.entries[0].change, first);
    let (_, rest) = server
        .post(
            "/v1/pull",
            Some(&token),
            json!({"since": page.cursor, "limit": 10}),
        )
        .await;
    let rest: PullResponse = serde_json::from_value(rest).expect("page");
    assert_eq!(rest.entries.len(), 1);
    assert!(!rest.more);
    assert_eq!(rest.entries[0].change, second);
    let (_, empty) = server
        .post(
            "/v1/pull",
            Some(&token),
            json!({"since": rest.cursor, "limit": 10}),
        )
        .await;
    assert_eq!(
        empty,
        json!({"entries": [], "cursor": rest.cursor, "more": false})
    );
}

#[tokio::test]
async fn accounts_never_see_each_others_changes() {
    let server = TestServer::start().await;
    let alice = server.account("alice@example.com");
    let bob = server.account("bob@example.com");
    let (first, _) = two_changes();
    let (status, _) = server
        .post("/v1/push", Some(&alice), push_body(&[(doc_id(1), &first)]))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = server
        .post("/v1/pull", Some(&bob), json!({"since": 0, "limit": 100}))
        .await;
    assert_eq!(page["entries"], json!([]));
    // Bob writing the same document id lands in his own copy, not Alice's.
    let (_, answer) = server
        .post("/v1/push", Some(&bob), push_body(&[(doc_id(1), &first)]))
        .await;
    assert_eq!(answer["accepted"], 1);
}

#[tokio::test]
async fn bad_input_gets_specific_errors_and_stores_nothing() {
    let server = TestServer::start().await;
    let token = server.account("a@example.com");
    let (first, second) = two_changes();

    let cases = [
        (json!({"changes": "nope"}), "changes"),
        (
            json!({"changes": [{"doc_id": "lead:x", "change": "%%%"}]}),
            "invalid base64",
        ),
        (
            json!({"changes": [{"doc_id": "../etc", "change": ""}]}),
            "invalid document id",
        ),
        (
            push_body(&[(doc_id(1), b"not an automerge change")]),
            "rejected",
        ),
        // The second change alone: its dependency never arrived.
        (push_body(&[(doc_id(1), &second)]), "has not received"),
        // One good change and one bad one: all or nothing.
        (
            push_body(&[(doc_id(2), &first), (doc_id(3), b"junk")]),
            "rejected",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = server.post("/v1/push", Some(&token), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["code"], "bad_request");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(expected),
            "{message:?} should mention {expected:?}"
        );
    }
    let (_, page) = server
        .post("/v1/pull", Some(&token), json!({"since": 0, "limit": 100}))
        .await;
    assert_eq!(page["entries"], json!([]), "nothing stored");

    for limit in [0, MAX_PULL_LIMIT + 1] {
        let (status, answer) = server
            .post(
                "/v1/pull",
                Some(&token),
                json!({"since": 0, "limit": limit}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer["message"]
            .as_str()
            .unwrap_or_default()
            .contains("limit"));
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = TestServer::start().await;
    let token = server.account("a@example.com");
    let huge = vec![0u8; MAX_REQUEST_BYTES];
    let (status, answer) = server
        .post("/v1/push", Some(&token), push_body(&[(doc_id(1), &huge)]))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["code"], "payload_too_large");
}
