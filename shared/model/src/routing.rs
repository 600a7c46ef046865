//! Lead routing (issue 15): which agent a new lead goes to, decided once by the server with this
//! pure function, so a device can show and explain what the server decided (DESIGN decision 18).
//!
//! An organisation keeps [`AgentProfile`]s (active, capacity, specialisations) and an ordered list
//! of [`RoutingRule`]s. [`route`] takes the first rule whose conditions match the lead and that has
//! an eligible agent, and applies its [`Strategy`]; if none does, the lead goes to the pond, which
//! any agent may claim. Everything that changes (each agent's open leads and conversion rate, the
//! round-robin cursors, the weighted draw) is passed in, and the new cursor is passed out.
//!
//! **Best agent** is seed 001's formula, exactly:
//! - area match: +20 when any area of the lead equals (ignoring case and surrounding spaces) any
//!   area of the agent;
//! - property type match: +15 when the lead and the agent share a property type;
//! - workload: `10 × (1 − open / max)`, so an idle agent gets +10 and one at capacity 0
//!   ("workload 3/20 +8.5");
//! - conversion: `10 × rate`, the agent's closed ÷ (closed + lost), clamped to 0–1.
//!
//! A rule with languages matches a lead in one of them and, among its agents, keeps those whose
//! profile lists the lead's language.
//!
//! Only active agents with fewer open leads than their maximum are considered. Ties go to the
//! agent with fewer open leads, then to the lower user id, so the same inputs always pick the
//! same agent (on the server and on any device that replays it).

use crate::contact::LeadSource;
use crate::ids::{TeamId, UserId};
use crate::listing::PropertyType;
use crate::validation::{Valid, ValidationErrors};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most rules an organisation keeps (a broker's rule list, read in full on every lead).
pub const RULES_MAX: usize = 50;
/// Most entries in one list of a profile or rule (areas, languages, agents...).
pub const LIST_MAX: usize = 100;
/// Longest area, language or rule name.
pub const NAME_MAX_CHARS: usize = 100;
/// Most minutes an offer may wait for a claim (a week).
pub const CLAIM_MINUTES_MAX: u32 = 7 * 24 * 60;
/// Largest capacity and weight (keeps the arithmetic far from overflow).
pub const CAPACITY_MAX: u32 = 100_000;

/// One agent's routing profile, kept per organisation and edited by brokers and admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentProfile {
    /// Whether the agent takes new leads now (off on holiday).
    pub active: bool,
    /// Open leads the agent may hold; at this many they get no more.
    pub max_open_leads: u32,
    /// Neighbourhoods, towns or postcodes the agent covers.
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub property_types: BTreeSet<PropertyType>,
    /// Languages the agent speaks (as people write them: "en", "Spanish").
    #[serde(default)]
    pub languages: Vec<String>,
    /// Share of a weighted rule's leads (relative to the other agents' weights).
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

impl Default for AgentProfile {
    fn default() -> Self {
        Self {
            active: true,
            max_open_leads: 20,
            areas: Vec::new(),
            property_types: BTreeSet::new(),
            languages: Vec::new(),
            weight: 1,
        }
    }
}

/// An agent as [`route`] sees them: the profile, and what the caller counted from its data.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub user: UserId,
    pub profile: AgentProfile,
    /// Contacts assigned to them that are not Closed or Lost.
    pub open_leads: u32,
    /// Closed ÷ (closed + lost) of their leads, 0–1 (0 with no outcome yet).
    pub conversion_rate: f64,
    /// Teams they belong to (rules may name a team).
    pub teams: BTreeSet<TeamId>,
}

impl Candidate {
    /// Active and under capacity.
    pub fn eligible(&self) -> bool {
        self.profile.active && self.open_leads < self.profile.max_open_leads
    }
}

/// What is known of a lead when it arrives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadFacts {
    pub source: LeadSource,
    /// Areas and postcodes named by the lead (their preferences, the property's zip).
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub property_types: BTreeSet<PropertyType>,
    /// The price of the property asked about, or the top of their budget.
    #[serde(default)]
    pub price: Option<u64>,
    #[serde(default)]
    pub language: Option<String>,
}

