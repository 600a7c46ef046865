//! The calendar's booking editor as a record of the generic form reducer: the composer's
//! booking fields and the status, sent as a new booking or a change to the stored one. What the
//! editor adds around it (loading the stored booking, the overlap check, deleting) stays in
//! [`super::calendar`].

use super::composer::{Composer, ComposerKind};
use super::detail::Here;
use super::form::FormErrors;
use super::format::Local;
use super::record_form::FormRecord;
use fieldstone_model::{
    Attendees, Booking, BookingId, BookingInput, BookingStatus, ContactId, ListingId,
};
use fieldstone_protocol::commands::BookingSaved;

/// What a save sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorSave {
    Create(BookingInput),
    Update(BookingId, BookingInput),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingDraft {
    /// `None`: a new booking.
    pub id: Option<BookingId>,
    /// The booking as stored, while editing one (what the form does not show is kept).
    pub base: Option<Booking>,
    /// The booking's inputs (`title`, `date`, `time`, `length`, `location`, the kind).
    pub fields: Composer,
    pub status: BookingStatus,
    /// The contacts it is with, in the order they were added.
    pub with: Vec<ContactId>,
    /// The home it is about.
    pub listing: Option<ListingId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingEdit {
    /// The composer input of this name.
    Set(String, String),
    Status(BookingStatus),
    AddWith(ContactId),
    RemoveWith(ContactId),
    Listing(Option<ListingId>),
}

/// The calendar's wall clock, and where the last save asked from (its clock and time zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingSetup {
    pub local: Local,
    pub here: Option<Here>,
}

impl BookingDraft {
    pub fn new(id: Option<BookingId>, fields: Composer) -> Self {
        BookingDraft {
            id,
            base: None,
            fields,
            status: BookingStatus::Scheduled,
            with: Vec::new(),
            listing: None,
        }
    }

    /// The stored booking, ready to change.
    pub fn stored(booking: Booking, local: Local) -> Self {
        BookingDraft {
            id: Some(booking.id),
            fields: form_for(&booking, local),
            status: booking.status,
            with: booking.attendees.contacts.clone(),
            listing: booking.listing,
            base: Some(booking),
        }
    }

    /// What the form does not show, from the stored booking (or defaults for a new one).
    fn base_input(&self, here: &Here) -> BookingInput {
        let base = self.base.as_ref().map_or_else(
            || BookingInput {
                kind: self.fields.booking_kind,
                title: None,
                starts_at: here.now,
                ends_at: here.now,
                time_zone: String::new(),
                location: None,
                attendees: Attendees::default(),
                listing: None,
                status: BookingStatus::Scheduled,
                reminders: vec![30],
            },
            |b| BookingInput {
                kind: b.kind,
                title: b.title.clone(),
                starts_at: b.starts_at,
                ends_at: b.ends_at,
                time_zone: b.time_zone.clone(),
                location: b.location.clone(),
                attendees: b.attendees.clone(),
                listing: b.listing,
                status: b.status,
                reminders: b.reminders.clone(),
            },
        );
        BookingInput {
            status: self.status,
            attendees: Attendees {
                contacts: self.with.clone(),
                ..base.attendees
            },
            listing: self.listing,
            ..base
        }
    }
}

fn form_for(booking: &Booking, local: Local) -> Composer {
    let start = local.naive(booking.starts_at);
    let mut form = Composer::new(start.date(), 0);
    form.kind = ComposerKind::Booking;
    form.booking_kind = booking.kind;
    form.title = booking.title.clone().unwrap_or_default();
    form.date = start.date().format("%Y-%m-%d").to_string();
    form.time = start.format("%H:%M").to_string();
    form.length = booking.duration().num_minutes().to_string();
    form.location = booking.location.clone().unwrap_or_default();
    form
}

impl FormRecord for BookingDraft {
    type Setup = BookingSetup;
    type Edit = BookingEdit;
    type Input = EditorSave;
    type Saved = BookingSaved;

    fn apply(&mut self, edit: BookingEdit) -> bool {
        match edit {
            BookingEdit::Set(name, value) => self.fields.set(&name, value),
            BookingEdit::Status(status) => {
                let changed = self.status != status;
                self.status = status;
                changed
            }
            BookingEdit::AddWith(id) => {
                let new = !self.with.contains(&id);
                if new {
                    self.with.push(id);
                }
                new
            }
            BookingEdit::RemoveWith(id) => {
                let before = self.with.len();
                self.with.retain(|c| *c != id);
                self.with.len() != before
            }
            BookingEdit::Listing(listing) => {
                let changed = self.listing != listing;
                self.listing = listing;
                changed
            }
        }
    }

    fn stale_paths(edit: &BookingEdit) -> Vec<String> {
        match edit {
            BookingEdit::Set(name, _) => vec![name.clone()],
            BookingEdit::Status(_)
            | BookingEdit::AddWith(_)
            | BookingEdit::RemoveWith(_)
            | BookingEdit::Listing(_) => Vec::new(),
        }
    }

    fn to_input(&mut self, setup: &BookingSetup) -> Result<EditorSave, FormErrors> {
        let Some(here) = &setup.here else {
            // A save always says where it is asked from; without it nothing is sent.
            return Err(FormErrors {
                banner: Some("The device's clock could not be read.".into()),
                ..FormErrors::default()
            });
        };
        let input = self
            .fields
            .booking_with(here.local, &here.time_zone, self.base_input(here))?;
        Ok(match self.id {
            Some(id) => EditorSave::Update(id, input),
            None => EditorSave::Create(input),
        })
    }

    /// Saved (the editor stays open only when the booking overlaps another): now an edit of
    /// the stored booking.
    fn from_saved(saved: &BookingSaved, setup: &BookingSetup) -> Self {
        BookingDraft::stored(saved.booking.clone(), setup.local)
    }

    /// The booking inputs; the engine's other messages go to the banner.
    fn shows(&self, _: &BookingSetup, path: &str) -> bool {
        matches!(path, "title" | "time" | "length" | "location")
    }

    fn order(&self, _: &BookingSetup) -> Vec<String> {
        ["title", "date", "time", "length", "location"]
            .map(String::from)
            .to_vec()
    }

    /// The engine's field names as the composer's inputs (`starts_at` is the `time` input).
    fn form_path(path: String) -> String {
        Composer::input_for(ComposerKind::Booking, &path).map_or(path, str::to_owned)
    }
}
