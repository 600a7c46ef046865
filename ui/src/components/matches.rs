//! Property match on the screens: "Listings that fit" on a buyer's page, "Buyers it fits" on a
//! listing's, and Today's "New listings for your buyers". Each row says how well it fits and
//! why in the engine's words; everything is read on the device, so it works offline.

use super::icons::{icon, Icon};
use crate::hooks::use_remote_revision;
use crate::route::Route;
use crate::services::commands;
use crate::state::format::{baths, money};
use fieldstone_model::{ContactId, ListingId};
use fieldstone_protocol::commands::DismissMatch;
use fieldstone_protocol::views::{BuyerFit, BuyerMatches, ListingSummary, MatchSuggestion};
use std::future::Future;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Loads `load`'s answer when `key` changes, another device's changes arrive, or `reload` is
/// bumped; `None` while loading.
#[hook]
pub(crate) fn use_loaded<K, T, E, F, Fut>(
    key: K,
    load: F,
) -> (UseStateHandle<Option<Result<T, E>>>, Callback<()>)
where
    K: PartialEq + Clone + 'static,
    T: 'static,
    E: 'static,
    F: Fn(K) -> Fut + 'static,
    Fut: Future<Output = Result<T, E>> + 'static,
{
    let value = use_state(|| None::<Result<T, E>>);
    let reloads = use_state(|| 0u32);
    {
        let reloads = reloads.clone();
        use_remote_revision(move || reloads.set(*reloads + 1));
    }
    {
        let value = value.clone();
        use_effect_with((key, *reloads), move |(key, _)| {
            let future = load(key.clone());
            spawn_local(async move { value.set(Some(future.await)) });
        });
    }
    let reload = {
        let reloads = reloads.clone();
        Callback::from(move |()| reloads.set(*reloads + 1))
    };
    (value, reload)
}

/// "£455,000 · 3 beds · 2 baths".
fn listing_facts(l: &ListingSummary) -> String {
    let mut parts = vec![money(l.price, &l.currency)];
    if let Some(beds) = l.beds {
        parts.push(if beds == 1 {
            "1 bed".into()
        } else {
            format!("{beds} beds")
        });
    }
    if let Some(tenths) = l.baths_tenths {
        parts.push(format!("{} baths", baths(tenths)));
    }
    parts.join(" · ")
}

