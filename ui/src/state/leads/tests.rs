//! Reducer tests: every action's effect on the screen state, natively on the host.

use super::*;
use chrono::{TimeZone, Utc};
use fieldstone_model::FieldError;
use fieldstone_protocol::commands::SyncState;

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
        detail: None,
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
        detail: None,
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
