//! The screen's state as a pure reducer: every change is an [`Action`], so the rules (what a
//! validation error does to the form, when the list must reload, when a second submit is
//! ignored) are plain functions that unit-test on the host. The wasm-only `app` module turns
//! the requests recorded here (`submit_seq`, `list_request`, `focus`) into shell calls.

use fieldstone_model::{Lead, LeadId, LeadInput, Stage};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SyncState, SyncStatus};
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

/// What the header's sync badge shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncBadge {
    /// `data-state`: the snake_case [`SyncState`], or `checking` before the first answer.
    pub state: &'static str,
    pub label: &'static str,
    /// "· N unsent" when local changes wait for the server.
    pub pending: Option<String>,
    /// Tooltip text.
    pub detail: Option<String>,
    /// Whether `detail` also deserves a visible line under the header.
    pub show_detail: bool,
}

impl SyncBadge {
    pub fn new(status: Option<&SyncStatus>, error: Option<&str>) -> Self {
        let Some(status) = status else {
            return match error {
                Some(error) => SyncBadge {
                    state: state_name(SyncState::NeedsAttention),
                    label: state_label(SyncState::NeedsAttention),
                    pending: None,
                    detail: Some(format!("Could not read the sync status: {error}")),
                    show_detail: true,
                },
                None => SyncBadge {
                    state: "checking",
                    label: "Checking…",
                    pending: None,
                    detail: None,
                    show_detail: false,
                },
            };
        };
        let detail = status.detail.trim();
        SyncBadge {
            state: state_name(status.state),
            label: state_label(status.state),
            pending: (status.pending > 0).then(|| format!("· {} unsent", status.pending)),
            detail: (!detail.is_empty()).then(|| detail.to_owned()),
            show_detail: !detail.is_empty()
                && matches!(
                    status.state,
                    SyncState::Offline | SyncState::SignInAgain | SyncState::NeedsAttention
                ),
        }
    }
}

/// The snake_case wire name of a sync state (what `data-state` carries).
pub const fn state_name(state: SyncState) -> &'static str {
    match state {
        SyncState::LocalOnly => "local_only",
        SyncState::Syncing => "syncing",
        SyncState::UpToDate => "up_to_date",
        SyncState::Offline => "offline",
        SyncState::SignInAgain => "sign_in_again",
        SyncState::NeedsAttention => "needs_attention",
    }
}

pub const fn state_label(state: SyncState) -> &'static str {
    match state {
        SyncState::LocalOnly => "Local only",
        SyncState::Syncing => "Syncing…",
        SyncState::UpToDate => "Up to date",
        SyncState::Offline => "Offline",
        SyncState::SignInAgain => "Sign in again",
        SyncState::NeedsAttention => "Needs attention",
    }
}

