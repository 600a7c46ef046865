//! Tauri commands: one-line wrappers over [`crate::api::Api`].
//!
//! The contract (types in `fieldstone_protocol::commands`, `fieldstone_protocol::views` and
//! `fieldstone_model`). Every command takes at most one argument, named `request`; every one
//! fails with a `CommandError`. `()` means no request (call with `{}`) or an empty answer.
//!
//! | command | request | response |
//! |---|---|---|
//! | **Today** | | |
//! | `today` | `TodayRequest` | `Today` |
//! | **Contacts** | | |
//! | `list_contacts` | `ContactQuery` | `ContactPage` |
//! | `contact_counts` | `ContactQuery` | `ContactCounts` |
//! | `get_contact` | `ContactId` | `ContactDetail` |
//! | `create_contact` | `ContactInput` | `Contact` |
//! | `update_contact` | `UpdateContact` | `Contact` |
//! | `delete_contact` | `ContactId` | `Contact` |
//! | `restore_contact` | `ContactId` | `Contact` |
//! | `bulk_tag` | `BulkTag` | `BulkResult` |
//! | `bulk_stage` | `BulkStage` | `BulkResult` |
//! | `smart_lists` | `()` | `Vec<SmartList>` |
//! | `save_smart_list` | `SaveSmartList` | `SmartList` |
//! | `delete_smart_list` | `String` (id) | `()` |
//! | `upload_chunk` | `UploadChunk` | `Uploaded` |
//! | `import_preview` | `String` (upload id) | `ImportPreview` |
//! | `import_contacts` | `ImportRequest` | `ImportReport` (and `import-progress` events) |
//! | `export` | `ExportRequest` | `ExportDone` |
//! | **Pipeline** | | |
//! | `pipeline` | `PipelineRequest` | `Pipeline` |
//! | `move_stage` | `MoveStage` | `Contact` |
//! | **Contact detail** | | |
//! | `timeline` | `TimelineRequest` | `TimelinePage` |
//! | `add_note` | `NoteInput` | `Note` |
//! | `log_interaction` | `InteractionInput` | `Interaction` |
//! | `create_task` | `TaskInput` | `Task` |
//! | `update_task` | `UpdateTask` | `Task` |
//! | `set_task_status` | `SetTaskStatus` | `Task` |
//! | `conflicts` | `RecordRef` | `Vec<FieldConflict>` |
//! | `resolve_conflict` | `ResolveConflict` | `Vec<FieldConflict>` (what is left) |
//! | `conflicted_docs` | `()` | `Vec<ConflictedDoc>` |
//! | **Calendar** | | |
//! | `bookings_between` | `BookingWindow` | `Vec<BookingSummary>` |
//! | `check_overlaps` | `OverlapCheck` | `Vec<BookingSummary>` |
//! | `get_booking` | `BookingId` | `Booking` |
//! | `create_booking` | `BookingInput` | `BookingSaved` |
//! | `update_booking` | `UpdateBooking` | `BookingSaved` |
//! | `delete_booking` | `BookingId` | `Booking` |
//! | **Listings** | | |
//! | `list_listings` | `ListingQuery` | `Vec<ListingSummary>` |
//! | `get_listing` | `ListingId` | `Listing` |
//! | `create_listing` | `ListingInput` | `Listing` |
//! | `update_listing` | `UpdateListing` | `Listing` |
//! | `add_photo` | `AddPhoto` | `StoredPhoto` |
//! | `photo` | `String` (a photo's `uri`) | `Photo` |
//! | **Settings and account** | | |
//! | `account` | `()` | `Account` |
//! | `sign_in` | `SignInRequest` | `Account` |
//! | `sign_out` | `()` | `Account` |
//! | `set_device_name` | `String` | `Account` |
//! | `about` | `()` | `About` |
//! | **Sync** | | |
//! | `sync_status` | `()` | `SyncStatus` (and `sync-status` events) |
//! | `sync_now` | `()` | `SyncStatus` |
//! | `sync_notices` | `()` | `Vec<SyncNotice>` |
//! | `dismiss_notice` | `i64` (notice id) | `()` |
//! | **Until the UI switches over** | | |
//! | `create_lead` | `input: LeadInput` | `Lead` |
//! | `list_leads` | `()` | `Vec<Lead>` |
//!
//! Remote changes: no event per record; `SyncStatus::remote_revision` grows whenever changes
//! from elsewhere were applied, and the UI reloads what it shows when it does.

use crate::api::Api;
use fieldstone_model::{Lead, LeadInput};
use fieldstone_protocol::commands::{CommandError, SyncStatus};
use tauri::State;

#[tauri::command]
pub async fn create_lead(api: State<'_, Api>, input: LeadInput) -> Result<Lead, CommandError> {
    api.create_lead(input).await
}

#[tauri::command]
pub async fn list_leads(api: State<'_, Api>) -> Result<Vec<Lead>, CommandError> {
    api.list_leads().await
}

#[tauri::command]
pub fn sync_status(api: State<'_, Api>) -> SyncStatus {
    api.sync_status()
}
