//! How times, money, areas and counts read on screen, in the agent's locale (date order, digit
//! grouping, currency, area unit). The local time zone's offset and "now" are passed in (the
//! webview's clock is read once per render by the frame); the locale is the app's current one
//! ([`set_locale`]), and the words themselves come from the model's pure [`Locale`] formatters.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, Utc};
use fieldstone_model::{Area, DateOrder, Locale, NumberStyle};
use std::cell::RefCell;

thread_local! {
    /// The agent's locale as every screen formats with it. The UI runs on wasm's single thread,
    /// so this is the whole app's; the frame sets it from its state before the screens render,
    /// which spares threading a locale argument through every component and label helper.
    /// Native tests each run on a thread of their own, so one test's locale is not another's.
    static LOCALE: RefCell<Locale> = RefCell::new(Locale::default());
}

/// Makes `locale` the one screens format with from now on.
pub fn set_locale(locale: &Locale) {
    LOCALE.with(|current| {
        if *current.borrow() != *locale {
            *current.borrow_mut() = locale.clone();
        }
    });
}

/// The locale screens format with now.
pub fn locale() -> Locale {
    with_locale(Locale::clone)
}

fn with_locale<T>(f: impl FnOnce(&Locale) -> T) -> T {
    LOCALE.with(|current| f(&current.borrow()))
}

/// The device's local time, as far as screens need it: a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub offset_minutes: i32,
}

impl Local {
    pub const UTC: Local = Local { offset_minutes: 0 };

    fn offset(self) -> FixedOffset {
        // A real offset is within ±14 h; anything else is read as UTC.
        FixedOffset::east_opt(self.offset_minutes * 60).unwrap_or_else(|| Utc.fix())
    }

    pub fn naive(self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.offset()).naive_local()
    }

    pub fn date(self, at: DateTime<Utc>) -> NaiveDate {
        self.naive(at).date()
    }

    /// The instant a local wall-clock time names.
    pub fn instant(self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::minutes(i64::from(self.offset_minutes))).and_utc()
    }

    /// Local midnight starting `date`, as an instant.
    pub fn day_start(self, date: NaiveDate) -> DateTime<Utc> {
        self.instant(date.and_time(chrono::NaiveTime::MIN))
    }

    /// `[start, end)` of the local day `date`.
    pub fn day(self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            self.day_start(date),
            self.day_start(date + Duration::days(1)),
        )
    }

    /// "09:30".
    pub fn time(self, at: DateTime<Utc>) -> String {
        self.naive(at).format("%H:%M").to_string()
    }

    /// "Tue 3 Nov", with the year when it is not `now`'s.
    pub fn day_label(self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        date_label(self.date(at), self.date(now))
    }

    /// "Today 09:30", "Yesterday 17:05", "Tue 3 Nov 09:30".
    pub fn when(self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let (day, today) = (self.date(at), self.date(now));
        let label = if day == today {
            "Today".to_owned()
        } else if day + Duration::days(1) == today {
            "Yesterday".to_owned()
        } else if day == today + Duration::days(1) {
            "Tomorrow".to_owned()
        } else {
            date_label(day, today)
        };
        format!("{label} {}", self.time(at))
    }
}

/// "Tue 3 Nov" (or "Tue 3 Nov 2025" in another year than `today`'s), in the agent's date order
/// ("Tue Nov 3", "Tue 11-03").
pub fn date_label(day: NaiveDate, today: NaiveDate) -> String {
    with_locale(|l| l.date(day, day.year() != today.year()))
}

