//! The agent's preferences document (`prefs:<user id>`, see `fieldstone_doc::prefs`): entries
//! of JSON text by key, read and written like any document — stored, queued for sync, merged
//! with what the agent's other devices wrote. Never projected into the read model, and never
//! counted as a conflict (the later write wins, and nothing there is worth asking about).

use crate::error::ReplicaError;
use crate::records::doc_id;
use crate::store::{enqueue, load_doc, save_doc, Replica};
use fieldstone_model::UserId;
use fieldstone_protocol::DocId;
use std::collections::BTreeMap;

pub use fieldstone_doc::prefs::KIND as PREFS_KIND;

/// The preferences document of `user`.
pub fn prefs_doc_id(user: &UserId) -> Result<DocId, ReplicaError> {
    doc_id(PREFS_KIND, user)
}

impl Replica {
    /// `user`'s preference entries, empty when they have none on this device yet.
    pub fn preferences(&self, user: &UserId) -> Result<BTreeMap<String, String>, ReplicaError> {
        let id = prefs_doc_id(user)?;
        let result = load_doc(&self.reader(), &id, self.actor()).and_then(|doc| {
            doc.map(|doc| {
                fieldstone_doc::prefs::read(&doc).map_err(|e| ReplicaError::doc(id.as_str(), e))
            })
            .transpose()
        });
        Ok(self.quarantine_if_corrupt(result)?.unwrap_or_default())
    }

    /// Sets (`Some`) or removes (`None`) entries of `user`'s preferences in one change, queued
    /// for sync; a write that changes nothing stores nothing.
    pub fn set_preferences(
        &self,
        user: &UserId,
        entries: &[(String, Option<String>)],
    ) -> Result<(), ReplicaError> {
        let id = prefs_doc_id(user)?;
        let actor = self.actor().clone();
        self.write(|tx, now| {
            let doc = load_doc(tx, &id, &actor)?;
            let (mut doc, change) = fieldstone_doc::prefs::write(doc, actor.clone(), now, entries)
                .map_err(|e| ReplicaError::doc(id.as_str(), e))?;
            if let Some(change) = change {
                save_doc(tx, &id, &mut doc, now.timestamp_millis())?;
                enqueue(tx, &id, &change)?;
            }
            Ok(())
        })
    }
}
