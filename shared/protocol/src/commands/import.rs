//! Contact import commands: a file arrives in chunks, is previewed (in the encoding found in
//! it or one a person picks, with its unknown stage and source values) and imported with
//! progress events.

use crate::views::{
    ColumnMapping, DuplicatePolicy, ImportFormat, ImportMode, ImportProgress, UnknownValues,
    ValueMaps,
};
use fieldstone_model::LeadSource;
use serde::{Deserialize, Serialize};

/// The most decoded bytes one upload chunk may carry.
pub const UPLOAD_CHUNK_MAX_BYTES: usize = 4 * 1024 * 1024;

/// One chunk of a CSV file the user picked, in order. The first chunk has no `upload_id`;
/// later ones pass the id the first answer gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadChunk {
    #[serde(default)]
    pub upload_id: Option<String>,
    /// Base64 (standard alphabet; a `data:…;base64,` prefix is accepted).
    pub data_base64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    pub upload_id: String,
    /// Bytes received so far.
    pub bytes: u64,
}

/// What to preview: an upload, read in the encoding found in it or in the one a person chose,
/// with the mapping a person has so far (its stage and source columns decide which unknown
/// values are listed).
///
/// Accepts a bare upload id too (`"…"` rather than `{"upload_id": "…"}`): what the command
/// took before it had options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "PreviewRequestWire")]
pub struct PreviewRequest {
    pub upload_id: String,
    /// An encoding label (see [`ImportPreview::encodings`]); `None`: the one found in the file.
    #[serde(default)]
    pub encoding: Option<String>,
    /// `None`, or one that does not fit the file's header: the guess.
    #[serde(default)]
    pub mapping: Option<ColumnMapping>,
}

impl PreviewRequest {
    /// The upload as the engine reads it on its own.
    pub fn new(upload_id: impl Into<String>) -> Self {
        PreviewRequest {
            upload_id: upload_id.into(),
            encoding: None,
            mapping: None,
        }
    }
}

impl From<String> for PreviewRequest {
    fn from(upload_id: String) -> Self {
        PreviewRequest::new(upload_id)
    }
}

impl From<&str> for PreviewRequest {
    fn from(upload_id: &str) -> Self {
        PreviewRequest::new(upload_id)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PreviewRequestWire {
    UploadId(String),
    Full {
        upload_id: String,
        #[serde(default)]
        encoding: Option<String>,
        #[serde(default)]
        mapping: Option<ColumnMapping>,
    },
}

impl From<PreviewRequestWire> for PreviewRequest {
    fn from(wire: PreviewRequestWire) -> Self {
        match wire {
            PreviewRequestWire::UploadId(upload_id) => PreviewRequest::new(upload_id),
            PreviewRequestWire::Full {
                upload_id,
                encoding,
                mapping,
            } => PreviewRequest {
                upload_id,
                encoding,
                mapping,
            },
        }
    }
}

/// An encoding a file can be read in: the label to send back and its name for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodingChoice {
    /// What [`PreviewRequest::encoding`] and [`ImportRequest::encoding`] take ("windows-1252").
    pub label: String,
    /// "Western European (Windows-1252)".
    pub name: String,
}

/// What the import will read: the header, the mapping and the first rows (or cards), the
/// encoding with the others it could be read in, and the stage and source values it does not
/// know, for the mapping step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub upload_id: String,
    /// The file's column names; for a vCard file, the fields its sample shows.
    pub headers: Vec<String>,
    /// The guess (or the request's mapping); empty for a vCard file, which needs none.
    pub mapping: ColumnMapping,
    /// Up to [`IMPORT_PREVIEW_ROWS`] data rows (cards, for a vCard file).
    pub sample: Vec<Vec<String>>,
    /// The encoding the import will read the file in, as a person reads it ("Western
    /// European (Windows-1252)"). Empty from builds before it was reported.
    #[serde(default)]
    pub encoding: String,
    /// Its label, the one of [`ImportPreview::encodings`] in use.
    #[serde(default)]
    pub encoding_label: String,
    /// Encodings to offer: the one found in the file first, in the same order whichever is in
    /// use (so a picker's options keep their places as the file is read again).
    #[serde(default)]
    pub encodings: Vec<EncodingChoice>,
    #[serde(default)]
    pub format: ImportFormat,
    /// Data rows (cards) in the whole file.
    #[serde(default)]
    pub rows: u64,
    /// Values of the stage columns (`X-FIELDSTONE-STAGE` in a vCard) no stage is known by.
    #[serde(default)]
    pub unknown_stages: UnknownValues,
    /// Values of the source columns no lead source is known by.
    #[serde(default)]
    pub unknown_sources: UnknownValues,
}

pub const IMPORT_PREVIEW_ROWS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRequest {
    pub upload_id: String,
    /// `None`: guessed from the header. Not used for a vCard file.
    #[serde(default)]
    pub mapping: Option<ColumnMapping>,
    #[serde(default)]
    pub mode: ImportMode,
    #[serde(default)]
    pub duplicates: DuplicatePolicy,
    /// For rows with no source (default "Import").
    #[serde(default)]
    pub source: Option<LeadSource>,
    /// An encoding label ("windows-1252"); `None`: the one found in the file, as previewed.
    #[serde(default)]
    pub encoding: Option<String>,
    /// What the stage and source values the preview listed as unknown are imported as.
    #[serde(default)]
    pub values: ValueMaps,
}

/// Name of the event an import emits after every batch (payload [`ImportProgressEvent`]).
pub const IMPORT_PROGRESS_EVENT: &str = "import-progress";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgressEvent {
    pub upload_id: String,
    pub progress: ImportProgress,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_request_may_be_a_bare_upload_id_as_before() {
        let bare: PreviewRequest = serde_json::from_str("\"6f0c1a0e\"").expect("bare id");
        assert_eq!(bare, PreviewRequest::new("6f0c1a0e"));
        let full: PreviewRequest =
            serde_json::from_str(r#"{"upload_id":"6f0c1a0e","encoding":"windows-1252"}"#)
                .expect("object");
        assert_eq!(full.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(full.mapping, None);
        let again: PreviewRequest =
            serde_json::from_str(&serde_json::to_string(&full).expect("json")).expect("back");
        assert_eq!(again, full);
    }

    #[test]
    fn requests_and_previews_from_before_the_options_still_read() {
        let request: ImportRequest =
            serde_json::from_str(r#"{"upload_id":"u","mode":"keep_good"}"#).expect("request");
        assert_eq!(request.encoding, None);
        assert!(request.values.is_empty());
        let preview: ImportPreview = serde_json::from_str(
            r#"{"upload_id":"u","headers":["Name"],"mapping":{"columns":[]},"sample":[]}"#,
        )
        .expect("preview");
        assert_eq!(preview.format, ImportFormat::Csv);
        assert!(preview.unknown_stages.is_empty() && preview.encodings.is_empty());
    }
}
