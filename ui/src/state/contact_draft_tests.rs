//! The contact draft: paths in, `ContactInput` out.

use super::*;
use chrono::TimeZone;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn field(path: &str) -> ContactField {
    ContactField::parse(path).expect("a contact field")
}

fn set(draft: &mut ContactDraft, path: &str, value: &str) -> bool {
    draft.apply(DraftEdit::Set(field(path), value.into()))
}

#[test]
fn a_blank_draft_has_a_row_to_type_an_email_and_a_phone_into() {
    let draft = ContactDraft::default();
    assert_eq!(draft.emails.len(), 1);
    assert_eq!(draft.phones.len(), 1);
    let input = draft.to_input().expect("blank is fine locally");
    assert!(input.emails.is_empty() && input.phones.is_empty());
}

#[test]
fn typed_fields_become_the_input() {
    let mut draft = ContactDraft::default();
    assert!(set(&mut draft, "given_name", "Ada"));
    assert!(
        !set(&mut draft, "given_name", "Ada"),
        "same text: no change"
    );
    set(&mut draft, "family_name", "Lovelace");
    set(&mut draft, "emails.0.address", "ada@example.com");
    draft.apply(DraftEdit::AddEmail);
    set(&mut draft, "emails.1.address", "ada@work.example");
    set(&mut draft, "emails.1.label", "work");
    set(&mut draft, "emails.1.primary", "");
    set(&mut draft, "phones.0.number", "+44 20 7946 0958");
    set(&mut draft, "stage", "showing");
    set(&mut draft, "kind", "seller");
    set(&mut draft, "source", "open_house");
    set(&mut draft, "tags", "vip, garden ,");
    set(&mut draft, "priority", "high");
    set(&mut draft, "preferences.budget_min", "400,000");
    set(&mut draft, "preferences.budget_max", "650000");
    set(&mut draft, "preferences.bathrooms_min", "2.5");
    set(&mut draft, "preferences.move_in", "2027-03-01");
    set(&mut draft, "preferences.areas", "Islington, Hackney");
    draft.apply(DraftEdit::TogglePropertyType(PropertyType::House));
    draft.apply(DraftEdit::Consent(
        ConsentChannel::Email,
        ConsentStatus::Granted,
        at(),
    ));
    set(
        &mut draft,
        "consent.email.source",
        "Open house sign-in sheet",
    );

    let input = draft.to_input().expect("valid draft");
    assert_eq!(input.given_name, "Ada");
    assert_eq!(input.emails.len(), 2);
    assert!(!input.emails[0].primary && input.emails[1].primary);
    assert_eq!(input.emails[1].label, ContactLabel::Work);
    assert_eq!(input.phones[0].number, "+44 20 7946 0958");
    assert_eq!(input.stage, Stage::Showing);
    assert_eq!(input.kind, ContactKind::Seller);
    assert_eq!(input.source, LeadSource::OpenHouse);
    assert_eq!(input.tags, ["vip", "garden"]);
    assert_eq!(input.priority, Priority::High);
    assert_eq!(input.preferences.budget_min, Some(400_000));
    assert_eq!(input.preferences.bathrooms_min, Some(Baths::from_halves(5)));
    assert_eq!(input.preferences.areas, ["Islington", "Hackney"]);
    assert!(input
        .preferences
        .property_types
        .contains(&PropertyType::House));
    assert_eq!(input.consent.email.status, ConsentStatus::Granted);
    assert_eq!(input.consent.email.recorded_at, Some(at()));
    assert_eq!(
        input.consent.email.source.as_deref(),
        Some("Open house sign-in sheet")
    );
    assert!(input.validate().is_ok(), "the engine would accept it");
}

#[test]
fn a_contact_round_trips_through_the_draft() {
    let mut draft = ContactDraft::default();
    set(&mut draft, "given_name", "Grace");
    set(&mut draft, "phones.0.number", "+1 555 010 9999");
    set(&mut draft, "preferences.bedrooms_min", "3");
    set(&mut draft, "time_zone", " America/Denver ");
    let input = draft.to_input().expect("valid");
    assert_eq!(input.time_zone.as_deref(), Some("America/Denver"));
    let again = ContactDraft::from_input(&input);
    assert_eq!(again.value(field("given_name")), "Grace");
    assert_eq!(again.value(field("time_zone")), "America/Denver");
    assert_eq!(again.value(field("phones.0.number")), "+1 555 010 9999");
    assert_eq!(again.value(field("preferences.bedrooms_min")), "3");
    assert_eq!(
        again.value(field("emails.0.address")),
        "",
        "an empty row to add one"
    );
    assert_eq!(again.to_input().expect("valid"), input);
}

#[test]
fn text_where_a_number_or_date_belongs_is_reported_under_the_engines_path() {
    let mut draft = ContactDraft::default();
    set(&mut draft, "preferences.budget_max", "lots");
    set(&mut draft, "preferences.bathrooms_min", "two");
    set(&mut draft, "preferences.move_in", "next spring");
    set(&mut draft, "preferences.bedrooms_min", "900");
    let errors = draft.to_input().expect_err("not numbers");
    assert!(errors.get("preferences.budget_max").is_some());
    assert!(errors.get("preferences.bathrooms_min").is_some());
    assert!(errors.get("preferences.move_in").is_some());
    assert!(errors.get("preferences.bedrooms_min").is_some());
}

#[test]
fn removing_rows_keeps_the_primary_on_the_same_entry() {
    let mut draft = ContactDraft::default();
    draft.apply(DraftEdit::AddPhone);
    draft.apply(DraftEdit::AddPhone);
    set(&mut draft, "phones.0.number", "+1 555 010 0001");
    set(&mut draft, "phones.1.number", "+1 555 010 0002");
    set(&mut draft, "phones.2.number", "+1 555 010 0003");
    set(&mut draft, "phones.2.primary", "");
    draft.apply(DraftEdit::RemovePhone(0));
    assert_eq!(draft.primary_phone, 1);
    let input = draft.to_input().expect("valid");
    assert!(input.phones[1].primary);
    assert_eq!(input.phones[1].number, "+1 555 010 0003");
    draft.apply(DraftEdit::RemovePhone(1));
    assert_eq!(draft.primary_phone, 0, "the primary was removed");
}

#[test]
fn consent_back_to_not_asked_forgets_when() {
    let mut draft = ContactDraft::default();
    draft.apply(DraftEdit::Consent(
        ConsentChannel::Sms,
        ConsentStatus::Denied,
        at(),
    ));
    assert_eq!(draft.consent.sms.recorded_at, Some(at()));
    draft.apply(DraftEdit::Consent(
        ConsentChannel::Sms,
        ConsentStatus::Unknown,
        at(),
    ));
    assert_eq!(draft.consent.sms.recorded_at, None);
    assert_eq!(
        DraftEdit::Consent(ConsentChannel::Sms, ConsentStatus::Unknown, at()).field(),
        ContactField::ConsentSource(ConsentChannel::Sms)
    );
}
