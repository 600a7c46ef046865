//! Damaged and foreign documents, for every kind, starting from its golden bytes: each is a
//! specific error naming what is wrong, never a panic, and a write into one changes nothing.

use super::golden::NOTE_BODY;
use super::golden_bytes;
use crate::test_support::samples::{
    booking, campaign, contact, interaction, listing, message, note, task,
};
use crate::test_support::{
    assert_newer_shape_refused, booking_kind, campaign_kind, contact_kind, interaction_kind,
    listing_kind, message_kind, note_kind, task_kind, Kind,
};
use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc, ScalarValue, Value};

/// Every kind's golden document, by kind.
const GOLDEN: &[(&str, &str)] = &[
    ("contact", "contact_v2.hex"),
    ("listing", "listing_v1.hex"),
    ("booking", "booking_v1.hex"),
    ("note", "note_v1.hex"),
    ("interaction", "interaction_v1.hex"),
    ("task", "task_v1.hex"),
    ("message", "message_v1.hex"),
    ("campaign", "campaign_v1.hex"),
];

/// Root fields a kind's later shape added: an earlier document lacks them, so one missing is
/// read as the earlier shape did (see each kind's `SCHEMA`), not refused.
const ADDED_LATER: &[(&str, &str)] = &[("contact", "time_zone")];

fn golden_of(kind: &str) -> Vec<u8> {
    let (_, file) = GOLDEN
        .iter()
        .find(|(k, _)| *k == kind)
        .expect("a golden document of this kind");
    golden_bytes(file)
}

fn loaded(bytes: &[u8]) -> AutoCommit {
    crate::load(bytes).expect("load")
}

fn root_keys(doc: &AutoCommit) -> Vec<String> {
    doc.keys(automerge::ROOT).collect()
}

/// A value of another type than the one `key` holds.
fn other_type(doc: &AutoCommit, key: &str) -> ScalarValue {
    match doc.get(automerge::ROOT, key).expect("get") {
        Some((Value::Scalar(s), _)) if s.is_str() => ScalarValue::Int(42),
        Some((Value::Scalar(s), _)) if s.is_null() => ScalarValue::Boolean(true),
        _ => ScalarValue::Str("not what belongs here".into()),
    }
}

/// Runs every check on one kind.
fn check<T: std::fmt::Debug>(kind: &Kind<T>, value: &T) {
    let bytes = golden_of(kind.name);
    let read = |doc: &AutoCommit| (kind.read)(doc);
    assert!(read(&loaded(&bytes)).is_ok(), "the golden document reads");

    // Truncated anywhere: the bytes do not parse, or (at a chunk boundary Automerge tolerates)
    // what is left is not a document of this kind.
    for cut in 0..bytes.len() {
        match crate::load(&bytes[..cut]).and_then(|doc| read(&doc).map(|_| ())) {
            Err(DocError::Corrupt(_)) | Err(DocError::MissingField { field: "kind" }) => {}
            other => panic!("{} cut at {cut}: {other:?}", kind.name),
        }
    }

    // Another kind's name in `kind`: refused before anything is read or written.
    let mut doc = loaded(&bytes);
    doc.put(automerge::ROOT, "kind", "offer").expect("put");
    doc.commit();
    let heads = doc.get_heads();
    for result in [
        read(&doc).map(|_| ()),
        (kind.update)(&mut doc, value).map(|_| ()),
    ] {
        match result {
            Err(DocError::WrongKind { expected, found }) => {
                assert_eq!((expected, found.as_str()), (kind.name, "offer"));
            }
            other => panic!("{} as an offer: {other:?}", kind.name),
        }
    }
    assert_eq!(doc.get_heads(), heads, "nothing written");

    // Each field missing (an empty optional one is written as null, so none may be absent
    // unless a later shape added it): named.
    for key in root_keys(&loaded(&bytes)) {
        let mut doc = loaded(&bytes);
        doc.delete(automerge::ROOT, key.as_str()).expect("delete");
        doc.commit();
        if ADDED_LATER.contains(&(kind.name, key.as_str())) {
            assert!(read(&doc).is_ok(), "{} without {key} reads", kind.name);
            continue;
        }
        match read(&doc) {
            Err(e @ DocError::MissingField { field }) if field == key => {
                assert!(e.to_string().contains(&key), "{e}");
            }
            other => panic!("{} without {key}: {other:?}", kind.name),
        }
    }

    // Each field holding a value of the wrong type: named.
    for key in root_keys(&loaded(&bytes)) {
        let mut doc = loaded(&bytes);
        let wrong = other_type(&doc, &key);
        doc.put(automerge::ROOT, key.as_str(), wrong).expect("put");
        doc.commit();
        match read(&doc) {
            Err(e @ DocError::WrongType { field, .. }) if field == key => {
                assert!(e.to_string().contains(&key), "{e}");
            }
            other => panic!("{} with the wrong type in {key}: {other:?}", kind.name),
        }
    }

    // A newer shape: neither read nor written.
    assert_newer_shape_refused(kind, value);
}

#[test]
fn damaged_contacts_are_clear_errors() {
    check(&contact_kind(), &contact());
}

#[test]
fn damaged_listings_are_clear_errors() {
    check(&listing_kind(), &listing());
}

#[test]
fn damaged_bookings_are_clear_errors() {
    check(&booking_kind(), &booking());
}

#[test]
fn damaged_notes_are_clear_errors() {
    check(&note_kind(), &note(NOTE_BODY));
}

#[test]
fn damaged_interactions_are_clear_errors() {
    check(&interaction_kind(), &interaction());
}

#[test]
fn damaged_tasks_are_clear_errors() {
    check(&task_kind(), &task());
}

#[test]
fn damaged_messages_are_clear_errors() {
    check(&message_kind(), &message());
}

#[test]
fn damaged_campaigns_are_clear_errors() {
    check(&campaign_kind(), &campaign());
}

/// A kind's reader with its answer dropped: only whether it refuses matters here.
type Reader = fn(&AutoCommit) -> Result<(), DocError>;

/// Every kind's reader, given every other kind's golden document.
#[test]
fn each_kind_refuses_every_other_kind() {
    let readers: [(&str, Reader); 8] = [
        ("contact", |d| crate::contact::read(d).map(|_| ())),
        ("listing", |d| crate::listing::read(d).map(|_| ())),
        ("booking", |d| crate::booking::read(d).map(|_| ())),
        ("note", |d| crate::note::read(d).map(|_| ())),
        ("interaction", |d| crate::interaction::read(d).map(|_| ())),
        ("task", |d| crate::task::read(d).map(|_| ())),
        ("message", |d| crate::message::read(d).map(|_| ())),
        ("campaign", |d| crate::campaign::read(d).map(|_| ())),
    ];
    for (reader, read) in readers {
        for (kind, _) in GOLDEN.iter().filter(|(k, _)| *k != reader) {
            match read(&loaded(&golden_of(kind))) {
                Err(DocError::WrongKind { expected, found }) => {
                    assert_eq!((expected, found.as_str()), (reader, *kind));
                }
                other => panic!("a {kind} read as a {reader}: {other:?}"),
            }
        }
    }
}
