//! HTTP client for the sync server's v2 API: binary sync bodies (zstd + postcard) and the JSON
//! account routes a device needs (sign in, accept an invitation, refresh, sign out, who am I).

use crate::AccountBinding;
use fieldstone_model::drafting::{Draft, DraftRequest, EnhanceRequest, Enhanced};
use fieldstone_protocol::account::{
    AcceptInviteRequest, DocScopes, LoginRequest, Me, OrgChoice, OrgInfo, OrgUsage, Session,
    ShareRequest, TeamInfo, UserInfo,
};
use fieldstone_protocol::{
    codec, DocId, ErrorBody, ErrorCode, PullRequest, PullResponse, PullResponseV3, PushRequest,
    PushResponse, RepairRequest, RepairResponse, Scope, SYNC_CONTENT_TYPE,
};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Error)]
pub enum SyncError {
    /// Network trouble: the normal state of a phone in a basement. Retried with backoff.
    #[error("sync server unreachable: {0}")]
    Unreachable(String),
    /// The server refused our token (expired, signed out): only signing in again helps.
    #[error("the sync server no longer accepts this device's sign-in")]
    Unauthorized,
    /// This device was revoked: its copy of the organisation's data must be removed.
    #[error("this device was signed out by the organisation")]
    Revoked,
    #[error("email or password is wrong")]
    InvalidCredentials,
    /// The email has accounts in several organisations: sign in again naming one.
    #[error("choose an organisation")]
    ChooseOrganisation(Vec<OrgInfo>),
    #[error("too many attempts; try again in {} s", .retry_after.as_secs().max(1))]
    TooManyRequests { retry_after: Duration },
    #[error("sync server refused the request ({code:?}): {message}")]
    Rejected { code: ErrorCode, message: String },
    #[error("sync protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Local(#[from] crate::ReplicaError),
}

/// Bytes of request and answer bodies this client sent and received.
#[derive(Debug, Default)]
pub struct Traffic {
    pub sent: AtomicU64,
    pub received: AtomicU64,
}

#[derive(Clone)]
pub struct SyncClient {
    pub(super) http: reqwest::Client,
    base_url: String,
    token: String,
    pub(super) traffic: Arc<Traffic>,
    /// Whose session the token is: given at sign-in, else asked of the server once
    /// (`GET /v2/me`). A store is only ever synced with the account it belongs to.
    account: Arc<Mutex<Option<AccountBinding>>>,
    /// The server answered that it has no version 3 pull (an older build): ask version 2 from
    /// then on.
    v2_pull: Arc<AtomicBool>,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

fn http_client() -> Result<reqwest::Client, SyncError> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| SyncError::Protocol(format!("cannot build HTTP client: {e}")))
}

fn checked_base(base_url: &str) -> Result<String, SyncError> {
    let base_url = base_url.trim().trim_end_matches('/').to_owned();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(SyncError::Protocol(format!(
            "sync server address {base_url:?} must start with http:// or https://"
        )));
    }
    Ok(base_url)
}

/// Signs in with email and password; the returned session's token authenticates a [`SyncClient`].
pub async fn login(base_url: &str, request: &LoginRequest) -> Result<Session, SyncError> {
    let base = checked_base(base_url)?;
    let response = http_client()?
        .post(format!("{base}/v2/auth/login"))
        .json(request)
        .send()
        .await
        .map_err(|e| SyncError::Unreachable(describe(&e)))?;
    json_answer(response).await
}

/// Turns a one-time invitation into an account and a session.
pub async fn accept_invite(
    base_url: &str,
    request: &AcceptInviteRequest,
) -> Result<Session, SyncError> {
    let base = checked_base(base_url)?;
    let response = http_client()?
        .post(format!("{base}/v2/auth/accept-invite"))
        .json(request)
        .send()
        .await
        .map_err(|e| SyncError::Unreachable(describe(&e)))?;
    json_answer(response).await
}

impl SyncClient {
    /// `base_url` like `http://127.0.0.1:7070` (no trailing path).
    pub fn new(base_url: &str, token: &str) -> Result<Self, SyncError> {
        Ok(Self {
            http: http_client()?,
            base_url: checked_base(base_url)?,
            token: token.to_owned(),
            traffic: Arc::default(),
            account: Arc::default(),
            v2_pull: Arc::default(),
        })
    }

    /// Says whose session the token is (as signing in answered), so the first round need not
    /// ask the server.
    pub fn with_account(self, account: AccountBinding) -> Self {
        *self.account.lock().unwrap_or_else(|p| p.into_inner()) = Some(account);
        self
    }

