//! Likely duplicate contacts, and merging two of them as an operation that can be undone.
//!
//! A merge moves the duplicate's notes, interactions, bookings and tasks to the survivor, adds
//! the duplicate's emails, phones and tags to the survivor, fills the survivor's empty fields,
//! and soft-deletes the duplicate, all in one transaction. A journal of exactly what changed is
//! kept on this device; undo reverses those changes (and only those: edits made since survive).

use crate::contacts::summary_from_row;
use crate::error::ReplicaError;
use crate::records;
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Booking, BookingId, Contact, ContactId, Interaction, InteractionId, MatchKey, Note, NoteId,
    RecordRef, SoftDelete, Task, TaskId, TaskStatus, ValidationErrors,
};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use fieldstone_protocol::views::DuplicateGroup;

/// What a merge did, kept for undo.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Journal {
    /// Survivor fields before the merge, only those the merge changed, with the value it wrote.
    emails_added: Vec<String>,
    phones_added: Vec<String>,
    tags_added: Vec<String>,
    filled: BTreeMap<String, serde_json::Value>,
    notes: Vec<NoteId>,
    interactions: Vec<InteractionId>,
    bookings: Vec<BookingId>,
    tasks: Vec<TaskId>,
    merged_was_deleted: bool,
    /// Whether the merge moved the survivor's "last contacted" forward, and from what. (Two
    /// fields: JSON cannot tell `Some(None)` from `None`.)
    moved_last_contacted: bool,
    last_contacted_before: Option<DateTime<Utc>>,
    /// The duplicate's open follow-up plan steps the merge cancelled, because the survivor had
    /// a plan running (one person, one plan); undoing the merge reopens them.
    #[serde(default)]
    cancelled_steps: Vec<TaskId>,
}

/// A merge this device made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeReceipt {
    /// Pass to [`Replica::undo_merge`].
    pub merge_id: String,
    pub survivor: ContactId,
    pub merged: ContactId,
    pub moved_records: usize,
    pub merged_at: DateTime<Utc>,
}

const GROUPS_MAX: u32 = 500;

