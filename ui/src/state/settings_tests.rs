use super::*;
use chrono::TimeZone;
use fieldstone_model::{FieldError, UserId};
use fieldstone_protocol::account::{OrgInfo, Role, NAME_MAX_CHARS};
use fieldstone_protocol::commands::{ErrorDetail, SessionInfo};

fn user() -> UserId {
    "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("valid id")
}

fn org(n: u8, name: &str) -> OrgInfo {
    OrgInfo {
        id: format!("00000000-0000-4000-8000-0000000000a{n}")
            .parse()
            .expect("valid id"),
        name: name.into(),
    }
}

fn local_account() -> Account {
    Account {
        session: None,
        server_override: None,
        device_name: "Ada's laptop".into(),
        user_id: user(),
    }
}

fn signed_in_account() -> Account {
    Account {
        session: Some(SessionInfo {
            server_url: "https://sync.example.com".into(),
            user_id: user(),
            email: "ada@acme.test".into(),
            display_name: "Ada".into(),
            role: Role::Agent,
            org: org(1, "Acme"),
            teams: Vec::new(),
            expires_at: Utc
                .with_ymd_and_hms(2030, 1, 1, 0, 0, 0)
                .single()
                .expect("t"),
        }),
        ..local_account()
    }
}

fn run(state: SettingsState, actions: impl IntoIterator<Item = SettingsAction>) -> SettingsState {
    let mut state = Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

fn loaded(account: Account) -> SettingsState {
    run(
        SettingsState::new(),
        [SettingsAction::AccountLoaded(Box::new(account))],
    )
}

fn filled() -> SettingsState {
    use SettingsAction::EditSignIn;
    run(
        loaded(local_account()),
        [
            EditSignIn(SignInField::ServerUrl, " sync.example.com ".into()),
            EditSignIn(SignInField::Email, " ada@acme.test ".into()),
            EditSignIn(SignInField::Password, "correct horse".into()),
        ],
    )
}

fn error(code: CommandErrorCode, message: &str) -> CommandError {
    CommandError::new(code, message)
}

#[test]
fn the_account_loads_and_fills_the_device_name() {
    let state = SettingsState::new();
    assert_eq!(state.view, ListView::Loading);
    assert_eq!(state.account_seq, 1, "the first read is asked for");
    let state = loaded(local_account());
    assert_eq!(state.view, ListView::Loaded);
    assert!(!state.signed_in());
    assert_eq!(state.device.value(), "Ada's laptop");

    let failed = run(
        SettingsState::new(),
        [SettingsAction::AccountFailed("no shell".into())],
    );
    assert_eq!(failed.view, ListView::Failed("no shell".into()));
    let retried = run(failed, [SettingsAction::ReloadAccount]);
    assert_eq!(retried.view, ListView::Loading);
    assert_eq!(retried.account_seq, 2);
}

#[test]
fn blank_fields_are_all_flagged_at_once_and_nothing_is_sent() {
    let state = run(loaded(local_account()), [SettingsAction::SubmitSignIn]);
    assert!(!state.sign_in.submitting);
    assert_eq!(state.sign_in.submit_seq, 0);
    assert!(state.sign_in.errors.get("server_url").is_some());
    assert!(state.sign_in.errors.get("email").is_some());
    assert_eq!(
        state.sign_in.errors.get("password"),
        Some("Enter your password.")
    );
    assert_eq!(
        state.focus.as_ref().map(|f| f.id.as_str()),
        Some("sign-in-server-url")
    );

    // Typing into a field clears its message only.
    let state = run(
        state,
        [SettingsAction::EditSignIn(SignInField::Email, "ada".into())],
    );
    assert_eq!(state.sign_in.errors.get("email"), None);
    assert!(state.sign_in.errors.get("password").is_some());
    let state = run(state, [SettingsAction::SubmitSignIn]);
    assert!(state
        .sign_in
        .errors
        .get("email")
        .is_some_and(|m| m.contains('@')));
}

#[test]
fn a_good_form_sends_one_request_with_https_assumed_and_the_device_name() {
    let state = run(filled(), [SettingsAction::SubmitSignIn]);
    assert!(state.sign_in.submitting);
    assert_eq!(state.sign_in.submit_seq, 1);
    let sent = state.sign_in.submitted.clone().expect("a request");
    assert_eq!(sent.server_url, "https://sync.example.com");
    assert_eq!(sent.email, "ada@acme.test");
    assert_eq!(sent.password, "correct horse");
    assert_eq!(sent.device_name, "Ada's laptop");
    assert_eq!(sent.org_id, None);
    assert_eq!(state.sign_in.draft.server_url, "https://sync.example.com");
    // A second press while the first is on its way sends nothing more.
    let again = run(state, [SettingsAction::SubmitSignIn]);
    assert_eq!(again.sign_in.submit_seq, 1);

    assert_eq!(
        server_address("http://127.0.0.1:4000"),
        "http://127.0.0.1:4000"
    );
    assert_eq!(server_address("  "), "");
}

#[test]
fn a_wrong_password_lands_on_the_password_field_which_is_emptied() {
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(error(
                CommandErrorCode::InvalidCredentials,
                "The email or password is wrong.",
            )),
        ],
    );
    assert!(!state.sign_in.submitting);
    assert_eq!(state.sign_in.draft.password, "");
    assert_eq!(
        state.sign_in.draft.email, " ada@acme.test ",
        "the email is kept"
    );
    assert_eq!(
        state.sign_in.errors.get("password"),
        Some("The email or password is wrong.")
    );
    assert_eq!(
        state.focus.as_ref().map(|f| f.id.as_str()),
        Some("sign-in-password")
    );
    assert!(!state.signed_in());
}