/// Up to two initials for a lead's avatar ("Ada Lovelace" → "AL").
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|word| word.chars().next());
    let last = words.last().and_then(|word| word.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use fieldstone_model::FieldError;

    pub(crate) fn lead(n: u32, name: &str, minute: u32) -> Lead {
        let id = format!("00000000-0000-4000-8000-{n:012}")
            .parse()
            .expect("valid uuid");
        let at = Utc
            .with_ymd_and_hms(2026, 11, 3, 9, minute, 0)
            .single()
            .expect("valid time");
        Lead {
            id,
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            phone: "+1 555 010 9999".into(),
            stage: Stage::Qualified,
            created_at: at,
            updated_at: at,
        }
    }

    fn status(state: SyncState, pending: u64, remote_revision: u64, detail: &str) -> SyncStatus {
        SyncStatus {
            state,
            pending,
            last_synced_at: None,
            detail: detail.into(),
            remote_revision,
        }
    }

    fn reduce_all(actions: impl IntoIterator<Item = Action>) -> Rc<AppState> {
        actions
            .into_iter()
            .fold(Rc::new(AppState::default()), |state, action| {
                state.reduce(action)
            })
    }

    fn typed(name: &str, email: &str, phone: &str) -> Vec<Action> {
        vec![
            Action::Edit(FormEdit::Name(name.into())),
            Action::Edit(FormEdit::Email(email.into())),
            Action::Edit(FormEdit::Phone(phone.into())),
            Action::Edit(FormEdit::Stage(Stage::Showing)),
        ]
    }

    fn validation(fields: &[(&str, &str)]) -> CommandError {
        CommandError {
            code: CommandErrorCode::Validation,
            message: "Some fields need attention.".into(),
            fields: fields
                .iter()
                .map(|(field, message)| FieldError {
                    field: (*field).into(),
                    message: (*message).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn submit_snapshots_the_form_and_marks_it_in_flight() {
        let mut actions = typed("Ada", "ada@example.com", "");
        actions.push(Action::Submit);
        let state = reduce_all(actions);
        assert!(state.submitting);
        assert_eq!(state.submit_seq, 1);
        let sent = state.submitted.clone().expect("snapshot");
        assert_eq!(sent.name, "Ada");
        assert_eq!(sent.email, "ada@example.com");
        assert_eq!(sent.stage, Stage::Showing);
    }

    #[test]
    fn a_second_submit_while_in_flight_is_ignored() {
        let mut actions = typed("Ada", "", "");
        actions.push(Action::Submit);
        let first = reduce_all(actions);
        let second = Rc::clone(&first).reduce(Action::Submit);
        assert!(Rc::ptr_eq(&first, &second), "state must not change");
        assert_eq!(second.submit_seq, 1);
    }

    #[test]
    fn validation_error_sets_field_messages_and_keeps_the_input() {
        let mut actions = typed("", "nope", "12");
        actions.push(Action::Submit);
        actions.push(Action::CreateFailed(validation(&[
            ("name", "Enter a name."),
            ("email", "\"nope\" is not an email address."),
            (
                "phone",
                "A phone number has 5 to 15 digits; this one has 2.",
            ),
        ])));
        let state = reduce_all(actions);
        assert!(!state.submitting);
        assert_eq!(state.field_errors.get(Field::Name), Some("Enter a name."));
        assert_eq!(
            state.field_errors.get(Field::Email),
            Some("\"nope\" is not an email address.")
        );
        assert!(state.field_errors.get(Field::Phone).is_some());
        assert_eq!(state.form_error, None);
        assert_eq!(state.form.email, "nope");
        assert_eq!(state.form.phone, "12");
        assert_eq!(state.form.stage, Stage::Showing);
        assert_eq!(state.focus.map(|f| f.field), Some(Field::Name));
        assert_eq!(state.form_resets, 0, "the form is not cleared");
    }

    #[test]
    fn editing_a_rejected_field_clears_only_its_error() {
        let state = reduce_all([
            Action::Submit,
            Action::CreateFailed(validation(&[
                ("email", "Bad email."),
                ("phone", "Bad phone."),
            ])),
            Action::Edit(FormEdit::Email("ada@example.com".into())),
        ]);
        assert_eq!(state.field_errors.get(Field::Email), None);
        assert_eq!(state.field_errors.get(Field::Phone), Some("Bad phone."));
    }

    #[test]
    fn an_edit_that_changes_nothing_keeps_the_error() {
        let mut actions = typed("", "ada@", "");
        actions.push(Action::Submit);
        actions.push(Action::CreateFailed(validation(&[("email", "Bad email.")])));
        // The `change` event that follows `input` repeats the same text.
        actions.push(Action::Edit(FormEdit::Email("ada@".into())));
        let state = reduce_all(actions);
        assert_eq!(state.field_errors.get(Field::Email), Some("Bad email."));
        assert_eq!(state.form.email, "ada@");
    }

    #[test]
    fn validation_error_on_a_field_without_an_input_goes_to_the_banner() {
        let state = reduce_all([
            Action::Submit,
            Action::CreateFailed(validation(&[("stage", "Unknown stage.")])),
        ]);
        assert!(state.field_errors.is_empty());
        assert_eq!(state.form_error.as_deref(), Some("Unknown stage."));
    }

    #[test]
    fn other_errors_show_the_message_in_the_banner_and_keep_the_input() {
        let mut actions = typed("Ada", "ada@example.com", "");
        actions.push(Action::Submit);
        actions.push(Action::CreateFailed(CommandError {
            code: CommandErrorCode::Storage,
            message: "The disk is full; nothing was saved.".into(),
            fields: vec![],
        }));
        let state = reduce_all(actions);
        assert_eq!(
            state.form_error.as_deref(),
            Some("The disk is full; nothing was saved.")
        );
        assert!(state.field_errors.is_empty());
        assert_eq!(state.form.name, "Ada");
        assert!(!state.submitting);
        // The next submit clears the banner.
        let state = state.reduce(Action::Submit);
        assert_eq!(state.form_error, None);
    }

    #[test]
    fn success_clears_the_form_focuses_name_and_reloads() {
        let mut actions = typed("Ada", "ada@example.com", "+1 555 0100");
        actions.push(Action::ReloadLeads);
        actions.push(Action::LeadsLoaded {
            request: 1,
            leads: vec![lead(1, "Older Lead", 1)],
        });
        actions.push(Action::Submit);
        actions.push(Action::CreateSucceeded(lead(2, "Ada", 5)));
        let state = reduce_all(actions);
        assert_eq!(state.form, LeadInput::default());
        assert!(state.field_errors.is_empty());
        assert!(!state.submitting);
        assert_eq!(state.form_resets, 1);
        assert_eq!(state.focus.map(|f| f.field), Some(Field::Name));
        assert_eq!(state.list_request, 2, "a reload was requested");
        let names: Vec<_> = state.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Ada", "Older Lead"], "new lead shown first at once");
        assert_eq!(
            state.just_added.as_ref().map(|(_, name)| name.as_str()),
            Some("Ada")
        );
    }

    #[test]
    fn focus_requests_are_distinct_even_for_the_same_field() {
        let state = reduce_all([
            Action::Submit,
            Action::CreateSucceeded(lead(1, "A", 1)),
            Action::Submit,
            Action::CreateSucceeded(lead(2, "B", 2)),
        ]);
        assert_eq!(
            state.focus,
            Some(FocusRequest {
                field: Field::Name,
                seq: 2
            })
        );
    }

    #[test]
    fn loaded_leads_are_sorted_newest_first() {
        let state = reduce_all([
            Action::ReloadLeads,
            Action::LeadsLoaded {
                request: 1,
                leads: vec![lead(1, "Old", 1), lead(3, "Newest", 30), lead(2, "Mid", 10)],
            },
        ]);
        let names: Vec<_> = state.leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Newest", "Mid", "Old"]);
        assert_eq!(state.leads_view(), LeadsView::Loaded);
    }

    #[test]
    fn a_stale_list_answer_does_not_overwrite_a_newer_one() {
        let state = reduce_all([
            Action::ReloadLeads,
            Action::ReloadLeads,
            Action::LeadsLoaded {
                request: 2,
                leads: vec![lead(1, "A", 1), lead(2, "B", 2)],
            },
            Action::LeadsLoaded {
                request: 1,
                leads: vec![lead(1, "A", 1)],
            },
        ]);
        assert_eq!(state.leads.len(), 2);
    }

    #[test]
    fn a_list_asked_for_before_a_create_does_not_hide_the_new_lead() {
        let state = reduce_all([
            Action::ReloadLeads,
            Action::Submit,
            Action::CreateSucceeded(lead(7, "Ada", 7)),
            // The answer to request 1 was computed before the create.
            Action::LeadsLoaded {
                request: 1,
                leads: vec![],
            },
        ]);
        assert_eq!(state.leads.len(), 1);
        assert_eq!(state.leads_view(), LeadsView::Loading);
        let state = state.reduce(Action::LeadsLoaded {
            request: 2,
            leads: vec![lead(7, "Ada", 7)],
        });
        assert_eq!(state.leads_view(), LeadsView::Loaded);
        assert_eq!(state.leads.len(), 1);
    }

    #[test]
    fn list_is_loading_until_the_first_answer_and_failures_are_shown() {
        let state = reduce_all([Action::ReloadLeads]);
        assert_eq!(state.leads_view(), LeadsView::Loading);
        let failed = Rc::clone(&state).reduce(Action::LeadsFailed {
            request: 1,
            message: "database locked".into(),
        });
        assert_eq!(
            failed.leads_view(),
            LeadsView::Failed("database locked".into())
        );
        // Once a list was shown, a failed reload keeps the rows and reports the problem.
        let shown = reduce_all([
            Action::ReloadLeads,
            Action::LeadsLoaded {
                request: 1,
                leads: vec![lead(1, "A", 1)],
            },
            Action::ReloadLeads,
            Action::LeadsFailed {
                request: 2,
                message: "database locked".into(),
            },
        ]);
        assert_eq!(shown.leads_view(), LeadsView::Loaded);
        assert_eq!(shown.leads.len(), 1);
        assert_eq!(shown.stale_list_error(), Some("database locked"));
    }

    #[test]
    fn higher_remote_revision_flags_a_reload() {
        let state = reduce_all([
            Action::SyncStatusChanged(status(SyncState::UpToDate, 0, 4, "")),
            Action::ReloadLeads,
        ]);
        assert_eq!(state.list_request, 1, "the first status is the baseline");
        let same = Rc::clone(&state).reduce(Action::SyncStatusChanged(status(
            SyncState::Syncing,
            1,
            4,
            "",
        )));
        assert_eq!(same.list_request, 1, "same revision: no reload");
        assert_eq!(same.sync_badge().state, "syncing");
        let higher = same.reduce(Action::SyncStatusChanged(status(
            SyncState::UpToDate,
            0,
            5,
            "",
        )));
        assert_eq!(higher.list_request, 2, "changes arrived: reload");
        assert_eq!(higher.remote_revision, Some(5));
    }

    #[test]
    fn first_status_after_an_unbaselined_list_load_reloads_if_anything_arrived() {
        let state = reduce_all([
            Action::ReloadLeads,
            Action::SyncStatusChanged(status(SyncState::UpToDate, 0, 3, "")),
        ]);
        assert_eq!(state.list_request, 2);
        let nothing_remote = reduce_all([
            Action::ReloadLeads,
            Action::SyncStatusChanged(status(SyncState::LocalOnly, 0, 0, "")),
        ]);
        assert_eq!(nothing_remote.list_request, 1);
    }

    #[test]
    fn sync_badge_texts() {
        let badge = SyncBadge::new(
            Some(&status(
                SyncState::Offline,
                3,
                0,
                "No network; retrying in 30 s.",
            )),
            None,
        );
        assert_eq!(badge.state, "offline");
        assert_eq!(badge.label, "Offline");
        assert_eq!(badge.pending.as_deref(), Some("· 3 unsent"));
        assert_eq!(
            badge.detail.as_deref(),
            Some("No network; retrying in 30 s.")
        );
        assert!(badge.show_detail);

        let badge = SyncBadge::new(
            Some(&status(SyncState::UpToDate, 0, 0, "Synced at 09:12.")),
            None,
        );
        assert_eq!(badge.state, "up_to_date");
        assert_eq!(badge.label, "Up to date");
        assert_eq!(badge.pending, None);
        assert!(!badge.show_detail, "calm states keep detail in the tooltip");

        let badge = SyncBadge::new(Some(&status(SyncState::SignInAgain, 0, 0, "x")), None);
        assert_eq!(badge.state, "sign_in_again");
        assert_eq!(badge.label, "Sign in again");

        let badge = SyncBadge::new(None, None);
        assert_eq!(badge.state, "checking");
        let badge = SyncBadge::new(None, Some("command not found"));
        assert_eq!(badge.state, "needs_attention");
        assert!(badge.show_detail);
    }

    #[test]
    fn every_sync_state_name_matches_the_wire() {
        for state in [
            SyncState::LocalOnly,
            SyncState::Syncing,
            SyncState::UpToDate,
            SyncState::Offline,
            SyncState::SignInAgain,
            SyncState::NeedsAttention,
        ] {
            let wire = serde_json::to_value(state).expect("serializes");
            assert_eq!(wire.as_str(), Some(state_name(state)));
        }
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  ada  "), "A");
        assert_eq!(initials("Mary Ann de la Cruz"), "MC");
        assert_eq!(initials("élodie durand"), "ÉD");
        assert_eq!(initials(""), "");
    }
}
