//! Contacts in and out of the engine: CSV and vCard import (a guessed, editable column mapping;
//! the file's encoding found or chosen; unknown stage and source values mapped by the person;
//! every rejected row reported with its line; duplicates spotted), CSV and vCard export of
//! contacts, and a JSON export of everything.
//!
//! Imports write through the same path as the app's own edits (`records::insert`: document,
//! read model and outbox in one transaction), so an imported contact syncs like any other.

mod census;
mod dates;
mod encoding;
mod export_csv;
mod export_json;
mod file;
mod guess;
mod import;
mod pipeline;
mod prefs;
mod row;
mod sniff;
mod vcard;
mod vcard_parse;
mod vcard_read;

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
pub use sniff::{guess_delimiter, preview_file, FilePreview, PreviewOptions};

/// The encodings to offer for a file: the one `found` in it first, then the usual others, then
/// the one `used` if it is none of those: `(label, name for people)`.
pub fn encoding_choices(
    found: &'static encoding_rs::Encoding,
    used: &'static encoding_rs::Encoding,
) -> Vec<(String, String)> {
    encoding::choices(found, used)
}

/// The encoding a label names ("windows-1252", "latin1", "utf-16le"...), or
/// [`ImportFileError::UnknownEncoding`]: what an import's `encoding` option is checked with.
pub fn encoding_for_label(label: &str) -> Result<&'static encoding_rs::Encoding, ImportFileError> {
    encoding::resolve(label)
}
