//! How one agent reads dates, money and areas: their locale, kept with their preferences and so
//! the same on every device they use. Formatting is pure, like every rule here (decision 18):
//! the UI calls these and shows what they return.

use crate::choice::choice_enum;
use crate::iso::check_currency_code;
use crate::measure::AreaUnit;
use crate::validation::{Valid, ValidationErrors};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

choice_enum! {
    /// The order of day, month and year in a date.
    pub enum DateOrder as "date order" {
        DayMonthYear => ("dmy", "Day month year (3 Nov 2026)"),
        MonthDayYear => ("mdy", "Month day year (Nov 3, 2026)"),
        YearMonthDay => ("ymd", "Year month day (2026-11-03)"),
    }
}

choice_enum! {
    /// How digits are grouped and the decimal point written.
    pub enum NumberStyle as "number style" {
        CommaDot => ("comma_dot", "1,250,000.50"),
        DotComma => ("dot_comma", "1.250.000,50"),
        SpaceComma => ("space_comma", "1 250 000,50"),
    }
}

/// One agent's locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locale {
    pub date_order: DateOrder,
    pub number_style: NumberStyle,
    /// ISO 4217: what a budget typed without a currency is in, and new listings' default.
    pub currency: String,
    pub area_unit: AreaUnit,
}

impl Default for Locale {
    fn default() -> Self {
        Locale {
            date_order: DateOrder::DayMonthYear,
            number_style: NumberStyle::CommaDot,
            currency: "USD".to_owned(),
            area_unit: AreaUnit::SquareFeet,
        }
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Locale {
    /// The currency upper-cased and checked; problems keyed `currency`.
    pub fn validate(&self) -> Result<Valid<Locale>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let currency = match check_currency_code(&self.currency) {
            Ok(code) => code,
            Err(message) => {
                errors.push("currency", message);
                String::new()
            }
        };
        errors.into_valid(Locale {
            currency,
            ..self.clone()
        })
    }

    /// "Tue 3 Nov", "Tue Nov 3" or "Tue 11-03", with the year when `with_year`.
    pub fn date(&self, day: NaiveDate, with_year: bool) -> String {
        let weekday = day.format("%a");
        let month = MONTHS[day.month0() as usize];
        let (d, y) = (day.day(), day.year());
        match (self.date_order, with_year) {
            (DateOrder::DayMonthYear, false) => format!("{weekday} {d} {month}"),
            (DateOrder::DayMonthYear, true) => format!("{weekday} {d} {month} {y}"),
            (DateOrder::MonthDayYear, false) => format!("{weekday} {month} {d}"),
            (DateOrder::MonthDayYear, true) => format!("{weekday} {month} {d}, {y}"),
            (DateOrder::YearMonthDay, false) => format!("{weekday} {:02}-{d:02}", day.month()),
            (DateOrder::YearMonthDay, true) => format!("{y}-{:02}-{d:02}", day.month()),
        }
    }

    /// A whole number with this locale's digit grouping: "1,250,000", "1.250.000".
    pub fn whole(&self, n: u64) -> String {
        let separator = match self.number_style {
            NumberStyle::CommaDot => ',',
            NumberStyle::DotComma => '.',
            // A narrow no-break space: a number never breaks across lines.
            NumberStyle::SpaceComma => '\u{202f}',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// Money in whole units: "$425,000", "€1.200.000", "CHF 850,000". A well-known sign goes
    /// before the amount; other currencies are named by their code.
    pub fn money(&self, amount: u64, currency: &str) -> String {
        let number = self.whole(amount);
        match currency {
            "USD" | "CAD" | "AUD" | "NZD" | "HKD" | "SGD" => {
                // Another dollar than the agent's own is told apart by its code.
                if currency == self.currency || (currency == "USD" && !self.currency.ends_with('D'))
                {
                    format!("${number}")
                } else {
                    format!("{currency} ${number}")
                }
            }
            "EUR" => format!("€{number}"),
            "GBP" => format!("£{number}"),
            "JPY" => format!("¥{number}"),
            "INR" => format!("₹{number}"),
            other => format!("{other} {number}"),
        }
    }

    /// An area in the agent's unit, converted from the unit it was typed in and rounded:
    /// "1,850 sq ft", "172 m²".
    pub fn area(&self, value: u32, unit: AreaUnit) -> String {
        let shown = if unit == self.area_unit {
            f64::from(value)
        } else {
            f64::from(value) * unit.square_metres() / self.area_unit.square_metres()
        };
        // Areas are whole numbers far below u64::MAX; a negative or NaN cannot come from a u32.
        let rounded = shown.round().max(0.0) as u64;
        format!("{} {}", self.whole(rounded), self.area_unit.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::assert_choice_names;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 3).expect("date")
    }

    #[test]
    fn dates_follow_the_agents_order() {
        let mut l = Locale::default();
        assert_eq!(l.date(day(), false), "Tue 3 Nov");
        assert_eq!(l.date(day(), true), "Tue 3 Nov 2026");
        l.date_order = DateOrder::MonthDayYear;
        assert_eq!(l.date(day(), false), "Tue Nov 3");
        assert_eq!(l.date(day(), true), "Tue Nov 3, 2026");
        l.date_order = DateOrder::YearMonthDay;
        assert_eq!(l.date(day(), false), "Tue 11-03");
        assert_eq!(l.date(day(), true), "2026-11-03");
    }

    #[test]
    fn money_and_numbers_follow_the_agents_style() {
        let mut l = Locale::default();
        assert_eq!(l.money(425_000, "USD"), "$425,000");
        assert_eq!(l.money(1_200_000, "EUR"), "€1,200,000");
        assert_eq!(l.money(850_000, "CHF"), "CHF 850,000");
        assert_eq!(l.money(8_500_000, "HKD"), "HKD $8,500,000");
        assert_eq!(l.money(0, "GBP"), "£0");
        l.number_style = NumberStyle::DotComma;
        l.currency = "HKD".into();
        assert_eq!(l.money(8_500_000, "HKD"), "$8.500.000");
        assert_eq!(l.money(425_000, "USD"), "USD $425.000");
        l.number_style = NumberStyle::SpaceComma;
        assert_eq!(l.whole(1_250_000), "1\u{202f}250\u{202f}000");
        assert_eq!(l.whole(999), "999");
        assert!(l.whole(u64::MAX).chars().count() > 20);
    }

    #[test]
    fn areas_are_shown_in_the_agents_unit() {
        let mut l = Locale::default();
        assert_eq!(l.area(1850, AreaUnit::SquareFeet), "1,850 sq ft");
        assert_eq!(l.area(100, AreaUnit::SquareMetres), "1,076 sq ft");
        l.area_unit = AreaUnit::SquareMetres;
        assert_eq!(l.area(1850, AreaUnit::SquareFeet), "172 m²");
        assert_eq!(l.area(0, AreaUnit::SquareFeet), "0 m²");
    }

    #[test]
    fn a_bad_currency_is_refused_on_its_field() {
        let bad = Locale {
            currency: "dollars".into(),
            ..Locale::default()
        };
        let errors = bad.validate().expect_err("refused");
        assert!(errors.0.iter().any(|e| e.field == "currency"));
        let good = Locale {
            currency: " eur ".into(),
            ..Locale::default()
        };
        assert_eq!(good.validate().expect("valid").into_inner().currency, "EUR");
    }

    #[test]
    fn choice_names_are_stable() {
        assert_choice_names::<DateOrder>();
        assert_choice_names::<NumberStyle>();
    }
}
