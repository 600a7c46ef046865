//! Campaigns the server runs (issue 16): a launched campaign is a job (DESIGN decision 14) that
//! goes through its owner's contacts, sends each step to each recipient at its time through the
//! broker (a marketing message the dispatcher checks for consent, do-not-call, quiet hours and
//! the plan's quota, like any other), counts what happened, lets an A/B test name its winner,
//! and writes the figures into the campaign's server-only `result`.
//!
//! Exactly once per recipient and step: each step's message (or call task) id is derived from
//! the campaign, the step and the contact, and the server creates a document only when it does
//! not exist, so a job run twice, a restart midway or two server processes on one PostgreSQL
//! write each once; the dispatcher's attempt ledger then sends each message once. The rules
//! (times, variations, leaving, counting, the verdict) are `fieldstone_model::campaign::run`.
//!
//! A triggered sequence looks at every contact each round (at most [`REFRESH_MINUTES`] apart)
//! and enrols each occasion its trigger finds once, in the store's enrolments; a repeating
//! broadcast sends each of its sendings to the audience of that moment.

mod occasion;
mod pass;

use crate::store::jobs::{JobClaim, JobFinish, JobSchedule, CAMPAIGN};
use crate::store::StoreError;
use crate::sync::server_write::{write_as_server, ServerWriteError};
use crate::AppState;
use chrono::Duration;
use fieldstone_model::campaign::record::{Campaign, CampaignResult, StepWinner};
use fieldstone_model::campaign::run;
use fieldstone_model::campaign::CampaignStatus;
use fieldstone_model::OrgId;
use fieldstone_protocol::DocId;

pub use pass::{step_doc, step_doc_in, Pass};

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
    #[error("the campaign could not be run: {0}")]
    Invalid(String),
}

/// How often a running campaign's figures are counted again while nothing is due (opens and
/// clicks keep arriving), and how often an undecided test looks again.
const REFRESH_MINUTES: i64 = 15;
/// How soon after a round that sent something its first figures are counted.
const FIRST_COUNT_SECS: i64 = 10;
/// How long after its last step a campaign keeps counting before it is finished.
const COUNT_DAYS_AFTER: i64 = 7;
/// How long a passing failure waits.
const RETRY_MINUTES: i64 = 5;

/// The job's key: the campaign and the moment it was launched or resumed, so a pause, a stop
/// or a later resume leaves the earlier run's job with nothing to do.
pub fn job_key(campaign: &Campaign) -> String {
    format!(
        "{}:{}",
        campaign.id,
        campaign.status_at.map_or(0, |t| t.timestamp_millis())
    )
}

/// The job a campaign document's changes ask for: a running campaign runs now (the job then
/// says when it is next needed); a draft, paused, stopped or deleted one runs nothing.
pub fn job_for(doc_id: &DocId, doc: &automerge::AutoCommit) -> Option<JobSchedule> {
    if doc_id.kind() != fieldstone_doc::campaign::KIND {
        return None;
    }
    let campaign = fieldstone_doc::campaign::read(doc).ok()?;
    let at = campaign.status_at?;
    let wanted = campaign.status == CampaignStatus::Running && campaign.deleted_at.is_none();
    Some(JobSchedule {
        kind: CAMPAIGN,
        key: job_key(&campaign),
        due_at: wanted.then_some(at),
    })
}

/// A campaign job, run by the job runner.
pub async fn run_job(state: &AppState, claim: &JobClaim) -> JobFinish {
    let (state2, org, key) = (state.clone(), claim.org, claim.key.clone());
    let ran = tokio::task::spawn_blocking(move || run(&state2, org, &key)).await;
    let error = match ran {
        Ok(Ok(finish)) => return finish,
        Ok(Err(error)) => error.to_string(),
        Err(error) => error.to_string(),
    };
    tracing::warn!(%error, key = %claim.key, "a campaign round failed; trying again");
    JobFinish::Later {
        at: state.clock.now() + Duration::minutes(RETRY_MINUTES),
        detail: error,
    }
}

fn campaign_doc(key: &str) -> Result<DocId, CampaignError> {
    let id = key.split_once(':').map_or(key, |(id, _)| id);
    DocId::new(fieldstone_doc::campaign::KIND, id)
        .map_err(|e| CampaignError::Invalid(e.to_string()))
}

