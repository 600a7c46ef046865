//! The open-house sign-in screen (kiosk mode) as a pure reducer: the visitor's form, the
//! thank-you between visitors, and the agent's PIN to leave. The engine checks everything (the
//! form shows its field errors); this only keeps what is typed and where the screen is.

use fieldstone_model::sign_in::SignIn;
use fieldstone_model::{FieldError, ListingId};
use fieldstone_protocol::commands::{CommandError, Kiosk, SignedIn};
use std::rc::Rc;
use yew::Reducible;

/// A field of the visitor's form, by the engine's name for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorField {
    GivenName,
    FamilyName,
    Email,
    Phone,
    Note,
}

impl VisitorField {
    pub const ALL: [VisitorField; 5] = [
        VisitorField::GivenName,
        VisitorField::FamilyName,
        VisitorField::Email,
        VisitorField::Phone,
        VisitorField::Note,
    ];

    /// The engine's field name, also the input's id (`kiosk-given_name`).
    pub const fn key(self) -> &'static str {
        match self {
            VisitorField::GivenName => "given_name",
            VisitorField::FamilyName => "family_name",
            VisitorField::Email => "email",
            VisitorField::Phone => "phone",
            VisitorField::Note => "note",
        }
    }
}

/// Where the screen is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The kiosk is being read.
    Loading,
    /// The visitor's form.
    Form,
    /// Sent to the engine; waiting.
    Saving,
    /// The thank-you, until the next visitor (a button, or a few seconds).
    Thanks(SignedIn),
    /// The agent asked to leave: the PIN pad.
    Leaving,
    /// Checking the PIN.
    Checking,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskScreen {
    pub kiosk: Option<Kiosk>,
    pub phase: Phase,
    pub visitor: SignIn,
    pub errors: Vec<FieldError>,
    /// An error for the whole screen (the kiosk could not be read, a save failed).
    pub message: Option<String>,
    pub pin: String,
    pub pin_error: Option<String>,
    /// Grows with each thank-you, so a late timer for an earlier one resets nothing.
    pub thanks_seq: u64,
}

impl Default for KioskScreen {
    fn default() -> Self {
        KioskScreen {
            kiosk: None,
            phase: Phase::Loading,
            visitor: SignIn::default(),
            errors: Vec::new(),
            message: None,
            pin: String::new(),
            pin_error: None,
            thanks_seq: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum KioskAction {
    Loaded(Result<Option<Kiosk>, CommandError>),
    Set(VisitorField, String),
    Consent(bool),
    Submit,
    SignedIn(Result<SignedIn, CommandError>),
    /// The thank-you numbered `seq` is over: the next visitor's empty form.
    Next(u64),
    Leave,
    Pin(String),
    CancelLeave,
    SubmitPin,
    PinChecked(Result<ListingId, CommandError>),
}

impl KioskScreen {
    /// The form's text for `field`.
    pub fn value(&self, field: VisitorField) -> &str {
        let v = &self.visitor;
        match field {
            VisitorField::GivenName => &v.given_name,
            VisitorField::FamilyName => &v.family_name,
            VisitorField::Email => &v.email,
            VisitorField::Phone => &v.phone,
            VisitorField::Note => &v.note,
        }
    }

    /// The engine's message for `field`, if it refused it.
    pub fn error(&self, field: VisitorField) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field.key())
            .map(|e| e.message.as_str())
    }

    /// The listing the kiosk ended for, once the PIN was right (the screen goes back to it).
    pub fn ended(action: &KioskAction) -> Option<ListingId> {
        match action {
            KioskAction::PinChecked(Ok(listing)) => Some(*listing),
            _ => None,
        }
    }

    fn apply(&mut self, action: KioskAction) {
        match action {
            KioskAction::Loaded(Ok(kiosk)) => {
                self.message = kiosk
                    .is_none()
                    .then(|| "Sign-in mode is not on on this device.".to_owned());
                self.kiosk = kiosk;
                self.phase = Phase::Form;
            }
            KioskAction::Loaded(Err(error)) => {
                self.message = Some(format!(
                    "The sign-in form could not open: {}",
                    error.message
                ));
                self.phase = Phase::Form;
            }
            KioskAction::Set(field, text) => {
                let v = &mut self.visitor;
                match field {
                    VisitorField::GivenName => v.given_name = text,
                    VisitorField::FamilyName => v.family_name = text,
                    VisitorField::Email => v.email = text,
                    VisitorField::Phone => v.phone = text,
                    VisitorField::Note => v.note = text,
                }
            }
            KioskAction::Consent(ticked) => self.visitor.consent = ticked,
            KioskAction::Submit => {
                if self.phase == Phase::Form {
                    self.phase = Phase::Saving;
                    self.message = None;
                }
            }
            KioskAction::SignedIn(Ok(signed)) => {
                if let Some(kiosk) = &mut self.kiosk {
                    kiosk.visitors = signed.visitors;
                }
                self.thanks_seq += 1;
                self.visitor = SignIn::default();
                self.errors.clear();
                self.phase = Phase::Thanks(signed);
            }
            KioskAction::SignedIn(Err(error)) => {
                self.phase = Phase::Form;
                if error.fields.is_empty() {
                    self.message = Some(error.message);
                } else {
                    self.errors = error.fields;
                }
            }
            KioskAction::Next(seq) => {
                if seq == self.thanks_seq && matches!(self.phase, Phase::Thanks(_)) {
                    self.phase = Phase::Form;
                }
            }
            KioskAction::Leave => {
                self.phase = Phase::Leaving;
                self.pin.clear();
                self.pin_error = None;
            }
            KioskAction::Pin(pin) => self.pin = pin,
            KioskAction::CancelLeave => {
                self.phase = Phase::Form;
                self.pin.clear();
                self.pin_error = None;
            }
            KioskAction::SubmitPin => {
                if self.phase == Phase::Leaving {
                    self.phase = Phase::Checking;
                }
            }
            KioskAction::PinChecked(Ok(_)) => {
                self.pin.clear();
                self.phase = Phase::Checking;
            }
            KioskAction::PinChecked(Err(error)) => {
                self.pin.clear();
                self.phase = Phase::Leaving;
                self.pin_error = Some(
                    error
                        .fields
                        .into_iter()
                        .next()
                        .map_or(error.message, |f| f.message),
                );
            }
        }
    }
}

impl Reducible for KioskScreen {
    type Action = KioskAction;

    fn reduce(self: Rc<Self>, action: KioskAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "kiosk_tests.rs"]
mod tests;
