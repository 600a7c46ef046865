//! Contact lists: filters, sorts and keyset pages, all answered by SQLite (no document is
//! loaded), so memory does not grow with the number of contacts.

use chrono::{DateTime, Utc};
use fieldstone_model::{
    normalise_tag, ContactId, ContactKind, LeadSource, Priority, Stage, UserId, ValidationErrors,
};
use rusqlite::types::Value;
use rusqlite::Row;
use serde::{Deserialize, Serialize};

/// The most contacts one page may hold.
pub const CONTACT_PAGE_MAX: u32 = 200;

/// A closed-open time window `[from, to)`; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl TimeRange {
    fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

/// What a contact list is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    #[default]
    Updated,
    Created,
    Name,
    Score,
    /// Never-contacted contacts sort as the oldest.
    LastContacted,
}

impl SortField {
    /// The column expression (matching an index) the list is ordered by.
    fn column(self) -> &'static str {
        match self {
            SortField::Updated => "c.updated_at",
            SortField::Created => "c.created_at",
            SortField::Name => "c.sort_name",
            SortField::Score => "c.score",
            SortField::LastContacted => "coalesce(c.last_contacted_at, -1)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContactSort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for ContactSort {
    /// Most recently updated first.
    fn default() -> Self {
        Self {
            field: SortField::Updated,
            descending: true,
        }
    }
}

/// The sort value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    Int(i64),
    Text(String),
}

/// Where a page ended. The next page starts after it; it is only valid with the same sort.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: ContactSort,
    pub key: SortKey,
    pub id: ContactId,
}

/// Which contacts to list and in what order. Empty lists and `None` mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactQuery {
    /// Any of these stages.
    pub stages: Vec<Stage>,
    /// All of these tags (normalised like stored tags: trimmed, lower-cased, spaces folded).
    pub tags: Vec<String>,
    /// Any of these sources.
    pub sources: Vec<LeadSource>,
    /// Any of these kinds.
    pub kinds: Vec<ContactKind>,
    pub priorities: Vec<Priority>,
    pub owner: Option<UserId>,
    pub assigned_agent: Option<UserId>,
    pub created: TimeRange,
    pub updated: TimeRange,
    pub last_contacted: TimeRange,
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    pub include_deleted: bool,
    /// Words matched as prefixes of names, emails, phone numbers, handles and the contact's
    /// notes, all of which must match. Blank means no search filter.
    pub search: Option<String>,
    pub sort: ContactSort,
    /// 1..=[`CONTACT_PAGE_MAX`].
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for ContactQuery {
    fn default() -> Self {
        Self {
            stages: Vec::new(),
            tags: Vec::new(),
            sources: Vec::new(),
            kinds: Vec::new(),
            priorities: Vec::new(),
            owner: None,
            assigned_agent: None,
            created: TimeRange::default(),
            updated: TimeRange::default(),
            last_contacted: TimeRange::default(),
            min_score: None,
            max_score: None,
            include_deleted: false,
            search: None,
            sort: ContactSort::default(),
            limit: 50,
            after: None,
        }
    }
}

/// One row of a contact list: the read model's columns plus the tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSummary {
    pub id: ContactId,
    pub display_name: String,
    pub primary_email: Option<String>,
    pub primary_phone: Option<String>,
    pub stage: Stage,
    pub kind: ContactKind,
    pub source: LeadSource,
    pub priority: Priority,
    pub score: u8,
    pub owner: UserId,
    pub assigned_agent: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Sorted.
    pub tags: Vec<String>,
}

