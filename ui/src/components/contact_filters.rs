//! The contact list's controls: the search box, filters (stage, kind, source, tags, owner, a
//! custom field) with per-stage counts, and the saved filters ("smart lists").

use super::custom_filter::CustomFilterControls;
use super::icons::{icon, Icon};
use crate::state::contacts::{ContactsAction, ContactsState, OwnerFilter};
use fieldstone_model::{Choice, ContactKind, LeadSource, Stage};
use fieldstone_protocol::commands::SmartList;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, PartialEq, Properties)]
pub struct ContactFiltersProps {
    pub state: std::rc::Rc<ContactsState>,
    pub dispatch: Callback<ContactsAction>,
}

fn select_value(event: &Event) -> String {
    event.target_unchecked_into::<HtmlSelectElement>().value()
}

fn find<T: Choice>(value: &str) -> Option<T> {
    T::all().iter().copied().find(|c| c.as_str() == value)
}

#[component]
pub fn ContactFilters(props: &ContactFiltersProps) -> Html {
    let state = &props.state;
    let dispatch = &props.dispatch;
    let stage_count = |stage: Stage| {
        state.counts.as_ref().and_then(|counts| {
            counts
                .by_stage
                .iter()
                .find(|c| c.stage == stage)
                .map(|c| c.count)
        })
    };
    let on_kind = dispatch.reform(|event: Event| ContactsAction::Kind(find(&select_value(&event))));
    let on_source =
        dispatch.reform(|event: Event| ContactsAction::Source(find(&select_value(&event))));
    let on_owner = dispatch.reform(|event: Event| {
        ContactsAction::Owner(if select_value(&event) == "me" {
            OwnerFilter::Me
        } else {
            OwnerFilter::Anyone
        })
    });
    let on_tags = dispatch.reform(|event: InputEvent| {
        ContactsAction::Tags(event.target_unchecked_into::<HtmlInputElement>().value())
    });
    let clear = dispatch.reform(|_: MouseEvent| ContactsAction::ClearFilters);
    html! {
        <div id="contact-filters" class={classes!("filters", state.filters_open.then_some("filters--open"))}>
            <div class="filters__stages" role="group" aria-label="Stages">
                for stage in Stage::ALL {
                    <button
                        type="button"
                        id={format!("filter-stage-{}", stage.as_str())}
                        class={classes!("chip", "chip--stage", format!("chip--{}", stage.as_str()), state.stages.contains(&stage).then_some("chip--on"))}
                        aria-pressed={state.stages.contains(&stage).to_string()}
                        onclick={dispatch.reform(move |_: MouseEvent| ContactsAction::ToggleStage(stage))}
                    >
                        { stage.label() }
                        if let Some(count) = stage_count(stage) {
                            <span class="chip__count">{ count }</span>
                        }
                    </button>
                }
            </div>
            <div class="filters__row">
                <label class="filter">
                    <span class="filter__label">{ "Looking to" }</span>
                    <select id="filter-kind" class="mini-select" onchange={on_kind}>
                        <option value="" selected={state.kind.is_none()}>{ "Any" }</option>
                        for kind in ContactKind::ALL {
                            <option value={kind.as_str()} selected={state.kind == Some(kind)}>{ kind.label() }</option>
                        }
                    </select>
                </label>
                <label class="filter">
                    <span class="filter__label">{ "Source" }</span>
                    <select id="filter-source" class="mini-select" onchange={on_source}>
                        <option value="" selected={state.source.is_none()}>{ "Any" }</option>
                        for source in LeadSource::ALL {
                            <option value={source.as_str()} selected={state.source == Some(source)}>{ source.label() }</option>
                        }
                    </select>
                </label>
                <label class="filter">
                    <span class="filter__label">{ "Owner" }</span>
                    <select id="filter-owner" class="mini-select" onchange={on_owner}>
                        <option value="anyone" selected={state.owner == OwnerFilter::Anyone}>{ "Anyone" }</option>
                        <option value="me" selected={state.owner == OwnerFilter::Me} disabled={state.me.is_none()}>{ "Mine" }</option>
                    </select>
                </label>
                <label class="filter filter--tags">
                    <span class="filter__label">{ "Tags" }</span>
                    <input
                        id="filter-tags"
                        class="mini-input"
                        placeholder="vip, garden"
                        value={state.tags.clone()}
                        oninput={on_tags}
                    />
                </label>
                <CustomFilterControls state={props.state.clone()} dispatch={props.dispatch.clone()} />
                if state.has_filters() {
                    <button id="clear-filters" type="button" class="button button--link" onclick={clear}>
                        { "Clear filters" }
                    </button>
                }
            </div>
        </div>
    }
}

