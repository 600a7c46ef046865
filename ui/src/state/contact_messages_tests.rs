//! Status chips, the offline wording, and messages merged into the timeline in time order.

use super::*;
use crate::state::contacts::tests::contact_id;
use chrono::{DateTime, TimeZone, Utc};
use fieldstone_model::{MessageChannel, MessagePurpose, NoteId, RecordRef};
use fieldstone_protocol::views::NoteSummary;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, hour, 0, 0)
        .single()
        .expect("time")
}

fn message(n: u32, status: MessageStatus, hour: u32) -> MessageSummary {
    MessageSummary {
        id: format!("00000000-0000-4000-8000-00000000e{n:03}")
            .parse()
            .expect("id"),
        contact: contact_id(1),
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: "ada@example.com".into(),
        subject: Some("Homes".into()),
        preview: "Hi".into(),
        status,
        reason: None,
        status_at: None,
        created_at: at(hour),
        deleted_at: None,
    }
}

fn note(n: u32, hour: u32) -> TimelineEntry {
    TimelineEntry::Note(NoteSummary {
        id: format!("00000000-0000-4000-8000-00000000a{n:03}")
            .parse::<NoteId>()
            .expect("id"),
        record: RecordRef::Contact(contact_id(1)),
        author: "00000000-0000-4000-9000-000000000001".parse().expect("id"),
        pinned: false,
        preview: format!("note {n}"),
        created_at: at(hour),
        updated_at: at(hour),
        deleted_at: None,
    })
}

#[test]
fn every_status_has_its_tone() {
    use MessageStatus as S;
    for status in S::ALL {
        let tone = Tone::of(status);
        let expected = match status {
            S::Queued | S::Sending | S::Draft => Tone::Neutral,
            S::Sent | S::Delivered | S::Opened | S::Clicked => Tone::Positive,
            S::Deferred => Tone::Warning,
            S::Bounced | S::Dropped | S::SpamReport | S::Failed | S::Refused => Tone::Danger,
        };
        assert_eq!(tone, expected, "{status:?}");
    }
    assert_eq!(Tone::Danger.key(), "danger");
}

fn delivery(state: SyncState, pending: u64, synced_hour: Option<u32>) -> Delivery {
    Delivery::of(Some(&SyncStatus {
        state,
        pending,
        last_synced_at: synced_hour.map(at),
        detail: String::new(),
        remote_revision: 0,
        progress: None,
    }))
}

#[test]
fn a_queued_message_waits_for_a_connection_only_while_it_is_on_the_device() {
    let queued = message(1, MessageStatus::Queued, 9);
    let online = delivery(SyncState::UpToDate, 0, Some(10));
    assert_eq!(Chip::of(&queued, &online).label, "Waits to be sent");
    assert_eq!(Chip::of(&queued, &online).key, "queued");
    // Written at 9:00, synced at 8:00, then offline with changes waiting: still here.
    let offline = delivery(SyncState::Offline, 1, Some(8));
    assert_eq!(Chip::of(&queued, &offline).label, "Waits for a connection");
    // Synced at 10:00, after it was written: the server has it, offline or not.
    let reached = delivery(SyncState::Offline, 1, Some(10));
    assert_eq!(Chip::of(&queued, &reached).label, "Waits to be sent");
    let never = delivery(SyncState::Offline, 1, None);
    assert_eq!(Chip::of(&queued, &never).label, "Waits for a connection");
    let nothing_waits = delivery(SyncState::Offline, 0, None);
    assert_eq!(Chip::of(&queued, &nothing_waits).label, "Waits to be sent");
    // Local only: nothing leaves the device.
    let local = delivery(SyncState::LocalOnly, 0, None);
    assert_eq!(Chip::of(&queued, &local).label, "Waits for a connection");
    assert_eq!(
        Chip::of(&queued, &Delivery::of(None)).label,
        "Waits for a connection"
    );
    let sent = message(2, MessageStatus::Opened, 9);
    assert_eq!(Chip::of(&sent, &offline).label, "Opened");
    let mut withdrawn = queued.clone();
    withdrawn.deleted_at = Some(at(10));
    let chip = Chip::of(&withdrawn, &online);
    assert_eq!((chip.label, chip.key), ("Withdrawn", "withdrawn"));
    assert!(withdrawable(&queued));
    assert!(!withdrawable(&withdrawn));
    assert!(!withdrawable(&sent));
}

#[test]
fn connected_means_syncing_or_up_to_date() {
    let status = |state| SyncStatus {
        state,
        pending: 0,
        last_synced_at: None,
        detail: String::new(),
        remote_revision: 0,
        progress: None,
    };
    assert!(!connected(None));
    assert!(connected(Some(&status(SyncState::UpToDate))));
    assert!(connected(Some(&status(SyncState::Syncing))));
    assert!(!connected(Some(&status(SyncState::Offline))));
    assert!(!connected(Some(&status(SyncState::LocalOnly))));
}

#[test]
fn messages_take_their_place_among_the_entries_by_time() {
    let entries = vec![note(1, 12), note(2, 8)];
    let messages = vec![
        message(1, MessageStatus::Sent, 10),
        message(2, MessageStatus::Queued, 6),
    ];
    let order: Vec<String> = merge(&entries, &messages, false)
        .into_iter()
        .map(|item| match item {
            Item::Entry(e) => format!("entry {}", e.at().format("%H")),
            Item::Message(m) => format!("message {}", m.created_at.format("%H")),
        })
        .collect();
    assert_eq!(order, ["entry 12", "message 10", "entry 08", "message 06"]);
    // Older pages still to come: the 06:00 message waits for them.
    assert_eq!(merge(&entries, &messages, true).len(), 3);
    // No entries at all: every message shows.
    assert_eq!(merge(&[], &messages, false).len(), 2);
}

#[test]
fn a_read_for_a_closed_or_older_open_is_dropped() {
    let mut messages = ContactMessages::default();
    let id = message(1, MessageStatus::Sent, 9).id;
    messages.toggle(id);
    let (seq, _) = messages.fetch.expect("a read");
    assert!(!messages.fetched(seq + 1, Err("x".into())));
    assert!(messages.fetched(seq, Err("The disk is busy.".into())));
    assert_eq!(messages.full_error.as_deref(), Some("The disk is busy."));
}
