//! A listing's photos: one large, the rest as thumbnails to pick from. The arrow keys step
//! through them when the gallery has focus; on phones the thumbnails scroll sideways.

use super::icons::{icon, Icon};
use super::listing_photo::ListingPhoto;
use fieldstone_model::ListingId;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingGalleryProps {
    /// Photo uris in gallery order (the cover first).
    pub photos: Vec<AttrValue>,
    /// The photo shown large.
    pub index: usize,
    /// Names the photos for screen readers ("12 Elm Street").
    pub address: AttrValue,
    pub on_show: Callback<usize>,
    /// "Add photos": where the gallery sends someone who has none yet.
    pub on_add: Callback<()>,
    /// Whose photos these are (photos not on this device are fetched through it).
    #[prop_or_default]
    pub listing: Option<ListingId>,
}

/// The photo before or after `index`, going round.
pub fn step(index: usize, count: usize, forward: bool) -> usize {
    match (count, forward) {
        (0, _) => 0,
        (_, true) => (index + 1) % count,
        (_, false) => (index + count - 1) % count,
    }
}

#[component]
pub fn ListingGallery(props: &ListingGalleryProps) -> Html {
    let count = props.photos.len();
    if count == 0 {
        let add = props.on_add.reform(|_: MouseEvent| ());
        return html! {
            <section id="listing-gallery" class="card gallery gallery--empty" aria-label="Photos">
                <ListingPhoto uri={None::<AttrValue>} alt="No photos yet" class="gallery__main" />
                <div class="gallery__empty">
                    <p class="list-state__text">{ "Photos from this device's files show here; the first is the listing's cover." }</p>
                    <button id="gallery-add" type="button" class="button button--secondary" onclick={add}>
                        { icon(Icon::Upload) }{ "Add photos" }
                    </button>
                </div>
            </section>
        };
    }
    let index = props.index.min(count - 1);
    let go = |forward: bool| {
        props
            .on_show
            .reform(move |_: MouseEvent| step(index, count, forward))
    };
    let onkeydown = {
        let on_show = props.on_show.clone();
        Callback::from(move |event: KeyboardEvent| {
            let forward = match event.key().as_str() {
                "ArrowRight" => true,
                "ArrowLeft" => false,
                _ => return,
            };
            event.prevent_default();
            on_show.emit(step(index, count, forward));
        })
    };
    html! {
        <section id="listing-gallery" class="card gallery" aria-label="Photos" aria-roledescription="gallery" tabindex="0" {onkeydown}>
            <div class="gallery__stage">
                <ListingPhoto
                    uri={Some(props.photos[index].clone())}
                    alt={format!("{}, photo {} of {count}", props.address, index + 1)}
                    class="gallery__main"
                    listing={props.listing}
                />
                if count > 1 {
                    <button id="gallery-prev" type="button" class="gallery__step gallery__step--prev" aria-label="Previous photo" onclick={go(false)}>
                        { icon(Icon::ChevronLeft) }
                    </button>
                    <button id="gallery-next" type="button" class="gallery__step gallery__step--next" aria-label="Next photo" onclick={go(true)}>
                        { icon(Icon::ChevronRight) }
                    </button>
                }
                <span id="gallery-count" class="gallery__count tabular">{ format!("{} / {count}", index + 1) }</span>
            </div>
            if count > 1 {
                <ul class="gallery__thumbs">
                    for (i, uri) in props.photos.iter().enumerate() {
                        <li key={uri.to_string()}>
                            <button
                                type="button"
                                class={classes!("gallery__thumb", (i == index).then_some("gallery__thumb--on"))}
                                aria-label={format!("Show photo {}", i + 1)}
                                aria-current={(i == index).then_some("true")}
                                onclick={props.on_show.reform(move |_: MouseEvent| i)}
                            >
                                <ListingPhoto uri={Some(uri.clone())} alt="" class="gallery__thumb-photo" listing={props.listing} thumb=true />
                            </button>
                        </li>
                    }
                </ul>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn stepping_goes_round_both_ways() {
        assert_eq!(step(0, 3, true), 1);
        assert_eq!(step(2, 3, true), 0);
        assert_eq!(step(0, 3, false), 2);
        assert_eq!(step(1, 3, false), 0);
        assert_eq!(step(0, 0, true), 0);
        assert_eq!(step(0, 1, false), 0);
    }
}
