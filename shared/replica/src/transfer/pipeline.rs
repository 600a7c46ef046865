//! An ordered parallel map for the import: several threads turn rows into documents (the CPU
//! half of an import), and the writer receives the results in the order of the file, so
//! duplicates within the file and line numbers come out as a single thread would give them.
//!
//! Rows are taken in chunks under one lock (reading a row is cheap; making its documents is
//! not), and at most `window` chunks are ever out at once, so memory stays flat however far
//! one thread falls behind the others.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Condvar, Mutex, MutexGuard};

/// What the workers share: the source of items and how far the consumer has got.
pub(super) struct Shared<S> {
    state: Mutex<State<S>>,
    moved: Condvar,
}

struct State<S> {
    source: S,
    /// Index of the next chunk to take.
    next_chunk: u64,
    /// Index of the chunk the consumer waits for: chunks at or past `needed + window` wait.
    needed: u64,
    /// The source is exhausted or failed: nothing more to take.
    finished: bool,
    /// The consumer stopped (an error, or it had enough): workers stop too.
    abandoned: bool,
}

impl<S> Shared<S> {
    pub(super) fn new(source: S) -> Self {
        Shared {
            state: Mutex::new(State {
                source,
                next_chunk: 0,
                needed: 0,
                finished: false,
                abandoned: false,
            }),
            moved: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<S>> {
        // A worker that panicked holding the lock leaves a consistent state (only counters and
        // the source's position), and the scope re-raises its panic anyway.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sizes of the pipeline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sizes {
    pub workers: usize,
    /// Items per chunk.
    pub chunk: usize,
    /// Chunks out at once (taken and not yet consumed).
    pub window: u64,
}

/// Starts `sizes.workers` threads in `scope` that take items with `take` (`Ok(None)` at the
/// end; an `Err` ends the input after it) and turn each with `work`. Returns the results, in
/// the order `take` gave the items.
pub(super) fn spawn<'scope, 'env, S, I, T, E>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    shared: &'env Shared<S>,
    sizes: Sizes,
    take: fn(&mut S) -> Result<Option<I>, E>,
    work: &'env (impl Fn(I) -> Result<T, E> + Sync),
) -> Ordered<'env, S, T, E>
where
    S: Send,
    I: 'env,
    T: Send + 'env,
    E: Send + 'env,
{
    let (send, receive) = sync_channel(sizes.window as usize);
    for _ in 0..sizes.workers.max(1) {
        let send: SyncSender<(u64, Vec<Result<T, E>>)> = send.clone();
        scope.spawn(move || worker(shared, sizes, take, work, send));
    }
    Ordered {
        shared,
        window: sizes.window,
        receive,
        waiting: BTreeMap::new(),
        current: Vec::new().into_iter(),
    }
}

fn worker<S, I, T, E>(
    shared: &Shared<S>,
    sizes: Sizes,
    take: fn(&mut S) -> Result<Option<I>, E>,
    work: &(impl Fn(I) -> Result<T, E> + Sync),
    send: SyncSender<(u64, Vec<Result<T, E>>)>,
) {
    loop {
        let (index, items, failed) = {
            let mut state = shared.lock();
            while !state.finished
                && !state.abandoned
                && state.next_chunk >= state.needed + sizes.window
            {
                state = shared.moved.wait(state).unwrap_or_else(|e| e.into_inner());
            }
            if state.finished || state.abandoned {
                return;
            }
            let index = state.next_chunk;
            state.next_chunk += 1;
            let mut items = Vec::with_capacity(sizes.chunk);
            let mut failed = None;
            while items.len() < sizes.chunk {
                match take(&mut state.source) {
                    Ok(Some(item)) => items.push(item),
                    Ok(None) => {
                        state.finished = true;
                        break;
                    }
                    Err(e) => {
                        state.finished = true;
                        failed = Some(e);
                        break;
                    }
                }
            }
            if state.finished {
                shared.moved.notify_all();
            }
            (index, items, failed)
        };
        let mut results: Vec<Result<T, E>> = Vec::with_capacity(items.len() + 1);
        for item in items {
            let result = work(item);
            let stop = result.is_err();
            results.push(result);
            if stop {
                break;
            }
        }
        let stop = failed.is_some() || results.last().is_some_and(Result::is_err);
        results.extend(failed.map(Err));
        if stop {
            // Nothing after an error is wanted; the chunks before it still arrive.
            let mut state = shared.lock();
            state.finished = true;
            shared.moved.notify_all();
        }
        // The consumer went away: nothing more is wanted.
        if send.send((index, results)).is_err() || stop {
            return;
        }
    }
}

/// The results in input order. Dropping it early stops the workers.
pub(super) struct Ordered<'env, S, T, E> {
    shared: &'env Shared<S>,
    window: u64,
    receive: Receiver<(u64, Vec<Result<T, E>>)>,
    /// Chunks that arrived before the one needed next.
    waiting: BTreeMap<u64, Vec<Result<T, E>>>,
    current: std::vec::IntoIter<Result<T, E>>,
}

impl<S, T, E> Ordered<'_, S, T, E> {
    fn needed(&self) -> u64 {
        self.shared.lock().needed
    }
}

