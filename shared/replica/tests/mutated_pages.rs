//! Mutated pull pages never lose what is stored: a page whose edit of a stored document and
//! whose new document are damaged (bit flips, bytes set, truncation, splices; the chunk
//! checksum made to fit so the damage reaches Automerge), next to a good document. Replaying a
//! failure: proptest keeps it in `proptest-regressions/mutated_pages.txt`, replayed first on
//! every run; `PROPTEST_CASES=<n>` runs more cases.

mod support;

use fieldstone_replica::{contact_doc_id, ContactQuery};
use proptest::prelude::*;
use support::remote::*;
use support::*;

#[derive(Debug, Clone)]
enum Damage {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Truncate(usize),
    Splice(usize, usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Damage::FlipBit(at, bit)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, v)| Damage::SetByte(at, v)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), any::<usize>(), 1usize..48)
            .prop_map(|(at, s, n)| Damage::Splice(at, s, n)),
    ]
}

/// `bytes` damaged; with `fit` the chunk checksum is made to match again, so the damage reaches
/// Automerge's parser.
fn damaged(bytes: &[u8], damage: &[Damage], fit: bool, other: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for d in damage {
        let len = out.len().max(1);
        match d {
            Damage::FlipBit(at, bit) if !out.is_empty() => out[at % len] ^= 1 << bit,
            Damage::SetByte(at, v) if !out.is_empty() => out[at % len] = *v,
            Damage::Truncate(at) => out.truncate(at % len),
            Damage::Splice(at, start, n) if !other.is_empty() => {
                let start = start % other.len();
                let end = (start + n).min(other.len());
                let at = at % (out.len() + 1);
                out.splice(at..at, other[start..end].iter().copied());
            }
            _ => {}
        }
    }
    if fit && out.len() > 8 && out[..4] == [0x85, 0x6f, 0x4a, 0x83] {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(&out[8..]);
        out[4..8].copy_from_slice(&hash[..4]);
    }
    out
}

fn config() -> ProptestConfig {
    proptest_config("proptest-regressions/mutated_pages.txt", 40)
}

proptest! {
    #![proptest_config(config())]

    /// A page whose edit of a stored document and whose new document are both damaged, next to
    /// a good one: the page applies, the cursors move, the good one arrives, nothing stored is
    /// lost and everything stored still loads.
    #[test]
    fn mutated_pages_never_lose_what_is_stored(
        edit_damage in proptest::collection::vec(damage(), 1..3),
        new_damage in proptest::collection::vec(damage(), 1..3),
        fit in any::<bool>(),
        whole in any::<bool>(),
    ) {
        quiet_automerge_panics();
        let p = pair();
        let before = p.b.get_contact(&p.ada).expect("get").expect("ada");
        let ada_heads = p.b.doc_heads(&p.ada_doc).expect("heads");
        p.a.update_contact(&p.ada, &person("Ada", "Byron"), user()).expect("edit");
        let mut edit = outbox_updates(&p.a).remove(0);
        p.a.ack_outbox(i64::MAX).expect("ack");
        let cy = p.a.create_contact(&person("Cy", "Young"), user()).expect("cy");
        let cy_doc = contact_doc_id(&cy.id).expect("id");
        let cy_whole = stored_bytes(&p.b_db.with_file_name("a.db"), &cy_doc);
        let mut cy_update = outbox_updates(&p.a).remove(0);
        p.a.ack_outbox(i64::MAX).expect("ack");
        let grace = p.a.create_contact(&person("Grace", "Hopper"), user()).expect("grace");
        let good = outbox_updates(&p.a).remove(0);

        edit.changes[0] = damaged(&edit.changes[0], &edit_damage, fit, &cy_whole);
        if whole {
            cy_update.changes.clear();
            cy_update.snapshot = Some(damaged(&cy_whole, &new_damage, fit, &good.changes[0]));
        } else {
            cy_update.changes[0] = damaged(&cy_update.changes[0], &new_damage, fit, &cy_whole);
        }
        let applied = p.b.apply_remote(&[edit, cy_update, good], Some(&cursors(3)));
        let applied = applied.map_err(|e| TestCaseError::fail(format!("page failed: {e}")))?;
        prop_assert_eq!(p.b.scope_cursors().expect("cursors"), cursors(3));
        prop_assert!(p.b.get_contact(&grace.id).expect("get").is_some(), "the good one arrived");
        // Ada's document still loads: as it was, or with a damaged edit that was still a
        // valid Automerge change (its values may then not make a valid contact: the document
        // is kept, as for any value this build cannot show, and the list keeps her row).
        let heads = p.b.doc_heads(&p.ada_doc);
        prop_assert!(heads.is_ok(), "Ada's document no longer loads: {heads:?}");
        let kept = heads.ok() == Some(ada_heads);
        prop_assert!(p.b.list_contacts(&ContactQuery::default()).expect("list").items.iter().any(|c| c.id == p.ada));
        let quarantined = p.b.quarantined().expect("quarantine");
        prop_assert!(quarantined.iter().all(|q| q.from_server), "nothing of ours set aside");
        prop_assert_eq!(quarantined.len(), applied.set_aside.len());
        if !kept {
            prop_assert!(!quarantined.iter().any(|q| q.doc_id == p.ada_doc.as_str()));
        }
        if kept {
            prop_assert_eq!(p.b.get_contact(&p.ada).expect("get"), Some(before));
        }
        let report = p.b.rebuild_read_model().expect("rebuild");
        prop_assert!(report.quarantined.is_empty(), "stored but unloadable: {:?}", report.quarantined);
    }
}
