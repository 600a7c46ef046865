//! The contact screen's Email and Text tabs: drafts kept across tabs, the model's verdict under
//! each input before anything is queued, the consent warning, and the messages on the timeline.

use super::*;
use crate::state::contacts::tests::contact_id;
use chrono::TimeZone;
use fieldstone_model::{
    Consent, Contact, ContactInput, ContactLabel, EmailEntry, FieldError, MessagePurpose,
    MessageStatus, PhoneEntry, UserId,
};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, hour, 0, 0)
        .single()
        .expect("time")
}

fn here() -> Here {
    Here {
        now: at(9),
        local: Local::UTC,
        time_zone: "UTC".into(),
    }
}

/// Ada, with an email address and a phone, and the consents given.
fn ada(consent: fieldstone_model::Consents) -> Box<ContactDetail> {
    let owner: UserId = "00000000-0000-4000-9000-000000000001".parse().expect("id");
    let input = ContactInput {
        given_name: "Ada".into(),
        emails: vec![EmailEntry {
            address: "ada@example.com".into(),
            label: ContactLabel::Home,
            primary: true,
        }],
        phones: vec![PhoneEntry {
            number: "+1 415 555 0100".into(),
            label: ContactLabel::Mobile,
            primary: true,
        }],
        consent,
        ..ContactInput::default()
    }
    .validate()
    .expect("valid");
    Box::new(ContactDetail {
        contact: Contact::create(contact_id(1), input, owner, at(8)),
        conflicts: vec![],
        next_task: None,
        score: None,
        follow_ups_open: 0,
    })
}

fn loaded(consent: fieldstone_model::Consents) -> Rc<DetailState> {
    Rc::new(DetailState::new(
        contact_id(1),
        NaiveDate::from_ymd_opt(2026, 11, 3).expect("date"),
        8,
    ))
    .reduce(DetailAction::Loaded {
        request: 1,
        detail: ada(consent),
    })
}

fn set(state: Rc<DetailState>, name: &str, value: &str) -> Rc<DetailState> {
    state.reduce(DetailAction::ComposerSet(
        name.into(),
        value.into(),
        Local::UTC,
    ))
}

fn tab(state: Rc<DetailState>, kind: ComposerKind) -> Rc<DetailState> {
    state.reduce(DetailAction::Compose(kind, Local::UTC))
}

fn summary(id: u32, status: MessageStatus, hour: u32) -> MessageSummary {
    MessageSummary {
        id: format!("00000000-0000-4000-8000-00000000e{id:03}")
            .parse()
            .expect("id"),
        contact: contact_id(1),
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: "ada@example.com".into(),
        subject: Some("Homes".into()),
        preview: "Hi Ada".into(),
        status,
        reason: None,
        status_at: None,
        created_at: at(hour),
        deleted_at: None,
    }
}

#[test]
fn the_to_of_both_tabs_is_the_contacts_own() {
    let state = loaded(Default::default());
    assert_eq!(state.composer.message.email_to, "ada@example.com");
    assert_eq!(state.composer.message.sms_to, "+1 415 555 0100");
    assert_eq!(state.recipients.emails.len(), 1);
}

#[test]
fn switching_tabs_keeps_every_draft() {
    let state = loaded(Default::default());
    let state = tab(state, ComposerKind::Email);
    let state = set(state, "subject", "Three homes");
    let state = set(state, "email_body", "Hi Ada");
    let state = tab(state, ComposerKind::Text);
    let state = set(state, "sms_body", "Running late");
    let state = tab(state, ComposerKind::Note);
    let state = set(state, "body", "Likes gardens");
    let state = tab(state, ComposerKind::Email);
    assert_eq!(state.composer.kind, ComposerKind::Email);
    assert_eq!(state.composer.message.subject, "Three homes");
    assert_eq!(state.composer.message.email_body, "Hi Ada");
    assert_eq!(state.composer.message.sms_body, "Running late");
    assert_eq!(state.composer.body, "Likes gardens", "the note's own text");
}

#[test]
fn a_bad_message_is_refused_on_the_device_field_by_field() {
    let state = tab(loaded(Default::default()), ComposerKind::Email);
    let state = set(state, "email_to", "not an address");
    let state = state.reduce(DetailAction::Submit(here()));
    assert_eq!(state.run, None, "nothing queued");
    assert!(state.composer_errors.get("email_to").is_some());
    assert!(state.composer_errors.get("subject").is_some());
    assert!(state.composer_errors.get("email_body").is_some());
    // Editing a field takes its message away, the others stay.
    let state = set(state, "subject", "Homes");
    assert_eq!(state.composer_errors.get("subject"), None);
    assert!(state.composer_errors.get("email_to").is_some());

    let state = tab(state, ComposerKind::Text);
    assert!(state.composer_errors.is_empty(), "another tab starts clean");
    let state = set(state, "sms_body", &"a".repeat(1_601));
    let state = state.reduce(DetailAction::Submit(here()));
    assert!(state
        .composer_errors
        .get("sms_body")
        .is_some_and(|m| m.contains("1600")));
}

