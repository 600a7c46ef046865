//! The import preview reads a file as the import will: one guess of encoding and separator,
//! the engine's, for both. Files whose header line has as many of two separators used to be
//! split one way in the preview and another in the import. A person may then choose another
//! encoding and say what unknown stage and source values become, and a vCard file goes through
//! the same two steps.

use crate::support::{open, t0};
use base64::Engine;
use fieldstone_model::{LeadSource, Stage};
use fieldstone_protocol::commands::{CommandErrorCode, ImportRequest, PreviewRequest, UploadChunk};
use fieldstone_protocol::views::{ColumnTarget, ContactQuery, ImportFormat, ValueCount};

async fn upload(app: &crate::support::TestApp, bytes: &[u8]) -> String {
    app.api
        .upload_chunk(UploadChunk {
            upload_id: None,
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        })
        .await
        .expect("upload")
        .upload_id
}

/// The import of an upload with everything left to the engine's guess (mapping, separator,
/// encoding), as the preview showed it.
fn guessed(upload_id: String) -> ImportRequest {
    ImportRequest {
        upload_id,
        mapping: None,
        mode: Default::default(),
        duplicates: Default::default(),
        source: None,
        encoding: None,
        values: Default::default(),
    }
}

#[tokio::test]
async fn the_preview_splits_columns_exactly_as_the_import_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    // (file, the columns both must see). A tie keeps `,`, then `;`.
    let cases: [(&str, &[&str]); 5] = [
        (
            "Name,Email;Tags\nAda,ada@example.com;vip\n",
            &["Name", "Email;Tags"],
        ),
        (
            "Name;Email\tTags\nAda;ada@example.com\tvip\n",
            &["Name", "Email\tTags"],
        ),
        ("Name,Tags\tStage\nAda,vip\tnew\n", &["Name", "Tags\tStage"]),
        (
            "Name;Email;Tags,x\r\nAda;ada@example.com;vip,x\r\n",
            &["Name", "Email", "Tags,x"],
        ),
        (
            "\u{feff} Name ,Email\nAda,ada@example.com\n",
            &["Name", "Email"],
        ),
    ];
    for (file, columns) in cases {
        let upload_id = upload(&app, file.as_bytes()).await;
        let preview = app
            .api
            .import_preview(upload_id.clone().into())
            .await
            .expect("preview");
        assert_eq!(preview.headers, columns, "preview of {file:?}");
        assert_eq!(preview.sample.len(), 1, "{file:?}");
        assert_eq!(preview.sample[0].len(), columns.len(), "{file:?}");
        let report = app
            .api
            .import_contacts(guessed(upload_id))
            .await
            .expect("import");
        let imported: Vec<&str> = report
            .mapping
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect();
        assert_eq!(imported, columns, "import of {file:?}");
        assert_eq!(report.mapping, preview.mapping, "{file:?}");
        assert_eq!(report.rows_read, 1, "{file:?}");
    }
}

/// Excel on Windows (Windows-1252) and "Unicode text" (UTF-16): the preview names the encoding
/// the import then reads the file in, and shows the rows already decoded.
#[tokio::test]
async fn the_preview_names_the_encoding_the_import_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Name,Email\r\nJosé García,jose@example.com\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    for (file, encoding, name) in [
        (
            b"Name,Email,Notes\r\nZo\xEB M\xFCller,zoe@example.com,Caf\xE9 cr\xE8me\r\n".to_vec(),
            "Western European (Windows-1252)",
            "Zoë Müller",
        ),
        (utf16, "Unicode (UTF-16)", "José García"),
        ("Name\nAda\n".as_bytes().to_vec(), "Unicode (UTF-8)", "Ada"),
    ] {
        let upload_id = upload(&app, &file).await;
        let preview = app
            .api
            .import_preview(upload_id.clone().into())
            .await
            .expect("preview");
        assert_eq!(preview.encoding, encoding);
        assert_eq!(preview.sample[0][0], name);
        let report = app
            .api
            .import_contacts(guessed(upload_id))
            .await
            .expect("import");
        assert_eq!(report.encoding, encoding);
        assert_eq!(report.imported, 1, "{encoding}");
    }
}

