//! Contacts: writes go document → read model (row, tags, search index) → outbox in one
//! transaction. A single contact is read from its document; lists and search use SQLite.

use crate::error::ReplicaError;
use crate::store::{enqueue, load_doc, save_doc, Replica};
use automerge::AutoCommit;
use chrono::{DateTime, Utc};
use fieldstone_doc::contact as contact_doc;
use fieldstone_model::{
    normalise_tag, Contact, ContactId, ContactInput, ContactKind, LeadSource, Priority, SoftDelete,
    Stage, UserId, ValidationErrors,
};
use fieldstone_protocol::DocId;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};

/// The most contacts one page may hold.
pub const CONTACT_PAGE_MAX: u32 = 200;

pub fn contact_doc_id(id: &ContactId) -> Result<DocId, ReplicaError> {
    DocId::new(contact_doc::KIND, id)
        .map_err(|e| ReplicaError::doc(&e.0, fieldstone_doc::DocError::InvalidValue(e.to_string())))
}

/// Where a page ended: the last contact's `updated_at` and id. The next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub updated_at_ms: i64,
    pub id: ContactId,
}

/// Which contacts to list, most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    pub stage: Option<Stage>,
    /// Normalised like stored tags (trimmed, lower-cased, inner spaces folded).
    pub tag: Option<String>,
    pub include_deleted: bool,
    /// Words matched as prefixes of names, emails and phone numbers, all of which must match.
    /// Blank means no search filter.
    pub search: Option<String>,
    /// 1..=[`CONTACT_PAGE_MAX`].
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self {
            stage: None,
            tag: None,
            include_deleted: false,
            search: None,
            limit: 50,
            after: None,
        }
    }
}

/// One row of a contact list: the read model's columns plus the tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSummary {
    pub id: ContactId,
    pub display_name: String,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub stage: Stage,
    pub kind: ContactKind,
    pub source: LeadSource,
    pub priority: Priority,
    pub owner: UserId,
    pub assigned_agent: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Sorted.
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Pass as `after` for the next page; `None` when this page is the last.
    pub next: Option<Cursor>,
}

impl Replica {
    /// Validates `input`, then stores the new contact durably (document, read model, search
    /// index and outbox in one transaction).
    pub fn create_contact(
        &self,
        input: &ContactInput,
        by: UserId,
    ) -> Result<Contact, ReplicaError> {
        let input = input.validate()?;
        let now = self.now_ms();
        let contact = Contact::create(ContactId::from_uuid(uuid::Uuid::new_v4()), input, by, now);
        let doc_id = contact_doc_id(&contact.id)?;
        let (mut doc, change) = contact_doc::create(self.actor().clone(), &contact)
            .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        save_doc(&tx, &doc_id, &mut doc, now.timestamp_millis())?;
        project_contact(&tx, &contact)?;
        enqueue(&tx, &doc_id, &change)?;
        tx.commit()?;
        Ok(contact)
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
        self.modify_contact(id, |contact, now| {
            contact.apply(input, now, by);
            true
        })
    }

    /// Hides contact `id` from lists (it stays stored and can be restored). Deleting again keeps
    /// the first deletion time and writes nothing.
    pub fn soft_delete_contact(&self, id: &ContactId) -> Result<Contact, ReplicaError> {
        self.modify_contact(id, |contact, now| {
            if contact.is_deleted() {
                return false;
            }
            contact.soft_delete(now);
            contact.updated_at = now;
            true
        })
    }

    /// Undoes [`Replica::soft_delete_contact`]; restoring a contact that is not deleted writes
    /// nothing.
    pub fn restore_contact(&self, id: &ContactId) -> Result<Contact, ReplicaError> {
        self.modify_contact(id, |contact, now| {
            if !contact.is_deleted() {
                return false;
            }
            contact.restore();
            contact.updated_at = now;
            true
        })
    }

