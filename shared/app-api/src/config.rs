//! Sync settings from the environment: a server address and device token that override the
//! signed-in session (set by `cargo xtask run` for the embedded local server, and by tests),
//! and timing overrides for tests that must not wait 5 s.

use fieldstone_replica::SyncOptions;
use std::time::Duration;

pub const SERVER_URL_VAR: &str = "FIELDSTONE_SERVER_URL";
pub const TOKEN_VAR: &str = "FIELDSTONE_TOKEN";
/// Poll interval override in milliseconds, for tests that must not wait 5 s.
pub const INTERVAL_VAR: &str = "FIELDSTONE_SYNC_INTERVAL_MS";
/// Longest wait between retries while offline, in milliseconds.
pub const MAX_BACKOFF_VAR: &str = "FIELDSTONE_SYNC_MAX_BACKOFF_MS";

/// What the environment says about syncing.
pub struct SyncConfig {
    /// A server and token to sync with instead of the signed-in session.
    pub server: Option<ServerOverride>,
    pub options: SyncOptions,
}

#[derive(Clone)]
pub struct ServerOverride {
    pub server_url: String,
    pub token: String,
}

impl std::fmt::Debug for ServerOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOverride")
            .field("server_url", &self.server_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{SERVER_URL_VAR} is set but {TOKEN_VAR} is not: a device token is needed to sync")]
    MissingToken,
    #[error("{0} must be a whole number of milliseconds between 50 and 3600000, got {1:?}")]
    BadMillis(&'static str, String),
}

impl SyncConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let server = match get(SERVER_URL_VAR).filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(server_url) => {
                let token = get(TOKEN_VAR)
                    .filter(|v| !v.trim().is_empty())
                    .ok_or(ConfigError::MissingToken)?;
                Some(ServerOverride {
                    server_url: server_url.trim().to_owned(),
                    token: token.trim().to_owned(),
                })
            }
        };
        let mut options = SyncOptions::default();
        if let Some(ms) = millis(&get, INTERVAL_VAR)? {
            options.poll_interval = ms;
            options.min_backoff = options.min_backoff.min(ms);
        }
        if let Some(ms) = millis(&get, MAX_BACKOFF_VAR)? {
            options.max_backoff = ms;
            options.min_backoff = options.min_backoff.min(ms);
        }
        Ok(Self { server, options })
    }
}

fn millis(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<Duration>, ConfigError> {
    let Some(raw) = get(var) else {
        return Ok(None);
    };
    raw.trim()
        .parse()
        .ok()
        .filter(|ms| (50..=3_600_000).contains(ms))
        .map(|ms| Some(Duration::from_millis(ms)))
        .ok_or(ConfigError::BadMillis(var, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn no_server_means_local_only() {
        assert!(SyncConfig::from_lookup(lookup(&[]))
            .expect("ok")
            .server
            .is_none());
    }

    #[test]
    fn server_without_token_is_an_error() {
        let result = SyncConfig::from_lookup(lookup(&[(SERVER_URL_VAR, "http://127.0.0.1:1")]));
        assert!(matches!(result, Err(ConfigError::MissingToken)));
    }

    #[test]
    fn interval_is_validated() {
        let base = [(SERVER_URL_VAR, "http://127.0.0.1:1"), (TOKEN_VAR, "t")];
        let ok = SyncConfig::from_lookup(lookup(&[base[0], base[1], (INTERVAL_VAR, "200")]))
            .expect("ok");
        assert_eq!(ok.options.poll_interval, Duration::from_millis(200));
        assert_eq!(ok.options.min_backoff, Duration::from_millis(200));
        let capped =
            SyncConfig::from_lookup(lookup(&[base[0], base[1], (MAX_BACKOFF_VAR, "1000")]))
                .expect("ok");
        assert_eq!(capped.options.max_backoff, Duration::from_millis(1000));
        for bad in ["0", "fast", "-5"] {
            assert!(
                SyncConfig::from_lookup(lookup(&[base[0], base[1], (INTERVAL_VAR, bad)])).is_err()
            );
        }
    }
}
