//! A buyer's wish list as other tools write it: budgets ("8,500,000 HKD", "$450k", "1.2m",
//! "450,000-600,000") and bedrooms ("3+") read into the contact's preferences, or refused with
//! a sentence saying what was expected. Move-in dates are [`super::dates`].
//!
//! Budgets are whole units of the agent's currency (the model keeps no currency on a contact),
//! so a currency code or symbol in the cell is read past, not converted.

use super::dates;
use super::row::{self, Rules};
use fieldstone_model::listing::PropertyType;
use fieldstone_model::{ContactInput, ValidationErrors};
use fieldstone_protocol::views::ColumnTarget;

/// A budget cell: a ceiling ("450k", "up to 450k"), a floor ("from 450k", "450k+") or both
/// ("400k-600k").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Budget {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

const AMOUNT_EXAMPLES: &str = "450,000, $450k, 1.2m or 400k-600k";

fn not_an_amount(value: &str) -> String {
    format!("{value:?} is not an amount; write it like {AMOUNT_EXAMPLES}.")
}

/// Reads a budget cell. A single amount is the most the buyer spends: that is what people mean
/// by "budget: 450k".
pub(crate) fn budget(value: &str) -> Result<Budget, String> {
    let text = value.trim().to_lowercase();
    let bad = || not_an_amount(value);
    for floor in [
        "from ",
        "min ",
        "minimum ",
        "at least ",
        "over ",
        "above ",
        ">=",
        ">",
    ] {
        if let Some(rest) = text.strip_prefix(floor) {
            return Ok(Budget {
                min: Some(amount_of(rest).ok_or_else(bad)?.value),
                max: None,
            });
        }
    }
    for ceiling in [
        "up to ",
        "upto ",
        "max ",
        "maximum ",
        "under ",
        "below ",
        "less than ",
        "<=",
        "<",
    ] {
        if let Some(rest) = text.strip_prefix(ceiling) {
            return Ok(Budget {
                min: None,
                max: Some(amount_of(rest).ok_or_else(bad)?.value),
            });
        }
    }
    if let Some(rest) = text.strip_suffix('+') {
        return Ok(Budget {
            min: Some(amount_of(rest).ok_or_else(bad)?.value),
            max: None,
        });
    }
    if let Some((low, high)) = range_parts(&text) {
        let (low, high) = (
            amount_of(low).ok_or_else(bad)?,
            amount_of(high).ok_or_else(bad)?,
        );
        // "400-600k": the multiplier written once counts for both ends.
        let low = match (low.multiplier, high.multiplier) {
            (None, Some(_)) => {
                amount_of(&format!("{}{}", low.digits, high.suffix)).map_or(low.value, |a| a.value)
            }
            _ => low.value,
        };
        return Ok(Budget {
            min: Some(low),
            max: Some(high.value),
        });
    }
    Ok(Budget {
        min: None,
        max: Some(amount(value)?),
    })
}

/// Reads one amount ("8,500,000 HKD", "$450k", "1.2m", "€1.250.000").
pub(crate) fn amount(value: &str) -> Result<u64, String> {
    amount_of(&value.trim().to_lowercase())
        .map(|a| a.value)
        .ok_or_else(|| not_an_amount(value))
}

/// "400k - 600k", "400k–600k", "400k to 600k": the two ends, when there are two.
fn range_parts(text: &str) -> Option<(&str, &str)> {
    if let Some(parts) = text.split_once(" to ") {
        return Some(parts);
    }
    // A dash after the first character: a leading one would be a sign, which no budget has.
    let dash = text
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '-' | '–' | '—'))?;
    Some((&text[..dash.0], &text[dash.0 + dash.1.len_utf8()..]))
}

struct Amount {
    value: u64,
    /// The number as written, before its multiplier.
    digits: String,
    multiplier: Option<u64>,
    /// What followed the number (its multiplier and currency), to lend to a range's low end.
    suffix: String,
}

