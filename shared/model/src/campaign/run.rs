//! The runner's rules (DESIGN decision 18), pure so the server that sends and the device that
//! shows a campaign agree: when each step reaches a recipient, what a recipient gets at a step
//! (a variation, nothing as a control, or the winner once the test has one), whether they left
//! the sequence, and how one message's outcome adds to a step's figures. The server does the
//! reading and writing.

use super::ab::{decide, Arm, CompareError, DecideWhen, Verdict};
use super::record::{Campaign, StepCounts};
use super::split::{assign, Assignment};
use super::trigger::ExitReason;
use super::{AbMetric, CampaignInput, StepChannel};
use crate::contact::ConsentStatus;
use crate::message::{MessageEventKind, MessageStatus};
use crate::{Contact, MessageResult};
use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;

/// When each step reaches a recipient in `zone`, for a campaign launched at `launched`: the
/// first at the schedule's start (plus its own wait), each later one its wait in calendar days
/// after the one before, at the same local time (so a DST change does not move it by an hour).
pub fn step_times(spec: &CampaignInput, launched: DateTime<Utc>, zone: Tz) -> Vec<DateTime<Utc>> {
    let mut times = Vec::with_capacity(spec.steps.len());
    let mut at = spec.schedule.first_send(launched, zone);
    for step in &spec.steps {
        if step.wait_days > 0 {
            let local = at.with_timezone(&zone).naive_local();
            at = local
                .checked_add_days(Days::new(u64::from(step.wait_days)))
                .and_then(|l| crate::follow_up::resolve(zone, l))
                .unwrap_or(at + chrono::Duration::days(i64::from(step.wait_days)));
        }
        times.push(at);
    }
    times
}

/// What one recipient gets at one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepPlan {
    /// This variation (an index into the step's variations).
    Send(usize),
    /// The control group: nothing, at any step.
    Control,
    /// Outside the test: nothing until the test names a winner.
    WaitForWinner,
}

/// What `contact` gets at step `step` of `campaign` (a checked one; `None` for a step it does
/// not have).
pub fn plan_for(campaign: &Campaign, step: usize, contact: crate::ContactId) -> Option<StepPlan> {
    let spec = &campaign.spec;
    let s = spec.steps.get(step)?;
    let Some(ab) = spec.ab else {
        return Some(StepPlan::Send(0));
    };
    let percents: Vec<u8> = s.variations.iter().map(|v| v.percent).collect();
    let tested = s.variations.len() > 1;
    let percents = if tested { percents } else { vec![100] };
    Some(
        match assign(
            *campaign.id.as_uuid(),
            *contact.as_uuid(),
            &ab.split,
            &percents,
        ) {
            Assignment::Control => StepPlan::Control,
            Assignment::Variation(v) => StepPlan::Send(if tested { v } else { 0 }),
            // One version: everyone outside the control group gets it.
            Assignment::Rest if !tested => StepPlan::Send(0),
            Assignment::Rest => match winner(campaign, step) {
                Some(v) => StepPlan::Send(v),
                None => StepPlan::WaitForWinner,
            },
        },
    )
}

/// The variation the test named for `step`, if it did.
pub fn winner(campaign: &Campaign, step: usize) -> Option<usize> {
    let s = campaign.spec.steps.get(step)?;
    let won = campaign
        .result
        .winners
        .iter()
        .find(|w| usize::from(w.step) == step)?;
    s.variations.iter().position(|v| v.label == won.variation)
}

/// Whether a recipient leaves before `step` (a later step: the first one they always get).
/// `replied`: they answered after the campaign first reached them. Leaving on unsubscribe is
/// not the agent's choice: anyone who withdrew consent for the step's channel, or for email
/// when the campaign emails, leaves.
pub fn leaves(
    spec: &CampaignInput,
    step: usize,
    contact: &Contact,
    replied: bool,
) -> Option<ExitReason> {
    if step == 0 {
        return None;
    }
    let denied = |c: &crate::contact::Consent| c.status == ConsentStatus::Denied;
    let unsubscribed = spec.steps.iter().any(|s| match s.channel {
        StepChannel::Email => denied(&contact.consent.email),
        StepChannel::Sms => denied(&contact.consent.sms),
        StepChannel::Call => false,
    });
    spec.exit.exit(contact, replied, unsubscribed)
}

/// Adds one message's outcome to its step's figures. `replied` and `booked`: the recipient
/// answered, or booked with the agent, after it went out.
pub fn count(counts: &mut StepCounts, result: &MessageResult, replied: bool, booked: bool) {
    use MessageStatus as S;
    let status = result.status;
    let had = |kind: MessageEventKind| result.events.iter().any(|e| e.kind == kind);
    match status {
        S::Refused => {
            counts.refused += 1;
            return;
        }
        // Not handed to anyone yet, or a draft: nothing to count.
        S::Queued | S::Sending | S::Draft | S::Failed => return,
        _ => {}
    }
    counts.sent += 1;
    let delivered =
        matches!(status, S::Delivered | S::Opened | S::Clicked) || had(MessageEventKind::Delivered);
    let opened = matches!(status, S::Opened | S::Clicked) || had(MessageEventKind::Opened);
    let clicked = status == S::Clicked || had(MessageEventKind::Clicked);
    counts.delivered += u64::from(delivered);
    counts.opened += u64::from(opened || clicked);
    counts.clicked += u64::from(clicked);
    counts.bounced += u64::from(matches!(status, S::Bounced | S::Dropped));
    counts.unsubscribed += u64::from(had(MessageEventKind::Unsubscribed));
    counts.replied += u64::from(replied);
    counts.bookings += u64::from(booked);
}

/// One variation's arm for the test's metric.
pub fn arm(counts: &StepCounts, metric: AbMetric) -> Arm {
    let successes = match metric {
        AbMetric::Open => counts.opened,
        AbMetric::Click => counts.clicked,
        AbMetric::Reply => counts.replied,
        AbMetric::Booking => counts.bookings,
    };
    Arm {
        sent: counts.sent,
        successes,
    }
}

/// The test's verdict on `step` from its figures (`counts` holds every step and variation),
/// with the step out at `sent_at`; `None` when the campaign tests nothing there.
pub fn verdict(
    campaign: &Campaign,
    step: usize,
    counts: &[StepCounts],
    sent_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Result<Verdict, CompareError>> {
    let ab = campaign.spec.ab?;
    let s = campaign.spec.steps.get(step)?;
    if s.variations.len() < 2 {
        return None;
    }
    let arms: Vec<Arm> = s
        .variations
        .iter()
        .map(|v| {
            counts
                .iter()
                .find(|c| usize::from(c.step) == step && c.variation == v.label)
                .map_or(Arm::default(), |c| arm(c, ab.metric))
        })
        .collect();
    let when = DecideWhen {
        not_before: ab
            .decide_after_hours
            .map(|h| sent_at + chrono::Duration::hours(i64::from(h))),
        min_per_variation: ab.min_per_variation,
    };
    Some(decide(&arms, when, ab.confidence, now))
}
