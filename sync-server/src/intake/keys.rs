//! Intake API keys: made by an organisation's admins for each sender (a website, a portal), the
//! whole key shown once, only its SHA-256 kept (256 random bits need no slow KDF, exactly as
//! session tokens: `auth::hash_token`). A key names its organisation, so a lead needs no other
//! identification; a revoked key stops at once.

use crate::auth::hash_token;
use crate::store::intake::IntakeKeyRow;
use crate::store::{Store, StoreError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use fieldstone_model::{OrgId, UserId};
use rand::RngCore;
use serde::Serialize;

/// Marks an intake key (`fsk_` is the known-device proof's; `fst_` a session's).
pub const KEY_PREFIX: &str = "fsl_";
const KEY_BYTES: usize = 32;
/// Characters of the key shown in listings: the prefix and 8 of the 43 random ones (48 bits,
/// enough to tell keys apart, far from enough to guess the rest).
const SHOWN_CHARS: usize = KEY_PREFIX.len() + 8;
/// Longest label.
pub const LABEL_MAX_CHARS: usize = 100;
/// "Last used" is written at most this often per key, not on every lead.
const TOUCH_EVERY_SECS: i64 = 60;

/// A key as admins see it (never the key).
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub id: String,
    pub label: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<IntakeKeyRow> for KeyInfo {
    fn from(row: IntakeKeyRow) -> Self {
        KeyInfo {
            id: row.id,
            label: row.label,
            prefix: row.prefix,
            created_at: row.created_at,
            created_by: row.created_by,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A key just made: the only time the whole key exists outside its holder.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub info: KeyInfo,
    pub key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("label: enter 1 to {LABEL_MAX_CHARS} characters")]
    Label,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a key did not let a lead in (the answer is 401 with this sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("send the organisation's intake API key as Authorization: Bearer fsl_…")]
    Missing,
    #[error("this intake API key is not known: check it was copied whole, or ask an admin for a new one")]
    Unknown,
    #[error(
        "this intake API key was revoked by an admin of the organisation: ask them for a new one"
    )]
    Revoked,
}

/// Makes and stores a key for `org`.
pub fn create(
    store: &dyn Store,
    org: OrgId,
    label: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<CreatedKey, KeyError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > LABEL_MAX_CHARS || label.contains('\n') {
        return Err(KeyError::Label);
    }
    let mut bytes = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let key = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let row = IntakeKeyRow {
        id: uuid::Uuid::new_v4().to_string(),
        label: label.to_owned(),
        prefix: key[..SHOWN_CHARS].to_owned(),
        key_hash: hash_token(&key),
        created_at: now,
        created_by: by,
        last_used_at: None,
        revoked_at: None,
    };
    store.create_intake_key(org, &row)?;
    Ok(CreatedKey {
        info: row.into(),
        key,
    })
}

/// The organisation and key a presented key belongs to, if it may send leads.
pub fn authenticate(
    store: &dyn Store,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<(OrgId, IntakeKeyRow), Refused>, StoreError> {
    let Some(key) = key.filter(|k| k.starts_with(KEY_PREFIX)) else {
        return Ok(Err(Refused::Missing));
    };
    let Some((org, row)) = store.intake_key_by_hash(&hash_token(key))? else {
        return Ok(Err(Refused::Unknown));
    };
    if row.revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    let stale = row
        .last_used_at
        .is_none_or(|at| (now - at).num_seconds() >= TOUCH_EVERY_SECS);
    if stale {
        store.touch_intake_key(org, &row.id, now)?;
    }
    Ok(Ok((org, row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_long_random_and_only_its_hash_and_prefix_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::SqliteStore::open(dir.path()).expect("store");
        let now = Utc::now();
        let org = store.create_org("o", now).expect("org").id;
        let made = create(&store, org, " Website ", None, now).expect("key");
        assert!(made.key.starts_with(KEY_PREFIX));
        assert_eq!(made.key.len(), KEY_PREFIX.len() + 43);
        assert_eq!(made.info.label, "Website");
        assert!(made.key.starts_with(&made.info.prefix));
        let stored = store.intake_keys(org).expect("keys");
        assert_eq!(stored[0].key_hash, hash_token(&made.key));
        assert_ne!(stored[0].key_hash, made.key);
        let (found, row) = authenticate(&store, Some(&made.key), now)
            .expect("store")
            .expect("let in");
        assert_eq!((found, row.id.as_str()), (org, made.info.id.as_str()));
        assert_eq!(
            authenticate(&store, Some("fsl_nope"), now)
                .expect("store")
                .err(),
            Some(Refused::Unknown)
        );
        assert_eq!(
            authenticate(&store, Some("fst_session"), now)
                .expect("store")
                .err(),
            Some(Refused::Missing)
        );
        assert!(store
            .revoke_intake_key(org, &made.info.id, now)
            .expect("revoke"));
        assert_eq!(
            authenticate(&store, Some(&made.key), now)
                .expect("store")
                .err(),
            Some(Refused::Revoked)
        );
        assert!(matches!(
            create(&store, org, "  ", None, now),
            Err(KeyError::Label)
        ));
    }
}
