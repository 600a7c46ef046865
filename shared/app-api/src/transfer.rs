//! Import and export. A CSV the user picks arrives in chunks (the webview has the file, not a
//! path) into the app's cache folder; the preview shows its header, the guessed mapping and the
//! first rows, as the engine reads them; the import streams it through the engine, emitting
//! progress. Exports go to the user's downloads folder.

use super::{decode_base64, Api};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, EncodingChoice, ExportDone, ExportFormat, ExportRequest,
    ImportPreview, ImportProgressEvent, ImportRequest, PreviewRequest, UploadChunk, Uploaded,
    IMPORT_PREVIEW_ROWS, UPLOAD_CHUNK_MAX_BYTES,
};
use fieldstone_protocol::views::{ImportOptions, ImportReport};
use fieldstone_replica::{
    encoding_choices, encoding_for_label, encoding_label, preview_file, FilePreview,
    ImportFileError, PreviewOptions, ReplicaError, IMPORT_MAX_BYTES,
};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const UPLOAD_DIR: &str = "uploads";
/// Uploads older than this are removed at start-up (an import abandoned half way).
const UPLOAD_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

impl Api {
    /// Appends one chunk to an upload (a new one when `upload_id` is `None`).
    pub async fn upload_chunk(&self, chunk: UploadChunk) -> Result<Uploaded, CommandError> {
        let bytes = decode_base64("data_base64", &chunk.data_base64, UPLOAD_CHUNK_MAX_BYTES)?;
        let fresh = chunk.upload_id.is_none();
        let upload_id = match chunk.upload_id {
            Some(id) => id,
            None => uuid::Uuid::new_v4().to_string(),
        };
        let path = self.upload_path(&upload_id)?;
        super::blocking(move || {
            let io = |e: std::io::Error| {
                CommandError::new(
                    CommandErrorCode::Storage,
                    format!("Could not keep the file for import: {e}."),
                )
            };
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .create(fresh)
                .open(&path)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => CommandError::new(
                        CommandErrorCode::NotFound,
                        "This upload is gone; pick the file again.",
                    ),
                    _ => io(e),
                })?;
            let size = file.metadata().map_err(io)?.len();
            if size + bytes.len() as u64 > IMPORT_MAX_BYTES {
                drop(file);
                let _ = std::fs::remove_file(&path);
                return Err(CommandError::invalid(
                    "data_base64",
                    format!(
                        "The file is larger than {} MB; split it into smaller files.",
                        IMPORT_MAX_BYTES / (1024 * 1024)
                    ),
                ));
            }
            file.write_all(&bytes).map_err(io)?;
            Ok(Uploaded {
                upload_id,
                bytes: size + bytes.len() as u64,
            })
        })
        .await
    }

    /// The uploaded file as the import will read it: CSV or vCard, its header, the column
    /// mapping (the request's, or guessed), its first rows, the encoding it is read in (found,
    /// or the request's) with the others it could be, and the stage and source values no
    /// choice is known by.
    pub async fn import_preview(
        &self,
        request: PreviewRequest,
    ) -> Result<ImportPreview, CommandError> {
        let path = self.upload_path(&request.upload_id)?;
        let encoding = chosen_encoding(request.encoding)?;
        super::blocking(move || {
            let file = open_upload(&path)?;
            let options = PreviewOptions {
                rows: IMPORT_PREVIEW_ROWS,
                encoding,
                mapping: request.mapping,
            };
            preview(file, request.upload_id, &options)
        })
        .await
    }

    /// Imports the uploaded file, emitting progress after every batch; the upload is removed
    /// once the import has run (whatever its report says), and kept if the file was refused
    /// as a whole, so a corrected mapping can be tried.
    pub async fn import_contacts(
        &self,
        request: ImportRequest,
    ) -> Result<ImportReport, CommandError> {
        let path = self.upload_path(&request.upload_id)?;
        let mut options = ImportOptions::new(self.user());
        options.mapping = request.mapping;
        options.mode = request.mode;
        options.duplicates = request.duplicates;
        if let Some(source) = request.source {
            options.source = source;
        }
        options.encoding = chosen_encoding(request.encoding)?;
        options.values = request.values;
        options.follow_up = Some(self.planning().await?);
        let file = super::blocking({
            let path = path.clone();
            move || open_upload(&path)
        })
        .await?;
        let events = std::sync::Arc::clone(&self.events);
        let upload_id = request.upload_id.clone();
        let report = self
            .write(move |r| {
                let report = r.import_contacts_csv(file, &options, &mut |progress| {
                    events.import_progress(&ImportProgressEvent {
                        upload_id: upload_id.clone(),
                        progress,
                    });
                })?;
                let _ = std::fs::remove_file(&path);
                Ok(report)
            })
            .await?;
        Ok(report)
    }

    /// Writes an export into the downloads folder and says where.
    pub async fn export(&self, request: ExportRequest) -> Result<ExportDone, CommandError> {
        let stamp = self.clock.now().format("%Y%m%d-%H%M%S");
        let (name, ext) = match request.format {
            ExportFormat::Csv => ("contacts", "csv"),
            ExportFormat::Vcard => ("contacts", "vcf"),
            ExportFormat::Json => ("everything", "json"),
        };
        let dir = self.export_dir.clone();
        let query = request.query.unwrap_or_default();
        let replica = self.replica();
        super::blocking(move || {
            let io = |e: std::io::Error| {
                CommandError::new(
                    CommandErrorCode::Storage,
                    format!("Could not write the export in {}: {e}.", dir.display()),
                )
            };
            std::fs::create_dir_all(&dir).map_err(io)?;
            let (path, file) =
                new_file(&dir, &format!("fieldstone-{name}-{stamp}"), ext).map_err(io)?;
            let mut out = std::io::BufWriter::new(file);
            let written = match request.format {
                ExportFormat::Csv => replica.export_contacts_csv(&mut out, &query),
                ExportFormat::Vcard => replica.export_contacts_vcard(&mut out, &query),
                ExportFormat::Json => replica.export_json(&mut out),
            }
            .map_err(crate::error::from_replica)
            .and_then(|n| {
                let file = out.into_inner().map_err(|e| io(e.into_error()))?;
                file.sync_all().map_err(io)?;
                Ok(n)
            });
            let records = match written {
                Ok(n) => n,
                Err(error) => {
                    let _ = std::fs::remove_file(&path);
                    return Err(error);
                }
            };
            let bytes = std::fs::metadata(&path).map_err(io)?.len();
            Ok(ExportDone {
                path: path.display().to_string(),
                records,
                bytes,
            })
        })
        .await
    }

    fn upload_path(&self, upload_id: &str) -> Result<PathBuf, CommandError> {
        if uuid::Uuid::try_parse(upload_id).is_err() {
            return Err(CommandError::invalid(
                "upload_id",
                "Not an upload of this app.",
            ));
        }
        Ok(self
            .cache_dir
            .join(UPLOAD_DIR)
            .join(format!("{upload_id}.csv")))
    }

    /// Removes uploads left by imports that never ran.
    pub fn clean_uploads(&self) {
        let Ok(entries) = std::fs::read_dir(self.cache_dir.join(UPLOAD_DIR)) else {
            return;
        };
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > UPLOAD_MAX_AGE);
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn open_upload(path: &Path) -> Result<std::fs::File, CommandError> {
    std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CommandError::new(
            CommandErrorCode::NotFound,
            "This upload is gone; pick the file again.",
        ),
        _ => CommandError::new(
            CommandErrorCode::Storage,
            format!("Could not read the uploaded file: {e}."),
        ),
    })
}

