//! Campaigns: the list, the wizard that writes one, and each campaign's report (its figures per
//! step and variation as numbers and a chart, the A/B test's verdict, and pause, resume, stop).
//! Everything is written on the device, offline too; the sync server runs a launched campaign
//! and its figures arrive by sync.

mod audience;
mod draft;
mod wizard;

use crate::components::icons::{icon, Icon};
use crate::components::states::EmptyState;
use crate::hooks::use_remote_revision;
use crate::services::commands;
use draft::Draft;
use fieldstone_model::campaign::ab::Verdict;
use fieldstone_model::campaign::record::{Campaign, CampaignId, StepCounts};
use fieldstone_model::campaign::run;
use fieldstone_model::campaign::CampaignStatus;
use fieldstone_protocol::campaigns::{CampaignSummary, SetCampaignStatus};
use wizard::CampaignWizard;
use yew::platform::spawn_local;
use yew::prelude::*;

/// What the screen shows.
#[derive(Debug, Clone, PartialEq)]
enum View {
    List,
    Writing(Box<Draft>),
    Report(CampaignId),
}

#[component]
pub fn CampaignsPage() -> Html {
    let view = use_state(|| View::List);
    let list = use_state(|| None::<Result<Vec<CampaignSummary>, String>>);
    let revision = use_state(|| 0u32);
    {
        let list = list.clone();
        use_effect_with((*revision, (*view).clone()), move |_| {
            spawn_local(async move {
                list.set(Some(
                    commands::list_campaigns().await.map_err(|e| e.message),
                ));
            });
        });
    }
    {
        let revision = revision.clone();
        use_remote_revision(move || revision.set(*revision + 1));
    }
    let open = |to: View| {
        let view = view.clone();
        Callback::from(move |_: MouseEvent| view.set(to.clone()))
    };
    match &*view {
        View::Writing(start) => {
            let (on_done, on_cancel) = {
                let (v1, v2) = (view.clone(), view.clone());
                (
                    Callback::from(move |c: Campaign| v1.set(View::Report(c.id))),
                    Callback::from(move |()| v2.set(View::List)),
                )
            };
            html! { <div class="page campaigns"><CampaignWizard start={(**start).clone()} {on_done} {on_cancel} /></div> }
        }
        View::Report(id) => {
            let (back, edit) = {
                let (v1, v2) = (view.clone(), view.clone());
                (
                    Callback::from(move |()| v1.set(View::List)),
                    Callback::from(move |d: Draft| v2.set(View::Writing(Box::new(d)))),
                )
            };
            html! { <div class="page campaigns"><CampaignReport id={*id} revision={*revision} on_back={back} on_edit={edit} /></div> }
        }
        View::List => {
            let rows = match &*list {
                None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
                Some(Err(message)) => {
                    html! { <p class="field__error" role="alert">{ message.clone() }</p> }
                }
                Some(Ok(items)) if items.is_empty() => html! {
                    <EmptyState id="campaigns-empty" title="No campaigns yet">
                        <p class="list-state__text">{ "A campaign emails or texts a chosen audience, once or as a series, and can test two versions against each other. The server sends it, even with your laptop closed." }</p>
                    </EmptyState>
                },
                Some(Ok(items)) => html! {
                    <ul id="campaign-list" class="campaign-list">
                        for c in items.iter() {
                            <li class="campaign-row">
                                <button type="button" class="campaign-row__button" id={format!("campaign-{}", c.id)} onclick={open(View::Report(c.id))}>
                                    <span class="campaign-row__name">{ c.name.clone() }</span>
                                    <span class={classes!("chip", format!("chip--{}", c.status.as_str()))}>{ c.status.label() }</span>
                                    <span class="campaign-row__figures">{ format!("{} · {} sent · {} opened", c.kind.label(), c.sent, c.opened) }</span>
                                </button>
                            </li>
                        }
                    </ul>
                },
            };
            html! {
                <div class="page campaigns">
                    <div class="campaigns__toolbar">
                        <button id="campaign-new" type="button" class="button button--primary" onclick={open(View::Writing(Box::default()))}>
                            { icon(Icon::Plus) }<span>{ "New campaign" }</span>
                        </button>
                    </div>
                    { rows }
                </div>
            }
        }
    }
}

#[derive(Clone, PartialEq, Properties)]
struct ReportProps {
    id: CampaignId,
    revision: u32,
    on_back: Callback<()>,
    on_edit: Callback<Draft>,
}

