//! Pull (what changed in my scopes since my cursors) and repair (compare digests of an id
//! range and send whatever differs).

use super::cache::{ensure_loaded, LoadError};
use crate::access::{Access, Caller};
use crate::error::ApiError;
use crate::AppState;
use fieldstone_protocol::{
    heads_digest, DocId, DocUpdate, PullRequest, PullResponse, PullResponseV3, RepairRequest,
    RepairResponse, Scope, ScopeCursor, MAX_REPAIR_DOCS,
};
use std::collections::{BTreeMap, BTreeSet};

/// Most documents one repair answer sends whole; the device asks again for the same range
/// until nothing differs.
const REPAIR_MAX_DIFFERING: usize = 500;

/// Whether a document in `scopes` is held by `caller` only because they read other people's own
/// scopes: every scope it is in is another user's (none is theirs, a team's or the
/// organisation's).
pub fn not_mine(scopes: &[Scope], caller: &Caller) -> bool {
    !scopes.is_empty()
        && scopes
            .iter()
            .all(|s| matches!(s, Scope::User(u) if *u != caller.user))
}

/// One page of what changed in the caller's scopes, and which of its documents are not the
/// caller's own (see [`PullResponseV3`]). Only a caller who reads another user's scope (a
/// broker, an admin, the owner) can be sent such a document, so for everyone else the scopes
/// are not even read.
pub fn pull(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    request: &PullRequest,
) -> Result<PullResponseV3, ApiError> {
    let page = pull_page(state, caller, access, request)?;
    let reads_others = access
        .readable
        .iter()
        .any(|s| matches!(s, Scope::User(u) if *u != caller.user));
    let not_mine = if reads_others && !page.docs.is_empty() {
        let ids: Vec<DocId> = page.docs.iter().map(|d| d.doc_id.clone()).collect();
        let scopes = state.store.scopes_of_docs(caller.org, &ids)?;
        ids.into_iter()
            .filter(|id| scopes.get(id).is_some_and(|s| not_mine(s, caller)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(PullResponseV3 { page, not_mine })
}

fn pull_page(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    request: &PullRequest,
) -> Result<PullResponse, ApiError> {
    let limits = &state.config.limits;
    if request.max_docs == 0 {
        return Err(ApiError::BadRequest("max_docs must be at least 1".into()));
    }
    if request.cursors.len() > 10_000 {
        return Err(ApiError::BadRequest("too many cursors".into()));
    }
    let max_docs = request.max_docs.min(limits.max_pull_docs) as usize;
    let given: BTreeMap<_, _> = request.cursors.iter().map(|c| (c.scope, *c)).collect();
    // Exactly the scopes the user may read now: a cursor for any other scope is dropped (the
    // answer's cursor list tells the device to forget it).
    let cursors: Vec<ScopeCursor> = access
        .readable
        .iter()
        .map(|scope| {
            given
                .get(scope)
                .copied()
                // A base past the cursor is impossible: start the scope over.
                .filter(|c| c.base <= c.seq)
                .unwrap_or(ScopeCursor::start(*scope))
        })
        .collect();
    let page = state
        .store
        .pull(caller.org, &cursors, max_docs, limits.max_pull_bytes)?;
    let now = state.clock.now();
    for doc in &page.docs {
        let lag = (now - doc.updated_at).num_milliseconds().max(0) as f64 / 1000.0;
        state.metrics.sync_lag.observe(lag);
    }
    Ok(PullResponse {
        docs: page
            .docs
            .into_iter()
            .map(|d| DocUpdate {
                doc_id: d.doc_id,
                snapshot: d.snapshot,
                changes: d.changes,
            })
            .collect(),
        cursors: page.cursors,
        more: page.more,
    })
}

pub fn repair(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    request: &RepairRequest,
) -> Result<RepairResponse, ApiError> {
    if request.docs.len() > MAX_REPAIR_DOCS {
        return Err(ApiError::BadRequest(format!(
            "a repair page may list at most {MAX_REPAIR_DOCS} documents"
        )));
    }
    let mut previous = request.after.as_ref();
    for digest in &request.docs {
        if previous.is_some_and(|p| digest.doc_id <= *p) {
            return Err(ApiError::BadRequest(
                "repair documents must be in ascending id order, after `after`".into(),
            ));
        }
        previous = Some(&digest.doc_id);
    }
    let upto = if request.last {
        None
    } else {
        match request.docs.last() {
            Some(d) => Some(&d.doc_id),
            None => {
                return Err(ApiError::BadRequest(
                    "a repair page that is not the last must list documents".into(),
                ))
            }
        }
    };
    let store = state.store.as_ref();
    let readable: Vec<_> = access.readable.iter().copied().collect();
    let mut response = RepairResponse {
        differing: Vec::new(),
        unknown: Vec::new(),
        forbidden: Vec::new(),
    };
    let listed: BTreeSet<&DocId> = request.docs.iter().map(|d| &d.doc_id).collect();
    // An answer stops growing past a pull page's size: the device asks again for the same
    // range until nothing differs.
    let max_bytes = state.config.limits.max_pull_bytes;
    let mut bytes = 0usize;
    for digest in &request.docs {
        let Some(scopes) = store.doc_scopes(caller.org, &digest.doc_id)? else {
            response.unknown.push(digest.doc_id.clone());
            continue;
        };
        if !access.can_read(&scopes) {
            response.forbidden.push(digest.doc_id.clone());
            continue;
        }
        if response.differing.len() >= REPAIR_MAX_DIFFERING || bytes >= max_bytes {
            continue;
        }
        if let Some(update) = server_copy(state, caller, &digest.doc_id, Some(digest.heads))? {
            bytes += update_size(&update);
            response.differing.push(update);
        }
    }
    // Documents in the range the device does not have at all.
    let room = REPAIR_MAX_DIFFERING.saturating_sub(response.differing.len());
    if room > 0 && bytes < max_bytes {
        let ids = store.doc_ids_in_range(
            caller.org,
            &readable,
            request.after.as_ref(),
            upto,
            listed.len() + room,
        )?;
        for id in ids.iter().filter(|id| !listed.contains(id)).take(room) {
            if bytes >= max_bytes {
                break;
            }
            if let Some(update) = server_copy(state, caller, id, None)? {
                bytes += update_size(&update);
                response.differing.push(update);
            }
        }
    }
    Ok(response)
}

fn update_size(update: &DocUpdate) -> usize {
    update.snapshot.as_ref().map_or(0, Vec::len)
}

/// The server's copy of a document when its heads' digest differs from `device_heads`.
fn server_copy(
    state: &AppState,
    caller: &Caller,
    doc_id: &DocId,
    device_heads: Option<[u8; 16]>,
) -> Result<Option<DocUpdate>, ApiError> {
    let slot = state.docs.slot(caller.org, doc_id);
    let mut guard = slot.blocking_lock();
    match ensure_loaded(
        state.store.as_ref(),
        &state.docs,
        caller.org,
        doc_id,
        &mut guard,
    ) {
        Ok(()) => {}
        Err(LoadError::Store(e)) => return Err(e.into()),
        // The device keeps its own copy; the admins hear of it from a push (audit log).
        Err(LoadError::Unreadable(reason)) => {
            tracing::error!(org = %caller.org, doc = %doc_id, %reason, "stored document does not load; left out of repair");
            return Ok(None);
        }
    }
    let Some(hot) = guard.as_mut() else {
        return Ok(None);
    };
    let heads: Vec<[u8; 32]> = hot.doc.get_heads().iter().map(|h| h.0).collect();
    if device_heads == Some(heads_digest(&heads)) {
        return Ok(None);
    }
    Ok(Some(DocUpdate {
        doc_id: doc_id.clone(),
        snapshot: Some(hot.doc.save()),
        changes: Vec::new(),
    }))
}
