//! The broker's Team screen and lead routing on the device (issue 15).
//!
//! The numbers are counted from this device's records (`Replica::team_counts`): a broker's
//! device holds the team's leads, so the screen answers offline. Names come from the server's
//! member list when it answers within a moment, else from the list it gave last time.
//! Reassigning and claiming are the server's to decide (routing is decided once, by the
//! server): they need a connection and say so plainly without one.

use super::Api;
use chrono::Duration as Days;
use fieldstone_model::{ContactId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::commands::{
    AgentPerformance, Claimed, CommandError, CommandErrorCode, LeadOffer, NamesFrom, Reassign,
    Reassigned, RoutedLead, TeamLead, TeamMember, TeamPeriod, TeamPipelineQuery, TeamReport,
};
use fieldstone_protocol::ErrorCode;
use fieldstone_replica::{AgentCounts, RememberedMember, SyncClient, SyncError};
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

/// The screen draws from the device at once; the names may wait this long for the server.
const NAMES_WITHIN: Duration = Duration::from_secs(3);
/// The most records of a lead's history a reassignment moves (the server's limit).
const REASSIGN_RECORDS_MAX: usize = 2_000;

/// A reassignment or claim: the server moves records, a little longer.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

pub const BROKERS_ONLY: &str =
    "The Team screen is for brokers and admins: it shows every agent's leads and numbers.";
pub const SIGN_IN_FIRST: &str =
    "Sign in to your team's server to see your team (Settings → Account).";
pub const NEEDS_CONNECTION: &str =
    "Moving a lead needs a connection to your team's server, which cannot be reached right \
     now; nothing was changed.";
pub const CLAIM_NEEDS_CONNECTION: &str =
    "Claiming needs a connection to your team's server, which cannot be reached right now.";

/// May see the team and move leads.
fn routes_leads(role: Role) -> bool {
    matches!(role, Role::Owner | Role::Admin | Role::Broker)
}

/// "Ana Agent", or the start of the id when the device never heard the name.
fn name_or_id(names: &BTreeMap<UserId, String>, id: UserId) -> String {
    names.get(&id).cloned().unwrap_or_else(|| {
        let id = id.to_string();
        format!("Agent {}", &id[..8.min(id.len())])
    })
}

/// One agent's row from their counts.
pub fn performance(user_id: UserId, name: String, c: &AgentCounts) -> AgentPerformance {
    let decided = c.deals_closed + c.deals_lost;
    AgentPerformance {
        user_id,
        name,
        new_leads: c.new_leads,
        open_leads: c.open_leads,
        appointments: c.appointments,
        deals_closed: c.deals_closed,
        deals_lost: c.deals_lost,
        conversion_rate: (decided > 0).then(|| f64::from(c.deals_closed) / f64::from(decided)),
        avg_first_response_secs: (c.responded > 0)
            .then(|| c.response_ms_total / i64::from(c.responded) / 1000),
        awaiting_response: c.awaiting_response,
        late: c.late,
    }
}

/// The report's agents: everyone who works leads, and everyone holding leads on this device,
/// most new leads first, then most open, then by name.
pub fn agents(
    counts: &BTreeMap<UserId, AgentCounts>,
    members: &[RememberedMember],
) -> Vec<AgentPerformance> {
    let names: BTreeMap<UserId, String> = members
        .iter()
        .map(|m| (m.user_id, m.name.clone()))
        .collect();
    let mut ids: Vec<UserId> = counts.keys().copied().collect();
    for m in members.iter().filter(|m| m.takes_leads) {
        if !ids.contains(&m.user_id) {
            ids.push(m.user_id);
        }
    }
    let empty = AgentCounts::default();
    let mut rows: Vec<AgentPerformance> = ids
        .into_iter()
        .map(|id| {
            performance(
                id,
                name_or_id(&names, id),
                counts.get(&id).unwrap_or(&empty),
            )
        })
        .collect();
    rows.sort_by(|a, b| {
        b.new_leads
            .cmp(&a.new_leads)
            .then(b.open_leads.cmp(&a.open_leads))
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    rows
}

pub(crate) async fn within<T>(
    limit: Duration,
    request: impl Future<Output = Result<T, SyncError>>,
) -> Result<T, SyncError> {
    tokio::time::timeout(limit, request)
        .await
        .unwrap_or_else(|_| Err(SyncError::Unreachable("no answer in time".into())))
}

/// A refusal or silence from the server as the agent reads it.
pub(crate) fn server_error(error: SyncError, offline: &str) -> CommandError {
    use CommandErrorCode as C;
    match error {
        SyncError::Unreachable(why) => {
            tracing::info!(%why, "routing: the server cannot be reached");
            CommandError::new(C::Offline, offline)
        }
        SyncError::Unauthorized | SyncError::Revoked => CommandError::new(
            C::Refused,
            "Sign in again: the server no longer accepts this device's sign-in.",
        ),
        SyncError::TooManyRequests { retry_after } => crate::error::server_busy(retry_after),
        SyncError::Rejected { code, message } => {
            let code = match code {
                ErrorCode::NotFound => C::NotFound,
                ErrorCode::Conflict => C::WrongState,
                ErrorCode::BadRequest => C::Validation,
                _ => C::Refused,
            };
            CommandError::new(code, capitalised(&message))
        }
        other => CommandError::new(C::Internal, format!("The server's answer: {other}")),
    }
}

/// The server's sentences start lower-case ("ana has this lead already").
fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => "The server refused.".into(),
    }
}

impl Api {
    /// The signed-in role, refused unless it may see the team.
    fn require_team_role(&self) -> Result<(), CommandError> {
        match self.settings.get().session {
            None => Err(CommandError::new(
                CommandErrorCode::WrongState,
                SIGN_IN_FIRST,
            )),
            Some(s) if !routes_leads(s.role) => {
                Err(CommandError::new(CommandErrorCode::Refused, BROKERS_ONLY))
            }
            Some(_) => Ok(()),
        }
    }

    fn routing_client(&self) -> Option<SyncClient> {
        self.lock_sync().client.clone()
    }

    /// The member list: the server's (and kept), else the one kept last time.
    async fn team_members(&self) -> Result<(Vec<RememberedMember>, NamesFrom), CommandError> {
        if let Some(client) = self.routing_client() {
            if let Ok(users) = within(NAMES_WITHIN, client.users()).await {
                let members: Vec<RememberedMember> = users
                    .into_iter()
                    .map(|u| RememberedMember {
                        user_id: u.id,
                        name: if u.display_name.trim().is_empty() {
                            u.email
                        } else {
                            u.display_name
                        },
                        takes_leads: u.role != Role::Viewer,
                    })
                    .collect();
                let kept = members.clone();
                self.read(move |r| r.remember_team(&kept)).await?;
                return Ok((members, NamesFrom::Server));
            }
        }
        Ok(match self.read(|r| r.remembered_team()).await? {
            Some(members) => (members, NamesFrom::Remembered),
            None => (Vec::new(), NamesFrom::Unknown),
        })
    }

    /// The response-time target: the server's (and kept), else the one kept last time.
    async fn response_target(&self) -> Result<Option<u32>, CommandError> {
        if let Some(client) = self.routing_client() {
            if let Ok(rules) = within(NAMES_WITHIN, client.routing_rules()).await {
                let minutes = rules.response_minutes;
                self.read(move |r| r.remember_response_target(minutes))
                    .await?;
                return Ok(minutes);
            }
        }
        self.read(|r| r.remembered_response_target()).await
    }

    pub async fn team(&self, period: TeamPeriod) -> Result<TeamReport, CommandError> {
        self.require_team_role()?;
        let to = self.clock().now();
        let from = to - Days::days(period.days());
        let target = self.response_target().await?;
        let late_before = target.map(|m| to - Days::minutes(i64::from(m)));
        let counts = self
            .read(move |r| r.team_counts(from, to, late_before))
            .await?;
        let (members, names_from) = self.team_members().await?;
        let mut takers: Vec<TeamMember> = members
            .iter()
            .filter(|m| m.takes_leads)
            .map(|m| TeamMember {
                user_id: m.user_id,
                name: m.name.clone(),
            })
            .collect();
        takers.sort_by_key(|m| m.name.to_lowercase());
        Ok(TeamReport {
            period,
            from,
            to,
            agents: agents(&counts, &members),
            members: takers,
            names_from,
            response_minutes: target,
        })
    }

    pub async fn team_pipeline(
        &self,
        query: TeamPipelineQuery,
    ) -> Result<Vec<TeamLead>, CommandError> {
        self.require_team_role()?;
        let leads = self.read(move |r| r.team_pipeline(query.agent)).await?;
        // Names and the target as `team` last remembered them: the screen reads the pipeline
        // once the report has answered, so the server is not asked twice.
        let names: BTreeMap<UserId, String> = self
            .read(|r| r.remembered_team())
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|m| (m.user_id, m.name))
            .collect();
        let target = self.read(|r| r.remembered_response_target()).await?;
        let now = self.clock().now();
        Ok(leads
            .into_iter()
            .map(|l| {
                let waiting_since = (!l.replied).then_some(l.created_at);
                TeamLead {
                    contact: l.contact,
                    name: l.name,
                    stage: l.stage,
                    agent_name: name_or_id(&names, l.agent),
                    agent: l.agent,
                    updated_at: l.updated_at,
                    late: late(waiting_since, target, now),
                    waiting_since,
                }
            })
            .collect())
    }

    pub async fn reassign_lead(&self, request: Reassign) -> Result<Reassigned, CommandError> {
        self.require_team_role()?;
        let client = self
            .routing_client()
            .ok_or_else(|| CommandError::new(CommandErrorCode::Offline, NEEDS_CONNECTION))?;
        let contact = request.contact;
        let here = self.read(move |r| r.get_contact(&contact)).await?;
        if here.is_none_or(|c| c.deleted_at.is_some()) {
            return Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This lead is not on this device.",
            ));
        }
        // Its calls, notes, tasks, bookings and messages move with it (the server checks each
        // is about this lead). One made here that has not reached the server yet is skipped
        // by it and stays the broker's own.
        let mut records = self.read(move |r| r.records_about_contact(contact)).await?;
        records.truncate(REASSIGN_RECORDS_MAX);
        let moved = within(
            ANSWER_WITHIN,
            client.assign_lead(&contact, request.agent, &records),
        )
        .await
        .map_err(|e| server_error(e, NEEDS_CONNECTION))?;
        // The new owner's name and scopes arrive with the next sync; ask for it now.
        self.sync_now();
        Ok(Reassigned {
            contact,
            agent: moved.agent.unwrap_or(request.agent),
            reason: capitalised(&moved.reason),
        })
    }

    pub async fn lead_offers(&self) -> Result<Vec<LeadOffer>, CommandError> {
        let Some(client) = self.routing_client() else {
            return Ok(Vec::new());
        };
        let me = self.user();
        let routed = match within(NAMES_WITHIN, client.lead_routings()).await {
            Ok(routed) => routed,
            // Offline or refused: no offers to show, nothing to explain on Today.
            Err(error) => {
                tracing::info!(%error, "routing: no offers read");
                return Ok(Vec::new());
            }
        };
        let mut offers = Vec::new();
        for lead in routed.into_iter().filter(|l| open_offer(l, me)) {
            offers.push(LeadOffer {
                contact: lead.contact,
                name: lead
                    .name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "A new lead".to_owned()),
                source: lead.source,
                pond: lead.decision == "pond",
                reason: capitalised(&lead.reason),
                offered_at: lead.decided_at,
                claim_until: lead.claim_until,
            });
        }
        Ok(offers)
    }

    pub async fn claim_lead(&self, contact: ContactId) -> Result<Claimed, CommandError> {
        self.check_writable()?;
        let client = self
            .routing_client()
            .ok_or_else(|| CommandError::new(CommandErrorCode::Offline, CLAIM_NEEDS_CONNECTION))?;
        let claimed = within(ANSWER_WITHIN, client.claim_lead(&contact))
            .await
            .map_err(|e| server_error(e, CLAIM_NEEDS_CONNECTION))?;
        self.sync_now();
        Ok(Claimed {
            contact,
            reason: capitalised(&claimed.reason),
        })
    }
}

