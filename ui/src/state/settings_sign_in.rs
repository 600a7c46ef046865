//! The sign-in form of the Settings screen, a record of the generic form reducer: its fields by
//! the engine's names, the request it sends once nothing is blank (`https://` assumed when no
//! scheme is typed), and where the server's refusals show (a wrong password at the emptied
//! password field, an unreachable server at the address, several organisations as a choice,
//! no keyring apart from the fields).

use super::super::form::FormErrors;
use super::super::record_form::{Form, FormRecord, Refusal};
use fieldstone_model::OrgId;
use fieldstone_protocol::account::OrgInfo;
use fieldstone_protocol::commands::{
    Account, CommandError, CommandErrorCode, ErrorDetail, SignInRequest,
};
/// The sign-in form's inputs, by the engine's field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInField {
    ServerUrl,
    Email,
    Password,
}

impl SignInField {
    /// In form order: where focus goes after a refused submit.
    pub const ALL: [SignInField; 3] = [
        SignInField::ServerUrl,
        SignInField::Email,
        SignInField::Password,
    ];

    /// The engine's field name (`SignInRequest`'s).
    pub const fn path(self) -> &'static str {
        match self {
            SignInField::ServerUrl => "server_url",
            SignInField::Email => "email",
            SignInField::Password => "password",
        }
    }

    pub const fn input_id(self) -> &'static str {
        match self {
            SignInField::ServerUrl => "sign-in-server-url",
            SignInField::Email => "sign-in-email",
            SignInField::Password => "sign-in-password",
        }
    }
}

/// Focus goes here when the server asks which organisation: the request's field for it, shown
/// as the list of organisations to pick from.
const ORG_CHOICE: &str = "org_id";

/// The element id focus goes to for a form path (`org_id`: the first organisation offered).
pub(super) fn focus_id(path: &str) -> Option<&'static str> {
    if path == ORG_CHOICE {
        return Some("org-option-0");
    }
    SignInField::ALL
        .into_iter()
        .find(|field| field.path() == path)
        .map(SignInField::input_id)
}

/// What a sign-in is sent with besides what is typed; set by the screen before each submit,
/// as the device's name comes from the account and the organisation from the choice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInSetup {
    pub device_name: String,
    pub org_id: Option<OrgId>,
}

/// What the sign-in form holds: the fields as typed, and what the last answer left to show
/// besides messages at the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignIn {
    pub server_url: String,
    pub email: String,
    /// Kept only in this form, and only until signed in.
    pub password: String,
    /// This device cannot keep a session at all (no system keyring): not a problem with the
    /// input, so it is said apart from the fields.
    pub no_store: Option<String>,
    /// The email has accounts in several organisations: pick one to finish signing in.
    pub orgs: Option<Vec<OrgInfo>>,
}

impl FormRecord for SignIn {
    type Setup = SignInSetup;
    /// A field and its text as typed.
    type Edit = (SignInField, String);
    type Input = SignInRequest;
    type Saved = Account;

    fn apply(&mut self, (field, text): (SignInField, String)) -> bool {
        let value = self.value_mut(field);
        let changed = *value != text;
        *value = text;
        changed
    }

    fn stale_paths((field, _): &(SignInField, String)) -> Vec<String> {
        vec![field.path().into()]
    }

    fn to_input(&mut self, setup: &SignInSetup) -> Result<SignInRequest, FormErrors> {
        match self.request(&setup.device_name, setup.org_id) {
            Ok(request) => {
                // The address as sent, so the form shows what the scheme became.
                self.server_url = request.server_url.clone();
                // Trying again clears it until the shell says so again.
                self.no_store = None;
                Ok(request)
            }
            Err(errors) => {
                // Back to the fields, where the messages are.
                self.orgs = None;
                Err(errors)
            }
        }
    }

    /// Signed in: nothing typed is kept (the password least of all).
    fn from_saved(_: &Account, _: &SignInSetup) -> Self {
        SignIn::default()
    }

    fn shows(&self, _: &SignInSetup, path: &str) -> bool {
        SignInField::ALL.iter().any(|field| field.path() == path)
    }

    fn order(&self, _: &SignInSetup) -> Vec<String> {
        SignInField::ALL.map(|field| field.path().into()).to_vec()
    }

    fn refused(&mut self, error: CommandError) -> Refusal {
        self.orgs = None;
        let mut errors = FormErrors::default();
        match error.code {
            CommandErrorCode::InvalidCredentials => {
                // The server does not say which is wrong; the password is what people mistype.
                self.password.clear();
                errors.set(SignInField::Password.path(), error.message);
            }
            CommandErrorCode::Offline => errors.set(SignInField::ServerUrl.path(), error.message),
            CommandErrorCode::NoCredentialStore => self.no_store = Some(error.message),
            CommandErrorCode::ChooseOrganisation => match error.detail {
                Some(ErrorDetail::ChooseOrganisation { orgs }) if !orgs.is_empty() => {
                    self.orgs = Some(orgs);
                    return Refusal::Shown {
                        errors,
                        focus: Some(ORG_CHOICE.into()),
                    };
                }
                // Without the list there is nothing to pick from: the message is shown instead.
                _ => errors.banner = Some(error.message),
            },
            _ => return Refusal::Engine(error),
        }
        Refusal::Shown {
            errors,
            focus: None,
        }
    }
}

pub type SignInForm = Form<SignIn>;

impl Form<SignIn> {
    pub fn value(&self, field: SignInField) -> &str {
        match field {
            SignInField::ServerUrl => &self.draft.server_url,
            SignInField::Email => &self.draft.email,
            SignInField::Password => &self.draft.password,
        }
    }
}

impl SignIn {
    fn value_mut(&mut self, field: SignInField) -> &mut String {
        match field {
            SignInField::ServerUrl => &mut self.server_url,
            SignInField::Email => &mut self.email,
            SignInField::Password => &mut self.password,
        }
    }

    /// The request to send, or what is missing.
    fn request(
        &self,
        device_name: &str,
        org_id: Option<OrgId>,
    ) -> Result<SignInRequest, FormErrors> {
        let mut errors = FormErrors::default();
        let server_url = server_address(&self.server_url);
        if server_url.is_empty() {
            errors.set(
                "server_url",
                "Enter your sync server's address, e.g. https://sync.example.com.",
            );
        }
        let email = self.email.trim();
        if email.is_empty() {
            errors.set("email", "Enter the email address you sign in with.");
        } else if !email.contains('@') {
            errors.set("email", "This is not an email address: it needs an @.");
        }
        if self.password.is_empty() {
            errors.set("password", "Enter your password.");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SignInRequest {
            server_url,
            email: email.to_owned(),
            password: self.password.clone(),
            device_name: device_name.to_owned(),
            org_id,
        })
    }
}

/// What people type for a server: `https://` is assumed when no scheme is given.
pub fn server_address(typed: &str) -> String {
    let typed = typed.trim();
    if typed.is_empty() || typed.contains("://") {
        typed.to_owned()
    } else {
        format!("https://{typed}")
    }
}
