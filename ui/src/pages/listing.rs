//! One listing: price, status and address; a gallery of its photos; the facts, description and
//! features; tour links and open houses; and the editor. The rules live in [`ListingState`].

use super::listing_editor::ListingEditor;
use crate::components::icons::{icon, Icon};
use crate::components::kiosk_start::KioskStart;
use crate::components::listing_activity::ListingActivityCard;
use crate::components::listing_gallery::ListingGallery;
use crate::components::listing_tour::ListingTourCard;
use crate::components::matches::ListingBuyersCard;
use crate::components::states::{page_frame, FrameText, MissingText};
use crate::hooks::{use_command, use_remote_revision, use_shell};
use crate::route::Route;
use crate::services::commands;
use crate::state::format::{area, money, Local};
use crate::state::listing::{open_house_label, upcoming, ListingAction, ListingState};
use crate::state::record_detail::DetailAction;
use crate::state::ShellAction;
use fieldstone_model::{Listing, ListingId, ListingStatus, RecordRef};
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingPageProps {
    pub id: ListingId,
}

/// `(label, value)` pairs for the facts row: type, bedrooms, "1,850 sq ft" (in the agent's
/// unit)...
fn facts(listing: &Listing) -> Vec<(&'static str, String)> {
    let mut facts = vec![("Type", listing.property_type.label().to_owned())];
    if let Some(beds) = listing.beds {
        facts.push(("Bedrooms", beds.to_string()));
    }
    if let Some(baths) = listing.baths {
        facts.push(("Bathrooms", baths.to_string()));
    }
    if let Some(living) = listing.living_area {
        facts.push(("Living area", area(living)));
    }
    if let Some(lot) = listing.lot_area {
        facts.push(("Lot", area(lot)));
    }
    if let Some(mls) = &listing.mls_number {
        facts.push(("MLS", mls.clone()));
    }
    facts.push(("Visibility", listing.visibility.label().to_owned()));
    facts
}

const FRAME: FrameText = FrameText {
    name: "listing",
    loading: "Opening the listing…",
    failed: "Couldn't open this listing.",
    rows: 2,
    card: false,
    missing: Some(MissingText {
        title: "This listing is not here.",
        back_label: "Back to listings",
        back: Route::Listings,
    }),
};

