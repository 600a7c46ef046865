//! Contact import (CSV) and export (CSV, vCard, JSON) against real SQLite files in temp dirs.

mod support;

use fieldstone_model::{
    Contact, ContactInput, ContactKind, ContactLabel, EmailEntry, LeadSource, PhoneEntry, Priority,
    RecordRef, Stage,
};
use fieldstone_replica::{
    guess_mapping, ColumnTarget, ContactQuery, DuplicateOf, DuplicatePolicy, ImportFileError,
    ImportMode, ImportOptions, ImportProgress, ImportReport, Replica, ReplicaError,
    EXPORT_FORMAT_VERSION, IMPORT_MAX_ROWS,
};
use std::collections::BTreeSet;
use support::{call, clock, listing, note, open, person, search, showing, task, user, with_phone};

fn replica(dir: &tempfile::TempDir) -> Replica {
    open(&dir.path().join("f.db"), &clock())
}

fn import(r: &Replica, csv: &[u8], options: &ImportOptions) -> ImportReport {
    r.import_contacts_csv(csv, options, &mut |_| {})
        .expect("import")
}

fn keep_good() -> ImportOptions {
    ImportOptions::new(user())
}

fn all_contacts(r: &Replica) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut query = ContactQuery {
        limit: 200,
        ..Default::default()
    };
    loop {
        let page = r.list_contacts(&query).expect("list");
        for s in &page.items {
            out.push(r.get_contact(&s.id).expect("get").expect("contact"));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    out.sort_by_key(|c| c.display_name());
    out
}

fn headers(list: &[&str]) -> Vec<String> {
    list.iter().map(|h| (*h).to_owned()).collect()
}

#[test]
fn a_bom_crlf_and_a_quoted_line_break_are_read_correctly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let file = "\u{FEFF}First Name,Last Name,Email,Notes\r\n\
                Ada,Lovelace,ada@example.com,\"line one\r\nline two, with comma\"\r\n\
                Grace,Hopper,grace@example.com,\r\n";
    let report = import(&r, file.as_bytes(), &keep_good());
    assert_eq!(
        report.mapping.columns[0].header, "First Name",
        "BOM removed"
    );
    assert_eq!(report.mapping.target(0), ColumnTarget::GivenName);
    assert_eq!((report.rows_read, report.imported), (2, 2));
    assert_eq!(report.notes_imported, 1);
    // A row after the quoted line break is dated to its own line: break it to see.
    let broken = file.replace("grace@example.com", "grace@");
    let bad = import(
        &replica(&tempfile::tempdir().expect("tempdir")),
        broken.as_bytes(),
        &keep_good(),
    );
    assert_eq!(bad.rejected.iter().map(|x| x.line).collect::<Vec<_>>(), [4]);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let contacts = all_contacts(&r);
    let names: Vec<String> = contacts.iter().map(Contact::display_name).collect();
    assert_eq!(names, ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(contacts[0].emails[0].address, "ada@example.com");
    assert_eq!(contacts[0].source, LeadSource::Import);
    let notes = r
        .notes_for(&RecordRef::Contact(contacts[0].id))
        .expect("notes");
    assert_eq!(notes.len(), 1);
    let body = r.get_note(&notes[0].id).expect("get").expect("note").body;
    assert_eq!(
        body, "line one\nline two, with comma",
        "line ends become LF"
    );
}

#[test]
fn mappings_are_guessed_from_real_world_headers() {
    use ColumnTarget as T;
    use ContactLabel as L;
    // Follow Up Boss.
    let fub = guess_mapping(&headers(&[
        "First Name",
        "Last Name",
        "Stage",
        "Source",
        "Email 1",
        "Email 2",
        "Phone 1",
        "Phone 2",
        "Tags",
        "Assigned To",
    ]));
    let targets: Vec<T> = fub.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            T::GivenName,
            T::FamilyName,
            T::Stage,
            T::Source,
            T::Email { label: L::Other },
            T::Email { label: L::Other },
            T::Phone { label: L::Other },
            T::Phone { label: L::Other },
            T::Tags,
            T::Ignore,
        ]
    );
    // Google Contacts.
    let google = guess_mapping(&headers(&[
        "Given Name",
        "Family Name",
        "Labels",
        "E-mail 1 - Type",
        "E-mail 1 - Value",
        "E-mail 2 - Type",
        "E-mail 2 - Value",
        "Phone 1 - Type",
        "Phone 1 - Value",
        "Notes",
    ]));
    let targets: Vec<T> = google.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            T::GivenName,
            T::FamilyName,
            T::Tags,
            T::EmailLabel { of: 4 },
            T::Email { label: L::Other },
            T::EmailLabel { of: 6 },
            T::Email { label: L::Other },
            T::PhoneLabel { of: 8 },
            T::Phone { label: L::Other },
            T::Note,
        ]
    );
    // Outlook.
    let outlook = guess_mapping(&headers(&[
        "First Name",
        "Middle Name",
        "Surname",
        "E-mail Address",
        "E-mail 2 Address",
        "Mobile Phone",
        "Business Phone",
        "Home Phone",
        "Categories",
        "Priority",
    ]));
    let targets: Vec<T> = outlook.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            T::GivenName,
            T::Ignore,
            T::FamilyName,
            T::Email { label: L::Other },
            T::Email { label: L::Other },
            T::Phone { label: L::Mobile },
            T::Phone { label: L::Work },
            T::Phone { label: L::Home },
            T::Tags,
            T::Priority,
        ]
    );
    // kvCORE-style, with odd spacing and case.
    let kvcore = guess_mapping(&headers(&[
        " full name ",
        "EMAIL",
        "Cell",
        "Lead Source",
        "Contact Type",
        "status",
        "Instagram",
        "WhatsApp",
    ]));
    let targets: Vec<T> = kvcore.columns.iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            T::FullName,
            T::Email { label: L::Other },
            T::Phone { label: L::Mobile },
            T::Source,
            T::Kind,
            T::Stage,
            T::Instagram,
            T::WhatsApp,
        ]
    );
    // The mapping is plain data the UI can show and send back.
    let json = serde_json::to_string(&kvcore).expect("json");
    assert!(
        json.contains(r#""target":{"field":"phone","label":"mobile"}"#),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<fieldstone_replica::ColumnMapping>(&json).ok(),
        Some(kvcore)
    );
}

