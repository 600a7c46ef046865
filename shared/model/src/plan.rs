//! Plans and their monthly allowances (decision 18: rules as data and pure functions, so the
//! server that refuses and the app that warns say the same). An allowance is per organisation
//! and per calendar month in the organisation's time zone; `None` is "no cap" (enterprise),
//! never a big number.

use crate::choice::choice_enum;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

choice_enum! {
    /// What an organisation pays for.
    #[derive(Default)]
    pub enum Plan as "plan" {
        #[default]
        Free => ("free", "Free"),
        Starter => ("starter", "Starter"),
        Pro => ("pro", "Pro"),
        Enterprise => ("enterprise", "Enterprise"),
    }
}

choice_enum! {
    /// Something a plan allows so many of a month.
    pub enum Meter as "allowance" {
        AiDrafts => ("ai_drafts", "AI drafts and chat messages"),
        Enhancements => ("enhancements", "AI enhancements"),
        Emails => ("emails", "emails"),
        Sms => ("sms", "text messages"),
        CallMinutes => ("call_minutes", "call minutes"),
        Leads => ("leads", "leads"),
    }
}

impl Plan {
    /// How many of `meter` the plan allows a month (`Leads`: contacts in all); `None`: no cap.
    pub const fn allowance(self, meter: Meter) -> Option<u64> {
        use Meter::*;
        match (self, meter) {
            (Plan::Enterprise, _) => None,
            (Plan::Free, AiDrafts) => Some(20),
            (Plan::Free, Enhancements) => Some(20),
            (Plan::Free, Emails) => Some(200),
            (Plan::Free, Sms) => Some(0),
            (Plan::Free, CallMinutes) => Some(0),
            (Plan::Free, Leads) => Some(50),
            (Plan::Starter, AiDrafts) => Some(300),
            (Plan::Starter, Enhancements) => Some(300),
            (Plan::Starter, Emails) => Some(5_000),
            (Plan::Starter, Sms) => Some(500),
            (Plan::Starter, CallMinutes) => Some(300),
            (Plan::Starter, Leads) => None,
            (Plan::Pro, AiDrafts) => Some(2_000),
            (Plan::Pro, Enhancements) => Some(2_000),
            (Plan::Pro, Emails) => Some(25_000),
            (Plan::Pro, Sms) => Some(3_000),
            (Plan::Pro, CallMinutes) => Some(2_000),
            (Plan::Pro, Leads) => None,
        }
    }
}

/// The month `at` falls in, in `zone`: its key (`2026-12`) and when the next one starts (the
/// 1st at midnight there), when allowances reset.
pub fn period_of(at: DateTime<Utc>, zone: Tz) -> (String, DateTime<Utc>) {
    let local = at.with_timezone(&zone);
    let key = format!("{:04}-{:02}", local.year(), local.month());
    let (year, month) = if local.month() == 12 {
        (local.year() + 1, 1)
    } else {
        (local.year(), local.month() + 1)
    };
    let first = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    // Midnight exists in every zone on the 1st but one could be skipped by a DST change; the
    // earliest instant of that local time (or the hour after) is the reset.
    let reset = zone
        .from_local_datetime(&first)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(first + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or(at, |t| t.with_timezone(&Utc));
    (key, reset)
}

/// What a person is told when an allowance is used up: which one, how many, and when it
/// resets.
pub fn quota_reason(
    plan: Plan,
    meter: Meter,
    allowance: u64,
    resets: DateTime<Utc>,
    zone: Tz,
) -> String {
    let day = resets.with_timezone(&zone).format("%-d %B %Y");
    if allowance == 0 {
        return format!(
            "The {} plan has no {}; an admin can change the plan.",
            plan.label(),
            meter.label()
        );
    }
    format!(
        "Your organisation has used this month's {allowance} {} on the {} plan; the allowance \
         resets on {day}.",
        meter.label(),
        plan.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    #[test]
    fn enterprise_has_no_cap_and_free_has_the_lead_cap() {
        for meter in Meter::ALL {
            assert_eq!(Plan::Enterprise.allowance(meter), None, "{meter:?}");
        }
        assert_eq!(Plan::Free.allowance(Meter::Leads), Some(50));
        assert_eq!(Plan::Starter.allowance(Meter::Leads), None);
    }

    #[test]
    fn the_month_is_the_organisations_and_resets_on_the_first_there() {
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        // 23:30 UTC on 30 November is already December in Paris.
        let (key, reset) = period_of(utc("2026-11-30T23:30:00Z"), paris);
        assert_eq!(key, "2026-12");
        assert_eq!(reset, utc("2026-12-31T23:00:00Z"));
        let la: Tz = "America/Los_Angeles".parse().expect("zone");
        let (key, reset) = period_of(utc("2027-01-01T05:00:00Z"), la);
        assert_eq!(key, "2026-12", "still 31 December in Los Angeles");
        assert_eq!(reset, utc("2027-01-01T08:00:00Z"));
    }

    #[test]
    fn the_reason_names_the_allowance_and_the_reset() {
        let zone: Tz = "Europe/Paris".parse().expect("zone");
        let reset = utc("2026-12-31T23:00:00Z");
        assert_eq!(
            quota_reason(Plan::Starter, Meter::Sms, 500, reset, zone),
            "Your organisation has used this month's 500 text messages on the Starter plan; \
             the allowance resets on 1 January 2027."
        );
        assert_eq!(
            quota_reason(Plan::Free, Meter::Sms, 0, reset, zone),
            "The Free plan has no text messages; an admin can change the plan."
        );
    }
}
