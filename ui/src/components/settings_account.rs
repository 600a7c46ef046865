//! Settings' account card: local only with what signing in does and the sign-in form (or the
//! organisation to choose), or signed in with who, where, the sync status, its notices and
//! signing out behind a confirmation that says local data stays.

use super::dialog::Dialog;
use super::field::TextField;
use super::icons::{icon, Icon};
use super::settings_records::RecordsSection;
use crate::components::settings_invitation::InvitationCard;
use crate::state::format::relative;
use crate::state::initials;
use crate::state::settings::{
    SettingsAction, SettingsState, SignInField, SignInForm, SignOut, SyncSummary,
};
use chrono::{DateTime, Utc};
use fieldstone_protocol::account::{OrgInfo, Role};
use fieldstone_protocol::commands::{Account, SessionInfo, SyncNotice, SyncStatus};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct AccountCardProps {
    pub state: Rc<SettingsState>,
    pub sync: Option<SyncStatus>,
    pub now: DateTime<Utc>,
    pub dispatch: Callback<SettingsAction>,
}

#[component]
pub fn AccountCard(props: &AccountCardProps) -> Html {
    let state = &props.state;
    let Some(account) = &state.account else {
        return html! {};
    };
    let body = match &account.session {
        Some(session) => html! {
            <SignedIn
                account={account.clone()}
                session={session.clone()}
                summary={SyncSummary::new(props.sync.as_ref(), props.now)}
                syncing_now={state.syncing_now}
                notices={state.notices.clone()}
                notices_read={state.notices_read}
                notice_error={state.notice_error.clone()}
                dismissing={state.dismissing}
                now={props.now}
                dispatch={props.dispatch.clone()}
            />
        },
        None => html! {
            <LocalOnly
                account={account.clone()}
                form={state.sign_in.clone()}
                note={state.signed_out_note.clone()}
                dispatch={props.dispatch.clone()}
            />
        },
    };
    let records = html! {
        <RecordsSection records={state.records.clone()} error={state.records_error.clone()} />
    };
    // Whose records are shown comes first once an account's are (after a switch, it says
    // what happened); before any sign-in it follows the form, as what signing in will do.
    let first_store = state.records.as_ref().is_some_and(|r| r.shown.is_none());
    html! {
        <section id="settings-account" class="card settings-card" aria-labelledby="settings-account-title">
            <h2 id="settings-account-title" class="settings-card__title">
                { icon(Icon::Contacts) }{ "Account and sync" }
            </h2>
            if !first_store {
                { records.clone() }
            }
            { body }
            if first_store {
                { records }
            }
            if account.session.is_some() && state.sign_out != SignOut::Closed {
                <SignOutDialog
                    server={account.session.as_ref().map(|s| s.server_url.clone()).unwrap_or_default()}
                    state={state.sign_out.clone()}
                    dispatch={props.dispatch.clone()}
                />
            }
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct LocalOnlyProps {
    account: Account,
    form: SignInForm,
    note: Option<String>,
    dispatch: Callback<SettingsAction>,
}

#[component]
fn LocalOnly(props: &LocalOnlyProps) -> Html {
    let form = &props.form;
    html! {
        <div id="settings-local" class="settings-local">
            if let Some(note) = &props.note {
                <p id="signed-out-note" class="settings-note settings-note--success" role="status">
                    <span class="form-success__icon" aria-hidden="true"></span>{ note }
                </p>
            }
            <div class="settings-intro">
                <span class="sync-badge sync-badge--local_only settings-intro__badge">
                    <span class="sync-badge__dot" aria-hidden="true"></span>{ "Local only" }
                </span>
                <p class="settings-intro__lead">
                    { "Everything you do is kept on this device, and works with no network at all." }
                </p>
                <ul class="settings-intro__points">
                    <li>{ icon(Icon::Check) }{ "Sign in to your organisation's Fieldstone server to sync with your other devices and your team." }</li>
                    <li>{ icon(Icon::Check) }{ "Your sign-in is kept in this device's system keyring, never in a file." }</li>
                    <li>{ icon(Icon::Check) }{ "Nothing on this device is removed, now or if you sign out later." }</li>
                </ul>
                if let Some(server) = &props.account.server_override {
                    <p id="settings-override" class="settings-fineprint">
                        { "This window is syncing with " }<code>{ server }</code>
                        { ", set by its environment (development)." }
                    </p>
                }
            </div>
            if let Some(orgs) = &form.draft.orgs {
                <OrgChoice orgs={orgs.clone()} email={form.draft.email.trim().to_owned()} busy={form.submitting} dispatch={props.dispatch.clone()} />
            } else {
                <SignInFormView form={form.clone()} dispatch={props.dispatch.clone()} />
                <InvitationCard device_name={props.account.device_name.clone()} dispatch={props.dispatch.clone()} />
            }
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct SignInFormProps {
    form: SignInForm,
    dispatch: Callback<SettingsAction>,
}

#[component]
fn SignInFormView(props: &SignInFormProps) -> Html {
    let form = &props.form;
    let onsubmit = props.dispatch.reform(|event: SubmitEvent| {
        event.prevent_default();
        SettingsAction::SubmitSignIn
    });
    let field = |field: SignInField, label: &'static str| {
        let on_input = props
            .dispatch
            .reform(move |value| SettingsAction::EditSignIn(field, value));
        // Named for password managers: the one form where filling in for people helps.
        let (input_type, placeholder, hint, autocomplete) = match field {
            SignInField::ServerUrl => (
                "url",
                Some("https://sync.example.com"),
                Some("from your office or admin"),
                "url",
            ),
            SignInField::Email => ("email", Some("you@agency.com"), None, "username"),
            SignInField::Password => ("password", None, None, "current-password"),
        };
        html! {
            <TextField
                id={field.input_id()}
                label={label}
                value={form.value(field).to_owned()}
                error={form.errors.get(field.path()).map(|m| AttrValue::from(m.to_owned()))}
                input_type={input_type}
                input_mode={(field == SignInField::ServerUrl).then_some(AttrValue::Static("url"))}
                placeholder={placeholder.map(AttrValue::Static)}
                hint={hint.map(AttrValue::Static)}
                autocomplete={autocomplete}
                {on_input}
            />
        }
    };
    html! {
        <form id="sign-in-form" class="form settings-sign-in" novalidate=true {onsubmit}>
            <h3 class="settings-subtitle">{ "Sign in to a sync server" }</h3>
            if let Some(message) = &form.draft.no_store {
                <div id="sign-in-no-store" class="banner banner--error banner--inline" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <div class="banner__text">
                        <p class="banner__title">{ "No system keyring on this device" }</p>
                        <p>{ message }</p>
                    </div>
                </div>
            }
            if let Some(message) = &form.errors.banner {
                <div id="sign-in-banner" class="banner banner--error banner--inline" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ message }</p>
                </div>
            }
            { field(SignInField::ServerUrl, "Server address") }
            <div class="form-grid">
                { field(SignInField::Email, "Email") }
                { field(SignInField::Password, "Password") }
            </div>
            <div class="settings-actions">
                <button
                    id="sign-in-submit"
                    type="submit"
                    class={classes!("button", "button--primary", form.submitting.then_some("button--busy"))}
                    disabled={form.submitting}
                >
                    <span class="button__spinner" aria-hidden="true"></span>
                    { if form.submitting { "Signing in…" } else { "Sign in" } }
                </button>
            </div>
        </form>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct OrgChoiceProps {
    orgs: Vec<OrgInfo>,
    email: String,
    busy: bool,
    dispatch: Callback<SettingsAction>,
}

#[component]
fn OrgChoice(props: &OrgChoiceProps) -> Html {
    let back = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::CancelOrgChoice);
    html! {
        <div id="org-choice" class="settings-orgs" role="group" aria-labelledby="org-choice-title">
            <h3 id="org-choice-title" class="settings-subtitle">{ "Choose an organisation" }</h3>
            <p class="settings-muted">
                <strong>{ &props.email }</strong>{ " belongs to several organisations. Which one should this device sync with?" }
            </p>
            <ul class="settings-orgs__list">
                for (i, org) in props.orgs.iter().enumerate() {
                    <li key={org.id.to_string()}>
                        <button
                            id={format!("org-option-{i}")}
                            type="button"
                            class="org-option"
                            data-org-name={org.name.clone()}
                            disabled={props.busy}
                            onclick={props.dispatch.reform({ let id = org.id; move |_: MouseEvent| SettingsAction::ChooseOrg(id) })}
                        >
                            <span class="avatar avatar--small" aria-hidden="true">{ initials(&org.name) }</span>
                            <span class="org-option__name">{ &org.name }</span>
                            { icon(Icon::ChevronRight) }
                        </button>
                    </li>
                }
            </ul>
            <div class="settings-actions settings-actions--start">
                <button id="org-choice-back" type="button" class="button button--ghost" onclick={back} disabled={props.busy}>
                    { icon(Icon::Back) }{ "Back" }
                </button>
                if props.busy {
                    <span class="settings-muted" role="status">{ "Signing in…" }</span>
                }
            </div>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct SignedInProps {
    account: Account,
    session: SessionInfo,
    summary: SyncSummary,
    syncing_now: bool,
    notices: Vec<SyncNotice>,
    notices_read: bool,
    notice_error: Option<String>,
    dismissing: Option<i64>,
    now: DateTime<Utc>,
    dispatch: Callback<SettingsAction>,
}

#[component]
fn SignedIn(props: &SignedInProps) -> Html {
    let (session, summary) = (&props.session, &props.summary);
    let sync_now = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::SyncNow);
    let sign_out = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::AskSignOut);
    let role = role_label(session.role);
    html! {
        // `data-notices-read`: the notices shown are the shell's, not a first render's nothing.
        <div id="settings-session" class="settings-session" data-notices-read={props.notices_read.then_some("true")}>
            <div id="settings-sync" class={classes!("settings-sync", summary.alert.then_some("settings-sync--alert"))} data-state={summary.state}>
                <div class="settings-sync__info">
                    <div class="settings-sync__main">
                        <span class={classes!("sync-badge", format!("sync-badge--{}", summary.state))}>
                            <span class="sync-badge__dot" aria-hidden="true"></span>{ summary.label }
                            if let Some(progress) = &summary.progress {
                                { " " }<span class="sync-badge__pending">{ progress }</span>
                            }
                        </span>
                        <span class="settings-sync__last">{ &summary.last }</span>
                    </div>
                    if let Some(pending) = &summary.pending {
                        <p class="settings-sync__line">{ pending }</p>
                    }
                    if summary.state == "sign_in_again" {
                        <p class="settings-sync__line">{ "Sign out, then sign in again to keep syncing. Nothing on this device is lost." }</p>
                    }
                </div>
                <button
                    id="sync-now"
                    type="button"
                    class={classes!("button", "button--secondary", "button--small", props.syncing_now.then_some("button--busy"))}
                    onclick={sync_now}
                    disabled={props.syncing_now}
                >
                    { if props.syncing_now { "Syncing…" } else { "Sync now" } }
                </button>
            </div>
            <dl class="settings-facts">
                <div class="settings-facts__row">
                    <dt>{ "Server" }</dt>
                    <dd id="session-server" class="settings-facts__mono">{ &session.server_url }</dd>
                </div>
                <div class="settings-facts__row">
                    <dt>{ "Organisation" }</dt>
                    <dd id="session-org">{ &session.org.name }<span class="settings-muted">{ format!(" · {role}") }</span></dd>
                </div>
                <div class="settings-facts__row">
                    <dt>{ "Signed in as" }</dt>
                    <dd id="session-user">
                        { &session.display_name }
                        if session.display_name != session.email {
                            <span class="settings-muted">{ format!(" · {}", session.email) }</span>
                        }
                    </dd>
                </div>
                if !session.teams.is_empty() {
                    <div class="settings-facts__row">
                        <dt>{ "Teams" }</dt>
                        <dd id="session-teams">{ session.teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ") }</dd>
                    </div>
                }
                <div class="settings-facts__row">
                    <dt>{ "This device" }</dt>
                    <dd id="session-device">{ &props.account.device_name }</dd>
                </div>
            </dl>
            <Notices
                notices={props.notices.clone()}
                error={props.notice_error.clone()}
                dismissing={props.dismissing}
                now={props.now}
                dispatch={props.dispatch.clone()}
            />
            <div class="settings-signout">
                <p class="settings-muted">{ "Signing out stops syncing. Everything stays on this device." }</p>
                <button id="sign-out" type="button" class="button button--danger" onclick={sign_out}>{ "Sign out…" }</button>
            </div>
        </div>
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct NoticesProps {
    notices: Vec<SyncNotice>,
    error: Option<String>,
    dismissing: Option<i64>,
    now: DateTime<Utc>,
    dispatch: Callback<SettingsAction>,
}

/// Edits the server refused (put back, or kept here when only a limit stood in the way) and
/// records it sent that could not be read, until dismissed.
#[component]
fn Notices(props: &NoticesProps) -> Html {
    if props.notices.is_empty() && props.error.is_none() {
        return html! {};
    }
    html! {
        <section id="sync-notices" class="settings-notices" aria-labelledby="sync-notices-title">
            <h3 id="sync-notices-title" class="settings-subtitle">{ "Sync notices" }</h3>
            if let Some(error) = &props.error {
                <p class="field__error" role="alert">{ error }</p>
            }
            <ul class="settings-notices__list">
                for notice in props.notices.iter() {
                    <li key={notice.id} class="settings-notice">
                        <span class="settings-notice__icon" aria-hidden="true">{ icon(Icon::Warning) }</span>
                        <div class="settings-notice__main">
                            <p class="settings-notice__text">{ &notice.message }</p>
                            <p class="settings-muted">
                                if let Some(route) = record_route(&notice.doc_id) {
                                    <a class="settings-notice__link" href={route.to_hash()}>{ format!("Open the {}", notice.doc_id.split(':').next().unwrap_or("record")) }</a>
                                } else {
                                    { record_label(&notice.doc_id) }
                                }
                                { format!(" · {}", relative(Some(notice.at), props.now)) }
                            </p>
                        </div>
                        <button
                            type="button"
                            class="icon-button"
                            aria-label="Dismiss"
                            disabled={props.dismissing.is_some()}
                            onclick={props.dispatch.reform({ let id = notice.id; move |_: MouseEvent| SettingsAction::DismissNotice(id) })}
                        >
                            { icon(Icon::Close) }
                        </button>
                    </li>
                }
            </ul>
        </section>
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Broker => "Broker",
        Role::Agent => "Agent",
        Role::Viewer => "Viewer",
    }
}

/// The screen that shows the record a notice is about, for the kinds that have one.
fn record_route(doc_id: &str) -> Option<crate::route::Route> {
    let (kind, id) = doc_id.split_once(':')?;
    match kind {
        "contact" => id.parse().ok().map(crate::route::Route::Contact),
        "listing" => id.parse().ok().map(crate::route::Route::Listing),
        _ => None,
    }
}

/// "A contact" for `contact:…`: the id means nothing to people.
fn record_label(doc_id: &str) -> String {
    let kind = doc_id.split(':').next().unwrap_or_default();
    match kind {
        "" => "A record".into(),
        kind if kind.starts_with(['a', 'e', 'i', 'o', 'u']) => {
            format!("An {}", kind.replace('_', " "))
        }
        kind => format!("A {}", kind.replace('_', " ")),
    }
}

#[derive(Debug, Clone, PartialEq, Properties)]
struct SignOutDialogProps {
    server: String,
    state: SignOut,
    dispatch: Callback<SettingsAction>,
}

#[component]
fn SignOutDialog(props: &SignOutDialogProps) -> Html {
    let running = props.state == SignOut::Running;
    let cancel = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::CancelSignOut);
    let confirm = props
        .dispatch
        .reform(|_: MouseEvent| SettingsAction::ConfirmSignOut);
    html! {
        <Dialog id="sign-out-dialog" title="Sign out of this server?" on_close={props.dispatch.reform(|()| SettingsAction::CancelSignOut)}>
            <p class="dialog__lead">
                { "This device stops syncing with " }<code>{ &props.server }</code>{ "." }
            </p>
            <p class="settings-keep">
                { icon(Icon::Check) }
                <span>{ "Your contacts, notes, bookings and listings stay on this device, and you can keep working with them." }</span>
            </p>
            <p class="settings-muted">
                { "If you then sign in to another account, this device shows that account's records instead; these stay here, apart, and come back when you sign in to this one again." }
            </p>
            if let SignOut::Failed(message) = &props.state {
                <div id="sign-out-error" class="banner banner--error banner--inline" role="alert">
                    <span class="banner__icon" aria-hidden="true"></span>
                    <p class="banner__text">{ message }</p>
                </div>
            }
            <div class="form__actions">
                <button id="sign-out-cancel" type="button" class="button button--secondary" onclick={cancel} disabled={running}>{ "Keep syncing" }</button>
                <button
                    id="sign-out-confirm"
                    type="button"
                    class={classes!("button", "button--danger", running.then_some("button--busy"))}
                    onclick={confirm}
                    disabled={running}
                >
                    { if running { "Signing out…" } else { "Sign out" } }
                </button>
            </div>
        </Dialog>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "settings_account_tests.rs"]
mod tests;