/// A day spelt out, for a screen's heading: "Tuesday 3 November", "Tuesday, November 3",
/// "Tuesday 2026-11-03" (the year-first order always says the year: "11-03" alone reads as
/// a code, not a day).
pub fn long_date(day: NaiveDate, with_year: bool) -> String {
    let weekday = day.format("%A");
    let month = day.format("%B");
    let (d, y) = (day.day(), day.year());
    match (with_locale(|l| l.date_order), with_year) {
        (DateOrder::DayMonthYear, false) => format!("{weekday} {d} {month}"),
        (DateOrder::DayMonthYear, true) => format!("{weekday} {d} {month} {y}"),
        (DateOrder::MonthDayYear, false) => format!("{weekday}, {month} {d}"),
        (DateOrder::MonthDayYear, true) => format!("{weekday}, {month} {d}, {y}"),
        (DateOrder::YearMonthDay, _) => format!("{weekday} {}", day.format("%Y-%m-%d")),
    }
}

/// A day with its year and no weekday, in the agent's date order: "1 January 2027",
/// "January 1, 2027", "2027-01-01".
pub fn full_date(day: NaiveDate) -> String {
    let (d, y) = (day.day(), day.year());
    let month = day.format("%B");
    match with_locale(|l| l.date_order) {
        DateOrder::DayMonthYear => format!("{d} {month} {y}"),
        DateOrder::MonthDayYear => format!("{month} {d}, {y}"),
        DateOrder::YearMonthDay => day.format("%Y-%m-%d").to_string(),
    }
}

/// A run of days, with the year once: "2 – 8 November 2026", "30 Nov – 6 Dec 2026",
/// "November 2 – 8, 2026", "2026-11-02 – 2026-11-08".
pub fn date_range(first: NaiveDate, last: NaiveDate) -> String {
    let same_month = first.year() == last.year() && first.month() == last.month();
    let (fd, ld, y) = (first.day(), last.day(), last.year());
    match with_locale(|l| l.date_order) {
        DateOrder::DayMonthYear if same_month => format!("{fd} – {ld} {}", last.format("%B %Y")),
        DateOrder::DayMonthYear => {
            format!("{} – {}", first.format("%-d %b"), last.format("%-d %b %Y"))
        }
        DateOrder::MonthDayYear if same_month => format!("{} {fd} – {ld}, {y}", last.format("%B")),
        DateOrder::MonthDayYear => {
            format!(
                "{} {fd} – {} {ld}, {y}",
                first.format("%b"),
                last.format("%b")
            )
        }
        DateOrder::YearMonthDay => {
            format!("{} – {}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d"))
        }
    }
}

/// "just now", "5 min ago", "3 h ago", "2 days ago", "in 4 days"; "never" for none.
pub fn relative(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(at) = at else {
        return "never".into();
    };
    let seconds = (now - at).num_seconds();
    let (ago, span) = if seconds >= 0 {
        (true, seconds)
    } else {
        (false, -seconds)
    };
    let text = match span {
        0..=59 => return "just now".into(),
        60..=3_599 => format!("{} min", span / 60),
        3_600..=86_399 => format!("{} h", span / 3_600),
        86_400..=172_799 => "1 day".into(),
        _ if span < 60 * 86_400 => format!("{} days", span / 86_400),
        _ if span < 365 * 86_400 => format!("{} months", span / (30 * 86_400)),
        _ => format!("{} years", span / (365 * 86_400)),
    };
    if ago {
        format!("{text} ago")
    } else {
        format!("in {text}")
    }
}

