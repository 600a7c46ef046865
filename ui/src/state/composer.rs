//! The contact screen's composer: add a note, write an email or a text, log a call, schedule a
//! booking, create a task. Each tab keeps its draft while another is shown.
//! Text stays as typed until the submit turns it into the engine's input; dates and times are
//! the device's local wall clock, turned into instants with the local offset.

use super::form::{parse_optional, FormErrors};
use super::format::Local;
use super::message_draft::{self, MessageDraft};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use fieldstone_model::{
    Attendees, BookingInput, BookingKind, BookingStatus, Channel, Choice, ContactId, Direction,
    InteractionInput, MessageChannel, NoteInput, Priority, RecordRef, TaskInput, TaskKind,
    TaskStatus,
};

/// What the composer makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ComposerKind {
    #[default]
    Note,
    Email,
    Text,
    Call,
    Booking,
    Task,
}

impl ComposerKind {
    pub const ALL: [ComposerKind; 6] = [
        ComposerKind::Note,
        ComposerKind::Email,
        ComposerKind::Text,
        ComposerKind::Call,
        ComposerKind::Booking,
        ComposerKind::Task,
    ];

    pub const fn key(self) -> &'static str {
        match self {
            ComposerKind::Note => "note",
            ComposerKind::Email => "email",
            ComposerKind::Text => "text",
            ComposerKind::Call => "call",
            ComposerKind::Booking => "booking",
            ComposerKind::Task => "task",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ComposerKind::Note => "Note",
            ComposerKind::Email => "Email",
            ComposerKind::Text => "Text",
            ComposerKind::Call => "Log a call",
            ComposerKind::Booking => "Booking",
            ComposerKind::Task => "Task",
        }
    }

    /// The channel of a message tab.
    pub const fn message_channel(self) -> Option<MessageChannel> {
        match self {
            ComposerKind::Email => Some(MessageChannel::Email),
            ComposerKind::Text => Some(MessageChannel::Sms),
            _ => None,
        }
    }
}

/// The composer's inputs, by name (also the engine's field names where they are the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composer {
    pub kind: ComposerKind,
    pub body: String,
    pub pinned: bool,
    pub channel: Channel,
    pub direction: Direction,
    pub summary: String,
    pub outcome: String,
    /// Minutes, for calls and meetings.
    pub duration: String,
    pub booking_kind: BookingKind,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub time: String,
    /// Minutes.
    pub length: String,
    pub location: String,
    pub priority: Priority,
    /// The Email and Text tabs' drafts.
    pub message: MessageDraft,
}

impl Composer {
    /// A blank composer whose booking and task dates start on `today` at the next full hour.
    pub fn new(today: NaiveDate, hour: u32) -> Self {
        Composer {
            kind: ComposerKind::Note,
            body: String::new(),
            pinned: false,
            channel: Channel::Call,
            direction: Direction::Outbound,
            summary: String::new(),
            outcome: String::new(),
            duration: String::new(),
            booking_kind: BookingKind::Showing,
            title: String::new(),
            date: today.format("%Y-%m-%d").to_string(),
            time: format!("{:02}:00", (hour + 1).min(23)),
            length: "60".into(),
            location: String::new(),
            priority: Priority::Medium,
            message: MessageDraft::default(),
        }
    }

    /// Sets the input `name` from its text; answers whether anything changed.
    pub fn set(&mut self, name: &str, value: String) -> bool {
        fn choice<T: Choice>(slot: &mut T, value: &str) {
            if let Some(found) = T::all().iter().copied().find(|c| c.as_str() == value) {
                *slot = found;
            }
        }
        let before = self.clone();
        match name {
            "body" => self.body = value,
            "pinned" => self.pinned = value == "true",
            "channel" => choice(&mut self.channel, &value),
            "direction" => choice(&mut self.direction, &value),
            "summary" => self.summary = value,
            "outcome" => self.outcome = value,
            "duration" => self.duration = value,
            "booking_kind" => choice(&mut self.booking_kind, &value),
            "title" => self.title = value,
            "date" => self.date = value,
            "time" => self.time = value,
            "length" => self.length = value,
            "location" => self.location = value,
            "priority" => choice(&mut self.priority, &value),
            other => {
                self.message.set(other, value);
            }
        }
        *self != before
    }

    /// The engine field a composer input's message is reported under.
    pub fn engine_field(name: &str) -> &str {
        match name {
            "duration" => "duration_seconds",
            "date" | "time" => "starts_at",
            "length" => "ends_at",
            "booking_kind" => "kind",
            other => other,
        }
    }

