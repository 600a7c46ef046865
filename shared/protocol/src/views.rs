//! The engine's read views the screens show: list queries and their pages, summaries, the
//! timeline, conflicts, duplicates and import reports. Plain data (no SQL), so the UI (wasm32)
//! shares them with the engine, which answers them from its read model.

mod contacts;
mod import;
mod mapping;
mod matches;
mod records;
mod tour;

pub use contacts::{
    ContactPage, ContactQuery, ContactScore, ContactSort, ContactSummary, Cursor, CustomFieldName,
    CustomFilter, CustomOp, LearnedScore, ScoreFactor, SortField, SortKey, TimeRange,
    CONTACT_PAGE_MAX, CUSTOM_FIELD_NAMES_MAX, CUSTOM_FILTERS_MAX,
};
pub use import::{
    DuplicateOf, DuplicatePolicy, DuplicateRow, ImportFormat, ImportMode, ImportOptions,
    ImportProgress, ImportReport, RejectedRow, UnknownValues, ValueCount, ValueMaps,
    IMPORT_REPORT_ROWS_MAX, UNKNOWN_VALUES_MAX,
};
pub use mapping::{ColumnMapping, ColumnTarget, MappedColumn};
pub use matches::{BuyerFit, BuyerMatches, ListingFit, MatchSuggestion, LISTING_BUYERS_MAX};
pub use tour::{hotspot_words, ListingTour, TourDay, TourHotspot};
// Every view of a record kind other than contacts; a new kind adds its own there, with no line
// here.
pub use records::*;
