//! Property match (seed 000 module 10): how well a listing fits what a buyer asked for, and why,
//! in plain words.
//!
//! A pure rule (DESIGN decision 18): the device ranks its listings for a buyer and its buyers for
//! a listing with it, and the server uses the same rule to start "a new listing fits a buyer"
//! sequences, so both explain a match the same way.
//!
//! The rule reads [`ListingFacts`] (what the engine's read model keeps of a listing) and a
//! [`Wish`] (a buyer's preferences, lower-cased once). Some misses rule a listing out — not for
//! sale, a kind of property they did not ask for, outside every area they named, more than 10%
//! over budget, two or more bedrooms short. Everything else scores 0–100: each criterion the buyer
//! asked for earns its weight, wholly or in part, and the score is the share of the weight asked
//! for, so a buyer who named only a budget is not marked down for not naming bedrooms.

use crate::contact::Preferences;
use crate::listing::{Listing, ListingStatus, PropertyType};
use crate::measure::Baths;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

#[cfg(test)]
mod tests;
mod text;

use text::{area_matches, contains_words, fold};

/// How far over the top of the budget a listing may be and still be shown (10%).
pub const OVER_BUDGET_PERCENT_MAX: u64 = 10;
/// A match at least this good is worth telling the agent about unasked (a suggestion, or a
/// "new listing fits a buyer" sequence).
pub const SUGGEST_AT: u8 = 75;
/// How many listings a buyer's match list shows.
pub const TOP: usize = 10;

// Weights of the criteria; a buyer's score is the share earned of the weights they asked for.
const PRICE: u32 = 30;
const AREA: u32 = 20;
const BEDS: u32 = 15;
const BATHS: u32 = 10;
const KIND: u32 = 5;
const MUST_HAVES: u32 = 25;

/// What the match reads of a listing: kept by the engine's read model so a buyer's matches are
/// found without opening every listing's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingFacts {
    pub price: u64,
    pub beds: Option<u8>,
    pub baths: Option<Baths>,
    pub property_type: PropertyType,
    pub status: ListingStatus,
    /// The city, region and postal code as written (the reasons name the place as the buyer did).
    pub city: String,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// Both address lines, lower-cased: a neighbourhood is often written there.
    pub street: String,
    /// Features and description, lower-cased, one string (must-haves are looked for in it).
    pub text: String,
}

impl ListingFacts {
    /// The facts of a stored listing.
    pub fn of(listing: &Listing) -> Self {
        let a = &listing.address;
        let street = fold(&[a.line1.as_str(), a.line2.as_deref().unwrap_or("")].join(" "));
        let mut text = listing
            .features
            .iter()
            .map(|f| fold(f))
            .collect::<Vec<_>>()
            .join("\n");
        text.push('\n');
        text.push_str(&fold(&listing.description));
        ListingFacts {
            price: listing.price,
            beds: listing.beds,
            baths: listing.baths,
            property_type: listing.property_type,
            status: if listing.deleted_at.is_some() {
                ListingStatus::Withdrawn
            } else {
                listing.status
            },
            city: a.city.clone(),
            region: a.region.clone(),
            postal_code: a.postal_code.clone(),
            street,
            text,
        }
    }
}

/// A buyer's preferences, ready to match: place names and must-haves lower-cased once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wish {
    pub budget_min: Option<u64>,
    pub budget_max: Option<u64>,
    /// (as written, folded)
    pub areas: Vec<(String, String)>,
    pub property_types: BTreeSet<PropertyType>,
    pub bedrooms_min: Option<u8>,
    pub bathrooms_min: Option<Baths>,
    /// (as written, folded)
    pub must_haves: Vec<(String, String)>,
}

