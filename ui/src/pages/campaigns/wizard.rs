//! The campaign wizard (seed 003's six steps): type, audience (with its size), content (with
//! the variables, a preview on a real contact and an AI rewrite), schedule, review (the cost
//! against the plan and every reason it cannot launch yet), and launch or keep as a draft.

use super::audience::AudienceStep;
use super::draft::{Draft, STARTS, STEPS};
use crate::components::field::{choice_options, stage_options, SelectField, TextField};
use crate::services::commands;
use fieldstone_model::campaign::personalise::VARIABLES;
use fieldstone_model::campaign::record::Campaign;
use fieldstone_model::campaign::*;
use fieldstone_model::drafting::{EnhanceRequest, Tone};
use fieldstone_model::Stage;
use fieldstone_protocol::campaigns::{
    AudienceSize, CampaignPreview, CampaignReview, PreviewCampaign, SaveCampaign, SetCampaignStatus,
};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct WizardProps {
    pub start: Draft,
    /// Saved (a draft kept, or launched): the campaign as stored.
    pub on_done: Callback<Campaign>,
    pub on_cancel: Callback<()>,
}

pub(super) type State = UseStateHandle<Draft>;

/// A callback writing the value a control reports into the draft with `apply` (and clearing
/// the last refusal: the agent is mending it).
pub(super) fn change(
    draft: &State,
    apply: impl Fn(&mut Draft, String) + 'static,
) -> Callback<String> {
    let draft = draft.clone();
    Callback::from(move |value: String| {
        let mut next = (*draft).clone();
        next.errors.clear();
        apply(&mut next, value);
        draft.set(next);
    })
}

/// The same for a click or a checkbox.
pub(super) fn act<E: 'static>(draft: &State, apply: impl Fn(&mut Draft) + 'static) -> Callback<E> {
    let draft = draft.clone();
    Callback::from(move |_: E| {
        let mut next = (*draft).clone();
        next.errors.clear();
        apply(&mut next);
        draft.set(next);
    })
}

pub(super) fn err(d: &Draft, field: &str) -> Option<AttrValue> {
    d.error(field).map(AttrValue::from)
}