    /// The composer input an engine field's message belongs next to.
    pub fn input_for(kind: ComposerKind, field: &str) -> Option<&'static str> {
        Some(match (kind, field) {
            (ComposerKind::Note, "body") => "body",
            (ComposerKind::Call, "summary") => "summary",
            (ComposerKind::Call, "outcome") => "outcome",
            (ComposerKind::Call, "duration_seconds") => "duration",
            (ComposerKind::Booking, "title") => "title",
            (ComposerKind::Booking, "starts_at") => "time",
            (ComposerKind::Booking, "ends_at") => "length",
            (ComposerKind::Booking, "location") => "location",
            (ComposerKind::Task, "title") => "title",
            (ComposerKind::Task, "due_at") => "time",
            (kind, field) => return message_draft::input_name(kind.message_channel()?, field),
        })
    }

    /// When the booking (or task) is set for, on the local wall clock.
    pub fn starts_at(&self, local: Local) -> Result<DateTime<Utc>, FormErrors> {
        let mut errors = FormErrors::default();
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d");
        let time = NaiveTime::parse_from_str(self.time.trim(), "%H:%M");
        if date.is_err() {
            errors.set("date", "Enter a date, such as 2026-11-03.");
        }
        if time.is_err() {
            errors.set("time", "Enter a time, such as 14:30.");
        }
        match (date, time) {
            (Ok(date), Ok(time)) => Ok(local.instant(date.and_time(time))),
            _ => Err(errors),
        }
    }

    /// `[start, end)` of the booking being written, if its date, time and length read.
    pub fn booking_window(&self, local: Local) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let start = self.starts_at(local).ok()?;
        let minutes = parse_optional::<i64>(&self.length).ok().flatten()?;
        (minutes > 0).then(|| (start, start + Duration::minutes(minutes)))
    }

    pub fn note(&self, contact: ContactId) -> NoteInput {
        NoteInput {
            record: RecordRef::Contact(contact),
            body: self.body.clone(),
            pinned: self.pinned,
        }
    }

    pub fn call(
        &self,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<InteractionInput, FormErrors> {
        let minutes = parse_optional::<u32>(&self.duration).map_err(|_| {
            let mut errors = FormErrors::default();
            errors.set("duration", "Enter the length in whole minutes, such as 15.");
            errors
        })?;
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(InteractionInput {
            contact,
            listing: None,
            channel: self.channel,
            direction: self.direction,
            summary: self.summary.clone(),
            outcome: optional(&self.outcome),
            duration_seconds: minutes.map(|m| m.saturating_mul(60)),
            occurred_at: now,
        })
    }

    pub fn booking(
        &self,
        contact: ContactId,
        local: Local,
        time_zone: &str,
    ) -> Result<BookingInput, FormErrors> {
        self.booking_with(
            local,
            time_zone,
            BookingInput {
                kind: self.booking_kind,
                title: None,
                starts_at: DateTime::UNIX_EPOCH,
                ends_at: DateTime::UNIX_EPOCH,
                time_zone: String::new(),
                location: None,
                attendees: Attendees {
                    contacts: vec![contact],
                    users: Vec::new(),
                },
                listing: None,
                status: BookingStatus::Scheduled,
                reminders: vec![30],
            },
        )
    }

    /// The booking the form describes, keeping what the form does not show (attendees, listing,
    /// status, reminders) from `base`.
    pub fn booking_with(
        &self,
        local: Local,
        time_zone: &str,
        base: BookingInput,
    ) -> Result<BookingInput, FormErrors> {
        let starts_at = self.starts_at(local)?;
        let minutes = match parse_optional::<i64>(&self.length) {
            Ok(Some(minutes)) => minutes,
            Ok(None) | Err(_) => {
                let mut errors = FormErrors::default();
                errors.set("length", "Enter how long it lasts in minutes, such as 45.");
                return Err(errors);
            }
        };
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(BookingInput {
            kind: self.booking_kind,
            title: optional(&self.title),
            starts_at,
            ends_at: starts_at + Duration::minutes(minutes),
            time_zone: time_zone.to_owned(),
            location: optional(&self.location),
            ..base
        })
    }

    pub fn task(&self, contact: ContactId, local: Local) -> Result<TaskInput, FormErrors> {
        let due_at = if self.date.trim().is_empty() {
            None
        } else {
            Some(self.starts_at(local)?)
        };
        Ok(TaskInput {
            title: self.title.clone(),
            due_at,
            priority: self.priority,
            status: TaskStatus::Pending,
            kind: TaskKind::Custom,
            record: Some(RecordRef::Contact(contact)),
        })
    }

    /// After a successful submit: the text of this kind goes, the choices stay.
    pub fn clear(&mut self) {
        match self.kind {
            ComposerKind::Note => {
                self.body.clear();
                self.pinned = false;
            }
            ComposerKind::Call => {
                self.summary.clear();
                self.outcome.clear();
                self.duration.clear();
            }
            ComposerKind::Booking | ComposerKind::Task => {
                self.title.clear();
                self.location.clear();
            }
            ComposerKind::Email => self.message.clear(MessageChannel::Email),
            ComposerKind::Text => self.message.clear(MessageChannel::Sms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn contact() -> ContactId {
        "00000000-0000-4000-8000-000000000001"
            .parse()
            .expect("valid id")
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 3).expect("date")
    }

    #[test]
    fn a_new_composer_proposes_the_next_hour_today() {
        let composer = Composer::new(day(), 9);
        assert_eq!(composer.date, "2026-11-03");
        assert_eq!(composer.time, "10:00");
        assert_eq!(Composer::new(day(), 23).time, "23:00");
    }

    #[test]
    fn a_booking_is_on_the_local_wall_clock() {
        let mut composer = Composer::new(day(), 9);
        composer.set("time", "14:30".into());
        composer.set("length", "45".into());
        composer.set("booking_kind", "open_house".into());
        composer.set("location", " 12 Elm St ".into());
        let paris = Local { offset_minutes: 60 };
        let booking = composer
            .booking(contact(), paris, "Europe/Paris")
            .expect("valid");
        let start = Utc
            .with_ymd_and_hms(2026, 11, 3, 13, 30, 0)
            .single()
            .expect("t");
        assert_eq!(booking.starts_at, start);
        assert_eq!(booking.ends_at, start + Duration::minutes(45));
        assert_eq!(booking.kind, BookingKind::OpenHouse);
        assert_eq!(booking.location.as_deref(), Some("12 Elm St"));
        assert_eq!(booking.attendees.contacts, [contact()]);
        assert!(booking.validate().is_ok());
        assert_eq!(
            composer.booking_window(paris),
            Some((booking.starts_at, booking.ends_at))
        );
    }

    #[test]
    fn unreadable_times_are_reported_next_to_their_inputs() {
        let mut composer = Composer::new(day(), 9);
        composer.set("time", "soon".into());
        let errors = composer
            .booking(contact(), Local::UTC, "UTC")
            .expect_err("no time");
        assert!(errors.get("time").is_some());
        assert_eq!(composer.booking_window(Local::UTC), None);
        composer.set("time", "10:00".into());
        composer.set("length", "a while".into());
        let errors = composer
            .booking(contact(), Local::UTC, "UTC")
            .expect_err("no length");
        assert!(errors.get("length").is_some());
    }

    #[test]
    fn a_call_is_logged_now_with_minutes_as_seconds() {
        let mut composer = Composer::new(day(), 9);
        composer.kind = ComposerKind::Call;
        composer.set("summary", "Wants a garden".into());
        composer.set("duration", "12".into());
        composer.set("direction", "inbound".into());
        let now = Utc
            .with_ymd_and_hms(2026, 11, 3, 9, 5, 0)
            .single()
            .expect("t");
        let call = composer.call(contact(), now).expect("valid");
        assert_eq!(call.duration_seconds, Some(720));
        assert_eq!(call.direction, Direction::Inbound);
        assert_eq!(call.occurred_at, now);
        assert!(call.validate().is_ok());
        composer.clear();
        assert!(composer.summary.is_empty());
        assert_eq!(composer.direction, Direction::Inbound, "choices stay");
    }

    #[test]
    fn a_task_without_a_date_has_no_due_time() {
        let mut composer = Composer::new(day(), 9);
        composer.set("title", "Send comparables".into());
        composer.set("date", String::new());
        let task = composer.task(contact(), Local::UTC).expect("valid");
        assert_eq!(task.due_at, None);
        assert_eq!(task.record, Some(RecordRef::Contact(contact())));
        assert!(task.validate().is_ok());
    }

    #[test]
    fn engine_fields_map_to_inputs() {
        assert_eq!(
            Composer::input_for(ComposerKind::Booking, "ends_at"),
            Some("length")
        );
        assert_eq!(
            Composer::input_for(ComposerKind::Call, "duration_seconds"),
            Some("duration")
        );
        assert_eq!(Composer::input_for(ComposerKind::Note, "record"), None);
        assert_eq!(Composer::engine_field("duration"), "duration_seconds");
    }
}
