//! HTTP client for the sync server's v1 API.

use fieldstone_protocol::{
    DocChange, ErrorBody, ErrorCode, PullRequest, PullResponse, PushRequest, PushResponse,
};
use reqwest::StatusCode;
use std::time::Duration;
use thiserror::Error;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Error)]
pub enum SyncError {
    /// Network trouble: the normal state of a phone in a basement. Retried with backoff.
    #[error("sync server unreachable: {0}")]
    Unreachable(String),
    /// The server refused our token: only signing in again helps.
    #[error("the sync server refused this device's credentials")]
    Unauthorized,
    #[error("sync server refused the request ({code:?}): {message}")]
    Rejected { code: ErrorCode, message: String },
    #[error("sync protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Local(#[from] crate::ReplicaError),
}

#[derive(Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

impl std::fmt::Debug for SyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncClient")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl SyncClient {
    /// `base_url` like `http://127.0.0.1:7070` (no trailing path).
    pub fn new(base_url: &str, token: &str) -> Result<Self, SyncError> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(SyncError::Protocol(format!(
                "sync server address {base_url:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| SyncError::Protocol(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            base_url,
            token: token.to_owned(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub async fn push(&self, changes: Vec<DocChange>) -> Result<PushResponse, SyncError> {
        self.post("/v1/push", &PushRequest { changes }).await
    }

    pub async fn pull(&self, since: u64, limit: u32) -> Result<PullResponse, SyncError> {
        self.post("/v1/pull", &PullRequest { since, limit }).await
    }

    async fn post<Req: serde::Serialize, Resp: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Req,
    ) -> Result<Resp, SyncError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| SyncError::Unreachable(describe(&e)))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(SyncError::Unauthorized);
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(match serde_json::from_str::<ErrorBody>(&text) {
                Ok(body) => SyncError::Rejected {
                    code: body.code,
                    message: body.message,
                },
                Err(_) if status.is_server_error() => {
                    SyncError::Unreachable(format!("server error {status}"))
                }
                Err(_) => SyncError::Protocol(format!("unexpected answer {status}: {text:.200}")),
            });
        }
        response
            .json::<Resp>()
            .await
            .map_err(|e| SyncError::Unreachable(format!("answer cut short or malformed: {e}")))
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
