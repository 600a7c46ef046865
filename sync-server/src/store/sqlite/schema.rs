//! The SQLite store's tables (`PRAGMA user_version` = [`SCHEMA_VERSION`]).

use crate::store::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// Format written by this build; an older build refuses a newer file.
pub const SCHEMA_VERSION: i64 = 13;

/// Version 1 was the walking skeleton's single-account format, never released.
pub const SCHEMA: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value ANY NOT NULL
) STRICT;
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE teams (
    id     TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name   TEXT NOT NULL,
    UNIQUE (org_id, name)
) STRICT;
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (org_id, email)
) STRICT;
CREATE INDEX users_by_email ON users (email);
CREATE TABLE team_members (
    org_id  TEXT NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_members_by_org ON team_members (org_id);
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX devices_by_user ON devices (org_id, user_id);
-- Only the SHA-256 of a session token is kept (DESIGN decision 7).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL REFERENCES devices (id),
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (org_id, user_id);
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs (id),
    email      TEXT NOT NULL,
    role       TEXT NOT NULL,
    team_id    TEXT,
    created_by TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
-- An Automerge actor id belongs to the user who first sent a change signed with it.
CREATE TABLE actors (
    org_id  TEXT NOT NULL,
    actor   BLOB NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (org_id, actor)
) STRICT, WITHOUT ROWID;
-- snapshot = a saved document covering every change up to snapshot_seq; later changes are in
-- `changes` (tail_len of them), so loading is snapshot + tail.
CREATE TABLE documents (
    org_id       TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    snapshot     BLOB NOT NULL,
    snapshot_seq INTEGER NOT NULL,
    head_seq     INTEGER NOT NULL,
    tail_len     INTEGER NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, doc_id)
) STRICT;
-- Every accepted change, numbered in acceptance order (one sequence for the server).
CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY,
    org_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    bytes  BLOB NOT NULL
) STRICT;
CREATE INDEX changes_by_doc ON changes (org_id, doc_id, seq);
-- The change feed of each scope: one row per document, moved to the end (seq) whenever the
-- document changes, so "what changed since S" reads only what changed.
CREATE TABLE doc_scopes (
    org_id     TEXT NOT NULL,
    scope      TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    joined_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, scope, doc_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX doc_scopes_feed ON doc_scopes (org_id, scope, seq);
-- joined_seq included so "this document's scopes" is answered from the index alone.
CREATE INDEX doc_scopes_by_doc ON doc_scopes (org_id, doc_id, joined_seq);
"#;

/// Version 3: quotas' running totals, the audit log, and actors looked up across
/// organisations. Run after [`SCHEMA`] on a new file, or on a version 2 file (then the totals
/// are counted from what is stored).
pub const V3: &str = r#"
-- Documents created and change bytes written per user, kept by every commit.
CREATE TABLE usage (
    org_id  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    docs    INTEGER NOT NULL,
    bytes   INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    org_id  TEXT NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    user_id TEXT,
    subject TEXT,
    detail  TEXT NOT NULL,
    ip      TEXT
) STRICT;
CREATE INDEX audit_log_by_org ON audit_log (org_id, id);
CREATE INDEX actors_by_actor ON actors (actor);
-- Devices that signed in to an account before, by the SHA-256 of the proof they were given.
CREATE TABLE known_devices (
    token_hash TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
"#;

/// Counts version 2's stored documents and bytes into `usage` (bytes go to a document's creator:
/// version 2 did not record who wrote each change).
pub const V3_BACKFILL: &str = r#"
INSERT INTO usage (org_id, user_id, docs, bytes)
SELECT d.org_id, d.created_by, count(*),
       coalesce(sum((SELECT sum(length(c.bytes)) FROM changes c
                     WHERE c.org_id = d.org_id AND c.doc_id = d.doc_id)), 0)
FROM documents d GROUP BY d.org_id, d.created_by;
"#;

/// Version 4: the intents' attempt ledger (see `store::intents`).
pub const V4: &str = r#"
CREATE TABLE intent_attempts (
    org_id      TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    state       TEXT NOT NULL,    -- pending | sending | retry | done
    attempts    INTEGER NOT NULL, -- attempts taken so far
    worker      TEXT,             -- who holds a sending attempt
    lease_until INTEGER,          -- until when (Unix ms)
    next_at     INTEGER NOT NULL, -- when a pending or retrying intent may be taken
    outcome     TEXT,             -- sent | failed | refused | unknown, once done
    detail      TEXT,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, doc_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX intent_attempts_due ON intent_attempts (state, next_at);
"#;

/// Each format after version 2 and the tables it adds, in order.
const STEPS: [(i64, &str); 11] = [
    (3, V3),
    (4, V4),
    (5, super::outreach::V5),
    (6, super::intake::V6),
    (7, super::routing::V7),
    (8, super::contact_index::V8),
    (9, super::routing::V9),
    (10, super::jobs::V10),
    (11, super::jobs::V11),
    (12, super::jobs::V12),
    (13, super::tour::V13),
];
// The last step is the format this build writes.
const _: () = assert!(STEPS[STEPS.len() - 1].0 == SCHEMA_VERSION);

/// The batch that brings a file of format `version` (0: a new file) to [`SCHEMA_VERSION`]:
/// version 2's tables on a new file, every later step after the file's format, and the quota
/// totals counted when a version 2 file gains them.
fn upgrade_from(version: i64) -> String {
    let mut batch = String::from("BEGIN; ");
    if version == 0 {
        batch.push_str(SCHEMA);
    }
    for (step, sql) in STEPS.iter().filter(|(step, _)| *step > version.max(2)) {
        batch.push_str(sql);
        if *step == 3 && version == 2 {
            batch.push_str(V3_BACKFILL);
        }
    }
    batch
}

/// Creates the tables in a new file, or upgrades an older format in place; refuses the
/// pre-release format and a newer one. `path` is the file, for messages.
pub fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    // Every upgrade is one transaction, the contact index's backfill included (it needs
    // Rust to read the documents), so a failed upgrade leaves the older file as it was.
    let upgrade = match version {
        SCHEMA_VERSION => None,
        1 => {
            return Err(StoreError::Unavailable(format!(
                "{} holds the pre-release single-account format, which this server cannot \
                 migrate; move it aside and start with an empty data directory",
                path.display()
            )))
        }
        newer if !(0..=SCHEMA_VERSION).contains(&newer) => {
            return Err(StoreError::Unavailable(format!(
                "database format {newer} is newer than this server understands \
                 ({SCHEMA_VERSION}); upgrade the server"
            )))
        }
        older => Some(upgrade_from(older)),
    };
    if let Some(batch) = upgrade {
        conn.execute_batch(&batch)?;
        // A dropped connection rolls back the open transaction if this fails. Only a file
        // from before the index needs it filled.
        if version < 8 {
            super::contact_index::backfill(conn)?;
        }
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))?;
    }
    Ok(())
}