#[test]
fn an_unreachable_server_is_said_at_the_address_and_engine_fields_land_inline() {
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(error(
                CommandErrorCode::Offline,
                "The sync server cannot be reached.",
            )),
        ],
    );
    assert_eq!(
        state.sign_in.errors.get("server_url"),
        Some("The sync server cannot be reached.")
    );
    assert_eq!(
        state.sign_in.draft.password, "correct horse",
        "kept for a retry"
    );

    let mut refused = CommandError::invalid("server_url", "Use https://.");
    refused.fields.push(FieldError {
        field: "device_name".into(),
        message: "Name this device.".into(),
    });
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(refused),
        ],
    );
    assert_eq!(
        state.sign_in.errors.get("server_url"),
        Some("Use https://.")
    );
    assert_eq!(
        state.sign_in.errors.banner.as_deref(),
        Some("Name this device."),
        "a field the form does not show goes to its banner"
    );
}

#[test]
fn no_keyring_is_said_apart_from_the_fields() {
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(error(
                CommandErrorCode::NoCredentialStore,
                "This device has no system keyring.",
            )),
        ],
    );
    assert_eq!(
        state.sign_in.draft.no_store.as_deref(),
        Some("This device has no system keyring.")
    );
    assert!(state.sign_in.errors.is_empty());
    // Trying again clears it until the shell says so again.
    let state = run(state, [SettingsAction::SubmitSignIn]);
    assert_eq!(state.sign_in.draft.no_store, None);
}