/// Line 1 header; lines 3-4 one row with a quoted line break; line 6 blank.
const MIXED: &str = "Name,Email,Stage,Notes\n\
    Ada Lovelace,ada@example.com,Lead,\n\
    Bob Stone,not-an-email,Lead,\"first line\nsecond line\"\n\
    Carol Jones,carol@example.com,Sphere,\n\
    ,,,\n\
    Dan Brown,dan@example.com,qualified,\n";

#[test]
fn rejected_rows_name_their_line_column_and_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let report = import(&r, MIXED.as_bytes(), &keep_good());
    assert_eq!(report.rows_read, 5);
    assert_eq!(report.blank_rows, 1);
    assert_eq!(report.imported, 2);
    assert_eq!(report.rejected_count, 2);
    let lines: Vec<u64> = report.rejected.iter().map(|x| x.line).collect();
    assert_eq!(
        lines,
        [3, 5],
        "after a quoted line break the line numbers still match"
    );
    let bob = &report.rejected[0];
    assert_eq!(bob.fields[0].field, "emails.0.address");
    assert!(bob.reason.starts_with("Email: "), "{}", bob.reason);
    assert!(bob.reason.contains("not-an-email"), "{}", bob.reason);
    let carol = &report.rejected[1];
    assert_eq!(carol.fields[0].field, "stage");
    for word in ["Stage: ", "\"Sphere\"", "Lead", "Qualified", "Lost"] {
        assert!(
            carol.reason.contains(word),
            "{word} missing in {}",
            carol.reason
        );
    }
    let names: Vec<String> = all_contacts(&r).iter().map(Contact::display_name).collect();
    assert_eq!(names, ["Ada Lovelace", "Dan Brown"]);
    let dan = all_contacts(&r).pop().expect("dan");
    assert_eq!(dan.stage, Stage::Qualified);
    assert!(!report.rolled_back);
}

