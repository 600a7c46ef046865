//! The quick lead form and list (the first screen, kept until contacts replace it): every change
//! is an [`Action`], so the rules (what a validation error does to the form, when the list must
//! reload, when a second submit is ignored) are plain functions that unit-test on the host.

use super::sync::SyncBadge;
use fieldstone_model::{Lead, LeadId, LeadInput, Stage};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SyncStatus};
use std::rc::Rc;
use yew::Reducible;

/// A text field of the lead form. `key` is the engine's field name in [`CommandError::fields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Email,
    Phone,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Name, Field::Email, Field::Phone];

    /// The field name the engine uses in validation errors.
    pub const fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
        }
    }

    /// The input's element id.
    pub const fn input_id(self) -> &'static str {
        match self {
            Field::Name => "lead-name",
            Field::Email => "lead-email",
            Field::Phone => "lead-phone",
        }
    }

    /// The id of the element that shows this field's error.
    pub const fn error_id(self) -> &'static str {
        match self {
            Field::Name => "error-name",
            Field::Email => "error-email",
            Field::Phone => "error-phone",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.key() == key)
    }
}

/// The engine's message for each rejected field of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl FieldErrors {
    pub fn get(&self, field: Field) -> Option<&str> {
        match field {
            Field::Name => self.name.as_deref(),
            Field::Email => self.email.as_deref(),
            Field::Phone => self.phone.as_deref(),
        }
    }

    fn slot(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::Name => &mut self.name,
            Field::Email => &mut self.email,
            Field::Phone => &mut self.phone,
        }
    }

    pub fn is_empty(&self) -> bool {
        Field::ALL
            .into_iter()
            .all(|field| self.get(field).is_none())
    }

    /// The first rejected field in form order: where focus goes after a rejected submit.
    pub fn first(&self) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| self.get(*field).is_some())
    }
}

/// One keystroke's worth of change to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEdit {
    Name(String),
    Email(String),
    Phone(String),
    Stage(Stage),
}

