//! The import preview reads a file as the import will: one guess of encoding and separator,
//! the engine's, for both. Files whose header line has as many of two separators used to be
//! split one way in the preview and another in the import.

use crate::support::{open, t0};
use base64::Engine;
use fieldstone_protocol::commands::{CommandErrorCode, ImportRequest, UploadChunk};

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
            .import_preview(upload_id.clone())
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
            .import_preview(upload_id.clone())
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
        .import_preview(upload_id.clone())
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
