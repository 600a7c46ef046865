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
    // Its dates, money and counts are in the agent's locale: shown again when it changes.
    crate::hooks::use_locale_changes();
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
                        listing={Some(listing.id)}
                        thumb=true
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use chrono::DateTime;
    use fieldstone_model::{ListingStatus, PropertyType, Visibility};
    use yew::ServerRenderer;

    #[tokio::test]
    async fn a_card_links_to_its_listing_with_price_status_and_a_placeholder_photo() {
        let listing = ListingSummary {
            id: "00000000-0000-4000-8000-000000000009"
                .parse()
                .expect("valid id"),
            address: "3 Oak Lane".into(),
            city: "Shelbyville".into(),
            price: 615_000,
            currency: "USD".into(),
            beds: None,
            baths_tenths: None,
            property_type: PropertyType::Condo,
            status: ListingStatus::Pending,
            visibility: Visibility::Public,
            mls_number: None,
            cover_photo: None,
            updated_at: DateTime::UNIX_EPOCH,
            deleted_at: None,
        };
        let html = ServerRenderer::<ListingCard>::with_props(move || ListingCardProps { listing })
            .hydratable(false)
            .render()
            .await;
        assert!(
            html.contains(r##"href="#/listings/00000000-0000-4000-8000-000000000009""##),
            "{html}"
        );
        assert!(html.contains("$615,000"));
        assert!(html.contains("status-pill--pending") && html.contains(">Pending<"));
        assert!(html.contains("No photo yet"));
        assert!(html.contains(">Condo<"));
    }
}
