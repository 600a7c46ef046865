//! A listing in the grid: its cover photo with the status on it, the price, the address and
//! the facts a buyer asks first. The whole card is one link (Enter opens it from the keyboard).

use super::listing_photo::ListingPhoto;
use crate::route::Route;
use crate::state::listings::{facts, price};
use fieldstone_protocol::views::ListingSummary;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingCardProps {
    pub listing: ListingSummary,
}

#[component]
pub fn ListingCard(props: &ListingCardProps) -> Html {
    let listing = &props.listing;
    let status = listing.status.as_str();
    html! {
        <li class="listing-grid__item">
            <a class="listing-card" href={Route::Listing(listing.id).to_hash()} data-listing-id={listing.id.to_string()}>
                <span class="listing-card__media">
                    <ListingPhoto
                        uri={listing.cover_photo.clone().map(AttrValue::from)}
                        alt={format!("{} — cover photo", listing.address)}
                        class="listing-card__photo"
                    />
                    <span class={classes!("status-pill", format!("status-pill--{status}"), "listing-card__status")} data-status={status}>
                        { listing.status.label() }
                    </span>
                </span>
                <span class="listing-card__body">
                    <span class="listing-card__price tabular">{ price(listing) }</span>
                    <span class="listing-card__address">{ &listing.address }</span>
                    <span class="listing-card__city">{ &listing.city }</span>
                    <span class="listing-card__facts">{ facts(listing) }</span>
                </span>
            </a>
        </li>
    }
}
