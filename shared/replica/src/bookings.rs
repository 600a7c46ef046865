//! Bookings (showings, open houses, meetings, calls): one document each; the calendar and a
//! contact's timeline read them from SQLite.

use crate::error::ReplicaError;
use crate::records::{self, record_kind};
use crate::rows::{opt_parsed, parsed, required_time, time};
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{Booking, BookingId, BookingInput, BookingStatus, ContactId, UserId};
use rusqlite::{params, Connection, Row};

record_kind!(
    Booking,
    BookingId,
    fieldstone_doc::booking,
    project_booking,
    crate::records::Tables {
        main: "bookings",
        children: &[("booking_attendees", "booking_id")],
        search: None,
    }
);

pub use fieldstone_protocol::views::BookingSummary;

fn project_booking(conn: &Connection, b: &Booking) -> Result<(), ReplicaError> {
    let id = b.id.to_string();
    conn.prepare_cached(
        "INSERT INTO bookings (id, kind, title, starts_at, ends_at, time_zone, location,
           listing_id, status, created_by, created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at,
           time_zone = excluded.time_zone, location = excluded.location,
           listing_id = excluded.listing_id, status = excluded.status,
           created_by = excluded.created_by, created_at = excluded.created_at,
           updated_at = excluded.updated_at, deleted_at = excluded.deleted_at",
    )?
    .execute(params![
        id,
        b.kind.as_str(),
        b.title,
        b.starts_at.timestamp_millis(),
        b.ends_at.timestamp_millis(),
        b.time_zone,
        b.location,
        b.listing.map(|l| l.to_string()),
        b.status.as_str(),
        b.created_by.to_string(),
        b.created_at.timestamp_millis(),
        b.updated_at.timestamp_millis(),
        b.deleted_at.map(|t| t.timestamp_millis()),
    ])?;
    // Its contacts before and after score its listing (issue 15's lead score).
    let mut scored = crate::score::booking_contacts(conn, &id)?;
    conn.prepare_cached("DELETE FROM booking_attendees WHERE booking_id = ?1")?
        .execute([&id])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO booking_attendees (booking_id, attendee_kind, attendee_id)
         VALUES (?1, ?2, ?3)",
    )?;
    for contact in &b.attendees.contacts {
        insert.execute(params![id, "contact", contact.to_string()])?;
    }
    for user in &b.attendees.users {
        insert.execute(params![id, "user", user.to_string()])?;
    }
    scored.extend(b.attendees.contacts.iter().map(|c| c.to_string()));
    scored.sort();
    scored.dedup();
    for contact in &scored {
        crate::score::rescore_contact(conn, contact)?;
    }
    Ok(())
}

pub(crate) const BOOKING_COLUMNS: &str =
    "b.id, b.kind, b.title, b.starts_at, b.ends_at, b.time_zone, b.location, b.listing_id,
     b.status, b.deleted_at,
     (SELECT group_concat(bc.id || char(30) || bc.display_name, char(31))
        FROM booking_attendees ba JOIN contacts bc ON bc.id = ba.attendee_id
        WHERE ba.booking_id = b.id AND ba.attendee_kind = 'contact' AND bc.deleted_at IS NULL),
     (SELECT bl.address_line || ', ' || bl.city FROM listings bl
        WHERE bl.id = b.listing_id AND bl.deleted_at IS NULL)";

pub(crate) fn booking_from_row(row: &Row<'_>) -> rusqlite::Result<BookingSummary> {
    Ok(BookingSummary {
        id: parsed(row, 0)?,
        kind: parsed(row, 1)?,
        title: row.get(2)?,
        starts_at: required_time(row, 3)?,
        ends_at: required_time(row, 4)?,
        time_zone: row.get(5)?,
        location: row.get(6)?,
        listing: opt_parsed(row, 7)?,
        status: parsed(row, 8)?,
        deleted_at: time(row, 9)?,
        with: row
            .get::<_, Option<String>>(10)?
            .map(|joined| {
                let mut with: Vec<(ContactId, String)> = joined
                    .split('\u{1f}')
                    .filter_map(|pair| {
                        let (id, name) = pair.split_once('\u{1e}')?;
                        Some((id.parse().ok()?, name.to_owned()))
                    })
                    .collect();
                with.sort_by(|a, b| a.1.cmp(&b.1));
                with
            })
            .unwrap_or_default(),
        listing_address: row.get(11)?,
    })
}

