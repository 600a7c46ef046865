//! The inputs of a listing form: address, price and status, the property, description and
//! features, photos (picked from local image files), tour links and open houses. Every input
//! is named by its [`ListingField`]; its id is `{prefix}-{path}` with dots and underscores as
//! dashes (`listing-form-address-city`), and its message's id the same plus `-error`.

use super::field::{choice_options, SelectField, TextField};
use super::icons::{icon, Icon};
use super::listing_photo::ListingPhoto;
use crate::state::form::{input_id, FieldPath, FormErrors};
use crate::state::listing_draft::{ListingDraft, ListingEdit};
use crate::state::listing_field::{ListingField, OpenHousePart};
use chrono::NaiveDate;
use fieldstone_model::{AreaUnit, ListingStatus, PropertyType, Visibility};
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ListingFieldsProps {
    /// Element id prefix, unique on the screen (`listing-form`).
    pub prefix: AttrValue,
    pub draft: ListingDraft,
    pub errors: FormErrors,
    /// Picked photos still being stored.
    pub photos_pending: usize,
    pub photo_error: Option<AttrValue>,
    /// Open houses are suggested from this day on.
    pub today: NaiveDate,
    pub on_edit: Callback<ListingEdit>,
    /// The photo input's `change`: the page reads and stores the picked files.
    pub on_photos: Callback<Event>,
    /// The listing being edited (its photos not on this device are fetched through it).
    #[prop_or_default]
    pub listing: Option<fieldstone_model::ListingId>,
}

struct Ctx<'a> {
    props: &'a ListingFieldsProps,
}