    /// The account this client's token signs in as: as given, else asked of the server once.
    pub async fn account(&self) -> Result<AccountBinding, SyncError> {
        if let Some(known) = self
            .account
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(known);
        }
        let me = self.me().await?;
        let account = AccountBinding {
            server_url: self.base_url.clone(),
            org_id: me.org.id,
            org_name: me.org.name,
            user_id: me.user.id,
            email: me.user.email,
        };
        *self.account.lock().unwrap_or_else(|p| p.into_inner()) = Some(account.clone());
        Ok(account)
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.sync_call("/v2/sync/push", request).await
    }

    pub async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.sync_call("/v2/sync/pull", request).await
    }

    /// `POST /v3/sync/pull`: the page, and which of its documents are not this user's own
    /// (see [`PullResponseV3`]). From a server without version 3 the page comes from version 2
    /// and the second part is `None`: not known.
    pub async fn pull_marked(
        &self,
        request: &PullRequest,
    ) -> Result<(PullResponse, Option<Vec<DocId>>), SyncError> {
        if !self.v2_pull.load(Ordering::Relaxed) {
            match self
                .sync_call::<_, PullResponseV3>("/v3/sync/pull", request)
                .await
            {
                Ok(answer) => return Ok((answer.page, Some(answer.not_mine))),
                Err(SyncError::Rejected {
                    code: ErrorCode::NotFound,
                    ..
                }) => self.v2_pull.store(true, Ordering::Relaxed),
                Err(error) => return Err(error),
            }
        }
        Ok((self.pull(request).await?, None))
    }

    pub async fn repair(&self, request: &RepairRequest) -> Result<RepairResponse, SyncError> {
        self.sync_call("/v2/sync/repair", request).await
    }

    pub async fn me(&self) -> Result<Me, SyncError> {
        self.get_json("/v2/me").await
    }

    /// A new session for this device; this client's token stops working.
    pub async fn refresh(&self) -> Result<Session, SyncError> {
        let response = self
            .send(self.http.post(self.url("/v2/auth/refresh")))
            .await?;
        json_answer(response).await
    }

    /// Ends this device's session on the server.
    pub async fn logout(&self) -> Result<(), SyncError> {
        let response = self
            .send(self.http.post(self.url("/v2/auth/logout")))
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_from(response).await)
        }
    }

    /// `GET /v2/users`: the people this session may see (its teammates; everyone for admins).
    pub async fn users(&self) -> Result<Vec<UserInfo>, SyncError> {
        self.get_json("/v2/users").await
    }

    /// `GET /v2/teams`: the session's own teams (every team for admins).
    pub async fn teams(&self) -> Result<Vec<TeamInfo>, SyncError> {
        self.get_json("/v2/teams").await
    }

    /// `GET /v2/docs/{doc}/shares`: the scopes a document is in, the one it was created in
    /// first.
    pub async fn doc_shares(&self, doc: &DocId) -> Result<DocScopes, SyncError> {
        self.get_json(&format!("/v2/docs/{doc}/shares")).await
    }

    /// `POST /v2/docs/{doc}/shares`: `true` when newly shared, `false` when it already was.
    pub async fn share_doc(&self, doc: &DocId, request: &ShareRequest) -> Result<bool, SyncError> {
        let url = self.url(&format!("/v2/docs/{doc}/shares"));
        let response = self.send(self.http.post(url).json(request)).await?;
        match response.status() {
            StatusCode::CREATED => Ok(true),
            status if status.is_success() => Ok(false),
            _ => Err(error_from(response).await),
        }
    }

    /// `DELETE /v2/docs/{doc}/shares/{scope}`.
    pub async fn unshare_doc(&self, doc: &DocId, scope: &Scope) -> Result<(), SyncError> {
        let url = self.url(&format!("/v2/docs/{doc}/shares/{scope}"));
        let response = self.send(self.http.delete(url)).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(error_from(response).await)
        }
    }

    /// `POST /v2/ai/draft`: a draft email for a contact's follow-up step (the model's, or the
    /// template the server answers when the model cannot).
    pub async fn draft_email(&self, request: &DraftRequest) -> Result<Draft, SyncError> {
        let response = self
            .send(self.http.post(self.url("/v2/ai/draft")).json(request))
            .await?;
        json_answer(response).await
    }

    /// `POST /v2/ai/enhance`: a text rewritten in a tone, beside the original.
    pub async fn enhance_text(&self, request: &EnhanceRequest) -> Result<Enhanced, SyncError> {
        let response = self
            .send(self.http.post(self.url("/v2/ai/enhance")).json(request))
            .await?;
        json_answer(response).await
    }

    /// `POST /v2/calls`: the server rings the agent's phone, then bridges the contact.
    pub async fn place_call(
        &self,
        request: &fieldstone_protocol::calls::CallRequest,
    ) -> Result<fieldstone_protocol::calls::CallStarted, SyncError> {
        let response = self
            .send(self.http.post(self.url("/v2/calls")).json(request))
            .await?;
        json_answer(response).await
    }

    /// `GET /v2/org/usage`: the organisation's plan and this month's use of each allowance,
    /// the organisation's and this user's.
    pub async fn org_usage(&self) -> Result<OrgUsage, SyncError> {
        self.get_json("/v2/org/usage").await
    }

    /// `GET /v2/calendar/feed`: the signed-in person's calendar feed address.
    pub async fn calendar_feed_link(
        &self,
    ) -> Result<fieldstone_protocol::commands::CalendarFeedLink, SyncError> {
        self.get_json("/v2/calendar/feed").await
    }

    /// `GET /v2/org/routing`: the organisation's routing rules and response-time target.
    pub async fn routing_rules(
        &self,
    ) -> Result<fieldstone_model::routing::RoutingRules, SyncError> {
        self.get_json("/v2/org/routing").await
    }

    /// `PUT /v2/org/settings/follow-up` (admins): the organisation's follow-up plan, checked
    /// and stored by the server, which sends it to every device in the settings document.
    pub async fn set_follow_up_plan(
        &self,
        settings: &fieldstone_model::FollowUpSettings,
    ) -> Result<fieldstone_model::FollowUpSettings, SyncError> {
        let url = self.url("/v2/org/settings/follow-up");
        json_answer(self.send(self.http.put(url).json(settings)).await?).await
    }

    /// `GET /v2/leads/routing`: the newest routed leads (all for brokers and admins; an
    /// agent's own, the offers made to them and the pond for an agent).
    pub async fn lead_routings(
        &self,
    ) -> Result<Vec<fieldstone_protocol::commands::RoutedLead>, SyncError> {
        self.get_json("/v2/leads/routing").await
    }

    /// `POST /v2/leads/{contact}/claim`: takes an offered lead (409 names who has it).
    pub async fn claim_lead(
        &self,
        contact: &fieldstone_model::ContactId,
    ) -> Result<fieldstone_protocol::commands::RoutedLead, SyncError> {
        let url = self.url(&format!("/v2/leads/{contact}/claim"));
        json_answer(self.send(self.http.post(url)).await?).await
    }

    /// `POST /v2/leads/{contact}/assign` (brokers and admins): moves the lead to `agent`.
    pub async fn assign_lead(
        &self,
        contact: &fieldstone_model::ContactId,
        agent: fieldstone_model::UserId,
        records: &[DocId],
    ) -> Result<fieldstone_protocol::commands::RoutedLead, SyncError> {
        let url = self.url(&format!("/v2/leads/{contact}/assign"));
        let body = serde_json::json!({ "agent": agent, "records": records });
        json_answer(self.send(self.http.post(url).json(&body)).await?).await
    }

    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        let response = self.send(self.http.get(self.url(path))).await?;
        json_answer(response).await
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends `request` with this session's token; no answer at all is `Unreachable`.
    pub(super) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, SyncError> {
        request
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| SyncError::Unreachable(describe(&e)))
    }

    /// The WebSocket address of live news.
    pub fn live_url(&self) -> String {
        let rest = self
            .base_url
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| {
                self.base_url
                    .strip_prefix("http://")
                    .map(|r| format!("ws://{r}"))
            })
            .unwrap_or_default();
        format!("{rest}/v2/sync/live")
    }

    async fn sync_call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        path: &str,
        request: &Req,
    ) -> Result<Resp, SyncError> {
        let body = codec::encode(request).map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.traffic
            .sent
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        let request = self
            .http
            .post(self.url(path))
            .header(CONTENT_TYPE, SYNC_CONTENT_TYPE)
            .body(body);
        let response = self.send(request).await?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SyncError::Unreachable(format!("answer cut short: {e}")))?;
        self.traffic
            .received
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        codec::decode(&bytes).map_err(|e| SyncError::Protocol(e.to_string()))
    }
}

