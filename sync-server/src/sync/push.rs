//! Accepting a device's changes. Each document's changes are applied to a fork of the server's
//! copy; the diff is checked against the writer's role and scopes (DESIGN decision 5); only
//! then are they stored, in one transaction with the rest of the push, and announced. A refused
//! document gets an explicit rejection with the server's copy to go back to, and nothing of it
//! is stored or forwarded.

use super::cache::{ensure_loaded, HotDoc};
use crate::access::{check_patches, reject_message, Access, Caller, REASSIGN_FIELDS};
use crate::error::ApiError;
use crate::hub::Event;
use crate::store::{DocWrite, StoreError, COMPACT_AFTER};
use crate::AppState;
use automerge::{AutoCommit, Change, ReadDoc, ScalarValue, Value, ROOT};
use fieldstone_model::UserId;
use fieldstone_protocol::{
    DocId, DocPush, PushRequest, PushResponse, RejectCode, Rejection, Scope,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::MutexGuard;

/// A stale commit (another process wrote a document between load and commit) is retried this
/// many times with freshly loaded documents.
const ATTEMPTS: usize = 3;

pub fn push(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    request: PushRequest,
) -> Result<PushResponse, ApiError> {
    let limits = &state.config.limits;
    if request.docs.len() > limits.max_push_docs {
        return Err(ApiError::BadRequest(format!(
            "a push may touch at most {} documents, this one touches {}; send the rest in another push",
            limits.max_push_docs,
            request.docs.len()
        )));
    }
    // One entry per document, in id order: the order locks are taken in, so two pushes that
    // share documents cannot deadlock.
    let mut docs: BTreeMap<DocId, Vec<Vec<u8>>> = BTreeMap::new();
    for DocPush { doc_id, changes } in request.docs {
        if let Some(big) = changes.iter().find(|c| c.len() > limits.max_change_bytes) {
            return Err(ApiError::BadRequest(format!(
                "a change to {doc_id} has {} bytes; the limit is {}",
                big.len(),
                limits.max_change_bytes
            )));
        }
        docs.entry(doc_id).or_default().extend(changes);
    }
    for attempt in 1..=ATTEMPTS {
        match try_push(state, caller, access, &docs) {
            Err(ApiError::Internal(detail)) if detail.starts_with(STALE) && attempt < ATTEMPTS => {
                for doc in docs.keys() {
                    state.docs.evict(caller.org, doc);
                }
            }
            other => return other,
        }
    }
    Err(ApiError::Unavailable(
        "documents kept changing underneath this push; try again".into(),
    ))
}

const STALE: &str = "stale:";

enum Verdict {
    Accept {
        write: DocWrite,
        doc: Box<AutoCommit>,
    },
    Reject(RejectCode),
    Duplicate(u32),
}

fn try_push(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    docs: &BTreeMap<DocId, Vec<Vec<u8>>>,
) -> Result<PushResponse, ApiError> {
    let store = state.store.as_ref();
    let slots: Vec<_> = docs
        .keys()
        .map(|doc| state.docs.slot(caller.org, doc))
        .collect();
    let mut guards: Vec<MutexGuard<'_, Option<HotDoc>>> = slots
        .iter()
        .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()))
        .collect();

    // Parse everything first; collect the actors to look up in one go.
    let mut parsed: Vec<Result<Vec<Change>, ()>> = Vec::with_capacity(docs.len());
    let mut actors: BTreeSet<Vec<u8>> = BTreeSet::new();
    for changes in docs.values() {
        let one: Result<Vec<Change>, ()> = changes
            .iter()
            .map(|bytes| Change::try_from(bytes.as_slice()).map_err(|_| ()))
            .collect();
        if let Ok(changes) = &one {
            actors.extend(changes.iter().map(|c| c.actor_id().to_bytes().to_vec()));
        }
        parsed.push(one);
    }
    let owners = store.actor_owners(caller.org, &actors.into_iter().collect::<Vec<_>>())?;
    let mut claimed: HashSet<Vec<u8>> = HashSet::new();

    let mut response = PushResponse {
        accepted: 0,
        duplicates: 0,
        rejected: Vec::new(),
    };
    let mut writes = Vec::new();
    let mut forks = Vec::new();
    for ((doc_id, changes), guard) in docs.keys().zip(parsed).zip(guards.iter_mut()) {
        ensure_loaded(store, caller.org, doc_id, guard)?;
        let verdict = match changes {
            Err(()) => Verdict::Reject(RejectCode::Malformed),
            Ok(changes) => judge(
                state,
                caller,
                access,
                doc_id,
                guard.as_mut(),
                changes,
                &owners,
                &mut claimed,
            )?,
        };
        match verdict {
            Verdict::Duplicate(n) => response.duplicates += n,
            Verdict::Accept { write, doc } => {
                response.accepted += write.changes.len() as u32;
                forks.push((writes.len(), doc));
                writes.push(write);
            }
            Verdict::Reject(code) => {
                let server_doc = guard
                    .as_mut()
                    .filter(|hot| access.can_read(&hot.scopes))
                    .map(|hot| hot.doc.save());
                state
                    .metrics
                    .changes_rejected
                    .get_or_create(&crate::metrics::Metrics::label("code", code_label(&code)))
                    .inc();
                tracing::info!(doc = %doc_id, user = %caller.user, ?code, "push refused");
                response.rejected.push(Rejection {
                    message: reject_message(&code, doc_id),
                    doc_id: doc_id.clone(),
                    code,
                    server_doc,
                });
            }
        }
    }
    if writes.is_empty() {
        return Ok(response);
    }
    let committed = match store.commit(caller.org, writes, state.clock.now()) {
        Ok(done) => done,
        Err(StoreError::Stale(doc)) => return Err(ApiError::Internal(format!("{STALE} {doc}"))),
        Err(e) => return Err(e.into()),
    };
    crash_point_after_commit();
    // Stored: now the cache may hold the new versions, and the world may hear of them.
    let by_id: HashMap<&DocId, usize> = docs.keys().enumerate().map(|(i, d)| (d, i)).collect();
    for ((_, doc), done) in forks.into_iter().zip(&committed) {
        if let Some(&i) = by_id.get(&done.doc_id) {
            *guards[i] = Some(HotDoc {
                doc: *doc,
                scopes: done.scopes.clone(),
                head_seq: done.seq,
                tail_len: done.tail_len,
            });
        }
    }
    drop(guards);
    state
        .metrics
        .changes_accepted
        .inc_by(u64::from(response.accepted));
    for done in committed {
        state.publish(Event::Changed {
            org: caller.org,
            doc: done.doc_id,
            scopes: done.scopes,
            seq: done.seq,
        });
    }
    Ok(response)
}

