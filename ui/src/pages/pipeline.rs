//! Pipeline: a kanban board, one column per stage with its count. Cards move between columns
//! by mouse (the webview's HTML5 drag-and-drop) or by finger (pointer events on the card's
//! grip, which does not scroll). The rules live in [`PipelineState`].

use crate::components::contact_actions::summary_actions;
use crate::components::icons::{icon, Icon};
use crate::components::states::{ListError, ListLoading};
use crate::hooks::{dispatch_outcome, use_command, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::commands;
use crate::state::format::{compact_money, days_since, relative, thousands};
use crate::state::pipeline::{PipelineAction, PipelineState, FOLDED_BY_DEFAULT, PER_STAGE};
use crate::state::{ListView, ShellAction};
use chrono::{DateTime, Utc};
use fieldstone_model::{ContactId, Stage};
use fieldstone_protocol::commands::{PipelineColumn, PipelineRequest};
use fieldstone_protocol::views::{ContactQuery, ContactSummary};
use wasm_support::stage_under;
use yew::prelude::*;

#[component]
pub fn PipelinePage() -> Html {
    let shell = use_shell();
    let state = use_reducer(PipelineState::default);

    use_command(
        &state,
        state.request,
        |_| {
            let ask = PipelineRequest {
                filter: ContactQuery::default(),
                per_stage: PER_STAGE,
            };
            Some(async move { commands::pipeline(&ask).await })
        },
        |request, answer| match answer {
            Ok(pipeline) => PipelineAction::Loaded { request, pipeline },
            Err(error) => PipelineAction::Failed {
                request,
                message: error.message,
            },
        },
    );
    {
        let state = state.clone();
        use_effect_with(state.loading_more, move |more| {
            if let Some((_, stage)) = *more {
                let after = state.column(stage).and_then(|c| c.next.clone());
                let request = state.request;
                let query = ContactQuery {
                    stages: vec![stage],
                    limit: PER_STAGE,
                    after,
                    ..ContactQuery::default()
                };
                let ask = async move { commands::list_contacts(&query).await };
                dispatch_outcome(state.dispatcher(), ask, move |page| {
                    PipelineAction::MoreLoaded {
                        request,
                        stage,
                        page: page.map_err(|e| e.message),
                    }
                });
            }
        });
    }
    use_command(
        &state,
        state.moving,
        |moving| {
            let (_, request) = (*moving)?;
            Some(async move { commands::move_stage(&request).await })
        },
        |_, result| PipelineAction::Moved(result.map(|_| ()).map_err(|e| e.message)),
    );
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(PipelineAction::Reload));
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let body = match &state.view {
        ListView::Loading => {
            html! { <div class="card"><ListLoading id="pipeline-loading" label="Loading the pipeline…" /></div> }
        }
        ListView::Failed(message) => html! {
            <div class="card">
                <ListError id="pipeline-error" title="Couldn't load the pipeline." message={message.clone()} on_retry={dispatch.reform(|()| PipelineAction::Reload)} />
            </div>
        },
        ListView::Loaded => {
            let shown = state.shown_tab();
            html! {
                <>
                    <div id="kanban-tabs" class="kanban-tabs" role="tablist" aria-label="Stages">
                        for column in state.columns.iter() {
                            <button
                                type="button"
                                role="tab"
                                id={format!("stage-tab-{}", column.stage.as_str())}
                                aria-selected={(column.stage == shown).to_string()}
                                class={classes!("kanban-tabs__tab", (column.stage == shown).then_some("kanban-tabs__tab--on"))}
                                onclick={{ let stage = column.stage; dispatch.reform(move |_: MouseEvent| PipelineAction::Tab(stage)) }}
                            >
                                { column.stage.label() }
                                <span class="count">{ thousands(column.count) }</span>
                            </button>
                        }
                    </div>
                    <div id="kanban" class={classes!("kanban", state.drag.is_some().then_some("kanban--dragging"))}>
                        for column in state.columns.iter() {
                            { column_view(&state, column, &dispatch, shell.clock.now, column.stage == shown) }
                        }
                    </div>
                </>
            }
        }
    };
    let new_contact = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.dispatch(ShellAction::NewContact))
    };
    let total: u64 = state.columns.iter().map(|c| c.count).sum();
    html! {
        <div class="page page--pipeline">
            <div class="toolbar">
                <p class="toolbar__summary">
                    { format!("{} in the pipeline · drag a card, or use Move to…", thousands(total)) }
                </p>
                <button type="button" class="button button--primary" onclick={new_contact}>
                    { icon(Icon::Plus) }{ "New contact" }
                </button>
            </div>
            if let Some(message) = &state.message {
                <div id="pipeline-message" class="banner banner--error" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ message }</p>
                    <button type="button" class="icon-button" aria-label="Dismiss" onclick={dispatch.reform(|_: MouseEvent| PipelineAction::DismissMessage)}>
                        { icon(Icon::Close) }
                    </button>
                </div>
            }
            { body }
        </div>
    }
}

