//! The import dialog reducer: refused files, chunking, stale answers, mapping edits, progress,
//! the report and failures.

use super::*;
use fieldstone_model::{ContactLabel, FieldError};
use fieldstone_protocol::views::{
    DuplicateOf, DuplicateRow, ImportFormat, MappedColumn, RejectedRow, UnknownValues,
};

const UPLOAD: &str = "6f0c1a0e-8d4b-4a57-9c1e-2a3b4c5d6e7f";

fn reduce(state: ImportState, action: ImportAction) -> ImportState {
    (*Rc::new(state).reduce(action)).clone()
}

fn run(actions: Vec<ImportAction>) -> ImportState {
    actions.into_iter().fold(ImportState::default(), reduce)
}

fn picked(pick: u64, name: &str, size: u64) -> ImportAction {
    ImportAction::Picked {
        pick,
        name: name.into(),
        size,
        mime: String::new(),
    }
}

fn sent(pick: u64, bytes: u64) -> ImportAction {
    ImportAction::ChunkSent {
        pick,
        uploaded: Uploaded {
            upload_id: UPLOAD.into(),
            bytes,
        },
    }
}

fn headers() -> Vec<String> {
    [
        "First Name",
        "Last Name",
        "Email",
        "Email Type",
        "Mobile",
        "Favourite colour",
    ]
    .map(String::from)
    .to_vec()
}

/// The mapping the engine guesses for [`headers`] (the preview brings it from the shell).
fn guessed() -> ColumnMapping {
    let targets = [
        ColumnTarget::GivenName,
        ColumnTarget::FamilyName,
        ColumnTarget::Email {
            label: ContactLabel::Other,
        },
        ColumnTarget::EmailLabel { of: 2 },
        ColumnTarget::Phone {
            label: ContactLabel::Mobile,
        },
        ColumnTarget::Ignore,
    ];
    ColumnMapping {
        columns: headers()
            .into_iter()
            .zip(targets)
            .map(|(header, target)| MappedColumn { header, target })
            .collect(),
    }
}

/// What the shell answers for [`headers`]: the guess, one row, UTF-8, nothing unknown.
fn sample_preview() -> ImportPreview {
    ImportPreview {
        upload_id: UPLOAD.into(),
        headers: headers(),
        mapping: guessed(),
        sample: vec![vec!["Ada".into(), "Lovelace".into()]],
        encoding: "Unicode (UTF-8)".into(),
        encoding_label: "UTF-8".into(),
        encodings: Vec::new(),
        format: ImportFormat::Csv,
        rows: 1,
        unknown_stages: UnknownValues::default(),
        unknown_sources: UnknownValues::default(),
    }
}

fn preview(pick: u64) -> ImportAction {
    ImportAction::PreviewLoaded {
        pick,
        preview: Box::new(sample_preview()),
    }
}

/// A 1,000-byte file uploaded and previewed.
fn previewed() -> ImportState {
    run(vec![
        picked(1, "leads.csv", 1000),
        sent(1, 1000),
        preview(1),
    ])
}

fn set(column: usize, key: &str) -> ImportAction {
    ImportAction::SetTarget {
        column,
        key: key.into(),
    }
}

fn progress(upload_id: &str, rows_read: u64, rows_total: u64) -> ImportAction {
    ImportAction::Progress(ImportProgressEvent {
        upload_id: upload_id.into(),
        progress: ImportProgress {
            rows_total,
            rows_read,
            rows_written: rows_read,
        },
    })
}

fn report(imported: u64, rejected: u64, rolled_back: bool) -> ImportReport {
    ImportReport {
        mapping: guessed(),
        rows_read: imported + rejected,
        imported,
        notes_imported: 0,
        follow_ups_planned: 0,
        blank_rows: 0,
        rejected_count: rejected,
        rejected: (0..rejected)
            .map(|i| RejectedRow {
                line: i + 2,
                reason: "Email: \"ada@\" is not an email address.".into(),
                fields: vec![FieldError {
                    field: "emails.0.address".into(),
                    message: "not an email address".into(),
                }],
            })
            .collect(),
        duplicate_count: 1,
        duplicates: vec![DuplicateRow {
            line: 9,
            of: DuplicateOf::Contact(crate::state::contacts::tests::contact_id(1)),
            key: "email".into(),
            value: "ada@example.com".into(),
            imported: false,
        }],
        rolled_back,
        encoding: "Western European (Windows-1252)".into(),
        format: ImportFormat::Csv,
    }
}

