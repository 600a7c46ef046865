//! One document: the server's copy, and sharing it with a teammate (a server action: which
//! scopes a document is in is server state, never document content).

use super::{path_id, ApiJson, SyncReply};
use crate::access::{Access, Caller};
use crate::error::ApiError;
use crate::hub::Event;
use crate::sync::cache::{ensure_loaded, LoadError};
use crate::{blocking, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use fieldstone_model::{TeamId, UserId};
use fieldstone_protocol::account::{DocScopes, ShareRequest};
use fieldstone_protocol::{DocId, Scope};
use std::sync::Arc;

fn access(state: &AppState, caller: &Caller) -> Result<Arc<Access>, ApiError> {
    Ok(state.access.get(state.store.as_ref(), caller)?)
}

/// The document's scopes, if the caller may read it (else "not found").
fn readable_scopes(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    doc: &DocId,
) -> Result<Vec<Scope>, ApiError> {
    state
        .store
        .doc_scopes(caller.org, doc)?
        .filter(|scopes| access.can_read(scopes))
        .ok_or_else(|| ApiError::NotFound("document".into()))
}

/// `GET /v2/docs/{doc}`: the saved document, in the sync body encoding of a `DocUpdate`.
pub async fn get_doc(
    State(state): State<AppState>,
    caller: Caller,
    Path(doc_id): Path<String>,
) -> Result<SyncReply, ApiError> {
    let doc_id: DocId = path_id(&doc_id, "document")?;
    blocking(move || {
        let access = access(&state, &caller)?;
        readable_scopes(&state, &caller, &access, &doc_id)?;
        let slot = state.docs.slot(caller.org, &doc_id);
        let mut guard = slot.blocking_lock();
        match ensure_loaded(state.store.as_ref(), &state.docs, caller.org, &doc_id, &mut guard) {
            Ok(()) => {}
            Err(LoadError::Store(e)) => return Err(e.into()),
            Err(LoadError::Unreadable(_)) => {
                return Err(ApiError::Conflict(
                    "the server's copy of this document cannot be read; it is set aside for an administrator".into(),
                ))
            }
        }
        let hot = guard
            .as_mut()
            .ok_or_else(|| ApiError::NotFound("document".into()))?;
        let update = fieldstone_protocol::DocUpdate {
            doc_id: doc_id.clone(),
            snapshot: Some(hot.doc.save()),
            changes: Vec::new(),
        };
        SyncReply::encode(&state, &update)
    })
    .await
}

pub async fn shares(
    State(state): State<AppState>,
    caller: Caller,
    Path(doc_id): Path<String>,
) -> Result<Json<DocScopes>, ApiError> {
    let doc_id: DocId = path_id(&doc_id, "document")?;
    blocking(move || {
        let access = access(&state, &caller)?;
        let scopes = readable_scopes(&state, &caller, &access, &doc_id)?;
        Ok(Json(DocScopes {
            doc_id,
            scopes: scopes.iter().map(Scope::to_string).collect(),
        }))
    })
    .await
}

/// Who the caller may share with: anyone in the organisation for admins, else teammates.
fn check_recipient(state: &AppState, caller: &Caller, user: UserId) -> Result<(), ApiError> {
    if state.store.user(caller.org, user)?.is_none() {
        return Err(ApiError::NotFound("user".into()));
    }
    if crate::access::org::sees_everyone(caller.role) {
        return Ok(());
    }
    let memberships = state.store.memberships(caller.org)?;
    let teams_of = |u: UserId| -> Vec<_> {
        memberships
            .iter()
            .filter(|(_, m)| *m == u)
            .map(|(t, _)| *t)
            .collect()
    };
    let mine = teams_of(caller.user);
    if teams_of(user).iter().any(|t| mine.contains(t)) {
        Ok(())
    } else {
        Err(ApiError::NotFound("user".into()))
    }
}

/// Teams the caller may share into: any for admins, else their own.
fn check_team(state: &AppState, caller: &Caller, team: TeamId) -> Result<(), ApiError> {
    if state.store.team(caller.org, team)?.is_none() {
        return Err(ApiError::NotFound("team".into()));
    }
    let member = state
        .store
        .memberships(caller.org)?
        .contains(&(team, caller.user));
    if crate::access::org::sees_everyone(caller.role) || member {
        Ok(())
    } else {
        Err(ApiError::NotFound("team".into()))
    }
}

/// `POST /v2/docs/{doc}/shares`: the teammate (or every member of the team) receives the
/// document whole on their next pull, and can work on it from then on.
pub async fn share(
    State(state): State<AppState>,
    caller: Caller,
    Path(doc_id): Path<String>,
    ApiJson(request): ApiJson<ShareRequest>,
) -> Result<StatusCode, ApiError> {
    let doc_id: DocId = path_id(&doc_id, "document")?;
    blocking(move || {
        let scope = match (request.user_id, request.team_id) {
            (Some(user), None) => {
                check_recipient(&state, &caller, user)?;
                Scope::User(user)
            }
            (None, Some(team)) => {
                check_team(&state, &caller, team)?;
                Scope::Team(team)
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "name exactly one of user_id or team_id".into(),
                ))
            }
        };
        let access = access(&state, &caller)?;
        let scopes = readable_scopes(&state, &caller, &access, &doc_id)?;
        if !access.can_write(&scopes) {
            return Err(ApiError::Forbidden(
                "you may read this document but not share it".into(),
            ));
        }
        if !crate::sync::server_write::add_scope(&state, caller.org, &doc_id, scope)? {
            return Ok(StatusCode::NO_CONTENT); // already shared
        }
        Ok(StatusCode::CREATED)
    })
    .await
}

/// `DELETE /v2/docs/{doc}/shares/{scope}`: stops sharing with a user (`user:<id>`) or a team
/// (`team:<id>`). The document's first scope (where it was created) cannot be removed.
pub async fn unshare(
    State(state): State<AppState>,
    caller: Caller,
    Path((doc_id, scope)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let doc_id: DocId = path_id(&doc_id, "document")?;
    let scope: Scope = path_id(&scope, "share")?;
    blocking(move || {
        let access = access(&state, &caller)?;
        let scopes = readable_scopes(&state, &caller, &access, &doc_id)?;
        if !access.can_write(&scopes) {
            return Err(ApiError::Forbidden(
                "you may read this document but not change its sharing".into(),
            ));
        }
        if scopes.first() == Some(&scope) {
            return Err(ApiError::Forbidden(
                "a document stays in the scope it was created in".into(),
            ));
        }
        if !state.store.remove_doc_scope(caller.org, &doc_id, scope)? {
            return Err(ApiError::NotFound("share".into()));
        }
        state.docs.evict(caller.org, &doc_id);
        state.publish(Event::AccessChanged { org: caller.org });
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}
