//! One bad document never blocks a device: what the sync server sends that cannot be parsed,
//! loaded or applied (or that makes Automerge panic, or that would store a document that does
//! not load again) is set aside with a notice, the device keeps its own copy, and the rest of
//! the page, the refusals or the repair goes on. Hand-made bad updates, every crasher kept in
//! `shared/doc/tests/malformed/corpus` (mutated pages: `mutated_pages.rs`).

mod support;

use fieldstone_model::ContactId;
use fieldstone_protocol::{DocId, DocUpdate, RejectCode, Rejection, RepairResponse};
use fieldstone_replica::{contact_doc_id, ContactQuery, UNREADABLE_FROM_SERVER};
use std::path::Path;
use support::remote::*;
use support::*;

#[test]
fn a_page_with_unreadable_documents_applies_the_rest_and_moves_on() {
    let p = pair();
    let before = p.b.get_contact(&p.ada).expect("get").expect("ada");
    let heads = p.b.doc_heads(&p.ada_doc).expect("heads");
    // A real edit of Ada, cut short; a new contact from A (good); junk for two documents B has
    // never seen, one a change and one a whole document.
    p.a.update_contact(&p.ada, &person("Ada", "Byron"), user())
        .expect("edit");
    let mut edit = outbox_updates(&p.a).remove(0);
    let cut = edit.changes[0].len() / 2;
    edit.changes[0].truncate(cut);
    p.a.ack_outbox(i64::MAX).expect("ack");
    p.a.create_contact(&person("Grace", "Hopper"), user())
        .expect("grace");
    let grace = outbox_updates(&p.a).remove(0);
    let junk_change = DocUpdate {
        doc_id: DocId::new("booking", "00000000-0000-4000-8000-0000000000b1").expect("id"),
        snapshot: None,
        changes: vec![b"not a change".to_vec()],
    };
    let junk_doc = DocUpdate {
        doc_id: DocId::new("interaction", "00000000-0000-4000-8000-0000000000c1").expect("id"),
        snapshot: Some(vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 0, 9, 9]),
        changes: Vec::new(),
    };
    let page = vec![edit, junk_change, grace, junk_doc];

    let applied =
        p.b.apply_remote(&page, Some(&cursors(7)))
            .expect("one bad document does not fail the page");
    assert_eq!(applied.docs_changed, 1, "Grace arrived");
    assert_eq!(applied.set_aside.len(), 3);
    assert_eq!(
        p.b.scope_cursors().expect("cursors"),
        cursors(7),
        "moved on"
    );
    assert_eq!(names(&p.b), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(
        p.b.get_contact(&p.ada).expect("get"),
        Some(before),
        "ours kept"
    );
    assert_eq!(p.b.doc_heads(&p.ada_doc).expect("heads"), heads);

    let quarantined = p.b.quarantined().expect("quarantine");
    assert_eq!(quarantined.len(), 3);
    assert!(quarantined
        .iter()
        .all(|q| q.from_server && !q.reason.is_empty()));
    let notices = p.b.sync_notices().expect("notices");
    let mut messages: Vec<&str> = notices.iter().map(|n| n.message.as_str()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "A booking sent by the sync server could not be read and was set aside; it does not show on this device.",
            "A contact sent by the sync server could not be read, so this device kept its own copy as it was and set the server's aside.",
            "An interaction sent by the sync server could not be read and was set aside; it does not show on this device.",
        ]
    );
    assert!(notices.iter().all(|n| n.code == UNREADABLE_FROM_SERVER));

    // The same page again (a retried pull) sets nothing aside twice.
    let again = p.b.apply_remote(&page, Some(&cursors(7))).expect("again");
    assert!(again.set_aside.is_empty());
    assert_eq!(p.b.quarantined().expect("quarantine").len(), 3);
    assert_eq!(p.b.sync_notices().expect("notices").len(), 3);
    assert_everything_stored_loads(&p.b);
}

/// One kept case from `shared/doc/tests/malformed/corpus`.
struct Case {
    name: String,
    kind: String,
    base: Vec<u8>,
    bytes: Vec<u8>,
}

fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../doc/tests/malformed/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus of fieldstone-doc")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .collect();
    paths.sort();
    let unhex = |t: &str| -> Vec<u8> {
        (0..t.len() / 2)
            .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).expect("hex"))
            .collect()
    };
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("case");
            let value = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
                    .unwrap_or("-")
                    .to_owned()
            };
            let base = value("base");
            Case {
                name: path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                kind: value("input"),
                base: if base == "-" {
                    Vec::new()
                } else {
                    unhex(&base)
                },
                bytes: unhex(&value("bytes")),
            }
        })
        .collect()
}

