//! The contact import dialog: pick a CSV or vCard file, upload it in chunks, check the guessed
//! columns (and the encoding, and what unknown stages and sources become), import with
//! progress, read the report. Every step is an action, so the rules (which file is refused,
//! how a file is cut into chunks, what a column edit does to label columns, which progress is
//! stale, when the file must be read again) unit-test on the host; the page turns the recorded
//! requests into shell calls.
//!
//! Answers about a file carry the *pick* they belong to: after "Choose another file" the late
//! answers for the first file are dropped instead of overwriting the second. A preview read
//! again (another encoding, another stage column) carries its `preview_seq` the same way.

mod targets;

pub use targets::{target_from_key, target_key, target_options};

use fieldstone_model::{LeadSource, Stage};
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, ImportPreview, ImportProgressEvent, ImportRequest,
    PreviewRequest, Uploaded, UPLOAD_CHUNK_MAX_BYTES,
};
use fieldstone_protocol::views::{
    ColumnMapping, ColumnTarget, DuplicatePolicy, ImportFormat, ImportMode, ImportProgress,
    ImportReport, UnknownValues, ValueMaps,
};
use std::ops::Range;
use std::rc::Rc;
use yew::Reducible;

/// What a row with a stage value the importer does not know gets unless the person says
/// otherwise: where every new contact starts.
pub const DEFAULT_STAGE: Stage = Stage::Lead;
/// What a row with an unknown source value gets: what the import gives rows with no source.
pub const DEFAULT_SOURCE: LeadSource = LeadSource::Import;

/// Bytes read and sent per upload call: a quarter of what the shell takes, so a large file's
/// "bytes sent" moves every second or so instead of every few.
pub const CHUNK_BYTES: u64 = UPLOAD_CHUNK_MAX_BYTES as u64 / 4;

/// The engine's limit on an imported file (`IMPORT_MAX_BYTES` in the replica, which the UI
/// cannot depend on): checked here so a huge file is refused before it is read at all.
pub const FILE_MAX_BYTES: u64 = 100 * 1024 * 1024;

/// Rejected (and duplicate) rows listed in the dialog; the counts above them are exact.
pub const ROWS_SHOWN: usize = 50;

/// `0..size` cut into consecutive ranges of at most `chunk` bytes (none for an empty file).
pub fn chunk_ranges(size: u64, chunk: u64) -> Vec<Range<u64>> {
    let chunk = chunk.max(1);
    (0..size.div_ceil(chunk))
        .map(|i| i * chunk..((i + 1) * chunk).min(size))
        .collect()
}

/// A file size for people: "900 bytes", "38 KB", "4.2 MB".
pub fn size_words(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        // Tenths of a megabyte, rounded.
        let tenths = (bytes * 10 + MB / 2) / MB;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// File name endings the import takes: CSV (and the tab-separated text Excel saves as .txt or
/// .tsv) and vCard. The engine tells CSV from vCard by the content, whatever the name says.
const FILE_EXTENSIONS: [&str; 5] = ["csv", "tsv", "txt", "vcf", "vcard"];
const FILE_TYPES: [&str; 7] = [
    "text/csv",
    "application/csv",
    "text/tab-separated-values",
    "text/plain",
    "text/vcard",
    "text/x-vcard",
    "text/directory",
];

/// What the file picker offers (`accept`).
pub const FILE_ACCEPT: &str = ".csv,.tsv,.txt,.vcf,.vcard,text/csv,text/vcard,text/x-vcard";

/// Why a picked file cannot be imported, before a byte of it is read.
pub fn refuse_file(name: &str, size: u64, mime: &str) -> Option<String> {
    let known_name = std::path::Path::new(name).extension().is_some_and(|ext| {
        FILE_EXTENSIONS
            .iter()
            .any(|known| ext.eq_ignore_ascii_case(known))
    });
    if !known_name && !FILE_TYPES.contains(&mime) {
        return Some(format!(
            "{name} is not a CSV or vCard file. Export your contacts as CSV (comma-separated \
             values) from your spreadsheet or old CRM, or as vCard from your phone or address \
             book, then choose that file."
        ));
    }
    if size == 0 {
        return Some(format!("{name} is empty."));
    }
    if size > FILE_MAX_BYTES {
        return Some(format!(
            "{name} is larger than {} MB. Split it into smaller files and import each.",
            FILE_MAX_BYTES / (1024 * 1024)
        ));
    }
    None
}

/// Where the dialog is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    #[default]
    Pick,
    Uploading,
    Preview,
    Importing,
    Report,
}

