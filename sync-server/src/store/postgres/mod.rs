//! The scale-out store: PostgreSQL, shared by any number of server processes (DESIGN decision
//! 6), which hear about each other's changes through LISTEN/NOTIFY. Blocking `postgres` client
//! connections from a small pool; every method is one transaction (or one statement).
//!
//! Feed numbers come from one sequence, but a sequence hands out numbers in call order, not
//! commit order: if a push took 7 and another 8, and 8 committed first, a device pulling in
//! between would move its cursor to 8 and never see 7. So every transaction that hands out
//! feed numbers first takes its organisation's advisory lock (`pg_advisory_xact_lock`, held to
//! the end of the transaction), which makes numbering and committing one step per organisation,
//! like the SQLite store's single writer. Feeds, cursors and pulls never cross organisations,
//! so organisations do not wait for each other. PostgreSQL commits concurrent transactions
//! with shared WAL flushes, so no group commit of our own is needed.

mod accounts;
mod audit;
mod backup;
mod contact_index;
mod feed;
mod intake;
mod intents;
mod jobs;
mod notify;
mod outreach;
mod pool;
mod routing;
mod schema;
mod tour;

use super::*;
use crate::hub::{Event, Hub};

pub struct PostgresStore {
    pool: pool::Pool,
    notifier: notify::Notifier,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/db` or key=value form) and
    /// creates or checks the tables. `synchronous_commit` stays at its durable default: an
    /// accepted change is on disk before the device hears so (DESIGN decision 3).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = pool::Pool::new(url);
        pool.with(schema::migrate)?;
        Ok(Self {
            pool,
            notifier: notify::Notifier::new(),
        })
    }
}

impl From<::postgres::Error> for StoreError {
    fn from(error: ::postgres::Error) -> Self {
        if error.is_closed() {
            StoreError::Unavailable(format!(
                "lost the database connection: {}",
                describe(&error)
            ))
        } else {
            StoreError::Database(describe(&error))
        }
    }
}

/// The error with its causes: the client's own message is only the kind ("db error"), the
/// server's message is its source.
pub(crate) fn describe(error: &::postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.pool.with(|c| {
            c.execute("SELECT 1", &[])?;
            Ok(())
        })
    }

    fn create_org(&self, name: &str, now: DateTime<Utc>) -> Result<OrgRow, StoreError> {
        self.pool.with(|c| accounts::create_org(c, name, now))
    }

    fn org(&self, org: OrgId) -> Result<Option<OrgRow>, StoreError> {
        self.pool.with(|c| accounts::org(c, org))
    }

    fn orgs(&self) -> Result<Vec<OrgRow>, StoreError> {
        self.pool.with(accounts::orgs)
    }

    fn create_team(&self, org: OrgId, name: &str) -> Result<TeamRow, StoreError> {
        self.pool.with(|c| accounts::create_team(c, org, name))
    }

    fn team(&self, org: OrgId, team: TeamId) -> Result<Option<TeamRow>, StoreError> {
        self.pool.with(|c| accounts::team(c, org, team))
    }

    fn teams(&self, org: OrgId) -> Result<Vec<TeamRow>, StoreError> {
        self.pool.with(|c| accounts::teams(c, org))
    }

    fn create_user(
        &self,
        org: OrgId,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserRow, StoreError> {
        self.pool.with(|c| accounts::create_user(c, org, user, now))
    }

    fn user(&self, org: OrgId, user: UserId) -> Result<Option<UserRow>, StoreError> {
        self.pool.with(|c| accounts::user(c, org, user))
    }

    fn users(&self, org: OrgId) -> Result<Vec<UserRow>, StoreError> {
        self.pool.with(|c| accounts::users(c, org))
    }

    fn accounts_by_email(&self, email: &str) -> Result<Vec<(OrgRow, UserRow)>, StoreError> {
        self.pool.with(|c| accounts::accounts_by_email(c, email))
    }

    fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<bool, StoreError> {
        self.pool.with(|c| accounts::set_role(c, org, user, role))
    }

    fn set_password(&self, org: OrgId, user: UserId, hash: &str) -> Result<bool, StoreError> {
        self.pool
            .with(|c| accounts::set_password(c, org, user, hash))
    }

    fn add_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError> {
        self.pool.with(|c| accounts::add_member(c, org, team, user))
    }

    fn remove_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError> {
        self.pool
            .with(|c| accounts::remove_member(c, org, team, user))
    }

    fn memberships(&self, org: OrgId) -> Result<Vec<(TeamId, UserId)>, StoreError> {
        self.pool.with(|c| accounts::memberships(c, org))
    }

    fn create_device(
        &self,
        org: OrgId,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<DeviceRow, StoreError> {
        self.pool
            .with(|c| accounts::create_device(c, org, user, name, now))
    }

    fn device(&self, org: OrgId, device: DeviceId) -> Result<Option<DeviceRow>, StoreError> {
        self.pool.with(|c| accounts::device(c, org, device))
    }

    fn devices(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<DeviceRow>, StoreError> {
        self.pool.with(|c| accounts::devices(c, org, user))
    }

    fn revoke_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool
            .with(|c| accounts::revoke_device(c, org, device, now))
    }

    fn touch_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .with(|c| accounts::touch_device(c, org, device, now))
    }

    fn create_session(
        &self,
        org: OrgId,
        user: UserId,
        device: DeviceId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .with(|c| accounts::create_session(c, org, user, device, token_hash, expires_at))
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.pool.with(|c| accounts::session(c, token_hash))
    }

    fn end_session(&self, org: OrgId, token_hash: &str) -> Result<(), StoreError> {
        self.pool
            .with(|c| accounts::end_session(c, org, token_hash))
    }

    fn end_sessions(&self, org: OrgId, user: UserId) -> Result<u64, StoreError> {
        self.pool.with(|c| accounts::end_sessions(c, org, user))
    }

    fn remember_device(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .with(|c| audit::remember_device(c, org, user, token_hash, now))
    }

    fn known_device(
        &self,
        token_hash: &str,
    ) -> Result<Option<(OrgId, UserId, DateTime<Utc>)>, StoreError> {
        self.pool.with(|c| audit::known_device(c, token_hash))
    }

    fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError> {
        self.pool
            .with(|c| accounts::create_invitation(c, invitation))
    }

    fn take_invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InvitationRow>, StoreError> {
        self.pool
            .with(|c| accounts::take_invitation(c, token_hash, now))
    }

    fn load_doc(&self, org: OrgId, doc: &DocId) -> Result<Option<StoredDoc>, StoreError> {
        self.pool.with(|c| feed::load_doc(c, org, doc))
    }

    fn actor_owners(
        &self,
        org: OrgId,
        actors: &[Vec<u8>],
    ) -> Result<HashMap<Vec<u8>, UserId>, StoreError> {
        self.pool.with(|c| feed::actor_owners(c, org, actors))
    }

    fn commit(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Committed>, StoreError> {
        self.pool.with(|c| feed::commit(c, org, writes, now))
    }

    fn pull(
        &self,
        org: OrgId,
        cursors: &[ScopeCursor],
        max_docs: usize,
        max_bytes: usize,
    ) -> Result<PullPage, StoreError> {
        self.pool
            .with(|c| feed::pull(c, org, cursors, max_docs, max_bytes))
    }

    fn doc_scopes(&self, org: OrgId, doc: &DocId) -> Result<Option<Vec<Scope>>, StoreError> {
        self.pool.with(|c| feed::doc_scopes(c, org, doc))
    }

    fn scopes_of_docs(
        &self,
        org: OrgId,
        docs: &[DocId],
    ) -> Result<std::collections::HashMap<DocId, Vec<Scope>>, StoreError> {
        self.pool.with(|c| feed::scopes_of_docs(c, org, docs))
    }

    fn add_doc_scope(
        &self,
        org: OrgId,
        doc: &DocId,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        self.pool
            .with(|c| feed::add_doc_scope(c, org, doc, scope, now))
    }

    fn remove_doc_scope(&self, org: OrgId, doc: &DocId, scope: Scope) -> Result<bool, StoreError> {
        self.pool
            .with(|c| feed::remove_doc_scope(c, org, doc, scope))
    }

    fn doc_ids_in_range(
        &self,
        org: OrgId,
        scopes: &[Scope],
        after: Option<&DocId>,
        upto: Option<&DocId>,
        limit: usize,
    ) -> Result<Vec<DocId>, StoreError> {
        self.pool
            .with(|c| feed::doc_ids_in_range(c, org, scopes, after, upto, limit))
    }

    fn usage(&self, org: OrgId, user: UserId) -> Result<Usage, StoreError> {
        self.pool.with(|c| audit::usage(c, org, user))
    }

    fn actors_elsewhere(&self, org: OrgId, actors: &[Vec<u8>]) -> Result<bool, StoreError> {
        self.pool.with(|c| audit::actors_elsewhere(c, org, actors))
    }

    fn record_audit(&self, org: OrgId, event: &AuditEvent) -> Result<(), StoreError> {
        self.pool.with(|c| audit::record(c, org, event))
    }

    fn enqueue_intent(
        &self,
        org: OrgId,
        doc: &DocId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| intents::enqueue(c, org, doc, now))
    }

    fn claim_intents(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError> {
        self.pool
            .with(|c| intents::claim(c, worker, now, lease_until, limit))
    }

    fn finish_intent(
        &self,
        claim: &IntentClaim,
        worker: &str,
        finish: &IntentFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool
            .with(|c| intents::finish(c, claim, worker, finish, now))
    }

    fn finish_intents(
        &self,
        worker: &str,
        items: &[(IntentClaim, IntentFinish)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        self.pool.with(|c| {
            let mut tx = c.transaction()?;
            let held = items
                .iter()
                .map(|(claim, finish)| intents::finish(&mut tx, claim, worker, finish, now))
                .collect::<Result<Vec<_>, _>>()?;
            tx.commit()?;
            Ok(held)
        })
    }

    fn close_abandoned_intents(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError> {
        self.pool.with(|c| intents::close_abandoned(c, now, limit))
    }

    fn intent(&self, org: OrgId, doc: &DocId) -> Result<Option<IntentRow>, StoreError> {
        self.pool.with(|c| intents::get(c, org, doc))
    }

    fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<crate::store::jobs::JobClaim>, StoreError> {
        self.pool
            .with(|c| jobs::claim(c, worker, now, lease_until, limit))
    }

    fn finish_job(
        &self,
        claim: &crate::store::jobs::JobClaim,
        worker: &str,
        finish: &crate::store::jobs::JobFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool
            .with(|c| jobs::finish(c, claim, worker, finish, now))
    }

    fn job(
        &self,
        org: OrgId,
        kind: &str,
        key: &str,
    ) -> Result<Option<crate::store::jobs::JobRow>, StoreError> {
        self.pool.with(|c| jobs::job(c, org, kind, key))
    }

    fn enrolments(
        &self,
        org: OrgId,
        campaign: &str,
    ) -> Result<Vec<crate::store::jobs::Enrolment>, StoreError> {
        self.pool.with(|c| jobs::enrolments(c, org, campaign))
    }

    fn enrol(
        &self,
        org: OrgId,
        campaign: &str,
        rows: &[crate::store::jobs::Enrolment],
    ) -> Result<(), StoreError> {
        self.pool.with(|c| jobs::enrol(c, org, campaign, rows))
    }

    fn schedule_job(
        &self,
        org: OrgId,
        job: &crate::store::jobs::JobSchedule,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .with(|c| jobs::schedule(c, &org.to_string(), job, now))
    }

    fn record_reply(&self, org: OrgId, contact: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.pool.with(|c| jobs::record_reply(c, org, contact, at))
    }

    fn replies(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        self.pool.with(|c| jobs::replies(c, org, since))
    }

    fn set_provider(&self, org: OrgId, row: &ProviderRow) -> Result<(), StoreError> {
        self.pool.with(|c| outreach::set_provider(c, org, row))
    }

    fn provider(&self, org: OrgId, kind: &str) -> Result<Option<ProviderRow>, StoreError> {
        self.pool.with(|c| outreach::provider(c, org, kind))
    }

    fn providers(&self, org: OrgId) -> Result<Vec<ProviderRow>, StoreError> {
        self.pool.with(|c| outreach::providers(c, org))
    }

    fn remove_provider(&self, org: OrgId, kind: &str) -> Result<bool, StoreError> {
        self.pool.with(|c| outreach::remove_provider(c, org, kind))
    }

    fn add_dnc(&self, org: OrgId, rows: &[DncRow]) -> Result<usize, StoreError> {
        self.pool.with(|c| outreach::add_dnc(c, org, rows))
    }

    fn create_intake_key(&self, org: OrgId, row: &intake::IntakeKeyRow) -> Result<(), StoreError> {
        self.pool.with(|c| intake::create_key(c, org, row))
    }

    fn intake_keys(&self, org: OrgId) -> Result<Vec<intake::IntakeKeyRow>, StoreError> {
        self.pool.with(|c| intake::keys(c, org))
    }

    fn revoke_intake_key(
        &self,
        org: OrgId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| intake::revoke_key(c, org, id, now))
    }

    fn intake_key_by_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<(OrgId, intake::IntakeKeyRow)>, StoreError> {
        self.pool.with(|c| intake::key_by_hash(c, key_hash))
    }

    fn record_tour_event(
        &self,
        org: OrgId,
        listing: &str,
        day: &str,
        event: &crate::store::tour::TourEvent,
    ) -> Result<(), StoreError> {
        self.pool
            .with(|c| tour::record(c, org, listing, day, event))
    }

    fn tour_stats(
        &self,
        org: OrgId,
        listing: &str,
        since: &str,
    ) -> Result<crate::store::tour::TourStats, StoreError> {
        self.pool.with(|c| tour::stats(c, org, listing, since))
    }

    fn touch_intake_key(&self, org: OrgId, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.pool.with(|c| intake::touch_key(c, org, id, now))
    }

    fn intake_event(
        &self,
        org: OrgId,
        channel: &str,
        event_id: &str,
    ) -> Result<Option<intake::IntakeEventRow>, StoreError> {
        self.pool.with(|c| intake::event(c, org, channel, event_id))
    }

    fn commit_lead(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        event: Option<&intake::IntakeEventRow>,
        routing: Option<&crate::store::routing::LeadRoutingRow>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Committed>, Option<bool>), StoreError> {
        self.pool
            .with(|c| feed::commit_lead(c, org, writes, event, routing, now))
    }

    fn record_intake_event(
        &self,
        org: OrgId,
        row: &intake::IntakeEventRow,
    ) -> Result<bool, StoreError> {
        self.pool.with(|c| intake::record_event(c, org, row))
    }

    fn intake_sender_contact(
        &self,
        org: OrgId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<String>, StoreError> {
        self.pool
            .with(|c| intake::sender_contact(c, org, channel, sender))
    }

    fn remove_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError> {
        self.pool.with(|c| outreach::remove_dnc(c, org, number))
    }

    fn on_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError> {
        self.pool.with(|c| outreach::on_dnc(c, org, number))
    }

    fn dnc(
        &self,
        org: OrgId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DncRow>, StoreError> {
        self.pool.with(|c| outreach::dnc(c, org, after, limit))
    }

    fn set_plan(&self, org: OrgId, plan: &PlanRow) -> Result<(), StoreError> {
        self.pool.with(|c| outreach::set_plan(c, org, plan))
    }

    fn plan(&self, org: OrgId) -> Result<Option<PlanRow>, StoreError> {
        self.pool.with(|c| outreach::plan(c, org))
    }

    fn meter(&self, org: OrgId, use_: &Metered<'_>) -> Result<Option<i64>, StoreError> {
        self.pool.with(|c| outreach::meter(c, org, use_))
    }

    fn usage_in(&self, org: OrgId, period: &str) -> Result<Vec<UsageRow>, StoreError> {
        self.pool.with(|c| outreach::usage_in(c, org, period))
    }

    fn audit_log(
        &self,
        org: OrgId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.pool.with(|c| audit::log(c, org, before, limit))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        self.pool.with(accounts::stats)
    }

    fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        backup::pg_dump(self.pool.url(), dest)
    }

    fn announce(&self, event: &Event) -> Result<(), StoreError> {
        self.notifier.announce(&self.pool, event)
    }

    fn listen(&self, hub: Hub) -> Result<(), StoreError> {
        self.notifier.listen(self.pool.url(), hub)
    }
}