/// When a rule applies: every condition given must hold (an empty one holds for any lead).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Any of these sources.
    #[serde(default)]
    pub sources: Vec<LeadSource>,
    /// Any of these areas or postcodes among the lead's.
    #[serde(default)]
    pub areas: Vec<String>,
    /// The lead's price at least this (a lead with no price does not match a price band).
    #[serde(default)]
    pub price_min: Option<u64>,
    #[serde(default)]
    pub price_max: Option<u64>,
    /// Any of these languages.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// How a rule picks among its eligible agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Strategy {
    /// The next eligible agent after the one the rule gave the last lead to.
    RoundRobin,
    /// An agent drawn in proportion to their profile's weight.
    Weighted,
    /// Seed 001's score (see the module documentation).
    BestAgent,
    /// Offered to every eligible agent of the rule; the first to claim it has it. Unclaimed
    /// after `minutes`, the rules after this one decide (the fallback), else the pond.
    FirstToClaim { minutes: u32 },
}

/// One rule of an organisation's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRule {
    pub name: String,
    #[serde(default)]
    pub when: Conditions,
    /// Only members of this team (else any profiled agent of the organisation).
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Only these agents (else any of the team or organisation).
    #[serde(default)]
    pub agents: Vec<UserId>,
    pub strategy: Strategy,
}

/// An organisation's rules, in the order they are tried.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingRules {
    pub rules: Vec<RoutingRule>,
    /// How soon a new lead should get its first reply (call, text, email, meeting); leads
    /// waiting longer are flagged to brokers on the Team screen. None: no target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_minutes: Option<u32>,
}

/// The longest response-time target: a week.
pub const RESPONSE_MINUTES_MAX: u32 = 7 * 24 * 60;

/// Round-robin state: per rule name, the agent the rule gave its last lead to.
pub type Cursors = BTreeMap<String, UserId>;

/// Where the lead goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    Agent {
        agent: UserId,
    },
    /// Offered to these agents until `minutes` have passed.
    Offer {
        agents: Vec<UserId>,
        minutes: u32,
    },
    /// Nobody yet: any agent may claim it.
    Pond,
}

impl Decision {
    /// The stored name: `agent`, `offer`, `pond`.
    pub const fn kind(&self) -> &'static str {
        match self {
            Decision::Agent { .. } => "agent",
            Decision::Offer { .. } => "offer",
            Decision::Pond => "pond",
        }
    }
}

/// [`route`]'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routed {
    pub decision: Decision,
    /// Index of the rule that decided (`None`: the pond, no rule could).
    pub rule: Option<usize>,
    /// Why, for a person: the rule, the points, what was skipped.
    pub reason: String,
    /// A round-robin rule's new cursor: (rule name, agent given the lead).
    pub cursor: Option<(String, UserId)>,
}

/// Where in the rule list to start: 0 for a new lead; after an unclaimed offer, the index after
/// the offering rule (its fallback).
pub fn route(
    rules: &Valid<RoutingRules>,
    lead: &LeadFacts,
    agents: &[Candidate],
    cursors: &Cursors,
    draw: u64,
    start: usize,
) -> Routed {
    let mut skipped = Vec::new();
    for (index, rule) in rules.rules.iter().enumerate().skip(start) {
        if !rule.when.matches(lead) {
            continue;
        }
        let mut pool: Vec<&Candidate> = agents
            .iter()
            .filter(|c| rule.team.is_none_or(|t| c.teams.contains(&t)))
            .filter(|c| rule.agents.is_empty() || rule.agents.contains(&c.user))
            .filter(|c| speaks(rule, lead, c))
            .filter(|c| c.eligible())
            .collect();
        pool.sort_by_key(|c| c.user);
        if pool.is_empty() {
            skipped.push(format!(
                "rule \"{}\": no active agent under capacity",
                rule.name
            ));
            continue;
        }
        let head = format!("rule \"{}\"", rule.name);
        let (decision, detail, cursor) = match rule.strategy {
            Strategy::BestAgent => {
                let (best, why) = best_agent(&pool, lead);
                (Decision::Agent { agent: best }, why, None)
            }
            Strategy::RoundRobin => {
                let last = cursors.get(&rule.name);
                let next = last
                    .and_then(|l| pool.iter().find(|c| c.user > *l))
                    .unwrap_or(&pool[0]);
                (
                    Decision::Agent { agent: next.user },
                    format!(
                        "round robin, next after {}",
                        last.map_or("nobody".to_owned(), |u| u.to_string())
                    ),
                    Some((rule.name.clone(), next.user)),
                )
            }
            Strategy::Weighted => {
                let (agent, why) = weighted(&pool, draw);
                (Decision::Agent { agent }, why, None)
            }
            Strategy::FirstToClaim { minutes } => (
                Decision::Offer {
                    agents: pool.iter().map(|c| c.user).collect(),
                    minutes,
                },
                format!(
                    "offered to {} agents, first to claim within {minutes} min",
                    pool.len()
                ),
                None,
            ),
        };
        skipped.push(format!("{head}: {detail}"));
        return Routed {
            decision,
            rule: Some(index),
            reason: skipped.join("; "),
            cursor,
        };
    }
    skipped.push("no rule had an eligible agent: in the pond, any agent may claim it".to_owned());
    Routed {
        decision: Decision::Pond,
        rule: None,
        reason: skipped.join("; "),
        cursor: None,
    }
}

