//! Campaigns (seed 003's six steps): what an agent writes — the type, the audience, the content
//! with personalisation, the schedule, an optional A/B test — checked whole before it can be
//! launched, and the pure rules the server's sender and the app's wizard share: who is in the
//! audience ([`audience`]), who gets which variation ([`split`]), what a template says for one
//! recipient ([`personalise`]), when a sequence starts and stops for a contact ([`trigger`]),
//! and whether a test has a winner ([`ab`]).

pub mod ab;
pub mod audience;
pub mod personalise;
pub mod record;
pub mod run;
pub mod split;
pub mod trigger;

#[cfg(test)]
mod run_tests;
#[cfg(test)]
mod tests;

use crate::choice::choice_enum;
use crate::plan::{Meter, Plan};
use crate::validation::{Valid, ValidationErrors};
use ab::Confidence;
use audience::Audience;
use chrono::{DateTime, Datelike, Days, Months, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use trigger::{ExitRules, Trigger};

/// The longest campaign name.
pub const NAME_MAX_CHARS: usize = 120;
/// The most steps one sequence may have.
pub const STEPS_MAX: usize = 20;
/// The most variations one step may test.
pub const VARIATIONS_MAX: usize = 6;
/// The longest wait between two steps.
pub const WAIT_DAYS_MAX: u16 = 365;
/// The longest subject line.
pub const SUBJECT_MAX_CHARS: usize = 200;
/// The longest text message (ten segments).
pub const SMS_MAX_CHARS: usize = 1_600;
/// The largest control group.
pub const CONTROL_MAX_PERCENT: u8 = 50;

choice_enum! {
    /// Seed 003's campaign types.
    #[derive(Default)]
    pub enum CampaignKind as "campaign type" {
        #[default]
        Broadcast => ("broadcast", "One-off broadcast"),
        Drip => ("drip", "Drip sequence"),
        MultiTouch => ("multi_touch", "Multi-touch (email, text and call tasks)"),
    }
}

choice_enum! {
    /// How one step reaches the contact.
    #[derive(Default)]
    pub enum StepChannel as "step channel" {
        #[default]
        Email => ("email", "Email"),
        Sms => ("sms", "Text message"),
        Call => ("call", "Call task"),
    }
}

choice_enum! {
    /// Where a campaign stands; only the agent's device moves it (launch, pause, resume, stop),
    /// except `Finished`, which the server writes when the last step is done.
    #[derive(Default)]
    pub enum CampaignStatus as "campaign status" {
        #[default]
        Draft => ("draft", "Draft"),
        Running => ("running", "Running"),
        Paused => ("paused", "Paused"),
        Stopped => ("stopped", "Stopped"),
        Finished => ("finished", "Finished"),
    }
}

choice_enum! {
    /// How often a broadcast goes out again.
    #[derive(Default)]
    pub enum Repeat as "repeat" {
        #[default]
        Once => ("once", "Once"),
        Daily => ("daily", "Every day"),
        Weekly => ("weekly", "Every week"),
        Monthly => ("monthly", "Every month"),
    }
}

choice_enum! {
    /// What an A/B test counts as success.
    #[derive(Default)]
    pub enum AbMetric as "test metric" {
        #[default]
        Open => ("open", "Opens"),
        Click => ("click", "Clicks"),
        Reply => ("reply", "Replies"),
        Booking => ("booking", "Bookings"),
    }
}

impl AbMetric {
    /// "open rate", as a sentence says it.
    pub const fn rate_name(self) -> &'static str {
        match self {
            AbMetric::Open => "open rate",
            AbMetric::Click => "click rate",
            AbMetric::Reply => "reply rate",
            AbMetric::Booking => "booking rate",
        }
    }
}

impl CampaignStatus {
    /// The statuses the agent may move the campaign to from this one.
    pub const fn can_become(self, next: CampaignStatus) -> bool {
        use CampaignStatus::*;
        matches!(
            (self, next),
            (Draft, Running) | (Running, Paused) | (Paused, Running) | (Running | Paused, Stopped)
        )
    }
}