#[tokio::test]
async fn a_file_the_import_would_refuse_is_refused_by_the_preview_in_the_same_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    // A workbook saved as .xlsx and renamed: not text.
    let xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml";
    let upload_id = upload(&app, xlsx).await;
    let preview = app
        .api
        .import_preview(upload_id.clone().into())
        .await
        .expect_err("a workbook is refused");
    assert_eq!(preview.code, CommandErrorCode::Validation);
    assert!(preview.field("upload_id").is_some());
    let import = app
        .api
        .import_contacts(guessed(upload_id))
        .await
        .expect_err("a workbook is refused");
    assert_eq!(preview.message, import.message);
    assert!(preview.message.contains(".xlsx"), "{}", preview.message);
}

/// A file whose encoding was guessed wrong: the preview offers the others, the one picked is
/// read (the header stays, so the mapping does too), and the import reads it the same way.
#[tokio::test]
async fn an_encoding_picked_in_the_preview_is_the_one_the_import_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    // Windows-1252 "«Pepe»", which chardetng takes for Central European in so short a file.
    let upload_id = upload(&app, b"Name,Notes\nJos\xE9,\xABPepe\xBB\n").await;
    let guessed_preview = app
        .api
        .import_preview(upload_id.clone().into())
        .await
        .expect("preview");
    assert_eq!(
        guessed_preview.encodings[0].label, guessed_preview.encoding_label,
        "the one in use is offered first"
    );
    let offered: Vec<&str> = guessed_preview
        .encodings
        .iter()
        .map(|e| e.label.as_str())
        .collect();
    for label in [
        "UTF-8",
        "windows-1252",
        "UTF-16LE",
        "Shift_JIS",
        "windows-1251",
    ] {
        assert!(offered.contains(&label), "{label} in {offered:?}");
    }
    assert_ne!(guessed_preview.sample[0][1], "«Pepe»");

    let picked = app
        .api
        .import_preview(PreviewRequest {
            upload_id: upload_id.clone(),
            encoding: Some("windows-1252".into()),
            mapping: Some(guessed_preview.mapping.clone()),
        })
        .await
        .expect("preview");
    assert_eq!(picked.encoding, "Western European (Windows-1252)");
    assert_eq!(picked.encoding_label, "windows-1252");
    assert_eq!(
        picked.encodings, guessed_preview.encodings,
        "the same choices in the same places, the one found first"
    );
    assert_eq!(picked.sample[0], ["José", "«Pepe»"]);
    assert_eq!(picked.mapping, guessed_preview.mapping);

    let report = app
        .api
        .import_contacts(ImportRequest {
            encoding: Some("windows-1252".into()),
            ..guessed(upload_id)
        })
        .await
        .expect("import");
    assert_eq!(report.encoding, "Western European (Windows-1252)");
    assert_eq!(report.imported, 1);
}

#[tokio::test]
async fn an_unknown_encoding_is_refused_on_its_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let upload_id = upload(&app, b"Name\nAda\n").await;
    let preview = app
        .api
        .import_preview(PreviewRequest {
            encoding: Some("klingon".into()),
            ..PreviewRequest::new(upload_id.clone())
        })
        .await
        .expect_err("refused");
    let import = app
        .api
        .import_contacts(ImportRequest {
            encoding: Some("klingon".into()),
            ..guessed(upload_id.clone())
        })
        .await
        .expect_err("refused");
    for error in [preview, import] {
        assert_eq!(error.code, CommandErrorCode::Validation);
        let message = error.field("encoding").expect("on the encoding field");
        assert!(
            message.contains("\"klingon\" is not an encoding"),
            "{message}"
        );
    }
    // Nothing was read or removed: the upload imports once the choice is fixed.
    let report = app
        .api
        .import_contacts(guessed(upload_id))
        .await
        .expect("import");
    assert_eq!(report.imported, 1);
}

