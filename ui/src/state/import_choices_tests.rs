//! The import dialog reducer's choices beyond the columns: the encoding (the file read again),
//! what unknown stage and source values become, a stage column changed (read again for its
//! values), stale and failed re-reads, and a vCard file (no columns).

use super::*;
use fieldstone_protocol::views::ValueCount;

fn unknown(values: &[(&str, u64)], more: u64) -> UnknownValues {
    UnknownValues {
        values: values
            .iter()
            .map(|(value, rows)| ValueCount {
                value: (*value).into(),
                rows: *rows,
            })
            .collect(),
        more,
    }
}

/// The sample file with a Status column whose values the engine does not know.
fn with_unknowns() -> ImportPreview {
    ImportPreview {
        unknown_stages: unknown(&[("Negotiating", 12), ("Nurture", 3)], 0),
        unknown_sources: unknown(&[("Zillow Premier", 7)], 2),
        ..sample_preview()
    }
}

fn loaded(preview: ImportPreview) -> ImportState {
    run(vec![
        picked(1, "leads.csv", 1000),
        sent(1, 1000),
        ImportAction::PreviewLoaded {
            pick: 1,
            preview: Box::new(preview),
        },
    ])
}

fn again(state: &ImportState, preview: ImportPreview) -> ImportState {
    reduce(
        state.clone(),
        ImportAction::Repreviewed {
            seq: state.preview_seq,
            result: Ok(Box::new(preview)),
        },
    )
}

fn set_value(field: ValueField, value: &str, key: &str) -> ImportAction {
    ImportAction::SetValue {
        field,
        value: value.into(),
        key: key.into(),
    }
}

