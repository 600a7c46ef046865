//! Providers configured per organisation by its admins (email over SMTP, texts through a
//! Twilio-compatible API): settings checked like the configuration file's, the secret sealed
//! at rest (`crate::secrets`), and the ready-to-use sender built once per version and kept.
//! An organisation without its own provider uses the server's (`[email]`, `[sms]`), if any.

use crate::config::Secret;
use crate::dispatch::{EmailConfig, Mailer, SmsConfig, Texter};
use crate::secrets::Sealer;
use crate::store::{ProviderRow, Store, StoreError};
use chrono::{DateTime, Utc};
use fieldstone_model::{OrgId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The kinds an organisation can set, as they appear in routes and the database.
pub const KINDS: [&str; 2] = ["email", "sms"];

/// Email settings an admin sets; the secret is the SMTP URL (it carries the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The address messages are sent from.
    pub from: String,
    /// Open and click tracking in HTML mail.
    #[serde(default = "yes")]
    pub track: bool,
    /// The relay is SendGrid's: its Event Webhook verification key.
    #[serde(default)]
    pub sendgrid_webhook_key: Option<String>,
}

fn yes() -> bool {
    true
}

/// Text settings an admin sets; the secret is the auth token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    pub account_sid: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    #[serde(default)]
    pub api_base: Option<String>,
    /// The organisation's IANA time zone (quiet hours).
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("unknown provider kind {0:?}: use email or sms")]
    UnknownKind(String),
    #[error("{0}")]
    Invalid(String),
    #[error("this server has no secret_key, so it cannot keep provider secrets; set one first")]
    NoKey,
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An email provider ready to use.
pub struct EmailProvider {
    pub config: EmailConfig,
    pub mailer: Mailer,
}

/// The email config an organisation's settings and secret make, with the server's timings.
fn email_config(
    settings: &EmailSettings,
    smtp_url: &str,
    base: &EmailConfig,
) -> Result<EmailConfig, ProviderError> {
    let config = EmailConfig {
        smtp_url: Secret::new(smtp_url),
        from: settings.from.clone(),
        track: settings.track,
        sendgrid_webhook_key: settings.sendgrid_webhook_key.clone(),
        ..base.clone()
    };
    let problems = config.problems();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ProviderError::Invalid(problems.join("; ")))
    }
}

fn sms_config(settings: &SmsSettings, auth_token: &str) -> Result<SmsConfig, ProviderError> {
    let mut config = SmsConfig::new(&settings.account_sid, auth_token, "");
    config.from.clone_from(&settings.from);
    config
        .messaging_service_sid
        .clone_from(&settings.messaging_service_sid);
    if let Some(base) = &settings.api_base {
        config.api_base.clone_from(base);
    }
    if let Some(zone) = &settings.time_zone {
        config.time_zone.clone_from(zone);
    }
    let problems = config.problems();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ProviderError::Invalid(problems.join("; ")))
    }
}

/// The dispatcher's timings when the server has no `[email]` of its own.
pub fn default_timings() -> EmailConfig {
    EmailConfig::new("smtp://localhost", "unused@localhost")
}

/// What an admin asks to set.
pub struct ProviderChange<'a> {
    pub kind: &'a str,
    /// The settings, as JSON.
    pub settings: &'a serde_json::Value,
    /// `None` keeps the stored secret (changing settings without retyping a key).
    pub secret: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Checks a change (settings and secret together, as they will be used) and makes the row to
/// store, its secret sealed.
pub fn prepare(
    store: &dyn Store,
    sealer: Option<&Sealer>,
    org: OrgId,
    change: &ProviderChange<'_>,
    now: DateTime<Utc>,
) -> Result<ProviderRow, ProviderError> {
    let ProviderChange {
        kind,
        settings,
        secret,
        by,
    } = *change;
    let sealer = sealer.ok_or(ProviderError::NoKey)?;
    let sealed = match secret {
        Some(secret) => sealer.seal(org, kind, secret),
        None => store
            .provider(org, kind)?
            .and_then(|row| row.sealed_secret)
            .ok_or_else(|| {
                ProviderError::Invalid("secret: enter it (nothing is stored yet)".into())
            })?,
    };
    let plain = sealer.open(org, kind, &sealed)?;
    let invalid = |e: serde_json::Error| ProviderError::Invalid(format!("settings: {e}"));
    let settings = match kind {
        "email" => {
            let parsed: EmailSettings =
                serde_json::from_value(settings.clone()).map_err(invalid)?;
            email_config(&parsed, &plain, &default_timings())?;
            serde_json::to_string(&parsed)
        }
        "sms" => {
            let parsed: SmsSettings = serde_json::from_value(settings.clone()).map_err(invalid)?;
            sms_config(&parsed, &plain)?;
            serde_json::to_string(&parsed)
        }
        other => return Err(ProviderError::UnknownKind(other.into())),
    }
    .map_err(|e| ProviderError::Invalid(e.to_string()))?;
    Ok(ProviderRow {
        kind: kind.to_owned(),
        settings,
        sealed_secret: Some(sealed),
        updated_at: now,
        updated_by: by,
    })
}

