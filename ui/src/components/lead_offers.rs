//! Today's "Leads offered to you" card: shown only while the server offers this agent leads to
//! claim (first to claim, or the pond); each with its reason, its deadline and Claim.

use super::icons::{icon, Icon};
use crate::hooks::{dispatch_outcome, use_remote_revision, use_shell};
use crate::services::{commands, platform};
use crate::state::lead_offers::{OffersAction, OffersState, REREAD_MS};
use yew::prelude::*;

#[component]
pub fn LeadOffers() -> Html {
    let state = use_reducer(OffersState::default);
    let shell = use_shell();
    let sync_state = shell.shell.sync.as_ref().map(|s| s.state);
    let local = crate::state::format::Local {
        offset_minutes: shell.clock.offset_minutes,
    };
    {
        let to = state.dispatcher();
        use_effect_with((state.revision, sync_state), move |(revision, _)| {
            let revision = *revision;
            dispatch_outcome(to.clone(), commands::lead_offers(), move |outcome| {
                OffersAction::Loaded(revision, outcome)
            });
            // Offers are not records on this device: nothing else would say a new one came.
            let again = platform::after(REREAD_MS, move || to.dispatch(OffersAction::Reload));
            move || drop(again)
        });
    }
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(OffersAction::Reload));
    }
    let said = state.said.clone().map(|(taken, text)| {
        html! {
            <p
                id="lead-offers-said"
                class={if taken { "form-success" } else { "field__error" }}
                role={if taken { "status" } else { "alert" }}
            >{ text }</p>
        }
    });
    if state.offers.is_empty() {
        // No card without offers; a claim's answer still shows until the next one.
        return html! { <>{ for said }</> };
    }
    html! {
        <section id="lead-offers" class="card today-card lead-offers" aria-labelledby="lead-offers-title">
            <h2 id="lead-offers-title" class="today-card__title">{ icon(Icon::Contacts) }{ "Leads offered to you" }</h2>
            { for said }
            <ul class="lead-offers__list">
                for offer in state.offers.iter() {
                    <li key={offer.contact.to_string()} class="lead-offer" data-contact={offer.contact.to_string()}>
                        <div class="lead-offer__main">
                            <span class="lead-offer__name">
                                { &offer.name }
                                if let Some(source) = &offer.source {
                                    <span class="lead-offer__source">{ format!(" · {source}") }</span>
                                }
                            </span>
                            <span class="lead-offer__why">
                                { if offer.pond { "Open to anyone on the team" } else { &offer.reason } }
                                if let Some(until) = offer.claim_until {
                                    { format!(" · until {}", local.time(until)) }
                                }
                            </span>
                        </div>
                        {{
                            let contact = offer.contact;
                            let busy = state.claiming == Some(contact);
                            let to = state.dispatcher();
                            let onclick = Callback::from(move |_: MouseEvent| {
                                to.dispatch(OffersAction::Claim(contact));
                                dispatch_outcome(to.clone(), async move { commands::claim_lead(&contact).await }, move |o| OffersAction::Claimed(contact, o));
                            });
                            html! {
                                <button
                                    type="button"
                                    class={classes!("button", "button--primary", "lead-offer__claim", busy.then_some("button--busy"))}
                                    disabled={state.claiming.is_some()}
                                    aria-label={format!("Claim {}", offer.name)}
                                    {onclick}
                                >
                                    <span class="button__spinner" aria-hidden="true"></span>
                                    { if busy { "Claiming…" } else { "Claim" } }
                                </button>
                            }
                        }}
                    </li>
                }
            </ul>
        </section>
    }
}
