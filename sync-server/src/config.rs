//! The server's configuration, declared once: defaults here, then a TOML file, then environment
//! variables and command-line flags. Validated at start-up; secrets never reach a log.

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    pub listen: SocketAddr,
    /// Where the SQLite store keeps its file (unused with `database_url`).
    pub data_dir: PathBuf,
    /// `postgres://user:password@host/db` to use PostgreSQL instead of SQLite.
    pub database_url: Option<Secret>,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    pub limits: Limits,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    /// Outbound email (`[email]`): without it, messages wait on the server unsent.
    pub email: Option<crate::dispatch::EmailConfig>,
    /// Text messages (`[sms]`, a Twilio-compatible API) for organisations without a text
    /// provider of their own: without either, texts are refused with the reason.
    pub sms: Option<crate::dispatch::SmsConfig>,
    /// AI drafting (`[ai]`): without it, agents get labelled templates.
    pub ai: Option<crate::ai::AiConfig>,
    /// The server's own secret (base64 of at least 32 random bytes, e.g. `openssl rand -base64
    /// 32`): it signs the links in the email the server sends (unsubscribe, tracking). Required
    /// once a provider is configured; changing it breaks links already sent.
    pub secret_key: Option<Secret>,
    /// The plan of organisations the operator gave none (`admin set-plan`): `enterprise` caps
    /// nothing, which suits a server an agency runs for itself.
    pub default_plan: fieldstone_model::plan::Plan,
    /// Lead intake (`[intake]`): body sizes and rates of the intake API and Meta's webhooks.
    pub intake: crate::intake::IntakeConfig,
    /// Email everyone their weekly report on Monday morning (`weekly_reports = false` to stop).
    pub weekly_reports: bool,
    /// Media blobs (`[blobs]`): where they are kept.
    pub blobs: crate::blobs::BlobConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// A connection must send a request's headers within this many seconds (this also closes a
    /// kept-alive connection that sends no new request for as long).
    pub header_timeout_secs: u64,
    /// A request's body must arrive in full within this many seconds.
    pub body_timeout_secs: u64,
    /// A request must be answered within this many seconds (the live WebSocket excepted).
    pub request_timeout_secs: u64,
    /// Open connections at most; more wait to be accepted.
    pub max_connections: usize,
    /// `/metrics` on its own address (e.g. `127.0.0.1:9090`, for a scraper on the same host).
    pub metrics_listen: Option<SocketAddr>,
    /// `/metrics` on the main address for requests with `Authorization: Bearer <token>`.
    /// With neither this nor `metrics_listen`, `/metrics` is not served.
    pub metrics_token: Option<Secret>,
    /// The address people outside reach this server at (`https://crm.example.com`): the root
    /// of unsubscribe and tracking links in email. Without it, email carries no tracking, and
    /// marketing email (which must carry an unsubscribe link) is not sent.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, compressed.
    pub max_request_bytes: usize,
    /// Largest sync request body once decompressed (devices send at most 3 MiB of changes a
    /// push; the request and what it decodes into are held while it is judged).
    pub max_decoded_request_bytes: usize,
    /// Most documents in one pull page.
    pub max_pull_docs: u32,
    /// Pull pages stop growing past this many bytes (before compression).
    pub max_pull_bytes: usize,
    /// Documents one push may touch.
    pub max_push_docs: usize,
    /// Largest single Automerge change, as sent.
    pub max_change_bytes: usize,
    /// Largest single change once inflated (Automerge compresses changes: a few hundred bytes
    /// can claim gigabytes). Checked while inflating, before Automerge sees the change.
    pub max_change_inflated_bytes: usize,
    /// Most operations in one change (read from its run lengths, before it is expanded).
    pub max_change_ops: u64,
    /// Most operations a document may hold.
    pub max_doc_ops: u64,
    /// Largest saved document.
    pub max_doc_bytes: usize,
    /// A push stores what it has judged once the documents it holds in memory pass this many
    /// operations, then goes on with the rest: a push's memory stays bounded however many
    /// large documents it touches.
    pub push_ops_per_commit: u64,
    /// Documents kept loaded in memory (the hot-document cache): memory follows this and
    /// `hot_ops`, not the number of documents stored.
    pub hot_docs: usize,
    /// Operations held by the hot-document cache in all; least recently used documents are let
    /// go beyond it.
    pub hot_ops: u64,
    /// Documents one user may create.
    pub max_user_docs: u64,
    /// Bytes of changes one user may store.
    pub max_user_bytes: u64,
    /// Documents one organisation may hold.
    pub max_org_docs: u64,
    /// Bytes of changes one organisation may store.
    pub max_org_bytes: u64,
    /// Requests a minute from one address to the links in sent email (unsubscribe, tracking).
    pub links_per_ip_per_minute: u32,
    /// Requests a minute from one address to the provider webhooks (each carries many events).
    pub webhooks_per_ip_per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// A session ends this many days after it was issued or last refreshed.
    pub session_days: u32,
    pub invitation_days: u32,
    /// Sign-in attempts from one address per minute.
    pub login_per_ip_per_minute: u32,
    /// Failed sign-ins to one account from devices it has never signed in on, per 15 minutes,
    /// before such devices wait (the account's own devices are not held back).
    pub login_failures_per_account: u32,
    /// Failed sign-ins to one account from one address before each further one waits, the
    /// wait doubling from 1 s up to 15 minutes.
    pub login_free_failures: u32,
    /// Argon2id memory cost in KiB and passes: at least one of OWASP's settings (19 MiB with 2
    /// passes, 46 MiB with 1, 12 MiB with 3, 9 MiB with 4, 7 MiB with 5).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Addresses (or CIDR ranges) of the proxies in front of this server. A request from one
    /// of them has its client address read from `X-Forwarded-For`: the rightmost address that
    /// is not itself a trusted proxy. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// A value that must not be printed (a database URL with its password).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// `scheme://user:password@host/…` → `scheme://user:***@host/…`; anything else fully hidden.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "***".into();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return format!("{scheme}://{rest}");
    };
    let user = userinfo.split(':').next().unwrap_or("");
    format!("{scheme}://{user}:***@{host}")
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 7070)),
            data_dir: PathBuf::from("fieldstone-data"),
            database_url: None,
            log_format: LogFormat::Text,
            limits: Limits::default(),
            auth: AuthConfig::default(),
            http: HttpConfig::default(),
            email: None,
            sms: None,
            ai: None,
            secret_key: None,
            default_plan: fieldstone_model::plan::Plan::Enterprise,
            intake: crate::intake::IntakeConfig::default(),
            weekly_reports: true,
            blobs: crate::blobs::BlobConfig::default(),
        }
    }
}

