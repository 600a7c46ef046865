//! What the unit tests share, written once: the checks every record kind's document mapping
//! must pass, one fixed record of each kind ([`samples`]), and the small builders the kinds'
//! tests all use (times, ids, actors, two devices editing at once).

pub(crate) mod samples;

use crate::conflict::conflicts;
use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change};
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Booking, Contact, ContactId, Interaction, Listing, Message, Note, Task, UserId,
};
use std::fmt::Debug;

/// A new document and the change that created it.
type Created = Result<(AutoCommit, Change), DocError>;

/// A record kind's document functions.
pub(crate) struct Kind<T> {
    pub name: &'static str,
    pub create: fn(ActorId, &T) -> Created,
    pub update: fn(&mut AutoCommit, &T) -> Result<Option<Change>, DocError>,
    pub read: fn(&AutoCommit) -> Result<T, DocError>,
    pub schema: u64,
}

macro_rules! kind_of {
    ($module:ident) => {
        Kind {
            name: crate::$module::KIND,
            create: crate::$module::create,
            update: crate::$module::update,
            read: crate::$module::read,
            schema: crate::$module::SCHEMA,
        }
    };
}

pub(crate) fn contact_kind() -> Kind<Contact> {
    kind_of!(contact)
}

pub(crate) fn listing_kind() -> Kind<Listing> {
    kind_of!(listing)
}

pub(crate) fn booking_kind() -> Kind<Booking> {
    kind_of!(booking)
}

pub(crate) fn note_kind() -> Kind<Note> {
    kind_of!(note)
}

pub(crate) fn interaction_kind() -> Kind<Interaction> {
    kind_of!(interaction)
}

pub(crate) fn task_kind() -> Kind<Task> {
    kind_of!(task)
}

pub(crate) fn message_kind() -> Kind<Message> {
    kind_of!(message)
}

pub(crate) fn campaign_kind() -> Kind<fieldstone_model::campaign::record::Campaign> {
    kind_of!(campaign)
}

/// A fixed instant plus `ms` milliseconds (every sample's times are relative to it).
pub(crate) fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_763_700_000_000 + ms).expect("valid")
}

pub(crate) fn user(n: u128) -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(crate) fn contact_id(n: u128) -> ContactId {
    ContactId::from_uuid(uuid::Uuid::from_u128(n))
}

pub(crate) fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

/// The value survives the document, its saved bytes, and its single creating change applied
/// on another device (which then has the same heads).
pub(crate) fn assert_round_trips<T: PartialEq + Debug>(kind: &Kind<T>, original: &T) {
    let (mut doc, change) = (kind.create)(actor(1), original).expect("create");
    assert_eq!(&(kind.read)(&doc).expect("read"), original);
    let reloaded = crate::load(&doc.save()).expect("load");
    assert_eq!(&(kind.read)(&reloaded).expect("read"), original);
    let mut other = AutoCommit::new().with_actor(actor(2));
    other
        .apply_changes([crate::parse_change(change.raw_bytes()).expect("parse")])
        .expect("apply");
    assert_eq!(&(kind.read)(&other).expect("read"), original);
    assert_eq!(other.get_heads(), doc.get_heads());
}

/// A document stamped with a newer shape is neither read nor written. Returns it, for checks
/// of further write paths.
pub(crate) fn assert_newer_shape_refused<T>(kind: &Kind<T>, value: &T) -> AutoCommit {
    let (mut doc, _) = (kind.create)(actor(1), value).expect("create");
    doc.put(automerge::ROOT, "schema", kind.schema + 1)
        .expect("put");
    doc.commit();
    let before = doc.get_heads();
    assert!(matches!(
        (kind.update)(&mut doc, value),
        Err(DocError::NewerSchema { found, .. }) if found == kind.schema + 1
    ));
    assert!(matches!(
        (kind.read)(&doc),
        Err(DocError::NewerSchema { .. })
    ));
    assert_eq!(doc.get_heads(), before, "nothing was written");
    doc
}

/// A real document of another kind (a listing), for wrong-kind checks.
pub(crate) fn listing_document() -> AutoCommit {
    crate::listing::create(actor(9), &samples::listing())
        .expect("create listing")
        .0
}

/// A document of another kind (a listing) is neither read nor written as `kind`.
pub(crate) fn assert_wrong_kind_refused<T>(kind: &Kind<T>, value: &T) {
    let mut doc = listing_document();
    let before = doc.get_heads();
    assert!(matches!(
        (kind.read)(&doc),
        Err(DocError::WrongKind { expected, found }) if expected == kind.name && found == "listing"
    ));
    assert!(matches!(
        (kind.update)(&mut doc, value),
        Err(DocError::WrongKind { expected, found }) if expected == kind.name && found == "listing"
    ));
    assert_eq!(doc.get_heads(), before, "nothing was written");
}

/// Two devices write `edit_a` / `edit_b` concurrently from `base`; returns the document with
/// both merged in (both devices end with the same heads and read the same record).
pub(crate) fn merged<T: Clone + PartialEq + Debug>(
    kind: &Kind<T>,
    base: &T,
    edit_a: impl Fn(&mut T),
    edit_b: impl Fn(&mut T),
) -> AutoCommit {
    let (mut a, _) = (kind.create)(actor(1), base).expect("create");
    let mut b = a.fork().with_actor(actor(2));
    let mut on_a = base.clone();
    edit_a(&mut on_a);
    (kind.update)(&mut a, &on_a).expect("update a");
    let mut on_b = base.clone();
    edit_b(&mut on_b);
    (kind.update)(&mut b, &on_b).expect("update b");
    a.merge(&mut b).expect("merge into a");
    b.merge(&mut a).expect("merge into b");
    assert_eq!(a.get_heads(), b.get_heads());
    assert_eq!(
        (kind.read)(&a).expect("read a"),
        (kind.read)(&b).expect("read b")
    );
    a
}

/// The values a conflicted field holds, as people see them, sorted.
pub(crate) fn displays(doc: &AutoCommit, field: &str) -> Vec<String> {
    let mut values: Vec<_> = conflicts(doc, field)
        .expect("conflicts")
        .into_iter()
        .map(|c| c.display)
        .collect();
    values.sort();
    values
}
