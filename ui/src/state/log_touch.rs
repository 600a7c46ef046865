//! The "log a touch" dialog behind a contact's Call, Text, WhatsApp, Email and Log call
//! buttons, as a reducer: every keystroke, channel and outcome applies to the latest form, not
//! to the copy a callback captured when the dialog last drew (a click right after typing would
//! otherwise put back a summary without its last letters).

use super::reach::Reach;
use fieldstone_model::{ContactId, Direction, InteractionInput, ListingId};
use std::rc::Rc;
use yew::Reducible;

/// The log dialog's form.
#[derive(Debug, Clone, PartialEq)]
pub struct LogForm {
    pub reach: Reach,
    /// Opened right after a link was handed to the OS ("Log this call?").
    pub prompted: bool,
    pub outcome: Option<&'static str>,
    pub summary: String,
    pub minutes: String,
    /// The home the call was about: it then shows on that listing's page too.
    pub listing: Option<ListingId>,
    pub error: Option<String>,
    pub busy: bool,
}

impl LogForm {
    pub fn new(reach: Reach, name: &str, prompted: bool) -> Self {
        LogForm {
            reach,
            prompted,
            outcome: None,
            summary: reach.summary(name),
            minutes: String::new(),
            listing: None,
            error: None,
            busy: false,
        }
    }

    pub fn title(&self, name: &str) -> String {
        match (self.prompted, self.reach) {
            (true, reach) => format!("Log this {}?", reach.noun()),
            (false, _) => format!("Log a touch with {name}"),
        }
    }
}

/// The interaction the log form describes, or the sentence saying what to fix.
pub fn interaction(
    contact: ContactId,
    form: &LogForm,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<InteractionInput, String> {
    let summary = form.summary.trim();
    if summary.is_empty() {
        return Err("Write a line about it (what was said or agreed).".to_owned());
    }
    let minutes = form.minutes.trim();
    let duration_seconds = if minutes.is_empty() || !form.reach.channel().has_duration() {
        None
    } else {
        match minutes.parse::<u32>() {
            Ok(m) if (1..=1_440).contains(&m) => Some(m * 60),
            _ => {
                return Err(format!(
                    "\"{minutes}\" is not a number of minutes (1 to 1440)."
                ));
            }
        }
    };
    Ok(InteractionInput {
        contact,
        listing: form.listing,
        channel: form.reach.channel(),
        direction: Direction::Outbound,
        summary: summary.to_owned(),
        outcome: form.outcome.map(str::to_owned),
        duration_seconds,
        occurred_at: now,
    })
}

/// The dialog (when open), the save under way and the sentence left after the last one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogTouch {
    pub form: Option<LogForm>,
    /// The save to run, numbered so its answer is matched to it.
    pub run: Option<(u64, InteractionInput)>,
    seq: u64,
    /// Counts finished saves: the screen reloads what shows them.
    pub logged: u64,
    /// What the agent last saw happen: (it worked, sentence).
    pub notice: Option<(bool, String)>,
}

#[derive(Debug, Clone)]
pub enum LogAction {
    Open(Reach, String, bool),
    Close,
    Summary(String),
    Minutes(String),
    /// The channel, with the contact's name for the default line.
    Choose(Reach, String),
    Listing(Option<ListingId>),
    Outcome(&'static str),
    Submit(ContactId, chrono::DateTime<chrono::Utc>),
    Saved {
        seq: u64,
        result: Result<(), String>,
    },
    Notice(Option<(bool, String)>),
}

impl Reducible for LogTouch {
    type Action = LogAction;

