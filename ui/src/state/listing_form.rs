//! A listing form being filled in and sent, in the new-listing dialog or the editor of a
//! listing. The engine's verdict lands next to the fields it names; typing into a field clears
//! its message; a second submit while one is in flight (or while photos are still being
//! stored) is ignored. Photos are stored as they are picked and join the draft by their `uri`.

use super::form::FormErrors;
use super::format::Local;
use super::listing_draft::{ListingDraft, ListingEdit};
use fieldstone_model::{Listing, ListingInput, MediaKind};
use fieldstone_protocol::commands::CommandError;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum ListingFormAction {
    Edit(ListingEdit),
    Submit,
    Saved(Box<Listing>),
    Failed(CommandError),
    /// Start again from these values (a fresh dialog, or the listing as stored now).
    Reset(Box<ListingDraft>),
    /// This many picked files are being read and stored.
    PhotosPicked(usize),
    /// One picked file was stored as this `uri`.
    PhotoStored(String),
    /// One picked file was refused (not an image, too large) or could not be stored.
    PhotoFailed(String),
}

/// Where keyboard focus should go; `seq` grows so the same field can be asked twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusField {
    pub path: String,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListingForm {
    /// Open-house times are typed in this device's local time.
    pub local: Local,
    pub draft: ListingDraft,
    pub errors: FormErrors,
    pub submitting: bool,
    /// Grows with every accepted submit; the screen sends `submitted` when it changes.
    pub submit_seq: u64,
    pub submitted: Option<ListingInput>,
    /// The listing as the engine stored it after the last successful submit.
    pub saved: Option<Listing>,
    /// The draft differs from what was loaded or saved last.
    pub dirty: bool,
    pub focus: Option<FocusField>,
    /// Picked photos still being stored.
    pub photos_pending: usize,
    /// Why the last picked photo was not added.
    pub photo_error: Option<String>,
}

impl ListingForm {
    pub fn new(draft: ListingDraft, local: Local) -> Self {
        ListingForm {
            local,
            draft,
            errors: FormErrors::default(),
            submitting: false,
            submit_seq: 0,
            submitted: None,
            saved: None,
            dirty: false,
            focus: None,
            photos_pending: 0,
            photo_error: None,
        }
    }

    /// Whether the form has an input (or a place for the message) for an engine path; the
    /// rest goes to the banner.
    pub fn shows(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["address", "latitude" | "longitude"] => false,
            ["address", _]
            | ["price" | "currency" | "beds" | "baths" | "living_area" | "lot_area"]
            | ["property_type" | "status" | "visibility" | "description" | "features"]
            | ["mls_number" | "media" | "open_houses"] => true,
            ["open_houses", i, "date" | "starts_at" | "ends_at"] => i
                .parse::<usize>()
                .is_ok_and(|i| i < self.draft.open_houses.len()),
            // Only tour links have an input; a photo's problem is the banner's.
            ["media", i, "uri"] => i
                .parse::<usize>()
                .ok()
                .and_then(|i| self.draft.media.get(i))
                .is_some_and(|m| m.kind == MediaKind::ExternalTour),
            _ => false,
        }
    }

    /// Inputs in the order the form shows them: where focus goes after a refused submit.
    pub fn order(&self) -> Vec<String> {
        let mut order: Vec<String> = [
            "address.line1",
            "address.line2",
            "address.city",
            "address.region",
            "address.postal_code",
            "address.country",
            "price",
            "currency",
            "property_type",
            "status",
            "visibility",
            "beds",
            "baths",
            "living_area",
            "lot_area",
            "mls_number",
            "description",
            "features",
        ]
        .map(String::from)
        .to_vec();
        order.extend(
            self.draft
                .tours()
                .into_iter()
                .map(|i| format!("media.{i}.uri")),
        );
        for i in 0..self.draft.open_houses.len() {
            order.extend(["date", "starts_at", "ends_at"].map(|p| format!("open_houses.{i}.{p}")));
        }
        order
    }

    fn focus_first_error(&mut self) {
        let order = self.order();
        if let Some(path) = self.errors.first_of(order.iter().map(String::as_str)) {
            let seq = self.focus.as_ref().map_or(1, |focus| focus.seq + 1);
            self.focus = Some(FocusField {
                path: path.to_owned(),
                seq,
            });
        }
    }
}

/// The engine names each feature (`features.3`); the form has one input for all of them.
fn form_path(path: String) -> String {
    if path.starts_with("features.") {
        "features".into()
    } else {
        path
    }
}

impl Reducible for ListingForm {
    type Action = ListingFormAction;

    fn reduce(self: Rc<Self>, action: ListingFormAction) -> Rc<Self> {
        if matches!(action, ListingFormAction::Submit)
            && (self.submitting || self.photos_pending > 0)
        {
            return self;
        }
        let mut next = (*self).clone();
        match action {
            ListingFormAction::Edit(edit) => {
                let (paths, renumbers) = (edit.paths(), edit.renumbers());
                if !next.draft.apply(edit) {
                    // `change` repeats `input`'s text: an edit that changes nothing must not
                    // hide the engine's verdict.
                    return self;
                }
                for path in paths {
                    next.errors.clear(&path);
                }
                if let Some(prefix) = renumbers {
                    next.errors
                        .fields
                        .retain(|path, _| !path.starts_with(prefix));
                }
                next.dirty = true;
            }
            ListingFormAction::Submit => {
                next.draft.drop_blank_tours();
                match next.draft.to_input(next.local) {
                    Ok(input) => {
                        next.errors = FormErrors::default();
                        next.submitting = true;
                        next.submit_seq += 1;
                        next.submitted = Some(input);
                    }
                    Err(errors) => {
                        next.errors = errors;
                        next.focus_first_error();
                    }
                }
            }
            ListingFormAction::Saved(listing) => {
                next.submitting = false;
                next.submitted = None;
                next.errors = FormErrors::default();
                next.draft = ListingDraft::from_listing(&listing, next.local);
                next.saved = Some(*listing);
                next.dirty = false;
            }
            ListingFormAction::Failed(mut error) => {
                next.submitting = false;
                next.submitted = None;
                for field in &mut error.fields {
                    field.field = form_path(std::mem::take(&mut field.field));
                }
                next.errors = FormErrors::from_error(error, |path| next.shows(path));
                next.focus_first_error();
            }
            ListingFormAction::Reset(draft) => {
                let (focus, saved) = (next.focus.take(), next.saved.take());
                next = ListingForm::new(*draft, next.local);
                next.focus = focus;
                next.saved = saved;
            }
            ListingFormAction::PhotosPicked(count) => {
                next.photos_pending += count;
                next.photo_error = None;
            }
            ListingFormAction::PhotoStored(uri) => {
                next.photos_pending = next.photos_pending.saturating_sub(1);
                next.draft.apply(ListingEdit::AddPhoto(uri));
                next.errors.clear("media");
                next.dirty = true;
            }
            ListingFormAction::PhotoFailed(message) => {
                next.photos_pending = next.photos_pending.saturating_sub(1);
                next.photo_error = Some(message);
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "listing_form_tests.rs"]
mod tests;
