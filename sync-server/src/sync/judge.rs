//! The verdict on one document's changes in a push, in the order that keeps an attacker's
//! bytes cheap: the writer's rights first (nothing of a document they may not write is read),
//! then each change's cost read from its bytes (inflated size, operations), then quotas and
//! the document's limits, and only then are the changes parsed, applied to a fork, checked
//! field by field against the writer's role, and the result proven to load again.

use super::cache::HotDoc;
use super::guard;
use super::inspect::{inspect, InspectError};
use crate::access::{check_new_intent, check_patches, Access, Caller, REASSIGN_FIELDS};
use crate::error::ApiError;
use crate::store::{DocWrite, Usage, COMPACT_AFTER};
use crate::AppState;
use automerge::{AutoCommit, Change, ReadDoc, ScalarValue, Value, ROOT};
use fieldstone_model::UserId;
use fieldstone_protocol::{DocId, RejectCode, Scope};
use std::collections::{HashMap, HashSet};

pub enum Verdict {
    Accept {
        // Boxed like the document: a write is large beside a refusal.
        write: Box<DocWrite>,
        doc: Box<AutoCommit>,
    },
    /// Refused; `message` replaces the usual sentence for the code when there is more to say.
    Refuse {
        code: RejectCode,
        message: Option<String>,
    },
    Duplicate(u32),
}

fn refuse(code: RejectCode) -> Verdict {
    Verdict::Refuse {
        code,
        message: None,
    }
}

fn refuse_with(code: RejectCode, message: String) -> Verdict {
    Verdict::Refuse {
        code,
        message: Some(message),
    }
}

fn limit(name: &str, message: String) -> Verdict {
    refuse_with(
        RejectCode::LimitReached {
            limit: name.to_owned(),
        },
        message,
    )
}

/// What a push has used of the caller's quotas so far (stored usage plus what this push
/// accepted), and the actors it bound.
pub struct Tally {
    pub usage: Usage,
    pub claimed: HashSet<Vec<u8>>,
    /// The organisation's leads and its plan's cap, counted at the push's first new contact
    /// (`None` until then).
    pub leads: Option<Leads>,
}

/// Contacts the organisation holds, and how many its plan allows (`None`: no cap).
#[derive(Debug, Clone, Copy)]
pub struct Leads {
    pub count: u64,
    pub cap: Option<u64>,
}

/// The organisation's leads, counted up to one past its plan's cap (a free plan's count is
/// never more than 51 ids read). Blocking.
fn count_leads(state: &AppState, caller: &Caller) -> Result<Leads, ApiError> {
    let (plan, _) = crate::quota::plan_of(state, caller.org)?;
    let Some(cap) = plan.allowance(fieldstone_model::plan::Meter::Leads) else {
        return Ok(Leads {
            count: 0,
            cap: None,
        });
    };
    let store = state.store.as_ref();
    let scopes = super::org_docs::scopes(store, caller.org)?;
    let want = usize::try_from(cap.saturating_add(1)).unwrap_or(usize::MAX);
    let ids = super::org_docs::contact_ids(store, caller.org, &scopes, None, want)?;
    Ok(Leads {
        count: ids.len() as u64,
        cap: Some(cap),
    })
}

