//! Pickers for what a booking is about: "With" finds contacts as the agent types (the engine's
//! own search, names, emails and phone digits) and shows the chosen ones as removable chips;
//! "Listing" chooses one of the listings on this device.

use super::icons::{icon, Icon};
use crate::services::commands;
use fieldstone_model::{ContactId, ListingId};
use fieldstone_protocol::views::{ContactQuery, ContactSummary, ListingQuery, ListingSummary};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

/// How many matches the "With" search offers.
const MATCHES: u32 = 6;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ContactPickerProps {
    pub id: AttrValue,
    /// Chosen: (id, name), in order.
    pub chosen: Vec<(ContactId, String)>,
    pub on_add: Callback<(ContactId, String)>,
    pub on_remove: Callback<ContactId>,
}

#[component]
pub fn ContactPicker(props: &ContactPickerProps) -> Html {
    let query = use_state(String::new);
    let matches = use_state(Vec::<ContactSummary>::new);
    let error = use_state(|| None::<String>);
    // Every keystroke asks; an answer for an older query is dropped.
    let asked = use_mut_ref(|| 0u64);
    let oninput = {
        let (query, matches, error, asked) =
            (query.clone(), matches.clone(), error.clone(), asked.clone());
        Callback::from(move |event: InputEvent| {
            let text = event.target_unchecked_into::<HtmlInputElement>().value();
            query.set(text.clone());
            *asked.borrow_mut() += 1;
            let seq = *asked.borrow();
            if text.trim().is_empty() {
                matches.set(Vec::new());
                return;
            }
            let (matches, error, asked) = (matches.clone(), error.clone(), asked.clone());
            spawn_local(async move {
                let ask = ContactQuery {
                    search: Some(text),
                    limit: MATCHES,
                    ..ContactQuery::default()
                };
                let answer = commands::list_contacts(&ask).await;
                if *asked.borrow() != seq {
                    return;
                }
                match answer {
                    Ok(page) => {
                        error.set(None);
                        matches.set(page.items);
                    }
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let results: Vec<&ContactSummary> = matches
        .iter()
        .filter(|m| !props.chosen.iter().any(|(c, _)| *c == m.id))
        .collect();
    html! {
        <div class="picker" id={props.id.clone()}>
            <span class="field__label">{ "With" }</span>
            if !props.chosen.is_empty() {
                <ul class="picker__chosen">
                    for (id, name) in props.chosen.iter().cloned() {
                        <li key={id.to_string()} class="picker__chip" data-contact-id={id.to_string()}>
                            <span>{ name.clone() }</span>
                            <button
                                type="button"
                                class="icon-button picker__remove"
                                aria-label={format!("Remove {name}")}
                                onclick={props.on_remove.reform(move |_: MouseEvent| id)}
                            >
                                { icon(Icon::Close) }
                            </button>
                        </li>
                    }
                </ul>
            }
            <input
                id={format!("{}-search", props.id)}
                class="field__control"
                type="search"
                placeholder="Find a contact by name, email or phone"
                autocomplete="off"
                value={(*query).clone()}
                {oninput}
            />
            if let Some(message) = &*error {
                <p class="field__error" role="alert">{ message.clone() }</p>
            }
            if !results.is_empty() {
                <ul class="picker__matches" role="listbox">
                    for found in results {
                        <li key={found.id.to_string()}>
                            <button
                                type="button"
                                role="option"
                                class="picker__match"
                                data-contact-id={found.id.to_string()}
                                onclick={{
                                    let (on_add, query, matches) = (props.on_add.clone(), query.clone(), matches.clone());
                                    let (id, name) = (found.id, found.display_name.clone());
                                    Callback::from(move |_: MouseEvent| {
                                        on_add.emit((id, name.clone()));
                                        query.set(String::new());
                                        matches.set(Vec::new());
                                    })
                                }}
                            >
                                <span class="picker__name">{ &found.display_name }</span>
                                <span class="picker__detail">{ found.primary_email.clone().or_else(|| found.primary_phone.clone()).unwrap_or_default() }</span>
                            </button>
                        </li>
                    }
                </ul>
            }
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingPickerProps {
    pub id: AttrValue,
    pub value: Option<ListingId>,
    pub on_change: Callback<Option<ListingId>>,
}

#[component]
pub fn ListingPicker(props: &ListingPickerProps) -> Html {
    let listings = use_state(|| None::<Result<Vec<ListingSummary>, String>>);
    {
        let listings = listings.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                let ask = ListingQuery {
                    limit: fieldstone_protocol::views::LISTING_PAGE_MAX,
                    ..ListingQuery::default()
                };
                listings.set(Some(
                    commands::list_listings(&ask).await.map_err(|e| e.message),
                ));
            });
        });
    }
    let onchange = props.on_change.reform(|event: Event| {
        event
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .parse::<ListingId>()
            .ok()
    });
    let selected = props.value.map(|l| l.to_string()).unwrap_or_default();
    html! {
        <label class="field">
            <span class="field__label">{ "Listing" }</span>
            <span class="select">
                <select id={props.id.clone()} class="field__control select__control" {onchange}>
                    <option value="" selected={props.value.is_none()}>{ "No listing" }</option>
                    if let Some(Ok(list)) = &*listings {
                        for listing in list.iter() {
                            <option
                                key={listing.id.to_string()}
                                value={listing.id.to_string()}
                                selected={selected == listing.id.to_string()}
                            >
                                { format!("{}, {}", listing.address, listing.city) }
                            </option>
                        }
                    }
                </select>
            </span>
            if let Some(Err(message)) = &*listings {
                <span class="field__error" role="alert">{ format!("Couldn't list the listings: {message}") }</span>
            }
        </label>
    }
}
