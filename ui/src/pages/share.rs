//! Share, in the contact's header: a button (only when the app syncs with a server: sharing is
//! the server's business) opening a sheet that asks the server who the contact can go to and
//! who has it now. Search and pick a teammate or "Everyone in <team>", Share, and Remove for
//! anyone but the owner. The rules live in [`ShareState`]; this runs the commands it asks for.

use crate::components::dialog::Dialog;
use crate::components::icons::{icon, Icon};
use crate::components::states::{EmptyState, ListError, ListLoading};
use crate::hooks::{dispatch_outcome, use_remote_revision, use_shell};
use crate::services::{commands, platform};
use crate::state::share::{Change, Choice, ShareAction, ShareState};
use crate::state::ListView;
use fieldstone_model::ContactId;
use fieldstone_protocol::commands::{CurrentShare, ShareContact, SyncState, UnshareContact};
use std::cell::Cell;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ShareContactProps {
    pub contact: ContactId,
    /// The contact's name, for the sheet's title.
    pub name: AttrValue,
}

#[component]
pub fn ShareContactButton(props: &ShareContactProps) -> Html {
    let shell = use_shell();
    let contact = props.contact;
    let state = use_reducer(move || ShareState::new(contact));
    use_commands(&state);
    {
        let dispatcher = state.dispatcher();
        use_remote_revision(move || dispatcher.dispatch(ShareAction::Reload));
    }
    // Escape closes the sheet, also from the search field.
    {
        let open = use_memo((), |()| Cell::new(false));
        open.set(state.open);
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let listener = platform::on_key_down(move |press| {
                let close = press.key == "Escape" && !press.with_modifier && open.get();
                if close {
                    dispatcher.dispatch(ShareAction::Close);
                }
                close
            });
            move || drop(listener)
        });
    }
    // The search field takes the focus once there is someone to search for.
    {
        let searchable = state.open && state.view == ListView::Loaded && !state.no_teammates();
        use_effect_with(searchable, |&searchable| {
            if searchable {
                platform::focus("share-search");
            }
        });
    }
    // Local only (or not known yet): there is no server to share through, so no button.
    let syncs = shell
        .shell
        .sync
        .as_ref()
        .is_some_and(|s| s.state != SyncState::LocalOnly);
    if !syncs {
        return Html::default();
    }
    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    html! {
        <>
            <button
                id="contact-share"
                type="button"
                class="button button--secondary share-button"
                aria-haspopup="dialog"
                onclick={dispatch.reform(|_: MouseEvent| ShareAction::Open)}
            >
                { icon(Icon::Contacts) }
                <span>{ "Share" }</span>
            </button>
            if state.open {
                <Dialog id="share-dialog" title={format!("Share {}", props.name)} on_close={dispatch.reform(|()| ShareAction::Close)}>
                    { body(&state, &dispatch) }
                </Dialog>
            }
        </>
    }
}

/// Runs the loads and changes the reducer asks for; each answer carries its request.
#[hook]
fn use_commands(state: &UseReducerHandle<ShareState>) {
    let contact = state.contact;
    {
        let to = state.dispatcher();
        use_effect_with(state.request, move |&request| {
            if request > 0 {
                let ask = async move { commands::share_targets(&contact).await };
                dispatch_outcome(to, ask, move |targets| ShareAction::Loaded {
                    request,
                    targets: targets.map_err(|e| e.message),
                });
            }
        });
    }
    {
        let (to, running) = (state.dispatcher(), state.running.clone());
        use_effect_with(state.change_seq, move |&seq| {
            let Some(change) = running else {
                return;
            };
            let ask = async move {
                match change {
                    Change::Share(with) => {
                        commands::share_contact(&ShareContact { contact, with }).await
                    }
                    Change::Unshare(scope) => {
                        commands::unshare_contact(&UnshareContact { contact, scope }).await
                    }
                }
            };
            dispatch_outcome(to, ask, move |result| ShareAction::Changed { seq, result });
        });
    }
}