    fn reduce(self: Rc<Self>, action: LogAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LogAction::Open(reach, name, prompted) => {
                next.form = Some(LogForm::new(reach, &name, prompted));
                next.run = None;
                if prompted {
                    next.notice = None;
                }
            }
            LogAction::Close => {
                next.form = None;
                next.run = None;
            }
            LogAction::Notice(notice) => next.notice = notice,
            LogAction::Saved { seq, result } => {
                if next.run.as_ref().map(|(s, _)| *s) != Some(seq) {
                    return self;
                }
                next.run = None;
                match result {
                    Ok(()) => {
                        if let Some(form) = next.form.take() {
                            next.notice =
                                Some((true, format!("{} logged.", form.reach.channel().label())));
                        }
                        next.logged += 1;
                    }
                    Err(message) => {
                        if let Some(form) = next.form.as_mut() {
                            form.busy = false;
                            form.error = Some(message);
                        }
                    }
                }
            }
            action => {
                let Some(form) = next.form.as_mut() else {
                    return self;
                };
                if form.busy {
                    return self;
                }
                form.error = None;
                match action {
                    LogAction::Summary(value) => form.summary = value,
                    LogAction::Minutes(value) => form.minutes = value,
                    LogAction::Choose(reach, name) => {
                        let mut chosen = LogForm::new(reach, &name, form.prompted);
                        // Keep what the agent wrote unless it is still the default line.
                        if form.summary != form.reach.summary(&name) {
                            chosen.summary = std::mem::take(&mut form.summary);
                        }
                        chosen.listing = form.listing;
                        *form = chosen;
                    }
                    LogAction::Listing(listing) => form.listing = listing,
                    LogAction::Outcome(value) => {
                        form.outcome = (form.outcome != Some(value)).then_some(value);
                    }
                    LogAction::Submit(contact, now) => match interaction(contact, form, now) {
                        Err(message) => form.error = Some(message),
                        Ok(input) => {
                            form.busy = true;
                            next.seq += 1;
                            next.run = Some((next.seq, input));
                        }
                    },
                    _ => return self,
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn a_logged_call_carries_its_channel_outcome_and_minutes() {
        let contact: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let mut form = LogForm::new(Reach::Call, "Ada King", true);
        form.outcome = Some("Left voicemail");
        form.minutes = "3".into();
        let input = interaction(contact, &form, at()).expect("valid");
        assert_eq!(input.channel, fieldstone_model::Channel::Call);
        assert_eq!(input.summary, "Called Ada King");
        assert_eq!(input.outcome.as_deref(), Some("Left voicemail"));
        assert_eq!(input.duration_seconds, Some(180));
        assert_eq!(input.direction, Direction::Outbound);
        assert_eq!(input.listing, None);
        assert!(input.validate().is_ok());
        // About a home: the listing goes with it.
        let listing: ListingId = "00000000-0000-4000-8000-000000000009".parse().expect("id");
        form.listing = Some(listing);
        let about = interaction(contact, &form, at()).expect("valid");
        assert_eq!(about.listing, Some(listing));
    }

    #[test]
    fn an_empty_summary_or_a_bad_duration_is_refused_with_a_sentence() {
        let contact: ContactId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let mut form = LogForm::new(Reach::Call, "Ada King", false);
        form.summary = "  ".into();
        assert!(interaction(contact, &form, at())
            .expect_err("refused")
            .contains("Write a line"));
        form.summary = "Talked".into();
        form.minutes = "ten".into();
        assert!(interaction(contact, &form, at())
            .expect_err("refused")
            .contains("\"ten\" is not a number of minutes"));
        // A text has no duration: whatever is in the box is not sent.
        let mut text = LogForm::new(Reach::Text, "Ada King", true);
        text.minutes = "ten".into();
        assert_eq!(
            interaction(contact, &text, at())
                .expect("valid")
                .duration_seconds,
            None
        );
    }

    fn contact() -> ContactId {
        "00000000-0000-4000-8000-000000000001".parse().expect("id")
    }

    fn apply(state: Rc<LogTouch>, actions: Vec<LogAction>) -> Rc<LogTouch> {
        actions.into_iter().fold(state, Reducible::reduce)
    }

    #[test]
    fn a_channel_chosen_right_after_typing_keeps_every_letter_typed() {
        let state = apply(
            Rc::default(),
            vec![
                LogAction::Open(Reach::Call, "Ada King".into(), false),
                LogAction::Summary(String::new()),
                LogAction::Submit(contact(), at()),
            ],
        );
        let form = state.form.clone().expect("still open");
        assert!(form.error.expect("refused").contains("Write a line"));
        assert!(state.run.is_none());
        // Keystrokes then a channel, with no redraw in between: the last letter stays.
        let state = apply(
            state,
            vec![
                LogAction::Summary("Met at the open hous".into()),
                LogAction::Summary("Met at the open house".into()),
                LogAction::Choose(Reach::Text, "Ada King".into()),
                LogAction::Submit(contact(), at()),
            ],
        );
        let (seq, input) = state.run.clone().expect("saving");
        assert_eq!(input.summary, "Met at the open house");
        assert_eq!(input.channel, fieldstone_model::Channel::Sms);
        // A second submit while saving does nothing; a stale answer is ignored.
        let busy = apply(Rc::clone(&state), vec![LogAction::Submit(contact(), at())]);
        assert_eq!(busy.run.as_ref().map(|(s, _)| *s), Some(seq));
        let stale = apply(
            Rc::clone(&state),
            vec![LogAction::Saved {
                seq: seq + 1,
                result: Ok(()),
            }],
        );
        assert!(stale.form.is_some());
        let done = apply(
            state,
            vec![LogAction::Saved {
                seq,
                result: Ok(()),
            }],
        );
        assert!(done.form.is_none());
        assert_eq!(done.logged, 1);
        assert_eq!(done.notice, Some((true, "SMS logged.".into())));
    }

    #[test]
    fn a_refused_save_keeps_the_form_with_the_reason() {
        let state = apply(
            Rc::default(),
            vec![
                LogAction::Open(Reach::Call, "Ada King".into(), true),
                LogAction::Submit(contact(), at()),
            ],
        );
        let (seq, _) = state.run.clone().expect("saving");
        let state = apply(
            state,
            vec![LogAction::Saved {
                seq,
                result: Err("The store is read-only.".into()),
            }],
        );
        let form = state.form.clone().expect("kept");
        assert!(!form.busy);
        assert_eq!(form.error.as_deref(), Some("The store is read-only."));
        assert_eq!(form.summary, "Called Ada King");
        assert_eq!(state.logged, 0);
    }

    #[test]
    fn the_prompt_names_what_was_just_started() {
        assert_eq!(
            LogForm::new(Reach::Call, "Ada", true).title("Ada"),
            "Log this call?"
        );
        assert_eq!(
            LogForm::new(Reach::Text, "Ada", true).title("Ada"),
            "Log this text?"
        );
        assert_eq!(
            LogForm::new(Reach::Call, "Ada", false).title("Ada"),
            "Log a touch with Ada"
        );
    }
}
