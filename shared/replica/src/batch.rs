//! Several writes as one durable transaction: all of them are stored, or none. Used for sample
//! data, bulk work and anything that must not be half-done; the single-record methods on
//! [`Replica`] are one-write batches.

use crate::error::ReplicaError;
use crate::records;
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Booking, BookingId, BookingInput, Contact, ContactId, ContactInput, FollowUpPlanning,
    Interaction, InteractionId, InteractionInput, Listing, ListingId, ListingInput, Note, NoteId,
    NoteInput, Task, TaskId, TaskInput, UserId,
};
use rusqlite::Transaction;

/// Writes inside one transaction; see [`Replica::batch`].
pub struct Batch<'t, 'c> {
    tx: &'t Transaction<'c>,
    replica: &'t Replica,
    now: DateTime<Utc>,
}

/// A new record's id: a UUIDv7, time-ordered, so the rows a bulk write adds (an import, a
/// follow-up plan) land at the end of each id index instead of one random page per row. With
/// random (v4) ids a 100k-row import rewrote a growing share of every index in each batch's
/// commit and wrote gigabytes for a 400 MB database.
pub(crate) fn new_uuid() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

impl Batch<'_, '_> {
    pub fn create_contact(
        &mut self,
        input: &ContactInput,
        by: UserId,
    ) -> Result<Contact, ReplicaError> {
        let contact = Contact::create(
            ContactId::from_uuid(new_uuid()),
            input.validate()?,
            by,
            self.now,
        );
        records::insert(self.tx, self.replica.actor(), self.now, &contact)?;
        Ok(contact)
    }

    pub fn create_note(&mut self, input: &NoteInput, author: UserId) -> Result<Note, ReplicaError> {
        let note = Note::create(
            NoteId::from_uuid(new_uuid()),
            input.validate()?,
            author,
            self.now,
        );
        records::insert(self.tx, self.replica.actor(), self.now, &note)?;
        Ok(note)
    }

    /// Logs an interaction and moves its contact's "last contacted" forward if it is later.
    pub fn log_interaction(
        &mut self,
        input: &InteractionInput,
        by: UserId,
    ) -> Result<Interaction, ReplicaError> {
        let input = input.validate()?;
        let occurred_at = input.occurred_at;
        let contact = input.contact;
        let interaction =
            Interaction::create(InteractionId::from_uuid(new_uuid()), input, by, self.now);
        crate::interactions::note_contacted(
            self.tx,
            self.replica.actor(),
            contact,
            occurred_at,
            self.now,
        )?;
        records::insert(self.tx, self.replica.actor(), self.now, &interaction)?;
        Ok(interaction)
    }

    pub fn create_booking(
        &mut self,
        input: &BookingInput,
        by: UserId,
    ) -> Result<Booking, ReplicaError> {
        let booking = Booking::create(
            BookingId::from_uuid(new_uuid()),
            input.validate()?,
            by,
            self.now,
        );
        records::insert(self.tx, self.replica.actor(), self.now, &booking)?;
        Ok(booking)
    }

    pub fn create_listing(
        &mut self,
        input: &ListingInput,
        owner: UserId,
    ) -> Result<Listing, ReplicaError> {
        let listing = Listing::create(
            ListingId::from_uuid(new_uuid()),
            input.validate()?,
            owner,
            self.now,
        );
        records::insert(self.tx, self.replica.actor(), self.now, &listing)?;
        Ok(listing)
    }

    pub fn create_task(&mut self, input: &TaskInput, owner: UserId) -> Result<Task, ReplicaError> {
        let task = Task::create(
            TaskId::from_uuid(new_uuid()),
            input.validate()?,
            owner,
            self.now,
        );
        records::insert(self.tx, self.replica.actor(), self.now, &task)?;
        Ok(task)
    }

    /// The follow-up plan of a contact made in this batch (nothing when its source is
    /// switched off), owned by `owner`.
    pub fn plan_follow_ups(
        &mut self,
        contact: &Contact,
        owner: UserId,
        planning: &FollowUpPlanning,
    ) -> Result<Vec<Task>, ReplicaError> {
        planning
            .tasks_for(contact)
            .iter()
            .map(|input| self.create_task(input, owner))
            .collect()
    }
}

impl Replica {
    /// Runs `work` as one transaction: every write in it is stored durably together, or (if it
    /// returns an error) none is.
    pub fn batch<T>(
        &self,
        work: impl FnOnce(&mut Batch<'_, '_>) -> Result<T, ReplicaError>,
    ) -> Result<T, ReplicaError> {
        self.write(|tx, now| {
            work(&mut Batch {
                tx,
                replica: self,
                now,
            })
        })
    }
}
