//! A small pool of blocking PostgreSQL connections: grown on demand up to [`MAX_CONNECTIONS`],
//! kept for reuse, checked before reuse when idle for a while (so a restarted database costs no
//! failed request), and closed off the async threads.

use crate::store::StoreError;
use ::postgres::{Client, NoTls};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Enough for the blocking threads of one busy server process; PostgreSQL's default
/// `max_connections` (100) leaves room for several processes.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a caller waits for a free connection before giving up.
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(30);
/// A connection idle longer than this is checked with a round trip before use.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(30);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Pool {
    url: String,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<(Client, Instant)>,
    /// Connections open, idle or in use.
    open: usize,
}

impl Pool {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a list and a counter, consistent after every statement: a panic
        // elsewhere cannot leave it half-updated.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on a pooled connection. A connection that broke is dropped, not pooled.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut lease = Lease {
            pool: self,
            client: Some(self.take()?),
        };
        match lease.client.as_mut() {
            Some(client) => f(client),
            None => Err(StoreError::Unavailable("no database connection".into())),
        }
    }

    fn take(&self) -> Result<Client, StoreError> {
        let deadline = Instant::now() + WAIT_FOR_CONNECTION;
        let mut state = self.state();
        loop {
            if let Some((mut client, since)) = state.idle.pop() {
                drop(state);
                let alive = !client.is_closed()
                    && (since.elapsed() < CHECK_AFTER_IDLE
                        || client.is_valid(CHECK_TIMEOUT).is_ok());
                if alive {
                    return Ok(client);
                }
                close(client);
                state = self.state();
                state.open -= 1;
                continue;
            }
            if state.open < MAX_CONNECTIONS {
                state.open += 1;
                drop(state);
                return connect(&self.url).inspect_err(|_| {
                    self.state().open -= 1;
                    self.freed.notify_one();
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "all {MAX_CONNECTIONS} database connections stayed busy for {} s",
                    WAIT_FOR_CONNECTION.as_secs()
                )));
            }
            state = self
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    fn give_back(&self, client: Client) {
        if client.is_closed() || std::thread::panicking() {
            close(client);
            self.state().open -= 1;
        } else {
            self.state().idle.push((client, Instant::now()));
        }
        self.freed.notify_one();
    }
}

/// A connection in use; it goes back to the pool (or, if broken, away) however the use ends.
struct Lease<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.pool.give_back(client);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state().idle);
        for (client, _) in idle {
            close(client);
        }
    }
}

/// Opens one connection (plain TCP or a Unix socket, as the URL says).
pub fn connect(url: &str) -> Result<Client, StoreError> {
    Client::connect(url, NoTls).map_err(|e| {
        StoreError::Unavailable(format!(
            "cannot connect to PostgreSQL: {}",
            super::describe(&e)
        ))
    })
}

/// Closes a connection. The blocking client runs a small Tokio runtime of its own, which must
/// not be shut down on an async thread (Tokio panics there), and a store may well be dropped
/// on one, so connections are closed on a thread of their own.
pub fn close(client: Client) {
    if tokio::runtime::Handle::try_current().is_err() {
        drop(client);
        return;
    }
    let closing = std::thread::Builder::new()
        .name("pg-close".into())
        .spawn(move || drop(client));
    if let Ok(thread) = closing {
        let _ = thread.join();
    }
}
