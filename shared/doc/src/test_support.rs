//! Checks every record kind's document mapping must pass, written once.

use crate::DocError;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change};
use std::fmt::Debug;

/// A new document and the change that created it.
type Created = Result<(AutoCommit, Change), DocError>;

/// A record kind's document functions.
pub(crate) struct Kind<T> {
    pub create: fn(ActorId, &T) -> Created,
    pub update: fn(&mut AutoCommit, &T) -> Result<Option<Change>, DocError>,
    pub read: fn(&AutoCommit) -> Result<T, DocError>,
    pub schema: u64,
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
    use fieldstone_model::{
        Address, Listing, ListingId, ListingStatus, PropertyType, UserId, Visibility,
    };
    let at = chrono::DateTime::from_timestamp_millis(1_763_700_000_000).expect("valid");
    let listing = Listing {
        id: ListingId::from_uuid(uuid::Uuid::from_u128(5)),
        address: Address {
            line1: "12 Elm St".into(),
            line2: None,
            city: "Camden".into(),
            region: None,
            postal_code: None,
            country: "GB".into(),
            latitude: None,
            longitude: None,
        },
        price: 425_000,
        currency: "GBP".into(),
        beds: None,
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Public,
        description: String::new(),
        features: Vec::new(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
        owner: UserId::from_uuid(uuid::Uuid::from_u128(1)),
        created_at: at,
        updated_at: at,
        deleted_at: None,
    };
    crate::listing::create(actor(9), &listing)
        .expect("create listing")
        .0
}

/// A document of another kind (a listing) is neither read nor written as `expected`.
pub(crate) fn assert_wrong_kind_refused<T>(kind: &Kind<T>, value: &T, expected: &str) {
    let mut doc = listing_document();
    let before = doc.get_heads();
    assert!(matches!(
        (kind.read)(&doc),
        Err(DocError::WrongKind { expected: e, found }) if e == expected && found == "listing"
    ));
    assert!(matches!(
        (kind.update)(&mut doc, value),
        Err(DocError::WrongKind { expected: e, found }) if e == expected && found == "listing"
    ));
    assert_eq!(doc.get_heads(), before, "nothing was written");
}
