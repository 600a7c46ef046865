//! Settings' "Your phone" card: the agent's own number, which the server rings first when the
//! agent presses Call on a contact. A one-field form of the generic form reducer: the number is
//! checked on the device as it will be kept (E.164, with a sentence saying what to fix) before
//! it is sent, and the shell checks it again. Blank clears it: calls are then dialled here.

use super::form::{FieldPath, FormErrors};
use super::record_form::{Form, FormAction, FormRecord, Submits};
use fieldstone_protocol::commands::{CommandError, Preferences};
use std::rc::Rc;
use yew::Reducible;

/// The input's element id.
pub const AGENT_PHONE_INPUT: &str = "agent-phone";

/// The card's one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentPhoneField;

impl FieldPath for AgentPhoneField {
    /// The shell's name for it (`set_agent_phone`'s).
    fn path(self) -> String {
        "agent_phone".into()
    }

    fn input_id(self, _prefix: &str) -> String {
        AGENT_PHONE_INPUT.into()
    }
}

/// The number as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentPhone(pub String);

impl FormRecord for AgentPhone {
    type Setup = ();
    type Edit = String;
    /// E.164, or empty to clear.
    type Input = String;
    type Saved = Preferences;

    fn apply(&mut self, text: String) -> bool {
        let changed = self.0 != text;
        self.0 = text;
        changed
    }

    fn stale_paths(_: &String) -> Vec<String> {
        vec![AgentPhoneField.path()]
    }

    fn to_input(&mut self, (): &()) -> Result<String, FormErrors> {
        if self.0.trim().is_empty() {
            return Ok(String::new());
        }
        fieldstone_model::e164(&self.0).map_err(|problem| {
            let mut errors = FormErrors::default();
            errors.set_field(AgentPhoneField, problem);
            errors
        })
    }

    fn from_saved(saved: &Preferences, (): &()) -> Self {
        AgentPhone(saved.agent_phone.clone().unwrap_or_default())
    }

    fn shows(&self, (): &(), path: &str) -> bool {
        path == AgentPhoneField.path()
    }

    fn order(&self, (): &()) -> Vec<String> {
        vec![AgentPhoneField.path()]
    }
}

/// The card: the number as stored, and the form editing it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneSettings {
    /// `None` while reading; the reason when it could not be read (and never was).
    pub loaded: Option<Result<(), String>>,
    /// Kept with the account, so the agent's other devices use it too.
    pub follows_you: bool,
    pub stored: Option<String>,
    pub form: Form<AgentPhone>,
    /// Grows with every read asked for (the first, or Retry).
    pub read_seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PhoneAction {
    Loaded(Result<Preferences, CommandError>),
    Retry,
    Form(FormAction<AgentPhone>),
}

impl Default for PhoneSettings {
    fn default() -> Self {
        PhoneSettings {
            loaded: None,
            follows_you: false,
            stored: None,
            form: Form::default(),
            read_seq: 1,
        }
    }
}

impl PhoneSettings {
    pub fn apply(&mut self, action: PhoneAction) {
        match action {
            PhoneAction::Loaded(Ok(preferences)) => {
                self.loaded = Some(Ok(()));
                self.follows_you = preferences.follows_you;
                self.stored = preferences.agent_phone.clone();
                // A number set on another device shows, unless the agent is typing one here.
                if !self.form.dirty && !self.form.submitting {
                    let draft = AgentPhone(preferences.agent_phone.unwrap_or_default());
                    self.form.apply(FormAction::Reset(Box::new(draft)));
                }
            }
            PhoneAction::Loaded(Err(error)) => {
                if !matches!(self.loaded, Some(Ok(()))) {
                    self.loaded = Some(Err(error.message));
                }
            }
            PhoneAction::Retry => {
                self.loaded = None;
                self.read_seq += 1;
            }
            PhoneAction::Form(action) => {
                if let FormAction::Saved(preferences) = &action {
                    self.follows_you = preferences.follows_you;
                    self.stored = preferences.agent_phone.clone();
                }
                self.form.apply(action);
            }
        }
    }

    pub fn value(&self) -> &str {
        &self.form.draft.0
    }

    /// The message under the input: the device's check or the shell's, or a refusal of the
    /// save as a whole.
    pub fn error(&self) -> Option<&str> {
        self.form
            .errors
            .of(AgentPhoneField)
            .or(self.form.errors.banner.as_deref())
    }

    /// Save is offered once the number typed differs from the one kept.
    pub fn can_save(&self) -> bool {
        self.form.dirty && !self.form.submitting
    }

    /// "Saved" shows after a save until the number is edited again.
    pub fn shows_saved(&self) -> bool {
        self.form.saved.is_some() && !self.form.dirty && !self.form.submitting
    }

