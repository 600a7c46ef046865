//! Process memory after opening the 100k-contact database and paging through every contact.
//! `cargo bench -p fieldstone-replica --bench rss`. The fixture is built in a child process, so
//! building it does not count.

mod fixture;

use fieldstone_model::FixedClock;
use fieldstone_replica::{ContactQuery, Replica};
use std::sync::Arc;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::var("FIELDSTONE_BENCH_RSS_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    if std::env::var_os("FIELDSTONE_BENCH_BUILD_ONLY").is_some() {
        fixture::ensure(n);
        return;
    }
    if !fixture::fixture_path(n).exists() {
        let status = std::process::Command::new(std::env::current_exe().expect("exe"))
            .env("FIELDSTONE_BENCH_BUILD_ONLY", "1")
            .status()
            .expect("build fixture");
        assert!(status.success(), "fixture build failed");
    }
    let before = rss_kib();
    let replica = Replica::open(
        &fixture::fixture_path(n),
        Arc::new(FixedClock::new(fixture::t0())),
    )
    .expect("open");
    let opened = rss_kib();
    let mut query = ContactQuery {
        limit: 200,
        ..Default::default()
    };
    let mut seen = 0;
    let mut peak = opened;
    loop {
        let page = replica.list_contacts(&query).expect("page");
        seen += page.items.len();
        peak = peak.max(rss_kib());
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    for text in ["ma", "garden", "555"] {
        replica
            .list_contacts(&ContactQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .expect("search");
    }
    let after = rss_kib();
    assert_eq!(seen, n, "paged through every contact");
    println!("| RSS before open | {} MiB |", before / 1024);
    println!("| RSS after open ({n} contacts) | {} MiB |", opened / 1024);
    println!(
        "| RSS after paging all {seen} contacts + 3 searches (peak) | {} MiB (peak {} MiB) | target ≤ 150 MB |",
        after / 1024,
        peak / 1024
    );
}