    /// The full contact, read from its document (deleted ones included).
    pub fn get_contact(&self, id: &ContactId) -> Result<Option<Contact>, ReplicaError> {
        let doc_id = contact_doc_id(id)?;
        let conn = self.conn();
        load_doc(&conn, &doc_id, self.actor())?
            .map(|doc| contact_doc::read(&doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e)))
            .transpose()
    }

    /// One page of contacts, most recently updated first (ties by id, descending).
    pub fn list_contacts(&self, query: &ContactQuery) -> Result<ContactPage, ReplicaError> {
        if query.limit == 0 || query.limit > CONTACT_PAGE_MAX {
            let mut errors = ValidationErrors::default();
            errors.push(
                "limit",
                format!("A page holds 1 to {CONTACT_PAGE_MAX} contacts."),
            );
            return Err(errors.into());
        }
        let mut sql = String::from(
            "SELECT c.id, c.display_name, c.primary_email, c.primary_phone, c.stage, c.kind,
                    c.source, c.priority, c.owner, c.assigned_agent, c.created_at, c.updated_at,
                    c.last_contacted_at, c.deleted_at,
                    (SELECT group_concat(t.tag, char(31)) FROM contact_tags t
                     WHERE t.contact_id = c.id)
             FROM contacts c WHERE 1 = 1",
        );
        let mut args: Vec<Value> = Vec::new();
        if !query.include_deleted {
            sql.push_str(" AND c.deleted_at IS NULL");
        }
        if let Some(stage) = query.stage {
            args.push(Value::Text(stage.as_str().to_owned()));
            sql.push_str(&format!(" AND c.stage = ?{}", args.len()));
        }
        if let Some(tag) = &query.tag {
            args.push(Value::Text(normalise_tag(tag)));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = ?{})",
                args.len()
            ));
        }
        if let Some(search) = query.search.as_deref().and_then(fts_query) {
            args.push(Value::Text(search));
            sql.push_str(&format!(
                " AND c.id IN (SELECT contact_id FROM contacts_fts WHERE contacts_fts MATCH ?{})",
                args.len()
            ));
        }
        if let Some(after) = &query.after {
            args.push(Value::Integer(after.updated_at_ms));
            args.push(Value::Text(after.id.to_string()));
            let (u, i) = (args.len() - 1, args.len());
            sql.push_str(&format!(
                " AND (c.updated_at < ?{u} OR (c.updated_at = ?{u} AND c.id < ?{i}))"
            ));
        }
        // One more than asked, to know whether another page follows.
        args.push(Value::Integer(i64::from(query.limit) + 1));
        sql.push_str(&format!(
            " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?{}",
            args.len()
        ));
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let mut items = stmt
            .query_map(params_from_iter(args), summary_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| Cursor {
                updated_at_ms: last.updated_at.timestamp_millis(),
                id: last.id,
            })
        } else {
            None
        };
        Ok(ContactPage { items, next })
    }

    /// Loads contact `id`'s document, lets `change` edit the contact (returning whether it did),
    /// and if so writes document, read model and outbox in one transaction.
    fn modify_contact(
        &self,
        id: &ContactId,
        change: impl FnOnce(&mut Contact, DateTime<Utc>) -> bool,
    ) -> Result<Contact, ReplicaError> {
        let now = self.now_ms();
        let doc_id = contact_doc_id(id)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut doc =
            load_doc(&tx, &doc_id, self.actor())?.ok_or_else(|| ReplicaError::NotFound {
                what: format!("contact {id}"),
            })?;
        let mut contact =
            contact_doc::read(&doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
        if !change(&mut contact, now) {
            return Ok(contact);
        }
        let written = contact_doc::update(&mut doc, &contact)
            .map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
        if let Some(written) = written {
            save_doc(&tx, &doc_id, &mut doc, now.timestamp_millis())?;
            project_contact(&tx, &contact)?;
            enqueue(&tx, &doc_id, &written)?;
            tx.commit()?;
        }
        Ok(contact)
    }
}

