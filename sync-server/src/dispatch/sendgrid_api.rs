//! SendGrid's v3 Mail Send API (`POST /v3/mail/send`, bearer API key, JSON), for an
//! organisation that sends through SendGrid without SMTP. Selected by a relay address of the
//! form `sendgrid://API_KEY@api.sendgrid.com` (`sendgrid+http://…` for a loopback double). A
//! 202 answer carries SendGrid's message id in `X-Message-Id`; an error's words come from its
//! `errors[].message`.

use super::email::{Composed, SendError};
use std::time::Duration;

pub struct SendGridApi {
    client: reqwest::Client,
    base: String,
    key: String,
    runtime: Option<tokio::runtime::Handle>,
}

impl SendGridApi {
    /// `None` when `url` is not a SendGrid API address; else the client, or why it cannot be.
    pub fn from_url(url: &str, timeout_secs: u64) -> Option<Result<SendGridApi, String>> {
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("sendgrid://") {
            ("https", rest)
        } else if let Some(rest) = url.strip_prefix("sendgrid+http://") {
            ("http", rest)
        } else {
            return None;
        };
        Some((|| {
            let (key, host) = rest
                .rsplit_once('@')
                .ok_or("a SendGrid address is sendgrid://API_KEY@api.sendgrid.com")?;
            if key.is_empty() || host.is_empty() || host.contains(['/', '?', '#']) {
                return Err("a SendGrid address is sendgrid://API_KEY@api.sendgrid.com".to_owned());
            }
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(timeout_secs))
                .build()
                .map_err(|e| format!("SendGrid's HTTP client: {e}"))?;
            Ok(SendGridApi {
                client,
                base: format!("{scheme}://{host}"),
                key: key.to_owned(),
                runtime: None,
            })
        })())
    }

    pub fn with_runtime(mut self, runtime: tokio::runtime::Handle) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// The request body for `email` (the v3 Mail Send shape).
    fn body(email: &Composed) -> serde_json::Value {
        let mut personalization = serde_json::json!({ "to": [{ "email": email.to }] });
        if let Some(args) = &email.custom_args {
            personalization["custom_args"] = args.clone();
        }
        let mut from = serde_json::json!({ "email": email.from });
        if let Some(name) = &email.from_name {
            from["name"] = serde_json::Value::String(name.clone());
        }
        let mut content = vec![serde_json::json!({"type": "text/plain", "value": email.text})];
        if let Some(html) = &email.html {
            content.push(serde_json::json!({"type": "text/html", "value": html}));
        }
        let mut headers = serde_json::json!({ "Message-ID": email.id });
        if let Some(url) = &email.unsubscribe {
            headers["List-Unsubscribe"] = serde_json::Value::String(format!("<{url}>"));
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click".into();
        }
        serde_json::json!({
            "personalizations": [personalization],
            "from": from,
            "subject": email.subject,
            "content": content,
            "headers": headers,
            // The server tracks opens and clicks itself (signed links); SendGrid's own
            // rewriting would track them twice.
            "tracking_settings": {
                "click_tracking": { "enable": false },
                "open_tracking": { "enable": false },
            },
        })
    }

    pub(super) fn send(&self, email: &Composed) -> Result<String, SendError> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| SendError::Transient("SendGrid's API is not ready".into()))?;
        let request = self
            .client
            .post(format!("{}/v3/mail/send", self.base))
            .bearer_auth(&self.key)
            .json(&Self::body(email));
        let fallback_id = email.id.clone();
        runtime.block_on(async move {
            let answer = request
                .send()
                .await
                .map_err(|e| SendError::Transient(format!("SendGrid did not answer: {e}")))?;
            let status = answer.status();
            if status.is_success() {
                return Ok(answer
                    .headers()
                    .get("x-message-id")
                    .and_then(|v| v.to_str().ok())
                    .map_or(fallback_id, str::to_owned));
            }
            let body = answer.bytes().await.unwrap_or_default();
            let words = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    let messages: Vec<String> = v["errors"]
                        .as_array()?
                        .iter()
                        .filter_map(|e| e["message"].as_str().map(str::to_owned))
                        .collect();
                    (!messages.is_empty()).then(|| messages.join("; "))
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            if status.is_server_error() || status.as_u16() == 429 {
                Err(SendError::Transient(format!(
                    "SendGrid did not take it: {words}"
                )))
            } else {
                Err(SendError::Permanent(format!(
                    "SendGrid refused it: {words}"
                )))
            }
        })
    }
}