/// One version of a step's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variation {
    /// "A", "B", … (unique in the step).
    pub label: String,
    /// Its share of the test group; a step's variations add up to 100.
    pub percent: u8,
    /// Email only.
    #[serde(default)]
    pub subject: String,
    /// The email's or text's body, or a call task's instructions.
    pub body: String,
}

/// One touch of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignStep {
    pub channel: StepChannel,
    /// Days after the previous step (the first: after the contact joined, or the launch).
    pub wait_days: u16,
    pub variations: Vec<Variation>,
}

/// When a campaign starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "start", rename_all = "snake_case")]
pub enum Start {
    /// As soon as it is launched (and synced).
    #[default]
    Now,
    /// At this wall-clock time in each recipient's zone (the agent's when a contact has none).
    At { local: NaiveDateTime },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    #[serde(flatten)]
    pub start: Start,
    #[serde(default)]
    pub repeat: Repeat,
}

/// How the audience is split for a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Split {
    /// Held back and sent nothing, to measure the campaign against (0..=50).
    pub control_percent: u8,
    /// Send the winner to the rest of the audience once the test decides.
    pub winner_to_rest: bool,
    /// With `winner_to_rest`: the share of the audience in the test (the rest waits).
    pub test_percent: u8,
}

impl Split {
    /// The share of the audience that is in the test.
    pub fn test_percent(&self) -> u8 {
        if self.winner_to_rest {
            self.test_percent
        } else {
            100 - self.control_percent.min(100)
        }
    }
}

/// An A/B test on the campaign's steps with more than one variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AbTest {
    pub metric: AbMetric,
    #[serde(default)]
    pub confidence: Confidence,
    /// Decide no earlier than this many hours after the step went out.
    #[serde(default)]
    pub decide_after_hours: Option<u32>,
    /// Decide no earlier than every variation reaching this many recipients.
    #[serde(default)]
    pub min_per_variation: u64,
    #[serde(default)]
    pub split: Split,
}

/// A campaign as the agent writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignInput {
    pub name: String,
    pub kind: CampaignKind,
    pub audience: Audience,
    /// Sequences only: what enrols a contact; `None` enrols the audience at launch.
    #[serde(default)]
    pub trigger: Option<Trigger>,
    pub steps: Vec<CampaignStep>,
    #[serde(default)]
    pub schedule: Schedule,
    #[serde(default)]
    pub ab: Option<AbTest>,
    #[serde(default)]
    pub exit: ExitRules,
}

impl CampaignInput {
    /// Checks the whole campaign and returns it normalised, or every problem at once (keyed
    /// `name`, `steps.1.variations.0.subject`, `audience.tags.2`, `ab.split.control_percent`…).
    pub fn validate(&self) -> Result<Valid<CampaignInput>, ValidationErrors> {
        let mut c = self.clone();
        let mut errors = ValidationErrors::default();
        c.name = c.name.trim().to_owned();
        if c.name.is_empty() {
            errors.push("name", "Give the campaign a name.");
        } else if c.name.chars().count() > NAME_MAX_CHARS {
            errors.push(
                "name",
                format!("A name can be at most {NAME_MAX_CHARS} characters."),
            );
        }
        c.audience.check(&mut errors);
        if let Some(trigger) = c.trigger.as_mut() {
            if c.kind == CampaignKind::Broadcast {
                errors.push(
                    "trigger",
                    "A broadcast goes to its audience once; choose a drip sequence to start on a trigger.",
                );
            }
            trigger.check(&mut errors);
        }
        c.exit.on_stages.sort();
        c.exit.on_stages.dedup();
        Self::check_steps(&mut c, &mut errors);
        if c.schedule.repeat != Repeat::Once {
            if c.kind != CampaignKind::Broadcast {
                errors.push(
                    "schedule.repeat",
                    "Only a broadcast repeats; a sequence already has its steps.",
                );
            } else if c.ab.is_some() {
                errors.push(
                    "schedule.repeat",
                    "A repeating broadcast cannot also run a test; test it once first.",
                );
            }
        }
        if c.trigger.is_some() && matches!(c.schedule.start, Start::At { .. }) {
            errors.push(
                "schedule.start",
                "A triggered sequence starts when its trigger fires, not at a set time.",
            );
        }
        check_ab(&c, &mut errors);
        errors.into_valid(c)
    }

