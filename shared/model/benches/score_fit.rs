//! Fitting one agent's learned score on 10,000 closed outcomes (issue 15: ≤ 2 s).
//!
//! `cargo bench -p fieldstone-model --bench score_fit` runs criterion (mean with confidence
//! interval), then prints the p50 and max of ten more fits against the target, the figure
//! docs/BENCHMARKS.md quotes. The outcomes are synthetic and seeded (the same every run): an
//! agent who wins more with more showings, the rest noise. `FIELDSTONE_BENCH_OUTCOMES=n` for
//! another size. Needs the `learn` feature, which the crate's dev-dependency on itself turns on.

use criterion::Criterion;
use fieldstone_model::score::{fit, LeadFeatures, Outcome};
use fieldstone_model::LeadSource;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_secs(2);

fn outcomes_wanted() -> usize {
    std::env::var("FIELDSTONE_BENCH_OUTCOMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn outcomes(n: usize) -> Vec<Outcome> {
    let mut rng = StdRng::seed_from_u64(15);
    (0..n)
        .map(|_| {
            let showings = rng.random_range(0..=4u32);
            let email_clicks = rng.random_range(0..=4u32);
            let features = LeadFeatures {
                source: LeadSource::ALL[rng.random_range(0..LeadSource::ALL.len())],
                response_hours: rng.random_bool(0.9).then(|| rng.random_range(0.0..48.0)),
                calls: rng.random_range(0..=5),
                emails: rng.random_range(0..=5),
                texts: rng.random_range(0..=5),
                showings,
                bookings: rng.random_range(0..=2),
                property_views: rng.random_range(0..=10),
                email_opens: email_clicks + rng.random_range(0..=4),
                email_clicks,
                budget_fit: rng.random_range(0.0..=1.0),
            };
            let logit = 1.5 * (f64::from(showings) - 2.0);
            let won = rng.random_bool(1.0 / (1.0 + (-logit).exp()));
            Outcome { features, won }
        })
        .collect()
}

fn main() {
    let n = outcomes_wanted();
    let outcomes = outcomes(n);
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    c.bench_function(&format!("fit_{n}_outcomes"), |b| {
        b.iter(|| fit(black_box(&outcomes)).expect("fits"))
    });
    c.final_summary();

    let mut fits: Vec<Duration> = (0..10)
        .map(|_| {
            let start = Instant::now();
            black_box(fit(&outcomes).expect("fits"));
            start.elapsed()
        })
        .collect();
    fits.sort();
    let (p50, max) = (fits[fits.len() / 2], fits[fits.len() - 1]);
    let model = fit(&outcomes).expect("fits");
    println!(
        "fit one agent on {n} outcomes: p50 {:.1} ms, max {:.1} ms over {} fits; target ≤ {} s: \
         {}; top factor: {}",
        p50.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        fits.len(),
        TARGET.as_secs(),
        if max <= TARGET { "met" } else { "NOT met" },
        model
            .top_factors(1)
            .first()
            .map_or("none", |f| f.sentence.as_str())
    );
}
