//! Files as they arrive from other tools, against real SQLite files: an encoding chosen by the
//! person, stage and source values the importer does not know (listed with their counts, then
//! mapped), a buyer's wish list in its columns, and vCards from Google Contacts, an iPhone and
//! our own export.

mod support;

use fieldstone_model::{
    Contact, ContactInput, ContactLabel, CustomValue, EmailEntry, LeadSource, PhoneEntry,
    PropertyType, RecordRef, Stage,
};
use fieldstone_protocol::views::{ImportFormat, ValueCount};
use fieldstone_replica::{
    preview_file, ColumnTarget, ContactQuery, DuplicateOf, ImportFileError, ImportOptions,
    ImportReport, PreviewOptions, Replica, ReplicaError,
};
use support::{clock, open, user};

const GOOGLE: &[u8] = include_bytes!("fixtures/google-contacts.vcf");
const IPHONE: &[u8] = include_bytes!("fixtures/iphone-contacts.vcf");

fn replica(dir: &tempfile::TempDir) -> Replica {
    open(&dir.path().join("f.db"), &clock())
}

fn import(r: &Replica, bytes: &[u8], options: &ImportOptions) -> ImportReport {
    r.import_contacts_file(bytes, options, &mut |_| {})
        .expect("import")
}

fn contacts(r: &Replica) -> Vec<Contact> {
    let page = r
        .list_contacts(&ContactQuery {
            limit: 200,
            ..Default::default()
        })
        .expect("list");
    let mut out: Vec<Contact> = page
        .items
        .iter()
        .map(|s| r.get_contact(&s.id).expect("get").expect("contact"))
        .collect();
    out.sort_by_key(Contact::display_name);
    out
}

fn named<'a>(all: &'a [Contact], name: &str) -> &'a Contact {
    all.iter()
        .find(|c| c.display_name() == name)
        .unwrap_or_else(|| panic!("no {name} among {:?}", names(all)))
}

fn names(all: &[Contact]) -> Vec<String> {
    all.iter().map(Contact::display_name).collect()
}

fn notes(r: &Replica, contact: &Contact) -> Vec<String> {
    r.notes_for(&RecordRef::Contact(contact.id))
        .expect("notes")
        .iter()
        .map(|n| r.get_note(&n.id).expect("get").expect("note").body)
        .collect()
}

fn preview(bytes: &[u8], encoding: Option<&str>) -> fieldstone_replica::FilePreview {
    preview_file(
        bytes,
        &PreviewOptions {
            rows: 5,
            encoding: encoding.map(str::to_owned),
            mapping: None,
        },
    )
    .expect("preview")
}

/// The line of each `BEGIN:VCARD` in a fixture (1-based), to check the lines reported.
fn card_lines(bytes: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(bytes)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("BEGIN:VCARD"))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

