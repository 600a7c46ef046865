//! Team (brokers and admins): each agent's numbers over a period, read from this device's
//! records (so it works offline), the team's open leads with an agent filter, and moving a
//! lead to another agent (the server does that, so it needs a connection and says so).

use crate::components::icons::{icon, Icon};
use crate::components::states::{EmptyState, ListError, ListLoading};
use crate::hooks::{use_command, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::commands;
use crate::state::initials;
use crate::state::team::{by_stage, rate, response_time, Load, TeamAction, TeamState};
use fieldstone_model::UserId;
use fieldstone_protocol::commands::{
    AgentPerformance, Reassign, TeamLead, TeamMember, TeamPeriod, TeamPipelineQuery, TeamReport,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

fn chosen(event: &Event) -> Option<UserId> {
    event
        .target_unchecked_into::<HtmlSelectElement>()
        .value()
        .parse()
        .ok()
}

#[component]
pub fn TeamPage() -> Html {
    let state = use_reducer(TeamState::default);
    let now = use_shell().clock.now;
    use_command(
        &state,
        (state.period, state.revision),
        |(period, _)| {
            let period = *period;
            Some(async move { commands::team(&period).await })
        },
        TeamAction::Report,
    );
    // After the report: it asks the server for the names and the target and remembers them,
    // and the pipeline reads what it remembered.
    let settled = !matches!(state.report, Load::Loading);
    use_command(
        &state,
        (state.agent, state.revision, settled),
        |(agent, _, settled)| {
            let query = TeamPipelineQuery { agent: *agent };
            settled.then(|| async move { commands::team_pipeline(&query).await })
        },
        |(agent, revision, _), outcome| TeamAction::Pipeline((agent, revision), outcome),
    );
    {
        let sending = state.busy.then(|| state.chosen_move()).flatten();
        use_command(
            &state,
            sending,
            |sending| {
                let (contact, agent) = (*sending)?;
                Some(async move { commands::reassign_lead(&Reassign { contact, agent }).await })
            },
            |_, outcome| TeamAction::Moved(outcome),
        );
    }
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(TeamAction::Reload));
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };

    if let Load::Closed(message) = &state.report {
        return html! {
            <div class="page team">
                <div id="team-closed" class="card team-closed" role="status">
                    <span class="usage-note__icon" aria-hidden="true">{ icon(Icon::Contacts) }</span>
                    <p>{ message }</p>
                </div>
            </div>
        };
    }
    let members: Vec<TeamMember> = match &state.report {
        Load::Loaded(report) => report.members.clone(),
        _ => Vec::new(),
    };
    html! {
        <div class="page team">
            <section class="card team-card" aria-labelledby="team-title">
                <div class="team-card__head">
                    <h2 id="team-title" class="card__title">{ "Agents" }</h2>
                    <Periods current={state.period} dispatch={dispatch.clone()} />
                </div>
                if let Some(note) = state.names_note() {
                    <p id="team-names-note" class="settings-muted" role="status">{ note }</p>
                }
                { agents_body(&state, &dispatch) }
            </section>
            <section class="card team-card" aria-labelledby="team-pipeline-title">
                <div class="team-card__head">
                    <h2 id="team-pipeline-title" class="card__title">{ "Team pipeline" }</h2>
                    <label class="team-filter">
                        <span class="team-filter__label">{ "Agent" }</span>
                        <span class="select team-select"><select
                            id="team-agent-filter"
                            class="field__control select__control"
                            onchange={dispatch.reform(|e: Event| TeamAction::Filter(chosen(&e)))}
                        >
                            <option value="" selected={state.agent.is_none()}>{ "Everyone" }</option>
                            for m in members.iter() {
                                <option
                                    key={m.user_id.to_string()}
                                    value={m.user_id.to_string()}
                                    selected={state.agent == Some(m.user_id)}
                                >{ &m.name }</option>
                            }
                        </select></span>
                    </label>
                </div>
                if let Some(notice) = &state.notice {
                    <p
                        id="team-notice"
                        class={if notice.ok { "form-success" } else { "field__error" }}
                        role={if notice.ok { "status" } else { "alert" }}
                    >{ &notice.text }</p>
                }
                { pipeline_body(&state, &members, now, &dispatch) }
            </section>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct PeriodsProps {
    current: TeamPeriod,
    dispatch: Callback<TeamAction>,
}

#[component]
fn Periods(props: &PeriodsProps) -> Html {
    html! {
        <div id="team-periods" class="segmented" role="group" aria-label="Period">
            for period in TeamPeriod::ALL {
                <button
                    type="button"
                    id={format!("team-period-{}", period.key())}
                    class={classes!("segmented__option", (period == props.current).then_some("segmented__option--on"))}
                    aria-pressed={(period == props.current).to_string()}
                    onclick={props.dispatch.reform(move |_: MouseEvent| TeamAction::Period(period))}
                >{ period.label() }</button>
            }
        </div>
    }
}

fn agents_body(state: &TeamState, dispatch: &Callback<TeamAction>) -> Html {
    let report: &TeamReport = match &state.report {
        Load::Loading | Load::Closed(_) => {
            return html! { <ListLoading id="team-loading" label="Counting your team's leads…" /> }
        }
        Load::Failed(message) => {
            return html! {
                <ListError
                    id="team-error"
                    title="Couldn't count your team's leads."
                    message={message.clone()}
                    on_retry={dispatch.reform(|()| TeamAction::Reload)}
                />
            }
        }
        Load::Loaded(report) => report,
    };
    if report.agents.is_empty() {
        return html! {
            <EmptyState id="team-empty" title="No agents yet">
                <p class="list-state__text">
                    { "Once agents join your organisation and leads arrive, each agent's numbers show here." }
                </p>
            </EmptyState>
        };
    }
    html! {
        <>
        <div class="team-table" role="table" aria-label={format!("Agents, {}", report.period.label().to_lowercase())}>
            <div class="team-row team-row--head" role="row">
                <span role="columnheader">{ "Agent" }</span>
                <span role="columnheader">{ "New leads" }</span>
                <span role="columnheader">{ "Open" }</span>
                <span role="columnheader">{ "Appointments" }</span>
                <span role="columnheader">{ "Closed" }</span>
                <span role="columnheader">{ "Conversion" }</span>
                <span role="columnheader">{ "First response" }</span>
            </div>
            for agent in report.agents.iter() {
                { agent_row(agent, state.agent == Some(agent.user_id), report.response_minutes, dispatch) }
            }
        </div>
        if let Some(minutes) = report.response_minutes {
            <p id="team-target" class="settings-muted">
                { format!("First replies are due within {} of a lead's arrival.", response_time(Some(i64::from(minutes) * 60))) }
            </p>
        }
        </>
    }
}

fn agent_row(
    agent: &AgentPerformance,
    filtered: bool,
    target: Option<u32>,
    dispatch: &Callback<TeamAction>,
) -> Html {
    let id = agent.user_id;
    let cell = |label: &'static str, value: String, key: &'static str| {
        html! {
            <span role="cell" class={classes!("team-cell", format!("team-cell--{key}"))} data-label={label}>
                <span class="team-cell__label" aria-hidden="true">{ label }</span>
                <span class="team-cell__value">{ value }</span>
            </span>
        }
    };
    let awaiting = (agent.awaiting_response > 0)
        .then(|| format!("{} awaiting a first reply", agent.awaiting_response));
    let late = (agent.late > 0).then(|| match target {
        Some(m) => format!(
            "{} past the {} target",
            agent.late,
            response_time(Some(i64::from(m) * 60))
        ),
        None => format!("{} late", agent.late),
    });
    html! {
        <div class={classes!("team-row", filtered.then_some("team-row--on"))} role="row" data-agent={id.to_string()}>
            <span role="rowheader" class="team-cell team-cell--agent">
                <button
                    type="button"
                    class="team-agent"
                    title="Show this agent's leads in the team pipeline"
                    aria-pressed={filtered.to_string()}
                    onclick={dispatch.reform(move |_: MouseEvent| {
                        TeamAction::Filter(if filtered { None } else { Some(id) })
                    })}
                >
                    <span class="avatar" aria-hidden="true">{ initials(&agent.name) }</span>
                    <span class="team-agent__name">{ &agent.name }</span>
                </button>
            </span>
            { cell("New leads", agent.new_leads.to_string(), "new") }
            { cell("Open", agent.open_leads.to_string(), "open") }
            { cell("Appointments", agent.appointments.to_string(), "appointments") }
            { cell("Closed", agent.deals_closed.to_string(), "closed") }
            { cell("Conversion", rate(agent.conversion_rate), "conversion") }
            <span role="cell" class="team-cell team-cell--response" data-label="First response">
                <span class="team-cell__label" aria-hidden="true">{ "First response" }</span>
                <span class="team-cell__value">{ response_time(agent.avg_first_response_secs) }</span>
                if let Some(awaiting) = awaiting {
                    <span class="team-cell__warn">{ awaiting }</span>
                }
                if let Some(late) = late {
                    <span class="team-cell__late">{ late }</span>
                }
            </span>
        </div>
    }
}

fn pipeline_body(
    state: &TeamState,
    members: &[TeamMember],
    now: chrono::DateTime<chrono::Utc>,
    dispatch: &Callback<TeamAction>,
) -> Html {
    let leads: &Vec<TeamLead> = match &state.pipeline {
        Load::Loading => {
            return html! { <ListLoading id="team-pipeline-loading" label="Reading the team's leads…" /> }
        }
        Load::Closed(message) | Load::Failed(message) => {
            return html! {
                <ListError
                    id="team-pipeline-error"
                    title="Couldn't read the team's leads."
                    message={message.clone()}
                    on_retry={dispatch.reform(|()| TeamAction::Reload)}
                />
            }
        }
        Load::Loaded(leads) => leads,
    };
    if leads.is_empty() {
        return html! {
            <EmptyState id="team-pipeline-empty" title="No open leads">
                <p class="list-state__text">
                    { if state.agent.is_some() { "This agent has no open leads on this device." } else { "Open leads of your team show here as they arrive." } }
                </p>
            </EmptyState>
        };
    }
    html! {
        <div id="team-pipeline" class="team-pipeline">
            for (stage, group) in by_stage(leads) {
                <section key={stage.as_str()} class="team-stage" aria-label={stage.label()}>
                    <h3 class="team-stage__title">
                        <span class={classes!("chip", "chip--stage", format!("chip--{}", stage.as_str()))}>{ stage.label() }</span>
                        <span class="team-stage__count">{ group.len() }</span>
                    </h3>
                    <ul class="team-leads">
                        for lead in group {
                            { lead_row(lead, now, state, members, dispatch) }
                        }
                    </ul>
                </section>
            }
        </div>
    }
}

fn lead_row(
    lead: &TeamLead,
    now: chrono::DateTime<chrono::Utc>,
    state: &TeamState,
    members: &[TeamMember],
    dispatch: &Callback<TeamAction>,
) -> Html {
    let contact = lead.contact;
    let moving = state.moving.filter(|(c, _)| *c == contact);
    let others: Vec<&TeamMember> = members.iter().filter(|m| m.user_id != lead.agent).collect();
    html! {
        <li key={contact.to_string()} class="team-lead" data-contact={contact.to_string()}>
            <div class="team-lead__main">
                <a class="team-lead__name" href={Route::Contact(contact).to_hash()}>{ &lead.name }</a>
                <span class="team-lead__agent">
                    { &lead.agent_name }
                    if let Some(since) = lead.waiting_since {
                        <span class={classes!("team-lead__waiting", lead.late.then_some("team-lead__waiting--late"))}>
                            { format!(" · no reply yet, {}", response_time(Some((now - since).num_seconds().max(0)))) }
                        </span>
                    }
                </span>
            </div>
            if let Some((_, choice)) = moving {
                <div class="team-move" role="group" aria-label={format!("Move {} to another agent", lead.name)}>
                    <span class="select team-select"><select
                        id="team-move-agent"
                        class="field__control select__control"
                        aria-label="Move to"
                        disabled={state.busy}
                        onchange={dispatch.reform(|e: Event| TeamAction::ChooseAgent(chosen(&e)))}
                    >
                        <option value="" selected={choice.is_none()}>{ "Move to…" }</option>
                        for m in others {
                            <option key={m.user_id.to_string()} value={m.user_id.to_string()} selected={choice == Some(m.user_id)}>{ &m.name }</option>
                        }
                    </select></span>
                    <button
                        id="team-move-confirm"
                        type="button"
                        class={classes!("button", "button--primary", state.busy.then_some("button--busy"))}
                        disabled={choice.is_none() || state.busy}
                        onclick={dispatch.reform(|_: MouseEvent| TeamAction::Moving)}
                    >
                        <span class="button__spinner" aria-hidden="true"></span>
                        { if state.busy { "Moving…" } else { "Move" } }
                    </button>
                    <button
                        type="button"
                        class="button button--secondary"
                        disabled={state.busy}
                        onclick={dispatch.reform(|_: MouseEvent| TeamAction::CloseMove)}
                    >{ "Cancel" }</button>
                </div>
            } else {
                <button
                    type="button"
                    class="button button--secondary team-lead__move"
                    disabled={members.len() < 2 || state.busy}
                    title={if members.len() < 2 { "There is nobody else to give it to yet" } else { "Give this lead to another agent" }}
                    onclick={dispatch.reform(move |_: MouseEvent| TeamAction::OpenMove(contact))}
                >{ "Reassign" }</button>
            }
        </li>
    }
}
