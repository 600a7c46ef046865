//! Accepting a device's changes. Each document is judged on its own (`judge`): rights first,
//! cost read from the bytes, then applied to a fork of the server's copy, checked against the
//! writer's role and proven to load again (DESIGN decision 5). What is accepted is stored and
//! announced; a refused document gets an explicit rejection with the server's copy to go back
//! to, and nothing of it is stored or forwarded.
//!
//! A push is stored in groups: once the documents a push holds in memory pass
//! `limits.push_ops_per_commit` operations, what is judged so far is committed and let go, so a
//! push's memory stays bounded however large the documents it touches. Each document's lock is
//! taken in id order, so two pushes that share documents cannot deadlock.

use super::cache::{ensure_loaded, HotDoc, LoadError, SlotGuard};
use super::judge::{judge, record, Tally, Verdict};
use crate::access::{reject_message, Access, Caller};
use crate::error::ApiError;
use crate::hub::Event;
use crate::store::StoreError;
use crate::{AppState, Audit};
use automerge::ReadDoc;
use fieldstone_protocol::{DocId, DocPush, PushRequest, PushResponse, RejectCode, Rejection};
use std::collections::{BTreeMap, HashSet};

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
    // One entry per document, in id order: the order locks are taken in.
    let mut grouped: BTreeMap<DocId, Vec<Vec<u8>>> = BTreeMap::new();
    for DocPush { doc_id, changes } in request.docs {
        if let Some(big) = changes.iter().find(|c| c.len() > limits.max_change_bytes) {
            return Err(ApiError::BadRequest(format!(
                "a change to {doc_id} has {} bytes; the limit is {}",
                big.len(),
                limits.max_change_bytes
            )));
        }
        grouped.entry(doc_id).or_default().extend(changes);
    }
    let docs: Vec<(DocId, Vec<Vec<u8>>)> = grouped.into_iter().collect();
    let mut tally = Tally {
        usage: state.store.usage(caller.org, caller.user)?,
        claimed: HashSet::new(),
        leads: None,
    };
    let mut response = PushResponse {
        accepted: 0,
        duplicates: 0,
        rejected: Vec::new(),
    };
    let mut created = crate::intake::device::Created::default();
    let mut next = 0;
    while next < docs.len() {
        let mut attempt = 0;
        let group = loop {
            attempt += 1;
            match push_group(
                state,
                caller,
                access,
                &docs[next..],
                &tally,
                &created.contacts,
            ) {
                Ok(group) => break group,
                Err(Fail::Stale(touched)) if attempt < ATTEMPTS => {
                    for doc in &touched {
                        state.docs.evict(caller.org, doc);
                    }
                }
                Err(Fail::Stale(_)) => {
                    return Err(ApiError::Unavailable(
                        "documents kept changing underneath this push; try again".into(),
                    ))
                }
                Err(Fail::Api(e)) => return Err(e),
            }
        };
        next += group.consumed;
        tally = group.tally;
        response.accepted += group.response.accepted;
        response.duplicates += group.response.duplicates;
        response.rejected.extend(group.response.rejected);
        created.contacts.extend(group.created.contacts);
        created.visits.extend(group.created.visits);
    }
    audit_refusals(state, caller, &response.rejected);
    // Stored and announced: now an open-house visitor signed in on this device is deduped
    // against the organisation and routed (see `intake::device`).
    if !created.visits.is_empty() {
        crate::intake::device::arrived(state, caller.org, caller.user, created);
    }
    Ok(response)
}

enum Fail {
    /// Another process stored one of these documents first: reload them and judge again.
    Stale(Vec<DocId>),
    Api(ApiError),
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Fail::Api(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Api(e.into())
    }
}

struct Group {
    consumed: usize,
    tally: Tally,
    response: PushResponse,
    /// New contacts and sign-in visits, for `intake::device`.
    created: crate::intake::device::Created,
}