#[component]
pub fn CampaignWizard(props: &WizardProps) -> Html {
    let draft = use_state(|| props.start.clone());
    let size = use_state(|| None::<AudienceSize>);
    let review = use_state(|| None::<Result<CampaignReview, String>>);
    let preview = use_state(|| None::<(usize, usize, Result<CampaignPreview, String>)>);
    let busy = use_state(|| false);
    let said = use_state(|| None::<String>);
    let d = (*draft).clone();
    // The audience's size follows its criteria.
    {
        let size = size.clone();
        use_effect_with(d.campaign().audience, move |audience| {
            let (size, audience) = (size.clone(), audience.clone());
            spawn_local(async move {
                size.set(commands::campaign_audience(&audience).await.ok());
            });
        });
    }
    // The review is asked each time the review or launch step opens.
    {
        let (review, input) = (review.clone(), d.campaign());
        use_effect_with(d.step, move |step| {
            if *step >= 4 {
                let review = review.clone();
                review.set(None);
                spawn_local(async move {
                    review.set(Some(
                        commands::review_campaign(&input)
                            .await
                            .map_err(|e| e.message),
                    ));
                });
            }
        });
    }
    let go = |to: usize| act::<MouseEvent>(&draft, move |d| d.step = to.min(STEPS.len() - 1));
    let save = |launch: bool, send_now: bool| {
        let (draft, busy, said, on_done) = (
            draft.clone(),
            busy.clone(),
            said.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (draft, busy, said, on_done) =
                (draft.clone(), busy.clone(), said.clone(), on_done.clone());
            let request = SaveCampaign {
                id: draft.id,
                input: draft.campaign(),
            };
            busy.set(true);
            spawn_local(async move {
                let mut kept = (*draft).clone();
                let outcome = match commands::save_campaign(&request).await {
                    Ok(c) if launch => {
                        kept.id = Some(c.id);
                        commands::set_campaign_status(&SetCampaignStatus {
                            id: c.id,
                            status: CampaignStatus::Running,
                            send_now,
                        })
                        .await
                    }
                    other => other,
                };
                busy.set(false);
                match outcome {
                    Ok(c) => on_done.emit(c),
                    Err(e) => {
                        if e.fields.is_empty() {
                            said.set(Some(e.message));
                        } else {
                            said.set(None);
                            kept.refused(e.fields.clone());
                        }
                        draft.set(kept);
                    }
                }
            });
        })
    };
    let body = match d.step {
        0 => type_step(&d, &draft),
        1 => html! { <AudienceStep draft={draft.clone()} size={(*size).clone()} /> },
        2 => content_step(&d, &draft, &preview),
        3 => schedule_step(&d, &draft),
        4 => review_step(review.as_ref()),
        _ => launch_step(&d, review.as_ref(), &save, *busy),
    };
    let stepper = STEPS.iter().enumerate().map(|(i, label)| {
        let current = i == d.step;
        html! {
            <li class={classes!("wizard__step", current.then_some("wizard__step--current"), (i < d.step).then_some("wizard__step--done"))}>
                <button type="button" id={format!("campaign-step-{i}")} class="wizard__step-button" aria-current={current.then_some("step")} onclick={go(i)}>
                    <span class="wizard__step-number">{ i + 1 }</span>
                    <span class="wizard__step-label">{ *label }</span>
                </button>
            </li>
        }
    });
    let cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    html! {
        <section id="campaign-wizard" class="card wizard" aria-labelledby="campaign-wizard-title">
            <header class="wizard__header">
                <h2 id="campaign-wizard-title" class="wizard__title">
                    { if d.id.is_some() { "Edit campaign" } else { "New campaign" } }
                </h2>
                <button id="campaign-cancel" type="button" class="button button--secondary" onclick={cancel}>{ "Close" }</button>
            </header>
            <ol class="wizard__steps">{ for stepper }</ol>
            if !d.errors.is_empty() {
                <div id="campaign-errors" class="wizard__errors" role="alert">
                    <p>{ "Fix these first:" }</p>
                    <ul>
                        for e in d.errors.iter() {
                            <li>{ format!("{}: {}", STEPS[Draft::step_of(&e.field)], e.message) }</li>
                        }
                    </ul>
                </div>
            }
            if let Some(message) = &*said {
                <p id="campaign-said" class="field__error" role="alert">{ message.clone() }</p>
            }
            <div class="wizard__body">{ body }</div>
            <footer class="wizard__footer">
                if d.step > 0 {
                    <button id="campaign-back" type="button" class="button button--secondary" onclick={go(d.step - 1)}>{ "Back" }</button>
                }
                if d.step + 1 < STEPS.len() {
                    <button id="campaign-next" type="button" class="button button--primary" onclick={go(d.step + 1)}>
                        { format!("Next: {}", STEPS[d.step + 1]) }
                    </button>
                }
            </footer>
        </section>
    }
}

fn type_step(d: &Draft, draft: &State) -> Html {
    let kinds = CampaignKind::ALL.iter().map(|kind| {
        let kind = *kind;
        let chosen = d.input.kind == kind;
        let about = match kind {
            CampaignKind::Broadcast => "One message to the whole audience, once or on a repeat.",
            CampaignKind::Drip => "Emails or texts, days apart, until the contact replies.",
            CampaignKind::MultiTouch => "Emails, texts and call tasks for you, in one sequence.",
        };
        html! {
            <label class={classes!("choice-card", chosen.then_some("choice-card--chosen"))}>
                <input type="radio" name="campaign-kind" id={format!("campaign-kind-{}", kind.as_str())}
                    checked={chosen} onchange={act::<Event>(draft, move |d| d.set_kind(kind))} />
                <span class="choice-card__title">{ kind.label() }</span>
                <span class="choice-card__about">{ about }</span>
            </label>
        }
    });
    html! {
        <div class="form">
            <TextField id="campaign-name" label="Name" value={d.input.name.clone()}
                error={err(d, "name")}
                placeholder={Some(AttrValue::Static("Spring market update"))}
                on_input={change(draft, |d, v| d.input.name = v)}
            />
            <fieldset class="choice-cards"><legend>{ "Type" }</legend>{ for kinds }</fieldset>
        </div>
    }
}

