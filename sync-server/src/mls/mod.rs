//! MLS import over the RESO Web API (issue 17): an organisation's MLS connection (a provider of
//! kind `mls`, set by an admin; its secret sealed like every provider's) replicates `Property`
//! records into listing documents in the organisation's scope, on the job runner: on a schedule
//! and on demand.
//!
//! A run asks for what changed since the high-water mark (`$filter=ModificationTimestamp gt
//! …`), following `@odata.nextLink`, with `$select` of the fields Fieldstone maps that the
//! server's `$metadata` has and `$expand=Media` when it can. Each listing's document id is
//! derived from its `ListingKey` (a UUID v5), so a record read twice updates one listing, and
//! the listings an MLS run made are told apart from typed ones by that version. The mark moves
//! only when a run ends well: a run that fails midway starts again from the old mark (what it
//! had written is found unchanged). Each run then reads every key still in the feed; an
//! imported listing whose key is gone is withdrawn, never deleted. The `Member` roster names
//! each listing's agent: a member whose email is a user here owns the listing.
//!
//! The job's state (the mark and the last run's counts, with the reasons records were
//! refused) is kept as the job's own detail, so it survives restarts with the job.

pub mod csv_import;
pub mod map;
pub mod odata;

use crate::providers::ProviderError;
use crate::store::jobs::{JobClaim, JobFinish, JobSchedule};
use crate::sync::server_write::{
    create_all_as_server, server_actor_id, write_as_server, NewDoc, ServerWriteError,
};
use crate::AppState;
use chrono::{DateTime, Duration, Utc};
use fieldstone_model::{Listing, ListingId, ListingStatus, OrgId, UserId, Visibility};
use fieldstone_protocol::{DocId, Scope};
use map::{Defaults, Property};
use odata::{Client, Credentials, ODataError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// The job kind (key `""`: one per organisation).
pub const MLS: &str = "mls";
/// After a failed run, the next try.
const RETRY_MINUTES: i64 = 5;
/// Refusals listed in the report (the count is whole).
const REJECTED_LISTED: usize = 50;
/// Namespace of the listing ids derived from MLS keys.
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d6c_735f_6669_656c_6473_746f_6e65_0017);

/// The MLS connection an admin sets; the secret is the bearer token, or the OAuth2 client's
/// secret when `token_url` is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlsSettings {
    /// The Web API's service root (`https://api.example-mls.com/reso/odata`).
    pub base_url: String,
    /// `OriginatingSystemName`: which MLS the listings come from.
    pub originating_system: String,
    /// With the client-credentials grant: where tokens are asked for, and the client.
    #[serde(default)]
    pub token_url: Option<String>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    /// How often it runs, in minutes (15 to 1,440).
    #[serde(default = "default_every")]
    pub every_minutes: u32,
    /// Records asked for per page (`$top`; the server may send fewer).
    #[serde(default = "default_page")]
    pub page_size: u32,
    /// ISO 4217: RESO prices carry no currency.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// ISO 3166-1 alpha-2 for records that name no country.
    #[serde(default = "default_country")]
    pub country: String,
    /// Who sees imported listings: `private` (the organisation) unless the feed's licence
    /// allows showing them publicly.
    #[serde(default)]
    pub visibility: Visibility,
}

fn default_every() -> u32 {
    60
}
fn default_page() -> u32 {
    500
}
fn default_currency() -> String {
    "USD".into()
}
fn default_country() -> String {
    "US".into()
}

impl MlsSettings {
    /// Every problem at once, as sentences.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let http = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if !http(&self.base_url) {
            problems.push("mls.base_url must be an http:// or https:// address".into());
        }
        if self.originating_system.trim().is_empty() {
            problems.push("mls.originating_system must name the MLS".into());
        }
        match (&self.token_url, &self.client_id) {
            (Some(url), Some(id)) if http(url) && !id.trim().is_empty() => {}
            (None, None) => {}
            _ => problems.push(
                "mls.token_url and mls.client_id go together (the client-credentials grant), \
                 token_url an http:// or https:// address"
                    .into(),
            ),
        }
        if !(15..=1_440).contains(&self.every_minutes) {
            problems.push("mls.every_minutes must be between 15 and 1440".into());
        }
        if !(1..=5_000).contains(&self.page_size) {
            problems.push("mls.page_size must be between 1 and 5000".into());
        }
        if fieldstone_model::iso::check_currency_code(&self.currency).is_err() {
            problems.push("mls.currency must be an ISO 4217 code such as USD".into());
        }
        if fieldstone_model::iso::check_country_code(&self.country).is_err() {
            problems.push("mls.country must be an ISO 3166 code such as US".into());
        }
        problems
    }
}