/// Judges `raw` (one document's changes) against `hot`, the server's copy (`None`: new).
pub fn judge(
    state: &AppState,
    caller: &Caller,
    access: &Access,
    doc_id: &DocId,
    hot: Option<&mut HotDoc>,
    raw: &[Vec<u8>],
    tally: &mut Tally,
) -> Result<Verdict, ApiError> {
    let limits = &state.config.limits;
    let own_scope = [Scope::User(caller.user)];
    let scopes = hot.as_ref().map_or(&own_scope[..], |h| &h.scopes[..]);
    // Preferences are each person's own (their zone, smart lists, what the server may send
    // for them without review), so the server reads `prefs:<user>` as that user's word: only
    // they write it, whatever their role, and nobody else may, an admin included.
    let prefs = doc_id.kind() == fieldstone_doc::prefs::KIND;
    let own_prefs = prefs && doc_id.record_id() == caller.user.to_string() && scopes == own_scope;
    if prefs && !own_prefs {
        return Ok(refuse_with(
            RejectCode::NotWritable,
            "Preferences belong to the person they are for; only they can change them. Your \
             edit was undone."
                .to_owned(),
        ));
    }
    if !access.can_write(scopes) && !own_prefs {
        return Ok(refuse(RejectCode::NotWritable));
    }
    // The organisation's settings are written by the server alone, on an admin's checked
    // request (DESIGN decision 17): a device's edit would skip that check.
    if crate::access::server_only_kind(doc_id.kind()) {
        return Ok(refuse_with(
            RejectCode::NotWritable,
            "The organisation's settings are changed by an admin in Settings, not by editing \
             them on a device. Your edit was undone."
                .to_owned(),
        ));
    }
    let mut ops = 0u64;
    let mut bytes = 0u64;
    for change in raw {
        match inspect(
            change,
            limits.max_change_inflated_bytes,
            limits.max_change_ops,
        ) {
            Ok(cost) => ops = ops.saturating_add(cost.ops),
            Err(InspectError::Malformed(_)) => return Ok(refuse(RejectCode::Malformed)),
            Err(InspectError::TooBig { limit: n }) => {
                return Ok(limit(
                    "change_inflated_bytes",
                    format!("An edit to {} inflates past the server's limit of {n} bytes and was refused; it stays on this device.", record(doc_id)),
                ))
            }
            Err(InspectError::TooManyOps { limit: n }) => {
                return Ok(limit(
                    "ops_per_change",
                    format!("An edit to {} has more than the server's limit of {n} operations and was refused; it stays on this device.", record(doc_id)),
                ))
            }
        }
        bytes = bytes.saturating_add(change.len() as u64);
    }
    let held = hot.as_ref().map_or(0, |h| h.ops());
    if held.saturating_add(ops) > limits.max_doc_ops {
        return Ok(limit(
            "doc_ops",
            format!(
                "{} would pass the server's limit of {} operations in one record; the edit was refused and stays on this device.",
                capital(&record(doc_id)),
                limits.max_doc_ops
            ),
        ));
    }
    if let Some(verdict) = over_quota(state, doc_id, hot.is_none(), bytes, &tally.usage) {
        return Ok(verdict);
    }
    let new_contact = hot.is_none() && doc_id.kind() == fieldstone_doc::contact::KIND;
    if new_contact {
        let leads = match tally.leads {
            Some(leads) => leads,
            None => *tally.leads.insert(count_leads(state, caller)?),
        };
        if let Some(cap) = leads.cap.filter(|cap| leads.count >= *cap) {
            let (plan, _) = crate::quota::plan_of(state, caller.org)?;
            return Ok(limit(
                "leads",
                format!(
                    "The {} plan holds {cap} leads, and your organisation has them; this \
                     contact was not uploaded and stays on this device until an admin changes \
                     the plan.",
                    plan.label()
                ),
            ));
        }
    }
    let mut parsed = Vec::with_capacity(raw.len());
    let mut seen = HashSet::new();
    for bytes in raw {
        match guard::parse_change(bytes) {
            Ok(change) => {
                if seen.insert(change.hash()) {
                    parsed.push(change);
                }
            }
            Err(_) => return Ok(refuse(RejectCode::Malformed)),
        }
    }
    let actors: Vec<Vec<u8>> = parsed
        .iter()
        .map(|c| c.actor_id().to_bytes().to_vec())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let owners = state.store.actor_owners(caller.org, &actors)?;
    let verdict = match hot {
        Some(hot) => judge_existing(state, caller, doc_id, hot, parsed, &owners, tally)?,
        None => judge_new(state, caller, doc_id, parsed, &owners, tally)?,
    };
    if let Verdict::Accept { write, .. } = &verdict {
        let written: u64 = write.changes.iter().map(|(_, b)| b.len() as u64).sum();
        tally.usage.user_bytes += written;
        tally.usage.org_bytes += written;
        if write.expected_head_seq.is_none() {
            tally.usage.user_docs += 1;
            tally.usage.org_docs += 1;
            if let Some(leads) = tally.leads.as_mut().filter(|_| new_contact) {
                leads.count += 1;
            }
        }
    }
    Ok(verdict)
}

