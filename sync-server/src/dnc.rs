//! Reading do-not-call numbers as people write them, and lists as CSV files (the admin
//! command and the HTTP import share it).

use fieldstone_model::outreach::dnc_key;

/// Digits a number must have to be listed (a short code to the longest E.164 number).
const DIGITS: std::ops::RangeInclusive<usize> = 5..=15;
/// Rows reported back from an import with their reason; past this only counted.
pub const REJECTED_SHOWN: usize = 100;

/// The number as the list keeps it, or why it is not one.
pub fn listable(number: &str) -> Result<String, String> {
    let key = dnc_key(number);
    let digits = key.trim_start_matches('+').len();
    if number.chars().any(char::is_alphabetic) || !DIGITS.contains(&digits) {
        return Err(format!(
            "{:?} is not a phone number (5 to 15 digits)",
            number.chars().take(40).collect::<String>()
        ));
    }
    Ok(key)
}

/// A CSV list, read.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParsedList {
    pub numbers: Vec<String>,
    /// Rows that are not numbers: (line, reason), the first [`REJECTED_SHOWN`].
    pub rejected: Vec<(usize, String)>,
    pub rejected_count: usize,
}

/// Reads a CSV whose first column, or the column headed `phone`, `number` or `phone_number`,
/// holds the numbers. A bad row is reported by its line and does not stop the rest.
pub fn parse_csv(bytes: &[u8]) -> ParsedList {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut column = 0;
    let mut list = ParsedList::default();
    let reject = |list: &mut ParsedList, line: usize, reason: String| {
        list.rejected_count += 1;
        if list.rejected.len() < REJECTED_SHOWN {
            list.rejected.push((line, reason));
        }
    };
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                reject(&mut list, line, e.to_string());
                continue;
            }
        };
        if i == 0 {
            // A header row names the column; a first row whose first cell is no number is a
            // header too.
            let named = record.iter().position(|h| {
                matches!(
                    h.trim().to_ascii_lowercase().as_str(),
                    "phone" | "number" | "phone_number"
                )
            });
            if let Some(at) = named {
                column = at;
                continue;
            }
            if record.get(0).is_some_and(|v| listable(v).is_err()) {
                continue;
            }
        }
        let value = record.get(column).unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        match listable(value) {
            Ok(number) => list.numbers.push(number),
            Err(reason) => reject(&mut list, line, reason),
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headed_column_is_read_and_bad_rows_are_reported_by_line() {
        let list = parse_csv(b"name,phone\nAnn,+1 555 000 1111\nBen,call me\nCat,(555) 000-2222\n");
        assert_eq!(list.numbers, ["+15550001111", "5550002222"]);
        assert_eq!(list.rejected_count, 1);
        assert_eq!(list.rejected[0].0, 3);
    }

    #[test]
    fn a_bare_list_is_the_first_column() {
        let list = parse_csv(b"+15550001111\n+15550002222,old\n\n");
        assert_eq!(list.numbers, ["+15550001111", "+15550002222"]);
        assert_eq!(list.rejected_count, 0);
    }

    #[test]
    fn numbers_too_short_or_too_long_are_refused() {
        assert!(listable("1234").is_err());
        assert!(listable("+1234567890123456").is_err());
        assert_eq!(listable("+44 20 7946 0958").as_deref(), Ok("+442079460958"));
    }
}