#[test]
fn several_organisations_are_offered_and_the_pick_is_sent_with_the_same_details() {
    let orgs = vec![org(1, "Acme"), org(2, "Beta")];
    let choose = error(CommandErrorCode::ChooseOrganisation, "Choose one.")
        .with_detail(ErrorDetail::ChooseOrganisation { orgs: orgs.clone() });
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(choose),
        ],
    );
    assert_eq!(state.sign_in.draft.orgs.as_ref(), Some(&orgs));
    assert!(state.sign_in.errors.is_empty());
    assert_eq!(
        state.focus.as_ref().map(|f| f.id.as_str()),
        Some("org-option-0")
    );
    let state = run(state, [SettingsAction::ChooseOrg(orgs[1].id)]);
    assert_eq!(state.sign_in.submit_seq, 2);
    let sent = state.sign_in.submitted.clone().expect("a request");
    assert_eq!(sent.org_id, Some(orgs[1].id));
    assert_eq!(sent.password, "correct horse");

    let state = run(
        state,
        [SettingsAction::SignedIn(Box::new(signed_in_account()))],
    );
    assert!(state.signed_in());
    assert_eq!(state.sign_in, SignInForm::default(), "the password is gone");
    assert!(state.notices_seq > 0, "notices are read once signed in");

    // Without the list there is nothing to pick from: the message is shown instead.
    let state = run(
        filled(),
        [
            SettingsAction::SubmitSignIn,
            SettingsAction::SignInFailed(error(CommandErrorCode::ChooseOrganisation, "Choose.")),
        ],
    );
    assert_eq!(state.sign_in.draft.orgs, None);
    assert_eq!(state.sign_in.errors.banner.as_deref(), Some("Choose."));
}

#[test]
fn the_device_name_is_checked_saved_and_confirmed() {
    use SettingsAction::*;
    let state = run(
        loaded(local_account()),
        [EditDeviceName("   ".into()), SaveDeviceName],
    );
    assert!(state.device.error().is_some());
    assert_eq!(state.device.submit_seq, 0);
    let long = "x".repeat(NAME_MAX_CHARS + 1);
    let state = run(state, [EditDeviceName(long), SaveDeviceName]);
    assert!(state.device.error().is_some_and(|m| m.contains("100")));
    assert_eq!(state.device.submit_seq, 0);

    let state = run(
        state,
        [EditDeviceName(" Ada's phone ".into()), SaveDeviceName],
    );
    assert!(state.device.submitting);
    assert_eq!(state.device.submitted.as_deref(), Some("Ada's phone"));
    let mut renamed = local_account();
    renamed.device_name = "Ada's phone".into();
    let state = run(state, [DeviceSaved(Box::new(renamed))]);
    assert!(state.device.shows_saved());
    assert!(!state.device.submitting);
    assert_eq!(state.device.value(), "Ada's phone");
    assert_eq!(
        state.account.as_ref().map(|a| a.device_name.as_str()),
        Some("Ada's phone")
    );
    let state = run(state, [EditDeviceName("Ada's tablet".into())]);
    assert!(
        !state.device.shows_saved(),
        "the confirmation goes once edited again"
    );

    let state = run(
        state,
        [
            SaveDeviceName,
            DeviceFailed(CommandError::invalid("device_name", "Too long.")),
        ],
    );
    assert_eq!(state.device.error(), Some("Too long."));
    assert!(!state.device.submitting);
}

#[test]
fn an_edit_in_progress_survives_an_account_reload() {
    use SettingsAction::*;
    let state = run(
        loaded(local_account()),
        [
            EditDeviceName("Half typed".into()),
            AccountLoaded(Box::new(local_account())),
        ],
    );
    assert_eq!(state.device.value(), "Half typed");
}

#[test]
fn one_export_at_a_time_and_its_result_is_kept_until_dismissed() {
    use SettingsAction::*;
    let state = run(loaded(local_account()), [Export(ExportFormat::Json)]);
    assert_eq!(state.export, ExportRun::Running(ExportFormat::Json));
    assert_eq!(state.export_seq, 1);
    let state = run(state, [Export(ExportFormat::Csv), DismissExport]);
    assert_eq!(state.export_seq, 1, "ignored while one runs");
    assert_eq!(state.export, ExportRun::Running(ExportFormat::Json));
    let done = ExportDone {
        path: "/home/ada/Downloads/fieldstone-everything.json".into(),
        records: 12,
        bytes: 3_400,
    };
    let state = run(state, [Exported(done.clone())]);
    assert_eq!(state.export, ExportRun::Done(ExportFormat::Json, done));
    let state = run(state, [DismissExport]);
    assert_eq!(state.export, ExportRun::Idle);
    let state = run(
        state,
        [
            Export(ExportFormat::Vcard),
            ExportFailed("Disk full.".into()),
        ],
    );
    assert_eq!(state.export, ExportRun::Failed("Disk full.".into()));
}

