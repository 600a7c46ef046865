//! CSV import: options, progress and the report the UI shows.

use super::ColumnMapping;
use fieldstone_model::{ContactId, FieldError, LeadSource, UserId};
use serde::{Deserialize, Serialize};

/// The most rejected (and, separately, duplicate) rows a report lists one by one; the counts are
/// always exact. Keeps a report of a badly mapped 200,000-row file to a sane size.
pub const IMPORT_REPORT_ROWS_MAX: usize = 10_000;

/// What happens to the good rows when some rows are rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Good rows are stored (committed in batches as the file is read); bad rows are reported.
    #[default]
    KeepGood,
    /// Any rejected row means nothing is stored (one transaction, rolled back).
    AllOrNothing,
}

/// What happens to a row that looks like a contact already stored or an earlier row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// Not imported; reported as a duplicate.
    #[default]
    Skip,
    /// Imported anyway and reported, so it can be merged by hand.
    Import,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// `None`: guessed from the header by the engine (`fieldstone_replica::guess_mapping`).
    pub mapping: Option<ColumnMapping>,
    pub mode: ImportMode,
    pub duplicates: DuplicatePolicy,
    /// Who the imported contacts (and their notes) belong to.
    pub owner: UserId,
    /// The source of rows whose source cell is blank or which have no source column.
    pub source: LeadSource,
}

impl ImportOptions {
    /// Guessed mapping, keep good rows, skip duplicates, source "Import".
    pub fn new(owner: UserId) -> Self {
        Self {
            mapping: None,
            mode: ImportMode::default(),
            duplicates: DuplicatePolicy::default(),
            owner,
            source: LeadSource::Import,
        }
    }
}

/// Reported after every batch and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    /// Data rows in the file (known before any is imported).
    pub rows_total: u64,
    pub rows_read: u64,
    /// Contacts written so far. In [`ImportMode::AllOrNothing`] they are only kept if the
    /// import ends without a rejected row.
    pub rows_written: u64,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// The 1-based line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// Every problem, for people, each naming its column.
    pub reason: String,
    /// The same problems keyed by contact field (`emails.0.address`, `stage`, ...).
    pub fields: Vec<FieldError>,
}

/// What a duplicate row matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum DuplicateOf {
    /// A contact stored before the import.
    Contact(ContactId),
    /// An earlier row of the same file (its line).
    Line(u64),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateRow {
    pub line: u64,
    pub of: DuplicateOf,
    /// What they share: "email", "phone" or "name".
    pub key: String,
    /// The shared value (lower-cased address, last digits, folded name).
    pub value: String,
    /// Whether the row was imported anyway ([`DuplicatePolicy::Import`]).
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The mapping used (the guess, when none was given), for the UI to show.
    pub mapping: ColumnMapping,
    pub rows_read: u64,
    /// Contacts stored (0 when rolled back).
    pub imported: u64,
    /// Notes stored from note columns.
    pub notes_imported: u64,
    /// Rows with no value in any column, passed over.
    pub blank_rows: u64,
    pub rejected_count: u64,
    /// The first [`IMPORT_REPORT_ROWS_MAX`] rejected rows, in file order.
    pub rejected: Vec<RejectedRow>,
    pub duplicate_count: u64,
    /// The first [`IMPORT_REPORT_ROWS_MAX`] duplicate rows, in file order.
    pub duplicates: Vec<DuplicateRow>,
    /// [`ImportMode::AllOrNothing`] met a rejected row, so nothing was stored.
    pub rolled_back: bool,
    /// The encoding the file was read in, as a person reads it ("Western European
    /// (Windows-1252)"). Empty from builds before it was reported.
    #[serde(default)]
    pub encoding: String,
}
