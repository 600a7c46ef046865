//! Push, pull, paging, duplicates, bad bodies, live news.

use crate::support::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn push_then_pull_with_duplicates_paging_and_snapshots() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let token = s.token(org, ada);
    let mut devices: Vec<Device> = (0..5).map(|_| Device::create(ada)).collect();
    let pushes: Vec<DocPush> = devices
        .iter_mut()
        .enumerate()
        .map(|(i, d)| d.unsent(&doc_id(i as u32)))
        .collect();
    let answer = s.push(&token, pushes.clone()).await;
    assert_eq!((answer.accepted, answer.duplicates), (5, 0));
    assert!(answer.rejected.is_empty());
    // A retried push (the answer was lost) stores nothing twice.
    let again = s.push(&token, pushes).await;
    assert_eq!((again.accepted, again.duplicates), (0, 5));

    // Pages of two: five documents in three pages, each new to the device, so whole.
    let mut cursors = Vec::new();
    let mut seen = Vec::new();
    loop {
        let page: PullResponse = s
            .sync(
                "/v2/sync/pull",
                &token,
                &PullRequest {
                    cursors: cursors.clone(),
                    max_docs: 2,
                },
            )
            .await
            .expect("pull");
        assert!(page.docs.len() <= 2);
        for doc in &page.docs {
            let snapshot = doc.snapshot.as_deref().expect("new to the device: whole");
            assert_eq!(field(snapshot, "stage").as_deref(), Some("new"));
            seen.push(doc.doc_id.clone());
        }
        cursors = page.cursors;
        if !page.more {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, (0..5).map(doc_id).collect::<Vec<_>>());
    assert_eq!(
        cursors.len(),
        2,
        "the agent reads their own scope and the org's"
    );

    // One edit: the next pull carries just that change, not the document.
    devices[3].set("stage", "won");
    s.push(&token, vec![devices[3].unsent(&doc_id(3))]).await;
    let (docs, cursors) = s.pull_all(&token, cursors).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].doc_id, doc_id(3));
    assert!(docs[0].snapshot.is_none());
    assert_eq!(docs[0].changes.len(), 1);
    // Nothing new: an empty page.
    let (docs, _) = s.pull_all(&token, cursors).await;
    assert!(docs.is_empty());
}

#[tokio::test]
async fn bad_bodies_get_specific_errors_and_store_nothing() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let ada = s.user(org, "ada@example.com", Role::Agent, None);
    let token = s.token(org, ada);
    let post = |body: Vec<u8>, content_type: &'static str| {
        let request = s
            .http
            .post(format!("{}/v2/sync/push", s.url))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body);
        async move {
            let response = request.send().await.expect("send");
            let status = response.status();
            (
                status,
                response
                    .json::<serde_json::Value>()
                    .await
                    .unwrap_or_default(),
            )
        }
    };
    let (status, body) = post(b"{}".to_vec(), "application/json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains(SYNC_CONTENT_TYPE),
        "{body}"
    );
    let (status, body) = post(b"not zstd".to_vec(), SYNC_CONTENT_TYPE).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap_or("").contains("zstd"),
        "{body}"
    );
    // A body that inflates past the decoded limit (a zstd bomb) is refused.
    let bomb = zstd::bulk::compress(&vec![0u8; MAX_DECODED_BYTES + 10], 19).expect("compress");
    let (status, body) = post(bomb, SYNC_CONTENT_TYPE).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("decompresses"),
        "{body}"
    );
    // Over the compressed limit.
    let (status, body) = post(vec![1u8; MAX_REQUEST_BYTES + 1], SYNC_CONTENT_TYPE).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "payload_too_large");

    // Junk bytes in place of a change: that document is refused as malformed, others pass.
    let mut good = Device::create(ada);
    let answer = s
        .push(
            &token,
            vec![
                DocPush {
                    doc_id: doc_id(1),
                    changes: vec![b"junk".to_vec()],
                },
                good.unsent(&doc_id(2)),
            ],
        )
        .await;
    assert_eq!(answer.accepted, 1);
    assert_eq!(answer.rejected.len(), 1);
    assert_eq!(answer.rejected[0].doc_id, doc_id(1));
    assert_eq!(answer.rejected[0].code, RejectCode::Malformed);
    assert!(answer.rejected[0].server_doc.is_none());
    let (docs, _) = s.pull_all(&token, vec![]).await;
    assert!(!has_doc(&docs, &doc_id(1)) && has_doc(&docs, &doc_id(2)));

    // A change whose dependency never arrived: refused, asking for the history.
    let mut device = Device::create(ada);
    let _first = device.unsent(&doc_id(3));
    device.set("stage", "won");
    let second = device.unsent(&doc_id(3));
    let answer = s.push(&token, vec![second]).await;
    assert_eq!(answer.rejected[0].code, RejectCode::MissingDependencies);

    let (status, body) = s
        .sync::<_, PullResponse>(
            "/v2/sync/pull",
            &token,
            &PullRequest {
                cursors: vec![],
                max_docs: 0,
            },
        )
        .await
        .expect_err("zero page");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_teammate_hears_of_a_change_on_the_live_socket() {
    let s = TestServer::start().await;
    let org = s.org("Harbour");
    let team = s.team(org, "Downtown");
    let bea = s.user(org, "bea@example.com", Role::Broker, Some(team));
    let ada = s.user(org, "ada@example.com", Role::Agent, Some(team));
    let broker = s.token(org, bea);
    let agent = s.token(org, ada);

    let mut socket = live(&s, &broker).await;

    let mut device = Device::create(ada);
    s.push(&agent, vec![device.unsent(&doc_id(1))]).await;
    let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("news arrives")
        .expect("open")
        .expect("message");
    let text = message.into_text().expect("text");
    let news: LiveMessage = serde_json::from_str(&text).expect("json");
    assert!(
        matches!(&news, LiveMessage::News { scope, seq } if *scope == Scope::User(ada).to_string() && *seq > 0),
        "{news:?}"
    );

    // Unauthenticated sockets are refused.
    let refused = tokio_tungstenite::connect_async(format!(
        "{}/v2/sync/live",
        s.url.replace("http://", "ws://")
    ))
    .await;
    assert!(refused.is_err());
}