impl Wish {
    /// The wish of a contact's preferences, or `None` when they name nothing a listing could be
    /// matched on (then the contact is not looking, as far as the agent has written down).
    pub fn of(prefs: &Preferences) -> Option<Wish> {
        let pairs = |list: &[String]| {
            list.iter()
                .map(|s| (s.trim().to_owned(), fold(s)))
                .filter(|(_, f)| !f.is_empty())
                .collect::<Vec<_>>()
        };
        let wish = Wish {
            budget_min: prefs.budget_min.filter(|&m| m > 0),
            budget_max: prefs.budget_max,
            areas: pairs(&prefs.areas),
            property_types: prefs.property_types.clone(),
            bedrooms_min: prefs.bedrooms_min.filter(|&b| b > 0),
            bathrooms_min: prefs.bathrooms_min.filter(|b| b.tenths() > 0),
            must_haves: pairs(&prefs.must_haves),
        };
        let names_something = wish.budget_min.is_some()
            || wish.budget_max.is_some()
            || !wish.areas.is_empty()
            || !wish.property_types.is_empty()
            || wish.bedrooms_min.is_some()
            || wish.bathrooms_min.is_some()
            || !wish.must_haves.is_empty();
        names_something.then_some(wish)
    }
}

/// One thing said about a match: a way the listing fits, or a way it falls short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Price at or under the top of the budget (and at or over its bottom), by this percentage.
    InsideBudget {
        percent_under: u64,
    },
    /// Inside a budget that names only a minimum.
    AboveMinimum,
    OverBudget {
        percent: u64,
    },
    UnderMinimum {
        percent: u64,
    },
    BedsAsAsked {
        beds: u8,
    },
    MoreBeds {
        beds: u8,
        asked: u8,
    },
    FewerBeds {
        beds: u8,
        asked: u8,
    },
    BedsUnknown,
    BathsAsAsked {
        baths: Baths,
        asked: Baths,
    },
    FewerBaths {
        baths: Baths,
        asked: Baths,
    },
    BathsUnknown,
    /// In this area (as the buyer wrote it).
    InArea {
        area: String,
    },
    Kind {
        kind: PropertyType,
    },
    Has {
        feature: String,
    },
    Lacks {
        feature: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::InsideBudget { percent_under: 0 } => f.write_str("at the top of the budget"),
            Reason::InsideBudget { percent_under } => {
                write!(f, "inside budget by {percent_under}%")
            }
            Reason::AboveMinimum => f.write_str("in budget"),
            Reason::OverBudget { percent } => write!(f, "over budget by {percent}%"),
            Reason::UnderMinimum { percent } => {
                write!(f, "{percent}% under the budget they gave")
            }
            Reason::BedsAsAsked { beds } => write!(f, "{beds} {} as asked", plural(*beds, "bed")),
            Reason::MoreBeds { beds, asked } => {
                write!(f, "{beds} beds, more than the {asked} asked")
            }
            Reason::FewerBeds { beds, asked } => {
                write!(f, "{beds} {}, {asked} asked", plural(*beds, "bed"))
            }
            Reason::BedsUnknown => f.write_str("bedrooms not given"),
            Reason::BathsAsAsked { baths, asked } if baths == asked => {
                write!(f, "{baths} {} as asked", baths_word(*baths))
            }
            Reason::BathsAsAsked { baths, .. } => write!(f, "{baths} {}", baths_word(*baths)),
            Reason::FewerBaths { baths, asked } => {
                write!(f, "{baths} {}, {asked} asked", baths_word(*baths))
            }
            Reason::BathsUnknown => f.write_str("bathrooms not given"),
            Reason::InArea { area } => write!(f, "in {area}"),
            Reason::Kind { kind } => write!(f, "a {} as asked", kind.label().to_lowercase()),
            Reason::Has { feature } => write!(f, "has the {feature} they want"),
            Reason::Lacks { feature } => write!(f, "no {feature}"),
        }
    }
}

fn plural(n: u8, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

fn baths_word(b: Baths) -> &'static str {
    if b.tenths() == 10 {
        "bath"
    } else {
        "baths"
    }
}

