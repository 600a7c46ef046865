//! The contact import dialog: pick a CSV, upload it in chunks, check the guessed columns, import
//! with progress, read the report. Every step is an action, so the rules (which file is refused,
//! how a file is cut into chunks, what a column edit does to label columns, which progress is
//! stale) unit-test on the host; the page turns the recorded requests into shell calls.
//!
//! Answers about a file carry the *pick* they belong to: after "Choose another file" the late
//! answers for the first file are dropped instead of overwriting the second.

use fieldstone_model::ContactLabel;
use fieldstone_protocol::commands::{
    CommandError, CommandErrorCode, ImportPreview, ImportProgressEvent, ImportRequest, Uploaded,
    UPLOAD_CHUNK_MAX_BYTES,
};
use fieldstone_protocol::views::{
    ColumnMapping, ColumnTarget, DuplicatePolicy, ImportMode, ImportProgress, ImportReport,
};
use std::ops::Range;
use std::rc::Rc;
use yew::Reducible;

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

/// Why a picked file cannot be imported, before a byte of it is read.
pub fn refuse_file(name: &str, size: u64, mime: &str) -> Option<String> {
    let csv_name = std::path::Path::new(name)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"));
    let csv_type = matches!(mime, "text/csv" | "application/csv");
    if !csv_name && !csv_type {
        return Some(format!(
            "{name} is not a CSV file. Export your contacts as CSV (comma-separated values) \
             from your spreadsheet or old CRM, then choose that file."
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
    Mode(ImportMode),
    Duplicates(DuplicatePolicy),
    Start,
    Progress(ImportProgressEvent),
    Imported(Box<ImportReport>),
    ImportFailed(CommandError),
    /// Back to the file picker.
    PickAnother,
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

    /// The import to run for the current `import_seq`.
    pub fn request(&self) -> Option<ImportRequest> {
        if self.step != Step::Importing {
            return None;
        }
        Some(ImportRequest {
            upload_id: self.file.as_ref()?.id.clone()?,
            mapping: Some(self.mapping.clone()),
            mode: self.mode,
            duplicates: self.duplicates,
            source: None,
        })
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
                next.mapping = preview.mapping.clone();
                next.mapping_error = next.mapping.check().err();
                next.preview = Some(*preview);
                next.error = None;
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
            ImportAction::Mode(mode) => next.mode = mode,
            ImportAction::Duplicates(policy) => next.duplicates = policy,
            ImportAction::Start => {
                if self.step != Step::Preview || self.mapping_error.is_some() {
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
                    ..ImportState::default()
                };
            }
        }
        Rc::new(next)
    }
}

fn label_key(label: ContactLabel) -> &'static str {
    match label {
        ContactLabel::Mobile => "mobile",
        ContactLabel::Home => "home",
        ContactLabel::Work => "work",
        ContactLabel::Other => "other",
    }
}

fn label_from_key(key: &str) -> Option<ContactLabel> {
    Some(match key {
        "mobile" => ContactLabel::Mobile,
        "home" => ContactLabel::Home,
        "work" => ContactLabel::Work,
        "other" => ContactLabel::Other,
        _ => return None,
    })
}

/// The `<option>` value of a target.
pub fn target_key(target: ColumnTarget) -> String {
    use ColumnTarget as T;
    match target {
        T::Ignore => "skip".into(),
        T::GivenName => "given_name".into(),
        T::FamilyName => "family_name".into(),
        T::FullName => "full_name".into(),
        T::Email { label } => format!("email:{}", label_key(label)),
        T::EmailLabel { of } => format!("email_label:{of}"),
        T::Phone { label } => format!("phone:{}", label_key(label)),
        T::PhoneLabel { of } => format!("phone_label:{of}"),
        T::Instagram => "instagram".into(),
        T::WhatsApp => "whatsapp".into(),
        T::Tags => "tags".into(),
        T::Stage => "stage".into(),
        T::Source => "source".into(),
        T::SourceDetail => "source_detail".into(),
        T::Kind => "kind".into(),
        T::Priority => "priority".into(),
        T::Note => "note".into(),
    }
}

pub fn target_from_key(key: &str) -> Option<ColumnTarget> {
    use ColumnTarget as T;
    if let Some((kind, rest)) = key.split_once(':') {
        return match kind {
            "email" => label_from_key(rest).map(|label| T::Email { label }),
            "phone" => label_from_key(rest).map(|label| T::Phone { label }),
            "email_label" => rest.parse().ok().map(|of| T::EmailLabel { of }),
            "phone_label" => rest.parse().ok().map(|of| T::PhoneLabel { of }),
            _ => None,
        };
    }
    Some(match key {
        "skip" => T::Ignore,
        "given_name" => T::GivenName,
        "family_name" => T::FamilyName,
        "full_name" => T::FullName,
        "instagram" => T::Instagram,
        "whatsapp" => T::WhatsApp,
        "tags" => T::Tags,
        "stage" => T::Stage,
        "source" => T::Source,
        "source_detail" => T::SourceDetail,
        "kind" => T::Kind,
        "priority" => T::Priority,
        "note" => T::Note,
        _ => return None,
    })
}

/// The choices for column `column`'s `<select>`, in groups: `(group, [(key, words)])`. Label
/// targets are offered for each other email/phone column, named by its header.
pub fn target_options(
    mapping: &ColumnMapping,
    column: usize,
) -> Vec<(&'static str, Vec<(String, String)>)> {
    use ColumnTarget as T;
    let one = |t: ColumnTarget, words: &str| (target_key(t), words.to_owned());
    let mut groups = vec![
        ("", vec![one(T::Ignore, "Skip this column")]),
        (
            "Name",
            vec![
                one(T::GivenName, "First name"),
                one(T::FamilyName, "Last name"),
                one(T::FullName, "Full name"),
            ],
        ),
        (
            "Email",
            [ContactLabel::Other, ContactLabel::Work, ContactLabel::Home]
                .into_iter()
                .map(|label| {
                    let words = match label {
                        ContactLabel::Other => "Email".to_owned(),
                        label => format!("Email ({})", label_key(label)),
                    };
                    (target_key(T::Email { label }), words)
                })
                .collect(),
        ),
        (
            "Phone",
            [
                ContactLabel::Mobile,
                ContactLabel::Other,
                ContactLabel::Home,
                ContactLabel::Work,
            ]
            .into_iter()
            .map(|label| {
                let words = match label {
                    ContactLabel::Other => "Phone".to_owned(),
                    label => format!("Phone ({})", label_key(label)),
                };
                (target_key(T::Phone { label }), words)
            })
            .collect(),
        ),
        (
            "Details",
            vec![
                one(T::Stage, "Stage"),
                one(T::Kind, "Buyer or seller"),
                one(T::Priority, "Priority"),
                one(T::Source, "Lead source"),
                one(T::SourceDetail, "Source detail"),
                one(T::Tags, "Tags"),
                one(T::Note, "Note"),
                one(T::Instagram, "Instagram"),
                one(T::WhatsApp, "WhatsApp"),
            ],
        ),
    ];
    let mut labels = Vec::new();
    for (of, c) in mapping.columns.iter().enumerate() {
        if of == column {
            continue;
        }
        match c.target {
            T::Email { .. } => labels.push((
                target_key(T::EmailLabel { of }),
                format!("Label of “{}”", c.header),
            )),
            T::Phone { .. } => labels.push((
                target_key(T::PhoneLabel { of }),
                format!("Label of “{}”", c.header),
            )),
            _ => {}
        }
    }
    if !labels.is_empty() {
        groups.push(("Labels (work, home, mobile…)", labels));
    }
    // A guess not among the usual choices (an email labelled "mobile") stays selectable.
    let current = target_key(mapping.target(column));
    if !groups
        .iter()
        .any(|(_, options)| options.iter().any(|(key, _)| *key == current))
    {
        groups[0].1.push((current.clone(), current));
    }
    groups
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
