//! Reading typed values back out of read-model rows.

use chrono::{DateTime, Utc};
use rusqlite::Row;

pub(crate) fn bad(
    col: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
}

/// A text column parsed with `FromStr` (ids, choices).
pub(crate) fn parsed<T: std::str::FromStr>(row: &Row<'_>, col: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, String>(col)?.parse().map_err(|e| bad(col, e))
}

/// A nullable text column parsed with `FromStr`.
pub(crate) fn opt_parsed<T: std::str::FromStr>(
    row: &Row<'_>,
    col: usize,
) -> rusqlite::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    row.get::<_, Option<String>>(col)?
        .map(|v| v.parse().map_err(|e| bad(col, e)))
        .transpose()
}

/// A nullable millisecond timestamp.
pub(crate) fn time(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    row.get::<_, Option<i64>>(col)?
        .map(|ms| {
            DateTime::from_timestamp_millis(ms)
                .ok_or(rusqlite::Error::IntegralValueOutOfRange(col, ms))
        })
        .transpose()
}

pub(crate) fn required_time(row: &Row<'_>, col: usize) -> rusqlite::Result<DateTime<Utc>> {
    time(row, col)?.ok_or(rusqlite::Error::InvalidColumnType(
        col,
        "NULL".into(),
        rusqlite::types::Type::Null,
    ))
}
