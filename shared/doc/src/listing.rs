//! A listing as an Automerge document.
//!
//! Mapping decisions (DESIGN decision 1: concurrent edits must merge well):
//! - `address` is a nested map, so two devices fixing different address lines both keep theirs.
//! - `features` is a list of strings; autosurgeon diffs string lists by value, so concurrent
//!   additions and removals of different features merge instead of overwriting by position.
//! - `media` is a list keyed by `uri` and `open_houses` a list keyed by start time, for the same
//!   reason: reordering, adding or removing one entry touches only that entry.
//! - `price` is a u64 scalar in whole currency units: concurrent price edits are a conflict a
//!   person resolves (see [`crate::conflict`]), never a sum.
//! - Timestamps are i64 milliseconds (`*_ms`), baths are tenths, enums their `as_str()` names.
//! - `description` is a plain string for now (last writer wins); making it Automerge text like a
//!   note's body would need a schema bump.

use crate::util::{
    check_kind, commit, ensure_readable, millis, narrow, opt_millis, parse, root_doc,
};
use crate::DocError;
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{reconcile, Hydrate, Reconcile};
use fieldstone_model::{Address, Area, Baths, Listing, Media, OpenHouse};

#[cfg(test)]
mod tests;

pub const KIND: &str = "listing";
/// Shape version of listing documents written by this build.
pub const SCHEMA: u64 = 1;

root_doc! {
    /// The document's root map. Field names are the on-disk and on-wire format: never rename one.
    /// Frozen by `tests/golden/listing_v1.hex`: a changed shape is a new `SCHEMA` and a new file.
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct ListingDoc {
        schema: u64,
        kind: String,
        id: String,
        address: AddressDoc,
        price: u64,
        currency: String,
        beds: Option<u64>,
        baths_tenths: Option<u64>,
        living_area: Option<AreaDoc>,
        lot_area: Option<AreaDoc>,
        property_type: String,
        status: String,
        visibility: String,
        description: String,
        features: Vec<String>,
        media: Vec<MediaDoc>,
        open_houses: Vec<OpenHouseDoc>,
        mls_number: Option<String>,
        owner: String,
        created_at_ms: i64,
        updated_at_ms: i64,
        deleted_at_ms: Option<i64>,
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct AddressDoc {
    line1: String,
    line2: Option<String>,
    city: String,
    region: Option<String>,
    postal_code: Option<String>,
    country: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct AreaDoc {
    value: u64,
    unit: String,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct MediaDoc {
    #[key]
    uri: String,
    kind: String,
    caption: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct OpenHouseDoc {
    #[key]
    starts_at_ms: i64,
    ends_at_ms: i64,
}

impl AreaDoc {
    fn from_model(area: Area) -> Self {
        Self {
            value: u64::from(area.value),
            unit: area.unit.as_str().to_owned(),
        }
    }

    fn into_model(self, field: &str) -> Result<Area, DocError> {
        Ok(Area {
            value: narrow(&format!("{field}.value"), self.value)?,
            unit: parse(&format!("{field}.unit"), &self.unit)?,
        })
    }
}

impl ListingDoc {
    fn from_listing(l: &Listing) -> Self {
        let a = &l.address;
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: l.id.to_string(),
            address: AddressDoc {
                line1: a.line1.clone(),
                line2: a.line2.clone(),
                city: a.city.clone(),
                region: a.region.clone(),
                postal_code: a.postal_code.clone(),
                country: a.country.clone(),
                latitude: a.latitude,
                longitude: a.longitude,
            },
            price: l.price,
            currency: l.currency.clone(),
            beds: l.beds.map(u64::from),
            baths_tenths: l.baths.map(|b| u64::from(b.tenths())),
            living_area: l.living_area.map(AreaDoc::from_model),
            lot_area: l.lot_area.map(AreaDoc::from_model),
            property_type: l.property_type.as_str().to_owned(),
            status: l.status.as_str().to_owned(),
            visibility: l.visibility.as_str().to_owned(),
            description: l.description.clone(),
            features: l.features.clone(),
            media: l
                .media
                .iter()
                .map(|m| MediaDoc {
                    uri: m.uri.clone(),
                    kind: m.kind.as_str().to_owned(),
                    caption: m.caption.clone(),
                })
                .collect(),
            open_houses: l
                .open_houses
                .iter()
                .map(|o| OpenHouseDoc {
                    starts_at_ms: o.starts_at.timestamp_millis(),
                    ends_at_ms: o.ends_at.timestamp_millis(),
                })
                .collect(),
            mls_number: l.mls_number.clone(),
            owner: l.owner.to_string(),
            created_at_ms: l.created_at.timestamp_millis(),
            updated_at_ms: l.updated_at.timestamp_millis(),
            deleted_at_ms: l.deleted_at.map(|t| t.timestamp_millis()),
        }
    }

    fn into_listing(self) -> Result<Listing, DocError> {
        check_kind(KIND, self.kind)?;
        let a = self.address;
        let media = self
            .media
            .into_iter()
            .map(|m| {
                Ok(Media {
                    kind: parse("media.kind", &m.kind)?,
                    uri: m.uri,
                    caption: m.caption,
                })
            })
            .collect::<Result<_, DocError>>()?;
        let open_houses = self
            .open_houses
            .into_iter()
            .map(|o| {
                Ok(OpenHouse {
                    starts_at: millis("open_houses.starts_at_ms", o.starts_at_ms)?,
                    ends_at: millis("open_houses.ends_at_ms", o.ends_at_ms)?,
                })
            })
            .collect::<Result<_, DocError>>()?;
        Ok(Listing {
            id: parse("id", &self.id)?,
            address: Address {
                line1: a.line1,
                line2: a.line2,
                city: a.city,
                region: a.region,
                postal_code: a.postal_code,
                country: a.country,
                latitude: a.latitude,
                longitude: a.longitude,
            },
            price: self.price,
            currency: self.currency,
            beds: self.beds.map(|b| narrow("beds", b)).transpose()?,
            baths: self
                .baths_tenths
                .map(|b| narrow("baths_tenths", b).map(Baths::from_tenths))
                .transpose()?,
            living_area: self
                .living_area
                .map(|a| a.into_model("living_area"))
                .transpose()?,
            lot_area: self
                .lot_area
                .map(|a| a.into_model("lot_area"))
                .transpose()?,
            property_type: parse("property_type", &self.property_type)?,
            status: parse("status", &self.status)?,
            visibility: parse("visibility", &self.visibility)?,
            description: self.description,
            features: self.features,
            media,
            open_houses,
            mls_number: self.mls_number,
            owner: parse("owner", &self.owner)?,
            created_at: millis("created_at_ms", self.created_at_ms)?,
            updated_at: millis("updated_at_ms", self.updated_at_ms)?,
            deleted_at: opt_millis("deleted_at_ms", self.deleted_at_ms)?,
        })
    }
}

/// Creates the document for a new listing, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, listing: &Listing) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, ListingDoc::from_listing(listing))?;
    let change = commit(&mut doc, listing.updated_at, "create listing")
        .ok_or_else(|| DocError::InvalidValue("creating a listing produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `listing` into an existing document, touching only what differs. Returns the change,
/// or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, listing: &Listing) -> Result<Option<Change>, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    reconcile(doc, ListingDoc::from_listing(listing))?;
    Ok(commit(doc, listing.updated_at, "update listing"))
}

/// Reads the listing held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Listing, DocError> {
    ensure_readable(doc, KIND, SCHEMA)?;
    ListingDoc::hydrate_root(doc)?.into_listing()
}
