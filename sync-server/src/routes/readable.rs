//! Records a route reads for its caller, as the caller may see them: the drafting and calling
//! routes read the contact themselves (rather than trusting what a device sends), so what
//! leaves the server is only ever about a record the caller could read.

use crate::access::Caller;
use crate::error::ApiError;
use crate::sync::guard;
use crate::AppState;
use fieldstone_model::{Contact, ContactId};
use fieldstone_protocol::DocId;

/// The record of `kind` under `id`, read by `read`, if the caller may read it. Another
/// organisation's, one outside the caller's scopes, a deleted one and a document under its id
/// that does not read as that kind are all the same "not found" (`what`): nothing is said
/// about what exists. Blocking.
fn record<T>(
    state: &AppState,
    caller: &Caller,
    (kind, what): (&str, &str),
    id: impl std::fmt::Display,
    read: impl FnOnce(&automerge::AutoCommit) -> Option<T>,
    deleted: impl FnOnce(&T) -> bool,
) -> Result<T, ApiError> {
    let not_found = || ApiError::NotFound(what.into());
    let doc = DocId::new(kind, id).map_err(|_| not_found())?;
    let stored = state
        .store
        .load_doc(caller.org, &doc)?
        .ok_or_else(not_found)?;
    let access = state.access.get(state.store.as_ref(), caller)?;
    if !access.can_read(&stored.scopes) {
        return Err(not_found());
    }
    let record = guard::load(&stored.bytes)
        .ok()
        .and_then(|loaded| read(&loaded))
        .ok_or_else(|| {
            tracing::warn!(doc = %doc, "a {what} document does not read as a {what}");
            not_found()
        })?;
    if deleted(&record) {
        return Err(not_found());
    }
    Ok(record)
}

/// The contact `id`, if the caller may read it (see [`record`]). Blocking.
pub fn contact(state: &AppState, caller: &Caller, id: ContactId) -> Result<Contact, ApiError> {
    record(
        state,
        caller,
        (fieldstone_doc::contact::KIND, "contact"),
        id,
        |doc| fieldstone_doc::contact::read(doc).ok(),
        |c| c.deleted_at.is_some(),
    )
}

/// The listing `id`, if the caller may read it (see [`record`]). Blocking.
pub fn listing(
    state: &AppState,
    caller: &Caller,
    id: fieldstone_model::ListingId,
) -> Result<fieldstone_model::Listing, ApiError> {
    record(
        state,
        caller,
        (fieldstone_doc::listing::KIND, "listing"),
        id,
        |doc| fieldstone_doc::listing::read(doc).ok(),
        |l| l.deleted_at.is_some(),
    )
}