/// The user's and organisation's document and byte quotas, with this document's changes.
fn over_quota(
    state: &AppState,
    doc_id: &DocId,
    new: bool,
    bytes: u64,
    usage: &Usage,
) -> Option<Verdict> {
    let l = &state.config.limits;
    let what = record(doc_id);
    let checks = [
        (new && usage.user_docs >= l.max_user_docs, "user_docs", format!("You have reached the server's limit of {} records; {what} was not uploaded and stays on this device.", l.max_user_docs)),
        (new && usage.org_docs >= l.max_org_docs, "org_docs", format!("Your organisation has reached the server's limit of {} records; {what} was not uploaded and stays on this device.", l.max_org_docs)),
        (usage.user_bytes.saturating_add(bytes) > l.max_user_bytes, "user_bytes", format!("You have reached the server's storage limit of {} bytes; the edit to {what} was not uploaded and stays on this device.", l.max_user_bytes)),
        (usage.org_bytes.saturating_add(bytes) > l.max_org_bytes, "org_bytes", format!("Your organisation has reached the server's storage limit of {} bytes; the edit to {what} was not uploaded and stays on this device.", l.max_org_bytes)),
    ];
    checks
        .into_iter()
        .find(|(over, _, _)| *over)
        .map(|(_, name, message)| limit(name, message))
}

fn judge_existing(
    state: &AppState,
    caller: &Caller,
    doc_id: &DocId,
    hot: &mut HotDoc,
    parsed: Vec<Change>,
    owners: &HashMap<Vec<u8>, UserId>,
    tally: &mut Tally,
) -> Result<Verdict, ApiError> {
    let total = parsed.len();
    let fresh: Vec<Change> = parsed
        .into_iter()
        .filter(|c| hot.doc.get_change_by_hash(&c.hash()).is_none())
        .collect();
    if fresh.is_empty() {
        return Ok(Verdict::Duplicate(total as u32));
    }
    let new_actors = match check_actors(caller, &fresh, owners, &mut tally.claimed) {
        Ok(actors) => actors,
        Err(code) => return Ok(refuse(code)),
    };
    let mut fork = hot.doc.fork();
    let before = fork.get_heads();
    if guard::apply(&mut fork, &fresh).is_err() {
        return Ok(refuse(RejectCode::Malformed));
    }
    if !fork.get_missing_deps(&[]).is_empty() {
        return Ok(refuse(RejectCode::MissingDependencies));
    }
    let after = fork.get_heads();
    let Ok(patches) = guard::diff(&mut fork, &before, &after) else {
        return Ok(refuse(RejectCode::Malformed));
    };
    if let Err(code) = check_patches(caller.role, doc_id.kind(), &patches) {
        return Ok(refuse(code));
    }
    let saved = match prove(state, doc_id, &mut fork) {
        Ok(saved) => saved,
        Err(verdict) => return Ok(*verdict),
    };
    // A reassignment brings the document into the new owner's or agent's own scope.
    let add_scopes: Vec<Scope> = assignees(state, caller, &fork)?
        .into_iter()
        .map(Scope::User)
        .filter(|s| !hot.scopes.contains(s))
        .collect();
    let compact = hot.tail_len as usize + fresh.len() >= COMPACT_AFTER as usize;
    Ok(Verdict::Accept {
        write: Box::new(DocWrite {
            doc_id: doc_id.clone(),
            expected_head_seq: Some(hot.head_seq),
            changes: fresh
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes,
            snapshot: compact.then_some(saved),
            new_actors,
            writer: caller.user,
            intent: false,
            // The contact index follows every accepted change to a contact (an email edited,
            // a reassignment, a delete), in the commit that stores it.
            contact: crate::store::contact_index::entry_for(doc_id, &fork),
            job: crate::jobs::job_for(doc_id, &fork),
        }),
        doc: Box::new(fork),
    })
}