#[test]
fn files_are_cut_into_chunks_that_cover_every_byte_once() {
    assert!(chunk_ranges(0, 10).is_empty());
    assert_eq!(chunk_ranges(1, 10), vec![0..1]);
    assert_eq!(chunk_ranges(10, 10), vec![0..10]);
    assert_eq!(chunk_ranges(11, 10), vec![0..10, 10..11]);
    assert_eq!(chunk_ranges(30, 10), vec![0..10, 10..20, 20..30]);
    // The real chunk size: every chunk fits what the shell takes.
    let ranges = chunk_ranges(FILE_MAX_BYTES, CHUNK_BYTES);
    assert_eq!(ranges.first().map(|r| r.start), Some(0));
    assert_eq!(ranges.last().map(|r| r.end), Some(FILE_MAX_BYTES));
    assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
    assert!(ranges
        .iter()
        .all(|r| r.end - r.start <= UPLOAD_CHUNK_MAX_BYTES as u64));
}

#[test]
fn sizes_are_in_words() {
    assert_eq!(size_words(900), "900 bytes");
    assert_eq!(size_words(1024), "1 KB");
    assert_eq!(size_words(38_000), "38 KB");
    assert_eq!(size_words(4_404_019), "4.2 MB");
    assert_eq!(size_words(FILE_MAX_BYTES), "100.0 MB");
}

#[test]
fn only_csv_and_vcard_files_within_the_limit_are_taken() {
    assert_eq!(refuse_file("leads.csv", 10, ""), None);
    assert_eq!(refuse_file("LEADS.CSV", 10, ""), None);
    assert_eq!(refuse_file("export", 10, "text/csv"), None);
    assert_eq!(refuse_file("iPhone contacts.vcf", 10, ""), None);
    assert_eq!(refuse_file("contacts", 10, "text/vcard"), None);
    assert_eq!(refuse_file("excel tab separated.txt", 10, ""), None);
    let photo = refuse_file("house.jpg", 10, "image/jpeg").expect("refused");
    assert!(
        photo.starts_with("house.jpg is not a CSV or vCard file"),
        "{photo}"
    );
    assert_eq!(
        refuse_file("empty.csv", 0, "text/csv").as_deref(),
        Some("empty.csv is empty.")
    );
    assert_eq!(refuse_file("big.csv", FILE_MAX_BYTES, ""), None);
    let big = refuse_file("big.csv", FILE_MAX_BYTES + 1, "").expect("refused");
    assert!(big.contains("larger than 100 MB"), "{big}");

    // A refused file stays on the picker with the reason; nothing is uploaded.
    let state = run(vec![picked(1, "house.jpg", 10)]);
    assert_eq!(state.step, Step::Pick);
    assert!(state.file.is_none());
    assert!(state
        .error
        .as_deref()
        .is_some_and(|e| e.contains("not a CSV")));
}

#[test]
fn upload_progress_counts_bytes_sent_and_keeps_the_id() {
    let state = run(vec![picked(1, "leads.csv", 3000), sent(1, 1000)]);
    assert_eq!(state.step, Step::Uploading);
    let file = state.file.clone().expect("file");
    assert_eq!((file.sent, file.size), (1000, 3000));
    assert_eq!(file.id.as_deref(), Some(UPLOAD));
    let state = reduce(state, sent(1, 3000));
    assert_eq!(state.file.as_ref().map(|f| f.sent), Some(3000));
}

#[test]
fn answers_for_an_abandoned_file_are_dropped() {
    let state = run(vec![
        picked(1, "old.csv", 1000),
        ImportAction::PickAnother,
        picked(2, "new.csv", 500),
        sent(1, 1000),
        preview(1),
    ]);
    assert_eq!(state.step, Step::Uploading);
    let file = state.file.expect("file");
    assert_eq!((file.name.as_str(), file.sent), ("new.csv", 0));
    assert!(state.preview.is_none());
}

#[test]
fn a_failed_upload_goes_back_to_the_picker_with_the_shells_words() {
    let state = run(vec![
        picked(1, "leads.csv", 1000),
        ImportAction::UploadFailed {
            pick: 1,
            error: CommandError::invalid(
                "data_base64",
                "The file is larger than 100 MB; split it into smaller files.",
            ),
        },
    ]);
    assert_eq!(state.step, Step::Pick);
    assert!(state.file.is_none());
    assert_eq!(
        state.error.as_deref(),
        Some("The file is larger than 100 MB; split it into smaller files.")
    );
}

