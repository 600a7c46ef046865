//! Contacts: search as you type, filters, sortable columns, pages loaded as the list scrolls,
//! bulk changes and smart lists. The rules live in [`ContactsState`]; this wires them to the
//! shell's commands.

use super::duplicates::Duplicates;
use super::transfer::TransferButtons;
use crate::components::bulk_bar::BulkBar;
use crate::components::contact_filters::{ContactFilters, SmartLists};
use crate::components::contact_list::{total_label, ContactList};
use crate::components::icons::{icon, Icon};
use crate::components::search_box::SearchBox;
use crate::components::states::{EmptyState, ListError, ListLoading};
use crate::hooks::{
    dispatch_outcome, use_command, use_page_request, use_remote_revision, use_shell,
};
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::contacts::{BulkOp, ContactsAction, ContactsState};
use crate::state::custom_filter;
use crate::state::{ListView, ShellAction, Shortcut};
use fieldstone_protocol::commands::{BulkStage, BulkTag, SaveSmartList};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

/// How close to the end of the page (in pixels) scrolling asks for the next page.
const LOAD_MORE_MARGIN: f64 = 900.0;
/// Quiet time after the last keystroke (or filter change) before the per-stage counts are asked for.
const COUNTS_AFTER_MS: u32 = 250;

/// Set when a page of contact rows is in the DOM (read by the app benchmark).
pub const CONTACT_ROWS_MARK: &str = "fieldstone:contact-rows";