type Preview = UseStateHandle<Option<(usize, usize, Result<CampaignPreview, String>)>>;

fn content_step(d: &Draft, draft: &State, preview: &Preview) -> Html {
    let kind = d.input.kind;
    let channels: Vec<(AttrValue, AttrValue)> = choice_options::<StepChannel>()
        .into_iter()
        .filter(|(v, _)| kind == CampaignKind::MultiTouch || v.as_str() != "call")
        .collect();
    let steps = d.input.steps.iter().enumerate().map(|(i, step)| {
        let variations = step.variations.iter().enumerate().map(|(v, variation)| {
            let at = format!("steps.{i}.variations.{v}");
            let ask_preview = {
                let (preview, audience, variation) =
                    (preview.clone(), d.campaign().audience, variation.clone());
                Callback::from(move |_: MouseEvent| {
                    let preview = preview.clone();
                    let request = PreviewCampaign {
                        audience: audience.clone(),
                        subject: variation.subject.clone(),
                        body: variation.body.clone(),
                        contact: None,
                    };
                    spawn_local(async move {
                        let answer = commands::preview_campaign(&request).await;
                        // The template's own sentence (which variable, where), not the summary.
                        let answer = answer.map_err(|e| match e.fields.first() {
                            Some(f) => f.message.clone(),
                            None => e.message,
                        });
                        preview.set(Some((i, v, answer)));
                    });
                })
            };
            let enhance = {
                let (draft, text) = (draft.clone(), variation.body.clone());
                Callback::from(move |_: MouseEvent| {
                    let (draft, request) = (draft.clone(), EnhanceRequest { text: text.clone(), tone: Tone::Friendly });
                    spawn_local(async move {
                        if let Ok(better) = commands::enhance_text(&request).await {
                            let mut next = (*draft).clone();
                            if let Some(body) = next
                                .input
                                .steps
                                .get_mut(i)
                                .and_then(|s| s.variations.get_mut(v))
                            {
                                body.body = better.rewrite;
                            }
                            draft.set(next);
                        }
                    });
                })
            };
            let shown = match &**preview {
                Some((pi, pv, answer)) if *pi == i && *pv == v => Some(answer.clone()),
                _ => None,
            };
            html! {
                <div class="variation" id={format!("variation-{i}-{v}")}>
                    if step.variations.len() > 1 {
                        <div class="variation__head">
                            <strong>{ format!("Variation {}", variation.label) }</strong>
                            <TextField id={format!("variation-{i}-{v}-percent")} label="Share (%)" input_type="number"
                                value={variation.percent.to_string()} error={err(d, &format!("steps.{i}.variations"))}
                                on_input={change(draft, move |d, x| if let Some(t) = d.input.steps.get_mut(i).and_then(|s| s.variations.get_mut(v)) { t.percent = x.trim().parse().unwrap_or(0); })}
                            />
                            <button type="button" class="button button--secondary" id={format!("variation-{i}-{v}-remove")}
                                onclick={act::<MouseEvent>(draft, move |d| d.remove_variation(i, v))}>{ "Remove" }</button>
                        </div>
                    }
                    if step.channel == StepChannel::Email {
                        <TextField id={format!("variation-{i}-{v}-subject")} label="Subject" value={variation.subject.clone()}
                            error={err(d, &format!("{at}.subject"))}
                            on_input={change(draft, move |d, x| if let Some(t) = d.input.steps.get_mut(i).and_then(|s| s.variations.get_mut(v)) { t.subject = x; })}
                        />
                    }
                    <TextField id={format!("variation-{i}-{v}-body")} multiline=true
                        label={if step.channel == StepChannel::Call { "What to say on the call" } else { "Message" }}
                        value={variation.body.clone()} error={err(d, &format!("{at}.body"))}
                        on_input={change(draft, move |d, x| if let Some(t) = d.input.steps.get_mut(i).and_then(|s| s.variations.get_mut(v)) { t.body = x; })}
                    />
                    <div class="variation__actions">
                        <button type="button" class="button button--secondary" id={format!("variation-{i}-{v}-preview")} onclick={ask_preview}>{ "Preview" }</button>
                        <button type="button" class="button button--secondary" id={format!("variation-{i}-{v}-enhance")} onclick={enhance}>{ "Enhance with AI" }</button>
                    </div>
                    { preview_box(i, v, shown) }
                </div>
            }
        });
        html! {
            <fieldset class="campaign-step" id={format!("campaign-step-card-{i}")}>
                <legend>{ format!("Step {}", i + 1) }</legend>
                <div class="form-row">
                    <SelectField id={format!("step-{i}-channel")} label="Sent as" value={step.channel.as_str()}
                        options={channels.clone()} error={err(d, &format!("steps.{i}.channel"))}
                        on_change={change(draft, move |d, x| if let (Some(s), Ok(c)) = (d.input.steps.get_mut(i), x.parse::<StepChannel>()) { s.channel = c; })}
                    />
                    if kind != CampaignKind::Broadcast {
                        <TextField id={format!("step-{i}-wait")} label={if i == 0 { "Days after joining" } else { "Days after the step before" }}
                            input_type="number" value={step.wait_days.to_string()} error={err(d, &format!("steps.{i}.wait_days"))}
                            on_input={change(draft, move |d, x| if let Some(s) = d.input.steps.get_mut(i) { s.wait_days = x.trim().parse().unwrap_or(0); })}
                        />
                    }
                </div>
                { for variations }
                <div class="variation__actions">
                    <button type="button" class="button button--secondary" id={format!("step-{i}-add-variation")}
                        onclick={act::<MouseEvent>(draft, move |d| d.add_variation(i))}>{ "Add a variation (A/B test)" }</button>
                    if d.input.steps.len() > 1 {
                        <button type="button" class="button button--secondary" id={format!("step-{i}-remove")}
                            onclick={act::<MouseEvent>(draft, move |d| d.remove_step(i))}>{ "Remove step" }</button>
                    }
                </div>
            </fieldset>
        }
    });
    let variables = VARIABLES
        .iter()
        .map(|(name, about)| html! { <li><code>{ format!("{{{{{name}}}}}") }</code>{ format!(" {about}") }</li> });
    html! {
        <div class="form">
            if let Some(message) = d.error("steps") {
                <p class="field__error" role="alert">{ message }</p>
            }
            { for steps }
            if kind != CampaignKind::Broadcast {
                <button type="button" class="button button--secondary" id="campaign-add-step" onclick={act::<MouseEvent>(draft, |d| d.add_step())}>{ "Add a step" }</button>
            }
            if let Some(ab) = d.input.ab {
                { test_fields(d, draft, ab) }
            }
            <details class="variables">
                <summary>{ "Personalise with variables" }</summary>
                <ul>{ for variables }</ul>
            </details>
        </div>
    }
}

