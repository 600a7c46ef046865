//! The Team screen (brokers and admins): each agent's numbers over a chosen period, the team's
//! open leads with an agent filter, and moving a lead to another agent. Pure: the page runs the
//! commands these actions ask for, and every answer comes back as an action (failures too).

use crate::hooks::Outcome;
use fieldstone_model::{ContactId, Stage, UserId};
use fieldstone_protocol::commands::{
    CommandErrorCode, NamesFrom, Reassigned, TeamLead, TeamPeriod, TeamReport,
};
use std::rc::Rc;
use yew::Reducible;

/// One load of something the screen shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Loaded(T),
    /// Brokers and admins only, or signed out: the screen shows this instead, no retry.
    Closed(String),
    Failed(String),
}

/// A line under the pipeline after a move: done, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamState {
    pub period: TeamPeriod,
    pub report: Load<TeamReport>,
    /// The pipeline shows this agent's leads; none is everyone's.
    pub agent: Option<UserId>,
    pub pipeline: Load<Vec<TeamLead>>,
    /// The lead whose "move to" picker is open, and the agent chosen in it.
    pub moving: Option<(ContactId, Option<UserId>)>,
    /// A move in flight.
    pub busy: bool,
    pub notice: Option<Notice>,
    /// Grows to read everything again (a move done, changes from elsewhere).
    pub revision: u64,
}

impl Default for TeamState {
    fn default() -> Self {
        Self {
            period: TeamPeriod::default(),
            report: Load::Loading,
            agent: None,
            pipeline: Load::Loading,
            moving: None,
            busy: false,
            notice: None,
            revision: 0,
        }
    }
}

pub enum TeamAction {
    Period(TeamPeriod),
    /// The answer for (period, revision).
    Report((TeamPeriod, u64), Outcome<TeamReport>),
    Filter(Option<UserId>),
    Pipeline((Option<UserId>, u64), Outcome<Vec<TeamLead>>),
    OpenMove(ContactId),
    ChooseAgent(Option<UserId>),
    CloseMove,
    /// The move was sent to the server.
    Moving,
    Moved(Outcome<Reassigned>),
    /// Changes arrived from elsewhere: read again, keeping what is shown until then.
    Reload,
}

/// Why the screen is closed rather than failed: refused for the role, or not signed in.
fn closes(code: CommandErrorCode) -> bool {
    matches!(
        code,
        CommandErrorCode::Refused | CommandErrorCode::WrongState
    )
}

impl Reducible for TeamState {
    type Action = TeamAction;

    fn reduce(self: Rc<Self>, action: TeamAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            TeamAction::Period(period) if period == self.period => return self,
            TeamAction::Period(period) => {
                next.period = period;
                next.report = Load::Loading;
            }
            TeamAction::Report((period, revision), _)
                if period != self.period || revision != self.revision =>
            {
                return self
            }
            TeamAction::Report(_, Ok(report)) => next.report = Load::Loaded(report),
            TeamAction::Report(_, Err(e)) if closes(e.code) => {
                next.report = Load::Closed(e.message)
            }
            // A reload that fails keeps what was shown.
            TeamAction::Report(_, Err(_)) if matches!(self.report, Load::Loaded(_)) => return self,
            TeamAction::Report(_, Err(e)) => next.report = Load::Failed(e.message),
            TeamAction::Filter(agent) if agent == self.agent => return self,
            TeamAction::Filter(agent) => {
                next.agent = agent;
                next.pipeline = Load::Loading;
                next.moving = None;
            }
            TeamAction::Pipeline((agent, revision), _)
                if agent != self.agent || revision != self.revision =>
            {
                return self
            }
            TeamAction::Pipeline(_, Ok(leads)) => next.pipeline = Load::Loaded(leads),
            TeamAction::Pipeline(_, Err(e)) if closes(e.code) => {
                next.pipeline = Load::Closed(e.message)
            }
            TeamAction::Pipeline(_, Err(_)) if matches!(self.pipeline, Load::Loaded(_)) => {
                return self
            }
            TeamAction::Pipeline(_, Err(e)) => next.pipeline = Load::Failed(e.message),
            TeamAction::OpenMove(_) if self.busy => return self,
            TeamAction::OpenMove(contact) => {
                next.moving = Some((contact, None));
                next.notice = None;
            }
            TeamAction::ChooseAgent(agent) => match self.moving {
                Some((contact, _)) => next.moving = Some((contact, agent)),
                None => return self,
            },
            TeamAction::CloseMove if self.busy => return self,
            TeamAction::CloseMove => next.moving = None,
            TeamAction::Moving => next.busy = true,
            TeamAction::Moved(outcome) => {
                next.busy = false;
                match outcome {
                    Ok(done) => {
                        next.moving = None;
                        next.notice = Some(Notice {
                            ok: true,
                            text: done.reason,
                        });
                        next.revision += 1;
                    }
                    // The picker stays open with the choice, so trying again is one tap.
                    Err(e) => {
                        next.notice = Some(Notice {
                            ok: false,
                            text: e.message,
                        })
                    }
                }
            }
            TeamAction::Reload => next.revision += 1,
        }
        Rc::new(next)
    }
}

impl TeamState {
    /// The move the picker would send: its lead and the agent chosen.
    pub fn chosen_move(&self) -> Option<(ContactId, UserId)> {
        match self.moving {
            Some((contact, Some(agent))) => Some((contact, agent)),
            _ => None,
        }
    }

    /// A sentence under the title when the names are not fresh from the server.
    pub fn names_note(&self) -> Option<&'static str> {
        match &self.report {
            Load::Loaded(r) => match r.names_from {
                NamesFrom::Server => None,
                NamesFrom::Remembered => {
                    Some("Offline: numbers from this device, names as of your last connection.")
                }
                NamesFrom::Unknown => {
                    Some("Names appear once your team's server has answered once.")
                }
            },
            _ => None,
        }
    }
}

/// The pipeline's leads in stage order (Lead first), newest change first within a stage.
pub fn by_stage(leads: &[TeamLead]) -> Vec<(Stage, Vec<&TeamLead>)> {
    Stage::ALL
        .iter()
        .filter(|s| !matches!(s, Stage::Closed | Stage::Lost))
        .map(|stage| {
            (
                *stage,
                leads
                    .iter()
                    .filter(|l| l.stage == *stage)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, leads)| !leads.is_empty())
        .collect()
}

/// "62 %", or "—" with nothing decided.
pub fn rate(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.0} %", (r * 100.0).round()),
        None => "—".into(),
    }
}

/// "45 min", "3 h 20 min", "2 d 4 h"; "—" with no response yet.
pub fn response_time(secs: Option<i64>) -> String {
    let Some(secs) = secs else {
        return "—".into();
    };
    let minutes = (secs + 30) / 60;
    match minutes {
        m if m < 1 => "under 1 min".into(),
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => match m % 60 {
            0 => format!("{} h", m / 60),
            r => format!("{} h {r} min", m / 60),
        },
        m => match (m / 60) % 24 {
            0 => format!("{} d", m / (24 * 60)),
            h => format!("{} d {h} h", m / (24 * 60)),
        },
    }
}

#[cfg(test)]
#[path = "team_tests.rs"]
mod tests;
