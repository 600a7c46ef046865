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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body, compressed.
    pub max_request_bytes: usize,
    /// Most documents in one pull page.
    pub max_pull_docs: u32,
    /// Pull pages stop growing past this many bytes (before compression).
    pub max_pull_bytes: usize,
    /// Documents one push may touch.
    pub max_push_docs: usize,
    /// Largest single Automerge change.
    pub max_change_bytes: usize,
    /// Documents kept loaded in memory (the hot-document cache): memory follows this, not the
    /// number of documents stored.
    pub hot_docs: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// A session ends this many days after it was issued or last refreshed.
    pub session_days: u32,
    pub invitation_days: u32,
    pub login_per_account_per_minute: u32,
    pub login_per_ip_per_minute: u32,
    /// Argon2id memory cost in KiB (OWASP's minimum for Argon2id is 19 MiB with 2 passes).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_forwarded_for: bool,
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
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_request_bytes: fieldstone_protocol::MAX_REQUEST_BYTES,
            max_pull_docs: fieldstone_protocol::MAX_PULL_DOCS,
            max_pull_bytes: 4 * 1024 * 1024,
            max_push_docs: 2000,
            max_change_bytes: 1024 * 1024,
            hot_docs: 2000,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_days: 30,
            invitation_days: 7,
            login_per_account_per_minute: 5,
            login_per_ip_per_minute: 30,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            trust_forwarded_for: false,
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

    /// Every problem at once, so an operator fixes them in one go.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut need = |ok: bool, what: &str| {
            if !ok {
                problems.push(what.to_owned());
            }
        };
        let l = &self.limits;
        need(
            (64 * 1024..=64 * 1024 * 1024).contains(&l.max_request_bytes),
            "limits.max_request_bytes must be between 64 KiB and 64 MiB",
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
        need(l.hot_docs >= 16, "limits.hot_docs must be at least 16");
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
            a.login_per_account_per_minute >= 1 && a.login_per_ip_per_minute >= 1,
            "auth.login_per_*_per_minute must be at least 1",
        );
        need(
            a.argon2_memory_kib >= 8 * 1024,
            "auth.argon2_memory_kib must be at least 8192 (weaker hashing is not offered)",
        );
        need(
            (1..=10).contains(&a.argon2_iterations),
            "auth.argon2_iterations must be between 1 and 10",
        );
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