impl<S, T, E> Iterator for Ordered<'_, S, T, E> {
    type Item = Result<T, E>;

    fn next(&mut self) -> Option<Result<T, E>> {
        loop {
            if let Some(result) = self.current.next() {
                return Some(result);
            }
            let needed = self.needed();
            if let Some(chunk) = self.waiting.remove(&needed) {
                let mut state = self.shared.lock();
                state.needed += 1;
                self.shared.moved.notify_all();
                drop(state);
                self.current = chunk.into_iter();
                continue;
            }
            // At most `window` chunks are out, so `waiting` never holds more than that.
            debug_assert!(self.waiting.len() as u64 <= self.window);
            match self.receive.recv() {
                Ok((index, chunk)) => {
                    self.waiting.insert(index, chunk);
                }
                // Every worker has finished and everything sent has arrived. A chunk taken by
                // a worker that stopped at an error of an earlier chunk is never sent; it
                // comes after that error, which the consumer has already seen.
                Err(_) => return None,
            }
        }
    }
}

impl<S, T, E> Drop for Ordered<'_, S, T, E> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.abandoned = true;
        self.shared.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter {
        next: u32,
        end: u32,
        fail_at: Option<u32>,
    }

    fn take(c: &mut Counter) -> Result<Option<u32>, String> {
        if c.fail_at == Some(c.next) {
            return Err(format!("cannot read item {}", c.next));
        }
        if c.next == c.end {
            return Ok(None);
        }
        c.next += 1;
        Ok(Some(c.next - 1))
    }

    fn run(end: u32, fail_at: Option<u32>, work_fails_at: Option<u32>) -> Vec<Result<u32, String>> {
        let shared = Shared::new(Counter {
            next: 0,
            end,
            fail_at,
        });
        let work = move |i: u32| {
            // Uneven work, so the threads finish their chunks out of order.
            if i.is_multiple_of(7) {
                std::thread::yield_now();
            }
            if work_fails_at == Some(i) {
                Err(format!("item {i} is bad"))
            } else {
                Ok(i * 2)
            }
        };
        let sizes = Sizes {
            workers: 3,
            chunk: 4,
            window: 3,
        };
        std::thread::scope(|scope| spawn(scope, &shared, sizes, take, &work).collect())
    }

    #[test]
    fn results_come_in_input_order_whatever_thread_made_them() {
        let results = run(1_003, None, None);
        let expected: Vec<Result<u32, String>> = (0..1_003).map(|i| Ok(i * 2)).collect();
        assert_eq!(results, expected);
    }

    #[test]
    fn an_empty_source_gives_nothing() {
        assert!(run(0, None, None).is_empty());
    }

    #[test]
    fn a_read_error_comes_after_every_item_before_it_and_ends_the_results() {
        let results = run(1_000, Some(501), None);
        assert_eq!(results.len(), 502);
        assert!(results[..501]
            .iter()
            .enumerate()
            .all(|(i, r)| *r == Ok(i as u32 * 2)));
        assert_eq!(results[501], Err("cannot read item 501".to_owned()));
    }

    #[test]
    fn a_failed_item_ends_the_results_after_the_items_before_it() {
        let results = run(1_000, None, Some(333));
        let ok = results.iter().take_while(|r| r.is_ok()).count();
        assert_eq!(ok, 333);
        assert_eq!(results[333], Err("item 333 is bad".to_owned()));
    }

    #[test]
    fn a_consumer_that_stops_early_lets_the_workers_finish() {
        let shared = Shared::new(Counter {
            next: 0,
            end: 100_000,
            fail_at: None,
        });
        let work = |i: u32| Ok::<_, String>(i);
        let sizes = Sizes {
            workers: 2,
            chunk: 8,
            window: 2,
        };
        let first: Vec<_> = std::thread::scope(|scope| {
            spawn(scope, &shared, sizes, take, &work).take(10).collect()
        });
        assert_eq!(first.len(), 10);
        // The workers stopped at the window instead of reading the whole source.
        assert!(shared.lock().source.next < 1_000);
    }
}