/// How well one listing fits one buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fit {
    /// 0–100.
    pub score: u8,
    /// Ways it fits, in the order a buyer weighs them (price, place, rooms, kind, must-haves).
    pub fits: Vec<Reason>,
    /// Ways it falls short.
    pub misses: Vec<Reason>,
}

impl Fit {
    /// "inside budget by 4%, 3 beds as asked, in Islington, has the garden they want; no parking".
    pub fn why(&self) -> String {
        let join = |rs: &[Reason]| rs.iter().map(Reason::to_string).collect::<Vec<_>>();
        let mut out = join(&self.fits).join(", ");
        let misses = join(&self.misses).join(", ");
        if !misses.is_empty() {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&misses);
        }
        out
    }
}

/// Earned and possible weight, summed over the criteria the buyer asked for.
#[derive(Default)]
struct Tally {
    earned: u32,
    possible: u32,
}

impl Tally {
    /// `parts` of `weight`, out of `of` parts.
    fn add(&mut self, weight: u32, parts: u32, of: u32) {
        self.possible += weight;
        self.earned += weight * parts.min(of) / of.max(1);
    }

    fn score(&self) -> u8 {
        if self.possible == 0 {
            return 0;
        }
        u8::try_from((self.earned * 100 + self.possible / 2) / self.possible).unwrap_or(100)
    }
}

/// How well `listing` fits `wish`, or `None` when it is ruled out.
pub fn fit(wish: &Wish, listing: &ListingFacts) -> Option<Fit> {
    if listing.status != ListingStatus::Active {
        return None;
    }
    if !wish.property_types.is_empty() && !wish.property_types.contains(&listing.property_type) {
        return None;
    }
    let mut tally = Tally::default();
    let mut fits = Vec::new();
    let mut misses = Vec::new();

    price(wish, listing.price, &mut tally, &mut fits, &mut misses)?;

    if !wish.areas.is_empty() {
        let (area, _) = wish.areas.iter().find(|(_, folded)| {
            area_matches(
                folded,
                &listing.city,
                listing.region.as_deref(),
                listing.postal_code.as_deref(),
                &listing.street,
            )
        })?;
        tally.add(AREA, 1, 1);
        fits.push(Reason::InArea { area: area.clone() });
    }

    if let Some(asked) = wish.bedrooms_min {
        match listing.beds {
            Some(beds) if beds == asked => {
                tally.add(BEDS, 1, 1);
                fits.push(Reason::BedsAsAsked { beds });
            }
            Some(beds) if beds > asked => {
                tally.add(BEDS, 1, 1);
                fits.push(Reason::MoreBeds { beds, asked });
            }
            Some(beds) if beds + 1 == asked => {
                tally.add(BEDS, 1, 3);
                misses.push(Reason::FewerBeds { beds, asked });
            }
            Some(_) => return None,
            None => {
                tally.add(BEDS, 1, 2);
                misses.push(Reason::BedsUnknown);
            }
        }
    }

    if let Some(asked) = wish.bathrooms_min {
        match listing.baths {
            Some(baths) if baths >= asked => {
                tally.add(BATHS, 1, 1);
                fits.push(Reason::BathsAsAsked { baths, asked });
            }
            Some(baths) => {
                tally.add(BATHS, 2, 5);
                misses.push(Reason::FewerBaths { baths, asked });
            }
            None => {
                tally.add(BATHS, 1, 2);
                misses.push(Reason::BathsUnknown);
            }
        }
    }

    if !wish.property_types.is_empty() {
        tally.add(KIND, 1, 1);
        fits.push(Reason::Kind {
            kind: listing.property_type,
        });
    }

    if !wish.must_haves.is_empty() {
        let mut found = 0;
        for (feature, folded) in &wish.must_haves {
            if contains_words(&listing.text, folded) {
                found += 1;
                fits.push(Reason::Has {
                    feature: feature.clone(),
                });
            } else {
                misses.push(Reason::Lacks {
                    feature: feature.clone(),
                });
            }
        }
        let of = u32::try_from(wish.must_haves.len()).unwrap_or(u32::MAX);
        tally.add(MUST_HAVES, found, of);
    }

    Some(Fit {
        score: tally.score(),
        fits,
        misses,
    })
}