fn column_view(
    state: &PipelineState,
    column: &PipelineColumn,
    dispatch: &Callback<PipelineAction>,
    now: DateTime<Utc>,
    tab: bool,
) -> Html {
    let stage = column.stage;
    // A folded column opens while a card is dragged over it, so it can be dropped on.
    let folded = state.folded(stage) && state.drag.is_none_or(|d| d.over != Some(stage));
    let foldable = FOLDED_BY_DEFAULT.contains(&stage);
    let over = state
        .drag
        .is_some_and(|d| d.over == Some(stage) && d.from != stage);
    let ondragover = dispatch.reform(move |event: DragEvent| {
        // Allowing the drop is what makes this a drop target.
        event.prevent_default();
        if let Some(data) = event.data_transfer() {
            data.set_drop_effect("move");
        }
        PipelineAction::DragOver(Some(stage))
    });
    let ondragenter = dispatch.reform(move |event: DragEvent| {
        event.prevent_default();
        PipelineAction::DragOver(Some(stage))
    });
    let ondrop = dispatch.reform(move |event: DragEvent| {
        event.prevent_default();
        PipelineAction::Drop(stage)
    });
    let loading_more = state.loading_more.map(|(_, s)| s) == Some(stage);
    html! {
        <section
            key={stage.as_str()}
            id={format!("column-{}", stage.as_str())}
            class={classes!(
                "kanban__column",
                format!("kanban__column--{}", stage.as_str()),
                over.then_some("kanban__column--over"),
                folded.then_some("kanban__column--folded"),
                tab.then_some("kanban__column--tab"),
            )}
            data-drop-stage={stage.as_str()}
            aria-label={stage.label()}
            {ondragover}
            {ondragenter}
            {ondrop}
        >
            <header class="kanban__head">
                <span class={classes!("stage-dot", format!("stage-dot--{}", stage.as_str()))} aria-hidden="true"></span>
                <h2 class="kanban__title">{ stage.label() }</h2>
                <span id={format!("column-count-{}", stage.as_str())} class="count">{ thousands(column.count) }</span>
                if foldable {
                    <button
                        type="button"
                        class="icon-button kanban__fold"
                        id={format!("column-fold-{}", stage.as_str())}
                        aria-expanded={(!folded).to_string()}
                        aria-label={format!("{} {}", if folded { "Open" } else { "Fold" }, stage.label())}
                        title={format!("{} {}", if folded { "Open" } else { "Fold" }, stage.label())}
                        onclick={dispatch.reform(move |_: MouseEvent| PipelineAction::ToggleColumn(stage))}
                    >
                        { icon(if folded { Icon::ChevronRight } else { Icon::ChevronLeft }) }
                    </button>
                }
            </header>
            <p id={format!("column-value-{}", stage.as_str())} class="kanban__value" title="The budgets of everyone at this stage, added up">
                { if column.budget == 0 { "No budgets yet".to_owned() } else { format!("{} in budgets", compact_money(column.budget)) } }
            </p>
            <ul class="kanban__cards">
                for card in column.contacts.iter() {
                    { card_view(state, card, dispatch, now) }
                }
            </ul>
            if column.contacts.is_empty() {
                <p class="kanban__empty">{ if over { "Drop here" } else { "No one at this stage" } }</p>
            }
            if column.next.is_some() {
                <button
                    type="button"
                    class="button button--link kanban__more"
                    disabled={loading_more}
                    onclick={dispatch.reform(move |_: MouseEvent| PipelineAction::More(stage))}
                >
                    { if loading_more { "Loading…" } else { "Show more" } }
                </button>
            }
        </section>
    }
}

