//! The app's command contract: what the UI sends to the shell and gets back. Shared so the two
//! sides cannot drift apart. Which command takes which request and answers with which response
//! is written once, in [`crate::table`].
//!
//! Conventions:
//! - every command takes at most one argument, named `request` (on the JS side: `{ request }`);
//!   commands about one record take its id as the request;
//! - every command fails with a [`CommandError`]: a code the UI branches on, a message a person
//!   can read, per-field errors for forms, and sometimes a typed [`ErrorDetail`];
//! - model types (`Contact`, `ContactInput`, `Booking`, ...) and read views
//!   ([`crate::views`]) are used as they are; the types here are only what is new.
//!
//! Events the shell emits: [`SYNC_STATUS_EVENT`] (a [`SyncStatus`], on every change; its
//! `remote_revision` grows whenever changes from elsewhere were applied, which is the UI's cue
//! to reload what it shows: there is no separate "records changed" event, since the window's
//! own writes come back as command results) and [`IMPORT_PROGRESS_EVENT`].

use crate::account::{OrgInfo, Role, TeamInfo};
use crate::views::{
    ActivityItem, BookingSummary, ContactQuery, ContactSummary, Cursor, FieldConflict,
    OpenHouseSummary, TaskSummary, TimelineCursor,
};
use crate::DocId;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Booking, BookingId, BookingInput, Contact, ContactId, ContactInput, FieldError, ListingId,
    ListingInput, OrgId, RecordRef, Stage, TaskId, TaskInput, TaskStatus, UserId,
};
use serde::{Deserialize, Serialize};

// ----------------------------------------------------------------------------------------------
// Errors

/// Error codes the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorCode {
    /// The input was rejected; see `fields`.
    Validation,
    NotFound,
    /// The local database failed; the user's data is as it was before the command.
    Storage,
    Internal,
    /// The sync server could not be reached. Local work is unaffected.
    Offline,
    /// Sign-in refused: the email or password is wrong (the server does not say which).
    InvalidCredentials,
    /// The email has accounts in several organisations: ask which one
    /// ([`ErrorDetail::ChooseOrganisation`]), then sign in again with its `org_id`.
    ChooseOrganisation,
    /// Too many attempts; [`ErrorDetail::RetryAfter`] says when to try again.
    TooManyAttempts,
    /// This device has no OS credential store (keyring) to keep a session in, so it cannot
    /// sign in; nothing was stored anywhere. The app keeps working on this device only.
    NoCredentialStore,
    /// The sync server refused the request (e.g. this device was revoked, or it speaks another
    /// protocol version); the message says why.
    Refused,
    /// The command does not fit the current state (e.g. signing in while signed in).
    WrongState,
}

/// Typed extra information for some error codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// With [`CommandErrorCode::ChooseOrganisation`]: the organisations to choose from.
    ChooseOrganisation { orgs: Vec<OrgInfo> },
    /// With [`CommandErrorCode::TooManyAttempts`].
    RetryAfter { seconds: u64 },
}

/// What every failed command returns: a code, a message a person can read, per-field errors,
/// and for some codes a typed detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub code: CommandErrorCode,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<ErrorDetail>,
}

impl CommandError {
    /// An error with no field errors and no detail.
    pub fn new(code: CommandErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
            detail: None,
        }
    }

    /// A validation error on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code: CommandErrorCode::Validation,
            message: message.clone(),
            fields: vec![FieldError {
                field: field.to_owned(),
                message,
            }],
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: ErrorDetail) -> Self {
        self.detail = Some(detail);
        self
    }

    pub fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

// ----------------------------------------------------------------------------------------------
// Sync status and notices

/// The sync state shown in the app's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No sync server configured: everything stays on this device.
    LocalOnly,
    Syncing,
    UpToDate,
    /// The server cannot be reached; work continues and is sent later.
    Offline,
    /// The server refused our credentials: the user must sign in again. Local data is untouched.
    SignInAgain,
    /// The server answered but refused or failed a request; `detail` says why. Retried later.
    NeedsAttention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Local changes not yet accepted by the server.
    pub pending: u64,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Human-readable detail (why offline, when the next attempt is).
    pub detail: String,
    /// Grows each time changes from elsewhere were applied, so the UI knows to reload lists.
    pub remote_revision: u64,
    /// How far the round under way has got ("syncing n of m"); absent between rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<SyncProgress>,
}