impl Ctx<'_> {
    fn id(&self, field: ListingField) -> String {
        field.input_id(&self.props.prefix)
    }

    /// The id of an element that is not a field's input (the photo picker, a button).
    fn element_id(&self, name: &str) -> String {
        input_id(&self.props.prefix, name)
    }

    fn error(&self, field: ListingField) -> Option<AttrValue> {
        self.props
            .errors
            .of(field)
            .map(|message| AttrValue::from(message.to_owned()))
    }

    fn setter(&self, field: ListingField) -> Callback<String> {
        self.props
            .on_edit
            .reform(move |value| ListingEdit::Set(field, value))
    }

    fn edit(&self, edit: ListingEdit) -> Callback<MouseEvent> {
        self.props.on_edit.reform(move |_: MouseEvent| edit.clone())
    }

    fn text(
        &self,
        path: ListingField,
        label: &str,
        hint: Option<&'static str>,
        class: &str,
    ) -> Html {
        html! {
            <TextField
                id={self.id(path)}
                label={label.to_owned()}
                value={self.props.draft.value(path)}
                error={self.error(path)}
                hint={hint.map(AttrValue::Static)}
                class={classes!(class.to_owned())}
                on_input={self.setter(path)}
            />
        }
    }

    fn number(&self, path: ListingField, label: &str, mode: &'static str) -> Html {
        html! {
            <TextField
                id={self.id(path)}
                label={label.to_owned()}
                value={self.props.draft.value(path)}
                error={self.error(path)}
                input_mode={Some(AttrValue::Static(mode))}
                on_input={self.setter(path)}
            />
        }
    }

    fn choice(
        &self,
        path: ListingField,
        label: &str,
        options: Vec<(AttrValue, AttrValue)>,
    ) -> Html {
        html! {
            <SelectField
                id={self.id(path)}
                label={label.to_owned()}
                value={self.props.draft.value(path)}
                {options}
                error={self.error(path)}
                on_change={self.setter(path)}
            />
        }
    }

    /// An area and the unit it is given in, side by side.
    fn area(&self, path: ListingField, unit: ListingField, label: &str) -> Html {
        html! {
            <div class="listing-area">
                { self.number(path, label, "numeric") }
                <SelectField
                    id={self.id(unit)}
                    label="Unit"
                    value={self.props.draft.value(unit)}
                    options={choice_options::<AreaUnit>()}
                    class="listing-area__unit"
                    on_change={self.setter(unit)}
                />
            </div>
        }
    }

    fn photos(&self) -> Html {
        let draft = &self.props.draft;
        let photos = draft.photos();
        let input = self.element_id("photos");
        let pending = self.props.photos_pending;
        html! {
            <section class="form-section" aria-labelledby={format!("{input}-title")}>
                <h3 id={format!("{input}-title")} class="form-section__title">{ "Photos" }</h3>
                if photos.is_empty() {
                    <p class="listing-form__note">{ "The first photo is the one the grid shows. JPEG, PNG or WebP, up to 15 MB each." }</p>
                } else {
                    <ul id={format!("{input}-list")} class="photo-strip">
                        for (n, &i) in photos.iter().enumerate() {
                            <li class="photo-strip__item" key={draft.media[i].uri.clone()}>
                                <ListingPhoto uri={Some(AttrValue::from(draft.media[i].uri.clone()))} alt={format!("Photo {}", n + 1)} class="photo-strip__photo" listing={self.props.listing} thumb=true />
                                if n == 0 {
                                    <span class="photo-strip__cover">{ "Cover" }</span>
                                }
                                <span class="photo-strip__tools">
                                    if n > 0 {
                                        <button type="button" class="button button--small button--secondary" aria-label={format!("Make photo {} the cover", n + 1)} onclick={self.edit(ListingEdit::MakeCover(i))}>
                                            { "Cover" }
                                        </button>
                                    }
                                    <button type="button" class="icon-button photo-strip__remove" aria-label={format!("Remove photo {}", n + 1)} onclick={self.edit(ListingEdit::RemoveMedia(i))}>
                                        { icon(Icon::Close) }
                                    </button>
                                </span>
                            </li>
                        }
                    </ul>
                }
                <div class="listing-form__row">
                    // The input sits inside its label, so the keyboard reaches it and the label
                    // is what is seen; the webview's own picker is the file dialog.
                    <label class="button button--secondary file-button">
                        <input
                            id={input.clone()}
                            class="visually-hidden"
                            type="file"
                            accept="image/jpeg,image/png,image/webp"
                            multiple=true
                            onchange={self.props.on_photos.clone()}
                        />
                        { icon(Icon::Upload) }{ "Add photos" }
                    </label>
                    if pending > 0 {
                        <span id={format!("{input}-pending")} class="listing-form__pending" role="status">
                            <span class="listing-spinner" aria-hidden="true"></span>
                            { if pending == 1 { "Adding 1 photo…".to_owned() } else { format!("Adding {pending} photos…") } }
                        </span>
                    }
                </div>
                if let Some(message) = &self.props.photo_error {
                    <p id={format!("{input}-error")} class="field__error" role="alert">{ message.clone() }</p>
                }
                if let Some(message) = self.error(ListingField::Media) {
                    <p id={self.element_id("media-error")} class="field__error">{ message }</p>
                }
            </section>
        }
    }

    fn tours(&self) -> Html {
        let tours = self.props.draft.tours();
        html! {
            <section class="form-section" aria-label="Tour links">
                <h3 class="form-section__title">{ "Tour links" }</h3>
                for (n, &i) in tours.iter().enumerate() {
                    <div class="listing-form__line" key={format!("tour-{i}")}>
                        <TextField
                            id={self.id(ListingField::MediaUri(i))}
                            label={format!("Tour link {}", n + 1)}
                            value={self.props.draft.value(ListingField::MediaUri(i))}
                            error={self.error(ListingField::MediaUri(i))}
                            input_type="url"
                            placeholder={Some(AttrValue::Static("https://tours.example.com/12-elm"))}
                            class="listing-form__grow"
                            on_input={self.setter(ListingField::MediaUri(i))}
                        />
                        <button type="button" class="icon-button listing-form__remove" aria-label={format!("Remove tour link {}", n + 1)} onclick={self.edit(ListingEdit::RemoveMedia(i))}>
                            { icon(Icon::Close) }
                        </button>
                    </div>
                }
                <div class="listing-form__row">
                    <button id={self.element_id("add-tour")} type="button" class="button button--secondary button--small" onclick={self.edit(ListingEdit::AddTour)}>
                        { icon(Icon::Plus) }{ "Add tour link" }
                    </button>
                </div>
            </section>
        }
    }

    fn open_house_part(
        &self,
        i: usize,
        part: OpenHousePart,
        label: &'static str,
        kind: &'static str,
    ) -> Html {
        let field = ListingField::OpenHouse(i, part);
        html! {
            <TextField id={self.id(field)} {label} input_type={kind} value={self.props.draft.value(field)} error={self.error(field)} on_input={self.setter(field)} />
        }
    }

    fn open_houses(&self) -> Html {
        let rows = self.props.draft.open_houses.len();
        html! {
            <section class="form-section" aria-label="Open houses">
                <h3 class="form-section__title">{ "Open houses" }</h3>
                for i in 0..rows {
                    <div class="listing-form__line" key={format!("open-house-{i}")}>
                        <div class="listing-open-house">
                            { self.open_house_part(i, OpenHousePart::Date, "Day", "date") }
                            { self.open_house_part(i, OpenHousePart::StartsAt, "From", "time") }
                            { self.open_house_part(i, OpenHousePart::EndsAt, "To", "time") }
                        </div>
                        <button type="button" class="icon-button listing-form__remove" aria-label={format!("Remove open house {}", i + 1)} onclick={self.edit(ListingEdit::RemoveOpenHouse(i))}>
                            { icon(Icon::Close) }
                        </button>
                    </div>
                }
                if let Some(message) = self.error(ListingField::OpenHouses) {
                    <p class="field__error">{ message }</p>
                }
                <div class="listing-form__row">
                    <button id={self.element_id("add-open-house")} type="button" class="button button--secondary button--small" onclick={self.edit(ListingEdit::AddOpenHouse(self.props.today))}>
                        { icon(Icon::Plus) }{ "Add open house" }
                    </button>
                </div>
            </section>
        }
    }
}

