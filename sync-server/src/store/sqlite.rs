//! The embedded default store: one SQLite file in the data dir, WAL with synchronous=FULL.

use super::{AccountId, PushOutcome, Store, StoreError};
use automerge::AutoCommit;
use fieldstone_protocol::{DocChange, DocId, FeedEntry, PullResponse};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

const SCHEMA_VERSION: i64 = 1;
const SCHEMA: &str = r#"
    CREATE TABLE accounts (
        id         INTEGER PRIMARY KEY,
        email      TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE tokens (
        hash       TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE documents (
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        doc_id     TEXT NOT NULL,
        bytes      BLOB NOT NULL,
        PRIMARY KEY (account_id, doc_id)
    ) STRICT;
    -- The change feed: seq orders every accepted change; a device's cursor is a seq.
    CREATE TABLE feed (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts (id),
        doc_id     TEXT NOT NULL,
        change     BLOB NOT NULL
    ) STRICT;
    CREATE INDEX feed_by_account ON feed (account_id, seq);
"#;

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens `<data_dir>/fieldstone.db`, creating the directory and schema as needed.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Task(format!("cannot create {}: {e}", data_dir.display())))?;
        let conn = Connection::open(data_dir.join("fieldstone.db"))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Task(format!(
                "database format {version} is newer than this server understands ({SCHEMA_VERSION}); upgrade the server"
            )));
        }
        if version == 0 {
            conn.execute_batch(&format!(
                "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))?;
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store for SqliteStore {
    fn create_account(&self, email: &str) -> Result<AccountId, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO accounts (email, created_at) VALUES (?1, ?2)",
            params![email, now_ms()],
        )?;
        Ok(AccountId(conn.last_insert_rowid()))
    }

    fn account_by_email(&self, email: &str) -> Result<Option<AccountId>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT id FROM accounts WHERE email = ?1", [email], |r| {
                r.get(0).map(AccountId)
            })
            .optional()?)
    }

    fn add_token(&self, account: AccountId, token_hash: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO tokens (hash, account_id, created_at) VALUES (?1, ?2, ?3)",
            params![token_hash, account.0, now_ms()],
        )?;
        Ok(())
    }

    fn account_for_token(&self, token_hash: &str) -> Result<Option<AccountId>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT account_id FROM tokens WHERE hash = ?1",
                [token_hash],
                |r| r.get(0).map(AccountId),
            )
            .optional()?)
    }

    fn push(&self, account: AccountId, changes: Vec<DocChange>) -> Result<PushOutcome, StoreError> {
        // Group by document, keeping each document's changes in the order sent.
        let mut by_doc: BTreeMap<DocId, Vec<(usize, Vec<u8>)>> = BTreeMap::new();
        for (index, c) in changes.into_iter().enumerate() {
            by_doc.entry(c.doc_id).or_default().push((index, c.change));
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut outcome = PushOutcome::default();
        for (doc_id, changes) in by_doc {
            apply_to_doc(&tx, account, &doc_id, changes, &mut outcome)?;
        }
        tx.commit()?;
        Ok(outcome)
    }

    fn pull(&self, account: AccountId, since: u64, limit: u32) -> Result<PullResponse, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT seq, doc_id, change FROM feed
             WHERE account_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let since_i = i64::try_from(since).unwrap_or(i64::MAX);
        // One extra row tells whether more remain without a second query.
        let rows = stmt.query_map(params![account.0, since_i, i64::from(limit) + 1], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut entries = Vec::new();
        let mut more = false;
        for row in rows {
            let (seq, doc_id, change) = row?;
            if entries.len() == limit as usize {
                more = true;
                break;
            }
            let doc_id = doc_id
                .parse()
                .map_err(|e: fieldstone_protocol::InvalidDocId| StoreError::Corrupt {
                    doc_id: e.0.clone(),
                    reason: e.to_string(),
                })?;
            entries.push(FeedEntry {
                seq: u64::try_from(seq).unwrap_or(0),
                doc_id,
                change,
            });
        }
        let cursor = entries.last().map_or(since, |e| e.seq);
        Ok(PullResponse {
            entries,
            cursor,
            more,
        })
    }
}

fn apply_to_doc(
    tx: &Transaction<'_>,
    account: AccountId,
    doc_id: &DocId,
    changes: Vec<(usize, Vec<u8>)>,
    outcome: &mut PushOutcome,
) -> Result<(), StoreError> {
    let stored: Option<Vec<u8>> = tx
        .query_row(
            "SELECT bytes FROM documents WHERE account_id = ?1 AND doc_id = ?2",
            params![account.0, doc_id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let mut doc = match stored {
        Some(bytes) => fieldstone_doc::load(&bytes).map_err(|e| StoreError::Corrupt {
            doc_id: doc_id.to_string(),
            reason: e.to_string(),
        })?,
        None => AutoCommit::new(),
    };
    let bad = |index: usize, reason: String| StoreError::BadChange {
        index,
        doc_id: doc_id.to_string(),
        reason,
    };
    let mut fresh = Vec::new();
    for (index, bytes) in changes {
        let change = fieldstone_doc::parse_change(&bytes).map_err(|e| bad(index, e.to_string()))?;
        if doc.get_change_by_hash(&change.hash()).is_some()
            || fresh
                .iter()
                .any(|(_, c): &(usize, automerge::Change)| c.hash() == change.hash())
        {
            outcome.duplicates += 1;
        } else {
            fresh.push((index, change));
        }
    }
    if fresh.is_empty() {
        return Ok(());
    }
    let first_index = fresh[0].0;
    doc.apply_changes(fresh.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>())
        .map_err(|e| bad(first_index, e.to_string()))?;
    // A change whose dependencies we lack would sit unapplied in Automerge's queue and never
    // reach other devices: refuse the push instead, so the device resends in order.
    let missing = doc.get_missing_deps(&[]);
    if !missing.is_empty() {
        return Err(bad(
            first_index,
            format!(
                "depends on {} change(s) the server has not received",
                missing.len()
            ),
        ));
    }
    tx.execute(
        "INSERT INTO documents (account_id, doc_id, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id, doc_id) DO UPDATE SET bytes = excluded.bytes",
        params![account.0, doc_id.as_str(), doc.save()],
    )?;
    let mut insert =
        tx.prepare_cached("INSERT INTO feed (account_id, doc_id, change) VALUES (?1, ?2, ?3)")?;
    for (_, change) in &fresh {
        insert.execute(params![account.0, doc_id.as_str(), change.raw_bytes()])?;
        outcome.accepted += 1;
    }
    Ok(())
}