impl Replica {
    /// Groups of live contacts sharing an email, phone number or full name; strongest evidence
    /// (email, then phone, then name) first. At most `limit` groups (1..=500).
    pub fn find_duplicates(&self, limit: u32) -> Result<Vec<DuplicateGroup>, ReplicaError> {
        if limit == 0 || limit > GROUPS_MAX {
            let mut errors = ValidationErrors::default();
            errors.push("limit", format!("Ask for 1 to {GROUPS_MAX} groups."));
            return Err(errors.into());
        }
        let conn = self.reader();
        let mut groups_stmt = conn.prepare_cached(
            "SELECT k.kind, k.value FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
             WHERE c.deleted_at IS NULL
             GROUP BY k.kind, k.value HAVING count(*) > 1
             ORDER BY CASE k.kind WHEN 'email' THEN 0 WHEN 'phone' THEN 1 ELSE 2 END, k.value
             LIMIT ?1",
        )?;
        let keys = groups_stmt
            .query_map([limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut members = conn.prepare_cached(&format!(
            "SELECT {} FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
             WHERE k.kind = ?1 AND k.value = ?2 AND c.deleted_at IS NULL
             ORDER BY c.created_at, c.id",
            crate::contacts::SUMMARY_COLUMNS
        ))?;
        let mut groups = Vec::new();
        for (key_kind, key_value) in keys {
            let contacts = members
                .query_map(params![key_kind, key_value], summary_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            groups.push(DuplicateGroup {
                key_kind,
                key_value,
                contacts,
            });
        }
        Ok(groups)
    }

    /// Live contacts other than `id` sharing any of its match keys, oldest first.
    pub fn duplicates_of(&self, id: &ContactId) -> Result<Vec<ContactId>, ReplicaError> {
        let Some(contact) = self.get_contact(id)? else {
            return Err(ReplicaError::NotFound {
                what: format!("contact {id}"),
            });
        };
        let mut found: Vec<ContactId> = Vec::new();
        for key in contact.match_keys() {
            for other in self.contacts_with_key(&key)? {
                if other != *id && !found.contains(&other) {
                    found.push(other);
                }
            }
        }
        Ok(found)
    }

    /// Merges contact `merged` into `survivor` (see the module docs). Returns a receipt whose id
    /// undoes it.
    pub fn merge_contacts(
        &self,
        survivor: &ContactId,
        merged: &ContactId,
    ) -> Result<MergeReceipt, ReplicaError> {
        if survivor == merged {
            let mut errors = ValidationErrors::default();
            errors.push("merged", "A contact cannot be merged into itself.");
            return Err(errors.into());
        }
        let merge_id = uuid::Uuid::new_v4().to_string();
        self.write(|tx, now| {
            let actor = self.actor();
            let other = records::get::<Contact>(tx, actor, *merged)?.ok_or_else(|| {
                ReplicaError::NotFound {
                    what: format!("contact {merged}"),
                }
            })?;
            let mut journal = Journal::default();
            records::modify::<Contact>(tx, actor, *survivor, now, |s| {
                absorb(s, &other, &mut journal);
                s.updated_at = now;
                Ok(true)
            })?;
            if !crate::tasks::open_plan_steps(tx, survivor)?.is_empty() {
                for id in crate::tasks::open_plan_steps(tx, merged)? {
                    set_status(tx, self, id, TaskStatus::Cancelled, now)?;
                    journal.cancelled_steps.push(id);
                }
            }
            let (notes, interactions, bookings, tasks) = linked_records(tx, merged)?;
            for id in notes {
                move_note(tx, self, id, *merged, *survivor, now)?;
                journal.notes.push(id);
            }
            for id in interactions {
                move_interaction(tx, self, id, *merged, *survivor, now)?;
                journal.interactions.push(id);
            }
            for id in bookings {
                move_booking(tx, self, id, *merged, *survivor, now)?;
                journal.bookings.push(id);
            }
            for id in tasks {
                move_task(tx, self, id, *merged, *survivor, now)?;
                journal.tasks.push(id);
            }
            journal.merged_was_deleted = other.is_deleted();
            records::modify::<Contact>(tx, actor, *merged, now, |m| {
                if m.is_deleted() {
                    return Ok(false);
                }
                m.soft_delete(now);
                m.updated_at = now;
                Ok(true)
            })?;
            let moved = journal.notes.len()
                + journal.interactions.len()
                + journal.bookings.len()
                + journal.tasks.len();
            let json = serde_json::to_string(&journal).map_err(|e| {
                ReplicaError::doc(
                    "merge",
                    fieldstone_doc::DocError::InvalidValue(e.to_string()),
                )
            })?;
            tx.execute(
                "INSERT INTO merges (id, survivor_id, merged_id, journal, merged_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    merge_id,
                    survivor.to_string(),
                    merged.to_string(),
                    json,
                    now.timestamp_millis()
                ],
            )?;
            Ok(MergeReceipt {
                merge_id: merge_id.clone(),
                survivor: *survivor,
                merged: *merged,
                moved_records: moved,
                merged_at: now,
            })
        })
    }

    /// Reverses merge `merge_id`: the moved records go back, what the merge added to the
    /// survivor is taken off again (edits made since are kept), and the duplicate is restored.
    pub fn undo_merge(&self, merge_id: &str) -> Result<(), ReplicaError> {
        self.write(|tx, now| {
            let row: Option<(String, String, String, Option<i64>)> = tx
                .query_row(
                    "SELECT survivor_id, merged_id, journal, undone_at FROM merges WHERE id = ?1",
                    [merge_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((survivor, merged, journal, undone_at)) = row else {
                return Err(ReplicaError::NotFound {
                    what: format!("merge {merge_id}"),
                });
            };
            if undone_at.is_some() {
                let mut errors = ValidationErrors::default();
                errors.push("merge_id", "This merge has already been undone.");
                return Err(errors.into());
            }
            let bad =
                |e: String| ReplicaError::doc("merge", fieldstone_doc::DocError::InvalidValue(e));
            let survivor: ContactId = survivor.parse().map_err(|e| bad(format!("{e}")))?;
            let merged: ContactId = merged.parse().map_err(|e| bad(format!("{e}")))?;
            let journal: Journal =
                serde_json::from_str(&journal).map_err(|e| bad(e.to_string()))?;
            let actor = self.actor();
            records::modify::<Contact>(tx, actor, survivor, now, |s| {
                let before = s.clone();
                unabsorb(s, &journal);
                let changed = *s != before;
                if changed {
                    s.updated_at = now;
                }
                Ok(changed)
            })?;
            for id in &journal.notes {
                move_note(tx, self, *id, survivor, merged, now)?;
            }
            for id in &journal.interactions {
                move_interaction(tx, self, *id, survivor, merged, now)?;
            }
            for id in &journal.bookings {
                move_booking(tx, self, *id, survivor, merged, now)?;
            }
            for id in &journal.tasks {
                move_task(tx, self, *id, survivor, merged, now)?;
            }
            for id in &journal.cancelled_steps {
                // Only a step still as the merge left it: one closed since stays closed.
                if records::get::<Task>(tx, actor, *id)?
                    .is_some_and(|t| t.status == TaskStatus::Cancelled)
                {
                    set_status(tx, self, *id, TaskStatus::Pending, now)?;
                }
            }
            if !journal.merged_was_deleted {
                records::modify::<Contact>(tx, actor, merged, now, |m| {
                    if !m.is_deleted() {
                        return Ok(false);
                    }
                    m.restore();
                    m.updated_at = now;
                    Ok(true)
                })?;
            }
            tx.execute(
                "UPDATE merges SET undone_at = ?2 WHERE id = ?1",
                params![merge_id, now.timestamp_millis()],
            )?;
            Ok(())
        })
    }
}

/// Adds `other`'s channels and tags to `s` and fills `s`'s empty fields, noting each change.
fn absorb(s: &mut Contact, other: &Contact, journal: &mut Journal) {
    use fieldstone_model::contact::{EMAILS_MAX, PHONES_MAX};
    for email in &other.emails {
        let key = MatchKey::email(&email.address);
        let known = key.is_some() && s.emails.iter().any(|e| MatchKey::email(&e.address) == key);
        if !known && s.emails.len() < EMAILS_MAX {
            let mut added = email.clone();
            added.primary = s.emails.is_empty();
            journal.emails_added.push(added.address.clone());
            s.emails.push(added);
        }
    }
    for phone in &other.phones {
        let key = MatchKey::phone(&phone.number);
        let known = key.is_some() && s.phones.iter().any(|p| MatchKey::phone(&p.number) == key);
        if !known && s.phones.len() < PHONES_MAX {
            let mut added = phone.clone();
            added.primary = s.phones.is_empty();
            journal.phones_added.push(added.number.clone());
            s.phones.push(added);
        }
    }
    for tag in &other.tags {
        if s.tags.insert(tag.clone()) {
            journal.tags_added.push(tag.clone());
        }
    }
    if s.family_name.is_empty() && !other.family_name.is_empty() {
        s.family_name = other.family_name.clone();
        journal
            .filled
            .insert("family_name".into(), serde_json::json!(s.family_name));
    }
    if s.instagram.is_none() && other.instagram.is_some() {
        s.instagram = other.instagram.clone();
        journal
            .filled
            .insert("instagram".into(), serde_json::json!(s.instagram));
    }
    if s.whatsapp.is_none() && other.whatsapp.is_some() {
        s.whatsapp = other.whatsapp.clone();
        journal
            .filled
            .insert("whatsapp".into(), serde_json::json!(s.whatsapp));
    }
    if s.time_zone.is_none() && other.time_zone.is_some() {
        s.time_zone = other.time_zone.clone();
        journal
            .filled
            .insert("time_zone".into(), serde_json::json!(s.time_zone));
    }
    let none = fieldstone_model::Preferences::default();
    if s.preferences == none && other.preferences != none {
        if let Ok(value) = serde_json::to_value(&other.preferences) {
            s.preferences = other.preferences.clone();
            journal.filled.insert("preferences".into(), value);
        }
    }
    if other.last_contacted_at > s.last_contacted_at {
        journal.moved_last_contacted = true;
        journal.last_contacted_before = s.last_contacted_at;
        s.last_contacted_at = other.last_contacted_at;
        journal.filled.insert(
            "last_contacted_at".into(),
            serde_json::json!(s.last_contacted_at),
        );
    }
}

/// Takes back what [`absorb`] added, leaving anything changed since as it is.
fn unabsorb(s: &mut Contact, journal: &Journal) {
    s.emails
        .retain(|e| !journal.emails_added.contains(&e.address));
    s.phones
        .retain(|p| !journal.phones_added.contains(&p.number));
    if !s.emails.is_empty() && !s.emails.iter().any(|e| e.primary) {
        s.emails[0].primary = true;
    }
    if !s.phones.is_empty() && !s.phones.iter().any(|p| p.primary) {
        s.phones[0].primary = true;
    }
    for tag in &journal.tags_added {
        s.tags.remove(tag);
    }
    // A filled field goes back only if it still holds what the merge wrote.
    let still = |field: &str, now: serde_json::Value| journal.filled.get(field) == Some(&now);
    if still("family_name", serde_json::json!(s.family_name)) {
        s.family_name.clear();
    }
    if still("instagram", serde_json::json!(s.instagram)) {
        s.instagram = None;
    }
    if still("whatsapp", serde_json::json!(s.whatsapp)) {
        s.whatsapp = None;
    }
    if still("time_zone", serde_json::json!(s.time_zone)) {
        s.time_zone = None;
    }
    if serde_json::to_value(&s.preferences).is_ok_and(|v| still("preferences", v)) {
        s.preferences = Default::default();
    }
    if journal.moved_last_contacted
        && still("last_contacted_at", serde_json::json!(s.last_contacted_at))
    {
        s.last_contacted_at = journal.last_contacted_before;
    }
}

type Linked = (Vec<NoteId>, Vec<InteractionId>, Vec<BookingId>, Vec<TaskId>);

/// Every record (deleted ones included) attached to contact `id`, from the read model.
fn linked_records(tx: &Transaction<'_>, id: &ContactId) -> Result<Linked, ReplicaError> {
    fn ids<T: std::str::FromStr>(
        tx: &Transaction<'_>,
        sql: &str,
        id: &ContactId,
    ) -> Result<Vec<T>, ReplicaError>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let mut stmt = tx.prepare_cached(sql)?;
        let rows = stmt.query_map([id.to_string()], |r| crate::rows::parsed::<T>(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
    Ok((
        ids(
            tx,
            "SELECT id FROM notes WHERE record_kind = 'contact' AND record_id = ?1 ORDER BY id",
            id,
        )?,
        ids(
            tx,
            "SELECT id FROM interactions WHERE contact_id = ?1 ORDER BY id",
            id,
        )?,
        ids(
            tx,
            "SELECT booking_id FROM booking_attendees
             WHERE attendee_kind = 'contact' AND attendee_id = ?1 ORDER BY booking_id",
            id,
        )?,
        ids(
            tx,
            "SELECT id FROM tasks WHERE record_kind = 'contact' AND record_id = ?1 ORDER BY id",
            id,
        )?,
    ))
}

fn move_note(
    tx: &Transaction<'_>,
    r: &Replica,
    id: NoteId,
    from: ContactId,
    to: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Note>(tx, r.actor(), id, now, |n| {
        if n.record != RecordRef::Contact(from) {
            return Ok(false);
        }
        n.record = RecordRef::Contact(to);
        Ok(true)
    })?;
    Ok(())
}

fn move_interaction(
    tx: &Transaction<'_>,
    r: &Replica,
    id: InteractionId,
    from: ContactId,
    to: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Interaction>(tx, r.actor(), id, now, |i| {
        if i.contact != from {
            return Ok(false);
        }
        i.contact = to;
        Ok(true)
    })?;
    Ok(())
}

fn move_booking(
    tx: &Transaction<'_>,
    r: &Replica,
    id: BookingId,
    from: ContactId,
    to: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Booking>(tx, r.actor(), id, now, |b| {
        let contacts = &mut b.attendees.contacts;
        let Some(at) = contacts.iter().position(|c| *c == from) else {
            return Ok(false);
        };
        if contacts.contains(&to) {
            contacts.remove(at);
        } else {
            contacts[at] = to;
        }
        Ok(true)
    })?;
    Ok(())
}

fn set_status(
    tx: &Transaction<'_>,
    r: &Replica,
    id: TaskId,
    status: TaskStatus,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Task>(tx, r.actor(), id, now, |t| {
        let changed = t.set_status(status, now);
        if changed {
            t.updated_at = now;
        }
        Ok(changed)
    })?;
    Ok(())
}

fn move_task(
    tx: &Transaction<'_>,
    r: &Replica,
    id: TaskId,
    from: ContactId,
    to: ContactId,
    now: DateTime<Utc>,
) -> Result<(), ReplicaError> {
    records::modify::<Task>(tx, r.actor(), id, now, |t| {
        if t.record != Some(RecordRef::Contact(from)) {
            return Ok(false);
        }
        t.record = Some(RecordRef::Contact(to));
        Ok(true)
    })?;
    Ok(())
}
