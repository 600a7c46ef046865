//! One listing photo, or a quiet placeholder while it loads or when it cannot be shown (not
//! fetched yet while offline, or still on its way from the device that added it). The bytes
//! come through [`use_photo`].

use crate::hooks::{use_photo, PhotoSrc};
use fieldstone_model::ListingId;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingPhotoProps {
    /// `blobs/<sha256>.jpg`, or `None` for a listing without photos.
    pub uri: Option<AttrValue>,
    pub alt: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    /// The listing that shows it (a photo not on this device is fetched through it).
    #[prop_or_default]
    pub listing: Option<ListingId>,
    /// The small version (grids, strips).
    #[prop_or_default]
    pub thumb: bool,
}

#[component]
pub fn ListingPhoto(props: &ListingPhotoProps) -> Html {
    match &props.uri {
        Some(uri) => {
            html! { <StoredPhoto uri={uri.clone()} alt={props.alt.clone()} class={props.class.clone()} listing={props.listing} thumb={props.thumb} /> }
        }
        None => html! { <NoPhoto class={props.class.clone()} text="No photo yet" /> },
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct StoredPhotoProps {
    uri: AttrValue,
    alt: AttrValue,
    class: Classes,
    listing: Option<ListingId>,
    thumb: bool,
}

#[component]
fn StoredPhoto(props: &StoredPhotoProps) -> Html {
    match use_photo(props.uri.clone(), props.listing, props.thumb) {
        PhotoSrc::Ready(src) => html! {
            <img class={classes!("listing-photo", props.class.clone())} {src} alt={props.alt.clone()} data-uri={props.uri.clone()} />
        },
        PhotoSrc::Loading => html! {
            <span class={classes!("listing-photo", "listing-photo--loading", props.class.clone())} role="img" aria-label="Loading the photo"></span>
        },
        PhotoSrc::Missing(why) => html! { <NoPhoto class={props.class.clone()} text={why} /> },
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct NoPhotoProps {
    class: Classes,
    text: AttrValue,
}

/// A roofline drawn in CSS over the reason there is no picture.
#[component]
fn NoPhoto(props: &NoPhotoProps) -> Html {
    html! {
        <span class={classes!("listing-photo", "listing-photo--none", props.class.clone())} role="img" aria-label={props.text.clone()}>
            <span class="listing-photo__roof" aria-hidden="true"></span>
            <span class="listing-photo__text">{ props.text.clone() }</span>
        </span>
    }
}