#[test]
fn all_or_nothing_stores_nothing_when_a_row_is_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let existing = r
        .create_contact(&person("Eve", "Adams"), user())
        .expect("existing");
    let pending = r.pending_changes().expect("outbox");
    let options = ImportOptions {
        mode: ImportMode::AllOrNothing,
        ..keep_good()
    };
    let report = import(&r, MIXED.as_bytes(), &options);
    assert!(report.rolled_back);
    assert_eq!(report.imported, 0);
    assert_eq!(report.rejected_count, 2, "every bad row is still reported");
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        1
    );
    assert_eq!(r.pending_changes().expect("outbox"), pending);
    assert_eq!(r.get_contact(&existing.id).expect("get"), Some(existing));
    assert_eq!(r.document_ids().expect("docs").len(), 1);

    // The same file without its bad rows goes in whole.
    let good: String = MIXED
        .lines()
        .enumerate()
        .filter(|(i, _)| ![2, 3, 4].contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let report = import(&r, good.as_bytes(), &options);
    assert!(!report.rolled_back);
    assert_eq!(report.imported, 2);
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        3
    );
}

#[test]
fn duplicates_of_stored_contacts_and_earlier_rows_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let ada = r
        .create_contact(
            &with_phone(person("Ada", "Lovelace"), "+44 20 7946 0958"),
            user(),
        )
        .expect("ada");
    let file = "Given Name,Family Name,Email,Phone\n\
        Augusta,King,ADA.LOVELACE@example.com,\n\
        Charles,Babbage,charles@example.com,+1 555 010 0222\n\
        Chuck,B,chuck@example.com,(555) 010-0222\n\
        ada,LOVELACE,other@example.com,\n\
        Mary,Somerville,mary@example.com,\n";
    let report = import(&r, file.as_bytes(), &keep_good());
    assert_eq!(report.imported, 2, "Charles and Mary");
    assert_eq!(report.duplicate_count, 3);
    let found: Vec<(u64, DuplicateOf, &str, bool)> = report
        .duplicates
        .iter()
        .map(|d| (d.line, d.of, d.key.as_str(), d.imported))
        .collect();
    assert_eq!(
        found,
        [
            (2, DuplicateOf::Contact(ada.id), "email", false),
            (4, DuplicateOf::Line(3), "phone", false),
            (5, DuplicateOf::Contact(ada.id), "name", false),
        ]
    );
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        3
    );

    // Importing duplicates anyway still reports them.
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let options = ImportOptions {
        duplicates: DuplicatePolicy::Import,
        ..keep_good()
    };
    let report = import(&r, file.as_bytes(), &options);
    assert_eq!(report.imported, 5);
    assert_eq!(report.duplicate_count, 3);
    assert!(report.duplicates.iter().all(|d| d.imported));
    assert_eq!(report.duplicates[0].of, DuplicateOf::Contact(ada.id));
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        6
    );
}

fn varied_contacts(r: &Replica) -> Vec<Contact> {
    let rich = ContactInput {
        kind: ContactKind::Both,
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
        instagram: Some("zoe.homes".into()),
        whatsapp: Some("+46701234567".into()),
        source: LeadSource::OpenHouse,
        source_detail: Some("=Sunday; \"Elm St\"".into()),
        tags: vec!["vip".into(), "first time; buyer".into(), "søder".into()],
        stage: Stage::Showing,
        priority: Priority::High,
        ..Default::default()
    };
    let lone_tag = ContactInput {
        tags: vec!["a;b".into()],
        ..person("Lone", "Tag")
    };
    let phone_only = ContactInput {
        phones: vec![PhoneEntry {
            number: "555 010 7788".into(),
            label: ContactLabel::Other,
            primary: true,
        }],
        ..Default::default()
    };
    let mut out = Vec::new();
    for input in [rich, lone_tag, phone_only, person("Ada", "Lovelace")] {
        out.push(r.create_contact(&input, user()).expect("create"));
    }
    let gone = r
        .create_contact(&person("Gone", "Away"), user())
        .expect("gone");
    r.soft_delete_contact(&gone.id).expect("delete");
    out
}