pub(super) async fn json_answer<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, SyncError> {
    if !response.status().is_success() {
        return Err(error_from(response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|e| SyncError::Unreachable(format!("answer cut short or malformed: {e}")))
}

/// Turns a non-2xx answer into the error the caller branches on (never on message text).
pub(super) async fn error_from(response: reqwest::Response) -> SyncError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    if let Ok(choice) = serde_json::from_str::<OrgChoice>(&text) {
        if choice.code == ErrorCode::ChooseOrganisation {
            return SyncError::ChooseOrganisation(choice.orgs);
        }
    }
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => match body.code {
            ErrorCode::DeviceRevoked => SyncError::Revoked,
            ErrorCode::Unauthorized => SyncError::Unauthorized,
            ErrorCode::InvalidCredentials => SyncError::InvalidCredentials,
            ErrorCode::TooManyRequests => SyncError::TooManyRequests {
                retry_after: retry_after.unwrap_or(Duration::from_secs(60)),
            },
            // A busy or restarting server is like a network hiccup: back off and retry.
            ErrorCode::Unavailable | ErrorCode::Internal => {
                SyncError::Unreachable(format!("server error {status}: {}", body.message))
            }
            code => SyncError::Rejected {
                code,
                message: body.message,
            },
        },
        Err(_) if status == StatusCode::UNAUTHORIZED => SyncError::Unauthorized,
        Err(_) if status.is_server_error() => {
            SyncError::Unreachable(format!("server error {status}"))
        }
        Err(_) => SyncError::Protocol(format!("unexpected answer {status}: {text:.200}")),
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_connect() {
        "cannot connect".to_owned()
    } else if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    }
}
