//! The composer's Email and Text tabs: a draft of each (kept while the agent looks at another
//! tab), the recipients the contact offers, the live length of a text in SMS segments, and the
//! consent the message will be checked against when the server sends it.
//!
//! Nothing here decides on its own: the draft becomes a [`MessageInput`] whose validation (the
//! model's, the same the engine runs) gives the messages shown next to each input, and the
//! consent warning is [`check_consent`] under [`ConsentRules::us`], the rule the server applies.

use super::form::FormErrors;
use fieldstone_model::message::SMS_BODY_MAX_CHARS;
use fieldstone_model::outreach::check_consent;
use fieldstone_model::{
    ConsentRules, Consents, Contact, ContactId, MessageChannel, MessageInput, MessagePurpose,
    Refusal,
};

#[path = "message_assist.rs"]
pub mod assist;

/// One address or number the contact has, as the To picker offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address or number as stored.
    pub to: String,
    /// "Work", "Mobile"…
    pub label: &'static str,
}

/// Where an email or a text can go: the contact's addresses and numbers, primary first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recipients {
    pub emails: Vec<Recipient>,
    pub phones: Vec<Recipient>,
}

impl Recipients {
    pub fn of(contact: &Contact) -> Recipients {
        let primary_email = contact.primary_email().map(|e| e.address.as_str());
        let primary_phone = contact.primary_phone().map(|p| p.number.as_str());
        let mut emails: Vec<Recipient> = contact
            .emails
            .iter()
            .map(|e| Recipient {
                to: e.address.clone(),
                label: e.label.label(),
            })
            .collect();
        let mut phones: Vec<Recipient> = contact
            .phones
            .iter()
            .map(|p| Recipient {
                to: p.number.clone(),
                label: p.label.label(),
            })
            .collect();
        // Stable: the primary moves to the front, the rest keep the contact's order.
        emails.sort_by_key(|r| Some(r.to.as_str()) != primary_email);
        phones.sort_by_key(|r| Some(r.to.as_str()) != primary_phone);
        Recipients { emails, phones }
    }

    pub fn for_channel(&self, channel: MessageChannel) -> &[Recipient] {
        match channel {
            MessageChannel::Email => &self.emails,
            MessageChannel::Sms => &self.phones,
        }
    }
}

/// The Email and Text drafts. Input names (also the `#composer-…` ids): `email_to`, `subject`,
/// `email_body`, `sms_to`, `sms_body`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageDraft {
    pub email_to: String,
    pub subject: String,
    pub email_body: String,
    pub sms_to: String,
    pub sms_body: String,
}

/// The input names of one channel's draft, in form order (where focus goes first).
pub const fn inputs(channel: MessageChannel) -> &'static [&'static str] {
    match channel {
        MessageChannel::Email => &["email_to", "subject", "email_body"],
        MessageChannel::Sms => &["sms_to", "sms_body"],
    }
}

