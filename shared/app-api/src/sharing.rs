//! Sharing a contact with a teammate or a whole team. Who has a record is the server's to say
//! (DESIGN decision 5), so these commands ask it, through the running sync's client (the same
//! server and session), and give up after a few seconds with a sentence rather than hang: the
//! agent is looking at a dialog. A contact made moments ago may not have reached the server
//! yet; it is sent first.

use super::Api;
use fieldstone_model::{ContactId, UserId};
use fieldstone_protocol::account::{ShareRequest, TeamInfo, UserInfo};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, CurrentShare, ShareContact, SharePerson, ShareTargets,
    ShareTeam, ShareWith, Shared, UnshareContact,
};
use fieldstone_protocol::{DocId, ErrorCode, Scope};
use fieldstone_replica::{contact_doc_id, SyncClient, SyncError};
use std::future::Future;
use std::time::Duration;

/// How long one request to the server may take before the dialog says the server is out of
/// reach (connect attempts alone give up after 5 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// How long a contact not yet on the server may take to get there before sharing it.
const SEND_FIRST_WITHIN: Duration = Duration::from_secs(10);

/// What the agent was doing when the server said no: the same refusal means different things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Look,
    Share,
    Unshare,
}

impl Api {
    pub async fn share_targets(&self, contact: ContactId) -> Result<ShareTargets, CommandError> {
        let client = self.share_client()?;
        let doc = self.local_contact_doc(contact).await?;
        let scopes = self.scopes_on_server(&client, &doc).await?;
        targets_for(&client, contact, &scopes).await
    }

    pub async fn share_contact(&self, request: ShareContact) -> Result<Shared, CommandError> {
        let client = self.share_client()?;
        let doc = self.local_contact_doc(request.contact).await?;
        // Also what makes a "not found" below the recipient's: the contact is there.
        self.scopes_on_server(&client, &doc).await?;
        let body = match request.with {
            ShareWith::User(user) => ShareRequest {
                user_id: Some(user),
                team_id: None,
            },
            ShareWith::Team(team) => ShareRequest {
                user_id: None,
                team_id: Some(team),
            },
        };
        let created = within(client.share_doc(&doc, &body))
            .await
            .map_err(|e| share_error(e, Step::Share))?;
        let scopes = scopes_of(&client, &doc).await?;
        let targets = targets_for(&client, request.contact, &scopes).await?;
        let scope = match request.with {
            ShareWith::User(user) => Scope::User(user),
            ShareWith::Team(team) => Scope::Team(team),
        };
        let who = label_of(&targets, &scope);
        let message = if created {
            format!("Shared with {who}: it reaches them on their next sync.")
        } else {
            format!("{who} already had this contact.")
        };
        Ok(Shared { targets, message })
    }

    pub async fn unshare_contact(&self, request: UnshareContact) -> Result<Shared, CommandError> {
        let scope: Scope = request.scope.parse().map_err(|_| {
            CommandError::invalid("scope", "This is not one of the contact's shares.")
        })?;
        let client = self.share_client()?;
        let doc = self.local_contact_doc(request.contact).await?;
        let scopes = self.scopes_on_server(&client, &doc).await?;
        if scopes.first() == Some(&scope) {
            return Err(CommandError::new(
                CommandErrorCode::WrongState,
                "The contact's owner always keeps it: that share cannot be removed.",
            ));
        }
        let before = targets_for(&client, request.contact, &scopes).await?;
        let who = label_of(&before, &scope);
        within(client.unshare_doc(&doc, &scope))
            .await
            .map_err(|e| share_error(e, Step::Unshare))?;
        let scopes = scopes_of(&client, &doc).await?;
        let targets = targets_for(&client, request.contact, &scopes).await?;
        Ok(Shared {
            targets,
            message: format!("{who} no longer has this contact."),
        })
    }

    /// The running sync's client: sharing goes through the server this device syncs with.
    fn share_client(&self) -> Result<SyncClient, CommandError> {
        self.lock_sync().client.clone().ok_or_else(|| {
            CommandError::new(
                CommandErrorCode::WrongState,
                "Sign in to share: contacts are shared through your team's server (Settings → Account).",
            )
        })
    }

