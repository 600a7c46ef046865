use super::*;
use crate::choice::assert_choice_names;
use crate::common::SoftDelete;
use crate::listing::PropertyType;
use crate::test_support::{assert_json_round_trip, at, user, uuid};
use crate::validation::ValidationErrors;
use chrono::NaiveDate;

fn named(given: &str, family: &str) -> ContactInput {
    ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        ..ContactInput::default()
    }
}

fn email(address: &str) -> EmailEntry {
    EmailEntry {
        address: address.into(),
        label: ContactLabel::Home,
        primary: false,
    }
}

fn phone(number: &str) -> PhoneEntry {
    PhoneEntry {
        number: number.into(),
        label: ContactLabel::Mobile,
        primary: false,
    }
}

fn fields(input: &ContactInput) -> Vec<String> {
    let errors: ValidationErrors = input.validate().expect_err("invalid");
    errors.0.into_iter().map(|e| e.field).collect()
}

fn full_input() -> ContactInput {
    let consent = Consents {
        email: Consent::granted("web form opt-in", at(2025, 1, 2, 9, 0)),
        ..Consents::default()
    };
    ContactInput {
        kind: ContactKind::Both,
        given_name: " Ada ".into(),
        family_name: " Lovelace ".into(),
        emails: vec![email("ada@Example.com"), email("ada@work.example.com")],
        phones: vec![phone("+44 20 7946 0958")],
        instagram: Some("@AdaHomes".into()),
        whatsapp: Some("+44 7700 900123".into()),
        source: LeadSource::Zillow,
        source_detail: Some(" Zillow premier ".into()),
        tags: vec!["VIP".into(), " first  time buyer ".into(), "vip".into()],
        stage: Stage::Qualified,
        priority: Priority::High,
        preferences: Preferences {
            budget_min: Some(400_000),
            budget_max: Some(550_000),
            areas: vec!["Islington".into()],
            property_types: [PropertyType::House].into(),
            bedrooms_min: Some(3),
            bathrooms_min: Some(crate::Baths(20)),
            move_in: NaiveDate::from_ymd_opt(2025, 10, 1),
            must_haves: vec!["Garden".into()],
        },
        custom_fields: vec![CustomField {
            key: "Mortgage broker".into(),
            value: CustomValue::Text("Jane at Acme".into()),
        }],
        consent,
        assigned_agent: Some(user(7)),
        time_zone: Some("Europe/London".into()),
    }
}

fn stored() -> Contact {
    let valid = full_input().validate().expect("valid");
    Contact::create(
        ContactId::from_uuid(uuid(1)),
        valid,
        user(1),
        at(2025, 1, 2, 9, 0),
    )
}

#[test]
fn choices_are_consistent() {
    assert_choice_names::<ContactKind>();
    assert_choice_names::<LeadSource>();
    assert_eq!(LeadSource::WhatsApp.as_str(), "whatsapp");
    assert_eq!(LeadSource::ALL.len(), 10);
}

#[test]
fn stage_names_are_the_ones_documents_and_the_wire_already_hold() {
    assert_choice_names::<Stage>();
    let names: Vec<_> = Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
    assert_eq!(
        names,
        [
            ("lead", "Lead"),
            ("qualified", "Qualified"),
            ("showing", "Showing"),
            ("offer", "Offer"),
            ("closed", "Closed"),
            ("lost", "Lost"),
        ]
    );
    assert_eq!(Stage::default(), Stage::Lead);
    assert_eq!(
        "won".parse::<Stage>().map_err(|e| e.to_string()),
        Err("unknown stage \"won\"".to_owned())
    );
}

#[test]
fn a_full_input_is_normalised() {
    let valid = full_input().validate().expect("valid");
    assert_eq!(valid.given_name, "Ada");
    assert_eq!(valid.family_name, "Lovelace");
    assert_eq!(valid.emails[0].address, "ada@example.com");
    assert!(valid.emails[0].primary && !valid.emails[1].primary);
    assert!(valid.phones[0].primary);
    assert_eq!(valid.instagram.as_deref(), Some("adahomes"));
    assert_eq!(valid.source_detail.as_deref(), Some("Zillow premier"));
    assert_eq!(valid.tags, ["first time buyer", "vip"]);
}

#[test]
fn tags_are_normalised_into_a_set_when_stored() {
    let contact = stored();
    assert_eq!(
        contact.tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["first time buyer", "vip"]
    );
    assert_eq!(
        contact.custom_fields.get("Mortgage broker"),
        Some(&CustomValue::Text("Jane at Acme".into()))
    );
}

#[test]
fn a_name_alone_is_enough() {
    assert!(named("Ada", "").validate().is_ok());
    assert!(named("", "Lovelace").validate().is_ok());
}