/// One round of a campaign (blocking): sends what is due, counts, decides, records.
pub fn run(state: &AppState, org: OrgId, key: &str) -> Result<JobFinish, CampaignError> {
    let done = |detail: &str| Ok(JobFinish::Done(detail.to_owned()));
    let doc_id = campaign_doc(key)?;
    let Some(stored) = state.store.load_doc(org, &doc_id)? else {
        return done("the campaign is gone");
    };
    let doc = crate::sync::guard::load(&stored.bytes).map_err(CampaignError::Invalid)?;
    let campaign =
        fieldstone_doc::campaign::read(&doc).map_err(|e| CampaignError::Invalid(e.to_string()))?;
    if job_key(&campaign) != key {
        return done("a later launch, pause or stop took over");
    }
    if campaign.deleted_at.is_some() {
        return done("the campaign was deleted");
    }
    if campaign.status != CampaignStatus::Running {
        return done(&format!("the campaign is {}", campaign.status.as_str()));
    }
    let now = state.clock.now();
    let outcome = Pass::new(state, org, &campaign, now)?.run()?;

    let mut result = CampaignResult {
        enrolled: outcome.enrolled,
        left: outcome.left,
        counts: outcome.counts,
        winners: campaign.result.winners.clone(),
        finished_at: campaign.result.finished_at,
    };
    let mut next = outcome.next_due;
    // A/B tests: each tested step without a winner is judged on its figures so far.
    for step in campaign.spec.tested_steps() {
        if run::winner(&campaign, step).is_some() {
            continue;
        }
        let Some(sent_at) = outcome.agent_times.get(step).copied() else {
            continue;
        };
        if sent_at > now {
            continue;
        }
        match run::verdict(&campaign, step, &result.counts, sent_at, now) {
            Some(Ok(fieldstone_model::campaign::ab::Verdict::Winner { winner, .. })) => {
                let label = campaign.spec.steps[step].variations[winner].label.clone();
                result.winners.push(StepWinner {
                    step: u16::try_from(step).unwrap_or(u16::MAX),
                    variation: label,
                    decided_at: now,
                });
                // The rest of the audience gets the winner now.
                next = Some(now);
            }
            Some(Ok(_)) | Some(Err(_)) | None => {
                let again = now + Duration::minutes(REFRESH_MINUTES);
                next = Some(next.map_or(again, |n| n.min(again)));
            }
        }
    }
    // Everything sent: count a while longer, then the campaign is finished. A triggered
    // sequence or a repeating broadcast runs until it is stopped.
    let open_ended = campaign.spec.trigger.is_some()
        || campaign.spec.schedule.repeat != fieldstone_model::campaign::Repeat::Once;
    let all_sent =
        !open_ended && next.is_none() && !outcome.waiting_for_winner && outcome.created == 0;
    if all_sent && result.finished_at.is_none() {
        result.finished_at = Some(now);
    }
    let finishing = all_sent
        && result
            .finished_at
            .is_some_and(|at| now >= at + Duration::days(COUNT_DAYS_AFTER));
    record(state, org, &doc_id, &campaign, result, finishing)?;
    if finishing {
        return done("finished: every step sent and counted");
    }
    // Just sent: the first figures are counted shortly after, then every few minutes.
    let refresh = if outcome.created > 0 {
        now + Duration::seconds(FIRST_COUNT_SECS)
    } else {
        now + Duration::minutes(REFRESH_MINUTES)
    };
    let at = next.map_or(refresh, |n| n.clamp(now, refresh));
    Ok(JobFinish::Later {
        at,
        detail: format!(
            "{} created this round; {} enrolled",
            outcome.created, outcome.enrolled
        ),
    })
}

/// Writes the figures (and, at the end, the finished status) into the campaign as the server,
/// unless they are what it holds. A device's pause or stop meanwhile is kept: the status is
/// only moved from running.
fn record(
    state: &AppState,
    org: OrgId,
    doc_id: &DocId,
    read: &Campaign,
    result: CampaignResult,
    finishing: bool,
) -> Result<(), CampaignError> {
    if read.result == result && !finishing {
        return Ok(());
    }
    let owner = read.owner;
    write_as_server(state, org, doc_id, owner, |doc| {
        let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
            doc: doc_id.clone(),
            reason: e.to_string(),
        };
        let mut now = fieldstone_doc::campaign::read(doc).map_err(unreadable)?;
        now.result = result.clone();
        if finishing && now.status == CampaignStatus::Running {
            let at = state.clock.now();
            now.status = CampaignStatus::Finished;
            now.status_at = Some(at);
            now.updated_at = at;
        }
        fieldstone_doc::campaign::update(doc, &now).map_err(unreadable)?;
        Ok(())
    })?;
    Ok(())
}