#[test]
fn an_encoding_chosen_by_the_person_is_the_one_read() {
    // Excel on Windows: Windows-1252, with "€" (0x80) and "ë". Read as found, then as chosen.
    let file = b"Name,Email,Notes\r\nZo\xEB M\xFCller,zoe@example.com,Budget \x80900k\r\n";
    let found = preview(file, None);
    assert_eq!(found.encoding.name(), "windows-1252");
    assert_eq!(found.sample[0][2], "Budget €900k");
    // ISO-8859-15 has "€" at 0xA4, not 0x80: the same bytes read otherwise, as asked.
    let chosen = preview(file, Some("iso-8859-15"));
    assert_eq!(chosen.encoding.name(), "ISO-8859-15");
    assert_eq!(chosen.sample[0][0], "Zoë Müller");
    assert_ne!(chosen.sample[0][2], "Budget €900k");

    // A short file chardetng takes for Central European (ISO-8859-2, where 0xAB 0xBB are "Ť"
    // "ť"), imported as the Windows-1252 it is ("«Pepe»") because the person says so.
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let guillemets = b"Name,Notes\nJos\xE9,\xABPepe\xBB\n";
    let guessed = preview(guillemets, None);
    assert_ne!(
        guessed.encoding.name(),
        "windows-1252",
        "the premise: the guess is wrong for this file"
    );
    assert_ne!(guessed.sample[0][1], "«Pepe»");
    let options = ImportOptions {
        encoding: Some("windows-1252".into()),
        ..ImportOptions::new(user())
    };
    let report = import(&r, guillemets, &options);
    assert_eq!(report.encoding, "Western European (Windows-1252)");
    let all = contacts(&r);
    assert_eq!(names(&all), ["José"]);
    assert_eq!(notes(&r, &all[0]), ["«Pepe»"]);

    let refused = r.import_contacts_file(
        &guillemets[..],
        &ImportOptions {
            encoding: Some("klingon".into()),
            ..ImportOptions::new(user())
        },
        &mut |_| {},
    );
    match refused {
        Err(ReplicaError::Import(ImportFileError::UnknownEncoding(label))) => {
            assert_eq!(label, "klingon");
        }
        other => panic!("an unknown encoding is refused: {other:?}"),
    }
    assert_eq!(contacts(&r).len(), 1, "nothing more was written");
}

const PIPELINE: &str = "Name,Email,Stage,Lead Source\n\
    Ada Lovelace,ada@example.com,Lead,Zillow\n\
    Grace Hopper,grace@example.com,Negotiating,Zillow Premier\n\
    Alan Turing,alan@example.com,negotiating,zillow premier\n\
    Barbara Liskov,barbara@example.com,NEGOTIATING,Open house\n\
    Claude Shannon,claude@example.com,Under contract,\n\
    Dorothy Vaughan,dorothy@example.com,Nurture,Referral\n";

