//! Open-house sign-in (kiosk mode): the device is locked to the visitors' form for one
//! listing's open house until the agent's PIN ends it. It all happens on the device, so it
//! works with no network; the visitors reach the server by ordinary sync.

use chrono::{DateTime, Utc};
use fieldstone_model::{ContactId, ListingId};
use serde::{Deserialize, Serialize};

/// The `start_kiosk` command: lock this device to `listing`'s sign-in form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartKiosk {
    pub listing: ListingId,
    /// 4 to 8 digits; asked again to leave.
    pub pin: String,
}

/// What the kiosk shows, while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kiosk {
    pub listing: ListingId,
    /// The listing's address, as the visitor reads it.
    pub place: String,
    /// The consent sentence beside the box, recorded word for word with each sign-in.
    pub consent_text: String,
    pub started_at: DateTime<Utc>,
    /// Visitors signed in since it started.
    pub visitors: u32,
}

/// What `kiosk_sign_in` answers: the thank-you, and whose record it went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub contact: ContactId,
    /// They were already a contact (same email or phone): the visit went on that record.
    pub returning: bool,
    pub given_name: String,
    pub visitors: u32,
}

/// The `end_kiosk` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndKiosk {
    pub pin: String,
}
