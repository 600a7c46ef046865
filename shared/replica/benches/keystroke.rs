//! Keystroke → rows, engine only, at 100k contacts: the part of the real-window benchmark
//! (`tests/benches/app.rs`) that the engine decides, for the prefixes that benchmark types.
//!
//! 1. One query at a time, as the window benchmark's `engine` part records them: the page of 50
//!    rows the Contacts screen asks for, then the per-stage counts.
//! 2. As the screen sends them: the page and the counts for the same prefix at once, on two
//!    threads. "rows" is until the page is back, "rows and counts" until both are.
//! 3. The page while the sync client applies pull pages (100 new contacts each, back to back,
//!    on another thread): a page arriving mid-search.
//!
//! `cargo bench -p fieldstone-replica --bench keystroke` (release). `FIELDSTONE_BENCH_SIZES=10000`
//! for a quick look. Prints percentiles; nothing is asserted.

mod fixture;

use fieldstone_model::{ContactInput, FixedClock};
use fieldstone_protocol::DocUpdate;
use fieldstone_replica::{ContactQuery, Replica};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;
/// Rows per page, as the Contacts screen asks.
const PAGE: u32 = 50;
/// Contacts per pull page in part 3, and how many pages are prepared.
const PULL_PAGE: usize = 100;
const PULL_PAGES: usize = 120;
/// Between keystrokes in part 3, so the searches spread over the pages being applied.
const GAP: Duration = Duration::from_millis(10);

fn sizes() -> Vec<usize> {
    std::env::var("FIELDSTONE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000])
}

fn prefixes() -> Vec<String> {
    fixture::SEARCH_WORDS
        .iter()
        .flat_map(|word| {
            let chars: Vec<char> = word.chars().collect();
            (1..=chars.len())
                .map(|i| chars[..i].iter().collect())
                .collect::<Vec<String>>()
        })
        .collect()
}

fn query(search: &str) -> ContactQuery {
    ContactQuery {
        search: Some(search.into()),
        limit: PAGE,
        ..Default::default()
    }
}

fn open(path: &std::path::Path) -> Replica {
    Replica::open(path, Arc::new(FixedClock::new(fixture::t0()))).expect("open")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Prints p50/p95/max and the slowest prefixes (worst of the rounds).
fn report(label: &str, samples: &[(String, f64)]) {
    let mut values: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    values.sort_by(f64::total_cmp);
    let mut worst: Vec<(String, f64)> = Vec::new();
    for (text, v) in samples {
        match worst.iter_mut().find(|(t, _)| t == text) {
            Some(slot) => slot.1 = slot.1.max(*v),
            None => worst.push((text.clone(), *v)),
        }
    }
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    let slowest: Vec<String> = worst
        .iter()
        .take(5)
        .map(|(t, v)| format!("{t:?} {v:.1}"))
        .collect();
    println!(
        "| {label} | {} | {:.1} | {:.1} | {:.1} | {} |",
        values.len(),
        percentile(&values, 50.0),
        percentile(&values, 95.0),
        values[values.len() - 1],
        slowest.join(", ")
    );
}

/// Part 1: one query at a time.
fn sequential(replica: &Replica) {
    let (mut rows, mut counts) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for text in prefixes() {
            let q = query(&text);
            let t = Instant::now();
            black_box(replica.list_contacts(&q).expect("list"));
            rows.push((text.clone(), ms(t.elapsed())));
            let t = Instant::now();
            black_box(replica.stage_counts(&q).expect("counts"));
            counts.push((text, ms(t.elapsed())));
        }
    }
    report("one at a time: page of 50", &rows);
    report("one at a time: stage counts", &counts);
}

/// Part 2: the page and the counts sent at once.
fn at_once(replica: &Replica) {
    let (mut rows, mut both) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for text in prefixes() {
            let q = query(&text);
            let start = Barrier::new(2);
            let (rows_took, both_took) = std::thread::scope(|s| {
                let counts = s.spawn(|| {
                    start.wait();
                    black_box(replica.stage_counts(&q).expect("counts"));
                    Instant::now()
                });
                start.wait();
                let t = Instant::now();
                black_box(replica.list_contacts(&q).expect("list"));
                let rows_done = Instant::now();
                let counts_done = counts.join().expect("counts thread");
                (rows_done - t, rows_done.max(counts_done) - t)
            });
            rows.push((text.clone(), ms(rows_took)));
            both.push((text, ms(both_took)));
        }
    }
    report("at once: keystroke → rows", &rows);
    report("at once: keystroke → rows and counts", &both);
}

/// Pull pages of new contacts made on another device.
fn pull_pages(dir: &std::path::Path) -> Vec<Vec<DocUpdate>> {
    let other = open(&dir.join("other.db"));
    other
        .batch(|b| {
            for i in 0..PULL_PAGE * PULL_PAGES {
                b.create_contact(
                    &ContactInput {
                        given_name: format!("Synced {i}"),
                        family_name: "Arrival".into(),
                        ..ContactInput::default()
                    },
                    fixture::user(),
                )?;
            }
            Ok(())
        })
        .expect("other device's contacts");
    let (docs, _) = other.outbox_batch(usize::MAX, usize::MAX).expect("outbox");
    let updates: Vec<DocUpdate> = docs
        .into_iter()
        .map(|d| DocUpdate {
            doc_id: d.doc_id,
            snapshot: None,
            changes: d.changes,
        })
        .collect();
    updates.chunks(PULL_PAGE).map(<[_]>::to_vec).collect()
}

/// Part 3: the page while pull pages are applied back to back.
fn during_sync(n: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let replica = open(&fixture::copy(n, dir.path()));
    let pages = pull_pages(dir.path());
    for text in prefixes() {
        replica.list_contacts(&query(&text)).expect("warm");
    }
    let (done, syncing) = (AtomicBool::new(false), AtomicBool::new(true));
    let applied = AtomicUsize::new(0);
    let mut rows = Vec::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            for page in &pages {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                replica.apply_remote(page, None).expect("apply page");
                applied.fetch_add(1, Ordering::Relaxed);
            }
            syncing.store(false, Ordering::Relaxed);
        });
        'typing: for _ in 0..ROUNDS {
            for text in prefixes() {
                let t = Instant::now();
                black_box(replica.list_contacts(&query(&text)).expect("list"));
                let took = ms(t.elapsed());
                // Only keystrokes answered while pages were still arriving count.
                if !syncing.load(Ordering::Relaxed) {
                    break 'typing;
                }
                rows.push((text, took));
                std::thread::sleep(GAP);
            }
        }
        done.store(true, Ordering::Relaxed);
    });
    report(
        &format!(
            "while {} pull pages of {PULL_PAGE} contacts were applied: keystroke → rows",
            applied.load(Ordering::Relaxed)
        ),
        &rows,
    );
}

fn main() {
    // Run only under `cargo bench` (cargo test runs bench targets without --bench; skip then).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    for n in sizes() {
        let replica = open(&fixture::ensure(n));
        // Warm the page cache once, as an app that has been open a while would have.
        for text in prefixes() {
            replica.list_contacts(&query(&text)).expect("warm");
            replica.stage_counts(&query(&text)).expect("warm");
        }
        println!("\n{n} contacts, {} keystrokes × {ROUNDS}", prefixes().len());
        println!("| figure | samples | p50 ms | p95 ms | max ms | slowest (ms) |");
        println!("|---|---|---|---|---|---|");
        sequential(&replica);
        at_once(&replica);
        drop(replica);
        during_sync(n);
    }
}
