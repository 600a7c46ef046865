//! Duplicates, from the contact list's toolbar: a button with the count of groups (shown once
//! the engine has found any; it looks in the background), a wide dialog listing the groups,
//! two contacts side by side ([`compare`]) with the one to keep chosen, the merge, and its undo
//! (in the dialog, and on the list once the dialog is closed). The rules live in
//! [`DuplicatesState`]; this runs the commands it asks for.

mod compare;

use crate::components::dialog::Dialog;
use crate::components::icons::{icon, Icon};
use crate::components::states::{EmptyState, ListError, ListLoading};
use crate::hooks::{dispatch_outcome, use_remote_revision, use_shell};
use crate::services::platform::Clock;
use crate::services::{commands, platform};
use crate::state::duplicates::{
    group_title, DuplicatesAction, DuplicatesState, MergeOffer, Step, UndoState, GROUPS_SHOWN,
    RESULT_ENTRIES,
};
use crate::state::format::{count, Local};
use crate::state::ListView;
use compare::comparison;
use fieldstone_protocol::commands::TimelineRequest;
use fieldstone_protocol::views::TimelineEntry;
use std::cell::Cell;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DuplicatesProps {
    /// Contacts changed (a merge, an undo): the list reloads.
    pub on_changed: Callback<()>,
}

#[component]
pub fn Duplicates(props: &DuplicatesProps) -> Html {
    let shell = use_shell();
    let state = use_reducer(DuplicatesState::default);
    use_commands(&state);
    {
        let on_changed = props.on_changed.clone();
        use_effect_with(state.changed, move |&changed| {
            if changed > 0 {
                on_changed.emit(());
            }
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_remote_revision(move || dispatcher.dispatch(DuplicatesAction::Reload));
    }
    // Escape closes (the reducer keeps it open while a merge or undo runs).
    {
        let open = use_memo((), |()| Cell::new(false));
        open.set(state.open);
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let listener = platform::on_key_down(move |press| {
                let close = press.key == "Escape" && !press.with_modifier && open.get();
                if close {
                    dispatcher.dispatch(DuplicatesAction::Close);
                }
                close
            });
            move || drop(listener)
        });
    }
    // Focus follows the step: the first group, the merge button once both contacts show, the
    // undo after a merge.
    {
        let loaded = state.consequence().is_some();
        let first_group = !state.groups.is_empty();
        use_effect_with(
            (state.open, state.step, loaded, first_group),
            |&(open, step, loaded, first_group)| match (open, step) {
                (true, Step::Groups) if first_group => platform::focus("duplicate-group-0"),
                (true, Step::Compare) if loaded => platform::focus("duplicates-merge"),
                (true, Step::Merged) => platform::focus("duplicates-undo"),
                _ => {}
            },
        );
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let open = dispatch.reform(|_: MouseEvent| DuplicatesAction::Open);
    html! {
        <>
            if let Some(label) = state.button_label() {
                <button id="duplicates-button" type="button" class="button button--secondary toolbar__duplicates" aria-haspopup="dialog" onclick={open}>
                    { label }
                </button>
            }
            if state.open {
                <Dialog id="duplicates" title="Duplicates" wide=true on_close={dispatch.reform(|()| DuplicatesAction::Close)}>
                    { body(&state, &dispatch, shell.clock) }
                </Dialog>
            } else if let Some(offer) = &state.offer {
                <div id="merge-toast" class={classes!("toast", "toast--undo", "toast--merge", matches!(offer.undo, UndoState::Failed(_)).then_some("toast--error"))} role="status">
                    <span class="toast__text">{ offer_text(offer) }</span>
                    <button id="merge-undo" type="button" class="button button--small button--secondary" disabled={offer.undo == UndoState::Running} onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::Undo)}>
                        { "Undo" }
                    </button>
                    <button type="button" class="icon-button" aria-label="Dismiss" onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::DismissOffer)}>{ icon(Icon::Close) }</button>
                </div>
            } else if let Some(notice) = &state.notice {
                <div id="merge-toast" class="toast toast--undo toast--merge" role="status">
                    <span class="toast__text">{ notice }</span>
                    <button type="button" class="icon-button" aria-label="Dismiss" onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::DismissOffer)}>{ icon(Icon::Close) }</button>
                </div>
            }
        </>
    }
}