#[component]
pub fn ListingFields(props: &ListingFieldsProps) -> Html {
    use ListingField as F;
    let ctx = Ctx { props };
    html! {
        <>
            <section class="form-section" aria-label="Address">
                <h3 class="form-section__title">{ "Address" }</h3>
                <div class="form-grid listing-form__grid">
                    { ctx.text(F::Line1, "Street address", None, "listing-form__wide") }
                    { ctx.text(F::Line2, "Unit, floor", Some("optional"), "") }
                    { ctx.text(F::City, "City", None, "") }
                    { ctx.text(F::Region, "State or region", Some("optional"), "") }
                    { ctx.text(F::PostalCode, "Postal code", Some("optional"), "") }
                    { ctx.text(F::Country, "Country", Some("2 letters, e.g. US"), "") }
                </div>
            </section>
            <section class="form-section" aria-label="Price and status">
                <h3 class="form-section__title">{ "Price and status" }</h3>
                <div class="form-grid listing-form__grid">
                    { ctx.number(F::Price, "Price", "numeric") }
                    { ctx.text(F::Currency, "Currency", Some("e.g. USD, EUR"), "") }
                    { ctx.choice(F::PropertyType, "Property type", choice_options::<PropertyType>()) }
                    { ctx.choice(F::Status, "Status", choice_options::<ListingStatus>()) }
                    { ctx.choice(F::Visibility, "Who can see it", choice_options::<Visibility>()) }
                    { ctx.text(F::MlsNumber, "MLS number", Some("optional"), "") }
                </div>
            </section>
            <section class="form-section" aria-label="The property">
                <h3 class="form-section__title">{ "The property" }</h3>
                <div class="form-grid listing-form__grid">
                    { ctx.number(F::Beds, "Bedrooms", "numeric") }
                    { ctx.number(F::Baths, "Bathrooms", "decimal") }
                    { ctx.area(F::LivingArea, F::LivingAreaUnit, "Living area") }
                    { ctx.area(F::LotArea, F::LotAreaUnit, "Lot") }
                </div>
                <TextField
                    id={ctx.id(F::Description)}
                    label="Description"
                    value={props.draft.description.clone()}
                    error={ctx.error(F::Description)}
                    multiline=true
                    on_input={ctx.setter(F::Description)}
                />
                <TextField
                    id={ctx.id(F::Features)}
                    label="Features"
                    value={props.draft.features.clone()}
                    error={ctx.error(F::Features)}
                    hint={Some(AttrValue::Static("separated by commas"))}
                    placeholder={Some(AttrValue::Static("Garden, Garage, Fireplace"))}
                    on_input={ctx.setter(F::Features)}
                />
            </section>
            { ctx.photos() }
            { ctx.tours() }
            { ctx.open_houses() }
        </>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::listing_draft::ListingEdit;
    use fieldstone_model::{Media, MediaKind};
    use yew::ServerRenderer;

    #[tokio::test]
    async fn messages_sit_next_to_their_inputs_and_photos_come_from_image_files() {
        let mut draft = ListingDraft::default();
        draft.apply(ListingEdit::AddPhoto("photos/a.png".into()));
        draft.apply(ListingEdit::AddTour);
        draft.media.push(Media {
            kind: MediaKind::Floorplan,
            uri: "plans/ground.pdf".into(),
            caption: None,
        });
        let mut errors = FormErrors::default();
        errors.set("price", "Enter a price above zero.");
        errors.set("media.1.uri", "A web address must start with https://.");
        let html = ServerRenderer::<ListingFields>::with_props(move || ListingFieldsProps {
            prefix: "listing-form".into(),
            draft,
            errors,
            photos_pending: 1,
            photo_error: Some("notes.png: This is not a JPEG, PNG or WebP image.".into()),
            today: NaiveDate::from_ymd_opt(2026, 11, 10).expect("date"),
            on_edit: Callback::noop(),
            on_photos: Callback::noop(),
            listing: None,
        })
        .hydratable(false)
        .render()
        .await;
        assert!(html.contains(r#"<p id="listing-form-price-error" class="field__error">Enter a price above zero.</p>"#), "{html}");
        assert!(html.contains(r#"id="listing-form-media-1-uri-error""#));
        assert!(
            html.contains(r#"type="file""#)
                && html.contains(r#"accept="image/jpeg,image/png,image/webp""#)
        );
        assert!(html.contains("Adding 1 photo…"));
        assert!(html.contains(r#"id="listing-form-photos-error""#));
        // One photo (the cover), one tour link: the floor plan has no input of its own.
        assert_eq!(html.matches("photo-strip__item").count(), 1);
        assert!(html.contains("Cover"));
        assert_eq!(html.matches(r#"type="url""#).count(), 1);
    }
}
