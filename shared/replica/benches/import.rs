//! Imports a generated 100,000-row CSV into a fresh database and prints how long it took.
//!
//! A timed run rather than criterion: one import takes many seconds, so criterion's minimum of
//! ten samples plus warm-up would take minutes for no better figure. Run with
//! `cargo bench -p fieldstone-replica --bench import` (`ROWS=n` for another size; `PREFS=1` adds
//! budget, bedrooms, property type and move-in columns, which map onto preferences; `PLAN=1` gives
//! each imported contact the standard follow-up plan, five tasks, as the app does; `KEEP_DB=1`
//! leaves the database in the temp dir for `sqlite3` to inspect).

use fieldstone_model::{FixedClock, FollowUpPlanning, FollowUpSettings, UserId};
use fieldstone_replica::{ImportOptions, Replica};
use std::sync::Arc;
use std::time::Instant;

fn rows() -> usize {
    std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000)
}

fn main() {
    let prefs = std::env::var_os("PREFS").is_some();
    let mut csv = String::from("First Name,Last Name,Email,Mobile,Tags,Stage,Source");
    csv.push_str(if prefs {
        ",Budget,Bedrooms,Property type,Move-in date\r\n"
    } else {
        "\r\n"
    });
    let rows = rows();
    for i in 0..rows {
        csv.push_str(&format!(
            "Given{i},Family{i},person{i}@example.com,+1 555 {:03} {:04},\"buyers;area {}\",{},{}",
            i / 10_000,
            i % 10_000,
            i % 20,
            ["Lead", "Qualified", "Showing"][i % 3],
            ["Zillow", "Open house", "Referral"][i % 3],
        ));
        if prefs {
            csv.push_str(&format!(
                ",\"${}k\",{},{},2027-0{}-15",
                300 + i % 500,
                1 + i % 5,
                ["House", "Condo", "Townhouse"][i % 3],
                1 + i % 9,
            ));
        }
        csv.push_str("\r\n");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = if std::env::var_os("KEEP_DB").is_some() {
        dir.keep()
    } else {
        dir.path().to_owned()
    };
    let clock = Arc::new(FixedClock::new(
        chrono::DateTime::from_timestamp_millis(1_763_700_000_000).expect("time"),
    ));
    let replica = Replica::open(&dir.join("bench.db"), clock).expect("open");
    let owner: UserId = "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("user id");
    let mut options = ImportOptions::new(owner);
    if std::env::var_os("PLAN").is_some() {
        options.follow_up = Some(FollowUpPlanning {
            settings: FollowUpSettings::default(),
            zone: "Europe/Paris".parse().expect("zone"),
        });
    }
    let started = Instant::now();
    let report = replica
        .import_contacts_csv(csv.as_bytes(), &options, &mut |_| {})
        .expect("import");
    let elapsed = started.elapsed();
    assert_eq!(
        report.imported,
        rows as u64,
        "{:?}",
        report.rejected.first()
    );
    let db_bytes = std::fs::metadata(dir.join("bench.db")).map_or(0, |m| m.len());
    println!(
        "import {rows} rows ({:.1} MB CSV), {} follow-ups planned: {:.1} s, {:.0} rows/s, database {:.0} MB",
        csv.len() as f64 / 1e6,
        report.follow_ups_planned,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        db_bytes as f64 / 1e6,
    );
}
