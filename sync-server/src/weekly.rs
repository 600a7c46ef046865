//! The weekly report email (issue 16): every Monday at eight in each person's zone, an agent
//! gets last week's figures for their own work, a broker for their team's, an owner or admin
//! for the organisation's — new leads by source, follow-ups done and overdue, showings and meetings,
//! pipeline moves, campaigns (the rule is `fieldstone_model::weekly`). Each person's report is
//! a job keyed by the user that schedules itself for the next Monday, so it survives restarts
//! and runs once across server processes; [`sweep`] makes the job for anyone who has none.

use crate::dispatch::email::{Mailer, SendError};
use crate::store::jobs::{JobClaim, JobFinish, JobSchedule, WEEKLY};
use crate::store::StoreError;
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use fieldstone_model::weekly::{Records, Week, WeeklyReport};
use fieldstone_model::{OrgId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};
use std::sync::Arc;

/// The person's own choice, in their preferences document: JSON `false` stops their report.
pub const WEEKLY_REPORT_PREF: &str = "weekly_report";

/// How long a report that could not be handed over waits before it is tried again.
const RETRY_MINUTES: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum WeeklyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the report could not be made: {0}")]
    Invalid(String),
}

/// Makes the weekly job of everyone in every organisation who has none (new people, new
/// organisations), due at their next Monday morning. Safe to run often.
pub fn sweep(state: &AppState) -> Result<u64, WeeklyError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let mut made = 0;
    for org in store.orgs()? {
        // A viewer does no work of their own to report on.
        for user in store
            .users(org.id)?
            .into_iter()
            .filter(|u| u.role != Role::Viewer)
        {
            let key = user.id.to_string();
            if store.job(org.id, WEEKLY, &key)?.is_some() {
                continue;
            }
            let zone = crate::org_settings::agent_zone(state, org.id, user.id)?;
            let job = JobSchedule {
                kind: WEEKLY,
                key,
                due_at: Some(Week::next_report_at(now, zone)),
            };
            store.schedule_job(org.id, &job, now)?;
            made += 1;
        }
    }
    Ok(made)
}

/// Runs [`sweep`] now and every hour until `stop` says so.
pub fn spawn(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::jobs::sweep_hourly(state, stop, "the weekly reports", sweep);
}

/// A weekly report job, run by the job runner.
pub async fn run_job(state: &AppState, claim: &JobClaim) -> JobFinish {
    let (state2, org, key) = (state.clone(), claim.org, claim.key.clone());
    let runtime = tokio::runtime::Handle::current();
    let ran = tokio::task::spawn_blocking(move || send(&state2, org, &key, &runtime)).await;
    let error = match ran {
        Ok(Ok(finish)) => return finish,
        Ok(Err(error)) => error.to_string(),
        Err(error) => error.to_string(),
    };
    tracing::warn!(%error, key = %claim.key, "a weekly report failed; trying again");
    JobFinish::Later {
        at: state.clock.now() + Duration::minutes(RETRY_MINUTES),
        detail: error,
    }
}

/// Who a person's report covers: an agent their own work, a broker their teams', an owner or
/// admin everyone's.
fn people(
    state: &AppState,
    org: OrgId,
    user: UserId,
    role: Role,
) -> Result<Vec<UserId>, StoreError> {
    let store = state.store.as_ref();
    Ok(match role {
        Role::Agent | Role::Viewer => vec![user],
        Role::Owner | Role::Admin => store.users(org)?.into_iter().map(|u| u.id).collect(),
        Role::Broker => {
            let memberships = store.memberships(org)?;
            let teams: Vec<_> = memberships
                .iter()
                .filter(|(_, u)| *u == user)
                .map(|(t, _)| *t)
                .collect();
            let mut people: Vec<UserId> = memberships
                .iter()
                .filter(|(t, _)| teams.contains(t))
                .map(|(_, u)| *u)
                .chain(std::iter::once(user))
                .collect();
            people.sort();
            people.dedup();
            people
        }
    })
}

/// Every document of `kind` readable through `scopes`, loaded.
fn docs_of(
    state: &AppState,
    org: OrgId,
    scopes: &[Scope],
    kind: &str,
) -> Result<Vec<automerge::AutoCommit>, WeeklyError> {
    let mut docs = Vec::new();
    for id in crate::store::doc_ids_of_kind(state.store.as_ref(), org, scopes, kind)? {
        if let Some(stored) = state.store.load_doc(org, &id)? {
            if let Ok(doc) = crate::sync::guard::load(&stored.bytes) {
                docs.push(doc);
            }
        }
    }
    Ok(docs)
}