const GIB: u64 = 1024 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_bytes: fieldstone_protocol::MAX_REQUEST_BYTES,
            max_decoded_request_bytes: 8 * 1024 * 1024,
            max_pull_docs: fieldstone_protocol::MAX_PULL_DOCS,
            max_pull_bytes: 4 * 1024 * 1024,
            max_push_docs: 2000,
            max_change_bytes: 1024 * 1024,
            max_change_inflated_bytes: 8 * 1024 * 1024,
            max_change_ops: 100_000,
            max_doc_ops: 200_000,
            max_doc_bytes: 8 * 1024 * 1024,
            push_ops_per_commit: 1_000_000,
            hot_docs: 2000,
            hot_ops: 5_000_000,
            max_user_docs: 1_000_000,
            max_user_bytes: 4 * GIB,
            max_org_docs: 20_000_000,
            max_org_bytes: 64 * GIB,
            links_per_ip_per_minute: 600,
            webhooks_per_ip_per_minute: 6000,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_days: 30,
            invitation_days: 7,
            login_per_ip_per_minute: 30,
            login_failures_per_account: 20,
            login_free_failures: 5,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            trusted_proxies: Vec::new(),
        }
    }
}

impl AuthConfig {
    /// The trusted proxies, parsed (a bare address is a range of one).
    pub fn proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("auth.trusted_proxies: {text:?} is not an address or CIDR range")
                    })
            })
            .collect()
    }
}