    /// The contact's document id, once it is known to be on this device.
    async fn local_contact_doc(&self, contact: ContactId) -> Result<DocId, CommandError> {
        let stored = self.read(move |r| r.get_contact(&contact)).await?;
        if stored.is_none_or(|c| c.deleted_at.is_some()) {
            return Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This contact is not on this device.",
            ));
        }
        contact_doc_id(&contact).map_err(crate::error::from_replica)
    }

    /// The contact's scopes on the server. One it does not know yet (made moments ago, still
    /// in the outbox) is sent first, then asked for again.
    async fn scopes_on_server(
        &self,
        client: &SyncClient,
        doc: &DocId,
    ) -> Result<Vec<Scope>, CommandError> {
        match within(client.doc_shares(doc)).await {
            Err(SyncError::Rejected {
                code: ErrorCode::NotFound,
                ..
            }) if self.sent_everything().await => scopes_of(client, doc).await,
            Err(SyncError::Rejected {
                code: ErrorCode::NotFound,
                ..
            }) => Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This contact has not reached your team's server yet. Try again once it has synced.",
            )),
            answer => parse_scopes(answer.map_err(|e| share_error(e, Step::Look))?.scopes),
        }
    }

    /// Asks background sync to send what is waiting and waits (a little) for a round that
    /// leaves nothing unsent. `false`: it did not happen in time, or nothing syncs.
    async fn sent_everything(&self) -> bool {
        let mut status = {
            let slot = self.lock_sync();
            let Some(handle) = slot.handle.as_ref() else {
                return false;
            };
            handle.nudge();
            handle.subscribe()
        };
        let before = status.borrow_and_update().last_synced_at;
        let done = async {
            loop {
                {
                    let now = status.borrow_and_update();
                    if now.pending == 0 && now.last_synced_at != before {
                        return true;
                    }
                }
                if status.changed().await.is_err() {
                    return false;
                }
            }
        };
        tokio::time::timeout(SEND_FIRST_WITHIN, done)
            .await
            .unwrap_or(false)
    }
}

/// A request to the server that gives up after [`ANSWER_WITHIN`], as unreachable.
async fn within<T>(request: impl Future<Output = Result<T, SyncError>>) -> Result<T, SyncError> {
    within_for(ANSWER_WITHIN, request).await
}

async fn within_for<T>(
    limit: Duration,
    request: impl Future<Output = Result<T, SyncError>>,
) -> Result<T, SyncError> {
    tokio::time::timeout(limit, request)
        .await
        .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())))
}

async fn scopes_of(client: &SyncClient, doc: &DocId) -> Result<Vec<Scope>, CommandError> {
    let answer = within(client.doc_shares(doc))
        .await
        .map_err(|e| share_error(e, Step::Look))?;
    parse_scopes(answer.scopes)
}

fn parse_scopes(scopes: Vec<String>) -> Result<Vec<Scope>, CommandError> {
    scopes
        .iter()
        .map(|s| {
            s.parse().map_err(|_| {
                share_error(
                    SyncError::Protocol(format!("unknown share {s:?}")),
                    Step::Look,
                )
            })
        })
        .collect()
}

/// Who may be offered, asked of the server: its people and teams, and who this session is.
async fn targets_for(
    client: &SyncClient,
    contact: ContactId,
    scopes: &[Scope],
) -> Result<ShareTargets, CommandError> {
    let look = |e| share_error(e, Step::Look);
    let (users, teams, me) = tokio::try_join!(
        within(client.users()),
        within(client.teams()),
        within(client.account()),
    )
    .map_err(look)?;
    Ok(targets(contact, me.user_id, scopes, &users, &teams))
}

/// Who has the contact (the owner first, named as far as this agent may see), and who else it
/// can go to: the people and teams the server lists, less this agent and those who have it.
fn targets(
    contact: ContactId,
    me: UserId,
    scopes: &[Scope],
    users: &[UserInfo],
    teams: &[TeamInfo],
) -> ShareTargets {
    let shares = scopes
        .iter()
        .enumerate()
        .map(|(i, scope)| {
            let (label, detail) = match scope {
                Scope::User(id) if *id == me => ("You".to_owned(), None),
                Scope::User(id) => match users.iter().find(|u| u.id == *id) {
                    Some(user) => (name_of(user), Some(user.email.clone())),
                    // The server lists only this agent's teammates.
                    None => ("Someone outside your teams".to_owned(), None),
                },
                Scope::Team(id) => match teams.iter().find(|t| t.id == *id) {
                    Some(team) => (format!("Everyone in {}", team.name), None),
                    None => ("A team you are not on".to_owned(), None),
                },
                Scope::Org(_) => ("Everyone in the organisation".to_owned(), None),
            };
            CurrentShare {
                scope: scope.to_string(),
                label,
                detail,
                owner: i == 0,
            }
        })
        .collect();
    let mut people: Vec<SharePerson> = users
        .iter()
        .filter(|u| u.id != me && !scopes.contains(&Scope::User(u.id)))
        .map(|u| SharePerson {
            user_id: u.id,
            name: name_of(u),
            email: u.email.clone(),
        })
        .collect();
    people.sort_by_key(|p| (p.name.to_lowercase(), p.email.clone()));
    let mut open_teams: Vec<ShareTeam> = teams
        .iter()
        .filter(|t| !scopes.contains(&Scope::Team(t.id)))
        .map(|t| ShareTeam {
            team_id: t.id,
            name: t.name.clone(),
        })
        .collect();
    open_teams.sort_by_key(|t| t.name.to_lowercase());
    ShareTargets {
        contact,
        people,
        teams: open_teams,
        shares,
        has_teammates: users.iter().any(|u| u.id != me) || !teams.is_empty(),
    }
}