fn preview_box(i: usize, v: usize, shown: Option<Result<CampaignPreview, String>>) -> Html {
    match shown {
        None => Html::default(),
        Some(Err(message)) => {
            html! { <p id={format!("variation-{i}-{v}-preview-error")} class="field__error" role="alert">{ message }</p> }
        }
        Some(Ok(p)) => html! {
            <div id={format!("variation-{i}-{v}-preview-box")} class="preview" role="status">
                <p class="settings-fineprint">{ match &p.contact {
                    Some(c) => format!("As {} would get it:", c.name),
                    None => "Nobody is in the audience yet: the variables are empty.".to_owned(),
                } }</p>
                if !p.subject.is_empty() {
                    <p class="preview__subject">{ p.subject.clone() }</p>
                }
                <p class="preview__body">{ p.body.clone() }</p>
                if !p.missing.is_empty() {
                    <p class="settings-fineprint">{ format!("No value for {} here: it comes out empty.", p.missing.join(", ")) }</p>
                }
            </div>
        },
    }
}

fn test_fields(d: &Draft, draft: &State, ab: AbTest) -> Html {
    let metrics = choice_options::<AbMetric>();
    html! {
        <fieldset class="campaign-step" id="campaign-test">
            <legend>{ "A/B test" }</legend>
            <div class="form-row">
                <SelectField id="test-metric" label="The winner has the best" value={ab.metric.as_str()} options={metrics}
                    on_change={change(draft, |d, x| if let (Some(ab), Ok(m)) = (d.input.ab.as_mut(), x.parse::<AbMetric>()) { ab.metric = m; })}
                />
                <TextField id="test-hours" label="Decide after (hours)" input_type="number"
                    value={ab.decide_after_hours.map(|h| h.to_string()).unwrap_or_default()} error={err(d, "ab.decide_after_hours")}
                    on_input={change(draft, |d, x| if let Some(ab) = d.input.ab.as_mut() { ab.decide_after_hours = x.trim().parse().ok(); })}
                />
                <TextField id="test-min" label="At least this many each" input_type="number"
                    value={ab.min_per_variation.to_string()} error={err(d, "ab.min_per_variation")}
                    on_input={change(draft, |d, x| if let Some(ab) = d.input.ab.as_mut() { ab.min_per_variation = x.trim().parse().unwrap_or(0); })}
                />
                <TextField id="test-control" label="Control group (%)" input_type="number"
                    value={ab.split.control_percent.to_string()} error={err(d, "ab.split.control_percent")}
                    on_input={change(draft, |d, x| if let Some(ab) = d.input.ab.as_mut() { ab.split.control_percent = x.trim().parse().unwrap_or(0); })}
                />
            </div>
            if d.input.kind == CampaignKind::Broadcast {
                <label class="check-target">
                    <input type="checkbox" class="checkbox" id="test-to-rest" checked={ab.split.winner_to_rest}
                        onchange={act::<Event>(draft, |d| if let Some(ab) = d.input.ab.as_mut() { ab.split.winner_to_rest = !ab.split.winner_to_rest; if ab.split.test_percent == 0 { ab.split.test_percent = 20; } })} />
                    <span>{ "Test on part of the audience, then send the winner to the rest" }</span>
                </label>
                if ab.split.winner_to_rest {
                    <TextField id="test-percent" label="In the test (%)" input_type="number"
                        value={ab.split.test_percent.to_string()} error={err(d, "ab.split.test_percent")}
                        on_input={change(draft, |d, x| if let Some(ab) = d.input.ab.as_mut() { ab.split.test_percent = x.trim().parse().unwrap_or(0); })}
                    />
                }
            }
        </fieldset>
    }
}