/// What the CSV keeps of a contact (ids and times are new on import).
fn csv_view(c: &Contact) -> String {
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
    format!(
        "{:?}|{}|{}|{emails:?}|{phones:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        c.kind,
        c.given_name,
        c.family_name,
        c.instagram,
        c.whatsapp,
        c.source,
        c.source_detail,
        c.tags,
        c.stage,
        c.priority,
        c.owner
    )
}

#[test]
fn a_csv_export_imports_back_into_the_same_contacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let created = varied_contacts(&r);
    let mut csv = Vec::new();
    let n = r
        .export_contacts_csv(&mut csv, &ContactQuery::default())
        .expect("export");
    assert_eq!(n, 4, "the deleted contact is not exported");
    let text = String::from_utf8(csv.clone()).expect("utf-8");
    assert!(
        text.starts_with("Given Name,Family Name,Kind,Stage,"),
        "{text}"
    );
    assert!(
        text.contains("'=Sunday"),
        "a formula-like cell is defused: {text}"
    );

    let dir2 = tempfile::tempdir().expect("tempdir");
    let fresh = replica(&dir2);
    let report = import(&fresh, &csv, &keep_good());
    assert_eq!(report.imported, 4, "{:?}", report.rejected);
    assert_eq!(report.duplicate_count, 0);
    let mut expected: Vec<String> = created.iter().map(csv_view).collect();
    expected.sort();
    let mut got: Vec<String> = all_contacts(&fresh).iter().map(csv_view).collect();
    got.sort();
    assert_eq!(got, expected);
    // Exporting the imported copy gives the same rows, ids and times aside.
    let mut again = Vec::new();
    fresh
        .export_contacts_csv(&mut again, &ContactQuery::default())
        .expect("export");
    let strip = |bytes: &[u8]| -> BTreeSet<String> {
        String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| l.rsplitn(4, ',').last().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(strip(&again), strip(&csv));
}

#[test]
fn vcards_are_escaped_folded_and_crlf_terminated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let zoe = varied_contacts(&r).remove(0);
    r.create_note(
        &note(zoe.id, "Wants a garden, south-facing;\nviewing Friday"),
        user(),
    )
    .expect("note");
    let mut out = Vec::new();
    let n = r
        .export_contacts_vcard(
            &mut out,
            &ContactQuery {
                tags: vec!["vip".into()],
                ..Default::default()
            },
        )
        .expect("export");
    assert_eq!(n, 1);
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.ends_with("\r\n"));
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "only CRLF line ends"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let logical = text.replace("\r\n ", "");
    let lines: Vec<&str> = logical.trim_end().split("\r\n").collect();
    assert_eq!(
        lines,
        [
            "BEGIN:VCARD",
            "VERSION:4.0",
            &format!("UID:urn:uuid:{}", zoe.id),
            "FN:Zoë Ångström\\, Jr.",
            "N:Ångström\\, Jr.;Zoë;;;",
            "EMAIL;TYPE=home:zoe@home.example",
            "EMAIL;TYPE=work;PREF=1:zoe@work.example",
            "TEL;TYPE=cell;PREF=1:+46 70 123 45 67",
            "TEL;TYPE=work:08-123 456 78",
            "CATEGORIES:first time\\; buyer,søder,vip",
            "NOTE:Wants a garden\\, south-facing\\;\\nviewing Friday",
            &format!("X-FIELDSTONE-STAGE:{}", zoe.stage.as_str()),
            &format!("X-FIELDSTONE-SOURCE:{}", zoe.source.as_str()),
            &format!("REV:{}", zoe.updated_at.format("%Y%m%dT%H%M%SZ")),
            "END:VCARD",
        ]
    );

    // A name long enough to fold, made of two-byte characters.
    let long = r
        .create_contact(
            &ContactInput {
                given_name: "Łukasz".repeat(12),
                family_name: "Ó'Brien;\\".into(),
                ..Default::default()
            },
            user(),
        )
        .expect("long");
    let mut out = Vec::new();
    r.export_contacts_vcard(&mut out, &ContactQuery::default())
        .expect("export");
    let text = String::from_utf8(out).expect("folding kept UTF-8 whole");
    let card = text
        .split("BEGIN:VCARD")
        .find(|c| c.contains(&long.id.to_string()))
        .expect("card");
    let folded_fn: Vec<&str> = card
        .split("\r\n")
        .skip_while(|l| !l.starts_with("FN:"))
        .take_while(|l| l.starts_with("FN:") || l.starts_with(' '))
        .collect();
    assert!(folded_fn.len() > 1, "{folded_fn:?}");
    assert!(folded_fn.iter().all(|l| l.len() <= 75));
    assert!(folded_fn[1..].iter().all(|l| l.starts_with(' ')));
    let joined: String = folded_fn
        .iter()
        .enumerate()
        .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
        .collect();
    assert_eq!(joined, format!("FN:{} Ó'Brien\\;\\\\", "Łukasz".repeat(12)));
}

