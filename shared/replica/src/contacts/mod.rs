//! Contacts: writes go document → read model (row, tags, match keys, search index) → outbox in
//! one transaction. A single contact is read from its document; lists and search use SQLite.

mod project;
mod query;

pub(crate) use project::project_contact;
pub(crate) use query::{fts_query, summary_from_row, SUMMARY_COLUMNS};
pub use query::{
    ContactPage, ContactQuery, ContactSort, ContactSummary, Cursor, SortField, SortKey, TimeRange,
    CONTACT_PAGE_MAX, NOTE_SEARCH_MIN_CHARS,
};

use crate::error::ReplicaError;
use crate::records::{self, Record};
use crate::store::Replica;
use automerge::{ActorId, AutoCommit, Change};
use chrono::{DateTime, Utc};
use fieldstone_doc::{contact as contact_doc, DocError};
use fieldstone_model::{normalise_tag, Contact, ContactId, ContactInput, MatchKey, Stage, UserId};
use fieldstone_protocol::views::CustomFieldName;
use fieldstone_protocol::DocId;
use rusqlite::{params_from_iter, Connection};

impl Record for Contact {
    const KIND: &'static str = contact_doc::KIND;
    const TABLES: records::Tables = records::Tables {
        main: "contacts",
        children: &[
            ("contact_tags", "contact_id"),
            ("contact_keys", "contact_id"),
            ("contact_custom", "contact_id"),
            ("buyer_wishes", "contact_id"),
        ],
        search: Some(("contacts_fts", "f.names, f.emails, f.phones")),
    };
    type Id = ContactId;

    fn id(&self) -> ContactId {
        self.id
    }
    fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    fn set_updated_at(&mut self, at: DateTime<Utc>) {
        self.updated_at = at;
    }
    fn create_doc(actor: ActorId, record: &Self) -> Result<(AutoCommit, Change), DocError> {
        contact_doc::create(actor, record)
    }
    fn update_doc(doc: &mut AutoCommit, record: &Self) -> Result<Option<Change>, DocError> {
        contact_doc::update(doc, record)
    }
    fn read_doc(doc: &AutoCommit) -> Result<Self, DocError> {
        contact_doc::read(doc)
    }
    fn project(conn: &Connection, record: &Self) -> Result<(), ReplicaError> {
        project_contact(conn, record)
    }
}

pub fn contact_doc_id(id: &ContactId) -> Result<DocId, ReplicaError> {
    records::doc_id(contact_doc::KIND, id)
}

impl Replica {
    /// Validates `input`, then stores the new contact durably (document, read model, search
    /// index and outbox in one transaction).
    pub fn create_contact(
        &self,
        input: &ContactInput,
        by: UserId,
    ) -> Result<Contact, ReplicaError> {
        self.batch(|b| b.create_contact(input, by))
    }

    /// Replaces the editable fields of contact `id` with `input` (a stage change is recorded in
    /// its history as made by `by`).
    pub fn update_contact(
        &self,
        id: &ContactId,
        input: &ContactInput,
        by: UserId,
    ) -> Result<Contact, ReplicaError> {
        let input = input.validate()?;
        self.write(|tx, now| {
            records::modify::<Contact>(tx, self.actor(), *id, now, |contact| {
                Ok(records::edit_changes(contact, now, |c| {
                    c.apply(input, now, by)
                }))
            })
        })
    }

    /// Moves contact `id` to `stage` (recorded in its history as made by `by`); the same stage
    /// writes nothing.
    pub fn set_contact_stage(
        &self,
        id: &ContactId,
        stage: Stage,
        by: UserId,
    ) -> Result<Contact, ReplicaError> {
        self.write(|tx, now| {
            records::modify::<Contact>(tx, self.actor(), *id, now, |contact| {
                let changed = contact.set_stage(stage, now, by);
                if changed {
                    contact.updated_at = now;
                }
                Ok(changed)
            })
        })
    }

    /// Adds and removes tags on contact `id` (tags are a set: concurrent adds on two devices
    /// both survive). Nothing changes if the contact already has exactly that.
    pub fn tag_contact(
        &self,
        id: &ContactId,
        add: &[String],
        remove: &[String],
    ) -> Result<Contact, ReplicaError> {
        self.write(|tx, now| {
            records::modify::<Contact>(tx, self.actor(), *id, now, |contact| {
                let remove: Vec<String> = remove.iter().map(|t| normalise_tag(t)).collect();
                let mut tags: Vec<String> = contact
                    .tags
                    .iter()
                    .filter(|t| !remove.contains(t))
                    .cloned()
                    .collect();
                tags.extend(add.iter().cloned());
                // The same rules as the edit form (tag length, characters, how many).
                let checked = ContactInput {
                    tags,
                    ..contact.to_input()
                }
                .validate()?
                .into_inner()
                .tags;
                let before = std::mem::replace(&mut contact.tags, checked.into_iter().collect());
                let changed = contact.tags != before;
                if changed {
                    contact.updated_at = now;
                }
                Ok(changed)
            })
        })
    }