#[derive(Clone, PartialEq, Properties)]
pub struct SmartListsProps {
    pub lists: Vec<SmartList>,
    pub active: Option<String>,
    /// Whether the current filters could be saved (something is filtered).
    pub can_save: bool,
    pub on_apply: Callback<String>,
    pub on_save: Callback<String>,
    pub on_delete: Callback<String>,
    /// Back to every contact.
    pub on_all: Callback<()>,
    /// Why the last save or delete was refused (the engine's message).
    #[prop_or_default]
    pub error: Option<AttrValue>,
}

#[component]
pub fn SmartLists(props: &SmartListsProps) -> Html {
    let naming = use_state(|| None::<String>);
    let start = {
        let naming = naming.clone();
        Callback::from(move |_: MouseEvent| naming.set(Some(String::new())))
    };
    let on_name = {
        let naming = naming.clone();
        Callback::from(move |event: InputEvent| {
            naming.set(Some(
                event.target_unchecked_into::<HtmlInputElement>().value(),
            ));
        })
    };
    let save = {
        let naming = naming.clone();
        let on_save = props.on_save.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(name) = (*naming).clone().filter(|n| !n.trim().is_empty()) {
                on_save.emit(name.trim().to_owned());
                naming.set(None);
            }
        })
    };
    let cancel = {
        let naming = naming.clone();
        Callback::from(move |_: MouseEvent| naming.set(None))
    };
    let all = props.on_all.reform(|_: MouseEvent| ());
    html! {
        <div id="smart-lists" class="smart-lists" aria-label="Smart lists">
            <button
                type="button"
                class={classes!("chip", "chip--list", props.active.is_none().then_some("chip--on"))}
                onclick={all}
            >
                { "All contacts" }
            </button>
            for list in props.lists.iter() {
                <span class={classes!("chip", "chip--list", (props.active.as_deref() == Some(list.id.as_str())).then_some("chip--on"))} data-list-id={list.id.clone()}>
                    <button
                        type="button"
                        class="chip__button"
                        onclick={{ let id = list.id.clone(); props.on_apply.reform(move |_: MouseEvent| id.clone()) }}
                    >
                        { &list.name }
                    </button>
                    if props.active.as_deref() == Some(list.id.as_str()) {
                        <button
                            type="button"
                            class="chip__remove"
                            aria-label={format!("Delete the smart list {}", list.name)}
                            onclick={{ let id = list.id.clone(); props.on_delete.reform(move |_: MouseEvent| id.clone()) }}
                        >
                            { icon(Icon::Close) }
                        </button>
                    }
                </span>
            }
            if let Some(name) = (*naming).clone() {
                <form class="smart-lists__save" onsubmit={save}>
                    <input
                        id="smart-list-name"
                        class="mini-input"
                        placeholder="Name this list"
                        aria-label="Smart list name"
                        value={name}
                        oninput={on_name}
                        autofocus=true
                    />
                    <button id="smart-list-save" type="submit" class="button button--small button--primary">{ "Save" }</button>
                    <button type="button" class="button button--small button--ghost" onclick={cancel}>{ "Cancel" }</button>
                </form>
            } else if props.can_save && props.active.is_none() {
                <button id="smart-list-new" type="button" class="button button--link" onclick={start}>
                    { icon(Icon::Plus) }
                    { "Save as smart list" }
                </button>
            }
            if let Some(error) = &props.error {
                <p id="smart-list-error" class="field__error" role="alert">{ error.clone() }</p>
            }
        </div>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use yew::ServerRenderer;

    #[tokio::test]
    async fn a_refused_save_shows_the_engines_message() {
        let html = ServerRenderer::<SmartLists>::with_props(|| SmartListsProps {
            lists: Vec::new(),
            active: None,
            can_save: true,
            on_apply: Callback::noop(),
            on_save: Callback::noop(),
            on_delete: Callback::noop(),
            on_all: Callback::noop(),
            error: Some("A smart list with that name already exists.".into()),
        })
        .hydratable(false)
        .render()
        .await;
        assert!(
            html.contains(r#"<p id="smart-list-error" role="alert" class="field__error">A smart list with that name already exists.</p>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"id="smart-list-new""#),
            "saving again stays possible"
        );
    }
}
