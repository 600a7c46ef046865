//! Fuzz-style property tests on stable Rust (proptest): the sync decoder, the change inspector,
//! change parsing and application, and document loading, fed with mutations of real inputs.
//! Properties: nothing panics out of them, what the inspector counts is what Automerge counts,
//! and whatever would be accepted loads again. Every crashing input found is kept in
//! `tests/regressions/` and replayed by `regressions_stay_refused` (and, through a real server,
//! by the API tests).

use super::guard;
use super::inspect::{craft, inspect, InspectError};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use fieldstone_protocol::{codec, DocId, DocPush, PullRequest, PushRequest, RepairRequest};
use proptest::prelude::*;
use std::path::Path;

/// A document like the app's, and one editing change to it (map, text, list, nested map).
fn base_and_change() -> (AutoCommit, Vec<u8>) {
    let mut base = AutoCommit::new();
    base.put(ROOT, "kind", "contact").expect("put");
    base.put(ROOT, "stage", "new").expect("put");
    let notes = base.put_object(ROOT, "notes", ObjType::Text).expect("text");
    base.splice_text(&notes, 0, 0, "hello world")
        .expect("splice");
    let tags = base.put_object(ROOT, "tags", ObjType::List).expect("list");
    base.insert(&tags, 0, "a").expect("insert");
    base.commit();
    let mut editor = base.fork();
    editor.put(ROOT, "stage", "won").expect("put");
    editor.splice_text(&notes, 3, 2, "XY").expect("splice");
    editor.insert(&tags, 1, 42).expect("insert");
    editor.delete(&tags, 0).expect("delete");
    let address = editor
        .put_object(ROOT, "address", ObjType::Map)
        .expect("map");
    editor.put(&address, "city", "Oslo").expect("put");
    editor.commit();
    let change = editor.get_last_local_change().expect("change");
    (base, change.raw_bytes().to_vec())
}

/// A mutation: (position, byte, how) applied in turn — flip a bit, set a byte, add one,
/// truncate, or duplicate a slice.
fn mutate(bytes: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for &(at, byte, how) in edits {
        if out.is_empty() {
            break;
        }
        let at = at % out.len();
        match how % 5 {
            0 => out[at] ^= 1 << (byte % 8),
            1 => out[at] = byte,
            2 => out[at] = out[at].wrapping_add(1),
            3 => out.truncate(at.max(1)),
            _ => {
                let piece: Vec<u8> = out[at..]
                    .iter()
                    .take(usize::from(byte % 16))
                    .copied()
                    .collect();
                out.splice(at..at, piece);
            }
        }
    }
    out
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..4)
}

const MAX_INFLATED: usize = 1 << 20;
const MAX_OPS: u64 = 100_000;

/// What the push path does with one change to `base`: inspect, parse, apply, prove. `Ok` when
/// it would be accepted, with the saved bytes.
fn accept(base: &mut AutoCommit, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let cost = inspect(bytes, MAX_INFLATED, MAX_OPS).map_err(|e| e.to_string())?;
    let change = guard::parse_change(bytes)?;
    assert_eq!(
        cost.ops,
        change.len() as u64,
        "the inspector counts what Automerge counts"
    );
    let mut fork = base.fork();
    guard::apply(&mut fork, &[change])?;
    guard::save_and_prove(&mut fork)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_changes_are_accepted_only_if_the_result_loads_again(edits in edits()) {
        let (mut base, change) = base_and_change();
        let mutated = mutate(&change, &edits);
        if let Ok(saved) = accept(&mut base, &mutated) {
            prop_assert!(guard::load(&saved).is_ok(), "accepted bytes load");
            // And the stored form (snapshot then change) loads too.
            let mut stored = base.save();
            stored.extend_from_slice(&mutated);
            prop_assert!(guard::load(&stored).is_ok());
        }
    }

    #[test]
    fn mutated_changes_with_their_checksum_fixed_are_caught_further_in(edits in edits()) {
        let (mut base, change) = base_and_change();
        let mutated = craft::fix_checksum(&mutate(&change, &edits));
        if let Ok(saved) = accept(&mut base, &mutated) {
            prop_assert!(guard::load(&saved).is_ok(), "accepted bytes load");
            let mut stored = base.save();
            stored.extend_from_slice(&mutated);
            prop_assert!(guard::load(&stored).is_ok(), "the stored form loads");
        }
    }

    #[test]
    fn mutated_compressed_changes_never_escape_the_inspector(edits in edits()) {
        let bomb = craft::chunk(&craft::op_bomb_body(&[3; 16], 500), 2);
        let mutated = mutate(&bomb, &edits);
        match inspect(&mutated, MAX_INFLATED, MAX_OPS) {
            Ok(cost) => {
                if let Ok(change) = guard::parse_change(&mutated) {
                    prop_assert_eq!(cost.ops, change.len() as u64);
                }
            }
            Err(InspectError::TooBig { .. } | InspectError::TooManyOps { .. } | InspectError::Malformed(_)) => {}
        }
    }

    #[test]
    fn mutated_documents_load_or_fail_but_never_panic(edits in edits()) {
        let (mut base, _) = base_and_change();
        let saved = base.save();
        let _ = guard::load(&mutate(&saved, &edits));
    }

    #[test]
    fn the_sync_decoder_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = codec::decode::<PushRequest>(&bytes);
        let _ = codec::decode::<PullRequest>(&bytes);
        let _ = codec::decode::<RepairRequest>(&bytes);
    }

    #[test]
    fn mutated_sync_bodies_decode_or_fail_clearly(edits in edits()) {
        let (_, change) = base_and_change();
        let doc_id = DocId::new("contact", "0d6f2b9e-33a1-4c1e-9a51-2f0e9d7c1a10").expect("id");
        let push = PushRequest { docs: vec![DocPush { doc_id, changes: vec![change] }] };
        let plain = codec::to_postcard(&push).expect("encode");
        let mutated = mutate(&plain, &edits);
        let body = zstd::bulk::compress(&mutated, 3).expect("compress");
        if let Ok(decoded) = codec::decode::<PushRequest>(&body) {
            for doc in decoded.docs {
                for change in doc.changes {
                    let _ = inspect(&change, MAX_INFLATED, MAX_OPS);
                }
            }
        }
    }
}

/// Every input that once poisoned a document or panicked inside Automerge (found by the
/// mutations above and by an attack on a running server) is still refused.
#[test]
fn regressions_stay_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("regression file");
    let mut base = guard::load(&read("base-doc.bin")).expect("base loads");
    assert!(
        accept(&mut base, &read("good-change.bin")).is_ok(),
        "the unmutated change is fine"
    );
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.starts_with("poison-") || name.starts_with("panic-") {
            let bytes = read(&name);
            assert!(
                accept(&mut base, &bytes).is_err(),
                "{name} would be accepted"
            );
            // With the checksum an attacker would fix up, it is refused further in, or it is
            // a sound change (a mangled checksum was its only fault) whose stored form loads.
            let fixed = craft::fix_checksum(&bytes);
            if accept(&mut base, &fixed).is_ok() {
                let mut stored = base.save();
                stored.extend_from_slice(&fixed);
                assert!(
                    guard::load(&stored).is_ok(),
                    "{name}, fixed up, would poison"
                );
            }
            assert!(
                guard::load(&base.save()).is_ok(),
                "{name} left the base unreadable"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "the regression files are all there ({seen})");
}
