//! A contact's outbound messages on its timeline: the list (reloaded with the rest of the
//! screen, so a result the server wrote shows as soon as sync brings it), the one opened to show
//! its provider events, and a withdrawal while a message still waits.
//!
//! Also the words and colours of a message's status chip: the model's label, except that a
//! message still on a device that cannot reach the server "waits for a connection".

use chrono::{DateTime, Utc};
use fieldstone_model::{Message, MessageId, MessageStatus};
use fieldstone_protocol::commands::{SyncState, SyncStatus};
use fieldstone_protocol::views::{MessageSummary, TimelineEntry};
use std::rc::Rc;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactMessages {
    /// Newest first, as the engine lists them (withdrawn ones too).
    pub list: Rc<Vec<MessageSummary>>,
    pub loaded: bool,
    pub error: Option<String>,
    /// The message opened to show its events.
    pub open: Option<MessageId>,
    /// The opened message as stored (with its events), once read.
    pub full: Option<Rc<Message>>,
    /// Why the opened message could not be read.
    pub full_error: Option<String>,
    /// A read of the opened message to run: (seq, id).
    pub fetch: Option<(u64, MessageId)>,
    fetch_seq: u64,
    /// A withdrawal to run: (seq, id).
    pub withdraw: Option<(u64, MessageId)>,
    withdraw_seq: u64,
    /// Why the last withdrawal was refused, next to its message.
    pub withdraw_error: Option<(MessageId, String)>,
}

impl ContactMessages {
    pub fn loaded(&mut self, result: Result<Vec<MessageSummary>, String>) {
        match result {
            Ok(list) => {
                self.list = Rc::new(list);
                self.loaded = true;
                self.error = None;
            }
            Err(message) => self.error = Some(message),
        }
    }

    /// The screen reloads (a write here, or news from sync): the opened message is read again
    /// so its events follow too.
    pub fn reload(&mut self) {
        if let Some(id) = self.open {
            self.fetch_seq += 1;
            self.fetch = Some((self.fetch_seq, id));
        }
    }

    /// Opens `id` (closing any other), or closes it if it is the one open.
    pub fn toggle(&mut self, id: MessageId) {
        if self.open == Some(id) {
            self.open = None;
            self.full = None;
            self.full_error = None;
            self.fetch = None;
            return;
        }
        self.open = Some(id);
        self.full = None;
        self.full_error = None;
        self.reload();
    }

    /// The answer to read `seq`; answers to an older read (or a closed message) are dropped.
    /// Returns whether it was taken.
    pub fn fetched(&mut self, seq: u64, result: Result<Box<Message>, String>) -> bool {
        if self.fetch.map(|(s, _)| s) != Some(seq) {
            return false;
        }
        self.fetch = None;
        match result {
            Ok(message) => {
                self.full = Some(Rc::new(*message));
                self.full_error = None;
            }
            Err(message) => self.full_error = Some(message),
        }
        true
    }

    /// Asks to withdraw `id`, once at a time.
    pub fn withdraw(&mut self, id: MessageId) -> bool {
        if self.withdraw.is_some() {
            return false;
        }
        self.withdraw_seq += 1;
        self.withdraw = Some((self.withdraw_seq, id));
        self.withdraw_error = None;
        true
    }

    pub fn withdrawn(&mut self, result: Result<(), String>) {
        if let (Some((_, id)), Err(message)) = (self.withdraw, result) {
            self.withdraw_error = Some((id, message));
        }
        self.withdraw = None;
    }
}

/// The colour family of a status chip (the stylesheet's neutral, success, warning and danger
/// tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    Positive,
    Warning,
    Danger,
}

impl Tone {
    pub const fn of(status: MessageStatus) -> Tone {
        match status {
            MessageStatus::Queued | MessageStatus::Sending | MessageStatus::Draft => Tone::Neutral,
            MessageStatus::Sent
            | MessageStatus::Delivered
            | MessageStatus::Opened
            | MessageStatus::Clicked => Tone::Positive,
            MessageStatus::Deferred => Tone::Warning,
            MessageStatus::Bounced
            | MessageStatus::Dropped
            | MessageStatus::SpamReport
            | MessageStatus::Failed
            | MessageStatus::Refused => Tone::Danger,
        }
    }

