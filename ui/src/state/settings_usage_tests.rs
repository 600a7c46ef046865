use super::*;
use crate::state::format::set_locale;
use chrono::{TimeZone, Utc};
use fieldstone_model::{DateOrder, Locale, NumberStyle};

fn meter(meter: &str, label: &str, allowance: Option<u64>, used: u64, mine: u64) -> MeterUsage {
    MeterUsage {
        meter: meter.into(),
        label: label.into(),
        allowance,
        used,
        used_by_me: mine,
    }
}

fn starter() -> OrgUsage {
    OrgUsage {
        plan: "starter".into(),
        plan_label: "Starter".into(),
        time_zone: "Europe/Paris".into(),
        period: "2026-12".into(),
        // Midnight on 1 January in Paris is still 31 December in UTC.
        resets_at: Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 0, 0)
            .single()
            .expect("time"),
        meters: vec![
            meter("sms", "text messages", Some(500), 120, 40),
            meter("emails", "emails", Some(5_000), 0, 0),
        ],
    }
}

fn reduce(state: UsageState, action: UsageAction) -> UsageState {
    (*Rc::new(state).reduce(action)).clone()
}

#[test]
fn loading_then_loaded_and_a_refresh_keeps_the_figures_up() {
    let state = UsageState::default();
    assert_eq!(state.view, UsageView::Loading);
    assert_eq!(state.state_name(), "loading");
    let state = reduce(state, UsageAction::Loaded(1, starter()));
    assert_eq!(state.view, UsageView::Loaded(starter()));
    assert_eq!(state.state_name(), "loaded");

    let state = reduce(state, UsageAction::Reload);
    assert_eq!(state.seq, 2);
    assert!(state.refreshing);
    assert_eq!(
        state.view,
        UsageView::Loaded(starter()),
        "the figures stay while re-read"
    );
    // The answer to the first read is stale now.
    let mut other = starter();
    other.plan_label = "Pro".into();
    let state = reduce(state, UsageAction::Loaded(1, other.clone()));
    assert_eq!(state.view, UsageView::Loaded(starter()));
    let state = reduce(state, UsageAction::Loaded(2, other.clone()));
    assert_eq!(state.view, UsageView::Loaded(other));
    assert!(!state.refreshing);
}

#[test]
fn offline_and_signed_out_say_why_by_code_and_retry_reads_again() {
    let offline = CommandError::new(
        CommandErrorCode::Offline,
        "Usage needs a connection to the server.",
    );
    let state = reduce(UsageState::default(), UsageAction::Failed(1, offline));
    assert_eq!(
        state.view,
        UsageView::Offline("Usage needs a connection to the server.".into())
    );
    assert_eq!(state.state_name(), "offline");
    let state = reduce(state, UsageAction::Reload);
    assert_eq!(
        state.view,
        UsageView::Loading,
        "not a spinner forever: asked again"
    );
    assert_eq!(state.seq, 2);

    let signed_out = CommandError::new(CommandErrorCode::WrongState, "Sign in to see your plan.");
    let state = reduce(state, UsageAction::Failed(2, signed_out));
    assert_eq!(
        state.view,
        UsageView::SignedOut("Sign in to see your plan.".into())
    );
    let refused = CommandError::new(CommandErrorCode::Refused, "The server refused: no.");
    let state = reduce(
        reduce(state, UsageAction::Reload),
        UsageAction::Failed(3, refused),
    );
    assert_eq!(
        state.view,
        UsageView::Failed("The server refused: no.".into())
    );
}

#[test]
fn a_capped_allowance_reads_used_over_allowance_with_a_bar_and_my_share() {
    let row = MeterRow::new(&meter("sms", "text messages", Some(500), 120, 40));
    assert_eq!(row.label, "Text messages");
    assert_eq!(row.count, "120 / 500");
    assert_eq!(row.percent, Some(24));
    assert_eq!(row.level, "ok");
    assert_eq!(row.mine, "You: 40 (33%)");
    assert_eq!(row.spoken, "120 of 500 text messages used");

    let row = MeterRow::new(&meter("emails", "emails", Some(5_000), 4_200, 0));
    assert_eq!(row.count, "4,200 / 5,000");
    assert_eq!(row.level, "near");
    assert_eq!(row.mine, "You: none yet");
    let row = MeterRow::new(&meter("emails", "emails", Some(200), 200, 200));
    assert_eq!((row.percent, row.level), (Some(100), "full"));
    assert_eq!(row.mine, "You: 200 (100%)");
}

#[test]
fn no_cap_has_no_bar_and_none_allowed_says_so() {
    let row = MeterRow::new(&meter("emails", "emails", None, 1_234, 34));
    assert_eq!(row.count, "1,234 used · no cap");
    assert_eq!(row.percent, None);
    assert_eq!(row.level, "none");
    assert_eq!(row.mine, "You: 34 (2%)");
    let row = MeterRow::new(&meter("sms", "text messages", Some(0), 0, 0));
    assert_eq!(row.count, "Not in this plan");
    assert_eq!((row.percent, row.level), (None, "none"));
}

#[test]
fn percentages_never_divide_by_zero_nor_overflow() {
    assert_eq!(percent(0, 0), None);
    assert_eq!(percent(5, 0), None);
    assert_eq!(percent(0, 500), Some(0));
    assert_eq!(
        percent(1, 5_000),
        Some(1),
        "a little use is never an empty bar"
    );
    assert_eq!(percent(250, 500), Some(50));
    assert_eq!(
        percent(501, 500),
        Some(100),
        "over the allowance is a full bar"
    );
    assert_eq!(percent(u64::MAX, 1), Some(100));
    assert_eq!(percent(u64::MAX, u64::MAX), Some(100));
    // My share of nothing used is none, not a division.
    assert_eq!(mine(0, 0), "You: none yet");
    assert_eq!(mine(3, 0), "You: 3");
}

#[test]
fn the_reset_is_the_first_of_the_next_month_in_the_agents_date_order() {
    let usage = starter();
    assert_eq!(
        reset_day(&usage),
        NaiveDate::from_ymd_opt(2027, 1, 1).expect("day")
    );
    assert_eq!(resets_sentence(&usage), "Resets on 1 January 2027");
    assert_eq!(month_name(&usage), "December 2026");
    assert_eq!(plan_name(&usage), "Starter plan");
    set_locale(&Locale {
        date_order: DateOrder::MonthDayYear,
        number_style: NumberStyle::DotComma,
        ..Locale::default()
    });
    assert_eq!(resets_sentence(&usage), "Resets on January 1, 2027");
    assert_eq!(
        MeterRow::new(&meter("emails", "emails", Some(5_000), 4_200, 0)).count,
        "4.200 / 5.000"
    );
    set_locale(&Locale {
        date_order: DateOrder::YearMonthDay,
        ..Locale::default()
    });
    assert_eq!(resets_sentence(&usage), "Resets on 2027-01-01");
    // A period this app cannot read: the reset instant's own date.
    let odd = OrgUsage {
        period: "december".into(),
        ..starter()
    };
    assert_eq!(
        reset_day(&odd),
        NaiveDate::from_ymd_opt(2026, 12, 31).expect("day")
    );
}
