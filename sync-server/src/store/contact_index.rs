//! The server's contact index: one row per contact document of an organisation with what lead
//! intake and routing look contacts up by (email and phone match keys, the Instagram handle),
//! and what routing counts (the assigned agent, the stage, whether it is deleted). The
//! documents stay the truth; the index is written in the same transaction as every stored
//! change to a contact (device pushes, the server's own writes), so it never lags behind them,
//! and a database from before it existed is filled from the documents when it is upgraded.
//!
//! Without it, each lead read and parsed every contact of its organisation twice (dedupe, then
//! the routing workload count).

use super::StoreError;
use automerge::AutoCommit;
use fieldstone_model::contact::MatchKey;
use fieldstone_model::{Contact, OrgId, Stage, UserId};
use fieldstone_protocol::DocId;

/// Most candidates one lookup answers: a lead shares a key with a handful of contacts at most;
/// the bound keeps a pathological key (a shared office number) from reading thousands.
pub const MATCH_LIMIT: usize = 50;

/// What the index holds for one contact document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactIndexEntry {
    /// Email and phone match keys as [`key_text`] writes them (names never: they match too
    /// many people).
    pub keys: Vec<String>,
    /// Lower-cased Instagram handle.
    pub instagram: Option<String>,
    pub agent: Option<UserId>,
    /// The stage's stored key (`lead`, ..., `closed`, `lost`).
    pub stage: String,
    /// Deleted, or not readable as a contact: never matched, never counted.
    pub deleted: bool,
}

impl ContactIndexEntry {
    /// The entry for `contact`.
    pub fn of(contact: &Contact) -> Self {
        let mut keys: Vec<String> = contact
            .match_keys()
            .iter()
            .filter(|k| !matches!(k, MatchKey::Name(_)))
            .map(key_text)
            .collect();
        keys.sort();
        keys.dedup();
        Self {
            keys,
            instagram: contact
                .instagram
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_ascii_lowercase),
            agent: contact.assigned_agent,
            stage: contact.stage.as_str().to_owned(),
            deleted: contact.deleted_at.is_some(),
        }
    }

    /// A contact document that does not read as a contact: kept out of every lookup.
    pub fn unreadable() -> Self {
        Self {
            deleted: true,
            stage: Stage::default().as_str().to_owned(),
            ..Self::default()
        }
    }
}

/// A match key as stored: its kind and its normalised value (`email:ada@example.com`,
/// `phone:5550100222`).
pub fn key_text(key: &MatchKey) -> String {
    format!("{}:{}", key.kind(), key.value())
}

/// The index entry for document `doc_id` as `doc` now holds it; `None` when it is not a
/// contact (nothing to index).
pub fn entry_for(doc_id: &DocId, doc: &AutoCommit) -> Option<ContactIndexEntry> {
    (doc_id.kind() == fieldstone_doc::contact::KIND).then(|| {
        fieldstone_doc::contact::read(doc)
            .map(|c| ContactIndexEntry::of(&c))
            .unwrap_or_else(|_| ContactIndexEntry::unreadable())
    })
}

/// The entry for a stored contact document's bytes (the upgrade's backfill).
pub fn entry_for_bytes(bytes: &[u8]) -> ContactIndexEntry {
    crate::sync::guard::load(bytes)
        .ok()
        .and_then(|doc| fieldstone_doc::contact::read(&doc).ok())
        .map_or_else(ContactIndexEntry::unreadable, |c| ContactIndexEntry::of(&c))
}

/// Open, closed and lost contacts assigned to one agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentCounts {
    pub open: u32,
    pub closed: u32,
    pub lost: u32,
}

/// The store's contact index; every method takes the tenant (DESIGN decision 6).
pub trait ContactIndexStore {
    /// Ids of `org`'s contacts (not deleted) having any of `keys` (see [`key_text`]) or the
    /// Instagram handle `instagram` (any case), in id order, at most `limit`.
    fn contacts_matching(
        &self,
        org: OrgId,
        keys: &[String],
        instagram: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;
    /// Open, closed and lost contacts (not deleted) per assigned agent.
    fn agent_counts(&self, org: OrgId) -> Result<Vec<(UserId, AgentCounts)>, StoreError>;
    /// The entry for contact `contact` (a `ContactId`'s text), if indexed.
    fn contact_index_entry(
        &self,
        org: OrgId,
        contact: &str,
    ) -> Result<Option<ContactIndexEntry>, StoreError>;
}

/// Folds (agent, stage, count) rows into counts per agent.
pub(crate) fn fold_counts(
    rows: Vec<(String, String, i64)>,
) -> Result<Vec<(UserId, AgentCounts)>, StoreError> {
    let mut out: Vec<(UserId, AgentCounts)> = Vec::new();
    for (agent, stage, n) in rows {
        let agent: UserId = super::parse_uuid(&agent)?;
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let at = match out.iter().position(|(a, _)| *a == agent) {
            Some(at) => at,
            None => {
                out.push((agent, AgentCounts::default()));
                out.len() - 1
            }
        };
        let counts = &mut out[at].1;
        if stage == Stage::Closed.as_str() {
            counts.closed += n;
        } else if stage == Stage::Lost.as_str() {
            counts.lost += n;
        } else {
            counts.open += n;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::contact::{EmailEntry, PhoneEntry};
    use fieldstone_model::{ContactId, ContactInput};

    #[test]
    fn an_entry_holds_normalised_emails_and_phones_and_never_names() {
        let input = ContactInput {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            emails: vec![EmailEntry {
                address: " Ada@Example.COM ".into(),
                label: Default::default(),
                primary: true,
            }],
            phones: vec![PhoneEntry {
                number: "+1 (555) 010-0222".into(),
                label: Default::default(),
                primary: false,
            }],
            instagram: Some("Ada.Homes".into()),
            ..Default::default()
        };
        let contact = Contact::create(
            ContactId::from_uuid(uuid::Uuid::new_v4()),
            input.validate().expect("valid"),
            UserId::from_uuid(uuid::Uuid::new_v4()),
            chrono::Utc::now(),
        );
        let entry = ContactIndexEntry::of(&contact);
        assert!(entry.keys.contains(&"email:ada@example.com".to_owned()));
        let phone = MatchKey::phone("555.010.0222").expect("a phone key");
        assert!(entry.keys.contains(&key_text(&phone)), "{:?}", entry.keys);
        assert!(entry.keys.iter().all(|k| !k.starts_with("name:")));
        assert_eq!(entry.instagram.as_deref(), Some("ada.homes"));
        assert_eq!(entry.stage, "lead");
        assert!(!entry.deleted);
    }

    #[test]
    fn counts_fold_closed_and_lost_apart_from_every_open_stage() {
        let agent = UserId::from_uuid(uuid::Uuid::new_v4());
        let rows = vec![
            (agent.to_string(), "lead".to_owned(), 2),
            (agent.to_string(), "offer".to_owned(), 1),
            (agent.to_string(), "closed".to_owned(), 3),
            (agent.to_string(), "lost".to_owned(), 4),
        ];
        let counts = fold_counts(rows).expect("folds");
        assert_eq!(
            counts,
            vec![(
                agent,
                AgentCounts {
                    open: 3,
                    closed: 3,
                    lost: 4
                }
            )]
        );
    }
}
