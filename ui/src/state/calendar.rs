//! The calendar: a day or a week of bookings on the local wall clock, and the editor that
//! creates or changes one, warning (never refusing) when it overlaps the agent's other bookings.

pub use super::booking_form::{BookingDraft, BookingEdit, BookingSetup, EditorSave};
use super::composer::{Composer, ComposerKind};
use super::detail::Here;
use super::format::Local;
use super::record_form::{Form, FormAction};
use super::ListView;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use fieldstone_model::{Booking, BookingId, BookingStatus, ContactId, ListingId};
use fieldstone_protocol::commands::{BookingSaved, BookingWindow, CommandError, OverlapCheck};
use fieldstone_protocol::views::BookingSummary;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalendarView {
    Day,
    #[default]
    Week,
}

/// What the editor writes: a new booking or a change to one.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingEditor {
    /// The booking being written, on the generic form reducer.
    pub form: Form<BookingDraft>,
    /// The stored booking is being fetched.
    pub loading: bool,
    pub deleting: Option<(u64, BookingId)>,
    pub overlaps: Vec<BookingSummary>,
    pub check: Option<(u64, OverlapCheck)>,
    /// Saved, and it overlaps: the editor stays open to say so.
    pub saved_with_overlaps: bool,
    /// Names of the contacts picked or stored, to show them.
    pub names: Vec<(ContactId, String)>,
}

impl BookingEditor {
    /// The name of a contact the booking is with ("A contact" while it is not known here).
    pub fn name_of(&self, id: ContactId) -> String {
        self.names
            .iter()
            .find(|(c, _)| *c == id)
            .map_or_else(|| "A contact".to_owned(), |(_, n)| n.clone())
    }
}

impl BookingEditor {
    /// `None`: a new booking.
    pub fn id(&self) -> Option<BookingId> {
        self.form.draft.id
    }

