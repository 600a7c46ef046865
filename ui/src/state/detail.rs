//! One contact's screen: the contact with its conflict markers, the timeline (notes,
//! interactions, bookings, tasks; newest first, in pages; and the contact's messages), the
//! composer, the overlap warning for a booking being written, the consent warning for a
//! message being written, and the dialog that settles a conflicting edit.
//!
//! As in the list, every reload is a new generation and answers to older ones are dropped.

use super::composer::{Composer, ComposerKind};
use super::contact_messages::ContactMessages;
use super::form::FormErrors;
use super::format::Local;
use super::message_draft::{self, Recipients};
use super::ListView;
use chrono::{DateTime, NaiveDate, Utc};
use fieldstone_model::{
    BookingInput, ContactId, InteractionInput, Message, MessageChannel, MessageId, MessageInput,
    NoteInput, Refusal, TaskId, TaskInput, TaskStatus,
};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, ContactDetail, OverlapCheck};
use fieldstone_protocol::views::{
    BookingSummary, FieldConflict, MessageSummary, TimelineCursor, TimelineEntry, TimelinePage,
};
use std::rc::Rc;
use yew::Reducible;

/// At phone width one half of the screen shows at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetailTab {
    #[default]
    Activity,
    Details,
}

/// What the composer sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposerInput {
    Note(NoteInput),
    Call(InteractionInput),
    Booking(BookingInput),
    Task(TaskInput),
    Message(MessageInput),
}

/// A composer submit to run; `seq` grows so the screen runs each once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposerRun {
    pub seq: u64,
    pub input: ComposerInput,
}

/// What a composer submit stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Composed {
    Note,
    Call,
    /// With the other bookings it overlaps.
    Booking(Vec<BookingSummary>),
    Task,
    /// Queued, to go out when the server has it.
    Message(MessageChannel, MessageId),
}

