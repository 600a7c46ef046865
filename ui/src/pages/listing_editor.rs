//! The listing editor, a dialog for a new listing (from the grid) or an existing one (from its
//! screen). The rules live in [`ListingForm`]; this sends its submits, stores picked photos as
//! they are picked, and moves focus to the first field the engine refused.

use crate::components::dialog::Dialog;
use crate::components::listing_fields::ListingFields;
use crate::hooks::{use_shell, use_submit};
use crate::services::{commands, files, platform};
use crate::state::form::{input_id, FieldPath};
use crate::state::format::Local;
use crate::state::listing_draft::ListingDraft;
use crate::state::listing_field::ListingField;
use crate::state::listing_form::{ListingForm, ListingFormAction};
use fieldstone_model::Listing;
use fieldstone_protocol::commands::UpdateListing;
use yew::platform::spawn_local;
use yew::prelude::*;

const PREFIX: &str = "listing-form";

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingEditorProps {
    /// `None`: a new listing.
    pub listing: Option<Listing>,
    pub on_close: Callback<()>,
    pub on_saved: Callback<Listing>,
}

#[component]
pub fn ListingEditor(props: &ListingEditorProps) -> Html {
    let shell = use_shell();
    let local = Local {
        offset_minutes: shell.clock.offset_minutes,
    };
    let editing = props.listing.as_ref().map(|l| l.id);
    let form = {
        let listing = props.listing.clone();
        use_reducer(move || {
            let draft = listing.map_or_else(ListingDraft::default, |listing| {
                ListingDraft::from_listing(&listing, local)
            });
            ListingForm::new(draft, local)
        })
    };

    use_effect_with((), |()| {
        platform::focus(&ListingField::Line1.input_id(PREFIX))
    });
    {
        let focus = form.form.focus.clone();
        use_effect_with(focus, |focus| {
            if let Some(focus) = focus {
                platform::focus(&input_id(PREFIX, &focus.path));
            }
        });
    }
    use_submit(&form, move |input| async move {
        match editing {
            Some(id) => commands::update_listing(&UpdateListing { id, input }).await,
            None => commands::create_listing(&input).await,
        }
    });
    {
        let on_saved = props.on_saved.clone();
        use_effect_with(form.form.saved.clone(), move |saved| {
            if let Some(listing) = saved {
                on_saved.emit(listing.clone());
            }
        });
    }

    let on_edit = {
        let form = form.clone();
        Callback::from(move |edit| form.dispatch(ListingFormAction::Edit(edit)))
    };
    let on_photos = {
        let form = form.clone();
        Callback::from(move |event: Event| {
            let picked = files::picked(&event);
            if picked.is_empty() {
                return;
            }
            form.dispatch(ListingFormAction::PhotosPicked(picked.len()));
            for file in picked {
                let form = form.clone();
                spawn_local(async move {
                    form.dispatch(match files::store_photo(file).await {
                        Ok(uri) => ListingFormAction::PhotoStored(uri),
                        Err(message) => ListingFormAction::PhotoFailed(message),
                    });
                });
            }
        })
    };
    let onsubmit = {
        let form = form.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            form.dispatch(ListingFormAction::Submit);
        })
    };
    let on_close = props.on_close.clone();
    // Escape closes, as the dialog's close button does (the frame only knows its own dialog).
    let onkeydown = {
        let on_close = on_close.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let cancel = on_close.reform(|_: MouseEvent| ());
    let busy = form.form.submitting || form.photos_pending > 0;
    let title = if editing.is_some() {
        "Edit listing"
    } else {
        "New listing"
    };
    html! {
        <div class="listing-editor" {onkeydown}>
            <Dialog id="listing-editor" {title} wide=true {on_close}>
                <form id="listing-form" class="form" novalidate=true {onsubmit}>
                    if let Some(banner) = &form.form.errors.banner {
                        <div id="listing-form-banner" class="banner banner--error" role="alert">
                            <span class="banner__icon" aria-hidden="true"></span>
                            <p class="banner__text">{ banner }</p>
                        </div>
                    }
                    <ListingFields
                        prefix={PREFIX}
                        draft={form.form.draft.clone()}
                        errors={form.form.errors.clone()}
                        photos_pending={form.photos_pending}
                        photo_error={form.photo_error.clone().map(AttrValue::from)}
                        today={local.date(shell.clock.now)}
                        {on_edit}
                        {on_photos}
                        listing={editing}
                    />
                    <div class="form__actions listing-form__actions">
                        <button type="button" class="button button--secondary" onclick={cancel}>{ "Cancel" }</button>
                        <button
                            id="listing-save"
                            type="submit"
                            class={classes!("button", "button--primary", form.form.submitting.then_some("button--busy"))}
                            disabled={busy}
                        >
                            <span class="button__spinner" aria-hidden="true"></span>
                            { if form.photos_pending > 0 { "Adding photos…" } else if editing.is_some() { "Save changes" } else { "Save listing" } }
                        </button>
                    </div>
                </form>
            </Dialog>
        </div>
    }
}