    /// The save being sent, numbered.
    pub fn saving(&self) -> Option<(u64, EditorSave)> {
        let save = self.form.submitted.clone()?;
        Some((self.form.submit_seq, save))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarAction {
    View(CalendarView),
    Previous,
    Next,
    Today,
    Reload,
    Loaded {
        request: u64,
        bookings: Vec<BookingSummary>,
    },
    Failed {
        request: u64,
        message: String,
    },
    /// A new booking, starting at this local day and hour.
    New(NaiveDate, u32),
    Edit(BookingId),
    EditorLoaded(Box<Result<Booking, String>>),
    Set(String, String),
    /// A contact picked for "With" (its name, to show it).
    With(ContactId, String),
    Unwith(ContactId),
    Listing(Option<ListingId>),
    Status(BookingStatus),
    Save(Here),
    Saved(Result<Box<BookingSaved>, CommandError>),
    Delete,
    Deleted(Result<(), String>),
    /// The overlap check's answer, or why it could not be made.
    Overlaps {
        seq: u64,
        bookings: Result<Vec<BookingSummary>, String>,
    },
    Close,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CalendarState {
    pub view: CalendarView,
    /// The day shown, or a day of the week shown.
    pub anchor: NaiveDate,
    pub today: NaiveDate,
    pub local: Local,
    pub bookings: Rc<Vec<BookingSummary>>,
    pub load: ListView,
    pub request: u64,
    pub editor: Option<BookingEditor>,
    seq: u64,
    pub message: Option<String>,
}

impl CalendarState {
    pub fn new(now: DateTime<Utc>, local: Local) -> Self {
        let today = local.date(now);
        CalendarState {
            view: CalendarView::Week,
            anchor: today,
            today,
            local,
            bookings: Rc::new(Vec::new()),
            load: ListView::Loading,
            request: 1,
            editor: None,
            seq: 0,
            message: None,
        }
    }

    /// The local days shown, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        match self.view {
            CalendarView::Day => vec![self.anchor],
            CalendarView::Week => {
                let monday = self.anchor
                    - Duration::days(i64::from(self.anchor.weekday().num_days_from_monday()));
                (0..7).map(|i| monday + Duration::days(i)).collect()
            }
        }
    }

    /// The instants `[from, to)` the days shown cover: what to ask the engine for.
    pub fn window(&self) -> BookingWindow {
        let days = self.days();
        let first = days.first().copied().unwrap_or(self.anchor);
        let last = days.last().copied().unwrap_or(self.anchor);
        BookingWindow {
            from: self.local.day_start(first),
            to: self.local.day_start(last + Duration::days(1)),
        }
    }

    /// The bookings starting on local day `day`, earliest first.
    pub fn on_day(&self, day: NaiveDate) -> Vec<&BookingSummary> {
        let mut shown: Vec<&BookingSummary> = self
            .bookings
            .iter()
            .filter(|b| b.deleted_at.is_none() && self.local.date(b.starts_at) == day)
            .collect();
        shown.sort_by_key(|b| (b.starts_at, b.ends_at));
        shown
    }

    /// Whether `booking` shares time with another shown booking (cancelled ones take none).
    pub fn clashes(&self, booking: &BookingSummary) -> bool {
        let takes_time =
            |b: &BookingSummary| b.status != BookingStatus::Cancelled && b.deleted_at.is_none();
        takes_time(booking)
            && self.bookings.iter().any(|other| {
                other.id != booking.id
                    && takes_time(other)
                    && other.starts_at < booking.ends_at
                    && booking.starts_at < other.ends_at
            })
    }

    /// "2 – 8 November 2026" or "Wednesday 4 November 2026", in the agent's date order.
    pub fn title(&self) -> String {
        let days = self.days();
        match (days.first(), days.last()) {
            (Some(first), Some(last)) if first != last => super::format::date_range(*first, *last),
            _ => super::format::long_date(self.anchor, true),
        }
    }

    fn step(&self) -> Duration {
        match self.view {
            CalendarView::Day => Duration::days(1),
            CalendarView::Week => Duration::days(7),
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn check(&mut self) {
        let seq = self.next_seq();
        let local = self.local;
        if let Some(editor) = &mut self.editor {
            editor.check =
                editor
                    .form
                    .draft
                    .fields
                    .booking_window(local)
                    .map(|(starts_at, ends_at)| {
                        (
                            seq,
                            OverlapCheck {
                                starts_at,
                                ends_at,
                                except: editor.id(),
                            },
                        )
                    });
            if editor.check.is_none() {
                editor.overlaps.clear();
            }
        }
    }

    fn open(&mut self, id: Option<BookingId>, fields: Composer) {
        let setup = BookingSetup {
            local: self.local,
            here: None,
        };
        self.editor = Some(BookingEditor {
            form: Form::new(setup, BookingDraft::new(id, fields)),
            loading: id.is_some(),
            deleting: None,
            overlaps: Vec::new(),
            check: None,
            saved_with_overlaps: false,
            names: Vec::new(),
        });
    }
}

impl Reducible for CalendarState {
    type Action = CalendarAction;

    fn reduce(self: Rc<Self>, action: CalendarAction) -> Rc<Self> {
        let editor = self.editor.as_ref();
        match &action {
            CalendarAction::Loaded { request, .. } | CalendarAction::Failed { request, .. }
                if *request != self.request =>
            {
                return self;
            }
            CalendarAction::Overlaps { seq, .. }
                if editor.and_then(|e| e.check.as_ref()).map(|(s, _)| *s) != Some(*seq) =>
            {
                return self;
            }
            CalendarAction::Save(_) | CalendarAction::Delete
                if editor
                    .is_none_or(|e| e.form.submitting || e.deleting.is_some() || e.loading) =>
            {
                return self;
            }
            CalendarAction::Set(..)
            | CalendarAction::Status(_)
            | CalendarAction::EditorLoaded(_)
            | CalendarAction::Saved(_)
            | CalendarAction::Deleted(_)
                if editor.is_none() =>
            {
                return self;
            }
            _ => {}
        }
        let mut next = (*self).clone();
        match action {
            CalendarAction::View(view) => {
                if next.view == view {
                    return self;
                }
                next.view = view;
                next.request += 1;
            }
            CalendarAction::Previous => {
                next.anchor -= next.step();
                next.request += 1;
            }
            CalendarAction::Next => {
                next.anchor += next.step();
                next.request += 1;
            }
            CalendarAction::Today => {
                if next.anchor == next.today {
                    return self;
                }
                next.anchor = next.today;
                next.request += 1;
            }
            CalendarAction::Reload => next.request += 1,
            CalendarAction::Loaded { bookings, .. } => {
                next.bookings = Rc::new(bookings);
                next.load = ListView::Loaded;
            }
            CalendarAction::Failed { message, .. } => {
                if next.load == ListView::Loaded {
                    next.message = Some(message);
                } else {
                    next.load = ListView::Failed(message);
                }
            }
            CalendarAction::New(day, hour) => {
                let mut form = Composer::new(day, hour.saturating_sub(1));
                form.kind = ComposerKind::Booking;
                next.open(None, form);
                next.check();
            }
            CalendarAction::Edit(id) => {
                let form = Composer::new(next.anchor, 8);
                next.open(Some(id), form);
            }
            CalendarAction::EditorLoaded(result) => {
                let local = next.local;
                if let Some(editor) = &mut next.editor {
                    editor.loading = false;
                    match *result {
                        Ok(booking) => {
                            // The list already knows the names of those it is with.
                            if let Some(shown) = next.bookings.iter().find(|b| b.id == booking.id) {
                                editor.names.extend(shown.with.iter().cloned());
                            }
                            editor.form.draft = BookingDraft::stored(booking, local);
                        }
                        Err(message) => editor.form.errors.banner = Some(message),
                    }
                }
                next.check();
            }
            CalendarAction::With(..) | CalendarAction::Unwith(_) | CalendarAction::Listing(_) => {
                let Some(editor) = &mut next.editor else {
                    return self;
                };
                let edit = match action {
                    CalendarAction::With(id, name) => {
                        if !editor.names.iter().any(|(c, _)| *c == id) {
                            editor.names.push((id, name));
                        }
                        BookingEdit::AddWith(id)
                    }
                    CalendarAction::Unwith(id) => BookingEdit::RemoveWith(id),
                    CalendarAction::Listing(listing) => BookingEdit::Listing(listing),
                    _ => return self,
                };
                editor.form.apply(FormAction::Edit(edit));
            }
            CalendarAction::Set(name, value) => {
                let Some(editor) = &mut next.editor else {
                    return self;
                };
                let retime = matches!(name.as_str(), "date" | "time" | "length");
                if !editor
                    .form
                    .apply(FormAction::Edit(BookingEdit::Set(name, value)))
                {
                    return self;
                }
                editor.saved_with_overlaps = false;
                if retime {
                    next.check();
                }
            }
            CalendarAction::Status(status) => {
                if let Some(editor) = &mut next.editor {
                    editor
                        .form
                        .apply(FormAction::Edit(BookingEdit::Status(status)));
                }
            }
            CalendarAction::Save(here) => {
                if let Some(editor) = &mut next.editor {
                    editor.form.setup.here = Some(here);
                    editor.form.apply(FormAction::Submit);
                }
            }
            CalendarAction::Saved(result) => {
                let Some(editor) = &mut next.editor else {
                    return self;
                };
                match result {
                    Ok(saved) if saved.overlaps.is_empty() => {
                        next.editor = None;
                        next.message = Some("Booking saved.".into());
                    }
                    Ok(saved) => {
                        editor.overlaps = saved.overlaps.clone();
                        editor.form.apply(FormAction::Saved(saved));
                        editor.check = None;
                        editor.saved_with_overlaps = true;
                    }
                    Err(error) => {
                        editor.form.apply(FormAction::Failed(error));
                        return Rc::new(next);
                    }
                }
                next.request += 1;
            }
            CalendarAction::Delete => {
                let seq = next.next_seq();
                if let Some(editor) = &mut next.editor {
                    match editor.id() {
                        Some(id) => editor.deleting = Some((seq, id)),
                        None => next.editor = None,
                    }
                }
            }
            CalendarAction::Deleted(result) => match result {
                Ok(()) => {
                    next.editor = None;
                    next.message = Some("Booking deleted.".into());
                    next.request += 1;
                }
                Err(message) => {
                    if let Some(editor) = &mut next.editor {
                        editor.deleting = None;
                        editor.form.errors.banner = Some(message);
                    }
                }
            },
            CalendarAction::Overlaps { bookings, .. } => {
                if let Some(editor) = &mut next.editor {
                    match bookings {
                        Ok(bookings) => editor.overlaps = bookings,
                        Err(message) => {
                            editor.overlaps = Vec::new();
                            editor.form.errors.banner = Some(format!(
                                "Couldn't check for overlapping bookings: {message}"
                            ));
                        }
                    }
                }
            }
            CalendarAction::Close => {
                if next.editor.is_none() && next.message.is_none() {
                    return self;
                }
                next.editor = None;
                next.message = None;
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