#[test]
fn the_json_export_holds_every_record_of_every_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let ada = r
        .create_contact(&person("Ada", "Lovelace"), user())
        .expect("ada");
    let gone = r
        .create_contact(&person("Gone", "Away"), user())
        .expect("gone");
    r.soft_delete_contact(&gone.id).expect("delete");
    r.create_note(&note(ada.id, "likes gardens"), user())
        .expect("note");
    r.log_interaction(&call(ada.id, support::t(1), "call"), user())
        .expect("call");
    r.create_booking(&showing(vec![ada.id], support::t(100), 30), user())
        .expect("booking");
    r.create_listing(&listing("12 Elm St", "Camden", 425_000), user())
        .expect("listing");
    r.create_task(
        &task("send brochure", None, Some(RecordRef::Contact(ada.id))),
        user(),
    )
    .expect("task");

    let mut out = Vec::new();
    let n = r.export_json(&mut out).expect("export");
    assert_eq!(n, 7);
    let json: serde_json::Value = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(json["format"], "fieldstone-export");
    assert_eq!(json["format_version"], EXPORT_FORMAT_VERSION);
    assert!(json["exported_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let records = json["records"].as_array().expect("records");
    assert_eq!(records.len(), 7);
    let kinds: BTreeSet<&str> = records.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "booking",
            "contact",
            "interaction",
            "listing",
            "note",
            "task"
        ]
        .into_iter()
        .collect()
    );
    assert!(
        records.iter().all(|r| r["record"].is_object()),
        "{records:?}"
    );
    let deleted = records
        .iter()
        .find(|r| r["record"]["id"] == gone.id.to_string())
        .expect("deleted contact exported");
    assert!(deleted["record"]["deleted_at"].is_string());
    assert_eq!(json["counts"]["contact"], 2);
    let back: Contact = serde_json::from_value(
        records
            .iter()
            .find(|r| r["record"]["id"] == ada.id.to_string())
            .expect("ada")["record"]
            .clone(),
    )
    .expect("a contact");
    assert_eq!(Some(back), r.get_contact(&ada.id).expect("get"));
}

/// A file as Excel for Windows saves "CSV" (Windows-1252), with the accents only far down, and
/// the same file as UTF-16 ("Unicode text"), big- and little-endian, with CRLF line ends.
#[test]
fn legacy_and_utf16_files_are_read_in_their_encoding_and_say_which() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let mut text = String::from("Name,Email,Notes\r\n");
    for i in 0..3_000 {
        text.push_str(&format!("Person {i},p{i}@example.com,plain\r\n"));
    }
    text.push_str("Zoë Müller,zoe@example.com,Café crème\r\n");
    let windows_1252: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 character"))
        .collect();
    let report = import(&r, &windows_1252, &keep_good());
    assert_eq!((report.imported, report.rejected_count), (3_001, 0));
    assert_eq!(report.encoding, "Western European (Windows-1252)");
    let zoe = search(&r, "Zoë");
    assert_eq!(zoe, ["Zoë Müller"]);

    for (name, bytes) in [
        (
            "UTF-16LE",
            [0xFF, 0xFE]
                .into_iter()
                .chain(
                    "Name,Email\r\nJosé García,jose@example.com\r\n"
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes),
                )
                .collect::<Vec<u8>>(),
        ),
        (
            "UTF-16BE",
            [0xFE, 0xFF]
                .into_iter()
                .chain(
                    "Name,Email\r\nJosé García,jose@example.com\r\n"
                        .encode_utf16()
                        .flat_map(u16::to_be_bytes),
                )
                .collect::<Vec<u8>>(),
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = replica(&dir);
        let report = import(&r, &bytes, &keep_good());
        assert_eq!((report.imported, report.rejected_count), (1, 0), "{name}");
        assert_eq!(report.encoding, "Unicode (UTF-16)", "{name}");
        assert_eq!(search(&r, "José"), ["José García"], "{name}");
    }
}

