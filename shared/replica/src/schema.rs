//! The read model's tables and their migrations (`PRAGMA user_version`).

use crate::error::ReplicaError;
use rusqlite::{params, Connection, Transaction};

/// Read-model format written by this build (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 14;

/// One step from a version to the next: SQL, or work SQL alone cannot do (it is given the
/// clock's time, in milliseconds).
enum Migration {
    Sql(&'static str),
    Steps(fn(&Transaction<'_>, i64) -> Result<(), ReplicaError>),
}

/// Each entry migrates from version `index` to `index + 1`.
/// Property match (issue 17, version 14): what the rule reads of each live, active listing and
/// each contact whose preferences name something, with the columns SQL narrows on (projection:
/// rebuilds fill them), and the suggestions dismissed on this device (its own, kept). `IF NOT
/// EXISTS` because an older version's step projects contacts with today's code, which writes
/// these, and so creates them first.
const MATCH_TABLES: &str = r#"
    CREATE TABLE IF NOT EXISTS listing_match (
        listing_id    TEXT PRIMARY KEY,
        price         INTEGER NOT NULL,
        beds          INTEGER,
        property_type TEXT NOT NULL,
        updated_at    INTEGER NOT NULL,
        facts         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS listing_match_by_updated ON listing_match (updated_at);
    CREATE TABLE IF NOT EXISTS buyer_wishes (
        contact_id TEXT PRIMARY KEY,
        budget_max INTEGER,
        beds_min   INTEGER,
        types      TEXT,
        stage      TEXT NOT NULL,
        wish       TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS match_dismissed (
        listing_id         TEXT NOT NULL,
        contact_id         TEXT NOT NULL,
        listing_updated_at INTEGER NOT NULL,
        PRIMARY KEY (listing_id, contact_id)
    ) STRICT, WITHOUT ROWID;
"#;

const MIGRATIONS: &[Migration] = &[
    Migration::Sql(
        r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value ANY NOT NULL
    ) STRICT;
    -- Automerge documents: the truth. The read-model tables below are projections of these.
    CREATE TABLE documents (
        doc_id     TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        bytes      BLOB NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    -- Local changes the server has not acknowledged yet, oldest first.
    CREATE TABLE outbox (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL,
        change BLOB NOT NULL
    ) STRICT;
    CREATE TABLE leads (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        email      TEXT NOT NULL,
        phone      TEXT NOT NULL,
        stage      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX leads_newest_first ON leads (created_at DESC, id DESC);
"#,
    ),
    Migration::Sql(
        r#"
    -- Contacts: list columns only; the full record lives in the contact's document.
    CREATE TABLE contacts (
        id                TEXT PRIMARY KEY,
        display_name      TEXT NOT NULL,
        primary_email     TEXT,
        primary_phone     TEXT,
        stage             TEXT NOT NULL,
        kind              TEXT NOT NULL,
        source            TEXT NOT NULL,
        priority          TEXT NOT NULL,
        owner             TEXT NOT NULL,
        assigned_agent    TEXT,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        last_contacted_at INTEGER,
        deleted_at        INTEGER
    ) STRICT;
    CREATE INDEX contacts_recent ON contacts (updated_at DESC, id DESC);
    CREATE INDEX contacts_by_stage ON contacts (stage, updated_at DESC, id DESC);
    CREATE TABLE contact_tags (
        contact_id TEXT NOT NULL,
        tag        TEXT NOT NULL,
        PRIMARY KEY (contact_id, tag)
    ) STRICT;
    CREATE INDEX contact_tags_by_tag ON contact_tags (tag, contact_id);
    -- Search over names, emails and phones; rows are replaced on every projection.
    CREATE VIRTUAL TABLE contacts_fts USING fts5 (
        contact_id UNINDEXED,
        names,
        emails,
        phones,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3 4'
    );
"#,
    ),
    Migration::Sql(
        r#"
    -- Version 3: every record kind, integer row keys (stable across VACUUM) for the search
    -- indexes, duplicate-match keys, and a quarantine for unreadable documents. The version 2
    -- contact tables are replaced; `rebuild_read_model` in meta makes open() re-project them
    -- from the documents, which are the truth.
    DROP TABLE contacts_fts;
    DROP TABLE contact_tags;
    DROP TABLE contacts;
    CREATE TABLE contacts (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        display_name      TEXT NOT NULL,
        sort_name         TEXT NOT NULL,
        primary_email     TEXT,
        primary_phone     TEXT,
        stage             TEXT NOT NULL,
        kind              TEXT NOT NULL,
        source            TEXT NOT NULL,
        priority          TEXT NOT NULL,
        score             INTEGER NOT NULL,
        owner             TEXT NOT NULL,
        assigned_agent    TEXT,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        last_contacted_at INTEGER,
        deleted_at        INTEGER
    ) STRICT;
    CREATE INDEX contacts_by_updated ON contacts (updated_at, id);
    CREATE INDEX contacts_by_created ON contacts (created_at, id);
    CREATE INDEX contacts_by_name ON contacts (sort_name, id);
    CREATE INDEX contacts_by_score ON contacts (score, id);
    CREATE INDEX contacts_by_contacted ON contacts (coalesce(last_contacted_at, -1), id);
    CREATE INDEX contacts_by_stage ON contacts (stage, updated_at, id);
    CREATE INDEX contacts_by_owner ON contacts (owner, updated_at, id);
    CREATE TABLE contact_tags (
        contact_id TEXT NOT NULL,
        tag        TEXT NOT NULL,
        PRIMARY KEY (contact_id, tag)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX contact_tags_by_tag ON contact_tags (tag, contact_id);
    -- Values two records of one person likely share (MatchKey): duplicate detection.
    CREATE TABLE contact_keys (
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        PRIMARY KEY (kind, value, contact_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX contact_keys_by_contact ON contact_keys (contact_id);
    -- rowid = contacts.seq.
    CREATE VIRTUAL TABLE contacts_fts USING fts5 (
        names, emails, phones,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3 4'
    );

    CREATE TABLE notes (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        record_kind TEXT NOT NULL,
        record_id   TEXT NOT NULL,
        author      TEXT NOT NULL,
        pinned      INTEGER NOT NULL,
        preview     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        deleted_at  INTEGER
    ) STRICT;
    CREATE INDEX notes_by_record ON notes (record_id, created_at);
    -- rowid = notes.seq.
    CREATE VIRTUAL TABLE notes_fts USING fts5 (
        body,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3 4'
    );

    CREATE TABLE interactions (
        seq              INTEGER PRIMARY KEY,
        id               TEXT NOT NULL UNIQUE,
        contact_id       TEXT NOT NULL,
        listing_id       TEXT,
        channel          TEXT NOT NULL,
        direction        TEXT NOT NULL,
        summary          TEXT NOT NULL,
        outcome          TEXT,
        duration_seconds INTEGER,
        occurred_at      INTEGER NOT NULL,
        logged_by        TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        deleted_at       INTEGER
    ) STRICT;
    CREATE INDEX interactions_by_contact ON interactions (contact_id, occurred_at);
    CREATE INDEX interactions_by_listing ON interactions (listing_id) WHERE listing_id IS NOT NULL;

    CREATE TABLE bookings (
        seq        INTEGER PRIMARY KEY,
        id         TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL,
        title      TEXT,
        starts_at  INTEGER NOT NULL,
        ends_at    INTEGER NOT NULL,
        time_zone  TEXT NOT NULL,
        location   TEXT,
        listing_id TEXT,
        status     TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        deleted_at INTEGER
    ) STRICT;
    CREATE INDEX bookings_by_start ON bookings (starts_at, id);
    CREATE TABLE booking_attendees (
        booking_id    TEXT NOT NULL,
        attendee_kind TEXT NOT NULL, -- 'contact' | 'user'
        attendee_id   TEXT NOT NULL,
        PRIMARY KEY (booking_id, attendee_kind, attendee_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX booking_attendees_by_attendee ON booking_attendees (attendee_id, booking_id);

    CREATE TABLE listings (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        address_line  TEXT NOT NULL,
        city          TEXT NOT NULL,
        postal_code   TEXT,
        country       TEXT NOT NULL,
        latitude      REAL,
        longitude     REAL,
        price         INTEGER NOT NULL,
        currency      TEXT NOT NULL,
        beds          INTEGER,
        baths_tenths  INTEGER,
        property_type TEXT NOT NULL,
        status        TEXT NOT NULL,
        visibility    TEXT NOT NULL,
        mls_number    TEXT,
        cover_photo   TEXT,
        owner         TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        deleted_at    INTEGER
    ) STRICT;
    CREATE INDEX listings_by_updated ON listings (updated_at, id);
    CREATE INDEX listings_by_price ON listings (price, id);
    -- rowid = listings.seq.
    CREATE VIRTUAL TABLE listings_fts USING fts5 (
        address, mls_number, description,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3 4'
    );

    CREATE TABLE tasks (
        seq         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE,
        title       TEXT NOT NULL,
        due_at      INTEGER,
        priority    TEXT NOT NULL,
        status      TEXT NOT NULL,
        kind        TEXT NOT NULL,
        record_kind TEXT,
        record_id   TEXT,
        owner       TEXT NOT NULL,
        closed_at   INTEGER,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        deleted_at  INTEGER
    ) STRICT;
    CREATE INDEX tasks_by_due ON tasks (status, due_at);
    CREATE INDEX tasks_by_record ON tasks (record_id, created_at) WHERE record_id IS NOT NULL;

    -- Fields holding concurrent values from different devices, until someone picks one.
    CREATE TABLE doc_conflicts (
        doc_id TEXT NOT NULL,
        field  TEXT NOT NULL,
        PRIMARY KEY (doc_id, field)
    ) STRICT, WITHOUT ROWID;

    -- This device's merges of duplicate contacts, so each can be undone. Local only: not a
    -- projection (a rebuild keeps it) and never synced.
    CREATE TABLE merges (
        id           TEXT PRIMARY KEY,
        survivor_id  TEXT NOT NULL,
        merged_id    TEXT NOT NULL,
        journal      TEXT NOT NULL, -- JSON: what the merge changed, for undo
        merged_at    INTEGER NOT NULL,
        undone_at    INTEGER
    ) STRICT;

    -- Changes received before a change they depend on (feeds may deliver out of order); applied
    -- as soon as the dependency arrives.
    CREATE TABLE held_changes (
        doc_id TEXT NOT NULL,
        hash   TEXT NOT NULL,
        change BLOB NOT NULL,
        PRIMARY KEY (doc_id, hash)
    ) STRICT, WITHOUT ROWID;

    -- Documents whose bytes could not be read, kept aside (never deleted) with the reason.
    CREATE TABLE quarantine (
        doc_id         TEXT PRIMARY KEY,
        kind           TEXT NOT NULL,
        bytes          BLOB NOT NULL,
        reason         TEXT NOT NULL,
        quarantined_at INTEGER NOT NULL
    ) STRICT;

    INSERT INTO meta (key, value) VALUES ('rebuild_read_model', 1)
        ON CONFLICT (key) DO UPDATE SET value = 1;
"#,
    ),
    Migration::Sql(
        r#"
    -- Version 4: sync protocol 2. One cursor per scope the server lets this device read. The
    -- version-1 cursor counted a per-account feed that no longer exists, so it is dropped: the
    -- next sync starts over, which merges whole documents and duplicates nothing.
    DELETE FROM meta WHERE key = 'sync_cursor';
    CREATE TABLE sync_cursors (
        scope TEXT PRIMARY KEY,
        seq   INTEGER NOT NULL,
        base  INTEGER NOT NULL
    ) STRICT;
    -- Edits the server refused, for the person whose work was put back.
    CREATE TABLE sync_notices (
        id           INTEGER PRIMARY KEY,
        doc_id       TEXT NOT NULL,
        code         TEXT NOT NULL,
        message      TEXT NOT NULL,
        at           INTEGER NOT NULL,
        dismissed_at INTEGER
    ) STRICT;
"#,
    ),
    Migration::Sql(
        r#"
    -- Version 5. The quarantine keeps every piece set aside, one row each and never
    -- overwritten: this device's own unreadable copy of a document ('device'), or what the sync
    -- server sent that could not be read ('server') while the device kept its good copy.
    -- `format` says how to read `bytes`: 'document' (saved Automerge bytes) or 'updates' (the
    -- sync updates received for the document, as fieldstone_protocol's codec encodes them).
    CREATE TABLE quarantine_v5 (
        id             INTEGER PRIMARY KEY,
        doc_id         TEXT NOT NULL,
        kind           TEXT NOT NULL,
        origin         TEXT NOT NULL,
        format         TEXT NOT NULL,
        bytes          BLOB NOT NULL,
        reason         TEXT NOT NULL,
        quarantined_at INTEGER NOT NULL
    ) STRICT;
    INSERT INTO quarantine_v5 (doc_id, kind, origin, format, bytes, reason, quarantined_at)
        SELECT doc_id, kind, 'device', 'document', bytes, reason, quarantined_at FROM quarantine;
    DROP TABLE quarantine;
    ALTER TABLE quarantine_v5 RENAME TO quarantine;
    CREATE INDEX quarantine_by_doc ON quarantine (doc_id);
    -- The one account this store belongs to, once it has one: it is only ever synced with
    -- that organisation and user (another account gets a store of its own).
    CREATE TABLE account_binding (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        server_url TEXT NOT NULL,
        org_id     TEXT NOT NULL,
        org_name   TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        email      TEXT NOT NULL,
        bound_at   INTEGER NOT NULL
    ) STRICT;
"#,
    ),
    // Version 6: the walking skeleton's lead record is retired (a lead is a contact in a stage).
    Migration::Steps(|tx, now_ms| {
        set_aside_retired_documents(tx, now_ms)?;
        tx.execute_batch("DROP TABLE leads;")?;
        Ok(())
    }),
    // Version 7: Today's recent activity reads the newest of each source through an index;
    // the pipeline sums budgets and shows days in stage (the rebuild fills both in).
    Migration::Sql(
        r#"
    ALTER TABLE contacts ADD COLUMN budget INTEGER;
    ALTER TABLE contacts ADD COLUMN stage_since INTEGER;
    INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_read_model', 1);
    -- The pipeline's per-stage counts and budget sums, read from the index alone.
    CREATE INDEX contacts_stage_budget ON contacts (stage, budget) WHERE deleted_at IS NULL;
    CREATE INDEX notes_newest ON notes (created_at);
    CREATE INDEX interactions_newest ON interactions (created_at);
    CREATE INDEX tasks_closed ON tasks (closed_at) WHERE closed_at IS NOT NULL;
"#,
    ),
    Migration::Sql(
        r#"
    -- Version 8: contacts' custom fields, one row each, so lists filter by them. `key_lower`
    -- is the name as filters match it; `text` holds a text value lower-cased (matched ignoring
    -- case) or a date as YYYY-MM-DD (sorts as it compares); `num` a number, or 1/0 for yes/no.
    -- Keyed by the contact's id, not its local seq, so replicas holding the same documents
    -- hold the same rows. The rebuild fills it from the documents.
    CREATE TABLE contact_custom (
        contact_id TEXT NOT NULL,
        key        TEXT NOT NULL,
        key_lower  TEXT NOT NULL,
        kind       TEXT NOT NULL, -- CustomFieldType's machine name
        text       TEXT,
        num        REAL,
        PRIMARY KEY (contact_id, key)
    ) STRICT, WITHOUT ROWID;
    -- A filter reads one name's rows of one type from an index alone, values in order (the
    -- primary key's contact_id is part of every index of a WITHOUT ROWID table).
    CREATE INDEX contact_custom_by_num ON contact_custom (key_lower, kind, num);
    CREATE INDEX contact_custom_by_text ON contact_custom (key_lower, kind, text);
    INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_read_model', 1);
"#,
    ),
    // Version 9: listings' open houses, one row each, so Today lists the coming ones without
    // opening every listing's document. Only the listings are projected again (hundreds, not
    // the whole read model); a rebuild asked for by version 8 in the same upgrade does it too.
    Migration::Steps(|tx, _| {
        tx.execute_batch(
            "CREATE TABLE listing_open_houses (
                listing_id TEXT NOT NULL,
                starts_at  INTEGER NOT NULL,
                ends_at    INTEGER NOT NULL,
                PRIMARY KEY (listing_id, starts_at)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX listing_open_houses_by_end ON listing_open_houses (ends_at);",
        )?;
        crate::listings::project_open_houses_of_all(tx)
    }),
    // Version 10: outbound messages (intents the sync server sends). A device that synced
    // before this build kept other devices' message documents unprojected; they are projected
    // now, and only they.
    Migration::Steps(|tx, now_ms| {
        tx.execute_batch(
            "CREATE TABLE messages (
                seq         INTEGER PRIMARY KEY,
                id          TEXT NOT NULL UNIQUE,
                contact_id  TEXT NOT NULL,
                channel     TEXT NOT NULL,
                purpose     TEXT NOT NULL,
                recipient   TEXT NOT NULL,
                subject     TEXT,
                preview     TEXT NOT NULL,
                status      TEXT NOT NULL,
                reason      TEXT,
                status_at   INTEGER,
                task_id     TEXT,
                written_by  TEXT NOT NULL,
                created_at  INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                deleted_at  INTEGER
            ) STRICT;
            CREATE INDEX messages_by_contact ON messages (contact_id, created_at);
            CREATE INDEX messages_by_status ON messages (status, created_at);",
        )?;
        crate::projection::project_all_of_kind(tx, fieldstone_doc::message::KIND, now_ms)
    }),
    // Version 11: the lead score of issue 15 (seed 001's rule score, `crate::score`). The
    // contact's own inputs are kept as bits so a full rescore reads no document; contacts are
    // projected again to fill them, then every contact is scored at the clock's now. The
    // per-agent learned models are cached by the outcomes they were fitted on (local only).
    Migration::Steps(|tx, now_ms| {
        tx.execute_batch(
            "ALTER TABLE contacts ADD COLUMN score_facts INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE agent_score_models (
                agent     TEXT PRIMARY KEY,
                signature TEXT NOT NULL,
                model     TEXT NOT NULL -- JSON: fieldstone_model::score::LearnedModel
            ) STRICT;",
        )?;
        // Today's contact projection also writes the match tables of version 14.
        tx.execute_batch(MATCH_TABLES)?;
        crate::projection::project_all_of_kind(tx, fieldstone_doc::contact::KIND, now_ms)?;
        let at = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        crate::score::rescore_all(tx, at)?;
        Ok(())
    }),
    // Version 12: the documents this device holds only because its user reads other people's
    // (a broker's team's), as the server's version 3 pull marks them (`crate::mine`). What was
    // pulled before is not marked: every scope is pulled once more from its start (the cursors
    // stay, so the store still counts as synced) and the marks arrive with it.
    Migration::Sql(
        "CREATE TABLE IF NOT EXISTS not_mine_docs (doc_id TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
         UPDATE sync_cursors SET seq = 0, base = 0;",
    ),
    // Version 13: campaigns (issue 16). Campaign documents synced before this build are
    // projected now.
    Migration::Steps(|tx, now_ms| {
        tx.execute_batch(
            "CREATE TABLE campaigns (
                seq        INTEGER PRIMARY KEY,
                id         TEXT NOT NULL UNIQUE,
                name       TEXT NOT NULL,
                kind       TEXT NOT NULL,
                status     TEXT NOT NULL,
                status_at  INTEGER,
                steps      INTEGER NOT NULL,
                enrolled   INTEGER NOT NULL,
                sent       INTEGER NOT NULL,
                opened     INTEGER NOT NULL,
                clicked    INTEGER NOT NULL,
                refused    INTEGER NOT NULL,
                owner      TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                deleted_at INTEGER
            ) STRICT;
            CREATE INDEX campaigns_by_created ON campaigns (created_at, id);",
        )?;
        crate::projection::project_all_of_kind(tx, fieldstone_doc::campaign::KIND, now_ms)
    }),
    // Version 14: property match (issue 17): the tables are `MATCH_TABLES`; the rebuild fills
    // them from the documents.
    Migration::Steps(|tx, _| {
        tx.execute_batch(MATCH_TABLES)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('rebuild_read_model', 1)",
            [],
        )?;
        Ok(())
    }),
];

/// Moves every document of a retired kind ([`fieldstone_doc::RETIRED_KINDS`]) into the
/// quarantine with the reason the kind was retired, with whatever was derived from it (unsent
/// changes, held changes, conflict markers). Kept, never shown or synced again: the person
/// stopped seeing these when the kind's screens went, and turning them into records of another
/// kind on every device at once would make copies, or conflicts on every field.
fn set_aside_retired_documents(tx: &Transaction<'_>, now_ms: i64) -> Result<(), ReplicaError> {
    for (kind, why) in fieldstone_doc::RETIRED_KINDS {
        let prefix = format!("{kind}:");
        tx.execute(
            "INSERT INTO quarantine (doc_id, kind, origin, format, bytes, reason, quarantined_at)
             SELECT doc_id, kind, 'device', 'document', bytes, ?2, ?3 FROM documents
             WHERE substr(doc_id, 1, length(?1)) = ?1",
            params![prefix, why, now_ms],
        )?;
        for table in ["outbox", "held_changes", "doc_conflicts", "documents"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE substr(doc_id, 1, length(?1)) = ?1"),
                [&prefix],
            )?;
        }
    }
    Ok(())
}

/// Brings the database to [`SCHEMA_VERSION`]; refuses one written by a newer build.
pub(crate) fn migrate(conn: &mut Connection, now_ms: i64) -> Result<(), ReplicaError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(ReplicaError::NewerDatabase {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let start = usize::try_from(found).unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(start) {
        let tx = conn.transaction()?;
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Steps(steps) => steps(&tx, now_ms)?,
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
