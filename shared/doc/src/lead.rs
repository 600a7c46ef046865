//! A lead as an Automerge document.

use crate::{util, DocError};
use automerge::{ActorId, AutoCommit, Change};
use autosurgeon::{hydrate, reconcile, Hydrate, Reconcile};
use fieldstone_model::{Lead, LeadId, Stage};

pub const KIND: &str = "lead";
/// Shape version of lead documents written by this build.
pub const SCHEMA: u64 = 1;

/// The document's root map. Field names are the on-disk and on-wire format: never rename one.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
struct LeadDoc {
    schema: u64,
    kind: String,
    id: String,
    name: String,
    email: String,
    phone: String,
    stage: String,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl LeadDoc {
    fn from_lead(lead: &Lead) -> Self {
        Self {
            schema: SCHEMA,
            kind: KIND.to_owned(),
            id: lead.id.to_string(),
            name: lead.name.clone(),
            email: lead.email.clone(),
            phone: lead.phone.clone(),
            stage: lead.stage.as_str().to_owned(),
            created_at_ms: lead.created_at.timestamp_millis(),
            updated_at_ms: lead.updated_at.timestamp_millis(),
        }
    }

    fn into_lead(self) -> Result<Lead, DocError> {
        if self.kind != KIND {
            return Err(DocError::WrongKind {
                expected: KIND,
                found: self.kind,
            });
        }
        let id: LeadId = self
            .id
            .parse()
            .map_err(|e| DocError::InvalidValue(format!("lead id {:?}: {e}", self.id)))?;
        let stage: Stage = self
            .stage
            .parse()
            .map_err(|e| DocError::InvalidValue(format!("{e}")))?;
        Ok(Lead {
            id,
            name: self.name,
            email: self.email,
            phone: self.phone,
            stage,
            created_at: util::millis("created_at_ms", self.created_at_ms)?,
            updated_at: util::millis("updated_at_ms", self.updated_at_ms)?,
        })
    }
}

/// Creates the document for a new lead, written by `actor`. Returns it with the change that
/// created it (what sync sends).
pub fn create(actor: ActorId, lead: &Lead) -> Result<(AutoCommit, Change), DocError> {
    let mut doc = AutoCommit::new().with_actor(actor);
    reconcile(&mut doc, LeadDoc::from_lead(lead))?;
    let change = util::commit(&mut doc, lead.updated_at, "create lead")
        .ok_or_else(|| DocError::InvalidValue("creating a lead produced no change".into()))?;
    Ok((doc, change))
}

/// Writes `lead` into an existing document. Returns the change, or `None` if nothing differed.
pub fn update(doc: &mut AutoCommit, lead: &Lead) -> Result<Option<Change>, DocError> {
    util::ensure_schema(doc, SCHEMA)?;
    reconcile(doc, LeadDoc::from_lead(lead))?;
    Ok(util::commit(doc, lead.updated_at, "update lead"))
}

/// Reads the lead held by `doc`.
pub fn read(doc: &AutoCommit) -> Result<Lead, DocError> {
    util::ensure_schema(doc, SCHEMA)?;
    hydrate::<_, LeadDoc>(doc)?.into_lead()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, assert_newer_shape_refused, assert_round_trips, Kind};

    fn kind() -> Kind<Lead> {
        Kind {
            create,
            update,
            read,
            schema: SCHEMA,
        }
    }
    use automerge::transaction::Transactable;
    use chrono::DateTime;

    fn lead(name: &str) -> Lead {
        let at = DateTime::from_timestamp_millis(1_763_700_000_000).expect("valid");
        Lead {
            id: LeadId::from_uuid(uuid_from(7)),
            name: name.into(),
            email: "ada@example.com".into(),
            phone: "+1 555 010 9999".into(),
            stage: Stage::Qualified,
            created_at: at,
            updated_at: at,
        }
    }

    fn uuid_from(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    #[test]
    fn lead_round_trips_through_a_document_and_its_bytes() {
        assert_round_trips(&kind(), &lead("Ada Lovelace"));
    }

    #[test]
    fn update_produces_a_change_only_when_something_differs() {
        let mut l = lead("Ada");
        let (mut doc, _) = create(actor(1), &l).expect("create");
        assert!(update(&mut doc, &l).expect("update").is_none());
        l.stage = Stage::Offer;
        assert!(update(&mut doc, &l).expect("update").is_some());
        assert_eq!(read(&doc).expect("read").stage, Stage::Offer);
    }

    #[test]
    fn a_newer_document_shape_is_neither_read_nor_overwritten() {
        assert_newer_shape_refused(&kind(), &lead("Ada"));
    }

    #[test]
    fn corrupt_bytes_are_an_error_not_a_panic() {
        assert!(matches!(
            crate::load(b"definitely not automerge"),
            Err(DocError::Corrupt(_))
        ));
        assert!(crate::parse_change(&[0x85, 0x6f, 0x4a, 0x83, 1, 2, 3]).is_err());
    }

    #[test]
    fn an_unknown_stage_in_a_document_is_reported() {
        let l = lead("Ada");
        let (mut doc, _) = create(actor(1), &l).expect("create");
        doc.put(automerge::ROOT, "stage", "won").expect("put");
        doc.commit();
        assert!(matches!(read(&doc), Err(DocError::InvalidValue(m)) if m.contains("won")));
    }
}
