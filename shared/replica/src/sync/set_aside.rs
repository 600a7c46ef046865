//! Notices for the person, and what the sync server sent that could not be read, set aside in
//! the quarantine (never applied, never lost) with a notice naming the kind of record.

use super::SyncNotice;
use crate::error::ReplicaError;
use crate::store::Replica;
use fieldstone_protocol::{DocId, DocUpdate};
use rusqlite::{params, OptionalExtension, Transaction};

/// Notice code for a document from the server that could not be read.
pub const UNREADABLE_FROM_SERVER: &str = "unreadable_from_server";

/// "a contact", "an interaction", "a record": what people call the document, never its id.
fn a_record(doc_id: &DocId) -> String {
    match doc_id.kind() {
        "" => "a record".to_owned(),
        kind => {
            let kind = kind.replace('_', " ");
            let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {kind}")
        }
    }
}

/// The sentence for a document the server sent that could not be read.
fn unreadable_message(doc_id: &DocId, kept_own: bool) -> String {
    let record = capitalised(&a_record(doc_id));
    if kept_own {
        format!(
            "{record} sent by the sync server could not be read, so this device kept its own \
             copy as it was and set the server's aside."
        )
    } else {
        format!(
            "{record} sent by the sync server could not be read and was set aside; it does not \
             show on this device."
        )
    }
}

/// The server's refusal, followed by what happened to the unreadable copy it sent back.
pub(super) fn refused_copy_message(doc_id: &DocId, server_message: &str) -> String {
    let record = a_record(doc_id);
    let record = record.split_once(' ').map_or("record", |(_, kind)| kind);
    format!(
        "{} The server's copy of this {record} could not be read, so this device kept its own.",
        server_message.trim_end()
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Whether exactly these bytes from the server are already set aside for `doc_id`.
fn already_set_aside(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    bytes: &[u8],
) -> Result<bool, ReplicaError> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM quarantine WHERE doc_id = ?1 AND origin = 'server' AND bytes = ?2",
            params![doc_id.as_str(), bytes],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn keep(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    format: &str,
    bytes: &[u8],
    reason: &str,
    now: i64,
) -> Result<(), ReplicaError> {
    tx.execute(
        "INSERT INTO quarantine (doc_id, kind, origin, format, bytes, reason, quarantined_at)
         VALUES (?1, ?2, 'server', ?3, ?4, ?5, ?6)",
        params![doc_id.as_str(), doc_id.kind(), format, bytes, reason, now],
    )?;
    Ok(())
}

/// Postcard of one document's updates as received: support can decode them with the protocol
/// crate.
fn updates_bytes(pieces: &[&DocUpdate]) -> Vec<u8> {
    let owned: Vec<DocUpdate> = pieces.iter().map(|u| (*u).clone()).collect();
    fieldstone_protocol::codec::to_postcard(&owned).unwrap_or_default()
}

/// Sets aside one document's updates from a pull or a repair (this device's copy of it is left
/// alone), with a notice. Bytes already set aside (the same page again, a repair that finds
/// the same difference) add nothing: `None`.
pub(super) fn received_updates(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    pieces: &[&DocUpdate],
    reason: &str,
    now: i64,
) -> Result<Option<SyncNotice>, ReplicaError> {
    let bytes = updates_bytes(pieces);
    if already_set_aside(tx, doc_id, &bytes)? {
        return Ok(None);
    }
    keep(tx, doc_id, "updates", &bytes, reason, now)?;
    let kept_own = tx
        .query_row(
            "SELECT 1 FROM documents WHERE doc_id = ?1",
            [doc_id.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let message = unreadable_message(doc_id, kept_own);
    notice(tx, doc_id, UNREADABLE_FROM_SERVER, &message, now).map(Some)
}

/// Sets aside, once, updates for a document of a retired kind (`why` it was retired), which
/// devices of before left on the server. No notice: the app stopped showing such records when
/// their screens went, and every device's first sync would otherwise greet its person with one
/// notice per old record. A repair finding the same difference again adds nothing.
pub(super) fn retired_updates(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    pieces: &[&DocUpdate],
    why: &str,
    now: i64,
) -> Result<(), ReplicaError> {
    let bytes = updates_bytes(pieces);
    if !already_set_aside(tx, doc_id, &bytes)? {
        keep(tx, doc_id, "updates", &bytes, why, now)?;
    }
    Ok(())
}

/// Sets aside a saved document the server sent back with a refusal (unless those very bytes
/// are already aside) and records the refusal's notice.
pub(super) fn received_document(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    bytes: &[u8],
    reason: &str,
    code: &str,
    message: &str,
    now: i64,
) -> Result<Option<SyncNotice>, ReplicaError> {
    if !already_set_aside(tx, doc_id, bytes)? {
        keep(tx, doc_id, "document", bytes, reason, now)?;
    }
    notice(tx, doc_id, code, message, now).map(Some)
}

/// Records a notice for the person.
pub(super) fn notice(
    tx: &Transaction<'_>,
    doc_id: &DocId,
    code: &str,
    message: &str,
    now: i64,
) -> Result<SyncNotice, ReplicaError> {
    tx.execute(
        "INSERT INTO sync_notices (doc_id, code, message, at) VALUES (?1, ?2, ?3, ?4)",
        params![doc_id.as_str(), code, message, now],
    )?;
    Ok(SyncNotice {
        id: tx.last_insert_rowid(),
        doc_id: doc_id.to_string(),
        code: code.to_owned(),
        message: message.to_owned(),
        at_ms: now,
    })
}

impl Replica {
    /// Notices not yet dismissed (refused edits, unreadable documents), newest first.
    pub fn sync_notices(&self) -> Result<Vec<SyncNotice>, ReplicaError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, doc_id, code, message, at FROM sync_notices
             WHERE dismissed_at IS NULL ORDER BY at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SyncNotice {
                id: r.get(0)?,
                doc_id: r.get(1)?,
                code: r.get(2)?,
                message: r.get(3)?,
                at_ms: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn dismiss_notice(&self, id: i64) -> Result<(), ReplicaError> {
        let now = self.clock.now().timestamp_millis();
        let n = self.conn().execute(
            "UPDATE sync_notices SET dismissed_at = ?2 WHERE id = ?1 AND dismissed_at IS NULL",
            params![id, now],
        )?;
        if n == 0 {
            return Err(ReplicaError::NotFound {
                what: format!("notice {id}"),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_kind_of_record_not_its_id() {
        let contact: DocId = "contact:0190a6f4-8c2b-7d1e-9a3b-5c6d7e8f9a0b"
            .parse()
            .expect("doc id");
        let message = unreadable_message(&contact, true);
        assert!(
            message.starts_with("A contact sent by the sync server"),
            "{message}"
        );
        assert!(!message.contains("0190a6f4"), "{message}");
        let interaction: DocId = "interaction:1".parse().expect("doc id");
        assert!(unreadable_message(&interaction, false).starts_with("An interaction"));
        let refused = refused_copy_message(&contact, "You may not change this contact. ");
        assert_eq!(
            refused,
            "You may not change this contact. The server's copy of this contact could not be \
             read, so this device kept its own."
        );
    }
}
