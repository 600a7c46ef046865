use super::*;
use crate::choice::assert_choice_names;
use crate::test_support::{assert_json_round_trip, at, user, uuid};

fn email() -> MessageInput {
    MessageInput {
        contact: ContactId::from_uuid(uuid(1)),
        channel: MessageChannel::Email,
        purpose: MessagePurpose::OneToOne,
        to: " ada@example.com ".into(),
        subject: Some("  Homes near the park ".into()),
        body: "Hi Ada,\n\nThree homes fit what you asked for.\n".into(),
        body_html: None,
        task: None,
    }
}

fn text() -> MessageInput {
    MessageInput {
        channel: MessageChannel::Sms,
        to: "+1 555 010 2030".into(),
        subject: None,
        body: "Open house at 12 Elm St on Saturday, 1-3pm.".into(),
        ..email()
    }
}

fn fields(input: &MessageInput) -> Vec<String> {
    match input.validate() {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.into_iter().map(|e| e.field).collect(),
    }
}

fn event(kind: MessageEventKind, id: Option<&str>) -> MessageEvent {
    MessageEvent {
        at: at(2026, 12, 6, 10, 0),
        kind,
        url: None,
        user_agent: None,
        provider_event: id.map(str::to_owned),
    }
}

#[test]
fn an_email_is_trimmed_and_kept_whole() {
    let valid = email().validate().expect("valid").into_inner();
    assert_eq!(valid.to, "ada@example.com");
    assert_eq!(valid.subject.as_deref(), Some("Homes near the park"));
    assert!(valid.body.starts_with("Hi Ada,\n\nThree"));
}

#[test]
fn an_email_needs_a_valid_address_a_subject_and_a_body() {
    let input = MessageInput {
        to: "ada at example".into(),
        subject: Some("   ".into()),
        body: "".into(),
        ..email()
    };
    assert_eq!(fields(&input), ["to", "subject", "body"]);
    let missing = MessageInput {
        to: " ".into(),
        ..email()
    };
    let errors = missing.validate().expect_err("no address");
    assert_eq!(errors.0[0].message, "Enter the email address to send to.");
}

#[test]
fn limits_are_named_in_the_message() {
    let long = MessageInput {
        subject: Some("s".repeat(SUBJECT_MAX_CHARS + 1)),
        body_html: Some("<p>".repeat(EMAIL_HTML_MAX_CHARS)),
        ..email()
    };
    let errors = long.validate().expect_err("too long");
    let messages: Vec<_> = errors.0.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "A subject can be at most 200 characters.",
            "The formatted message can be at most 500000 characters, markup included."
        ]
    );
    let sms = MessageInput {
        body: "x".repeat(SMS_BODY_MAX_CHARS + 1),
        ..text()
    };
    assert_eq!(
        sms.validate().expect_err("too long").0[0].message,
        "A message can be at most 1600 characters."
    );
    let at_limit = MessageInput {
        body: "x".repeat(SMS_BODY_MAX_CHARS),
        ..text()
    };
    assert!(at_limit.validate().is_ok());
}

#[test]
fn a_text_needs_a_number_and_has_no_subject_or_markup() {
    assert!(text().validate().is_ok());
    let input = MessageInput {
        to: "call me".into(),
        subject: Some("Hello".into()),
        body_html: Some("<b>hi</b>".into()),
        ..text()
    };
    assert_eq!(fields(&input), ["to", "subject", "body_html"]);
    // An empty subject from a form that always sends the field is fine.
    let blank_subject = MessageInput {
        subject: Some(" ".into()),
        ..text()
    };
    let valid = blank_subject.validate().expect("valid").into_inner();
    assert_eq!(valid.subject, None);
}

#[test]
fn control_characters_are_refused_in_the_subject() {
    let input = MessageInput {
        subject: Some("Hi\u{7}".into()),
        ..email()
    };
    assert_eq!(fields(&input), ["subject"]);
}

