//! Settings: the account (local only, signing in to a sync server, choosing an organisation,
//! signed in with the sync status and its notices, signing out), whose records the device shows
//! and keeps apart, this device's name, exporting everything, and what the app is. A pure reducer: the page turns the requests recorded here
//! (each a growing `*_seq` with what to send) into shell calls and dispatches their answers.
//!
//! The shell checks every input again; the checks here only catch what needs no engine (a blank
//! field, a missing `@`) so every problem shows at once, next to its field.

use super::format::relative;
use super::record_form::FormAction;
use super::sync::SyncBadge;
use super::ListView;
use chrono::{DateTime, Utc};
use fieldstone_model::OrgId;
use fieldstone_protocol::commands::{
    About, Account, CommandError, CommandErrorCode, DeviceRecords, ExportDone, ExportFormat,
    SyncNotice, SyncState, SyncStatus,
};
use std::rc::Rc;
use yew::Reducible;

#[path = "settings_sign_in.rs"]
mod sign_in;
pub use sign_in::{server_address, SignIn, SignInField, SignInForm, SignInSetup};
#[path = "settings_device.rs"]
mod device;
pub use device::{DeviceForm, DeviceName, DeviceNameField, DEVICE_NAME_INPUT};

/// Where keyboard focus should go; `seq` grows so the same element can be asked twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focus {
    pub id: String,
    pub seq: u64,
}