    pub const fn key(self) -> &'static str {
        match self {
            Tone::Neutral => "neutral",
            Tone::Positive => "positive",
            Tone::Warning => "warning",
            Tone::Danger => "danger",
        }
    }
}

/// Whether the device reaches a sync server now: a message it queued can leave.
pub fn connected(sync: Option<&SyncStatus>) -> bool {
    sync.is_some_and(|s| matches!(s.state, SyncState::Syncing | SyncState::UpToDate))
}

/// What the device knows of whether a message it queued has reached the server. It does not
/// track documents one by one: a sync round that ends well has pushed everything written before
/// it, so a message written since the last one, while changes still wait, is still here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// No server at all (local only): nothing leaves the device.
    pub local_only: bool,
    pub connected: bool,
    /// Local changes the server has not accepted yet.
    pub pending: u64,
    pub last_synced_at: Option<DateTime<Utc>>,
}

impl Delivery {
    pub fn of(sync: Option<&SyncStatus>) -> Delivery {
        Delivery {
            local_only: sync.is_none_or(|s| s.state == SyncState::LocalOnly),
            connected: connected(sync),
            pending: sync.map_or(0, |s| s.pending),
            last_synced_at: sync.and_then(|s| s.last_synced_at),
        }
    }

    /// Whether a message written at `at` waits on this device for a connection.
    pub fn waits_here(&self, at: DateTime<Utc>) -> bool {
        if self.local_only {
            return true;
        }
        !self.connected && self.pending > 0 && self.last_synced_at.is_none_or(|synced| at > synced)
    }
}

/// A message's chip: what it says and its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chip {
    pub label: &'static str,
    pub tone: Tone,
    /// The `data-status` it carries (the status's wire name, or `withdrawn`).
    pub key: &'static str,
}

pub const WAITS_FOR_A_CONNECTION: &str = "Waits for a connection";

impl Chip {
    pub fn of(message: &MessageSummary, delivery: &Delivery) -> Chip {
        if message.deleted_at.is_some() {
            return Chip {
                label: "Withdrawn",
                tone: Tone::Neutral,
                key: "withdrawn",
            };
        }
        let label = match message.status {
            MessageStatus::Queued if delivery.waits_here(message.created_at) => {
                WAITS_FOR_A_CONNECTION
            }
            status => status.label(),
        };
        Chip {
            label,
            tone: Tone::of(message.status),
            key: message.status.as_str(),
        }
    }
}

/// Whether the agent may still withdraw the message (the server has not taken it).
pub fn withdrawable(message: &MessageSummary) -> bool {
    message.status == MessageStatus::Queued && message.deleted_at.is_none()
}

/// One line of the timeline: a record from the timeline's pages, or a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item<'a> {
    Entry(&'a TimelineEntry),
    Message(&'a MessageSummary),
}

/// The timeline's entries and the contact's messages in one list, newest first. While older
/// timeline pages are still to load (`more`), messages older than the last entry shown wait
/// for them, so nothing shows out of order.
pub fn merge<'a>(
    entries: &'a [TimelineEntry],
    messages: &'a [MessageSummary],
    more: bool,
) -> Vec<Item<'a>> {
    let oldest = entries.iter().map(TimelineEntry::at).min();
    let mut items: Vec<(DateTime<Utc>, Item<'a>)> = entries
        .iter()
        .map(|e| (e.at(), Item::Entry(e)))
        .chain(
            messages
                .iter()
                .filter(|m| !more || oldest.is_none_or(|o| m.created_at >= o))
                .map(|m| (m.created_at, Item::Message(m))),
        )
        .collect();
    // Stable: entries keep the engine's order among equal times.
    items.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    items.into_iter().map(|(_, item)| item).collect()
}

#[cfg(test)]
#[path = "contact_messages_tests.rs"]
mod tests;
