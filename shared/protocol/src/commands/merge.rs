//! Merging duplicate contacts: the groups the engine finds, two contacts side by side, the merge
//! and its undo. A merge keeps one contact (the survivor) and moves the other's notes, calls,
//! bookings and tasks to it; the receipt's id undoes it on the device that made it.

use chrono::{DateTime, Utc};
use fieldstone_model::{Contact, ContactId};
use serde::{Deserialize, Serialize};

/// The most groups one `duplicate_groups` answer may hold.
pub const DUPLICATE_GROUPS_MAX: u32 = 500;

/// Which contact stays and which is merged into it (and deleted). `merge_preview` takes the same
/// pair to show the two side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub survivor: ContactId,
    pub merged: ContactId,
}

/// What a merge did. Pass `merge_id` to `undo_merge` to reverse it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeReceipt {
    pub merge_id: String,
    pub survivor: ContactId,
    pub merged: ContactId,
    /// Notes, calls, bookings and tasks moved to the survivor (deleted ones included).
    pub moved_records: u32,
    pub merged_at: DateTime<Utc>,
}

/// One contact of a pair to merge, with what hangs off it (its timeline, counted by kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeSide {
    pub contact: Contact,
    pub notes: u32,
    /// Calls, messages and meetings logged.
    pub interactions: u32,
    pub bookings: u32,
    pub tasks: u32,
    /// The counts stop at one timeline page: there is more than they say.
    pub more: bool,
}

impl MergeSide {
    /// Everything counted on its timeline.
    pub fn entries(&self) -> u32 {
        self.notes + self.interactions + self.bookings + self.tasks
    }
}

/// Two contacts side by side before a merge, in the request's roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergePreview {
    pub survivor: MergeSide,
    pub merged: MergeSide,
}