/// Runs what the reducer asks for: the groups, a pair's comparison, the merge, the survivor's
/// newest entries, the undo. Each answer carries the request it answers.
#[hook]
fn use_commands(state: &UseReducerHandle<DuplicatesState>) {
    {
        let to = state.dispatcher();
        use_effect_with(state.groups_request, move |&request| {
            // One more than shown, to know there are more.
            let ask = commands::duplicate_groups(&(GROUPS_SHOWN + 1));
            dispatch_outcome(to, ask, move |groups| DuplicatesAction::GroupsLoaded {
                request,
                groups: groups.map_err(|e| e.message),
            });
        });
    }
    {
        let (to, pair) = (state.dispatcher(), state.preview_request());
        use_effect_with(state.preview_request, move |&request| {
            if let Some(pair) = pair {
                let ask = async move { commands::merge_preview(&pair).await.map(Box::new) };
                dispatch_outcome(to, ask, move |preview| DuplicatesAction::PreviewLoaded {
                    request,
                    preview,
                });
            }
        });
    }
    {
        let (to, merge) = (state.dispatcher(), state.merging);
        use_effect_with(state.merge_seq, move |_| {
            if let Some(merge) = merge {
                let ask = async move { commands::merge_contacts(&merge).await };
                dispatch_outcome(to, ask, DuplicatesAction::Merged);
            }
        });
    }
    {
        let to = state.dispatcher();
        let survivor = state.offer.as_ref().map(|o| o.receipt.survivor);
        use_effect_with(state.result_request, move |&request| {
            if let (Some(contact), true) = (survivor, request > 0) {
                let ask = async move {
                    commands::timeline(&TimelineRequest {
                        contact,
                        limit: RESULT_ENTRIES,
                        after: None,
                    })
                    .await
                };
                dispatch_outcome(to, ask, move |page| DuplicatesAction::ResultTimeline {
                    request,
                    entries: page.map(|p| p.entries).map_err(|e| e.message),
                });
            }
        });
    }
    {
        let to = state.dispatcher();
        let undo = state.offer.as_ref().map(|o| o.receipt.merge_id.clone());
        use_effect_with(state.undo_seq, move |_| {
            if let Some(merge_id) = undo {
                let ask = async move { commands::undo_merge(&merge_id).await };
                dispatch_outcome(to, ask, DuplicatesAction::Undone);
            }
        });
    }
}

fn offer_text(offer: &MergeOffer) -> String {
    match &offer.undo {
        UndoState::Failed(message) => format!("Couldn't undo the merge: {message}"),
        UndoState::Offered | UndoState::Running => offer.sentence(),
    }
}

fn body(state: &DuplicatesState, dispatch: &Callback<DuplicatesAction>, clock: Clock) -> Html {
    let offer = state.offer.as_ref().map(|offer| {
        html! {
            <div id="duplicates-undo-banner" class={classes!("banner", "dupes-banner", matches!(offer.undo, UndoState::Failed(_)).then_some("banner--error"))} role="status">
                <p class="banner__text">{ offer_text(offer) }</p>
                <button id="duplicates-undo" type="button" class="button button--secondary" disabled={offer.undo == UndoState::Running} onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::Undo)}>
                    { if offer.undo == UndoState::Running { "Undoing…" } else { "Undo" } }
                </button>
            </div>
        }
    });
    match state.step {
        Step::Groups => html! {
            <>
                { offer.unwrap_or_default() }
                if let Some(notice) = &state.notice {
                    <p id="duplicates-notice" class="banner dupes-banner" role="status">{ notice }</p>
                }
                { groups(state, dispatch) }
            </>
        },
        Step::Compare => comparison(
            state,
            dispatch,
            Local {
                offset_minutes: clock.offset_minutes,
            },
            clock.now,
        ),
        Step::Merged => html! {
            <>
                { offer.unwrap_or_default() }
                { merged(state, dispatch) }
            </>
        },
    }
}