fn schedule_step(d: &Draft, draft: &State) -> Html {
    let at_time = matches!(d.input.schedule.start, Start::At { .. });
    let sequence = d.input.kind != CampaignKind::Broadcast;
    let triggered = d.input.trigger.is_some();
    html! {
        <div class="form">
            if sequence {
                <SelectField id="schedule-trigger" label="Who goes through it" value={d.start_key()}
                    options={STARTS.iter().map(|(v, l)| (AttrValue::Static(v), AttrValue::Static(l))).collect::<Vec<_>>()}
                    error={err(d, "trigger")}
                    on_change={change(draft, |d, v| d.set_start(&v))} />
                { trigger_fields(d, draft) }
            }
            if !triggered {
                <fieldset class="choice-cards"><legend>{ "Start" }</legend>
                    <label class={classes!("choice-card", (!at_time).then_some("choice-card--chosen"))}>
                        <input type="radio" name="campaign-start" id="schedule-now" checked={!at_time}
                            onchange={act::<Event>(draft, |d| d.input.schedule.start = Start::Now)} />
                        <span class="choice-card__title">{ "As soon as it is launched" }</span>
                        <span class="choice-card__about">{ "Offline, it goes when this device next syncs." }</span>
                    </label>
                    <label class={classes!("choice-card", at_time.then_some("choice-card--chosen"))}>
                        <input type="radio" name="campaign-start" id="schedule-at" checked={at_time}
                            onchange={act::<Event>(draft, |d| d.input.schedule.start = Start::At { local: chrono::NaiveDateTime::default() })} />
                        <span class="choice-card__title">{ "At a time, in each recipient's zone" }</span>
                        <span class="choice-card__about">{ "9:00 means 9:00 where they live." }</span>
                    </label>
                </fieldset>
            }
            if at_time && !triggered {
                <TextField id="schedule-time" label="Date and time" input_type="datetime-local" value={d.at.clone()}
                    error={err(d, "schedule.start")} on_input={change(draft, |d, v| d.at = v)} />
            }
            if !sequence {
                <SelectField id="schedule-repeat" label="Repeat" value={d.input.schedule.repeat.as_str()}
                    options={choice_options::<Repeat>()} error={err(d, "schedule.repeat")}
                    on_change={change(draft, |d, v| d.input.schedule.repeat = v.parse().unwrap_or_default())} />
                if d.input.schedule.repeat != Repeat::Once {
                    <p class="settings-fineprint">{ "Each time it goes to whoever is in the audience then; someone who joins later gets the next one." }</p>
                }
            }
            if sequence {
                <label class="check-target">
                    <input type="checkbox" class="checkbox" id="exit-on-reply" checked={d.input.exit.on_reply}
                        onchange={act::<Event>(draft, |d| d.input.exit.on_reply = !d.input.exit.on_reply)} />
                    <span>{ "Stop for a contact who replies (everyone who unsubscribes always stops)" }</span>
                </label>
                <fieldset class="check-grid"><legend>{ "Stop for a contact who reaches" }</legend>
                    for stage in Stage::ALL.iter().copied() {
                        <label class="check-target">
                            <input type="checkbox" class="checkbox" id={format!("exit-stage-{}", stage.as_str())}
                                checked={d.input.exit.on_stages.contains(&stage)}
                                onchange={act::<Event>(draft, move |d| d.flip_exit_stage(stage))} />
                            <span>{ stage.label() }</span>
                        </label>
                    }
                </fieldset>
            }
        </div>
    }
}

