//! Move-in dates as other tools write them: "2025-09-01", "2025-09-01T00:00:00Z", "1 Sep 2025",
//! "Sept 1, 2025", "September 2025", "09/2025", "01.09.2025" and "09/01/2025" — day or month
//! first as the rest of the column shows ([`date_order`], gathered by the census), refused with
//! a sentence when a cell could be either and the column never says.

use chrono::NaiveDate;

/// The parts of a date cell: its numbers, its month name, and whether it used dots (which
/// only day-first writers use between numbers).
struct DateParts {
    numbers: Vec<String>,
    month: Option<u32>,
    dotted: bool,
}

fn date_parts(value: &str) -> Option<DateParts> {
    let text = value.trim().to_lowercase();
    // A time after the date ("2025-09-01T10:00:00", "2025-09-01 10:00") is not wanted.
    let text = match text.find(['t', ' ']) {
        Some(at) if text[..at].chars().filter(|c| c.is_ascii_digit()).count() >= 6 => {
            text[..at].to_owned()
        }
        _ => text,
    };
    let mut numbers = Vec::new();
    let mut month = None;
    for token in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        let digits: String = token.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            // "1st", "22nd": the number, less its ordinal.
            let suffix = &token[digits.len()..];
            if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
                return None;
            }
            numbers.push(digits);
        } else if let Some(m) = month_number(token) {
            if month.replace(m).is_some() {
                return None;
            }
        } else if token != "of" {
            return None;
        }
    }
    Some(DateParts {
        numbers,
        month,
        dotted: text.contains('.'),
    })
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" { "sep" } else { word };
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn year_of(digits: &str) -> Option<i32> {
    let n: i32 = digits.parse().ok()?;
    match digits.len() {
        4 => Some(n),
        // Two-digit years in a move-in column are this century's.
        2 => Some(2000 + n),
        _ => None,
    }
}

/// What a day/month/year cell with two small numbers says about the column's order: `Some(true)`
/// when it can only be day first ("25/12/2025"), `Some(false)` when only month first
/// ("12/25/2025"), `None` when it says nothing.
pub(crate) fn date_order(value: &str) -> Option<bool> {
    let parts = date_parts(value)?;
    if parts.month.is_some() || parts.dotted || parts.numbers.len() != 3 {
        return None;
    }
    if parts.numbers[0].len() == 4 {
        return None;
    }
    let a: u32 = parts.numbers[0].parse().ok()?;
    let b: u32 = parts.numbers[1].parse().ok()?;
    match (a > 12, b > 12) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// Reads a move-in date. `day_first` is the column's order when its other cells show it; a cell
/// such as "03/04/2025" in a column that never does is refused rather than guessed.
pub(crate) fn date(value: &str, day_first: Option<bool>) -> Result<NaiveDate, String> {
    let bad =
        || format!("{value:?} is not a date; write it like 2025-09-01, 1 Sep 2025 or Sep 2025.");
    let parts = date_parts(value).ok_or_else(bad)?;
    let n = |i: usize| -> Option<u32> { parts.numbers.get(i)?.parse().ok() };
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad);
    match (parts.month, parts.numbers.len()) {
        // "1 Sep 2025", "Sep 1, 2025", "Sep 2025", "2025 Sep 1".
        (Some(month), 1 | 2) => {
            let year_at = parts.numbers.iter().position(|d| d.len() == 4);
            let year = year_at
                .and_then(|i| year_of(&parts.numbers[i]))
                .ok_or_else(bad)?;
            let day = match (parts.numbers.len(), year_at) {
                (2, Some(at)) => n(1 - at).ok_or_else(bad)?,
                _ => 1,
            };
            ymd(year, month, day)
        }
        (None, 3) if parts.numbers[0].len() == 4 => {
            let year = year_of(&parts.numbers[0]).ok_or_else(bad)?;
            ymd(year, n(1).ok_or_else(bad)?, n(2).ok_or_else(bad)?)
        }
        (None, 3) => {
            let year = year_of(&parts.numbers[2]).ok_or_else(bad)?;
            let (a, b) = (n(0).ok_or_else(bad)?, n(1).ok_or_else(bad)?);
            let day_first = if parts.dotted {
                true
            } else {
                match (date_order(value), day_first) {
                    (Some(order), _) => order,
                    (None, Some(order)) if a <= 12 && b <= 12 => order,
                    (None, _) if a == b => true,
                    (None, _) => {
                        return Err(format!(
                        "{value:?} could be {a} {} or {b} {}; write it like {year}-{b:02}-{a:02}.",
                        month_name(b),
                        month_name(a),
                    ))
                    }
                }
            };
            let (day, month) = if day_first { (a, b) } else { (b, a) };
            ymd(year, month, day)
        }
        // "2025-09", "09/2025": the first of the month.
        (None, 2) => {
            let (year, month) = if parts.numbers[0].len() == 4 {
                (year_of(&parts.numbers[0]), n(1))
            } else {
                (year_of(&parts.numbers[1]), n(0))
            };
            ymd(year.ok_or_else(bad)?, month.ok_or_else(bad)?, 1)
        }
        _ => Err(bad()),
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.wrapping_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_common_forms() {
        let sep1 = NaiveDate::from_ymd_opt(2025, 9, 1).expect("date");
        for cell in [
            "2025-09-01",
            "2025/9/1",
            "2025-09-01T00:00:00Z",
            "2025-09-01 10:30",
            "1 Sep 2025",
            "1st September 2025",
            "Sept 1, 2025",
            "September 2025",
            "2025-09",
            "09/2025",
            "01.09.2025",
            "13/09/2025",
        ] {
            let expected = if cell.starts_with("13") {
                NaiveDate::from_ymd_opt(2025, 9, 13).expect("date")
            } else {
                sep1
            };
            assert_eq!(date(cell, None), Ok(expected), "{cell}");
        }
        // Day or month first: the cell itself, else the column, else refused.
        assert_eq!(
            date("09/13/2025", None),
            NaiveDate::from_ymd_opt(2025, 9, 13).ok_or_else(String::new)
        );
        assert_eq!(
            date("03/04/2025", Some(true)),
            NaiveDate::from_ymd_opt(2025, 4, 3).ok_or_else(String::new)
        );
        assert_eq!(
            date("03/04/2025", Some(false)),
            NaiveDate::from_ymd_opt(2025, 3, 4).ok_or_else(String::new)
        );
        assert_eq!(
            date("03/04/2025", None),
            Err("\"03/04/2025\" could be 3 April or 4 March; write it like 2025-04-03.".into())
        );
        assert_eq!(
            date("05/05/25", None),
            NaiveDate::from_ymd_opt(2025, 5, 5).ok_or_else(String::new)
        );
        for cell in [
            "soon",
            "ASAP",
            "2025-02-30",
            "Sep",
            "3-6 months",
            "45901",
            "",
        ] {
            assert!(date(cell, None).is_err(), "{cell}");
        }
        assert_eq!(date_order("25/12/2025"), Some(true));
        assert_eq!(date_order("12/25/2025"), Some(false));
        assert_eq!(date_order("01/02/2025"), None);
        assert_eq!(date_order("2025-12-25"), None);
    }
}