#[test]
fn an_email_or_phone_alone_is_enough() {
    let mut only_email = named("", "");
    only_email.emails.push(email("lead@example.com"));
    assert!(only_email.validate().is_ok());
    let mut only_phone = named(" ", " ");
    only_phone.phones.push(phone("+1 555 010 9999"));
    assert!(only_phone.validate().is_ok());
}

#[test]
fn nothing_to_identify_the_contact_is_rejected_on_given_name() {
    let mut input = named("  ", "");
    input.instagram = Some("someone".into());
    let errors = input.validate().expect_err("invalid");
    assert_eq!(errors.fields(), ["given_name"]);
    assert_eq!(
        errors.for_field("given_name"),
        Some("Enter a given or family name, or at least one email address or phone number.")
    );
}

#[test]
fn overlong_names_are_rejected() {
    let long = "x".repeat(super::NAME_MAX_CHARS + 1);
    assert_eq!(fields(&named(&long, "Ok")), ["given_name"]);
    assert_eq!(fields(&named("Ok", &long)), ["family_name"]);
    assert_eq!(fields(&named("Ada\u{0}", "")), ["given_name"]);
}

#[test]
fn nested_errors_use_dotted_paths() {
    let mut input = named("Ada", "");
    input.emails = vec![email("ok@example.com"), email("broken")];
    input.preferences.budget_min = Some(10);
    input.preferences.budget_max = Some(5);
    input.tags = vec!["x".repeat(crate::checks::TAG_MAX_CHARS + 1)];
    input.consent.sms.status = ConsentStatus::Granted;
    input.source_detail = Some("d".repeat(SOURCE_DETAIL_MAX_CHARS + 1));
    input.whatsapp = Some("0777".into());
    assert_eq!(
        fields(&input),
        [
            "emails.1.address",
            "whatsapp",
            "source_detail",
            "tags.0",
            "preferences.budget_max",
            "consent.sms.source",
            "consent.sms.recorded_at",
        ]
    );
}

#[test]
fn display_name_prefers_the_name_then_how_to_reach_them() {
    let mut contact = stored();
    assert_eq!(contact.display_name(), "Ada Lovelace");
    contact.given_name.clear();
    assert_eq!(contact.display_name(), "Lovelace");
    contact.family_name.clear();
    assert_eq!(contact.display_name(), "ada@example.com");
    contact.emails[0].primary = false;
    contact.emails[1].primary = true;
    assert_eq!(contact.display_name(), "ada@work.example.com");
    contact.emails.clear();
    assert_eq!(contact.display_name(), "+44 20 7946 0958");
    contact.phones.clear();
    assert_eq!(contact.display_name(), "@adahomes");
    contact.instagram = None;
    assert_eq!(contact.display_name(), "+44 7700 900123");
    contact.whatsapp = None;
    assert_eq!(contact.display_name(), "Unnamed contact");
}

#[test]
fn stage_history_records_only_real_changes() {
    let mut contact = stored();
    assert_eq!(contact.stage, Stage::Qualified);
    assert!(contact.stage_history.is_empty());
    let t1 = at(2025, 2, 1, 10, 0);
    assert!(!contact.set_stage(Stage::Qualified, t1, user(2)));
    assert!(contact.stage_history.is_empty());
    assert!(contact.set_stage(Stage::Showing, t1, user(2)));
    let t2 = at(2025, 2, 8, 10, 0);
    assert!(contact.set_stage(Stage::Lost, t2, user(3)));
    assert!(!contact.set_stage(Stage::Lost, t2, user(3)));
    assert_eq!(
        contact.stage_history,
        [
            StageChange {
                from: Stage::Qualified,
                to: Stage::Showing,
                at: t1,
                by: user(2)
            },
            StageChange {
                from: Stage::Showing,
                to: Stage::Lost,
                at: t2,
                by: user(3)
            },
        ]
    );
    assert_eq!(contact.stage, Stage::Lost);
}

#[test]
fn stage_history_is_bounded_keeping_the_newest() {
    let mut contact = stored();
    for i in 0..(STAGE_HISTORY_MAX + 10) {
        let stage = if i % 2 == 0 {
            Stage::Showing
        } else {
            Stage::Qualified
        };
        assert!(contact.set_stage(stage, at(2025, 3, 1, 0, 0), user(2)));
    }
    assert_eq!(contact.stage_history.len(), STAGE_HISTORY_MAX);
    let last = contact.stage_history.last().expect("history");
    assert_eq!(last.to, contact.stage);
}