/// A person as the dialog names them: their display name, else their email.
fn name_of(user: &UserInfo) -> String {
    let name = user.display_name.trim();
    if name.is_empty() {
        user.email.clone()
    } else {
        name.to_owned()
    }
}

/// The holder `scope` names, as the dialog shows it.
fn label_of(targets: &ShareTargets, scope: &Scope) -> String {
    let key = scope.to_string();
    let known = targets
        .shares
        .iter()
        .find(|s| s.scope == key)
        .map(|s| s.label.clone());
    known.unwrap_or_else(|| match scope {
        Scope::User(_) => "them".to_owned(),
        Scope::Team(_) | Scope::Org(_) => "the team".to_owned(),
    })
}

/// The server's answer in the agent's words.
fn share_error(error: SyncError, step: Step) -> CommandError {
    use CommandErrorCode as C;
    match error {
        SyncError::Unreachable(why) => {
            tracing::info!(%why, "sharing: the server cannot be reached");
            CommandError::new(
                C::Offline,
                "Sharing needs a connection to your team's server, which cannot be reached right \
                 now. The contact is safe on this device; try again once you are online.",
            )
        }
        SyncError::Unauthorized | SyncError::Revoked => CommandError::new(
            C::Refused,
            "Sign in again to share: the server no longer accepts this device's sign-in.",
        ),
        SyncError::TooManyRequests { retry_after } => crate::error::server_busy(retry_after),
        SyncError::Rejected { code, message } => match (code, step) {
            (ErrorCode::Forbidden, Step::Unshare) => CommandError::new(
                C::Refused,
                "You can see this contact but not change who has it: ask its owner.",
            ),
            (ErrorCode::Forbidden, _) => CommandError::new(
                C::Refused,
                "You can see this contact but not share it: ask its owner to.",
            ),
            (ErrorCode::NotFound, Step::Share) => CommandError::new(
                C::NotFound,
                "You can only share with people on your teams, and this one is not (or no \
                 longer is) one of them.",
            ),
            (ErrorCode::NotFound, Step::Unshare) => {
                CommandError::new(C::NotFound, "They no longer had this contact.")
            }
            (ErrorCode::NotFound, Step::Look) => CommandError::new(
                C::NotFound,
                "Your team's server does not have this contact.",
            ),
            (_, _) => {
                tracing::warn!(?code, %message, "sharing refused");
                CommandError::new(C::Refused, format!("The server refused: {message}"))
            }
        },
        SyncError::InvalidCredentials | SyncError::ChooseOrganisation(_) => CommandError::new(
            C::Refused,
            "Sign in again to share: the server no longer accepts this device's sign-in.",
        ),
        SyncError::Protocol(why) => CommandError::new(
            C::Refused,
            format!("The server answered something this app does not understand ({why})."),
        ),
        SyncError::Local(error) => crate::error::from_replica(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::TeamId;
    use fieldstone_protocol::account::Role;

    fn user(n: u8, name: &str) -> UserInfo {
        UserInfo {
            id: format!("00000000-0000-4000-8000-0000000000{n:02}")
                .parse()
                .expect("id"),
            email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            display_name: name.to_owned(),
            role: Role::Agent,
        }
    }

    fn team(n: u8, name: &str) -> TeamInfo {
        TeamInfo {
            id: format!("00000000-0000-4000-9000-0000000000{n:02}")
                .parse::<TeamId>()
                .expect("id"),
            name: name.to_owned(),
        }
    }

    fn contact() -> ContactId {
        "00000000-0000-4000-a000-000000000001".parse().expect("id")
    }

    #[test]
    fn the_owner_comes_first_and_who_has_it_is_not_offered_again() {
        let (ada, bo, cy) = (user(1, "Ada King"), user(2, "Bo Diaz"), user(3, "Cy Tan"));
        let north = team(1, "North");
        let scopes = [Scope::User(ada.id), Scope::User(bo.id)];
        let users = [cy.clone(), ada.clone(), bo.clone()];
        let got = targets(
            contact(),
            ada.id,
            &scopes,
            &users,
            std::slice::from_ref(&north),
        );
        assert_eq!(got.shares.len(), 2);
        assert_eq!(
            (got.shares[0].label.as_str(), got.shares[0].owner),
            ("You", true)
        );
        assert_eq!(got.shares[0].scope, format!("user:{}", ada.id));
        assert_eq!(
            (got.shares[1].label.as_str(), got.shares[1].owner),
            ("Bo Diaz", false)
        );
        assert_eq!(got.shares[1].detail.as_deref(), Some("bo.diaz@example.com"));
        // Ada (the agent) and Bo (has it) are not offered; Cy and the team are.
        let offered: Vec<&str> = got.people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(offered, ["Cy Tan"]);
        assert_eq!(got.teams.len(), 1);
        assert!(got.has_teammates);

        // Shared with the team: it is listed by name and no longer offered.
        let scopes = [Scope::User(bo.id), Scope::Team(north.id)];
        let got = targets(contact(), ada.id, &scopes, &users, &[north]);
        assert_eq!(got.shares[0].label, "Bo Diaz");
        assert_eq!(got.shares[1].label, "Everyone in North");
        assert!(got.teams.is_empty());
    }

    #[test]
    fn holders_the_agent_cannot_see_are_not_named_and_no_team_is_an_empty_state() {
        let ada = user(1, "Ada King");
        let stranger = user(9, "Zed Stranger");
        let scopes = [Scope::User(stranger.id), Scope::Team(team(5, "South").id)];
        let got = targets(contact(), ada.id, &scopes, std::slice::from_ref(&ada), &[]);
        assert_eq!(got.shares[0].label, "Someone outside your teams");
        assert_eq!(got.shares[0].detail, None);
        assert_eq!(got.shares[1].label, "A team you are not on");
        assert!(got.people.is_empty() && got.teams.is_empty());
        assert!(!got.has_teammates);
    }

    #[test]
    fn a_person_without_a_display_name_goes_by_their_email() {
        let ada = user(1, "Ada King");
        let mut bo = user(2, "Bo Diaz");
        bo.display_name = "  ".into();
        let got = targets(contact(), ada.id, &[Scope::User(ada.id)], &[bo], &[]);
        assert_eq!(got.people[0].name, "bo.diaz@example.com");
    }

    fn rejected(code: ErrorCode) -> SyncError {
        SyncError::Rejected {
            code,
            message: "server words".into(),
        }
    }

    #[test]
    fn refusals_read_as_what_they_mean_for_the_agent() {
        let offline = share_error(SyncError::Unreachable("cannot connect".into()), Step::Look);
        assert_eq!(offline.code, CommandErrorCode::Offline);
        assert!(
            offline
                .message
                .starts_with("Sharing needs a connection to your team's server"),
            "{}",
            offline.message
        );

        let read_only = share_error(rejected(ErrorCode::Forbidden), Step::Share);
        assert_eq!(read_only.code, CommandErrorCode::Refused);
        assert_eq!(
            read_only.message,
            "You can see this contact but not share it: ask its owner to."
        );
        let read_only = share_error(rejected(ErrorCode::Forbidden), Step::Unshare);
        assert!(read_only.message.contains("not change who has it"));

        // A recipient the server does not know (another organisation's, or no teammate).
        let stranger = share_error(rejected(ErrorCode::NotFound), Step::Share);
        assert_eq!(stranger.code, CommandErrorCode::NotFound);
        assert!(stranger
            .message
            .starts_with("You can only share with people on your teams"));
        let gone = share_error(rejected(ErrorCode::NotFound), Step::Unshare);
        assert_eq!(gone.message, "They no longer had this contact.");

        let signed_out = share_error(SyncError::Unauthorized, Step::Look);
        assert_eq!(signed_out.code, CommandErrorCode::Refused);
        assert!(signed_out.message.starts_with("Sign in again to share"));

        let busy = share_error(
            SyncError::TooManyRequests {
                retry_after: Duration::from_secs(7),
            },
            Step::Share,
        );
        assert_eq!(busy.code, CommandErrorCode::TooManyAttempts);
        assert_eq!(busy.message, "The server is busy; try again in 7 s.");

        // Anything else keeps the server's own words.
        let other = share_error(rejected(ErrorCode::BadRequest), Step::Share);
        assert_eq!(other.message, "The server refused: server words");
    }

    #[tokio::test]
    async fn a_server_that_does_not_answer_is_given_up_on() {
        let silent = within_for(
            Duration::from_millis(20),
            std::future::pending::<Result<(), SyncError>>(),
        );
        let error = silent.await.expect_err("gives up");
        assert!(matches!(error, SyncError::Unreachable(_)), "{error}");
    }
}
