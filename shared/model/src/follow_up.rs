//! The follow-up plan a new contact gets (seed 002): Day 1 (high), Day 3 (medium), Week 1
//! (medium), Week 2 (low), Month 1 (low), each due at the time of day the contact was created,
//! on the calendar day N days later **in the agent's time zone** — so a lead created at 09:00 in
//! Paris the day before the clocks change is still due at 09:00 Paris time, not 08:00 or 10:00.
//!
//! The organisation can change the offsets and priorities, and which sources get the plan
//! (`FollowUpSettings`, kept in the organisation's settings document, DESIGN decision 17). A
//! pure rule (decision 18): the device, for what an agent types or imports, and the server, for
//! what arrives by intake, call the same code.

use crate::common::{Priority, RecordRef};
use crate::contact::LeadSource;
use crate::ids::ContactId;
use crate::task::{TaskInput, TaskKind, TaskStatus};
use crate::validation::{Valid, ValidationErrors};
use chrono::{DateTime, Days, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The longest a step may wait after the contact was created.
pub const OFFSET_DAYS_MAX: u16 = 365;

/// One step of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpStep {
    pub kind: TaskKind,
    /// Calendar days after the contact's creation, in the agent's zone (0 = the same day).
    pub offset_days: u16,
    pub priority: Priority,
}

/// The organisation's follow-up plan: its steps, and the sources it is not applied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpSettings {
    /// The steps, earliest first; empty switches the plan off for everyone.
    pub steps: Vec<FollowUpStep>,
    /// Sources whose new contacts get no plan (a bulk import of an old sphere, say).
    #[serde(default)]
    pub off_for: Vec<LeadSource>,
}

impl Default for FollowUpSettings {
    /// Seed 002's plan, for every source.
    fn default() -> Self {
        let step = |kind, offset_days, priority| FollowUpStep {
            kind,
            offset_days,
            priority,
        };
        FollowUpSettings {
            steps: vec![
                step(TaskKind::Day1, 1, Priority::High),
                step(TaskKind::Day3, 3, Priority::Medium),
                step(TaskKind::Week1, 7, Priority::Medium),
                step(TaskKind::Week2, 14, Priority::Low),
                step(TaskKind::Month1, 30, Priority::Low),
            ],
            off_for: Vec::new(),
        }
    }
}

impl FollowUpSettings {
    /// Each step is one of the five plan kinds, at most once; offsets are at most a year and
    /// strictly increase with the steps (a Week 1 before Day 3 reads as a mistake). A source
    /// is listed at most once.
    pub fn validate(&self) -> Result<Valid<FollowUpSettings>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut previous: Option<&FollowUpStep> = None;
        for (i, step) in self.steps.iter().enumerate() {
            let field = format!("steps[{i}]");
            if step.kind == TaskKind::Custom {
                errors.push(
                    &field,
                    "A plan step is Day 1, Day 3, Week 1, Week 2 or Month 1, not a custom task.",
                );
            } else if self.steps[..i].iter().any(|s| s.kind == step.kind) {
                errors.push(
                    &field,
                    format!("{} is in the plan twice.", step.kind.label()),
                );
            }
            if step.offset_days > OFFSET_DAYS_MAX {
                errors.push(
                    &field,
                    format!(
                        "{} is {} days after the contact is added; at most {OFFSET_DAYS_MAX} are allowed.",
                        step.kind.label(),
                        step.offset_days
                    ),
                );
            }
            if let Some(before) = previous {
                if step.offset_days <= before.offset_days {
                    errors.push(
                        &field,
                        format!(
                            "{} must come after {} (day {} is not after day {}).",
                            step.kind.label(),
                            before.kind.label(),
                            step.offset_days,
                            before.offset_days
                        ),
                    );
                }
            }
            previous = Some(step);
        }
        for (i, source) in self.off_for.iter().enumerate() {
            if self.off_for[..i].contains(source) {
                errors.push(
                    &format!("off_for[{i}]"),
                    format!("{} is listed twice.", source.label()),
                );
            }
        }
        errors.into_valid(self.clone())
    }

    /// Whether a new contact from `source` gets the plan.
    pub fn applies_to(&self, source: LeadSource) -> bool {
        !self.steps.is_empty() && !self.off_for.contains(&source)
    }

    /// When each step falls due for a contact created at `created_at` by an agent in `zone`:
    /// the same wall-clock time, `offset_days` calendar days later there. A time the clocks
    /// skip that day (spring forward) moves to the first minute after the gap; a time that
    /// happens twice (fall back) is the first of the two.
    pub fn schedule(
        &self,
        created_at: DateTime<Utc>,
        zone: Tz,
    ) -> Vec<(FollowUpStep, DateTime<Utc>)> {
        let local = created_at.with_timezone(&zone).naive_local();
        self.steps
            .iter()
            .filter_map(|step| {
                let day = local.checked_add_days(Days::new(u64::from(step.offset_days)))?;
                Some((*step, resolve(zone, day)?))
            })
            .collect()
    }

    /// The plan as task inputs for `contact`, ready for the engine to create.
    pub fn tasks(&self, contact: ContactId, created_at: DateTime<Utc>, zone: Tz) -> Vec<TaskInput> {
        self.schedule(created_at, zone)
            .into_iter()
            .map(|(step, due)| TaskInput {
                title: step.kind.label().to_owned(),
                due_at: Some(due),
                priority: step.priority,
                status: TaskStatus::Pending,
                kind: step.kind,
                record: Some(RecordRef::Contact(contact)),
            })
            .collect()
    }
}

/// The instant `local` names in `zone`: the earlier of two, or, in a gap, the first instant
/// after it (tried minute by minute; no zone skips more than a day).
pub(crate) fn resolve(zone: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let mut at = local;
    for _ in 0..=24 * 60 {
        match zone.from_local_datetime(&at) {
            LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => return Some(first.with_timezone(&Utc)),
            LocalResult::None => at += chrono::Duration::minutes(1),
        }
    }
    None
}

/// What an engine needs to give a new contact its plan: the organisation's settings and the
/// zone of the agent who owns the contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpPlanning {
    pub settings: FollowUpSettings,
    pub zone: Tz,
}

impl FollowUpPlanning {
    /// The plan's tasks for `contact`, or none when its source is switched off (or it is
    /// deleted already).
    pub fn tasks_for(&self, contact: &crate::Contact) -> Vec<TaskInput> {
        if contact.deleted_at.is_some() || !self.settings.applies_to(contact.source) {
            return Vec::new();
        }
        self.settings
            .tasks(contact.id, contact.created_at, self.zone)
    }
}

/// What an agent lets the server send without review when a follow-up falls due: every
/// contact from these sources, and these contacts. Nothing until they choose (the default is
/// the Ready to send list on Today).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoSend {
    #[serde(default)]
    pub sources: Vec<LeadSource>,
    #[serde(default)]
    pub contacts: Vec<ContactId>,
}

/// The most contacts an agent may list for auto-send (the preference stays small).
pub const AUTO_SEND_CONTACTS_MAX: usize = 1_000;

impl AutoSend {
    pub fn applies(&self, contact: &crate::Contact) -> bool {
        self.contacts.contains(&contact.id) || self.sources.contains(&contact.source)
    }
}

/// Reads an IANA zone name; anything else (empty, unknown) is UTC, so a plan is always made.
pub fn zone_or_utc(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests;