#[test]
fn a_new_message_is_queued_and_round_trips() {
    let valid = email().validate().expect("valid");
    let message = Message::create(
        MessageId::from_uuid(uuid(9)),
        valid,
        user(2),
        at(2026, 12, 6, 9, 0),
    );
    assert_eq!(message.result, MessageResult::queued());
    assert_eq!(message.result.status.label(), "Waits to be sent");
    assert_json_round_trip(&message);
}

#[test]
fn the_happy_path_only_moves_forward() {
    use MessageEventKind as E;
    use MessageStatus as S;
    assert_eq!(S::Queued.after(E::Accepted), S::Sent);
    assert_eq!(S::Sent.after(E::Delivered), S::Delivered);
    assert_eq!(S::Delivered.after(E::Opened), S::Opened);
    assert_eq!(S::Opened.after(E::Clicked), S::Clicked);
    // Late or repeated events do not move it back.
    assert_eq!(S::Clicked.after(E::Opened), S::Clicked);
    assert_eq!(S::Opened.after(E::Delivered), S::Opened);
    assert_eq!(S::Delivered.after(E::Accepted), S::Delivered);
    // A click implies the open that a blocked pixel never reported.
    assert_eq!(S::Delivered.after(E::Clicked), S::Clicked);
}

#[test]
fn a_deferral_shows_until_delivery_and_failures_are_final() {
    use MessageEventKind as E;
    use MessageStatus as S;
    assert_eq!(S::Sent.after(E::Deferred), S::Deferred);
    assert_eq!(S::Deferred.after(E::Accepted), S::Deferred);
    assert_eq!(S::Deferred.after(E::Delivered), S::Delivered);
    assert_eq!(S::Delivered.after(E::Deferred), S::Delivered);
    assert_eq!(S::Opened.after(E::Bounced), S::Bounced);
    assert_eq!(S::Sending.after(E::Failed), S::Failed);
    for last in [S::Bounced, S::Dropped, S::SpamReport, S::Failed, S::Refused] {
        assert!(last.is_final());
        for kind in MessageEventKind::ALL {
            assert_eq!(last.after(kind), last, "{last:?} moved by {kind:?}");
        }
    }
    assert_eq!(S::Delivered.after(E::Unsubscribed), S::Delivered);
}

#[test]
fn an_event_is_applied_once_and_old_opens_make_room() {
    let mut result = MessageResult::queued();
    assert!(result.apply(event(MessageEventKind::Accepted, None)));
    assert!(result.apply(event(MessageEventKind::Delivered, Some("sg-1"))));
    assert_eq!(result.status, MessageStatus::Delivered);
    assert_eq!(result.status_at, Some(at(2026, 12, 6, 10, 0)));
    // The same webhook event again changes nothing.
    assert!(!result.apply(event(MessageEventKind::Delivered, Some("sg-1"))));
    assert_eq!(result.events.len(), 2);
    for n in 0..EVENTS_MAX {
        result.apply(event(MessageEventKind::Opened, Some(&format!("open-{n}"))));
    }
    assert_eq!(result.events.len(), EVENTS_MAX);
    // The delivery and acceptance are kept; the oldest opens went.
    assert_eq!(result.events[0].kind, MessageEventKind::Accepted);
    assert_eq!(result.events[1].kind, MessageEventKind::Delivered);
    assert_eq!(result.events[2].provider_event.as_deref(), Some("open-2"));
    assert_eq!(result.status, MessageStatus::Opened);
}

#[test]
fn machine_names_are_stable() {
    assert_choice_names::<MessageChannel>();
    assert_choice_names::<MessagePurpose>();
    assert_choice_names::<MessageStatus>();
    assert_choice_names::<MessageEventKind>();
    let names: Vec<_> = MessageStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "queued",
            "sending",
            "sent",
            "delivered",
            "opened",
            "clicked",
            "deferred",
            "bounced",
            "dropped",
            "spam_report",
            "failed",
            "refused",
            "draft",
        ]
    );
}
