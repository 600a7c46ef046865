//! Providers configured per organisation by its admins (email over SMTP, texts through a
//! Twilio-compatible API, AI through an OpenAI-compatible endpoint): settings checked like the
//! configuration file's, the secret sealed at rest (`crate::secrets`), and the ready-to-use
//! sender built once per version and kept. An organisation without its own provider uses the
//! server's (`[email]`, `[sms]`, `[ai]`), if any; its AI can also be switched off outright.

use crate::ai::{AiConfig, KeyHeader};
use crate::config::{Config, Secret};
use crate::dispatch::{EmailConfig, Mailer, SmsConfig, Texter};
use crate::secrets::Sealer;
use crate::store::{ProviderRow, Store, StoreError};
use chrono::{DateTime, Utc};
use fieldstone_model::{OrgId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The kinds an organisation can set, as they appear in routes and the database.
pub const KINDS: [&str; 4] = ["email", "sms", "ai", "mls"];

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

/// AI settings an admin sets; the secret, if the provider needs one, is its API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiSettings {
    /// AI switched off for the organisation: agents get the labelled templates and no provider
    /// is asked, not even the server's. The rest may be left out.
    #[serde(default)]
    pub off: bool,
    /// Everything before `/chat/completions` (as `[ai]`'s `base_url`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The model (or Azure deployment) name.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub key_header: KeyHeader,
    #[serde(default = "crate::ai::default_timeout_secs")]
    pub timeout_secs: u64,
    #[serde(default = "crate::ai::default_max_tokens")]
    pub max_tokens: u32,
    #[serde(default = "crate::ai::default_temperature")]
    pub temperature: f32,
}

/// What an organisation chose for its AI.
#[derive(Debug, Clone, PartialEq)]
pub enum OrgAi {
    /// Switched off by its admins.
    Off,
    /// Its own provider.
    Provider(AiConfig),
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("unknown provider kind {0:?}: use email, sms or ai")]
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

/// An organisation's AI from its settings and key, checked as `[ai]` is at start-up (an answer
/// must come before the server's own request timeout).
fn org_ai(
    settings: &AiSettings,
    api_key: Option<&str>,
    request_timeout_secs: u64,
) -> Result<OrgAi, ProviderError> {
    if settings.off && settings.base_url.is_none() && settings.model.is_none() {
        return Ok(OrgAi::Off);
    }
    let config = AiConfig {
        base_url: settings.base_url.clone().unwrap_or_default(),
        api_key: api_key.map(Secret::new),
        key_header: settings.key_header,
        model: settings.model.clone().unwrap_or_default(),
        timeout_secs: settings.timeout_secs,
        max_tokens: settings.max_tokens,
        temperature: settings.temperature,
        enabled: !settings.off,
    };
    let problems = config.problems_in("settings", request_timeout_secs);
    if !problems.is_empty() {
        return Err(ProviderError::Invalid(problems.join("; ")));
    }
    // Off, but kept whole: switching it back on needs nothing retyped.
    Ok(if settings.off {
        OrgAi::Off
    } else {
        OrgAi::Provider(config)
    })
}

/// Whether a provider of `kind` works without a secret (a local model server needs no key).
fn secret_optional(kind: &str) -> bool {
    kind == "ai"
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
    pub secret: SecretChange<'a>,
    pub by: Option<UserId>,
}

/// What becomes of a provider's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretChange<'a> {
    /// Keep the stored one (changing settings without retyping a key).
    Keep,
    /// A new one (setting or rotating it).
    Set(&'a str),
    /// None any more: only for a provider that works without one (`ai`), so a key meant for
    /// one endpoint is never sent on to the next.
    Drop,
}

/// Checks a change (settings and secret together, as they will be used) against the server's
/// configuration and makes the row to store, its secret sealed.
pub fn prepare(
    store: &dyn Store,
    sealer: Option<&Sealer>,
    server: &Config,
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
    if !KINDS.contains(&kind) {
        return Err(ProviderError::UnknownKind(kind.into()));
    }
    let sealed = match secret {
        SecretChange::Set(secret) => {
            Some(sealer.ok_or(ProviderError::NoKey)?.seal(org, kind, secret))
        }
        SecretChange::Keep => store.provider(org, kind)?.and_then(|row| row.sealed_secret),
        SecretChange::Drop if secret_optional(kind) => None,
        SecretChange::Drop => {
            return Err(ProviderError::Invalid(format!(
                "secret: {kind} providers need one"
            )))
        }
    };
    let plain = match &sealed {
        Some(sealed) => Some(
            sealer
                .ok_or(ProviderError::NoKey)?
                .open(org, kind, sealed)?,
        ),
        None if secret_optional(kind) => None,
        None => {
            return Err(ProviderError::Invalid(
                "secret: enter it (nothing is stored yet)".into(),
            ))
        }
    };
    let invalid = |e: serde_json::Error| ProviderError::Invalid(format!("settings: {e}"));
    let settings = match kind {
        "email" => {
            let parsed: EmailSettings =
                serde_json::from_value(settings.clone()).map_err(invalid)?;
            email_config(
                &parsed,
                plain.as_deref().unwrap_or_default(),
                &default_timings(),
            )?;
            serde_json::to_string(&parsed)
        }
        "mls" => {
            let parsed: crate::mls::MlsSettings =
                serde_json::from_value(settings.clone()).map_err(invalid)?;
            let problems = parsed.problems();
            if !problems.is_empty() {
                return Err(ProviderError::Invalid(problems.join("; ")));
            }
            serde_json::to_string(&parsed)
        }
        "sms" => {
            let parsed: SmsSettings = serde_json::from_value(settings.clone()).map_err(invalid)?;
            sms_config(&parsed, plain.as_deref().unwrap_or_default())?;
            serde_json::to_string(&parsed)
        }
        _ => {
            let parsed: AiSettings = serde_json::from_value(settings.clone()).map_err(invalid)?;
            org_ai(&parsed, plain.as_deref(), server.http.request_timeout_secs)?;
            serde_json::to_string(&parsed)
        }
    }
    .map_err(|e| ProviderError::Invalid(e.to_string()))?;
    Ok(ProviderRow {
        kind: kind.to_owned(),
        settings,
        sealed_secret: sealed,
        updated_at: now,
        updated_by: by,
    })
}