#[test]
fn signing_out_asks_first_and_keeps_the_data_note() {
    use SettingsAction::*;
    // Nothing to sign out of while local only.
    let state = run(loaded(local_account()), [AskSignOut]);
    assert_eq!(state.sign_out, SignOut::Closed);

    let state = run(loaded(signed_in_account()), [AskSignOut]);
    assert_eq!(state.sign_out, SignOut::Confirming);
    assert_eq!(
        state.focus.as_ref().map(|f| f.id.as_str()),
        Some("sign-out-cancel"),
        "the safe choice has the focus"
    );
    let state = run(state, [CancelSignOut]);
    assert_eq!(state.sign_out, SignOut::Closed);
    assert_eq!(state.sign_out_seq, 0, "cancelled: nothing sent");

    let state = run(state, [AskSignOut, ConfirmSignOut]);
    assert_eq!(state.sign_out, SignOut::Running);
    assert_eq!(state.sign_out_seq, 1);
    let state = run(state, [CancelSignOut, ConfirmSignOut]);
    assert_eq!(state.sign_out, SignOut::Running, "no cancel while running");
    assert_eq!(state.sign_out_seq, 1);
    let state = run(
        state,
        [SignOutFailed(error(
            CommandErrorCode::Storage,
            "Disk full.",
        ))],
    );
    assert_eq!(state.sign_out, SignOut::Failed("Disk full.".into()));
    let state = run(
        state,
        [ConfirmSignOut, SignedOut(Box::new(local_account()))],
    );
    assert_eq!(state.sign_out, SignOut::Closed);
    assert!(!state.signed_in());
    assert!(state
        .signed_out_note
        .as_deref()
        .is_some_and(|n| n.contains("still here")));
}

#[test]
fn a_keyring_that_keeps_its_entry_still_signs_out_and_says_so() {
    use SettingsAction::*;
    let state = run(
        loaded(signed_in_account()),
        [
            AskSignOut,
            ConfirmSignOut,
            SignOutFailed(error(
                CommandErrorCode::NoCredentialStore,
                "Signed out, but remove \"Fieldstone\" from the keyring by hand.",
            )),
        ],
    );
    assert_eq!(state.sign_out, SignOut::Closed);
    assert!(state
        .signed_out_note
        .as_deref()
        .is_some_and(|n| n.contains("by hand")));
    assert_eq!(state.account_seq, 2, "the account is read again");
}

#[test]
fn notices_are_dismissed_one_at_a_time() {
    use SettingsAction::*;
    let notice = |id: i64| SyncNotice {
        id,
        doc_id: format!("contact:{id}"),
        code: "not_writable".into(),
        message: "You may not change this contact.".into(),
        at: Utc
            .with_ymd_and_hms(2026, 1, 1, 9, 0, 0)
            .single()
            .expect("t"),
    };
    let state = run(
        loaded(signed_in_account()),
        [
            NoticesLoaded(vec![notice(1), notice(2)]),
            DismissNotice(1),
            DismissNotice(2),
        ],
    );
    assert!(state.notices_read);
    assert_eq!(state.dismissing, Some(1));
    let state = run(state, [NoticeDismissed(1)]);
    assert_eq!(state.notices, vec![notice(2)]);
    assert_eq!(state.dismissing, None);
    let state = run(
        state,
        [DismissNotice(2), DismissFailed("Disk full.".into())],
    );
    assert_eq!(state.notices.len(), 1);
    assert_eq!(state.notice_error.as_deref(), Some("Disk full."));

    let local = run(loaded(local_account()), [ReloadNotices, SyncNow]);
    assert_eq!(local.notices_seq, 0, "local only: no notices to read");
    assert_eq!(local.sync_now_seq, 0, "local only: nothing to sync");
}