impl ContactSummary {
    fn sort_key(&self, field: SortField) -> SortKey {
        match field {
            SortField::Updated => SortKey::Int(self.updated_at.timestamp_millis()),
            SortField::Created => SortKey::Int(self.created_at.timestamp_millis()),
            SortField::Name => SortKey::Text(self.display_name.to_lowercase()),
            SortField::Score => SortKey::Int(i64::from(self.score)),
            SortField::LastContacted => {
                SortKey::Int(self.last_contacted_at.map_or(-1, |t| t.timestamp_millis()))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub items: Vec<ContactSummary>,
    /// Pass as `after` for the next page; `None` when this page is the last.
    pub next: Option<Cursor>,
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "c.id, c.display_name, c.primary_email, c.primary_phone, c.stage, c.kind,
     c.source, c.priority, c.score, c.owner, c.assigned_agent, c.created_at, c.updated_at,
     c.last_contacted_at, c.deleted_at,
     (SELECT group_concat(t.tag, char(31)) FROM contact_tags t WHERE t.contact_id = c.id)";

/// How one side of a search (contact fields, note bodies) is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Collect the matches and let SQLite sort them: costs as much as there are matches.
    Collect,
    /// Walk the list in its sort order (stopping after a page), testing each row against the
    /// matches collected once.
    WalkList,
    /// Walk the list in its sort order, looking each row up in the search index: for matches
    /// too many to collect cheaply (one letter or digit typed; a word in most notes).
    WalkCheck,
}

/// How a search is answered, chosen per query from how many matches each side has, so the
/// first keystrokes and a rare name are both fast at 100k contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SearchPlan {
    pub contacts: Side,
    pub notes: Side,
}

impl SearchPlan {
    pub(crate) const SPARSE: SearchPlan = SearchPlan {
        contacts: Side::Collect,
        notes: Side::Collect,
    };

    fn walks(self) -> bool {
        self.contacts != Side::Collect
    }
}

/// From this many matches (on either side) a search walks the sort order.
pub(crate) const DENSE_MATCHES: i64 = 1_500;
/// From this many contact matches, rows walked are looked up one by one.
pub(crate) const VERY_DENSE_MATCHES: i64 = 20_000;

/// Which plan suits `query`: counts its matches on each side, stopping at the thresholds.
pub(crate) fn plan_for(
    conn: &rusqlite::Connection,
    query: &ContactQuery,
) -> rusqlite::Result<SearchPlan> {
    let Some(search) = query.search.as_deref().and_then(fts_query) else {
        return Ok(SearchPlan::SPARSE);
    };
    let notes = query.search.as_deref().and_then(notes_fts_query);
    let (contacts, notes): (i64, i64) = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM contacts_fts WHERE contacts_fts MATCH ?1 LIMIT ?4)),
                    CASE WHEN ?2 IS NULL THEN 0 ELSE
                    (SELECT count(*) FROM (SELECT 1 FROM notes_fts WHERE notes_fts MATCH ?2 LIMIT ?3)) END",
        )?
        .query_row(
            rusqlite::params![search, notes, DENSE_MATCHES, VERY_DENSE_MATCHES],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    if contacts + notes < DENSE_MATCHES {
        return Ok(SearchPlan::SPARSE);
    }
    Ok(SearchPlan {
        contacts: if contacts >= VERY_DENSE_MATCHES {
            Side::WalkCheck
        } else {
            Side::WalkList
        },
        notes: if notes >= DENSE_MATCHES {
            Side::WalkCheck
        } else {
            Side::WalkList
        },
    })
}

/// A `WHERE` clause and its arguments, built up filter by filter.
#[derive(Default)]
pub(crate) struct Filter {
    pub sql: String,
    pub args: Vec<Value>,
}

impl Filter {
    fn arg(&mut self, value: Value) -> String {
        self.args.push(value);
        format!("?{}", self.args.len())
    }

    fn any_of(&mut self, column: &str, values: impl IntoIterator<Item = String>) {
        let placeholders: Vec<String> = values
            .into_iter()
            .map(|v| self.arg(Value::Text(v)))
            .collect();
        if !placeholders.is_empty() {
            self.sql
                .push_str(&format!(" AND {column} IN ({})", placeholders.join(", ")));
        }
    }

    fn range(&mut self, column: &str, range: &TimeRange) {
        if range.is_open() {
            return;
        }
        if let Some(from) = range.from {
            let p = self.arg(Value::Integer(from.timestamp_millis()));
            self.sql.push_str(&format!(" AND {column} >= {p}"));
        }
        if let Some(to) = range.to {
            let p = self.arg(Value::Integer(to.timestamp_millis()));
            self.sql.push_str(&format!(" AND {column} < {p}"));
        }
    }

    /// Every filter of `query` except paging and sort.
    pub(crate) fn of(query: &ContactQuery) -> Filter {
        Self::with_plan(query, SearchPlan::SPARSE)
    }

    /// Like [`Filter::of`], with the search terms written for `plan`.
    pub(crate) fn with_plan(query: &ContactQuery, plan: SearchPlan) -> Filter {
        let mut f = Filter {
            sql: String::from(" WHERE 1 = 1"),
            args: Vec::new(),
        };
        if !query.include_deleted {
            f.sql.push_str(" AND c.deleted_at IS NULL");
        }
        f.any_of(
            "c.stage",
            query.stages.iter().map(|s| s.as_str().to_owned()),
        );
        f.any_of(
            "c.source",
            query.sources.iter().map(|s| s.as_str().to_owned()),
        );
        f.any_of("c.kind", query.kinds.iter().map(|s| s.as_str().to_owned()));
        f.any_of(
            "c.priority",
            query.priorities.iter().map(|s| s.as_str().to_owned()),
        );
        f.any_of("c.owner", query.owner.iter().map(ToString::to_string));
        f.any_of(
            "c.assigned_agent",
            query.assigned_agent.iter().map(ToString::to_string),
        );
        for tag in &query.tags {
            let p = f.arg(Value::Text(normalise_tag(tag)));
            f.sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = {p})"
            ));
        }
        f.range("c.created_at", &query.created);
        f.range("c.updated_at", &query.updated);
        f.range("c.last_contacted_at", &query.last_contacted);
        if let Some(min) = query.min_score {
            let p = f.arg(Value::Integer(i64::from(min)));
            f.sql.push_str(&format!(" AND c.score >= {p}"));
        }
        if let Some(max) = query.max_score {
            let p = f.arg(Value::Integer(i64::from(max)));
            f.sql.push_str(&format!(" AND c.score <= {p}"));
        }
        if let Some(search) = query.search.as_deref().and_then(fts_query) {
            let p = f.arg(Value::Text(search));
            // A unary `+` stops SQLite driving the query from the search results, so it walks
            // the sort order's index instead and stops after a page.
            let hint = if plan.walks() { "+" } else { "" };
            let contacts = match plan.contacts {
                Side::WalkCheck => format!(
                    "EXISTS (SELECT 1 FROM contacts_fts f WHERE contacts_fts MATCH {p} AND f.rowid = c.seq)"
                ),
                _ => format!(
                    "{hint}c.seq IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH {p})"
                ),
            };
            match query.search.as_deref().and_then(notes_fts_query) {
                Some(notes) => {
                    let n = f.arg(Value::Text(notes));
                    let matching = format!("SELECT rowid FROM notes_fts WHERE notes_fts MATCH {n}");
                    // Walking in order, each row's notes are checked against the matching notes
                    // (collected once); sorting, the matching notes' contacts are collected.
                    let notes = match plan.notes {
                        Side::Collect | Side::WalkList => format!(
                            "{hint}c.id IN (SELECT n.record_id FROM notes n
                               WHERE n.deleted_at IS NULL AND n.record_kind = 'contact'
                                 AND n.seq IN ({matching}))"
                        ),
                        Side::WalkCheck => format!(
                            "EXISTS (SELECT 1 FROM notes n
                               WHERE n.record_id = c.id AND n.record_kind = 'contact'
                                 AND n.deleted_at IS NULL AND n.seq IN ({matching}))"
                        ),
                    };
                    f.sql.push_str(&format!(" AND ({contacts} OR {notes})"));
                }
                None => f.sql.push_str(&format!(" AND {contacts}")),
            }
        }
        f
    }
}

