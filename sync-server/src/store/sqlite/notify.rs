//! Announcements between processes sharing one SQLite file: the `admin` commands write what
//! they changed (a member removed, a device revoked) to a table that the serving process polls,
//! so its caches and live connections learn of it within a poll interval. Accepted changes are
//! not announced: only the serving process accepts them.

use crate::hub::{Announcement, Event, Hub};
use crate::store::StoreError;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use uuid::Uuid;

const POLL_EVERY: Duration = Duration::from_millis(250);
/// Announcements older than this are deleted (every listener has long seen them).
const KEEP_MS: i64 = 60 * 60 * 1000;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS announcements (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    payload TEXT NOT NULL
) STRICT;
";

pub struct Notifier {
    /// The hub's origin once `listen` was called; until then a random one.
    origin: Mutex<Uuid>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self {
            origin: Mutex::new(Uuid::new_v4()),
        }
    }
}

impl Notifier {
    pub fn announce(&self, writer: &Connection, event: &Event) -> Result<(), StoreError> {
        if matches!(event, Event::Changed { .. }) {
            return Ok(());
        }
        let origin = *self.origin.lock().unwrap_or_else(|p| p.into_inner());
        let payload = serde_json::to_string(&Announcement {
            origin,
            event: event.clone(),
        })
        .map_err(|e| StoreError::Database(e.to_string()))?;
        let now = chrono::Utc::now().timestamp_millis();
        writer.execute(
            "INSERT INTO announcements (at, payload) VALUES (?1, ?2)",
            params![now, payload],
        )?;
        writer.execute("DELETE FROM announcements WHERE at < ?1", [now - KEEP_MS])?;
        Ok(())
    }

    /// Starts a thread forwarding other processes' announcements into `hub`.
    pub fn listen(&self, path: &Path, hub: Hub) -> Result<(), StoreError> {
        *self.origin.lock().unwrap_or_else(|p| p.into_inner()) = hub.origin;
        let conn = open_reader(path)?;
        let mut last: i64 = conn
            .query_row("SELECT coalesce(max(id), 0) FROM announcements", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or(0);
        let path: PathBuf = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-announcements".into())
            .spawn(move || {
                let mut conn = Some(conn);
                loop {
                    std::thread::sleep(POLL_EVERY);
                    if hub.receivers() == 0 && hub.closed() {
                        return;
                    }
                    let c = match conn.take() {
                        Some(c) => c,
                        None => match open_reader(&path) {
                            Ok(c) => c,
                            Err(_) => continue,
                        },
                    };
                    match poll(&c, &mut last, &hub) {
                        Ok(()) => conn = Some(c),
                        Err(error) => {
                            tracing::warn!(%error, "reading announcements failed; retrying");
                        }
                    }
                }
            })
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot start the announcement thread: {e}"))
            })?;
        Ok(())
    }
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

fn poll(conn: &Connection, last: &mut i64, hub: &Hub) -> Result<(), StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT id, payload FROM announcements WHERE id > ?1 ORDER BY id")?;
    let rows = stmt.query_map([*last], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, payload) = row?;
        *last = id;
        match serde_json::from_str::<Announcement>(&payload) {
            Ok(a) if a.origin == hub.origin => {}
            Ok(a) => hub.remote(a.event),
            Err(error) => tracing::warn!(%error, "unreadable announcement ignored"),
        }
    }
    Ok(())
}