/// Re-projects a contact document into the read model after remote changes were merged into it.
pub(crate) fn project(
    conn: &Connection,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<(), ReplicaError> {
    let contact = contact_doc::read(doc).map_err(|e| ReplicaError::doc(doc_id.as_str(), e))?;
    project_contact(conn, &contact)
}

/// Writes the contact's list row, tags and search entry (replacing what was there).
fn project_contact(conn: &Connection, c: &Contact) -> Result<(), ReplicaError> {
    let id = c.id.to_string();
    conn.execute(
        "INSERT INTO contacts (id, display_name, primary_email, primary_phone, stage, kind, source,
           priority, owner, assigned_agent, created_at, updated_at, last_contacted_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
           primary_email = excluded.primary_email, primary_phone = excluded.primary_phone,
           stage = excluded.stage, kind = excluded.kind, source = excluded.source,
           priority = excluded.priority, owner = excluded.owner,
           assigned_agent = excluded.assigned_agent, created_at = excluded.created_at,
           updated_at = excluded.updated_at, last_contacted_at = excluded.last_contacted_at,
           deleted_at = excluded.deleted_at",
        params![
            id,
            c.display_name(),
            c.primary_email().map(|e| e.address.as_str()),
            c.primary_phone().map(|p| p.number.as_str()),
            c.stage.as_str(),
            c.kind.as_str(),
            c.source.as_str(),
            c.priority.as_str(),
            c.owner.to_string(),
            c.assigned_agent.map(|a| a.to_string()),
            c.created_at.timestamp_millis(),
            c.updated_at.timestamp_millis(),
            c.last_contacted_at.map(|t| t.timestamp_millis()),
            c.deleted_at.map(|t| t.timestamp_millis()),
        ],
    )?;
    conn.execute("DELETE FROM contact_tags WHERE contact_id = ?1", [&id])?;
    {
        let mut insert =
            conn.prepare_cached("INSERT INTO contact_tags (contact_id, tag) VALUES (?1, ?2)")?;
        for tag in &c.tags {
            insert.execute(params![id, tag])?;
        }
    }
    conn.execute("DELETE FROM contacts_fts WHERE contact_id = ?1", [&id])?;
    let names = [c.given_name.as_str(), c.family_name.as_str()].join(" ");
    let emails = c
        .emails
        .iter()
        .map(|e| e.address.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let phones = c
        .phones
        .iter()
        .map(|p| phone_terms(&p.number))
        .collect::<Vec<_>>()
        .join(" ");
    conn.execute(
        "INSERT INTO contacts_fts (contact_id, names, emails, phones) VALUES (?1, ?2, ?3, ?4)",
        params![id, names, emails, phones],
    )?;
    Ok(())
}

/// A phone number as typed, then every tail of its digits (at least two long), so a prefix
/// search finds any run of digits: "5550" finds "+1 555 0100" through "5550100".
fn phone_terms(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let mut terms = vec![number.to_owned()];
    for start in 0..digits.len().saturating_sub(1) {
        terms.push(digits[start..].iter().collect());
    }
    terms.join(" ")
}

/// The user's search text as an FTS5 query: each word a quoted prefix term, all AND-ed. `None`
/// when there is nothing to search for (blank, or only punctuation).
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ContactSummary> {
    fn bad(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
        rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, Box::new(e))
    }
    fn parsed<T: std::str::FromStr>(row: &Row<'_>, col: usize) -> rusqlite::Result<T>
    where
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        row.get::<_, String>(col)?.parse().map_err(|e| bad(col, e))
    }
    let time = |col: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        row.get::<_, Option<i64>>(col)?
            .map(|ms| {
                DateTime::from_timestamp_millis(ms)
                    .ok_or(rusqlite::Error::IntegralValueOutOfRange(col, ms))
            })
            .transpose()
    };
    let required = |col: usize| -> rusqlite::Result<DateTime<Utc>> {
        time(col)?.ok_or(rusqlite::Error::InvalidColumnType(
            col,
            "NULL".into(),
            rusqlite::types::Type::Null,
        ))
    };
    let assigned_agent = row
        .get::<_, Option<String>>(9)?
        .map(|a| a.parse().map_err(|e| bad(9, e)))
        .transpose()?;
    let tags = row
        .get::<_, Option<String>>(14)?
        .map(|t| {
            let mut tags: Vec<String> = t.split('\u{1f}').map(str::to_owned).collect();
            tags.sort();
            tags
        })
        .unwrap_or_default();
    Ok(ContactSummary {
        id: parsed(row, 0)?,
        display_name: row.get(1)?,
        primary_email: row.get(2)?,
        primary_phone: row.get(3)?,
        stage: parsed(row, 4)?,
        kind: parsed(row, 5)?,
        source: parsed(row, 6)?,
        priority: parsed(row, 7)?,
        owner: parsed(row, 8)?,
        assigned_agent,
        created_at: required(10)?,
        updated_at: required(11)?,
        last_contacted_at: time(12)?,
        deleted_at: time(13)?,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_become_quoted_prefix_terms() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("- ,"), None);
        assert_eq!(
            fts_query(r#"ada "lov"#).as_deref(),
            Some(r#""ada"* AND """lov"*"#)
        );
    }

    #[test]
    fn phone_terms_include_every_digit_tail() {
        assert_eq!(phone_terms("+1 555"), "+1 555 1555 555 55");
    }
}
