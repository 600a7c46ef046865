//! The job runner (DESIGN decision 14): each round takes the jobs that are due from the job
//! table (`store::jobs`) with a lease, runs each, and records how it ended. A process that stops
//! midway loses its lease and another round (its own after a restart, or another process's)
//! runs the job again; every job's writes are keyed by the job, so running one twice writes
//! once. The clock is the server's (passed in), so tests move time instead of waiting.

use crate::store::jobs::{JobClaim, JobFinish, JobSchedule, CAMPAIGN, FOLLOW_UP, WEEKLY};
use crate::{blocking, AppState};
use chrono::Duration;
use std::time::Duration as Wait;

/// How often a process looks for due jobs when the last round had few.
pub const POLL: Wait = Wait::from_secs(1);
/// Jobs one round takes.
const PER_ROUND: usize = 16;
/// How long a worker holds a job before another may take it (an AI draft may take the AI
/// provider's whole timeout).
const LEASE_SECS: i64 = 300;

/// Runs rounds every `poll` until `stop` says so.
pub fn spawn(state: AppState, poll: Wait, mut stop: tokio::sync::watch::Receiver<bool>) {
    let worker = uuid::Uuid::new_v4().to_string();
    tokio::spawn(async move {
        loop {
            let ran = round(&state, &worker).await;
            if ran < PER_ROUND {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = stop.changed() => break,
                }
            }
            if *stop.borrow() {
                break;
            }
        }
    });
}

/// Runs `sweep` now and every hour until `stop` says so: a sweep makes the jobs the table lacks
/// (a newcomer's weekly report, an organisation's MLS runs). A failure is logged as `what`
/// could not be scheduled, and tried again the next hour.
pub fn sweep_hourly<E: std::fmt::Display + Send + 'static>(
    state: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
    what: &'static str,
    sweep: fn(&AppState) -> Result<u64, E>,
) {
    tokio::spawn(async move {
        loop {
            let swept = {
                let state = state.clone();
                tokio::task::spawn_blocking(move || sweep(&state)).await
            };
            if let Ok(Err(error)) = swept {
                tracing::warn!(%error, "{what} could not be scheduled");
            }
            tokio::select! {
                _ = tokio::time::sleep(Wait::from_secs(3_600)) => {}
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    });
}

/// One round: takes due jobs and runs them; answers how many it took.
pub async fn round(state: &AppState, worker: &str) -> usize {
    let taken = {
        let (state, worker) = (state.clone(), worker.to_owned());
        blocking(move || {
            let now = state.clock.now();
            Ok(state.store.claim_jobs(
                &worker,
                now,
                now + Duration::seconds(LEASE_SECS),
                PER_ROUND,
            )?)
        })
        .await
    };
    let claims = match taken {
        Ok(claims) => claims,
        Err(error) => {
            tracing::warn!(?error, "jobs could not be taken");
            return 0;
        }
    };
    let count = claims.len();
    for claim in claims {
        let finish = run(state, &claim).await;
        let (state, worker) = (state.clone(), worker.to_owned());
        let recorded = blocking(move || {
            let now = state.clock.now();
            Ok(state.store.finish_job(&claim, &worker, &finish, now)?)
        })
        .await;
        if let Err(error) = recorded {
            tracing::warn!(
                ?error,
                "a job's end could not be recorded; it will run again"
            );
        }
    }
    count
}

async fn run(state: &AppState, claim: &JobClaim) -> JobFinish {
    match claim.kind.as_str() {
        FOLLOW_UP => crate::follow_up::draft_job(state, claim).await,
        CAMPAIGN => crate::campaign::run_job(state, claim).await,
        WEEKLY => crate::weekly::run_job(state, claim).await,
        crate::mls::MLS => crate::mls::run_job(state, claim).await,
        other => JobFinish::Done(format!("no such kind of job: {other}")),
    }
}

/// The job a stored document's changes ask for, written in the same transaction: a follow-up
/// step's draft, or a campaign's next round.
pub fn job_for(
    doc_id: &fieldstone_protocol::DocId,
    doc: &automerge::AutoCommit,
) -> Option<JobSchedule> {
    crate::follow_up::job_for(doc_id, doc).or_else(|| crate::campaign::job_for(doc_id, doc))
}