/// Currency codes a budget cell may carry before or after its number (lower-cased): the ISO
/// 4217 codes of the markets the app is sold in and their neighbours, and the letters that go
/// before a "$" ("HK$", "US$", "NT$", "A$"...). A word that is not one is not read past, so
/// "450 apples" is refused rather than read as 450.
const CURRENCY_WORDS: &[&str] = &[
    "usd", "hkd", "eur", "gbp", "cad", "aud", "nzd", "sgd", "chf", "jpy", "cny", "rmb", "twd",
    "krw", "inr", "aed", "sar", "qar", "sek", "nok", "dkk", "isk", "pln", "czk", "huf", "ron",
    "try", "zar", "mxn", "brl", "ars", "clp", "cop", "myr", "thb", "php", "idr", "vnd", "ils",
    "hk", "us", "nt", "nz", "au", "ca", "sg", "rm", "rs", "a", "c", "s", "r",
];

fn is_currency_word(word: &str) -> bool {
    CURRENCY_WORDS.contains(&word)
}

fn multiplier_of(word: &str) -> Option<u64> {
    Some(match word {
        "k" | "thousand" | "grand" => 1_000,
        "m" | "mm" | "mn" | "mil" | "mio" | "million" | "millions" => 1_000_000,
        "b" | "bn" | "billion" => 1_000_000_000,
        _ => return None,
    })
}

/// Parses a lower-cased, trimmed amount.
fn amount_of(text: &str) -> Option<Amount> {
    let text = text.trim();
    let symbols = ['$', '€', '£', '¥', '₩', '₹', '₽', '₪', '฿', '₱', '₫'];
    // Split into the number and the words around it.
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let mut end = start;
    for (i, c) in text[start..].char_indices() {
        if c.is_ascii_digit() || matches!(c, ',' | '.' | '\'' | ' ' | '_' | '\u{a0}' | '\u{202f}') {
            end = start + i + c.len_utf8();
        } else {
            break;
        }
    }
    let number = text[start..end].trim_end();
    let (before, after) = (&text[..start], &text[start + number.len()..]);
    let words = |part: &str| -> Vec<String> {
        part.split(|c: char| c.is_whitespace() || symbols.contains(&c))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if !words(before).iter().all(|w| is_currency_word(w)) {
        return None;
    }
    let mut multiplier = None;
    for (i, word) in words(after).iter().enumerate() {
        match multiplier_of(word) {
            Some(m) if i == 0 => multiplier = Some(m),
            _ if is_currency_word(word) => {}
            _ => return None,
        }
    }
    // "1.2m" written without a space: the multiplier is glued to the currency-less suffix.
    let (whole, fraction) = split_decimal(number, multiplier.is_some())?;
    let value = scaled(&whole, &fraction, multiplier.unwrap_or(1))?;
    Some(Amount {
        value,
        digits: number.to_owned(),
        multiplier,
        suffix: after.to_owned(),
    })
}

/// The whole and decimal digits of a number written with grouping separators (`,`, `.`, `'`,
/// spaces) and perhaps a decimal one: with both `,` and `.`, the last is the decimal point;
/// with one of them, it groups thousands when it recurs or is followed by exactly three digits
/// (unless a multiplier follows: "1.250m" is 1.25 million).
fn split_decimal(number: &str, multiplied: bool) -> Option<(String, String)> {
    let compact: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '_' | '\u{a0}' | '\u{202f}'))
        .collect();
    let has = |c: char| compact.contains(c);
    let decimal = match (has(','), has('.')) {
        (true, true) => compact
            .rfind([',', '.'])
            .map(|i| compact.as_bytes()[i] as char),
        (false, false) => None,
        (comma, _) => {
            let sep = if comma { ',' } else { '.' };
            let groups: Vec<&str> = compact.split(sep).collect();
            let grouping = groups.len() > 2 || (groups[1].len() == 3 && !multiplied);
            (!grouping).then_some(sep)
        }
    };
    let (whole, fraction) = match decimal {
        Some(sep) => {
            let at = compact.rfind(sep)?;
            (&compact[..at], &compact[at + 1..])
        }
        None => (compact.as_str(), ""),
    };
    // What is left of a separator in the whole part groups thousands: three digits a group.
    let groups: Vec<&str> = whole.split([',', '.']).collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !groups.iter().all(|g| digits(g)) || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    if !fraction.is_empty() && !digits(fraction) || decimal.is_some() && fraction.is_empty() {
        return None;
    }
    Some((groups.concat(), fraction.to_owned()))
}