#[tokio::test]
async fn unknown_stages_and_sources_are_listed_then_imported_as_the_person_mapped_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let file = "Name,Email,Status,Lead Source\n\
        Ada Lovelace,ada@example.com,Negotiating,Zillow Premier\n\
        Grace Hopper,grace@example.com,negotiating,Zillow Premier\n\
        Alan Turing,alan@example.com,Sphere,Referral\n";
    let upload_id = upload(&app, file.as_bytes()).await;
    let preview = app
        .api
        .import_preview(upload_id.clone().into())
        .await
        .expect("preview");
    assert_eq!(preview.rows, 3);
    assert_eq!(
        preview.unknown_stages.values,
        [
            ValueCount {
                value: "Negotiating".into(),
                rows: 2
            },
            ValueCount {
                value: "Sphere".into(),
                rows: 1
            }
        ]
    );
    assert_eq!(preview.unknown_sources.values[0].value, "Zillow Premier");

    // The Status column skipped in the mapping: its values are no longer asked about.
    let mut mapping = preview.mapping.clone();
    assert_eq!(mapping.target(2), ColumnTarget::Stage);
    mapping.columns[2].target = ColumnTarget::Ignore;
    let remapped = app
        .api
        .import_preview(PreviewRequest {
            mapping: Some(mapping),
            ..PreviewRequest::new(upload_id.clone())
        })
        .await
        .expect("preview");
    assert!(remapped.unknown_stages.is_empty());
    assert_eq!(remapped.unknown_sources.values.len(), 1);

    let mut request = guessed(upload_id);
    request
        .values
        .stage
        .insert("Negotiating".into(), Stage::Offer);
    request.values.stage.insert("Sphere".into(), Stage::Lead);
    request
        .values
        .source
        .insert("Zillow Premier".into(), LeadSource::Zillow);
    let report = app.api.import_contacts(request).await.expect("import");
    assert_eq!((report.imported, report.rejected_count), (3, 0));
    let page = app
        .api
        .list_contacts(ContactQuery::default())
        .await
        .expect("list");
    let mut stages: Vec<(String, Stage, LeadSource)> = page
        .items
        .iter()
        .map(|c| (c.display_name.clone(), c.stage, c.source))
        .collect();
    stages.sort();
    assert_eq!(
        stages,
        [
            ("Ada Lovelace".into(), Stage::Offer, LeadSource::Zillow),
            ("Alan Turing".into(), Stage::Lead, LeadSource::Referral),
            ("Grace Hopper".into(), Stage::Offer, LeadSource::Zillow),
        ]
    );
}

#[tokio::test]
async fn a_vcard_is_previewed_and_imported_through_the_same_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    // An iPhone's export, saved with a .csv name by mistake: the content decides.
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n\
        EMAIL;type=INTERNET;type=pref:ada@example.com\r\nTEL;type=CELL:+44 7700 900123\r\n\
        X-FIELDSTONE-STAGE:Negotiating\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@\r\nEND:VCARD\r\n";
    let upload_id = upload(&app, vcf.as_bytes()).await;
    let preview = app
        .api
        .import_preview(upload_id.clone().into())
        .await
        .expect("preview");
    assert_eq!(preview.format, ImportFormat::Vcard);
    assert_eq!(preview.rows, 2);
    assert!(preview.mapping.columns.is_empty());
    assert_eq!(preview.sample[0][0], "Ada Lovelace");
    assert_eq!(preview.unknown_stages.values[0].value, "Negotiating");
    let mut request = guessed(upload_id);
    request
        .values
        .stage
        .insert("Negotiating".into(), Stage::Offer);
    let report = app.api.import_contacts(request).await.expect("import");
    assert_eq!(report.format, ImportFormat::Vcard);
    assert_eq!((report.rows_read, report.imported), (2, 1));
    assert_eq!(report.rejected[0].line, 9);
    assert!(
        report.rejected[0].reason.starts_with("Email: \"grace@\""),
        "{}",
        report.rejected[0].reason
    );
    let page = app
        .api
        .list_contacts(ContactQuery::default())
        .await
        .expect("list");
    assert_eq!(page.items[0].stage, Stage::Offer);
}
