//! The CSV import against damaged and hostile files: real exports mutated byte by byte (flips,
//! truncation, splices), with quotes, separators, line breaks, byte-order marks, NULs, invalid
//! UTF-8, UTF-16 and huge fields dropped in, and random bytes. Whatever the file, the import
//! answers (no panic), refuses a whole file with a reason naming its line where there is one,
//! reports each rejected row with a line that exists and a reason, accounts for every row, and
//! never touches the contacts already stored.
//!
//! Replaying a failure: proptest keeps it in `proptest-regressions/import_fuzz.txt`, replayed
//! first on every run; `PROPTEST_CASES=<n>` runs more cases.

mod support;

use fieldstone_model::Contact;
use fieldstone_replica::{
    ContactQuery, ImportFileError, ImportMode, ImportOptions, Replica, ReplicaError,
};
use proptest::prelude::*;
use support::{clock, open, person, proptest_config, user, with_phone};

/// Files that import cleanly, in the shapes people send: a spreadsheet's CSV with a BOM and
/// CRLF, quoted line breaks and commas, `;` separators, a Google export, a bare list.
const VALID: &[&str] = &[
    "\u{FEFF}First Name,Last Name,Email,Phone,Tags,Notes\r\n\
     Ada,Lovelace,ada@example.com,+44 20 7946 0958,vip;investor,\"line one\r\nline two, with comma\"\r\n\
     Grace,Hopper,grace@example.com,,navy,\"she said \"\"hello\"\"\"\r\n\
     Élodie,Ňovák,elodie@example.fr,+33 1 23 45 67 89,,日本語 🙂\r\n",
    "Name;E-mail;Stage;Priority\nCy Young;cy@example.com;qualified;high\nDee Dee;dee@example.com;lead;low\n",
    "Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Value,Group Membership\n\
     Kim,Lee,Home,kim@example.com,555 0100,* myContacts ::: VIP\n",
    "email\nsolo@example.com\n\nsecond@example.com\n",
];

/// Pieces dropped into files: what breaks naive CSV readers and naive text handling.
const PIECES: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\0",
    b"\xE9",
    b"\xC3",
    b"\xED\xA0\x80",
    b"\xF0\x9F\x99",
    "\u{202E}".as_bytes(),
    "e\u{301}".as_bytes(),
    b"=cmd|' /C calc'!A0",
    b"@example.com",
];

#[derive(Debug, Clone)]
enum Damage {
    FlipBit(usize, u8),
    Truncate(usize),
    Delete(usize, usize),
    Piece(usize, usize),
    Splice(usize, usize, usize, usize),
    /// A run of `n` bytes of `b'x'`: fields past every length limit.
    Huge(usize, usize),
    /// The whole file as UTF-16 LE with its byte-order mark.
    Utf16,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Damage::FlipBit(at, bit)),
        2 => any::<usize>().prop_map(Damage::Truncate),
        2 => (any::<usize>(), 1usize..24).prop_map(|(at, n)| Damage::Delete(at, n)),
        6 => (any::<usize>(), any::<usize>()).prop_map(|(at, p)| Damage::Piece(at, p)),
        3 => (any::<usize>(), any::<usize>(), any::<usize>(), 1usize..80)
            .prop_map(|(at, f, s, n)| Damage::Splice(at, f, s, n)),
        1 => (any::<usize>(), prop_oneof![Just(300usize), Just(5_000), Just(120_000)])
            .prop_map(|(at, n)| Damage::Huge(at, n)),
        1 => Just(Damage::Utf16),
    ]
}

