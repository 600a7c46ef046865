//! The PostgreSQL store's tables, and the migration that creates them.
//!
//! Ids are UUID text and times are Unix milliseconds, exactly as in the SQLite store, so both
//! backends share the row conversions. Text that is compared or sorted is `COLLATE "C"`
//! (byte order), so ranges and orderings match SQLite's whatever the cluster's locale.

use crate::store::StoreError;
use ::postgres::Client;

/// Format written by this build; an older build refuses a newer database.
pub const SCHEMA_VERSION: i32 = 12;

/// Key (in the two-`int4` advisory lock space, apart from the per-organisation `bigint` feed
/// locks) that serialises migrations of servers starting at the same time.
const MIGRATION_LOCK: (i32, i32) = (0x4653_544e, 1);

const VERSION_TABLE: &str = r#"
CREATE TABLE IF NOT EXISTS schema_version (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    version  INTEGER NOT NULL
);
"#;

pub const SCHEMA: &str = r#"
-- Version 3: the intents' attempt ledger (see `store::intents`).
CREATE TABLE IF NOT EXISTS intent_attempts (
    org_id      TEXT COLLATE "C" NOT NULL,
    doc_id      TEXT COLLATE "C" NOT NULL,
    state       TEXT COLLATE "C" NOT NULL,
    attempts    INTEGER NOT NULL,
    worker      TEXT COLLATE "C",
    lease_until BIGINT,
    next_at     BIGINT NOT NULL,
    outcome     TEXT COLLATE "C",
    detail      TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, doc_id)
);
CREATE INDEX IF NOT EXISTS intent_attempts_due ON intent_attempts (state, next_at);
-- Feed numbers for every organisation. A rolled-back transaction leaves a gap, which cursors
-- (`seq > since`) never notice.
CREATE SEQUENCE IF NOT EXISTS feed_seq;
CREATE TABLE IF NOT EXISTS orgs (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS teams (
    id     TEXT COLLATE "C" PRIMARY KEY,
    org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs (id),
    name   TEXT COLLATE "C" NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    org_id        TEXT COLLATE "C" NOT NULL REFERENCES orgs (id),
    email         TEXT COLLATE "C" NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX IF NOT EXISTS users_by_email ON users (email);
CREATE TABLE IF NOT EXISTS team_members (
    org_id  TEXT COLLATE "C" NOT NULL,
    team_id TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_by_org ON team_members (org_id);
CREATE TABLE IF NOT EXISTS devices (
    id           TEXT COLLATE "C" PRIMARY KEY,
    org_id       TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX IF NOT EXISTS devices_by_user ON devices (org_id, user_id);
-- Only the SHA-256 of a session token is kept (DESIGN decision 7).
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    org_id     TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    device_id  TEXT COLLATE "C" NOT NULL REFERENCES devices (id),
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (org_id, user_id);
CREATE TABLE IF NOT EXISTS invitations (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    org_id     TEXT COLLATE "C" NOT NULL REFERENCES orgs (id),
    email      TEXT NOT NULL,
    role       TEXT NOT NULL,
    team_id    TEXT,
    created_by TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
-- An Automerge actor id belongs to the user who first sent a change signed with it.
CREATE TABLE IF NOT EXISTS actors (
    org_id  TEXT COLLATE "C" NOT NULL,
    actor   BYTEA NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (org_id, actor)
);
-- snapshot = a saved document covering every change up to snapshot_seq; later changes are in
-- `changes` (tail_len of them), so loading is snapshot + tail.
CREATE TABLE IF NOT EXISTS documents (
    org_id       TEXT COLLATE "C" NOT NULL,
    doc_id       TEXT COLLATE "C" NOT NULL,
    snapshot     BYTEA NOT NULL,
    snapshot_seq BIGINT NOT NULL,
    head_seq     BIGINT NOT NULL,
    tail_len     BIGINT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, doc_id)
);
-- Every accepted change, numbered from feed_seq.
CREATE TABLE IF NOT EXISTS changes (
    seq    BIGINT PRIMARY KEY,
    org_id TEXT COLLATE "C" NOT NULL,
    doc_id TEXT COLLATE "C" NOT NULL,
    bytes  BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_doc ON changes (org_id, doc_id, seq);
-- The change feed of each scope: one row per document, moved to the end (seq) whenever the
-- document changes, so "what changed since S" reads only what changed.
CREATE TABLE IF NOT EXISTS doc_scopes (
    org_id     TEXT COLLATE "C" NOT NULL,
    scope      TEXT COLLATE "C" NOT NULL,
    doc_id     TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    joined_seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, scope, doc_id)
);
CREATE INDEX IF NOT EXISTS doc_scopes_feed ON doc_scopes (org_id, scope, seq);
CREATE INDEX IF NOT EXISTS doc_scopes_by_doc ON doc_scopes (org_id, doc_id, joined_seq);
-- Version 2: quotas' running totals (documents created and change bytes written per user,
-- kept by every commit), the audit log, and actors looked up across organisations.
CREATE TABLE IF NOT EXISTS usage (
    org_id  TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    docs    BIGINT NOT NULL,
    bytes   BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    id      BIGSERIAL PRIMARY KEY,
    org_id  TEXT COLLATE "C" NOT NULL,
    at      BIGINT NOT NULL,
    kind    TEXT NOT NULL,
    user_id TEXT,
    subject TEXT,
    detail  TEXT NOT NULL,
    ip      TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_by_org ON audit_log (org_id, id);
CREATE INDEX IF NOT EXISTS actors_by_actor ON actors (actor);
-- Devices that signed in to an account before, by the SHA-256 of the proof they were given.
CREATE TABLE IF NOT EXISTS known_devices (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    org_id     TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
"#;

/// Counts version 1's stored documents and bytes into `usage` (bytes go to a document's creator:
/// version 1 did not record who wrote each change).
const V2_BACKFILL: &str = r#"
INSERT INTO usage (org_id, user_id, docs, bytes)
SELECT d.org_id, d.created_by, count(*),
       coalesce(sum((SELECT sum(length(c.bytes)) FROM changes c
                     WHERE c.org_id = d.org_id AND c.doc_id = d.doc_id)), 0)
FROM documents d GROUP BY d.org_id, d.created_by
ON CONFLICT DO NOTHING;
"#;

/// Creates or upgrades the tables in one transaction, under a lock so servers starting together
/// take turns; refuses a database written by a newer server.
pub fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction()?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&MIGRATION_LOCK.0, &MIGRATION_LOCK.1],
    )?;
    // No "already exists, skipping" notice in the log at every start.
    tx.batch_execute("SET LOCAL client_min_messages = warning")?;
    tx.batch_execute(VERSION_TABLE)?;
    let version: Option<i32> = tx
        .query_opt("SELECT version FROM schema_version", &[])?
        .map(|row| row.get(0));
    match version {
        Some(SCHEMA_VERSION) => return Ok(()),
        Some(newer) if newer > SCHEMA_VERSION => {
            return Err(StoreError::Unavailable(format!(
                "database format {newer} is newer than this server understands \
                 ({SCHEMA_VERSION}); upgrade the server"
            )))
        }
        _ => {}
    }
    tx.batch_execute(SCHEMA)?;
    tx.batch_execute(super::outreach::TABLES)?;
    tx.batch_execute(super::intake::TABLES)?;
    tx.batch_execute(super::routing::TABLES)?;
    tx.batch_execute(super::contact_index::TABLES)?;
    tx.batch_execute(super::jobs::TABLES)?;
    tx.batch_execute(super::tour::TABLES)?;
    if version == Some(1) {
        tx.batch_execute(V2_BACKFILL)?;
    }
    // A database from before the contact index: fill it from the documents (a new database
    // has none, and the index is kept by every commit from now on).
    if version.is_some_and(|v| v < 7) {
        super::contact_index::backfill(&mut tx)?;
    }
    tx.execute(
        "INSERT INTO schema_version (version) VALUES ($1)
         ON CONFLICT (only_row) DO UPDATE SET version = excluded.version",
        &[&SCHEMA_VERSION],
    )?;
    tx.commit()?;
    Ok(())
}
