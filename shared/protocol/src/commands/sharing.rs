//! Sharing a contact with a teammate or a whole team. Who has a record is server state (DESIGN
//! decision 5), so these commands ask the sync server and need a connection; the contact
//! itself stays on the device either way.

use fieldstone_model::{ContactId, TeamId, UserId};
use serde::{Deserialize, Serialize};

/// `share_targets`: who the contact can be shared with, and who has it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTargets {
    pub contact: ContactId,
    /// Teammates (everyone in the organisation for admins) who do not have it yet, by name.
    pub people: Vec<SharePerson>,
    /// Teams it can be shared with as a whole that do not have it yet.
    pub teams: Vec<ShareTeam>,
    /// Who has it now; the owner's (where it was created) first.
    pub shares: Vec<CurrentShare>,
    /// The agent has someone to share with at all (teammates or a team), whether or not they
    /// have it already: `false` is "you're not on a team yet".
    pub has_teammates: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharePerson {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTeam {
    pub team_id: TeamId,
    pub name: String,
}

/// One holder of the contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentShare {
    /// `user:<id>`, `team:<id>` or `org:<id>`: what `unshare_contact` takes.
    pub scope: String,
    /// "Bo Diaz", "Everyone in North", "You".
    pub label: String,
    /// A person's email, when known.
    pub detail: Option<String>,
    /// Where the contact was created: it always keeps it, so it cannot be removed.
    pub owner: bool,
}

/// Who to share with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ShareWith {
    User(UserId),
    Team(TeamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareContact {
    pub contact: ContactId,
    pub with: ShareWith,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnshareContact {
    pub contact: ContactId,
    /// A [`CurrentShare::scope`].
    pub scope: String,
}

/// What sharing or unsharing did: the holders as they are now, and a sentence saying so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub targets: ShareTargets,
    /// "Shared with Bo Diaz: they will have it after their next sync."
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI sends these as JSON: the shape is part of the contract.
    #[test]
    fn share_with_reads_as_kind_and_id() {
        let id: UserId = "00000000-0000-4000-8000-000000000001".parse().expect("id");
        let json = serde_json::to_string(&ShareWith::User(id)).expect("json");
        assert_eq!(
            json,
            r#"{"kind":"user","id":"00000000-0000-4000-8000-000000000001"}"#
        );
        let back: ShareWith = serde_json::from_str(&json).expect("back");
        assert_eq!(back, ShareWith::User(id));
    }
}
