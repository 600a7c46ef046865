//! Open-house sign-in on the device: the kiosk's PIN, each visitor written as a lead or as a
//! visit on the contact they already are, and all of it surviving a restart.

mod support;

use chrono::Duration;
use fieldstone_model::sign_in::SignIn;
use fieldstone_model::{ConsentStatus, LeadSource};
use fieldstone_replica::{ReplicaError, PIN_LOCKOUT_SECS, PIN_TRIES};
use support::*;

fn visitor(given: &str, email: &str, phone: &str) -> SignIn {
    SignIn {
        given_name: given.into(),
        family_name: "Visitor".into(),
        email: email.into(),
        phone: phone.into(),
        consent: true,
        note: String::new(),
    }
}

fn field_of(error: ReplicaError) -> (String, String) {
    match error {
        ReplicaError::Validation(errors) => {
            let first = errors.0.into_iter().next().expect("an error");
            (first.field, first.message)
        }
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn visitors_become_leads_or_visits_on_the_contact_they_already_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("k.db"), &clock);
    let home = r
        .create_listing(&listing("12 Elm Street", "Springfield", 450_000), user())
        .expect("listing");
    let known = r
        .create_contact(
            &with_phone(person("Ada", "Lovelace"), "+1 555 010 7777"),
            user(),
        )
        .expect("ada");

    assert!(r.kiosk().expect("kiosk").is_none());
    assert_eq!(
        field_of(r.start_kiosk(home.id, "12").expect_err("short")).0,
        "pin"
    );
    let kiosk = r.start_kiosk(home.id, "2468").expect("start");
    assert!(kiosk.place.starts_with("12 Elm Street"));
    assert!(kiosk.consent_text.contains(&kiosk.place));
    assert!(
        r.start_kiosk(home.id, "1357").is_err(),
        "one kiosk at a time"
    );

    clock.set(t(5));
    let maya = r
        .kiosk_sign_in(
            &visitor("Maya", "maya@example.com", ""),
            user(),
            "Front-door iPad",
            None,
        )
        .expect("maya");
    assert!(!maya.returning);
    assert_eq!(maya.contact.source, LeadSource::OpenHouse);
    assert_eq!(maya.contact.consent.email.status, ConsentStatus::Granted);
    assert_eq!(maya.contact.last_contacted_at, Some(t(5)));
    assert_eq!(maya.interaction.listing, Some(home.id));
    assert!(maya.interaction.summary.contains(&kiosk.consent_text));
    assert!(maya.interaction.summary.contains("Front-door iPad"));

    // Ada, by her number in another format: a visit on her record, not a second Ada.
    let ada = r
        .kiosk_sign_in(
            &visitor("Ada", "", "555-010-7777"),
            user(),
            "Front-door iPad",
            None,
        )
        .expect("ada");
    assert!(ada.returning);
    assert_eq!(ada.contact.id, known.id);
    assert_eq!(ada.contact.consent.sms.status, ConsentStatus::Granted);
    assert_eq!(ada.visitors, 2);
    let names = display_names(&r.list_contacts(&query()).expect("list").items);
    assert_eq!(names.len(), 2, "{names:?}");
    let touches = r.listing_activity(&home.id).expect("activity").touches;
    assert_eq!(touches.len(), 2);

    // A bad sign-in names the form's field and writes nothing.
    let (field, message) = field_of(
        r.kiosk_sign_in(&visitor("", "", ""), user(), "Front-door iPad", None)
            .expect_err("empty"),
    );
    assert_eq!(field, "given_name", "{message}");
    assert_eq!(r.kiosk().expect("kiosk").expect("on").visitors, 2);

    // Still locked after a restart.
    drop(r);
    let r = open(&dir.path().join("k.db"), &clock);
    assert_eq!(
        r.kiosk().expect("kiosk").expect("still on").listing,
        home.id
    );
    assert_eq!(r.end_kiosk("2468").expect("end"), home.id);
    assert!(r.kiosk().expect("kiosk").is_none());
    assert!(r
        .kiosk_sign_in(&visitor("Late", "late@example.com", ""), user(), "x", None)
        .is_err());
}

#[test]
fn wrong_pins_are_refused_and_too_many_stop_it_listening_for_a_minute() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("k.db"), &clock);
    let home = r
        .create_listing(&listing("3 Oak Lane", "Springfield", 300_000), user())
        .expect("listing");
    r.start_kiosk(home.id, "2468").expect("start");
    for _ in 0..PIN_TRIES {
        let (_, message) = field_of(r.end_kiosk("0000").expect_err("wrong"));
        assert_eq!(message, "That PIN is not right.");
    }
    // Now even the right PIN waits.
    let (_, message) = field_of(r.end_kiosk("2468").expect_err("quiet"));
    assert!(message.starts_with("Too many wrong PINs"), "{message}");
    clock.set(t(0) + Duration::seconds(PIN_LOCKOUT_SECS + 1));
    assert_eq!(r.end_kiosk("2468").expect("end"), home.id);
}