#[component]
fn CampaignReport(props: &ReportProps) -> Html {
    let campaign = use_state(|| None::<Result<Campaign, String>>);
    let said = use_state(|| None::<String>);
    {
        let (campaign, id) = (campaign.clone(), props.id);
        use_effect_with((id, props.revision), move |_| {
            spawn_local(async move {
                campaign.set(Some(
                    commands::get_campaign(&id).await.map_err(|e| e.message),
                ));
            });
        });
    }
    let back = {
        let on_back = props.on_back.clone();
        Callback::from(move |_: MouseEvent| on_back.emit(()))
    };
    let c = match &*campaign {
        None => return html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
        Some(Err(message)) => {
            return html! { <p class="field__error" role="alert">{ message.clone() }</p> }
        }
        Some(Ok(c)) => c.clone(),
    };
    let status_to = |to: CampaignStatus| {
        let (campaign, said, id) = (campaign.clone(), said.clone(), c.id);
        Callback::from(move |_: MouseEvent| {
            let (campaign, said) = (campaign.clone(), said.clone());
            spawn_local(async move {
                let request = SetCampaignStatus {
                    id,
                    status: to,
                    send_now: false,
                };
                match commands::set_campaign_status(&request).await {
                    Ok(next) => {
                        said.set(None);
                        campaign.set(Some(Ok(next)));
                    }
                    Err(e) => said.set(Some(e.message)),
                }
            });
        })
    };
    let edit = {
        let (on_edit, id, spec) = (props.on_edit.clone(), c.id, c.spec.clone());
        Callback::from(move |_: MouseEvent| on_edit.emit(Draft::editing(id, spec.clone())))
    };
    let figures = &c.result.counts;
    let noun = if c.spec.schedule.repeat == fieldstone_model::campaign::Repeat::Once {
        "Step"
    } else {
        "Sending"
    };
    // What it is: how it starts (a trigger, a repeat) and who it goes to.
    let starts = match (&c.spec.trigger, c.spec.schedule.repeat) {
        (Some(trigger), _) => Some(trigger.sentence()),
        (None, fieldstone_model::campaign::Repeat::Once) => None,
        (None, repeat) => Some(repeat.label().to_owned()),
    };
    let verdicts = c.spec.tested_steps().filter_map(|step| {
        let ab = c.spec.ab?;
        let sent_at = c.launched_at?;
        let verdict = run::verdict(&c, step, figures, sent_at, crate::services::platform::now())?.ok()?;
        let labels: Vec<&str> = c.spec.steps[step].variations.iter().map(|v| v.label.as_str()).collect();
        let sentence = verdict.sentence(ab.metric, &labels, ab.confidence);
        let won = matches!(verdict, Verdict::Winner { .. });
        Some(html! {
            <p class={classes!("verdict", won.then_some("verdict--won"))} id={format!("verdict-{step}")}>
                { format!("Step {}: {sentence}", step + 1) }
            </p>
        })
    });
    html! {
        <section id="campaign-report" class="card report" aria-labelledby="campaign-report-title">
            <header class="wizard__header">
                <button id="campaign-report-back" type="button" class="button button--secondary" onclick={back}>{ icon(Icon::Back) }<span>{ "Campaigns" }</span></button>
                <h2 id="campaign-report-title" class="wizard__title">{ c.spec.name.clone() }</h2>
                <span id="campaign-status" class={classes!("chip", format!("chip--{}", c.status.as_str()))}>{ c.status.label() }</span>
            </header>
            <p class="settings-fineprint">{ format!("{} · {}{} · {}", c.spec.kind.label(), starts.map(|s| format!("{s} · ")).unwrap_or_default(), c.spec.audience.summary(), crate::state::format::count(c.result.enrolled, "recipient", "recipients")) }</p>
            <div class="settings-actions">
                if c.status.can_become(CampaignStatus::Running) && c.status != CampaignStatus::Draft {
                    <button id="campaign-resume" type="button" class="button button--primary" onclick={status_to(CampaignStatus::Running)}>{ "Resume" }</button>
                }
                if c.status.can_become(CampaignStatus::Paused) {
                    <button id="campaign-pause" type="button" class="button button--secondary" onclick={status_to(CampaignStatus::Paused)}>{ "Pause" }</button>
                }
                if matches!(c.status, CampaignStatus::Draft | CampaignStatus::Paused) {
                    <button id="campaign-edit" type="button" class="button button--secondary" onclick={edit}>{ if c.status == CampaignStatus::Draft { "Edit and launch" } else { "Edit" } }</button>
                }
                if c.status.can_become(CampaignStatus::Stopped) {
                    <button id="campaign-stop" type="button" class="button button--secondary" onclick={status_to(CampaignStatus::Stopped)}>{ "Stop" }</button>
                }
            </div>
            if let Some(message) = &*said {
                <p class="field__error" role="alert">{ message.clone() }</p>
            }
            if figures.is_empty() {
                <p id="campaign-report-empty" class="settings-muted">{ match (c.status, &c.spec.trigger) {
                    (CampaignStatus::Draft, _) => "A draft: nothing is sent until it is launched.".to_owned(),
                    (_, Some(trigger)) => format!("Nobody has gone through it yet. {}, that contact starts it (the server looks every quarter of an hour, once it has the campaign).", trigger.sentence()),
                    _ => "Nothing counted yet. The server starts once it has the campaign (offline, it waits for this device to sync), and the figures come back here.".to_owned(),
                } }</p>
            } else {
                { chart(figures, noun) }
                { table(figures, noun) }
            }
            { for verdicts }
        </section>
    }
}