/// A new file `<stem>.<ext>` in `dir`, or `<stem>-2.<ext>`... if taken.
fn new_file(dir: &Path, stem: &str, ext: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    for n in 1..100 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match std::fs::File::create_new(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("too many exports with the same name"))
}

/// A person's choice of encoding: blank is none (the file's own), an unknown label is refused
/// on the `encoding` field before the file is read.
fn chosen_encoding(label: Option<String>) -> Result<Option<String>, CommandError> {
    let Some(label) = label.filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    encoding_for_label(&label).map_err(refusal)?;
    Ok(Some(label))
}

/// A file refused as a whole, worded as the import's own refusal of it is ("Cannot import this
/// file: …"), on the field a person changes to fix it.
fn refusal(error: ImportFileError) -> CommandError {
    let field = match &error {
        ImportFileError::UnknownEncoding(_) => "encoding",
        ImportFileError::Mapping(_) => "mapping",
        _ => "upload_id",
    };
    let words = crate::error::from_replica(ReplicaError::Import(error));
    CommandError::invalid(field, words.message)
}

/// The header, the mapping and the first rows, read by the engine exactly as its import will
/// read them (same encoding, same separator, same census of unknown values), so the preview
/// never shows a file the import would read differently.
fn preview(
    file: impl Read,
    upload_id: String,
    options: &PreviewOptions,
) -> Result<ImportPreview, CommandError> {
    let FilePreview {
        format,
        headers,
        sample,
        encoding,
        found,
        mapping,
        rows,
        unknown_stages,
        unknown_sources,
        ..
    } = preview_file(file, options).map_err(refusal)?;
    Ok(ImportPreview {
        upload_id,
        mapping,
        headers,
        sample,
        encoding: encoding_label(encoding),
        encoding_label: encoding.name().to_owned(),
        encodings: encoding_choices(found, encoding)
            .into_iter()
            .map(|(label, name)| EncodingChoice { label, name })
            .collect(),
        format,
        rows,
        unknown_stages,
        unknown_sources,
    })
}
