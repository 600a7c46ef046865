//! Reads beside writes: searches, counts and record reads are answered while a long write (a
//! sync page, an import batch) holds the writer, and every read sees what was committed before
//! it began, never what a write has not committed yet.

mod support;

use fieldstone_replica::ReplicaError;
use std::sync::mpsc;
use std::time::Duration;
use support::*;

/// Long enough that only a read stuck behind the held write misses it; the write is let go
/// either way, so a failure ends the test rather than hanging it.
const PATIENCE: Duration = Duration::from_secs(60);

#[test]
fn a_search_and_its_counts_are_answered_while_a_write_is_in_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = &open(&dir.path().join("r.db"), &clock);
    let grace = replica
        .create_contact(&person("Grace", "Hopper"), user())
        .expect("create");

    let (started, write_started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let (answered, answers) = mpsc::channel();
    std::thread::scope(|s| {
        // The writer: one contact created, then held uncommitted until the reads are done.
        s.spawn(move || {
            replica
                .batch(|b| {
                    b.create_contact(&person("Ada", "Lovelace"), user())?;
                    started.send(()).expect("test waits");
                    let _ = released.recv_timeout(PATIENCE);
                    Ok::<_, ReplicaError>(())
                })
                .expect("the held write commits");
        });
        write_started.recv().expect("the write began");

        s.spawn(move || {
            let names = all_names(replica);
            let counts = replica.stage_counts(&query()).expect("counts");
            let read = replica.get_contact(&grace.id).expect("read");
            answered
                .send((names, counts.iter().map(|(_, n)| n).sum::<u64>(), read))
                .expect("test waits");
        });
        let answer = answers.recv_timeout(PATIENCE);
        release.send(()).expect("writer waits");
        let (names, counted, read) = answer.expect("the reads waited for the write to finish");
        // What the write has not committed is not seen: only Grace.
        assert_eq!(names, ["Grace Hopper"]);
        assert_eq!(counted, 1);
        assert_eq!(read.map(|c| c.id), Some(grace.id));
    });

    // Once committed, the next read sees it.
    let mut names = all_names(replica);
    names.sort();
    assert_eq!(names, ["Ada Lovelace", "Grace Hopper"]);
}

fn all_names(replica: &fieldstone_replica::Replica) -> Vec<String> {
    display_names(&replica.list_contacts(&query()).expect("list").items)
}

#[test]
fn what_a_write_returned_is_in_the_very_next_search() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let replica = open(&dir.path().join("r.db"), &clock);
    for i in 0..20 {
        let name = format!("Person{i}");
        replica
            .create_contact(&person(&name, "Example"), user())
            .expect("create");
        // Readers are taken in turn: each one must see every commit made before the read.
        for _ in 0..4 {
            assert!(
                search(&replica, &name)
                    .iter()
                    .any(|n| n == &format!("{name} Example")),
                "{name} missing right after it was saved"
            );
            assert_eq!(
                replica
                    .stage_counts(&query())
                    .expect("counts")
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<u64>(),
                i + 1
            );
        }
    }
}
