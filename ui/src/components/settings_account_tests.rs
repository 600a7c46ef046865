use super::*;
use chrono::TimeZone;
use fieldstone_model::UserId;
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, DeviceRecords, ErrorDetail, RecordsAccount, SyncState,
};
use yew::ServerRenderer;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("time")
}

fn account(session: bool) -> Account {
    let user: UserId = "00000000-0000-4000-8000-000000000001"
        .parse()
        .expect("valid id");
    Account {
        session: session.then(|| SessionInfo {
            server_url: "https://sync.acme.test".into(),
            user_id: user,
            email: "ada@acme.test".into(),
            display_name: "Ada Lovelace".into(),
            role: Role::Broker,
            org: OrgInfo {
                id: "00000000-0000-4000-8000-0000000000a1"
                    .parse()
                    .expect("valid id"),
                name: "Acme Realty".into(),
            },
            teams: Vec::new(),
            expires_at: now(),
        }),
        server_override: None,
        device_name: "Ada's laptop".into(),
        user_id: user,
    }
}

fn state(account: Account, actions: Vec<SettingsAction>) -> Rc<SettingsState> {
    let mut state = Rc::new(SettingsState::new());
    state = yew::Reducible::reduce(state, SettingsAction::AccountLoaded(Box::new(account)));
    for action in actions {
        state = yew::Reducible::reduce(state, action);
    }
    state
}

/// Renders the card for `account` after `actions` (built inside: props need not be `Send`).
async fn render(
    (account, actions): (Account, Vec<SettingsAction>),
    sync: Option<SyncStatus>,
) -> String {
    ServerRenderer::<AccountCard>::with_props(move || AccountCardProps {
        state: state(account, actions),
        sync,
        now: now(),
        dispatch: Callback::noop(),
    })
    .hydratable(false)
    .render()
    .await
}

fn filled() -> Vec<SettingsAction> {
    vec![
        SettingsAction::EditSignIn(SignInField::ServerUrl, "https://sync.acme.test".into()),
        SettingsAction::EditSignIn(SignInField::Email, "ada@acme.test".into()),
        SettingsAction::EditSignIn(SignInField::Password, "secret".into()),
        SettingsAction::SubmitSignIn,
    ]
}

