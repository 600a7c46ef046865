//! Typed wrappers over the shell's commands and events, one per row of the contract table in
//! the shell's `commands.rs`. Request and response types come from `fieldstone-protocol` and
//! `fieldstone-model`, shared with the shell, so the two sides cannot drift apart. Every command
//! takes at most one argument, named `request`.

use super::bridge::{call, listen, Subscription};
use fieldstone_model::{
    Booking, BookingId, BookingInput, Contact, ContactId, ContactInput, Interaction,
    InteractionInput, Listing, ListingId, ListingInput, Note, NoteInput, RecordRef, Task,
    TaskInput,
};
use fieldstone_protocol::commands::{
    About, Account, AddPhoto, BookingSaved, BookingWindow, BulkResult, BulkStage, BulkTag,
    CommandError, ConflictedDoc, ContactCounts, ContactDetail, DeviceRecords, ExportDone,
    ExportRequest, ImportPreview, ImportProgressEvent, ImportRequest, MoveStage, OverlapCheck,
    Photo, Pipeline, PipelineRequest, ResolveConflict, SaveSmartList, SetTaskStatus, SignInRequest,
    SmartList, StoredPhoto, SyncNotice, SyncStatus, TimelineRequest, Today, TodayRequest,
    UpdateBooking, UpdateContact, UpdateListing, UpdateTask, UploadChunk, Uploaded,
    IMPORT_PROGRESS_EVENT, SYNC_STATUS_EVENT,
};
use fieldstone_protocol::views::{
    BookingSummary, ContactPage, ContactQuery, FieldConflict, ImportReport, ListingQuery,
    ListingSummary, TimelinePage,
};
use serde::Serialize;

/// Commands without a request still take an (empty) argument object.
#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct Request<'a, T> {
    request: &'a T,
}

/// `name(&Request) -> Response` or `name() -> Response`, calling the command of that name.
macro_rules! commands {
    ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
        $( commands!(@one $(#[$meta])* $name($($request)?) -> $response); )+
    };
    (@one $(#[$meta:meta])* $name:ident() -> $response:ty) => {
        $(#[$meta])*
        pub async fn $name() -> Result<$response, CommandError> {
            call(stringify!($name), &NoArgs {}).await
        }
    };
    (@one $(#[$meta:meta])* $name:ident($request:ty) -> $response:ty) => {
        $(#[$meta])*
        pub async fn $name(request: &$request) -> Result<$response, CommandError> {
            call(stringify!($name), &Request { request }).await
        }
    };
}

commands! {
    // Today
    today(TodayRequest) -> Today;

    // Contacts
    list_contacts(ContactQuery) -> ContactPage;
    contact_counts(ContactQuery) -> ContactCounts;
    get_contact(ContactId) -> ContactDetail;
    create_contact(ContactInput) -> Contact;
    update_contact(UpdateContact) -> Contact;
    delete_contact(ContactId) -> Contact;
    restore_contact(ContactId) -> Contact;
    bulk_tag(BulkTag) -> BulkResult;
    bulk_stage(BulkStage) -> BulkResult;
    smart_lists() -> Vec<SmartList>;
    save_smart_list(SaveSmartList) -> SmartList;
    /// Takes the smart list's id.
    delete_smart_list(String) -> ();
    upload_chunk(UploadChunk) -> Uploaded;
    /// Takes the upload id.
    import_preview(String) -> ImportPreview;
    import_contacts(ImportRequest) -> ImportReport;
    export(ExportRequest) -> ExportDone;

    // Pipeline
    pipeline(PipelineRequest) -> Pipeline;
    move_stage(MoveStage) -> Contact;

    // Contact detail
    timeline(TimelineRequest) -> TimelinePage;
    add_note(NoteInput) -> Note;
    log_interaction(InteractionInput) -> Interaction;
    create_task(TaskInput) -> Task;
    update_task(UpdateTask) -> Task;
    set_task_status(SetTaskStatus) -> Task;
    conflicts(RecordRef) -> Vec<FieldConflict>;
    /// Answers the conflicts left on the record.
    resolve_conflict(ResolveConflict) -> Vec<FieldConflict>;
    conflicted_docs() -> Vec<ConflictedDoc>;

    // Calendar
    bookings_between(BookingWindow) -> Vec<BookingSummary>;
    check_overlaps(OverlapCheck) -> Vec<BookingSummary>;
    get_booking(BookingId) -> Booking;
    create_booking(BookingInput) -> BookingSaved;
    update_booking(UpdateBooking) -> BookingSaved;
    delete_booking(BookingId) -> Booking;

    // Listings
    list_listings(ListingQuery) -> Vec<ListingSummary>;
    get_listing(ListingId) -> Listing;
    create_listing(ListingInput) -> Listing;
    update_listing(UpdateListing) -> Listing;
    add_photo(AddPhoto) -> StoredPhoto;
    /// Takes a photo's `uri`.
    photo(String) -> Photo;

    // Settings and account
    account() -> Account;
    sign_in(SignInRequest) -> Account;
    sign_out() -> Account;
    set_device_name(String) -> Account;
    about() -> About;
    device_records() -> DeviceRecords;

    // Sync
    sync_status() -> SyncStatus;
    sync_now() -> SyncStatus;
    sync_notices() -> Vec<SyncNotice>;
    dismiss_notice(i64) -> ();
}

/// Calls `handler` with every [`SyncStatus`] the shell emits, until the subscription is dropped.
pub async fn on_sync_status(
    handler: impl FnMut(SyncStatus) + 'static,
) -> Result<Subscription, CommandError> {
    listen(SYNC_STATUS_EVENT, handler).await
}

/// Calls `handler` with the progress of every import batch, until the subscription is dropped.
pub async fn on_import_progress(
    handler: impl FnMut(ImportProgressEvent) + 'static,
) -> Result<Subscription, CommandError> {
    listen(IMPORT_PROGRESS_EVENT, handler).await
}
