//! The sign-in form of the Settings screen: its fields by the engine's names, and the request
//! it sends once nothing is blank (`https://` assumed when no scheme is typed).

use crate::state::form::FormErrors;
use fieldstone_model::OrgId;
use fieldstone_protocol::account::OrgInfo;
use fieldstone_protocol::commands::SignInRequest;

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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInForm {
    pub server_url: String,
    pub email: String,
    /// Kept only in this form, and only until signed in.
    pub password: String,
    pub errors: FormErrors,
    /// This device cannot keep a session at all (no system keyring): not a problem with the
    /// input, so it is said apart from the fields.
    pub no_store: Option<String>,
    /// The email has accounts in several organisations: pick one to finish signing in.
    pub orgs: Option<Vec<OrgInfo>>,
    pub submitting: bool,
    /// Grows with every request to send; the page sends `submitted` when it changes.
    pub submit_seq: u64,
    pub submitted: Option<SignInRequest>,
}

impl SignInForm {
    pub fn value(&self, field: SignInField) -> &str {
        match field {
            SignInField::ServerUrl => &self.server_url,
            SignInField::Email => &self.email,
            SignInField::Password => &self.password,
        }
    }

    pub(super) fn value_mut(&mut self, field: SignInField) -> &mut String {
        match field {
            SignInField::ServerUrl => &mut self.server_url,
            SignInField::Email => &mut self.email,
            SignInField::Password => &mut self.password,
        }
    }

    /// The request to send, or what is missing.
    pub(super) fn request(
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
