//! Provider webhooks: nothing in a request is trusted, or even parsed, until its signature is
//! verified over the raw bytes. Each verifier is proved against the provider's own published
//! example, and against a tampered body, a wrong key, a stale timestamp and a missing header.

pub mod meta;
pub mod sendgrid;
pub mod twilio;

/// Why a webhook was not accepted (the route answers 401 and changes nothing).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the signature is not well formed")]
    Malformed,
    #[error("the signature does not match")]
    Mismatch,
    #[error("the request is too old (signed {age_secs} s ago; at most {max_secs} s)")]
    Stale { age_secs: i64, max_secs: i64 },
    #[error("no key is configured for this provider")]
    NoKey,
}
