//! The embedded default store: one SQLite file in the data dir, WAL with `synchronous=FULL`.
//! One writer connection (pushes share its transactions: group commit) and a few readers, which
//! WAL lets run beside the writer.

mod accounts;
mod audit;
mod contact_index;
mod feed;
mod group;
mod intake;
mod intents;
pub(crate) mod jobs;
mod notify;
mod outreach;
mod routing;
mod schema;
mod tour;

use super::*;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

const DB_FILE: &str = "fieldstone.db";
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_IDLE_READERS: usize = 8;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Writer>,
    readers: Mutex<Vec<Connection>>,
    group: group::Group,
    notifier: notify::Notifier,
}

/// The writer connection and the next feed number, which only the writer hands out, so feed
/// numbers are in commit order and a reader can never see a gap fill in later.
pub(crate) struct Writer {
    conn: Connection,
    next_seq: u64,
}

impl SqliteStore {
    /// Opens `<data_dir>/fieldstone.db`, creating the directory and schema as needed.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot create {}: {e}", data_dir.display()))
        })?;
        let path = data_dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        configure(&conn)?;
        schema::migrate(&conn, &path)?;
        // Not versioned: a table every format has, created when missing.
        conn.execute_batch(notify::SCHEMA)?;
        let next_seq = feed::max_seq(&conn)? + 1;
        Ok(Self {
            path,
            writer: Mutex::new(Writer { conn, next_seq }),
            readers: Mutex::new(Vec::new()),
            group: group::Group::default(),
            notifier: notify::Notifier::default(),
        })
    }

    pub(crate) fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back on drop), so a poisoned lock is safe to keep using.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on a reader connection (opened on demand, kept for reuse).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure_reader(&conn)?;
                conn
            }
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        result
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // Durable means fsynced: an accepted change survives a power cut (DESIGN decision 3).
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn configure_reader(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .map(|_| ())
    }

    fn create_org(&self, name: &str, now: DateTime<Utc>) -> Result<OrgRow, StoreError> {
        accounts::create_org(&self.writer().conn, name, now)
    }

    fn org(&self, org: OrgId) -> Result<Option<OrgRow>, StoreError> {
        self.read(|c| accounts::org(c, org))
    }

    fn orgs(&self) -> Result<Vec<OrgRow>, StoreError> {
        self.read(accounts::orgs)
    }

    fn create_team(&self, org: OrgId, name: &str) -> Result<TeamRow, StoreError> {
        accounts::create_team(&self.writer().conn, org, name)
    }

    fn team(&self, org: OrgId, team: TeamId) -> Result<Option<TeamRow>, StoreError> {
        self.read(|c| accounts::team(c, org, team))
    }

    fn teams(&self, org: OrgId) -> Result<Vec<TeamRow>, StoreError> {
        self.read(|c| accounts::teams(c, org))
    }

    fn create_user(
        &self,
        org: OrgId,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<UserRow, StoreError> {
        accounts::create_user(&self.writer().conn, org, user, now)
    }

    fn user(&self, org: OrgId, user: UserId) -> Result<Option<UserRow>, StoreError> {
        self.read(|c| accounts::user(c, org, user))
    }

    fn users(&self, org: OrgId) -> Result<Vec<UserRow>, StoreError> {
        self.read(|c| accounts::users(c, org))
    }

    fn accounts_by_email(&self, email: &str) -> Result<Vec<(OrgRow, UserRow)>, StoreError> {
        self.read(|c| accounts::accounts_by_email(c, email))
    }

    fn set_role(&self, org: OrgId, user: UserId, role: Role) -> Result<bool, StoreError> {
        accounts::set_role(&self.writer().conn, org, user, role)
    }

    fn set_password(&self, org: OrgId, user: UserId, hash: &str) -> Result<bool, StoreError> {
        accounts::set_password(&mut self.writer().conn, org, user, hash)
    }

    fn add_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError> {
        accounts::add_member(&self.writer().conn, org, team, user)
    }

    fn remove_member(&self, org: OrgId, team: TeamId, user: UserId) -> Result<bool, StoreError> {
        accounts::remove_member(&self.writer().conn, org, team, user)
    }

    fn memberships(&self, org: OrgId) -> Result<Vec<(TeamId, UserId)>, StoreError> {
        self.read(|c| accounts::memberships(c, org))
    }

    fn create_device(
        &self,
        org: OrgId,
        user: UserId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<DeviceRow, StoreError> {
        accounts::create_device(&self.writer().conn, org, user, name, now)
    }

    fn device(&self, org: OrgId, device: DeviceId) -> Result<Option<DeviceRow>, StoreError> {
        self.read(|c| accounts::device(c, org, device))
    }

    fn devices(&self, org: OrgId, user: Option<UserId>) -> Result<Vec<DeviceRow>, StoreError> {
        self.read(|c| accounts::devices(c, org, user))
    }

    fn revoke_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        accounts::revoke_device(&self.writer().conn, org, device, now)
    }

    fn touch_device(
        &self,
        org: OrgId,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        accounts::touch_device(&self.writer().conn, org, device, now)
    }

    fn create_session(
        &self,
        org: OrgId,
        user: UserId,
        device: DeviceId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        accounts::create_session(
            &self.writer().conn,
            org,
            user,
            device,
            token_hash,
            expires_at,
        )
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        self.read(|c| accounts::session(c, token_hash))
    }

    fn end_session(&self, org: OrgId, token_hash: &str) -> Result<(), StoreError> {
        accounts::end_session(&self.writer().conn, org, token_hash)
    }

    fn end_sessions(&self, org: OrgId, user: UserId) -> Result<u64, StoreError> {
        accounts::end_sessions(&self.writer().conn, org, user)
    }

    fn remember_device(
        &self,
        org: OrgId,
        user: UserId,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        audit::remember_device(&self.writer().conn, org, user, token_hash, now)
    }

    fn known_device(
        &self,
        token_hash: &str,
    ) -> Result<Option<(OrgId, UserId, DateTime<Utc>)>, StoreError> {
        self.read(|c| audit::known_device(c, token_hash))
    }

    fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError> {
        accounts::create_invitation(&self.writer().conn, invitation)
    }

    fn take_invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<InvitationRow>, StoreError> {
        accounts::take_invitation(&mut self.writer().conn, token_hash, now)
    }

    fn load_doc(&self, org: OrgId, doc: &DocId) -> Result<Option<StoredDoc>, StoreError> {
        self.read(|c| feed::load_doc(c, org, doc))
    }

    fn actor_owners(
        &self,
        org: OrgId,
        actors: &[Vec<u8>],
    ) -> Result<HashMap<Vec<u8>, UserId>, StoreError> {
        self.read(|c| feed::actor_owners(c, org, actors))
    }

    fn commit(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Committed>, StoreError> {
        group::commit(self, org, writes, now)
    }

    fn pull(
        &self,
        org: OrgId,
        cursors: &[ScopeCursor],
        max_docs: usize,
        max_bytes: usize,
    ) -> Result<PullPage, StoreError> {
        self.read(|c| feed::pull(c, org, cursors, max_docs, max_bytes))
    }

    fn doc_scopes(&self, org: OrgId, doc: &DocId) -> Result<Option<Vec<Scope>>, StoreError> {
        self.read(|c| feed::doc_scopes(c, org, doc))
    }

    fn scopes_of_docs(
        &self,
        org: OrgId,
        docs: &[DocId],
    ) -> Result<std::collections::HashMap<DocId, Vec<Scope>>, StoreError> {
        self.read(|c| feed::scopes_of_docs(c, org, docs))
    }

    fn usage(&self, org: OrgId, user: UserId) -> Result<Usage, StoreError> {
        self.read(|c| audit::usage(c, org, user))
    }

    fn actors_elsewhere(&self, org: OrgId, actors: &[Vec<u8>]) -> Result<bool, StoreError> {
        self.read(|c| audit::actors_elsewhere(c, org, actors))
    }

    fn record_audit(&self, org: OrgId, event: &AuditEvent) -> Result<(), StoreError> {
        audit::record(&self.writer().conn, org, event)
    }

    fn enqueue_intent(
        &self,
        org: OrgId,
        doc: &DocId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        intents::enqueue(&self.writer().conn, org, doc, now)
    }

    fn claim_intents(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError> {
        intents::claim(&mut self.writer().conn, worker, now, lease_until, limit)
    }

    fn finish_intent(
        &self,
        claim: &IntentClaim,
        worker: &str,
        finish: &IntentFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        intents::finish(&self.writer().conn, claim, worker, finish, now)
    }

    fn finish_intents(
        &self,
        worker: &str,
        items: &[(IntentClaim, IntentFinish)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        let mut writer = self.writer();
        let tx = writer.conn.transaction()?;
        let held = items
            .iter()
            .map(|(claim, finish)| intents::finish(&tx, claim, worker, finish, now))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(held)
    }

    fn close_abandoned_intents(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<IntentClaim>, StoreError> {
        intents::close_abandoned(&self.writer().conn, now, limit)
    }

    fn intent(&self, org: OrgId, doc: &DocId) -> Result<Option<IntentRow>, StoreError> {
        self.read(|c| intents::get(c, org, doc))
    }

    fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<crate::store::jobs::JobClaim>, StoreError> {
        jobs::claim(&mut self.writer().conn, worker, now, lease_until, limit)
    }

    fn finish_job(
        &self,
        claim: &crate::store::jobs::JobClaim,
        worker: &str,
        finish: &crate::store::jobs::JobFinish,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::finish(&self.writer().conn, claim, worker, finish, now)
    }

    fn job(
        &self,
        org: OrgId,
        kind: &str,
        key: &str,
    ) -> Result<Option<crate::store::jobs::JobRow>, StoreError> {
        self.read(|c| jobs::job(c, org, kind, key))
    }

    fn enrolments(
        &self,
        org: OrgId,
        campaign: &str,
    ) -> Result<Vec<crate::store::jobs::Enrolment>, StoreError> {
        self.read(|c| jobs::enrolments(c, org, campaign))
    }

    fn enrol(
        &self,
        org: OrgId,
        campaign: &str,
        rows: &[crate::store::jobs::Enrolment],
    ) -> Result<(), StoreError> {
        jobs::enrol(&mut self.writer().conn, org, campaign, rows)
    }

    fn schedule_job(
        &self,
        org: OrgId,
        job: &crate::store::jobs::JobSchedule,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        jobs::schedule(&self.writer().conn, &org.to_string(), job, now)
    }

    fn record_reply(&self, org: OrgId, contact: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        jobs::record_reply(&self.writer().conn, org, contact, at)
    }

    fn replies(
        &self,
        org: OrgId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        self.read(|c| jobs::replies(c, org, since))
    }

    fn set_provider(&self, org: OrgId, row: &ProviderRow) -> Result<(), StoreError> {
        outreach::set_provider(&self.writer().conn, org, row)
    }

    fn provider(&self, org: OrgId, kind: &str) -> Result<Option<ProviderRow>, StoreError> {
        self.read(|c| outreach::provider(c, org, kind))
    }

    fn providers(&self, org: OrgId) -> Result<Vec<ProviderRow>, StoreError> {
        self.read(|c| outreach::providers(c, org))
    }

    fn remove_provider(&self, org: OrgId, kind: &str) -> Result<bool, StoreError> {
        outreach::remove_provider(&self.writer().conn, org, kind)
    }

    fn add_dnc(&self, org: OrgId, rows: &[DncRow]) -> Result<usize, StoreError> {
        outreach::add_dnc(&mut self.writer().conn, org, rows)
    }

    fn create_intake_key(&self, org: OrgId, row: &intake::IntakeKeyRow) -> Result<(), StoreError> {
        intake::create_key(&self.writer().conn, org, row)
    }

    fn intake_keys(&self, org: OrgId) -> Result<Vec<intake::IntakeKeyRow>, StoreError> {
        self.read(|c| intake::keys(c, org))
    }

    fn revoke_intake_key(
        &self,
        org: OrgId,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        intake::revoke_key(&self.writer().conn, org, id, now)
    }

    fn intake_key_by_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<(OrgId, intake::IntakeKeyRow)>, StoreError> {
        self.read(|c| intake::key_by_hash(c, key_hash))
    }

    fn record_tour_event(
        &self,
        org: OrgId,
        listing: &str,
        day: &str,
        event: &crate::store::tour::TourEvent,
    ) -> Result<(), StoreError> {
        tour::record(&self.writer().conn, org, listing, day, event)
    }

    fn tour_stats(
        &self,
        org: OrgId,
        listing: &str,
        since: &str,
    ) -> Result<crate::store::tour::TourStats, StoreError> {
        self.read(|c| tour::stats(c, org, listing, since))
    }

    fn touch_intake_key(&self, org: OrgId, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        intake::touch_key(&self.writer().conn, org, id, now)
    }

    fn intake_event(
        &self,
        org: OrgId,
        channel: &str,
        event_id: &str,
    ) -> Result<Option<intake::IntakeEventRow>, StoreError> {
        self.read(|c| intake::event(c, org, channel, event_id))
    }

    fn commit_lead(
        &self,
        org: OrgId,
        writes: Vec<DocWrite>,
        event: Option<&intake::IntakeEventRow>,
        routing: Option<&crate::store::routing::LeadRoutingRow>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Committed>, Option<bool>), StoreError> {
        group::commit_lead(self, org, writes, event.cloned(), routing.cloned(), now)
    }

    fn record_intake_event(
        &self,
        org: OrgId,
        row: &intake::IntakeEventRow,
    ) -> Result<bool, StoreError> {
        // In the group commit: every lead with an event id writes one, and leads come together.
        let row = row.clone();
        group::execute(self, move |c| intake::record_event(c, org, &row))
    }

    fn intake_sender_contact(
        &self,
        org: OrgId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<String>, StoreError> {
        self.read(|c| intake::sender_contact(c, org, channel, sender))
    }

    fn remove_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError> {
        outreach::remove_dnc(&self.writer().conn, org, number)
    }

    fn on_dnc(&self, org: OrgId, number: &str) -> Result<bool, StoreError> {
        self.read(|c| outreach::on_dnc(c, org, number))
    }

    fn dnc(
        &self,
        org: OrgId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<DncRow>, StoreError> {
        self.read(|c| outreach::dnc(c, org, after, limit))
    }

    fn set_plan(&self, org: OrgId, plan: &PlanRow) -> Result<(), StoreError> {
        outreach::set_plan(&self.writer().conn, org, plan)
    }

    fn plan(&self, org: OrgId) -> Result<Option<PlanRow>, StoreError> {
        self.read(|c| outreach::plan(c, org))
    }

    fn meter(&self, org: OrgId, use_: &Metered<'_>) -> Result<Option<i64>, StoreError> {
        outreach::meter(&mut self.writer().conn, org, use_)
    }

    fn usage_in(&self, org: OrgId, period: &str) -> Result<Vec<UsageRow>, StoreError> {
        self.read(|c| outreach::usage_in(c, org, period))
    }

    fn audit_log(
        &self,
        org: OrgId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.read(|c| audit::log(c, org, before, limit))
    }

    fn add_doc_scope(
        &self,
        org: OrgId,
        doc: &DocId,
        scope: Scope,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        let mut writer = self.writer();
        let Writer { conn, next_seq } = &mut *writer;
        feed::add_doc_scope(conn, next_seq, org, doc, scope, now)
    }

    fn remove_doc_scope(&self, org: OrgId, doc: &DocId, scope: Scope) -> Result<bool, StoreError> {
        feed::remove_doc_scope(&self.writer().conn, org, doc, scope)
    }

    fn doc_ids_in_range(
        &self,
        org: OrgId,
        scopes: &[Scope],
        after: Option<&DocId>,
        upto: Option<&DocId>,
        limit: usize,
    ) -> Result<Vec<DocId>, StoreError> {
        self.read(|c| feed::doc_ids_in_range(c, org, scopes, after, upto, limit))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        self.read(accounts::stats)
    }

    fn announce(&self, event: &crate::hub::Event) -> Result<(), StoreError> {
        // Accepted changes are announced on every push: skip them before taking the writer.
        if matches!(event, crate::hub::Event::Changed { .. }) {
            return Ok(());
        }
        self.notifier.announce(&self.writer().conn, event)
    }

    fn listen(&self, hub: crate::hub::Hub) -> Result<(), StoreError> {
        self.notifier.listen(&self.path, hub)
    }

    fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists; choose a new file",
                dest.display()
            )));
        }
        let dest = dest
            .to_str()
            .ok_or_else(|| StoreError::Database("backup path is not UTF-8".into()))?;
        // VACUUM INTO writes a consistent, compacted copy while the server keeps running.
        self.read(|c| {
            c.execute("VACUUM INTO ?1", [dest])?;
            Ok(())
        })
    }
}

#[cfg(test)]
#[path = "migration_tests.rs"]
mod migration_tests;
