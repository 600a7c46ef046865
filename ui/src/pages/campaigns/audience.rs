//! The wizard's audience step: every contact, or criteria (stages, tags, sources, a score
//! range), started from a smart list if the agent likes, or a pasted list matched against the
//! device's contacts; the size is counted as it is chosen.

use super::draft::Draft;
use super::wizard::{act, change, err, State};
use crate::components::field::TextField;
use crate::services::commands;
use fieldstone_model::{LeadSource, Stage};
use fieldstone_protocol::campaigns::{AudienceSize, PastedList};
use fieldstone_protocol::commands::SmartList;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct AudienceProps {
    pub draft: State,
    /// The audience's size now (`None`: being counted).
    pub size: Option<AudienceSize>,
}

/// A check box per choice, flipping its membership of a list in the draft.
fn checks<T: Copy + PartialEq + 'static>(
    draft: &State,
    all: &[T],
    chosen: &[T],
    id: impl Fn(T) -> String,
    label: impl Fn(T) -> &'static str,
    list: fn(&mut Draft) -> &mut Vec<T>,
) -> Html {
    all.iter()
        .copied()
        .map(|item| {
            let flip = act::<Event>(draft, move |d| {
                let items = list(d);
                match items.iter().position(|x| *x == item) {
                    Some(at) => {
                        items.remove(at);
                    }
                    None => items.push(item),
                }
            });
            html! {
                <label class="check-target">
                    <input type="checkbox" class="checkbox" id={id(item)} checked={chosen.contains(&item)} onchange={flip} />
                    <span>{ label(item) }</span>
                </label>
            }
        })
        .collect()
}

