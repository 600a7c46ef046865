//! Server storage behind one trait with two implementations (SQLite, the zero-set-up default;
//! PostgreSQL, to scale out). Every method that touches an organisation's data takes its
//! [`OrgId`], so no handler can read or write outside the caller's tenant (DESIGN decision 6);
//! the only lookups without one are by secrets that select the tenant themselves (a session
//! token's hash, an invitation token's hash) and by email at sign-in.

pub mod contact_index;
pub mod intake;
mod intents;
pub mod jobs;
mod outreach;
mod page;
mod postgres;
pub mod routing;
mod sqlite;
pub mod tour;

pub use self::postgres::PostgresStore;
pub use intents::{
    IntentClaim, IntentFinish, IntentOutcome, IntentRow, IntentState, UNKNOWN_DETAIL,
};
pub use outreach::{DncRow, Metered, PlanRow, ProviderRow, UsageRow};
pub use sqlite::SqliteStore;

use chrono::{DateTime, Utc};
use fieldstone_model::{DeviceId, OrgId, TeamId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope, ScopeCursor};
use std::collections::HashMap;
use std::path::Path;
use thiserror::Error;

/// Every document of `kind` in any of `scopes`, in id order, read a page at a time (the server's
/// own jobs going through what one person reads: a campaign's round, a weekly report).
pub fn doc_ids_of_kind(
    store: &dyn Store,
    org: OrgId,
    scopes: &[Scope],
    kind: &str,
) -> Result<Vec<DocId>, StoreError> {
    const PAGE: usize = 500;
    let mut ids = Vec::new();
    if scopes.is_empty() {
        return Ok(ids);
    }
    let bad = |e: fieldstone_protocol::InvalidDocId| StoreError::Corrupt(e.to_string());
    let mut after = DocId::new(kind, "0").map_err(bad)?;
    // Past every id (ids are lowercase hex and '-').
    let upto = DocId::new(kind, "z").map_err(bad)?;
    loop {
        let page = store.doc_ids_in_range(org, scopes, Some(&after), Some(&upto), PAGE)?;
        let Some(last) = page.last().cloned() else {
            break;
        };
        ids.extend(page);
        after = last;
    }
    Ok(ids)
}

#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique value is taken (an email in the organisation, a team name).
    #[error("{0}")]
    Conflict(String),
    /// Another writer changed this document since it was loaded: reload and try again.
    #[error("document {0} changed concurrently")]
    Stale(DocId),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(String),
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Database(error.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub id: TeamId,
    pub org_id: OrgId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub org_id: OrgId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A session looked up by its token's hash, with what every request needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub device_id: DeviceId,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
    pub device_revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRow {
    pub token_hash: String,
    pub org_id: OrgId,
    pub email: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub created_by: UserId,
    pub expires_at: DateTime<Utc>,
}

/// A document as stored: saved bytes (a snapshot followed by later changes, which Automerge
/// loads as one), the scopes it belongs to, and the feed number of its newest change.
#[derive(Debug, Clone)]
pub struct StoredDoc {
    pub bytes: Vec<u8>,
    pub scopes: Vec<Scope>,
    pub head_seq: u64,
    /// Changes stored after the snapshot (compaction folds them in when this grows).
    pub tail_len: u32,
}

/// One document's accepted changes, to be stored in one transaction with the others of a push.
#[derive(Debug, Clone)]
pub struct DocWrite {
    pub doc_id: DocId,
    /// `None` for a new document; else the `head_seq` it was checked against (optimistic lock).
    pub expected_head_seq: Option<u64>,
    /// (hash, raw bytes) of each new change, in dependency order.
    pub changes: Vec<([u8; 32], Vec<u8>)>,
    /// A new document's scopes, or scopes an existing one joins.
    pub add_scopes: Vec<Scope>,
    /// The whole document after these changes, when it is time to compact (always for a new
    /// document); `None` appends the changes after the stored snapshot.
    pub snapshot: Option<Vec<u8>>,
    /// Automerge actors seen for the first time, bound to `writer` from now on.
    pub new_actors: Vec<Vec<u8>>,
    pub writer: UserId,
    /// A new intent (an outbound message): queued in the attempt ledger in the same
    /// transaction, so an accepted message is never lost to a crash before it is queued.
    pub intent: bool,
    /// A contact document's entry in the contact index as of these changes (see
    /// [`contact_index`]), stored in the same transaction; `None` for other kinds.
    pub contact: Option<contact_index::ContactIndexEntry>,
    /// The job this document's changes ask for (a follow-up task's draft at its due time,
    /// see [`jobs`]), scheduled in the same transaction; `None` for most documents.
    pub job: Option<jobs::JobSchedule>,
}

/// What the store did with one [`DocWrite`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub doc_id: DocId,
    /// Feed number of the write's last change.
    pub seq: u64,
    /// Every scope the document belongs to now.
    pub scopes: Vec<Scope>,
    pub tail_len: u32,
}

