//! Sessions: random bearer tokens whose SHA-256 is all the server keeps, and the [`Caller`]
//! extractor, so a handler that takes a `Caller` cannot run for an unauthenticated request or
//! outside the caller's organisation.

mod limiter;
mod password;

pub use crate::access::Caller;
pub use limiter::{LoginLimiter, PublicLimiter, PublicRoute};
pub use password::Passwords;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const TOKEN_PREFIX: &str = "fst_";
const INVITE_PREFIX: &str = "fsi_";
const KNOWN_DEVICE_PREFIX: &str = "fsk_";
const TOKEN_BYTES: usize = 32;
/// How often a device's "last seen" is written: at most once a minute, not on every request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// A fresh session token: 256 random bits. Only its hash is ever stored.
pub fn new_token() -> String {
    random_secret(TOKEN_PREFIX)
}

/// A fresh one-time invitation secret.
pub fn new_invite_token() -> String {
    random_secret(INVITE_PREFIX)
}

/// A fresh known-device proof (see `LoginLimiter`).
pub fn new_known_device() -> String {
    random_secret(KNOWN_DEVICE_PREFIX)
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of the token, hex. A 256-bit random token needs no salt or slow KDF: nobody can
/// guess one, so a leaked table of hashes reveals nothing usable.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bearer token of a request, if it has a well-formed one.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let hash = hash_token(token);
        let store = state.store.clone();
        let lookup = hash.clone();
        let session = crate::blocking(move || Ok(store.session(&lookup)?))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if session.device_revoked {
            return Err(ApiError::DeviceRevoked);
        }
        let now = state.clock.now();
        if session.expires_at <= now {
            return Err(ApiError::SessionExpired);
        }
        let caller = Caller {
            org: session.org_id,
            user: session.user_id,
            role: session.role,
            device: session.device_id,
            token_hash: hash,
        };
        touch(state, &caller, now);
        Ok(caller)
    }
}

/// A caller who administers the organisation (`access::org::administers`): a handler that
/// takes an `Admin` cannot run for anyone else.
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if crate::access::org::administers(caller.role) {
            Ok(Self(caller))
        } else {
            Err(ApiError::Forbidden(
                "only the organisation's admins and owners may do this".into(),
            ))
        }
    }
}

/// Records "last seen" for the device, at most once per [`TOUCH_EVERY`], off the request path.
fn touch(state: &AppState, caller: &Caller, now: chrono::DateTime<chrono::Utc>) {
    {
        let mut touched = state.touched.lock().unwrap_or_else(|p| p.into_inner());
        let due = touched
            .get(&caller.device)
            .is_none_or(|at| at.elapsed() >= TOUCH_EVERY);
        if !due {
            return;
        }
        touched.insert(caller.device, Instant::now());
        if touched.len() > 100_000 {
            touched.retain(|_, at| at.elapsed() < TOUCH_EVERY);
        }
    }
    let store = state.store.clone();
    let (org, device) = (caller.org, caller.device);
    tokio::task::spawn_blocking(move || {
        if let Err(error) = store.touch_device(org, device, now) {
            tracing::warn!(%error, "could not record device last-seen time");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert!(new_invite_token().starts_with(INVITE_PREFIX));
    }

    #[test]
    fn hash_is_stable_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