#[test]
fn unknown_stages_and_sources_are_listed_with_their_rows_then_imported_as_mapped() {
    let found = preview(PIPELINE.as_bytes(), None);
    assert_eq!(found.rows, 6);
    assert_eq!(
        found.unknown_stages.values,
        [
            ValueCount {
                value: "Negotiating".into(),
                rows: 3
            },
            ValueCount {
                value: "Nurture".into(),
                rows: 1
            },
        ],
        "'Under contract' is a known word for Offer"
    );
    assert_eq!(
        found.unknown_sources.values,
        [ValueCount {
            value: "Zillow Premier".into(),
            rows: 2
        }]
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let mut options = ImportOptions::new(user());
    options
        .values
        .stage
        .insert("Negotiating".into(), Stage::Offer);
    options
        .values
        .source
        .insert("Zillow Premier".into(), LeadSource::Zillow);
    let report = import(&r, PIPELINE.as_bytes(), &options);
    assert_eq!((report.imported, report.rejected_count), (5, 1));
    // Not mapped: refused with the reason, as before.
    assert_eq!(report.rejected[0].line, 7);
    assert!(
        report.rejected[0]
            .reason
            .starts_with("Stage: \"Nurture\" is not a known stage; use one of: Lead,"),
        "{}",
        report.rejected[0].reason
    );
    let all = contacts(&r);
    for name in [
        "Grace Hopper",
        "Alan Turing",
        "Barbara Liskov",
        "Claude Shannon",
    ] {
        assert_eq!(named(&all, name).stage, Stage::Offer, "{name}");
    }
    assert_eq!(named(&all, "Grace Hopper").source, LeadSource::Zillow);
    assert_eq!(named(&all, "Barbara Liskov").source, LeadSource::OpenHouse);
    assert_eq!(named(&all, "Claude Shannon").source, LeadSource::Import);
    assert_eq!(named(&all, "Ada Lovelace").stage, Stage::Lead);
}

#[test]
fn a_buyers_wish_list_is_read_from_its_columns_or_the_row_refused_saying_why() {
    let file = "Name,Email,Budget (HKD),Preferred areas,Bedrooms,Move-in date,Property type\n\
        Ada Lovelace,ada@example.com,\"8,500,000 HKD\",\"Mid-Levels; Happy Valley\",3+,03/04/2026,Flat\n\
        Grace Hopper,grace@example.com,$450k-$600k,Soho,2-3,25/12/2026,\"House, Townhouse\"\n\
        Alan Turing,alan@example.com,1.2m,,studio,Sep 2026,\n\
        Barbara Liskov,barbara@example.com,lots,,many,soon,Castle\n\
        Claude Shannon,claude@example.com,,,,2026-01-15,\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let report = import(&r, file.as_bytes(), &ImportOptions::new(user()));
    let targets: Vec<ColumnTarget> = report.mapping.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets[2..],
        [
            ColumnTarget::Budget,
            ColumnTarget::Areas,
            ColumnTarget::Bedrooms,
            ColumnTarget::MoveIn,
            ColumnTarget::PropertyTypes,
        ]
    );
    assert_eq!((report.imported, report.rejected_count), (4, 1));
    let rejected = &report.rejected[0];
    assert_eq!(rejected.line, 5);
    for part in [
        "Budget (HKD): \"lots\" is not an amount; write it like 450,000, $450k, 1.2m or 400k-600k.",
        "Bedrooms: \"many\" is not a number of bedrooms",
        "Move-in date: \"soon\" is not a date",
        "Property type: \"Castle\" is not a known property type",
    ] {
        assert!(
            rejected.reason.contains(part),
            "{part} in {}",
            rejected.reason
        );
    }
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
    let all = contacts(&r);
    let ada = &named(&all, "Ada Lovelace").preferences;
    assert_eq!((ada.budget_min, ada.budget_max), (None, Some(8_500_000)));
    assert_eq!(ada.areas, ["Mid-Levels", "Happy Valley"]);
    assert_eq!(ada.bedrooms_min, Some(3));
    // "25/12/2026" further down the column says it is written day first.
    assert_eq!(ada.move_in, date(2026, 4, 3));
    assert_eq!(ada.property_types, [PropertyType::Condo].into());
    let grace = &named(&all, "Grace Hopper").preferences;
    assert_eq!(
        (grace.budget_min, grace.budget_max),
        (Some(450_000), Some(600_000))
    );
    assert_eq!(
        grace.property_types,
        [PropertyType::House, PropertyType::Townhouse].into()
    );
    let alan = &named(&all, "Alan Turing").preferences;
    assert_eq!(alan.budget_max, Some(1_200_000));
    assert_eq!(alan.bedrooms_min, Some(0));
    assert_eq!(alan.move_in, date(2026, 9, 1));
    assert_eq!(
        named(&all, "Claude Shannon").preferences.move_in,
        date(2026, 1, 15)
    );
}

