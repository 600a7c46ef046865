//! Server memory while emails queue up: a real server on a loopback port (SQLite store in a temp
//! dir) whose relay cannot be reached, so nothing leaves; a device pushes 100,000 emails through
//! the sync API in batches, and the process's resident memory (VmRSS) is read every 10,000.
//! The dispatcher runs as in production (each push's news wakes it; every attempt fails at the
//! closed port and is put off until later), so what it holds per waiting message is counted too.
//! Prints the RSS series and the growth per queued message.
//!
//! A timed run rather than criterion. Run with
//! `cargo bench -p fieldstone-server --bench queue_memory` (`MESSAGES`, `BATCH`, `EVERY`;
//! `RELAY=none` for a server with no email relay and no dispatcher at all).

mod common;

use common::{message_push, secret_key, Harbour, Serving};
use fieldstone_model::{Clock, FixedClock};
use fieldstone_protocol::DocPush;
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::EmailConfig;
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::{Duration, Instant};

// The server binary's allocator, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn dir_kib(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len() / 1024)
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let count = common::env("MESSAGES", 100_000);
    let batch = common::env("BATCH", 500).max(1);
    let every = common::env("EVERY", 10_000).max(batch);
    let relay = std::env::var("RELAY").unwrap_or_else(|_| "down".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");

    // A port nobody listens on: bound, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let at = clock.now();
    let config = if relay == "none" {
        Config::default()
    } else {
        Config {
            email: Some(EmailConfig::new(
                &format!("smtp://127.0.0.1:{closed}"),
                "crm@harbour.test",
            )),
            secret_key: Some(secret_key()),
            ..Config::default()
        }
    };
    let hot_docs = config.limits.hot_docs;
    let harbour = Harbour::open(&data, at);
    let token = harbour.device_token(at);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let state = runtime
        .block_on(async { AppState::new(harbour.store.clone(), config, clock.clone()) })
        .expect("state");
    runtime.block_on(async {
        let server = Serving::start(state).await;
        let base = server.base.clone();
        let http = reqwest::Client::new();
        println!(
            "{count} emails pushed {batch} a request with the relay {}; hot_docs {hot_docs}",
            if relay == "none" {
                "not configured (no dispatcher)"
            } else {
                "unreachable (the dispatcher tries each and puts it off)"
            }
        );
        let started = Instant::now();
        let base_rss = rss_kib();
        println!("queued {:>7}: RSS {:>7} KiB", 0, base_rss);
        let mut series = vec![(0usize, base_rss)];
        let mut pushed = 0;
        while pushed < count {
            let n = batch.min(count - pushed);
            let docs: Vec<DocPush> = (0..n)
                .map(|i| {
                    let subject = format!("Three homes near the park ({})", pushed + i);
                    message_push(&harbour.email(&subject, at))
                })
                .collect();
            common::push(&http, &base, &token, docs).await;
            pushed += n;
            if pushed % every == 0 || pushed == count {
                let rss = rss_kib();
                println!(
                    "queued {pushed:>7}: RSS {rss:>7} KiB  (store {:>7} KiB, {:.0} s)",
                    dir_kib(&data),
                    started.elapsed().as_secs_f64()
                );
                series.push((pushed, rss));
            }
        }
        // The dispatcher keeps working through the backlog after the pushes stop.
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_secs(5)).await;
            println!(
                "after     +{:>3} s: RSS {:>7} KiB",
                started.elapsed().as_secs(),
                rss_kib()
            );
        }
        let (first_n, first) = series[1.min(series.len() - 1)];
        let (last_n, last) = *series.last().expect("one");
        if last_n > first_n {
            println!(
                "growth from {first_n} to {last_n} queued: {} KiB, {:.0} bytes a queued message",
                last as i64 - first as i64,
                (last as f64 - first as f64) * 1024.0 / (last_n - first_n) as f64
            );
        }
        server.stop().await;
    });
}
