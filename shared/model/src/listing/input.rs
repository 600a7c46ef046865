//! What an agent submits to create or edit a listing, and its validation.

use super::media::{self, Media, OpenHouse};
use super::{Address, ListingStatus, PropertyType, Visibility};
use crate::checks::{check_money, Text};
use crate::iso::check_currency_code;
use crate::measure::{Area, Baths, BEDS_MAX};
use crate::validation::{Valid, ValidationErrors};
use serde::{Deserialize, Serialize};

pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
pub const FEATURES_MAX: usize = 50;
pub const FEATURE_MAX_CHARS: usize = 100;
pub const MLS_NUMBER_MAX_CHARS: usize = 32;

/// A listing as a form sends it. Untrusted until [`ListingInput::validate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingInput {
    pub address: Address,
    pub price: u64,
    pub currency: String,
    #[serde(default)]
    pub beds: Option<u8>,
    #[serde(default)]
    pub baths: Option<Baths>,
    #[serde(default)]
    pub living_area: Option<Area>,
    #[serde(default)]
    pub lot_area: Option<Area>,
    pub property_type: PropertyType,
    #[serde(default)]
    pub status: ListingStatus,
    #[serde(default)]
    pub visibility: Visibility,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub media: Vec<Media>,
    #[serde(default)]
    pub open_houses: Vec<OpenHouse>,
    #[serde(default)]
    pub mls_number: Option<String>,
}

impl ListingInput {
    /// Checks every field and returns the input normalised, or every problem at once. Problems in
    /// the address are keyed `address.line1`, `address.country`...; media `media.N.uri`; open
    /// houses `open_houses.N.ends_at`.
    pub fn validate(&self) -> Result<Valid<ListingInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let address = self.address.normalised(&mut errors, "address");
        if self.price == 0 {
            errors.push("price", "Enter a price above zero.");
        }
        check_money(&mut errors, "price", self.price, "a price");
        let currency = match check_currency_code(&self.currency) {
            Ok(code) => code,
            Err(message) => {
                errors.push("currency", message);
                self.currency.trim().to_owned()
            }
        };
        if self.beds.is_some_and(|beds| beds > BEDS_MAX) {
            errors.push(
                "beds",
                format!("A number of bedrooms can be at most {BEDS_MAX}."),
            );
        }
        if let Some(Err(message)) = self.baths.map(Baths::check) {
            errors.push("baths", message);
        }
        if let Some(Err(message)) = self.living_area.map(Area::check) {
            errors.push("living_area", message);
        }
        if let Some(Err(message)) = self.lot_area.map(Area::check) {
            errors.push("lot_area", message);
        }
        let description = Text::multiline("a description", DESCRIPTION_MAX_CHARS).allow_blank(
            &mut errors,
            "description",
            &self.description,
        );
        let features = Text::line("a feature", FEATURE_MAX_CHARS).list(
            &mut errors,
            "features",
            &self.features,
            FEATURES_MAX,
            "features",
        );
        let media = media::media(&mut errors, &self.media);
        let open_houses = media::open_houses(&mut errors, &self.open_houses);
        let mls_number = mls_number(&mut errors, self.mls_number.as_deref());
        errors.into_valid(ListingInput {
            address,
            currency,
            description,
            features,
            media,
            open_houses,
            mls_number,
            ..*self
        })
    }
}

/// An MLS number: letters, digits and hyphens, at most 32 characters; blank is `None`.
fn mls_number(errors: &mut ValidationErrors, input: Option<&str>) -> Option<String> {
    let number = input.map(str::trim).filter(|n| !n.is_empty())?;
    if number.chars().count() > MLS_NUMBER_MAX_CHARS
        || !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(
            "mls_number",
            format!(
                "An MLS number has at most {MLS_NUMBER_MAX_CHARS} letters, digits and hyphens."
            ),
        );
    }
    Some(number.to_owned())
}
