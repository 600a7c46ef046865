//! A contact's read-model rows: its list row (with its lead score, `crate::score`), tags,
//! custom fields, duplicate-match keys and search entry.

use crate::error::ReplicaError;
use fieldstone_model::{Contact, CustomValue};
use rusqlite::{params, Connection};

/// When the contact entered its current stage: its last move there, else its creation.
fn stage_since(c: &Contact) -> chrono::DateTime<chrono::Utc> {
    c.stage_history
        .iter()
        .filter(|m| m.to == c.stage)
        .map(|m| m.at)
        .max()
        .unwrap_or(c.created_at)
}

/// Writes the contact's rows, replacing what was there.
pub(crate) fn project_contact(conn: &Connection, c: &Contact) -> Result<(), ReplicaError> {
    let id = c.id.to_string();
    let display_name = c.display_name();
    conn.prepare_cached(
        "INSERT INTO contacts (id, display_name, sort_name, primary_email, primary_phone, stage,
           kind, source, priority, score, owner, assigned_agent, created_at, updated_at,
           last_contacted_at, deleted_at, budget, stage_since, score_facts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
           ?19)
         ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
           sort_name = excluded.sort_name,
           primary_email = excluded.primary_email, primary_phone = excluded.primary_phone,
           stage = excluded.stage, kind = excluded.kind, source = excluded.source,
           priority = excluded.priority, owner = excluded.owner,
           assigned_agent = excluded.assigned_agent, created_at = excluded.created_at,
           updated_at = excluded.updated_at, last_contacted_at = excluded.last_contacted_at,
           deleted_at = excluded.deleted_at, budget = excluded.budget,
           stage_since = excluded.stage_since, score_facts = excluded.score_facts",
    )?
    .execute(params![
        id,
        display_name,
        sort_name(&display_name),
        c.primary_email().map(|e| e.address.as_str()),
        c.primary_phone().map(|p| p.number.as_str()),
        c.stage.as_str(),
        c.kind.as_str(),
        c.source.as_str(),
        c.priority.as_str(),
        // Scored below from the read model (its interactions and bookings count too).
        0,
        c.owner.to_string(),
        c.assigned_agent.map(|a| a.to_string()),
        c.created_at.timestamp_millis(),
        c.updated_at.timestamp_millis(),
        c.last_contacted_at.map(|t| t.timestamp_millis()),
        c.deleted_at.map(|t| t.timestamp_millis()),
        c.preferences
            .budget_max
            .or(c.preferences.budget_min)
            .and_then(|b| i64::try_from(b).ok()),
        stage_since(c).timestamp_millis(),
        crate::score::facts_of(c),
    ])?;
    crate::score::rescore_contact(conn, &id)?;
    let seq = crate::projection::row_seq(conn, "contacts", &id)?;
    conn.prepare_cached("DELETE FROM contact_tags WHERE contact_id = ?1")?
        .execute([&id])?;
    {
        let mut insert =
            conn.prepare_cached("INSERT INTO contact_tags (contact_id, tag) VALUES (?1, ?2)")?;
        for tag in &c.tags {
            insert.execute(params![id, tag])?;
        }
    }
    project_custom(conn, &id, c)?;
    crate::matches::project_contact(conn, c)?;
    conn.prepare_cached("DELETE FROM contact_keys WHERE contact_id = ?1")?
        .execute([&id])?;
    {
        let mut insert = conn.prepare_cached(
            "INSERT INTO contact_keys (kind, value, contact_id) VALUES (?1, ?2, ?3)",
        )?;
        for key in c.match_keys() {
            insert.execute(params![key.kind(), key.value(), id])?;
        }
    }
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
        .map(|p| p.number.as_str())
        .chain(c.whatsapp.as_deref())
        .map(phone_terms)
        .collect::<Vec<_>>()
        .join(" ");
    let names = match &c.instagram {
        Some(handle) => format!("{names} {handle}"),
        None => names,
    };
    // INSERT OR REPLACE on an FTS5 rowid replaces that row's terms.
    conn.prepare_cached(
        "INSERT OR REPLACE INTO contacts_fts (rowid, names, emails, phones) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![seq, names, emails, phones])?;
    Ok(())
}

/// A custom field's row values: `(text, num)` as `contact_custom` holds them.
pub(crate) fn custom_columns(value: &CustomValue) -> (Option<String>, Option<f64>) {
    match value {
        CustomValue::Text(text) => (Some(text.to_lowercase()), None),
        // A non-finite number (only a broken document could hold one) is stored as no number.
        CustomValue::Number(n) => (None, n.is_finite().then_some(*n)),
        CustomValue::Date(day) => (Some(day.format("%Y-%m-%d").to_string()), None),
        CustomValue::Bool(yes) => (None, Some(if *yes { 1.0 } else { 0.0 })),
    }
}

/// Replaces the contact's custom-field rows.
fn project_custom(conn: &Connection, id: &str, c: &Contact) -> Result<(), ReplicaError> {
    conn.prepare_cached("DELETE FROM contact_custom WHERE contact_id = ?1")?
        .execute([id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO contact_custom (contact_id, key, key_lower, kind, text, num)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (key, value) in &c.custom_fields {
        let (text, num) = custom_columns(value);
        insert.execute(params![
            id,
            key,
            key.to_lowercase(),
            value.field_type().as_str(),
            text,
            num
        ])?;
    }
    Ok(())
}

/// The sort key for "by name": case-folded so "ada" sorts with "Ada".
fn sort_name(display_name: &str) -> String {
    display_name.to_lowercase()
}

/// A phone number as typed, then the tails of its digits people search by: from the start and
/// without a country or trunk prefix of up to three digits ("5550" finds "+1 555 0100"), and the
/// last seven and last four digits ("0100"). Every tail of every number would find any run of
/// digits, at twice the index size and import time.
pub(crate) fn phone_terms(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    let mut starts: Vec<usize> = (0..=3.min(n)).collect();
    starts.extend([n.saturating_sub(7), n.saturating_sub(4)]);
    starts.sort_unstable();
    starts.dedup();
    let mut terms = vec![number.to_owned()];
    for start in starts {
        if n - start >= 2 {
            terms.push(digits[start..].iter().collect());
        }
    }
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_terms_include_every_digit_tail() {
        assert_eq!(phone_terms("+1 555"), "+1 555 1555 555 55");
        assert_eq!(
            phone_terms("+1 555 010 0222"),
            "+1 555 010 0222 15550100222 5550100222 550100222 50100222 0100222 0222"
        );
    }
}
