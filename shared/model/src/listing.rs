//! A property listing: where it is, what it costs, what it is like, how it is shown.

mod address;
mod input;
mod media;
#[cfg(test)]
mod tests;

pub use address::{
    Address, ADDRESS_LINE_MAX_CHARS, CITY_MAX_CHARS, POSTAL_CODE_MAX_CHARS, REGION_MAX_CHARS,
};
pub use input::{
    ListingInput, DESCRIPTION_MAX_CHARS, FEATURES_MAX, FEATURE_MAX_CHARS, MLS_NUMBER_MAX_CHARS,
};
pub use media::{Media, MediaKind, OpenHouse, CAPTION_MAX_CHARS, MEDIA_MAX, OPEN_HOUSES_MAX};

use crate::choice::choice_enum;
use crate::common::soft_delete_by_field;
use crate::ids::{id_type, UserId};
use crate::measure::{Area, Baths};
use crate::validation::Valid;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

id_type!(
    /// A property listing.
    ListingId
);

choice_enum! {
    /// What kind of property it is.
    pub enum PropertyType as "property type" {
        House => ("house", "House"),
        Condo => ("condo", "Condo"),
        Townhouse => ("townhouse", "Townhouse"),
        Land => ("land", "Land"),
        MultiFamily => ("multi_family", "Multi-family"),
        Commercial => ("commercial", "Commercial"),
        Other => ("other", "Other"),
    }
}

choice_enum! {
    /// Where the listing is in its sale.
    #[derive(Default)]
    pub enum ListingStatus as "listing status" {
        #[default]
        Active => ("active", "Active"),
        Pending => ("pending", "Pending"),
        Sold => ("sold", "Sold"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
}

choice_enum! {
    /// Who may see the listing: anyone (portal, feeds), only the agent's team, or selected
    /// clients of the agent (an off-market "exclusive").
    #[derive(Default)]
    pub enum Visibility as "visibility" {
        Public => ("public", "Public"),
        #[default]
        Private => ("private", "Private"),
        Exclusive => ("exclusive", "Exclusive"),
    }
}

/// A stored listing, as read back from the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub id: ListingId,
    pub address: Address,
    /// Whole units of `currency`.
    pub price: u64,
    /// ISO 4217, e.g. "USD".
    pub currency: String,
    pub beds: Option<u8>,
    pub baths: Option<Baths>,
    pub living_area: Option<Area>,
    pub lot_area: Option<Area>,
    pub property_type: PropertyType,
    pub status: ListingStatus,
    pub visibility: Visibility,
    /// Long free text (Automerge text in the document).
    pub description: String,
    pub features: Vec<String>,
    pub media: Vec<Media>,
    /// Sorted by start time.
    pub open_houses: Vec<OpenHouse>,
    pub mls_number: Option<String>,
    /// The listing agent.
    pub owner: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Listing);

impl Listing {
    /// A new listing from a validated input. The engine mints the id and passes the time in.
    pub fn create(
        id: ListingId,
        input: Valid<ListingInput>,
        owner: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        let input = input.into_inner();
        Listing {
            id,
            address: input.address,
            price: input.price,
            currency: input.currency,
            beds: input.beds,
            baths: input.baths,
            living_area: input.living_area,
            lot_area: input.lot_area,
            property_type: input.property_type,
            status: input.status,
            visibility: input.visibility,
            description: input.description,
            features: input.features,
            media: input.media,
            open_houses: input.open_houses,
            mls_number: input.mls_number,
            owner,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }

    /// Replaces the editable fields with a validated input (an edit form's submit).
    pub fn apply(&mut self, input: Valid<ListingInput>, at: DateTime<Utc>) {
        let mut next = Listing::create(self.id, input, self.owner, self.created_at);
        next.deleted_at = self.deleted_at;
        next.updated_at = at;
        *self = next;
    }

    /// The listing as an edit form's starting values.
    pub fn to_input(&self) -> ListingInput {
        ListingInput {
            address: self.address.clone(),
            price: self.price,
            currency: self.currency.clone(),
            beds: self.beds,
            baths: self.baths,
            living_area: self.living_area,
            lot_area: self.lot_area,
            property_type: self.property_type,
            status: self.status,
            visibility: self.visibility,
            description: self.description.clone(),
            features: self.features.clone(),
            media: self.media.clone(),
            open_houses: self.open_houses.clone(),
            mls_number: self.mls_number.clone(),
        }
    }

    /// Whether the listing may appear on public pages and feeds: public, still for sale (active or
    /// pending) and not deleted.
    pub fn is_publicly_listed(&self) -> bool {
        self.visibility == Visibility::Public
            && matches!(self.status, ListingStatus::Active | ListingStatus::Pending)
            && self.deleted_at.is_none()
    }

    /// The first open house still running or yet to start at `now`.
    pub fn next_open_house(&self, now: DateTime<Utc>) -> Option<&OpenHouse> {
        self.open_houses
            .iter()
            .filter(|open_house| open_house.ends_at > now)
            .min_by_key(|open_house| open_house.starts_at)
    }

    /// The first photo, for list thumbnails.
    pub fn cover_photo(&self) -> Option<&Media> {
        self.media.iter().find(|m| m.kind == MediaKind::Photo)
    }
}
