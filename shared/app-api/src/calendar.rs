//! The calendar: bookings in a window, one booking, creating and editing with the engine's
//! overlap check (a warning, never a refusal), and deleting.

use super::Api;
use fieldstone_model::{Booking, BookingId, BookingInput};
use fieldstone_protocol::commands::{
    BookingSaved, BookingWindow, CommandError, OverlapCheck, UpdateBooking, BOOKING_WINDOW_MAX_DAYS,
};
use fieldstone_protocol::views::BookingSummary;
use fieldstone_replica::ReplicaError;

impl Api {
    /// Bookings overlapping `[from, to)`, earliest first: a day or week view.
    pub async fn bookings_between(
        &self,
        window: BookingWindow,
    ) -> Result<Vec<BookingSummary>, CommandError> {
        let span = window.to - window.from;
        if span <= chrono::Duration::zero()
            || span > chrono::Duration::days(BOOKING_WINDOW_MAX_DAYS)
        {
            return Err(CommandError::invalid(
                "to",
                format!("Show from 1 minute to {BOOKING_WINDOW_MAX_DAYS} days at a time."),
            ));
        }
        self.read(move |r| r.bookings_between(window.from, window.to))
            .await
    }

    /// The other bookings a booking at that time would overlap (for the form's warning).
    pub async fn check_overlaps(
        &self,
        check: OverlapCheck,
    ) -> Result<Vec<BookingSummary>, CommandError> {
        if check.ends_at <= check.starts_at {
            return Err(CommandError::invalid(
                "ends_at",
                "A booking must end after it starts.",
            ));
        }
        self.read(move |r| r.overlapping_bookings(check.starts_at, check.ends_at, check.except))
            .await
    }

    pub async fn get_booking(&self, id: BookingId) -> Result<Booking, CommandError> {
        self.read(move |r| {
            r.get_booking(&id)?.ok_or_else(|| ReplicaError::NotFound {
                what: format!("booking {id}"),
            })
        })
        .await
    }

    pub async fn create_booking(&self, input: BookingInput) -> Result<BookingSaved, CommandError> {
        let by = self.user();
        self.write(move |r| {
            let booking = r.create_booking(&input, by)?;
            saved(r, booking)
        })
        .await
    }

    pub async fn update_booking(
        &self,
        request: UpdateBooking,
    ) -> Result<BookingSaved, CommandError> {
        self.write(move |r| {
            let booking = r.update_booking(&request.id, &request.input)?;
            saved(r, booking)
        })
        .await
    }

    pub async fn delete_booking(&self, id: BookingId) -> Result<Booking, CommandError> {
        self.write(move |r| r.soft_delete_booking(&id)).await
    }
}

/// The saved booking with what it overlaps (nothing, for one that does not occupy time).
fn saved(r: &fieldstone_replica::Replica, booking: Booking) -> Result<BookingSaved, ReplicaError> {
    let occupies = matches!(
        booking.status,
        fieldstone_model::BookingStatus::Scheduled | fieldstone_model::BookingStatus::Completed
    );
    let overlaps = if occupies {
        r.overlapping_bookings(booking.starts_at, booking.ends_at, Some(booking.id))?
    } else {
        Vec::new()
    };
    Ok(BookingSaved { booking, overlaps })
}
