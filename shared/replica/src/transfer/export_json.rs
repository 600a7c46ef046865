//! Everything out as one JSON file: every record of every kind (deleted ones included), read
//! from its document — the truth — page by page and written as soon as it is read, so memory
//! holds one page of document bytes whatever the size of the database.

use crate::error::ReplicaError;
use crate::records::{KindVisitor, Record};
use crate::store::Replica;
use automerge::AutoCommit;
use chrono::SecondsFormat;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// The export's format version. A change to its shape is a new version.
pub const EXPORT_FORMAT_VERSION: u32 = 1;
/// Documents read per database visit.
const PAGE_DOCS: i64 = 200;

#[derive(Serialize)]
struct Header<'a> {
    format: &'a str,
    format_version: u32,
    exported_at: String,
}

/// One line of `records`: the document's kind and id, and the record as the model serialises
/// it — or, for a document this build cannot read, why (it is still in the database, untouched).
#[derive(Serialize)]
struct Entry<'a> {
    kind: &'a str,
    doc_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unreadable: Option<String>,
}

impl Replica {
    /// Writes every stored record as JSON:
    /// `{"format":"fieldstone-export","format_version":1,"exported_at":"…","records":[{"kind":
    /// "contact","doc_id":"contact:…","record":{…}}, …],"counts":{"contact":N,…}}`; returns how
    /// many records.
    ///
    /// Documents are read in id order, one page at a time, with the database unlocked between
    /// pages; a record written during the export may or may not be in it, and each record is
    /// whole as of the moment its page was read.
    pub fn export_json(&self, out: impl Write) -> Result<u64, ReplicaError> {
        let mut out = std::io::BufWriter::new(out);
        let header = Header {
            format: "fieldstone-export",
            format_version: EXPORT_FORMAT_VERSION,
            exported_at: self.now_ms().to_rfc3339_opts(SecondsFormat::Millis, true),
        };
        let header = serde_json::to_string(&header).map_err(json_error)?;
        // The header object, reopened to append the streamed fields.
        let open = header.strip_suffix('}').unwrap_or(&header);
        write!(out, "{open},\"records\":[").map_err(ReplicaError::export)?;
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut total = 0u64;
        let mut after = String::new();
        loop {
            let page = self.document_page(&after)?;
            let Some((last, _, _)) = page.last() else {
                break;
            };
            after = last.clone();
            for (doc_id, kind, bytes) in &page {
                let (record, unreadable) = match read_record(kind, bytes) {
                    Ok(value) => (Some(value), None),
                    Err(reason) => (None, Some(reason)),
                };
                let entry = Entry {
                    kind,
                    doc_id,
                    record,
                    unreadable,
                };
                if total > 0 {
                    out.write_all(b",\n").map_err(ReplicaError::export)?;
                }
                serde_json::to_writer(&mut out, &entry).map_err(json_error)?;
                total += 1;
                *counts.entry(kind.clone()).or_default() += 1;
            }
        }
        out.write_all(b"],\"counts\":")
            .map_err(ReplicaError::export)?;
        serde_json::to_writer(&mut out, &counts).map_err(json_error)?;
        out.write_all(b"}\n").map_err(ReplicaError::export)?;
        out.flush().map_err(ReplicaError::export)?;
        Ok(total)
    }

    /// Up to [`PAGE_DOCS`] documents with ids after `after`: (doc id, kind, bytes).
    fn document_page(&self, after: &str) -> Result<Vec<(String, String, Vec<u8>)>, ReplicaError> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT doc_id, kind, bytes FROM documents WHERE doc_id > ?1 ORDER BY doc_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![after, PAGE_DOCS], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The record in a document as JSON, or why it cannot be read (as text: it is only reported).
fn read_record(kind: &str, bytes: &[u8]) -> Result<serde_json::Value, String> {
    struct AsJson<'a>(&'a AutoCommit);
    impl KindVisitor for AsJson<'_> {
        type Output = Result<serde_json::Value, String>;
        fn visit<R: Record + Serialize>(self) -> Self::Output {
            let record = R::read_doc(self.0).map_err(|e| e.to_string())?;
            serde_json::to_value(&record).map_err(|e| e.to_string())
        }
    }
    let doc = fieldstone_doc::load(bytes).map_err(|e| e.to_string())?;
    crate::visit_kind(kind, AsJson(&doc)).unwrap_or_else(|| {
        Err(format!(
            "a {kind:?} document, a kind this version cannot read"
        ))
    })
}

fn json_error(error: serde_json::Error) -> ReplicaError {
    ReplicaError::export(std::io::Error::other(error))
}