/// The document id the base document says it has (`kind:id`), or a contact's for a case with
/// no base (a document's first change).
fn doc_id_of(base: &[u8]) -> DocId {
    use automerge::ReadDoc;
    let fallback = || DocId::new("contact", "00000000-0000-0000-0000-000000000007").expect("id");
    let Ok(doc) = fieldstone_doc::load(base) else {
        return fallback();
    };
    let text = |key: &str| -> Option<String> {
        let (value, _) = doc.get(automerge::ROOT, key).ok()??;
        value.into_string().ok()
    };
    match (text("kind"), text("id")) {
        (Some(kind), Some(id)) => DocId::new(&kind, id).unwrap_or_else(|_| fallback()),
        _ => fallback(),
    }
}

#[test]
fn every_kept_crasher_is_set_aside_and_the_good_copy_stays() {
    quiet_automerge_panics();
    let cases = corpus();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for case in cases {
        let p = pair();
        let doc_id = doc_id_of(&case.base);
        // The document the bad bytes were made against, first received whole and good.
        if !case.base.is_empty() && case.kind != "document" {
            let first = DocUpdate {
                doc_id: doc_id.clone(),
                snapshot: Some(case.base.clone()),
                changes: Vec::new(),
            };
            p.b.apply_remote(&[first], Some(&cursors(1))).expect("base");
        }
        // None when the base is an empty document (the case is a document's first change).
        let heads = p.b.doc_heads(&doc_id).ok();
        let bad = match case.kind.as_str() {
            "change" => DocUpdate {
                doc_id: doc_id.clone(),
                snapshot: None,
                changes: vec![case.bytes.clone()],
            },
            _ => DocUpdate {
                doc_id: doc_id.clone(),
                snapshot: Some(case.bytes.clone()),
                changes: Vec::new(),
            },
        };
        p.a.update_contact(&p.ada, &person("Ada", "Byron"), user())
            .expect("edit");
        let good = outbox_updates(&p.a).remove(0);
        let applied =
            p.b.apply_remote(&[bad, good], Some(&cursors(2)))
                .unwrap_or_else(|e| panic!("{}: the page failed: {e}", case.name));
        assert_eq!(applied.set_aside.len(), 1, "{}: set aside", case.name);
        assert_eq!(
            p.b.scope_cursors().expect("cursors"),
            cursors(2),
            "{}",
            case.name
        );
        let ada = p.b.get_contact(&p.ada).expect("get").expect("ada");
        assert_eq!(
            ada.family_name, "Byron",
            "{}: the good edit applied",
            case.name
        );
        match heads {
            Some(heads) => assert_eq!(
                p.b.doc_heads(&doc_id).expect("ours kept"),
                heads,
                "{}: the good copy stays",
                case.name
            ),
            None => assert!(
                !p.b.document_ids().expect("ids").contains(&doc_id),
                "{}: nothing stored",
                case.name
            ),
        }
        assert_everything_stored_loads(&p.b);
    }
}

#[test]
fn refusals_with_an_unreadable_server_copy_keep_ours_and_the_others_apply() {
    let p = pair();
    let ada_heads = p.b.doc_heads(&p.ada_doc).expect("heads");
    // Grace and Cy exist on both devices; B then edits all three.
    for (given, family) in [("Grace", "Hopper"), ("Cy", "Young")] {
        p.a.create_contact(&person(given, family), user())
            .expect("create");
    }
    deliver(&p.a, &p.b);
    let ids: Vec<ContactId> =
        p.b.list_contacts(&ContactQuery::default())
            .expect("list")
            .items
            .iter()
            .map(|c| c.id)
            .collect();
    let id_of = |given: &str| -> ContactId {
        let found = ids.iter().find(|id| {
            p.b.get_contact(id)
                .expect("get")
                .is_some_and(|c| c.given_name == given)
        });
        *found.expect("contact")
    };
    let (grace, cy) = (id_of("Grace"), id_of("Cy"));
    let grace_doc = contact_doc_id(&grace).expect("id");
    let grace_server = stored_bytes(&p.b_db, &grace_doc);
    let cy_doc = contact_doc_id(&cy).expect("id");
    p.b.update_contact(&p.ada, &person("Ada", "Mine"), user())
        .expect("edit");
    p.b.update_contact(&grace, &person("Grace", "Mine"), user())
        .expect("edit");
    p.b.update_contact(&cy, &person("Cy", "Mine"), user())
        .expect("edit");
    let refused = |doc_id: &DocId, server_doc| Rejection {
        doc_id: doc_id.clone(),
        code: RejectCode::NotWritable,
        message: "You may not change this contact.".into(),
        server_doc,
    };
    let notices =
        p.b.apply_rejections(&[
            refused(&p.ada_doc, Some(b"\x85\x6f\x4a\x83junk".to_vec())),
            refused(&grace_doc, Some(grace_server)),
            refused(&cy_doc, None),
        ])
        .expect("one unreadable copy does not fail the others");
    assert_eq!(notices.len(), 3);
    assert_eq!(
        names(&p.b),
        ["Ada Mine", "Grace Hopper"],
        "Ada kept, Grace put back, Cy gone"
    );
    assert_ne!(
        p.b.doc_heads(&p.ada_doc).expect("heads"),
        ada_heads,
        "Ada keeps B's edit"
    );
    assert_eq!(
        p.b.pending_changes().expect("pending"),
        0,
        "nothing left to resend"
    );
    let ada_notice = notices
        .iter()
        .find(|n| n.doc_id == p.ada_doc.as_str())
        .expect("Ada's notice");
    assert_eq!(
        ada_notice.message,
        "You may not change this contact. The server's copy of this contact could not be read, \
         so this device kept its own."
    );
    let quarantined = p.b.quarantined().expect("quarantine");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].doc_id, p.ada_doc.as_str());
    assert_everything_stored_loads(&p.b);
}

