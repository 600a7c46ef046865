//! Property match as the screens show it: a buyer's best listings, a listing's buyers and the
//! suggestions Today raises, each with its score and "why this fits" in plain words (the rule is
//! `fieldstone_model::property_match`; the engine writes the words).

use super::ListingSummary;
use fieldstone_model::{ContactId, Stage};
use serde::{Deserialize, Serialize};

/// One listing for a buyer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingFit {
    pub listing: ListingSummary,
    /// 0–100.
    pub score: u8,
    /// "inside budget by 4%, 3 beds as asked, in Islington; no parking".
    pub why: String,
}

/// A buyer's best listings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuyerMatches {
    /// Whether the contact's preferences name anything to match on (else the screen asks for
    /// them rather than saying nothing fits).
    pub looking: bool,
    /// Best first, at most `fieldstone_model::property_match::TOP`.
    pub listings: Vec<ListingFit>,
}

/// One buyer a listing fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerFit {
    pub contact: ContactId,
    pub name: String,
    pub stage: Stage,
    pub score: u8,
    pub why: String,
}

/// The most buyers one listing's list shows.
pub const LISTING_BUYERS_MAX: usize = 50;

/// A new or changed listing that fits some of the agent's buyers well (Today's suggestions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchSuggestion {
    pub listing: ListingSummary,
    /// Best first.
    pub buyers: Vec<BuyerFit>,
}
