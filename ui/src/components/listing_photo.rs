//! One listing photo, or a quiet placeholder while it loads or when it cannot be shown (a
//! photo added on another device stays on that device: photos do not sync yet). The bytes
//! come through [`use_photo`].

use crate::hooks::{use_photo, PhotoSrc};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingPhotoProps {
    /// `photos/<id>.jpg`, or `None` for a listing without photos.
    pub uri: Option<AttrValue>,
    pub alt: AttrValue,
    #[prop_or_default]
    pub class: Classes,
}

#[component]
pub fn ListingPhoto(props: &ListingPhotoProps) -> Html {
    match &props.uri {
        Some(uri) => {
            html! { <StoredPhoto uri={uri.clone()} alt={props.alt.clone()} class={props.class.clone()} /> }
        }
        None => html! { <NoPhoto class={props.class.clone()} text="No photo yet" /> },
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct StoredPhotoProps {
    uri: AttrValue,
    alt: AttrValue,
    class: Classes,
}

#[component]
fn StoredPhoto(props: &StoredPhotoProps) -> Html {
    match use_photo(props.uri.clone()) {
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
