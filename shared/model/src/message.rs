//! An outbound message (an email or a text) as an *intent* (DESIGN decision 13): the agent writes
//! it on the device like any record, offline too, and the sync server sends it exactly once and
//! writes the outcome back into [`Message::result`] with its own actor. The device writes the
//! request half (recipient, subject, body); only the server writes the result half.
//!
//! How a result moves as the provider reports events is a pure rule here ([`MessageStatus::after`],
//! decision 18), so the server that applies a webhook and the device that shows it agree.

use crate::checks::Text;
use crate::choice::choice_enum;
use crate::common::soft_delete_by_field;
use crate::ids::{id_type, ContactId, TaskId, UserId};
use crate::validation::{check_email, check_phone, Valid, ValidationErrors};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

id_type!(
    /// An outbound email or text message.
    MessageId
);

/// An email subject: long enough for any real one, short enough for every mail client.
pub const SUBJECT_MAX_CHARS: usize = 200;
/// An email's text part (about 30 pages).
pub const EMAIL_BODY_MAX_CHARS: usize = 100_000;
/// An email's HTML part, markup included.
pub const EMAIL_HTML_MAX_CHARS: usize = 500_000;
/// A text message: ten SMS segments of 160 GSM characters, what providers concatenate.
pub const SMS_BODY_MAX_CHARS: usize = 1_600;
/// Provider events kept on one message (opens and clicks can repeat); past it the oldest
/// opens and clicks are dropped, never the delivery or failure events.
pub const EVENTS_MAX: usize = 200;
/// A refusal's or a failure's reason, as the server writes it.
pub const REASON_MAX_CHARS: usize = 500;

choice_enum! {
    /// How a message travels.
    pub enum MessageChannel as "message channel" {
        Email => ("email", "Email"),
        Sms => ("sms", "Text message"),
    }
}

choice_enum! {
    /// What a message is for, which decides the consent it needs at send time: a one-to-one
    /// message from the agent or a transactional one (a booking confirmation) needs only
    /// "not revoked"; marketing follows the organisation's consent rules.
    pub enum MessagePurpose as "message purpose" {
        OneToOne => ("one_to_one", "One-to-one"),
        Transactional => ("transactional", "Transactional"),
        Marketing => ("marketing", "Marketing"),
    }
}

choice_enum! {
    /// Where a message stands. `Queued` until the server takes it; then the provider's
    /// progress, or a terminal outcome.
    pub enum MessageStatus as "message status" {
        Queued => ("queued", "Waits to be sent"),
        Sending => ("sending", "Sending"),
        Sent => ("sent", "Sent"),
        Delivered => ("delivered", "Delivered"),
        Opened => ("opened", "Opened"),
        Clicked => ("clicked", "Clicked"),
        Deferred => ("deferred", "Delayed by the receiving server"),
        Bounced => ("bounced", "Bounced"),
        Dropped => ("dropped", "Dropped by the provider"),
        SpamReport => ("spam_report", "Marked as spam"),
        Failed => ("failed", "Failed"),
        Refused => ("refused", "Not sent"),
        /// Written by the server for the agent to review (a due follow-up's email): never sent
        /// as it is. Sending it queues a new message with the agent's edits.
        Draft => ("draft", "Ready to send"),
    }
}

choice_enum! {
    /// Something a provider (or the server) reported about a message.
    pub enum MessageEventKind as "message event" {
        Accepted => ("accepted", "Accepted by the provider"),
        Delivered => ("delivered", "Delivered"),
        Opened => ("opened", "Opened"),
        Clicked => ("clicked", "Link clicked"),
        Deferred => ("deferred", "Delayed"),
        Bounced => ("bounced", "Bounced"),
        Dropped => ("dropped", "Dropped"),
        SpamReport => ("spam_report", "Marked as spam"),
        Unsubscribed => ("unsubscribed", "Unsubscribed"),
        Failed => ("failed", "Failed"),
    }
}