    fn check_steps(c: &mut CampaignInput, errors: &mut ValidationErrors) {
        match (c.kind, c.steps.len()) {
            (_, 0) => errors.push("steps", "Add the message to send."),
            (CampaignKind::Broadcast, n) if n > 1 => errors.push(
                "steps",
                "A broadcast sends one message; choose a drip sequence for several.",
            ),
            (_, n) if n > STEPS_MAX => errors.push(
                "steps",
                format!("A sequence has at most {STEPS_MAX} steps."),
            ),
            _ => {}
        }
        for (i, step) in c.steps.iter_mut().enumerate() {
            let at = format!("steps.{i}");
            if step.channel == StepChannel::Call && c.kind != CampaignKind::MultiTouch {
                errors.push(
                    &format!("{at}.channel"),
                    "Call tasks belong to a multi-touch campaign.",
                );
            }
            if step.wait_days > WAIT_DAYS_MAX {
                errors.push(
                    &format!("{at}.wait_days"),
                    format!("Wait at most {WAIT_DAYS_MAX} days between steps."),
                );
            }
            check_variations(step, &at, errors);
        }
    }

    /// How many of each the campaign sends to an audience of `recipients` (the control group
    /// left out), for the review step's cost against the plan.
    pub fn cost(&self, recipients: u64) -> Cost {
        let control = self.ab.map_or(0, |ab| ab.split.control_percent);
        let reached = recipients * u64::from(100 - control.min(100)) / 100;
        let mut cost = Cost::default();
        for step in &self.steps {
            match step.channel {
                StepChannel::Email => cost.emails += reached,
                StepChannel::Sms => cost.sms += reached,
                StepChannel::Call => cost.call_tasks += reached,
            }
        }
        cost
    }

    /// The steps with more than one variation (those a test runs on).
    pub fn tested_steps(&self) -> impl Iterator<Item = usize> + '_ {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.variations.len() > 1)
            .map(|(i, _)| i)
    }
}

fn check_variations(step: &mut CampaignStep, at: &str, errors: &mut ValidationErrors) {
    match step.variations.len() {
        0 => {
            errors.push(&format!("{at}.variations"), "Write the message.");
            return;
        }
        n if n > VARIATIONS_MAX => errors.push(
            &format!("{at}.variations"),
            format!("Test at most {VARIATIONS_MAX} variations."),
        ),
        _ => {}
    }
    if step.variations.len() == 1 {
        step.variations[0].percent = 100;
    }
    let total: u32 = step.variations.iter().map(|v| u32::from(v.percent)).sum();
    if total != 100 {
        errors.push(
            &format!("{at}.variations"),
            format!("The variations' shares add up to {total}%; make them 100%."),
        );
    }
    let mut labels = Vec::new();
    for (j, v) in step.variations.iter_mut().enumerate() {
        let vat = format!("{at}.variations.{j}");
        v.label = v.label.trim().to_owned();
        if v.label.is_empty() {
            v.label = char::from(b'A' + j as u8).to_string();
        }
        if labels.contains(&v.label) {
            errors.push(
                &format!("{vat}.label"),
                format!("Another variation is already called {}.", v.label),
            );
        }
        labels.push(v.label.clone());
        if v.percent == 0 {
            errors.push(
                &format!("{vat}.percent"),
                "A variation needs a share above 0%.",
            );
        }
        v.subject = v.subject.trim().to_owned();
        v.body = v.body.trim().to_owned();
        match step.channel {
            StepChannel::Email => {
                if v.subject.is_empty() {
                    errors.push(&format!("{vat}.subject"), "Write a subject line.");
                } else if v.subject.chars().count() > SUBJECT_MAX_CHARS {
                    errors.push(
                        &format!("{vat}.subject"),
                        format!("A subject line can be at most {SUBJECT_MAX_CHARS} characters."),
                    );
                } else if let Err(e) = personalise::check(&v.subject) {
                    errors.push(&format!("{vat}.subject"), e.to_string());
                }
            }
            StepChannel::Sms | StepChannel::Call => {
                if !v.subject.is_empty() {
                    errors.push(
                        &format!("{vat}.subject"),
                        "Only an email has a subject line.",
                    );
                }
            }
        }
        if v.body.is_empty() {
            let what = match step.channel {
                StepChannel::Call => "Say what the call is for.",
                _ => "Write the message.",
            };
            errors.push(&format!("{vat}.body"), what);
        } else if step.channel == StepChannel::Sms && v.body.chars().count() > SMS_MAX_CHARS {
            errors.push(
                &format!("{vat}.body"),
                format!("A text message can be at most {SMS_MAX_CHARS} characters."),
            );
        } else if let Err(e) = personalise::check(&v.body) {
            errors.push(&format!("{vat}.body"), e.to_string());
        }
    }
}

