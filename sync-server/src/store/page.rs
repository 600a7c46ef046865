//! Building one pull page from a scope feed, the same for every backend: the backends only say
//! how to read feed rows and documents.

use super::{PullPage, PulledDoc};
use fieldstone_protocol::ScopeCursor;
use std::collections::HashMap;

/// One feed entry: a document and where it sits in the scope's feed.
pub struct FeedRow {
    pub doc_id: String,
    pub seq: i64,
    pub joined_seq: i64,
    pub updated_at: i64,
}

/// A page entry and the feed number its content starts after (0: the whole document).
struct Entry {
    doc: PulledDoc,
    since: i64,
}

fn seq_i(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn seq_u(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or(0)
}

fn size(doc: &PulledDoc) -> usize {
    doc.snapshot.as_ref().map_or(0, Vec::len) + doc.changes.iter().map(Vec::len).sum::<usize>()
}

/// Reads each cursor's scope after `seq` (via `rows(cursor, limit)`: rows with `seq > cursor.seq`
/// in feed order, at most `limit`) and each document (via `read(row, from)`: whole when `from`
/// is 0, else its changes after `from`), until `max_docs` documents or `max_bytes`. `top(scope)`
/// is the scope's highest feed number: a cursor past it means the server lost part of its feed
/// (restored from a backup), and that scope starts over.
pub fn build<E>(
    cursors: &[ScopeCursor],
    max_docs: usize,
    max_bytes: usize,
    mut top: impl FnMut(&ScopeCursor) -> Result<i64, E>,
    mut rows: impl FnMut(&ScopeCursor, usize) -> Result<Vec<FeedRow>, E>,
    mut read: impl FnMut(&FeedRow, i64) -> Result<PulledDoc, E>,
) -> Result<PullPage, E> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut bytes = 0usize;
    let mut more = false;
    let mut out = Vec::with_capacity(cursors.len());
    for given in cursors {
        let cursor = &if given.seq > 0 && seq_i(given.seq) > top(given)? {
            ScopeCursor::start(given.scope)
        } else {
            *given
        };
        let room = max_docs.saturating_sub(entries.len());
        if room == 0 || bytes >= max_bytes {
            more = true;
            out.push(*cursor);
            continue;
        }
        let base = seq_i(cursor.base);
        let mut next = cursor.seq;
        let mut exhausted = true;
        for (i, row) in rows(cursor, room + 1)?.iter().enumerate() {
            if i == room || (bytes >= max_bytes && !entries.is_empty()) {
                more = true;
                exhausted = false;
                break;
            }
            // Entries move to the end when documents change, so `seq` says nothing about which
            // documents the device has: only its last complete pass (`base`) does. A document
            // that joined the scope after that comes whole.
            let from = if base == 0 || row.joined_seq > base {
                0
            } else {
                base
            };
            match index.get(&row.doc_id) {
                // Already in this page from another scope with at least as much content.
                Some(&at) if entries[at].since <= from => {}
                Some(&at) => {
                    let doc = read(row, from)?;
                    bytes += size(&doc);
                    entries[at] = Entry { doc, since: from };
                }
                None => {
                    let doc = read(row, from)?;
                    bytes += size(&doc);
                    index.insert(row.doc_id.clone(), entries.len());
                    entries.push(Entry { doc, since: from });
                }
            }
            next = seq_u(row.seq);
        }
        out.push(ScopeCursor {
            scope: cursor.scope,
            seq: next,
            // The pass is complete once the scope is read to its end.
            base: if exhausted { next } else { cursor.base },
        });
    }
    Ok(PullPage {
        docs: entries.into_iter().map(|e| e.doc).collect(),
        cursors: out,
        more,
    })
}
