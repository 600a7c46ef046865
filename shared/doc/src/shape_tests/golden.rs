//! Golden documents: one fixed record of each kind (`test_support::samples`), created by a fixed
//! actor at a fixed time, saved, and compared with the bytes checked in under `tests/golden/`;
//! then those checked-in bytes are loaded and read back to the same record.
//!
//! DO NOT MODIFY a golden file. It is what devices already keep and sync: every build must read
//! it. If the first check fails, the document this build writes changed:
//! - a changed shape (a field added, renamed, retyped) is a new `SCHEMA` for that kind and a new
//!   file (`contact_v2.hex`) next to the old one, which stays and must still be read;
//! - the same shape written differently (an Automerge upgrade) is no shape change, but old
//!   bytes must still load and read: say so in the commit, keep the old file, add the new one
//!   under another name.
//!
//! `UPDATE_GOLDEN=1` writes golden files that do not exist yet; it never rewrites one.

use super::{golden_bytes, golden_path, to_hex};
use crate::test_support::samples::{
    booking, campaign, contact, interaction, listing, message, minimal_booking,
    minimal_interaction, minimal_message, minimal_task, note, task,
};
use crate::test_support::{
    actor, booking_kind, campaign_kind, contact_kind, interaction_kind, listing_kind, message_kind,
    note_kind, task_kind, Kind,
};
use std::fmt::Debug;

/// The note sample's body: Automerge text with non-ASCII characters and line breaks.
pub(crate) const NOTE_BODY: &str = "Called about the Elm St offer.\n\tCall back Friday — café?";

/// The golden document of `kind` written by this build (`<name>_v<schema>.hex`), checked against
/// the checked-in one, which must read back to `record`.
fn check<T: PartialEq + Debug>(kind: &Kind<T>, name: &str, record: &T) {
    let file = format!("{name}_v{}.hex", kind.schema);
    let (mut doc, _) = (kind.create)(actor(1), record).expect("create");
    let produced = to_hex(&doc.save());
    let path = golden_path(&file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !path.exists() {
        std::fs::write(&path, &produced).expect("write golden");
    }
    let frozen = golden_bytes(&file);
    assert_eq!(
        produced,
        to_hex(&frozen),
        "{file}: this build writes a different document (see the note at the top of golden.rs)"
    );
    let loaded = crate::load(&frozen).expect("the golden document loads");
    assert_eq!(
        &(kind.read)(&loaded).expect("the golden document reads"),
        record,
        "{file}: read back to a different record"
    );
}

#[test]
fn contact_v2() {
    check(&contact_kind(), "contact", &contact());
}

/// Version 1 had no `time_zone`: its golden document still reads, as the sample without one.
#[test]
fn contact_v1_still_reads() {
    let frozen = golden_bytes("contact_v1.hex");
    let loaded = crate::load(&frozen).expect("the v1 golden document loads");
    let read = crate::contact::read(&loaded).expect("the v1 golden document reads");
    let mut expected = contact();
    expected.time_zone = None;
    assert_eq!(read, expected);

    // Written by this build, it becomes a version 2 document holding the zone.
    let mut doc = loaded;
    expected.time_zone = Some("Europe/Berlin".into());
    crate::contact::update(&mut doc, &expected).expect("update");
    assert_eq!(crate::util::schema_of(&doc).expect("schema"), 2);
    assert_eq!(crate::contact::read(&doc).expect("read"), expected);
}

#[test]
fn listing_v1() {
    check(&listing_kind(), "listing", &listing());
}

#[test]
fn booking_v1() {
    check(&booking_kind(), "booking", &booking());
    check(&booking_kind(), "booking_minimal", &minimal_booking());
}

#[test]
fn note_v1() {
    check(&note_kind(), "note", &note(NOTE_BODY));
}

#[test]
fn interaction_v1() {
    check(&interaction_kind(), "interaction", &interaction());
    check(
        &interaction_kind(),
        "interaction_minimal",
        &minimal_interaction(),
    );
}

#[test]
fn campaign_v1() {
    check(&campaign_kind(), "campaign", &campaign());
}

#[test]
fn message_v1() {
    check(&message_kind(), "message", &message());
    check(&message_kind(), "message_minimal", &minimal_message());
}

#[test]
fn task_v1() {
    check(&task_kind(), "task", &task());
    check(&task_kind(), "task_minimal", &minimal_task());
}