#[component]
pub fn ContactsPage() -> Html {
    let shell = use_shell();
    let state = use_reducer(ContactsState::default);

    // Once: smart lists, who "mine" is, which contacts have conflicting edits.
    {
        let to = state.dispatcher();
        use_effect_with((), move |()| {
            dispatch_outcome(to.clone(), commands::smart_lists(), |lists| {
                ContactsAction::SmartListsLoaded(lists.map_err(|e| e.message))
            });
            dispatch_outcome(to.clone(), commands::account(), |account| {
                ContactsAction::Me(account.map(|a| a.user_id).map_err(|e| e.message))
            });
            dispatch_outcome(to, commands::custom_field_names(), |names| {
                ContactsAction::CustomNames(names.map_err(|e| e.message))
            });
        });
    }
    use_command(
        &state,
        shell.shell.remote_revision,
        |_| Some(commands::conflicted_docs()),
        |_, docs| {
            ContactsAction::Conflicted(
                docs.map(|docs| {
                    docs.iter()
                        .filter(|doc| doc.doc_id.kind() == "contact")
                        .filter_map(|doc| doc.doc_id.as_str().split_once(':'))
                        // Ids that do not parse are not contacts this screen shows.
                        .filter_map(|(_, id)| id.parse().ok())
                        .collect::<BTreeSet<_>>()
                })
                .map_err(|e| e.message),
            )
        },
    );

    // Every generation: the first page and the counts.
    {
        let state = state.clone();
        use_effect_with(state.request, move |&request| {
            let query = state.page_query(None);
            let filter = state.filter();
            let list = state.clone();
            spawn_local(async move {
                list.dispatch(match commands::list_contacts(&query).await {
                    Ok(page) => ContactsAction::PageLoaded {
                        request,
                        page: Box::new(page),
                        more: false,
                    },
                    Err(error) => match custom_filter::refusal(&error) {
                        Some(message) => ContactsAction::CustomRefused { request, message },
                        None => ContactsAction::PageFailed {
                            request,
                            message: error.message,
                            more: false,
                        },
                    },
                });
            });
            // Counts wait for a pause in typing: at 100k contacts a one-letter prefix's counts
            // take tens of milliseconds on the engine's one connection, and would hold up the
            // rows of the next keystroke. A newer generation cancels the timer.
            let to = state.dispatcher();
            let timer = platform::after(COUNTS_AFTER_MS, move || {
                let ask = async move { commands::contact_counts(&filter).await };
                dispatch_outcome(to, ask, move |counts| ContactsAction::CountsLoaded {
                    request,
                    counts: counts.map_err(|e| e.message),
                });
            });
            move || drop(timer)
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.more_seq, move |_| {
            if let Some(after) = state.loading_more.clone() {
                let request = state.request;
                let query = state.page_query(Some(after));
                spawn_local(async move {
                    state.dispatch(match commands::list_contacts(&query).await {
                        Ok(page) => ContactsAction::PageLoaded {
                            request,
                            page: Box::new(page),
                            more: true,
                        },
                        Err(error) => ContactsAction::PageFailed {
                            request,
                            message: error.message,
                            more: true,
                        },
                    });
                });
            }
        });
    }
    // Each page of rows landing in the DOM sets a performance mark, also when the new rows equal
    // the old ones (a keystroke that changes nothing shown): tests/benches/app.rs times
    // "keystroke → rows shown" and "app start → first rows" by it. A new page is a new `Rc`.
    {
        let loaded = state.view == ListView::Loaded;
        use_effect_with(
            (Rc::as_ptr(&state.rows) as usize, loaded),
            |&(_, loaded)| {
                if loaded {
                    platform::mark(CONTACT_ROWS_MARK);
                }
            },
        );
    }
    // Changes from other devices: ask again for what is shown.
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(ContactsAction::Reload));
    }
    // Scrolling near the end loads the next page; so does a first page shorter than the window.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let listener = platform::on_scroll(move || {
                if platform::near_page_end(LOAD_MORE_MARGIN) {
                    dispatcher.dispatch(ContactsAction::LoadMore);
                }
            });
            move || drop(listener)
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.rows.len(), move |_| {
            if platform::near_page_end(LOAD_MORE_MARGIN) {
                dispatcher.dispatch(ContactsAction::LoadMore);
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.bulk.clone(), move |run| {
            if let Some(run) = run.clone() {
                spawn_local(async move {
                    let result = match run.op {
                        BulkOp::AddTag(tag) => {
                            commands::bulk_tag(&BulkTag {
                                ids: run.ids,
                                add: vec![tag],
                                remove: vec![],
                            })
                            .await
                        }
                        BulkOp::RemoveTag(tag) => {
                            commands::bulk_tag(&BulkTag {
                                ids: run.ids,
                                add: vec![],
                                remove: vec![tag],
                            })
                            .await
                        }
                        BulkOp::Stage(stage) => {
                            commands::bulk_stage(&BulkStage {
                                ids: run.ids,
                                stage,
                            })
                            .await
                        }
                    };
                    state.dispatch(ContactsAction::BulkDone(result.map_err(|e| e.message)));
                });
            }
        });
    }
    use_page_request(Route::Contacts, |shortcut| {
        if shortcut == Shortcut::FocusSearch {
            platform::focus("contact-search");
        }
    });

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let on_search = dispatch.reform(ContactsAction::Search);
    let new_contact = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| shell.dispatch(ShellAction::NewContact))
    };
    let toggle_filters = dispatch.reform(|_: MouseEvent| ContactsAction::ToggleFilters);
    let load_more = dispatch.reform(|_: MouseEvent| ContactsAction::LoadMore);
    let retry = dispatch.reform(|()| ContactsAction::Reload);
    let on_save_list = {
        let state = state.clone();
        Callback::from(move |name: String| {
            let ask = SaveSmartList {
                id: None,
                name,
                query: state.filter(),
            };
            let save = async move { commands::save_smart_list(&ask).await };
            dispatch_outcome(state.dispatcher(), save, |saved| {
                ContactsAction::SmartListSaved(saved.map(Box::new).map_err(|e| e.message))
            });
        })
    };
    let on_delete_list = {
        let state = state.clone();
        Callback::from(move |id: String| {
            let delete = async move { commands::delete_smart_list(&id).await.map(|()| id) };
            dispatch_outcome(state.dispatcher(), delete, |deleted| {
                ContactsAction::SmartListDeleted(deleted.map_err(|e| e.message))
            });
        })
    };

    let total = state.counts.as_ref().map(|counts| counts.total);
    let filter_count = state.filter_count();
    let body = match &state.view {
        ListView::Loading => {
            html! { <ListLoading id="contacts-loading" label="Loading contacts…" /> }
        }
        ListView::Failed(message) => html! {
            <ListError id="contacts-error" title="Couldn't load your contacts." message={message.clone()} on_retry={retry.clone()} />
        },
        ListView::Loaded if state.rows.is_empty() && state.has_filters() => html! {
            <EmptyState id="contacts-none" title="No contact matches.">
                <p class="list-state__text">{ "Try fewer words or filters." }</p>
            </EmptyState>
        },
        ListView::Loaded if state.rows.is_empty() => html! {
            <EmptyState id="contacts-empty" title="No contacts yet.">
                // The toolbar above has New contact and Import: no second button here.
                <p class="list-state__text">{ "Add your first one with New contact, or bring your list with Import (CSV or vCard). Everything is saved on this device right away, with or without a connection." }</p>
            </EmptyState>
        },
        ListView::Loaded => html! {
            <>
                <ContactList
                    rows={state.rows.clone()}
                    sort={state.sort}
                    selected={state.selected.clone()}
                    conflicted={state.conflicted.clone()}
                    all_selected={state.all_shown_selected()}
                    now={shell.clock.now}
                    on_sort={dispatch.reform(ContactsAction::SortBy)}
                    on_select={dispatch.reform(|(id, on)| ContactsAction::Select(id, on))}
                    on_select_all={dispatch.reform(ContactsAction::SelectAllShown)}
                />
                <div class="list-footer">
                    if state.loading_more.is_some() {
                        <span class="list-footer__loading" role="status">{ "Loading more…" }</span>
                    } else if state.next.is_some() {
                        <button id="load-more" type="button" class="button button--secondary" onclick={load_more}>
                            { "Load more" }
                        </button>
                    } else {
                        <span class="list-footer__end">{ format!("{} shown", state.rows.len()) }</span>
                    }
                </div>
            </>
        },
    };

    html! {
        <div class="page page--contacts">
            <div class="toolbar">
                <SearchBox
                    id="contact-search"
                    placeholder="Search people, phones, notes…"
                    label="Search contacts"
                    value={state.search.clone()}
                    {on_search}
                />
                <button
                    id="filters-toggle"
                    type="button"
                    class={classes!("button", "button--secondary", "toolbar__filters", (filter_count > 0).then_some("button--on"))}
                    aria-expanded={state.filters_open.to_string()}
                    aria-controls="contact-filters"
                    onclick={toggle_filters}
                >
                    { if filter_count > 0 { format!("Filters · {filter_count}") } else { "Filters".to_owned() } }
                </button>
                <TransferButtons query={state.filter()} on_imported={dispatch.reform(|()| ContactsAction::Reload)} />
                <Duplicates on_changed={dispatch.reform(|()| ContactsAction::Reload)} />
                <button id="new-contact-button" type="button" class="button button--primary toolbar__new" onclick={new_contact}>
                    { icon(Icon::Plus) }
                    <span class="toolbar__new-label">{ "New contact" }</span>
                </button>
            </div>
            <ContactFilters state={Rc::new((*state).clone())} dispatch={dispatch.clone()} />
            if !state.smart_lists.is_empty() || state.has_filters() || state.list_error.is_some() {
            <SmartLists
                lists={state.smart_lists.clone()}
                active={state.active_list.clone()}
                can_save={state.has_filters()}
                on_apply={dispatch.reform(ContactsAction::ApplySmartList)}
                on_save={on_save_list}
                on_delete={on_delete_list}
                error={state.list_error.clone().map(AttrValue::from)}
                on_all={dispatch.reform(|()| ContactsAction::ClearFilters)}
            />
            }
            <section class="card card--list" aria-labelledby="contacts-heading">
                <div class="card__header">
                    if state.selected.is_empty() {
                        <h2 id="contacts-heading" class="card__title">
                            { total.map_or_else(|| "Contacts".to_owned(), total_label) }
                        </h2>
                        if let Some(message) = &state.bulk_message {
                            <p id="bulk-message" class="card__note" role="status">{ message }</p>
                        }
                    } else {
                        <BulkBar
                            selected={state.selected.len()}
                            tag={state.bulk_tag.clone()}
                            busy={state.bulk.is_some()}
                            dispatch={dispatch.clone()}
                        />
                    }
                </div>
                if let Some(message) = state.notice.as_ref().or(state.counts_error.as_ref()) {
                    <div id="contacts-notice" class="banner banner--warning" role="status">
                        <p class="banner__text">{ message }</p>
                    </div>
                }
                if let Some(message) = &state.stale_error {
                    <div id="contacts-stale" class="banner banner--warning" role="status">
                        <p class="banner__text">{ format!("Couldn't refresh the list: {message}") }</p>
                    </div>
                }
                { body }
            </section>
        </div>
    }
}
