//! Lead intake with routing, end to end: a real server on a loopback port (SQLite store in a
//! temp dir) holding Harbour with `EXISTING` contacts already (what dedupe and the routing
//! workload count read), `AGENTS` agents with profiles and one best-agent rule, and an intake
//! key. `LEADS` new leads (each a new person) are posted to `POST /v2/intake/leads` by
//! `CLIENTS` HTTP clients side by side. Prints leads per second (HTTP, dedupe, routing and the
//! stored contact, interaction and note included) and each request's latency; then checks that
//! every lead was created and routed to an agent.
//!
//! A timed run rather than criterion. Run with `cargo bench -p fieldstone-server --bench intake`
//! (`LEADS`, `EXISTING`, `AGENTS`, `CLIENTS` for other sizes).

mod common;

use common::{env, ms, percentile, put, secret_key, signed_in, Harbour, Serving};
use fieldstone_model::{Clock, FixedClock, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_server::config::Config;
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let leads = env("LEADS", 2_000);
    let existing = env("EXISTING", 1_000);
    let agents = env("AGENTS", 10).max(1);
    let clients = env("CLIENTS", 4).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let at = chrono::Utc::now();
    let h = Harbour::open(dir.path(), at);

    // The organisation's contacts before the run, written as devices would have pushed them.
    let areas = ["Central", "North", "South", "East", "West"];
    h.seed_contacts(existing, at);
    let (_, admin) = signed_in(&h, "admin@harbour.test", Role::Admin, at);
    let team: Vec<UserId> = (0..agents)
        .map(|n| signed_in(&h, &format!("agent{n}@harbour.test"), Role::Agent, at).0)
        .collect();
    let key = fieldstone_server::intake::keys::create(h.store.as_ref(), h.org, "bench", None, at)
        .expect("key")
        .key;

    let mut config = Config {
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    config.intake.leads_per_key_per_minute = 1_000_000;
    config.intake.leads_per_ip_per_minute = 1_000_000;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(at));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(h.store.clone(), config, clock) })
        .expect("state");
    runtime.block_on(async move {
        let serving = Serving::start(state).await;
        let base = serving.base.clone();
        let http = reqwest::Client::new();
        for (n, agent) in team.iter().enumerate() {
            let profile = serde_json::json!({
                "active": true, "max_open_leads": fieldstone_model::routing::CAPACITY_MAX,
                "areas": [areas[n % areas.len()]],
            });
            put(&http, &base, &admin, &format!("/v2/org/agents/{agent}/profile"), profile).await;
        }
        let rules = serde_json::json!({"rules": [{"name": "best", "strategy": {"kind": "best_agent"}}]});
        put(&http, &base, &admin, "/v2/org/routing", rules).await;

        let started = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, base, key) = (http.clone(), base.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let mut took = Vec::new();
                for n in (c..leads).step_by(clients) {
                    let body = serde_json::json!({
                        "event_id": format!("bench-{n}"), "source": "website",
                        "person": {"first_name": format!("Lead {n}"), "emails": [format!("lead{n}@example.com")]},
                        "property": {"address": format!("{n} High St"), "area": areas[n % areas.len()], "price": 400_000}
                    });
                    let sent = Instant::now();
                    let answer = http
                        .post(format!("{base}/v2/intake/leads"))
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await
                        .expect("post");
                    assert_eq!(answer.status(), reqwest::StatusCode::CREATED);
                    took.push(sent.elapsed());
                }
                took
            }));
        }
        let mut took: Vec<Duration> = Vec::new();
        for task in tasks {
            took.extend(task.await.expect("client"));
        }
        let wall = started.elapsed();
        took.sort();
        println!(
            "intake: {leads} leads ({existing} contacts already, {agents} agents, best agent), \
             {clients} clients: {:.0} leads/s; a request p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            leads as f64 / wall.as_secs_f64(),
            ms(percentile(&took, 0.5)),
            ms(percentile(&took, 0.99)),
            ms(percentile(&took, 1.0)),
        );
        let routed = reqwest::Client::new()
            .get(format!("{base}/v2/leads/routing"))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("routing")
            .text()
            .await
            .expect("text");
        assert!(routed.contains("best"), "leads were routed: {}", &routed[..routed.len().min(300)]);
        serving.stop().await;
    });
}