fn groups(state: &DuplicatesState, dispatch: &Callback<DuplicatesAction>) -> Html {
    match &state.groups_view {
        ListView::Loading => html! {
            <ListLoading id="duplicates-loading" label="Looking for duplicates…" rows={2} />
        },
        ListView::Failed(message) => html! {
            <ListError id="duplicates-error" title="Couldn't look for duplicates." message={message.clone()} on_retry={dispatch.reform(|()| DuplicatesAction::Reload)} />
        },
        ListView::Loaded if state.groups.is_empty() => html! {
            <EmptyState id="duplicates-none" title="No duplicates found.">
                <p class="list-state__text">{ "Contacts that share an email, a phone number or a full name show here, to be merged." }</p>
            </EmptyState>
        },
        ListView::Loaded => html! {
            <>
                <p class="dupes-intro">
                    { format!("{} that may be the same person. Open one to compare and merge, a pair at a time.",
                        count(state.groups.len() as u64, "group of contacts", "groups of contacts")) }
                </p>
                if let Some(message) = &state.groups_error {
                    <p id="duplicates-stale" class="banner banner--error" role="alert">{ format!("Couldn't look again: {message}") }</p>
                }
                <ul id="duplicate-groups" class="dupes-groups">
                    { for state.groups.iter().enumerate().map(|(index, group)| {
                        let names: Vec<&str> = group.contacts.iter().map(|c| c.display_name.as_str()).collect();
                        html! {
                            <li key={format!("{}:{}", group.key_kind, group.key_value)}>
                                <button id={format!("duplicate-group-{index}")} type="button" class="dupes-group" data-kind={group.key_kind.clone()} onclick={dispatch.reform(move |_: MouseEvent| DuplicatesAction::Choose(index))}>
                                    <span class="dupes-group__text">
                                        <span class="dupes-group__title">{ group_title(group) }</span>
                                        <span class="dupes-group__names">
                                            { format!("{}: {}", count(names.len() as u64, "contact", "contacts"), names.join(", ")) }
                                        </span>
                                    </span>
                                    { icon(Icon::ChevronRight) }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
                if state.more_groups {
                    <p class="dupes-intro">{ format!("The first {GROUPS_SHOWN} are shown; merge these to see the rest.") }</p>
                }
            </>
        },
    }
}

/// After a merge: the survivor's newest entries (what moved is among them).
fn merged(state: &DuplicatesState, dispatch: &Callback<DuplicatesAction>) -> Html {
    let name = state
        .offer
        .as_ref()
        .map_or_else(String::new, |o| o.survivor_name.clone());
    let entries = match &state.result_entries {
        None => {
            html! { <ListLoading id="duplicates-result-loading" label="Loading the timeline…" rows={2} /> }
        }
        Some(Err(message)) => html! {
            <p class="banner banner--error" role="alert">{ format!("Couldn't load the timeline: {message}") }</p>
        },
        Some(Ok(entries)) if entries.is_empty() => html! {
            <p class="dupes-intro">{ "Nothing on the timeline yet." }</p>
        },
        Some(Ok(entries)) => html! {
            <ul id="duplicates-result-timeline" class="dupes-timeline">
                { for entries.iter().map(|entry| {
                    let (kind, text) = entry_line(entry);
                    html! {
                        <li key={entry.id()} class="dupes-timeline__entry">
                            <span class="dupes-timeline__kind">{ kind }</span>
                            <span class="dupes-timeline__text">{ text }</span>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section class="dupes-result" aria-labelledby="duplicates-result-title">
            <h3 id="duplicates-result-title" class="dupes-result__title">{ format!("{name}'s timeline now") }</h3>
            { entries }
            <div class="form__actions dupes-actions">
                <button id="duplicates-back" type="button" class="button button--secondary" onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::Back)}>
                    { "Back to duplicates" }
                </button>
                <button id="duplicates-done" type="button" class="button button--primary" onclick={dispatch.reform(|_: MouseEvent| DuplicatesAction::Close)}>
                    { "Done" }
                </button>
            </div>
        </section>
    }
}

/// One timeline entry as a kind and a line.
fn entry_line(entry: &TimelineEntry) -> (&'static str, String) {
    match entry {
        TimelineEntry::Note(note) => ("Note", note.preview.clone()),
        TimelineEntry::Interaction(call) => (call.channel.label(), call.summary.clone()),
        TimelineEntry::Booking(booking) => (
            booking.kind.label(),
            booking.title.clone().unwrap_or_default(),
        ),
        TimelineEntry::Task(task) => ("Task", task.title.clone()),
    }
}
