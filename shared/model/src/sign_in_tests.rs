use super::*;
use crate::test_support::{at, uuid};
use crate::ConsentStatus;

fn visitor() -> SignIn {
    SignIn {
        given_name: " Maya ".into(),
        family_name: "Chen".into(),
        email: " maya@example.com ".into(),
        phone: String::new(),
        consent: true,
        note: "Looking for 3 bedrooms near the park.".into(),
    }
}

fn fields(sign_in: &SignIn) -> Vec<String> {
    let errors = sign_in.validate().expect_err("invalid");
    errors.0.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_visitor_needs_a_first_name_and_a_way_back() {
    let ok = visitor().validate().expect("valid").into_inner();
    assert_eq!(ok.given_name, "Maya");
    assert_eq!(ok.email, "maya@example.com");
    assert_eq!(fields(&SignIn::default()), ["given_name", "email"]);
    let phone_only = SignIn {
        email: String::new(),
        phone: "+1 555 010 2233".into(),
        ..visitor()
    };
    assert!(phone_only.validate().is_ok());
}

#[test]
fn addresses_and_numbers_follow_the_contacts_rules_under_the_forms_names() {
    let bad = SignIn {
        email: "maya@".into(),
        phone: "call me".into(),
        ..visitor()
    };
    assert_eq!(fields(&bad), ["email", "phone"]);
    let long = SignIn {
        note: "x".repeat(NOTE_MAX_CHARS + 1),
        ..visitor()
    };
    assert_eq!(fields(&long), ["note"]);
}

#[test]
fn a_ticked_box_grants_consent_from_the_open_house_and_an_unticked_one_asks_nothing() {
    let place = "12 Elm Street";
    let input = visitor()
        .validate()
        .expect("valid")
        .into_inner()
        .contact_input(place, at(2026, 12, 6, 14, 0));
    let contact = input.validate().expect("a valid contact").into_inner();
    assert_eq!(contact.source, LeadSource::OpenHouse);
    assert_eq!(contact.source_detail.as_deref(), Some(place));
    assert_eq!(contact.consent.sms.status, ConsentStatus::Granted);
    assert_eq!(
        contact.consent.email.source.as_deref(),
        Some("open-house sign-in at 12 Elm Street")
    );
    let unticked = SignIn {
        consent: false,
        ..visitor()
    }
    .contact_input(place, at(2026, 12, 6, 14, 0));
    assert_eq!(unticked.consent.call.status, ConsentStatus::Unknown);
}

#[test]
fn the_visit_keeps_the_consent_text_word_for_word_the_device_and_the_note() {
    let place = "12 Elm Street";
    let contact = ContactId::from_uuid(uuid(1));
    let listing = ListingId::from_uuid(uuid(2));
    let visit = visitor().validate().expect("valid").into_inner().visit(
        contact,
        listing,
        place,
        "Front-door iPad",
        at(2026, 12, 6, 14, 5),
    );
    assert_eq!(visit.listing, Some(listing));
    assert_eq!(visit.direction, Direction::Inbound);
    assert!(visit.summary.contains("on Front-door iPad"));
    assert!(visit.summary.contains(&format!(
        "Consent shown (ticked): \"{}\"",
        consent_text(place)
    )));
    assert!(visit.summary.contains("Their note: Looking for 3 bedrooms"));
    assert!(visit.validate().is_ok());
}

#[test]
fn a_pin_is_four_to_eight_digits() {
    for good in ["1234", "00000000"] {
        assert!(check_pin(good).is_ok(), "{good}");
    }
    for bad in ["123", "123456789", "12a4", "", "１２３４"] {
        assert!(check_pin(bad).is_err(), "{bad:?}");
    }
}