#[test]
fn the_preview_shows_the_guessed_mapping() {
    let state = previewed();
    assert_eq!(state.step, Step::Preview);
    assert_eq!(state.mapping.target(0), ColumnTarget::GivenName);
    assert_eq!(state.mapping.target(3), ColumnTarget::EmailLabel { of: 2 });
    assert_eq!(state.mapping.target(5), ColumnTarget::Ignore);
    assert_eq!(state.mapping_error, None);
}

#[test]
fn target_keys_round_trip_for_every_option() {
    let state = previewed();
    for column in 0..state.mapping.columns.len() {
        for (_, options) in target_options(&state.mapping, column) {
            for (key, _) in options {
                let target = target_from_key(&key).expect(&key);
                assert_eq!(target_key(target), key);
            }
        }
    }
    assert_eq!(target_from_key("email:pager"), None);
    assert_eq!(target_from_key("phone_label:x"), None);
    assert_eq!(target_from_key("shoe size"), None);
}

#[test]
fn label_options_name_the_other_email_and_phone_columns() {
    let state = previewed();
    let labels: Vec<(String, String)> = target_options(&state.mapping, 3)
        .into_iter()
        .filter(|(group, _)| group.starts_with("Labels"))
        .flat_map(|(_, options)| options)
        .collect();
    assert_eq!(
        labels,
        vec![
            ("email_label:2".to_owned(), "Label of “Email”".to_owned()),
            ("phone_label:4".to_owned(), "Label of “Mobile”".to_owned()),
        ]
    );
    // A column is never offered as its own label.
    let own = target_options(&state.mapping, 2)
        .into_iter()
        .flat_map(|(_, options)| options)
        .any(|(key, _)| key == "email_label:2");
    assert!(!own);
}

#[test]
fn editing_a_column_changes_only_that_column() {
    let state = reduce(previewed(), set(5, "note"));
    assert_eq!(state.mapping.target(5), ColumnTarget::Note);
    assert_eq!(state.mapping.target(0), ColumnTarget::GivenName);
    let state = reduce(state, set(4, "phone:work"));
    assert_eq!(
        state.mapping.target(4),
        ColumnTarget::Phone {
            label: ContactLabel::Work
        }
    );
    // Unknown keys and columns past the end change nothing.
    assert_eq!(reduce(state.clone(), set(9, "note")), state);
    assert_eq!(reduce(state.clone(), set(1, "shoe size")), state);
}

#[test]
fn a_label_column_follows_its_email_column_away() {
    // The email column becomes a note: its label column labels nothing and is skipped.
    let state = reduce(previewed(), set(2, "note"));
    assert_eq!(state.mapping.target(3), ColumnTarget::Ignore);
    assert_eq!(state.mapping_error, None);
    // A label of a column that is not an email column is not taken.
    let state = reduce(state, set(5, "email_label:1"));
    assert_eq!(state.mapping.target(5), ColumnTarget::Ignore);
}

#[test]
fn a_mapping_without_names_emails_or_phones_cannot_be_imported() {
    let state = [
        set(0, "skip"),
        set(1, "skip"),
        set(2, "skip"),
        set(4, "tags"),
    ]
    .into_iter()
    .fold(previewed(), reduce);
    assert!(state
        .mapping_error
        .as_deref()
        .is_some_and(|e| e.starts_with("No column is imported as a name")));
    let refused = reduce(state.clone(), ImportAction::Start);
    assert_eq!(refused.step, Step::Preview);
    assert_eq!(refused.import_seq, state.import_seq);
    // One name column is enough again.
    let state = reduce(state, set(1, "family_name"));
    assert_eq!(state.mapping_error, None);
}

#[test]
fn starting_asks_for_the_edited_mapping_and_options() {
    let state = [
        set(5, "note"),
        ImportAction::Mode(ImportMode::AllOrNothing),
        ImportAction::Duplicates(DuplicatePolicy::Import),
        ImportAction::Start,
    ]
    .into_iter()
    .fold(previewed(), reduce);
    assert_eq!(state.step, Step::Importing);
    assert_eq!(state.import_seq, 1);
    assert!(!state.closable());
    let request = state.request().expect("a request");
    assert_eq!(request.upload_id, UPLOAD);
    assert_eq!(request.mode, ImportMode::AllOrNothing);
    assert_eq!(request.duplicates, DuplicatePolicy::Import);
    let mapping = request.mapping.expect("mapping sent");
    assert_eq!(mapping.target(5), ColumnTarget::Note);
    // Picking another file or starting twice does nothing while importing.
    assert_eq!(reduce(state.clone(), ImportAction::Start), state);
    assert_eq!(reduce(state.clone(), picked(2, "b.csv", 5)), state);
}

