//! The organisation's settings document as a device reads it (`fieldstone_doc::org_settings`,
//! DESIGN decision 17): synced from the organisation's scope, written only by the server, never
//! projected. A setting this build cannot read (a newer build's, or damaged) reads as its
//! default, so a device never stops working over one.

use crate::error::ReplicaError;
use crate::records::doc_id;
use crate::store::{load_doc, Replica};
use fieldstone_doc::org_settings::{FOLLOW_UP_KEY, KIND};
use fieldstone_model::{FollowUpSettings, OrgId};
use std::collections::BTreeMap;

impl Replica {
    /// The settings entries of `org` held here; empty before the first sync, or when the
    /// organisation has changed nothing.
    pub fn org_settings(&self, org: &OrgId) -> Result<BTreeMap<String, String>, ReplicaError> {
        let id = doc_id(KIND, org)?;
        let result = load_doc(&self.reader(), &id, self.actor()).and_then(|doc| {
            doc.map(|doc| {
                fieldstone_doc::org_settings::read(&doc)
                    .map_err(|e| ReplicaError::doc(id.as_str(), e))
            })
            .transpose()
        });
        Ok(self.quarantine_if_corrupt(result)?.unwrap_or_default())
    }

    /// The follow-up plan of `org` (seed 002's until an admin changes it; `None`: a device
    /// used without an organisation).
    pub fn follow_up_settings(
        &self,
        org: Option<&OrgId>,
    ) -> Result<FollowUpSettings, ReplicaError> {
        let Some(org) = org else {
            return Ok(FollowUpSettings::default());
        };
        Ok(self
            .org_settings(org)?
            .get(FOLLOW_UP_KEY)
            .and_then(|json| serde_json::from_str::<FollowUpSettings>(json).ok())
            .filter(|settings| settings.validate().is_ok())
            .unwrap_or_default())
    }
}
