//! SendGrid's Event Webhook: a JSON array of events, signed with ECDSA (P-256, SHA-256) over
//! `timestamp + raw body`; the signature and timestamp come in headers, the public key from the
//! SendGrid account. A request signed more than ten minutes ago is refused (a replay).
//!
//! Events are matched to messages by the custom arguments the server puts on every email it
//! sends through SendGrid (`fs_org`, `fs_message`), else by the Message-ID it chose.

use super::Unverified;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use fieldstone_model::{MessageEvent, MessageEventKind, MessageId, OrgId};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use serde::Deserialize;

pub const SIGNATURE_HEADER: &str = "X-Twilio-Email-Event-Webhook-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Twilio-Email-Event-Webhook-Timestamp";
/// How old a signed request may be (seed 002).
pub const MAX_AGE_SECS: i64 = 600;

/// The custom arguments the server sets on each email (SendGrid echoes them on every event).
pub const ORG_ARG: &str = "fs_org";
pub const MESSAGE_ARG: &str = "fs_message";

/// An account's verification key: the base64 DER public key SendGrid shows.
#[derive(Clone)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn from_base64(key: &str) -> Result<Self, String> {
        let der = STANDARD
            .decode(key.trim())
            .map_err(|e| format!("the SendGrid verification key is not base64: {e}"))?;
        VerifyingKey::from_public_key_der(&der)
            .map(PublicKey)
            .map_err(|e| format!("the SendGrid verification key is not a P-256 public key: {e}"))
    }
}

/// Checks the request's signature over `timestamp + body` and its age against `now`.
pub fn verify(
    key: &PublicKey,
    body: &[u8],
    signature: Option<&str>,
    timestamp: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Unverified> {
    let signature = signature.ok_or(Unverified::MissingHeader(SIGNATURE_HEADER))?;
    let timestamp = timestamp.ok_or(Unverified::MissingHeader(TIMESTAMP_HEADER))?;
    let der = STANDARD
        .decode(signature.trim())
        .map_err(|_| Unverified::Malformed)?;
    let signature = Signature::from_der(&der).map_err(|_| Unverified::Malformed)?;
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    key.0
        .verify(&signed, &signature)
        .map_err(|_| Unverified::Mismatch)?;
    // Checked after the signature, so the age of a forged request is never reported.
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Unverified::Malformed)?;
    let age_secs = now.timestamp() - at;
    if !(-MAX_AGE_SECS..=MAX_AGE_SECS).contains(&age_secs) {
        return Err(Unverified::Stale {
            age_secs,
            max_secs: MAX_AGE_SECS,
        });
    }
    Ok(())
}

/// One event as SendGrid posts it (fields Fieldstone reads; the rest is ignored).
#[derive(Debug, Deserialize)]
struct RawEvent {
    event: String,
    #[serde(default)]
    timestamp: Option<i64>,
    #[serde(default)]
    sg_event_id: Option<String>,
    #[serde(default, rename = "smtp-id")]
    smtp_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    useragent: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    response: Option<String>,
    #[serde(default)]
    fs_org: Option<String>,
    #[serde(default)]
    fs_message: Option<String>,
}

/// An event matched to one of the server's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub org: Option<OrgId>,
    pub message: MessageId,
    pub event: MessageEvent,
    /// The provider's words, for a bounce, a drop or a deferral.
    pub reason: Option<String>,
}

/// What a verified body held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub matched: Vec<Matched>,
    /// Events that are not about a Fieldstone message, or of a kind it does not track.
    pub ignored: usize,
}

/// Longest text kept from an event's free-text fields.
const FIELD_MAX_CHARS: usize = 2_000;

fn clip(value: Option<String>) -> Option<String> {
    value.map(|v| v.chars().take(FIELD_MAX_CHARS).collect())
}

/// Reads a verified body: a JSON array of events. Malformed JSON is an error (the route answers
/// 400, and SendGrid retries); an event that cannot be matched is counted, not an error.
pub fn parse(body: &[u8], now: DateTime<Utc>) -> Result<Parsed, String> {
    let raw: Vec<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| format!("the body is not a JSON array of events: {e}"))?;
    let mut parsed = Parsed::default();
    for value in raw {
        let Ok(event) = serde_json::from_value::<RawEvent>(value) else {
            parsed.ignored += 1;
            continue;
        };
        let kind = match event.event.as_str() {
            "processed" => MessageEventKind::Accepted,
            "delivered" => MessageEventKind::Delivered,
            "open" => MessageEventKind::Opened,
            "click" => MessageEventKind::Clicked,
            "deferred" => MessageEventKind::Deferred,
            "bounce" | "blocked" => MessageEventKind::Bounced,
            "dropped" => MessageEventKind::Dropped,
            "spamreport" => MessageEventKind::SpamReport,
            "unsubscribe" | "group_unsubscribe" => MessageEventKind::Unsubscribed,
            _ => {
                parsed.ignored += 1;
                continue;
            }
        };
        let message = event
            .fs_message
            .as_deref()
            .and_then(|m| m.parse::<MessageId>().ok())
            .or_else(|| event.smtp_id.as_deref().and_then(message_from_smtp_id));
        let Some(message) = message else {
            parsed.ignored += 1;
            continue;
        };
        let at = event
            .timestamp
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
            .unwrap_or(now);
        parsed.matched.push(Matched {
            org: event.fs_org.as_deref().and_then(|o| o.parse().ok()),
            message,
            event: MessageEvent {
                at,
                kind,
                url: clip(event.url),
                user_agent: clip(event.useragent),
                provider_event: clip(event.sg_event_id),
            },
            reason: clip(event.reason.or(event.response)),
        });
    }
    Ok(parsed)
}

