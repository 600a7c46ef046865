//! The lead score on the device (issue 15): seed 001's rule score
//! ([`fieldstone_model::score::rule_score`], the one rule, DESIGN decision 18) projected into
//! `contacts.score`, so lists sort and filter by it at 100k contacts.
//!
//! What the engine reads for a contact's [`ScoreInput`], all from the read model (no document is
//! loaded, DESIGN decision 2):
//! - completeness and engagement from the contact itself ([`ScoreInput::of_contact`]), kept as
//!   bits in `contacts.score_facts` when the contact is projected;
//! - the first message: the trimmed length of the summary of the contact's earliest inbound
//!   interaction (intake and the open-house kiosk log the lead's own words there);
//! - interaction history: the contact's interactions that are not deleted;
//! - recency: the later of the newest of those and the contact's "last contacted" (an import
//!   may carry a last contact without interactions);
//! - properties of interest: distinct listings the contact's interactions are about, or that
//!   bookings they attend are at (showings, open houses).
//!
//! When: a contact's score is written whenever the contact, one of its interactions or a booking
//! it attends is projected (local writes, sync, rebuild), and every contact is rescored in one
//! batched pass when the engine opens and when the day (UTC) changes, because recency decays.
//! Projections have no clock of their own, so they score at the instant of the last full pass
//! (`meta.score_at`): a score in a list is at most a day behind the header, which scores at the
//! clock's now. A touch after that instant counts as a touch at it (within 24 h).

use crate::error::ReplicaError;
use chrono::{DateTime, Utc};
use fieldstone_model::score::{rule_score, ScoreInput};
use fieldstone_model::Contact;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// `meta` key: the instant (ms) projected scores are computed at.
const SCORE_AT_KEY: &str = "score_at";

// Bits of `contacts.score_facts`: what the contact alone tells the rule score.
const PHONE: i64 = 1;
const EMAIL: i64 = 1 << 1;
const FULL_NAME: i64 = 1 << 2;
const WHATSAPP: i64 = 1 << 3;
const BUDGET: i64 = 1 << 4;
const AREAS: i64 = 1 << 5;
const MOVE_IN: i64 = 1 << 6;

/// The contact's own score facts as `contacts.score_facts` keeps them.
pub(crate) fn facts_of(c: &Contact) -> i64 {
    let i = ScoreInput::of_contact(c);
    [
        (i.has_phone, PHONE),
        (i.has_email, EMAIL),
        (i.has_full_name, FULL_NAME),
        (i.has_whatsapp, WHATSAPP),
        (i.has_budget, BUDGET),
        (i.has_preferred_areas, AREAS),
        (i.has_move_in_date, MOVE_IN),
    ]
    .into_iter()
    .filter(|(has, _)| *has)
    .fold(0, |bits, (_, bit)| bits | bit)
}

/// One contact's score inputs as the read model holds them.
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub facts: i64,
    pub last_contacted_ms: Option<i64>,
    pub interactions: i64,
    pub last_interaction_ms: Option<i64>,
    pub first_inbound: Option<String>,
    pub properties: i64,
}

