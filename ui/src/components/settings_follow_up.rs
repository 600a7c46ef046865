//! Settings' "Follow-ups" card: the zone the agent works in (follow-ups fall due at the time of
//! day a contact was added, there), and the organisation's follow-up plan — which steps a new
//! contact gets, on which day and how urgent, and the sources that get none. Admins change the
//! plan (it needs the server, which sends it to every device); everyone else reads it. Signed
//! in, the agent also chooses what the server sends without review, and their weekly report.

use super::field::{choice_options, SelectField, TextField};
use super::icons::{icon, Icon};
use crate::services::commands;
use crate::state::follow_up::PlanForm;
use fieldstone_model::Priority;
use fieldstone_protocol::commands::Preferences;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct FollowUpCardProps {
    /// Signed in as an admin or owner: the plan can be changed here.
    pub admin: bool,
    /// Signed in: the server can send follow-ups without review (the agent's own choice).
    #[prop_or_default]
    pub signed_in: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Said {
    Saved(&'static str),
    Failed(String, String),
}

#[component]
pub fn FollowUpCard(props: &FollowUpCardProps) -> Html {
    let prefs = use_state(|| None::<Result<Preferences, String>>);
    let zone = use_state(String::new);
    let plan = use_state(|| None::<Result<PlanForm, String>>);
    let said = use_state(|| None::<Said>);
    let auto = use_state(|| None::<fieldstone_model::follow_up::AutoSend>);
    {
        let (auto, signed_in) = (auto.clone(), props.signed_in);
        use_effect_with(signed_in, move |&signed_in| {
            if signed_in {
                spawn_local(async move {
                    if let Ok(chosen) = commands::follow_up_auto_send().await {
                        auto.set(Some(chosen));
                    }
                });
            }
        });
    }
    let busy = use_state(|| false);
    {
        let (prefs, zone, plan) = (prefs.clone(), zone.clone(), plan.clone());
        use_effect_with((), move |()| {
            spawn_local(async move {
                let read = commands::preferences().await.map_err(|e| e.message);
                if let Ok(p) = &read {
                    zone.set(if p.time_zone_chosen {
                        p.time_zone.clone()
                    } else {
                        String::new()
                    });
                }
                prefs.set(Some(read));
                plan.set(Some(
                    commands::follow_up_plan()
                        .await
                        .map(|s| PlanForm::from_settings(&s))
                        .map_err(|e| e.message),
                ));
            });
        });
    }
    let save_zone = {
        let (zone, prefs, said, busy) = (zone.clone(), prefs.clone(), said.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let (zone, prefs, said, busy) =
                (zone.clone(), prefs.clone(), said.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match commands::set_time_zone(&(*zone).clone()).await {
                    Ok(p) => {
                        zone.set(if p.time_zone_chosen {
                            p.time_zone.clone()
                        } else {
                            String::new()
                        });
                        prefs.set(Some(Ok(p)));
                        said.set(Some(Said::Saved("Time zone saved.")));
                    }
                    Err(e) => said.set(Some(Said::Failed(
                        e.field("time_zone")
                            .map_or("form".to_owned(), |_| "time_zone".to_owned()),
                        e.message,
                    ))),
                }
                busy.set(false);
            });
        })
    };
    let save_plan = {
        let (plan, said, busy) = (plan.clone(), said.clone(), busy.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(Ok(form)) = (*plan).clone() else {
                return;
            };
            let settings = match form.to_settings() {
                Ok(settings) => settings,
                Err((field, message)) => {
                    said.set(Some(Said::Failed(field, message)));
                    return;
                }
            };
            let (plan, said, busy) = (plan.clone(), said.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match commands::set_follow_up_plan(&settings).await {
                    Ok(stored) => {
                        plan.set(Some(Ok(PlanForm::from_settings(&stored))));
                        said.set(Some(Said::Saved("Follow-up plan saved for everyone.")));
                    }
                    Err(e) => {
                        // A step's own sentence goes on its row; anything else under the form.
                        let field = e
                            .fields
                            .first()
                            .map(|f| f.field.clone())
                            .filter(|f| f.starts_with("steps["))
                            .unwrap_or_else(|| "form".to_owned());
                        said.set(Some(Said::Failed(field, e.message)));
                    }
                }
                busy.set(false);
            });
        })
    };
    let error_for = |field: &str| match &*said {
        Some(Said::Failed(f, message)) if f == field => Some(AttrValue::from(message.clone())),
        _ => None,
    };
    let zone_hint = match &*prefs {
        Some(Ok(p)) if p.time_zone_chosen => format!("Chosen: {}.", p.time_zone),
        Some(Ok(p)) => format!(
            "Now this device's: {}. Leave it blank to keep following the device.",
            p.time_zone
        ),
        _ => String::new(),
    };
    let plan_body = match &*plan {
        None => html! { <p class="settings-muted" role="status">{ "Reading…" }</p> },
        Some(Err(message)) => {
            html! { <p class="field__error" role="alert">{ format!("Couldn't read the follow-up plan: {message}") }</p> }
        }
        Some(Ok(form)) => plan_rows(form, props.admin, &plan, &said, &error_for),
    };
    html! {
        <section id="settings-follow-up" class="card settings-card" aria-labelledby="settings-follow-up-title">
            <h2 id="settings-follow-up-title" class="settings-card__title">{ icon(Icon::Task) }{ "Follow-ups" }</h2>
            <form id="time-zone-form" class="form" novalidate=true onsubmit={save_zone}>
                <TextField
                    id="time-zone"
                    label="Your time zone"
                    value={(*zone).clone()}
                    placeholder={Some(AttrValue::Static("Europe/London"))}
                    hint={Some(AttrValue::from(zone_hint))}
                    error={error_for("time_zone")}
                    on_input={{ let (zone, said) = (zone.clone(), said.clone()); Callback::from(move |v: String| { zone.set(v); said.set(None); }) }}
                />
                <div class="settings-actions">
                    <button id="time-zone-save" type="submit" class="button button--secondary" disabled={*busy}>{ "Save time zone" }</button>
                </div>
            </form>
            <form id="follow-up-plan-form" class="form follow-up-form" novalidate=true onsubmit={save_plan}>
                <p class="settings-fineprint">{ "Every new contact gets these tasks, due at the time of day they were added. Each agent can turn the plan off for one contact." }</p>
                { plan_body }
                if props.admin {
                    <div class="settings-actions">
                        <button id="follow-up-plan-save" type="submit" class="button button--secondary" disabled={*busy}>{ "Save plan for everyone" }</button>
                    </div>
                } else {
                    <p class="settings-fineprint">{ "Only an admin can change the plan." }</p>
                }
            </form>
            if let Some(chosen) = (*auto).clone() {
                <fieldset id="follow-up-auto-sources" class="follow-up-form__sources">
                    <legend>{ "Send follow-up emails without review for contacts from" }</legend>
                    for source in PlanForm::sources() {
                        <label class="check-target follow-up-form__source">
                            <input
                                type="checkbox"
                                class="checkbox"
                                id={format!("follow-up-auto-{}", source.as_str())}
                                checked={chosen.sources.contains(&source)}
                                onchange={{
                                    let (auto, said, chosen) = (auto.clone(), said.clone(), chosen.clone());
                                    Callback::from(move |_: Event| {
                                        let mut next = chosen.clone();
                                        if let Some(at) = next.sources.iter().position(|s| *s == source) {
                                            next.sources.remove(at);
                                        } else {
                                            next.sources.push(source);
                                        }
                                        let (auto, said) = (auto.clone(), said.clone());
                                        spawn_local(async move {
                                            match commands::set_follow_up_auto_send(&next).await {
                                                Ok(stored) => {
                                                    auto.set(Some(stored));
                                                    said.set(Some(Said::Saved("Saved: the server sends those without review.")));
                                                }
                                                Err(e) => said.set(Some(Said::Failed("form".into(), e.message))),
                                            }
                                        });
                                    })
                                }}
                            />
                            <span>{ source.label() }</span>
                        </label>
                    }
                    <p class="settings-fineprint">{ "Otherwise each one waits in Ready to send on Today for you to review." }</p>
                </fieldset>
            }
            if let (true, Some(Ok(p))) = (props.signed_in, &*prefs) {
                <label class="check-target">
                    <input type="checkbox" class="checkbox" id="weekly-report" checked={p.weekly_report}
                        onchange={{
                            let (prefs, said, on) = (prefs.clone(), said.clone(), !p.weekly_report);
                            Callback::from(move |_: Event| {
                                let (prefs, said) = (prefs.clone(), said.clone());
                                spawn_local(async move {
                                    match commands::set_weekly_report(&fieldstone_protocol::commands::WeeklyReportChoice { on }).await {
                                        Ok(stored) => {
                                            prefs.set(Some(Ok(stored)));
                                            said.set(Some(Said::Saved(if on { "Saved: your weekly report comes on Monday mornings." } else { "Saved: no more weekly reports." })));
                                        }
                                        Err(e) => said.set(Some(Said::Failed("form".into(), e.message))),
                                    }
                                });
                            })
                        }} />
                    <span>{ "Email me a weekly report on Monday mornings (new leads, follow-ups, showings, campaigns)" }</span>
                </label>
            }
            if let Some(Said::Saved(message)) = &*said {
                <p id="follow-up-saved" class="form-success" role="status"><span class="form-success__icon" aria-hidden="true"></span>{ *message }</p>
            }
            if let Some(message) = error_for("form") {
                <p id="follow-up-error" class="field__error" role="alert">{ message }</p>
            }
        </section>
    }
}

