//! The dispatcher: carries out outbound messages (intents, DESIGN decision 13) exactly once.
//!
//! Each round, in order: sends whose worker stopped midway are closed as not known to have gone
//! (never repeated); due messages are taken from the attempt ledger (one worker each); each is
//! checked (withdrawn, its contact's consent under the organisation's rules) and sent; then the
//! round's outcomes are written to the ledger first and into the messages with the server's
//! own actor, so every device sees them by sync. A passing failure is retried with a doubling wait,
//! at most `max_attempts` times in all, then the message has `failed` with the relay's words.

mod config;
pub(crate) mod email;
mod sendgrid_api;
mod sms;

pub use config::EmailConfig;
pub use email::{Extras, Mailer, SendError};
pub use sms::{SmsConfig, Texter};

use crate::hub::Event;
use crate::store::{IntentClaim, IntentFinish, IntentOutcome, UNKNOWN_DETAIL};
use crate::sync::guard;
use crate::sync::server_write::{
    update_message_results, ResultEdit, ResultUpdate, ServerWriteError,
};
use crate::{quota, AppState};
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::outreach::{
    check_consent, check_do_not_call, check_quiet_hours, ConsentRules,
};
use fieldstone_model::plan::Meter;
use fieldstone_model::{
    Contact, Message, MessageChannel, MessagePurpose, MessageStatus, OrgId, Refusal,
};
use fieldstone_protocol::DocId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Messages each connection sends per round: a round takes `connections` times this.
const PER_CONNECTION: usize = 8;