/// The picked file and how much of it the shell has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub pick: u64,
    pub name: String,
    pub size: u64,
    pub sent: u64,
    /// Given by the shell's answer to the first chunk.
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportState {
    pub step: Step,
    pub file: Option<Upload>,
    pub preview: Option<ImportPreview>,
    /// The guess, then the person's edits.
    pub mapping: ColumnMapping,
    /// The encoding the person picked (a label of `preview.encodings`); `None`: the file's own.
    pub encoding: Option<String>,
    /// What each unknown stage and source value the preview listed is imported as.
    pub values: ValueMaps,
    /// Grows with each preview to read again, so the page asks once; answers for another are
    /// stale.
    pub preview_seq: u64,
    /// The file is being read again (another encoding or stage column): not importable yet.
    pub previewing: bool,
    /// Why the mapping cannot be imported with (nothing identifies a contact...).
    pub mapping_error: Option<String>,
    pub mode: ImportMode,
    pub duplicates: DuplicatePolicy,
    /// The last failure, in words.
    pub error: Option<String>,
    pub progress: Option<ImportProgress>,
    pub report: Option<ImportReport>,
    /// Grows with each import to run, so the page starts it once.
    pub import_seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportAction {
    /// A file was picked; `pick` is the page's count of picks.
    Picked {
        pick: u64,
        name: String,
        size: u64,
        mime: String,
    },
    ChunkSent {
        pick: u64,
        uploaded: Uploaded,
    },
    UploadFailed {
        pick: u64,
        error: CommandError,
    },
    /// The file could not be read in the webview.
    ReadFailed {
        pick: u64,
        message: String,
    },
    PreviewLoaded {
        pick: u64,
        preview: Box<ImportPreview>,
    },
    /// Column `column` is imported as the target with this [`target_key`].
    SetTarget {
        column: usize,
        key: String,
    },
    /// Read the file in the encoding with this label.
    Encoding(String),
    /// An unknown value of `field` is imported as the choice whose machine name is `key`.
    SetValue {
        field: ValueField,
        value: String,
        key: String,
    },
    /// The answer to the preview asked for with `seq`.
    Repreviewed {
        seq: u64,
        result: Result<Box<ImportPreview>, CommandError>,
    },
    Mode(ImportMode),
    Duplicates(DuplicatePolicy),
    Start,
    Progress(ImportProgressEvent),
    Imported(Box<ImportReport>),
    ImportFailed(CommandError),
    /// Back to the file picker.
    PickAnother,
}

/// The fields whose unknown values are asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueField {
    Stage,
    Source,
}

impl ValueField {
    /// The preview's unknown values of this field.
    pub fn unknown(self, preview: &ImportPreview) -> &UnknownValues {
        match self {
            ValueField::Stage => &preview.unknown_stages,
            ValueField::Source => &preview.unknown_sources,
        }
    }

    /// The key (machine name) of what `value` is imported as.
    pub fn chosen(self, values: &ValueMaps, value: &str) -> &'static str {
        match self {
            ValueField::Stage => values
                .stage
                .get(value)
                .copied()
                .unwrap_or(DEFAULT_STAGE)
                .as_str(),
            ValueField::Source => values
                .source
                .get(value)
                .copied()
                .unwrap_or(DEFAULT_SOURCE)
                .as_str(),
        }
    }
}

/// Every listed unknown value with its current answer, the default for new ones; answers for
/// values no longer listed are dropped.
fn answers(preview: &ImportPreview, before: &ValueMaps) -> ValueMaps {
    let listed = |unknown: &UnknownValues| -> Vec<String> {
        unknown.values.iter().map(|v| v.value.clone()).collect()
    };
    ValueMaps {
        stage: listed(&preview.unknown_stages)
            .into_iter()
            .map(|v| {
                let to = before.stage.get(&v).copied().unwrap_or(DEFAULT_STAGE);
                (v, to)
            })
            .collect(),
        source: listed(&preview.unknown_sources)
            .into_iter()
            .map(|v| {
                let to = before.source.get(&v).copied().unwrap_or(DEFAULT_SOURCE);
                (v, to)
            })
            .collect(),
    }
}

/// The columns imported as a stage or a source: when they change, which values are unknown
/// changes too.
fn value_columns(mapping: &ColumnMapping) -> Vec<(usize, ColumnTarget)> {
    mapping
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.target, ColumnTarget::Stage | ColumnTarget::Source))
        .map(|(i, c)| (i, c.target))
        .collect()
}

/// A command error in words: the field's message when there is one (the shell's top-level
/// message for a validation error only says "invalid input").
pub fn error_words(error: &CommandError) -> String {
    match error.fields.first() {
        Some(field) if error.code == CommandErrorCode::Validation => field.message.clone(),
        _ => error.message.clone(),
    }
}

impl ImportState {
    /// Closing mid-import would hide an import that keeps running in the shell.
    pub fn closable(&self) -> bool {
        self.step != Step::Importing
    }

