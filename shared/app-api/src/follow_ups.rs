//! The follow-up plan (issue 16): every new contact an agent types in, imports or signs in at
//! an open house gets the organisation's plan as tasks, due in the agent's zone, written in the
//! same transaction as the contact; the agent can switch it off or start it again per contact;
//! admins change the plan itself through the sync server (it is the organisation's settings
//! document, which every device receives by sync).

use super::Api;
use crate::team::{server_error, within};
use fieldstone_model::{ContactId, FollowUpPlanning, FollowUpSettings, Message, MessageId, Task};
use fieldstone_protocol::commands::{CommandError, CommandErrorCode, SendDraft};
use std::time::Duration;

const PLAN_NEEDS_CONNECTION: &str =
    "Changing the follow-up plan needs a connection to your team's server, which cannot be \
     reached right now; nothing was changed.";
const ADMINS_ONLY: &str = "Only an admin or owner may change the organisation's follow-up plan.";
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

impl Api {
    /// The plan new contacts get here now: the organisation's settings as synced (the standard
    /// plan before the first sync, or on a device used alone) in the agent's zone.
    pub(crate) async fn planning(&self) -> Result<FollowUpPlanning, CommandError> {
        // The store's own binding: a device syncing with the environment's server is bound
        // by its first sync, without a session.
        let settings = self
            .read(move |r| {
                let org = r.account_binding()?.map(|a| a.org_id);
                r.follow_up_settings(org.as_ref())
            })
            .await?;
        let zone = self.agent_zone().await?;
        Ok(FollowUpPlanning { settings, zone })
    }

    pub async fn follow_up_plan(&self) -> Result<FollowUpSettings, CommandError> {
        Ok(self.planning().await?.settings)
    }

    /// Checks the plan here first (the same rules as the server), then asks the server.
    pub async fn set_follow_up_plan(
        &self,
        settings: FollowUpSettings,
    ) -> Result<FollowUpSettings, CommandError> {
        let settings = settings
            .validate()
            .map_err(|e| {
                crate::error::from_replica(fieldstone_replica::ReplicaError::Validation(e))
            })?
            .into_inner();
        // Known here only when signed in; the server checks the role whatever this says.
        match self.settings.get().session {
            Some(session) if !session.role.is_admin() => {
                return Err(CommandError::new(CommandErrorCode::Refused, ADMINS_ONLY))
            }
            None if self.sync_config.server.is_none() => {
                return Err(CommandError::new(
                    CommandErrorCode::WrongState,
                    "Sign in to your team's server to change the follow-up plan.",
                ))
            }
            _ => {}
        }
        let client =
            self.lock_sync().client.clone().ok_or_else(|| {
                CommandError::new(CommandErrorCode::Offline, PLAN_NEEDS_CONNECTION)
            })?;
        let stored = within(ANSWER_WITHIN, client.set_follow_up_plan(&settings))
            .await
            .map_err(|e| server_error(e, PLAN_NEEDS_CONNECTION))?;
        // The settings document comes back by sync; ask for it now.
        self.sync_now();
        Ok(stored)
    }

    /// Starts the contact's plan from now, owned by the agent.
    pub async fn start_follow_ups(&self, contact: ContactId) -> Result<Vec<Task>, CommandError> {
        let planning = self.planning().await?;
        let owner = self.user();
        self.write(move |r| r.plan_follow_ups(&contact, owner, &planning))
            .await
    }

    /// Cancels the contact's open plan steps; its own tasks stay.
    pub async fn stop_follow_ups(&self, contact: ContactId) -> Result<Vec<Task>, CommandError> {
        self.write(move |r| r.stop_follow_ups(&contact)).await
    }

    /// Sends a drafted follow-up with the agent's edits (offline too: it waits in the outbox).
    pub async fn send_draft(&self, request: SendDraft) -> Result<Message, CommandError> {
        let by = self.user();
        let subject = request.subject.filter(|s| !s.trim().is_empty());
        self.write(move |r| r.send_draft(&request.id, subject, request.body, by))
            .await
    }

    pub async fn skip_draft(&self, id: MessageId) -> Result<(), CommandError> {
        self.write(move |r| r.skip_draft(&id)).await
    }

    /// Whether a kiosk sign-in should get its plan here: only on a device used alone. Signed
    /// in, the server routes the visitor and gives the plan to whoever ends up with them.
    pub(crate) fn plans_kiosk_visitors(&self) -> bool {
        self.settings.get().session.is_none() && self.sync_config.server.is_none()
    }
}
