//! Group commit: pushes that arrive while a transaction is being written wait, then share the
//! next one, so 50 devices pushing at once cost a handful of fsyncs instead of 50. Each push
//! runs in its own savepoint, so one stale push never undoes another. Small writes on a busy
//! path (a round-robin cursor, a routing row decided apart from its lead) join the same queue
//! through [`execute`], and a lead's documents bring its intake event and routing row in their
//! own job, so leads arriving together share fsyncs too.

use super::{feed, SqliteStore, Writer};
use crate::store::intake::IntakeEventRow;
use crate::store::routing::LeadRoutingRow;
use crate::store::{Committed, DocWrite, StoreError};
use chrono::{DateTime, Utc};
use fieldstone_model::OrgId;
use rusqlite::Connection;
use std::sync::mpsc;
use std::sync::Mutex;

/// The documents committed, and whether the job's intake event was new (`None`: it had none).
type Reply = mpsc::SyncSender<Result<(Vec<Committed>, Option<bool>), StoreError>>;

/// Work on the writer connection inside the group's transaction: answers whether it
/// succeeded (else its savepoint is rolled back), and what to tell its caller once the
/// transaction's fate is known (`Some(error)`: the commit failed).
type Exec = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;
type Finish = Box<dyn FnOnce(Option<StoreError>) + Send>;

enum Job {
    Docs {
        org: OrgId,
        writes: Vec<DocWrite>,
        /// Recorded in the same savepoint as the writes.
        event: Option<IntakeEventRow>,
        /// A new lead's routing decision, stored with it unless the lead has one (boxed: the
        /// queue's jobs stay small).
        routing: Option<Box<LeadRoutingRow>>,
        now: DateTime<Utc>,
        reply: Reply,
    },
    Exec(Exec),
}

#[derive(Default)]
pub struct Group {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queue: Vec<Job>,
    /// A thread is writing queued jobs; new ones only need to wait for their reply.
    leading: bool,
}

pub fn commit(
    store: &SqliteStore,
    org: OrgId,
    writes: Vec<DocWrite>,
    now: DateTime<Utc>,
) -> Result<Vec<Committed>, StoreError> {
    commit_lead(store, org, writes, None, None, now).map(|(done, _)| done)
}

/// [`commit`], with `event` and `routing` recorded with the writes (see `Store::commit_lead`).
pub fn commit_lead(
    store: &SqliteStore,
    org: OrgId,
    writes: Vec<DocWrite>,
    event: Option<IntakeEventRow>,
    routing: Option<LeadRoutingRow>,
    now: DateTime<Utc>,
) -> Result<(Vec<Committed>, Option<bool>), StoreError> {
    let (reply, answer) = mpsc::sync_channel(1);
    enqueue(
        store,
        Job::Docs {
            org,
            writes,
            event,
            routing: routing.map(Box::new),
            now,
            reply,
        },
    );
    answer
        .recv()
        .map_err(|_| StoreError::Database("the commit was abandoned".into()))?
}

/// Runs `f` on the writer connection in the next group transaction (in a savepoint of its own:
/// an `Err` undoes only what `f` wrote) and answers its result once that transaction is
/// durable.
pub fn execute<T: Send + 'static>(
    store: &SqliteStore,
    f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (reply, answer) = mpsc::sync_channel::<Result<T, StoreError>>(1);
    let exec: Exec = Box::new(move |conn| {
        let result = f(conn);
        let ok = result.is_ok();
        let finish: Finish = Box::new(move |failed| {
            let _ = reply.send(match failed {
                Some(error) => Err(error),
                None => result,
            });
        });
        (ok, finish)
    });
    enqueue(store, Job::Exec(exec));
    answer
        .recv()
        .map_err(|_| StoreError::Database("the write was abandoned".into()))?
}

/// Queues `job`; the first caller to find nobody writing writes every queued job until the
/// queue is empty.
fn enqueue(store: &SqliteStore, job: Job) {
    let lead = {
        let mut state = store.group.state.lock().unwrap_or_else(|p| p.into_inner());
        state.queue.push(job);
        !std::mem::replace(&mut state.leading, true)
    };
    if lead {
        loop {
            let jobs = {
                let mut state = store.group.state.lock().unwrap_or_else(|p| p.into_inner());
                if state.queue.is_empty() {
                    state.leading = false;
                    break;
                }
                std::mem::take(&mut state.queue)
            };
            run(&mut store.writer(), jobs);
        }
    }
}

/// What one job left to say: a push's outcome, or an [`execute`]'s finisher.
enum Outcome {
    Docs(Reply, Result<(Vec<Committed>, Option<bool>), StoreError>),
    Exec(Finish),
}

impl Outcome {
    /// Tells the caller: the job's own outcome, or `failed` (the whole transaction's error).
    fn tell(self, failed: Option<&StoreError>) {
        // One error, told to every job of the transaction.
        let again = |e: &StoreError| match e {
            StoreError::Database(message) => StoreError::Database(message.clone()),
            other => StoreError::Database(other.to_string()),
        };
        match self {
            Outcome::Docs(reply, result) => {
                let _ = reply.send(match failed {
                    Some(e) => Err(again(e)),
                    None => result,
                });
            }
            Outcome::Exec(finish) => finish(failed.map(again)),
        }
    }
}

fn run(writer: &mut Writer, jobs: Vec<Job>) {
    let Writer { conn, next_seq } = writer;
    let start_seq = *next_seq;
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = StoreError::from(e);
        for job in jobs {
            // An `execute` that never ran is dropped: its caller hears it was abandoned.
            if let Job::Docs { reply, .. } = job {
                Outcome::Docs(reply, Ok((Vec::new(), None))).tell(Some(&e));
            }
        }
        return;
    }
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let seq_before = *next_seq;
        if let Err(e) = conn.execute_batch("SAVEPOINT push") {
            if let Job::Docs { reply, .. } = job {
                outcomes.push(Outcome::Docs(reply, Err(e.into())));
            }
            continue;
        }
        let (ok, outcome) = match job {
            Job::Docs {
                org,
                writes,
                event,
                routing,
                now,
                reply,
            } => {
                let result = writes
                    .into_iter()
                    .map(|w| feed::apply_write(conn, next_seq, org, w, now))
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(|done| {
                        let new = event
                            .map(|row| super::intake::record_event(conn, org, &row))
                            .transpose()?;
                        if let Some(row) = &routing {
                            super::routing::record(conn, org, row)?;
                        }
                        Ok((done, new))
                    });
                (result.is_ok(), Outcome::Docs(reply, result))
            }
            Job::Exec(exec) => {
                let (ok, finish) = exec(conn);
                (ok, Outcome::Exec(finish))
            }
        };
        let released = if ok {
            conn.execute_batch("RELEASE push").map_err(StoreError::from)
        } else {
            Ok(())
        };
        if !ok || released.is_err() {
            let _ = conn.execute_batch("ROLLBACK TO push; RELEASE push");
            *next_seq = seq_before;
        }
        match released {
            Ok(()) => outcomes.push(outcome),
            // Undone above: the job failed, whatever it answered.
            Err(e) => outcome.tell(Some(&e)),
        }
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        *next_seq = start_seq;
        let e = StoreError::from(e);
        for outcome in outcomes {
            outcome.tell(Some(&e));
        }
        return;
    }
    for outcome in outcomes {
        outcome.tell(None);
    }
}