    /// Whether contacts may have been added, so the list behind should reload.
    pub fn changed_contacts(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|r| r.imported > 0 && !r.rolled_back)
    }

    /// Whether the file is a vCard (no columns to map).
    pub fn vcard(&self) -> bool {
        self.preview
            .as_ref()
            .is_some_and(|p| p.format == ImportFormat::Vcard)
    }

    /// Whether "Import" may be pressed.
    pub fn importable(&self) -> bool {
        self.step == Step::Preview && self.mapping_error.is_none() && !self.previewing
    }

    /// The import to run for the current `import_seq`.
    pub fn request(&self) -> Option<ImportRequest> {
        if self.step != Step::Importing {
            return None;
        }
        Some(ImportRequest {
            upload_id: self.file.as_ref()?.id.clone()?,
            mapping: (!self.vcard()).then(|| self.mapping.clone()),
            mode: self.mode,
            duplicates: self.duplicates,
            source: None,
            encoding: self.encoding.clone(),
            values: self.values.clone(),
        })
    }

    /// The preview to read again for the current `preview_seq`.
    pub fn preview_request(&self) -> Option<PreviewRequest> {
        if self.step != Step::Preview || !self.previewing {
            return None;
        }
        Some(PreviewRequest {
            upload_id: self.file.as_ref()?.id.clone()?,
            encoding: self.encoding.clone(),
            mapping: (!self.vcard()).then(|| self.mapping.clone()),
        })
    }

    fn read_again(&mut self) {
        self.previewing = true;
        self.preview_seq += 1;
    }

    /// Rows done and in the file, once the shell has said.
    pub fn rows_done(&self) -> Option<(u64, u64)> {
        self.progress
            .map(|p| (p.rows_read.min(p.rows_total), p.rows_total))
    }

    fn current_pick(&self, pick: u64) -> bool {
        self.file.as_ref().is_some_and(|f| f.pick == pick)
    }

    fn back_to_pick(&mut self, message: String) {
        self.step = Step::Pick;
        self.file = None;
        self.preview = None;
        self.error = Some(message);
    }

    fn set_target(&mut self, column: usize, target: ColumnTarget) {
        if column >= self.mapping.columns.len() || !label_ok(&self.mapping, column, target) {
            return;
        }
        let before = value_columns(&self.mapping);
        self.mapping.columns[column].target = target;
        // A label column whose value column stopped being an email/phone column labels nothing:
        // it is skipped rather than left for the engine to refuse the whole mapping.
        let mapping = self.mapping.clone();
        for (i, c) in self.mapping.columns.iter_mut().enumerate() {
            if !label_ok(&mapping, i, c.target) {
                c.target = ColumnTarget::Ignore;
            }
        }
        self.mapping_error = self.mapping.check().err();
        // Another stage or source column has other values: the file is read again for them.
        if value_columns(&self.mapping) != before {
            self.read_again();
        }
    }

    /// A new preview of the same upload: the person's mapping and answers kept where they
    /// still apply (the same header; values still listed).
    fn repreviewed(&mut self, preview: ImportPreview) {
        let same_header = self
            .preview
            .as_ref()
            .is_some_and(|p| p.headers == preview.headers && p.format == preview.format);
        if !same_header {
            self.mapping = preview.mapping.clone();
        }
        self.mapping_error = match preview.format {
            ImportFormat::Vcard => None,
            ImportFormat::Csv => self.mapping.check().err(),
        };
        self.values = answers(&preview, &self.values);
        self.preview = Some(preview);
        self.previewing = false;
        self.error = None;
    }
}

/// Whether `target`, for column `column`, is not a label or labels another email/phone column.
fn label_ok(mapping: &ColumnMapping, column: usize, target: ColumnTarget) -> bool {
    match target {
        ColumnTarget::EmailLabel { of } => {
            of != column && matches!(mapping.target(of), ColumnTarget::Email { .. })
        }
        ColumnTarget::PhoneLabel { of } => {
            of != column && matches!(mapping.target(of), ColumnTarget::Phone { .. })
        }
        _ => true,
    }
}

impl Reducible for ImportState {
    type Action = ImportAction;