fn damaged(base: &[u8], damage: &[Damage]) -> Vec<u8> {
    let mut out = base.to_vec();
    for d in damage {
        let len = out.len();
        let at = |at: usize| at % (len + 1);
        match d {
            Damage::FlipBit(i, bit) if len > 0 => out[i % len] ^= 1 << bit,
            Damage::Truncate(i) => out.truncate(at(*i)),
            Damage::Delete(i, n) => {
                let start = at(*i);
                out.drain(start..(start + n).min(len));
            }
            Damage::Piece(i, p) => {
                let i = at(*i);
                out.splice(i..i, PIECES[p % PIECES.len()].iter().copied());
            }
            Damage::Splice(i, f, s, n) => {
                let from = VALID[f % VALID.len()].as_bytes();
                let s = s % from.len();
                let i = at(*i);
                out.splice(i..i, from[s..(s + n).min(from.len())].iter().copied());
            }
            Damage::Huge(i, n) => {
                let i = at(*i);
                out.splice(i..i, std::iter::repeat_n(b'x', *n));
            }
            Damage::Utf16 => {
                let text = String::from_utf8_lossy(&out).into_owned();
                out = [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect();
            }
            _ => {}
        }
    }
    out
}

/// Every contact, full records, in a stable order.
fn contacts(r: &Replica) -> Vec<Contact> {
    let page = r
        .list_contacts(&ContactQuery {
            limit: 200,
            ..Default::default()
        })
        .expect("list");
    let mut all: Vec<Contact> = page
        .items
        .iter()
        .map(|s| r.get_contact(&s.id).expect("get").expect("contact"))
        .collect();
    all.sort_by_key(|c| c.id);
    all
}

/// The most lines `file` can have, however its line ends are read.
fn max_line(file: &[u8]) -> u64 {
    1 + file.iter().filter(|b| **b == b'\n' || **b == b'\r').count() as u64
}

/// Imports `file` into a device that already has two contacts and checks every promise.
fn check_import(file: &[u8], mode: ImportMode) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = open(&dir.path().join("f.db"), &clock());
    r.create_contact(&person("Stored", "Before"), user())
        .expect("stored");
    r.create_contact(&with_phone(person("Kept", "Safe"), "+1 555 0100"), user())
        .expect("stored");
    let before = contacts(&r);
    let options = ImportOptions {
        mode,
        ..ImportOptions::new(user())
    };
    let result = r.import_contacts_csv(file, &options, &mut |_| {});
    let after = contacts(&r);
    // Nothing stored before is touched, whatever happened.
    for contact in &before {
        prop_assert!(
            after.contains(contact),
            "{} changed or lost",
            contact.display_name()
        );
    }
    match result {
        Err(ReplicaError::Import(error)) => {
            prop_assert_eq!(after.len(), before.len(), "a refused file wrote something");
            prop_assert!(!error.to_string().is_empty());
            if let ImportFileError::NotUtf8 { line } | ImportFileError::NotCsv { line, .. } = error
            {
                prop_assert!(
                    (1..=max_line(file)).contains(&line),
                    "line {} of a {}-line file",
                    line,
                    max_line(file)
                );
            }
        }
        Err(other) => prop_assert!(false, "not a file-level refusal: {other:?}"),
        Ok(report) => {
            // Every row is imported, rejected, a duplicate or blank (a rollback zeroes
            // `imported`, so then the others only bound it).
            let accounted = report.imported
                + report.rejected_count
                + report.duplicate_count
                + report.blank_rows;
            if report.rolled_back {
                prop_assert!(report.rows_read >= accounted, "{:?}", report);
            } else {
                prop_assert_eq!(report.rows_read, accounted, "{:?}", report);
            }
            for row in &report.rejected {
                prop_assert!(
                    (2..=max_line(file)).contains(&row.line),
                    "rejected line {} of a {}-line file",
                    row.line,
                    max_line(file)
                );
                prop_assert!(!row.reason.trim().is_empty());
            }
            let added = (after.len() - before.len()) as u64;
            if report.rolled_back {
                prop_assert_eq!(mode, ImportMode::AllOrNothing);
                prop_assert_eq!(added, 0, "rolled back, yet stored");
            } else {
                prop_assert_eq!(added, report.imported);
            }
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    proptest_config("proptest-regressions/import_fuzz.txt", 64)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn damaged_files_are_imported_or_refused_by_line(
        pick in any::<usize>(),
        damage in proptest::collection::vec(damage(), 1..6),
        all_or_nothing in any::<bool>(),
    ) {
        let file = damaged(VALID[pick % VALID.len()].as_bytes(), &damage);
        let mode = if all_or_nothing { ImportMode::AllOrNothing } else { ImportMode::KeepGood };
        check_import(&file, mode)?;
    }

    #[test]
    fn random_bytes_are_imported_or_refused(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        header in any::<bool>(),
    ) {
        let mut file = if header { b"Name,Email,Phone\n".to_vec() } else { Vec::new() };
        file.extend(bytes);
        check_import(&file, ImportMode::KeepGood)?;
    }
}

#[test]
fn the_valid_files_import_cleanly() {
    // The properties start from these: they must be good files, or mutating them proves little.
    for file in VALID {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = open(&dir.path().join("f.db"), &clock());
        let report = r
            .import_contacts_csv(file.as_bytes(), &ImportOptions::new(user()), &mut |_| {})
            .expect("import");
        assert!(report.imported > 0, "{file:?}");
        assert!(
            report.rejected.is_empty(),
            "{file:?}: {:?}",
            report.rejected
        );
    }
}
