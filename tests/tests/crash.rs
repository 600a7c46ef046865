//! Crash safety: a writer process (`crash_writer`) is killed with SIGKILL again and again while
//! it writes to one database; after every kill the database must be intact (`PRAGMA
//! integrity_check`) and hold every write the writer had acknowledged, with its content.
//!
//! The kill points come from a seeded RNG; the seed is printed, and `CRASH_SEED=<n> cargo test
//! -p fieldstone-tests --test crash -- --nocapture` replays a run.

use fieldstone_model::{ContactId, NoteId};
use fieldstone_replica::Replica;
use fieldstone_tests::SystemClock;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Kill/reopen cycles per run.
const CYCLES: u64 = 120;
/// At most this many acknowledged writes before a kill.
const MAX_ACKS: usize = 12;
/// At most this long (ms) before a kill, in the cycles killed by time rather than by count.
const MAX_DELAY_MS: u64 = 30;

/// What the writer acknowledged so far, across all its runs.
#[derive(Default)]
struct Acked {
    /// Contact id → given name it was created with.
    created: BTreeMap<ContactId, String>,
    /// Contact id → (run, write number, value) of its last acknowledged family-name edit.
    family: BTreeMap<ContactId, (u64, u64, String)>,
    /// Note id → body.
    notes: BTreeMap<NoteId, String>,
}

impl Acked {
    fn record(&mut self, line: &str) {
        let mut parts = line.splitn(5, ' ');
        let (Some("ACK"), Some(kind), Some(id), Some(field), Some(value)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            panic!("unexpected writer output {line:?}");
        };
        match (kind, field) {
            ("contact", "given_name") => {
                self.created
                    .insert(id.parse().expect("contact id"), value.to_owned());
            }
            ("contact", "family_name") => {
                let (run, n) = run_and_write(value);
                self.family
                    .insert(id.parse().expect("contact id"), (run, n, value.to_owned()));
            }
            ("note", "body") => {
                self.notes
                    .insert(id.parse().expect("note id"), value.to_owned());
            }
            _ => panic!("unexpected writer output {line:?}"),
        }
    }
}

/// `(run, n)` from a value written as `... <run>-<n>` (e.g. `Family 3-17`).
fn run_and_write(value: &str) -> (u64, u64) {
    let tag = value.rsplit(' ').next().expect("tag");
    let (run, n) = tag.split_once('-').expect("run-n tag");
    (run.parse().expect("run"), n.parse().expect("write number"))
}

/// Checks the database after a kill during run `run`.
fn check(path: &Path, acked: &Acked, run: u64) {
    let check = rusqlite::Connection::open(path).expect("open for integrity check");
    let integrity: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(integrity, "ok", "run {run}: database damaged");
    drop(check);

    let replica = Replica::open(path, Arc::new(SystemClock)).expect("reopen after kill");
    for (id, given_name) in &acked.created {
        let contact = replica
            .get_contact(id)
            .expect("read contact")
            .unwrap_or_else(|| panic!("run {run}: acknowledged contact {id} lost"));
        assert_eq!(&contact.given_name, given_name, "run {run}: contact {id}");
    }
    // An edit may have committed without being acknowledged (killed before it printed): then
    // the stored name is a later write of the same run. At most one write per run is in flight.
    let mut unacknowledged_per_run: BTreeMap<u64, usize> = BTreeMap::new();
    for (id, (ack_run, ack_n, value)) in &acked.family {
        let contact = replica
            .get_contact(id)
            .expect("read contact")
            .unwrap_or_else(|| panic!("run {run}: edited contact {id} lost"));
        if &contact.family_name == value {
            continue;
        }
        let (stored_run, stored_n) = run_and_write(&contact.family_name);
        assert!(
            stored_run == *ack_run && stored_n > *ack_n,
            "run {run}: contact {id} lost acknowledged edit {value:?}, has {:?}",
            contact.family_name
        );
        *unacknowledged_per_run.entry(stored_run).or_default() += 1;
    }
    for (r, n) in unacknowledged_per_run {
        assert!(n <= 1, "run {r}: {n} unacknowledged edits committed");
    }
    for (id, body) in &acked.notes {
        let note = replica
            .get_note(id)
            .expect("read note")
            .unwrap_or_else(|| panic!("run {run}: acknowledged note {id} lost"));
        assert_eq!(&note.body, body, "run {run}: note {id}");
    }
    // The read model agrees with the documents: every acknowledged contact is listed.
    let dump = replica.read_model_dump().expect("read model");
    for id in acked.created.keys() {
        let row = format!("contacts: id=Text(\"{id}\")");
        assert!(
            dump.iter().any(|line| line.starts_with(&row)),
            "run {run}: contact {id} missing from the read model"
        );
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let seed = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    println!("crash test seed: {seed} (replay with CRASH_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crash.db");
    let mut acked = Acked::default();
    let mut total = 0usize;

    for run in 0..CYCLES {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
            .arg(&path)
            .arg(run.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn crash_writer");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Half the cycles kill after a number of acknowledged writes (so mid-way through the
        // next one), half after a short delay (sometimes before the database is even open).
        if rng.random_bool(0.5) {
            let acks = rng.random_range(1..=MAX_ACKS);
            for _ in 0..acks {
                let Some(line) = lines.next() else { break };
                acked.record(&line.expect("read writer output"));
                total += 1;
            }
        } else {
            std::thread::sleep(Duration::from_millis(rng.random_range(0..=MAX_DELAY_MS)));
        }
        child.kill().expect("kill crash_writer");
        // Whatever it printed before dying was acknowledged too.
        for line in lines {
            acked.record(&line.expect("read writer output"));
            total += 1;
        }
        let status = child.wait().expect("wait for crash_writer");
        assert!(
            status.code().is_none(),
            "run {run}: crash_writer exited by itself ({status}) instead of being killed"
        );
        check(&path, &acked, run);
    }
    println!(
        "{CYCLES} kills, {total} acknowledged writes ({} contacts, {} edited, {} notes)",
        acked.created.len(),
        acked.family.len(),
        acked.notes.len()
    );
    assert!(total > 0, "the writer never acknowledged a write");
}