impl MessageStatus {
    /// A status no later event changes (a bounce after a click is still reported as an event,
    /// but the message stays where it ended).
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            MessageStatus::Bounced
                | MessageStatus::Dropped
                | MessageStatus::SpamReport
                | MessageStatus::Failed
                | MessageStatus::Refused
        )
    }

    /// How far along the happy path (`queued → sending → sent → delivered → opened → clicked`)
    /// a status is; `None` for the others.
    const fn progress(self) -> Option<u8> {
        match self {
            MessageStatus::Queued => Some(0),
            MessageStatus::Sending => Some(1),
            MessageStatus::Sent | MessageStatus::Deferred => Some(2),
            MessageStatus::Delivered => Some(3),
            MessageStatus::Opened => Some(4),
            MessageStatus::Clicked => Some(5),
            _ => None,
        }
    }

    /// The status after `event`. Events arrive out of order and repeat (webhooks are retried,
    /// an open can be reported after a click), so the happy path only moves forward, a final
    /// status never moves, and a failure ends any status that is not final. A deferral only
    /// shows while nothing better is known.
    pub fn after(self, event: MessageEventKind) -> MessageStatus {
        // A draft went nowhere: nothing a provider says is about it.
        if self.is_final() || self == MessageStatus::Draft {
            return self;
        }
        let next = match event {
            MessageEventKind::Accepted => MessageStatus::Sent,
            MessageEventKind::Delivered => MessageStatus::Delivered,
            MessageEventKind::Opened => MessageStatus::Opened,
            MessageEventKind::Clicked => MessageStatus::Clicked,
            MessageEventKind::Deferred => MessageStatus::Deferred,
            MessageEventKind::Bounced => return MessageStatus::Bounced,
            MessageEventKind::Dropped => return MessageStatus::Dropped,
            MessageEventKind::SpamReport => return MessageStatus::SpamReport,
            MessageEventKind::Failed => return MessageStatus::Failed,
            // Consent changes; the message itself went where it went.
            MessageEventKind::Unsubscribed => return self,
        };
        match (self.progress(), next.progress()) {
            (Some(now), Some(then)) if then > now => next,
            // Sent, then held up by the receiving server: say so until it is delivered.
            _ if self == MessageStatus::Sent && next == MessageStatus::Deferred => next,
            _ => self,
        }
    }
}

/// A message as the composer sends it. Untrusted until validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageInput {
    pub contact: ContactId,
    pub channel: MessageChannel,
    #[serde(default = "one_to_one")]
    pub purpose: MessagePurpose,
    /// The email address or phone number it goes to (one of the contact's, or typed).
    pub to: String,
    /// Email only.
    #[serde(default)]
    pub subject: Option<String>,
    /// The text (an email's plain-text part).
    pub body: String,
    /// Email only: the HTML part, if the message has one.
    #[serde(default)]
    pub body_html: Option<String>,
    /// The follow-up task it answers, if any (sending completes it).
    #[serde(default)]
    pub task: Option<TaskId>,
}

fn one_to_one() -> MessagePurpose {
    MessagePurpose::OneToOne
}

impl MessageInput {
    /// An email needs a valid address, a subject (≤ 200) and a body (≤ 100,000; HTML part ≤
    /// 500,000); a text needs a valid number and a body of at most 1,600 characters (ten
    /// segments), and has no subject or HTML part.
    pub fn validate(&self) -> Result<Valid<MessageInput>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let to = self.to.trim().to_owned();
        let (subject, body, body_html) = match self.channel {
            MessageChannel::Email => {
                if to.is_empty() {
                    errors.push("to", "Enter the email address to send to.");
                } else if let Err(problem) = check_email(&to) {
                    errors.push("to", problem);
                }
                let subject = Text::line("a subject", SUBJECT_MAX_CHARS).required(
                    &mut errors,
                    "subject",
                    self.subject.as_deref().unwrap_or_default(),
                );
                let body = Text::multiline("a message", EMAIL_BODY_MAX_CHARS).required(
                    &mut errors,
                    "body",
                    &self.body,
                );
                let html = self
                    .body_html
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty());
                if html.is_some_and(|h| h.chars().count() > EMAIL_HTML_MAX_CHARS) {
                    errors.push(
                        "body_html",
                        format!(
                            "The formatted message can be at most {EMAIL_HTML_MAX_CHARS} \
                             characters, markup included."
                        ),
                    );
                }
                (Some(subject), body, html.map(str::to_owned))
            }
            MessageChannel::Sms => {
                if to.is_empty() {
                    errors.push("to", "Enter the phone number to text.");
                } else if let Err(problem) = check_phone(&to) {
                    errors.push("to", problem);
                }
                if self
                    .subject
                    .as_deref()
                    .is_some_and(|s| !s.trim().is_empty())
                {
                    errors.push("subject", "A text message has no subject; leave it empty.");
                }
                if self
                    .body_html
                    .as_deref()
                    .is_some_and(|h| !h.trim().is_empty())
                {
                    errors.push("body_html", "A text message is plain text only.");
                }
                let body = Text::multiline("a message", SMS_BODY_MAX_CHARS).required(
                    &mut errors,
                    "body",
                    &self.body,
                );
                (None, body, None)
            }
        };
        errors.into_valid(MessageInput {
            to,
            subject,
            body,
            body_html,
            ..self.clone()
        })
    }
}

