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
        Some((value, _)) => value.as_u64().ok_or_else(|| DocError::WrongType {
            field: "schema",
            detail: "it is not a number".into(),
        }),
    }
}

/// Refuses a document that is not of kind `expected`, or whose shape is newer than `supported`,
/// before its shape is read or written. The kind comes first: another kind's `schema` counts
/// that kind's shapes, not ours, and a foreign document (a listing read as a task) would
/// otherwise fail hydration with a shape error, or be written into.
pub(crate) fn ensure_readable(
    doc: &AutoCommit,
    expected: &'static str,
    supported: u64,
) -> Result<(), DocError> {
    match doc.get(automerge::ROOT, "kind")? {
        None => return Err(DocError::MissingField { field: "kind" }),
        Some((value, _)) => match value.into_string() {
            Ok(found) => check_kind(expected, found)?,
            Err(_) => {
                return Err(DocError::WrongType {
                    field: "kind",
                    detail: "it is not a string".into(),
                })
            }
        },
    }
    let found = schema_of(doc)?;
    if found > supported {
        return Err(DocError::NewerSchema { found, supported });
    }
    Ok(())
}

/// Names the root field a failed hydration tripped on (see [`root_doc!`]). Every field of a
/// shape is present in what it writes (an empty optional one holds null), so an absent one is
/// missing.
pub(crate) fn field_error(
    doc: &AutoCommit,
    field: &'static str,
    error: autosurgeon::HydrateError,
) -> DocError {
    match doc.get(automerge::ROOT, field) {
        Ok(None) => DocError::MissingField { field },
        _ => DocError::WrongType {
            field,
            detail: error.to_string(),
        },
    }
}

/// Declares a document's root map once: the struct autosurgeon maps (its field names are the
/// on-disk and on-wire format) and `hydrate_root`, which reads it. autosurgeon reports a bad
/// document as a bare "unexpected None"; when hydration fails, each root field is read on its
/// own so the error names the one at fault (a nested problem names the root field holding it).
macro_rules! root_doc {
    (
        $(#[$meta:meta])*
        struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        struct $name {
            $( $(#[$field_meta])* $field: $ty ),+
        }

        impl $name {
            /// Reads the document's root map as this shape.
            fn hydrate_root(doc: &automerge::AutoCommit) -> Result<Self, $crate::DocError> {
                autosurgeon::hydrate::<_, Self>(doc).map_err(|error| {
                    $(
                        if let Err(e) = autosurgeon::hydrate_prop::<_, $ty, _, _>(
                            doc,
                            automerge::ROOT,
                            stringify!($field),
                        ) {
                            return $crate::util::field_error(doc, stringify!($field), e);
                        }
                    )+
                    $crate::DocError::Hydrate(error)
                })
            }
        }
    };
}

pub(crate) use root_doc;

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