impl Row {
    /// The six input columns from `first` on, in [`ONE_CONTACT`]'s order.
    fn read(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Self> {
        Ok(Row {
            facts: r.get(first)?,
            last_contacted_ms: r.get(first + 1)?,
            interactions: r.get(first + 2)?,
            last_interaction_ms: r.get(first + 3)?,
            first_inbound: r.get(first + 4)?,
            properties: r.get(first + 5)?,
        })
    }

    pub(crate) fn input(&self) -> ScoreInput {
        let has = |bit| self.facts & bit != 0;
        let last_ms = self.last_contacted_ms.max(self.last_interaction_ms);
        ScoreInput {
            has_phone: has(PHONE),
            has_email: has(EMAIL),
            has_full_name: has(FULL_NAME),
            has_whatsapp: has(WHATSAPP),
            first_message_chars: self
                .first_inbound
                .as_deref()
                .map_or(0, ScoreInput::message_chars),
            has_budget: has(BUDGET),
            has_preferred_areas: has(AREAS),
            has_move_in_date: has(MOVE_IN),
            interactions: u32::try_from(self.interactions.max(0)).unwrap_or(u32::MAX),
            last_interaction: last_ms.and_then(DateTime::from_timestamp_millis),
            properties_of_interest: u32::try_from(self.properties.max(0)).unwrap_or(u32::MAX),
        }
    }
}

/// One contact's inputs (`?1` is its id). Each part reads through an index on the contact.
const ONE_CONTACT: &str = "
SELECT c.score_facts, c.last_contacted_at,
  (SELECT count(*) FROM interactions i WHERE i.contact_id = ?1 AND i.deleted_at IS NULL),
  (SELECT max(i.occurred_at) FROM interactions i WHERE i.contact_id = ?1 AND i.deleted_at IS NULL),
  (SELECT i.summary FROM interactions i
     WHERE i.contact_id = ?1 AND i.deleted_at IS NULL AND i.direction = 'inbound'
     ORDER BY i.occurred_at, i.id LIMIT 1),
  (SELECT count(*) FROM (
     SELECT i.listing_id FROM interactions i
       WHERE i.contact_id = ?1 AND i.deleted_at IS NULL AND i.listing_id IS NOT NULL
     UNION
     SELECT b.listing_id FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
       WHERE a.attendee_id = ?1 AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL
         AND b.listing_id IS NOT NULL))
FROM contacts c WHERE c.id = ?1";

/// Every contact's inputs in one pass: each source is aggregated once, grouped by contact, and
/// joined (no query per contact).
const ALL_CONTACTS: &str = "
WITH touches AS (
  SELECT contact_id, count(*) AS n, max(occurred_at) AS last FROM interactions
  WHERE deleted_at IS NULL GROUP BY contact_id),
first_inbound AS (
  SELECT contact_id, summary FROM (
    SELECT contact_id, summary,
      row_number() OVER (PARTITION BY contact_id ORDER BY occurred_at, id) AS rn
    FROM interactions WHERE deleted_at IS NULL AND direction = 'inbound')
  WHERE rn = 1),
interest AS (
  SELECT contact_id, count(DISTINCT listing_id) AS n FROM (
    SELECT contact_id, listing_id FROM interactions
      WHERE deleted_at IS NULL AND listing_id IS NOT NULL
    UNION ALL
    SELECT a.attendee_id, b.listing_id FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
      WHERE a.attendee_kind = 'contact' AND b.deleted_at IS NULL AND b.listing_id IS NOT NULL)
  GROUP BY contact_id)
SELECT c.seq, c.score, c.score_facts, c.last_contacted_at, coalesce(t.n, 0), t.last, f.summary,
  coalesce(p.n, 0)
FROM contacts c
  LEFT JOIN touches t ON t.contact_id = c.id
  LEFT JOIN first_inbound f ON f.contact_id = c.id
  LEFT JOIN interest p ON p.contact_id = c.id";

/// The read model's inputs for contact `id`, `None` if it has no row.
pub(crate) fn inputs_of(conn: &Connection, id: &str) -> Result<Option<Row>, ReplicaError> {
    Ok(conn
        .prepare_cached(ONE_CONTACT)?
        .query_row([id], |r| Row::read(r, 0))
        .optional()?)
}

/// The instant projected scores are computed at; `None` before the first full pass.
pub(crate) fn score_at(conn: &Connection) -> Result<Option<DateTime<Utc>>, ReplicaError> {
    let ms: Option<i64> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([SCORE_AT_KEY], |r| r.get(0))
        .optional()?;
    Ok(ms.and_then(DateTime::from_timestamp_millis))
}

/// The points for these inputs at `at`; with no instant yet, recency earns nothing (the first
/// full pass, which runs when the engine opens, fills it in).
fn points(input: &ScoreInput, at: Option<DateTime<Utc>>) -> u8 {
    match at {
        Some(at) => rule_score(input, at).points,
        None => {
            let undated = ScoreInput {
                last_interaction: None,
                ..input.clone()
            };
            rule_score(&undated, DateTime::UNIX_EPOCH).points
        }
    }
}

/// Writes contact `id`'s score from the read model (after its row, an interaction or a booking
/// of it changed). A contact not projected yet is left alone: its own projection scores it.
pub(crate) fn rescore_contact(conn: &Connection, id: &str) -> Result<(), ReplicaError> {
    let Some(row) = inputs_of(conn, id)? else {
        return Ok(());
    };
    let score = points(&row.input(), score_at(conn)?);
    conn.prepare_cached("UPDATE contacts SET score = ?2 WHERE id = ?1 AND score IS NOT ?2")?
        .execute(params![id, score])?;
    Ok(())
}

/// The contacts attending booking `booking` (by its id), as the read model holds them: read
/// before and after its projection, so a contact taken off a showing loses its points too.
pub(crate) fn booking_contacts(
    conn: &Connection,
    booking: &str,
) -> Result<Vec<String>, ReplicaError> {
    let mut stmt = conn.prepare_cached(
        "SELECT attendee_id FROM booking_attendees WHERE booking_id = ?1 AND attendee_kind = 'contact'",
    )?;
    let ids = stmt
        .query_map([booking], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

/// What a full pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RescoreReport {
    /// Contacts scored.
    pub contacts: usize,
    /// Of those, how many scores changed (only those rows are written).
    pub changed: usize,
}

/// Rescores every contact at `at`, in the caller's transaction: one read of every contact's
/// inputs (aggregates grouped by contact, not a query per contact), the pure rule in Rust, and
/// an update of only the rows whose score moved.
pub(crate) fn rescore_all(
    tx: &Transaction<'_>,
    at: DateTime<Utc>,
) -> Result<RescoreReport, ReplicaError> {
    let mut changed: Vec<(i64, u8)> = Vec::new();
    let mut contacts = 0;
    {
        let mut stmt = tx.prepare(ALL_CONTACTS)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            contacts += 1;
            let seq: i64 = r.get(0)?;
            let old: i64 = r.get(1)?;
            let row = Row::read(r, 2)?;
            let score = rule_score(&row.input(), at).points;
            if i64::from(score) != old {
                changed.push((seq, score));
            }
        }
    }
    let mut update = tx.prepare_cached("UPDATE contacts SET score = ?2 WHERE seq = ?1")?;
    for (seq, score) in &changed {
        update.execute(params![seq, score])?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![SCORE_AT_KEY, at.timestamp_millis()],
    )?;
    Ok(RescoreReport {
        contacts,
        changed: changed.len(),
    })
}

impl crate::store::Replica {
    /// Rescores every contact at the clock's now (recency decays with time): when the engine
    /// opens and when the day changes ([`Self::rescore_if_new_day`]).
    pub fn rescore_all(&self) -> Result<RescoreReport, ReplicaError> {
        let at = self.now_ms();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let report = rescore_all(&tx, at)?;
        tx.commit()?;
        Ok(report)
    }