fn judge_new(
    state: &AppState,
    caller: &Caller,
    doc_id: &DocId,
    fresh: Vec<Change>,
    owners: &HashMap<Vec<u8>, UserId>,
    tally: &mut Tally,
) -> Result<Verdict, ApiError> {
    // A device that brings another organisation's documents (an actor bound there) is not
    // creating this organisation's records: refuse before anything of them is stored.
    let unknown: Vec<Vec<u8>> = fresh
        .iter()
        .map(|c| c.actor_id().to_bytes().to_vec())
        .filter(|a| !owners.contains_key(a) && !tally.claimed.contains(a))
        .collect();
    if state.store.actors_elsewhere(caller.org, &unknown)? {
        return Ok(refuse_with(
            RejectCode::ForeignActor,
            format!(
                "{} was made in another organisation and cannot be added to this one.",
                capital(&record(doc_id))
            ),
        ));
    }
    let new_actors = match check_actors(caller, &fresh, owners, &mut tally.claimed) {
        Ok(actors) => actors,
        Err(code) => return Ok(refuse(code)),
    };
    let mut doc = AutoCommit::new();
    if guard::apply(&mut doc, &fresh).is_err() {
        return Ok(refuse(RejectCode::Malformed));
    }
    if !doc.get_missing_deps(&[]).is_empty() {
        return Ok(refuse(RejectCode::MissingDependencies));
    }
    if let Some(verdict) = check_identity(state, caller, doc_id, &doc)? {
        return Ok(verdict);
    }
    if let Err(code) = check_new_intent(doc_id.kind(), &doc) {
        return Ok(refuse(code));
    }
    // A campaign is its writer's own: the server sends it to the contacts its owner reads,
    // in the owner's name, so nobody writes one for someone else (an agent's campaign
    // "owned" by an admin would reach every contact of the organisation).
    if doc_id.kind() == fieldstone_doc::campaign::KIND
        && user_field(&doc, "owner") != Some(caller.user)
    {
        return Ok(refuse(RejectCode::FieldNotAllowed {
            field: "owner".to_owned(),
        }));
    }
    let saved = match prove(state, doc_id, &mut doc) {
        Ok(saved) => saved,
        Err(verdict) => return Ok(*verdict),
    };
    // Creating a document assigned to someone else is a reassignment.
    let mut add_scopes = vec![Scope::User(caller.user)];
    for field in REASSIGN_FIELDS {
        if let Some(user) = user_field(&doc, field) {
            if user != caller.user
                && !add_scopes.contains(&Scope::User(user))
                && org_user(state, caller, user)?
            {
                add_scopes.push(Scope::User(user));
            }
        }
    }
    Ok(Verdict::Accept {
        write: Box::new(DocWrite {
            doc_id: doc_id.clone(),
            expected_head_seq: None,
            changes: fresh
                .iter()
                .map(|c| (c.hash().0, c.raw_bytes().to_vec()))
                .collect(),
            add_scopes,
            snapshot: Some(saved),
            new_actors,
            writer: caller.user,
            // A message is sent by the server once it is stored: queue it with it.
            intent: doc_id.kind() == fieldstone_doc::message::KIND,
            contact: crate::store::contact_index::entry_for(doc_id, &doc),
            job: crate::jobs::job_for(doc_id, &doc),
        }),
        doc: Box::new(doc),
    })
}

