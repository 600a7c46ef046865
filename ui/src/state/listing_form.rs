//! A listing form being filled in and sent, in the new-listing dialog or the editor of a
//! listing: the generic form reducer over a [`ListingDraft`], plus the photos being stored as
//! they are picked (they join the draft by their `uri`; a submit waits for them).

use super::form::{FieldPath, FormErrors};
use super::format::Local;
use super::listing_draft::{ListingDraft, ListingEdit};
use super::listing_field::{ListingField, OpenHousePart};
use super::record_form::{Form, FormAction, FormRecord, Submits};
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

#[derive(Debug, Clone, PartialEq)]
pub struct ListingForm {
    /// Open-house times are typed in this device's local time (the form's setup).
    pub form: Form<ListingDraft>,
    /// Picked photos still being stored.
    pub photos_pending: usize,
    /// Why the last picked photo was not added.
    pub photo_error: Option<String>,
}

impl ListingForm {
    pub fn new(draft: ListingDraft, local: Local) -> Self {
        ListingForm {
            form: Form::new(local, draft),
            photos_pending: 0,
            photo_error: None,
        }
    }
}

impl FormRecord for ListingDraft {
    type Setup = Local;
    type Edit = ListingEdit;
    type Input = ListingInput;
    type Saved = Listing;

    fn apply(&mut self, edit: ListingEdit) -> bool {
        ListingDraft::apply(self, edit)
    }

    fn stale_paths(edit: &ListingEdit) -> Vec<String> {
        edit.paths()
    }

    fn renumbers(edit: &ListingEdit) -> Option<&'static str> {
        edit.renumbers()
    }

    fn to_input(&mut self, local: &Local) -> Result<ListingInput, FormErrors> {
        self.drop_blank_tours();
        ListingDraft::to_input(self, *local)
    }

    fn from_saved(listing: &Listing, local: &Local) -> Self {
        ListingDraft::from_listing(listing, *local)
    }

    fn shows(&self, _: &Local, path: &str) -> bool {
        match ListingField::parse(path) {
            // The unit selects carry no message of their own.
            Some(ListingField::LivingAreaUnit | ListingField::LotAreaUnit) | None => false,
            Some(ListingField::OpenHouse(i, _)) => i < self.open_houses.len(),
            // Only tour links have an input; a photo's problem is the banner's.
            Some(ListingField::MediaUri(i)) => self
                .media
                .get(i)
                .is_some_and(|m| m.kind == MediaKind::ExternalTour),
            Some(_) => true,
        }
    }

    fn order(&self, _: &Local) -> Vec<String> {
        let mut order = ListingField::FORM_ORDER.to_vec();
        order.extend(self.tours().into_iter().map(ListingField::MediaUri));
        for i in 0..self.open_houses.len() {
            order.extend(OpenHousePart::ALL.map(|part| ListingField::OpenHouse(i, part)));
        }
        order.into_iter().map(FieldPath::path).collect()
    }

    /// The engine names each feature (`features.3`); the form has one input for all of them.
    fn form_path(path: String) -> String {
        if path.starts_with("features.") {
            "features".into()
        } else {
            path
        }
    }
}

impl Reducible for ListingForm {
    type Action = ListingFormAction;

    fn reduce(self: Rc<Self>, action: ListingFormAction) -> Rc<Self> {
        let mut next = (*self).clone();
        let changed = match action {
            // Photos still being stored would be missing from what is sent.
            ListingFormAction::Submit if next.photos_pending > 0 => false,
            ListingFormAction::Submit => next.form.apply(FormAction::Submit),
            ListingFormAction::Edit(edit) => next.form.apply(FormAction::Edit(edit)),
            ListingFormAction::Saved(listing) => next.form.apply(FormAction::Saved(listing)),
            ListingFormAction::Failed(error) => next.form.apply(FormAction::Failed(error)),
            ListingFormAction::Reset(draft) => {
                next.photos_pending = 0;
                next.photo_error = None;
                next.form.apply(FormAction::Reset(draft))
            }
            ListingFormAction::PhotosPicked(count) => {
                next.photos_pending += count;
                next.photo_error = None;
                true
            }
            ListingFormAction::PhotoStored(uri) => {
                next.photos_pending = next.photos_pending.saturating_sub(1);
                next.form.draft.apply(ListingEdit::AddPhoto(uri));
                next.form.errors.clear("media");
                next.form.dirty = true;
                true
            }
            ListingFormAction::PhotoFailed(message) => {
                next.photos_pending = next.photos_pending.saturating_sub(1);
                next.photo_error = Some(message);
                true
            }
        };
        if changed {
            Rc::new(next)
        } else {
            self
        }
    }
}

impl Submits for ListingForm {
    type Input = ListingInput;
    type Saved = Listing;

    fn submit_seq(&self) -> u64 {
        self.form.submit_seq
    }

    fn submitted(&self) -> Option<ListingInput> {
        self.form.submitted.clone()
    }

    fn answered(outcome: Result<Listing, CommandError>) -> ListingFormAction {
        match outcome {
            Ok(listing) => ListingFormAction::Saved(Box::new(listing)),
            Err(error) => ListingFormAction::Failed(error),
        }
    }
}

#[cfg(test)]
#[path = "listing_form_tests.rs"]
mod tests;
