//! What every form shares: the engine's verdict on a submit, split into messages for the
//! fields the form shows (keyed by the engine's dotted field path, `emails.0.address`) and a
//! banner for the rest. The UI never validates on its own beyond "is this a number"; it shows
//! what the engine said, next to the field it said it about.

use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    /// Engine field path → message (the first one given for that path).
    pub fields: BTreeMap<String, String>,
    /// What belongs to no field the form shows, or a failure that is not about the input.
    pub banner: Option<String>,
}

impl FormErrors {
    /// Splits `error` over the fields the form has inputs for (`shown` says which paths those
    /// are); everything else goes to the banner so no message is lost.
    pub fn from_error(error: CommandError, shown: impl Fn(&str) -> bool) -> FormErrors {
        let mut errors = FormErrors::default();
        if error.code != CommandErrorCode::Validation {
            errors.banner = Some(error.message);
            return errors;
        }
        let mut other = Vec::new();
        for field_error in error.fields {
            if shown(&field_error.field) {
                errors
                    .fields
                    .entry(field_error.field)
                    .or_insert(field_error.message);
            } else {
                other.push(field_error.message);
            }
        }
        errors.banner = if !other.is_empty() {
            Some(other.join(" "))
        } else if errors.fields.is_empty() {
            Some(error.message)
        } else {
            None
        };
        errors
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.fields.get(path).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.banner.is_none()
    }

    /// The user changed the field: the old verdict no longer applies.
    pub fn clear(&mut self, path: &str) {
        self.fields.remove(path);
    }

    /// Adds a problem the form found itself (text where a number belongs).
    pub fn set(&mut self, path: &str, message: impl Into<String>) {
        self.fields.insert(path.to_owned(), message.into());
    }

    /// The first field in `order` with a message: where focus goes after a refused submit.
    pub fn first_of<'a>(&self, order: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        order
            .into_iter()
            .find(|path| self.fields.contains_key(*path))
    }
}

/// A form's field named by a value (a per-record enum), whose engine path is written once.
pub trait FieldPath: Copy {
    /// The engine's dotted path (`emails.0.address`).
    fn path(self) -> String;

    /// The element id of the field's input on the form with this id prefix.
    fn input_id(self, prefix: &str) -> String {
        input_id(prefix, &self.path())
    }
}

/// The path a table of fixed-path fields (one entry per field without a row index) gives
/// `field`; empty when it is not in the table.
pub fn table_path<F: PartialEq + Copy>(table: &[(F, &'static str)], field: F) -> String {
    table
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, path)| (*path).to_owned())
        .unwrap_or_default()
}

/// The field a table of fixed-path fields gives `path`, if any.
pub fn table_field<F: Copy>(table: &[(F, &'static str)], path: &str) -> Option<F> {
    table.iter().find(|(_, p)| *p == path).map(|(f, _)| *f)
}

impl FormErrors {
    /// The engine's message about `field`.
    pub fn of(&self, field: impl FieldPath) -> Option<&str> {
        self.get(&field.path())
    }

    /// Adds a problem the form found itself about `field`.
    pub fn set_field(&mut self, field: impl FieldPath, message: impl Into<String>) {
        self.set(&field.path(), message);
    }
}

/// The input id for a field path (`preferences.budget_min` → `contact-preferences-budget-min`).
pub fn input_id(prefix: &str, path: &str) -> String {
    format!("{prefix}-{}", path.replace(['.', '_'], "-"))
}

/// Text typed where a number belongs that is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// A whole number typed into a form (thousands separators allowed): blank is `None`, anything
/// else must parse.
pub fn parse_optional<T: std::str::FromStr>(text: &str) -> Result<Option<T>, NotANumber> {
    let text = text.trim().replace([',', '_', ' '], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| NotANumber)
}

/// Comma- or newline-separated items, trimmed, blanks dropped (tags, areas, features).
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::FieldError;

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
    fn shown_fields_get_their_message_and_the_rest_goes_to_the_banner() {
        let errors = FormErrors::from_error(
            validation(&[
                ("given_name", "Enter a name."),
                ("given_name", "Second message ignored."),
                ("custom_fields.0.key", "Bad key."),
            ]),
            |path| path == "given_name",
        );
        assert_eq!(errors.get("given_name"), Some("Enter a name."));
        assert_eq!(errors.banner.as_deref(), Some("Bad key."));
    }

    #[test]
    fn a_validation_error_without_fields_and_other_errors_use_the_banner() {
        let errors = FormErrors::from_error(validation(&[]), |_| true);
        assert_eq!(
            errors.banner.as_deref(),
            Some("Some fields need attention.")
        );
        let errors = FormErrors::from_error(
            CommandError::new(CommandErrorCode::Storage, "The disk is full."),
            |_| true,
        );
        assert_eq!(errors.banner.as_deref(), Some("The disk is full."));
        assert!(errors.fields.is_empty());
    }

    #[test]
    fn first_field_in_form_order() {
        let errors = FormErrors::from_error(
            validation(&[("phones.0.number", "x"), ("given_name", "y")]),
            |_| true,
        );
        assert_eq!(
            errors.first_of(["given_name", "emails.0.address", "phones.0.number"]),
            Some("given_name")
        );
    }

    #[test]
    fn ids_and_parsing() {
        assert_eq!(
            input_id("contact", "preferences.budget_min"),
            "contact-preferences-budget-min"
        );
        assert_eq!(parse_optional::<u64>(" 425,000 "), Ok(Some(425_000)));
        assert_eq!(parse_optional::<u64>(""), Ok(None));
        assert_eq!(parse_optional::<u64>("lots"), Err(NotANumber));
        assert_eq!(split_list("a, b,,\n c "), ["a", "b", "c"]);
    }
}
