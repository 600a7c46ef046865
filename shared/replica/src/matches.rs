//! Property match on the device (issue 17): a buyer's best listings, a listing's buyers, and
//! Today's suggestions when a new or changed listing fits the user's buyers well.
//!
//! The rule is `fieldstone_model::property_match`; this module keeps what it reads in the read
//! model so a match never opens a document: `listing_match` holds each live, active listing's
//! facts and `buyer_wishes` each live contact's wish (only contacts whose preferences name
//! something). Both are children of their record's rows, so projection, removal and rebuild
//! keep them. Plain columns beside the JSON let SQL skip what the rule would rule out anyway
//! (far over budget, too few bedrooms, another kind of property) before anything is parsed.

use crate::error::ReplicaError;
use crate::listings::{listing_from_row, LISTING_COLUMNS};
use crate::rows::{bad, parsed};
use crate::store::Replica;
use fieldstone_model::property_match::{self, ListingFacts, Wish, SUGGEST_AT, TOP};
use fieldstone_model::{Contact, ContactId, Listing, ListingId, ListingStatus, Stage};
use fieldstone_protocol::views::{
    BuyerFit, BuyerMatches, ListingFit, ListingSummary, MatchSuggestion, LISTING_BUYERS_MAX,
};
use rusqlite::{params, Connection, OptionalExtension};

/// How far back Today looks for new or changed listings to suggest.
pub const SUGGEST_DAYS: i64 = 7;
/// At most this many listings are suggested at once, newest first.
pub const SUGGESTIONS_MAX: usize = 10;
/// Suggestions look at this many of the newest changed listings (an MLS run can change
/// thousands at once; Today names the newest).
pub const SUGGEST_LOOKS_AT: usize = 50;
/// Each suggestion names at most this many buyers.
pub const SUGGESTED_BUYERS_MAX: usize = 5;

/// Writes listing `l`'s match row: only a live, active listing can fit anyone.
pub(crate) fn project_listing(conn: &Connection, l: &Listing) -> Result<(), ReplicaError> {
    let id = l.id.to_string();
    if l.deleted_at.is_some() || l.status != ListingStatus::Active {
        conn.prepare_cached("DELETE FROM listing_match WHERE listing_id = ?1")?
            .execute([&id])?;
        return Ok(());
    }
    let facts = ListingFacts::of(l);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO listing_match
           (listing_id, price, beds, property_type, updated_at, facts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        i64::try_from(l.price).unwrap_or(i64::MAX),
        l.beds,
        l.property_type.as_str(),
        l.updated_at.timestamp_millis(),
        to_json(&facts)?,
    ])?;
    Ok(())
}

/// Writes contact `c`'s wish row, or removes it when their preferences name nothing.
pub(crate) fn project_contact(conn: &Connection, c: &Contact) -> Result<(), ReplicaError> {
    let id = c.id.to_string();
    let wish = Wish::of(&c.preferences).filter(|_| c.deleted_at.is_none());
    let Some(wish) = wish else {
        conn.prepare_cached("DELETE FROM buyer_wishes WHERE contact_id = ?1")?
            .execute([&id])?;
        return Ok(());
    };
    // ",house,condo," so one `instr` asks whether a kind is wanted.
    let types = (!wish.property_types.is_empty()).then(|| {
        let names: Vec<&str> = wish.property_types.iter().map(|t| t.as_str()).collect();
        format!(",{},", names.join(","))
    });
    conn.prepare_cached(
        "INSERT OR REPLACE INTO buyer_wishes
           (contact_id, budget_max, beds_min, types, stage, wish)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        wish.budget_max.and_then(|b| i64::try_from(b).ok()),
        wish.bedrooms_min,
        types,
        c.stage.as_str(),
        to_json(&wish)?,
    ])?;
    Ok(())
}