impl Replica {
    /// Validates `input` and stores a new booking made by `by`.
    pub fn create_booking(
        &self,
        input: &BookingInput,
        by: UserId,
    ) -> Result<Booking, ReplicaError> {
        self.batch(|b| b.create_booking(input, by))
    }

    /// Replaces booking `id`'s editable fields with `input`.
    pub fn update_booking(
        &self,
        id: &BookingId,
        input: &BookingInput,
    ) -> Result<Booking, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            records::modify::<Booking>(tx, self.actor(), *id, now, |b| {
                Ok(records::edit_changes(b, now, |b| b.apply(input, now)))
            })
        })
    }

    pub fn soft_delete_booking(&self, id: &BookingId) -> Result<Booking, ReplicaError> {
        self.set_deleted::<Booking>(*id, true)
    }

    pub fn restore_booking(&self, id: &BookingId) -> Result<Booking, ReplicaError> {
        self.set_deleted::<Booking>(*id, false)
    }

    pub fn get_booking(&self, id: &BookingId) -> Result<Option<Booking>, ReplicaError> {
        self.read::<Booking>(*id)
    }

    /// Bookings (not deleted) overlapping `[from, to)`, earliest first: a calendar's day or week
    /// (a broker's calendar shows the team's).
    pub fn bookings_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BookingSummary>, ReplicaError> {
        self.bookings_in(from, to, false)
    }

    /// [`Replica::bookings_between`], only the user's own and those shared with them
    /// (`crate::mine`): Today's, the reminders' and the overlap warnings'.
    pub fn my_bookings_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BookingSummary>, ReplicaError> {
        self.bookings_in(from, to, true)
    }

    fn bookings_in(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        mine_only: bool,
    ) -> Result<Vec<BookingSummary>, ReplicaError> {
        let conn = self.reader();
        // Bookings last at most BOOKING_MAX_DAYS, which bounds the index range scanned.
        let earliest = from - chrono::Duration::days(fieldstone_model::booking::BOOKING_MAX_DAYS);
        let mine = if mine_only {
            format!(
                "AND {}",
                crate::mine::sql(fieldstone_doc::booking::KIND, "b.id")
            )
        } else {
            String::new()
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings b
             WHERE b.starts_at >= ?1 AND b.starts_at < ?3 AND b.ends_at > ?2
               AND b.deleted_at IS NULL {mine}
             ORDER BY b.starts_at, b.id"
        ))?;
        let rows = stmt.query_map(
            params![
                earliest.timestamp_millis(),
                from.timestamp_millis(),
                to.timestamp_millis()
            ],
            booking_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Other bookings of the user's that would clash with one at `[starts_at, ends_at)`
    /// (cancelled and no-show ones do not occupy time; a teammate's day is not the user's), for
    /// an overlap warning. `except` leaves out the booking being edited.
    pub fn overlapping_bookings(
        &self,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        except: Option<BookingId>,
    ) -> Result<Vec<BookingSummary>, ReplicaError> {
        let except = except.map(|id| id.to_string());
        Ok(self
            .my_bookings_between(starts_at, ends_at)?
            .into_iter()
            .filter(|b| {
                matches!(
                    b.status,
                    BookingStatus::Scheduled | BookingStatus::Completed
                )
            })
            .filter(|b| Some(b.id.to_string()) != except)
            .collect())
    }

    /// Bookings a contact attends (not deleted), latest first.
    pub fn bookings_for_contact(
        &self,
        contact: &ContactId,
    ) -> Result<Vec<BookingSummary>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {BOOKING_COLUMNS} FROM booking_attendees a JOIN bookings b ON b.id = a.booking_id
             WHERE a.attendee_id = ?1 AND a.attendee_kind = 'contact' AND b.deleted_at IS NULL
             ORDER BY b.starts_at DESC, b.id DESC"
        ))?;
        let rows = stmt.query_map([contact.to_string()], booking_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
