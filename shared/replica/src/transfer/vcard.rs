//! Contacts out as vCard 4.0 (RFC 6350), for phones' and mail clients' address books.
//!
//! A small writer of our own rather than a crate: we write one fixed set of properties, and
//! what RFC 6350 asks of a writer is three rules (escape text values, CRLF line ends, fold lines
//! at 75 octets without splitting a UTF-8 character), each tested below and in
//! `tests/transfer.rs`. The vCard crates on crates.io are parsers first, and adding one would
//! mean new workspace dependencies for these few lines.

use crate::contacts::ContactQuery;
use crate::error::ReplicaError;
use crate::store::Replica;
use fieldstone_model::{Contact, ContactLabel, RecordRef};
use std::io::Write;

/// RFC 6350 §3.2: a line is at most 75 octets, CRLF excluded.
const FOLD_OCTETS: usize = 75;

impl Replica {
    /// Writes the contacts `query` selects as one vCard 4.0 file (BEGIN/VERSION/UID/FN/N/EMAIL/
    /// TEL/CATEGORIES/NOTE/X-FIELDSTONE-STAGE/X-FIELDSTONE-SOURCE/REV/END per contact; primary
    /// email and phone get `PREF=1`; the contact's notes, pinned first then newest, in one
    /// NOTE, since most address books show only the first); returns how many.
    pub fn export_contacts_vcard(
        &self,
        out: impl Write,
        query: &ContactQuery,
    ) -> Result<u64, ReplicaError> {
        let mut out = std::io::BufWriter::new(out);
        let count = self.for_each_contact(query, |contact| {
            let mut notes = Vec::new();
            for summary in self.notes_for(&RecordRef::Contact(contact.id))? {
                // Gone since the list was read (a sync removed it): nothing to export.
                if let Some(note) = self.get_note(&summary.id)? {
                    notes.push(note.body);
                }
            }
            out.write_all(vcard(contact, &notes).as_bytes())
                .map_err(ReplicaError::export)
        })?;
        out.flush().map_err(ReplicaError::export)?;
        Ok(count)
    }
}

/// One contact's vCard with its notes' bodies, lines folded and CRLF-terminated.
pub(crate) fn vcard(c: &Contact, notes: &[String]) -> String {
    let mut card = String::new();
    let mut line = |content: String| {
        fold_into(&mut card, &content);
    };
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    line(format!("UID:urn:uuid:{}", c.id));
    line(format!("FN:{}", escape(&c.display_name())));
    line(format!(
        "N:{};{};;;",
        escape(&c.family_name),
        escape(&c.given_name)
    ));
    for email in &c.emails {
        line(format!(
            "EMAIL{}:{}",
            params(email_type(email.label), email.primary),
            escape(&email.address)
        ));
    }
    for phone in &c.phones {
        line(format!(
            "TEL{}:{}",
            params(tel_type(phone.label), phone.primary),
            escape(&phone.number)
        ));
    }
    if !c.tags.is_empty() {
        // CATEGORIES is a list: commas separate, so a comma inside one is escaped.
        let tags: Vec<String> = c.tags.iter().map(|t| escape(t)).collect();
        line(format!("CATEGORIES:{}", tags.join(",")));
    }
    let notes: Vec<&str> = notes
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect();
    if !notes.is_empty() {
        line(format!("NOTE:{}", escape(&notes.join("\n\n"))));
    }
    // Private properties (RFC 6350 §6.10): address books keep them, and Fieldstone's own
    // import can read the pipeline back.
    line(format!("X-FIELDSTONE-STAGE:{}", c.stage.as_str()));
    line(format!("X-FIELDSTONE-SOURCE:{}", c.source.as_str()));
    line(format!("REV:{}", c.updated_at.format("%Y%m%dT%H%M%SZ")));
    line("END:VCARD".into());
    card
}

fn params(kind: Option<&str>, primary: bool) -> String {
    let mut out = String::new();
    if let Some(kind) = kind {
        out.push_str(";TYPE=");
        out.push_str(kind);
    }
    if primary {
        out.push_str(";PREF=1");
    }
    out
}

fn email_type(label: ContactLabel) -> Option<&'static str> {
    match label {
        ContactLabel::Home => Some("home"),
        ContactLabel::Work => Some("work"),
        ContactLabel::Mobile | ContactLabel::Other => None,
    }
}

fn tel_type(label: ContactLabel) -> Option<&'static str> {
    match label {
        ContactLabel::Mobile => Some("cell"),
        ContactLabel::Home => Some("home"),
        ContactLabel::Work => Some("work"),
        ContactLabel::Other => None,
    }
}

/// RFC 6350 §3.4 text escaping: backslash, comma, semicolon and line breaks.
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Appends `content` as a folded line: at most 75 octets per physical line, continuation lines
/// starting with one space (which counts toward their 75), never splitting a UTF-8 character.
pub(crate) fn fold_into(out: &mut String, content: &str) {
    let mut rest = content;
    let mut limit = FOLD_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = FOLD_OCTETS - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_the_special_characters() {
        assert_eq!(escape("a,b;c\\d\r\ne\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    }

    #[test]
    fn folding_never_splits_a_character() {
        let mut out = String::new();
        let content = format!("NOTE:{}", "é".repeat(60));
        fold_into(&mut out, &content);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= FOLD_OCTETS, "{line:?}");
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, content);
    }
}