fn fit_badge(score: u8) -> Html {
    let strength = if score >= 85 {
        "strong"
    } else if score >= 60 {
        "good"
    } else {
        "weak"
    };
    html! {
        <span class={classes!("fit", format!("fit--{strength}"))} title="How well it fits what they asked for">
            { format!("{score}% fit") }
        </span>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingMatchesProps {
    pub contact: ContactId,
    /// The contact's `updated_at` (ms): a saved edit of their wish list reloads the card.
    pub revision: i64,
}

/// A buyer's best listings on this device.
#[component]
pub fn ListingMatchesCard(props: &ListingMatchesProps) -> Html {
    let (found, _) = use_loaded((props.contact, props.revision), |(id, _)| async move {
        commands::listing_matches(&id).await.map_err(|e| e.message)
    });
    let body = match &*found {
        None => html! { <p class="listing-section__none">{ "Looking…" }</p> },
        Some(Err(message)) => html! {
            <p class="field__error" role="alert">{ format!("Couldn't look for listings that fit: {message}") }</p>
        },
        Some(Ok(BuyerMatches { looking: false, .. })) => html! {
            <p id="matches-not-looking" class="listing-section__none">
                { "Add what they are looking for under Details (budget, areas, bedrooms, must-haves) and the listings that fit show here." }
            </p>
        },
        Some(Ok(BuyerMatches { listings, .. })) if listings.is_empty() => html! {
            <p id="matches-none" class="listing-section__none">
                { "No active listing fits what they asked for yet. When one does, it shows here and on Today." }
            </p>
        },
        Some(Ok(BuyerMatches { listings, .. })) => html! {
            <ul id="listing-matches" class="matches">
                for fit in listings.iter() {
                    <li key={fit.listing.id.to_string()} class="matches__item" data-listing-id={fit.listing.id.to_string()}>
                        <a class="matches__link" href={Route::Listing(fit.listing.id).to_hash()}>
                            <span class="matches__head">
                                <span class="matches__title">{ &fit.listing.address }</span>
                                { fit_badge(fit.score) }
                            </span>
                            <span class="matches__facts">{ listing_facts(&fit.listing) }</span>
                            <span class="matches__why">{ &fit.why }</span>
                        </a>
                    </li>
                }
            </ul>
        },
    };
    html! {
        <section class="card listing-section matches-card" aria-labelledby="listing-matches-title">
            <h2 id="listing-matches-title" class="card__title">{ "Listings that fit" }</h2>
            { body }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingBuyersProps {
    pub listing: ListingId,
    /// Only an active listing is matched; the card says so for the others.
    pub active: bool,
    /// The listing's `updated_at` (ms): a saved edit reloads the card.
    pub revision: i64,
}

/// The buyers on this device a listing fits.
#[component]
pub fn ListingBuyersCard(props: &ListingBuyersProps) -> Html {
    let (found, _) = use_loaded((props.listing, props.revision), |(id, _)| async move {
        commands::listing_buyers(&id).await.map_err(|e| e.message)
    });
    let body = match &*found {
        _ if !props.active => html! {
            <p class="listing-section__none">{ "Only active listings are matched with buyers." }</p>
        },
        None => html! { <p class="listing-section__none">{ "Looking…" }</p> },
        Some(Err(message)) => html! {
            <p class="field__error" role="alert">{ format!("Couldn't look for buyers: {message}") }</p>
        },
        Some(Ok(buyers)) if buyers.is_empty() => html! {
            <p id="listing-buyers-none" class="listing-section__none">
                { "No buyer's wish list fits this listing. Buyers' budgets, areas and must-haves are on their contact's Details." }
            </p>
        },
        Some(Ok(buyers)) => html! {
            <ul id="listing-buyers" class="matches">
                for buyer in buyers.iter() { { buyer_row(buyer) } }
            </ul>
        },
    };
    html! {
        <section class="card listing-section matches-card" aria-labelledby="listing-buyers-title">
            <h2 id="listing-buyers-title" class="card__title">{ "Buyers it fits" }</h2>
            { body }
        </section>
    }
}

fn buyer_row(buyer: &BuyerFit) -> Html {
    html! {
        <li key={buyer.contact.to_string()} class="matches__item" data-contact-id={buyer.contact.to_string()}>
            <a class="matches__link" href={Route::Contact(buyer.contact).to_hash()}>
                <span class="matches__head">
                    <span class="matches__title">{ &buyer.name }</span>
                    { fit_badge(buyer.score) }
                </span>
                <span class="matches__facts">{ buyer.stage.label() }</span>
                <span class="matches__why">{ &buyer.why }</span>
            </a>
        </li>
    }
}

/// Today's "New listings for your buyers": shown only when there is something to say.
#[component]
pub fn MatchSuggestionsCard() -> Html {
    let (found, reload) = use_loaded((), |()| async move {
        commands::match_suggestions().await.map_err(|e| e.message)
    });
    let error = use_state(|| None::<String>);
    let dismiss = {
        let (reload, error) = (reload.clone(), error.clone());
        move |listing: ListingId, contact: ContactId| {
            let (reload, error) = (reload.clone(), error.clone());
            Callback::from(move |_: MouseEvent| {
                let (reload, error) = (reload.clone(), error.clone());
                spawn_local(async move {
                    match commands::dismiss_match(&DismissMatch { listing, contact }).await {
                        Ok(()) => {
                            error.set(None);
                            reload.emit(());
                        }
                        Err(e) => error.set(Some(format!("Couldn't hide it: {}", e.message))),
                    }
                });
            })
        }
    };
    let suggestions: &[MatchSuggestion] = match &*found {
        Some(Ok(list)) if !list.is_empty() => list,
        // Loading, nothing new, or unreadable: Today does not grow a card for it.
        _ => return html! {},
    };
    html! {
        <section id="today-matches" class="card today-card">
            <h2 class="today-card__title">{ icon(Icon::Listings) }{ "New listings for your buyers" }</h2>
            <p class="today-card__hint">{ "Listings new or changed this week that fit what your buyers asked for." }</p>
            if let Some(message) = &*error {
                <p class="field__error" role="alert">{ message.clone() }</p>
            }
            <ul class="suggestions">
                for s in suggestions.iter() {
                    <li key={s.listing.id.to_string()} class="suggestions__listing" data-listing-id={s.listing.id.to_string()}>
                        <a class="suggestions__home" href={Route::Listing(s.listing.id).to_hash()}>
                            <span class="matches__title">{ &s.listing.address }</span>
                            <span class="matches__facts">{ listing_facts(&s.listing) }</span>
                        </a>
                        <ul class="suggestions__buyers">
                            for b in s.buyers.iter() {
                                <li key={b.contact.to_string()} class="suggestions__buyer" data-contact-id={b.contact.to_string()}>
                                    <a class="suggestions__who" href={Route::Contact(b.contact).to_hash()}>
                                        <span class="matches__head">
                                            <span class="suggestions__name">{ &b.name }</span>
                                            { fit_badge(b.score) }
                                        </span>
                                        <span class="matches__why">{ &b.why }</span>
                                    </a>
                                    <button
                                        type="button"
                                        class="button button--ghost button--small suggestions__dismiss"
                                        aria-label={format!("Hide {} for {}", s.listing.address, b.name)}
                                        onclick={dismiss(s.listing.id, b.contact)}
                                    >
                                        { "Hide" }
                                    </button>
                                </li>
                            }
                        </ul>
                    </li>
                }
            </ul>
        </section>
    }
}
