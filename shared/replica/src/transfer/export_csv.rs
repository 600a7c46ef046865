//! Contacts out as CSV (a fixed column set the importer maps back on its own) and the paging
//! every contact export shares.

use super::row::split_tags;
use crate::contacts::{ContactQuery, CONTACT_PAGE_MAX};
use crate::error::ReplicaError;
use crate::store::Replica;
use chrono::SecondsFormat;
use fieldstone_model::contact::{EMAILS_MAX, PHONES_MAX};
use fieldstone_model::{Contact, EmailEntry, PhoneEntry};
use std::io::Write;

impl Replica {
    /// Calls `each` with every contact `query` selects (its filters, search and order; its
    /// `limit` is ignored), reading one page of ids from the read model and then each contact
    /// from its document, so memory holds one page at a time. The database is not locked
    /// between contacts, so the app stays usable during a long export.
    pub(crate) fn for_each_contact(
        &self,
        query: &ContactQuery,
        mut each: impl FnMut(&Contact) -> Result<(), ReplicaError>,
    ) -> Result<u64, ReplicaError> {
        let mut query = ContactQuery {
            limit: CONTACT_PAGE_MAX,
            ..query.clone()
        };
        let mut count = 0;
        loop {
            let page = self.list_contacts(&query)?;
            for summary in &page.items {
                // Gone since the page was read (a sync removed it): nothing to export.
                if let Some(contact) = self.get_contact(&summary.id)? {
                    each(&contact)?;
                    count += 1;
                }
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => return Ok(count),
            }
        }
    }

    /// Writes the contacts `query` selects (e.g. `ContactQuery::default()`: every contact not
    /// deleted) as CSV with the columns of [`contact_csv_headers`]; returns how many.
    ///
    /// Every email and phone gets a column pair (the primary one first), so the file imports
    /// back — through [`Replica::import_contacts_csv`] with the guessed mapping — to the same
    /// names, kind, stage, source, priority, tags, emails, phones (with labels), Instagram and
    /// WhatsApp. Preferences, custom fields, consent, stage history and notes are in the JSON
    /// export ([`Replica::export_json`]), not here.
    pub fn export_contacts_csv(
        &self,
        out: impl Write,
        query: &ContactQuery,
    ) -> Result<u64, ReplicaError> {
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record(contact_csv_headers())
            .map_err(export_error)?;
        let count = self.for_each_contact(query, |contact| {
            writer
                .write_record(contact_csv_row(contact))
                .map_err(export_error)
        })?;
        writer.flush().map_err(ReplicaError::export)?;
        Ok(count)
    }
}

fn export_error(error: csv::Error) -> ReplicaError {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => ReplicaError::export(e),
        other => ReplicaError::export(std::io::Error::other(format!("{other:?}"))),
    }
}

/// The CSV export's columns, in order. Stable: the same for every export, whatever the data.
pub fn contact_csv_headers() -> Vec<String> {
    let mut headers: Vec<String> = [
        "Given Name",
        "Family Name",
        "Kind",
        "Stage",
        "Source",
        "Source Detail",
        "Priority",
        "Tags",
    ]
    .map(str::to_owned)
    .to_vec();
    for i in 1..=EMAILS_MAX {
        headers.push(format!("Email {i}"));
        headers.push(format!("Email {i} Label"));
    }
    for i in 1..=PHONES_MAX {
        headers.push(format!("Phone {i}"));
        headers.push(format!("Phone {i} Label"));
    }
    headers.extend(
        [
            "Instagram",
            "WhatsApp",
            "Created At",
            "Updated At",
            "Fieldstone ID",
        ]
        .map(str::to_owned),
    );
    headers
}

fn contact_csv_row(c: &Contact) -> Vec<String> {
    let tags = c.tags.iter().cloned().collect::<Vec<_>>().join(", ");
    // The importer splits a comma-free cell on `;`; a lone tag holding `;` gets a trailing comma
    // so it is split on commas and comes back whole.
    let tags = if split_tags(&tags).len() != c.tags.len() {
        format!("{tags},")
    } else {
        tags
    };
    let mut row = vec![
        safe(&c.given_name),
        safe(&c.family_name),
        c.kind.as_str().to_owned(),
        c.stage.as_str().to_owned(),
        c.source.as_str().to_owned(),
        safe(c.source_detail.as_deref().unwrap_or("")),
        c.priority.as_str().to_owned(),
        safe(&tags),
    ];
    let emails = primary_first(&c.emails, |e: &EmailEntry| e.primary);
    for i in 0..EMAILS_MAX {
        let entry = emails.get(i);
        row.push(entry.map_or(String::new(), |e| safe(&e.address)));
        row.push(entry.map_or("", |e| e.label.as_str()).to_owned());
    }
    let phones = primary_first(&c.phones, |p: &PhoneEntry| p.primary);
    for i in 0..PHONES_MAX {
        let entry = phones.get(i);
        row.push(entry.map_or(String::new(), |p| safe(&p.number)));
        row.push(entry.map_or("", |p| p.label.as_str()).to_owned());
    }
    row.push(safe(c.instagram.as_deref().unwrap_or("")));
    row.push(safe(c.whatsapp.as_deref().unwrap_or("")));
    row.push(c.created_at.to_rfc3339_opts(SecondsFormat::Millis, true));
    row.push(c.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true));
    row.push(c.id.to_string());
    row
}

/// The entries with the primary one first: importers (ours included) take "Email 1" as primary.
fn primary_first<T>(entries: &[T], primary: impl Fn(&T) -> bool) -> Vec<&T> {
    let mut sorted: Vec<&T> = entries.iter().collect();
    sorted.sort_by_key(|e| !primary(e));
    sorted
}

/// A cell a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` not starting a phone
/// number) gets a leading `'`, which spreadsheets hide and our importer removes.
fn safe(value: &str) -> String {
    let phone_like = |v: &str| {
        v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'))
    };
    let risky =
        value.starts_with(['=', '@']) || (value.starts_with(['+', '-']) && !phone_like(value));
    if risky {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_but_phone_numbers_are_not() {
        assert_eq!(safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe("+1 555 010 0222"), "+1 555 010 0222");
        assert_eq!(safe("-cmd|calc"), "'-cmd|calc");
        assert_eq!(safe("Ada"), "Ada");
    }
}