/// How far one sync round has got: local changes sent of those waiting when it began, and
/// documents received so far (the server does not say how many more will come).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    pub sent: u64,
    pub to_send: u64,
    pub received: u64,
}

impl SyncStatus {
    pub fn local_only() -> Self {
        Self {
            state: SyncState::LocalOnly,
            pending: 0,
            last_synced_at: None,
            detail: "Not connected to a sync server: everything is kept on this device.".into(),
            remote_revision: 0,
            progress: None,
        }
    }
}

/// Name of the event the shell emits whenever [`SyncStatus`] changes.
pub const SYNC_STATUS_EVENT: &str = "sync-status";

/// An edit the sync server refused (the record was put back to the server's version), kept
/// until the user dismisses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncNotice {
    /// Pass to `dismiss_notice`.
    pub id: i64,
    /// The document the edit was in (`contact:…`).
    pub doc_id: String,
    /// Why, for machines (`not_writable`, `field_not_allowed`, ...).
    pub code: String,
    /// Why, for people.
    pub message: String,
    pub at: DateTime<Utc>,
}

// ----------------------------------------------------------------------------------------------
// Today

/// The user's day, as instants: the UI knows the time zone, the shell does not guess it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayRequest {
    pub day_start: DateTime<Utc>,
    pub day_end: DateTime<Utc>,
    /// How many people per list and recent events (1..=50; default 5).
    #[serde(default = "default_today_rows")]
    pub rows: u32,
}

fn default_today_rows() -> u32 {
    5
}

pub const TODAY_ROWS_MAX: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Today {
    /// Bookings overlapping the day, earliest first (cancelled ones included, marked).
    pub bookings: Vec<BookingSummary>,
    /// Open tasks due before the day started, oldest first.
    pub overdue: Vec<TaskSummary>,
    /// Open tasks due during the day, soonest first.
    pub due_today: Vec<TaskSummary>,
    /// Who to call now: open contacts that are hot (scored [`HOT_SCORE`] or more), then those
    /// never contacted, best score first.
    pub call_now: Vec<ContactSummary>,
    /// Leads added in the last [`NEW_LEAD_DAYS`] days, newest first, but for those already in
    /// `call_now` (each person shows once).
    pub new_leads: Vec<ContactSummary>,
    /// What happened lately: contacts added, notes, calls and messages logged, tasks done.
    pub activity: Vec<ActivityItem>,
    /// Whether this device holds any contact at all (a first run leads with the import).
    pub has_contacts: bool,
    /// Open houses at the listings on this device, from now to [`OPEN_HOUSE_DAYS`] ahead,
    /// soonest first (one under way included).
    #[serde(default)]
    pub open_houses: Vec<OpenHouseSummary>,
    /// Follow-up emails the server drafted when their step fell due, for the agent to review,
    /// edit, send or skip; oldest first.
    #[serde(default)]
    pub ready_to_send: Vec<crate::views::MessageSummary>,
}

/// Hides Today's suggestion of a listing for one buyer (until the listing changes again).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DismissMatch {
    pub listing: fieldstone_model::ListingId,
    pub contact: fieldstone_model::ContactId,
}

/// Sends a follow-up draft from Ready to send, with the agent's edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendDraft {
    pub id: fieldstone_model::MessageId,
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
}

/// A score from which a contact counts as hot (the same band every screen colours).
pub const HOT_SCORE: u8 = fieldstone_model::ScoreBand::HOT_FROM;
/// How far back Today's "new leads" reach.
pub const NEW_LEAD_DAYS: i64 = 7;
/// How far ahead Today lists open houses.
pub const OPEN_HOUSE_DAYS: i64 = 7;

// ----------------------------------------------------------------------------------------------
// Contacts and pipeline

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageCount {
    pub stage: Stage,
    pub count: u64,
}

/// How many contacts match a query's filters, in all and per stage (every stage, in pipeline
/// order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCounts {
    pub total: u64,
    pub by_stage: Vec<StageCount>,
}