#[component]
pub fn ListingPage(props: &ListingPageProps) -> Html {
    let shell = use_shell();
    let clock = shell.clock;
    let local = Local {
        offset_minutes: clock.offset_minutes,
    };
    let id = props.id;
    let state = use_reducer(move || ListingState::new(id));
    let delete_error = use_state(|| None::<String>);

    use_command(
        &state,
        state.detail.request,
        move |_| Some(async move { commands::get_listing(&id).await }),
        |request, answer| DetailAction::answer(request, answer).into(),
    );
    {
        let state = state.clone();
        use_remote_revision(move || state.dispatch(DetailAction::Reload.into()));
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let retry = dispatch.reform(|()| DetailAction::Reload.into());
    let detail = &state.detail;
    let listing = match page_frame(
        &detail.view,
        detail.record.as_ref(),
        detail.missing,
        &FRAME,
        retry,
    ) {
        Ok(listing) => listing.clone(),
        Err(frame) => return frame,
    };

    let status = listing.status.as_str();
    let photos: Vec<AttrValue> = state.photos().into_iter().map(AttrValue::from).collect();
    let tours = state.tours();
    let (open_houses, past) = upcoming(&listing.open_houses, clock.now);
    let edit = dispatch.reform(|_: MouseEvent| DetailAction::OpenEditor.into());
    // No "are you sure?": the listing is kept, marked deleted, and the next screen offers Undo.
    let on_delete = {
        let (shell, delete_error) = (shell.clone(), delete_error.clone());
        let name = listing.address.line1.clone();
        Callback::from(move |_: MouseEvent| {
            let (shell, delete_error, name) = (shell.clone(), delete_error.clone(), name.clone());
            spawn_local(async move {
                match commands::delete_listing(&id).await {
                    Ok(_) => shell.dispatch(ShellAction::Deleted(RecordRef::Listing(id), name)),
                    Err(error) => delete_error.set(Some(error.message)),
                }
            });
        })
    };
    let region_line = [
        Some(listing.address.city.as_str()),
        listing.address.region.as_deref(),
        listing.address.postal_code.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");

    html! {
        <div class="page page--listing" data-listing-id={id.to_string()}>
            <section class="card listing-head">
                <div class="listing-head__main">
                    <p class="listing-head__top">
                        <span id="listing-price" class="listing-head__price tabular">{ money(listing.price, &listing.currency) }</span>
                        <span id="listing-status" class={classes!("status-pill", format!("status-pill--{status}"))} data-status={status}>
                            { listing.status.label() }
                        </span>
                    </p>
                    <h2 id="listing-address" class="listing-head__address">
                        { &listing.address.line1 }
                        if let Some(line2) = &listing.address.line2 {
                            { format!(", {line2}") }
                        }
                    </h2>
                    <p class="listing-head__city">{ format!("{region_line} · {}", listing.address.country) }</p>
                </div>
                <div class="listing-head__actions">
                    if detail.saved_note {
                        <span id="listing-saved" class="form-success" role="status">
                            <span class="form-success__icon" aria-hidden="true"></span>
                            { "Saved on this device." }
                        </span>
                    }
                    <button id="listing-edit" type="button" class="button button--secondary" onclick={edit}>
                        { "Edit listing" }
                    </button>
                    <button id="listing-delete" type="button" class="button button--danger" onclick={on_delete}>
                        { "Delete" }
                    </button>
                    if let Some(message) = &*delete_error {
                        <p class="field__error" role="alert">{ format!("Couldn't delete this listing: {message}") }</p>
                    }
                </div>
            </section>
            <div class="listing-layout">
                <div class="listing-layout__main">
                    <ListingGallery
                        {photos}
                        index={state.photo}
                        address={listing.address.line1.clone()}
                        on_show={dispatch.reform(ListingAction::Show)}
                        on_add={dispatch.reform(|()| DetailAction::OpenEditor.into())}
                        listing={Some(listing.id)}
                    />
                    <section class="card listing-section" aria-labelledby="listing-about">
                        <h2 id="listing-about" class="card__title">{ "About this home" }</h2>
                        <dl id="listing-facts" class="listing-facts">
                            for (label, value) in facts(&listing) {
                                <div class="listing-facts__item">
                                    <dt>{ label }</dt>
                                    <dd>{ value }</dd>
                                </div>
                            }
                        </dl>
                        if !listing.description.is_empty() {
                            <p id="listing-description" class="listing-description">{ &listing.description }</p>
                        }
                        <h3 class="listing-section__subtitle">{ "Features" }</h3>
                        if listing.features.is_empty() {
                            <p class="listing-section__none">{ "No features listed yet." }</p>
                        } else {
                            <ul id="listing-features" class="listing-features">
                                for feature in listing.features.iter() {
                                    <li class="listing-features__item">
                                        <span class="listing-features__tick" aria-hidden="true"></span>
                                        { feature }
                                    </li>
                                }
                            </ul>
                        }
                    </section>
                </div>
                <aside class="listing-layout__side">
                    <section class="card listing-section" aria-labelledby="listing-open-houses-title">
                        <h2 id="listing-open-houses-title" class="card__title">{ "Open houses" }</h2>
                        <KioskStart listing={id} />
                        if open_houses.is_empty() {
                            <p class="listing-section__none">{ "None planned." }</p>
                        } else {
                            <ul id="listing-open-houses" class="listing-events">
                                for open_house in open_houses.iter() {
                                    <li class="listing-events__item">
                                        { icon(Icon::Calendar) }
                                        <span class="tabular">{ open_house_label(open_house, local, clock.now) }</span>
                                        if open_house.starts_at <= clock.now {
                                            <span class="tag listing-events__now">{ "Now" }</span>
                                        }
                                    </li>
                                }
                            </ul>
                        }
                        if past > 0 {
                            <p class="listing-section__none">{ if past == 1 { "1 earlier open house.".to_owned() } else { format!("{past} earlier open houses.") } }</p>
                        }
                    </section>
                    <ListingActivityCard {id} />
                    <ListingBuyersCard
                        listing={id}
                        active={listing.status == ListingStatus::Active && listing.deleted_at.is_none()}
                        revision={listing.updated_at.timestamp_millis()}
                    />
                    <ListingTourCard
                        listing={id}
                        on_show={listing.is_publicly_listed()}
                        revision={listing.updated_at.timestamp_millis()}
                    />
                    <section class="card listing-section" aria-labelledby="listing-tours-title">
                        <h2 id="listing-tours-title" class="card__title">{ "Tour links" }</h2>
                        if tours.is_empty() {
                            <p class="listing-section__none">{ "No virtual tour yet." }</p>
                        } else {
                            <ul id="listing-tours" class="listing-links">
                                for (label, url) in tours {
                                    <li>
                                        <a class="listing-links__link" href={url.clone()} target="_blank" rel="noopener noreferrer" title={url.clone()}>
                                            { icon(Icon::Listings) }
                                            <span class="listing-links__label">{ label }</span>
                                        </a>
                                    </li>
                                }
                            </ul>
                        }
                    </section>
                </aside>
            </div>
            if let Some(opened) = detail.editor {
                <ListingEditor
                    key={opened.to_string()}
                    listing={Some(listing.clone())}
                    on_close={dispatch.reform(|()| DetailAction::CloseEditor.into())}
                    on_saved={dispatch.reform(|listing| DetailAction::Saved(Box::new(listing)).into())}
                />
            }
        </div>
    }
}
