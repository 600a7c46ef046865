//! Rows as lists, calendars and timelines show them (read from the engine's read model, never
//! from documents), and the conflict and duplicate views.

use super::ContactSummary;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    BookingId, BookingKind, BookingStatus, Channel, ContactId, Direction, InteractionId, ListingId,
    ListingStatus, MessageChannel, MessageId, MessagePurpose, MessageStatus, NoteId, Priority,
    PropertyType, RecordRef, TaskId, TaskKind, TaskStatus, UserId, Visibility,
};
use serde::{Deserialize, Serialize};

/// A booking as calendars and timelines show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingSummary {
    pub id: BookingId,
    pub kind: BookingKind,
    pub title: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub location: Option<String>,
    pub listing: Option<ListingId>,
    pub status: BookingStatus,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The contacts it is with (id and name, by name), deleted ones left out.
    #[serde(default)]
    pub with: Vec<(ContactId, String)>,
    /// The linked listing's address ("12 Elm Street, Springfield"), while it exists.
    #[serde(default)]
    pub listing_address: Option<String>,
}

/// The most listings one page may hold.
pub const LISTING_PAGE_MAX: u32 = 200;

/// A listing as the grid shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingSummary {
    pub id: ListingId,
    pub address: String,
    pub city: String,
    pub price: u64,
    pub currency: String,
    pub beds: Option<u8>,
    /// Tenths of a bathroom.
    pub baths_tenths: Option<u16>,
    pub property_type: PropertyType,
    pub status: ListingStatus,
    pub visibility: Visibility,
    pub mls_number: Option<String>,
    pub cover_photo: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Which listings to show, most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListingQuery {
    pub statuses: Vec<ListingStatus>,
    pub min_price: Option<u64>,
    pub max_price: Option<u64>,
    /// Words matched as prefixes of the address, MLS number and description.
    pub search: Option<String>,
    pub include_deleted: bool,
    pub limit: u32,
    /// Skip this many (listings number in the hundreds, not the hundred-thousands).
    pub offset: u32,
}

impl Default for ListingQuery {
    fn default() -> Self {
        Self {
            statuses: Vec::new(),
            min_price: None,
            max_price: None,
            search: None,
            include_deleted: false,
            limit: 50,
            offset: 0,
        }
    }
}

/// A note as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteSummary {
    pub id: NoteId,
    pub record: RecordRef,
    pub author: UserId,
    pub pinned: bool,
    pub preview: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A task as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: TaskId,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: Priority,
    pub status: TaskStatus,
    pub kind: TaskKind,
    pub record: Option<RecordRef>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An open house coming up at one of the listings on this device, as Today lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenHouseSummary {
    pub listing: ListingId,
    /// "12 Elm Street, Springfield".
    pub address: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// How many listings each status chip would show (with the search and price filters applied).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingCounts {
    pub all: u64,
    /// Statuses with at least one listing.
    pub by_status: Vec<(ListingStatus, u64)>,
}

impl ListingCounts {
    pub fn of(&self, status: ListingStatus) -> u64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// The most bookings, and the most calls and messages, a listing's page shows.
pub const LISTING_ACTIVITY_MAX: u32 = 50;

/// What happened about one listing: bookings at it (showings, open houses, inspections...) and
/// calls and messages logged about it, each newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingActivity {
    pub bookings: Vec<BookingSummary>,
    pub touches: Vec<ListingTouch>,
}

/// A call or message about a listing, with the name of the contact it was with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingTouch {
    pub interaction: InteractionSummary,
    pub contact_name: String,
}

/// An interaction as lists show it (every field but who logged it and when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionSummary {
    pub id: InteractionId,
    pub contact: ContactId,
    pub listing: Option<ListingId>,
    pub channel: Channel,
    pub direction: Direction,
    pub summary: String,
    pub outcome: Option<String>,
    pub duration_seconds: Option<u32>,
    pub occurred_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A message as lists show it: who it went to, a preview, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSummary {
    pub id: MessageId,
    pub contact: ContactId,
    pub channel: MessageChannel,
    pub purpose: MessagePurpose,
    pub to: String,
    pub subject: Option<String>,
    /// The start of the text, on one line.
    pub preview: String,
    pub status: MessageStatus,
    /// Why it was refused or failed.
    pub reason: Option<String>,
    /// When the status was last set by the server; `None` while it waits.
    pub status_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The most messages one list of a contact's messages holds.
pub const MESSAGE_PAGE_MAX: u32 = 200;

/// The most entries one timeline page may hold.
pub const TIMELINE_PAGE_MAX: u32 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    Note(NoteSummary),
    Interaction(InteractionSummary),
    Booking(BookingSummary),
    Task(TaskSummary),
}

impl TimelineEntry {
    /// When it happened: a note's or task's creation, an interaction's occurrence, a booking's
    /// start (so upcoming bookings lead the timeline).
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            TimelineEntry::Note(n) => n.created_at,
            TimelineEntry::Interaction(i) => i.occurred_at,
            TimelineEntry::Booking(b) => b.starts_at,
            TimelineEntry::Task(t) => t.created_at,
        }
    }

    pub fn id(&self) -> String {
        match self {
            TimelineEntry::Note(n) => n.id.to_string(),
            TimelineEntry::Interaction(i) => i.id.to_string(),
            TimelineEntry::Booking(b) => b.id.to_string(),
            TimelineEntry::Task(t) => t.id.to_string(),
        }
    }

    /// Where a page ending with this entry ended.
    pub fn position(&self) -> TimelineCursor {
        TimelineCursor {
            at_ms: self.at().timestamp_millis(),
            id: self.id(),
        }
    }
}

/// Where a timeline page ended; the next page holds what is older.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TimelineCursor {
    pub at_ms: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub entries: Vec<TimelineEntry>,
    pub next: Option<TimelineCursor>,
}

/// One value a field could take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictOption {
    /// The value for people (`offer`, `425000`, `Ava`).
    pub display: String,
    /// Opaque; pass back to the engine's `resolve_conflict`.
    pub choice: String,
}

/// A field with concurrent values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// Dotted path in the document (`stage`, `price`, `preferences.budget_max`).
    pub field: String,
    /// Sorted by display text.
    pub options: Vec<ConflictOption>,
}

/// Contacts that share a value (an email, a phone number, a full name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroup {
    /// "email", "phone" or "name".
    pub key_kind: String,
    pub key_value: String,
    /// Oldest first: the usual survivor.
    pub contacts: Vec<ContactSummary>,
}

/// What kind of thing happened, for the recent-activity list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// A contact was added (typed in, imported or synced from a teammate).
    ContactAdded,
    NoteAdded,
    /// A call, message or meeting was logged; the channel says which.
    Logged,
    TaskDone,
}

/// One thing that happened to a contact lately ("note added to Ada King").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityItem {
    pub kind: ActivityKind,
    pub at: DateTime<Utc>,
    pub contact: ContactId,
    pub contact_name: String,
    /// The note's first line, the interaction's summary, the task's title; empty for a
    /// contact added.
    pub detail: String,
    /// For [`ActivityKind::Logged`]: the interaction's channel.
    #[serde(default)]
    pub channel: Option<Channel>,
}