/// One refused record and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Its `ListingKey` (empty when it had none).
    pub key: String,
    pub reason: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub withdrawn: u64,
    pub rejected: u64,
    /// The first refusals, with their reasons.
    pub rejections: Vec<Rejected>,
    /// Media records the changed listings carried (their files wait for media sync).
    pub media: u64,
    /// Property pages read.
    pub pages: u64,
    /// Members on the roster, and how many are users here.
    pub members: u64,
    pub members_here: u64,
}

/// The job's state, kept as its detail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MlsState {
    /// The newest `ModificationTimestamp` a finished run read, as the MLS wrote it.
    pub high_water: Option<String>,
    pub last_run: Option<RunReport>,
    /// Why the last run stopped, when it failed.
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MlsError {
    #[error(transparent)]
    OData(#[from] ODataError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Write(#[from] ServerWriteError),
    #[error("storage task failed: {0}")]
    Task(String),
}

/// The listing id of MLS key `key` (stable, so each run updates the same listing).
pub fn listing_id(originating_system: &str, key: &str) -> ListingId {
    ListingId::from_uuid(uuid::Uuid::new_v5(
        &ID_NAMESPACE,
        format!("{originating_system}\u{1f}{key}").as_bytes(),
    ))
}

/// Whether `id` was derived from an MLS key (typed listings' ids are UUID v7).
pub fn is_imported(id: &ListingId) -> bool {
    id.as_uuid().get_version_num() == 5
}

/// The state of `org`'s MLS job, if it has one.
pub fn status(state: &AppState, org: OrgId) -> Result<Option<MlsState>, MlsError> {
    Ok(state
        .store
        .job(org, MLS, "")?
        .map(|row| state_of(row.detail.as_deref())))
}

fn state_of(detail: Option<&str>) -> MlsState {
    detail
        .and_then(|d| serde_json::from_str(d).ok())
        .unwrap_or_default()
}

/// Runs [`sweep`] now and every hour until `stop` says so.
pub fn spawn(state: AppState, stop: tokio::sync::watch::Receiver<bool>) {
    crate::jobs::sweep_hourly(state, stop, "MLS runs", sweep);
}

/// Asks for a run now (an admin's "run it now", or a connection just set).
pub fn run_now(state: &AppState, org: OrgId) -> Result<(), MlsError> {
    let now = state.clock.now();
    state.store.schedule_job(
        org,
        &JobSchedule {
            kind: MLS,
            key: String::new(),
            due_at: Some(now),
        },
        now,
    )?;
    Ok(())
}

/// Makes the MLS job of every organisation with a connection and none yet. Safe to run often.
pub fn sweep(state: &AppState) -> Result<u64, MlsError> {
    let mut made = 0;
    for org in state.store.orgs()? {
        if state.store.provider(org.id, MLS)?.is_some()
            && state.store.job(org.id, MLS, "")?.is_none()
        {
            run_now(state, org.id)?;
            made += 1;
        }
    }
    Ok(made)
}

/// The connection of `org`, with its secret opened.
fn connection(
    state: &AppState,
    org: OrgId,
) -> Result<Option<(MlsSettings, String, Option<UserId>)>, MlsError> {
    let Some(row) = state.store.provider(org, MLS)? else {
        return Ok(None);
    };
    let settings: MlsSettings = serde_json::from_str(&row.settings)
        .map_err(|e| ProviderError::Invalid(format!("settings: {e}")))?;
    let secret = state.providers.secret(org, &row)?;
    Ok(Some((settings, secret, row.updated_by)))
}

/// An MLS job, run by the job runner.
pub async fn run_job(state: &AppState, claim: &JobClaim) -> JobFinish {
    let org = claim.org;
    let before = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || status(&state, org))
            .await
            .map_err(|e| MlsError::Task(e.to_string()))
            .and_then(|r| r)
    };
    let mut saved = match before {
        Ok(found) => found.unwrap_or_default(),
        Err(error) => {
            return JobFinish::Later {
                at: state.clock.now() + Duration::minutes(RETRY_MINUTES),
                detail: serde_json::to_string(&MlsState {
                    error: Some(error.to_string()),
                    ..MlsState::default()
                })
                .unwrap_or_default(),
            }
        }
    };
    let found = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || connection(&state, org))
            .await
            .map_err(|e| MlsError::Task(e.to_string()))
            .and_then(|r| r)
    };
    let (settings, secret, set_by) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return JobFinish::Done("no MLS connection".into()),
        Err(error) => {
            saved.error = Some(error.to_string());
            return later(state, &saved, RETRY_MINUTES);
        }
    };
    let mut report = RunReport {
        started_at: Some(state.clock.now()),
        ..RunReport::default()
    };
    match replicate(state, org, &settings, &secret, set_by, &saved, &mut report).await {
        Ok(high_water) => {
            report.finished_at = Some(state.clock.now());
            let next = MlsState {
                high_water: high_water.or(saved.high_water),
                last_run: Some(report),
                error: None,
            };
            later(state, &next, i64::from(settings.every_minutes))
        }
        Err(error) => {
            tracing::warn!(%error, %org, "an MLS run failed; it starts again from its mark");
            saved.error = Some(error.to_string());
            saved.last_run = Some(report);
            later(state, &saved, RETRY_MINUTES)
        }
    }
}

