//! The weekly report (seed 000's analytics, seed 002's "not implemented" list): for an agent, or
//! for a broker's team, what last week brought — new leads by source, follow-ups done and still
//! overdue, showings and meetings held and coming, moves through the pipeline, and how their
//! campaigns are doing. A pure rule over the records (DESIGN decision 18): the server's weekly
//! job builds it from the documents it holds, and the app can show the same figures.
//!
//! "Last week" is Monday 00:00 to the next Monday 00:00 in the reader's zone, across DST.

use crate::booking::{Booking, BookingStatus};
use crate::campaign::record::Campaign;
use crate::campaign::CampaignStatus;
use crate::contact::{Contact, LeadSource, Stage};
use crate::ids::UserId;
use crate::task::{Task, TaskStatus};
use chrono::{DateTime, Datelike, Days, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The local hour on Monday the report goes out.
pub const SEND_HOUR: u32 = 8;

/// The week a report covers: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Week {
    /// The last whole week (Monday to Monday in `zone`) before `now`.
    pub fn last(now: DateTime<Utc>, zone: Tz) -> Week {
        let today = now.with_timezone(&zone).date_naive();
        let this_monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let last_monday = this_monday - Days::new(7);
        let start = crate::follow_up::resolve(zone, last_monday.and_time(NaiveTime::MIN));
        let end = crate::follow_up::resolve(zone, this_monday.and_time(NaiveTime::MIN));
        Week {
            start: start.unwrap_or(now),
            end: end.unwrap_or(now),
        }
    }

    /// When the next report goes out: Monday at [`SEND_HOUR`] in `zone`, at or after `now`.
    pub fn next_report_at(now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        let today = now.with_timezone(&zone).date_naive();
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let at = |day: chrono::NaiveDate| {
            day.and_hms_opt(SEND_HOUR, 0, 0)
                .and_then(|local| crate::follow_up::resolve(zone, local))
        };
        match at(monday) {
            Some(t) if t >= now => t,
            _ => at(monday + Days::new(7)).unwrap_or(now + chrono::Duration::days(7)),
        }
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// One campaign's figures so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignLine {
    pub name: String,
    pub status: CampaignStatus,
    pub sent: u64,
    pub opened: u64,
    pub clicked: u64,
    pub replied: u64,
    pub unsubscribed: u64,
    pub refused: u64,
}

/// What a week brought, for one agent or a team.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WeeklyReport {
    pub new_leads: u64,
    /// New leads per source, most first.
    pub by_source: Vec<(LeadSource, u64)>,
    pub follow_ups_done: u64,
    /// Open tasks whose time had passed at the week's end.
    pub overdue: u64,
    /// Showings and meetings that took place (or were still on the calendar) in the week.
    pub bookings_held: u64,
    /// Booked for the coming week.
    pub bookings_ahead: u64,
    /// Contacts moved into each stage during the week.
    pub moved_to: Vec<(Stage, u64)>,
    /// Campaigns running, paused or finished during the week.
    pub campaigns: Vec<CampaignLine>,
}

/// The records a report is built from (what the server holds for the organisation).
#[derive(Debug, Clone, Copy)]
pub struct Records<'a> {
    pub contacts: &'a [Contact],
    pub tasks: &'a [Task],
    pub bookings: &'a [Booking],
    pub campaigns: &'a [Campaign],
}