impl MessageDraft {
    /// Sets input `name`; answers whether it is one of the draft's (changed or not).
    pub fn set(&mut self, name: &str, value: String) -> bool {
        let slot = match name {
            "email_to" => &mut self.email_to,
            "subject" => &mut self.subject,
            "email_body" => &mut self.email_body,
            "sms_to" => &mut self.sms_to,
            "sms_body" => &mut self.sms_body,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Fills an empty To with the contact's primary address and number, and replaces one that
    /// the contact no longer has (it was edited under Details) unless the agent typed it.
    pub fn address(&mut self, recipients: &Recipients, before: &Recipients) {
        fn follow(to: &mut String, now: &[Recipient], before: &[Recipient]) {
            let typed = !to.trim().is_empty() && !before.iter().any(|r| r.to == *to);
            let kept = now.iter().any(|r| r.to == *to);
            if !typed && !kept {
                *to = now.first().map(|r| r.to.clone()).unwrap_or_default();
            }
        }
        follow(&mut self.email_to, &recipients.emails, &before.emails);
        follow(&mut self.sms_to, &recipients.phones, &before.phones);
    }

    /// The message as the engine will get it (purpose one-to-one: the agent writing to one
    /// person).
    pub fn input(&self, contact: ContactId, channel: MessageChannel) -> MessageInput {
        let (to, subject, body) = match channel {
            MessageChannel::Email => (&self.email_to, Some(self.subject.clone()), &self.email_body),
            MessageChannel::Sms => (&self.sms_to, None, &self.sms_body),
        };
        MessageInput {
            contact,
            channel,
            purpose: MessagePurpose::OneToOne,
            to: to.clone(),
            subject,
            body: body.clone(),
            body_html: None,
            task: None,
        }
    }

    /// The message, or the model's verdict on each field under the draft's input names: a bad
    /// address or number, or a body over the limit, is refused here before anything is queued.
    pub fn message(
        &self,
        contact: ContactId,
        channel: MessageChannel,
    ) -> Result<MessageInput, FormErrors> {
        let input = self.input(contact, channel);
        match input.validate() {
            Ok(valid) => Ok(valid.into_inner()),
            Err(problems) => {
                let mut errors = FormErrors::default();
                let mut other = Vec::new();
                for problem in problems.0 {
                    match input_name(channel, &problem.field) {
                        Some(name) if errors.get(name).is_none() => {
                            errors.set(name, problem.message);
                        }
                        Some(_) => {}
                        None => other.push(problem.message),
                    }
                }
                if !other.is_empty() {
                    errors.banner = Some(other.join(" "));
                }
                Err(errors)
            }
        }
    }

    /// After a message was queued: its subject and text go, the recipient stays.
    pub fn clear(&mut self, channel: MessageChannel) {
        match channel {
            MessageChannel::Email => {
                self.subject.clear();
                self.email_body.clear();
            }
            MessageChannel::Sms => self.sms_body.clear(),
        }
    }
}

/// The draft input the model's field `field` of a `channel` message is shown under.
pub fn input_name(channel: MessageChannel, field: &str) -> Option<&'static str> {
    Some(match (channel, field) {
        (MessageChannel::Email, "to") => "email_to",
        (MessageChannel::Email, "subject") => "subject",
        (MessageChannel::Email, "body") => "email_body",
        (MessageChannel::Sms, "to") => "sms_to",
        (MessageChannel::Sms, "body") => "sms_body",
        _ => return None,
    })
}

/// Why the server will refuse a one-to-one message on `channel` to a contact with these
/// consents (US rules), if it will.
pub fn consent_refusal(consents: &Consents, channel: MessageChannel) -> Option<Refusal> {
    check_consent(
        consents,
        channel,
        MessagePurpose::OneToOne,
        &ConsentRules::us(),
    )
    .err()
}

/// How long a text is, as the phone network sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmsLength {
    pub chars: usize,
    /// Segments it goes out in (a long text is sent in parts and joined on the phone).
    pub segments: usize,
    /// Whether it fits the GSM alphabet (160 a segment) rather than Unicode (70).
    pub gsm: bool,
}

impl SmsLength {
    pub fn over(self) -> bool {
        self.chars > SMS_BODY_MAX_CHARS
    }

    /// "48 / 1,600 characters · 1 segment", or how far over the limit it is.
    pub fn sentence(self) -> String {
        let max = super::format::thousands(SMS_BODY_MAX_CHARS as u64);
        if self.over() {
            return format!(
                "{} / {max} characters: {} over the limit of {max}",
                super::format::thousands(self.chars as u64),
                super::format::thousands((self.chars - SMS_BODY_MAX_CHARS) as u64),
            );
        }
        let segments = if self.segments == 1 {
            "1 segment".to_owned()
        } else {
            format!("{} segments", self.segments)
        };
        let unicode = if self.gsm {
            ""
        } else {
            " (special characters: 70 a segment)"
        };
        format!(
            "{} / {max} characters · {segments}{unicode}",
            super::format::thousands(self.chars as u64)
        )
    }
}

/// GSM 03.38's basic alphabet; `^{}\[~]|€` take two places (an escape, then the character).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{000C}";

/// The length of `body` in characters and in SMS segments: 160 GSM characters (153 each when
/// split) or 70 Unicode ones (67 when split).
pub fn sms_length(body: &str) -> SmsLength {
    let chars = body.chars().count();
    let septets = body.chars().try_fold(0usize, |n, c| {
        if GSM_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    });
    let (units, single, split, gsm) = match septets {
        Some(septets) => (septets, 160, 153, true),
        // UTF-16 code units: an emoji takes two.
        None => (body.encode_utf16().count(), 70, 67, false),
    };
    let segments = match units {
        0 => 0,
        n if n <= single => 1,
        n => n.div_ceil(split),
    };
    SmsLength {
        chars,
        segments,
        gsm,
    }
}

#[cfg(test)]
#[path = "message_draft_tests.rs"]
mod tests;
