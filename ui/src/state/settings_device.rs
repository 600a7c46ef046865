//! This device's name, as the Settings screen's device card edits it: a one-field record of
//! the generic form reducer. The checks here only catch what needs no engine (blank, too long,
//! more than one line); the shell checks again.

use super::super::form::{FieldPath, FormErrors};
use super::super::record_form::{Form, FormRecord};
use fieldstone_protocol::account::NAME_MAX_CHARS;
use fieldstone_protocol::commands::Account;

/// The name as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceName(pub String);

/// The device card's one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceNameField;

impl FieldPath for DeviceNameField {
    /// The engine's name for it (`SetDeviceName`'s).
    fn path(self) -> String {
        "device_name".into()
    }

    /// The card has one input, whatever the prefix.
    fn input_id(self, _prefix: &str) -> String {
        DEVICE_NAME_INPUT.into()
    }
}

/// The device name input's element id.
pub const DEVICE_NAME_INPUT: &str = "device-name";

impl FormRecord for DeviceName {
    type Setup = ();
    /// The text typed.
    type Edit = String;
    /// The name to send, trimmed.
    type Input = String;
    type Saved = Account;

    fn apply(&mut self, text: String) -> bool {
        let changed = self.0 != text;
        self.0 = text;
        changed
    }

    fn stale_paths(_: &String) -> Vec<String> {
        vec![DeviceNameField.path()]
    }

    fn to_input(&mut self, _: &()) -> Result<String, FormErrors> {
        let name = self.0.trim().to_owned();
        let mut errors = FormErrors::default();
        if name.is_empty() {
            errors.set_field(DeviceNameField, "Name this device, e.g. \"Ada's laptop\".");
        } else if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
            errors.set_field(
                DeviceNameField,
                format!("A device name is one line of at most {NAME_MAX_CHARS} characters."),
            );
        } else {
            return Ok(name);
        }
        Err(errors)
    }

    fn from_saved(account: &Account, _: &()) -> Self {
        DeviceName(account.device_name.clone())
    }

    fn shows(&self, _: &(), path: &str) -> bool {
        path == DeviceNameField.path()
    }

    fn order(&self, _: &()) -> Vec<String> {
        vec![DeviceNameField.path()]
    }
}

pub type DeviceForm = Form<DeviceName>;

impl Form<DeviceName> {
    pub fn value(&self) -> &str {
        &self.draft.0
    }

    /// What to say under the input: the engine's message about the name, or its refusal of
    /// the request as a whole (the card has no other place for it).
    pub fn error(&self) -> Option<&str> {
        self.errors
            .of(DeviceNameField)
            .or(self.errors.banner.as_deref())
    }

    /// "Saved" shows after a save until the name is edited (or sent) again.
    pub fn shows_saved(&self) -> bool {
        self.saved.is_some() && !self.dirty && !self.submitting
    }
}