/// Scores the price against the budget; `None` when it is too far over.
fn price(
    wish: &Wish,
    price: u64,
    tally: &mut Tally,
    fits: &mut Vec<Reason>,
    misses: &mut Vec<Reason>,
) -> Option<()> {
    let percent = |part: u64, of: u64| (part.saturating_mul(100) + of / 2) / of.max(1);
    if let Some(max) = wish.budget_max {
        if price > max {
            let over = percent(price - max, max);
            if price.saturating_mul(100) > max.saturating_mul(100 + OVER_BUDGET_PERCENT_MAX) {
                return None;
            }
            // Half the weight at the budget's top, none at 10% over.
            let room = u32::try_from(OVER_BUDGET_PERCENT_MAX.saturating_sub(over)).unwrap_or(0);
            tally.add(PRICE, room, 20);
            misses.push(Reason::OverBudget {
                percent: over.max(1),
            });
            return Some(());
        }
    }
    if let Some(min) = wish.budget_min {
        if price < min {
            // Cheaper than they meant to spend: still shown, worth less the further under.
            let under = percent(min - price, min);
            let parts = u32::try_from(20u64.saturating_sub(under)).unwrap_or(0);
            tally.add(PRICE, parts, 20);
            misses.push(Reason::UnderMinimum {
                percent: under.max(1),
            });
            return Some(());
        }
    }
    match (wish.budget_min, wish.budget_max) {
        (_, Some(max)) => {
            tally.add(PRICE, 1, 1);
            fits.push(Reason::InsideBudget {
                percent_under: (max - price).saturating_mul(100) / max.max(1),
            });
        }
        (Some(_), None) => {
            tally.add(PRICE, 1, 1);
            fits.push(Reason::AboveMinimum);
        }
        (None, None) => {}
    }
    Some(())
}

/// The best `n` of `listings` for `wish`, best first; ties go to the lower price, then the key
/// (so every device lists the same order).
pub fn top_listings<'a, K: Ord + Clone + 'a>(
    wish: &Wish,
    listings: impl IntoIterator<Item = (&'a K, &'a ListingFacts)>,
    n: usize,
) -> Vec<(K, Fit)> {
    let mut all: Vec<(K, u64, Fit)> = listings
        .into_iter()
        .filter_map(|(k, l)| fit(wish, l).map(|f| (k.clone(), l.price, f)))
        .collect();
    let order = |a: &(K, u64, Fit), b: &(K, u64, Fit)| {
        b.2.score
            .cmp(&a.2.score)
            .then(a.1.cmp(&b.1))
            .then(a.0.cmp(&b.0))
    };
    if all.len() > n && n > 0 {
        all.select_nth_unstable_by(n - 1, order);
        all.truncate(n);
    }
    all.sort_by(order);
    all.truncate(n);
    all.into_iter().map(|(k, _, f)| (k, f)).collect()
}

/// The buyers `listing` fits at `at_least` or better, best first (ties by key).
pub fn buyers_for<'a, K: Ord + Clone + 'a>(
    listing: &ListingFacts,
    buyers: impl IntoIterator<Item = (&'a K, &'a Wish)>,
    at_least: u8,
) -> Vec<(K, Fit)> {
    let mut all: Vec<(K, Fit)> = buyers
        .into_iter()
        .filter_map(|(k, w)| fit(w, listing).map(|f| (k.clone(), f)))
        .filter(|(_, f)| f.score >= at_least)
        .collect();
    all.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(a.0.cmp(&b.0)));
    all
}