/// One provider (or server) report about a message: the seed's email log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEvent {
    pub at: DateTime<Utc>,
    pub kind: MessageEventKind,
    /// The link followed, for a click.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The provider's id for the event (SendGrid's `sg_event_id`), so a retried webhook is
    /// applied once.
    #[serde(default)]
    pub provider_event: Option<String>,
}

/// What the server wrote back: where the message stands and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageResult {
    pub status: MessageStatus,
    /// Why it was refused or failed, in words for people ("No SMS consent: revoked by STOP").
    #[serde(default)]
    pub reason: Option<String>,
    /// The provider's id for the sent message (SMTP Message-ID, SendGrid or Twilio id).
    #[serde(default)]
    pub provider_id: Option<String>,
    /// Send attempts the server made (a transient failure is retried at most three times).
    #[serde(default)]
    pub attempts: u32,
    /// When `status` was last set; `None` while queued.
    #[serde(default)]
    pub status_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub events: Vec<MessageEvent>,
}

impl MessageResult {
    /// A message nobody has taken yet.
    pub fn queued() -> Self {
        MessageResult {
            status: MessageStatus::Queued,
            reason: None,
            provider_id: None,
            attempts: 0,
            status_at: None,
            events: Vec::new(),
        }
    }

    /// Records `event` (once: an event with a provider id already kept is ignored) and moves
    /// the status by [`MessageStatus::after`]. Returns whether anything changed.
    pub fn apply(&mut self, event: MessageEvent) -> bool {
        if let Some(id) = &event.provider_event {
            if self
                .events
                .iter()
                .any(|e| e.provider_event.as_ref() == Some(id))
            {
                return false;
            }
        }
        let next = self.status.after(event.kind);
        if next != self.status {
            self.status = next;
            self.status_at = Some(event.at);
        }
        self.events.push(event);
        if self.events.len() > EVENTS_MAX {
            // Repeated opens and clicks are what grows; the oldest of them go first.
            if let Some(i) = self.events.iter().position(|e| {
                matches!(e.kind, MessageEventKind::Opened | MessageEventKind::Clicked)
            }) {
                self.events.remove(i);
            } else {
                self.events.remove(0);
            }
        }
        true
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: MessageId,
    pub contact: ContactId,
    pub channel: MessageChannel,
    pub purpose: MessagePurpose,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub body_html: Option<String>,
    pub task: Option<TaskId>,
    /// The agent who wrote it (whose name and signature it goes out with).
    pub written_by: UserId,
    /// Written by the server only.
    pub result: MessageResult,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

soft_delete_by_field!(Message);

impl Message {
    /// A new, queued message from a validated input. The engine mints the id and passes the
    /// time in.
    pub fn create(
        id: MessageId,
        input: Valid<MessageInput>,
        written_by: UserId,
        at: DateTime<Utc>,
    ) -> Self {
        let input = input.into_inner();
        Message {
            id,
            contact: input.contact,
            channel: input.channel,
            purpose: input.purpose,
            to: input.to,
            subject: input.subject,
            body: input.body,
            body_html: input.body_html,
            task: input.task,
            written_by,
            result: MessageResult::queued(),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