/// Checks a query's page size and cursor.
pub(crate) fn check(query: &ContactQuery) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if query.limit == 0 || query.limit > CONTACT_PAGE_MAX {
        errors.push(
            "limit",
            format!("A page holds 1 to {CONTACT_PAGE_MAX} contacts."),
        );
    }
    if let Some(after) = &query.after {
        let text = matches!(after.key, SortKey::Text(_));
        if after.sort != query.sort || text != (query.sort.field == SortField::Name) {
            errors.push(
                "after",
                "This page position belongs to a different sort order; start from the first page.",
            );
        }
    }
    errors.into_result()
}

/// The `SELECT` for one page of `query` (one row more than the limit, to see if more follow).
pub(crate) fn page_sql(query: &ContactQuery, plan: SearchPlan) -> (String, Vec<Value>) {
    let mut f = Filter::with_plan(query, plan);
    let column = query.sort.field.column();
    let (cmp, dir) = if query.sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = &query.after {
        let key = f.arg(match &after.key {
            SortKey::Int(i) => Value::Integer(*i),
            SortKey::Text(t) => Value::Text(t.clone()),
        });
        let id = f.arg(Value::Text(after.id.to_string()));
        f.sql.push_str(&format!(
            " AND ({column} {cmp} {key} OR ({column} = {key} AND c.id {cmp} {id}))"
        ));
    }
    let limit = f.arg(Value::Integer(i64::from(query.limit) + 1));
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM contacts c{} ORDER BY {column} {dir}, c.id {dir} LIMIT {limit}",
        f.sql
    );
    (sql, f.args)
}

/// Cuts the extra row off and makes the cursor for the next page.
pub(crate) fn into_page(query: &ContactQuery, mut items: Vec<ContactSummary>) -> ContactPage {
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| Cursor {
            sort: query.sort,
            key: last.sort_key(query.sort.field),
            id: last.id,
        })
    } else {
        None
    };
    ContactPage { items, next }
}

/// The user's search text as an FTS5 query: each word a quoted prefix term, all AND-ed. `None`
/// when there is nothing to search for (blank, or only punctuation).
/// Words shorter than this do not search note bodies: one or two letters typed into the search
/// box match names, emails and numbers at once, while matching them against every note would
/// flood the list with noise (and cost a scan of most of the notes index).
pub const NOTE_SEARCH_MIN_CHARS: usize = 3;

/// The search text as a query of note bodies, or `None` if any word is too short for notes.
pub(crate) fn notes_fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .collect();
    if words
        .iter()
        .any(|w| w.chars().filter(|c| c.is_alphanumeric()).count() < NOTE_SEARCH_MIN_CHARS)
    {
        return None;
    }
    fts_query(text)
}

pub(crate) fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

pub(crate) fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ContactSummary> {
    use crate::rows::{parsed, required_time, time};
    let assigned_agent = row
        .get::<_, Option<String>>(10)?
        .map(|a| a.parse().map_err(|e| crate::rows::bad(10, e)))
        .transpose()?;
    let tags = row
        .get::<_, Option<String>>(15)?
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
        score: row.get(8)?,
        owner: parsed(row, 9)?,
        assigned_agent,
        created_at: required_time(row, 11)?,
        updated_at: required_time(row, 12)?,
        last_contacted_at: time(row, 13)?,
        deleted_at: time(row, 14)?,
        tags,
    })
}

#[cfg(test)]
mod tests;