#[test]
fn files_that_cannot_be_imported_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let refused = |bytes: &[u8]| -> ImportFileError {
        match r.import_contacts_csv(bytes, &keep_good(), &mut |_| {}) {
            Err(ReplicaError::Import(e)) => e,
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    assert!(matches!(refused(b""), ImportFileError::NoHeader));
    assert!(matches!(
        refused(b"\xEF\xBB\xBF"),
        ImportFileError::NoHeader
    ));
    let xlsx =
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb4\x8f\xe5\xff[Content_Types].xml";
    assert!(matches!(refused(xlsx), ImportFileError::NotText));
    assert!(matches!(
        refused(b"Name\nAda\0\0\0\x89PNG\n"),
        ImportFileError::NotText
    ));
    assert!(matches!(
        refused(b"{\"contacts\": [1, 2]}\n"),
        ImportFileError::Mapping(_)
    ));
    let mut huge = String::from("Email\n");
    for i in 0..=IMPORT_MAX_ROWS {
        huge.push_str(&format!("p{i}@example.com\n"));
    }
    assert!(matches!(
        refused(huge.as_bytes()),
        ImportFileError::TooManyRows
    ));
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        0
    );
    assert!(r.document_ids().expect("docs").is_empty());
}

#[test]
fn twenty_thousand_rows_import_in_batches_with_progress() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = replica(&dir);
    let mut file = String::from("First Name,Last Name,Email,Mobile,Tags,Stage\r\n");
    let rows = 20_000;
    for i in 0..rows {
        if i % 1_000 == 999 {
            file.push_str(&format!("Bad{i},Row,bad-{i},,x,Lead\r\n"));
        } else {
            file.push_str(&format!(
                "Given{i},Family{i},person{i}@example.com,+1 555 {:03} {:04},\"buyers;{}\",{}\r\n",
                i / 10_000,
                i % 10_000,
                i % 7,
                ["Lead", "Qualified", "Showing"][i % 3],
            ));
        }
    }
    let mut updates: Vec<ImportProgress> = Vec::new();
    let report = r
        .import_contacts_csv(file.as_bytes(), &keep_good(), &mut |p| updates.push(p))
        .expect("import");
    assert_eq!(report.rows_read, 20_000);
    assert_eq!(report.rejected_count, 20);
    assert_eq!(report.imported, 19_980);
    assert_eq!(report.duplicate_count, 0);
    assert_eq!(report.rejected[0].line, 1_001);
    assert_eq!(
        r.count_contacts(&ContactQuery::default()).expect("count"),
        19_980
    );
    assert_eq!(r.pending_changes().expect("outbox"), 19_980);
    assert_eq!(updates.len(), 20, "one update per batch of 1,000 rows");
    assert!(updates
        .windows(2)
        .all(|w| w[0].rows_written <= w[1].rows_written));
    assert!(updates.iter().all(|u| u.rows_total == 20_000));
    assert_eq!(updates.last().map(|u| u.rows_written), Some(19_980));
    let tagged = r
        .count_contacts(&ContactQuery {
            tags: vec!["buyers".into()],
            ..Default::default()
        })
        .expect("count");
    assert_eq!(tagged, 19_980);
}
