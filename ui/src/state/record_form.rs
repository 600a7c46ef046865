//! One form reducer for every record: a draft being typed, a submit at a time, the engine's
//! verdict next to the fields it names, focus on the first refused field, "dirty" until saved.
//! A record kind says only what is particular to it (its [`FormRecord`]: how an edit changes
//! the draft, which fields the form shows and in which order, how the draft becomes the
//! engine's input), so a new editor is a draft type and a field table, not a new reducer.

use super::form::FormErrors;
use fieldstone_protocol::commands::CommandError;
use std::rc::Rc;
use yew::Reducible;

/// What a record's draft tells the generic form.
pub trait FormRecord: Clone + PartialEq + 'static {
    /// What the form knows besides the draft (which inputs it shows, the local time zone).
    type Setup: Clone + PartialEq + 'static;
    type Edit: Clone + PartialEq + 'static;
    /// What a submit sends the engine.
    type Input: Clone + PartialEq + 'static;
    /// What the engine answers with once it stored the record.
    type Saved: Clone + PartialEq + 'static;

    /// Applies an edit; answers whether anything changed.
    fn apply(&mut self, edit: Self::Edit) -> bool;
    /// The engine paths whose messages `edit` makes stale.
    fn stale_paths(edit: &Self::Edit) -> Vec<String>;
    /// Rows shift under `edit`: messages about paths starting so no longer point at theirs.
    fn renumbers(_edit: &Self::Edit) -> Option<&'static str> {
        None
    }
    /// The draft as the engine's input, or what the form itself found wrong (text where a
    /// number belongs). May tidy the draft first (blank rows dropped).
    fn to_input(&mut self, setup: &Self::Setup) -> Result<Self::Input, FormErrors>;
    /// The draft of the record as stored.
    fn from_saved(saved: &Self::Saved, setup: &Self::Setup) -> Self;
    /// Whether the form has a place for a message about `path`; the rest go to its banner.
    fn shows(&self, setup: &Self::Setup, path: &str) -> bool;
    /// Inputs in the order the form shows them: where focus goes after a refused submit.
    fn order(&self, setup: &Self::Setup) -> Vec<String>;
    /// The form's path for an engine path (one input for many engine items, `features.3`).
    fn form_path(path: String) -> String {
        path
    }
    /// How a refusal of a submit shows. Most records leave it to the engine's messages; one
    /// whose refusals are not about the fields as typed says where each goes (and may change
    /// the draft: a wrong password is emptied).
    fn refused(&mut self, error: CommandError) -> Refusal {
        Refusal::Engine(error)
    }
}