fn card_view(
    state: &PipelineState,
    card: &ContactSummary,
    dispatch: &Callback<PipelineAction>,
    now: DateTime<Utc>,
) -> Html {
    let id = card.id;
    let dragging = state.drag.is_some_and(|d| d.id == id);
    let ondragstart = dispatch.reform(move |event: DragEvent| {
        if let Some(data) = event.data_transfer() {
            // Some engines start a drag only with data set.
            let _ = data.set_data("text/plain", &id.to_string());
            data.set_effect_allowed("move");
        }
        PipelineAction::DragStart(id)
    });
    let ondragend = dispatch.reform(|_: DragEvent| PipelineAction::DragEnd);
    html! {
        <li
            key={id.to_string()}
            class={classes!("kanban-card", dragging.then_some("kanban-card--dragging"))}
            data-contact-id={id.to_string()}
            draggable="true"
            {ondragstart}
            {ondragend}
        >
            { grip(id, dispatch) }
            <a class="kanban-card__link" href={Route::Contact(id).to_hash()} draggable="false">
                <span class="kanban-card__main">
                    <span class="kanban-card__name">{ &card.display_name }</span>
                    <span class="kanban-card__meta">
                        { card.kind.label() }{ " · " }
                        { card.stage_since.map_or_else(|| format!("updated {}", relative(Some(card.updated_at), now)), |since| stage_age(since, now)) }
                        if let Some(budget) = card.budget {
                            { format!(" · {}", compact_money(budget)) }
                        }
                    </span>
                    <span class="kanban-card__next">
                        { card.next_step.as_ref().map_or_else(|| "No next step".to_owned(), |step| format!("Next: {step}")) }
                    </span>
                </span>
                <span class={classes!("score", crate::components::contact_list::score_class(card.score))} title={crate::components::contact_head::score_line(card.score)}>{ card.score }</span>
            </a>
            { summary_actions(card, "kanban-card__actions") }
            <label class="select kanban-card__move">
                <span class="visually-hidden">{ format!("Move {} to", card.display_name) }</span>
                <select
                    class="field__control select__control kanban-card__move-select"
                    data-move={id.to_string()}
                    disabled={state.moving.is_some()}
                    onchange={dispatch.reform(move |event: Event| {
                        let value = event.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                        match value.parse::<Stage>() {
                            Ok(stage) => PipelineAction::MoveTo(id, stage),
                            Err(_) => PipelineAction::DismissMessage,
                        }
                    })}
                >
                    <option value="" selected=true disabled=true>{ "Move to…" }</option>
                    for stage in Stage::ALL.iter().copied().filter(|s| *s != card.stage) {
                        <option value={stage.as_str()}>{ stage.label() }</option>
                    }
                </select>
            </label>
        </li>
    }
}

/// The handle a finger drags the card by (touch and pen; the mouse uses HTML5 drag events).
fn grip(id: ContactId, dispatch: &Callback<PipelineAction>) -> Html {
    let onpointerdown = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: PointerEvent| {
            if event.pointer_type() == "mouse" {
                return;
            }
            event.prevent_default();
            if let Some(target) = event.target_dyn_into::<web_sys::Element>() {
                // Capture keeps the moves coming here while the finger leaves the grip.
                let _ = target.set_pointer_capture(event.pointer_id());
            }
            dispatch.emit(PipelineAction::DragStart(id));
        })
    };
    let onpointermove = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: PointerEvent| {
            if event.pointer_type() != "mouse" {
                dispatch.emit(PipelineAction::DragOver(stage_under(&event)));
            }
        })
    };
    let onpointerup = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: PointerEvent| {
            if event.pointer_type() == "mouse" {
                return;
            }
            dispatch.emit(match stage_under(&event) {
                Some(stage) => PipelineAction::Drop(stage),
                None => PipelineAction::DragEnd,
            });
        })
    };
    let onpointercancel = dispatch.reform(|_: PointerEvent| PipelineAction::DragEnd);
    html! {
        <span
            class="kanban-card__grip"
            title="Drag to another stage"
            aria-hidden="true"
            {onpointerdown}
            {onpointermove}
            {onpointerup}
            {onpointercancel}
        >
            { icon(Icon::Grip) }
        </span>
    }
}

mod wasm_support {
    use fieldstone_model::Stage;
    use yew::prelude::*;

    /// The column under a pointer, by its `data-drop-stage`.
    pub fn stage_under(event: &PointerEvent) -> Option<Stage> {
        let document = web_sys::window()?.document()?;
        // Pixel coordinates are far inside f32's exact range.
        let (x, y) = (event.client_x() as f32, event.client_y() as f32);
        let element = document.element_from_point(x, y)?;
        let column = element.closest("[data-drop-stage]").ok()??;
        column.get_attribute("data-drop-stage")?.parse().ok()
    }
}

/// "12 days in stage", or "moved here today".
fn stage_age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match days_since(since, now).as_str() {
        "today" => "moved here today".to_owned(),
        days => format!("{days} in stage"),
    }
}