fn check_ab(c: &CampaignInput, errors: &mut ValidationErrors) {
    let tested = c.tested_steps().count();
    let Some(ab) = c.ab else {
        if tested > 0 {
            errors.push(
                "ab",
                "A step has several variations: say how the test picks the winner.",
            );
        }
        return;
    };
    if tested == 0 {
        errors.push(
            "ab",
            "A test needs a step with at least two variations (A and B).",
        );
    }
    let split = ab.split;
    if split.control_percent > CONTROL_MAX_PERCENT {
        errors.push(
            "ab.split.control_percent",
            format!("Hold back at most {CONTROL_MAX_PERCENT}% as a control group."),
        );
    }
    if split.winner_to_rest {
        if c.kind != CampaignKind::Broadcast {
            errors.push(
                "ab.split.winner_to_rest",
                "Only a broadcast can wait for the winner; a sequence tests on everyone.",
            );
        }
        let room = 100u8.saturating_sub(split.control_percent);
        if split.test_percent == 0 || split.test_percent >= room {
            errors.push(
                "ab.split.test_percent",
                format!(
                    "Test on between 1% and {}% of the audience, so some is left for the winner.",
                    room.saturating_sub(1)
                ),
            );
        }
        if ab.decide_after_hours.is_none() && ab.min_per_variation == 0 {
            errors.push(
                "ab.decide_after_hours",
                "Say when the test decides (after some hours or a sample size), so the rest is sent.",
            );
        }
    }
    if ab.decide_after_hours.is_some_and(|h| h > 24 * 90) {
        errors.push("ab.decide_after_hours", "Decide within 90 days of sending.");
    }
}

/// What a campaign would send, against the plan's allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cost {
    pub emails: u64,
    pub sms: u64,
    pub call_tasks: u64,
}

impl Cost {
    /// The allowances `plan` would run out of, given what the organisation has `used` this
    /// month: `(meter, needed, left)`. Empty: it fits.
    pub fn over_allowance(
        &self,
        plan: Plan,
        used: impl Fn(Meter) -> u64,
    ) -> Vec<(Meter, u64, u64)> {
        [(Meter::Emails, self.emails), (Meter::Sms, self.sms)]
            .into_iter()
            .filter(|(_, needed)| *needed > 0)
            .filter_map(|(meter, needed)| {
                let cap = plan.allowance(meter)?;
                let left = cap.saturating_sub(used(meter));
                (needed > left).then_some((meter, needed, left))
            })
            .collect()
    }
}

/// What the agent's device knows when they press Launch: how many are in the audience now, the
/// time, their zone, the plan and what the organisation has used this month.
pub struct LaunchContext<F: Fn(Meter) -> u64> {
    pub audience_size: u64,
    pub now: DateTime<Utc>,
    pub zone: Tz,
    pub plan: Plan,
    pub used: F,
}