    /// What the card says under the input: what the number is for, and where it is kept.
    pub fn explanation(&self) -> &'static str {
        match (self.stored.is_some(), self.follows_you) {
            (true, true) => "When you press Call, Fieldstone rings this phone first and connects the contact once you answer. Your other devices use it too.",
            (true, false) => "When you press Call while signed in, Fieldstone rings this phone first and connects the contact once you answer.",
            (false, _) => "Your own mobile, with + and the country code. When you press Call, Fieldstone rings it first and connects the contact once you answer; without it, calls are dialled from this device.",
        }
    }
}

impl Reducible for PhoneSettings {
    type Action = PhoneAction;

    fn reduce(self: Rc<Self>, action: PhoneAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

impl Submits for PhoneSettings {
    type Input = String;
    type Saved = Preferences;

    fn submit_seq(&self) -> u64 {
        self.form.submit_seq
    }

    fn submitted(&self) -> Option<String> {
        self.form.submitted.clone()
    }

    fn answered(outcome: Result<Preferences, CommandError>) -> PhoneAction {
        PhoneAction::Form(FormAction::answer(outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::{FieldError, Locale};
    use fieldstone_protocol::commands::CommandErrorCode;

    fn preferences(phone: Option<&str>) -> Preferences {
        Preferences {
            locale: Locale::default(),
            smart_lists: Vec::new(),
            follows_you: true,
            agent_phone: phone.map(str::to_owned),
            time_zone: "UTC".into(),
            time_zone_chosen: false,
            weekly_report: true,
            calendar_feed: false,
        }
    }

    fn card(phone: Option<&str>) -> PhoneSettings {
        let mut card = PhoneSettings::default();
        card.apply(PhoneAction::Loaded(Ok(preferences(phone))));
        card
    }

    #[test]
    fn a_number_is_checked_on_the_device_and_sent_as_e164() {
        let mut card = card(None);
        assert!(!card.can_save());
        card.apply(PhoneAction::Form(FormAction::Edit("415 555 0100".into())));
        card.apply(PhoneAction::Form(FormAction::Submit));
        assert!(!card.form.submitting, "nothing sent");
        assert!(card
            .error()
            .expect("said")
            .starts_with("Start with + and the country code"));
        assert_eq!(
            card.form.focus.as_ref().map(|f| f.path.as_str()),
            Some("agent_phone")
        );
        // Typing again clears the message; a good number goes out as E.164.
        card.apply(PhoneAction::Form(FormAction::Edit(
            "+1 (415) 555-0100".into(),
        )));
        assert_eq!(card.error(), None);
        card.apply(PhoneAction::Form(FormAction::Submit));
        assert_eq!(card.form.submitted.as_deref(), Some("+14155550100"));
        card.apply(PhoneAction::Form(FormAction::Saved(Box::new(preferences(
            Some("+14155550100"),
        )))));
        assert_eq!(card.value(), "+14155550100", "shown as kept");
        assert_eq!(card.stored.as_deref(), Some("+14155550100"));
        assert!(card.shows_saved());
        assert!(card.explanation().contains("Your other devices use it too"));
    }

    #[test]
    fn blank_clears_the_number() {
        let mut card = card(Some("+14155550100"));
        assert_eq!(card.value(), "+14155550100");
        card.apply(PhoneAction::Form(FormAction::Edit("  ".into())));
        card.apply(PhoneAction::Form(FormAction::Submit));
        assert_eq!(card.form.submitted.as_deref(), Some(""));
    }

    #[test]
    fn the_shells_refusal_lands_under_the_input_and_typing_is_kept_over_a_reload() {
        let mut card = card(None);
        card.apply(PhoneAction::Form(FormAction::Edit(
            "+1 415 555 0100".into(),
        )));
        // A number set on another device arrives while typing: the typing stays.
        card.apply(PhoneAction::Loaded(Ok(preferences(Some("+442079460958")))));
        assert_eq!(card.value(), "+1 415 555 0100");
        card.apply(PhoneAction::Form(FormAction::Submit));
        card.apply(PhoneAction::Form(FormAction::Failed(CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: vec![FieldError {
                field: "agent_phone".into(),
                message: "A country code never starts with 0.".into(),
            }],
            detail: None,
        })));
        assert_eq!(card.error(), Some("A country code never starts with 0."));
        assert!(!card.form.submitting);
    }

    #[test]
    fn a_failed_first_read_says_why_and_retry_reads_again() {
        let mut card = PhoneSettings::default();
        card.apply(PhoneAction::Loaded(Err(CommandError::new(
            CommandErrorCode::Storage,
            "disk full",
        ))));
        assert_eq!(card.loaded, Some(Err("disk full".into())));
        let seq = card.read_seq;
        card.apply(PhoneAction::Retry);
        assert_eq!(card.loaded, None);
        assert_eq!(card.read_seq, seq + 1);
    }
}
