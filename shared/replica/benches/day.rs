//! The engine's part of the agent's day at 100k contacts (issue 13): the queries behind Today
//! (who to call now, new leads, recent activity, follow-ups due), the pipeline's per-stage
//! counts and budget sums, the first timeline page of a contact with 500 events, and the
//! duplicate groups (which the app computes in the background).
//!
//! `cargo bench -p fieldstone-replica --bench day` (release). `FIELDSTONE_BENCH_SIZES=10000`
//! for a quick look. Prints percentiles; nothing is asserted.

mod fixture;

use fieldstone_model::{
    Channel, Direction, FixedClock, InteractionInput, NoteInput, RecordRef, Stage,
};
use fieldstone_replica::{ContactQuery, ContactSort, Replica, SortField, TimeRange};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

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

fn time(label: &str, n: usize, runs: usize, mut f: impl FnMut()) {
    let mut values: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            ms(start.elapsed())
        })
        .collect();
    values.sort_by(f64::total_cmp);
    println!(
        "{label} at {n}: n={runs} p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(&values, 50.0),
        percentile(&values, 95.0),
        values[values.len() - 1]
    );
}

fn open_stages() -> Vec<Stage> {
    vec![Stage::Lead, Stage::Qualified, Stage::Showing, Stage::Offer]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    for n in sizes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = fixture::copy(n, dir.path());
        let clock = Arc::new(FixedClock::new(fixture::t0()));
        let r = Replica::open(&path, clock).expect("open");
        // A contact with 500 timeline events, as the contact-screen figure needs.
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
        let busy = r
            .create_contact(&fixture::contact_input(n + 1, &mut rng), fixture::user())
            .expect("busy");
        r.batch(|b| {
            for i in 0..250 {
                b.create_note(
                    &NoteInput {
                        record: RecordRef::Contact(busy.id),
                        body: format!("Viewing note {i}"),
                        pinned: false,
                    },
                    fixture::user(),
                )?;
                b.log_interaction(
                    &InteractionInput {
                        contact: busy.id,
                        listing: None,
                        channel: Channel::Call,
                        direction: Direction::Outbound,
                        summary: format!("Call {i}"),
                        outcome: None,
                        duration_seconds: Some(60),
                        occurred_at: fixture::t0() - chrono::Duration::hours(i),
                    },
                    fixture::user(),
                )?;
            }
            Ok(())
        })
        .expect("500 events");

        let rows = 6;
        time("Today: the whole set of queries", n, RUNS, || {
            let hot = r
                .list_contacts(&ContactQuery {
                    stages: open_stages(),
                    min_score: Some(fieldstone_protocol::commands::HOT_SCORE),
                    sort: ContactSort {
                        field: SortField::Score,
                        descending: true,
                    },
                    limit: rows,
                    ..ContactQuery::default()
                })
                .expect("hot");
            let never = r
                .list_contacts(&ContactQuery {
                    stages: open_stages(),
                    sort: ContactSort {
                        field: SortField::LastContacted,
                        descending: false,
                    },
                    limit: rows,
                    ..ContactQuery::default()
                })
                .expect("never");
            let new = r
                .list_contacts(&ContactQuery {
                    stages: vec![Stage::Lead],
                    created: TimeRange {
                        from: Some(fixture::t0() - chrono::Duration::days(7)),
                        to: None,
                    },
                    sort: ContactSort {
                        field: SortField::Created,
                        descending: true,
                    },
                    limit: rows,
                    ..ContactQuery::default()
                })
                .expect("new");
            let activity = r.recent_activity(rows).expect("activity");
            let due = r
                .tasks_due(fixture::t0() + chrono::Duration::days(1))
                .expect("due");
            black_box((hot, never, new, activity, due));
        });
        time(
            "Today: hot (score ≥ 70, open stages, best first)",
            n,
            RUNS,
            || {
                black_box(
                    r.list_contacts(&ContactQuery {
                        stages: open_stages(),
                        min_score: Some(fieldstone_protocol::commands::HOT_SCORE),
                        sort: ContactSort {
                            field: SortField::Score,
                            descending: true,
                        },
                        limit: rows,
                        ..ContactQuery::default()
                    })
                    .expect("hot"),
                );
            },
        );
        time(
            "Today: least recently contacted, open stages",
            n,
            RUNS,
            || {
                black_box(
                    r.list_contacts(&ContactQuery {
                        stages: open_stages(),
                        sort: ContactSort {
                            field: SortField::LastContacted,
                            descending: false,
                        },
                        limit: rows,
                        ..ContactQuery::default()
                    })
                    .expect("never"),
                );
            },
        );
        time("Today: recent activity alone", n, RUNS, || {
            black_box(r.recent_activity(rows).expect("activity"));
        });
        time("pipeline: per-stage counts and budgets", n, RUNS, || {
            black_box(r.stage_totals(&ContactQuery::default()).expect("totals"));
        });
        time(
            "contact: first timeline page of 500 events",
            n,
            RUNS,
            || {
                black_box(r.timeline(&busy.id, 50, None).expect("timeline"));
                black_box(r.get_contact(&busy.id).expect("contact"));
                black_box(r.next_task_for(&busy.id.to_string()).expect("next"));
            },
        );
        time("duplicate groups (500 groups)", n, 5, || {
            black_box(r.find_duplicates(500).expect("groups"));
        });
    }
}
