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
use fieldstone_protocol::DocId;
use rusqlite::Transaction;

/// Marks (or unmarks) `doc` as held here only because the user reads other people's records.
pub(crate) fn mark(tx: &Transaction<'_>, doc: &DocId, not_mine: bool) -> Result<(), ReplicaError> {
    if not_mine {
        tx.prepare_cached("INSERT OR IGNORE INTO not_mine_docs (doc_id) VALUES (?1)")?
            .execute([doc.as_str()])?;
    } else {
        tx.prepare_cached("DELETE FROM not_mine_docs WHERE doc_id = ?1")?
            .execute([doc.as_str()])?;
    }
    Ok(())
}

/// A SQL condition that holds when the record of document kind `kind` whose id is the SQL
/// expression `id` is the user's own or shared with them. `kind` and `id` are this crate's
/// constants, never input.
pub(crate) fn sql(kind: &str, id: &str) -> String {
    format!("NOT EXISTS (SELECT 1 FROM not_mine_docs nm WHERE nm.doc_id = '{kind}:' || {id})")
}
