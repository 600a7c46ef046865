//! Contact lists: filters, sorts and keyset pages, all answered by SQLite (no document is
//! loaded), so memory does not grow with the number of contacts.

use fieldstone_model::{normalise_tag, ValidationErrors};
use rusqlite::types::Value;
use rusqlite::Row;

pub use fieldstone_protocol::views::{
    ContactPage, ContactQuery, ContactSort, ContactSummary, Cursor, SortField, SortKey, TimeRange,
    CONTACT_PAGE_MAX,
};

mod custom;

/// The column expression (matching an index) a list sorted by `field` is ordered by.
fn sort_column(field: SortField) -> &'static str {
    match field {
        SortField::Updated => "c.updated_at",
        SortField::Created => "c.created_at",
        SortField::Name => "c.sort_name",
        SortField::Score => "c.score",
        SortField::LastContacted => "coalesce(c.last_contacted_at, -1)",
    }
}

/// `row`'s value of [`sort_column`] (what a cursor after it holds).
fn sort_key(row: &ContactSummary, field: SortField) -> SortKey {
    match field {
        SortField::Updated => SortKey::Int(row.updated_at.timestamp_millis()),
        SortField::Created => SortKey::Int(row.created_at.timestamp_millis()),
        SortField::Name => SortKey::Text(row.display_name.to_lowercase()),
        SortField::Score => SortKey::Int(i64::from(row.score)),
        SortField::LastContacted => {
            SortKey::Int(row.last_contacted_at.map_or(-1, |t| t.timestamp_millis()))
        }
    }
}

pub(crate) const SUMMARY_COLUMNS: &str =
    "c.id, c.display_name, c.primary_email, c.primary_phone, c.stage, c.kind,
     c.source, c.priority, c.score, c.owner, c.assigned_agent, c.created_at, c.updated_at,
     c.last_contacted_at, c.deleted_at,
     (SELECT group_concat(t.tag, char(31)) FROM contact_tags t WHERE t.contact_id = c.id),
     c.budget, c.stage_since";

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
        if query.mine_only {
            f.sql.push_str(" AND ");
            f.sql
                .push_str(&crate::mine::sql(fieldstone_doc::contact::KIND, "c.id"));
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
        custom::push(&mut f, &query.custom);
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

/// Checks a query's filters (what counts and sums run on too).
pub(crate) fn check_filters(query: &ContactQuery) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    custom::check(&mut errors, &query.custom);
    errors.into_result()
}

/// Checks a query's filters, page size and cursor.
pub(crate) fn check(query: &ContactQuery) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    custom::check(&mut errors, &query.custom);
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

/// The index a page walks in its sort order, when SQLite would choose worse. Today's call lists
/// ("hot, best first" and "least recently contacted", each over the open stages) are read by
/// SQLite through the stage index, sorting every match with its tags for a page of 25: 32 and
/// 40 ms at 100k, against well under a millisecond walking the sort's index and stopping
/// after a page. Only for such lists — stages and a score floor at most, no search — where
/// most rows pass the test: a rare tag or a search matching a few contacts would make the walk
/// read most of the index. (Statistics from ANALYZE fixed these two and slowed the pipeline
/// and the duplicate search, so the choice is made here, for these lists alone.)
fn sort_index(query: &ContactQuery) -> &'static str {
    let broad = query.search.is_none()
        && query.tags.is_empty()
        && query.sources.is_empty()
        && query.kinds.is_empty()
        && query.priorities.is_empty()
        && query.owner.is_none()
        && query.assigned_agent.is_none()
        && query.created.is_open()
        && query.updated.is_open()
        && query.last_contacted.is_open()
        && query.max_score.is_none()
        && query.custom.is_empty();
    match query.sort.field {
        SortField::LastContacted if broad && query.min_score.is_none() => {
            " INDEXED BY contacts_by_contacted"
        }
        SortField::Score if broad => " INDEXED BY contacts_by_score",
        _ => "",
    }
}

/// The `SELECT` for one page of `query` (one row more than the limit, to see if more follow).
pub(crate) fn page_sql(query: &ContactQuery, plan: SearchPlan) -> (String, Vec<Value>) {
    let mut f = Filter::with_plan(query, plan);
    let column = sort_column(query.sort.field);
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
    let index = sort_index(query);
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM contacts c{index}{} ORDER BY {column} {dir}, c.id {dir} LIMIT {limit}",
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
            key: sort_key(last, query.sort.field),
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

/// The search text as a query of note bodies: its words long enough for notes (a short word,
/// such as the one being typed in "elm s", filters nothing there, so a contact found by its
/// notes stays found while the next word is typed). `None` if no word is long enough.
pub(crate) fn notes_fts_query(text: &str) -> Option<String> {
    let long: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphanumeric()).count() >= NOTE_SEARCH_MIN_CHARS)
        .collect();
    fts_query(&long.join(" "))
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
        budget: row
            .get::<_, Option<i64>>(16)?
            .and_then(|b| u64::try_from(b).ok()),
        stage_since: time(row, 17)?,
        // Filled for a page's rows after the page is chosen (see `fill_next_steps`): a
        // correlated lookup here would run for every row a sort has to consider.
        next_step: None,
    })
}

/// Sets each row's next step: the title of its earliest-due open task (undated ones last).
pub(crate) fn fill_next_steps(
    conn: &rusqlite::Connection,
    rows: &mut [ContactSummary],
) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; rows.len()].join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT record_id, title FROM tasks
         WHERE record_id IN ({marks}) AND status = 'pending' AND deleted_at IS NULL
         ORDER BY record_id, due_at IS NULL, due_at, created_at, id"
    ))?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let found = stmt.query_map(rusqlite::params_from_iter(ids.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    for pair in found {
        let (id, title) = pair?;
        if let Some(row) = rows
            .iter_mut()
            .find(|r| r.next_step.is_none() && r.id.to_string() == id)
        {
            row.next_step = Some(title);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
