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
//! | `device_records` | `()` | `DeviceRecords` |
//! | **Sync** | | |
//! | `sync_status` | `()` | `SyncStatus` (and `sync-status` events) |
//! | `sync_now` | `()` | `SyncStatus` |
//! | `sync_notices` | `()` | `Vec<SyncNotice>` |
//! | `dismiss_notice` | `i64` (notice id) | `()` |
//! | **Until the UI switches over** | | |
//!
//! Remote changes: no event per record; `SyncStatus::remote_revision` grows whenever changes
//! from elsewhere were applied, and the UI reloads what it shows when it does.

use crate::api::Api;
use fieldstone_model::{
    Booking, BookingId, BookingInput, Contact, ContactId, ContactInput, Interaction,
    InteractionInput, Listing, ListingId, ListingInput, Note, NoteInput, RecordRef, Task,
    TaskInput,
};
use fieldstone_protocol::commands::*;
use fieldstone_protocol::views::{
    BookingSummary, ContactPage, ContactQuery, FieldConflict, ImportReport, ListingQuery,
    ListingSummary, TimelinePage,
};
use tauri::State;

#[tauri::command]
pub async fn today(api: State<'_, Api>, request: TodayRequest) -> Result<Today, CommandError> {
    api.today(request).await
}

#[tauri::command]
pub async fn list_contacts(
    api: State<'_, Api>,
    request: ContactQuery,
) -> Result<ContactPage, CommandError> {
    api.list_contacts(request).await
}

#[tauri::command]
pub async fn contact_counts(
    api: State<'_, Api>,
    request: ContactQuery,
) -> Result<ContactCounts, CommandError> {
    api.contact_counts(request).await
}

#[tauri::command]
pub async fn get_contact(
    api: State<'_, Api>,
    request: ContactId,
) -> Result<ContactDetail, CommandError> {
    api.get_contact(request).await
}

#[tauri::command]
pub async fn create_contact(
    api: State<'_, Api>,
    request: ContactInput,
) -> Result<Contact, CommandError> {
    api.create_contact(request).await
}

#[tauri::command]
pub async fn update_contact(
    api: State<'_, Api>,
    request: UpdateContact,
) -> Result<Contact, CommandError> {
    api.update_contact(request).await
}

#[tauri::command]
pub async fn delete_contact(
    api: State<'_, Api>,
    request: ContactId,
) -> Result<Contact, CommandError> {
    api.delete_contact(request).await
}

#[tauri::command]
pub async fn restore_contact(
    api: State<'_, Api>,
    request: ContactId,
) -> Result<Contact, CommandError> {
    api.restore_contact(request).await
}

#[tauri::command]
pub async fn bulk_tag(api: State<'_, Api>, request: BulkTag) -> Result<BulkResult, CommandError> {
    api.bulk_tag(request).await
}

#[tauri::command]
pub async fn bulk_stage(
    api: State<'_, Api>,
    request: BulkStage,
) -> Result<BulkResult, CommandError> {
    api.bulk_stage(request).await
}

#[tauri::command]
pub fn smart_lists(api: State<'_, Api>) -> Vec<SmartList> {
    api.smart_lists()
}

#[tauri::command]
pub async fn save_smart_list(
    api: State<'_, Api>,
    request: SaveSmartList,
) -> Result<SmartList, CommandError> {
    api.save_smart_list(request).await
}

#[tauri::command]
pub fn delete_smart_list(api: State<'_, Api>, request: String) -> Result<(), CommandError> {
    api.delete_smart_list(request)
}

#[tauri::command]
pub async fn upload_chunk(
    api: State<'_, Api>,
    request: UploadChunk,
) -> Result<Uploaded, CommandError> {
    api.upload_chunk(request).await
}

#[tauri::command]
pub async fn import_preview(
    api: State<'_, Api>,
    request: String,
) -> Result<ImportPreview, CommandError> {
    api.import_preview(request).await
}

#[tauri::command]
pub async fn import_contacts(
    api: State<'_, Api>,
    request: ImportRequest,
) -> Result<ImportReport, CommandError> {
    api.import_contacts(request).await
}

#[tauri::command]
pub async fn export(
    api: State<'_, Api>,
    request: ExportRequest,
) -> Result<ExportDone, CommandError> {
    api.export(request).await
}

#[tauri::command]
pub async fn pipeline(
    api: State<'_, Api>,
    request: PipelineRequest,
) -> Result<Pipeline, CommandError> {
    api.pipeline(request).await
}

#[tauri::command]
pub async fn move_stage(api: State<'_, Api>, request: MoveStage) -> Result<Contact, CommandError> {
    api.move_stage(request).await
}

#[tauri::command]
pub async fn timeline(
    api: State<'_, Api>,
    request: TimelineRequest,
) -> Result<TimelinePage, CommandError> {
    api.timeline(request).await
}

#[tauri::command]
pub async fn add_note(api: State<'_, Api>, request: NoteInput) -> Result<Note, CommandError> {
    api.add_note(request).await
}