/// A new document says what it is: its `id` and `kind` fields, when it has them, must be the
/// ones its document id names (else readers' devices would file it over another record). Its
/// `assigned_agent` must be its creator unless the creator may assign work, and so must its
/// `owner` — or name nobody in this organisation: records made on a device before it ever
/// signed in belong to that device's local user, and refusing them would lose the work.
fn check_identity(
    state: &AppState,
    caller: &Caller,
    doc_id: &DocId,
    doc: &AutoCommit,
) -> Result<Option<Verdict>, ApiError> {
    let field = |name: &str| -> Option<Result<String, ()>> {
        match doc.get(ROOT, name).ok()? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(text) => Some(Ok(text.to_string())),
                // An optional field left empty (autosurgeon writes `None` as null).
                ScalarValue::Null => None,
                _ => Some(Err(())),
            },
            Some(_) => Some(Err(())),
            None => None,
        }
    };
    let wrong = |name: &str| {
        Some(refuse_with(
            RejectCode::FieldNotAllowed {
                field: name.to_owned(),
            },
            format!(
                "{} says it is another record (its {name} does not match); it was refused.",
                capital(&record(doc_id))
            ),
        ))
    };
    if let Some(id) = field("id") {
        if id.as_deref() != Ok(doc_id.record_id()) {
            return Ok(wrong("id"));
        }
    }
    if let Some(kind) = field("kind") {
        if kind.as_deref() != Ok(doc_id.kind()) {
            return Ok(wrong("kind"));
        }
    }
    if caller.role.may_reassign() {
        return Ok(None);
    }
    for name in REASSIGN_FIELDS {
        let named = match field(name) {
            None => continue,
            Some(Ok(text)) => text.parse::<UserId>().ok(),
            Some(Err(())) => None,
        };
        let allowed = match named {
            Some(user) if user == caller.user => true,
            Some(user) if name == "owner" => !org_user(state, caller, user)?,
            _ => false,
        };
        if !allowed {
            return Ok(Some(refuse_with(
                RejectCode::FieldNotAllowed {
                    field: name.to_owned(),
                },
                format!(
                    "Only a broker or admin may create {} for someone else (its {} is not you). It was refused.",
                    record(doc_id),
                    name.replace('_', " ")
                ),
            )));
        }
    }
    Ok(None)
}

/// Saves the document and proves it loads again (see `guard::save_and_prove`), within the
/// saved-size limit.
fn prove(state: &AppState, doc_id: &DocId, doc: &mut AutoCommit) -> Result<Vec<u8>, Box<Verdict>> {
    let limits = &state.config.limits;
    if doc.stats().num_ops > limits.max_doc_ops {
        return Err(Box::new(limit(
            "doc_ops",
            format!(
                "{} would pass the server's limit of {} operations in one record; the edit was refused and stays on this device.",
                capital(&record(doc_id)),
                limits.max_doc_ops
            ),
        )));
    }
    match guard::save_and_prove(doc) {
        Ok(saved) if saved.len() > limits.max_doc_bytes => Err(Box::new(limit(
            "doc_bytes",
            format!(
                "{} would pass the server's limit of {} bytes for one record; the edit was refused and stays on this device.",
                capital(&record(doc_id)),
                limits.max_doc_bytes
            ),
        ))),
        Ok(saved) => Ok(saved),
        Err(reason) => {
            tracing::warn!(doc = %doc_id, %reason, "refused changes whose result does not load again");
            Err(Box::new(refuse_with(
                RejectCode::Malformed,
                format!(
                    "The edit to {} would leave it unreadable and was refused.",
                    record(doc_id)
                ),
            )))
        }
    }
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

/// "this contact": the kind of record, never its id (people do not read ids).
pub fn record(doc: &DocId) -> String {
    match doc.kind() {
        "" => "this record".to_owned(),
        kind => format!("this {}", kind.replace('_', " ")),
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
