//! How the server reaches an AI model: any OpenAI-compatible chat-completions endpoint. The
//! server's own is `[ai]` in the configuration file; an organisation's admins may set their own
//! (`crate::providers`, kind `ai`), checked by the same rules.

use crate::config::Secret;
use serde::{Deserialize, Serialize};

/// How the key is sent: OpenAI, Azure's v1 API, vLLM and most others take a bearer token;
/// Azure's older deployment URLs want an `api-key` header instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyHeader {
    #[default]
    Bearer,
    ApiKey,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AiConfig {
    /// Everything before `/chat/completions`: `https://api.openai.com/v1`,
    /// `https://RESOURCE.openai.azure.com/openai/v1`, `http://localhost:11434/v1` (Ollama),
    /// `http://localhost:8000/v1` (vLLM, llama.cpp). A query (Azure's `?api-version=…`) is
    /// kept after the path.
    pub base_url: String,
    /// The provider's key; a local server may need none. Never logged.
    #[serde(default)]
    pub api_key: Option<Secret>,
    #[serde(default)]
    pub key_header: KeyHeader,
    /// The model (or Azure deployment) name.
    pub model: String,
    /// Seconds one answer may take; past it the agent gets the template.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Most tokens one answer may use (a follow-up email needs a few hundred).
    #[serde(default = "default_max_tokens")]
    pub max_tokens: u32,
    #[serde(default = "default_temperature")]
    pub temperature: f32,
    /// `false` switches AI off for every organisation on this server (the templates stay); an
    /// organisation's own switch is its `ai` provider's `off`.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
}

pub(crate) fn default_timeout_secs() -> u64 {
    30
}
pub(crate) fn default_max_tokens() -> u32 {
    800
}
pub(crate) fn default_temperature() -> f32 {
    0.7
}
fn default_enabled() -> bool {
    true
}

impl AiConfig {
    /// A provider at `base_url` with `model`, no key, and the usual limits.
    pub fn new(base_url: &str, model: &str) -> Self {
        AiConfig {
            base_url: base_url.to_owned(),
            api_key: None,
            key_header: KeyHeader::default(),
            model: model.to_owned(),
            timeout_secs: default_timeout_secs(),
            max_tokens: default_max_tokens(),
            temperature: default_temperature(),
            enabled: default_enabled(),
        }
    }

    /// The chat-completions address: the base URL's path + `/chat/completions`, its query kept.
    /// A problem names the field (`base_url`) without its section.
    pub fn endpoint(&self) -> Result<reqwest::Url, String> {
        let mut url = reqwest::Url::parse(self.base_url.trim())
            .map_err(|e| format!("base_url is not an address: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("base_url must be an http:// or https:// address".to_owned());
        }
        let path = format!("{}/chat/completions", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_fragment(None);
        Ok(url)
    }

    /// Every problem, as the configuration's other checks say them. An answer must come
    /// within the server's own request timeout (`request_timeout_secs`), or the agent would get
    /// a timeout rather than the template.
    pub fn problems(&self, request_timeout_secs: u64) -> Vec<String> {
        self.problems_in("ai", request_timeout_secs)
    }

    /// The same, each field named under `section` (`ai` in the configuration file,
    /// `settings` in an organisation's own provider).
    pub fn problems_in(&self, section: &str, request_timeout_secs: u64) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(problem) = self.endpoint() {
            problems.push(format!("{section}.{problem}"));
        }
        if self.model.trim().is_empty() {
            problems.push(format!(
                "{section}.model must name the model (or Azure deployment)"
            ));
        }
        if self
            .api_key
            .as_ref()
            .is_some_and(|k| k.expose().trim().is_empty())
        {
            problems.push(format!(
                "{section}.api_key is empty: leave it out for a server that needs none"
            ));
        }
        let most = request_timeout_secs.saturating_sub(1).clamp(1, 600);
        if !(1..=most).contains(&self.timeout_secs) {
            problems.push(format!(
                "{section}.timeout_secs must be between 1 and {most} (below \
                 http.request_timeout_secs)"
            ));
        }
        if !(16..=32_768).contains(&self.max_tokens) {
            problems.push(format!("{section}.max_tokens must be between 16 and 32768"));
        }
        if !(0.0..=2.0).contains(&self.temperature) {
            problems.push(format!("{section}.temperature must be between 0 and 2"));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_follows_the_base_url() {
        let at = |base: &str| AiConfig::new(base, "m").endpoint().map(|u| u.to_string());
        assert_eq!(
            at("https://api.openai.com/v1").as_deref(),
            Ok("https://api.openai.com/v1/chat/completions")
        );
        assert_eq!(
            at("http://localhost:11434/v1/").as_deref(),
            Ok("http://localhost:11434/v1/chat/completions")
        );
        assert_eq!(
            at("https://r.openai.azure.com/openai/deployments/gpt4o?api-version=2024-10-21")
                .as_deref(),
            Ok("https://r.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")
        );
        assert!(at("ftp://example.com").is_err());
        assert!(at("not a url").is_err());
    }

    #[test]
    fn every_problem_is_named_and_the_key_is_never_shown() {
        let mut config = AiConfig::new("localhost:11434", " ");
        config.api_key = Some(Secret::new("sk-hunter2"));
        config.timeout_secs = 60;
        config.max_tokens = 1;
        config.temperature = 3.0;
        let problems = config.problems(60).join("\n");
        for field in [
            "base_url",
            "model",
            "timeout_secs",
            "max_tokens",
            "temperature",
        ] {
            assert!(problems.contains(&format!("ai.{field}")), "{problems}");
        }
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(AiConfig::new("http://127.0.0.1:1/v1", "llama3")
            .problems(60)
            .is_empty());
    }
}
