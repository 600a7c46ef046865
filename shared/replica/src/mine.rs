//! "Mine" on a device that also holds other people's records. A broker's device pulls the
//! team's records and an admin's the organisation's, so that lists, the pipeline and the Team
//! screen show the team; their Today, reminders and overlap warnings must still count only the
//! user's own records and what was shared with them, not every teammate's day.
//!
//! Who holds a record is the server's to say (DESIGN decision 5): its version 3 pull lists the
//! documents of each page that are in none of the user's own scopes and not shared with them, a
//! team or the organisation, and the device keeps those ids here. Everything else is the
//! user's: records made on this device (not pulled yet), records assigned to or shared with
//! them, and everything on a device that never reads anyone else's records (an agent's).

use crate::error::ReplicaError;
use fieldstone_protocol::{DocId, DocUpdate};
use rusqlite::Transaction;
use std::collections::BTreeSet;

/// Marks the page's documents listed in `not_mine` as held here only because the user reads
/// other people's records, and unmarks the page's others. A device with nothing marked and
/// nothing to mark (every agent's, on every page) writes nothing.
pub(crate) fn mark_page(
    tx: &Transaction<'_>,
    page: &[DocUpdate],
    not_mine: &[DocId],
) -> Result<(), ReplicaError> {
    let any_marked: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM not_mine_docs)")?
        .query_row([], |r| r.get(0))?;
    if not_mine.is_empty() && !any_marked {
        return Ok(());
    }
    let marked: BTreeSet<&DocId> = not_mine.iter().collect();
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO not_mine_docs (doc_id) VALUES (?1)")?;
    let mut delete = tx.prepare_cached("DELETE FROM not_mine_docs WHERE doc_id = ?1")?;
    for update in page {
        let doc = update.doc_id.as_str();
        if marked.contains(&update.doc_id) {
            insert.execute([doc])?;
        } else if any_marked {
            delete.execute([doc])?;
        }
    }
    Ok(())
}

/// A SQL condition that holds when the record of document kind `kind` whose id is the SQL
/// expression `id` is the user's own or shared with them. `kind` and `id` are this crate's
/// constants, never input.
pub(crate) fn sql(kind: &str, id: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM not_mine_docs nm WHERE nm.doc_id = '{kind}:' || {id})")
}