/// Where the facts a submit needs come from: the device's clock and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Here {
    pub now: DateTime<Utc>,
    pub local: Local,
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DetailAction {
    Reload,
    Loaded {
        request: u64,
        detail: Box<ContactDetail>,
    },
    LoadFailed {
        request: u64,
        error: CommandError,
    },
    TimelineLoaded {
        request: u64,
        page: TimelinePage,
        more: bool,
    },
    TimelineFailed {
        request: u64,
        message: String,
    },
    TimelineMore,
    Tab(DetailTab),
    Compose(ComposerKind, Local),
    ComposerSet(String, String, Local),
    Submit(Here),
    Composed(Result<Composed, CommandError>),
    /// The overlap check's answer, or why it could not be made.
    Overlaps {
        seq: u64,
        bookings: Result<Vec<BookingSummary>, String>,
    },
    DismissMessage,
    OpenConflict(String),
    CloseConflict,
    Resolve(String),
    Resolved(Result<Vec<FieldConflict>, String>),
    SetTaskStatus(TaskId, TaskStatus),
    TaskUpdated(Result<(), String>),
    /// A task or the follow-up plan changed elsewhere (a dialog): read again, and say what
    /// happened.
    Changed(String),
    /// The contact's messages for generation `request`.
    MessagesLoaded {
        request: u64,
        result: Result<Vec<MessageSummary>, String>,
    },
    /// Open (or close) a message on the timeline to show its events.
    ToggleMessage(MessageId),
    MessageRead {
        seq: u64,
        result: Result<Box<Message>, String>,
    },
    Withdraw(MessageId),
    Withdrawn(Result<(), String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    pub id: ContactId,
    pub view: ListView,
    /// The contact is gone (deleted, or never existed here).
    pub missing: bool,
    pub detail: Option<Rc<ContactDetail>>,
    pub request: u64,
    pub timeline: Rc<Vec<TimelineEntry>>,
    pub timeline_next: Option<TimelineCursor>,
    pub timeline_loaded: bool,
    pub timeline_error: Option<String>,
    pub timeline_more: Option<TimelineCursor>,
    pub timeline_more_seq: u64,
    pub tab: DetailTab,
    pub composer: Composer,
    pub composer_errors: FormErrors,
    pub run: Option<ComposerRun>,
    run_seq: u64,
    /// What the last submit did ("Note added."), until the next edit.
    pub message: Option<String>,
    /// The message is a warning (booked, but it overlaps), not a plain success.
    pub message_warns: bool,
    /// Bookings the one being written (or just saved) overlaps.
    pub overlaps: Vec<BookingSummary>,
    /// The check to run for the booking being written; `seq` grows with every change.
    pub overlap_check: Option<(u64, OverlapCheck)>,
    overlap_seq: u64,
    /// The field whose concurrent values the dialog shows.
    pub conflict_open: Option<String>,
    /// A choice being written: (seq, field, choice).
    pub resolving: Option<(u64, String, String)>,
    resolve_seq: u64,
    pub conflict_error: Option<String>,
    /// A task status change to write: (seq, task, status).
    pub task_update: Option<(u64, TaskId, TaskStatus)>,
    task_seq: u64,
    /// The contact's messages, shown on the timeline.
    pub messages: ContactMessages,
    /// The contact's addresses and numbers the Email and Text tabs offer.
    pub recipients: Recipients,
    /// The message just queued, offered to be undone beside "Email queued" (and only there).
    pub undo: Option<MessageId>,
}

impl DetailState {
    pub fn new(id: ContactId, today: NaiveDate, hour: u32) -> Self {
        DetailState {
            id,
            view: ListView::Loading,
            missing: false,
            detail: None,
            request: 1,
            timeline: Rc::new(Vec::new()),
            timeline_next: None,
            timeline_loaded: false,
            timeline_error: None,
            timeline_more: None,
            timeline_more_seq: 0,
            tab: DetailTab::Activity,
            composer: Composer::new(today, hour),
            composer_errors: FormErrors::default(),
            run: None,
            run_seq: 0,
            message: None,
            message_warns: false,
            overlaps: Vec::new(),
            overlap_check: None,
            overlap_seq: 0,
            conflict_open: None,
            resolving: None,
            resolve_seq: 0,
            conflict_error: None,
            task_update: None,
            task_seq: 0,
            messages: ContactMessages::default(),
            recipients: Recipients::default(),
            undo: None,
        }
    }

    /// Why the server will refuse the message being written, by the contact's consent, if it
    /// will (shown before it is sent).
    pub fn composer_refusal(&self) -> Option<Refusal> {
        let channel = self.composer.kind.message_channel()?;
        let detail = self.detail.as_ref()?;
        message_draft::consent_refusal(&detail.contact.consent, channel)
    }

    pub fn conflicts(&self) -> &[FieldConflict] {
        self.detail.as_ref().map_or(&[], |d| d.conflicts.as_slice())
    }

    pub fn open_conflict(&self) -> Option<&FieldConflict> {
        let field = self.conflict_open.as_deref()?;
        self.conflicts().iter().find(|c| c.field == field)
    }

    fn check_overlaps(&mut self, local: Local) {
        if self.composer.kind != ComposerKind::Booking {
            return;
        }
        self.overlap_seq += 1;
        self.overlap_check = self
            .composer
            .booking_window(local)
            .map(|(starts_at, ends_at)| {
                (
                    self.overlap_seq,
                    OverlapCheck {
                        starts_at,
                        ends_at,
                        except: None,
                    },
                )
            });
        if self.overlap_check.is_none() {
            self.overlaps.clear();
        }
    }

    fn submit(&mut self, here: &Here) {
        let id = self.id;
        let input = match self.composer.kind {
            ComposerKind::Note => Ok(ComposerInput::Note(self.composer.note(id))),
            ComposerKind::Call => self.composer.call(id, here.now).map(ComposerInput::Call),
            ComposerKind::Booking => self
                .composer
                .booking(id, here.local, &here.time_zone)
                .map(ComposerInput::Booking),
            ComposerKind::Task => self.composer.task(id, here.local).map(ComposerInput::Task),
            ComposerKind::Email | ComposerKind::Text => {
                let channel = self
                    .composer
                    .kind
                    .message_channel()
                    .unwrap_or(MessageChannel::Email);
                self.composer
                    .message
                    .message(id, channel)
                    .map(ComposerInput::Message)
            }
        };
        match input {
            Ok(input) => {
                self.run_seq += 1;
                self.run = Some(ComposerRun {
                    seq: self.run_seq,
                    input,
                });
                self.composer_errors = FormErrors::default();
                self.message = None;
            }
            Err(errors) => self.composer_errors = errors,
        }
    }

    fn composed(&mut self, result: Result<Composed, CommandError>) {
        self.run = None;
        match result {
            Ok(composed) => {
                self.message = Some(match &composed {
                    Composed::Note => "Note added.".to_owned(),
                    Composed::Call => "Call logged.".to_owned(),
                    Composed::Booking(overlaps) => booked(overlaps),
                    Composed::Task => "Task created.".to_owned(),
                    Composed::Message(MessageChannel::Email, _) => {
                        "Email queued: it is on the timeline, and goes out once synced.".to_owned()
                    }
                    Composed::Message(MessageChannel::Sms, _) => {
                        "Text queued: it is on the timeline, and goes out once synced.".to_owned()
                    }
                });
                // One message says it all: the live overlap warning was about the booking
                // being written, which is now saved (and the form cleared).
                self.message_warns =
                    matches!(&composed, Composed::Booking(overlaps) if !overlaps.is_empty());
                // A message just queued can be taken back from the composer while it waits.
                self.undo = match composed {
                    Composed::Message(_, id) => Some(id),
                    _ => None,
                };
                self.overlaps.clear();
                self.overlap_check = None;
                self.composer.clear();
                self.reload();
            }
            Err(error) => {
                let kind = self.composer.kind;
                self.composer_errors = FormErrors::from_error(error, |field| {
                    Composer::input_for(kind, field).is_some()
                });
                // Messages are shown under the composer's own input names.
                let fields = std::mem::take(&mut self.composer_errors.fields);
                for (field, message) in fields {
                    if let Some(input) = Composer::input_for(kind, &field) {
                        self.composer_errors
                            .fields
                            .entry(input.into())
                            .or_insert(message);
                    }
                }
            }
        }
    }

    fn reload(&mut self) {
        self.request += 1;
        self.timeline_more = None;
        self.messages.reload();
    }
}

impl Reducible for DetailState {
    type Action = DetailAction;

    fn reduce(self: Rc<Self>, action: DetailAction) -> Rc<Self> {
        match &action {
            DetailAction::Loaded { request, .. }
            | DetailAction::LoadFailed { request, .. }
            | DetailAction::TimelineLoaded { request, .. }
            | DetailAction::TimelineFailed { request, .. }
            | DetailAction::MessagesLoaded { request, .. }
                if *request != self.request =>
            {
                return self;
            }
            DetailAction::Overlaps { seq, .. }
                if self.overlap_check.as_ref().map(|(s, _)| *s) != Some(*seq) =>
            {
                return self;
            }
            DetailAction::Submit(_) if self.run.is_some() => return self,
            DetailAction::TimelineMore
                if self.timeline_more.is_some() || self.timeline_next.is_none() =>
            {
                return self;
            }
            DetailAction::Resolve(_) if self.resolving.is_some() => return self,
            DetailAction::Withdraw(_) if self.messages.withdraw.is_some() => return self,
            _ => {}
        }
        let queued = matches!(&action, DetailAction::Composed(Ok(Composed::Message(..))));
        let mut next = (*self).clone();
        match action {
            DetailAction::Reload => next.reload(),
            DetailAction::Loaded { detail, .. } => {
                next.view = ListView::Loaded;
                next.missing = false;
                // A conflict settled elsewhere closes its dialog.
                if let Some(field) = &next.conflict_open {
                    if !detail.conflicts.iter().any(|c| &c.field == field) {
                        next.conflict_open = None;
                    }
                }
                // The Email and Text tabs follow the contact's addresses and numbers.
                let recipients = Recipients::of(&detail.contact);
                next.composer.message.address(&recipients, &next.recipients);
                next.recipients = recipients;
                next.detail = Some(Rc::new(*detail));
            }
            DetailAction::LoadFailed { error, .. } => {
                next.missing = error.code == CommandErrorCode::NotFound;
                if next.detail.is_none() {
                    next.view = ListView::Failed(error.message);
                }
            }
            DetailAction::TimelineLoaded { page, more, .. } => {
                if more {
                    let mut entries = (*next.timeline).clone();
                    entries.extend(page.entries);
                    next.timeline = Rc::new(entries);
                    next.timeline_more = None;
                } else {
                    next.timeline = Rc::new(page.entries);
                }
                next.timeline_next = page.next;
                next.timeline_loaded = true;
                next.timeline_error = None;
            }
            DetailAction::TimelineFailed { message, .. } => {
                next.timeline_more = None;
                next.timeline_error = Some(message);
            }
            DetailAction::TimelineMore => {
                next.timeline_more = next.timeline_next.clone();
                next.timeline_more_seq += 1;
            }
            DetailAction::Tab(tab) => next.tab = tab,
            DetailAction::Compose(kind, local) => {
                if next.composer.kind == kind {
                    return self;
                }
                next.composer.kind = kind;
                next.composer_errors = FormErrors::default();
                next.message = None;
                next.overlaps.clear();
                next.overlap_check = None;
                next.check_overlaps(local);
            }
            DetailAction::ComposerSet(name, value, local) => {
                if !next.composer.set(&name, value) {
                    return self;
                }
                next.composer_errors.clear(&name);
                next.message = None;
                if matches!(name.as_str(), "date" | "time" | "length") {
                    next.check_overlaps(local);
                }
            }
            DetailAction::Submit(here) => next.submit(&here),
            DetailAction::Composed(result) => next.composed(result),
            DetailAction::Overlaps { bookings, .. } => match bookings {
                Ok(bookings) => next.overlaps = bookings,
                Err(message) => {
                    next.overlaps = Vec::new();
                    next.composer_errors.banner = Some(format!(
                        "Couldn't check for overlapping bookings: {message}"
                    ));
                }
            },
            DetailAction::DismissMessage => next.message = None,
            DetailAction::OpenConflict(field) => {
                next.conflict_open = Some(field);
                next.conflict_error = None;
            }
            DetailAction::CloseConflict => {
                next.conflict_open = None;
                next.conflict_error = None;
            }
            DetailAction::Resolve(choice) => {
                if let Some(field) = next.conflict_open.clone() {
                    next.resolve_seq += 1;
                    next.resolving = Some((next.resolve_seq, field, choice));
                }
            }
            DetailAction::Resolved(result) => {
                next.resolving = None;
                match result {
                    Ok(left) => {
                        if let Some(detail) = &next.detail {
                            let mut detail = (**detail).clone();
                            detail.conflicts = left;
                            next.detail = Some(Rc::new(detail));
                        }
                        next.conflict_open = None;
                        next.message = Some("Conflict settled.".into());
                        next.reload();
                    }
                    Err(message) => next.conflict_error = Some(message),
                }
            }
            DetailAction::SetTaskStatus(task, status) => {
                next.task_seq += 1;
                next.task_update = Some((next.task_seq, task, status));
            }
            DetailAction::TaskUpdated(result) => {
                next.task_update = None;
                match result {
                    Ok(()) => next.reload(),
                    Err(message) => next.message = Some(message),
                }
            }
            DetailAction::Changed(said) => {
                next.message = Some(said);
                next.message_warns = false;
                next.reload();
            }
            DetailAction::MessagesLoaded { result, .. } => next.messages.loaded(result),
            DetailAction::ToggleMessage(id) => next.messages.toggle(id),
            DetailAction::MessageRead { seq, result } => {
                if !next.messages.fetched(seq, result) {
                    return self;
                }
            }
            DetailAction::Withdraw(id) => {
                next.messages.withdraw(id);
            }
            DetailAction::Withdrawn(result) => {
                let done = result.is_ok();
                let undone = next.messages.withdraw.map(|(_, id)| id) == next.undo;
                next.messages.withdrawn(result);
                if done {
                    if undone {
                        next.message = Some("Withdrawn: it will not be sent.".into());
                    }
                    next.reload();
                }
            }
        }
        // The undo belongs to the sentence it sits beside.
        if !queued && next.message != self.message {
            next.undo = None;
        }
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "detail_messages_tests.rs"]
mod message_tests;

/// "Booked.", or "Booked — it overlaps another booking (Showing at 10:00)." naming what it
/// overlaps.
fn booked(overlaps: &[BookingSummary]) -> String {
    let names: Vec<String> = overlaps
        .iter()
        .map(|b| b.title.clone().unwrap_or_else(|| b.kind.label().to_owned()))
        .collect();
    match names.len() {
        0 => "Booked.".to_owned(),
        1 => format!("Booked — it overlaps another booking ({}).", names[0]),
        n => format!(
            "Booked — it overlaps {n} other bookings ({}).",
            names.join(", ")
        ),
    }
}
