//! Read-only connections beside the writer.
//!
//! With one connection, a search waited for whatever held it: the per-stage counts asked for
//! the same keystroke, another screen's query, or a sync page being applied (hundreds of
//! documents in one transaction). In WAL mode readers never block the writer nor each other,
//! and each read sees everything committed before it began, so searches, counts and record
//! reads run on these while writes keep the writer (the server's SQLite store does the same).

use rusqlite::{Connection, OpenFlags};
use std::ops::Deref;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Enough for what the screens ask at once (a page and its counts) plus one more reader, such
/// as the export or a second window; more would only hold memory (each has its own page cache).
pub(crate) const READERS: usize = 3;

/// A reader's statement cache: each screen's queries, as on the writer.
const STATEMENT_CACHE: usize = 128;

pub(crate) struct Readers {
    slots: Vec<Mutex<Connection>>,
    /// Where the next search starts, so readers are used in turn rather than always the first.
    next: AtomicUsize,
}

impl Readers {
    /// Opens `count` read-only connections to the database at `path` (already migrated by the
    /// writer). `None` when one cannot be opened: reads then share the writer, as before.
    pub(crate) fn open(path: &Path, count: usize, busy: Duration) -> Option<Readers> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let conn = match open_one(path, flags, busy) {
                Ok(conn) => conn,
                Err(error) => {
                    tracing::warn!(%error, "no reader connection: reads share the writer");
                    return None;
                }
            };
            slots.push(Mutex::new(conn));
        }
        Some(Readers {
            slots,
            next: AtomicUsize::new(0),
        })
    }

    /// A free reader, or (when all are busy) the one whose turn it is, waited for.
    pub(crate) fn get(&self) -> MutexGuard<'_, Connection> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = self.slots.len();
        for i in 0..n {
            if let Ok(guard) = self.slots[(start + i) % n].try_lock() {
                return guard;
            }
        }
        // A panic while reading leaves nothing half-done on a read-only connection.
        self.slots[start % n]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

fn open_one(path: &Path, flags: OpenFlags, busy: Duration) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(busy)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Belt and braces: even a statement that would write is refused on a reader.
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// A connection to read with: a reader, or the writer when there are none.
pub(crate) enum ReadConn<'a> {
    Reader(MutexGuard<'a, Connection>),
    Writer(MutexGuard<'a, Connection>),
}

impl Deref for ReadConn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            ReadConn::Reader(c) | ReadConn::Writer(c) => c,
        }
    }
}