/// The chosen trigger's own value: the tag, the stage, the source, the field or the days.
fn trigger_fields(d: &Draft, draft: &State) -> Html {
    use fieldstone_model::campaign::trigger::Trigger;
    let set = |apply: fn(&mut Trigger, String)| {
        change(draft, move |d, v| {
            if let Some(t) = d.input.trigger.as_mut() {
                apply(t, v);
            }
        })
    };
    match &d.input.trigger {
        Some(Trigger::TagAdded { tag }) => html! {
            <TextField id="trigger-tag" label="The tag" value={tag.clone()} error={err(d, "trigger.tag")}
                placeholder={Some(AttrValue::Static("hot lead"))}
                on_input={set(|t, v| if let Trigger::TagAdded { tag } = t { *tag = v })} />
        },
        Some(Trigger::StageReached { stage }) => html! {
            <SelectField id="trigger-stage" label="The stage" value={stage.as_str()} options={stage_options()}
                on_change={set(|t, v| if let (Trigger::StageReached { stage }, Ok(s)) = (t, v.parse()) { *stage = s })} />
        },
        Some(Trigger::NewLead { source }) => {
            let mut options = vec![(AttrValue::Static(""), AttrValue::Static("Any source"))];
            options.extend(choice_options::<fieldstone_model::LeadSource>());
            html! {
                <SelectField id="trigger-source" label="From" value={source.map_or("", |s| s.as_str())} options={options}
                    on_change={change(draft, |d, v| d.set_lead_source(&v))} />
            }
        }
        Some(Trigger::Birthday { field }) => html! {
            <TextField id="trigger-field" label="The custom date field with the birthday" value={field.clone()}
                error={err(d, "trigger.field")}
                hint={Some(AttrValue::Static("The greeting goes at 9:00 in the contact's zone."))}
                on_input={set(|t, v| if let Trigger::Birthday { field } = t { *field = v })} />
        },
        Some(Trigger::Silent { days }) => html! {
            <TextField id="trigger-days" label="Days without contact" input_type="number"
                input_mode={Some(AttrValue::Static("numeric"))} value={days.to_string()}
                error={err(d, "trigger.days")}
                on_input={set(|t, v| if let Trigger::Silent { days } = t { *days = v.trim().parse().unwrap_or(0) })} />
        },
        Some(Trigger::BookingCompleted) => html! {
            <p class="settings-fineprint">{ "It starts when you mark a showing or meeting with the contact as completed." }</p>
        },
        Some(Trigger::ListingMatch) => html! {
            <p class="settings-fineprint">{ "It starts for a buyer when a listing new or changed since launch fits what they asked for as well as Today's suggestions do (75% or better). {{property}} and {{property_price}} name that listing." }</p>
        },
        None => html! {
            <p class="settings-fineprint">{ "Everyone in the audience when you launch it goes through the steps." }</p>
        },
    }
}