/// Senders built from organisations' providers, kept while their row is unchanged.
pub struct Providers {
    sealer: Option<Sealer>,
    emails: Cache<EmailProvider>,
    texts: Cache<Texter>,
}

/// Built senders by organisation, with the version each was built from.
type Cache<T> = Mutex<HashMap<OrgId, (Version, Option<Arc<T>>)>>;

/// What a built sender was built from: a change of settings or secret (a fresh seal, even of
/// the same secret) is a new version. Times are not enough: a row can change twice in one
/// clock tick.
type Version = [u8; 32];

fn version(row: &ProviderRow) -> Version {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(row.settings.as_bytes());
    hash.update([0]);
    hash.update(row.sealed_secret.as_deref().unwrap_or_default());
    hash.finalize().into()
}

impl Providers {
    pub fn new(sealer: Option<Sealer>) -> Self {
        Providers {
            sealer,
            emails: Mutex::new(HashMap::new()),
            texts: Mutex::new(HashMap::new()),
        }
    }

    pub fn sealer(&self) -> Option<&Sealer> {
        self.sealer.as_ref()
    }

    fn opened(&self, org: OrgId, row: &ProviderRow) -> Result<String, ProviderError> {
        let sealer = self.sealer.as_ref().ok_or(ProviderError::NoKey)?;
        let sealed = row
            .sealed_secret
            .as_deref()
            .ok_or_else(|| ProviderError::Invalid("no secret is stored".into()))?;
        Ok(sealer.open(org, &row.kind, sealed)?)
    }

    /// The sender built from `org`'s provider of `kind`, kept while the row is unchanged;
    /// `Ok(None)` when it has none.
    fn built<T>(
        &self,
        cache: &Cache<T>,
        store: &dyn Store,
        org: OrgId,
        kind: &str,
        build: impl FnOnce(&str, &str) -> Result<T, ProviderError>,
    ) -> Result<Option<Arc<T>>, ProviderError> {
        let Some(row) = store.provider(org, kind)? else {
            return Ok(None);
        };
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        let current = version(&row);
        if let Some((built_from, built)) = cache.get(&org) {
            if *built_from == current {
                return Ok(built.clone());
            }
        }
        let built = Some(Arc::new(build(&row.settings, &self.opened(org, &row)?)?));
        cache.insert(org, (current, built.clone()));
        Ok(built)
    }

    /// The organisation's own email provider: `Ok(None)` when it has none.
    pub fn email(
        &self,
        store: &dyn Store,
        org: OrgId,
        timings: &EmailConfig,
        runtime: Option<&tokio::runtime::Handle>,
    ) -> Result<Option<Arc<EmailProvider>>, ProviderError> {
        self.built(&self.emails, store, org, "email", |settings, secret| {
            let settings: EmailSettings = serde_json::from_str(settings)
                .map_err(|e| ProviderError::Invalid(format!("stored settings: {e}")))?;
            let config = email_config(&settings, secret, timings)?;
            let mailer = Mailer::new(&config, runtime.cloned()).map_err(ProviderError::Invalid)?;
            Ok(EmailProvider { config, mailer })
        })
    }

    /// The organisation's own text provider: `Ok(None)` when it has none.
    pub fn sms(
        &self,
        store: &dyn Store,
        org: OrgId,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Option<Arc<Texter>>, ProviderError> {
        self.built(&self.texts, store, org, "sms", |settings, secret| {
            let settings: SmsSettings = serde_json::from_str(settings)
                .map_err(|e| ProviderError::Invalid(format!("stored settings: {e}")))?;
            let config = sms_config(&settings, secret)?;
            Texter::new(&config, runtime.clone()).map_err(ProviderError::Invalid)
        })
    }

    /// The auth token that signs `org`'s Twilio callbacks: its own, else the server's.
    pub fn sms_token(
        &self,
        store: &dyn Store,
        org: OrgId,
        server: Option<&SmsConfig>,
    ) -> Option<String> {
        match store.provider(org, "sms") {
            Ok(Some(row)) => self.opened(org, &row).ok(),
            Ok(None) => server.map(|s| s.auth_token.expose().to_owned()),
            Err(_) => None,
        }
    }

    /// The key that signs `org`'s SendGrid events: its own, else the server's.
    pub fn sendgrid_key(
        &self,
        store: &dyn Store,
        org: OrgId,
        server: Option<&str>,
    ) -> Option<String> {
        match store.provider(org, "email") {
            Ok(Some(row)) => serde_json::from_str::<EmailSettings>(&row.settings)
                .ok()
                .and_then(|s| s.sendgrid_webhook_key),
            Ok(None) => server.map(str::to_owned),
            Err(_) => None,
        }
    }
}
