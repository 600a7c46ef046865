//! Click-to-call ("call me first"): the server's `POST /v2/calls` bodies, frozen by golden
//! tests like the other server routes, and the app command's request and answer: whether the
//! server rings the agent's phone, refused (with the rule's sentence), or the app dials from
//! the device as before.

use fieldstone_model::ContactId;
use serde::{Deserialize, Serialize};

/// `POST /v2/calls`: ring `agent_phone`, then bridge `to` (one of the contact's numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRequest {
    pub contact: ContactId,
    pub to: String,
    /// E.164 (`+14155550100`).
    pub agent_phone: String,
}

/// What `POST /v2/calls` answers once the provider took the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStarted {
    pub call_sid: String,
    /// For the person: what happens now.
    pub status: String,
}

/// The `place_call` command: call this contact at this number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceCall {
    pub contact: ContactId,
    /// One of the contact's numbers, as stored.
    pub to: String,
}

/// What the Call button does, as `place_call` decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallPlaced {
    /// The server is ringing the agent's phone; the call reaches the timeline by sync once
    /// it ends (the app logs nothing itself).
    Ringing { message: String },
    /// The server refused before anything rang: consent, the do-not-call list, calling hours
    /// or the plan's minutes. Nothing is dialled.
    Refused { reason: String },
    /// Dial from this device (a `tel:` link) and offer to log the call, as without a server;
    /// `hint` says why the server did not place it when that is worth a line.
    Dial { hint: Option<String> },
}
