//! Contact import (CSV or vCard): options, progress, what a preview finds in a file and the
//! report the UI shows.

use super::ColumnMapping;
use fieldstone_model::{ContactId, FieldError, LeadSource, Stage, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most unknown values of one field (stage, source) a preview lists; the rest are counted.
/// Enough for any real pipeline's stages, few enough to map by hand.
pub const UNKNOWN_VALUES_MAX: usize = 50;

/// What kind of file an import reads, decided from its content (a vCard starts with
/// `BEGIN:VCARD`, whatever the file is called).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// Comma, semicolon or tab separated values with a header row; rows are contacts.
    #[default]
    Csv,
    /// vCard 2.1, 3.0 or 4.0 (an address book's export); cards are contacts.
    Vcard,
}

/// What to import instead of stage and source values the importer does not know ("Negotiating",
/// "Zillow Premier"), keyed by the value as the file writes it. Keys match ignoring case, spaces
/// and punctuation, as known values do. A value with no entry here keeps the row out, reported
/// with the reason, so nobody's pipeline is rearranged without being asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueMaps {
    #[serde(default)]
    pub stage: BTreeMap<String, Stage>,
    #[serde(default)]
    pub source: BTreeMap<String, LeadSource>,
}

impl ValueMaps {
    pub fn is_empty(&self) -> bool {
        self.stage.is_empty() && self.source.is_empty()
    }
}

/// One value of a column, as written (its first spelling in the file), and how many rows have
/// it (in any spelling that matches it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: String,
    pub rows: u64,
}

/// The values of one field the importer does not know, found in the whole file: the
/// [`UNKNOWN_VALUES_MAX`] found in most rows, most first, and how many more there are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownValues {
    #[serde(default)]
    pub values: Vec<ValueCount>,
    /// Distinct values not listed (at least this many: a file with tens of thousands of
    /// different values is counted up to a bound).
    #[serde(default)]
    pub more: u64,
}

impl UnknownValues {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.more == 0
    }
}

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
    /// The encoding to read the file in, as an encoding label ("windows-1252", "utf-16le"...);
    /// `None`: the one found in the file. An unknown label refuses the file.
    pub encoding: Option<String>,
    /// What unknown stage and source values are imported as.
    pub values: ValueMaps,
    /// The follow-up plan each imported contact gets (`None`: none). Set by the engine from the
    /// organisation's settings and the agent's zone, never by the UI.
    #[serde(skip)]
    pub follow_up: Option<fieldstone_model::FollowUpPlanning>,
}

impl ImportOptions {
    /// Guessed mapping, keep good rows, skip duplicates, source "Import", the file's own
    /// encoding, unknown values refused.
    pub fn new(owner: UserId) -> Self {
        Self {
            mapping: None,
            mode: ImportMode::default(),
            duplicates: DuplicatePolicy::default(),
            owner,
            source: LeadSource::Import,
            encoding: None,
            values: ValueMaps::default(),
            follow_up: None,
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
    /// The mapping used (the guess, when none was given), for the UI to show. Empty for a
    /// vCard file, which needs none.
    pub mapping: ColumnMapping,
    /// Rows of a CSV file; cards of a vCard file (each card's line is where its `BEGIN:VCARD`
    /// is).
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
    /// CSV or vCard: whether the rows counted are rows or cards.
    #[serde(default)]
    pub format: ImportFormat,
    /// Follow-up tasks the imported contacts got from the organisation's plan (0 when rolled
    /// back, or when the plan is off for the import's source).
    #[serde(default)]
    pub follow_ups_planned: u64,
}
