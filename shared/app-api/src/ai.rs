//! "Draft with AI" and "Enhance": asked of the sync server (which holds the provider's key and
//! reads the contact itself), through the running sync's client. Signed out, offline or when
//! the server cannot be reached, the answer comes at once from the model's templates (or the
//! text comes back unchanged), with a notice saying AI needs a connection: the agent is never
//! left with nothing, and a template never passes for AI.

use super::Api;
use crate::error::from_replica;
use fieldstone_model::drafting::{
    excerpt, Draft, DraftRequest, EnhanceRequest, Enhanced, Fallback, NOTES_EXCERPT_MAX_CHARS,
};
use fieldstone_model::{ContactId, RecordRef};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode};
use fieldstone_protocol::ErrorCode;
use fieldstone_replica::{ReplicaError, SyncError};
use std::time::Duration;

/// How long the agent waits for the server: its own AI timeout is below its request timeout
/// (60 s by default), so this only cuts a server that stopped answering.
const ANSWER_WITHIN: Duration = Duration::from_secs(65);
/// Notes the draft may draw on: the pinned ones first, then the newest.
const NOTES_USED: usize = 3;

/// A notice for a server answer that is not the model's and not "offline".
const NOT_ON_SERVER: &str =
    "This contact has not reached your team's server yet — this is a template.";
const SIGN_IN_AGAIN: &str = "Sign in again to use AI — this is a template.";
const SIGN_IN_AGAIN_UNCHANGED: &str = "Sign in again to use AI — your text is unchanged.";

/// How the server's refusal (or silence) reads, when the answer is a template after all.
enum Miss {
    /// A template with this fallback's notice.
    Fallback(Fallback),
    /// The server no longer accepts this device's sign-in.
    SignIn,
    /// The server does not have the contact (not synced yet).
    NotOnServer,
    /// Not a template's case: an error for the agent.
    Error(CommandError),
}

fn miss(error: SyncError) -> Miss {
    match error {
        SyncError::Unreachable(_) => Miss::Fallback(Fallback::Offline),
        SyncError::Unauthorized | SyncError::Revoked => Miss::SignIn,
        SyncError::Rejected {
            code: ErrorCode::NotFound,
            ..
        } => Miss::NotOnServer,
        SyncError::Rejected {
            code: ErrorCode::BadRequest | ErrorCode::PayloadTooLarge,
            message,
        } => Miss::Error(CommandError::invalid("request", message)),
        other => {
            tracing::warn!(error = %other, "AI request failed; answering the template");
            Miss::Fallback(Fallback::Failed)
        }
    }
}

impl Api {
    /// A draft email for the contact's follow-up step: the model's, through the server, or the
    /// step's template labelled as one. A preview: nothing is written or sent.
    pub async fn draft_email(&self, request: DraftRequest) -> Result<Draft, CommandError> {
        let mut request = request
            .validate()
            .map_err(|errors| from_replica(ReplicaError::Validation(errors)))?
            .into_inner();
        let contact_id = request.contact;
        let (first_name, notes) = self.draft_context(contact_id).await?;
        if request.notes.is_none() {
            request.notes = notes;
        }
        let agent = self
            .settings
            .get()
            .session
            .map(|s| s.display_name)
            .unwrap_or_default();
        let template = |why: Fallback| Draft::template(request.kind, &first_name, &agent, why);
        let Some(client) = self.lock_sync().client.clone() else {
            return Ok(template(Fallback::Offline));
        };
        let answer = tokio::time::timeout(ANSWER_WITHIN, client.draft_email(&request))
            .await
            .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())));
        match answer.map_err(miss) {
            Ok(draft) => Ok(draft),
            Err(Miss::Fallback(why)) => Ok(template(why)),
            Err(Miss::SignIn) => Ok(Draft {
                notice: Some(SIGN_IN_AGAIN.to_owned()),
                ..template(Fallback::Failed)
            }),
            Err(Miss::NotOnServer) => Ok(Draft {
                notice: Some(NOT_ON_SERVER.to_owned()),
                ..template(Fallback::Failed)
            }),
            Err(Miss::Error(error)) => Err(error),
        }
    }

    /// The text rewritten in the tone, beside the original: through the server, or the text
    /// unchanged with a notice.
    pub async fn enhance_text(&self, request: EnhanceRequest) -> Result<Enhanced, CommandError> {
        let request = request
            .validate()
            .map_err(|errors| from_replica(ReplicaError::Validation(errors)))?
            .into_inner();
        let Some(client) = self.lock_sync().client.clone() else {
            return Ok(Enhanced::unchanged(request.text, Fallback::Offline));
        };
        let answer = tokio::time::timeout(ANSWER_WITHIN, client.enhance_text(&request))
            .await
            .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())));
        match answer.map_err(miss) {
            Ok(enhanced) => Ok(enhanced),
            Err(Miss::Fallback(why)) => Ok(Enhanced::unchanged(request.text, why)),
            Err(Miss::SignIn) => Ok(Enhanced {
                notice: Some(SIGN_IN_AGAIN_UNCHANGED.to_owned()),
                ..Enhanced::unchanged(request.text, Fallback::Failed)
            }),
            // Enhancing names no contact: the server has nothing to miss.
            Err(Miss::NotOnServer) => Ok(Enhanced::unchanged(request.text, Fallback::Failed)),
            Err(Miss::Error(error)) => Err(error),
        }
    }

    /// The contact's first name (for the template) and an excerpt of its notes (for the
    /// prompt), read on this device. A contact not here (or deleted) is "not found".
    async fn draft_context(&self, id: ContactId) -> Result<(String, Option<String>), CommandError> {
        self.read(move |r| {
            let contact = r
                .get_contact(&id)?
                .filter(|c| c.deleted_at.is_none())
                .ok_or_else(|| ReplicaError::NotFound {
                    what: "contact".into(),
                })?;
            let notes: Vec<String> = r
                .notes_for(&RecordRef::Contact(id))?
                .into_iter()
                .take(NOTES_USED)
                .map(|n| n.preview)
                .collect();
            let notes = excerpt(&notes.join("\n"), NOTES_EXCERPT_MAX_CHARS);
            Ok((
                contact.given_name.trim().to_owned(),
                (!notes.is_empty()).then_some(notes),
            ))
        })
        .await
        .map_err(|error| match error.code {
            CommandErrorCode::NotFound => CommandError::new(
                CommandErrorCode::NotFound,
                "This contact is not on this device.",
            ),
            _ => error,
        })
    }
}