/// `whole.fraction × multiplier`, rounded to a whole unit; `None` past `u64`.
fn scaled(whole: &str, fraction: &str, multiplier: u64) -> Option<u64> {
    let whole: u128 = whole.parse().ok()?;
    // Digits past the 12th cannot change a whole-unit amount of any size a budget has.
    let fraction = &fraction[..fraction.len().min(12)];
    let scale = 10u128.pow(fraction.len() as u32);
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let value = whole.checked_mul(multiplier as u128)?
        + (fraction * multiplier as u128 + scale / 2) / scale;
    u64::try_from(value).ok()
}

/// Reads a bedrooms cell as the fewest bedrooms wanted: "3", "3+", "3-4", "3 beds", "studio".
pub(crate) fn bedrooms(value: &str) -> Result<u8, String> {
    let bad = || format!("{value:?} is not a number of bedrooms; write it like 3 or 3+.");
    let text = value.trim().to_lowercase();
    if matches!(text.as_str(), "studio" | "0" | "none") {
        return Ok(0);
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(bad());
    }
    let rest = text[digits.len()..].trim();
    let rest = ["bedrooms", "bedroom", "beds", "bed", "bds", "bd", "br"]
        .iter()
        .find_map(|w| rest.strip_suffix(w))
        .unwrap_or(rest)
        .trim();
    let fine = rest.is_empty()
        || rest == "+"
        || rest == "or more"
        || rest
            .strip_prefix(['-', '–'])
            .or_else(|| rest.strip_prefix("to"))
            .is_some_and(|upper| {
                let upper = upper.trim();
                !upper.is_empty() && upper.chars().all(|c| c.is_ascii_digit())
            });
    if !fine {
        return Err(bad());
    }
    // A count past 255 is past the model's limit too, which says so in its own words.
    Ok(digits.parse::<u64>().map_or(u8::MAX, |n| n.min(255) as u8))
}

/// A wish-list cell into the contact's preferences (the first non-blank cell of each kind
/// counts, as for names), or the reason it cannot be read in `errors`.
pub(crate) fn cell(
    input: &mut ContactInput,
    target: ColumnTarget,
    value: &str,
    rules: &Rules,
    errors: &mut ValidationErrors,
) {
    let wish = &mut input.preferences;
    let mut report = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(&format!("preferences.{field}"), message);
        }
    };
    match target {
        ColumnTarget::Budget => report(
            "budget",
            budget(value).map(|budget| {
                wish.budget_min = wish.budget_min.or(budget.min);
                wish.budget_max = wish.budget_max.or(budget.max);
            }),
        ),
        ColumnTarget::BudgetMin => report(
            "budget_min",
            amount(value).map(|min| {
                wish.budget_min.get_or_insert(min);
            }),
        ),
        ColumnTarget::BudgetMax => report(
            "budget_max",
            amount(value).map(|max| {
                wish.budget_max.get_or_insert(max);
            }),
        ),
        ColumnTarget::Areas => wish.areas.extend(split_list(value)),
        ColumnTarget::Bedrooms => report(
            "bedrooms_min",
            bedrooms(value).map(|beds| {
                wish.bedrooms_min.get_or_insert(beds);
            }),
        ),
        ColumnTarget::MoveIn => report(
            "move_in",
            dates::date(value, rules.day_first).map(|date| {
                wish.move_in.get_or_insert(date);
            }),
        ),
        ColumnTarget::PropertyTypes => {
            for kind in split_list(value) {
                let found = row::choice(
                    errors,
                    "preferences.property_types",
                    "property type",
                    &kind,
                    PROPERTY_WORDS,
                );
                wish.property_types.extend(found);
            }
        }
        _ => {}
    }
}

