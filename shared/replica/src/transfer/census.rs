//! What the whole file says before a row is imported, gathered while it is checked: the stage
//! and source values no choice is known by (with how many rows have each, for the preview to
//! ask about), and whether its move-in dates are written day or month first.

use super::dates;
use super::row::{cell, fold, known_source, known_stage};
use fieldstone_protocol::views::{
    ColumnMapping, ColumnTarget, UnknownValues, ValueCount, UNKNOWN_VALUES_MAX,
};
use std::collections::HashMap;

/// Distinct unknown values counted per field. Past it a file is plainly not using a handful of
/// stage names (a stage column mapped by mistake), and memory stays bounded.
const TRACKED_MAX: usize = 10_000;

/// Unknown values of one field, in the order first seen.
#[derive(Default)]
struct Tally {
    index: HashMap<String, usize>,
    values: Vec<ValueCount>,
    /// A value was met past [`TRACKED_MAX`].
    overflowed: bool,
}

impl Tally {
    fn add(&mut self, value: &str) {
        let key = fold(value);
        if let Some(&i) = self.index.get(&key) {
            self.values[i].rows += 1;
        } else if self.values.len() < TRACKED_MAX {
            self.index.insert(key, self.values.len());
            self.values.push(ValueCount {
                value: value.to_owned(),
                rows: 1,
            });
        } else {
            self.overflowed = true;
        }
    }

    /// The values in most rows first (ties in file order), at most [`UNKNOWN_VALUES_MAX`].
    fn unknown(&self) -> UnknownValues {
        let mut values = self.values.clone();
        // A stable sort keeps the file's order among equal counts.
        values.sort_by_key(|v| std::cmp::Reverse(v.rows));
        let more = values.len().saturating_sub(UNKNOWN_VALUES_MAX) + usize::from(self.overflowed);
        values.truncate(UNKNOWN_VALUES_MAX);
        UnknownValues {
            values,
            more: more as u64,
        }
    }
}

#[derive(Default)]
pub(crate) struct Census {
    stage_columns: Vec<usize>,
    source_columns: Vec<usize>,
    move_in_columns: Vec<usize>,
    stages: Tally,
    sources: Tally,
    day_first_seen: bool,
    month_first_seen: bool,
}

impl Census {
    /// A census of the columns `mapping` imports as stage, source and move-in date.
    pub(crate) fn for_mapping(mapping: &ColumnMapping) -> Self {
        let columns = |wanted: ColumnTarget| -> Vec<usize> {
            (0..mapping.columns.len())
                .filter(|&c| mapping.target(c) == wanted)
                .collect()
        };
        Census {
            stage_columns: columns(ColumnTarget::Stage),
            source_columns: columns(ColumnTarget::Source),
            move_in_columns: columns(ColumnTarget::MoveIn),
            ..Census::default()
        }
    }

    /// Counts one CSV data row.
    pub(crate) fn record(&mut self, record: &csv::StringRecord) {
        for i in 0..self.stage_columns.len() {
            let value = cell(record, self.stage_columns[i]);
            self.stage(value);
        }
        for i in 0..self.source_columns.len() {
            let value = cell(record, self.source_columns[i]);
            self.source(value);
        }
        for &column in &self.move_in_columns {
            match dates::date_order(cell(record, column)) {
                Some(true) => self.day_first_seen = true,
                Some(false) => self.month_first_seen = true,
                None => {}
            }
        }
    }

    /// Counts a stage value (blank and known ones count for nothing).
    pub(crate) fn stage(&mut self, value: &str) {
        if !value.is_empty() && known_stage(value).is_none() {
            self.stages.add(value);
        }
    }

    pub(crate) fn source(&mut self, value: &str) {
        if !value.is_empty() && known_source(value).is_none() {
            self.sources.add(value);
        }
    }

    /// The order of the move-in dates when the column shows one and only one.
    pub(crate) fn day_first(&self) -> Option<bool> {
        match (self.day_first_seen, self.month_first_seen) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }

    pub(crate) fn unknown_stages(&self) -> UnknownValues {
        self.stages.unknown()
    }

    pub(crate) fn unknown_sources(&self) -> UnknownValues {
        self.sources.unknown()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_protocol::views::MappedColumn;

    fn mapping(targets: &[ColumnTarget]) -> ColumnMapping {
        ColumnMapping {
            columns: targets
                .iter()
                .map(|&target| MappedColumn {
                    header: String::new(),
                    target,
                })
                .collect(),
        }
    }

    #[test]
    fn unknown_values_are_counted_in_any_spelling_most_rows_first() {
        let mut census = Census::for_mapping(&mapping(&[
            ColumnTarget::Stage,
            ColumnTarget::Source,
            ColumnTarget::MoveIn,
        ]));
        for row in [
            ["Nurture", "Zillow Premier", "25/12/2025"],
            ["Negotiating", "zillow premier", ""],
            ["negotiating ", "Zillow", "01/02/2026"],
            ["Lead", "", ""],
            ["NEGOTIATING", "Open house", ""],
        ] {
            census.record(&csv::StringRecord::from(row.to_vec()));
        }
        let stages = census.unknown_stages();
        assert_eq!(
            stages.values,
            [
                ValueCount {
                    value: "Negotiating".into(),
                    rows: 3
                },
                ValueCount {
                    value: "Nurture".into(),
                    rows: 1
                }
            ]
        );
        assert_eq!(stages.more, 0);
        assert_eq!(
            census.unknown_sources().values,
            [ValueCount {
                value: "Zillow Premier".into(),
                rows: 2
            }]
        );
        assert_eq!(census.day_first(), Some(true));
    }

    #[test]
    fn the_list_is_capped_and_says_how_many_more() {
        let mut census = Census::default();
        for i in 0..(UNKNOWN_VALUES_MAX + 7) {
            // The later values are in more rows: they are the ones listed.
            for _ in 0..=(i / 10) {
                census.stage(&format!("Stage {i}"));
            }
        }
        let stages = census.unknown_stages();
        assert_eq!(stages.values.len(), UNKNOWN_VALUES_MAX);
        assert_eq!(stages.more, 7);
        assert_eq!(stages.values[0].value, "Stage 50");
        assert!(stages
            .values
            .windows(2)
            .all(|pair| pair[0].rows >= pair[1].rows));
    }

    #[test]
    fn dates_written_both_ways_decide_nothing() {
        let mut census = Census::for_mapping(&mapping(&[ColumnTarget::MoveIn]));
        for date in ["25/12/2025", "12/25/2025"] {
            census.record(&csv::StringRecord::from(vec![date]));
        }
        assert_eq!(census.day_first(), None);
    }
}