#[test]
fn apply_keeps_identity_and_records_the_stage_change() {
    let mut contact = stored();
    contact.record_contacted(at(2025, 1, 5, 12, 0));
    let mut edit = contact.to_input();
    edit.given_name = "Augusta".into();
    edit.stage = Stage::Offer;
    let when = at(2025, 2, 1, 9, 0);
    contact.apply(edit.validate().expect("valid"), when, user(9));
    assert_eq!(contact.given_name, "Augusta");
    assert_eq!(contact.id, ContactId::from_uuid(uuid(1)));
    assert_eq!(contact.owner, user(1));
    assert_eq!(contact.created_at, at(2025, 1, 2, 9, 0));
    assert_eq!(contact.updated_at, when);
    assert_eq!(contact.last_contacted_at, Some(at(2025, 1, 5, 12, 0)));
    assert_eq!(contact.stage, Stage::Offer);
    assert_eq!(contact.stage_history.len(), 1);
    assert_eq!(contact.stage_history[0].from, Stage::Qualified);
    assert_eq!(contact.stage_history[0].by, user(9));
}

#[test]
fn to_input_validates_back_to_the_same_contact() {
    let contact = stored();
    let input = contact.to_input();
    assert_eq!(input.validate().expect("valid").into_inner(), input);
}

#[test]
fn last_contacted_only_moves_forward() {
    let mut contact = stored();
    contact.record_contacted(at(2025, 3, 1, 9, 0));
    contact.record_contacted(at(2025, 2, 1, 9, 0));
    assert_eq!(contact.last_contacted_at, Some(at(2025, 3, 1, 9, 0)));
    contact.record_contacted(at(2025, 3, 2, 9, 0));
    assert_eq!(contact.last_contacted_at, Some(at(2025, 3, 2, 9, 0)));
}

#[test]
fn soft_delete_keeps_the_first_time_and_can_be_undone() {
    let mut contact = stored();
    assert!(!contact.is_deleted());
    contact.soft_delete(at(2025, 4, 1, 0, 0));
    contact.soft_delete(at(2025, 5, 1, 0, 0));
    assert_eq!(contact.deleted_at, Some(at(2025, 4, 1, 0, 0)));
    contact.restore();
    assert!(!contact.is_deleted());
}

#[test]
fn contacts_round_trip_through_json() {
    let mut contact = stored();
    contact.set_stage(Stage::Closed, at(2025, 6, 1, 0, 0), user(2));
    contact.record_contacted(at(2025, 6, 1, 0, 0));
    contact
        .custom_fields
        .insert("Score".into(), CustomValue::Number(7.5));
    assert_json_round_trip(&contact);
    assert_json_round_trip(&full_input());
}

#[test]
fn a_minimal_json_input_fills_defaults() {
    let input: ContactInput =
        serde_json::from_str(r#"{"given_name":"Ada"}"#).expect("deserialises");
    assert_eq!(input.kind, ContactKind::Buyer);
    assert_eq!(input.source, LeadSource::Manual);
    assert_eq!(input.stage, Stage::Lead);
    assert_eq!(input.priority, Priority::Medium);
    assert!(input.validate().is_ok());
}

#[test]
fn a_time_zone_is_kept_only_when_the_database_knows_it() {
    let mut input = named("Lena", "Park");
    input.time_zone = Some("  America/Los_Angeles ".into());
    let valid = input.validate().expect("valid").into_inner();
    assert_eq!(valid.time_zone.as_deref(), Some("America/Los_Angeles"));

    input.time_zone = Some("   ".into());
    assert_eq!(
        input.validate().expect("valid").into_inner().time_zone,
        None
    );

    for (bad, says) in [
        ("America/Chicgo", "not a time zone we know"),
        ("+05:00", "not a time zone name"),
    ] {
        input.time_zone = Some(bad.into());
        let errors = input.validate().expect_err(bad);
        assert_eq!(errors.0.len(), 1, "{bad}: {errors:?}");
        assert_eq!(errors.0[0].field, "time_zone");
        assert!(
            errors.0[0].message.contains(says),
            "{bad}: {}",
            errors.0[0].message
        );
    }
}

#[test]
fn quiet_hours_use_the_contacts_zone_else_the_organisations() {
    let chicago = chrono_tz::America::Chicago;
    let mut contact = stored();
    contact.time_zone = None;
    assert_eq!(contact.zone_or(chicago), chicago);
    contact.time_zone = Some("Europe/Berlin".into());
    assert_eq!(contact.zone_or(chicago), chrono_tz::Europe::Berlin);
    // A name written by a newer build this one's database lacks: the organisation's zone.
    contact.time_zone = Some("Mars/Olympus_Mons".into());
    assert_eq!(contact.zone_or(chicago), chicago);
    // Kept through an edit form's round trip.
    contact.time_zone = Some("Europe/Berlin".into());
    assert_eq!(
        contact.to_input().time_zone.as_deref(),
        Some("Europe/Berlin")
    );
}