/// Where keyboard focus should go next. `seq` grows with every request so the same field can
/// be focused twice in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FocusRequest {
    pub field: Field,
    pub seq: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Edit(FormEdit),
    /// The user asked to create a lead from the form. Ignored while a create is in flight.
    Submit,
    CreateSucceeded(Lead),
    CreateFailed(CommandError),
    /// Ask for the lead list to be (re)loaded.
    ReloadLeads,
    /// A list load finished; `request` is the [`AppState::list_request`] it answered.
    LeadsLoaded {
        request: u64,
        leads: Vec<Lead>,
    },
    LeadsFailed {
        request: u64,
        message: String,
    },
    SyncStatusChanged(SyncStatus),
    /// The shell could not say how sync is doing (e.g. the command failed).
    SyncStatusUnavailable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadsView {
    /// The first load has not answered yet.
    Loading,
    /// The first load failed; nothing to show but the reason.
    Failed(String),
    Loaded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppState {
    /// What the user has typed; kept as typed when the engine rejects it.
    pub form: LeadInput,
    pub field_errors: FieldErrors,
    /// A problem that belongs to no single field (storage failure, unexpected error).
    pub form_error: Option<String>,
    pub submitting: bool,
    /// Grows with every accepted submit; the app sends `submitted` when it changes.
    pub submit_seq: u64,
    /// Snapshot of the form taken when the submit was accepted.
    pub submitted: Option<LeadInput>,
    /// Name of the lead just added, for the confirmation line; cleared by the next edit.
    pub just_added: Option<(LeadId, String)>,
    /// Newest first. Shared so a state change that does not touch the list does not copy it.
    pub leads: Rc<Vec<Lead>>,
    pub leads_loaded: bool,
    /// Why the most recent list load failed, if it did.
    pub leads_error: Option<String>,
    /// Grows with every reload request; `0` means none yet (the app waits for the sync status
    /// first, so that a later `remote_revision` increase is measured from a known baseline).
    pub list_request: u64,
    /// Answers to list requests below this are ignored: a slow old answer must not overwrite a
    /// newer list (or hide a lead that was just created).
    pub list_floor: u64,
    pub sync: Option<SyncStatus>,
    pub sync_error: Option<String>,
    /// The `remote_revision` the current list reflects (at least).
    pub remote_revision: Option<u64>,
    pub focus: Option<FocusRequest>,
    /// Grows every time the form is cleared, so the app can reset the stage select.
    pub form_resets: u64,
}

impl Default for AppState {
    fn default() -> Self {
        Self {
            form: LeadInput::default(),
            field_errors: FieldErrors::default(),
            form_error: None,
            submitting: false,
            submit_seq: 0,
            submitted: None,
            just_added: None,
            leads: Rc::new(Vec::new()),
            leads_loaded: false,
            leads_error: None,
            list_request: 0,
            list_floor: 0,
            sync: None,
            sync_error: None,
            remote_revision: None,
            focus: None,
            form_resets: 0,
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Submit if self.submitting => self,
            Action::LeadsLoaded { request, .. } | Action::LeadsFailed { request, .. }
                if request < self.list_floor =>
            {
                self
            }
            action => {
                let mut next = (*self).clone();
                next.apply(action);
                Rc::new(next)
            }
        }
    }
}

impl AppState {
    fn apply(&mut self, action: Action) {
        match action {
            Action::Edit(edit) => self.edit(edit),
            Action::Submit => {
                self.submitting = true;
                self.submit_seq += 1;
                self.submitted = Some(self.form.clone());
                self.form_error = None;
                self.just_added = None;
            }
            Action::CreateSucceeded(lead) => {
                self.submitting = false;
                self.submitted = None;
                self.form = LeadInput::default();
                self.field_errors = FieldErrors::default();
                self.form_error = None;
                self.form_resets += 1;
                self.request_focus(Field::Name);
                self.just_added = Some((lead.id, lead.name.clone()));
                // Show the new lead at once; the reload that follows makes the list authoritative.
                let mut leads: Vec<Lead> = self
                    .leads
                    .iter()
                    .filter(|existing| existing.id != lead.id)
                    .cloned()
                    .collect();
                leads.push(lead);
                self.set_leads(leads);
                // Lists asked for before this create may not contain it: only the reload asked
                // for now counts.
                self.list_request += 1;
                self.list_floor = self.list_request;
            }
            Action::CreateFailed(error) => {
                self.submitting = false;
                self.submitted = None;
                self.show_error(error);
            }
            Action::ReloadLeads => self.list_request += 1,
            Action::LeadsLoaded { request, leads } => {
                self.list_floor = request;
                self.leads_loaded = true;
                self.leads_error = None;
                self.set_leads(leads);
            }
            Action::LeadsFailed { request, message } => {
                self.list_floor = request;
                self.leads_error = Some(message);
            }
            Action::SyncStatusChanged(status) => {
                let reload = match self.remote_revision {
                    Some(seen) => status.remote_revision > seen,
                    // No baseline yet: if a list was already asked for without one, it may
                    // predate these changes, so refresh it.
                    None => self.list_request > 0 && status.remote_revision > 0,
                };
                if reload {
                    self.list_request += 1;
                }
                self.remote_revision = Some(status.remote_revision);
                self.sync = Some(status);
                self.sync_error = None;
            }
            Action::SyncStatusUnavailable(message) => self.sync_error = Some(message),
        }
    }

    fn edit(&mut self, edit: FormEdit) {
        fn set(slot: &mut String, value: String) -> bool {
            let changed = *slot != value;
            *slot = value;
            changed
        }
        // `change` follows `input` with the same text (and autofill or WebDriver's clear send
        // only `change`): an edit that changes nothing must not hide the engine's verdict.
        let (field, changed) = match edit {
            FormEdit::Name(value) => (Some(Field::Name), set(&mut self.form.name, value)),
            FormEdit::Email(value) => (Some(Field::Email), set(&mut self.form.email, value)),
            FormEdit::Phone(value) => (Some(Field::Phone), set(&mut self.form.phone, value)),
            FormEdit::Stage(stage) => {
                let changed = self.form.stage != stage;
                self.form.stage = stage;
                (None, changed)
            }
        };
        if !changed {
            return;
        }
        // The engine's verdict was about the old text; once the user changes it, stop
        // calling it invalid (the next submit asks again).
        if let Some(field) = field {
            *self.field_errors.slot(field) = None;
        }
        self.just_added = None;
    }

    fn show_error(&mut self, error: CommandError) {
        self.field_errors = FieldErrors::default();
        if error.code != CommandErrorCode::Validation {
            self.form_error = Some(error.message);
            return;
        }
        let mut other = Vec::new();
        for field_error in error.fields {
            match Field::from_key(&field_error.field) {
                Some(field) => {
                    let slot = self.field_errors.slot(field);
                    if slot.is_none() {
                        *slot = Some(field_error.message);
                    }
                }
                None => other.push(field_error.message),
            }
        }
        // Problems with fields this form has no input for (or none named at all) still need
        // to be seen: show them in the form-level banner.
        self.form_error = if !other.is_empty() {
            Some(other.join(" "))
        } else if self.field_errors.is_empty() {
            Some(error.message)
        } else {
            None
        };
        if let Some(field) = self.field_errors.first() {
            self.request_focus(field);
        }
    }

    fn request_focus(&mut self, field: Field) {
        let seq = self.focus.map_or(1, |focus| focus.seq + 1);
        self.focus = Some(FocusRequest { field, seq });
    }

    fn set_leads(&mut self, mut leads: Vec<Lead>) {
        leads.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        self.leads = Rc::new(leads);
    }

    pub fn leads_view(&self) -> LeadsView {
        match (&self.leads_error, self.leads_loaded) {
            (_, true) => LeadsView::Loaded,
            (Some(message), false) => LeadsView::Failed(message.clone()),
            (None, false) => LeadsView::Loading,
        }
    }

    /// A list load failed after a list was already shown: the rows stay, with a notice.
    pub fn stale_list_error(&self) -> Option<&str> {
        if self.leads_loaded {
            self.leads_error.as_deref()
        } else {
            None
        }
    }

    pub fn sync_badge(&self) -> SyncBadge {
        SyncBadge::new(self.sync.as_ref(), self.sync_error.as_deref())
    }
}

#[cfg(test)]
pub(crate) mod tests;