#[tokio::test]
async fn local_only_explains_itself_and_offers_the_form() {
    let html = render((account(false), Vec::new()), None).await;
    assert!(html.contains(r#"id="settings-local""#), "{html}");
    assert!(html.contains("Local only"));
    assert!(html.contains("system keyring"));
    assert!(html.contains(r#"id="sign-in-server-url""#));
    assert!(html.contains(r#"type="password""#));
    // Password managers may fill the sign-in form (and only it).
    assert!(
        html.contains(r#"autocomplete="current-password""#),
        "{html}"
    );
    assert!(html.contains(r#"autocomplete="username""#), "{html}");
    assert!(!html.contains(r#"id="settings-session""#));
    assert!(!html.contains(r#"id="sign-out""#));
}

#[tokio::test]
async fn a_wrong_password_shows_at_the_field() {
    let mut actions = filled();
    actions.push(SettingsAction::SignInFailed(CommandError::new(
        CommandErrorCode::InvalidCredentials,
        "The email or password is wrong.",
    )));
    let html = render((account(false), actions), None).await;
    assert!(
        html.contains(r#"<p id="sign-in-password-error" class="field__error">The email or password is wrong.</p>"#),
        "{html}"
    );
    assert!(!html.contains("sign-in-no-store"));
}

#[tokio::test]
async fn no_keyring_has_its_own_banner() {
    let mut actions = filled();
    actions.push(SettingsAction::SignInFailed(CommandError::new(
        CommandErrorCode::NoCredentialStore,
        "This device has no system keyring to keep your sign-in safely.",
    )));
    let html = render((account(false), actions), None).await;
    assert!(html.contains(r#"id="sign-in-no-store""#), "{html}");
    assert!(html.contains("No system keyring on this device"));
    assert!(!html.contains("field__error"));
}

#[tokio::test]
async fn several_organisations_are_listed_instead_of_the_form() {
    let orgs = vec![
        OrgInfo {
            id: "00000000-0000-4000-8000-0000000000a1"
                .parse()
                .expect("valid id"),
            name: "Acme Realty".into(),
        },
        OrgInfo {
            id: "00000000-0000-4000-8000-0000000000a2"
                .parse()
                .expect("valid id"),
            name: "Beta Homes".into(),
        },
    ];
    let mut actions = filled();
    actions.push(SettingsAction::SignInFailed(
        CommandError::new(CommandErrorCode::ChooseOrganisation, "Choose.")
            .with_detail(ErrorDetail::ChooseOrganisation { orgs }),
    ));
    let html = render((account(false), actions), None).await;
    assert!(html.contains(r#"id="org-choice""#), "{html}");
    assert!(html.contains(r#"id="org-option-1""#));
    assert!(html.contains(r#"data-org-name="Beta Homes""#));
    assert!(!html.contains(r#"id="sign-in-form""#));
}

#[tokio::test]
async fn signed_in_shows_who_where_and_how_sync_is_doing() {
    let status = SyncStatus {
        state: SyncState::Offline,
        pending: 2,
        last_synced_at: Some(now() - chrono::Duration::hours(3)),
        detail: "No network; retrying in 30 s.".into(),
        // The rest as between rounds (newer contracts add fields here).
        ..SyncStatus::local_only()
    };
    let html = render((account(true), Vec::new()), Some(status)).await;
    assert!(html.contains(r#"id="settings-session""#), "{html}");
    assert!(html.contains("https://sync.acme.test"));
    assert!(html.contains("Acme Realty"));
    assert!(html.contains(" · Broker"));
    assert!(html.contains("Ada Lovelace"));
    assert!(html.contains(r#"data-state="offline""#));
    assert!(html.contains("Last synced 3 h ago"));
    assert!(html.contains("2 changes waiting to be sent"));
    assert!(
        !html.contains("No network; retrying in 30 s."),
        "the top bar says why; the card does not repeat it"
    );
    assert!(html.contains(r#"id="sync-now""#));
    assert!(html.contains(r#"id="sign-out""#));
    assert!(!html.contains(r#"id="sign-in-form""#));
    assert!(!html.contains("sign-out-dialog"), "asked only on request");
}

#[tokio::test]
async fn the_sign_out_confirmation_says_local_data_stays() {
    let html = render((account(true), vec![SettingsAction::AskSignOut]), None).await;
    assert!(html.contains(r#"id="sign-out-dialog""#), "{html}");
    assert!(html.contains("stay on this device"));
    assert!(html.contains(r#"id="sign-out-cancel""#));
    assert!(html.contains(r#"id="sign-out-confirm""#));
}

#[tokio::test]
async fn notices_are_listed_with_a_dismiss_button() {
    let notice = SyncNotice {
        id: 7,
        doc_id: "contact:00000000-0000-4000-8000-000000000009".into(),
        code: "field_not_allowed".into(),
        message: "Only a broker may reassign this contact; your change was put back.".into(),
        at: now() - chrono::Duration::minutes(5),
    };
    let html = render(
        (
            account(true),
            vec![SettingsAction::NoticesLoaded(vec![notice])],
        ),
        None,
    )
    .await;
    assert!(html.contains(r#"id="sync-notices""#), "{html}");
    assert!(html.contains("Only a broker may reassign"));
    assert!(
        html.contains(r##"href="#/contacts/00000000-0000-4000-8000-000000000009""##)
            && html.contains(">Open the contact</a>"),
        "the notice links to the record: {html}"
    );
    assert!(html.contains(" · 5 min ago"));
    assert!(html.contains(r#"aria-label="Dismiss""#));
}

fn records(
    shown: Option<&str>,
    synced: bool,
    apart: &[&str],
    note: Option<&str>,
) -> SettingsAction {
    let account = |org: &str| RecordsAccount {
        org_name: org.into(),
        email: format!(
            "ada@{}.test",
            org.split(' ').next().unwrap_or(org).to_lowercase()
        ),
        server_url: "https://sync.acme.test".into(),
    };
    SettingsAction::RecordsLoaded(Box::new(DeviceRecords {
        shown: shown.map(account),
        synced,
        apart: apart.iter().map(|org| account(org)).collect(),
        note: note.map(str::to_owned),
    }))
}

#[tokio::test]
async fn after_a_switch_it_says_what_happened_whose_records_show_and_which_stay_apart() {
    let note = "You are signed in to Cedar Homes. Harbour Realty's records stay on this device and come back when you sign in to it again.";
    let switched = records(Some("Cedar Homes"), true, &["Harbour Realty"], Some(note));
    let html = render((account(true), vec![switched]), None).await;
    assert!(html.contains(r#"id="records-note""#), "{html}");
    assert!(
        html.contains("Harbour Realty&#x27;s records stay on this device")
            || html.contains("Harbour Realty's records stay on this device"),
        "{html}"
    );
    assert!(html.contains("This device shows Cedar Homes"), "{html}");
    assert!(html.contains(r#"id="records-apart""#));
    assert!(html.contains("Harbour Realty (ada@harbour.test)"), "{html}");
    let (records_at, session_at) = (html.find("device-records"), html.find("settings-session"));
    assert!(records_at < session_at, "whose records comes first");
}

#[tokio::test]
async fn signed_out_it_says_the_last_accounts_records_wait_unsynced() {
    let html = render(
        (
            account(false),
            vec![records(Some("Harbour Realty"), false, &[], None)],
        ),
        None,
    )
    .await;
    assert!(
        html.contains("not synced while you are signed out"),
        "{html}"
    );
    assert!(
        !html.contains(r#"id="records-apart""#),
        "nothing apart to list"
    );
    assert!(html.find("device-records") < html.find("sign-in-form"));
}

#[tokio::test]
async fn before_any_sign_in_it_says_what_signing_in_does_after_the_form() {
    let html = render(
        (account(false), vec![records(None, false, &[], None)]),
        None,
    )
    .await;
    assert!(
        html.contains("The first account you sign in to receives them"),
        "{html}"
    );
    assert!(html.find("sign-in-form") < html.find("device-records"));
}

#[test]
fn notices_name_the_kind_of_record_with_its_article() {
    assert_eq!(record_label("contact:0190"), "A contact");
    assert_eq!(record_label("interaction:0190"), "An interaction");
}

#[test]
fn a_notice_about_a_contact_or_listing_links_to_it() {
    let id = "00000000-0000-4000-8000-000000000001";
    assert_eq!(
        record_route(&format!("contact:{id}")).map(crate::route::Route::to_hash),
        Some(format!("#/contacts/{id}"))
    );
    assert_eq!(
        record_route(&format!("listing:{id}")).map(crate::route::Route::to_hash),
        Some(format!("#/listings/{id}"))
    );
    assert_eq!(
        record_route(&format!("note:{id}")),
        None,
        "no screen of its own"
    );
    assert_eq!(record_route("contact:not-an-id"), None);
}
