//! Malformed bytes from elsewhere never panic and never become a stored document that cannot
//! be read again: mutated changes and documents (bit flips, truncation, splices of other valid
//! input, huge varints, a checksum made to fit so the mutation reaches the parser) and random
//! bytes are errors. Automerge 0.12 panics on some of them; `fieldstone_doc` turns those panics
//! into `DocError::Corrupt`.
//!
//! Every crashing or poisoning input found is kept in `corpus/` as a named case that
//! `every_kept_input_is_refused` replays on every run; `cargo run -p fieldstone-doc --example
//! hunt` runs a longer campaign and adds new ones. Replaying a property failure: proptest keeps
//! it in `proptest-regressions/malformed.txt`, replayed first on every run;
//! `PROPTEST_CASES=<n>` runs more cases.

#[allow(dead_code)] // the campaign (`examples/hunt.rs`) uses the rest of it
mod support;

use fieldstone_doc::DocError;
use proptest::prelude::*;
use support::{corpus, mutate, outcome, quiet_automerge_panics, samples, Input, Mutation, Outcome};

/// Cases per property unless `PROPTEST_CASES` says otherwise: a second or two each in debug.
const DEFAULT_CASES: u32 = 1500;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "proptest-regressions/malformed.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, value)| Mutation::SetByte { at, value }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), 1usize..32).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), any::<usize>(), any::<usize>(), 1usize..64).prop_map(
            |(at, from, start, len)| Mutation::Splice {
                at,
                from,
                start,
                len
            }
        ),
        any::<usize>().prop_map(|at| Mutation::HugeVarint { at }),
    ]
}

fn mutated_input() -> impl Strategy<Value = (usize, Vec<Mutation>, bool)> {
    (
        any::<usize>(),
        proptest::collection::vec(mutation(), 1..4),
        any::<bool>(),
    )
}

/// What any outcome must satisfy: an error is `Corrupt` with a reason; a success is a document
/// whose saved bytes load back to the same heads.
fn check(outcome: Outcome) -> Result<(), TestCaseError> {
    match outcome {
        Outcome::Refused(DocError::Corrupt(reason)) => {
            prop_assert!(!reason.is_empty());
        }
        Outcome::Refused(other) => {
            prop_assert!(false, "not reported as corrupt input: {other:?}");
        }
        Outcome::Stored { bytes, mut heads } => {
            let mut again = fieldstone_doc::load(&bytes)
                .map_err(|e| TestCaseError::fail(format!("stored bytes do not load again: {e}")))?;
            let mut found = again.get_heads();
            found.sort();
            heads.sort();
            prop_assert_eq!(found, heads, "stored bytes load to other heads");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// A real change, mutated, applied on top of the changes before it.
    #[test]
    fn mutated_changes_are_errors_or_sound_documents(
        (pick, mutations, fit_checksum) in mutated_input()
    ) {
        quiet_automerge_panics();
        let samples = samples();
        let changes = samples.changes();
        let (base, original) = &changes[pick % changes.len()];
        let bytes = mutate(original, &mutations, fit_checksum, &samples.all_bytes());
        check(outcome(&Input::Change { base: base.clone(), bytes }))?;
    }

    /// A real saved document, mutated, loaded alone and merged into a good one.
    #[test]
    fn mutated_documents_are_errors_or_sound_documents(
        (pick, mutations, fit_checksum) in mutated_input()
    ) {
        quiet_automerge_panics();
        let samples = samples();
        let documents = samples.documents();
        let original = &documents[pick % documents.len()];
        let bytes = mutate(original, &mutations, fit_checksum, &samples.all_bytes());
        check(outcome(&Input::Document { bytes: bytes.clone() }))?;
        let base = documents[(pick + 1) % documents.len()].clone();
        check(outcome(&Input::Merge { base, bytes }))?;
    }

    /// Bytes from nowhere, sometimes behind a chunk's magic number so the parser goes further.
    #[test]
    fn random_bytes_are_errors(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..512),
        magic in any::<bool>(),
    ) {
        quiet_automerge_panics();
        if magic {
            bytes.splice(0..0, [0x85, 0x6f, 0x4a, 0x83]);
        }
        check(outcome(&Input::Change { base: Vec::new(), bytes: bytes.clone() }))?;
        check(outcome(&Input::Document { bytes }))?;
    }
}

/// Every input kept in `corpus/` (each once made Automerge panic, or made a document that could
/// not be loaded again) is refused as corrupt now.
#[test]
fn every_kept_input_is_refused() {
    quiet_automerge_panics();
    let cases = corpus::read_all();
    assert!(
        cases.len() >= 10,
        "the corpus holds the crashers found so far ({} read)",
        cases.len()
    );
    for case in cases {
        match outcome(&case.input) {
            Outcome::Refused(DocError::Corrupt(_)) => {}
            other => panic!("{}: {} — now gives {other:?}", case.name, case.what),
        }
    }
}