/// A contact with what its detail screen marks: fields with concurrent values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub contact: Contact,
    /// Empty when no field has concurrent values.
    pub conflicts: Vec<FieldConflict>,
    /// The earliest-due open task on the contact, for the header. `None` from older builds.
    #[serde(default)]
    pub next_task: Option<TaskSummary>,
    /// The contact's lead score with its lines, and the agent's own model's view once there is
    /// one (issue 15). `None` from older builds.
    #[serde(default)]
    pub score: Option<crate::views::ContactScore>,
    /// Open steps of the contact's follow-up plan (0: the plan is not running).
    #[serde(default)]
    pub follow_ups_open: u32,
}

/// A record's new values, by its id: what every `update_<kind>` command takes, so a new kind
/// writes `update_offer(Update<OfferId, OfferInput>)` in the table and declares no type of its
/// own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Update<Id, Input> {
    pub id: Id,
    pub input: Input,
}

pub type UpdateContact = Update<ContactId, ContactInput>;

/// One pipeline move (a drag between kanban columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveStage {
    pub id: ContactId,
    pub stage: Stage,
}

/// The most contacts one bulk command may touch.
pub const BULK_MAX: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkTag {
    pub ids: Vec<ContactId>,
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkStage {
    pub ids: Vec<ContactId>,
    pub stage: Stage,
}

/// What a bulk command did. Each contact is written on its own, so one failure leaves the
/// others done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResult {
    /// Contacts now as asked (those that already were included).
    pub done: u32,
    pub failed: Vec<BulkFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkFailure {
    pub id: ContactId,
    pub error: CommandError,
}

/// Kanban columns: each stage's count and first page of contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineRequest {
    /// Filters (its stages, sort and cursor are ignored; each column is one stage, most
    /// recently updated first).
    #[serde(default)]
    pub filter: ContactQuery,
    /// Contacts per column (1..=200). More: `list_contacts` with that stage and `next`.
    pub per_stage: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineColumn {
    pub stage: Stage,
    pub count: u64,
    /// The column's budgets summed (every matching contact, not only those shown).
    #[serde(default)]
    pub budget: u64,
    pub contacts: Vec<ContactSummary>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// Every stage, in pipeline order.
    pub columns: Vec<PipelineColumn>,
}

/// A saved filter ("smart list"), one of the agent's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartList {
    pub id: String,
    pub name: String,
    /// Stored without a page cursor.
    pub query: ContactQuery,
}

pub const SMART_LIST_NAME_MAX_CHARS: usize = 60;
pub const SMART_LISTS_MAX: usize = 100;

/// Creates a smart list (`id: None`) or replaces one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveSmartList {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub query: ContactQuery,
}

// ----------------------------------------------------------------------------------------------
// Import and export

mod import;
pub use import::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Vcard,
    /// Everything (every record kind, all fields), not only contacts.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// Which contacts (CSV, vCard); `None`: every contact not deleted. Ignored for JSON.
    #[serde(default)]
    pub query: Option<ContactQuery>,
}

/// Where an export was written (the user's downloads folder, or the app's own folder where
/// there is none, as on phones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDone {
    pub path: String,
    /// Contacts written (CSV, vCard) or records written (JSON).
    pub records: u64,
    pub bytes: u64,
}

// ----------------------------------------------------------------------------------------------
// Contact detail: timeline, notes, calls, tasks, conflicts

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineRequest {
    pub contact: ContactId,
    /// 1..=200.
    pub limit: u32,
    #[serde(default)]
    pub after: Option<TimelineCursor>,
}

pub type UpdateTask = Update<TaskId, TaskInput>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetTaskStatus {
    pub id: TaskId,
    pub status: TaskStatus,
    /// What happened, for the record's timeline (a note on the contact or listing the task is
    /// about: "Left a voicemail"). `None` or blank: no note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Picks one of a field's concurrent values (a [`crate::views::ConflictOption`]'s `choice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveConflict {
    pub record: RecordRef,
    pub field: String,
    pub choice: String,
}

/// A document with fields holding concurrent values, for list markers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictedDoc {
    pub doc_id: DocId,
    pub fields: Vec<String>,
}

// ----------------------------------------------------------------------------------------------
// Calendar