    /// Rescores every contact if the last full pass was on an earlier day (UTC) than the
    /// clock's now, or never ran. Cheap otherwise (one read of `meta`), so list reads call it.
    pub fn rescore_if_new_day(&self) -> Result<Option<RescoreReport>, ReplicaError> {
        let now = self.now_ms();
        let last = score_at(&self.reader())?;
        if last.is_some_and(|last| last.date_naive() == now.date_naive()) {
            return Ok(None);
        }
        self.rescore_all().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_facts_round_trip_through_their_bits() {
        let row = Row {
            facts: PHONE | FULL_NAME | AREAS,
            first_inbound: Some(format!("  {}  ", "x".repeat(51))),
            interactions: 2,
            last_contacted_ms: Some(5),
            last_interaction_ms: Some(9),
            properties: 3,
        };
        let input = row.input();
        assert!(input.has_phone && input.has_full_name && input.has_preferred_areas);
        assert!(
            !input.has_email && !input.has_whatsapp && !input.has_budget && !input.has_move_in_date
        );
        assert_eq!(input.first_message_chars, 51);
        assert_eq!(
            input.last_interaction.map(|t| t.timestamp_millis()),
            Some(9)
        );
        assert_eq!((input.interactions, input.properties_of_interest), (2, 3));
    }

    #[test]
    fn without_an_instant_recency_earns_nothing() {
        let input = Row {
            last_interaction_ms: Some(0),
            ..Row::default()
        }
        .input();
        assert_eq!(points(&input, None), 0);
        assert_eq!(points(&input, DateTime::from_timestamp_millis(1)), 15);
    }
}