/// OWASP's Argon2id settings (memory in KiB, passes), any one of which is the floor.
pub const ARGON2_FLOORS: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            request_timeout_secs: 60,
            max_connections: 4096,
            metrics_listen: None,
            metrics_token: None,
            public_url: None,
        }
    }
}

impl Config {
    /// Reads a TOML file (every key optional; unknown keys are an error, so a typo is caught).
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }

    /// The server's secret key, decoded; `None` when unset or not base64.
    pub fn secret_key_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        let key = self.secret_key.as_ref()?;
        base64::engine::general_purpose::STANDARD
            .decode(key.expose().trim())
            .ok()
    }

    /// Every problem at once, so an operator fixes them in one go.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut need = |ok: bool, what: &str| {
            if !ok {
                problems.push(what.to_owned());
            }
        };
        if let Some(email) = &self.email {
            for problem in email.problems() {
                need(false, &problem);
            }
        }
        for problem in self.blobs.problems() {
            need(false, &problem);
        }
        for problem in self
            .ai
            .iter()
            .flat_map(|ai| ai.problems(self.http.request_timeout_secs))
        {
            need(false, &problem);
        }
        let l = &self.limits;
        need(
            (64 * 1024..=64 * 1024 * 1024).contains(&l.max_request_bytes),
            "limits.max_request_bytes must be between 64 KiB and 64 MiB",
        );
        need(
            (l.max_request_bytes..=fieldstone_protocol::MAX_DECODED_BYTES)
                .contains(&l.max_decoded_request_bytes),
            "limits.max_decoded_request_bytes must be between limits.max_request_bytes and 32 MiB",
        );
        need(
            (1..=fieldstone_protocol::MAX_PULL_DOCS).contains(&l.max_pull_docs),
            "limits.max_pull_docs must be between 1 and 1000",
        );
        need(
            (64 * 1024..=64 * 1024 * 1024).contains(&l.max_pull_bytes),
            "limits.max_pull_bytes must be between 64 KiB and 64 MiB",
        );
        need(
            (1..=100_000).contains(&l.max_push_docs),
            "limits.max_push_docs must be between 1 and 100000",
        );
        need(
            (1024..=l.max_request_bytes.max(1024)).contains(&l.max_change_bytes),
            "limits.max_change_bytes must be between 1 KiB and limits.max_request_bytes",
        );
        need(
            (l.max_change_bytes..=256 * 1024 * 1024).contains(&l.max_change_inflated_bytes),
            "limits.max_change_inflated_bytes must be between limits.max_change_bytes and 256 MiB",
        );
        need(
            (100..=10_000_000).contains(&l.max_change_ops),
            "limits.max_change_ops must be between 100 and 10000000",
        );
        need(
            (l.max_change_ops..=50_000_000).contains(&l.max_doc_ops),
            "limits.max_doc_ops must be between limits.max_change_ops and 50000000",
        );
        need(
            (64 * 1024..=1024 * 1024 * 1024).contains(&l.max_doc_bytes),
            "limits.max_doc_bytes must be between 64 KiB and 1 GiB",
        );
        need(
            l.push_ops_per_commit >= l.max_doc_ops,
            "limits.push_ops_per_commit must be at least limits.max_doc_ops",
        );
        need(l.hot_docs >= 16, "limits.hot_docs must be at least 16");
        need(
            l.hot_ops >= l.max_doc_ops,
            "limits.hot_ops must be at least limits.max_doc_ops",
        );
        need(
            l.max_user_docs >= 1 && l.max_org_docs >= l.max_user_docs,
            "limits.max_user_docs must be at least 1 and limits.max_org_docs at least that",
        );
        need(
            l.max_user_bytes >= 1024 * 1024 && l.max_org_bytes >= l.max_user_bytes,
            "limits.max_user_bytes must be at least 1 MiB and limits.max_org_bytes at least that",
        );
        let a = &self.auth;
        need(
            (1..=365).contains(&a.session_days),
            "auth.session_days must be between 1 and 365",
        );
        need(
            (1..=60).contains(&a.invitation_days),
            "auth.invitation_days must be between 1 and 60",
        );
        need(
            a.login_per_ip_per_minute >= 1
                && a.login_failures_per_account >= 1
                && a.login_free_failures >= 1,
            "auth.login_per_ip_per_minute, auth.login_failures_per_account and auth.login_free_failures must be at least 1",
        );
        need(
            ARGON2_FLOORS
                .iter()
                .any(|(m, t)| a.argon2_memory_kib >= *m && a.argon2_iterations >= *t),
            "auth.argon2_memory_kib and auth.argon2_iterations are below OWASP's minimum for Argon2id (19456 KiB with 2 passes, or 47104/1, 12288/3, 9216/4, 7168/5); weaker hashing is not offered",
        );
        need(
            a.argon2_memory_kib <= 4 * 1024 * 1024 && (1..=20).contains(&a.argon2_iterations),
            "auth.argon2_memory_kib must be at most 4 GiB and auth.argon2_iterations between 1 and 20",
        );
        if let Err(problem) = a.proxies() {
            need(false, &problem);
        }
        let h = &self.http;
        need(
            (1..=600).contains(&h.header_timeout_secs),
            "http.header_timeout_secs must be between 1 and 600",
        );
        need(
            (1..=3600).contains(&h.body_timeout_secs)
                && (1..=3600).contains(&h.request_timeout_secs),
            "http.body_timeout_secs and http.request_timeout_secs must be between 1 and 3600",
        );
        need(
            (16..=1_000_000).contains(&h.max_connections),
            "http.max_connections must be between 16 and 1000000",
        );
        if let Some(token) = &h.metrics_token {
            need(
                token.expose().len() >= 16,
                "http.metrics_token must have at least 16 characters",
            );
        }
        if let Some(url) = &h.public_url {
            need(
                (url.starts_with("https://") || url.starts_with("http://"))
                    && !url.ends_with('/')
                    && !url.contains(['?', '#', ' ']),
                "http.public_url must be an http:// or https:// address without a trailing /",
            );
        }
        if let Some(sms) = &self.sms {
            for problem in sms.problems() {
                need(false, problem.as_str());
            }
        }
        for problem in self.intake.problems() {
            need(false, problem.as_str());
        }
        match &self.secret_key {
            Some(_) => need(
                self.secret_key_bytes().is_some_and(|k| k.len() >= 32),
                "secret_key must be base64 of at least 32 bytes (openssl rand -base64 32)",
            ),
            None => need(
                self.email.is_none() && self.sms.is_none(),
                "secret_key is required once [email] or [sms] is set (openssl rand -base64 32)",
            ),
        }
        if let Some(url) = &self.database_url {
            need(
                url.expose().starts_with("postgres://")
                    || url.expose().starts_with("postgresql://"),
                "database_url must start with postgres:// or postgresql://",
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "invalid configuration:\n  - {}",
                problems.join("\n  - ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn the_example_file_parses_and_matches_the_defaults() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/server.example.toml");
        let example = Config::from_file(&path).expect("example parses");
        assert_eq!(example.validate(), Ok(()));
        assert_eq!(format!("{example:?}"), format!("{:?}", Config::default()));
    }

    #[test]
    fn an_email_section_is_read_and_checked_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.toml");
        std::fs::write(
            &path,
            "secret_key = \"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\"\n\
             [email]\nsmtp_url = \"smtps://apikey:hunter2@smtp.example.com\"\nfrom = \"crm@example.com\"\n",
        )
        .expect("write");
        let config = Config::from_file(&path).expect("parse");
        assert_eq!(config.validate(), Ok(()));
        let email = config.email.as_ref().expect("email");
        assert_eq!(email.max_attempts, 3, "default");
        assert!(
            !format!("{config:?}").contains("hunter2"),
            "the password is never shown"
        );

        std::fs::write(
            &path,
            "[email]\nsmtp_url = \"http://example.com\"\nfrom = \"not an address\"\nmax_attempts = 0\n",
        )
        .expect("write");
        let err = Config::from_file(&path)
            .expect("parse")
            .validate()
            .expect_err("invalid");
        assert!(
            err.contains("email.smtp_url must start with smtp://"),
            "{err}"
        );
        assert!(err.contains("email.from:"), "{err}");
        assert!(err.contains("email.max_attempts"), "{err}");
    }

    #[test]
    fn file_overrides_defaults_and_typos_are_caught() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("server.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:8080\"\n[limits]\nhot_docs = 500\n[auth]\nsession_days = 7\n",
        )
        .expect("write");
        let config = Config::from_file(&path).expect("parse");
        assert_eq!(config.listen.port(), 8080);
        assert_eq!(config.limits.hot_docs, 500);
        assert_eq!(config.auth.session_days, 7);
        assert_eq!(config.auth.argon2_iterations, 2, "untouched default");

        std::fs::write(&path, "[limits]\nhot_doc = 5\n").expect("write");
        let err = Config::from_file(&path).expect_err("typo");
        assert!(err.contains("hot_doc"), "{err}");
    }

    #[test]
    fn validation_lists_every_problem() {
        let mut config = Config::default();
        config.limits.hot_docs = 1;
        config.auth.argon2_memory_kib = 64;
        config.database_url = Some(Secret::new("mysql://x"));
        let err = config.validate().expect_err("invalid");
        assert!(
            err.contains("hot_docs") && err.contains("argon2_memory_kib"),
            "{err}"
        );
        assert!(err.contains("database_url"), "{err}");
    }

    #[test]
    fn argon2_below_owasps_minimum_is_refused_at_start_up() {
        let with = |m: u32, t: u32| {
            let mut config = Config::default();
            config.auth.argon2_memory_kib = m;
            config.auth.argon2_iterations = t;
            config.validate()
        };
        for (m, t) in ARGON2_FLOORS {
            assert_eq!(with(m, t), Ok(()), "OWASP's {m} KiB × {t} is enough");
        }
        for (m, t) in [
            (19_455, 2),
            (19_456, 1),
            (8_192, 3),
            (7_168, 4),
            (46_000, 1),
        ] {
            let err = with(m, t).expect_err("below the floor");
            assert!(err.contains("OWASP"), "{m} × {t}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_and_http_limits_are_checked() {
        let mut config = Config::default();
        config.auth.trusted_proxies = vec!["10.0.0.0/8".into(), "192.168.1.4".into()];
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.auth.proxies().expect("parsed").len(), 2);
        config.auth.trusted_proxies.push("my proxy".into());
        config.http.max_connections = 1;
        config.http.metrics_token = Some(Secret::new("short"));
        let err = config.validate().expect_err("invalid");
        assert!(err.contains("\"my proxy\""), "{err}");
        assert!(err.contains("max_connections"), "{err}");
        assert!(err.contains("metrics_token"), "{err}");
        assert!(
            !format!("{config:?}").contains("short"),
            "the token is redacted"
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let secret = Secret::new("postgres://fs:hunter2@db.internal:5432/fieldstone");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(shown, "postgres://fs:***@db.internal:5432/fieldstone");
        let config = Config {
            database_url: Some(secret),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(redact_url("not a url"), "***");
    }
}