/// The measures the report shows, in funnel order.
/// A measure's name and how it is read from a step's figures.
type Measure = (&'static str, fn(&StepCounts) -> u64);

const MEASURES: [Measure; 8] = [
    ("Sent", |k| k.sent),
    ("Delivered", |k| k.delivered),
    ("Opened", |k| k.opened),
    ("Clicked", |k| k.clicked),
    ("Replied", |k| k.replied),
    ("Unsubscribed", |k| k.unsubscribed),
    ("Refused", |k| k.refused),
    ("Bookings", |k| k.bookings),
];

/// "Step 2", or "Step 1 · B" where the step has several variations (or a control group); a
/// repeating broadcast's rows are its sendings ("Sending 3").
fn row_label(figures: &[StepCounts], k: &StepCounts, noun: &str) -> String {
    let several = figures.iter().filter(|x| x.step == k.step).count() > 1;
    if several {
        format!("{noun} {} · {}", k.step + 1, k.variation)
    } else {
        format!("{noun} {}", k.step + 1)
    }
}

/// One horizontal bar group per step and variation: each measure as a share of what was sent.
fn chart(figures: &[StepCounts], noun: &str) -> Html {
    let rows: Vec<&StepCounts> = figures
        .iter()
        .filter(|k| k.variation != "control")
        .collect();
    let top = rows
        .iter()
        .map(|k| k.sent.max(k.refused))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bar_h = 10.0;
    let group_h = bar_h * MEASURES.len() as f64 + 24.0;
    let height = group_h * rows.len() as f64;
    let groups = rows.iter().enumerate().map(|(g, k)| {
        let y0 = g as f64 * group_h;
        let bars = MEASURES.iter().enumerate().map(|(m, (name, read))| {
            let value = read(k);
            let width = (value as f64 / top * 100.0).max(if value > 0 { 0.5 } else { 0.0 });
            html! {
                <rect class={format!("chart__bar chart__bar--{}", name.to_lowercase())}
                    x="0" y={format!("{:.1}", y0 + 18.0 + m as f64 * bar_h)}
                    width={format!("{width:.2}%")} height={format!("{:.1}", bar_h - 2.0)}>
                    <title>{ format!("{name}: {value}") }</title>
                </rect>
            }
        });
        html! {
            <g>
                <text class="chart__label" x="0" y={format!("{:.1}", y0 + 12.0)}>{ row_label(figures, k, noun) }</text>
                { for bars }
            </g>
        }
    });
    let legend = MEASURES.iter().map(|(name, _)| {
        html! { <li><span class={format!("chart__key chart__bar--{}", name.to_lowercase())}></span>{ *name }</li> }
    });
    html! {
        <figure id="campaign-chart" class="chart">
            <svg width="100%" height={format!("{height:.0}")} role="img" aria-label="Each row's sent, delivered, opened, clicked, replied, unsubscribed, refused and bookings made after it">
                { for groups }
            </svg>
            <figcaption><ul class="chart__legend">{ for legend }</ul></figcaption>
        </figure>
    }
}

fn table(figures: &[StepCounts], noun: &str) -> Html {
    html! {
        <div class="table-scroll">
            <table id="campaign-figures" class="figures">
                <thead>
                    <tr><th scope="col">{ noun }</th>
                        for (name, _) in MEASURES.iter() { <th scope="col">{ *name }</th> }
                        <th scope="col">{ "Bounced" }</th>
                    </tr>
                </thead>
                <tbody>
                    for k in figures.iter() {
                        <tr>
                            <th scope="row">{ row_label(figures, k, noun) }</th>
                            for (_, read) in MEASURES.iter() { <td>{ read(k) }</td> }
                            <td>{ k.bounced }</td>
                        </tr>
                    }
                </tbody>
            </table>
        </div>
    }
}