/// Judges documents from the start of `docs` until the memory budget is spent (at least one),
/// stores what was accepted in one transaction, and announces it.
fn push_group(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    docs: &[(DocId, Vec<Vec<u8>>)],
    tally: &Tally,
    earlier: &std::collections::BTreeSet<fieldstone_model::ContactId>,
) -> Result<Group, Fail> {
    let store = state.store.as_ref();
    let budget = state.config.limits.push_ops_per_commit;
    let mut tally = Tally {
        usage: tally.usage,
        claimed: tally.claimed.clone(),
        leads: tally.leads,
    };
    let mut response = PushResponse {
        accepted: 0,
        duplicates: 0,
        rejected: Vec::new(),
    };
    let mut guards: Vec<SlotGuard> = Vec::new();
    let mut writes = Vec::new();
    // (index into `guards`, the accepted fork) for each write, in order.
    let mut forks = Vec::new();
    let mut held: u64 = 0;
    let mut consumed = 0;
    let mut created = crate::intake::device::Created::default();
    for (doc_id, changes) in docs {
        consumed += 1;
        let mut guard = state.docs.slot(caller.org, doc_id).blocking_lock_owned();
        let verdict = match ensure_loaded(store, &state.docs, caller.org, doc_id, &mut guard) {
            Ok(()) => judge(
                state,
                caller,
                access,
                doc_id,
                guard.as_mut(),
                changes,
                &mut tally,
            )?,
            Err(LoadError::Store(e)) => return Err(e.into()),
            Err(LoadError::Unreadable(reason)) => {
                quarantined(state, caller, doc_id, &reason);
                Verdict::Refuse {
                    code: RejectCode::Unreadable,
                    message: None,
                }
            }
        };
        held += guard.as_ref().map_or(0, HotDoc::ops);
        match verdict {
            Verdict::Duplicate(n) => response.duplicates += n,
            Verdict::Accept { write, doc } => {
                held += doc.stats().num_ops;
                if write.expected_head_seq.is_none() {
                    created.note(&write.doc_id, &doc);
                }
                response.accepted += write.changes.len() as u32;
                forks.push((guards.len(), doc));
                writes.push(*write);
            }
            Verdict::Refuse { code, message } => {
                let server_doc = guard
                    .as_mut()
                    .filter(|hot| access.can_read(&hot.scopes))
                    .map(|hot| hot.doc.save());
                state
                    .metrics
                    .changes_rejected
                    .get_or_create(&crate::metrics::Metrics::label("code", code.label()))
                    .inc();
                tracing::info!(doc = %doc_id, user = %caller.user, ?code, "push refused");
                response.rejected.push(Rejection {
                    message: message.unwrap_or_else(|| reject_message(&code, doc_id)),
                    doc_id: doc_id.clone(),
                    code,
                    server_doc,
                });
            }
        }
        guards.push(guard);
        if held >= budget {
            break;
        }
    }
    if writes.is_empty() {
        return Ok(Group {
            consumed,
            tally,
            response,
            created,
        });
    }
    // Open-house visitors are queued for routing before they are stored: a server stopping
    // between the two leaves them queued, never stored and forgotten (`intake::device`).
    let queue = created.queue_rows(earlier, caller.user, state.clock.now());
    if !queue.is_empty() {
        store.queue_device_leads(caller.org, &queue)?;
    }
    let committed = match store.commit(caller.org, writes, state.clock.now()) {
        Ok(done) => done,
        Err(StoreError::Stale(_)) => {
            return Err(Fail::Stale(
                docs[..consumed].iter().map(|(d, _)| d.clone()).collect(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    crash_point_after_commit();
    // Stored: now the cache may hold the new versions, and the world may hear of them.
    for ((at, doc), done) in forks.into_iter().zip(&committed) {
        let hot = HotDoc::new(*doc, done.scopes.clone(), done.seq, done.tail_len);
        state.docs.weigh(caller.org, &done.doc_id, hot.ops());
        *guards[at] = Some(hot);
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
    Ok(Group {
        consumed,
        tally,
        response,
        created,
    })
}

/// A stored document that no longer loads: refused for every push (so nothing is stacked on
/// it), told to the organisation's admins, and kept as it is for them to look at.
fn quarantined(state: &AppState, caller: &Caller, doc_id: &DocId, reason: &str) {
    tracing::error!(org = %caller.org, doc = %doc_id, %reason, "stored document does not load; quarantined");
    state.audit(
        caller.org,
        Audit {
            kind: "document_unreadable",
            user: Some(caller.user),
            subject: Some(doc_id.to_string()),
            detail: format!(
                "The server's copy of {} does not load ({reason}); pushes to it are refused.",
                record(doc_id)
            ),
            ip: None,
        },
    );
}

/// One audit entry per push that had refusals: how many, why, and the first document.
fn audit_refusals(state: &AppState, caller: &Caller, rejected: &[Rejection]) {
    let Some(first) = rejected.first() else {
        return;
    };
    let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rejected {
        *codes.entry(r.code.label()).or_default() += 1;
    }
    let counts: Vec<String> = codes.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
    state.audit(
        caller.org,
        Audit {
            kind: "change_refused",
            user: Some(caller.user),
            subject: Some(first.doc_id.to_string()),
            detail: format!(
                "{} document(s) refused from device {}: {}",
                rejected.len(),
                caller.device,
                counts.join(", ")
            ),
            ip: None,
        },
    );
}

/// Fault injection for crash tests (feature `fault-injection`): with
/// `FIELDSTONE_TEST_CRASH_AFTER_COMMITS=N` the process aborts right after its N-th stored push,
/// before answering — the moment where a lost answer makes the device send the same changes
/// again. Without the feature it does not exist.
#[cfg(feature = "fault-injection")]
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

#[cfg(not(feature = "fault-injection"))]
fn crash_point_after_commit() {}
