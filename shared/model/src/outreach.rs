//! Whether a message may go out now: the consent it needs (by its purpose, its channel and the
//! organisation's rules, kept as data), the do-not-call list and quiet hours. Pure functions
//! (DESIGN decision 18): the server refuses with them at send time, and the app warns with the
//! same ones before a person writes a message that would be refused.
//!
//! The rules in brief (`STANDARDS.md`): a one-to-one or transactional message needs only that
//! the contact has not said no; US marketing email is opt-out (CAN-SPAM); marketing texts need
//! prior express written consent (TCPA); an organisation may choose opt-in for all marketing
//! (EU, Canada). Texts go out only between 8:00 and 21:00 in the recipient's time zone.

use crate::contact::{ConsentChannel, ConsentStatus, Consents};
use crate::message::{MessageChannel, MessagePurpose};
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How marketing to one channel is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marketing {
    /// Allowed unless the contact said no (US email under CAN-SPAM).
    OptOut,
    /// Only with the contact's recorded yes (TCPA texts; EU and Canadian email).
    OptIn,
}

/// An organisation's consent rules, as data (set per organisation; [`ConsentRules::us`] and
/// [`ConsentRules::opt_in`] are the two usual sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRules {
    pub email_marketing: Marketing,
    pub sms_marketing: Marketing,
}

impl ConsentRules {
    /// United States: marketing email opt-out, marketing texts opt-in.
    pub const fn us() -> Self {
        ConsentRules {
            email_marketing: Marketing::OptOut,
            sms_marketing: Marketing::OptIn,
        }
    }

    /// Opt-in for all marketing (EU, Canada, or an organisation's own choice).
    pub const fn opt_in() -> Self {
        ConsentRules {
            email_marketing: Marketing::OptIn,
            sms_marketing: Marketing::OptIn,
        }
    }
}

impl Default for ConsentRules {
    fn default() -> Self {
        ConsentRules::us()
    }
}

/// Why a message may not go out: which rule, and a sentence for the person (shown on the
/// timeline as the message's reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Stable name of the rule: `consent_revoked`, `consent_missing`, `do_not_call`,
    /// `quiet_hours`.
    pub rule: String,
    pub reason: String,
}

impl Refusal {
    fn new(rule: &str, reason: String) -> Self {
        Refusal {
            rule: rule.to_owned(),
            reason,
        }
    }
}

/// Texts and calls go out from this local time...
pub const QUIET_ENDS: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};
/// ...until this one.
pub const QUIET_STARTS: NaiveTime = match NaiveTime::from_hms_opt(21, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

fn consent_channel(channel: MessageChannel) -> ConsentChannel {
    match channel {
        MessageChannel::Email => ConsentChannel::Email,
        MessageChannel::Sms => ConsentChannel::Sms,
    }
}

/// Whether the contact's consents allow a message of `purpose` on `channel` under `rules`.
pub fn check_consent(
    consents: &Consents,
    channel: MessageChannel,
    purpose: MessagePurpose,
    rules: &ConsentRules,
) -> Result<(), Refusal> {
    let what = match channel {
        MessageChannel::Email => "email",
        MessageChannel::Sms => "text messages",
    };
    let consent = consents.get(consent_channel(channel));
    if consent.status == ConsentStatus::Denied {
        let source = consent
            .source
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        return Err(Refusal::new(
            "consent_revoked",
            format!("The contact said no to {what}{source}."),
        ));
    }
    let needs_yes = match (purpose, channel) {
        (MessagePurpose::OneToOne | MessagePurpose::Transactional, _) => false,
        (MessagePurpose::Marketing, MessageChannel::Email) => {
            rules.email_marketing == Marketing::OptIn
        }
        (MessagePurpose::Marketing, MessageChannel::Sms) => rules.sms_marketing == Marketing::OptIn,
    };
    if needs_yes && consent.status != ConsentStatus::Granted {
        return Err(Refusal::new(
            "consent_missing",
            format!(
                "Marketing {what} need the contact's recorded yes first; their consent for \
                 {what} is \"{}\".",
                consent.status.label().to_lowercase()
            ),
        ));
    }
    Ok(())
}

/// The digits of a phone number as a do-not-call list compares them (formatting ignored; a
/// leading `+` kept, so `+1 555…` and `555…` stay apart).
pub fn dnc_key(number: &str) -> String {
    let plus = number.trim_start().starts_with('+');
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if plus {
        format!("+{digits}")
    } else {
        digits
    }
}

/// Refuses a text to a number on the organisation's do-not-call list (`list` holds
/// [`dnc_key`]s).
pub fn check_do_not_call<'a>(
    channel: MessageChannel,
    to: &str,
    mut list: impl Iterator<Item = &'a str>,
) -> Result<(), Refusal> {
    if channel != MessageChannel::Sms {
        return Ok(());
    }
    let key = dnc_key(to);
    if list.any(|listed| listed == key) {
        return Err(Refusal::new(
            "do_not_call",
            format!("{to} is on your organisation's do-not-call list."),
        ));
    }
    Ok(())
}

/// Refuses a text outside 8:00–21:00 in the recipient's time zone `zone`, saying when it may
/// go. Email has no quiet hours.
pub fn check_quiet_hours(
    channel: MessageChannel,
    at: DateTime<Utc>,
    zone: Tz,
) -> Result<(), Refusal> {
    if channel != MessageChannel::Sms {
        return Ok(());
    }
    within_hours(at, zone, "texts go out")
}

/// Refuses a call outside 8:00–21:00 in the recipient's time zone `zone` (TCPA's hours for
/// telephone solicitations).
pub fn check_call_hours(at: DateTime<Utc>, zone: Tz) -> Result<(), Refusal> {
    within_hours(at, zone, "calls are placed")
}

fn within_hours(at: DateTime<Utc>, zone: Tz, what: &str) -> Result<(), Refusal> {
    let local = at.with_timezone(&zone);
    let time = local.time().with_nanosecond(0).unwrap_or(local.time());
    if time >= QUIET_ENDS && time < QUIET_STARTS {
        return Ok(());
    }
    Err(Refusal::new(
        "quiet_hours",
        format!(
            "It is {} for the recipient ({}); {what} between 8:00 and 21:00 their time.",
            local.format("%H:%M"),
            zone.name()
        ),
    ))
}

#[cfg(test)]
#[path = "outreach_tests.rs"]
mod tests;
