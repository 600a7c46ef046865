//! Helpers shared by the record modules: schema checks, commits and value conversions.

use crate::DocError;
use automerge::transaction::CommitOptions;
use automerge::{AutoCommit, Change, ReadDoc};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Display;
use std::str::FromStr;

/// The shape version stored in `doc`, or 0 for an empty document.
pub(crate) fn schema_of(doc: &AutoCommit) -> Result<u64, DocError> {
    match doc.get(automerge::ROOT, "schema")? {
        None => Ok(0),
        Some((value, _)) => value
            .as_u64()
            .ok_or_else(|| DocError::InvalidValue("schema is not a number".into())),
    }
}

/// Refuses a document whose shape is newer than `supported`.
pub(crate) fn ensure_schema(doc: &AutoCommit, supported: u64) -> Result<(), DocError> {
    let found = schema_of(doc)?;
    if found > supported {
        return Err(DocError::NewerSchema { found, supported });
    }
    Ok(())
}

/// Refuses a document of another kind before its shape is read or written: a foreign document
/// (a listing read as a task) would otherwise fail hydration with a shape error, or be written
/// into. A document without a `kind` is left to hydration to report.
pub(crate) fn ensure_kind(doc: &AutoCommit, expected: &'static str) -> Result<(), DocError> {
    match doc.get(automerge::ROOT, "kind")? {
        None => Ok(()),
        Some((value, _)) => match value.into_string() {
            Ok(found) => check_kind(expected, found),
            Err(_) => Err(DocError::InvalidValue("kind is not a string".into())),
        },
    }
}

/// Commits pending operations; returns the change, or `None` if nothing was pending.
pub(crate) fn commit(doc: &mut AutoCommit, at: DateTime<Utc>, message: &str) -> Option<Change> {
    doc.commit_with(
        CommitOptions::default()
            .with_message(message.to_owned())
            .with_time(at.timestamp()),
    )?;
    doc.get_last_local_change()
}

pub(crate) fn check_kind(expected: &'static str, found: String) -> Result<(), DocError> {
    if found == expected {
        Ok(())
    } else {
        Err(DocError::WrongKind { expected, found })
    }
}

pub(crate) fn millis(field: &str, ms: i64) -> Result<DateTime<Utc>, DocError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| DocError::InvalidValue(format!("{field}: timestamp {ms} out of range")))
}

pub(crate) fn opt_millis(field: &str, ms: Option<i64>) -> Result<Option<DateTime<Utc>>, DocError> {
    ms.map(|ms| millis(field, ms)).transpose()
}

/// Parses an enum (via `FromStr`) or an id; an unknown value names the field.
pub(crate) fn parse<T>(field: &str, value: &str) -> Result<T, DocError>
where
    T: FromStr,
    T::Err: Display,
{
    value
        .parse()
        .map_err(|e| DocError::InvalidValue(format!("{field} {value:?}: {e}")))
}

pub(crate) fn opt_parse<T>(field: &str, value: Option<&str>) -> Result<Option<T>, DocError>
where
    T: FromStr,
    T::Err: Display,
{
    value.map(|v| parse(field, v)).transpose()
}

/// Dates are stored as ISO `YYYY-MM-DD` text.
pub(crate) fn date(field: &str, value: &str) -> Result<NaiveDate, DocError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|e| DocError::InvalidValue(format!("{field} {value:?}: {e}")))
}

pub(crate) fn narrow<T: TryFrom<u64>>(field: &str, value: u64) -> Result<T, DocError> {
    T::try_from(value)
        .map_err(|_| DocError::InvalidValue(format!("{field}: {value} is out of range")))
}
