//! Field-level validation errors, shaped so the UI can show each message next to its field.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One rejected field: `field` is the machine name the UI keys on, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// All the problems with one input, so a form can show them at once rather than one per submit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if that field was rejected.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

pub const EMAIL_MAX_CHARS: usize = 254;

/// Checks an email address people typed into a CRM: RFC 5322 syntax plus a dotted domain,
/// because a bare `name@host` is almost always a typo here. The error is a sentence for people.
pub fn check_email(email: &str) -> Result<(), String> {
    if email.chars().count() > EMAIL_MAX_CHARS {
        return Err(format!(
            "An email address can be at most {EMAIL_MAX_CHARS} characters."
        ));
    }
    let plausible = !email.chars().any(char::is_whitespace)
        && email
            .parse::<email_address::EmailAddress>()
            .is_ok_and(|parsed| {
                let domain = parsed.domain();
                domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
    if plausible {
        Ok(())
    } else {
        Err(format!(
            "{email:?} is not an email address (expected name@example.com)."
        ))
    }
}