fn review_step(review: Option<&Result<CampaignReview, String>>) -> Html {
    let Some(review) = review else {
        return html! { <p class="settings-muted" role="status">{ "Checking…" }</p> };
    };
    let r = match review {
        Ok(r) => r,
        Err(message) => {
            return html! { <p class="field__error" role="alert">{ message.clone() }</p> }
        }
    };
    let cost = [
        (r.cost.emails, "email", "emails"),
        (r.cost.sms, "text message", "text messages"),
        (r.cost.call_tasks, "call task", "call tasks"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, one, many)| crate::state::format::count(n, one, many))
    .collect::<Vec<_>>()
    .join(", ");
    html! {
        <div id="campaign-review" class="form">
            <dl class="review">
                <dt>{ "Audience" }</dt>
                <dd id="review-audience">{ format!("{} ({})", crate::state::format::count(r.audience.size, "contact", "contacts"), r.audience.summary) }</dd>
                <dt>{ "It sends" }</dt>
                <dd id="review-cost">{ if cost.is_empty() { "Nothing yet".to_owned() } else { cost } }</dd>
            </dl>
            if r.problems.is_empty() {
                <p id="review-ready" class="form-success" role="status"><span class="form-success__icon" aria-hidden="true"></span>{ "Ready to launch." }</p>
            } else {
                <ul id="review-problems" class="review__problems" role="alert">
                    for p in r.problems.iter() {
                        <li>{ format!("{}: {}", STEPS[Draft::step_of(&p.field)], p.message) }</li>
                    }
                </ul>
            }
        </div>
    }
}

fn launch_step(
    d: &Draft,
    review: Option<&Result<CampaignReview, String>>,
    save: &impl Fn(bool, bool) -> Callback<MouseEvent>,
    busy: bool,
) -> Html {
    let problems = match review {
        Some(Ok(r)) => r.problems.clone(),
        _ => Vec::new(),
    };
    let only_time = !problems.is_empty() && problems.iter().all(|p| p.field == "schedule.start");
    let _ = d;
    html! {
        <div class="form">
            { review_step(review) }
            <p class="settings-fineprint">{ "Once launched, the server sends each step at its time, from any device's change: pause, resume or stop it here or on your phone." }</p>
            <div class="settings-actions">
                <button id="campaign-keep" type="button" class="button button--secondary" disabled={busy} onclick={save(false, false)}>{ "Keep as draft" }</button>
                if only_time {
                    <button id="campaign-send-now" type="button" class="button button--primary" disabled={busy} onclick={save(true, true)}>{ "Send now instead" }</button>
                } else {
                    <button id="campaign-launch" type="button" class="button button--primary" disabled={busy || !problems.is_empty()} onclick={save(true, false)}>{ "Launch" }</button>
                }
            </div>
        </div>
    }
}