#[allow(clippy::too_many_arguments)]
fn judge(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    doc_id: &DocId,
    hot: Option<&mut HotDoc>,
    changes: Vec<Change>,
    owners: &HashMap<Vec<u8>, UserId>,
    claimed: &mut HashSet<Vec<u8>>,
) -> Result<Verdict, ApiError> {
    let own_scope = Scope::User(caller.user);
    let (doc, scopes, existing) = match hot {
        Some(hot) => {
            if !access.can_write(&hot.scopes) {
                return Ok(Verdict::Reject(RejectCode::NotWritable));
            }
            (
                &mut hot.doc,
                hot.scopes.clone(),
                Some((hot.head_seq, hot.tail_len)),
            )
        }
        None => {
            if !access.can_write(&[own_scope]) {
                return Ok(Verdict::Reject(RejectCode::NotWritable));
            }
            // A new document starts in its creator's own scope; sharing is a server action.
            return judge_new(state, caller, doc_id, changes, owners, claimed);
        }
    };
    let mut seen = HashSet::new();
    let unique: Vec<Change> = changes
        .into_iter()
        .filter(|c| seen.insert(c.hash()))
        .collect();
    let total = unique.len();
    let fresh: Vec<Change> = unique
        .into_iter()
        .filter(|c| doc.get_change_by_hash(&c.hash()).is_none())
        .collect();
    if fresh.is_empty() {
        return Ok(Verdict::Duplicate(total as u32));
    }
    let new_actors = match check_actors(caller, &fresh, owners, claimed) {
        Ok(actors) => actors,
        Err(code) => return Ok(Verdict::Reject(code)),
    };
    let mut fork = doc.fork();
    let before = fork.get_heads();
    if fork.apply_changes(fresh.iter().cloned()).is_err() {
        return Ok(Verdict::Reject(RejectCode::Malformed));
    }
    if !fork.get_missing_deps(&[]).is_empty() {
        return Ok(Verdict::Reject(RejectCode::MissingDependencies));
    }
    let after = fork.get_heads();
    let patches = fork.diff(&before, &after);
    if let Err(code) = check_patches(caller.role, &patches) {
        return Ok(Verdict::Reject(code));
    }
    let (head_seq, tail_len) = existing.unwrap_or((0, 0));
    // A reassignment brings the document into the new owner's or agent's own scope.
    let add_scopes: Vec<Scope> = assignees(state, caller, &fork)?
        .into_iter()
        .map(Scope::User)
        .filter(|s| !scopes.contains(s))
        .collect();
    let snapshot = (tail_len as usize + fresh.len() >= COMPACT_AFTER as usize).then(|| fork.save());
    Ok(Verdict::Accept {
        write: DocWrite {
            doc_id: doc_id.clone(),
            expected_head_seq: Some(head_seq),
            changes: fresh
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes,
            snapshot,
            new_actors,
            writer: caller.user,
        },
        doc: Box::new(fork),
    })
}