/// One document in a pull page, before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledDoc {
    pub doc_id: DocId,
    pub snapshot: Option<Vec<u8>>,
    pub changes: Vec<Vec<u8>>,
    /// When its newest change was accepted (for the sync-lag metric).
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullPage {
    pub docs: Vec<PulledDoc>,
    pub cursors: Vec<ScopeCursor>,
    pub more: bool,
}

/// What one user, and their whole organisation, have stored so far (the quotas' measure).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Documents the user created.
    pub user_docs: u64,
    /// Bytes of the changes the user wrote.
    pub user_bytes: u64,
    pub org_docs: u64,
    pub org_bytes: u64,
}

/// A security event, for the organisation's audit log (admins read it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    /// What happened: `login_failed`, `login_locked`, `role_changed`, `device_revoked`,
    /// `member_added`, `member_removed`, `sessions_ended`, `password_changed`,
    /// `password_change_failed`, `change_refused`, `document_unreadable`, ...
    pub kind: String,
    /// Who did it, when known.
    pub user: Option<UserId>,
    /// What it was done to (a user id, a document id, a device id), when anything.
    pub subject: Option<String>,
    /// A sentence with the rest (never a secret).
    pub detail: String,
    /// The client's address, when the event came from a request.
    pub ip: Option<String>,
}

/// An audit event as stored, with its number (newest first in listings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub event: AuditEvent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub orgs: u64,
    pub users: u64,
    pub devices: u64,
    pub active_sessions: u64,
    pub documents: u64,
    pub changes: u64,
    pub stored_bytes: u64,
}