/// How the form shows a refused submit, as the record decides ([`FormRecord::refused`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The engine's messages next to the fields they name, the rest in the banner, focus on
    /// the first field with a message.
    Engine(CommandError),
    /// The record placed it: these messages, and focus on `focus` (`None`: on the first field
    /// with a message, if any).
    Shown {
        errors: FormErrors,
        focus: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormAction<R: FormRecord> {
    Edit(R::Edit),
    Submit,
    Saved(Box<R::Saved>),
    Failed(CommandError),
    /// Start again from these values (a fresh dialog, or the record as stored now).
    Reset(Box<R>),
}

impl<R: FormRecord> FormAction<R> {
    /// The engine's answer to a submit as the action it is.
    pub fn answer(outcome: Result<R::Saved, CommandError>) -> Self {
        match outcome {
            Ok(saved) => FormAction::Saved(Box::new(saved)),
            Err(error) => FormAction::Failed(error),
        }
    }
}

/// Where keyboard focus should go; `seq` grows so the same field can be asked twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusField {
    pub path: String,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form<R: FormRecord> {
    pub setup: R::Setup,
    pub draft: R,
    pub errors: FormErrors,
    pub submitting: bool,
    /// Grows with every accepted submit; the screen sends `submitted` when it changes.
    pub submit_seq: u64,
    pub submitted: Option<R::Input>,
    /// The record as the engine stored it after the last successful submit.
    pub saved: Option<R::Saved>,
    /// The draft differs from what was loaded or saved last.
    pub dirty: bool,
    pub focus: Option<FocusField>,
}

impl<R: FormRecord> Form<R> {
    pub fn new(setup: R::Setup, draft: R) -> Self {
        Form {
            setup,
            draft,
            errors: FormErrors::default(),
            submitting: false,
            submit_seq: 0,
            submitted: None,
            saved: None,
            dirty: false,
            focus: None,
        }
    }

    fn focus_first_error(&mut self) {
        let order = self.draft.order(&self.setup);
        if let Some(path) = self.errors.first_of(order.iter().map(String::as_str)) {
            self.focus_on(path.to_owned());
        }
    }

    fn focus_on(&mut self, path: String) {
        let seq = self.focus.as_ref().map_or(1, |focus| focus.seq + 1);
        self.focus = Some(FocusField { path, seq });
    }

    /// Applies `action`; answers whether the form changed (a second submit while one is in
    /// flight, or an edit that changes nothing, does not).
    pub fn apply(&mut self, action: FormAction<R>) -> bool {
        match action {
            FormAction::Edit(edit) => {
                let (paths, renumbers) = (R::stale_paths(&edit), R::renumbers(&edit));
                if !self.draft.apply(edit) {
                    // `change` repeats `input`'s text: an edit that changes nothing must not
                    // hide the engine's verdict.
                    return false;
                }
                for path in paths {
                    self.errors.clear(&path);
                }
                if let Some(prefix) = renumbers {
                    self.errors
                        .fields
                        .retain(|path, _| !path.starts_with(prefix));
                }
                self.dirty = true;
            }
            FormAction::Submit if self.submitting => return false,
            FormAction::Submit => match self.draft.to_input(&self.setup) {
                Ok(input) => {
                    self.errors = FormErrors::default();
                    self.submitting = true;
                    self.submit_seq += 1;
                    self.submitted = Some(input);
                }
                Err(errors) => {
                    self.errors = errors;
                    self.focus_first_error();
                }
            },
            FormAction::Saved(saved) => {
                self.submitting = false;
                self.submitted = None;
                self.errors = FormErrors::default();
                self.draft = R::from_saved(&saved, &self.setup);
                self.saved = Some(*saved);
                self.dirty = false;
            }
            FormAction::Failed(error) => {
                self.submitting = false;
                self.submitted = None;
                match self.draft.refused(error) {
                    Refusal::Engine(mut error) => {
                        for field in &mut error.fields {
                            field.field = R::form_path(std::mem::take(&mut field.field));
                        }
                        let (draft, setup) = (&self.draft, &self.setup);
                        self.errors =
                            FormErrors::from_error(error, |path| draft.shows(setup, path));
                        self.focus_first_error();
                    }
                    Refusal::Shown { errors, focus } => {
                        self.errors = errors;
                        match focus {
                            Some(path) => self.focus_on(path),
                            None => self.focus_first_error(),
                        }
                    }
                }
            }
            FormAction::Reset(draft) => {
                let (focus, saved) = (self.focus.take(), self.saved.take());
                *self = Form::new(self.setup.clone(), *draft);
                self.focus = focus;
                self.saved = saved;
            }
        }
        true
    }
}

/// A blank form, for a record whose setup and draft start empty.
impl<R: FormRecord + Default> Default for Form<R>
where
    R::Setup: Default,
{
    fn default() -> Self {
        Form::new(R::Setup::default(), R::default())
    }
}

impl<R: FormRecord> Reducible for Form<R> {
    type Action = FormAction<R>;

    fn reduce(self: Rc<Self>, action: FormAction<R>) -> Rc<Self> {
        let mut next = (*self).clone();
        if next.apply(action) {
            Rc::new(next)
        } else {
            self
        }
    }
}

/// A reducer that sends submits: what `hooks::use_submit` needs to send them and answer.
pub trait Submits: Reducible {
    type Input: Clone + 'static;
    type Saved: 'static;
    /// Grows with every accepted submit.
    fn submit_seq(&self) -> u64;
    /// What the last accepted submit asked to send, while it is being sent.
    fn submitted(&self) -> Option<Self::Input>;
    /// The engine's answer as an action: both arms, so a refusal reaches the form.
    fn answered(outcome: Result<Self::Saved, CommandError>) -> Self::Action;
}

impl<R: FormRecord> Submits for Form<R> {
    type Input = R::Input;
    type Saved = R::Saved;

    fn submit_seq(&self) -> u64 {
        self.submit_seq
    }

    fn submitted(&self) -> Option<R::Input> {
        self.submitted.clone()
    }

    fn answered(outcome: Result<R::Saved, CommandError>) -> FormAction<R> {
        FormAction::answer(outcome)
    }
}