/// A list cell ("Soho, Chelsea; Tribeca") as its entries.
fn split_list(value: &str) -> Vec<String> {
    value
        .split([',', ';', '|', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

// Other tools' words for property types (folded), as for the other choices.
const PROPERTY_WORDS: &[(&str, PropertyType)] = &[
    ("apartment", PropertyType::Condo),
    ("apt", PropertyType::Condo),
    ("flat", PropertyType::Condo),
    ("condominium", PropertyType::Condo),
    ("coop", PropertyType::Condo),
    ("singlefamily", PropertyType::House),
    ("singlefamilyhome", PropertyType::House),
    ("sfh", PropertyType::House),
    ("detached", PropertyType::House),
    ("detachedhouse", PropertyType::House),
    ("semidetached", PropertyType::House),
    ("villa", PropertyType::House),
    ("bungalow", PropertyType::House),
    ("townhome", PropertyType::Townhouse),
    ("rowhouse", PropertyType::Townhouse),
    ("terraced", PropertyType::Townhouse),
    ("terracedhouse", PropertyType::Townhouse),
    ("lot", PropertyType::Land),
    ("plot", PropertyType::Land),
    ("vacantland", PropertyType::Land),
    ("duplex", PropertyType::MultiFamily),
    ("triplex", PropertyType::MultiFamily),
    ("fourplex", PropertyType::MultiFamily),
    ("multifamilyhome", PropertyType::MultiFamily),
    ("office", PropertyType::Commercial),
    ("retail", PropertyType::Commercial),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn max(value: u64) -> Budget {
        Budget {
            min: None,
            max: Some(value),
        }
    }

    #[test]
    fn amounts_as_people_write_them() {
        for (cell, expected) in [
            ("8,500,000 HKD", 8_500_000),
            ("HK$8.5m", 8_500_000),
            ("$450k", 450_000),
            ("450K", 450_000),
            ("1.2m", 1_200_000),
            ("1.2 million", 1_200_000),
            ("USD 450,000", 450_000),
            ("€1.250.000", 1_250_000),
            ("1.250.000,50 €", 1_250_001),
            ("£1,250,000.49", 1_250_000),
            ("450 000", 450_000),
            ("1'250'000 CHF", 1_250_000),
            ("450.000", 450_000),
            ("1.250m", 1_250_000),
            ("2bn", 2_000_000_000),
            ("99", 99),
        ] {
            assert_eq!(amount(cell), Ok(expected), "{cell}");
        }
        for cell in [
            "lots",
            "",
            "k",
            "1.2.3m",
            "ask me",
            "$",
            "450 apples",
            "12abc",
        ] {
            assert!(amount(cell).is_err(), "{cell}");
        }
        assert_eq!(
            amount("lots"),
            Err(
                "\"lots\" is not an amount; write it like 450,000, $450k, 1.2m or 400k-600k."
                    .into()
            )
        );
        assert!(amount("99999999999999999999999").is_err(), "past u64");
    }

    #[test]
    fn budgets_are_a_ceiling_a_floor_or_a_range() {
        assert_eq!(budget("$450k"), Ok(max(450_000)));
        assert_eq!(budget("up to 1.2m"), Ok(max(1_200_000)));
        assert_eq!(
            budget("from 500k"),
            Ok(Budget {
                min: Some(500_000),
                max: None
            })
        );
        assert_eq!(
            budget("500k+"),
            Ok(Budget {
                min: Some(500_000),
                max: None
            })
        );
        let range = Budget {
            min: Some(450_000),
            max: Some(600_000),
        };
        for cell in [
            "450,000-600,000",
            "$450k - $600k",
            "450-600k",
            "450k to 600k",
            "450,000–600,000 USD",
        ] {
            assert_eq!(budget(cell), Ok(range), "{cell}");
        }
        assert_eq!(
            budget("1-1.5m"),
            Ok(Budget {
                min: Some(1_000_000),
                max: Some(1_500_000)
            })
        );
        assert!(budget("lots").is_err());
        assert!(budget("450k-lots").is_err());
    }

    #[test]
    fn property_types_have_other_tools_words() {
        let mut errors = ValidationErrors::default();
        let flat = row::choice(&mut errors, "t", "property type", "Flat", PROPERTY_WORDS);
        assert_eq!(flat, Some(PropertyType::Condo));
        assert!(errors.is_empty());
    }

    #[test]
    fn bedrooms_are_the_fewest_wanted() {
        for (cell, expected) in [
            ("3", 3),
            ("3+", 3),
            ("3 - 4", 3),
            ("3 to 4", 3),
            ("3 beds", 3),
            ("2br", 2),
            ("4 bedrooms", 4),
            ("Studio", 0),
        ] {
            assert_eq!(bedrooms(cell), Ok(expected), "{cell}");
        }
        for cell in ["many", "3.5", "three", "3 baths", "-2"] {
            assert!(bedrooms(cell).is_err(), "{cell}");
        }
        assert_eq!(bedrooms("900"), Ok(255), "left for the model to refuse");
    }
}