    fn reduce(self: Rc<Self>, action: ImportAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ImportAction::Picked {
                pick,
                name,
                size,
                mime,
            } => {
                if !self.closable() {
                    return self;
                }
                next = ImportState {
                    mode: self.mode,
                    duplicates: self.duplicates,
                    import_seq: self.import_seq,
                    preview_seq: self.preview_seq,
                    ..ImportState::default()
                };
                match refuse_file(&name, size, &mime) {
                    Some(message) => next.error = Some(message),
                    None => {
                        next.step = Step::Uploading;
                        next.file = Some(Upload {
                            pick,
                            name,
                            size,
                            sent: 0,
                            id: None,
                        });
                    }
                }
            }
            ImportAction::ChunkSent { pick, uploaded } => {
                if !self.current_pick(pick) || self.step != Step::Uploading {
                    return self;
                }
                if let Some(file) = &mut next.file {
                    file.sent = uploaded.bytes.min(file.size);
                    file.id = Some(uploaded.upload_id);
                }
            }
            ImportAction::UploadFailed { pick, error } => {
                if !self.current_pick(pick) || self.step != Step::Uploading {
                    return self;
                }
                next.back_to_pick(error_words(&error));
            }
            ImportAction::ReadFailed { pick, message } => {
                if !self.current_pick(pick) || self.step != Step::Uploading {
                    return self;
                }
                next.back_to_pick(message);
            }
            ImportAction::PreviewLoaded { pick, preview } => {
                if !self.current_pick(pick) || self.step != Step::Uploading {
                    return self;
                }
                next.step = Step::Preview;
                next.repreviewed(*preview);
            }
            ImportAction::SetTarget { column, key } => {
                let Some(target) = target_from_key(&key) else {
                    return self;
                };
                if self.step != Step::Preview {
                    return self;
                }
                next.set_target(column, target);
            }
            ImportAction::Encoding(label) => {
                let current = self.preview.as_ref().map(|p| p.encoding_label.as_str());
                if self.step != Step::Preview || current == Some(label.as_str()) {
                    return self;
                }
                next.encoding = Some(label);
                next.read_again();
            }
            ImportAction::SetValue { field, value, key } => {
                let listed = self
                    .preview
                    .as_ref()
                    .is_some_and(|p| field.unknown(p).values.iter().any(|v| v.value == value));
                if self.step != Step::Preview || !listed {
                    return self;
                }
                let known =
                    match field {
                        ValueField::Stage => {
                            Stage::ALL.iter().find(|s| s.as_str() == key).map(|stage| {
                                next.values.stage.insert(value, *stage);
                            })
                        }
                        ValueField::Source => LeadSource::ALL
                            .iter()
                            .find(|s| s.as_str() == key)
                            .map(|source| {
                                next.values.source.insert(value, *source);
                            }),
                    };
                if known.is_none() {
                    return self;
                }
            }
            ImportAction::Repreviewed { seq, result } => {
                if seq != self.preview_seq || self.step != Step::Preview || !self.previewing {
                    return self;
                }
                match result {
                    Ok(preview) => next.repreviewed(*preview),
                    Err(error) if error.code == CommandErrorCode::NotFound => {
                        next.back_to_pick(error_words(&error));
                    }
                    Err(error) => {
                        // What is shown is still the last preview: so is the encoding chosen.
                        next.previewing = false;
                        next.encoding = self.preview.as_ref().map(|p| p.encoding_label.clone());
                        next.error = Some(error_words(&error));
                    }
                }
            }
            ImportAction::Mode(mode) => next.mode = mode,
            ImportAction::Duplicates(policy) => next.duplicates = policy,
            ImportAction::Start => {
                if !self.importable() {
                    return self;
                }
                next.step = Step::Importing;
                next.error = None;
                next.progress = None;
                next.import_seq += 1;
            }
            ImportAction::Progress(event) => {
                let ours = self
                    .file
                    .as_ref()
                    .is_some_and(|f| f.id.as_deref() == Some(event.upload_id.as_str()));
                // Events are per batch and in order, but one can land after the report; the bar
                // never goes back.
                let newer = self
                    .progress
                    .is_none_or(|p| event.progress.rows_read >= p.rows_read);
                if !ours || self.step != Step::Importing || !newer {
                    return self;
                }
                next.progress = Some(event.progress);
            }
            ImportAction::Imported(report) => {
                if self.step != Step::Importing {
                    return self;
                }
                next.step = Step::Report;
                next.progress = Some(ImportProgress {
                    rows_total: report.rows_read,
                    rows_read: report.rows_read,
                    rows_written: report.imported,
                });
                next.report = Some(*report);
            }
            ImportAction::ImportFailed(error) => {
                if self.step != Step::Importing {
                    return self;
                }
                if error.code == CommandErrorCode::NotFound {
                    next.back_to_pick(error_words(&error));
                } else {
                    // The shell keeps the upload when the file is refused as a whole, so the
                    // columns can be corrected and the import tried again.
                    next.step = Step::Preview;
                    next.error = Some(error_words(&error));
                }
            }
            ImportAction::PickAnother => {
                if !self.closable() {
                    return self;
                }
                next = ImportState {
                    mode: self.mode,
                    duplicates: self.duplicates,
                    import_seq: self.import_seq,
                    preview_seq: self.preview_seq,
                    ..ImportState::default()
                };
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
