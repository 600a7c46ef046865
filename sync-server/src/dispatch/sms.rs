//! Text messages through a Twilio-compatible REST API: `POST
//! {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` (or
//! `MessagingServiceSid`), `Body` and `StatusCallback`, HTTP Basic auth with the account's SID
//! and auth token. The answer's `sid` is the message's provider id; an error's `code` and
//! `message` are kept in Twilio's words.

use super::email::SendError;
use crate::config::Secret;
use fieldstone_model::Message;
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The Twilio account (`AC…`).
    pub account_sid: String,
    /// Its auth token: authenticates the server's requests and signs Twilio's callbacks.
    /// Never logged.
    pub auth_token: Secret,
    /// The number texts come from (E.164, `+15551234567`), or …
    #[serde(default)]
    pub from: Option<String>,
    /// … a messaging service (`MG…`) that picks one.
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    /// Where the API is (another Twilio-compatible provider, or a test double).
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// The organisation's time zone (IANA name): quiet hours (8:00–21:00) are judged in it for
    /// a contact without a zone of their own.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Seconds one request to the provider may take.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_api_base() -> String {
    "https://api.twilio.com".into()
}
fn default_time_zone() -> String {
    "America/New_York".into()
}
fn default_timeout_secs() -> u64 {
    15
}

impl SmsConfig {
    pub fn new(account_sid: &str, auth_token: &str, from: &str) -> Self {
        SmsConfig {
            account_sid: account_sid.into(),
            auth_token: Secret::new(auth_token),
            from: Some(from.into()),
            messaging_service_sid: None,
            api_base: default_api_base(),
            time_zone: default_time_zone(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The time zone, parsed.
    pub fn zone(&self) -> Result<chrono_tz::Tz, String> {
        self.time_zone.parse().map_err(|_| {
            format!(
                "sms.time_zone: {:?} is not an IANA time zone",
                self.time_zone
            )
        })
    }

    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let sid = &self.account_sid;
        if !(sid.len() == 34
            && sid.starts_with("AC")
            && sid.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            problems
                .push("sms.account_sid must be the account's SID (AC and 32 characters)".into());
        }
        if self.auth_token.expose().trim().is_empty() {
            problems.push("sms.auth_token must be set".into());
        }
        match (&self.from, &self.messaging_service_sid) {
            (Some(from), None) => {
                if !(from.starts_with('+')
                    && (8..=16).contains(&from.len())
                    && from[1..].chars().all(|c| c.is_ascii_digit()))
                {
                    problems.push(
                        "sms.from must be a number in E.164 form, such as +15551234567".into(),
                    );
                }
            }
            (None, Some(service)) => {
                if !service.starts_with("MG") {
                    problems.push("sms.messaging_service_sid must start with MG".into());
                }
            }
            _ => problems.push("sms needs exactly one of from and messaging_service_sid".into()),
        }
        if !(self.api_base.starts_with("https://") || self.api_base.starts_with("http://")) {
            problems.push("sms.api_base must be an http:// or https:// address".into());
        }
        if let Err(problem) = self.zone() {
            problems.push(problem);
        }
        if !(1..=120).contains(&self.timeout_secs) {
            problems.push("sms.timeout_secs must be between 1 and 120".into());
        }
        problems
    }
}

/// Sends texts. The dispatcher's workers are plain threads, so each request runs on the
/// server's runtime through its handle.
pub struct Texter {
    client: reqwest::Client,
    config: SmsConfig,
    pub zone: chrono_tz::Tz,
    runtime: tokio::runtime::Handle,
}

/// Twilio's error body.
#[derive(Deserialize)]
struct TwilioError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

impl Texter {
    pub fn new(config: &SmsConfig, runtime: tokio::runtime::Handle) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .map_err(|e| format!("the SMS provider's HTTP client: {e}"))?;
        Ok(Texter {
            client,
            zone: config.zone()?,
            config: config.clone(),
            runtime,
        })
    }

    /// The number calls and texts come from, when one is set (a messaging service picks its
    /// own).
    pub fn from_number(&self) -> Option<&str> {
        self.config.from.as_deref()
    }

    /// Sends `message`; answers the provider's id for it.
    pub fn send(
        &self,
        message: &Message,
        status_callback: Option<&str>,
    ) -> Result<String, SendError> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("To", &message.to);
        match (&self.config.from, &self.config.messaging_service_sid) {
            (Some(from), _) => form.append_pair("From", from),
            (None, Some(service)) => form.append_pair("MessagingServiceSid", service),
            (None, None) => return Err(SendError::Permanent("no sending number is set".into())),
        };
        form.append_pair("Body", &message.body);
        if let Some(callback) = status_callback {
            form.append_pair("StatusCallback", callback);
        }
        self.post("Messages.json", form.finish(), "the SMS provider")
    }

    /// Asks the provider to ring `agent` (the agent's own phone) and, once answered, fetch
    /// what to do from `bridge` (TwiML that dials the lead); `status` hears how it ended.
    /// Answers the call's id. Needs a sending number (the caller id).
    pub fn call(&self, agent: &str, bridge: &str, status: &str) -> Result<String, SendError> {
        let from = self.config.from.as_deref().ok_or_else(|| {
            SendError::Permanent(
                "calls need a sending number (sms.from), not a messaging service".into(),
            )
        })?;
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("To", agent);
        form.append_pair("From", from);
        form.append_pair("Url", bridge);
        form.append_pair("StatusCallback", status);
        form.append_pair("StatusCallbackEvent", "completed");
        self.post("Calls.json", form.finish(), "the telephony provider")
    }

    /// Posts `form` to the account's `resource`; answers the created resource's `sid`.
    /// Blocking: runs the request on the server's runtime.
    fn post(&self, resource: &str, form: String, who: &str) -> Result<String, SendError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/{resource}",
            self.config.api_base.trim_end_matches('/'),
            self.config.account_sid
        );
        let request = self
            .client
            .post(url)
            .basic_auth(
                &self.config.account_sid,
                Some(self.config.auth_token.expose()),
            )
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
        self.runtime.block_on(async move {
            let answer = request
                .send()
                .await
                .map_err(|e| SendError::Transient(format!("{who} did not answer: {e}")))?;
            let status = answer.status();
            let body = answer
                .bytes()
                .await
                .map_err(|e| SendError::Transient(format!("{who}'s answer was cut: {e}")))?;
            if status.is_success() {
                return serde_json::from_slice::<Created>(&body)
                    .map(|created| created.sid)
                    .map_err(|e| {
                        // Taken, but not in a shape we can read: not worth sending again.
                        SendError::Permanent(format!("{who}'s answer is not readable: {e}"))
                    });
            }
            let words = serde_json::from_slice::<TwilioError>(&body)
                .ok()
                .and_then(|e| {
                    e.message.map(|m| match e.code {
                        Some(code) => format!("{m} (error {code})"),
                        None => m,
                    })
                })
                .unwrap_or_else(|| format!("HTTP {status}"));
            if status.is_server_error() || status.as_u16() == 429 {
                Err(SendError::Transient(format!(
                    "{who} did not take it: {words}"
                )))
            } else {
                Err(SendError::Permanent(format!("{who} refused it: {words}")))
            }
        })
    }
}
