//! JSON bodies of the server's account routes (`/v2/auth/*`, `/v2/me`, teams, users, devices,
//! invitations, document shares). Frozen by golden tests like the sync messages.

use chrono::{DateTime, Utc};
use fieldstone_model::{DeviceId, OrgId, TeamId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Shortest password the server accepts.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// Longest password the server hashes (Argon2 work grows with input; nobody types more).
pub const PASSWORD_MAX_BYTES: usize = 256;
/// Longest device, team or display name.
pub const NAME_MAX_CHARS: usize = 100;

/// What a user may do in their organisation, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the organisation; like an admin, and the only one who can make admins.
    Owner,
    /// Runs the organisation: users, teams, devices; reads and writes everything.
    Admin,
    /// Leads teams: reads and reassigns their agents' work.
    Broker,
    /// Works their own contacts and their team's shared ones.
    Agent,
    /// Reads their team's shared documents; writes nothing.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Broker,
        Role::Agent,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Broker => "broker",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    /// Owner or admin: manages the organisation.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// May reassign work (change `owner` / `assigned_agent`).
    pub fn may_reassign(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::Broker)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}: expected owner, admin, broker, agent or viewer")
            })
    }
}

/// `POST /v2/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// How this device appears in the device list ("Ada's laptop").
    pub device_name: String,
    /// Which organisation, when the email has accounts in several.
    #[serde(default)]
    pub org_id: Option<OrgId>,
    /// The proof a previous sign-in of this account on this device got (`Session::known_device`):
    /// an account that strangers are guessing at holds them back, not its own devices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_device: Option<String>,
}

/// A signed-in device: the answer to login, invitation acceptance, refresh and password change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Bearer token for every other route; shown once, kept in the OS credential store.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub device_id: DeviceId,
    pub me: Me,
    /// Given at sign-in: a secret that marks this device as one that signed in to this account
    /// before. Kept in the OS credential store beside the token (but kept after sign-out) and
    /// sent with the next sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_device: Option<String>,
}

/// `GET /v2/audit`: one security event of the organisation (sign-in failures and lockouts,
/// role and membership changes, revoked devices, refused changes, unreadable documents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Event number; pass the last one as `before` for the next page.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// Who did it, when known.
    pub user_id: Option<UserId>,
    /// What it was done to (a user, document or device id).
    pub subject: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
}

/// `GET /v2/me`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserInfo,
    pub org: OrgInfo,
    pub teams: Vec<TeamInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: OrgId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    pub id: TeamId,
    pub name: String,
}

/// Body of a `choose_organisation` error's companion: `POST /v2/auth/login` answers 409 with
/// this when the email and password match accounts in several organisations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub code: crate::sync::ErrorCode,
    pub message: String,
    pub orgs: Vec<OrgInfo>,
}

/// `POST /v2/auth/accept-invite`: turns a one-time invitation into an account and a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptInviteRequest {
    pub token: String,
    pub display_name: String,
    pub password: String,
    pub device_name: String,
}

/// `POST /v2/auth/password`: ends every session of the user and returns a new one for this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /v2/invitations` (admins; brokers for agents and viewers of their own teams).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub email: String,
    pub role: Role,
    #[serde(default)]
    pub team_id: Option<TeamId>,
}

/// The invitation's secret, shown once; the inviter sends it as a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub token: String,
    pub email: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    /// `<server>/invite/<token>`, when the server knows its public address: what the inviter
    /// sends. The invited person pastes it into the app (Settings, "I have an invitation"),
    /// which reads the server's address and the secret from it.
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: DeviceId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The device making this request.
    pub current: bool,
}

/// `POST /v2/teams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTeamRequest {
    pub name: String,
}

/// `GET /v2/teams/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub id: TeamId,
    pub name: String,
    pub members: Vec<UserInfo>,
}

/// `POST /v2/teams/{id}/members`, `POST /v2/docs/{doc}/shares`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRef {
    pub user_id: UserId,
}

/// `POST /v2/docs/{doc}/shares`: share with one teammate, or with a whole team; exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRequest {
    #[serde(default)]
    pub user_id: Option<UserId>,
    #[serde(default)]
    pub team_id: Option<TeamId>,
}

/// `PUT /v2/users/{id}/role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRoleRequest {
    pub role: Role,
}

/// `GET /v2/docs/{doc}/shares`: the scopes a document belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocScopes {
    pub doc_id: crate::sync::DocId,
    pub scopes: Vec<String>,
}

/// `GET /v2/org/usage` (any member): the organisation's plan and this month's use of each
/// allowance, the organisation's and the caller's. The month is the organisation's, in its
/// time zone; `resets_at` is the first instant of the next one there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUsage {
    /// `free`, `starter`, `pro` or `enterprise`.
    pub plan: String,
    /// The plan's name as people read it ("Starter").
    pub plan_label: String,
    /// IANA name of the organisation's zone ("Europe/Paris").
    pub time_zone: String,
    /// The month counted, `2026-12`.
    pub period: String,
    pub resets_at: DateTime<Utc>,
    pub meters: Vec<MeterUsage>,
}

/// One allowance of [`OrgUsage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterUsage {
    /// `ai_drafts`, `emails`, `sms`, …
    pub meter: String,
    /// What it counts, as people read it ("text messages").
    pub label: String,
    /// How many the plan allows a month; `None` (`null`): no cap.
    pub allowance: Option<u64>,
    /// Used this month by the whole organisation.
    pub used: u64,
    /// Used this month by the caller.
    pub used_by_me: u64,
}

/// Checks a new password against the server's policy; the message is for the person typing it.
pub fn check_password(password: &str) -> Result<(), String> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(format!(
            "the password must have at least {PASSWORD_MIN_CHARS} characters"
        ));
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(format!(
            "the password must have at most {PASSWORD_MAX_BYTES} bytes"
        ));
    }
    Ok(())
}

/// Trims a device, team or display name and checks it is 1..=[`NAME_MAX_CHARS`] characters of
/// printable text.
pub fn check_name(what: &str, name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(format!("the {what} must not be empty"));
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(format!(
            "the {what} must have at most {NAME_MAX_CHARS} characters"
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(format!("the {what} must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_rank() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!(Role::Owner.is_admin() && Role::Admin.is_admin() && !Role::Broker.is_admin());
        assert!(Role::Broker.may_reassign() && !Role::Agent.may_reassign());
        assert!(!Role::Viewer.may_reassign());
    }

    #[test]
    fn password_policy() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pw").is_ok());
        assert!(check_password(&"x".repeat(PASSWORD_MAX_BYTES + 1)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("device name", "  Laptop "), Ok("Laptop".into()));
        assert!(check_name("device name", "   ").is_err());
        assert!(check_name("device name", &"a".repeat(NAME_MAX_CHARS + 1)).is_err());
        assert!(check_name("device name", "a\u{7}b").is_err());
    }
}