impl CampaignInput {
    /// Whether the checked campaign can launch now, or every reason it cannot, at its field:
    /// an empty audience, a start time that has passed (the app offers to send now), or more
    /// sends than the plan has left this month (saying how far over).
    pub fn launch_check<F: Fn(Meter) -> u64>(
        &self,
        ctx: &LaunchContext<F>,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        // A triggered sequence waits for its trigger: nobody need be in it at launch.
        if ctx.audience_size == 0 && self.trigger.is_none() {
            errors.push(
                "audience",
                "No one is in this audience yet, so there is no one to send it to.",
            );
        }
        // Scores are worked out on devices; the server keeps none. A one-off campaign is
        // launched as the contacts in the score range then, but one that keeps enrolling
        // people (a trigger, a repeat) would never find anyone new by score.
        let scored = self.audience.min_score.is_some() || self.audience.max_score.is_some();
        if scored && (self.trigger.is_some() || self.schedule.repeat != Repeat::Once) {
            errors.push(
                "audience.min_score",
                "A campaign that keeps finding people (on a trigger or a repeat) cannot choose by \
                 score: scores live on your devices, not on the server that sends it. Choose by \
                 stage, tag or source.",
            );
        }
        if let Start::At { local } = self.schedule.start {
            let passed = crate::follow_up::resolve(ctx.zone, local).is_none_or(|at| at < ctx.now);
            if passed {
                errors.push(
                    "schedule.start",
                    format!(
                        "{} has already passed: send it now, or choose a later time.",
                        local.format("%-d %B %Y, %H:%M")
                    ),
                );
            }
        }
        for (meter, needed, left) in self
            .cost(ctx.audience_size)
            .over_allowance(ctx.plan, &ctx.used)
        {
            errors.push(
                "steps",
                format!(
                    "This needs {needed} {}; the {} plan has {left} left this month ({} over). \
                     Narrow the audience or ask an admin about the plan.",
                    meter.label(),
                    ctx.plan.label(),
                    needed - left
                ),
            );
        }
        errors.into_result()
    }
}

impl Schedule {
    /// When a recipient in `zone` gets the first step, for a campaign launched at `launched`:
    /// at launch, or at the chosen wall-clock time in their zone (the next day's, when that
    /// time has passed for them; a time that does not exist that day, the first after it).
    pub fn first_send(&self, launched: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        match self.start {
            Start::Now => launched,
            Start::At { local } => {
                let mut at = local;
                // A recipient for whom the moment has passed gets it at the same time the next
                // day (a broadcast at 09:00 does not land at midnight in Tokyo).
                for _ in 0..=2 {
                    if let Some(t) = crate::follow_up::resolve(zone, at) {
                        if t >= launched {
                            return t;
                        }
                    }
                    at = at.checked_add_days(Days::new(1)).unwrap_or(at);
                }
                launched
            }
        }
    }

    /// The next time a repeating broadcast goes out after `previous` (its local time kept in
    /// `zone` across DST), or `None` for a one-off.
    pub fn next_after(&self, previous: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        let local = previous.with_timezone(&zone).naive_local();
        let next = match self.repeat {
            Repeat::Once => return None,
            Repeat::Daily => local.checked_add_days(Days::new(1))?,
            Repeat::Weekly => local.checked_add_days(Days::new(7))?,
            // The same day next month, or its last day (31 January → 28 February).
            Repeat::Monthly => {
                let wanted = match self.start {
                    Start::At { local } => local.day(),
                    Start::Now => local.day(),
                };
                let next = local.checked_add_months(Months::new(1))?;
                let last = last_day(next.year(), next.month());
                next.with_day(wanted.min(last)).unwrap_or(next)
            }
        };
        crate::follow_up::resolve(zone, next)
    }
}

fn last_day(year: i32, month: u32) -> u32 {
    (28..=31)
        .rev()
        .find(|d| chrono::NaiveDate::from_ymd_opt(year, month, *d).is_some())
        .unwrap_or(28)
}