#[test]
fn an_email_is_queued_once_then_its_text_goes_and_the_screen_reloads() {
    let state = tab(loaded(Default::default()), ComposerKind::Email);
    let state = set(state, "subject", "Three homes");
    let state = set(state, "email_body", "Hi Ada");
    let state = state.reduce(DetailAction::Submit(here()));
    let Some(ComposerRun {
        input: ComposerInput::Message(input),
        ..
    }) = state.run.clone()
    else {
        panic!("a message to queue: {:?}", state.run);
    };
    assert_eq!(input.to, "ada@example.com");
    assert_eq!(input.purpose, MessagePurpose::OneToOne);
    let queued = summary(7, MessageStatus::Queued, 9).id;
    let state = state.reduce(DetailAction::Composed(Ok(Composed::Message(
        MessageChannel::Email,
        queued,
    ))));
    assert_eq!(state.composer.message.subject, "");
    assert_eq!(state.composer.message.email_to, "ada@example.com");
    assert!(state
        .message
        .as_deref()
        .is_some_and(|m| m.starts_with("Email queued")));
    assert_eq!(state.request, 2);
    assert_eq!(state.undo, Some(queued), "undo beside the sentence");

    // Undone from the composer: withdrawn, and said so.
    let undone = Rc::clone(&state)
        .reduce(DetailAction::Withdraw(queued))
        .reduce(DetailAction::Withdrawn(Ok(())));
    assert_eq!(
        undone.message.as_deref(),
        Some("Withdrawn: it will not be sent.")
    );
    assert_eq!(undone.undo, None);
    // Typing on goes past the sentence, and its undo with it.
    let typing = set(state, "subject", "Next");
    assert_eq!((typing.message.as_deref(), typing.undo), (None, None));
}

#[test]
fn the_engines_refusal_of_a_message_lands_under_its_input() {
    let state = tab(loaded(Default::default()), ComposerKind::Text);
    let state = set(state, "sms_body", "Running late");
    let state = state.reduce(DetailAction::Submit(here()));
    let state = state.reduce(DetailAction::Composed(Err(CommandError {
        code: CommandErrorCode::Validation,
        message: "Check the message.".into(),
        fields: vec![FieldError {
            field: "to".into(),
            message: "Enter the phone number to text.".into(),
        }],
        detail: None,
    })));
    assert_eq!(
        state.composer_errors.get("sms_to"),
        Some("Enter the phone number to text.")
    );
}

#[test]
fn a_revoked_consent_warns_before_sending_on_that_channel_only() {
    let said_no = fieldstone_model::Consents {
        email: Consent::denied("unsubscribed", at(7)),
        ..Default::default()
    };
    let state = loaded(said_no);
    assert_eq!(state.composer_refusal(), None, "a note needs no consent");
    let state = tab(state, ComposerKind::Email);
    let refusal = state.composer_refusal().expect("a warning");
    assert_eq!(
        refusal.reason,
        "The contact said no to email (unsubscribed)."
    );
    let state = tab(state, ComposerKind::Text);
    assert_eq!(state.composer_refusal(), None);
    assert_eq!(
        tab(loaded(Default::default()), ComposerKind::Email).composer_refusal(),
        None,
        "never asked: one-to-one email goes out"
    );
}

#[test]
fn messages_follow_the_generation_and_a_withdrawal_reloads() {
    let state = loaded(Default::default());
    let stale = Rc::clone(&state).reduce(DetailAction::MessagesLoaded {
        request: 0,
        result: Ok(vec![summary(1, MessageStatus::Queued, 9)]),
    });
    assert!(Rc::ptr_eq(&state, &stale));
    let state = state.reduce(DetailAction::MessagesLoaded {
        request: 1,
        result: Ok(vec![summary(1, MessageStatus::Queued, 9)]),
    });
    assert_eq!(state.messages.list.len(), 1);
    let id = state.messages.list[0].id;
    let state = state.reduce(DetailAction::Withdraw(id));
    assert_eq!(state.messages.withdraw.map(|(_, m)| m), Some(id));
    let twice = Rc::clone(&state).reduce(DetailAction::Withdraw(id));
    assert!(Rc::ptr_eq(&state, &twice), "one withdrawal at a time");
    let state = state.reduce(DetailAction::Withdrawn(Ok(())));
    assert_eq!(state.messages.withdraw, None);
    assert_eq!(state.request, 2, "the timeline shows it withdrawn");

    let refused = state
        .reduce(DetailAction::Withdraw(id))
        .reduce(DetailAction::Withdrawn(Err("Already sent.".into())));
    assert_eq!(
        refused.messages.withdraw_error,
        Some((id, "Already sent.".to_owned()))
    );
    assert_eq!(refused.request, 2);
}

#[test]
fn an_opened_message_is_read_again_when_sync_brings_news() {
    let state = loaded(Default::default()).reduce(DetailAction::MessagesLoaded {
        request: 1,
        result: Ok(vec![summary(1, MessageStatus::Sent, 9)]),
    });
    let id = state.messages.list[0].id;
    let state = state.reduce(DetailAction::ToggleMessage(id));
    let (first, read) = state.messages.fetch.expect("a read");
    assert_eq!(read, id);
    let state = state.reduce(DetailAction::Reload);
    let (second, _) = state.messages.fetch.expect("read again");
    assert!(second > first);
    let stale = Rc::clone(&state).reduce(DetailAction::MessageRead {
        seq: first,
        result: Err("old".into()),
    });
    assert!(Rc::ptr_eq(&state, &stale));
    let closed = state.reduce(DetailAction::ToggleMessage(id));
    assert_eq!(closed.messages.open, None);
    assert_eq!(closed.messages.fetch, None);
}
