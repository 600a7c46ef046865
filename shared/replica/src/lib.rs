//! Fieldstone's local engine. Automerge documents are the truth; SQLite holds them (as bytes)
//! next to the read model every list and search uses, and an outbox of changes not yet sent.
//! Each write touches all three in one durable transaction (DESIGN decisions 2 and 3).

mod account;
mod activity;
mod batch;
mod bookings;
mod campaigns;
mod checkpoint;
mod conflicts;
mod contacts;
mod duplicates;
mod error;
mod interactions;
mod kiosk;
mod listing_activity;
mod listings;
mod matches;
pub mod media;
mod messages;
mod mine;
mod notes;
mod org_settings;
mod prefs;
mod projection;
mod readers;
mod records;
mod rows;
mod schema;
mod score;
mod score_learn;
mod store;
pub mod sync;
mod tasks;
mod team;
mod timeline;
mod transfer;

// Every record kind the engine stores; a new kind is its module above and its type here.
records::kinds!(
    fieldstone_model::Contact,
    fieldstone_model::Note,
    fieldstone_model::Interaction,
    fieldstone_model::Booking,
    fieldstone_model::Listing,
    fieldstone_model::Task,
    fieldstone_model::Message,
    fieldstone_model::campaign::record::Campaign,
);

pub use account::AccountBinding;
pub use activity::ACTIVITY_MAX;
pub use batch::Batch;
pub use bookings::BookingSummary;
pub use campaigns::{PlanKnown, CAMPAIGN_LIST_MAX};
pub use conflicts::{ConflictOption, FieldConflict};
pub use contacts::{
    contact_doc_id, ContactPage, ContactQuery, ContactSort, ContactSummary, Cursor, SortField,
    SortKey, StageTotal, TimeRange, CONTACT_PAGE_MAX, NOTE_SEARCH_MIN_CHARS,
};
pub use duplicates::{DuplicateGroup, MergeReceipt};
pub use error::ReplicaError;
pub use interactions::InteractionSummary;
pub use kiosk::{KioskState, Visit, PIN_LOCKOUT_SECS, PIN_TRIES};
pub use listings::{ListingCounts, ListingQuery, ListingSummary, LISTING_PAGE_MAX};
pub use matches::{SUGGESTED_BUYERS_MAX, SUGGESTIONS_MAX, SUGGEST_DAYS};
pub use messages::{MessageSummary, MESSAGE_PAGE_MAX};
pub use notes::{NoteSummary, NOTE_PREVIEW_CHARS};
pub use prefs::{prefs_doc_id, PREFS_KIND};
pub use projection::{QuarantinedDoc, RebuildReport};
pub use schema::SCHEMA_VERSION;
pub use score::RescoreReport;
pub use store::Replica;
pub use sync::{
    Applied, BackgroundStatus, LiveEvent, SyncClient, SyncDetail, SyncError, SyncHandle,
    SyncNotice, SyncOptions, SyncReport, Traffic, UNREADABLE_FROM_SERVER,
};
pub use tasks::TaskSummary;
pub use team::{AgentCounts, HandedLead, PipelineLead, RememberedMember, TEAM_PIPELINE_MAX};
pub use timeline::{TimelineCursor, TimelineEntry, TimelinePage, TIMELINE_PAGE_MAX};
pub use transfer::{
    contact_csv_headers, encoding_choices, encoding_for_label, encoding_label, guess_delimiter,
    guess_mapping, preview_file, ColumnMapping, ColumnTarget, DuplicateOf, DuplicatePolicy,
    DuplicateRow, FilePreview, ImportFileError, ImportMode, ImportOptions, ImportProgress,
    ImportReport, MappedColumn, PreviewOptions, RejectedRow, EXPORT_FORMAT_VERSION,
    IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORT_REPORT_ROWS_MAX,
};
