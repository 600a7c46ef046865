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
            .import_contacts(ImportRequest {
                upload_id,
                // The import guesses on its own, from the file.
                mapping: None,
                mode: Default::default(),
                duplicates: Default::default(),
                source: None,
            })
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

#[tokio::test]
async fn a_file_the_import_would_refuse_is_refused_by_the_preview_in_the_same_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let utf16 = b"\xFF\xFEN\0a\0m\0e\0\n\0";
    let upload_id = upload(&app, utf16).await;
    let preview = app
        .api
        .import_preview(upload_id.clone())
        .await
        .expect_err("UTF-16 is refused");
    assert_eq!(preview.code, CommandErrorCode::Validation);
    assert!(preview.field("upload_id").is_some());
    let import = app
        .api
        .import_contacts(ImportRequest {
            upload_id,
            mapping: None,
            mode: Default::default(),
            duplicates: Default::default(),
            source: None,
        })
        .await
        .expect_err("UTF-16 is refused");
    assert_eq!(preview.message, import.message);
    assert!(preview.message.contains("UTF-16"), "{}", preview.message);
}
