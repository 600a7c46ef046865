//! Reading an organisation's documents of one kind on the server, which keeps documents, not a
//! read model: every scope of the organisation, and an id range per kind. Used where the server
//! itself must find records (a STOP reply's sender, the leads a plan caps); each caller bounds
//! what it reads.

use super::guard;
use crate::store::{Store, StoreError};
use fieldstone_model::outreach::dnc_key;
use fieldstone_model::{Contact, OrgId};
use fieldstone_protocol::{DocId, Scope};

/// Every scope documents of `org` can be in.
pub fn scopes(store: &dyn Store, org: OrgId) -> Result<Vec<Scope>, StoreError> {
    let mut scopes = vec![Scope::Org(org)];
    scopes.extend(store.teams(org)?.iter().map(|t| Scope::Team(t.id)));
    scopes.extend(store.users(org)?.iter().map(|u| Scope::User(u.id)));
    Ok(scopes)
}

fn bound(id: &str) -> Result<DocId, StoreError> {
    DocId::new(fieldstone_doc::contact::KIND, id).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Ids of `org`'s contacts in id order after `after`, at most `limit`.
pub fn contact_ids(
    store: &dyn Store,
    org: OrgId,
    scopes: &[Scope],
    after: Option<&DocId>,
    limit: usize,
) -> Result<Vec<DocId>, StoreError> {
    let first = bound("00000000-0000-0000-0000-000000000000")?;
    let last = bound("ffffffff-ffff-ffff-ffff-ffffffffffff")?;
    store.doc_ids_in_range(
        org,
        scopes,
        Some(after.unwrap_or(&first)),
        Some(&last),
        limit,
    )
}

/// `org`'s contacts (not deleted) with the phone or WhatsApp number `number`, however either
/// is written. Reads every contact a page at a time: for rare events (a reply to a text).
pub fn contacts_with_number(
    store: &dyn Store,
    org: OrgId,
    number: &str,
) -> Result<Vec<Contact>, StoreError> {
    let key = dnc_key(number);
    let scopes = scopes(store, org)?;
    let mut found = Vec::new();
    let mut after: Option<DocId> = None;
    loop {
        let ids = contact_ids(store, org, &scopes, after.as_ref(), 500)?;
        let Some(last) = ids.last().cloned() else {
            return Ok(found);
        };
        for id in ids {
            let Some(stored) = store.load_doc(org, &id)? else {
                continue;
            };
            let Some(contact) = guard::load(&stored.bytes)
                .ok()
                .and_then(|d| fieldstone_doc::contact::read(&d).ok())
            else {
                continue;
            };
            let matches = contact.phones.iter().any(|p| dnc_key(&p.number) == key)
                || contact
                    .whatsapp
                    .as_deref()
                    .is_some_and(|w| dnc_key(w) == key);
            if matches && contact.deleted_at.is_none() {
                found.push(contact);
            }
        }
        after = Some(last);
    }
}