fn plan_rows(
    form: &PlanForm,
    admin: bool,
    plan: &UseStateHandle<Option<Result<PlanForm, String>>>,
    said: &UseStateHandle<Option<Said>>,
    error_for: &dyn Fn(&str) -> Option<AttrValue>,
) -> Html {
    let edit = |change: Box<dyn Fn(&mut PlanForm)>| {
        let (plan, said, form) = (plan.clone(), said.clone(), form.clone());
        move || {
            let mut next = form.clone();
            change(&mut next);
            plan.set(Some(Ok(next)));
            said.set(None);
        }
    };
    let mut on_index = 0usize;
    let rows = form.rows.iter().enumerate().map(|(i, row)| {
        let field = if row.on {
            on_index += 1;
            Some(format!("steps[{}]", on_index - 1))
        } else {
            None
        };
        let error = field.as_deref().and_then(error_for);
        let toggle = {
            let apply = edit(Box::new(move |f: &mut PlanForm| f.rows[i].on = !f.rows[i].on));
            Callback::from(move |_: Event| apply())
        };
        let days = {
            let (plan, said, form) = (plan.clone(), said.clone(), form.clone());
            Callback::from(move |v: String| {
                let mut next = form.clone();
                next.rows[i].days = v;
                plan.set(Some(Ok(next)));
                said.set(None);
            })
        };
        let priority = {
            let (plan, said, form) = (plan.clone(), said.clone(), form.clone());
            Callback::from(move |v: String| {
                if let Ok(p) = v.parse::<Priority>() {
                    let mut next = form.clone();
                    next.rows[i].priority = p;
                    plan.set(Some(Ok(next)));
                    said.set(None);
                }
            })
        };
        html! {
            <li class="follow-up-form__step" data-kind={row.kind.as_str()}>
                <label class="check-target follow-up-form__on">
                    <input type="checkbox" class="checkbox" id={format!("follow-up-{}-on", row.kind.as_str())} checked={row.on} disabled={!admin} onchange={toggle} />
                    <span>{ row.kind.label() }</span>
                </label>
                <TextField
                    id={format!("follow-up-{}-days", row.kind.as_str())}
                    label="Days after"
                    input_type="number"
                    input_mode={Some(AttrValue::Static("numeric"))}
                    value={row.days.clone()}
                    {error}
                    on_input={days}
                />
                <SelectField
                    id={format!("follow-up-{}-priority", row.kind.as_str())}
                    label="Priority"
                    value={row.priority.as_str()}
                    options={choice_options::<Priority>()}
                    on_change={priority}
                />
            </li>
        }
    });
    let sources = PlanForm::sources().into_iter().map(|source| {
        let off = form.off_for.contains(&source);
        let apply = edit(Box::new(move |f: &mut PlanForm| f.toggle_source(source)));
        html! {
            <label class="check-target follow-up-form__source">
                <input type="checkbox" class="checkbox" id={format!("follow-up-off-{}", source.as_str())} checked={off} disabled={!admin} onchange={Callback::from(move |_: Event| apply())} />
                <span>{ source.label() }</span>
            </label>
        }
    });
    html! {
        <>
            <fieldset class="follow-up-form__plan" disabled={!admin}>
                <legend class="visually-hidden">{ "The plan's steps" }</legend>
                <ul class="follow-up-form__steps">{ for rows }</ul>
            </fieldset>
            <fieldset class="follow-up-form__sources" disabled={!admin}>
                <legend>{ "No plan for contacts from" }</legend>
                { for sources }
            </fieldset>
        </>
    }
}
