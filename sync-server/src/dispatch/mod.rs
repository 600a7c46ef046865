//! The dispatcher: carries out outbound messages (intents, DESIGN decision 13) exactly once.
//!
//! Each round, in order: sends whose worker stopped midway are closed as not known to have gone
//! (never repeated); due messages are taken from the attempt ledger (one worker each); each is
//! checked (withdrawn, its contact's consent under the organisation's rules) and sent, and the
//! outcome is written to the ledger first and then into the message with the server's own
//! actor, so every device sees it by sync. A passing failure is retried with a doubling wait,
//! at most `max_attempts` times in all, then the message has `failed` with the relay's words.

mod config;
mod email;

pub use config::EmailConfig;
pub use email::{Mailer, SendError};

use crate::hub::Event;
use crate::store::{IntentClaim, IntentFinish, IntentOutcome, UNKNOWN_DETAIL};
use crate::sync::guard;
use crate::sync::server_write::{update_message_result, ServerWriteError};
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::outreach::{check_consent, ConsentRules};
use fieldstone_model::{Message, MessageChannel, MessageResult, MessageStatus, Refusal};
use fieldstone_protocol::DocId;
use std::sync::Arc;

/// Messages one round takes at most.
const ROUND: usize = 20;

/// Runs the dispatcher until `stop` says so.
pub fn spawn(state: AppState, config: EmailConfig, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mailer = match Mailer::new(&config) {
        Ok(mailer) => Arc::new(mailer),
        Err(error) => {
            tracing::error!(%error, "email is configured but cannot be used; nothing is sent");
            return;
        }
    };
    let worker = format!("{}", uuid::Uuid::new_v4());
    let mut news = state.hub.subscribe();
    tokio::spawn(async move {
        let poll = std::time::Duration::from_millis(config.poll_ms);
        loop {
            let (state2, config2, mailer2, worker2) = (
                state.clone(),
                config.clone(),
                Arc::clone(&mailer),
                worker.clone(),
            );
            let round =
                tokio::task::spawn_blocking(move || round(&state2, &config2, &mailer2, &worker2))
                    .await;
            match round {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, "dispatch round failed; trying again"),
                Err(error) => tracing::error!(%error, "dispatch round panicked"),
            }
            // Wait for the next poll, a new message, or the end.
            let woken = async {
                loop {
                    match news.recv().await {
                        Ok(delivery) => {
                            if let Event::Changed { doc, .. } = &delivery.event {
                                if doc.kind() == fieldstone_doc::message::KIND {
                                    return;
                                }
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            std::future::pending::<()>().await
                        }
                    }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = woken => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    });
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
}

/// One round; answers how many messages it took. Blocking.
pub fn round(
    state: &AppState,
    config: &EmailConfig,
    mailer: &Mailer,
    worker: &str,
) -> Result<usize, DispatchError> {
    let now = state.clock.now();
    for lost in state.store.close_abandoned_intents(now, ROUND)? {
        record(state, &lost, |r| {
            r.status = MessageStatus::Failed;
            r.reason = Some(UNKNOWN_DETAIL.to_owned());
            r.status_at = Some(now);
        })?;
    }
    let lease = now + Duration::seconds(i64::try_from(config.lease_secs).unwrap_or(300));
    let claims = state.store.claim_intents(worker, now, lease, ROUND)?;
    for claim in &claims {
        carry_out(state, config, mailer, worker, claim)?;
    }
    Ok(claims.len())
}

/// Writes into the message the ledger's claim is about, as the server.
fn record(
    state: &AppState,
    claim: &IntentClaim,
    edit: impl FnOnce(&mut MessageResult),
) -> Result<(), DispatchError> {
    let writer = written_by(state, claim)?;
    match update_message_result(state, claim.org, &claim.doc, writer, edit) {
        Ok(_) => Ok(()),
        // Gone or unreadable: nothing to tell, and the ledger already says what happened.
        Err(ServerWriteError::Missing(_) | ServerWriteError::Unreadable { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn load_message(state: &AppState, claim: &IntentClaim) -> Result<Option<Message>, DispatchError> {
    let Some(stored) = state.store.load_doc(claim.org, &claim.doc)? else {
        return Ok(None);
    };
    Ok(guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::message::read(&doc).ok()))
}

/// Whose message it is (for the usage the server's write is counted in); nobody's if it is gone.
fn written_by(
    state: &AppState,
    claim: &IntentClaim,
) -> Result<fieldstone_model::UserId, DispatchError> {
    Ok(load_message(state, claim)?.map_or(
        fieldstone_model::UserId::from_uuid(uuid::Uuid::nil()),
        |m| m.written_by,
    ))
}

fn finish(
    state: &AppState,
    claim: &IntentClaim,
    worker: &str,
    finish: IntentFinish,
    now: DateTime<Utc>,
) -> Result<bool, DispatchError> {
    let held = state.store.finish_intent(claim, worker, &finish, now)?;
    if !held {
        tracing::warn!(doc = %claim.doc, "lost the message's lease before finishing; left as the ledger says");
    }
    Ok(held)
}

fn refuse(
    state: &AppState,
    claim: &IntentClaim,
    worker: &str,
    refusal: Refusal,
    now: DateTime<Utc>,
) -> Result<(), DispatchError> {
    let done = IntentFinish::Done {
        outcome: IntentOutcome::Refused,
        detail: Some(format!("{}: {}", refusal.rule, refusal.reason)),
    };
    if finish(state, claim, worker, done, now)? {
        record(state, claim, |r| {
            r.status = MessageStatus::Refused;
            r.reason = Some(refusal.reason);
            r.status_at = Some(now);
        })?;
    }
    Ok(())
}

/// Checks, sends and records one message.
fn carry_out(
    state: &AppState,
    config: &EmailConfig,
    mailer: &Mailer,
    worker: &str,
    claim: &IntentClaim,
) -> Result<(), DispatchError> {
    let now = state.clock.now();
    let Some(message) = load_message(state, claim)? else {
        let done = IntentFinish::Done {
            outcome: IntentOutcome::Failed,
            detail: Some("the message's document is missing or unreadable".into()),
        };
        finish(state, claim, worker, done, now)?;
        return Ok(());
    };
    if message.deleted_at.is_some() {
        let refusal = Refusal {
            rule: "withdrawn".into(),
            reason: "Withdrawn before it was sent.".into(),
        };
        return refuse(state, claim, worker, refusal, now);
    }
    if let Err(refusal) = allowed(state, claim, &message) {
        return refuse(state, claim, worker, refusal, now);
    }
    if message.channel == MessageChannel::Sms {
        let refusal = Refusal {
            rule: "no_provider".into(),
            reason: "Text messages are not set up on this server yet.".into(),
        };
        return refuse(state, claim, worker, refusal, now);
    }
    record(state, claim, |r| {
        r.status = MessageStatus::Sending;
        r.attempts = claim.attempt;
        r.reason = None;
        r.status_at = Some(now);
    })?;
    let sender = state
        .store
        .user(claim.org, message.written_by)?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let sent = mailer.send(&message, &sender, claim.attempt);
    let now = state.clock.now();
    match sent {
        Ok(id) => {
            let done = IntentFinish::Done {
                outcome: IntentOutcome::Sent,
                detail: Some(id.clone()),
            };
            if finish(state, claim, worker, done, now)? {
                record(state, claim, |r| {
                    r.status = MessageStatus::Sent;
                    r.provider_id = Some(id);
                    r.reason = None;
                    r.status_at = Some(now);
                })?;
            }
        }
        Err(SendError::Transient(why)) if claim.attempt < config.max_attempts => {
            let wait = config
                .retry_secs
                .saturating_mul(1 << (claim.attempt - 1).min(16));
            let at = now + Duration::seconds(i64::try_from(wait).unwrap_or(86_400));
            let retry = IntentFinish::Retry {
                at,
                detail: why.clone(),
            };
            if finish(state, claim, worker, retry, now)? {
                record(state, claim, |r| {
                    r.status = MessageStatus::Queued;
                    r.reason = Some(format!(
                        "Attempt {} of {} failed ({why}); trying again at {} UTC.",
                        claim.attempt,
                        config.max_attempts,
                        at.format("%H:%M")
                    ));
                    r.status_at = Some(now);
                })?;
            }
        }
        Err(SendError::Transient(why) | SendError::Permanent(why)) => {
            let done = IntentFinish::Done {
                outcome: IntentOutcome::Failed,
                detail: Some(why.clone()),
            };
            if finish(state, claim, worker, done, now)? {
                record(state, claim, |r| {
                    r.status = MessageStatus::Failed;
                    r.reason = Some(format!("Not sent: {why}"));
                    r.status_at = Some(now);
                })?;
            }
        }
    }
    Ok(())
}

/// The organisation's rules for the message's contact: consent for its purpose and channel.
fn allowed(state: &AppState, claim: &IntentClaim, message: &Message) -> Result<(), Refusal> {
    let missing = || Refusal {
        rule: "no_contact".into(),
        reason: "The contact it was written to is not on the server.".into(),
    };
    let contact_doc =
        DocId::new(fieldstone_doc::contact::KIND, message.contact).map_err(|_| missing())?;
    let stored = match state.store.load_doc(claim.org, &contact_doc) {
        Ok(Some(stored)) => stored,
        Ok(None) => return Err(missing()),
        Err(error) => {
            tracing::warn!(%error, "cannot read the contact to check consent");
            return Err(Refusal {
                rule: "no_contact".into(),
                reason: "The contact's consent could not be read.".into(),
            });
        }
    };
    let contact = guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::contact::read(&doc).ok())
        .ok_or_else(missing)?;
    check_consent(
        &contact.consent,
        message.channel,
        message.purpose,
        &ConsentRules::us(),
    )
}