#[test]
fn a_google_contacts_export_is_imported_card_by_card() {
    let found = preview(GOOGLE, None);
    assert_eq!(found.format, ImportFormat::Vcard);
    assert_eq!(found.rows, 4);
    assert_eq!(
        found.sample[0][..3],
        [
            "Marguerite Okonkwo",
            "marguerite.okonkwo@gmail.com",
            "+1 415-555-0134"
        ]
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let report = import(&r, GOOGLE, &ImportOptions::new(user()));
    let lines = card_lines(GOOGLE);
    assert_eq!(report.format, ImportFormat::Vcard);
    assert_eq!(report.rows_read, 4);
    assert_eq!(report.imported, 2);
    assert_eq!(report.notes_imported, 1);
    assert!(report.mapping.columns.is_empty());
    assert_eq!(report.rejected_count, 1);
    assert_eq!(report.rejected[0].line, lines[2]);
    assert!(
        report.rejected[0]
            .reason
            .starts_with("Email: \"jo@\" is not an email address"),
        "{}",
        report.rejected[0].reason
    );
    // The nameless card with Marguerite's address: a duplicate, skipped (the policy's default).
    assert_eq!(report.duplicate_count, 1);
    assert_eq!(report.duplicates[0].line, lines[3]);
    assert_eq!(report.duplicates[0].of, DuplicateOf::Line(lines[0]));

    let all = contacts(&r);
    let marguerite = named(&all, "Marguerite Okonkwo");
    let emails: Vec<(&str, ContactLabel)> = marguerite
        .emails
        .iter()
        .map(|e| (e.address.as_str(), e.label))
        .collect();
    assert_eq!(
        emails,
        [
            ("marguerite.okonkwo@gmail.com", ContactLabel::Home),
            ("m.okonkwo@harbourrealty.example", ContactLabel::Work),
        ]
    );
    let phones: Vec<(&str, ContactLabel)> = marguerite
        .phones
        .iter()
        .map(|p| (p.number.as_str(), p.label))
        .collect();
    assert_eq!(
        phones,
        [
            ("+1 415-555-0134", ContactLabel::Mobile),
            ("(415) 555-0199", ContactLabel::Work),
        ]
    );
    let tags: Vec<&str> = marguerite.tags.iter().map(String::as_str).collect();
    assert_eq!(tags, ["buyers", "vip"], "Google's own groups are not tags");
    assert_eq!(
        marguerite.custom_fields.get("Company"),
        Some(&CustomValue::Text("Harbour Realty".into()))
    );
    assert_eq!(
        marguerite.custom_fields.get("Home address"),
        Some(&CustomValue::Text(
            "1200 Elm Street, Apt 4B, San Francisco CA 94109, United States".into()
        ))
    );
    assert_eq!(marguerite.source, LeadSource::Import);
    assert_eq!(
        notes(&r, marguerite),
        ["Met at the Elm St open house. Wants a garden, 3 bedrooms.\nPre-approved with First Republic."]
    );
    let kenji = named(&all, "Kenji Watanabe");
    assert!(kenji.tags.is_empty(), "{:?}", kenji.tags);
}

#[test]
fn an_iphone_export_is_imported_with_apples_labels_and_no_photo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let report = import(&r, IPHONE, &ImportOptions::new(user()));
    assert_eq!(
        (report.rows_read, report.imported, report.rejected_count),
        (2, 2, 0),
        "{:?}",
        report.rejected
    );
    let all = contacts(&r);
    assert_eq!(names(&all), ["Ada Augusta Lovelace", "Harbour Plumbing"]);
    let ada = named(&all, "Ada Augusta Lovelace");
    assert_eq!(
        (ada.given_name.as_str(), ada.family_name.as_str()),
        ("Ada Augusta", "Lovelace")
    );
    let primary = ada.primary_email().expect("primary email");
    assert_eq!(
        (primary.address.as_str(), primary.label),
        ("ada@example.com", ContactLabel::Home)
    );
    let phones: Vec<(&str, ContactLabel, bool)> = ada
        .phones
        .iter()
        .map(|p| (p.number.as_str(), p.label, p.primary))
        .collect();
    assert_eq!(
        phones,
        [
            ("+44 7700 900123", ContactLabel::Mobile, true),
            ("+44 20 7946 0000", ContactLabel::Other, false),
            ("+44 7700 900456", ContactLabel::Mobile, false),
        ]
    );
    assert_eq!(
        ada.custom_fields.get("Company"),
        Some(&CustomValue::Text(
            "Analytical Engines Ltd, Research".into()
        ))
    );
    assert_eq!(
        ada.custom_fields.get("Home address"),
        Some(&CustomValue::Text(
            "12 St James's Square, London SW1Y 4JH, United Kingdom".into()
        ))
    );
    assert_eq!(
        notes(&r, ada),
        ["Looking for a 2-bed flat near the park.\nBudget about £900k."]
    );
    // A company card: its name is the company's.
    let plumbing = named(&all, "Harbour Plumbing");
    assert_eq!(plumbing.phones[0].label, ContactLabel::Work);
}

