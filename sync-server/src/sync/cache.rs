//! The hot-document cache: the documents being pushed to lately stay loaded, each behind its own
//! lock (pushes to one document take turns; pushes to different documents run side by side).
//! Its capacity, not the number of documents stored, bounds the server's memory.

use crate::access::Access;
use crate::access::Caller;
use crate::store::{Store, StoreError};
use automerge::{AutoCommit, ReadDoc};
use fieldstone_model::{Message, OrgId, TeamId, UserId};
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
    /// The message the server last wrote into `doc`, if it is a message it wrote.
    pub written: Option<WrittenMessage>,
}

/// A message as the server wrote it, and the heads it wrote it at. A message's next result
/// edit (a webhook's next event for it) starts from this copy instead of reading the message
/// back out of Automerge, which was most of what a webhook event cost once its write was
/// targeted. Good only while the document's heads are still these.
pub struct WrittenMessage {
    pub heads: Vec<automerge::ChangeHash>,
    pub message: Message,
}

impl HotDoc {
    /// A document as loaded or written, with nothing else known about it.
    pub fn new(doc: AutoCommit, scopes: Vec<Scope>, head_seq: u64, tail_len: u32) -> Self {
        HotDoc {
            doc,
            scopes,
            head_seq,
            tail_len,
            written: None,
        }
    }

    /// The message the server last wrote here, if nothing has changed the document since.
    pub fn written_message(&mut self) -> Option<Message> {
        let written = self.written.as_ref()?;
        (self.doc.get_heads() == written.heads).then(|| written.message.clone())
    }

    /// Operations held: what the cache weighs a document by.
    pub fn ops(&self) -> u64 {
        self.doc.stats().num_ops
    }
}

/// `None` until loaded, and for a document the server does not have. A tokio mutex for its
/// owned guards: a push holds the guards of every document it judges together, in id order.
pub type Slot = Arc<tokio::sync::Mutex<Option<HotDoc>>>;
/// A locked slot (taken with `blocking_lock_owned`, on a blocking thread).
pub type SlotGuard = tokio::sync::OwnedMutexGuard<Option<HotDoc>>;

struct Entry {
    slot: Slot,
    /// Operations of the loaded document (0 until weighed).
    ops: u64,
}

struct Slots {
    lru: LruCache<(OrgId, DocId), Entry>,
    ops: u64,
}

pub struct DocCache {
    slots: Mutex<Slots>,
    capacity: usize,
    max_ops: u64,
}

impl DocCache {
    /// At most `capacity` documents and `max_ops` operations in all (beyond them, documents
    /// in use stay until they are let go).
    pub fn new(capacity: usize, max_ops: u64) -> Self {
        Self {
            slots: Mutex::new(Slots {
                lru: LruCache::unbounded(),
                ops: 0,
            }),
            capacity: capacity.max(1),
            max_ops: max_ops.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The slot for a document, created empty if absent.
    pub fn slot(&self, org: OrgId, doc: &DocId) -> Slot {
        let mut slots = self.lock();
        let key = (org, doc.clone());
        if let Some(entry) = slots.lru.get(&key) {
            return Arc::clone(&entry.slot);
        }
        let slot: Slot = Arc::new(tokio::sync::Mutex::new(None));
        slots.lru.put(
            key,
            Entry {
                slot: Arc::clone(&slot),
                ops: 0,
            },
        );
        self.trim(&mut slots);
        slot
    }

    /// Records how many operations a slot's document holds now (after loading or storing it),
    /// and lets least recently used documents go if the cache is over its budget.
    pub fn weigh(&self, org: OrgId, doc: &DocId, ops: u64) {
        let mut slots = self.lock();
        let Some(entry) = slots.lru.peek_mut(&(org, doc.clone())) else {
            return;
        };
        let before = std::mem::replace(&mut entry.ops, ops);
        slots.ops = slots.ops.saturating_sub(before).saturating_add(ops);
        self.trim(&mut slots);
    }

    /// Evicts least recently used slots nobody is using; one in use stays (it will be evicted
    /// on a later call), so the cache may briefly exceed its budget.
    fn trim(&self, slots: &mut Slots) {
        let mut skipped = Vec::new();
        while slots.lru.len() > self.capacity || slots.ops > self.max_ops {
            let Some((key, entry)) = slots.lru.pop_lru() else {
                break;
            };
            if Arc::strong_count(&entry.slot) > 1 {
                skipped.push((key, entry));
                if skipped.len() > 64 {
                    break;
                }
            } else {
                slots.ops = slots.ops.saturating_sub(entry.ops);
            }
        }
        for (key, entry) in skipped {
            slots.lru.push(key, entry);
        }
    }

    /// Forgets a document (another process changed it, or its commit went stale).
    pub fn evict(&self, org: OrgId, doc: &DocId) {
        let mut slots = self.lock();
        if let Some(entry) = slots.lru.pop(&(org, doc.clone())) {
            slots.ops = slots.ops.saturating_sub(entry.ops);
        }
    }

    pub fn clear(&self) {
        let mut slots = self.lock();
        slots.lru.clear();
        slots.ops = 0;
    }

    pub fn len(&self) -> usize {
        self.lock().lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Operations held by weighed documents.
    pub fn ops(&self) -> u64 {
        self.lock().ops
    }
}

/// Why a stored document could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    Store(StoreError),
    /// The stored bytes are not a readable document (or Automerge panicked reading them).
    Unreadable(String),
}

impl From<StoreError> for LoadError {
    fn from(e: StoreError) -> Self {
        LoadError::Store(e)
    }
}

/// Loads a slot's document from the store if it is not loaded yet, and weighs it.
pub fn ensure_loaded(
    store: &dyn Store,
    cache: &DocCache,
    org: OrgId,
    doc_id: &DocId,
    slot: &mut Option<HotDoc>,
) -> Result<(), LoadError> {
    if slot.is_some() {
        return Ok(());
    }
    if let Some(stored) = store.load_doc(org, doc_id)? {
        let doc = super::guard::load(&stored.bytes).map_err(LoadError::Unreadable)?;
        let hot = HotDoc::new(doc, stored.scopes, stored.head_seq, stored.tail_len);
        cache.weigh(org, doc_id, hot.ops());
        *slot = Some(hot);
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
        self.for_user(store, caller.org, caller.user, caller.role)
    }

    /// What `user` (with `role`) may read and write, for the server's own work done in their
    /// name (a campaign's round, their weekly report).
    pub fn for_user(
        &self,
        store: &dyn Store,
        org: OrgId,
        user: UserId,
        role: Role,
    ) -> Result<Arc<Access>, StoreError> {
        let key = (org, user, role);
        if let Some(access) = self.map.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(Arc::clone(access));
        }
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        let users = store.users(org)?;
        let teams: Vec<TeamId> = store.teams(org)?.iter().map(|t| t.id).collect();
        let memberships = store.memberships(org)?;
        let access = Arc::new(Access::compute(
            org,
            user,
            role,
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
