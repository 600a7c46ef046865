//! Rescoring 100,000 contacts with the rule score (issue 15: ≤ 5 s on 2 cores).
//!
//! `cargo bench -p fieldstone-model --bench score_rescore` runs criterion (mean with confidence
//! interval) over whole passes of 100k, then prints the p50 and max of ten more passes against
//! the target, the figure docs/BENCHMARKS.md quotes. One thread: a device rescoring its own
//! contacts does not get the second core to itself. `FIELDSTONE_BENCH_CONTACTS=n` for another
//! size.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::Criterion;
use fieldstone_model::score::{rule_score, ScoreInput};
use std::hint::black_box;
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_secs(5);

fn contacts() -> usize {
    std::env::var("FIELDSTONE_BENCH_CONTACTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_773_144_000, 0).expect("a valid time")
}

/// Contacts spread over every branch of the table: each field varies with a different period,
/// so the mix is not one repeated contact.
fn inputs(n: usize) -> Vec<ScoreInput> {
    (0..n)
        .map(|i| ScoreInput {
            has_phone: i % 2 == 0,
            has_email: i % 3 != 0,
            has_full_name: i % 5 != 0,
            has_whatsapp: i % 7 == 0,
            first_message_chars: i % 120,
            has_budget: i % 4 != 0,
            has_preferred_areas: i % 6 < 3,
            has_move_in_date: i % 9 < 4,
            interactions: (i % 8) as u32,
            last_interaction: (i % 11 != 0).then(|| now() - TimeDelta::hours((i % 300) as i64)),
            properties_of_interest: (i % 7) as u32,
        })
        .collect()
}

fn rescore(inputs: &[ScoreInput]) -> u64 {
    inputs
        .iter()
        .map(|input| u64::from(rule_score(black_box(input), now()).points))
        .sum()
}

fn main() {
    let n = contacts();
    let inputs = inputs(n);
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    c.bench_function(&format!("rule_score_{n}_contacts"), |b| {
        b.iter(|| rescore(&inputs))
    });
    c.final_summary();

    let mut passes: Vec<Duration> = (0..10)
        .map(|_| {
            let start = Instant::now();
            black_box(rescore(&inputs));
            start.elapsed()
        })
        .collect();
    passes.sort();
    let (p50, max) = (passes[passes.len() / 2], passes[passes.len() - 1]);
    println!(
        "rescore {n} contacts (rule score, 1 thread): p50 {:.1} ms, max {:.1} ms over {} passes \
         ({:.0} contacts/s); target ≤ {} s: {}",
        p50.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        passes.len(),
        n as f64 / p50.as_secs_f64(),
        TARGET.as_secs(),
        if max <= TARGET { "met" } else { "NOT met" }
    );
}
