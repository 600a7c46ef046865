//! Rescoring every contact's lead score in the read model (issue 15: 100k contacts in ≤ 5 s on
//! 2 cores): the engine's batched pass (`Replica::rescore_all`), which runs when the engine
//! opens and when the day changes. Three cases: nothing moved (the usual daily pass), the day
//! moved on (recency decays for some), and every score stale (every row written).
//!
//! `cargo bench -p fieldstone-replica --bench score_rescore` (release).
//! `FIELDSTONE_BENCH_SIZES=10000` for a quick look. Prints percentiles; nothing is asserted.

mod fixture;

use chrono::Duration as Days;
use fieldstone_model::FixedClock;
use fieldstone_replica::Replica;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn sizes() -> Vec<usize> {
    std::env::var("FIELDSTONE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Times `runs` passes; `before` prepares each one (outside the timing).
fn time(label: &str, n: usize, r: &Replica, mut before: impl FnMut(usize)) {
    let mut changed = 0;
    let mut values: Vec<f64> = (0..RUNS)
        .map(|run| {
            before(run);
            let start = Instant::now();
            let report = r.rescore_all().expect("rescore");
            let took = ms(start.elapsed());
            assert_eq!(report.contacts, n, "every contact is scored");
            changed += report.changed;
            took
        })
        .collect();
    values.sort_by(f64::total_cmp);
    println!(
        "{label} at {n}: n={RUNS} p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms ({} scores changed per pass on average)",
        percentile(&values, 50.0),
        percentile(&values, 95.0),
        values[values.len() - 1],
        changed / RUNS
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    for n in sizes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = fixture::copy(n, dir.path());
        let clock = Arc::new(FixedClock::new(fixture::t0()));
        let start = Instant::now();
        let r = Replica::open(&path, clock.clone()).expect("open");
        println!(
            "open (migration check + rescore) at {n}: {:.0} ms",
            ms(start.elapsed())
        );
        time("rescore, nothing moved", n, &r, |_| {});
        time("rescore, a day later each pass", n, &r, |run| {
            clock.set(fixture::t0() + Days::days(run as i64 + 1));
        });
        let raw = rusqlite::Connection::open(&path).expect("raw");
        raw.busy_timeout(std::time::Duration::from_secs(30))
            .expect("busy");
        time("rescore, every score stale", n, &r, |_| {
            raw.execute("UPDATE contacts SET score = -1", [])
                .expect("stale");
        });
    }
}
