//! One reducer for every record's own screen: the record as loaded (answers to an older load
//! dropped, as in the lists), whether it is missing, and its editor (a fresh form at every
//! opening, the stored record shown once saved). A kind with more on its screen (the listing's
//! gallery) keeps a [`RecordDetail`] and adds its own fields next to it.

use super::ListView;
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum DetailAction<R> {
    Loaded {
        request: u64,
        record: Box<R>,
    },
    LoadFailed {
        request: u64,
        error: CommandError,
    },
    /// Ask again (changes arrived from another device, or "Try again").
    Reload,
    OpenEditor,
    CloseEditor,
    /// The editor stored this record: show it and close the editor.
    Saved(Box<R>),
}

impl<R> DetailAction<R> {
    /// The shell's answer to load `request` as the action it is, failure included.
    pub fn answer(request: u64, outcome: Result<R, CommandError>) -> Self {
        match outcome {
            Ok(record) => DetailAction::Loaded {
                request,
                record: Box::new(record),
            },
            Err(error) => DetailAction::LoadFailed { request, error },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordDetail<Id, R> {
    pub id: Id,
    /// The current load; answers to older ones are dropped.
    pub request: u64,
    pub view: ListView,
    pub record: Option<R>,
    /// The last load said there is no such record here.
    pub missing: bool,
    /// The editor is open; the number grows with every opening (a fresh form).
    pub editor: Option<u64>,
    opened: u64,
    /// Said once after the editor saved.
    pub saved_note: bool,
}

impl<Id, R> RecordDetail<Id, R> {
    pub fn new(id: Id) -> Self {
        RecordDetail {
            id,
            // The first load is asked for as soon as the screen shows.
            request: 1,
            view: ListView::Loading,
            record: None,
            missing: false,
            editor: None,
            opened: 0,
            saved_note: false,
        }
    }

    /// `action` would change nothing: an answer to an older load, or closing a closed editor.
    /// A reducer that wraps this one returns its state as it is then.
    pub fn ignores(&self, action: &DetailAction<R>) -> bool {
        match action {
            DetailAction::Loaded { request, .. } | DetailAction::LoadFailed { request, .. } => {
                *request != self.request
            }
            DetailAction::CloseEditor => self.editor.is_none(),
            _ => false,
        }
    }

    /// Applies `action` (one it does not [`ignore`](Self::ignores)).
    pub fn apply(&mut self, action: DetailAction<R>) {
        match action {
            DetailAction::Loaded { record, .. } => {
                self.record = Some(*record);
                self.view = ListView::Loaded;
                self.missing = false;
            }
            DetailAction::LoadFailed { error, .. } => {
                self.missing = error.code == CommandErrorCode::NotFound;
                // A record already shown stays; the next reload may do better.
                if self.record.is_none() || self.missing {
                    self.record = None;
                    self.view = ListView::Failed(error.message);
                }
            }
            DetailAction::Reload => self.request += 1,
            DetailAction::OpenEditor => {
                self.opened += 1;
                self.editor = Some(self.opened);
                self.saved_note = false;
            }
            DetailAction::CloseEditor => self.editor = None,
            DetailAction::Saved(record) => {
                self.record = Some(*record);
                self.view = ListView::Loaded;
                self.editor = None;
                self.saved_note = true;
            }
        }
    }
}

impl<Id: Clone, R: Clone> Reducible for RecordDetail<Id, R> {
    type Action = DetailAction<R>;

    fn reduce(self: Rc<Self>, action: DetailAction<R>) -> Rc<Self> {
        if self.ignores(&action) {
            return self;
        }
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Note = RecordDetail<u32, String>;
    type Action = DetailAction<String>;

    fn loaded(request: u64, text: &str) -> Action {
        Action::Loaded {
            request,
            record: Box::new(text.to_owned()),
        }
    }

    #[test]
    fn a_failed_reload_keeps_the_record_but_missing_clears_it() {
        let state = Rc::new(Note::new(7)).reduce(loaded(1, "first"));
        let state = state.reduce(Action::Reload).reduce(Action::LoadFailed {
            request: 2,
            error: CommandError::new(CommandErrorCode::Storage, "The disk is busy."),
        });
        assert_eq!(state.view, ListView::Loaded);
        assert_eq!(state.record.as_deref(), Some("first"));
        assert!(!state.missing);
        let state = state.reduce(Action::Reload).reduce(Action::LoadFailed {
            request: 3,
            error: CommandError::new(CommandErrorCode::NotFound, "Deleted elsewhere."),
        });
        assert!(state.missing);
        assert_eq!(state.record, None);
        assert_eq!(state.view, ListView::Failed("Deleted elsewhere.".into()));
    }

    #[test]
    fn closing_a_closed_editor_changes_nothing() {
        let state = Rc::new(Note::new(7));
        let same = Rc::clone(&state).reduce(Action::CloseEditor);
        assert!(Rc::ptr_eq(&state, &same));
        let state = state.reduce(Action::OpenEditor).reduce(Action::CloseEditor);
        assert_eq!(state.editor, None);
        let state = state.reduce(Action::OpenEditor);
        assert_eq!(state.editor, Some(2));
    }

    #[test]
    fn outcomes_become_their_actions() {
        assert_eq!(Action::answer(4, Ok("text".into())), loaded(4, "text"),);
        let error = CommandError::new(CommandErrorCode::NotFound, "No such note.");
        assert_eq!(
            Action::answer(4, Err(error.clone())),
            Action::LoadFailed { request: 4, error }
        );
    }
}
