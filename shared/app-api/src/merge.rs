//! Duplicate contacts: the groups the engine finds (on a reader connection, so a long search
//! never holds up a write), two contacts side by side, a merge and its undo. The engine merges
//! whatever it is given; what a person can get wrong (a contact merged into itself, one that is
//! gone, a merge that is not this device's or already undone) is refused here in words.

use super::{blocking, check_limit, error, Api};
use fieldstone_model::{Contact, ContactId, SoftDelete};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, MergePreview, MergeReceipt, MergeRequest, MergeSide,
    DUPLICATE_GROUPS_MAX,
};
use fieldstone_protocol::views::{DuplicateGroup, TimelineEntry};
use fieldstone_replica::{Replica, ReplicaError, TIMELINE_PAGE_MAX};
use std::sync::atomic::Ordering;
use std::sync::Arc;

impl Api {
    /// Groups of live contacts sharing an email, a phone number or a full name; emails first.
    /// The duplicate groups, searched again only when the records may have changed: the
    /// Contacts screen asks every time it opens, and a search of 100k contacts takes most of a
    /// second of a core that the screen the agent goes to next needs.
    pub async fn duplicate_groups(&self, limit: u32) -> Result<Vec<DuplicateGroup>, CommandError> {
        check_limit("limit", limit, DUPLICATE_GROUPS_MAX)?;
        let replica = self.replica();
        let key = DuplicatesKey {
            store: Arc::as_ptr(&replica) as usize,
            writes: self.writes.load(Ordering::Relaxed),
            remote_revision: self.sync_status().remote_revision,
            limit,
        };
        if let Some(cached) = self.lock_duplicates().as_ref().filter(|c| c.key == key) {
            return Ok(cached.groups.clone());
        }
        let groups = self
            .read_on(replica, move |r| r.find_duplicates(limit))
            .await?;
        *self.lock_duplicates() = Some(DuplicatesCache {
            key,
            groups: groups.clone(),
        });
        Ok(groups)
    }

    fn lock_duplicates(&self) -> std::sync::MutexGuard<'_, Option<DuplicatesCache>> {
        self.duplicates.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The pair as a merge would take it, each with its timeline counted by kind; refused as
    /// the merge would be.
    pub async fn merge_preview(&self, request: MergeRequest) -> Result<MergePreview, CommandError> {
        let replica = self.replica();
        blocking(move || {
            let (survivor, merged) = live_pair(&replica, &request)?;
            Ok(MergePreview {
                survivor: side(&replica, survivor)?,
                merged: side(&replica, merged)?,
            })
        })
        .await
    }

    /// Merges `merged` into `survivor` (see `fieldstone_replica::duplicates`): the receipt's id
    /// undoes it.
    pub async fn merge_contacts(
        &self,
        request: MergeRequest,
    ) -> Result<MergeReceipt, CommandError> {
        self.check_writable()?;
        let replica = self.replica();
        let receipt = blocking(move || {
            // Checked before the engine's transaction: a contact deleted between the two by
            // sync is merged as the engine finds it, and the undo restores what it changed.
            live_pair(&replica, &request)?;
            replica
                .merge_contacts(&request.survivor, &request.merged)
                .map_err(in_words)
        })
        .await?;
        self.wrote();
        Ok(MergeReceipt {
            merge_id: receipt.merge_id,
            survivor: receipt.survivor,
            merged: receipt.merged,
            moved_records: u32::try_from(receipt.moved_records).unwrap_or(u32::MAX),
            merged_at: receipt.merged_at,
        })
    }

    /// Reverses a merge this device made: the moved records go back, the merged contact is
    /// restored, and what the merge added to the survivor is taken off (edits since are kept).
    pub async fn undo_merge(&self, merge_id: String) -> Result<(), CommandError> {
        self.check_writable()?;
        let merge_id = merge_id.trim().to_owned();
        if uuid::Uuid::parse_str(&merge_id).is_err() {
            return Err(CommandError::invalid(
                "merge_id",
                "This is not a merge's id: undo a merge from the receipt it answered.",
            ));
        }
        let replica = self.replica();
        blocking(move || match replica.undo_merge(&merge_id) {
            Ok(()) => Ok(()),
            // The engine names what it did not find; only the merge itself is the person's
            // mistake (a record of the merge missing would be the engine's).
            Err(ReplicaError::NotFound { what }) if what == format!("merge {merge_id}") => {
                Err(CommandError::invalid(
                    "merge_id",
                    "No merge with this id was made on this device, so there is nothing to undo.",
                ))
            }
            Err(other) => Err(in_words(other)),
        })
        .await?;
        self.wrote();
        Ok(())
    }
}

/// The two contacts of `request`, both on this device and not deleted, and not the same one.
fn live_pair(r: &Replica, request: &MergeRequest) -> Result<(Contact, Contact), CommandError> {
    if request.survivor == request.merged {
        return Err(CommandError::invalid(
            "merged",
            "A contact cannot be merged into itself: choose two different contacts.",
        ));
    }
    let survivor = live(r, "survivor", &request.survivor, "The contact to keep")?;
    let merged = live(r, "merged", &request.merged, "The contact to merge")?;
    Ok((survivor, merged))
}

fn live(r: &Replica, field: &str, id: &ContactId, role: &str) -> Result<Contact, CommandError> {
    match r.get_contact(id).map_err(error::from_replica)? {
        None => Err(CommandError::invalid(
            field,
            format!("{role} is not on this device."),
        )),
        Some(contact) if contact.is_deleted() => Err(CommandError::invalid(
            field,
            format!(
                "{role}, {}, was deleted (or merged already).",
                contact.display_name()
            ),
        )),
        Some(contact) => Ok(contact),
    }
}

/// A contact with its timeline counted: one page at most, the rest only flagged (`more`), so
/// a contact with years of history costs no more than one with a month's.
fn side(r: &Replica, contact: Contact) -> Result<MergeSide, CommandError> {
    let page = r
        .timeline(&contact.id, TIMELINE_PAGE_MAX, None)
        .map_err(error::from_replica)?;
    let mut side = MergeSide {
        contact,
        notes: 0,
        interactions: 0,
        bookings: 0,
        tasks: 0,
        more: page.next.is_some(),
    };
    for entry in &page.entries {
        match entry {
            TimelineEntry::Note(_) => side.notes += 1,
            TimelineEntry::Interaction(_) => side.interactions += 1,
            TimelineEntry::Booking(_) => side.bookings += 1,
            TimelineEntry::Task(_) => side.tasks += 1,
        }
    }
    Ok(side)
}

/// The engine's error, with a refusal of one field said in that field's words (the screen
/// shows the message, and "Some fields need attention" says nothing about a merge).
fn in_words(error: ReplicaError) -> CommandError {
    let mut answer = error::from_replica(error);
    if answer.code == CommandErrorCode::Validation {
        if let [only] = answer.fields.as_slice() {
            answer.message = only.message.clone();
        }
    }
    answer
}

/// What a duplicate search was run against: the store, its local writes and the changes sync
/// applied so far. Any write, here or arriving, makes the next ask search again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DuplicatesKey {
    store: usize,
    writes: u64,
    remote_revision: u64,
    limit: u32,
}

pub(crate) struct DuplicatesCache {
    key: DuplicatesKey,
    groups: Vec<DuplicateGroup>,
}