/// A closed-open window `[from, to)` of at most [`BOOKING_WINDOW_MAX_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

pub const BOOKING_WINDOW_MAX_DAYS: i64 = 62;

/// Which other bookings a booking at `[starts_at, ends_at)` would clash with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlapCheck {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The booking being edited, left out.
    #[serde(default)]
    pub except: Option<BookingId>,
}

pub type UpdateBooking = Update<BookingId, BookingInput>;

/// A saved booking and the engine's overlap check: the other bookings (scheduled or
/// completed) it overlaps. An overlap is a warning, never a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingSaved {
    pub booking: Booking,
    pub overlaps: Vec<BookingSummary>,
}

// ----------------------------------------------------------------------------------------------
// Listings

pub type UpdateListing = Update<ListingId, ListingInput>;

/// The largest photo accepted.
pub const PHOTO_MAX_BYTES: usize = 15 * 1024 * 1024;

/// A photo the user picked (JPEG, PNG or WebP), to keep on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddPhoto {
    /// Base64 (standard alphabet; a `data:…;base64,` prefix is accepted).
    pub data_base64: String,
}

/// Where a photo was stored: put `uri` in a listing's media (kind `photo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPhoto {
    /// The photo named by its content (`blobs/<sha256>.jpg`); photos kept by older versions
    /// of the app are `photos/<id>.jpg` and stay on the device that added them.
    pub uri: String,
}

/// Which picture to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRequest {
    /// As in the listing's media.
    pub uri: String,
    /// The listing that shows it: a photo this device does not have is fetched from the
    /// server through it (the server checks the user may read that listing).
    #[serde(default)]
    pub listing: Option<ListingId>,
    /// The small version for grids and strips (320 px); the whole picture otherwise.
    #[serde(default)]
    pub size: PhotoSize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoSize {
    Thumbnail,
    #[default]
    Full,
}

/// A stored photo, ready for an `<img src="data:…">` (the CSP allows `data:` images only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub mime: String,
    pub data_base64: String,
}

// ----------------------------------------------------------------------------------------------
// Settings and account

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    /// `https://…` (or `http://` for a server on this machine or network).
    pub server_url: String,
    pub email: String,
    pub password: String,
    pub device_name: String,
    /// After [`CommandErrorCode::ChooseOrganisation`]: the organisation picked.
    #[serde(default)]
    pub org_id: Option<OrgId>,
}

/// Who this device syncs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub server_url: String,
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub org: OrgInfo,
    pub teams: Vec<TeamInfo>,
    pub expires_at: DateTime<Utc>,
}

/// The Settings screen's account section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// `None`: local only (the default).
    pub session: Option<SessionInfo>,
    /// The server synced with through the environment (development, tests), when not signed in.
    pub server_override: Option<String>,
    pub device_name: String,
    /// Who records created on this device belong to: the signed-in user, or this device's
    /// own local user while local only.
    pub user_id: UserId,
}

/// One account whose records are on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsAccount {
    pub org_name: String,
    pub email: String,
    pub server_url: String,
}

/// `device_records`: whose records the app shows and keeps (each account's records live in a
/// store of their own on the device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecords {
    /// The account whose records are shown; `None`: never signed in (this device's own).
    pub shown: Option<RecordsAccount>,
    /// The shown records are synced (signed in to their account).
    pub synced: bool,
    /// Other accounts' records kept on this device, apart: not shown, not synced.
    pub apart: Vec<RecordsAccount>,
    /// What the last sign-in did to the records shown, in a sentence; `None`: nothing to say.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    pub app_version: String,
    pub protocol_version: u32,
    pub database_schema: i64,
    /// Where this device keeps its data (for support).
    pub data_dir: String,
}

// ----------------------------------------------------------------------------------------------
// Merging duplicates

mod merge;
pub use merge::*;
mod preferences;
pub use preferences::*;

// ----------------------------------------------------------------------------------------------
// The plan's room for leads

mod leads;
pub use leads::*;
mod kiosk;
pub use kiosk::*;
mod invitation;
pub use invitation::*;
mod team;
pub use team::*;

// ----------------------------------------------------------------------------------------------
// Sharing with teammates

mod sharing;
pub use sharing::*;