/// The job's end: run again in `minutes`, keeping `state`.
fn later(state: &AppState, saved: &MlsState, minutes: i64) -> JobFinish {
    JobFinish::Later {
        at: state.clock.now() + Duration::minutes(minutes),
        detail: serde_json::to_string(saved).unwrap_or_default(),
    }
}

/// One run; answers the new high-water mark (`None`: nothing was read).
async fn replicate(
    state: &AppState,
    org: OrgId,
    settings: &MlsSettings,
    secret: &str,
    set_by: Option<UserId>,
    saved: &MlsState,
    report: &mut RunReport,
) -> Result<Option<String>, MlsError> {
    let credentials = match (&settings.token_url, &settings.client_id) {
        (Some(token_url), Some(client_id)) => Credentials::ClientCredentials {
            token_url: token_url.clone(),
            client_id: client_id.clone(),
            client_secret: secret.to_owned(),
            scope: settings.scope.clone(),
        },
        _ => Credentials::Bearer(secret.to_owned()),
    };
    let timeout = std::time::Duration::from_secs(state.config.http.request_timeout_secs.max(30));
    let client = Client::connect(&settings.base_url, &credentials, timeout).await?;
    let shape = client.property_shape().await?;

    // The roster: who each listing's agent is here.
    let owners = roster(state, org, &client, set_by, report).await?;

    let select: Vec<&str> = map::FIELDS
        .iter()
        .copied()
        .filter(|f| shape.fields.contains(*f))
        .collect();
    let mut query = format!("$select={}&$top={}", select.join(","), settings.page_size);
    if shape.media {
        query.push_str("&$expand=Media");
    }
    if let Some(mark) = &saved.high_water {
        query.push_str(&format!(
            "&$filter={}",
            encode(&format!("ModificationTimestamp gt {mark}"))
        ));
    }
    let defaults = Defaults {
        currency: settings.currency.clone(),
        country: settings.country.clone(),
        visibility: settings.visibility,
    };
    let mut high_water: Option<String> = None;
    let mut pages = client.pages(&format!("Property?{query}"), "Property");
    while let Some(records) = pages.next_page().await? {
        report.pages += 1;
        let mut properties = Vec::with_capacity(records.len());
        for record in records {
            match serde_json::from_value::<Property>(record) {
                Ok(p) => properties.push(p),
                Err(e) => reject(report, String::new(), format!("not a Property record: {e}")),
            }
        }
        for p in &properties {
            if let Some(at) = &p.modification_timestamp {
                // RESO timestamps are ISO 8601 in UTC: their text sorts as their time.
                if high_water.as_ref().is_none_or(|h| at > h) {
                    high_water = Some(at.clone());
                }
            }
        }
        let page = Apply {
            org,
            system: settings.originating_system.clone(),
            defaults: defaults.clone(),
            owners: owners.clone(),
        };
        let state = state.clone();
        let counts = tokio::task::spawn_blocking(move || page.apply(&state, &properties))
            .await
            .map_err(|e| MlsError::Task(e.to_string()))??;
        report.add(counts);
    }

    // Every key still in the feed: an imported listing whose key is gone is withdrawn.
    let mut keys = BTreeSet::new();
    let mut pages = client.pages(
        &format!("Property?$select=ListingKey&$top={}", settings.page_size),
        "the Property keys",
    );
    while let Some(records) = pages.next_page().await? {
        keys.extend(
            records
                .iter()
                .filter_map(|r| r.get("ListingKey").and_then(|k| k.as_str()))
                .map(|k| listing_id(&settings.originating_system, k)),
        );
    }
    let state2 = state.clone();
    let withdrawn = tokio::task::spawn_blocking(move || withdraw_missing(&state2, org, &keys))
        .await
        .map_err(|e| MlsError::Task(e.to_string()))??;
    report.withdrawn += withdrawn;
    Ok(high_water)
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn reject(report: &mut RunReport, key: String, reason: String) {
    report.rejected += 1;
    if report.rejections.len() < REJECTED_LISTED {
        report.rejections.push(Rejected { key, reason });
    }
}

impl RunReport {
    fn add(&mut self, page: RunReport) {
        self.new += page.new;
        self.updated += page.updated;
        self.unchanged += page.unchanged;
        self.media += page.media;
        self.rejected += page.rejected;
        let room = REJECTED_LISTED.saturating_sub(self.rejections.len());
        self.rejections
            .extend(page.rejections.into_iter().take(room));
    }
}

/// Member keys to the users here who own their listings; the rest go to whoever set the
/// connection up (else the organisation's first owner).
#[derive(Debug, Clone)]
struct Owners {
    by_member: HashMap<String, UserId>,
    fallback: UserId,
}

async fn roster(
    state: &AppState,
    org: OrgId,
    client: &Client,
    set_by: Option<UserId>,
    report: &mut RunReport,
) -> Result<Owners, MlsError> {
    let users = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || state.store.users(org))
            .await
            .map_err(|e| MlsError::Task(e.to_string()))??
    };
    let by_email: HashMap<String, UserId> = users
        .iter()
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect();
    let fallback = set_by
        .filter(|id| users.iter().any(|u| u.id == *id))
        .or_else(|| {
            users
                .iter()
                .find(|u| u.role == fieldstone_protocol::account::Role::Owner)
                .map(|u| u.id)
        })
        .or_else(|| users.first().map(|u| u.id))
        .ok_or_else(|| MlsError::Task("the organisation has nobody to own listings".into()))?;
    let mut by_member = HashMap::new();
    let mut pages = client.pages("Member?$select=MemberKey,MemberEmail", "the Member roster");
    loop {
        let page = match pages.next_page().await {
            Ok(Some(page)) => page,
            Ok(None) => break,
            // A feed without the roster still gives listings (owned by the fallback).
            Err(ODataError::Status { status: 404, .. }) => break,
            Err(e) => return Err(e.into()),
        };
        for member in page {
            report.members += 1;
            let key = member.get("MemberKey").and_then(|v| v.as_str());
            let email = member.get("MemberEmail").and_then(|v| v.as_str());
            if let (Some(key), Some(email)) = (key, email) {
                if let Some(user) = by_email.get(&email.to_lowercase()) {
                    report.members_here += 1;
                    by_member.insert(key.to_owned(), *user);
                }
            }
        }
    }
    Ok(Owners {
        by_member,
        fallback,
    })
}

