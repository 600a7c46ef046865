//! The organisation's settings document (DESIGN decision 17), `settings:<org id>` in the
//! organisation's scope. Admins change it through the HTTP API, which checks the whole setting
//! and writes it with the server's actor; every member's device receives it by ordinary sync.
//! No device may push to it (`access::server_only_kind`). Also: the zone an agent works in, read
//! from their preferences document, for what the server schedules on their behalf.

use crate::store::{Store, StoreError};
use crate::sync::guard;
use crate::sync::server_write::{
    create_as_server, server_actor_id, write_as_server, ServerWriteError,
};
use crate::AppState;
use chrono_tz::Tz;
use fieldstone_doc::org_settings::{self, FOLLOW_UP_KEY};
use fieldstone_model::branding::Branding;
use fieldstone_model::{FollowUpSettings, OrgId, UserId};
use fieldstone_protocol::{DocId, Scope};
use std::collections::BTreeMap;

/// The preferences entry holding the agent's IANA zone, as a JSON string (the app keeps it).
pub const TIME_ZONE_PREF: &str = "time_zone";

/// The organisation's settings document id.
pub fn doc_id(org: OrgId) -> Result<DocId, StoreError> {
    DocId::new(org_settings::KIND, org).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The document's entries; empty when the organisation has changed nothing yet.
fn entries(store: &dyn Store, org: OrgId) -> Result<BTreeMap<String, String>, StoreError> {
    let Some(stored) = store.load_doc(org, &doc_id(org)?)? else {
        return Ok(BTreeMap::new());
    };
    let doc = guard::load(&stored.bytes).map_err(StoreError::Corrupt)?;
    org_settings::read(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The organisation's follow-up plan: seed 002's until an admin changes it. An entry this
/// build cannot read (a newer build's) is the default, logged, never an outage of intake.
pub fn follow_up(store: &dyn Store, org: OrgId) -> Result<FollowUpSettings, StoreError> {
    let entries = entries(store, org)?;
    let Some(json) = entries.get(FOLLOW_UP_KEY) else {
        return Ok(FollowUpSettings::default());
    };
    match serde_json::from_str::<FollowUpSettings>(json) {
        Ok(settings) if settings.validate().is_ok() => Ok(settings),
        _ => {
            tracing::warn!(%org, "the follow-up plan setting cannot be read; the default is used");
            Ok(FollowUpSettings::default())
        }
    }
}

/// The settings entry holding the organisation's branding (JSON of `Branding`).
pub const BRANDING_KEY: &str = "branding";

/// The organisation's branding; the default (no disclaimer, the default accent) until an admin
/// sets one, or when the entry cannot be read (logged).
pub fn branding(store: &dyn Store, org: OrgId) -> Result<Branding, StoreError> {
    let entries = entries(store, org)?;
    let Some(json) = entries.get(BRANDING_KEY) else {
        return Ok(Branding::default());
    };
    match serde_json::from_str::<Branding>(json).map(|b| b.validate()) {
        Ok(Ok(valid)) => Ok(valid.into_inner()),
        _ => {
            tracing::warn!(%org, "the branding setting cannot be read; the default is used");
            Ok(Branding::default())
        }
    }
}

/// Stores checked branding as the server. Blocking.
pub fn set_branding(
    state: &AppState,
    org: OrgId,
    writer: UserId,
    branding: &fieldstone_model::Valid<Branding>,
) -> Result<(), ServerWriteError> {
    set_entry(state, org, writer, BRANDING_KEY, &**branding)
}

/// Stores a checked follow-up plan as the server, creating the document the first time.
/// Blocking: call from a blocking thread.
pub fn set_follow_up(
    state: &AppState,
    org: OrgId,
    writer: UserId,
    settings: &fieldstone_model::Valid<FollowUpSettings>,
) -> Result<(), ServerWriteError> {
    set_entry(state, org, writer, FOLLOW_UP_KEY, &**settings)
}

/// Writes one entry of the settings document as the server (JSON of `value`), creating the
/// document the first time.
fn set_entry(
    state: &AppState,
    org: OrgId,
    writer: UserId,
    key: &str,
    value: &impl serde::Serialize,
) -> Result<(), ServerWriteError> {
    let id = doc_id(org)?;
    let json = serde_json::to_string(value).map_err(|e| ServerWriteError::Unreadable {
        doc: id.clone(),
        reason: e.to_string(),
    })?;
    let entries = vec![(key.to_owned(), Some(json))];
    let now = state.clock.now();
    let unreadable = |e: fieldstone_doc::DocError| ServerWriteError::Unreadable {
        doc: id.clone(),
        reason: e.to_string(),
    };
    if state.store.load_doc(org, &id)?.is_none() {
        let (doc, _) =
            org_settings::write(None, server_actor_id(), now, &entries).map_err(unreadable)?;
        if create_as_server(state, org, &id, vec![Scope::Org(org)], writer, doc)? {
            return Ok(());
        }
        // Another admin's first write landed meanwhile: change that document instead.
    }
    write_as_server(state, org, &id, writer, |doc| {
        let (next, _) =
            org_settings::write(Some(std::mem::take(doc)), server_actor_id(), now, &entries)
                .map_err(unreadable)?;
        *doc = next;
        Ok(())
    })?;
    Ok(())
}

/// The zone `user` works in: the one their app keeps in their preferences, else the
/// organisation's, else UTC.
pub fn agent_zone(state: &AppState, org: OrgId, user: UserId) -> Result<Tz, StoreError> {
    let prefs = DocId::new(fieldstone_doc::prefs::KIND, user)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if let Some(stored) = state.store.load_doc(org, &prefs)? {
        let zone = guard::load(&stored.bytes)
            .ok()
            .and_then(|doc| fieldstone_doc::prefs::read(&doc).ok())
            .and_then(|entries| {
                entries
                    .get(TIME_ZONE_PREF)
                    .and_then(|json| serde_json::from_str::<String>(json).ok())
            })
            .and_then(|name| name.parse::<Tz>().ok());
        if let Some(zone) = zone {
            return Ok(zone);
        }
    }
    Ok(crate::quota::plan_of(state, org)?.1)
}