#[tauri::command]
pub async fn log_interaction(
    api: State<'_, Api>,
    request: InteractionInput,
) -> Result<Interaction, CommandError> {
    api.log_interaction(request).await
}

#[tauri::command]
pub async fn create_task(api: State<'_, Api>, request: TaskInput) -> Result<Task, CommandError> {
    api.create_task(request).await
}

#[tauri::command]
pub async fn update_task(api: State<'_, Api>, request: UpdateTask) -> Result<Task, CommandError> {
    api.update_task(request).await
}

#[tauri::command]
pub async fn set_task_status(
    api: State<'_, Api>,
    request: SetTaskStatus,
) -> Result<Task, CommandError> {
    api.set_task_status(request).await
}

#[tauri::command]
pub async fn conflicts(
    api: State<'_, Api>,
    request: RecordRef,
) -> Result<Vec<FieldConflict>, CommandError> {
    api.conflicts(request).await
}

#[tauri::command]
pub async fn resolve_conflict(
    api: State<'_, Api>,
    request: ResolveConflict,
) -> Result<Vec<FieldConflict>, CommandError> {
    api.resolve_conflict(request).await
}

#[tauri::command]
pub async fn conflicted_docs(api: State<'_, Api>) -> Result<Vec<ConflictedDoc>, CommandError> {
    api.conflicted_docs().await
}

#[tauri::command]
pub async fn bookings_between(
    api: State<'_, Api>,
    request: BookingWindow,
) -> Result<Vec<BookingSummary>, CommandError> {
    api.bookings_between(request).await
}

#[tauri::command]
pub async fn check_overlaps(
    api: State<'_, Api>,
    request: OverlapCheck,
) -> Result<Vec<BookingSummary>, CommandError> {
    api.check_overlaps(request).await
}

#[tauri::command]
pub async fn get_booking(api: State<'_, Api>, request: BookingId) -> Result<Booking, CommandError> {
    api.get_booking(request).await
}

#[tauri::command]
pub async fn create_booking(
    api: State<'_, Api>,
    request: BookingInput,
) -> Result<BookingSaved, CommandError> {
    api.create_booking(request).await
}

#[tauri::command]
pub async fn update_booking(
    api: State<'_, Api>,
    request: UpdateBooking,
) -> Result<BookingSaved, CommandError> {
    api.update_booking(request).await
}

#[tauri::command]
pub async fn delete_booking(
    api: State<'_, Api>,
    request: BookingId,
) -> Result<Booking, CommandError> {
    api.delete_booking(request).await
}

#[tauri::command]
pub async fn list_listings(
    api: State<'_, Api>,
    request: ListingQuery,
) -> Result<Vec<ListingSummary>, CommandError> {
    api.list_listings(request).await
}

#[tauri::command]
pub async fn get_listing(api: State<'_, Api>, request: ListingId) -> Result<Listing, CommandError> {
    api.get_listing(request).await
}

#[tauri::command]
pub async fn create_listing(
    api: State<'_, Api>,
    request: ListingInput,
) -> Result<Listing, CommandError> {
    api.create_listing(request).await
}

#[tauri::command]
pub async fn update_listing(
    api: State<'_, Api>,
    request: UpdateListing,
) -> Result<Listing, CommandError> {
    api.update_listing(request).await
}

#[tauri::command]
pub async fn add_photo(
    api: State<'_, Api>,
    request: AddPhoto,
) -> Result<StoredPhoto, CommandError> {
    api.add_photo(request).await
}

#[tauri::command]
pub async fn photo(api: State<'_, Api>, request: String) -> Result<Photo, CommandError> {
    api.photo(request).await
}

#[tauri::command]
pub fn account(api: State<'_, Api>) -> Account {
    api.account()
}

#[tauri::command]
pub async fn sign_in(api: State<'_, Api>, request: SignInRequest) -> Result<Account, CommandError> {
    api.sign_in(request).await
}

#[tauri::command]
pub async fn sign_out(api: State<'_, Api>) -> Result<Account, CommandError> {
    api.sign_out().await
}

#[tauri::command]
pub fn set_device_name(api: State<'_, Api>, request: String) -> Result<Account, CommandError> {
    api.set_device_name(request)
}

#[tauri::command]
pub fn about(api: State<'_, Api>) -> About {
    api.about()
}

#[tauri::command]
pub async fn device_records(api: State<'_, Api>) -> Result<DeviceRecords, CommandError> {
    api.device_records().await
}

#[tauri::command]
pub fn sync_status(api: State<'_, Api>) -> SyncStatus {
    api.sync_status()
}

#[tauri::command]
pub fn sync_now(api: State<'_, Api>) -> SyncStatus {
    api.sync_now()
}

#[tauri::command]
pub async fn sync_notices(api: State<'_, Api>) -> Result<Vec<SyncNotice>, CommandError> {
    api.sync_notices().await
}

#[tauri::command]
pub async fn dismiss_notice(api: State<'_, Api>, request: i64) -> Result<(), CommandError> {
    api.dismiss_notice(request).await
}