/// The report of `user` (the job's key) on last week, sent; the job then waits for next Monday.
fn send(
    state: &AppState,
    org: OrgId,
    key: &str,
    runtime: &tokio::runtime::Handle,
) -> Result<JobFinish, WeeklyError> {
    let store = state.store.as_ref();
    let done = |detail: &str| Ok(JobFinish::Done(detail.to_owned()));
    if !state.config.weekly_reports {
        return done("weekly reports are switched off on this server");
    }
    let Ok(user_id) = key.parse::<UserId>() else {
        return done("not a user");
    };
    let Some(user) = store.user(org, user_id)? else {
        return done("the person has left the organisation");
    };
    let now = state.clock.now();
    let zone = crate::org_settings::agent_zone(state, org, user.id)?;
    let next = |detail: String| JobFinish::Later {
        // A minute on, so this Monday morning is behind it.
        at: Week::next_report_at(now + Duration::minutes(1), zone),
        detail,
    };
    if !wants_report(state, org, user.id)? {
        return Ok(next("they turned the weekly report off".to_owned()));
    }
    let Some(mailer) = mailer(state, org, runtime)? else {
        return Ok(next("email is not set up for the organisation".to_owned()));
    };
    let week = Week::last(now, zone);
    let report = build(state, org, &user, week)?;
    let org_name = store.org(org)?.map(|o| o.name).unwrap_or_default();
    let who = if user.display_name.trim().is_empty() {
        org_name.clone()
    } else {
        user.display_name.clone()
    };
    let text = report.text(&who, week, zone);
    let subject = subject(&org_name, week, zone);
    let id = format!("weekly.{}.{}", user.id, week.start.timestamp());
    match mailer
        .mailer()
        .send_notice(&user.email, &subject, &text, &id)
    {
        Ok(_) => Ok(next(format!("sent to {}", user.email))),
        Err(SendError::Transient(error)) => Ok(JobFinish::Later {
            at: now + Duration::minutes(RETRY_MINUTES),
            detail: error,
        }),
        // Trying again would fail the same way: next week's may go.
        Err(SendError::Permanent(error)) => Ok(next(error)),
    }
}

/// Whether the person has not turned their weekly report off.
fn wants_report(state: &AppState, org: OrgId, user: UserId) -> Result<bool, WeeklyError> {
    let prefs = DocId::new(fieldstone_doc::prefs::KIND, user)
        .map_err(|e| WeeklyError::Invalid(e.to_string()))?;
    let Some(stored) = state.store.load_doc(org, &prefs)? else {
        return Ok(true);
    };
    let off = crate::sync::guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::prefs::read(&doc).ok())
        .and_then(|entries| {
            entries
                .get(WEEKLY_REPORT_PREF)
                .and_then(|json| serde_json::from_str::<bool>(json).ok())
        })
        == Some(false);
    Ok(!off)
}

/// "Harbour Realty: your week, 30 November to 6 December".
fn subject(org_name: &str, week: Week, zone: Tz) -> String {
    let day = |t: DateTime<Utc>| t.with_timezone(&zone).format("%-d %B").to_string();
    let last = week.end - Duration::seconds(1);
    let lead = if org_name.trim().is_empty() {
        String::new()
    } else {
        format!("{org_name}: ")
    };
    format!("{lead}your week, {} to {}", day(week.start), day(last))
}

/// The report on `week` from what `user` reads, for the people it covers.
fn build(
    state: &AppState,
    org: OrgId,
    user: &crate::store::UserRow,
    week: Week,
) -> Result<WeeklyReport, WeeklyError> {
    let store = state.store.as_ref();
    let scopes: Vec<Scope> = state
        .access
        .for_user(store, org, user.id, user.role)?
        .readable
        .iter()
        .copied()
        .collect();
    let read = |kind: &str| docs_of(state, org, &scopes, kind);
    let contacts: Vec<_> = read(fieldstone_doc::contact::KIND)?
        .iter()
        .filter_map(|d| fieldstone_doc::contact::read(d).ok())
        .collect();
    let tasks: Vec<_> = read(fieldstone_doc::task::KIND)?
        .iter()
        .filter_map(|d| fieldstone_doc::task::read(d).ok())
        .collect();
    let bookings: Vec<_> = read(fieldstone_doc::booking::KIND)?
        .iter()
        .filter_map(|d| fieldstone_doc::booking::read(d).ok())
        .collect();
    let campaigns: Vec<_> = read(fieldstone_doc::campaign::KIND)?
        .iter()
        .filter_map(|d| fieldstone_doc::campaign::read(d).ok())
        .collect();
    let people = people(state, org, user.id, user.role)?;
    Ok(WeeklyReport::build(
        Records {
            contacts: &contacts,
            tasks: &tasks,
            bookings: &bookings,
            campaigns: &campaigns,
        },
        &people,
        week,
    ))
}

/// Who hands a report over: the organisation's own email provider, else the server's relay.
enum Sender {
    Own(Arc<crate::providers::EmailProvider>),
    Server(Mailer),
}

impl Sender {
    fn mailer(&self) -> &Mailer {
        match self {
            Sender::Own(own) => &own.mailer,
            Sender::Server(mailer) => mailer,
        }
    }
}

fn mailer(
    state: &AppState,
    org: OrgId,
    runtime: &tokio::runtime::Handle,
) -> Result<Option<Sender>, WeeklyError> {
    let timings = state
        .config
        .email
        .clone()
        .unwrap_or_else(crate::providers::default_timings);
    match state
        .providers
        .email(state.store.as_ref(), org, &timings, Some(runtime))
    {
        Ok(Some(own)) => return Ok(Some(Sender::Own(own))),
        Ok(None) => {}
        Err(error) => return Err(WeeklyError::Invalid(error.to_string())),
    }
    Ok(state
        .config
        .email
        .as_ref()
        .and_then(|c| Mailer::new(c, Some(runtime.clone())).ok())
        .map(Sender::Server))
}
