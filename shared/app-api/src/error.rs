//! The engine's typed errors in the app's words: a code the UI branches on, and a sentence a
//! person can read. (The engine only says what went wrong; how to say it is the app's business.)

use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use fieldstone_replica::ReplicaError;

/// What a command answers when the engine failed.
pub fn from_replica(error: ReplicaError) -> CommandError {
    let (code, message) = match &error {
        ReplicaError::Validation(errors) => {
            return CommandError {
                code: CommandErrorCode::Validation,
                message: "Some fields need attention.".into(),
                fields: errors.0.clone(),
                detail: None,
            };
        }
        ReplicaError::Import(_) => (CommandErrorCode::Validation, sentence(&error)),
        ReplicaError::Export(_) => (CommandErrorCode::Storage, sentence(&error)),
        ReplicaError::NotFound { .. } => (CommandErrorCode::NotFound, error.to_string()),
        ReplicaError::Sqlite(_) | ReplicaError::DataDir { .. } => (
            CommandErrorCode::Storage,
            format!("Could not save on this device: {error}. Nothing was changed."),
        ),
        ReplicaError::OtherAccount { .. } | ReplicaError::AccountBindingUnreadable { .. } => {
            (CommandErrorCode::WrongState, sentence(&error))
        }
        ReplicaError::NewerDatabase { .. }
        | ReplicaError::Document { .. }
        | ReplicaError::Quarantined { .. } => (CommandErrorCode::Internal, error.to_string()),
    };
    CommandError::new(code, message)
}

/// An error message as a sentence: "cannot import this file: …" → "Cannot import this file: ….".
fn sentence(error: &impl std::fmt::Display) -> String {
    let message = error.to_string();
    let mut chars = message.chars();
    let capitalised: String = chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    });
    format!("{capitalised}.")
}

/// The server asked to wait (429): the sentence every screen that asks it shows.
pub(crate) fn server_busy(retry_after: std::time::Duration) -> CommandError {
    CommandError::new(
        fieldstone_protocol::commands::CommandErrorCode::TooManyAttempts,
        format!(
            "The server is busy; try again in {} s.",
            retry_after.as_secs().max(1)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::{FieldError, ValidationErrors};
    use fieldstone_replica::ImportFileError;

    #[test]
    fn validation_keeps_the_fields_and_others_read_as_sentences() {
        let fields = vec![FieldError {
            field: "email".into(),
            message: "Not an email address.".into(),
        }];
        let error = from_replica(ReplicaError::Validation(ValidationErrors(fields.clone())));
        assert_eq!(error.code, CommandErrorCode::Validation);
        assert_eq!(error.message, "Some fields need attention.");
        assert_eq!(error.fields, fields);

        let error = from_replica(ReplicaError::Import(ImportFileError::NotText));
        assert_eq!(error.code, CommandErrorCode::Validation);
        assert_eq!(
            error.message,
            "Cannot import this file: the file is not text (an .xlsx workbook or another binary file); save it as CSV and try again."
        );

        let error = from_replica(ReplicaError::NotFound {
            what: "contact".into(),
        });
        assert_eq!(error.code, CommandErrorCode::NotFound);
        assert_eq!(error.message, "contact not found");

        let error = from_replica(ReplicaError::OtherAccount {
            bound_to: "ada@acme.test at Acme".into(),
            asked_for: "bea@birch.test at Birch".into(),
        });
        assert_eq!(error.code, CommandErrorCode::WrongState);
        assert!(error
            .message
            .starts_with("The records on this device belong to ada@acme.test"));
        assert!(error.message.ends_with("synced with another."));
    }
}
