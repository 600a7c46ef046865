//! A CSV listing import for offices without an MLS feed (issue 17): the same columns as the
//! RESO Data Dictionary's `Property` (`ListingKey`, `ListPrice`, `City`, …, any order, unknown
//! ones ignored), mapped and written exactly as an MLS run's records are — ids derived from
//! `ListingKey`, so importing a corrected file updates the same listings — into the
//! organisation's scope. A `ListAgentEmail` column names the owner when it is a user here.
//! Each refused row is reported with its line and why; nothing already stored is lost.

use super::map::{Defaults, Property};
use super::{reject, Apply, MlsError, Owners, RunReport};
use crate::AppState;
use fieldstone_model::{OrgId, UserId};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The originating system CSV listings are keyed under (their ids never meet an MLS's).
pub const CSV_SYSTEM: &str = "CSV import";
/// The most rows one file may hold.
pub const ROWS_MAX: usize = 20_000;
/// Rows written per store batch.
const BATCH: usize = 500;

/// Columns read as numbers (the rest as text).
const NUMBERS: &[&str] = &[
    "ListPrice",
    "ClosePrice",
    "Latitude",
    "Longitude",
    "BedroomsTotal",
    "BathroomsTotalInteger",
    "BathroomsFull",
    "BathroomsHalf",
    "LivingArea",
    "LotSizeArea",
    "YearBuilt",
];

/// Why a whole file is refused (nothing is written).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsvRefusal {
    #[error("the file is not CSV: {0}")]
    NotCsv(String),
    #[error("the file has no ListingKey column (the first line names the columns, as RESO does: ListingKey, ListPrice, StreetNumber, StreetName, City, …)")]
    NoKeyColumn,
    #[error("the file has {0} rows; at most {ROWS_MAX} are imported at once")]
    TooManyRows(usize),
}

/// One row as a `Property` record, or why it cannot be one.
fn property(headers: &[String], row: &csv::StringRecord) -> Result<Property, String> {
    let mut record = Map::new();
    for (name, value) in headers.iter().zip(row.iter()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if NUMBERS.contains(&name.as_str()) {
            let cleaned: String = value.chars().filter(|c| *c != ',').collect();
            let number: f64 = cleaned
                .parse()
                .map_err(|_| format!("{name} is not a number ({value:?})"))?;
            let number = serde_json::Number::from_f64(number)
                .ok_or_else(|| format!("{name} is not a number ({value:?})"))?;
            record.insert(name.clone(), Value::Number(number));
        } else {
            record.insert(name.clone(), Value::String(value.to_owned()));
        }
    }
    serde_json::from_value(Value::Object(record)).map_err(|e| e.to_string())
}

/// Imports `bytes` (CSV) into `org` for `by` (who owns rows naming nobody here).
pub fn import(
    state: &AppState,
    org: OrgId,
    by: UserId,
    bytes: &[u8],
    defaults: Defaults,
) -> Result<Result<RunReport, CsvRefusal>, MlsError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_owned())
            .collect(),
        Err(e) => return Ok(Err(CsvRefusal::NotCsv(e.to_string()))),
    };
    if !headers.iter().any(|h| h == "ListingKey") {
        return Ok(Err(CsvRefusal::NoKeyColumn));
    }
    let mut rows = Vec::new();
    for row in reader.records() {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => return Ok(Err(CsvRefusal::NotCsv(e.to_string()))),
        }
        if rows.len() > ROWS_MAX {
            return Ok(Err(CsvRefusal::TooManyRows(rows.len())));
        }
    }
    let users = state.store.users(org)?;
    let by_email: HashMap<String, UserId> = users
        .iter()
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect();
    let email_at = headers.iter().position(|h| h == "ListAgentEmail");
    let mut by_member = HashMap::new();
    let mut report = RunReport {
        started_at: Some(state.clock.now()),
        ..RunReport::default()
    };
    let mut properties = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        // Line 1 names the columns.
        let line = n + 2;
        match property(&headers, row) {
            Ok(mut p) => {
                // The agent's email stands in for a roster key.
                if let Some(email) = email_at.and_then(|i| row.get(i)).map(str::trim) {
                    if let Some(user) = by_email.get(&email.to_lowercase()) {
                        by_member.insert(email.to_lowercase(), *user);
                        p.list_agent_key = Some(email.to_lowercase());
                    }
                }
                properties.push(p);
            }
            Err(reason) => reject(
                &mut report,
                row.get(headers.iter().position(|h| h == "ListingKey").unwrap_or(0))
                    .unwrap_or_default()
                    .to_owned(),
                format!("line {line}: {reason}"),
            ),
        }
    }
    let apply = Apply {
        org,
        system: CSV_SYSTEM.to_owned(),
        defaults,
        owners: Owners {
            by_member,
            fallback: by,
        },
    };
    for chunk in properties.chunks(BATCH) {
        let counts = apply.apply(state, chunk)?;
        report.add(counts);
    }
    report.finished_at = Some(state.clock.now());
    Ok(Ok(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_becomes_a_property_record_and_a_bad_number_is_named() {
        let headers: Vec<String> = ["ListingKey", "ListPrice", "City", "BedroomsTotal", "Extra"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let row = csv::StringRecord::from(vec!["K1", "425,000", "Springfield", "3", "x"]);
        let p = property(&headers, &row).expect("a record");
        assert_eq!(p.listing_key.as_deref(), Some("K1"));
        assert_eq!(p.list_price, Some(425_000.0));
        assert_eq!(p.bedrooms_total, Some(3.0));
        let bad = csv::StringRecord::from(vec!["K2", "lots", "Springfield", "3", ""]);
        assert_eq!(
            property(&headers, &bad).expect_err("refused"),
            "ListPrice is not a number (\"lots\")"
        );
    }
}
