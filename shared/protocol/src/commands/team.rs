//! The broker's view of the team (issue 15): each agent's numbers over a period, computed on
//! the broker's device from the records it holds (so it works offline), named from the
//! server's member list (remembered for offline); moving a lead to another agent, which the
//! server does (it hands the lead's records over so the new agent's devices receive them); and
//! the leads the server offered this agent to claim.

use chrono::{DateTime, Utc};
use fieldstone_model::{ContactId, Stage, UserId};
use serde::{Deserialize, Serialize};

/// The period the Team screen counts over: the last N days up to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamPeriod {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
}

impl TeamPeriod {
    pub const ALL: [TeamPeriod; 4] = [
        TeamPeriod::Week,
        TeamPeriod::Month,
        TeamPeriod::Quarter,
        TeamPeriod::Year,
    ];

    pub const fn days(self) -> i64 {
        match self {
            TeamPeriod::Week => 7,
            TeamPeriod::Month => 30,
            TeamPeriod::Quarter => 90,
            TeamPeriod::Year => 365,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            TeamPeriod::Week => "Last 7 days",
            TeamPeriod::Month => "Last 30 days",
            TeamPeriod::Quarter => "Last 90 days",
            TeamPeriod::Year => "Last 12 months",
        }
    }

    pub const fn key(self) -> &'static str {
        match self {
            TeamPeriod::Week => "week",
            TeamPeriod::Month => "month",
            TeamPeriod::Quarter => "quarter",
            TeamPeriod::Year => "year",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// One agent's numbers (seed 001's agent performance). Leads are counted by their assigned
/// agent, else their owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPerformance {
    pub user_id: UserId,
    /// Their display name; their id's start when the device has never heard the name.
    pub name: String,
    /// Leads that arrived in the period.
    pub new_leads: u32,
    /// Leads not closed or lost, now.
    pub open_leads: u32,
    /// Bookings they set in the period (not cancelled).
    pub appointments: u32,
    /// Leads that reached Closed in the period.
    pub deals_closed: u32,
    /// Leads that reached Lost in the period.
    pub deals_lost: u32,
    /// Closed ÷ (closed + lost) in the period, 0–1; none when nothing was decided.
    pub conversion_rate: Option<f64>,
    /// The average time from a new lead's arrival to the first call, text, email or meeting
    /// with them (logged or sent), over the period's new leads that had one.
    pub avg_first_response_secs: Option<i64>,
    /// The period's new leads nobody has reached yet.
    pub awaiting_response: u32,
    /// Of those, how many have waited longer than the organisation's response-time target.
    #[serde(default)]
    pub late: u32,
}

/// Where the agents' names came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamesFrom {
    /// The server's member list, just now.
    Server,
    /// The list the server gave last time (offline, or it did not answer in time).
    Remembered,
    /// Never asked: ids only.
    Unknown,
}

/// An agent a lead can be moved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: UserId,
    pub name: String,
}

/// The `team` command's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamReport {
    pub period: TeamPeriod,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every member who works leads and every agent holding leads on this device, most new
    /// leads first, then by name.
    pub agents: Vec<AgentPerformance>,
    /// Who a lead can be reassigned to (members who are not viewers), by name.
    pub members: Vec<TeamMember>,
    pub names_from: NamesFrom,
    /// The organisation's response-time target in minutes (brokers set it with the routing
    /// rules), when there is one.
    #[serde(default)]
    pub response_minutes: Option<u32>,
}

/// The `reassign_lead` command (brokers and admins; needs a connection: the server moves the
/// lead's records to the new agent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassign {
    pub contact: ContactId,
    pub agent: UserId,
}

/// What `reassign_lead` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassigned {
    pub contact: ContactId,
    pub agent: UserId,
    /// "Assigned to Ben Ito by Dana Broker", as the server recorded it.
    pub reason: String,
}

/// A lead the server offered this agent (first to claim) or left in the pond.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadOffer {
    pub contact: ContactId,
    /// The lead's name (the server's; "A new lead" if it gave none).
    pub name: String,
    /// Where it came from ("Web form").
    pub source: Option<String>,
    /// Offered to a few agents (`offer`), or open to anyone (`pond`).
    pub pond: bool,
    pub reason: String,
    pub offered_at: DateTime<Utc>,
    /// Until when the offer stands (then the fallback rule decides).
    pub claim_until: Option<DateTime<Utc>>,
}

/// What `claim_lead` answers: the lead is this agent's and is on its way to this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimed {
    pub contact: ContactId,
    pub reason: String,
}

/// A lead of the team pipeline as the Team screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLead {
    pub contact: ContactId,
    pub name: String,
    pub stage: Stage,
    pub agent: UserId,
    pub agent_name: String,
    pub updated_at: DateTime<Utc>,
    /// Nobody has reached them yet: waiting since they arrived.
    #[serde(default)]
    pub waiting_since: Option<DateTime<Utc>>,
    /// Waiting longer than the organisation's response-time target.
    #[serde(default)]
    pub late: bool,
}

/// The `team_pipeline` command: the team's open leads, one agent's or everyone's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TeamPipelineQuery {
    pub agent: Option<UserId>,
}

/// A routed lead as the sync server answers it (`GET /v2/leads/routing`, claim, assign): who
/// has it, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedLead {
    pub contact: ContactId,
    /// `agent`, `offer`, `pond` or `assigned`.
    pub decision: String,
    pub agent: Option<UserId>,
    #[serde(default)]
    pub offered: Vec<UserId>,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
    pub claim_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<UserId>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// The lead's name and source (in the list, while nobody holds it).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}