#[test]
fn a_vcard_export_imports_back_into_the_same_contacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let rich = ContactInput {
        given_name: "Zoë".into(),
        family_name: "Ångström, Jr.".into(),
        emails: vec![
            EmailEntry {
                address: "zoe@home.example".into(),
                label: ContactLabel::Home,
                primary: false,
            },
            EmailEntry {
                address: "zoe@work.example".into(),
                label: ContactLabel::Work,
                primary: true,
            },
        ],
        phones: vec![
            PhoneEntry {
                number: "+46 70 123 45 67".into(),
                label: ContactLabel::Mobile,
                primary: true,
            },
            PhoneEntry {
                number: "08-123 456 78".into(),
                label: ContactLabel::Work,
                primary: false,
            },
        ],
        tags: vec!["vip".into(), "first time; buyer".into()],
        stage: Stage::Showing,
        source: LeadSource::OpenHouse,
        ..Default::default()
    };
    let plain = ContactInput {
        stage: Stage::Lost,
        source: LeadSource::WebForm,
        ..support::person("Ada", "Lovelace")
    };
    let phone_only = ContactInput {
        phones: vec![PhoneEntry {
            number: "555 010 7788".into(),
            label: ContactLabel::Other,
            primary: true,
        }],
        ..Default::default()
    };
    for input in [rich, plain, phone_only] {
        let contact = r.create_contact(&input, user()).expect("create");
        if contact.given_name == "Zoë" {
            for body in ["Wants a sea view;\nno ground floor.", "Called back, keen"] {
                r.create_note(&support::note(contact.id, body), user())
                    .expect("note");
            }
        }
    }
    let mut vcf = Vec::new();
    r.export_contacts_vcard(&mut vcf, &ContactQuery::default())
        .expect("export");

    let fresh_dir = tempfile::tempdir().expect("tempdir");
    let fresh = replica(&fresh_dir);
    let report = import(&fresh, &vcf, &ImportOptions::new(user()));
    assert_eq!(
        (
            report.imported,
            report.rejected_count,
            report.duplicate_count
        ),
        (3, 0, 0),
        "{:?}",
        report.rejected
    );
    /// What a vCard keeps of a contact (ids, times and the fields it has no property for
    /// aside). The notes as paragraphs: a vCard holds one NOTE, so a contact's notes come back
    /// as one, their paragraphs all there.
    fn view(r: &Replica, c: &Contact) -> String {
        let mut emails: Vec<_> = c
            .emails
            .iter()
            .map(|e| (e.address.clone(), e.label, e.primary))
            .collect();
        emails.sort();
        let mut phones: Vec<_> = c
            .phones
            .iter()
            .map(|p| (p.number.clone(), p.label, p.primary))
            .collect();
        phones.sort();
        let mut paragraphs: Vec<String> = notes(r, c)
            .iter()
            .flat_map(|n| n.split("\n\n").map(str::to_owned).collect::<Vec<_>>())
            .collect();
        paragraphs.sort();
        format!(
            "{}|{}|{emails:?}|{phones:?}|{:?}|{:?}|{:?}|{paragraphs:?}",
            c.given_name, c.family_name, c.tags, c.stage, c.source,
        )
    }
    let before: Vec<String> = contacts(&r).iter().map(|c| view(&r, c)).collect();
    let after: Vec<String> = contacts(&fresh).iter().map(|c| view(&fresh, c)).collect();
    assert_eq!(after, before);
    assert!(before.iter().any(|v| v.contains("Called back, keen")));
    let zoe = contacts(&fresh)
        .into_iter()
        .find(|c| c.given_name == "Zoë")
        .expect("Zoë");
    assert_eq!(notes(&fresh, &zoe).len(), 1);
}
