//! Records a route reads for its caller, as the caller may see them: the drafting and calling
//! routes read the contact themselves (rather than trusting what a device sends), so what
//! leaves the server is only ever about a record the caller could read.

use crate::access::Caller;
use crate::error::ApiError;
use crate::sync::guard;
use crate::AppState;
use fieldstone_model::{Contact, ContactId};
use fieldstone_protocol::DocId;

/// The contact `id`, if the caller may read it. Another organisation's, one outside the
/// caller's scopes, a deleted one and a document under its id that does not read as a contact
/// are all the same "not found": nothing is said about what exists. Blocking.
pub fn contact(state: &AppState, caller: &Caller, id: ContactId) -> Result<Contact, ApiError> {
    let not_found = || ApiError::NotFound("contact".into());
    let doc = DocId::new(fieldstone_doc::contact::KIND, id).map_err(|_| not_found())?;
    let stored = state
        .store
        .load_doc(caller.org, &doc)?
        .ok_or_else(not_found)?;
    let access = state.access.get(state.store.as_ref(), caller)?;
    if !access.can_read(&stored.scopes) {
        return Err(not_found());
    }
    let contact = guard::load(&stored.bytes)
        .ok()
        .and_then(|loaded| fieldstone_doc::contact::read(&loaded).ok())
        .ok_or_else(|| {
            tracing::warn!(doc = %doc, "a contact document does not read as a contact");
            not_found()
        })?;
    if contact.deleted_at.is_some() {
        return Err(not_found());
    }
    Ok(contact)
}

/// The listing `id`, if the caller may read it; the same "not found" for everything else, as
/// [`contact`]. Blocking.
pub fn listing(
    state: &AppState,
    caller: &Caller,
    id: fieldstone_model::ListingId,
) -> Result<fieldstone_model::Listing, ApiError> {
    let not_found = || ApiError::NotFound("listing".into());
    let doc = DocId::new(fieldstone_doc::listing::KIND, id).map_err(|_| not_found())?;
    let stored = state
        .store
        .load_doc(caller.org, &doc)?
        .ok_or_else(not_found)?;
    let access = state.access.get(state.store.as_ref(), caller)?;
    if !access.can_read(&stored.scopes) {
        return Err(not_found());
    }
    let listing = guard::load(&stored.bytes)
        .ok()
        .and_then(|loaded| fieldstone_doc::listing::read(&loaded).ok())
        .ok_or_else(not_found)?;
    if listing.deleted_at.is_some() {
        return Err(not_found());
    }
    Ok(listing)
}