#[test]
fn picking_an_encoding_reads_the_file_again_in_it_before_anything_is_imported() {
    let state = previewed();
    assert!(!state.previewing);
    assert_eq!(state.preview_request(), None);
    let same = reduce(state.clone(), ImportAction::Encoding("UTF-8".into()));
    assert_eq!(same, state, "the encoding in use: nothing to read again");

    let picked = reduce(state.clone(), ImportAction::Encoding("windows-1252".into()));
    assert!(picked.previewing);
    assert_eq!(picked.preview_seq, state.preview_seq + 1);
    let request = picked.preview_request().expect("read again");
    assert_eq!(request.upload_id, UPLOAD);
    assert_eq!(request.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(request.mapping, Some(guessed()));
    assert!(!picked.importable());
    let refused = reduce(picked.clone(), ImportAction::Start);
    assert_eq!(refused.step, Step::Preview, "not importable while reading");

    // The answer: the same header keeps the person's edits; the import reads it so too.
    let edited = reduce(picked, set(5, "note"));
    let read = again(
        &edited,
        ImportPreview {
            encoding: "Western European (Windows-1252)".into(),
            encoding_label: "windows-1252".into(),
            ..sample_preview()
        },
    );
    assert!(!read.previewing);
    assert_eq!(read.mapping.target(5), ColumnTarget::Note);
    assert_eq!(
        read.preview.as_ref().map(|p| p.encoding_label.as_str()),
        Some("windows-1252")
    );
    let started = reduce(read, ImportAction::Start);
    let request = started.request().expect("import");
    assert_eq!(request.encoding.as_deref(), Some("windows-1252"));
}

#[test]
fn a_header_read_otherwise_takes_the_new_guess() {
    let state = reduce(
        reduce(previewed(), set(5, "note")),
        ImportAction::Encoding("utf-16le".into()),
    );
    let other = ImportPreview {
        headers: vec!["Name".into()],
        mapping: ColumnMapping {
            columns: vec![MappedColumn {
                header: "Name".into(),
                target: ColumnTarget::FullName,
            }],
        },
        ..sample_preview()
    };
    let read = again(&state, other);
    assert_eq!(read.mapping.columns.len(), 1);
    assert_eq!(read.mapping.target(0), ColumnTarget::FullName);
}

#[test]
fn stale_and_failed_rereads() {
    let first = reduce(previewed(), ImportAction::Encoding("windows-1252".into()));
    let second = reduce(first.clone(), ImportAction::Encoding("shift_jis".into()));
    // The answer for the first pick, after the second: dropped.
    let stale = reduce(
        second.clone(),
        ImportAction::Repreviewed {
            seq: first.preview_seq,
            result: Ok(Box::new(sample_preview())),
        },
    );
    assert_eq!(stale, second);

    let failed = reduce(
        second.clone(),
        ImportAction::Repreviewed {
            seq: second.preview_seq,
            result: Err(CommandError::invalid(
                "encoding",
                "Cannot import this file: \"shift_jis\" is not an encoding this app can read.",
            )),
        },
    );
    assert!(!failed.previewing);
    assert_eq!(failed.step, Step::Preview);
    assert!(failed
        .error
        .as_deref()
        .is_some_and(|e| e.contains("shift_jis")));
    // What is shown is the last preview, so that is the encoding imported with.
    assert_eq!(failed.encoding.as_deref(), Some("UTF-8"));
    assert!(failed.importable());

    let gone = reduce(
        second.clone(),
        ImportAction::Repreviewed {
            seq: second.preview_seq,
            result: Err(CommandError::new(
                CommandErrorCode::NotFound,
                "This upload is gone; pick the file again.",
            )),
        },
    );
    assert_eq!(gone.step, Step::Pick);
}

#[test]
fn unknown_values_start_at_the_default_and_are_sent_as_mapped() {
    let state = loaded(with_unknowns());
    assert_eq!(
        ValueField::Stage.chosen(&state.values, "Negotiating"),
        "lead"
    );
    assert_eq!(
        ValueField::Source.chosen(&state.values, "Zillow Premier"),
        "import"
    );
    let state = reduce(state, set_value(ValueField::Stage, "Negotiating", "offer"));
    let state = reduce(
        state,
        set_value(ValueField::Source, "Zillow Premier", "zillow"),
    );
    // Not listed, or not a choice: nothing changes.
    let same = reduce(
        state.clone(),
        set_value(ValueField::Stage, "Sphere", "offer"),
    );
    assert_eq!(same, state);
    let same = reduce(
        state.clone(),
        set_value(ValueField::Stage, "Negotiating", "escrow"),
    );
    assert_eq!(same, state);

    let request = reduce(state, ImportAction::Start)
        .request()
        .expect("import");
    assert_eq!(
        request.values.stage,
        [
            ("Negotiating".to_owned(), Stage::Offer),
            ("Nurture".to_owned(), Stage::Lead)
        ]
        .into()
    );
    assert_eq!(
        request.values.source,
        [("Zillow Premier".to_owned(), LeadSource::Zillow)].into()
    );
}

#[test]
fn a_column_made_a_stage_or_source_reads_the_file_again_for_its_values() {
    let state = loaded(with_unknowns());
    let state = reduce(state, set_value(ValueField::Stage, "Negotiating", "offer"));
    let seq = state.preview_seq;
    // Not a stage or source column either way: nothing to read again.
    let plain = reduce(state.clone(), set(5, "note"));
    assert!(!plain.previewing);
    assert_eq!(plain.preview_seq, seq);

    let staged = reduce(state, set(5, "stage"));
    assert!(staged.previewing);
    let request = staged.preview_request().expect("read again");
    assert_eq!(
        request.mapping.map(|m| m.target(5)),
        Some(ColumnTarget::Stage)
    );
    // The new census: "Negotiating" still there (its answer kept), "Nurture" gone, one new.
    let read = again(
        &staged,
        ImportPreview {
            mapping: staged.mapping.clone(),
            unknown_stages: unknown(&[("Negotiating", 12), ("Purple", 4)], 0),
            unknown_sources: UnknownValues::default(),
            ..sample_preview()
        },
    );
    assert_eq!(read.mapping.target(5), ColumnTarget::Stage);
    assert_eq!(
        read.values.stage,
        [
            ("Negotiating".to_owned(), Stage::Offer),
            ("Purple".to_owned(), Stage::Lead)
        ]
        .into()
    );
    assert!(read.values.source.is_empty());
}

#[test]
fn a_vcard_has_no_columns_to_map_and_imports_as_it_is() {
    let state = loaded(ImportPreview {
        headers: ["Name", "Email", "Phone"].map(String::from).to_vec(),
        mapping: ColumnMapping::default(),
        format: ImportFormat::Vcard,
        unknown_stages: unknown(&[("Negotiating", 2)], 0),
        ..sample_preview()
    });
    assert!(state.vcard());
    assert_eq!(
        state.mapping_error, None,
        "an empty mapping is no error here"
    );
    assert!(state.importable());
    let state = reduce(state, set_value(ValueField::Stage, "Negotiating", "offer"));
    let request = reduce(state.clone(), ImportAction::Start)
        .request()
        .expect("import");
    assert_eq!(request.mapping, None);
    assert_eq!(request.values.stage["Negotiating"], Stage::Offer);
    // Read again in another encoding: no mapping sent either.
    let again = reduce(state, ImportAction::Encoding("windows-1252".into()));
    assert_eq!(
        again.preview_request().map(|r| r.mapping),
        Some(None),
        "{again:?}"
    );
}