/// One page's records written as listings.
struct Apply {
    org: OrgId,
    system: String,
    defaults: Defaults,
    owners: Owners,
}

impl Apply {
    fn apply(&self, state: &AppState, properties: &[Property]) -> Result<RunReport, MlsError> {
        let mut counts = RunReport::default();
        let now = state.clock.now();
        let mut fresh = Vec::new();
        for p in properties {
            let key = p.listing_key.clone().unwrap_or_default();
            if key.trim().is_empty() {
                reject(&mut counts, key, "it has no ListingKey".into());
                continue;
            }
            let input = match map::listing_input(p, &self.defaults) {
                Ok(input) => input,
                Err(reason) => {
                    reject(&mut counts, key, reason);
                    continue;
                }
            };
            counts.media += p.media.as_ref().map_or(0, |m| m.len() as u64);
            let owner = p
                .list_agent_key
                .as_ref()
                .and_then(|k| self.owners.by_member.get(k))
                .copied()
                .unwrap_or(self.owners.fallback);
            let id = listing_id(&self.system, &key);
            let doc_id = DocId::new(fieldstone_doc::listing::KIND, id)
                .map_err(|e| MlsError::Task(e.to_string()))?;
            let stored = state.store.load_doc(self.org, &doc_id)?;
            let Some(stored) = stored else {
                let valid = match input.validate() {
                    Ok(valid) => valid,
                    Err(errors) => {
                        reject(&mut counts, key, errors.to_string());
                        continue;
                    }
                };
                let listing = Listing::create(id, valid, owner, now);
                let (doc, _) = fieldstone_doc::listing::create(server_actor_id(), &listing)
                    .map_err(|e| MlsError::Task(e.to_string()))?;
                fresh.push(NewDoc {
                    doc_id,
                    scopes: vec![Scope::Org(self.org)],
                    writer: owner,
                    doc,
                    index: None,
                });
                counts.new += 1;
                continue;
            };
            let current = crate::sync::guard::load(&stored.bytes)
                .ok()
                .and_then(|doc| fieldstone_doc::listing::read(&doc).ok());
            let Some(current) = current else {
                reject(&mut counts, key, "its listing here cannot be read".into());
                continue;
            };
            // The MLS owns what it maps; photos and open houses added here stay.
            let mut input = input;
            input.media = current.media.clone();
            input.open_houses = current.open_houses.clone();
            let valid = match input.validate() {
                Ok(valid) => valid,
                Err(errors) => {
                    reject(&mut counts, key, errors.to_string());
                    continue;
                }
            };
            let mut next = current.clone();
            next.apply(valid, now);
            next.owner = owner;
            next.deleted_at = None;
            next.updated_at = current.updated_at;
            if next == current {
                counts.unchanged += 1;
                continue;
            }
            next.updated_at = now;
            write_as_server(state, self.org, &doc_id, owner, |doc| {
                fieldstone_doc::listing::update(doc, &next)
                    .map(|_| ())
                    .map_err(|e| ServerWriteError::Unreadable {
                        doc: doc_id.clone(),
                        reason: e.to_string(),
                    })
            })?;
            counts.updated += 1;
        }
        if !fresh.is_empty() {
            create_all_as_server(state, self.org, fresh, None, None)?;
        }
        Ok(counts)
    }
}