/// An amount in a few characters, for column totals: "950", "12.5k", "2.45M", "1.2B" (with the
/// agent's decimal mark: "2,45M").
// Shown to three figures: f64's precision loss past 2^53 cannot show.
#[allow(clippy::cast_precision_loss)]
pub fn compact_amount(amount: u64) -> String {
    let (value, unit) = match amount {
        0..=9_999 => return thousands(amount),
        10_000..=999_999 => (amount as f64 / 1e3, "k"),
        1_000_000..=999_999_999 => (amount as f64 / 1e6, "M"),
        _ => (amount as f64 / 1e9, "B"),
    };
    // Three significant figures, trailing zeros dropped.
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{value:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    let text = match with_locale(|l| l.number_style) {
        NumberStyle::CommaDot => text,
        NumberStyle::DotComma | NumberStyle::SpaceComma => text.replace('.', ","),
    };
    format!("{text}{unit}")
}

/// An amount of the agent's own currency in a few characters: "$2.45M", "€450k", "CHF 950".
/// Budgets are in the agent's currency (the model says so), so this is how they total.
pub fn compact_money(amount: u64) -> String {
    // The sign as the locale writes it: its money for zero is the sign and then "0" ("$0",
    // "CHF 0"), which keeps where a currency's sign goes written once, in the model.
    let sign = with_locale(|l| {
        let zero = l.money(0, &l.currency);
        zero.strip_suffix('0').unwrap_or_default().to_owned()
    });
    format!("{sign}{}", compact_amount(amount))
}

/// A budget: whole units of the agent's own currency, "$425,000", "€425.000".
pub fn budget(amount: u64) -> String {
    with_locale(|l| l.money(amount, &l.currency))
}

/// Whole days since `since` ("today" under one).
pub fn days_since(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match (now - since).num_days() {
        ..=0 => "today".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// Whole units of `currency` with the agent's digit grouping and the usual sign: "$425,000",
/// "€1.200.000", "CHF 850,000".
pub fn money(amount: u64, currency: &str) -> String {
    with_locale(|l| l.money(amount, currency))
}

/// An area in the agent's unit, converted from the one it was typed in: "1,850 sq ft", "172 m²".
pub fn area(area: Area) -> String {
    with_locale(|l| l.area(area.value, area.unit))
}

/// "2.5" for 25 tenths.
pub fn baths(tenths: u16) -> String {
    fieldstone_model::Baths::from_tenths(tenths).to_string()
}

/// "1 contact", "3 contacts".
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

/// "100,000" ("100.000", "100 000").
pub fn thousands(n: u64) -> String {
    with_locale(|l| l.whole(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn amounts_shrink_to_three_figures_and_days_count_whole() {
        assert_eq!(compact_amount(0), "0");
        assert_eq!(compact_amount(9_500), "9,500");
        assert_eq!(compact_amount(12_500), "12.5k");
        assert_eq!(compact_amount(450_000), "450k");
        assert_eq!(compact_amount(2_450_000), "2.45M");
        assert_eq!(compact_amount(8_500_000), "8.5M");
        assert_eq!(compact_amount(1_200_000_000), "1.2B");
        assert_eq!(days_since(at(3, 9, 0), at(3, 20, 0)), "today");
        assert_eq!(days_since(at(1, 9, 0), at(3, 9, 0)), "2 days");
    }

    #[test]
    fn local_days_and_times_follow_the_offset() {
        let paris = Local { offset_minutes: 60 };
        assert_eq!(paris.time(at(3, 8, 30)), "09:30");
        let (start, end) = paris.day(NaiveDate::from_ymd_opt(2026, 11, 3).expect("date"));
        assert_eq!(start, at(2, 23, 0));
        assert_eq!(end, at(3, 23, 0));
        assert_eq!(
            paris.date(at(3, 23, 30)),
            NaiveDate::from_ymd_opt(2026, 11, 4).expect("date")
        );
        let new_york = Local {
            offset_minutes: -300,
        };
        assert_eq!(new_york.when(at(3, 3, 0), at(3, 14, 0)), "Yesterday 22:00");
        assert_eq!(Local::UTC.when(at(4, 9, 0), at(3, 14, 0)), "Tomorrow 09:00");
        assert_eq!(
            Local::UTC.when(at(9, 9, 0), at(3, 14, 0)),
            "Mon 9 Nov 09:00"
        );
    }

    #[test]
    fn relative_times() {
        let now = at(10, 12, 0);
        assert_eq!(relative(None, now), "never");
        assert_eq!(relative(Some(now - Duration::seconds(30)), now), "just now");
        assert_eq!(relative(Some(at(10, 11, 59)), now), "1 min ago");
        assert_eq!(relative(Some(at(10, 11, 55)), now), "5 min ago");
        assert_eq!(relative(Some(at(10, 9, 0)), now), "3 h ago");
        assert_eq!(relative(Some(at(9, 9, 0)), now), "1 day ago");
        assert_eq!(relative(Some(at(3, 12, 0)), now), "7 days ago");
        assert_eq!(relative(Some(at(14, 12, 0)), now), "in 4 days");
    }

    #[test]
    fn money_and_counts() {
        assert_eq!(money(425_000, "USD"), "$425,000");
        assert_eq!(money(1_200_000, "EUR"), "€1,200,000");
        assert_eq!(money(999, "GBP"), "£999");
        assert_eq!(money(850_000, "CHF"), "CHF 850,000");
        assert_eq!(count(1, "contact", "contacts"), "1 contact");
        assert_eq!(count(100_000, "contact", "contacts"), "100,000 contacts");
        assert_eq!(baths(25), "2.5");
    }

    fn american_in_europe() -> Locale {
        Locale {
            date_order: DateOrder::MonthDayYear,
            number_style: NumberStyle::DotComma,
            currency: "EUR".into(),
            area_unit: fieldstone_model::AreaUnit::SquareMetres,
        }
    }

    #[test]
    fn the_default_locale_reads_as_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).expect("date");
        assert_eq!(date_label(day, day), "Tue 3 Nov");
        assert_eq!(long_date(day, false), "Tuesday 3 November");
        let (first, last) = (day - Duration::days(1), day + Duration::days(5));
        assert_eq!(date_range(first, last), "2 – 8 November 2026");
        assert_eq!(
            area(Area::new(1850, fieldstone_model::AreaUnit::SquareFeet)),
            "1,850 sq ft"
        );
        assert_eq!(compact_money(2_450_000), "$2.45M");
        assert_eq!(budget(425_000), "$425,000");
    }

    #[test]
    fn another_locale_changes_dates_numbers_money_and_areas() {
        // This test's thread has a locale of its own: the others keep the default.
        set_locale(&american_in_europe());
        assert_eq!(locale(), american_in_europe());
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).expect("date");
        assert_eq!(date_label(day, day), "Tue Nov 3");
        assert_eq!(
            date_label(day, NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")),
            "Tue Nov 3, 2026"
        );
        assert_eq!(
            Local::UTC.when(at(9, 9, 0), at(3, 14, 0)),
            "Mon Nov 9 09:00"
        );
        assert_eq!(Local::UTC.day_label(at(9, 9, 0), at(3, 14, 0)), "Mon Nov 9");
        assert_eq!(long_date(day, false), "Tuesday, November 3");
        assert_eq!(long_date(day, true), "Tuesday, November 3, 2026");
        assert_eq!(
            date_range(day, day + Duration::days(6)),
            "November 3 – 9, 2026"
        );
        assert_eq!(
            date_range(day + Duration::days(27), day + Duration::days(33)),
            "Nov 30 – Dec 6, 2026"
        );
        assert_eq!(money(425_000, "EUR"), "€425.000");
        assert_eq!(money(425_000, "USD"), "$425.000");
        assert_eq!(thousands(1_250_000), "1.250.000");
        assert_eq!(count(100_000, "contact", "contacts"), "100.000 contacts");
        assert_eq!(compact_amount(2_450_000), "2,45M");
        assert_eq!(compact_amount(9_500), "9.500");
        assert_eq!(compact_money(450_000), "€450k");
        assert_eq!(budget(425_000), "€425.000");
        let sq_ft = fieldstone_model::AreaUnit::SquareFeet;
        assert_eq!(area(Area::new(1850, sq_ft)), "172 m²");

        set_locale(&Locale {
            date_order: DateOrder::YearMonthDay,
            currency: "CHF".into(),
            ..Locale::default()
        });
        assert_eq!(date_label(day, day), "Tue 11-03");
        assert_eq!(long_date(day, false), "Tuesday 2026-11-03");
        assert_eq!(
            date_range(day, day + Duration::days(6)),
            "2026-11-03 – 2026-11-09"
        );
        assert_eq!(compact_money(950), "CHF 950");
    }
}