impl WeeklyReport {
    /// The report on `week` for the work of `people` (one agent, or a broker's team).
    pub fn build(records: Records<'_>, people: &[UserId], week: Week) -> WeeklyReport {
        let ours = |u: &UserId| people.contains(u);
        let mut report = WeeklyReport::default();
        let mut sources: BTreeMap<LeadSource, u64> = BTreeMap::new();
        let mut stages: BTreeMap<Stage, u64> = BTreeMap::new();
        for c in records.contacts.iter().filter(|c| c.deleted_at.is_none()) {
            let agent = c.assigned_agent.unwrap_or(c.owner);
            if !ours(&agent) {
                continue;
            }
            if week.contains(c.created_at) {
                report.new_leads += 1;
                *sources.entry(c.source).or_default() += 1;
            }
            for change in c.stage_history.iter().filter(|s| week.contains(s.at)) {
                *stages.entry(change.to).or_default() += 1;
            }
        }
        for t in records
            .tasks
            .iter()
            .filter(|t| t.deleted_at.is_none() && ours(&t.owner))
        {
            match t.status {
                TaskStatus::Completed if t.closed_at.is_some_and(|at| week.contains(at)) => {
                    report.follow_ups_done += 1;
                }
                TaskStatus::Pending if t.due_at.is_some_and(|due| due < week.end) => {
                    report.overdue += 1;
                }
                _ => {}
            }
        }
        let next = Week {
            start: week.end,
            end: week.end + (week.end - week.start),
        };
        for b in records.bookings.iter().filter(|b| {
            b.deleted_at.is_none() && (ours(&b.created_by) || b.attendees.users.iter().any(ours))
        }) {
            match b.status {
                BookingStatus::Cancelled | BookingStatus::NoShow => {}
                _ if week.contains(b.starts_at) => report.bookings_held += 1,
                BookingStatus::Scheduled if next.contains(b.starts_at) => {
                    report.bookings_ahead += 1;
                }
                _ => {}
            }
        }
        for c in records.campaigns.iter().filter(|c| {
            c.deleted_at.is_none()
                && ours(&c.owner)
                && c.launched_at.is_some_and(|at| at < week.end)
                && (matches!(c.status, CampaignStatus::Running | CampaignStatus::Paused)
                    || c.status_at.is_some_and(|at| at >= week.start))
        }) {
            let mut line = CampaignLine {
                name: c.spec.name.clone(),
                status: c.status,
                sent: 0,
                opened: 0,
                clicked: 0,
                replied: 0,
                unsubscribed: 0,
                refused: 0,
            };
            for n in &c.result.counts {
                line.sent += n.sent;
                line.opened += n.opened;
                line.clicked += n.clicked;
                line.replied += n.replied;
                line.unsubscribed += n.unsubscribed;
                line.refused += n.refused;
            }
            report.campaigns.push(line);
        }
        report
            .campaigns
            .sort_by(|a, b| b.sent.cmp(&a.sent).then(a.name.cmp(&b.name)));
        report.by_source = sources.into_iter().collect();
        report
            .by_source
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        report.moved_to = stages.into_iter().collect();
        report
    }

    /// The report as the plain-text part of its email.
    pub fn text(&self, who: &str, week: Week, zone: Tz) -> String {
        let day = |t: DateTime<Utc>| t.with_timezone(&zone).format("%-d %B").to_string();
        // The week's last instant is on its Sunday, whatever the clocks did that weekend.
        let last_day = week.end - chrono::Duration::seconds(1);
        let mut out = format!(
            "{who}: your week, {} to {}\n\n",
            day(week.start),
            day(last_day)
        );
        let plural = |n: u64, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        out.push_str(&format!(
            "- {}",
            plural(self.new_leads, "new lead", "new leads")
        ));
        if !self.by_source.is_empty() {
            let parts: Vec<String> = self
                .by_source
                .iter()
                .map(|(s, n)| format!("{n} from {}", s.label()))
                .collect();
            out.push_str(&format!(" ({})", parts.join(", ")));
        }
        out.push('\n');
        out.push_str(&format!(
            "- {} done, {} overdue\n",
            plural(self.follow_ups_done, "follow-up", "follow-ups"),
            self.overdue
        ));
        out.push_str(&format!(
            "- {} held, {} booked for the week ahead\n",
            plural(
                self.bookings_held,
                "showing or meeting",
                "showings and meetings"
            ),
            self.bookings_ahead
        ));
        if self.moved_to.is_empty() {
            out.push_str("- No moves through the pipeline\n");
        } else {
            let parts: Vec<String> = self
                .moved_to
                .iter()
                .map(|(s, n)| format!("{n} to {}", s.label()))
                .collect();
            out.push_str(&format!("- Pipeline: {}\n", parts.join(", ")));
        }
        if !self.campaigns.is_empty() {
            out.push_str("\nCampaigns so far:\n");
            for c in &self.campaigns {
                out.push_str(&format!(
                    "- {} ({}): {} sent, {} opened, {} clicked, {} replied, {} unsubscribed, {} refused\n",
                    c.name,
                    c.status.label().to_lowercase(),
                    c.sent,
                    c.opened,
                    c.clicked,
                    c.replied,
                    c.unsubscribed,
                    c.refused
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