#[test]
fn sync_now_is_one_request_at_a_time() {
    use SettingsAction::*;
    let state = run(loaded(signed_in_account()), [SyncNow, SyncNow]);
    assert!(state.syncing_now);
    assert_eq!(state.sync_now_seq, 1);
    let state = run(state, [SyncNowDone(Ok(())), SyncNow]);
    assert_eq!(state.sync_now_seq, 2);
}

#[test]
fn a_sync_now_that_fails_says_why() {
    use SettingsAction::*;
    let state = run(
        loaded(signed_in_account()),
        [
            SyncNow,
            SyncNowDone(Err("The server is unreachable.".into())),
        ],
    );
    assert!(!state.syncing_now);
    assert_eq!(
        state.notice_error.as_deref(),
        Some("Couldn't sync now: The server is unreachable.")
    );
}

#[test]
fn the_sync_summary_says_what_the_user_needs() {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("t");
    let status = SyncStatus {
        state: SyncState::Offline,
        pending: 3,
        last_synced_at: Some(now - chrono::Duration::minutes(5)),
        detail: " No network; retrying in 30 s. ".into(),
        // The rest as between rounds (newer contracts add fields here).
        ..SyncStatus::local_only()
    };
    let summary = SyncSummary::new(Some(&status), now);
    assert_eq!(summary.state, "offline");
    assert_eq!(summary.label, "Offline");
    assert_eq!(summary.last, "Last synced 5 min ago");
    assert_eq!(
        summary.pending.as_deref(),
        Some("3 changes waiting to be sent")
    );
    assert!(summary.alert);

    let up = SyncStatus {
        state: SyncState::UpToDate,
        pending: 0,
        last_synced_at: None,
        detail: String::new(),
        // The rest as between rounds (newer contracts add fields here).
        ..SyncStatus::local_only()
    };
    let summary = SyncSummary::new(Some(&up), now);
    assert_eq!(summary.state, "up_to_date");
    assert_eq!(summary.last, "Not synced yet");
    assert_eq!(summary.pending, None);
    assert!(!summary.alert);
    let one = SyncStatus { pending: 1, ..up };
    assert_eq!(
        SyncSummary::new(Some(&one), now).pending.as_deref(),
        Some("1 change waiting to be sent")
    );
    assert_eq!(SyncSummary::new(None, now).state, "checking");

    // A round under way says how far it has got, like the top bar.
    let sending = SyncStatus {
        state: SyncState::Syncing,
        pending: 5_000,
        progress: Some(fieldstone_protocol::commands::SyncProgress {
            sent: 2_000,
            to_send: 5_000,
            received: 0,
        }),
        ..SyncStatus::local_only()
    };
    let summary = SyncSummary::new(Some(&sending), now);
    assert_eq!(summary.label, "Syncing…");
    assert_eq!(summary.progress.as_deref(), Some("2,000 of 5,000"));
}

#[test]
fn file_sizes_read_by_people() {
    assert_eq!(file_size(0), "0 bytes");
    assert_eq!(file_size(999), "999 bytes");
    assert_eq!(file_size(12_345), "12.3 KB");
    assert_eq!(file_size(4_200_000), "4.2 MB");
}

#[test]
fn whose_records_are_read_at_start_and_after_every_sign_in_and_out() {
    use SettingsAction as A;
    let state = loaded(local_account());
    assert_eq!(state.records_seq, 1, "read at start");
    let state = run(state, [A::SignedIn(Box::new(signed_in_account()))]);
    assert_eq!(state.records_seq, 2, "a sign-in may show another account's");
    let state = run(
        state,
        [
            A::AskSignOut,
            A::ConfirmSignOut,
            A::SignedOut(Box::new(local_account())),
        ],
    );
    assert_eq!(state.records_seq, 3);
    let state = run(state, [A::RecordsFailed("disk".into())]);
    assert_eq!(state.records_error.as_deref(), Some("disk"));
}
