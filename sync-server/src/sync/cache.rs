//! The hot-document cache: the documents being pushed to lately stay loaded, each behind its own
//! lock (pushes to one document take turns; pushes to different documents run side by side).
//! Its capacity, not the number of documents stored, bounds the server's memory.

use crate::access::Access;
use crate::access::Caller;
use crate::store::{Store, StoreError};
use automerge::AutoCommit;
use fieldstone_model::{OrgId, TeamId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};
use lru::LruCache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A loaded document and where the store has it.
pub struct HotDoc {
    pub doc: AutoCommit,
    pub scopes: Vec<Scope>,
    pub head_seq: u64,
    pub tail_len: u32,
}

/// `None` until loaded, and for a document the server does not have.
pub type Slot = Arc<Mutex<Option<HotDoc>>>;

pub struct DocCache {
    slots: Mutex<LruCache<(OrgId, DocId), Slot>>,
    capacity: usize,
}

impl DocCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: Mutex::new(LruCache::unbounded()),
            capacity: capacity.max(1),
        }
    }

    /// The slot for a document, created empty if absent.
    pub fn slot(&self, org: OrgId, doc: &DocId) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        let key = (org, doc.clone());
        if let Some(slot) = slots.get(&key) {
            return Arc::clone(slot);
        }
        let slot: Slot = Arc::new(Mutex::new(None));
        slots.put(key, Arc::clone(&slot));
        // Evict least recently used slots nobody is using; one in use stays (it will be
        // evicted on a later call), so the cache may briefly exceed its capacity.
        let mut skipped = Vec::new();
        while slots.len() > self.capacity {
            let Some((key, lru)) = slots.pop_lru() else {
                break;
            };
            if Arc::strong_count(&lru) > 1 {
                skipped.push((key, lru));
                if skipped.len() > 64 {
                    break;
                }
            }
        }
        for (key, slot) in skipped {
            slots.push(key, slot);
        }
        slot
    }

    /// Forgets a document (another process changed it, or its commit went stale).
    pub fn evict(&self, org: OrgId, doc: &DocId) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop(&(org, doc.clone()));
    }

    pub fn clear(&self) {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Loads a slot's document from the store if it is not loaded yet.
pub fn ensure_loaded(
    store: &dyn Store,
    org: OrgId,
    doc_id: &DocId,
    slot: &mut Option<HotDoc>,
) -> Result<(), StoreError> {
    if slot.is_some() {
        return Ok(());
    }
    if let Some(stored) = store.load_doc(org, doc_id)? {
        let doc = AutoCommit::load(&stored.bytes)
            .map_err(|e| StoreError::Corrupt(format!("document {doc_id}: {e}")))?;
        *slot = Some(HotDoc {
            doc,
            scopes: stored.scopes,
            head_seq: stored.head_seq,
            tail_len: stored.tail_len,
        });
    }
    Ok(())
}

/// Each user's readable and writable scopes, recomputed when access in their organisation
/// changes (membership, roles, shares).
#[derive(Default)]
pub struct AccessCache {
    map: Mutex<HashMap<(OrgId, UserId, Role), Arc<Access>>>,
    /// Bumped by every invalidation, so an answer computed from data read before one is used
    /// once but not kept.
    generation: std::sync::atomic::AtomicU64,
}

impl AccessCache {
    pub fn get(&self, store: &dyn Store, caller: &Caller) -> Result<Arc<Access>, StoreError> {
        let key = (caller.org, caller.user, caller.role);
        if let Some(access) = self.map.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(Arc::clone(access));
        }
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let users = store.users(caller.org)?;
        let teams: Vec<TeamId> = store.teams(caller.org)?.iter().map(|t| t.id).collect();
        let memberships = store.memberships(caller.org)?;
        let access = Arc::new(Access::compute(
            caller.org,
            caller.user,
            caller.role,
            &users,
            &teams,
            &memberships,
        ));
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
            return Ok(access);
        }
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(key, Arc::clone(&access));
        Ok(access)
    }

    pub fn invalidate_all(&self) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        map.clear();
    }

    pub fn invalidate(&self, org: OrgId) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        map.retain(|(o, _, _), _| *o != org);
    }
}
