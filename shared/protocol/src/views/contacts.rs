//! Contact lists: the query (filters, sort, keyset cursor) and the rows a page holds.

use chrono::{DateTime, Utc};
use fieldstone_model::{ContactId, ContactKind, LeadSource, Priority, Stage, UserId};
use serde::{Deserialize, Serialize};

/// The most contacts one page may hold.
pub const CONTACT_PAGE_MAX: u32 = 200;

/// A closed-open time window `[from, to)`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    /// Whether neither end is set (no filter).
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// What a contact list is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    #[default]
    Updated,
    Created,
    Name,
    Score,
    /// Never-contacted contacts sort as the oldest.
    LastContacted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactSort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for ContactSort {
    /// Most recently updated first.
    fn default() -> Self {
        Self {
            field: SortField::Updated,
            descending: true,
        }
    }
}

/// The sort value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    Int(i64),
    Text(String),
}

/// Where a page ended. The next page starts after it; it is only valid with the same sort.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: ContactSort,
    pub key: SortKey,
    pub id: ContactId,
}

/// Which contacts to list and in what order. Empty lists and `None` mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactQuery {
    /// Any of these stages.
    pub stages: Vec<Stage>,
    /// All of these tags (normalised like stored tags: trimmed, lower-cased, spaces folded).
    pub tags: Vec<String>,
    /// Any of these sources.
    pub sources: Vec<LeadSource>,
    /// Any of these kinds.
    pub kinds: Vec<ContactKind>,
    pub priorities: Vec<Priority>,
    pub owner: Option<UserId>,
    pub assigned_agent: Option<UserId>,
    pub created: TimeRange,
    pub updated: TimeRange,
    pub last_contacted: TimeRange,
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    pub include_deleted: bool,
    /// Words matched as prefixes of names, emails, phone numbers, handles and the contact's
    /// notes, all of which must match. Blank means no search filter.
    pub search: Option<String>,
    pub sort: ContactSort,
    /// 1..=[`CONTACT_PAGE_MAX`].
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self {
            stages: Vec::new(),
            tags: Vec::new(),
            sources: Vec::new(),
            kinds: Vec::new(),
            priorities: Vec::new(),
            owner: None,
            assigned_agent: None,
            created: TimeRange::default(),
            updated: TimeRange::default(),
            last_contacted: TimeRange::default(),
            min_score: None,
            max_score: None,
            include_deleted: false,
            search: None,
            sort: ContactSort::default(),
            limit: 50,
            after: None,
        }
    }
}

/// One row of a contact list: the read model's columns plus the tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: ContactId,
    pub display_name: String,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub stage: Stage,
    pub kind: ContactKind,
    pub source: LeadSource,
    pub priority: Priority,
    pub score: u8,
    pub owner: UserId,
    pub assigned_agent: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Sorted.
    pub tags: Vec<String>,
    /// The budget the contact gave (its maximum, else its minimum), whole currency units.
    #[serde(default)]
    pub budget: Option<u64>,
    /// When the contact entered its current stage.
    #[serde(default)]
    pub stage_since: Option<DateTime<Utc>>,
    /// The title of its earliest-due open task.
    #[serde(default)]
    pub next_step: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Pass as `after` for the next page; `None` when this page is the last.
    pub next: Option<Cursor>,
}
