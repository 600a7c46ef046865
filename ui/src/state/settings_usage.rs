//! Settings' "Plan and usage": the organisation's plan and this month's use of each allowance,
//! asked of the sync server. A pure reducer (the page turns `seq` into an `org_usage` call and
//! dispatches its answer) and the pure rules of what each row says: "120 / 500" with a bar,
//! "no cap", the agent's own share, and when the month resets.
//!
//! The answer's error code says which state to show, never its text: signed out (sign in
//! first), offline (why there is nothing, and a Retry), or another failure with its reason.

use super::format::{full_date, thousands};
use chrono::{Datelike, Months, NaiveDate};
use fieldstone_protocol::account::{MeterUsage, OrgUsage};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use std::rc::Rc;
use yew::Reducible;

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsageView {
    /// Asked; no answer yet.
    Loading,
    Loaded(OrgUsage),
    /// No session to ask with: the message says to sign in.
    SignedOut(String),
    /// The server cannot be reached: the message says usage needs a connection.
    Offline(String),
    /// Anything else: the server's refusal, in the app's words.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageState {
    pub view: UsageView,
    /// Grows when the usage must be read (again); an answer to an older ask is dropped.
    pub seq: u64,
    /// A read of figures already shown is on its way (they stay up meanwhile).
    pub refreshing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UsageAction {
    /// Read again: Retry, Refresh, a sign-in or sign-out, the device back online.
    Reload,
    /// The answer to read `seq`.
    Loaded(u64, OrgUsage),
    Failed(u64, CommandError),
}

impl Default for UsageState {
    fn default() -> Self {
        UsageState {
            view: UsageView::Loading,
            seq: 1,
            refreshing: false,
        }
    }
}

impl UsageState {
    /// `data-state` of the card.
    pub fn state_name(&self) -> &'static str {
        match self.view {
            UsageView::Loading => "loading",
            UsageView::Loaded(_) => "loaded",
            UsageView::SignedOut(_) => "signed_out",
            UsageView::Offline(_) => "offline",
            UsageView::Failed(_) => "failed",
        }
    }

    fn apply(&mut self, action: UsageAction) {
        match action {
            UsageAction::Reload => {
                self.seq += 1;
                if matches!(self.view, UsageView::Loaded(_)) {
                    self.refreshing = true;
                } else {
                    self.view = UsageView::Loading;
                }
            }
            UsageAction::Loaded(seq, usage) if seq == self.seq => {
                self.view = UsageView::Loaded(usage);
                self.refreshing = false;
            }
            UsageAction::Failed(seq, error) if seq == self.seq => {
                self.refreshing = false;
                self.view = match error.code {
                    CommandErrorCode::WrongState => UsageView::SignedOut(error.message),
                    CommandErrorCode::Offline => UsageView::Offline(error.message),
                    _ => UsageView::Failed(error.message),
                };
            }
            // Stale: a newer read is on its way.
            UsageAction::Loaded(..) | UsageAction::Failed(..) => {}
        }
    }
}

impl Reducible for UsageState {
    type Action = UsageAction;

    fn reduce(self: Rc<Self>, action: UsageAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

/// One allowance as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterRow {
    /// `sms`, `emails`, … (`data-meter`).
    pub meter: String,
    /// "Text messages".
    pub label: String,
    /// "120 / 500", "120 used · no cap", "Not in this plan".
    pub count: String,
    /// How full the bar is, 0–100; `None`: no bar (no cap, or none allowed).
    pub percent: Option<u8>,
    /// `ok`, `near` (80 % or more), `full` (all used) or `none` (no bar).
    pub level: &'static str,
    /// "You: 40 (33%)", "You: none yet".
    pub mine: String,
    /// The bar's accessible name: "120 of 500 text messages used".
    pub spoken: String,
}

impl MeterRow {
    pub fn new(meter: &MeterUsage) -> Self {
        let label = capitalised(&meter.label);
        let used = thousands(meter.used);
        let (count, percent, spoken) = match meter.allowance {
            None => (
                format!("{used} used · no cap"),
                None,
                format!("{used} {} used, no cap", meter.label),
            ),
            Some(0) => ("Not in this plan".to_owned(), None, String::new()),
            Some(allowance) => {
                let allowance_text = thousands(allowance);
                (
                    format!("{used} / {allowance_text}"),
                    percent(meter.used, allowance),
                    format!("{used} of {allowance_text} {} used", meter.label),
                )
            }
        };
        let level = match percent {
            None => "none",
            Some(100..) => "full",
            Some(80..) => "near",
            Some(_) => "ok",
        };
        MeterRow {
            meter: meter.meter.clone(),
            label,
            count,
            percent,
            level,
            mine: mine(meter.used_by_me, meter.used),
            spoken,
        }
    }
}

/// How full `used` of `allowance` is, in whole percent, 0 to 100: a little use shows as 1 %
/// (never an empty bar for something used), over the allowance as 100. `None` for no
/// allowance (nothing to divide by).
pub fn percent(used: u64, allowance: u64) -> Option<u8> {
    if allowance == 0 {
        return None;
    }
    let whole = (u128::from(used) * 100 / u128::from(allowance)).min(100);
    let whole = if used > 0 { whole.max(1) } else { whole };
    u8::try_from(whole).ok()
}

/// The agent's own share of what the organisation used: "You: 40 (33%)".
pub fn mine(by_me: u64, used: u64) -> String {
    if by_me == 0 {
        return "You: none yet".to_owned();
    }
    match percent(by_me, used) {
        Some(share) => format!("You: {} ({share}%)", thousands(by_me)),
        None => format!("You: {}", thousands(by_me)),
    }
}

/// The day the allowances start again: the 1st of the month after `period` (`2026-12`), the
/// organisation's month, so it is the same day wherever the device is. A period this app
/// cannot read falls back to the reset instant's date.
pub fn reset_day(usage: &OrgUsage) -> NaiveDate {
    let first = usage
        .period
        .split_once('-')
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1));
    first
        .and_then(|day| day.checked_add_months(Months::new(1)))
        .unwrap_or_else(|| usage.resets_at.date_naive())
}

/// "Resets on 1 January 2027", in the agent's date order.
pub fn resets_sentence(usage: &OrgUsage) -> String {
    format!("Resets on {}", full_date(reset_day(usage)))
}

/// "Starter plan".
pub fn plan_name(usage: &OrgUsage) -> String {
    let name = usage.plan_label.trim();
    let name = if name.is_empty() {
        capitalised(&usage.plan)
    } else {
        name.to_owned()
    };
    format!("{name} plan")
}

/// The month counted, spelt out: "December 2026" (the period as sent if unreadable).
pub fn month_name(usage: &OrgUsage) -> String {
    let day = reset_day(usage);
    day.checked_sub_months(Months::new(1)).map_or_else(
        || usage.period.clone(),
        |first| format!("{} {}", first.format("%B"), first.year()),
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
#[path = "settings_usage_tests.rs"]
mod tests;
