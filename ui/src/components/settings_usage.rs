//! Settings' "Plan and usage" card: the organisation's plan, each allowance as "used /
//! allowance" with a bar (or "no cap"), the agent's own share and when the month resets; while
//! asking, a line that says so; signed out, offline or refused, what it shows instead and why,
//! with Retry where trying again can help.

use super::icons::{icon, Icon};
use crate::hooks::use_locale_changes;
use crate::state::settings_usage::{
    month_name, plan_name, resets_sentence, MeterRow, UsageAction, UsageState, UsageView,
};
use fieldstone_protocol::account::OrgUsage;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct UsageCardProps {
    pub state: UsageState,
    pub dispatch: Callback<UsageAction>,
}

#[component]
pub fn UsageCard(props: &UsageCardProps) -> Html {
    // Counts and the reset day are written in the agent's locale.
    use_locale_changes();
    let state = &props.state;
    let retry = |label: &'static str, busy: bool| {
        let onclick = props.dispatch.reform(|_: MouseEvent| UsageAction::Reload);
        html! {
            <button
                id="usage-retry"
                type="button"
                class={classes!("button", "button--secondary", "usage-retry", busy.then_some("button--busy"))}
                {onclick}
                disabled={busy}
            >
                <span class="button__spinner" aria-hidden="true"></span>
                { if busy { "Checking…" } else { label } }
            </button>
        }
    };
    let body = match &state.view {
        UsageView::Loading => html! {
            <p id="usage-loading" class="settings-muted" role="status">
                { "Asking your team's server for your plan…" }
            </p>
        },
        UsageView::Loaded(usage) => html! {
            <>
                <Plan usage={usage.clone()} />
                <div class="settings-actions settings-actions--start">
                    { retry("Refresh", state.refreshing) }
                </div>
            </>
        },
        UsageView::SignedOut(message) => html! {
            <div id="usage-signed-out" class="settings-note" role="status">
                <span class="usage-note__icon" aria-hidden="true">{ icon(Icon::Contacts) }</span>
                <div class="usage-note__text">
                    <p class="usage-note__lead">{ message }</p>
                    <p class="settings-muted">
                        { "Plans and allowances belong to your organisation: sign in under Account and sync to see yours and this month's use." }
                    </p>
                </div>
            </div>
        },
        UsageView::Offline(message) => html! {
            <>
                <div id="usage-offline" class="settings-note usage-note--offline" role="status">
                    <span class="usage-note__icon" aria-hidden="true">{ icon(Icon::Warning) }</span>
                    <div class="usage-note__text">
                        <p class="usage-note__lead">{ message }</p>
                        <p class="settings-muted">
                            { "Your team's server cannot be reached, and it alone counts what your organisation has used this month. Everything else works offline; try again once you are online." }
                        </p>
                    </div>
                </div>
                <div class="settings-actions settings-actions--start">{ retry("Try again", false) }</div>
            </>
        },
        UsageView::Failed(message) => html! {
            <>
                <div id="usage-error" class="banner banner--error banner--inline" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ format!("Couldn't read your plan: {message}") }</p>
                </div>
                <div class="settings-actions settings-actions--start">{ retry("Try again", false) }</div>
            </>
        },
    };
    html! {
        <section
            id="settings-usage"
            class="card settings-card"
            aria-labelledby="settings-usage-title"
            aria-busy={(state.view == UsageView::Loading || state.refreshing).to_string()}
            data-state={state.state_name()}
        >
            <h2 id="settings-usage-title" class="settings-card__title">{ icon(Icon::Clock) }{ "Plan and usage" }</h2>
            { body }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct PlanProps {
    usage: OrgUsage,
}

#[component]
fn Plan(props: &PlanProps) -> Html {
    let usage = &props.usage;
    let rows: Vec<MeterRow> = usage.meters.iter().map(MeterRow::new).collect();
    html! {
        <div class="usage">
            <div class="usage-head">
                <p id="usage-plan" class="usage-head__plan" data-plan={usage.plan.clone()}>{ plan_name(usage) }</p>
                <p id="usage-resets" class="settings-muted">
                    { format!("{} · {}", month_name(usage), resets_sentence(usage)) }
                </p>
            </div>
            <ul id="usage-meters" class="usage-meters">
                for row in rows {
                    <li key={row.meter.clone()} class="usage-meter" data-meter={row.meter.clone()} data-level={row.level}>
                        <div class="usage-meter__head">
                            <span class="usage-meter__label">{ &row.label }</span>
                            <span class="usage-meter__count">{ &row.count }</span>
                        </div>
                        if let Some(percent) = row.percent {
                            <progress
                                class={classes!("usage-bar", format!("usage-bar--{}", row.level))}
                                max="100"
                                value={percent.to_string()}
                                aria-label={row.spoken.clone()}
                            ></progress>
                        }
                        <p class="usage-meter__mine">{ &row.mine }</p>
                    </li>
                }
            </ul>
            <p class="settings-fineprint">
                { format!("Counted for your whole organisation, by the month in {}; \u{201c}You\u{201d} is your own share.", usage.time_zone) }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use fieldstone_protocol::account::MeterUsage;
    use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
    use yew::ServerRenderer;

    fn usage(plan: &str, label: &str, allowance: Option<u64>) -> OrgUsage {
        OrgUsage {
            plan: plan.into(),
            plan_label: label.into(),
            time_zone: "UTC".into(),
            period: "2026-12".into(),
            resets_at: Utc
                .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
                .single()
                .expect("time"),
            meters: vec![MeterUsage {
                meter: "sms".into(),
                label: "text messages".into(),
                allowance,
                used: 120,
                used_by_me: 40,
            }],
        }
    }

    async fn render(actions: Vec<UsageAction>) -> String {
        ServerRenderer::<UsageCard>::with_props(move || {
            let mut state = std::rc::Rc::new(UsageState::default());
            for action in actions {
                state = yew::Reducible::reduce(state, action);
            }
            UsageCardProps {
                state: (*state).clone(),
                dispatch: Callback::noop(),
            }
        })
        .hydratable(false)
        .render()
        .await
    }

    #[tokio::test]
    async fn loaded_shows_the_plan_each_allowance_with_a_bar_and_the_reset() {
        let html = render(vec![UsageAction::Loaded(
            1,
            usage("starter", "Starter", Some(500)),
        )])
        .await;
        assert!(html.contains("data-state=\"loaded\""), "{html}");
        assert!(html.contains("Starter plan"), "{html}");
        assert!(
            html.contains("December 2026 · Resets on 1 January 2027"),
            "{html}"
        );
        assert!(html.contains("Text messages"), "{html}");
        assert!(html.contains("120 / 500"), "{html}");
        assert!(html.contains("value=\"24\""), "{html}");
        assert!(html.contains("You: 40 (33%)"), "{html}");
        assert!(html.contains("Refresh"), "{html}");
    }

    #[tokio::test]
    async fn enterprise_reads_no_cap_without_a_bar() {
        let html = render(vec![UsageAction::Loaded(
            1,
            usage("enterprise", "Enterprise", None),
        )])
        .await;
        assert!(html.contains("120 used · no cap"), "{html}");
        assert!(!html.contains("<progress"), "{html}");
    }

    #[tokio::test]
    async fn loading_offline_and_signed_out_each_say_what_and_why() {
        let html = render(vec![]).await;
        assert!(html.contains("id=\"usage-loading\""), "{html}");
        assert!(html.contains("aria-busy=\"true\""), "{html}");

        let offline = CommandError::new(
            CommandErrorCode::Offline,
            "Usage needs a connection to the server.",
        );
        let html = render(vec![UsageAction::Failed(1, offline)]).await;
        assert!(html.contains("id=\"usage-offline\""), "{html}");
        assert!(
            html.contains("Usage needs a connection to the server."),
            "{html}"
        );
        assert!(html.contains("cannot be reached"), "{html}");
        assert!(html.contains("Try again"), "{html}");

        let signed_out =
            CommandError::new(CommandErrorCode::WrongState, "Sign in to see your plan.");
        let html = render(vec![UsageAction::Failed(1, signed_out)]).await;
        assert!(html.contains("Sign in to see your plan."), "{html}");
        assert!(
            !html.contains("id=\"usage-retry\""),
            "nothing to retry: {html}"
        );
    }
}