/// Withdraws each imported listing of `org` whose key is not in `live`; answers how many.
fn withdraw_missing(
    state: &AppState,
    org: OrgId,
    live: &BTreeSet<ListingId>,
) -> Result<u64, MlsError> {
    let docs = crate::store::doc_ids_of_kind(
        state.store.as_ref(),
        org,
        &[Scope::Org(org)],
        fieldstone_doc::listing::KIND,
    )?;
    let mut withdrawn = 0;
    for doc_id in docs {
        let Ok(id) = doc_id.record_id().parse::<ListingId>() else {
            continue;
        };
        if !is_imported(&id) || live.contains(&id) {
            continue;
        }
        let Some(stored) = state.store.load_doc(org, &doc_id)? else {
            continue;
        };
        let Some(listing) = crate::sync::guard::load(&stored.bytes)
            .ok()
            .and_then(|doc| fieldstone_doc::listing::read(&doc).ok())
        else {
            continue;
        };
        if listing.status == ListingStatus::Withdrawn {
            continue;
        }
        let mut next = listing.clone();
        next.status = ListingStatus::Withdrawn;
        next.updated_at = state.clock.now();
        write_as_server(state, org, &doc_id, listing.owner, |doc| {
            fieldstone_doc::listing::update(doc, &next)
                .map(|_| ())
                .map_err(|e| ServerWriteError::Unreadable {
                    doc: doc_id.clone(),
                    reason: e.to_string(),
                })
        })?;
        withdrawn += 1;
    }
    Ok(withdrawn)
}
