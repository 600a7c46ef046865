//! An OpenAI-compatible chat-completions client: `POST {base_url}/chat/completions` with
//! `{model, messages, max_tokens, temperature}`, the key as a bearer token (or Azure's
//! `api-key` header), and the first choice's `message.content` read from the answer. OpenAI,
//! Azure, Ollama, vLLM and llama.cpp's server all speak this.

use super::config::{AiConfig, KeyHeader};
use crate::config::Secret;
use fieldstone_model::drafting::ChatMessage;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use std::time::Duration;

/// Largest answer read from a provider: a chat answer within `max_tokens` is a few KiB.
const ANSWER_MAX_BYTES: usize = 1024 * 1024;
/// How much of a provider's error is kept for the log.
const DETAIL_MAX_CHARS: usize = 300;

/// Why a provider gave no answer to use. For the server's log: people see a template.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider answered HTTP {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("the provider's answer could not be read: {0}")]
    Malformed(String),
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    max_tokens: u32,
    temperature: f32,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: AnswerMessage,
}

#[derive(Deserialize)]
struct AnswerMessage {
    /// `null` when the model answered with something else (a tool call, a refusal).
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

/// One process-wide HTTP client: its connection pool serves every request whatever the
/// configuration (each request carries its own address, key and timeout).
fn http() -> Result<&'static reqwest::Client, ProviderError> {
    static HTTP: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| ProviderError::Unreachable(format!("no HTTP client: {e}")))
}

/// A configured provider.
#[derive(Debug, Clone)]
pub struct ChatClient {
    endpoint: reqwest::Url,
    key: Option<Secret>,
    key_header: KeyHeader,
    model: String,
    max_tokens: u32,
    temperature: f32,
    timeout: Duration,
}

impl ChatClient {
    pub fn new(config: &AiConfig) -> Result<Self, String> {
        Ok(ChatClient {
            endpoint: config.endpoint()?,
            key: config.api_key.clone(),
            key_header: config.key_header,
            model: config.model.trim().to_owned(),
            max_tokens: config.max_tokens,
            temperature: config.temperature,
            timeout: Duration::from_secs(config.timeout_secs),
        })
    }

    /// The model's answer to `messages`: the first choice's text.
    pub async fn complete(&self, messages: &[ChatMessage]) -> Result<String, ProviderError> {
        tokio::time::timeout(self.timeout, self.ask(messages))
            .await
            .unwrap_or(Err(ProviderError::Timeout(self.timeout.as_secs())))
    }

    async fn ask(&self, messages: &[ChatMessage]) -> Result<String, ProviderError> {
        let body = ChatRequest {
            model: &self.model,
            messages,
            max_tokens: self.max_tokens,
            temperature: self.temperature,
        };
        let mut request = http()?
            .post(self.endpoint.clone())
            .timeout(self.timeout)
            .json(&body);
        if let Some(key) = &self.key {
            request = match self.key_header {
                KeyHeader::Bearer => request.bearer_auth(key.expose()),
                KeyHeader::ApiKey => request.header("api-key", key.expose()),
            };
        }
        let mut response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.transport(e))? {
            if bytes.len() + chunk.len() > ANSWER_MAX_BYTES {
                return Err(ProviderError::Malformed(format!(
                    "the answer is larger than {ANSWER_MAX_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let detail = serde_json::from_slice::<ErrorResponse>(&bytes)
                .map(|e| e.error.message)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ProviderError::Status {
                status: status.as_u16(),
                detail: detail.chars().take(DETAIL_MAX_CHARS).collect(),
            });
        }
        let answer: ChatResponse =
            serde_json::from_slice(&bytes).map_err(|e| ProviderError::Malformed(e.to_string()))?;
        answer
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .ok_or_else(|| ProviderError::Malformed("no choice with text content".into()))
    }

    fn transport(&self, error: reqwest::Error) -> ProviderError {
        if error.is_timeout() {
            ProviderError::Timeout(self.timeout.as_secs())
        } else {
            // Without the URL: a query string (Azure's) is harmless, but the habit is not.
            ProviderError::Unreachable(error.without_url().to_string())
        }
    }
}