#[test]
fn a_limit_reached_or_unreadable_refusal_keeps_the_local_document_and_stops_resending() {
    let p = pair();
    p.b.update_contact(&p.ada, &person("Ada", "Toobig"), user())
        .expect("edit");
    let mine =
        p.b.create_contact(&person("Only", "Here"), user())
            .expect("new here");
    let mine_doc = contact_doc_id(&mine.id).expect("id");
    assert_eq!(p.b.pending_changes().expect("pending"), 2);
    let notices = p
        .b
        .apply_rejections(&[
            Rejection {
                doc_id: p.ada_doc.clone(),
                code: RejectCode::LimitReached {
                    limit: "doc_ops".into(),
                },
                message: "This contact has reached the server's size limit; your latest edits stay on this device.".into(),
                server_doc: None,
            },
            Rejection {
                doc_id: mine_doc.clone(),
                code: RejectCode::Unreadable,
                message: "The server cannot read its copy of this contact; this device keeps its own.".into(),
                server_doc: None,
            },
        ])
        .expect("apply");
    // Neither forgotten nor reset: the agent's work is all still here.
    assert_eq!(names(&p.b), ["Ada Toobig", "Only Here"]);
    assert_eq!(
        p.b.pending_changes().expect("pending"),
        0,
        "not sent again and again"
    );
    let codes: Vec<&str> = notices.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["limit_reached", "unreadable"]);
    assert!(notices[0].message.contains("size limit"));
    assert_eq!(p.b.sync_notices().expect("notices").len(), 2);
}

#[test]
fn repair_sets_aside_an_unreadable_server_copy_and_fixes_the_rest() {
    let p = pair();
    let ada_heads = p.b.doc_heads(&p.ada_doc).expect("heads");
    let grace =
        p.a.create_contact(&person("Grace", "Hopper"), user())
            .expect("grace");
    let grace_doc = contact_doc_id(&grace.id).expect("id");
    let a_db = p.b_db.with_file_name("a.db");
    let mine =
        p.b.create_contact(&person("Only", "Here"), user())
            .expect("mine");
    let mine_doc = contact_doc_id(&mine.id).expect("id");
    p.b.ack_outbox(i64::MAX).expect("as if sent long ago");
    let response = RepairResponse {
        differing: vec![
            DocUpdate {
                doc_id: p.ada_doc.clone(),
                snapshot: Some(b"\x85\x6f\x4a\x83 not a document".to_vec()),
                changes: Vec::new(),
            },
            DocUpdate {
                doc_id: grace_doc.clone(),
                snapshot: Some(stored_bytes(&a_db, &grace_doc)),
                changes: Vec::new(),
            },
        ],
        unknown: vec![mine_doc],
        forbidden: Vec::new(),
    };
    let changed = p.b.apply_repair(&response).expect("repair goes on");
    assert_eq!(changed, 1, "Grace merged");
    assert_eq!(names(&p.b), ["Ada Lovelace", "Grace Hopper", "Only Here"]);
    assert_eq!(p.b.doc_heads(&p.ada_doc).expect("heads"), ada_heads);
    assert_eq!(
        p.b.pending_changes().expect("pending"),
        1,
        "the unknown one queued"
    );
    assert_eq!(p.b.quarantined().expect("quarantine").len(), 1);
    assert_eq!(p.b.sync_notices().expect("notices").len(), 1);
}
