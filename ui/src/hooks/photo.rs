//! A photo's bytes for an `<img>`: the shell reads the file (fetching it from the server through
//! its listing the first time, when another device added it) and answers base64, shown as a
//! `data:` URL (the CSP's `img-src` allows `data:` images and nothing remote). Grids ask for the
//! 320 px thumbnail, the gallery for the whole picture. The last few are kept so a grid and a
//! gallery showing the same one ask once.

use crate::services::commands;
use fieldstone_model::ListingId;
use fieldstone_protocol::commands::{PhotoRequest, PhotoSize};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

/// Photos kept in memory: enough for a screen of cards, few enough that full-size photos (up
/// to 15 MB each) do not pile up.
const KEPT: usize = 24;

thread_local! {
    static KEPT_PHOTOS: RefCell<VecDeque<(String, AttrValue)>> = const { RefCell::new(VecDeque::new()) };
}

fn kept(uri: &str) -> Option<AttrValue> {
    KEPT_PHOTOS.with(|kept| {
        kept.borrow()
            .iter()
            .find(|(kept, _)| kept == uri)
            .map(|(_, src)| src.clone())
    })
}

fn keep(uri: String, src: AttrValue) {
    KEPT_PHOTOS.with(|kept| {
        let mut kept = kept.borrow_mut();
        kept.retain(|(old, _)| *old != uri);
        kept.push_front((uri, src));
        kept.truncate(KEPT);
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoSrc {
    Loading,
    /// A `data:` URL.
    Ready(AttrValue),
    /// Why it cannot be shown ("This photo is not on this device.").
    Missing(AttrValue),
}

/// What the memory cache is keyed by: the same photo's thumbnail and whole picture differ.
fn key(uri: &str, thumb: bool) -> String {
    if thumb {
        format!("thumb:{uri}")
    } else {
        uri.to_owned()
    }
}

/// The `src` for the photo at `uri` (`blobs/<sha256>.jpg`), shown by `listing`; `thumb` for the
/// small version.
#[hook]
pub fn use_photo(uri: AttrValue, listing: Option<ListingId>, thumb: bool) -> PhotoSrc {
    let uri = AttrValue::from(key(&uri, thumb));
    // Which photo the answer is for: a gallery stepping to the next photo must not show the
    // previous one for a frame under the new one's name.
    let state = use_state(|| {
        let src = kept(&uri).map_or(PhotoSrc::Loading, PhotoSrc::Ready);
        (uri.clone(), src)
    });
    {
        let state = state.clone();
        use_effect_with(uri.clone(), move |uri| {
            let live = Rc::new(Cell::new(true));
            if let Some(src) = kept(uri) {
                state.set((uri.clone(), PhotoSrc::Ready(src)));
            } else {
                let for_uri = uri.clone();
                let still = Rc::clone(&live);
                let request = PhotoRequest {
                    uri: for_uri
                        .strip_prefix("thumb:")
                        .unwrap_or(&for_uri)
                        .to_owned(),
                    listing,
                    size: if thumb {
                        PhotoSize::Thumbnail
                    } else {
                        PhotoSize::Full
                    },
                };
                spawn_local(async move {
                    let answer = commands::photo(&request).await;
                    // A card scrolled away or re-used for another photo drops the answer.
                    if !still.get() {
                        return;
                    }
                    let src = match answer {
                        Ok(photo) => {
                            let src = AttrValue::from(format!(
                                "data:{};base64,{}",
                                photo.mime, photo.data_base64
                            ));
                            keep(for_uri.to_string(), src.clone());
                            PhotoSrc::Ready(src)
                        }
                        Err(error) => PhotoSrc::Missing(error.message.into()),
                    };
                    state.set((for_uri, src));
                });
            }
            move || live.set(false)
        });
    }
    match &*state {
        (shown, src) if *shown == uri => src.clone(),
        _ => kept(&uri).map_or(PhotoSrc::Loading, PhotoSrc::Ready),
    }
}