#[test]
fn progress_is_of_this_upload_and_never_goes_back() {
    let state = reduce(previewed(), ImportAction::Start);
    assert_eq!(state.rows_done(), None);
    let state = reduce(state, progress(UPLOAD, 200, 500));
    assert_eq!(state.rows_done(), Some((200, 500)));
    let other = "11111111-2222-4333-8444-555555555555";
    let state = reduce(state, progress(other, 400, 500));
    assert_eq!(state.rows_done(), Some((200, 500)));
    let state = reduce(state, progress(UPLOAD, 100, 500));
    assert_eq!(state.rows_done(), Some((200, 500)));
    let state = reduce(state, progress(UPLOAD, 500, 500));
    assert_eq!(state.rows_done(), Some((500, 500)));
    // No progress before an import starts.
    assert_eq!(reduce(previewed(), progress(UPLOAD, 1, 5)).progress, None);
}

#[test]
fn the_report_ends_the_import_and_a_late_event_does_not_change_it() {
    let state = [
        ImportAction::Start,
        progress(UPLOAD, 100, 303),
        ImportAction::Imported(Box::new(report(300, 3, false))),
        progress(UPLOAD, 200, 303),
    ]
    .into_iter()
    .fold(previewed(), reduce);
    assert_eq!(state.step, Step::Report);
    assert!(state.closable());
    assert!(state.changed_contacts());
    assert_eq!(state.rows_done(), Some((303, 303)));
    let report = state.report.expect("report");
    assert_eq!((report.imported, report.rejected_count), (300, 3));
    assert_eq!(report.rejected[0].line, 2);
}

#[test]
fn a_rolled_back_import_changed_no_contacts() {
    let state = [
        ImportAction::Mode(ImportMode::AllOrNothing),
        ImportAction::Start,
        ImportAction::Imported(Box::new(report(300, 1, true))),
    ]
    .into_iter()
    .fold(previewed(), reduce);
    assert_eq!(state.step, Step::Report);
    assert!(!state.changed_contacts());
}

#[test]
fn a_refused_import_returns_to_the_columns_and_a_lost_upload_to_the_picker() {
    let started = reduce(previewed(), ImportAction::Start);
    let refused = reduce(
        started.clone(),
        ImportAction::ImportFailed(CommandError::invalid(
            "mapping",
            "Column 4 (\"Email Type\") is a label for a column that is not an email or phone column.",
        )),
    );
    assert_eq!(refused.step, Step::Preview);
    assert!(refused
        .error
        .as_deref()
        .is_some_and(|e| e.starts_with("Column 4")));
    assert!(refused.file.is_some());
    // Trying again clears the message.
    let again = reduce(refused, ImportAction::Start);
    assert_eq!((again.step, again.error), (Step::Importing, None));

    let gone = reduce(
        started,
        ImportAction::ImportFailed(CommandError::new(
            CommandErrorCode::NotFound,
            "This upload is gone; pick the file again.",
        )),
    );
    assert_eq!(gone.step, Step::Pick);
    assert!(gone.file.is_none());
    assert_eq!(
        gone.error.as_deref(),
        Some("This upload is gone; pick the file again.")
    );
}

#[test]
fn picking_another_file_keeps_the_chosen_options() {
    let state = [
        ImportAction::Mode(ImportMode::AllOrNothing),
        ImportAction::Duplicates(DuplicatePolicy::Import),
        ImportAction::PickAnother,
    ]
    .into_iter()
    .fold(previewed(), reduce);
    assert_eq!(state.step, Step::Pick);
    assert!(state.file.is_none() && state.preview.is_none());
    assert_eq!(state.mapping, ColumnMapping::default());
    assert_eq!(
        (state.mode, state.duplicates),
        (ImportMode::AllOrNothing, DuplicatePolicy::Import)
    );
}

#[test]
fn an_unknown_mapping_target_from_the_guess_stays_selectable() {
    let mapping = ColumnMapping {
        columns: vec![MappedColumn {
            header: "Pager".into(),
            target: ColumnTarget::Email {
                label: ContactLabel::Mobile,
            },
        }],
    };
    let keys: Vec<String> = target_options(&mapping, 0)
        .into_iter()
        .flat_map(|(_, options)| options)
        .map(|(key, _)| key)
        .collect();
    assert!(keys.contains(&"email:mobile".to_owned()));
}

#[path = "import_choices_tests.rs"]
mod choices;
