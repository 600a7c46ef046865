//! Group commit: pushes that arrive while a transaction is being written wait, then share the
//! next one, so 50 devices pushing at once cost a handful of fsyncs instead of 50. Each push
//! runs in its own savepoint, so one stale push never undoes another.

use super::{feed, SqliteStore, Writer};
use crate::store::{Committed, DocWrite, StoreError};
use chrono::{DateTime, Utc};
use fieldstone_model::OrgId;
use std::sync::mpsc;
use std::sync::Mutex;

type Reply = mpsc::SyncSender<Result<Vec<Committed>, StoreError>>;

struct Job {
    org: OrgId,
    writes: Vec<DocWrite>,
    now: DateTime<Utc>,
    reply: Reply,
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
    let (reply, answer) = mpsc::sync_channel(1);
    let lead = {
        let mut state = store.group.state.lock().unwrap_or_else(|p| p.into_inner());
        state.queue.push(Job {
            org,
            writes,
            now,
            reply,
        });
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
    answer
        .recv()
        .map_err(|_| StoreError::Database("the commit was abandoned".into()))?
}

fn run(writer: &mut Writer, mut jobs: Vec<Job>) {
    let Writer { conn, next_seq } = writer;
    let start_seq = *next_seq;
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        for job in jobs {
            let _ = job.reply.send(Err(StoreError::Database(e.to_string())));
        }
        return;
    }
    let mut results = Vec::with_capacity(jobs.len());
    for job in &mut jobs {
        let seq_before = *next_seq;
        let writes = std::mem::take(&mut job.writes);
        let outcome = conn
            .execute_batch("SAVEPOINT push")
            .map_err(StoreError::from)
            .and_then(|()| {
                writes
                    .into_iter()
                    .map(|w| feed::apply_write(conn, next_seq, job.org, w, job.now))
                    .collect::<Result<Vec<_>, _>>()
            });
        let outcome = match outcome {
            Ok(done) => conn
                .execute_batch("RELEASE push")
                .map(|()| done)
                .map_err(StoreError::from),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK TO push; RELEASE push");
                *next_seq = seq_before;
                Err(e)
            }
        };
        results.push(outcome);
    }
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        *next_seq = start_seq;
        let message = e.to_string();
        for job in jobs {
            let _ = job.reply.send(Err(StoreError::Database(message.clone())));
        }
        return;
    }
    for (job, result) in jobs.into_iter().zip(results) {
        let _ = job.reply.send(result);
    }
}