    /// Hides contact `id` from lists (it stays stored and can be restored). Deleting again keeps
    /// the first deletion time and writes nothing.
    pub fn soft_delete_contact(&self, id: &ContactId) -> Result<Contact, ReplicaError> {
        self.set_deleted::<Contact>(*id, true)
    }

    /// Undoes [`Replica::soft_delete_contact`]; restoring a contact that is not deleted writes
    /// nothing.
    pub fn restore_contact(&self, id: &ContactId) -> Result<Contact, ReplicaError> {
        self.set_deleted::<Contact>(*id, false)
    }

    /// The full contact, read from its document (deleted ones included).
    pub fn get_contact(&self, id: &ContactId) -> Result<Option<Contact>, ReplicaError> {
        self.read::<Contact>(*id)
    }

    /// One page of contacts in the query's order (ties broken by id).
    pub fn list_contacts(&self, query: &ContactQuery) -> Result<ContactPage, ReplicaError> {
        query::check(query)?;
        // Scores decay with the days (recency): the first list of a new day rescores everyone.
        // A failure there is logged, not shown: yesterday's scores still list.
        if let Err(e) = self.rescore_if_new_day() {
            tracing::warn!(error = %e, "the day's rescore of lead scores failed");
        }
        let conn = self.reader();
        let plan = query::plan_for(&conn, query)?;
        let (sql, args) = query::page_sql(query, plan);
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut items = stmt
            .query_map(params_from_iter(args), summary_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        query::fill_next_steps(&conn, &mut items)?;
        Ok(query::into_page(query, items))
    }

    /// How many contacts match the query's filters (its sort and page are ignored).
    pub fn count_contacts(&self, query: &ContactQuery) -> Result<u64, ReplicaError> {
        query::check_filters(query)?;
        let f = query::Filter::of(query);
        let conn = self.reader();
        let n: i64 = conn
            .prepare_cached(&format!("SELECT count(*) FROM contacts c{}", f.sql))?
            .query_row(params_from_iter(f.args), |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Contacts matching the query's filters, counted per stage (every stage listed, in
    /// pipeline order), for a kanban's column headers.
    pub fn stage_counts(&self, query: &ContactQuery) -> Result<Vec<(Stage, u64)>, ReplicaError> {
        Ok(self
            .stage_totals(query)?
            .into_iter()
            .map(|t| (t.stage, t.count))
            .collect())
    }

    /// Per stage (every stage, in pipeline order): how many contacts match `query` and the sum
    /// of their budgets (each contact's maximum, else its minimum; none counts as nothing).
    pub fn stage_totals(&self, query: &ContactQuery) -> Result<Vec<StageTotal>, ReplicaError> {
        query::check_filters(query)?;
        let f = query::Filter::of(query);
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT c.stage, count(*), total(c.budget) FROM contacts c{} GROUP BY c.stage",
            f.sql
        ))?;
        let mut totals: Vec<StageTotal> = Stage::ALL
            .iter()
            .map(|s| StageTotal {
                stage: *s,
                count: 0,
                budget: 0,
            })
            .collect();
        let rows = stmt.query_map(params_from_iter(f.args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, f64>(2)?,
            ))
        })?;
        for row in rows {
            let (stage, n, budget) = row?;
            if let Some(slot) = totals.iter_mut().find(|t| t.stage.as_str() == stage) {
                slot.count = u64::try_from(n).unwrap_or(0);
                // total() sums in floating point; budgets are whole units far below 2^53
                // each, and a column's sum is shown rounded anyway.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                {
                    slot.budget = budget.max(0.0).round() as u64;
                }
            }
        }
        Ok(totals)
    }

    /// The custom field names on contacts not deleted, once per name (ignoring case) and
    /// type, the most used first, at most `limit`.
    pub fn custom_field_names(&self, limit: u32) -> Result<Vec<CustomFieldName>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT min(cc.key), cc.kind, count(*) FROM contact_custom cc
             JOIN contacts c ON c.id = cc.contact_id
             WHERE c.deleted_at IS NULL
             GROUP BY cc.key_lower, cc.kind
             ORDER BY count(*) DESC, cc.key_lower, cc.kind
             LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(CustomFieldName {
                key: r.get(0)?,
                field_type: crate::rows::parsed(r, 1)?,
                contacts: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Contacts (not deleted) sharing `key`, oldest first.
    pub fn contacts_with_key(&self, key: &MatchKey) -> Result<Vec<ContactId>, ReplicaError> {
        let conn = self.reader();
        contacts_with_key(&conn, key)
    }
}

pub(crate) fn contacts_with_key(
    conn: &Connection,
    key: &MatchKey,
) -> Result<Vec<ContactId>, ReplicaError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM contact_keys k JOIN contacts c ON c.id = k.contact_id
         WHERE k.kind = ?1 AND k.value = ?2 AND c.deleted_at IS NULL
         ORDER BY c.created_at, c.id",
    )?;
    let rows = stmt.query_map([key.kind(), key.value()], |r| {
        crate::rows::parsed::<ContactId>(r, 0)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One pipeline column's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageTotal {
    pub stage: Stage,
    pub count: u64,
    /// Budgets summed, in whole currency units.
    pub budget: u64,
}
