//! MLS replication (issue 17): one run of the MLS job over 10,000 properties with their media
//! metadata, served by the loopback RESO Web API double the API tests use (client-credentials
//! token, `$metadata`, the roster, 400-record pages, the key sweep), written into a fresh
//! SQLite store as listing documents; then a second run with nothing changed. Target ≤ 60 s.
//!
//! A timed run (one run writes thousands of documents). `cargo bench -p fieldstone-server
//! --bench mls_import` (`PROPERTIES=n` for another size).

mod common;
#[path = "../tests/api/reso.rs"]
mod reso;

use common::{secret_key, Harbour};
use fieldstone_model::FixedClock;
use fieldstone_server::config::Config;
use fieldstone_server::providers::{self, ProviderChange, SecretChange};
use fieldstone_server::store::jobs::{JobClaim, JobFinish};
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = common::env("PROPERTIES", 10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time");
        let harbour = Harbour::open(&dir.path().join("data"), at);
        let config = Config {
            secret_key: Some(secret_key()),
            ..Config::default()
        };
        let state = AppState::new(harbour.store.clone(), config, Arc::new(FixedClock::new(at)))
            .expect("state");
        let (_reso, base) = reso::Reso::start(reso::fixture(n), Vec::new()).await;
        let settings = serde_json::json!({
            "base_url": base,
            "originating_system": "Test MLS",
            "token_url": reso::Reso::token_url(&base),
            "client_id": reso::CLIENT_ID,
            "page_size": 1000,
        });
        let row = providers::prepare(
            harbour.store.as_ref(),
            state.providers.sealer(),
            &state.config,
            harbour.org,
            &ProviderChange {
                kind: "mls",
                settings: &settings,
                secret: SecretChange::Set(reso::CLIENT_SECRET),
                by: Some(harbour.owner),
            },
            at,
        )
        .expect("settings");
        harbour
            .store
            .set_provider(harbour.org, &row)
            .expect("provider");
        let claim = JobClaim {
            org: harbour.org,
            kind: "mls".into(),
            key: String::new(),
            attempt: 1,
        };
        for label in ["first run, everything new", "second run, nothing changed"] {
            let started = Instant::now();
            let finish = fieldstone_server::mls::run_job(&state, &claim).await;
            let took = started.elapsed();
            let JobFinish::Later { detail, .. } = &finish else {
                panic!("{finish:?}");
            };
            let saved: fieldstone_server::mls::MlsState =
                serde_json::from_str(detail).expect("state");
            assert!(saved.error.is_none(), "{saved:?}");
            let run = saved.last_run.expect("a run");
            println!(
                "MLS {label}: {n} properties in {:.2} s ({} new, {} updated, {} unchanged, {} refused, {} media records, {} pages)",
                took.as_secs_f64(),
                run.new,
                run.updated,
                run.unchanged,
                run.rejected,
                run.media,
                run.pages
            );
            // The job keeps its state in its row; the bench calls the job directly, so it
            // records the finish the way the runner would.
            harbour
                .store
                .schedule_job(
                    harbour.org,
                    &fieldstone_server::store::jobs::JobSchedule {
                        kind: "mls",
                        key: String::new(),
                        due_at: Some(at),
                    },
                    at,
                )
                .expect("job");
            let taken = harbour
                .store
                .claim_jobs("bench", at, at + chrono::Duration::minutes(5), 1)
                .expect("claim");
            for claim in taken {
                harbour
                    .store
                    .finish_job(&claim, "bench", &finish, at)
                    .expect("finish");
            }
        }
    });
}
