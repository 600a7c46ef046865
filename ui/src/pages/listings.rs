//! Listings: a grid of cards (cover photo, price, status, address) with search as you type and
//! a status filter, more cards on request, and the new-listing dialog (`n` on desktops). The
//! rules live in [`ListingsState`]; this wires them to the shell's commands.

use super::listing_editor::ListingEditor;
use crate::components::icons::{icon, Icon};
use crate::components::listing_card::ListingCard;
use crate::components::search_box::SearchBox;
use crate::components::states::{EmptyState, ListError};
use crate::hooks::{
    dispatch_outcome, use_command, use_page_request, use_remote_revision, use_shell,
};
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::listings::{ListingFilterEdit, ListingsAction, ListingsState};
use crate::state::{ListView, Shortcut};
use fieldstone_model::{Listing, ListingStatus};
use fieldstone_protocol::views::ListingCounts;
use yew::platform::spawn_local;
use yew::prelude::*;

#[component]
pub fn ListingsPage() -> Html {
    let shell = use_shell();
    let state = use_reducer(ListingsState::default);
    // The new-listing dialog; the number grows with every opening (a fresh form).
    let creating = use_state(|| None::<u64>);
    // The chips' counts, asked again with every new list request (search, reload, sync).
    let counts = use_state(|| None::<ListingCounts>);
    {
        let (counts, query) = (counts.clone(), state.query(0));
        use_effect_with(state.request, move |_| {
            spawn_local(async move {
                // Without counts the chips just show their names: nothing to report.
                counts.set(commands::listing_counts(&query).await.ok());
            });
        });
    }

    {
        let query = state.query(0);
        use_command(
            &state,
            state.request,
            move |_| Some(async move { commands::list_listings(&query).await }),
            |request, answer| ListingsAction::answer(request, answer, false),
        );
    }
    {
        let state = state.clone();
        use_effect_with(state.more_seq, move |_| {
            if let Some(offset) = state.loading_more {
                let (request, query) = (state.request, state.query(offset));
                let ask = async move { commands::list_listings(&query).await };
                dispatch_outcome(state.dispatcher(), ask, move |answer| {
                    ListingsAction::answer(request, answer, true)
                });
            }
        });
    }
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(ListingsAction::Reload));
    }
    let open_new = {
        let creating = creating.clone();
        Callback::from(move |()| creating.set(Some(creating.map_or(1, |n| n + 1))))
    };
    {
        let open_new = open_new.clone();
        use_page_request(Route::Listings, move |shortcut| match shortcut {
            Shortcut::FocusSearch => platform::focus("listing-search"),
            Shortcut::New => open_new.emit(()),
        });
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let on_search = dispatch.reform(|text| ListingsAction::Filter(ListingFilterEdit::Search(text)));
    let new_listing = open_new.reform(|_: MouseEvent| ());
    let on_close = {
        let creating = creating.clone();
        Callback::from(move |()| creating.set(None))
    };
    let on_saved = {
        let shell = shell.clone();
        Callback::from(move |listing: Listing| shell.navigate(Route::Listing(listing.id)))
    };
    let status_chip = |status: Option<ListingStatus>| {
        let on = state.filter.status == status;
        let key = status.map_or("all", |s| s.as_str());
        let count = counts.as_ref().map(|c| status.map_or(c.all, |s| c.of(s)));
        html! {
            <button
                type="button"
                id={format!("listing-status-{key}")}
                class={classes!("chip", on.then_some("chip--on"))}
                aria-pressed={on.to_string()}
                onclick={dispatch.reform(move |_: MouseEvent| ListingsAction::Filter(ListingFilterEdit::Status(status)))}
            >
                { status.map_or("All", |s| s.label()) }
                if let Some(n) = count {
                    <span class="chip__count tabular">{ n }</span>
                }
            </button>
        }
    };

    let body = match &state.view {
        ListView::Loading => html! {
            <div id="listings-loading" role="status">
                <ul class="listing-grid" aria-hidden="true">
                    for _ in 0..3 {
                        <li class="listing-card listing-card--skeleton">
                            <span class="listing-card__media skeleton"></span>
                            <span class="listing-card__body">
                                <span class="skeleton skeleton--line"></span>
                                <span class="skeleton skeleton--line skeleton--short"></span>
                            </span>
                        </li>
                    }
                </ul>
                <p class="visually-hidden">{ "Loading listings…" }</p>
            </div>
        },
        ListView::Failed(message) => html! {
            <div class="card">
                <ListError id="listings-error" title="Couldn't load your listings." message={message.clone()} on_retry={dispatch.reform(|()| ListingsAction::Reload)} />
            </div>
        },
        ListView::Loaded if state.rows.is_empty() && state.has_filters() => html! {
            <div class="card">
                <EmptyState id="listings-none" title="No listing matches.">
                    <p class="list-state__text">{ "Try fewer words, or another status." }</p>
                </EmptyState>
            </div>
        },
        ListView::Loaded if state.rows.is_empty() => html! {
            <div class="card">
                <EmptyState id="listings-empty" title="No listings yet.">
                    // The toolbar above has New listing: no second button here.
                    <p class="list-state__text">{ "Add the homes you are selling with New listing: price, photos from this device, tour links and open houses. Everything is saved here right away, with or without a connection." }</p>
                </EmptyState>
            </div>
        },
        ListView::Loaded => html! {
            <>
                <ul id="listing-grid" class="listing-grid">
                    for listing in state.rows.iter() {
                        <ListingCard key={listing.id.to_string()} listing={listing.clone()} />
                    }
                </ul>
                <div class="list-footer">
                    if state.loading_more.is_some() {
                        <span class="list-footer__loading" role="status">{ "Loading more…" }</span>
                    } else if state.has_more {
                        <button id="listings-more" type="button" class="button button--secondary" onclick={dispatch.reform(|_: MouseEvent| ListingsAction::LoadMore)}>
                            { "More listings" }
                        </button>
                    }
                </div>
            </>
        },
    };

    html! {
        <div class="page page--listings">
            <div class="toolbar">
                <SearchBox
                    id="listing-search"
                    placeholder="Search listings…"
                    label="Search listings"
                    value={state.filter.search.clone()}
                    {on_search}
                />
                <button id="new-listing-button" type="button" class="button button--primary toolbar__new" onclick={new_listing}>
                    { icon(Icon::Plus) }
                    <span class="toolbar__new-label">{ "New listing" }</span>
                </button>
            </div>
            <div class="listing-filters" role="group" aria-label="Status">
                { status_chip(None) }
                for status in ListingStatus::ALL {
                    { status_chip(Some(status)) }
                }
            </div>
            if let Some(message) = &state.stale_error {
                <div id="listings-stale" class="banner banner--warning banner--inline" role="status">
                    <p class="banner__text">{ format!("Couldn't refresh the listings: {message}") }</p>
                </div>
            }
            { body }
            if let Some(opened) = *creating {
                <ListingEditor key={opened.to_string()} listing={None::<Listing>} {on_close} {on_saved} />
            }
        </div>
    }
}
