//! Time from a visitor posting the hosted web form to the new contact on the routed agent's
//! online device: a real server on a loopback port (SQLite store in a temp dir) holding Harbour
//! with `EXISTING` contacts, an admin, and agent Ada with a routing profile and one best-agent
//! rule (so every lead is hers). Ada's device is online as the app is: a live-news WebSocket,
//! and on each piece of news a pull from its cursors. A sample is from just before
//! `POST /forms/{org}` to the pull that brings the lead's contact (found by the email posted).
//! One post at a time, `GAP_MS` apart. Prints p50, p90, p99 and the worst.
//!
//! A timed run rather than criterion (each sample waits for the device). Run with
//! `cargo bench -p fieldstone-server --bench form_latency` (`SAMPLES`, `GAP_MS`, `EXISTING`).

mod common;

use common::{env, ms, percentile, put, secret_key, signed_in, Harbour, Serving};
use fieldstone_model::{Clock, FixedClock, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{codec, PullRequest, PullResponse, ScopeCursor};
use fieldstone_server::config::Config;
use fieldstone_server::AppState;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Longest a sample may take before the run fails (the target is 2 s at p99).
const PATIENCE: Duration = Duration::from_secs(30);

/// The agent's device: its session and its cursors, as the app keeps them.
struct Device {
    http: reqwest::Client,
    base: String,
    token: String,
    cursors: Vec<ScopeCursor>,
}

impl Device {
    /// Pulls every page from the cursors; answers the contacts that came, by email, with
    /// whom each is assigned to.
    async fn pull(&mut self) -> Vec<(String, Option<UserId>)> {
        let mut emails = Vec::new();
        loop {
            let request = PullRequest {
                cursors: self.cursors.clone(),
                max_docs: 1000,
            };
            let answer = self
                .http
                .post(format!("{}/v2/sync/pull", self.base))
                .bearer_auth(&self.token)
                .header("content-type", fieldstone_protocol::SYNC_CONTENT_TYPE)
                .body(codec::encode(&request).expect("encode"))
                .send()
                .await
                .expect("pull");
            assert!(answer.status().is_success(), "pull: {}", answer.status());
            let page: PullResponse =
                codec::decode(&answer.bytes().await.expect("body")).expect("decode");
            for doc in &page.docs {
                if doc.doc_id.kind() != fieldstone_doc::contact::KIND {
                    continue;
                }
                let contact = doc
                    .snapshot
                    .as_deref()
                    .and_then(|bytes| fieldstone_doc::load(bytes).ok())
                    .and_then(|d| fieldstone_doc::contact::read(&d).ok());
                if let Some(contact) = contact {
                    let agent = contact.assigned_agent;
                    emails.extend(contact.emails.into_iter().map(|e| (e.address, agent)));
                }
            }
            self.cursors = page.cursors;
            if !page.more {
                return emails;
            }
        }
    }
}

fn main() {
    let samples = env("SAMPLES", 200).max(1);
    let gap = Duration::from_millis(env("GAP_MS", 20) as u64);
    let existing = env("EXISTING", 1_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let at = chrono::Utc::now();
    let h = Harbour::open(dir.path(), at);
    h.seed_contacts(existing, at);
    let (_, admin) = signed_in(&h, "admin@harbour.test", Role::Admin, at);
    let ada = h.owner;
    let ada_token = h.device_token(at);

    let mut config = Config {
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    // Every post comes from this one address.
    config.intake.leads_per_ip_per_minute = 1_000_000;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(h.store.clone(), config, clock) })
        .expect("state");
    let org = h.org;
    runtime.block_on(async move {
        let serving = Serving::start(state).await;
        let base = serving.base.clone();
        let http = reqwest::Client::new();
        let profile = serde_json::json!({
            "active": true, "max_open_leads": fieldstone_model::routing::CAPACITY_MAX,
        });
        put(
            &http,
            &base,
            &admin,
            &format!("/v2/org/agents/{ada}/profile"),
            profile,
        )
        .await;
        let rules =
            serde_json::json!({"rules": [{"name": "best", "strategy": {"kind": "best_agent"}}]});
        put(&http, &base, &admin, "/v2/org/routing", rules).await;

        // Ada's device: synced up, then online.
        let mut device = Device {
            http: http.clone(),
            base: base.clone(),
            token: ada_token.clone(),
            cursors: Vec::new(),
        };
        device.pull().await;
        let mut request = format!("{}/v2/sync/live", base.replace("http://", "ws://"))
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {ada_token}").parse().expect("header"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("live");
        // A pong proves the server's loop has subscribed: no news is missed after it.
        socket
            .send(Message::Ping(b"ready?".to_vec().into()))
            .await
            .expect("ping");
        while !matches!(socket.next().await, Some(Ok(Message::Pong(_)))) {}

        let mut took = Vec::with_capacity(samples);
        for n in 0..samples {
            let email = format!("visitor{n}@example.com");
            let form: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("given_name", &format!("Visitor {n}"))
                .append_pair("email", &email)
                .append_pair("message", "Is it still available?")
                .append_pair("consent", "yes")
                .finish();
            let sent = Instant::now();
            let post = {
                let http = http.clone();
                let url = format!("{base}/forms/{org}");
                tokio::spawn(async move {
                    http.post(url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(form)
                        .send()
                        .await
                        .expect("post")
                        .status()
                })
            };
            // News, then a pull, until the pull brings the contact (news of the lead's
            // interaction or note may come first or in between).
            let arrived = tokio::time::timeout(PATIENCE, async {
                loop {
                    match socket.next().await {
                        Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                            let came = device.pull().await;
                            if let Some((_, agent)) = came.iter().find(|(e, _)| *e == email) {
                                assert_eq!(*agent, Some(ada), "the lead was routed to Ada");
                                return sent.elapsed();
                            }
                        }
                        Some(Ok(_)) => {}
                        other => panic!("the live socket ended: {other:?}"),
                    }
                }
            })
            .await
            .expect("the contact reached the device in time");
            took.push(arrived);
            let status = post.await.expect("post task");
            assert!(status.is_success(), "the form post: {status}");
            tokio::time::sleep(gap).await;
            // The lead's other news (its interaction, its note) was for what this pull already
            // brought: dropped, so the next sample waits for its own.
            while let Ok(Some(_)) = tokio::time::timeout(Duration::ZERO, socket.next()).await {}
        }
        took.sort();
        println!(
            "web form → agent's device: {samples} posts ({existing} contacts already, best agent), \
             {} ms apart: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            gap.as_millis(),
            ms(percentile(&took, 0.5)),
            ms(percentile(&took, 0.9)),
            ms(percentile(&took, 0.99)),
            ms(percentile(&took, 1.0)),
        );
        serving.stop().await;
    });
}
