//! Dedupe on arrival: which contact of the organisation a lead belongs to. First the person the
//! channel already knows (an earlier message from the same WhatsApp number or Instagram
//! sender), then any contact sharing an email address (ignoring case) or a phone number
//! (ignoring format: the model's `MatchKey`, the same keys the app's duplicate finder uses) or
//! the Instagram handle. Names alone never match: two "John Smith"s are two people. The
//! candidates come from the server's contact index (`store::contact_index`), not a scan.

use super::Lead;
use crate::store::{contact_index, Store, StoreError};
use crate::sync::guard;
use fieldstone_model::contact::MatchKey;
use fieldstone_model::{Contact, ContactInput, OrgId};
use fieldstone_protocol::{DocId, Scope};
use std::collections::BTreeSet;

/// A contact the lead belongs to, with the scopes its document is in.
#[derive(Debug, Clone)]
pub struct Found {
    pub contact: Contact,
    pub scopes: Vec<Scope>,
}

/// The keys a person is matched on: emails and phone numbers (WhatsApp's too).
pub fn keys(person: &ContactInput) -> BTreeSet<MatchKey> {
    person
        .emails
        .iter()
        .filter_map(|e| MatchKey::email(&e.address))
        .chain(
            person
                .phones
                .iter()
                .filter_map(|p| MatchKey::phone(&p.number)),
        )
        .chain(person.whatsapp.iter().filter_map(|w| MatchKey::phone(w)))
        .collect()
}

/// Whether `contact` is the person with `keys` (or the Instagram handle `instagram`).
pub fn matches(contact: &Contact, keys: &BTreeSet<MatchKey>, instagram: Option<&str>) -> bool {
    let shared = contact
        .match_keys()
        .iter()
        .any(|k| !matches!(k, MatchKey::Name(_)) && keys.contains(k));
    let same_handle = instagram.is_some_and(|handle| {
        contact
            .instagram
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(handle))
    });
    shared || same_handle
}

/// The contact `lead` belongs to in `org`, if any (never a deleted one).
pub fn find(store: &dyn Store, org: OrgId, lead: &Lead) -> Result<Option<Found>, StoreError> {
    if let Some(sender) = &lead.sender {
        if let Some(id) = store.intake_sender_contact(org, lead.channel.key(), sender)? {
            let doc = DocId::new(fieldstone_doc::contact::KIND, id.as_str())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Some(found) = load(store, org, &doc)? {
                return Ok(Some(found));
            }
        }
    }
    let keys = keys(&lead.person);
    let instagram = lead.person.instagram.as_deref();
    if keys.is_empty() && instagram.is_none() {
        return Ok(None);
    }
    // The contact index (kept by every commit that stores a contact) answers the candidates;
    // each is read and checked again, so an index entry never decides a match on its own.
    let wanted: Vec<String> = keys.iter().map(contact_index::key_text).collect();
    let ids = store.contacts_matching(org, &wanted, instagram, contact_index::MATCH_LIMIT)?;
    for id in ids {
        let doc = DocId::new(fieldstone_doc::contact::KIND, &id)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if let Some(found) = load(store, org, &doc)? {
            if matches(&found.contact, &keys, instagram) {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// A stored contact that is not deleted, with its scopes; unreadable documents are skipped.
pub fn load(store: &dyn Store, org: OrgId, doc: &DocId) -> Result<Option<Found>, StoreError> {
    let Some(stored) = store.load_doc(org, doc)? else {
        return Ok(None);
    };
    let contact = guard::load(&stored.bytes)
        .ok()
        .and_then(|d| fieldstone_doc::contact::read(&d).ok());
    Ok(contact
        .filter(|c| c.deleted_at.is_none())
        .map(|contact| Found {
            contact,
            scopes: stored.scopes,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldstone_model::contact::{EmailEntry, PhoneEntry};

    fn person(emails: &[&str], phones: &[&str]) -> ContactInput {
        ContactInput {
            given_name: "Ada".into(),
            emails: emails
                .iter()
                .map(|a| EmailEntry {
                    address: (*a).into(),
                    label: Default::default(),
                    primary: false,
                })
                .collect(),
            phones: phones
                .iter()
                .map(|n| PhoneEntry {
                    number: (*n).into(),
                    label: Default::default(),
                    primary: false,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn contact(input: ContactInput) -> Contact {
        let valid = input.validate().expect("valid");
        Contact::create(
            fieldstone_model::ContactId::from_uuid(uuid::Uuid::new_v4()),
            valid,
            fieldstone_model::UserId::from_uuid(uuid::Uuid::new_v4()),
            chrono::Utc::now(),
        )
    }

    #[test]
    fn emails_match_ignoring_case_and_phones_ignoring_format_but_names_never() {
        let known = contact(person(&["Ada@Example.com"], &["+1 (555) 010-0222"]));
        assert!(matches(
            &known,
            &keys(&person(&["ada@example.COM"], &[])),
            None
        ));
        assert!(matches(
            &known,
            &keys(&person(&[], &["555.010.0222"])),
            None
        ));
        assert!(!matches(
            &known,
            &keys(&person(&["ada@other.com"], &["555 010 0333"])),
            None
        ));
        let mut namesake = person(&["someone@else.com"], &[]);
        namesake.family_name = known.family_name.clone();
        assert!(!matches(&known, &keys(&namesake), None), "a name alone");
        let mut insta = person(&[], &[]);
        insta.instagram = Some("ada.homes".into());
        let known = contact(insta);
        assert!(matches(&known, &BTreeSet::new(), Some("Ada.Homes")));
    }
}