/// Runs the dispatcher until `stop` says so. `config` is the server's `[email]` (its relay is
/// every organisation's without one of its own), or `None`: then only organisations' own
/// providers send, with the default timings.
pub fn spawn(
    state: AppState,
    config: Option<EmailConfig>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let runtime = tokio::runtime::Handle::current();
    let mailer = match config
        .as_ref()
        .map(|c| Mailer::new(c, Some(runtime.clone())))
    {
        Some(Ok(mailer)) => Some(Arc::new(mailer)),
        Some(Err(error)) => {
            tracing::error!(%error, "the server's email relay cannot be used");
            None
        }
        None => None,
    };
    let config = config.unwrap_or_else(crate::providers::default_timings);
    let texter = match state.config.sms.as_ref() {
        Some(sms) => match Texter::new(sms, tokio::runtime::Handle::current()) {
            Ok(texter) => Some(Arc::new(texter)),
            Err(error) => {
                tracing::error!(%error, "text messages are configured but cannot be used");
                None
            }
        },
        None => None,
    };
    let worker = format!("{}", uuid::Uuid::new_v4());
    let mut news = state.hub.subscribe();
    tokio::spawn(async move {
        let poll = std::time::Duration::from_millis(config.poll_ms);
        loop {
            let (state2, config2, mailer2, texter2, worker2, runtime2) = (
                state.clone(),
                config.clone(),
                mailer.clone(),
                texter.clone(),
                worker.clone(),
                runtime.clone(),
            );
            let round = tokio::task::spawn_blocking(move || {
                let senders = Senders {
                    mailer: mailer2.as_deref(),
                    texter: texter2.as_deref(),
                    runtime: Some(runtime2),
                };
                round(&state2, &config2, &senders, &worker2)
            })
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
///
/// Outcomes are decided message by message and then recorded together: the ledger in one
/// transaction, the messages in one commit per organisation. A round is a few messages, so a
/// server stopping before the record loses at most a round's outcomes — and those are then
/// closed as not known to have gone, never sent twice.
/// What the dispatcher sends with when an organisation has no provider of its own: the
/// server's `[email]` and `[sms]`, when set.
pub struct Senders<'a> {
    pub mailer: Option<&'a Mailer>,
    pub texter: Option<&'a Texter>,
    /// Where organisations' own text providers make their requests (`None`: they are not
    /// used).
    pub runtime: Option<tokio::runtime::Handle>,
}

pub fn round(
    state: &AppState,
    config: &EmailConfig,
    senders: &Senders<'_>,
    worker: &str,
) -> Result<usize, DispatchError> {
    let now = state.clock.now();
    let round_size = PER_CONNECTION * config.connections.max(1) as usize;
    let lost = state.store.close_abandoned_intents(now, round_size)?;
    // A worker that stopped after recording its attempt in the message left the truth there;
    // only a message with nothing recorded for that attempt is told it may not have gone.
    let mut updates: Vec<(IntentClaim, ResultEdit)> = lost
        .into_iter()
        .map(|claim| {
            let update = ResultUpdate {
                status: MessageStatus::Failed,
                reason: Some(UNKNOWN_DETAIL.to_owned()),
                provider_id: None,
                attempts: claim.attempt,
                at: now,
            };
            (claim, ResultEdit::Unrecorded(update))
        })
        .collect();
    let lease = now + Duration::seconds(i64::try_from(config.lease_secs).unwrap_or(300));
    let claims = state.store.claim_intents(worker, now, lease, round_size)?;
    // Side by side, one connection each: thread `lane` sends every `lanes`-th message.
    let lanes = (config.connections.max(1) as usize).min(claims.len().max(1));
    let mut outcomes: Vec<(usize, Result<Outcome, DispatchError>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..lanes)
            .map(|lane| {
                let claims = &claims;
                scope.spawn(move || {
                    claims
                        .iter()
                        .enumerate()
                        .skip(lane)
                        .step_by(lanes)
                        .map(|(i, claim)| (i, carry_out(state, config, senders, claim)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    outcomes.sort_by_key(|(i, _)| *i);
    let mut finishes = Vec::with_capacity(claims.len());
    for ((_, outcome), claim) in outcomes.into_iter().zip(&claims) {
        // A message the server could not even read (its store failed) was not sent: try it
        // again later, and still record what the others did.
        let (finish, update) = outcome.unwrap_or_else(|error| {
            tracing::warn!(doc = %claim.doc, %error, "could not prepare the message; trying again later");
            let wait = i64::try_from(config.retry_secs).unwrap_or(60);
            let retry = IntentFinish::Retry {
                at: now + Duration::seconds(wait),
                detail: error.to_string(),
            };
            (retry, None)
        });
        finishes.push((claim.clone(), finish));
        if let Some(update) = update {
            updates.push((claim.clone(), update.into()));
        }
    }
    // The messages first, then the ledger: a server stopping in between leaves the attempt
    // recorded in the message and held in the ledger, so it is never sent again and the
    // message is not later told it may not have gone. (The other order could leave a message
    // "queued" for ever with its send done.)
    if let Err(error) = record(state, updates) {
        tracing::warn!(%error, "could not record a round's results in the messages");
    }
    let held = state
        .store
        .finish_intents(worker, &finishes, state.clock.now())?;
    for ((claim, _), held) in finishes.iter().zip(&held) {
        if !held {
            tracing::warn!(doc = %claim.doc, "lost the message's lease before finishing; the ledger keeps what the other worker decided");
        }
    }
    Ok(claims.len())
}

/// Writes the round's results into the messages, as the server: one commit per organisation.
fn record(state: &AppState, updates: Vec<(IntentClaim, ResultEdit)>) -> Result<(), DispatchError> {
    let mut by_org: BTreeMap<OrgId, Vec<(DocId, ResultEdit)>> = BTreeMap::new();
    for (claim, update) in updates {
        by_org
            .entry(claim.org)
            .or_default()
            .push((claim.doc, update));
    }
    for (org, items) in by_org {
        update_message_results(state, org, items)?;
    }
    Ok(())
}

fn load_message(state: &AppState, claim: &IntentClaim) -> Result<Option<Message>, DispatchError> {
    let Some(stored) = state.store.load_doc(claim.org, &claim.doc)? else {
        return Ok(None);
    };
    Ok(guard::load(&stored.bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::message::read(&doc).ok()))
}

/// How a message's attempt ends, and what to write into it (nothing when it is unreadable).
type Outcome = (IntentFinish, Option<ResultUpdate>);

fn refused(claim: &IntentClaim, refusal: Refusal, now: DateTime<Utc>) -> Outcome {
    let finish = IntentFinish::Done {
        outcome: IntentOutcome::Refused,
        detail: Some(format!("{}: {}", refusal.rule, refusal.reason)),
    };
    let update = ResultUpdate {
        status: MessageStatus::Refused,
        reason: Some(refusal.reason),
        provider_id: None,
        attempts: claim.attempt,
        at: now,
    };
    (finish, Some(update))
}

/// Checks and sends one message; answers how its attempt ends and what to write into it.
fn carry_out(
    state: &AppState,
    config: &EmailConfig,
    senders: &Senders<'_>,
    claim: &IntentClaim,
) -> Result<Outcome, DispatchError> {
    let now = state.clock.now();
    let Some(message) = load_message(state, claim)? else {
        let finish = IntentFinish::Done {
            outcome: IntentOutcome::Failed,
            detail: Some("the message's document is missing or unreadable".into()),
        };
        return Ok((finish, None));
    };
    if message.deleted_at.is_some() {
        let refusal = Refusal {
            rule: "withdrawn".into(),
            reason: "Withdrawn before it was sent.".into(),
        };
        return Ok(refused(claim, refusal, now));
    }
    let contact = match allowed(state, claim, &message) {
        Ok(contact) => contact,
        Err(refusal) => return Ok(refused(claim, refusal, now)),
    };
    let sent = match message.channel {
        MessageChannel::Sms => {
            let own = match &senders.runtime {
                Some(runtime) => state
                    .providers
                    .sms(state.store.as_ref(), claim.org, runtime),
                None => Ok(None),
            };
            let own = match own {
                Ok(own) => own,
                Err(error) => return Ok(refused(claim, provider_broken(&error), now)),
            };
            let Some(texter) = own.as_deref().or(senders.texter) else {
                let refusal = Refusal {
                    rule: "no_provider".into(),
                    reason: "Text messages are not set up for your organisation.".into(),
                };
                return Ok(refused(claim, refusal, now));
            };
            // The recipient's day: their own zone when the contact has one, else the
            // organisation's.
            let zone = contact.zone_or(texter.zone);
            if let Err(refusal) = check_quiet_hours(MessageChannel::Sms, now, zone) {
                return Ok(refused(claim, refusal, now));
            }
            let key = fieldstone_model::outreach::dnc_key(&message.to);
            if state.store.on_dnc(claim.org, &key)? {
                let listed = std::iter::once(key.as_str());
                if let Err(refusal) = check_do_not_call(MessageChannel::Sms, &key, listed) {
                    return Ok(refused(claim, refusal, now));
                }
            }
            // Twilio reports progress here; the URL names the message and is signed over.
            let callback =
                state.config.http.public_url.as_deref().map(|base| {
                    format!("{base}/hooks/twilio/{}/status?m={}", claim.org, message.id)
                });
            let metered = quota::take(state, claim.org, message.written_by, Meter::Sms, 1, now)?;
            if let Err(refusal) = metered {
                return Ok(refused(claim, refusal, now));
            }
            texter.send(&message, callback.as_deref())
        }
        MessageChannel::Email => {
            let own = state.providers.email(
                state.store.as_ref(),
                claim.org,
                config,
                senders.runtime.as_ref(),
            );
            let own = match own {
                Ok(own) => own,
                Err(error) => return Ok(refused(claim, provider_broken(&error), now)),
            };
            let (mailer, config) = match (&own, senders.mailer) {
                (Some(own), _) => (&own.mailer, &own.config),
                (None, Some(server)) => (server, config),
                (None, None) => {
                    let refusal = Refusal {
                        rule: "no_provider".into(),
                        reason: "Email is not set up for your organisation.".into(),
                    };
                    return Ok(refused(claim, refusal, now));
                }
            };
            let (sender, extras) = match email_extras(state, config, claim, &message) {
                Ok(ready) => ready,
                Err(refusal) => return Ok(refused(claim, refusal, now)),
            };
            let metered = quota::take(state, claim.org, message.written_by, Meter::Emails, 1, now)?;
            if let Err(refusal) = metered {
                return Ok(refused(claim, refusal, now));
            }
            mailer.send(&message, &sender, claim.attempt, &extras)
        }
    };
    if sent.is_err() {
        // Not sent: the use goes back to the allowance (a retry takes it again).
        let meter = match message.channel {
            MessageChannel::Email => Meter::Emails,
            MessageChannel::Sms => Meter::Sms,
        };
        quota::give_back(state, claim.org, message.written_by, meter, now);
    }
    let now = state.clock.now();
    let update = |status, reason, provider_id| ResultUpdate {
        status,
        reason,
        provider_id,
        attempts: claim.attempt,
        at: now,
    };
    Ok(match sent {
        Ok(id) => (
            IntentFinish::Done {
                outcome: IntentOutcome::Sent,
                detail: Some(id.clone()),
            },
            Some(update(MessageStatus::Sent, None, Some(id))),
        ),
        Err(SendError::Transient(why)) if claim.attempt < config.max_attempts => {
            let wait = config
                .retry_secs
                .saturating_mul(1 << (claim.attempt - 1).min(16));
            let at = now + Duration::seconds(i64::try_from(wait).unwrap_or(86_400));
            let reason = format!(
                "Attempt {} of {} failed ({why}); trying again at {} UTC.",
                claim.attempt,
                config.max_attempts,
                at.format("%H:%M")
            );
            (
                IntentFinish::Retry { at, detail: why },
                Some(update(MessageStatus::Queued, Some(reason), None)),
            )
        }
        Err(SendError::Transient(why) | SendError::Permanent(why)) => (
            IntentFinish::Done {
                outcome: IntentOutcome::Failed,
                detail: Some(why.clone()),
            },
            Some(update(
                MessageStatus::Failed,
                Some(format!("Not sent: {why}")),
                None,
            )),
        ),
    })
}

/// An organisation's provider is set but cannot be used: its admin must fix it.
fn provider_broken(error: &crate::providers::ProviderError) -> Refusal {
    tracing::warn!(%error, "an organisation's provider cannot be used");
    Refusal {
        rule: "provider".into(),
        reason: format!("Your organisation's provider cannot be used ({error}); ask an admin."),
    }
}

/// The sender's name and what the server adds to an email; refused when it is marketing and
/// the server cannot give it an unsubscribe link.
fn email_extras<'a>(
    state: &'a AppState,
    config: &EmailConfig,
    claim: &IntentClaim,
    message: &Message,
) -> Result<(String, Extras<'a>), Refusal> {
    let target = crate::links::LinkTarget {
        org: claim.org,
        message: message.id,
    };
    let links = state
        .links
        .as_deref()
        .zip(state.config.http.public_url.as_deref())
        .map(|(signer, base)| crate::links::MessageLinks {
            signer,
            base,
            target,
        });
    if message.purpose == MessagePurpose::Marketing && links.is_none() {
        return Err(Refusal {
            rule: "no_unsubscribe".into(),
            reason: "Marketing email needs an unsubscribe link, and this server has no public \
                     address to put in one (http.public_url)."
                .into(),
        });
    }
    // A store error here only costs the display name.
    let sender = state
        .store
        .user(claim.org, message.written_by)
        .ok()
        .flatten()
        .map(|u| u.display_name)
        .unwrap_or_default();
    let extras = Extras {
        target,
        links,
        track: config.track,
        sendgrid: config.sendgrid_webhook_key.is_some(),
    };
    Ok((sender, extras))
}

/// The organisation's rules for the message's contact: consent for its purpose and channel.
/// Answers the message's contact when its consent allows the message.
fn allowed(state: &AppState, claim: &IntentClaim, message: &Message) -> Result<Contact, Refusal> {
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
    )?;
    Ok(contact)
}