/// Senders built from organisations' providers, kept while their row is unchanged.
pub struct Providers {
    sealer: Option<Sealer>,
    emails: Cache<EmailProvider>,
    texts: Cache<Texter>,
    ais: Cache<OrgAi>,
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
            ais: Mutex::new(HashMap::new()),
        }
    }

    pub fn sealer(&self) -> Option<&Sealer> {
        self.sealer.as_ref()
    }

    /// The row's secret in the clear; `None` when none is stored.
    fn opened(&self, org: OrgId, row: &ProviderRow) -> Result<Option<String>, ProviderError> {
        let Some(sealed) = row.sealed_secret.as_deref() else {
            return Ok(None);
        };
        let sealer = self.sealer.as_ref().ok_or(ProviderError::NoKey)?;
        Ok(Some(sealer.open(org, &row.kind, sealed)?))
    }

    /// The secret of `org`'s provider `row` in the clear (an MLS connection's token or client
    /// secret); an error when none is stored.
    pub fn secret(&self, org: OrgId, row: &ProviderRow) -> Result<String, ProviderError> {
        self.required(org, row)
    }

    /// The same, for a provider that cannot work without one.
    fn required(&self, org: OrgId, row: &ProviderRow) -> Result<String, ProviderError> {
        self.opened(org, row)?
            .ok_or_else(|| ProviderError::Invalid("no secret is stored".into()))
    }

    /// The sender built from `org`'s provider of `kind`, kept while the row is unchanged;
    /// `Ok(None)` when it has none.
    fn built<T>(
        &self,
        cache: &Cache<T>,
        store: &dyn Store,
        org: OrgId,
        kind: &str,
        build: impl FnOnce(&str, Option<&str>) -> Result<T, ProviderError>,
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
        let secret = self.opened(org, &row)?;
        let built = Some(Arc::new(build(&row.settings, secret.as_deref())?));
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
            let secret =
                secret.ok_or_else(|| ProviderError::Invalid("no secret is stored".into()))?;
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
            let secret =
                secret.ok_or_else(|| ProviderError::Invalid("no secret is stored".into()))?;
            let config = sms_config(&settings, secret)?;
            Texter::new(&config, runtime.clone()).map_err(ProviderError::Invalid)
        })
    }

    /// The organisation's own AI (its provider, or off): `Ok(None)` when it set none, so the
    /// server's `[ai]` applies.
    pub fn ai(
        &self,
        store: &dyn Store,
        org: OrgId,
        request_timeout_secs: u64,
    ) -> Result<Option<Arc<OrgAi>>, ProviderError> {
        self.built(&self.ais, store, org, "ai", |settings, secret| {
            let settings: AiSettings = serde_json::from_str(settings)
                .map_err(|e| ProviderError::Invalid(format!("stored settings: {e}")))?;
            org_ai(&settings, secret, request_timeout_secs)
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
            Ok(Some(row)) => self.required(org, &row).ok(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ai(settings: serde_json::Value, key: Option<&str>) -> Result<OrgAi, String> {
        let settings: AiSettings = serde_json::from_value(settings).map_err(|e| e.to_string())?;
        org_ai(&settings, key, 60).map_err(|e| e.to_string())
    }

    #[test]
    fn an_organisations_ai_is_off_its_own_endpoint_or_refused_with_every_problem() {
        assert_eq!(ai(json!({"off": true}), None), Ok(OrgAi::Off));
        let own = json!({"base_url": "http://127.0.0.1:11434/v1", "model": "llama3.1"});
        let Ok(OrgAi::Provider(config)) = ai(own.clone(), Some("sk-1")) else {
            panic!("an endpoint");
        };
        assert_eq!(config.api_key.as_ref().map(Secret::expose), Some("sk-1"));
        assert!(config.enabled);
        assert_eq!(
            (config.timeout_secs, config.max_tokens),
            (30, 800),
            "[ai]'s defaults"
        );
        let mut off = own.clone();
        off["off"] = json!(true);
        assert_eq!(ai(off, Some("sk-1")), Ok(OrgAi::Off), "kept, but off");
        // Switched off with half an endpoint: still checked, so switching it on cannot fail.
        let problems = ai(json!({"off": true, "base_url": "nope"}), None).expect_err("refused");
        assert!(
            problems.contains("settings.base_url") && problems.contains("settings.model"),
            "{problems}"
        );
        // An answer must come before the server's own request timeout (60 s here).
        let mut slow = own;
        slow["timeout_secs"] = json!(60);
        let problems = ai(slow, None).expect_err("refused");
        assert!(problems.contains("between 1 and 59"), "{problems}");
        assert!(ai(json!({"off": false, "modle": "x"}), None).is_err());
    }
}
