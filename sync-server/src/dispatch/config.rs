//! How the server sends email: one SMTP relay for the server (any relay: SendGrid's, a
//! company's own), in the configuration file. Per-organisation providers come later.

use crate::config::Secret;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// `smtp://host:port` (plain, for a relay on this machine), `smtp://host?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS from the start); or
    /// `sendgrid://API_KEY@api.sendgrid.com` for SendGrid's v3 Mail Send API instead of SMTP.
    /// Never logged whole.
    pub smtp_url: Secret,
    /// The address messages are sent from (the agent's name is shown beside it).
    pub from: String,
    /// Attempts before a message that keeps failing for a passing reason is `failed`.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// Seconds before the first retry; each later one waits twice as long.
    #[serde(default = "default_retry_secs")]
    pub retry_secs: u64,
    /// How often the dispatcher looks for messages to send, in milliseconds (it also looks as
    /// soon as a message arrives).
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Seconds a worker may hold a message while sending it; past that, the send is taken to
    /// have stopped midway (and is not repeated).
    #[serde(default = "default_lease_secs")]
    pub lease_secs: u64,
    /// Seconds one SMTP conversation may take.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Messages sent at once, each on its own connection to the relay. One connection sends
    /// about 20 a second whatever the relay's speed (the SMTP client writes a message's end
    /// apart from its body, and TCP holds that back until the body is acknowledged), so
    /// throughput comes from connections side by side.
    #[serde(default = "default_connections")]
    pub connections: u32,
    /// Open and click tracking in HTML mail, through the server's own pixel and signed links
    /// (needs `http.public_url`).
    #[serde(default = "default_track")]
    pub track: bool,
    /// The relay is SendGrid's: its Event Webhook's verification key (base64, as SendGrid
    /// shows it). Each message is then tagged so its events find it, and
    /// `POST /hooks/sendgrid/{org}` accepts events signed with this key.
    #[serde(default)]
    pub sendgrid_webhook_key: Option<String>,
}

fn default_track() -> bool {
    true
}

fn default_attempts() -> u32 {
    3
}
fn default_retry_secs() -> u64 {
    60
}
fn default_poll_ms() -> u64 {
    2_000
}
fn default_lease_secs() -> u64 {
    300
}
fn default_timeout_secs() -> u64 {
    30
}
fn default_connections() -> u32 {
    16
}

impl EmailConfig {
    /// A relay at `smtp_url`, sending from `from`, with the usual timings.
    pub fn new(smtp_url: &str, from: &str) -> Self {
        EmailConfig {
            smtp_url: Secret::new(smtp_url),
            from: from.to_owned(),
            max_attempts: default_attempts(),
            retry_secs: default_retry_secs(),
            poll_ms: default_poll_ms(),
            lease_secs: default_lease_secs(),
            timeout_secs: default_timeout_secs(),
            connections: default_connections(),
            track: default_track(),
            sendgrid_webhook_key: None,
        }
    }

    /// Every problem, as the configuration's other checks say them.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let url = self.smtp_url.expose();
        if let Some(api) = super::sendgrid_api::SendGridApi::from_url(url, self.timeout_secs) {
            if let Err(problem) = api {
                problems.push(format!("email.smtp_url: {problem}"));
            }
        } else if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            problems
                .push("email.smtp_url must start with smtp://, smtps:// or sendgrid://".to_owned());
        } else if let Err(e) = lettre::SmtpTransport::from_url(url) {
            problems.push(format!("email.smtp_url is not usable: {e}"));
        }
        if let Err(problem) = fieldstone_model::check_email(&self.from) {
            problems.push(format!("email.from: {problem}"));
        }
        if !(1..=10).contains(&self.max_attempts) {
            problems.push("email.max_attempts must be between 1 and 10".to_owned());
        }
        if !(1..=86_400).contains(&self.retry_secs) {
            problems.push("email.retry_secs must be between 1 and 86400".to_owned());
        }
        if !(10..=600_000).contains(&self.poll_ms) {
            problems.push("email.poll_ms must be between 10 and 600000".to_owned());
        }
        if !(self.timeout_secs + 1..=86_400).contains(&self.lease_secs) {
            problems.push("email.lease_secs must be longer than email.timeout_secs".to_owned());
        }
        if !(1..=64).contains(&self.connections) {
            problems.push("email.connections must be between 1 and 64".to_owned());
        }
        if let Some(key) = &self.sendgrid_webhook_key {
            if let Err(problem) = crate::webhooks::sendgrid::PublicKey::from_base64(key) {
                problems.push(format!("email.sendgrid_webhook_key: {problem}"));
            }
        }
        if !(1..=600).contains(&self.timeout_secs) {
            problems.push("email.timeout_secs must be between 1 and 600".to_owned());
        }
        problems
    }
}
