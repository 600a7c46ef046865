//! Contacts in and out of the engine: CSV import (a guessed, editable column mapping; every
//! rejected row reported with its line; duplicates spotted), CSV and vCard export of contacts,
//! and a JSON export of everything.
//!
//! Imports write through the same path as the app's own edits (`records::insert`: document,
//! read model and outbox in one transaction), so an imported contact syncs like any other.

mod encoding;
mod export_csv;
mod export_json;
mod file;
mod guess;
mod import;
mod row;
mod sniff;
mod vcard;

pub use encoding::label as encoding_label;
pub use export_csv::contact_csv_headers;
pub use export_json::EXPORT_FORMAT_VERSION;
pub use fieldstone_protocol::views::{ColumnMapping, ColumnTarget, MappedColumn};
pub use file::{ImportFileError, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS};
pub use guess::guess_mapping;
pub use import::{
    DuplicateOf, DuplicatePolicy, DuplicateRow, ImportMode, ImportOptions, ImportProgress,
    ImportReport, RejectedRow, IMPORT_REPORT_ROWS_MAX,
};
pub use sniff::{guess_delimiter, preview_csv, CsvPreview};
