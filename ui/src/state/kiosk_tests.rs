//! The sign-in screen: typing, the engine's answers, the thank-you and the PIN to leave.

use super::*;
use fieldstone_protocol::commands::CommandErrorCode;

fn reduce(screen: KioskScreen, actions: impl IntoIterator<Item = KioskAction>) -> KioskScreen {
    actions
        .into_iter()
        .fold(Rc::new(screen), Reducible::reduce)
        .as_ref()
        .clone()
}

fn kiosk() -> Kiosk {
    Kiosk {
        listing: "00000000-0000-4000-8000-000000000009".parse().expect("id"),
        place: "12 Elm Street, Springfield".into(),
        consent_text: "Yes, the agent may contact me.".into(),
        started_at: chrono::DateTime::UNIX_EPOCH,
        visitors: 0,
    }
}

fn signed(n: u32) -> SignedIn {
    SignedIn {
        contact: "00000000-0000-4000-8000-000000000001".parse().expect("id"),
        returning: false,
        given_name: "Maya".into(),
        visitors: n,
    }
}

fn refused(field: &str, message: &str) -> CommandError {
    CommandError {
        code: CommandErrorCode::Validation,
        message: "Check the form.".into(),
        fields: vec![FieldError {
            field: field.into(),
            message: message.into(),
        }],
        detail: None,
    }
}

#[test]
fn a_visitor_types_signs_in_and_the_next_one_gets_an_empty_form() {
    let screen = reduce(
        KioskScreen::default(),
        [
            KioskAction::Loaded(Ok(Some(kiosk()))),
            KioskAction::Set(VisitorField::GivenName, "Maya".into()),
            KioskAction::Set(VisitorField::Email, "maya@".into()),
            KioskAction::Consent(true),
            KioskAction::Submit,
        ],
    );
    assert_eq!(screen.phase, Phase::Saving);
    assert!(screen.visitor.consent);

    let refused = reduce(
        screen,
        [KioskAction::SignedIn(Err(refused(
            "email",
            "Enter a valid email address.",
        )))],
    );
    assert_eq!(refused.phase, Phase::Form);
    assert_eq!(
        refused.error(VisitorField::Email),
        Some("Enter a valid email address.")
    );
    assert_eq!(
        refused.value(VisitorField::GivenName),
        "Maya",
        "nothing typed is lost"
    );

    let thanked = reduce(
        refused,
        [
            KioskAction::Set(VisitorField::Email, "maya@example.com".into()),
            KioskAction::Submit,
            KioskAction::SignedIn(Ok(signed(1))),
        ],
    );
    assert!(matches!(thanked.phase, Phase::Thanks(_)));
    assert_eq!(thanked.kiosk.as_ref().map(|k| k.visitors), Some(1));
    assert_eq!(
        thanked.value(VisitorField::GivenName),
        "",
        "the next visitor sees nothing of hers"
    );
    assert!(!thanked.visitor.consent);
    assert_eq!(thanked.error(VisitorField::Email), None);

    // A late timer from an earlier thank-you changes nothing; the current one resets.
    let stale = reduce(thanked.clone(), [KioskAction::Next(thanked.thanks_seq - 1)]);
    assert!(matches!(stale.phase, Phase::Thanks(_)));
    let next = reduce(thanked.clone(), [KioskAction::Next(thanked.thanks_seq)]);
    assert_eq!(next.phase, Phase::Form);
}

#[test]
fn leaving_needs_the_pin_and_a_wrong_one_says_so() {
    let screen = reduce(
        KioskScreen::default(),
        [
            KioskAction::Loaded(Ok(Some(kiosk()))),
            KioskAction::Set(VisitorField::GivenName, "Half typed".into()),
            KioskAction::Leave,
            KioskAction::Pin("0000".into()),
            KioskAction::SubmitPin,
            KioskAction::PinChecked(Err(refused("pin", "That PIN is not right."))),
        ],
    );
    assert_eq!(screen.phase, Phase::Leaving);
    assert_eq!(screen.pin_error.as_deref(), Some("That PIN is not right."));
    assert_eq!(screen.pin, "", "a wrong PIN is not left on screen");
    let back = reduce(screen, [KioskAction::CancelLeave]);
    assert_eq!(back.phase, Phase::Form);
    assert_eq!(back.value(VisitorField::GivenName), "Half typed");
    let done = KioskAction::PinChecked(Ok(kiosk().listing));
    assert_eq!(KioskScreen::ended(&done), Some(kiosk().listing));
}

#[test]
fn no_kiosk_on_this_device_is_said() {
    let screen = reduce(KioskScreen::default(), [KioskAction::Loaded(Ok(None))]);
    assert!(screen
        .message
        .as_deref()
        .is_some_and(|m| m.contains("not on")));
}