#[component]
pub fn AudienceStep(props: &AudienceProps) -> Html {
    let draft = props.draft.clone();
    let lists = use_state(Vec::<SmartList>::new);
    let dropped = use_state(Vec::<&'static str>::new);
    let pasted = use_state(String::new);
    let matched = use_state(|| None::<Result<PastedList, String>>);
    let matching = use_state(|| false);
    {
        let lists = lists.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                if let Ok(found) = commands::smart_lists().await {
                    lists.set(found);
                }
            });
        });
    }
    let d = (*draft).clone();
    let a = &d.input.audience;
    let counted = match &props.size {
        Some(s) => html! {
            <div id="audience-size" class="audience-size" role="status">
                <strong>{ crate::state::format::count(s.size, "contact", "contacts") }</strong>
                <span>{ format!(": {}", s.summary) }</span>
                if !s.sample.is_empty() {
                    <p class="settings-fineprint">{ format!("Including {}.", s.sample.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")) }</p>
                }
            </div>
        },
        None => html! { <p class="settings-muted" role="status">{ "Counting…" }</p> },
    };
    let choose_list = {
        let (draft, lists, dropped) = (draft.clone(), lists.clone(), dropped.clone());
        Callback::from(move |id: String| {
            let Some(list) = lists.iter().find(|l| l.id == id) else {
                return;
            };
            let mut next = (*draft).clone();
            next.errors.clear();
            dropped.set(next.apply_smart_list(&list.name, &list.query));
            draft.set(next);
        })
    };
    let run_match = {
        let (draft, pasted, matched, matching) = (
            draft.clone(),
            pasted.clone(),
            matched.clone(),
            matching.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (draft, text, matched, matching) = (
                draft.clone(),
                (*pasted).clone(),
                matched.clone(),
                matching.clone(),
            );
            matching.set(true);
            spawn_local(async move {
                let answer = commands::match_pasted_list(&text).await;
                matching.set(false);
                match answer {
                    Ok(list) => {
                        let mut next = (*draft).clone();
                        next.errors.clear();
                        next.input.audience.contacts = list.contacts.clone();
                        next.input.audience.everyone = false;
                        draft.set(next);
                        matched.set(Some(Ok(list)));
                    }
                    Err(e) => matched.set(Some(Err(e.message))),
                }
            });
        })
    };
    let clear_list = {
        let matched = matched.clone();
        let clear = act::<MouseEvent>(&draft, |d| d.input.audience.contacts.clear());
        Callback::from(move |e: MouseEvent| {
            matched.set(None);
            clear.emit(e);
        })
    };
    let list_options = std::iter::once(
        html! { <option value="" selected=true>{ "Choose a smart list…" }</option> },
    )
    .chain(
        lists
            .iter()
            .map(|l| html! { <option value={l.id.clone()}>{ l.name.clone() }</option> }),
    );
    let on_list = {
        let choose_list = choose_list.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                choose_list.emit(select.value());
            }
        })
    };
    let by_list = !a.contacts.is_empty();
    html! {
        <div class="form">
            { counted }
            if let Some(message) = d.error("audience") {
                <p class="field__error" role="alert">{ message }</p>
            }
            if by_list {
                <p id="audience-pasted-note" class="settings-fineprint">{ "The pasted list is the audience on its own; clear it to choose by criteria." }</p>
            } else {
                <label class="check-target">
                    <input type="checkbox" class="checkbox" id="audience-everyone" checked={a.everyone}
                        onchange={act::<Event>(&draft, |d| d.input.audience.everyone = !d.input.audience.everyone)} />
                    <span>{ "Everyone I can write to" }</span>
                </label>
                if !lists.is_empty() {
                    <div class="field">
                        <label class="field__label" for="audience-smart-list">{ "Start from a smart list" }</label>
                        <select id="audience-smart-list" class="field__control" onchange={on_list}>{ for list_options }</select>
                        if !dropped.is_empty() {
                            <p id="audience-dropped" class="field__hint">{ format!("A campaign cannot filter by {}: those filters were left out.", dropped.join(", ")) }</p>
                        }
                    </div>
                }
                <fieldset class="check-grid"><legend>{ "In any of these stages" }</legend>
                    { checks(&draft, &Stage::ALL, &a.stages, |s| format!("audience-stage-{}", s.as_str()), |s| s.label(), |d| &mut d.input.audience.stages) }
                </fieldset>
                <TextField id="audience-tags" label="With all of these tags" value={d.tags.clone()}
                    hint={Some(AttrValue::Static("Separate tags with commas."))}
                    error={err(&d, "audience.tags")}
                    on_input={change(&draft, |d, v| d.tags = v)}
                />
                <fieldset class="check-grid"><legend>{ "From any of these sources" }</legend>
                    { checks(&draft, &LeadSource::ALL, &a.sources, |s| format!("audience-source-{}", s.as_str()), |s| s.label(), |d| &mut d.input.audience.sources) }
                </fieldset>
                <div class="form-row">
                    <TextField id="audience-min-score" label="Score from" input_type="number" input_mode={Some(AttrValue::Static("numeric"))}
                        value={a.min_score.map(|s| s.to_string()).unwrap_or_default()}
                        error={err(&d, "audience.min_score")}
                        on_input={change(&draft, |d, v| d.input.audience.min_score = v.trim().parse().ok())}
                    />
                    <TextField id="audience-max-score" label="Score to" input_type="number" input_mode={Some(AttrValue::Static("numeric"))}
                        value={a.max_score.map(|s| s.to_string()).unwrap_or_default()}
                        error={err(&d, "audience.max_score")}
                        on_input={change(&draft, |d, v| d.input.audience.max_score = v.trim().parse().ok())}
                    />
                </div>
            }
            <fieldset class="pasted-list"><legend>{ "Or paste a list" }</legend>
                <TextField id="audience-paste" label="One person a line: an email, a phone number or a full name" multiline=true
                    value={(*pasted).clone()} error={err(&d, "audience.contacts")}
                    on_input={{ let pasted = pasted.clone(); Callback::from(move |v: String| pasted.set(v)) }}
                />
                <div class="settings-actions">
                    if by_list {
                        <button id="audience-paste-clear" type="button" class="button button--secondary" onclick={clear_list}>{ "Clear the list" }</button>
                    }
                    <button id="audience-paste-match" type="button" class="button button--secondary"
                        disabled={*matching || pasted.trim().is_empty()} onclick={run_match}>
                        { if *matching { "Matching…" } else { "Match the list" } }
                    </button>
                </div>
                { pasted_result(matched.as_ref()) }
            </fieldset>
        </div>
    }
}

/// What matching the pasted list found, and what it could not.
fn pasted_result(matched: Option<&Result<PastedList, String>>) -> Html {
    let Some(matched) = matched else {
        return Html::default();
    };
    let list = match matched {
        Ok(list) => list,
        Err(message) => {
            return html! { <p id="audience-paste-error" class="field__error" role="alert">{ message.clone() }</p> }
        }
    };
    let more = |shown: usize, all: u64| {
        let rest = all.saturating_sub(shown as u64);
        if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        }
    };
    html! {
        <div id="audience-paste-result" role="status">
            <p>{ format!("{} of {} matched.", crate::state::format::count(list.contacts.len() as u64, "contact", "contacts"), crate::state::format::count(list.lines, "line", "lines")) }</p>
            if !list.not_found.is_empty() {
                <p class="settings-fineprint">{ format!("Not found: {}{}.", list.not_found.join(", "), more(list.not_found.len(), list.not_found_count)) }</p>
            }
            if !list.ambiguous.is_empty() {
                <p class="settings-fineprint">{ format!("Several contacts have these names, so none was taken (paste their email instead): {}{}.", list.ambiguous.join(", "), more(list.ambiguous.len(), list.ambiguous_count)) }</p>
            }
        </div>
    }
}