fn judge_new(
    state: &AppState,
    caller: &Caller,
    doc_id: &DocId,
    changes: Vec<Change>,
    owners: &HashMap<Vec<u8>, UserId>,
    claimed: &mut HashSet<Vec<u8>>,
) -> Result<Verdict, ApiError> {
    let mut seen = HashSet::new();
    let fresh: Vec<Change> = changes
        .into_iter()
        .filter(|c| seen.insert(c.hash()))
        .collect();
    let new_actors = match check_actors(caller, &fresh, owners, claimed) {
        Ok(actors) => actors,
        Err(code) => return Ok(Verdict::Reject(code)),
    };
    let mut doc = AutoCommit::new();
    if doc.apply_changes(fresh.iter().cloned()).is_err() {
        return Ok(Verdict::Reject(RejectCode::Malformed));
    }
    if !doc.get_missing_deps(&[]).is_empty() {
        return Ok(Verdict::Reject(RejectCode::MissingDependencies));
    }
    // Creating a document assigned to someone else is a reassignment.
    let mut add_scopes = vec![Scope::User(caller.user)];
    if let Some(agent) = user_field(&doc, "assigned_agent") {
        if agent != caller.user {
            if !caller.role.may_reassign() {
                return Ok(Verdict::Reject(RejectCode::FieldNotAllowed {
                    field: "assigned_agent".into(),
                }));
            }
            if org_user(state, caller, agent)? {
                add_scopes.push(Scope::User(agent));
            }
        }
    }
    Ok(Verdict::Accept {
        write: DocWrite {
            doc_id: doc_id.clone(),
            expected_head_seq: None,
            changes: fresh
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes,
            snapshot: Some(doc.save()),
            new_actors,
            writer: caller.user,
        },
        doc: Box::new(doc),
    })
}

/// Every change must be signed by an actor that is this user's, or new (then it becomes theirs).
fn check_actors(
    caller: &Caller,
    fresh: &[Change],
    owners: &HashMap<Vec<u8>, UserId>,
    claimed: &mut HashSet<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, RejectCode> {
    let mut new_actors = Vec::new();
    for change in fresh {
        let actor = change.actor_id().to_bytes().to_vec();
        match owners.get(&actor) {
            Some(owner) if *owner != caller.user => return Err(RejectCode::ForeignActor),
            Some(_) => {}
            None => {
                if claimed.insert(actor.clone()) {
                    new_actors.push(actor);
                }
            }
        }
    }
    Ok(new_actors)
}

/// The users a document is assigned to or owned by, when they exist in the caller's org.
fn assignees(state: &AppState, caller: &Caller, doc: &AutoCommit) -> Result<Vec<UserId>, ApiError> {
    if !caller.role.may_reassign() {
        return Ok(Vec::new());
    }
    let mut users = Vec::new();
    for field in REASSIGN_FIELDS {
        if let Some(user) = user_field(doc, field) {
            if !users.contains(&user) && org_user(state, caller, user)? {
                users.push(user);
            }
        }
    }
    Ok(users)
}

fn org_user(state: &AppState, caller: &Caller, user: UserId) -> Result<bool, ApiError> {
    Ok(state.store.user(caller.org, user)?.is_some())
}

/// A root string field holding a user id.
fn user_field(doc: &AutoCommit, field: &str) -> Option<UserId> {
    match doc.get(ROOT, field).ok().flatten()? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(text) => text.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn code_label(code: &RejectCode) -> &'static str {
    match code {
        RejectCode::NotWritable => "not_writable",
        RejectCode::FieldNotAllowed { .. } => "field_not_allowed",
        RejectCode::ForeignActor => "foreign_actor",
        RejectCode::Malformed => "malformed",
        RejectCode::MissingDependencies => "missing_dependencies",
        RejectCode::LimitReached { .. } => "limit_reached",
        RejectCode::Unreadable => "unreadable",
    }
}

/// Fault injection for crash tests: with `FIELDSTONE_TEST_CRASH_AFTER_COMMITS=N` the process
/// aborts right after its N-th stored push, before answering — the moment where a lost answer
/// makes the device send the same changes again. Unset (always, outside tests) it does nothing.
fn crash_point_after_commit() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static LIMIT: OnceLock<Option<u64>> = OnceLock::new();
    static COMMITS: AtomicU64 = AtomicU64::new(0);
    let limit = LIMIT.get_or_init(|| {
        std::env::var("FIELDSTONE_TEST_CRASH_AFTER_COMMITS")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(limit) = limit {
        if COMMITS.fetch_add(1, Ordering::SeqCst) + 1 >= *limit {
            eprintln!("fault injection: aborting after commit {limit}, before the answer");
            std::process::abort();
        }
    }
}