/// A rule about languages gives the lead to agents who speak the lead's language: that is what
/// such a rule is for (a Spanish-speaking buyer to a Spanish-speaking agent).
fn speaks(rule: &RoutingRule, lead: &LeadFacts, candidate: &Candidate) -> bool {
    match (&lead.language, rule.when.languages.is_empty()) {
        (Some(language), false) => candidate
            .profile
            .languages
            .iter()
            .any(|l| same(l, language)),
        _ => true,
    }
}

/// Seed 001's points for one agent, with a line per point.
pub fn best_agent_score(candidate: &Candidate, lead: &LeadFacts) -> (f64, String) {
    let mut score = 0.0;
    let mut lines = Vec::new();
    if let Some(area) = lead
        .areas
        .iter()
        .find(|a| candidate.profile.areas.iter().any(|b| same(a, b)))
    {
        score += 20.0;
        lines.push(format!("area match {} +20", area.trim()));
    }
    if let Some(kind) = lead
        .property_types
        .intersection(&candidate.profile.property_types)
        .next()
    {
        score += 15.0;
        lines.push(format!("property type match {} +15", kind.label()));
    }
    let max = candidate.profile.max_open_leads.max(1);
    let open = candidate.open_leads.min(max);
    let workload = 10.0 * (1.0 - f64::from(open) / f64::from(max));
    score += workload;
    lines.push(format!("workload {open}/{max} +{}", points(workload)));
    let rate = if candidate.conversion_rate.is_finite() {
        candidate.conversion_rate.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let conversion = 10.0 * rate;
    score += conversion;
    lines.push(format!(
        "conversion {}% +{}",
        points(rate * 100.0),
        points(conversion)
    ));
    (score, lines.join(", "))
}

fn best_agent(pool: &[&Candidate], lead: &LeadFacts) -> (UserId, String) {
    let mut best: Option<(f64, &Candidate, String)> = None;
    for candidate in pool {
        let (score, lines) = best_agent_score(candidate, lead);
        let better = match &best {
            None => true,
            // Scores are compared to a hundredth (what the reason shows), then workload, then id.
            Some((top, held, _)) => {
                let (a, b) = (hundredths(score), hundredths(*top));
                a > b
                    || (a == b
                        && (candidate.open_leads, candidate.user) < (held.open_leads, held.user))
            }
        };
        if better {
            best = Some((score, candidate, lines));
        }
    }
    match best {
        Some((score, c, lines)) => (
            c.user,
            format!("best agent {} with {}: {lines}", c.user, points(score)),
        ),
        // The pool is never empty here; answer its first agent rather than panic.
        None => (pool[0].user, "best agent".to_owned()),
    }
}

/// The agent at `draw` modulo the pool's total weight, walking the pool in id order: over
/// draws 0..total each agent is picked exactly its weight's times.
fn weighted(pool: &[&Candidate], draw: u64) -> (UserId, String) {
    let total: u64 = pool
        .iter()
        .map(|c| u64::from(c.profile.weight.max(1)))
        .sum();
    let mut at = draw % total.max(1);
    for c in pool {
        let w = u64::from(c.profile.weight.max(1));
        if at < w {
            return (c.user, format!("weighted draw, weight {w} of {total}"));
        }
        at -= w;
    }
    (pool[0].user, format!("weighted draw of {total}"))
}

fn hundredths(score: f64) -> i64 {
    (score * 100.0).round() as i64
}

/// A number of points as people write it: 8.5, 20, 3.33.
fn points(value: f64) -> String {
    let text = format!("{:.2}", value);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Names compare ignoring case and surrounding spaces ("central " is Central).
fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

impl Conditions {
    pub fn matches(&self, lead: &LeadFacts) -> bool {
        let source = self.sources.is_empty() || self.sources.contains(&lead.source);
        let area = self.areas.is_empty()
            || lead
                .areas
                .iter()
                .any(|a| self.areas.iter().any(|b| same(a, b)));
        let banded = self.price_min.is_some() || self.price_max.is_some();
        let price = !banded
            || lead.price.is_some_and(|p| {
                self.price_min.is_none_or(|min| p >= min)
                    && self.price_max.is_none_or(|max| p <= max)
            });
        let language = self.languages.is_empty()
            || lead
                .language
                .as_deref()
                .is_some_and(|l| self.languages.iter().any(|b| same(l, b)));
        source && area && price && language
    }
}

/// Trims every name of `list`, refusing blank, long and too many ones under `path`.
fn names(errors: &mut ValidationErrors, path: &str, list: &[String]) -> Vec<String> {
    if list.len() > LIST_MAX {
        errors.push(path, format!("At most {LIST_MAX} entries."));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, name) in list.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            errors.push(&format!("{path}.{i}"), "Must not be blank.");
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.push(
                &format!("{path}.{i}"),
                format!("At most {NAME_MAX_CHARS} characters."),
            );
        } else if !out.iter().any(|o| same(o, name)) {
            out.push(name.to_owned());
        }
    }
    out
}