/// The message id in a Message-ID the server made: `<{message}.{attempt}@{domain}>`.
pub fn message_from_smtp_id(id: &str) -> Option<MessageId> {
    let inner = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _) = inner.split_once('@')?;
    let (message, _) = local.rsplit_once('.')?;
    message.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Signer;
    use p256::ecdsa::SigningKey;
    use p256::pkcs8::EncodePublicKey;

    // SendGrid's published example (sendgrid-go's event webhook helper tests): the key, the
    // payload its test builds (Go's encoding of a map, keys sorted), timestamp and signature.
    const PUBLIC_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    const PAYLOAD: &str =
        r#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;
    const TIMESTAMP: &str = "1588788367";
    const SIGNATURE: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";

    fn then() -> DateTime<Utc> {
        DateTime::from_timestamp(1_588_788_367 + 60, 0).expect("time")
    }

    #[test]
    fn sendgrids_published_example_verifies() {
        let key = PublicKey::from_base64(PUBLIC_KEY).expect("key");
        assert_eq!(
            verify(
                &key,
                PAYLOAD.as_bytes(),
                Some(SIGNATURE),
                Some(TIMESTAMP),
                then()
            ),
            Ok(())
        );
    }

    #[test]
    fn tampering_a_wrong_key_staleness_and_missing_headers_are_refused() {
        let key = PublicKey::from_base64(PUBLIC_KEY).expect("key");
        let tampered = PAYLOAD.replace("test_event", "best_event");
        assert_eq!(
            verify(
                &key,
                tampered.as_bytes(),
                Some(SIGNATURE),
                Some(TIMESTAMP),
                then()
            ),
            Err(Unverified::Mismatch)
        );
        assert_eq!(
            verify(
                &key,
                PAYLOAD.as_bytes(),
                Some(SIGNATURE),
                Some("1588788368"),
                then()
            ),
            Err(Unverified::Mismatch),
            "the timestamp is signed too"
        );
        let other = SigningKey::from_slice(&[7u8; 32]).expect("key");
        let other_public = other
            .verifying_key()
            .to_public_key_der()
            .expect("der")
            .into_vec();
        let wrong = PublicKey::from_base64(&STANDARD.encode(other_public)).expect("key");
        assert_eq!(
            verify(
                &wrong,
                PAYLOAD.as_bytes(),
                Some(SIGNATURE),
                Some(TIMESTAMP),
                then()
            ),
            Err(Unverified::Mismatch)
        );
        let late = then() + chrono::Duration::seconds(MAX_AGE_SECS);
        assert!(matches!(
            verify(
                &key,
                PAYLOAD.as_bytes(),
                Some(SIGNATURE),
                Some(TIMESTAMP),
                late
            ),
            Err(Unverified::Stale { .. })
        ));
        assert_eq!(
            verify(&key, PAYLOAD.as_bytes(), None, Some(TIMESTAMP), then()),
            Err(Unverified::MissingHeader(SIGNATURE_HEADER))
        );
        assert_eq!(
            verify(&key, PAYLOAD.as_bytes(), Some(SIGNATURE), None, then()),
            Err(Unverified::MissingHeader(TIMESTAMP_HEADER))
        );
        assert_eq!(
            verify(
                &key,
                PAYLOAD.as_bytes(),
                Some("bm90IGRlcg=="),
                Some(TIMESTAMP),
                then()
            ),
            Err(Unverified::Malformed)
        );
        assert!(PublicKey::from_base64("not a key").is_err());
        assert!(PublicKey::from_base64(&(PUBLIC_KEY.to_owned() + "AAAA")).is_err());
    }

    #[test]
    fn a_body_signed_with_our_own_key_verifies_and_parses() {
        let signing = SigningKey::from_slice(&[9u8; 32]).expect("key");
        let public = STANDARD.encode(
            signing
                .verifying_key()
                .to_public_key_der()
                .expect("der")
                .into_vec(),
        );
        let key = PublicKey::from_base64(&public).expect("key");
        let message = MessageId::from_uuid(uuid::Uuid::from_u128(5));
        let body = format!(
            r#"[{{"event":"open","timestamp":1588788400,"sg_event_id":"e1","useragent":"Mail","fs_message":"{message}"}},
               {{"event":"delivered","timestamp":1588788390,"smtp-id":"<{message}.1@crm.example>"}},
               {{"event":"bounce","timestamp":1588788390,"reason":"550 no such user","fs_message":"{message}"}},
               {{"event":"group_resubscribe","fs_message":"{message}"}},
               {{"event":"open"}},
               {{"nonsense":true}}]"#
        );
        let signature: Signature = signing.sign(format!("{TIMESTAMP}{body}").as_bytes());
        let signature = STANDARD.encode(signature.to_der().as_bytes());
        verify(
            &key,
            body.as_bytes(),
            Some(&signature),
            Some(TIMESTAMP),
            then(),
        )
        .expect("ok");
        let parsed = parse(body.as_bytes(), then()).expect("parsed");
        assert_eq!(parsed.matched.len(), 3);
        assert_eq!(parsed.ignored, 3);
        assert_eq!(parsed.matched[0].event.kind, MessageEventKind::Opened);
        assert_eq!(
            parsed.matched[0].event.provider_event.as_deref(),
            Some("e1")
        );
        assert_eq!(parsed.matched[1].message, message, "matched by Message-ID");
        assert_eq!(
            parsed.matched[2].reason.as_deref(),
            Some("550 no such user")
        );
        assert!(parse(b"{\"event\":1}", then()).is_err());
    }
}
