//! The Email and Text drafts: recipients, the model's verdict under each input, the live SMS
//! length and the consent the server will check.

use super::*;
use crate::state::contacts::tests::contact_id;
use chrono::{TimeZone, Utc};
use fieldstone_model::{Consent, ContactInput, ContactLabel, EmailEntry, PhoneEntry, UserId};

fn contact(emails: &[(&str, ContactLabel, bool)], phones: &[(&str, bool)]) -> Contact {
    let owner: UserId = "00000000-0000-4000-9000-000000000001".parse().expect("id");
    let input = ContactInput {
        given_name: "Ada".into(),
        emails: emails
            .iter()
            .map(|(address, label, primary)| EmailEntry {
                address: (*address).into(),
                label: *label,
                primary: *primary,
            })
            .collect(),
        phones: phones
            .iter()
            .map(|(number, primary)| PhoneEntry {
                number: (*number).into(),
                label: ContactLabel::Mobile,
                primary: *primary,
            })
            .collect(),
        ..ContactInput::default()
    }
    .validate()
    .expect("valid");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 3, 9, 0, 0)
        .single()
        .expect("t");
    Contact::create(contact_id(1), input, owner, at)
}

#[test]
fn the_primary_address_comes_first_and_fills_an_empty_to() {
    let ada = contact(
        &[
            ("ada@home.example", ContactLabel::Home, false),
            ("ada@work.example", ContactLabel::Work, true),
        ],
        &[("+1 415 555 0100", false)],
    );
    let recipients = Recipients::of(&ada);
    assert_eq!(recipients.emails[0].to, "ada@work.example");
    assert_eq!(recipients.emails[0].label, "Work");
    assert_eq!(recipients.emails[1].to, "ada@home.example");
    let mut draft = MessageDraft::default();
    draft.address(&recipients, &Recipients::default());
    assert_eq!(draft.email_to, "ada@work.example");
    assert_eq!(draft.sms_to, "+1 415 555 0100");

    // Choosing another of hers sticks when the contact loads again.
    draft.set("email_to", "ada@home.example".into());
    draft.address(&recipients, &recipients);
    assert_eq!(draft.email_to, "ada@home.example");
    // A typed address stays too; one removed from the contact is replaced by the primary.
    draft.set("email_to", "partner@example.com".into());
    draft.address(&recipients, &recipients);
    assert_eq!(draft.email_to, "partner@example.com");
    let fewer = Recipients::of(&contact(
        &[("ada@work.example", ContactLabel::Work, true)],
        &[],
    ));
    draft.set("email_to", "ada@home.example".into());
    draft.address(&fewer, &recipients);
    assert_eq!(draft.email_to, "ada@work.example");
    assert_eq!(draft.sms_to, "", "no phone left: nothing to text");
}

#[test]
fn an_email_is_one_to_one_with_its_subject() {
    let mut draft = MessageDraft::default();
    draft.set("email_to", " ada@example.com ".into());
    draft.set("subject", "Three homes for you".into());
    draft.set("email_body", "Hi Ada,\nhere they are.".into());
    let input = draft
        .message(contact_id(1), MessageChannel::Email)
        .expect("valid");
    assert_eq!(input.to, "ada@example.com");
    assert_eq!(input.purpose, MessagePurpose::OneToOne);
    assert_eq!(input.subject.as_deref(), Some("Three homes for you"));
    assert_eq!(input.channel, MessageChannel::Email);
    draft.clear(MessageChannel::Email);
    assert_eq!(draft.subject, "");
    assert_eq!(draft.email_body, "");
    assert_eq!(draft.email_to, " ada@example.com ", "the recipient stays");
}

#[test]
fn every_bad_field_is_refused_under_its_own_input() {
    let mut draft = MessageDraft::default();
    draft.set("email_to", "ada.example.com".into());
    let errors = draft
        .message(contact_id(1), MessageChannel::Email)
        .expect_err("refused");
    assert!(errors.get("email_to").is_some(), "{errors:?}");
    assert!(errors.get("subject").is_some(), "{errors:?}");
    assert!(errors.get("email_body").is_some(), "{errors:?}");
    assert_eq!(errors.banner, None);

    draft.set("sms_to", "555-CALL-NOW".into());
    draft.set("sms_body", "x".repeat(SMS_BODY_MAX_CHARS + 1));
    let errors = draft
        .message(contact_id(1), MessageChannel::Sms)
        .expect_err("refused");
    assert!(errors.get("sms_to").is_some(), "{errors:?}");
    let body = errors.get("sms_body").expect("the body is too long");
    assert!(body.contains("1600"), "the limit is said: {body}");
    assert_eq!(errors.get("email_to"), None, "only the text's inputs");
}

#[test]
fn a_text_counts_characters_and_segments() {
    let empty = sms_length("");
    assert_eq!((empty.chars, empty.segments), (0, 0));
    let one = sms_length(&"a".repeat(160));
    assert_eq!((one.chars, one.segments, one.gsm), (160, 1, true));
    assert_eq!(one.sentence(), "160 / 1,600 characters · 1 segment");
    // Split, each part carries a header: 153 characters a part.
    assert_eq!(sms_length(&"a".repeat(161)).segments, 2);
    assert_eq!(sms_length(&"a".repeat(306)).segments, 2);
    assert_eq!(sms_length(&"a".repeat(307)).segments, 3);
    // `€` and `[` take two places in the GSM alphabet.
    assert_eq!(sms_length(&"€".repeat(80)).segments, 1);
    assert_eq!(sms_length(&"€".repeat(81)).segments, 2);
    // Anything else makes the whole text Unicode: 70, then 67 a part.
    let unicode = sms_length(&format!("{}✓", "a".repeat(69)));
    assert_eq!((unicode.segments, unicode.gsm), (1, false));
    assert!(unicode.sentence().contains("70 a segment"));
    assert_eq!(sms_length(&format!("{}✓", "a".repeat(70))).segments, 2);
    let over = sms_length(&"a".repeat(SMS_BODY_MAX_CHARS + 50));
    assert!(over.over());
    assert_eq!(
        over.sentence(),
        "1,650 / 1,600 characters: 50 over the limit of 1,600"
    );
}

#[test]
fn a_revoked_consent_warns_with_the_servers_reason() {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
        .single()
        .expect("t");
    let mut consents = Consents::default();
    // Never asked: a one-to-one message goes out (only marketing needs a yes).
    assert_eq!(consent_refusal(&consents, MessageChannel::Email), None);
    assert_eq!(consent_refusal(&consents, MessageChannel::Sms), None);
    consents.email = Consent::denied("unsubscribed", at);
    let refusal = consent_refusal(&consents, MessageChannel::Email).expect("refused");
    assert_eq!(refusal.rule, "consent_revoked");
    assert_eq!(
        refusal.reason,
        "The contact said no to email (unsubscribed)."
    );
    assert_eq!(consent_refusal(&consents, MessageChannel::Sms), None);
}
