//! What the server keeps for lead intake, outside any document: the organisations' intake API
//! keys (only their SHA-256, like session tokens) and the ledger of intake events already
//! delivered, keyed by (organisation, channel, the sender's event id), which makes every
//! channel idempotent and remembers which contact a sender became.

use chrono::{DateTime, Utc};
use fieldstone_model::UserId;

/// One intake API key of an organisation, as stored (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeKeyRow {
    /// A random UUID: what admins name the key by when revoking it.
    pub id: String,
    /// What the admin called it ("Zillow", "the website").
    pub label: String,
    /// The key's first characters, shown so people can tell keys apart (not enough to guess).
    pub prefix: String,
    /// SHA-256 of the whole key, hex (`auth::hash_token`).
    pub key_hash: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<UserId>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One intake event delivered: what a replay of it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeEventRow {
    /// `api`, `whatsapp`, `instagram`.
    pub channel: String,
    /// The sender's id for the event (an API event id, Meta's message id).
    pub event_id: String,
    /// Who sent it on the channel, when the channel says (a WhatsApp number, an Instagram
    /// sender id): later messages from them go to the same contact.
    pub sender: Option<String>,
    /// The contact it reached (a `ContactId`'s text).
    pub contact: String,
    /// Whether it created that contact.
    pub created: bool,
    /// The interaction it added (an `InteractionId`'s text).
    pub interaction: String,
    pub at: DateTime<Utc>,
}