impl AgentProfile {
    /// Checks and normalises (names trimmed, duplicates dropped); every problem at once.
    pub fn validate(self) -> Result<Valid<AgentProfile>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(1..=CAPACITY_MAX).contains(&self.max_open_leads) {
            errors.push(
                "max_open_leads",
                format!("Between 1 and {CAPACITY_MAX} open leads."),
            );
        }
        if !(1..=CAPACITY_MAX).contains(&self.weight) {
            errors.push("weight", format!("Between 1 and {CAPACITY_MAX}."));
        }
        let areas = names(&mut errors, "areas", &self.areas);
        let languages = names(&mut errors, "languages", &self.languages);
        errors.into_valid(AgentProfile {
            areas,
            languages,
            ..self
        })
    }
}

impl RoutingRules {
    /// Checks the whole list; problems are keyed `rules.<i>.<field>`. Agents and teams named by
    /// a rule are checked against the organisation by the server, which knows them.
    pub fn validate(self) -> Result<Valid<RoutingRules>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.rules.len() > RULES_MAX {
            errors.push("rules", format!("At most {RULES_MAX} rules."));
        }
        let mut seen: Vec<String> = Vec::new();
        let mut rules = Vec::with_capacity(self.rules.len());
        for (i, rule) in self.rules.into_iter().enumerate() {
            let at = |field: &str| format!("rules.{i}.{field}");
            let name = rule.name.trim().to_owned();
            if name.is_empty() {
                errors.push(&at("name"), "Required.");
            } else if name.chars().count() > NAME_MAX_CHARS {
                errors.push(&at("name"), format!("At most {NAME_MAX_CHARS} characters."));
            } else if seen.contains(&name) {
                // The round-robin cursor is kept by name.
                errors.push(&at("name"), "Another rule has this name.");
            }
            seen.push(name.clone());
            if let (Some(min), Some(max)) = (rule.when.price_min, rule.when.price_max) {
                if min > max {
                    errors.push(&at("when.price_max"), "Must not be below price_min.");
                }
            }
            if let Strategy::FirstToClaim { minutes } = rule.strategy {
                if !(1..=CLAIM_MINUTES_MAX).contains(&minutes) {
                    errors.push(
                        &at("strategy.minutes"),
                        format!("Between 1 and {CLAIM_MINUTES_MAX} minutes."),
                    );
                }
            }
            if rule.agents.len() > LIST_MAX {
                errors.push(&at("agents"), format!("At most {LIST_MAX} entries."));
            }
            if rule.when.sources.len() > LIST_MAX {
                errors.push(&at("when.sources"), format!("At most {LIST_MAX} entries."));
            }
            let when = Conditions {
                areas: names(&mut errors, &at("when.areas"), &rule.when.areas),
                languages: names(&mut errors, &at("when.languages"), &rule.when.languages),
                ..rule.when
            };
            rules.push(RoutingRule { name, when, ..rule });
        }
        if let Some(minutes) = self.response_minutes {
            if !(1..=RESPONSE_MINUTES_MAX).contains(&minutes) {
                errors.push(
                    "response_minutes",
                    format!("Between 1 and {RESPONSE_MINUTES_MAX} minutes (a week)."),
                );
            }
        }
        errors.into_valid(RoutingRules {
            rules,
            response_minutes: self.response_minutes,
        })
    }
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