/// Blocking storage API; async handlers call it through `spawn_blocking`.
/// Lead routing's methods are in [`routing::RoutingStore`] and the contact index's in
/// [`contact_index::ContactIndexStore`] (parts of every store).
pub trait Store:
    routing::RoutingStore + contact_index::ContactIndexStore + Send + Sync + 'static
{
    /// Which backend ("sqlite", "postgres"), for logs and metrics.
    fn backend(&self) -> &'static str;
    /// Cheap round trip for `/readyz`.
    fn ping(&self) -> Result<(), StoreError>;

    // Organisations, teams, users -------------------------------------------------------------
    fn create_org(&self, name: &str, now: DateTime<Utc>) -> Result<OrgRow, StoreError>;
    fn org(&self, org: OrgId) -> Result<Option<OrgRow>, StoreError>;
    /// Every organisation (admin CLI only).
    fn orgs(&self) -> Result<Vec<OrgRow>, StoreError>;
    fn create_team(&self, org: OrgId, name: &str) -> Result<TeamRow, StoreError>;
    fn team(&self, org: OrgId, team: TeamId) -> Result<Option<TeamRow>, StoreError>;
    fn teams(&self, org: OrgId) -> Result<Vec<TeamRow>, StoreError>;
    fn create_user(
        &self,
        org: OrgId,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserRow, StoreError>;
    fn user(&self, org: OrgId, user: UserId) -> Result<Option<UserRow>, StoreError>;
    fn users(&self, org: OrgId) -> Result<Vec<UserRow>, StoreError>;
    /// Every account with this (lower-case) email, in any organisation: sign-in only.
    fn accounts_by_email(&self, email: &str) -> Result<Vec<(OrgRow, UserRow)>, StoreError>;
    fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<bool, StoreError>;
    /// Replaces the password hash and ends every session of the user, atomically.
    fn set_password(&self, org: OrgId, user: UserId, hash: &str) -> Result<bool, StoreError>;
    fn add_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError>;
    fn remove_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError>;
    /// Every (team, member) pair of the organisation.
    fn memberships(&self, org: OrgId) -> Result<Vec<(TeamId, UserId)>, StoreError>;

    // Devices, sessions, invitations -----------------------------------------------------------
    fn create_device(
        &self,
        org: OrgId,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<DeviceRow, StoreError>;
    fn device(&self, org: OrgId, device: DeviceId) -> Result<Option<DeviceRow>, StoreError>;
    fn devices(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<DeviceRow>, StoreError>;
    /// Marks the device revoked; its sessions stay so its next contact can be told to wipe.
    fn revoke_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    fn touch_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn create_session(
        &self,
        org: OrgId,
        user: UserId,
        device: DeviceId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The session a token's hash belongs to (the hash selects the tenant).
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    fn end_session(&self, org: OrgId, token_hash: &str) -> Result<(), StoreError>;
    /// Ends every session of `user`; returns how many.
    fn end_sessions(&self, org: OrgId, user: UserId) -> Result<u64, StoreError>;
    /// Records the hash of a known-device proof given to `user` at sign-in.
    fn remember_device(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Whose device a known-device proof's hash names, and since when (the hash selects the
    /// tenant, like a session's).
    fn known_device(
        &self,
        token_hash: &str,
    ) -> Result<Option<(OrgId, UserId, DateTime<Utc>)>, StoreError>;
    fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError>;
    /// Consumes an unexpired, unused invitation: a second call with the same hash gets `None`.
    fn take_invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InvitationRow>, StoreError>;

    // Documents and the change feed ------------------------------------------------------------
    fn load_doc(&self, org: OrgId, doc: &DocId) -> Result<Option<StoredDoc>, StoreError>;
    /// Which user each of these Automerge actors is bound to (unknown actors are absent).
    fn actor_owners(
        &self,
        org: OrgId,
        actors: &[Vec<u8>],
    ) -> Result<HashMap<Vec<u8>, UserId>, StoreError>;
    /// Stores every write in one transaction, numbering each change in the feed of every scope
    /// of its document. Fails with [`StoreError::Stale`] (storing nothing) when a document
    /// moved past `expected_head_seq`.
    fn commit(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Committed>, StoreError>;
    /// One page of what changed in `cursors`' scopes after each cursor (the caller passes only
    /// scopes the user may read). A document new to a scope since its cursor comes whole.
    fn pull(
        &self,
        org: OrgId,
        cursors: &[ScopeCursor],
        max_docs: usize,
        max_bytes: usize,
    ) -> Result<PullPage, StoreError>;
    fn doc_scopes(&self, org: OrgId, doc: &DocId) -> Result<Option<Vec<Scope>>, StoreError>;
    /// The scopes of each of `docs` (a pull page's), in one read; a document without any is
    /// left out.
    fn scopes_of_docs(
        &self,
        org: OrgId,
        docs: &[DocId],
    ) -> Result<std::collections::HashMap<DocId, Vec<Scope>>, StoreError>;
    /// Documents and bytes stored by `user` and by all of `org` (kept up to date by `commit`).
    fn usage(&self, org: OrgId, user: UserId) -> Result<Usage, StoreError>;
    /// Whether any of these Automerge actors is bound to a user of another organisation: a
    /// device bringing one organisation's documents into another. (Answers yes or no, and
    /// nothing about the other organisation.)
    fn actors_elsewhere(&self, org: OrgId, actors: &[Vec<u8>]) -> Result<bool, StoreError>;
    /// Adds the document to `scope`; it reaches that scope's readers whole. Returns the new feed
    /// number, or `None` if it was already there.
    fn add_doc_scope(
        &self,
        org: OrgId,
        doc: &DocId,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
    fn remove_doc_scope(&self, org: OrgId, doc: &DocId, scope: Scope) -> Result<bool, StoreError>;
    /// Ids of documents in any of `scopes`, after `after` and up to `upto` (inclusive; `None`:
    /// to the end), in id order, at most `limit`: the repair path's view of an id range.
    fn doc_ids_in_range(
        &self,
        org: OrgId,
        scopes: &[Scope],
        after: Option<&DocId>,
        upto: Option<&DocId>,
        limit: usize,
    ) -> Result<Vec<DocId>, StoreError>;

    // Audit log -------------------------------------------------------------------------------
    fn record_audit(&self, org: OrgId, event: &AuditEvent) -> Result<(), StoreError>;
    /// The newest `limit` events, or those before event number `before`.
    fn audit_log(
        &self,
        org: OrgId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError>;

    // Intents' attempt ledger (see `intents`) -------------------------------------------------
    /// Records that intent `doc` waits to be acted on. A document already in the ledger
    /// (a retried push, a second server) is left as it is: answers whether it was new.
    fn enqueue_intent(
        &self,
        org: OrgId,
        doc: &DocId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Takes up to `limit` intents that are due, for `worker`, each until `lease_until`: the
    /// attempt is counted in the same statement, and no other worker gets them.
    fn claim_intents(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError>;
    /// Ends `claim`'s attempt. `false` (and nothing written) unless `worker` still holds that
    /// attempt: its lease ran out and the intent was closed meanwhile.
    fn finish_intent(
        &self,
        claim: &IntentClaim,
        worker: &str,
        finish: &IntentFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Ends several attempts in one transaction (a dispatcher round's outcomes): for each,
    /// whether `worker` still held it (see [`Store::finish_intent`]).
    fn finish_intents(
        &self,
        worker: &str,
        items: &[(IntentClaim, IntentFinish)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError>;
    /// Closes up to `limit` intents whose worker's lease ran out mid-send as
    /// [`IntentOutcome::Unknown`] (never sent again), and returns them so their documents can
    /// say so.
    fn close_abandoned_intents(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError>;
    fn intent(&self, org: OrgId, doc: &DocId) -> Result<Option<IntentRow>, StoreError>;

    // Server jobs (see `jobs`) ------------------------------------------------------------------
    /// Takes up to `limit` due jobs for `worker` until `lease_until` (and jobs whose worker's
    /// lease ran out): no other worker gets them meanwhile.
    fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<jobs::JobClaim>, StoreError>;
    /// Ends `claim`'s run; `false` (nothing written) unless `worker` still holds it.
    fn finish_job(
        &self,
        claim: &jobs::JobClaim,
        worker: &str,
        finish: &jobs::JobFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Schedules `job` on its own (not with a document): a waiting job moves to its time, a
    /// missing one is made.
    fn schedule_job(
        &self,
        org: OrgId,
        job: &jobs::JobSchedule,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    fn job(&self, org: OrgId, kind: &str, key: &str) -> Result<Option<jobs::JobRow>, StoreError>;
    /// Everyone a triggered or repeating campaign (`campaign`, a `CampaignId`'s text) enrolled,
    /// and the occasions it saw at launch.
    fn enrolments(&self, org: OrgId, campaign: &str) -> Result<Vec<jobs::Enrolment>, StoreError>;
    /// Records `rows` for `campaign` in one transaction; an occasion already recorded keeps
    /// its first row (two server processes enrol once).
    fn enrol(&self, org: OrgId, campaign: &str, rows: &[jobs::Enrolment])
        -> Result<(), StoreError>;
    /// Records that contact `contact` (a `ContactId`'s text) answered at `at`; an earlier time
    /// than the one kept changes nothing.
    fn record_reply(&self, org: OrgId, contact: &str, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Contacts that last answered at or after `since`, with when.
    fn replies(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError>;

    // Providers, do-not-call list, plan and usage (see `store::outreach`) ------------------
    /// Sets (or replaces) the organisation's provider of `row.kind`.
    fn set_provider(&self, org: OrgId, row: &ProviderRow) -> Result<(), StoreError>;
    fn provider(&self, org: OrgId, kind: &str) -> Result<Option<ProviderRow>, StoreError>;
    fn providers(&self, org: OrgId) -> Result<Vec<ProviderRow>, StoreError>;
    fn remove_provider(&self, org: OrgId, kind: &str) -> Result<bool, StoreError>;
    /// Adds numbers to the do-not-call list in one transaction; answers how many were new.
    fn add_dnc(&self, org: OrgId, rows: &[DncRow]) -> Result<usize, StoreError>;
    fn remove_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError>;
    fn on_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError>;
    /// The list in number order, after `after`, at most `limit`.
    fn dnc(&self, org: OrgId, after: Option<&str>, limit: usize)
        -> Result<Vec<DncRow>, StoreError>;
    fn set_plan(&self, org: OrgId, plan: &PlanRow) -> Result<(), StoreError>;
    fn plan(&self, org: OrgId) -> Result<Option<PlanRow>, StoreError>;
    /// Counts a use if the organisation's total for the meter stays within the allowance, in
    /// one transaction (several server processes cannot both take the last one). Answers the
    /// new total, or `None` (nothing counted) when it would go over. A negative amount gives
    /// back an earlier use (a send that did not happen) and is never refused.
    fn meter(&self, org: OrgId, use_: &Metered<'_>) -> Result<Option<i64>, StoreError>;
    /// Every user's use of every meter in `period`, and the organisation's totals (the rows
    /// whose user is `None`).
    fn usage_in(&self, org: OrgId, period: &str) -> Result<Vec<UsageRow>, StoreError>;

    // Tour analytics (see `store::tour`) -----------------------------------------------------
    /// Counts one event of a public listing page on `day` (`YYYY-MM-DD`).
    fn record_tour_event(
        &self,
        org: OrgId,
        listing: &str,
        day: &str,
        event: &tour::TourEvent,
    ) -> Result<(), StoreError>;
    /// The listing's figures from `since` (`YYYY-MM-DD`) on; hotspots over all time.
    fn tour_stats(
        &self,
        org: OrgId,
        listing: &str,
        since: &str,
    ) -> Result<tour::TourStats, StoreError>;

    // Lead intake (see `store::intake`) -----------------------------------------------------
    fn create_intake_key(&self, org: OrgId, row: &intake::IntakeKeyRow) -> Result<(), StoreError>;
    /// Every key of the organisation, revoked ones included, oldest first.
    fn intake_keys(&self, org: OrgId) -> Result<Vec<intake::IntakeKeyRow>, StoreError>;
    /// Marks the key revoked (the first time is kept); `false` when `org` has no key `id`.
    fn revoke_intake_key(
        &self,
        org: OrgId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The key a hash belongs to, and its organisation (the hash selects the tenant, like a
    /// session token's).
    fn intake_key_by_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<(OrgId, intake::IntakeKeyRow)>, StoreError>;
    fn touch_intake_key(&self, org: OrgId, id: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
    fn intake_event(
        &self,
        org: OrgId,
        channel: &str,
        event_id: &str,
    ) -> Result<Option<intake::IntakeEventRow>, StoreError>;
    /// Records a delivered event; `false` (nothing written) when the event is recorded already.
    fn record_intake_event(
        &self,
        org: OrgId,
        row: &intake::IntakeEventRow,
    ) -> Result<bool, StoreError>;
    /// [`Store::commit`] and [`Store::record_intake_event`] in one transaction, so a lead's
    /// documents and the record of its event cost one durable commit. Answers what `commit`
    /// answers and whether the event was new (`false`: recorded already by another delivery;
    /// the documents are stored all the same).
    fn commit_with_intake_event(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        event: &intake::IntakeEventRow,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Committed>, bool), StoreError> {
        self.commit_lead(org, writes, Some(event), None, now)
            .map(|(done, new)| (done, new.unwrap_or(false)))
    }
    /// A new lead in one durable commit: its documents, the record of its event (if it has
    /// one; answered as in [`Store::commit_with_intake_event`], `None` without) and its routing
    /// decision, stored only if the lead has none yet (as [`routing::RoutingStore::record_lead_routing`]).
    fn commit_lead(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        event: Option<&intake::IntakeEventRow>,
        routing: Option<&routing::LeadRoutingRow>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Committed>, Option<bool>), StoreError>;
    /// The contact the newest event from `sender` on `channel` reached.
    fn intake_sender_contact(
        &self,
        org: OrgId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<String>, StoreError>;

    // Operations -------------------------------------------------------------------------------
    fn stats(&self) -> Result<Stats, StoreError>;
    /// A consistent copy of everything, written to `dest`.
    fn backup(&self, dest: &Path) -> Result<(), StoreError>;
    /// Tells other server processes on the same database about `event` (LISTEN/NOTIFY on
    /// PostgreSQL; nothing to do for the single-process SQLite store).
    fn announce(&self, _event: &crate::hub::Event) -> Result<(), StoreError> {
        Ok(())
    }
    /// Starts forwarding other processes' announcements into `hub`.
    fn listen(&self, _hub: crate::hub::Hub) -> Result<(), StoreError> {
        Ok(())
    }
}

/// `Scope` as stored in text columns.
pub(crate) fn scope_key(scope: &Scope) -> String {
    scope.to_string()
}

pub(crate) fn parse_scope(text: &str) -> Result<Scope, StoreError> {
    text.parse()
        .map_err(|e: fieldstone_protocol::InvalidScope| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_doc_id(text: &str) -> Result<DocId, StoreError> {
    text.parse()
        .map_err(|e: fieldstone_protocol::InvalidDocId| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_role(text: &str) -> Result<Role, StoreError> {
    text.parse().map_err(StoreError::Corrupt)
}

pub(crate) fn parse_uuid<T: std::str::FromStr>(text: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("bad id {text:?}")))
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Compaction threshold: after this many changes past the snapshot, store a fresh snapshot.
pub const COMPACT_AFTER: u32 = 32;