/// Exporting everything, or all contacts, and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExportRun {
    #[default]
    Idle,
    Running(ExportFormat),
    Done(ExportFormat, ExportDone),
    Failed(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SignOut {
    #[default]
    Closed,
    /// The confirmation is open.
    Confirming,
    Running,
    /// Refused; the confirmation stays open with the reason.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SettingsAction {
    AccountLoaded(Box<Account>),
    AccountFailed(String),
    ReloadAccount,
    AboutLoaded(Box<About>),
    AboutFailed(String),
    /// Whose records are shown (read at start and after every sign-in and sign-out).
    RecordsLoaded(Box<DeviceRecords>),
    RecordsFailed(String),

    EditSignIn(SignInField, String),
    SubmitSignIn,
    /// The organisation picked after [`CommandErrorCode::ChooseOrganisation`]: signs in to it.
    ChooseOrg(OrgId),
    /// Back from the organisation choice to the form.
    CancelOrgChoice,
    SignedIn(Box<Account>),
    SignInFailed(CommandError),

    EditDeviceName(String),
    SaveDeviceName,
    DeviceSaved(Box<Account>),
    DeviceFailed(CommandError),

    Export(ExportFormat),
    Exported(ExportDone),
    ExportFailed(String),
    DismissExport,

    AskSignOut,
    CancelSignOut,
    ConfirmSignOut,
    SignedOut(Box<Account>),
    SignOutFailed(CommandError),

    ReloadNotices,
    NoticesLoaded(Vec<SyncNotice>),
    NoticesFailed(String),
    DismissNotice(i64),
    NoticeDismissed(i64),
    DismissFailed(String),

    SyncNow,
    /// The round asked for ran, or why it could not.
    SyncNowDone(Result<(), String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SettingsState {
    pub view: ListView,
    pub account: Option<Account>,
    /// Grows when the account must be read (again).
    pub account_seq: u64,
    pub about: Option<Result<About, String>>,
    /// Whose records this device shows and keeps apart.
    pub records: Option<DeviceRecords>,
    /// Why they could not be read, if they could not.
    pub records_error: Option<String>,
    /// Grows when they must be read (again).
    pub records_seq: u64,
    pub sign_in: SignInForm,
    pub device: DeviceForm,
    pub export: ExportRun,
    pub export_seq: u64,
    pub sign_out: SignOut,
    pub sign_out_seq: u64,
    /// Said after signing out (e.g. the keyring kept its entry).
    pub signed_out_note: Option<String>,
    pub notices: Vec<SyncNotice>,
    /// The notices have been read at least once since the screen opened.
    pub notices_read: bool,
    pub notices_seq: u64,
    pub notice_error: Option<String>,
    pub dismissing: Option<i64>,
    pub syncing_now: bool,
    pub sync_now_seq: u64,
    pub focus: Option<Focus>,
}

impl Default for SettingsState {
    fn default() -> Self {
        Self::new()
    }
}

impl SettingsState {
    pub fn new() -> Self {
        SettingsState {
            view: ListView::Loading,
            account: None,
            account_seq: 1,
            about: None,
            records: None,
            records_error: None,
            records_seq: 1,
            sign_in: SignInForm::default(),
            device: DeviceForm::new((), DeviceName::default()),
            export: ExportRun::Idle,
            export_seq: 0,
            sign_out: SignOut::Closed,
            sign_out_seq: 0,
            signed_out_note: None,
            notices: Vec::new(),
            notices_read: false,
            notices_seq: 0,
            notice_error: None,
            dismissing: None,
            syncing_now: false,
            sync_now_seq: 0,
            focus: None,
        }
    }

    pub fn signed_in(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.session.is_some())
    }

    fn focus(&mut self, id: &str) {
        let seq = self.focus.as_ref().map_or(1, |f| f.seq + 1);
        self.focus = Some(Focus {
            id: id.to_owned(),
            seq,
        });
    }

    fn take_account(&mut self, account: Account) {
        if !self.device.dirty {
            self.device.draft = DeviceName(account.device_name.clone());
        }
        self.account = Some(account);
        self.view = ListView::Loaded;
    }

    /// Submits the sign-in form with this device's name and `org_id` (the organisation picked,
    /// if the server asked); nothing while a sign-in is on its way or the account is unread.
    fn send_sign_in(&mut self, org_id: Option<OrgId>) {
        if self.sign_in.submitting {
            return;
        }
        let Some(account) = &self.account else {
            return;
        };
        self.sign_in.setup = SignInSetup {
            device_name: account.device_name.clone(),
            org_id,
        };
        self.sign_in_form(FormAction::Submit);
    }

    /// Applies a sign-in form action; focus follows the form's to the element it names.
    fn sign_in_form(&mut self, action: FormAction<SignIn>) {
        let before = self.sign_in.focus.clone();
        self.sign_in.apply(action);
        if self.sign_in.focus != before {
            let id = self
                .sign_in
                .focus
                .as_ref()
                .and_then(|f| sign_in::focus_id(&f.path));
            if let Some(id) = id {
                self.focus(id);
            }
        }
    }

    /// Applies a device-name form action; focus follows the form's to the name input.
    fn device_form(&mut self, action: FormAction<DeviceName>) {
        let before = self.device.focus.clone();
        self.device.apply(action);
        if self.device.focus != before {
            self.focus(DEVICE_NAME_INPUT);
        }
    }

    fn apply(&mut self, action: SettingsAction) {
        use SettingsAction as A;
        match action {
            A::AccountLoaded(account) => self.take_account(*account),
            A::AccountFailed(message) => {
                if self.account.is_none() {
                    self.view = ListView::Failed(message);
                }
            }
            A::ReloadAccount => {
                self.account_seq += 1;
                if self.account.is_none() {
                    self.view = ListView::Loading;
                }
            }
            A::AboutLoaded(about) => self.about = Some(Ok(*about)),
            A::AboutFailed(message) => self.about = Some(Err(message)),
            A::RecordsLoaded(records) => {
                self.records = Some(*records);
                self.records_error = None;
            }
            A::RecordsFailed(message) => self.records_error = Some(message),

            A::EditSignIn(field, value) => self.sign_in_form(FormAction::Edit((field, value))),
            A::SubmitSignIn => self.send_sign_in(None),
            A::ChooseOrg(org) => self.send_sign_in(Some(org)),
            A::CancelOrgChoice => {
                self.sign_in.draft.orgs = None;
                self.focus(SignInField::Email.input_id());
            }
            A::SignedIn(account) => {
                // A fresh form for the next sign-in: nothing typed is kept, nor which device
                // or organisation it was sent for.
                self.sign_in = SignInForm::default();
                self.signed_out_note = None;
                self.notices_seq += 1;
                // Signing in may show another account's records: say whose, and what happened.
                self.records_seq += 1;
                self.take_account(*account);
            }
            A::SignInFailed(error) => {
                if error.code == CommandErrorCode::WrongState {
                    // Signed in (or out) elsewhere meanwhile: show the account as it is.
                    self.account_seq += 1;
                }
                self.sign_in_form(FormAction::Failed(error));
            }

            A::EditDeviceName(value) => self.device_form(FormAction::Edit(value)),
            A::SaveDeviceName => self.device_form(FormAction::Submit),
            A::DeviceSaved(account) => {
                self.device_form(FormAction::Saved(account.clone()));
                self.take_account(*account);
            }
            A::DeviceFailed(error) => {
                self.device.apply(FormAction::Failed(error));
                // Whatever the refusal was about, the name is what to look at again.
                self.focus(DEVICE_NAME_INPUT);
            }

            A::Export(format) => {
                if !matches!(self.export, ExportRun::Running(_)) {
                    self.export = ExportRun::Running(format);
                    self.export_seq += 1;
                }
            }
            A::Exported(done) => {
                if let ExportRun::Running(format) = self.export {
                    self.export = ExportRun::Done(format, done);
                }
            }
            A::ExportFailed(message) => self.export = ExportRun::Failed(message),
            A::DismissExport => {
                if !matches!(self.export, ExportRun::Running(_)) {
                    self.export = ExportRun::Idle;
                }
            }

            A::AskSignOut => {
                if self.signed_in() && self.sign_out == SignOut::Closed {
                    self.sign_out = SignOut::Confirming;
                    self.focus("sign-out-cancel");
                }
            }
            A::CancelSignOut => {
                if self.sign_out != SignOut::Running {
                    self.sign_out = SignOut::Closed;
                    self.focus("sign-out");
                }
            }
            A::ConfirmSignOut => {
                if matches!(self.sign_out, SignOut::Confirming | SignOut::Failed(_)) {
                    self.sign_out = SignOut::Running;
                    self.sign_out_seq += 1;
                }
            }
            A::SignedOut(account) => {
                self.sign_out = SignOut::Closed;
                self.notices.clear();
                self.notices_read = false;
                self.notice_error = None;
                self.signed_out_note =
                    Some("Signed out. Everything you had on this device is still here.".into());
                self.records_seq += 1;
                self.take_account(*account);
                self.focus(SignInField::ServerUrl.input_id());
            }
            A::SignOutFailed(error) => {
                if error.code == CommandErrorCode::NoCredentialStore {
                    // Signed out; only the keyring entry could not be removed.
                    self.sign_out = SignOut::Closed;
                    self.signed_out_note = Some(error.message);
                    self.account_seq += 1;
                } else {
                    self.sign_out = SignOut::Failed(error.message);
                }
            }

            A::ReloadNotices => {
                if self.signed_in() {
                    self.notices_seq += 1;
                }
            }
            A::NoticesLoaded(notices) => {
                self.notices = notices;
                self.notices_read = true;
                self.notice_error = None;
            }
            A::NoticesFailed(message) => self.notice_error = Some(message),
            A::DismissNotice(id) => {
                if self.dismissing.is_none() {
                    self.dismissing = Some(id);
                }
            }
            A::NoticeDismissed(id) => {
                self.notices.retain(|n| n.id != id);
                self.dismissing = None;
                self.notice_error = None;
            }
            A::DismissFailed(message) => {
                self.dismissing = None;
                self.notice_error = Some(message);
            }

            A::SyncNow => {
                if !self.syncing_now && self.signed_in() {
                    self.syncing_now = true;
                    self.sync_now_seq += 1;
                }
            }
            A::SyncNowDone(result) => {
                self.syncing_now = false;
                if let Err(message) = result {
                    self.notice_error = Some(format!("Couldn't sync now: {message}"));
                }
            }
        }
    }
}

impl Reducible for SettingsState {
    type Action = SettingsAction;

    fn reduce(self: Rc<Self>, action: SettingsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

/// The signed-in card's sync line, from the frame's latest [`SyncStatus`]. Why sync is offline
/// or needs attention is not repeated here: the top bar says it on every screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSummary {
    /// `data-state`, as the top bar's badge.
    pub state: &'static str,
    pub label: &'static str,
    /// "2,000 of 5,000" while a round sends, as the badge says it.
    pub progress: Option<String>,
    /// "Last synced 5 min ago".
    pub last: String,
    /// "3 changes waiting to be sent".
    pub pending: Option<String>,
    /// Calls for the user (offline, sign in again, needs attention).
    pub alert: bool,
}

impl SyncSummary {
    pub fn new(status: Option<&SyncStatus>, now: DateTime<Utc>) -> Self {
        let Some(status) = status else {
            return SyncSummary {
                state: "checking",
                label: "Checking…",
                progress: None,
                last: String::new(),
                pending: None,
                alert: false,
            };
        };
        let badge = SyncBadge::new(Some(status), None);
        SyncSummary {
            state: badge.state,
            label: badge.label,
            progress: badge.progress,
            last: match status.last_synced_at {
                Some(at) => format!("Last synced {}", relative(Some(at), now)),
                None => "Not synced yet".into(),
            },
            pending: (status.pending > 0).then(|| {
                if status.pending == 1 {
                    "1 change waiting to be sent".to_owned()
                } else {
                    format!(
                        "{} changes waiting to be sent",
                        super::format::thousands(status.pending)
                    )
                }
            }),
            alert: matches!(
                status.state,
                SyncState::Offline | SyncState::SignInAgain | SyncState::NeedsAttention
            ),
        }
    }
}

/// "12.3 KB" for an export's size.
pub fn file_size(bytes: u64) -> String {
    const KB: u64 = 1_000;
    const MB: u64 = 1_000_000;
    match bytes {
        0..KB => format!("{bytes} bytes"),
        KB..MB => format!("{:.1} KB", bytes as f64 / KB as f64),
        _ => format!("{:.1} MB", bytes as f64 / MB as f64),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