/// The most a listing may cost and still fit a budget topped at `max` (10% over it).
fn price_ceiling(max: u64) -> i64 {
    let ceiling = u128::from(max) * u128::from(100 + property_match::OVER_BUDGET_PERCENT_MAX) / 100;
    i64::try_from(ceiling).unwrap_or(i64::MAX)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ReplicaError> {
    serde_json::to_string(value)
        .map_err(|e| ReplicaError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

fn json<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    col: usize,
) -> rusqlite::Result<T> {
    let text = row.get_ref(col)?.as_str()?;
    serde_json::from_str(text).map_err(|e| bad(col, e))
}

impl Replica {
    /// Contact `id`'s best listings on this device, best first, with why each fits.
    pub fn listing_matches(&self, id: &ContactId) -> Result<BuyerMatches, ReplicaError> {
        let conn = self.reader();
        let wish: Option<Wish> = conn
            .prepare_cached("SELECT wish FROM buyer_wishes WHERE contact_id = ?1")?
            .query_row([id.to_string()], |r| json(r, 0))
            .optional()?;
        let Some(wish) = wish else {
            return Ok(BuyerMatches {
                looking: false,
                listings: Vec::new(),
            });
        };
        let ceiling = wish.budget_max.map(price_ceiling);
        let types: Vec<&str> = wish.property_types.iter().map(|t| t.as_str()).collect();
        let types = (!types.is_empty()).then(|| format!(",{},", types.join(",")));
        let mut stmt = conn.prepare_cached(
            "SELECT listing_id, facts FROM listing_match
             WHERE (?1 IS NULL OR price <= ?1)
               AND (?2 IS NULL OR beds IS NULL OR beds + 1 >= ?2)
               AND (?3 IS NULL OR instr(?3, ',' || property_type || ',') > 0)",
        )?;
        let candidates = stmt
            .query_map(params![ceiling, wish.bedrooms_min, types], |r| {
                Ok((parsed::<ListingId>(r, 0)?, json::<ListingFacts>(r, 1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let top = property_match::top_listings(
            &wish,
            candidates.iter().map(|(id, facts)| (id, facts)),
            TOP,
        );
        let mut listings = Vec::with_capacity(top.len());
        for (listing, fit) in top {
            if let Some(summary) = summary_of(&conn, &listing)? {
                listings.push(ListingFit {
                    listing: summary,
                    score: fit.score,
                    why: fit.why(),
                });
            }
        }
        Ok(BuyerMatches {
            looking: true,
            listings,
        })
    }

    /// The buyers on this device listing `id` fits, best first, at most
    /// [`LISTING_BUYERS_MAX`]; closed and lost contacts are not looking any more.
    pub fn listing_buyers(&self, id: &ListingId) -> Result<Vec<BuyerFit>, ReplicaError> {
        let conn = self.reader();
        let facts: Option<ListingFacts> = conn
            .prepare_cached("SELECT facts FROM listing_match WHERE listing_id = ?1")?
            .query_row([id.to_string()], |r| json(r, 0))
            .optional()?;
        let Some(facts) = facts else {
            return Ok(Vec::new());
        };
        let mut fits = buyers_of(&conn, &facts, 0)?;
        fits.truncate(LISTING_BUYERS_MAX);
        named(&conn, fits)
    }

    /// Listings new or changed in the last [`SUGGEST_DAYS`] that fit some of the user's own
    /// buyers at [`SUGGEST_AT`] or better, newest first; pairs the user dismissed stay hidden
    /// until the listing changes again. Looks at the [`SUGGEST_LOOKS_AT`] newest listings: the
    /// user's wishes are read once and each of those listings scored against all of them.
    pub fn match_suggestions(&self) -> Result<Vec<MatchSuggestion>, ReplicaError> {
        let since = self.now_ms().timestamp_millis() - SUGGEST_DAYS * 86_400_000;
        let conn = self.reader();
        let recent = conn
            .prepare_cached(
                "SELECT listing_id, updated_at, facts FROM listing_match
                 WHERE updated_at >= ?1 ORDER BY updated_at DESC, listing_id LIMIT ?2",
            )?
            .query_map(params![since, SUGGEST_LOOKS_AT as i64], |r| {
                Ok((
                    parsed::<ListingId>(r, 0)?,
                    r.get::<_, i64>(1)?,
                    json::<ListingFacts>(r, 2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if recent.is_empty() {
            return Ok(Vec::new());
        }
        let wishes = wishes_of(&conn, None, true)?;
        let mut dismissed = conn.prepare_cached(
            "SELECT 1 FROM match_dismissed
             WHERE listing_id = ?1 AND contact_id = ?2 AND listing_updated_at >= ?3",
        )?;
        let mut out = Vec::new();
        for (listing, updated_at, facts) in recent {
            let mut fits = property_match::buyers_for(
                &facts,
                wishes.iter().map(|(id, wish)| (id, wish)),
                SUGGEST_AT,
            );
            fits.retain(|(contact, _)| {
                !dismissed
                    .exists(params![
                        listing.to_string(),
                        contact.to_string(),
                        updated_at
                    ])
                    .unwrap_or(false)
            });
            if fits.is_empty() {
                continue;
            }
            fits.truncate(SUGGESTED_BUYERS_MAX);
            let Some(summary) = summary_of(&conn, &listing)? else {
                continue;
            };
            out.push(MatchSuggestion {
                listing: summary,
                buyers: named(&conn, fits)?,
            });
            if out.len() == SUGGESTIONS_MAX {
                break;
            }
        }
        Ok(out)
    }

    /// Hides the suggestion of listing `listing` for contact `contact` until the listing
    /// changes again. Kept on this device only (a suggestion is the device's own reading).
    pub fn dismiss_match(
        &self,
        listing: &ListingId,
        contact: &ContactId,
    ) -> Result<(), ReplicaError> {
        self.write(|tx, _| {
            let updated_at: Option<i64> = tx
                .prepare_cached("SELECT updated_at FROM listing_match WHERE listing_id = ?1")?
                .query_row([listing.to_string()], |r| r.get(0))
                .optional()?;
            let Some(updated_at) = updated_at else {
                return Err(ReplicaError::NotFound {
                    what: format!("listing {listing} among those that can fit a buyer"),
                });
            };
            tx.prepare_cached(
                "INSERT OR REPLACE INTO match_dismissed (listing_id, contact_id, listing_updated_at)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![listing.to_string(), contact.to_string(), updated_at])?;
            Ok(())
        })
    }
}

/// The buyers `facts` fits at `at_least` or better, best first.
fn buyers_of(
    conn: &Connection,
    facts: &ListingFacts,
    at_least: u8,
) -> Result<Vec<(ContactId, property_match::Fit)>, ReplicaError> {
    let wishes = wishes_of(conn, Some(facts), false)?;
    Ok(property_match::buyers_for(
        facts,
        wishes.iter().map(|(id, wish)| (id, wish)),
        at_least,
    ))
}

/// The wishes of contacts still looking (not closed or lost): with `facts`, only those SQL
/// cannot rule out for that listing (far over budget, too few bedrooms, another kind); with
/// `mine_only`, only the user's own contacts (a broker's device holds the team's too).
fn wishes_of(
    conn: &Connection,
    facts: Option<&ListingFacts>,
    mine_only: bool,
) -> Result<Vec<(ContactId, Wish)>, ReplicaError> {
    let mine = if mine_only {
        format!(
            "AND {}",
            crate::mine::sql(fieldstone_doc::contact::KIND, "w.contact_id")
        )
    } else {
        String::new()
    };
    // A budget this far under the price rules the listing out (the rule's own margin).
    let over = 100 + property_match::OVER_BUDGET_PERCENT_MAX;
    let sql = format!(
        "SELECT w.contact_id, w.wish FROM buyer_wishes w
         WHERE w.stage NOT IN (?1, ?2)
           AND (?3 IS NULL OR w.budget_max IS NULL OR w.budget_max * {over} >= ?3 * 100)
           AND (w.beds_min IS NULL OR ?4 IS NULL OR w.beds_min <= ?4 + 1)
           AND (?5 IS NULL OR w.types IS NULL OR instr(w.types, ?5) > 0) {mine}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let price = facts.map(|f| i64::try_from(f.price).unwrap_or(i64::MAX));
    let kind = facts.map(|f| format!(",{},", f.property_type.as_str()));
    let wishes = stmt
        .query_map(
            params![
                Stage::Closed.as_str(),
                Stage::Lost.as_str(),
                price,
                facts.and_then(|f| f.beds),
                kind
            ],
            |r| Ok((parsed::<ContactId>(r, 0)?, json::<Wish>(r, 1)?)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(wishes)
}

/// Names and stages for the buyers of `fits`, in the same order.
fn named(
    conn: &Connection,
    fits: Vec<(ContactId, property_match::Fit)>,
) -> Result<Vec<BuyerFit>, ReplicaError> {
    let mut stmt = conn.prepare_cached(
        "SELECT display_name, stage FROM contacts WHERE id = ?1 AND deleted_at IS NULL",
    )?;
    let mut out = Vec::with_capacity(fits.len());
    for (contact, fit) in fits {
        let row = stmt
            .query_row([contact.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, parsed::<Stage>(r, 1)?))
            })
            .optional()?;
        if let Some((name, stage)) = row {
            out.push(BuyerFit {
                contact,
                name,
                stage,
                score: fit.score,
                why: fit.why(),
            });
        }
    }
    Ok(out)
}

fn summary_of(conn: &Connection, id: &ListingId) -> Result<Option<ListingSummary>, ReplicaError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {LISTING_COLUMNS} FROM listings l WHERE l.id = ?1"
        ))?
        .query_row([id.to_string()], listing_from_row)
        .optional()?)
}