/// Waiting for a first reply longer than the target allows.
pub fn late(
    waiting_since: Option<chrono::DateTime<chrono::Utc>>,
    target_minutes: Option<u32>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    match (waiting_since, target_minutes) {
        (Some(since), Some(m)) => now - since > Days::minutes(i64::from(m)),
        _ => false,
    }
}

/// An offer this agent may still take: nobody has it, and it is offered to them or the pond.
pub fn open_offer(lead: &RoutedLead, me: UserId) -> bool {
    lead.agent.is_none()
        && (lead.decision == "pond" || (lead.decision == "offer" && lead.offered.contains(&me)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> UserId {
        format!("00000000-0000-4000-8000-0000000003{n:02}")
            .parse()
            .expect("id")
    }

    #[test]
    fn rates_and_averages_are_none_until_there_is_something_to_divide() {
        let none = performance(id(1), "Ana".into(), &AgentCounts::default());
        assert_eq!(none.conversion_rate, None);
        assert_eq!(none.avg_first_response_secs, None);
        let some = performance(
            id(1),
            "Ana".into(),
            &AgentCounts {
                deals_closed: 1,
                deals_lost: 3,
                responded: 2,
                response_ms_total: 3_600_000,
                ..AgentCounts::default()
            },
        );
        assert_eq!(some.conversion_rate, Some(0.25));
        assert_eq!(some.avg_first_response_secs, Some(1800));
    }

    #[test]
    fn every_agent_who_works_leads_is_listed_and_strangers_keep_an_id_name() {
        let mut counts = BTreeMap::new();
        counts.insert(
            id(2),
            AgentCounts {
                new_leads: 4,
                ..AgentCounts::default()
            },
        );
        counts.insert(
            id(9),
            AgentCounts {
                new_leads: 1,
                ..AgentCounts::default()
            },
        );
        let members = vec![
            RememberedMember {
                user_id: id(1),
                name: "Zed Idle".into(),
                takes_leads: true,
            },
            RememberedMember {
                user_id: id(2),
                name: "Ben Busy".into(),
                takes_leads: true,
            },
            RememberedMember {
                user_id: id(3),
                name: "Vi Viewer".into(),
                takes_leads: false,
            },
        ];
        let rows = agents(&counts, &members);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Ben Busy", "Agent 00000000", "Zed Idle"]);
    }

    #[test]
    fn only_open_offers_to_me_or_the_pond_can_be_claimed() {
        let lead = |decision: &str, agent: Option<UserId>, offered: Vec<UserId>| RoutedLead {
            contact: "00000000-0000-4000-8000-000000000077".parse().expect("id"),
            decision: decision.into(),
            agent,
            offered,
            reason: String::new(),
            decided_at: chrono::Utc::now(),
            claim_until: None,
            claimed_by: None,
            claimed_at: None,
            name: None,
            source: None,
        };
        assert!(open_offer(&lead("offer", None, vec![id(1)]), id(1)));
        assert!(!open_offer(&lead("offer", None, vec![id(2)]), id(1)));
        assert!(open_offer(&lead("pond", None, vec![]), id(1)));
        assert!(!open_offer(&lead("pond", Some(id(2)), vec![]), id(1)));
        assert!(!open_offer(&lead("agent", Some(id(1)), vec![]), id(1)));
    }

    #[test]
    fn a_lead_is_late_only_past_a_target_and_only_while_waiting() {
        let now = chrono::Utc::now();
        let since = now - Days::minutes(20);
        assert!(late(Some(since), Some(15), now));
        assert!(!late(Some(since), Some(30), now));
        assert!(!late(None, Some(15), now), "answered");
        assert!(!late(Some(since), None, now), "no target");
    }

    #[test]
    fn the_servers_sentences_read_as_sentences() {
        assert_eq!(
            capitalised("ana has this lead already"),
            "Ana has this lead already."
        );
        assert_eq!(capitalised("done."), "Done.");
    }
}
