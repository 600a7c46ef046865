//! What happened about one listing, for its page: the bookings at it and the calls and messages
//! logged about it (an interaction's `listing`), each newest first and capped.

use crate::bookings::{booking_from_row, BOOKING_COLUMNS};
use crate::error::ReplicaError;
use crate::interactions::{interaction_from_row, INTERACTION_COLUMNS};
use crate::store::Replica;
use fieldstone_model::ListingId;
use fieldstone_protocol::views::{ListingActivity, ListingTouch, LISTING_ACTIVITY_MAX};

impl Replica {
    /// Bookings at listing `id` and interactions about it (not deleted; with a deleted contact,
    /// an interaction is left out like on every other screen), at most
    /// [`LISTING_ACTIVITY_MAX`] of each.
    pub fn listing_activity(&self, id: &ListingId) -> Result<ListingActivity, ReplicaError> {
        let conn = self.reader();
        let listing = id.to_string();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings b
             WHERE b.listing_id = ?1 AND b.deleted_at IS NULL
             ORDER BY b.starts_at DESC, b.id DESC LIMIT ?2"
        ))?;
        let bookings = stmt
            .query_map(
                rusqlite::params![listing, LISTING_ACTIVITY_MAX],
                booking_from_row,
            )?
            .collect::<Result<_, _>>()?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {INTERACTION_COLUMNS}, c.display_name
             FROM interactions i JOIN contacts c ON c.id = i.contact_id
             WHERE i.listing_id = ?1 AND i.deleted_at IS NULL AND c.deleted_at IS NULL
             ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?2"
        ))?;
        let touches = stmt
            .query_map(rusqlite::params![listing, LISTING_ACTIVITY_MAX], |row| {
                Ok(ListingTouch {
                    interaction: interaction_from_row(row)?,
                    contact_name: row.get(10)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(ListingActivity { bookings, touches })
    }
}
