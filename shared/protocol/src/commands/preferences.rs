//! The agent's own preferences: their locale and their smart lists. Signed in, they are kept in
//! a document of the agent's own (`prefs:<user id>`, in their private scope), so they follow the
//! agent to every device they use and two devices' changes merge; local only, or as a viewer
//! (who writes nothing on the server), they stay on this device.

use super::SmartList;
use fieldstone_model::Locale;
use serde::{Deserialize, Serialize};

/// What `preferences` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub locale: Locale,
    /// By name.
    pub smart_lists: Vec<SmartList>,
    /// Whether they follow the agent to their other devices (signed in, not a viewer).
    pub follows_you: bool,
    /// The agent's own phone (E.164), rung first when the server places a call; `None`: not
    /// set, and calls are dialled from the device.
    #[serde(default)]
    pub agent_phone: Option<String>,
    /// The zone the agent works in (IANA name): follow-ups fall due at the time of day the
    /// contact was added, there. The one they chose, else the device's.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// Whether the agent chose `time_zone` (else it is the device's).
    #[serde(default)]
    pub time_zone_chosen: bool,
    /// Whether the server emails them the weekly report on Monday morning (on until they
    /// turn it off).
    #[serde(default = "yes")]
    pub weekly_report: bool,
    /// Whether their calendar feed (a secret address calendar apps subscribe to) is on.
    #[serde(default)]
    pub calendar_feed: bool,
}

fn yes() -> bool {
    true
}

/// Turns the weekly report email on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyReportChoice {
    pub on: bool,
}

/// What to do with the calendar feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarFeedAction {
    /// On, at a new address (never an address used before).
    TurnOn,
    /// A new address; the old one stops working.
    NewLink,
    TurnOff,
}

/// Changes the calendar feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeedChange {
    pub action: CalendarFeedAction,
}

/// The calendar feed's address, as the server made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeedLink {
    /// Secret: anyone with it reads the calendar.
    pub url: String,
}

fn utc() -> String {
    "UTC".to_owned()
}