fn body(state: &ShareState, dispatch: &Callback<ShareAction>) -> Html {
    let targets = match (&state.view, &state.targets) {
        (ListView::Loading, _) | (ListView::Loaded, None) => {
            return html! { <ListLoading id="share-loading" label="Asking your team's server who can have it…" rows={2} /> };
        }
        (ListView::Failed(message), _) => {
            return html! {
                <ListError
                    id="share-failed"
                    title="Couldn't reach sharing."
                    message={message.clone()}
                    on_retry={dispatch.reform(|()| ShareAction::Reload)}
                />
            };
        }
        (ListView::Loaded, Some(targets)) => targets,
    };
    let busy = state.running.is_some();
    let picker = if state.no_teammates() {
        html! {
            <EmptyState id="share-empty" title="You're not on a team yet.">
                <p class="list-state__text">
                    { "Contacts are shared with teammates. Ask your organisation's admin to add you to a team, then share from here." }
                </p>
            </EmptyState>
        }
    } else {
        picker(state, dispatch, busy)
    };
    html! {
        <div class="share">
            { picker }
            if let Some(error) = &state.error {
                <p id="share-error" class="field__error" role="alert">{ error.clone() }</p>
            }
            if let Some(confirmation) = &state.confirmation {
                <p id="share-confirmation" class="form-success" role="status">
                    <span class="form-success__icon" aria-hidden="true"></span>
                    { confirmation.clone() }
                </p>
            }
            <h3 class="share__title">{ "Who has it" }</h3>
            <ul id="share-list" class="share-list">
                for share in targets.shares.iter() {
                    { holder(share, dispatch, busy) }
                }
            </ul>
        </div>
    }
}

fn picker(state: &ShareState, dispatch: &Callback<ShareAction>, busy: bool) -> Html {
    let choices = state.choices();
    let on_search = dispatch.reform(|event: InputEvent| {
        let input: HtmlInputElement = event.target_unchecked_into();
        ShareAction::Search(input.value())
    });
    let share_label = state
        .chosen_label()
        .map_or_else(|| "Share".to_owned(), |who| format!("Share with {who}"));
    let nobody_left = state
        .targets
        .as_ref()
        .is_some_and(|t| t.people.is_empty() && t.teams.is_empty());
    html! {
        <>
            <label class="field share__search">
                <span class="field__label">{ "Share with" }</span>
                <input
                    id="share-search"
                    class="field__control"
                    type="search"
                    autocomplete="off"
                    placeholder="Search teammates or teams"
                    value={state.search.clone()}
                    oninput={on_search}
                />
            </label>
            if choices.is_empty() {
                <p id="share-no-match" class="share__hint">
                    { if nobody_left {
                        "Everyone on your teams already has this contact.".to_owned()
                    } else {
                        format!("No teammate or team matches \u{201c}{}\u{201d}.", state.search.trim())
                    } }
                </p>
            } else {
                <ul id="share-choices" class="share-choices" aria-label="Teammates and teams">
                    for choice in choices.iter() {
                        { choice_button(choice, state.chosen == Some(choice.with), dispatch, busy) }
                    }
                </ul>
            }
            <div class="share__actions">
                <button
                    id="share-submit"
                    type="button"
                    class={classes!("button", "button--primary", busy.then_some("button--busy"))}
                    disabled={state.chosen.is_none() || busy}
                    onclick={dispatch.reform(|_: MouseEvent| ShareAction::Share)}
                >
                    <span class="button__spinner" aria-hidden="true"></span>
                    { share_label }
                </button>
            </div>
        </>
    }
}

fn choice_button(choice: &Choice, on: bool, dispatch: &Callback<ShareAction>, busy: bool) -> Html {
    let with = choice.with;
    html! {
        <li>
            <button
                type="button"
                class={classes!("share-choice", on.then_some("share-choice--on"))}
                aria-pressed={on.to_string()}
                data-label={choice.label.clone()}
                disabled={busy}
                onclick={dispatch.reform(move |_: MouseEvent| ShareAction::Choose(with))}
            >
                <span class="share-choice__name">{ &choice.label }</span>
                if let Some(detail) = &choice.detail {
                    <span class="share-choice__detail">{ detail }</span>
                }
                if on {
                    <span class="share-choice__check" aria-hidden="true">{ icon(Icon::Check) }</span>
                }
            </button>
        </li>
    }
}

fn holder(share: &CurrentShare, dispatch: &Callback<ShareAction>, busy: bool) -> Html {
    let scope = share.scope.clone();
    html! {
        <li class="share-list__item" data-scope={share.scope.clone()} data-label={share.label.clone()}>
            <span class="share-list__who">
                <span class="share-list__name">{ &share.label }</span>
                if let Some(detail) = &share.detail {
                    <span class="share-list__detail">{ detail }</span>
                }
            </span>
            if share.owner {
                <span class="share-list__owner">{ "Owner" }</span>
            } else {
                <button
                    type="button"
                    class="button button--secondary share-list__remove"
                    aria-label={format!("Stop sharing with {}", share.label)}
                    disabled={busy}
                    onclick={dispatch.reform(move |_: MouseEvent| ShareAction::Unshare(scope.clone()))}
                >
                    { "Remove" }
                </button>
            }
        </li>
    }
}
