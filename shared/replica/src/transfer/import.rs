//! `Replica::import_contacts_file`: rows (or vCards) stream from the checked copy of the file,
//! each becomes a contact through the same validation as the edit form, duplicates are spotted
//! by match key, and every accepted row is written with `records::insert` (document, read model
//! and outbox in one transaction).

use super::file::{file_error, ImportFileError, Scanned, Spool};
use super::guess::guess_mapping;
use super::pipeline;
use super::row::{self, RowInput, Rules};
use super::vcard_parse::{Card, CardReader};
use super::vcard_read;
use crate::contacts::contacts_with_key;
use crate::error::ReplicaError;
use crate::records;
use crate::store::Replica;
use chrono::{DateTime, Utc};
use fieldstone_model::{
    Contact, ContactId, FieldError, MatchKey, Note, NoteId, NoteInput, RecordRef, Task, TaskId,
    ValidationErrors,
};
use fieldstone_protocol::views::{ColumnMapping, ImportFormat};
use rusqlite::Transaction;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;

/// Rows per transaction in [`ImportMode::KeepGood`]: large enough that the fsync per commit is
/// noise, small enough that the rest of the app gets the database between batches.
const BATCH_ROWS: u64 = 1_000;
/// Rows per chunk a preparing thread takes, and chunks out at once: at most 1,024 rows read
/// ahead of the writer (each holds its documents, about 2 KB).
const PIPELINE_CHUNK: usize = 64;
const PIPELINE_WINDOW: u64 = 16;
/// SQLite page cache during an import, in KiB given as a negative `cache_size` (SQLite's unit
/// convention): 64 MiB, released when the import ends.
const IMPORT_CACHE_KIB: i64 = -64 * 1024;
/// Database bytes SQLite may map during an import, so page reads of a large database are not
/// copied through the kernel one by one.
const IMPORT_MMAP_BYTES: i64 = 512 * 1024 * 1024;
/// WAL pages between checkpoints during an import (about 80 MB at 4 KiB pages).
const IMPORT_CHECKPOINT_PAGES: i64 = 20_000;
pub use fieldstone_protocol::views::{
    DuplicateOf, DuplicatePolicy, DuplicateRow, ImportMode, ImportOptions, ImportProgress,
    ImportReport, RejectedRow, IMPORT_REPORT_ROWS_MAX,
};

/// The rows of a checked copy, one at a time.
enum Rows {
    Csv(csv::StringRecordsIntoIter<BufReader<File>>),
    Cards(CardReader<BufReader<File>>),
}

enum Item {
    Record(csv::StringRecord),
    Card(Card),
}

impl Rows {
    /// The next row and the line it starts on.
    fn next(&mut self) -> Result<Option<(u64, Item)>, ReplicaError> {
        match self {
            Rows::Csv(records) => match records.next() {
                None => Ok(None),
                Some(Ok(record)) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    Ok(Some((line, Item::Record(record))))
                }
                Some(Err(e)) => Err(file_error(e).into()),
            },
            Rows::Cards(cards) => Ok(cards.next_card()?.map(|card| (card.line, Item::Card(card)))),
        }
    }
}

impl Replica {
    /// Imports contacts from a CSV file (with a header row; a BOM, CRLF line ends, quoted
    /// fields with line breaks and `;`/tab separators are fine) or a vCard file (told apart by
    /// its content: it starts with `BEGIN:VCARD`), in UTF-8, UTF-16 or a legacy encoding (found
    /// in the file, or `options.encoding`).
    ///
    /// The file is first copied to a temporary file and checked whole, so a file-level problem
    /// ([`ImportFileError`]: not text, not CSV, no header, over [`IMPORT_MAX_BYTES`] or
    /// [`IMPORT_MAX_ROWS`], an unknown encoding) writes nothing. Then rows stream from the copy,
    /// one at a time, so memory stays flat whatever the file size; only each row's match keys
    /// are remembered, to spot duplicates within the file.
    ///
    /// [`IMPORT_MAX_BYTES`]: super::IMPORT_MAX_BYTES
    /// [`IMPORT_MAX_ROWS`]: super::IMPORT_MAX_ROWS
    pub fn import_contacts_file(
        &self,
        input: impl std::io::Read,
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, ReplicaError> {
        let forced = options
            .encoding
            .as_deref()
            .map(super::encoding::resolve)
            .transpose()?;
        let spool = Spool::copy(input, forced)?;
        let format = spool.format()?;
        let (scanned, rows) = match format {
            ImportFormat::Csv => {
                let delimiter = spool.sniff_delimiter()?;
                let scanned = spool.scan(delimiter, |header| {
                    let mapping = match &options.mapping {
                        Some(mapping) => mapping.clone(),
                        None => guess_mapping(header),
                    };
                    mapping.check().map_err(ImportFileError::Mapping)?;
                    Ok(mapping)
                })?;
                let mut records = spool.csv_reader(delimiter)?.into_records();
                records.next(); // the header, read by the scan
                (scanned, Rows::Csv(records))
            }
            ImportFormat::Vcard => (
                vcard_read::scan(&spool)?,
                Rows::Cards(CardReader::new(spool.reader()?)),
            ),
        };

        // A large import touches index pages all over a database that outgrows SQLite's default
        // 2 MB page cache, and re-reading them through the kernel cost a third of the time
        // (measured on 100k rows: 109 s before, 85 s with this cache and a memory map). Both
        // are set for the import's duration only.
        let cache_before: i64 = self
            .conn()
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        let mmap_before: i64 = self
            .conn()
            .pragma_query_value(None, "mmap_size", |r| r.get(0))?;
        self.conn()
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        self.conn()
            .pragma_update(None, "mmap_size", IMPORT_MMAP_BYTES)?;
        // Checkpointing every 1,000 pages (the default) copies the same index pages from the
        // WAL into the database again and again while they are still being written.
        let checkpoint_before: i64 =
            self.conn()
                .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))?;
        self.conn()
            .pragma_update(None, "wal_autocheckpoint", IMPORT_CHECKPOINT_PAGES)?;
        let result = self.import_rows(&spool, format, scanned, rows, options, progress);
        self.conn()
            .pragma_update(None, "cache_size", cache_before)?;
        self.conn().pragma_update(None, "mmap_size", mmap_before)?;
        self.conn()
            .pragma_update(None, "wal_autocheckpoint", checkpoint_before)?;
        result
    }

    /// [`Replica::import_contacts_file`], by its name from before it read vCards too.
    pub fn import_contacts_csv(
        &self,
        input: impl std::io::Read,
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, ReplicaError> {
        self.import_contacts_file(input, options, progress)
    }

    fn import_rows(
        &self,
        spool: &Spool,
        format: ImportFormat,
        scanned: Scanned,
        rows: Rows,
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, ReplicaError> {
        let rows_total = scanned.rows;
        let now = self.now_ms();
        let rules = Rules::new(options, scanned.census.day_first());
        let prep = Prep {
            options,
            mapping: &scanned.mapping,
            rules: &rules,
            header_len: scanned.header.len(),
            now,
            actor: self.actor().clone(),
        };
        let mut run = Run {
            options,
            now,
            seen: HashMap::new(),
            writing: true,
            report: ImportReport {
                mapping: scanned.mapping.clone(),
                rows_read: 0,
                imported: 0,
                notes_imported: 0,
                follow_ups_planned: 0,
                blank_rows: 0,
                rejected_count: 0,
                rejected: Vec::new(),
                duplicate_count: 0,
                duplicates: Vec::new(),
                rolled_back: false,
                encoding: super::encoding::label(spool.encoding()),
                format,
            },
        };
        let mut report_progress = |run: &Run<'_>| {
            progress(ImportProgress {
                rows_total,
                rows_read: run.report.rows_read,
                rows_written: run.report.imported,
            });
        };

        // Rows become documents on several threads (about two-thirds of the work per row:
        // building and validating the contact and making its Automerge documents); this one
        // gets them back in the file's order, checks duplicates and writes.
        let shared = pipeline::Shared::new(rows);
        let work = |(line, item): (u64, Item)| prep.item(line, item);
        std::thread::scope(|scope| {
            let mut prepared = pipeline::spawn(scope, &shared, pipeline_sizes(), Rows::next, &work);
            match options.mode {
                ImportMode::KeepGood => loop {
                    let mut conn = self.conn();
                    let tx = conn.transaction()?;
                    let mut in_batch = 0;
                    let mut done = true;
                    for next in prepared.by_ref() {
                        run.apply(&tx, next?)?;
                        in_batch += 1;
                        if in_batch == BATCH_ROWS {
                            done = false;
                            break;
                        }
                    }
                    tx.commit()?;
                    drop(conn);
                    // A file ending on a full batch leaves an empty last batch: nothing to report.
                    if in_batch > 0 || run.report.rows_read == 0 {
                        report_progress(&run);
                    }
                    if done {
                        break;
                    }
                },
                ImportMode::AllOrNothing => {
                    // One transaction for the whole file. After the first rejected row nothing
                    // more is written, but the rest is still checked so the report lists every
                    // problem.
                    let mut conn = self.conn();
                    let tx = conn.transaction()?;
                    for next in prepared.by_ref() {
                        run.apply(&tx, next?)?;
                        if run.report.rows_read.is_multiple_of(BATCH_ROWS) {
                            report_progress(&run);
                        }
                    }
                    if run.report.rejected_count == 0 {
                        tx.commit()?;
                    } else {
                        tx.rollback()?;
                        run.report.rolled_back = true;
                        run.report.imported = 0;
                        run.report.notes_imported = 0;
                        run.report.follow_ups_planned = 0;
                    }
                    drop(conn);
                    report_progress(&run);
                }
            }
            Ok::<(), ReplicaError>(())
        })?;
        Ok(run.report)
    }
}

/// One preparing thread per core, up to three (the writer is the bound past that).
fn pipeline_sizes() -> pipeline::Sizes {
    pipeline::Sizes {
        workers: std::thread::available_parallelism().map_or(1, |n| n.get().min(3)),
        chunk: PIPELINE_CHUNK,
        window: PIPELINE_WINDOW,
    }
}

/// What the reading thread needs to turn a row into documents.
struct Prep<'a> {
    options: &'a ImportOptions,
    /// Empty for a vCard file.
    mapping: &'a ColumnMapping,
    rules: &'a Rules,
    header_len: usize,
    now: DateTime<Utc>,
    actor: automerge::ActorId,
}

/// One row, read and made ready to write (or refused, with why).
enum Prepared {
    Blank,
    Rejected {
        line: u64,
        reason: String,
        fields: Vec<FieldError>,
    },
    Contact {
        line: u64,
        contact: Box<records::PreparedDoc<Contact>>,
        keys: Vec<MatchKey>,
        notes: Vec<records::PreparedDoc<Note>>,
        /// The contact's follow-up plan, made by the preparing threads like its notes.
        tasks: Vec<records::PreparedDoc<Task>>,
    },
}

impl Prep<'_> {
    fn item(&self, line: u64, item: Item) -> Result<Prepared, ReplicaError> {
        match item {
            Item::Record(record) => self.row(line, &record),
            Item::Card(card) => {
                let mut errors = ValidationErrors::default();
                let built = vcard_read::build(&card, self.rules, &mut errors);
                self.contact(line, built, errors)
            }
        }
    }

    fn row(&self, line: u64, record: &csv::StringRecord) -> Result<Prepared, ReplicaError> {
        if record.iter().all(|cell| cell.trim().is_empty()) {
            return Ok(Prepared::Blank);
        }
        if let Some(extra) = (self.header_len..record.len()).find(|&c| !record[c].trim().is_empty())
        {
            return Ok(Prepared::Rejected {
                line,
                reason: format!(
                    "The row has a value in column {} but the header names only {} columns; \
                     check the row for an unquoted separator.",
                    extra + 1,
                    self.header_len
                ),
                fields: Vec::new(),
            });
        }
        let mut errors = ValidationErrors::default();
        let built = row::build(self.mapping, record, self.rules, &mut errors);
        self.contact(line, built, errors)
    }

    /// Validates a built row (with the problems found building it) and makes the documents of
    /// the contact and its notes.
    fn contact(
        &self,
        line: u64,
        built: RowInput,
        mut errors: ValidationErrors,
    ) -> Result<Prepared, ReplicaError> {
        let valid = built.input.validate();
        let notes: Vec<_> = built
            .notes
            .iter()
            .map(|body| {
                NoteInput {
                    // The contact's id is not minted yet; the note is re-pointed below.
                    record: RecordRef::Contact(ContactId::from_uuid(uuid::Uuid::nil())),
                    body: body.clone(),
                    pinned: false,
                }
                .validate()
            })
            .collect();
        if let Err(e) = &valid {
            errors.0.extend(e.0.iter().cloned());
        }
        for note in &notes {
            if let Err(e) = note {
                errors.0.extend(e.0.iter().map(|f| FieldError {
                    field: "note".to_owned(),
                    message: f.message.clone(),
                }));
            }
        }
        let valid = match valid {
            Ok(valid) if errors.is_empty() => valid,
            _ => {
                return Ok(Prepared::Rejected {
                    line,
                    reason: self.reason(&built, &errors),
                    fields: errors.0,
                })
            }
        };
        let contact = Contact::create(
            ContactId::from_uuid(crate::batch::new_uuid()),
            valid,
            self.options.owner,
            self.now,
        );
        let keys = contact.match_keys();
        let contact_id = contact.id;
        let contact = Box::new(records::prepare(&self.actor, contact)?);
        let notes = notes
            .into_iter()
            .flatten()
            .map(|note| {
                let mut note = Note::create(
                    NoteId::from_uuid(crate::batch::new_uuid()),
                    note,
                    self.options.owner,
                    self.now,
                );
                note.record = RecordRef::Contact(contact_id);
                records::prepare(&self.actor, note)
            })
            .collect::<Result<_, _>>()?;
        let tasks = match &self.options.follow_up {
            Some(planning) => planning
                .tasks_for(contact.record())
                .iter()
                .map(|input| {
                    let task = Task::create(
                        TaskId::from_uuid(crate::batch::new_uuid()),
                        input.validate()?,
                        self.options.owner,
                        self.now,
                    );
                    records::prepare(&self.actor, task)
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Prepared::Contact {
            line,
            contact,
            keys,
            notes,
            tasks,
        })
    }

    /// Every problem as one sentence list, each prefixed with the column (or the kind of vCard
    /// property) it came from.
    fn reason(&self, built: &RowInput, errors: &ValidationErrors) -> String {
        errors
            .0
            .iter()
            .map(|e| match built.place(self.mapping, &e.field) {
                Some(place) => format!("{place}: {}", e.message),
                None => e.message.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The writer's state of one import while it streams.
struct Run<'a> {
    options: &'a ImportOptions,
    now: DateTime<Utc>,
    /// Match keys of the rows stored so far → their line, for duplicates within the file.
    seen: HashMap<MatchKey, u64>,
    /// False once an all-or-nothing import has met a rejected row.
    writing: bool,
    report: ImportReport,
}

impl Run<'_> {
    /// Counts a prepared row, spots a duplicate and writes the contact and its notes.
    fn apply(&mut self, tx: &Transaction<'_>, prepared: Prepared) -> Result<(), ReplicaError> {
        self.report.rows_read += 1;
        let (line, contact, keys, notes, tasks) = match prepared {
            Prepared::Blank => {
                self.report.blank_rows += 1;
                return Ok(());
            }
            Prepared::Rejected {
                line,
                reason,
                fields,
            } => {
                self.reject(line, reason, fields);
                return Ok(());
            }
            Prepared::Contact {
                line,
                contact,
                keys,
                notes,
                tasks,
            } => (line, contact, keys, notes, tasks),
        };
        if let Some((of, key)) = self.duplicate_of(tx, &keys)? {
            let imported = self.options.duplicates == DuplicatePolicy::Import;
            self.report.duplicate_count += 1;
            if self.report.duplicates.len() < IMPORT_REPORT_ROWS_MAX {
                self.report.duplicates.push(DuplicateRow {
                    line,
                    of,
                    key: key.kind().to_owned(),
                    value: key.value().to_owned(),
                    imported,
                });
            }
            if !imported {
                return Ok(());
            }
        }
        for key in keys {
            self.seen.entry(key).or_insert(line);
        }
        if !self.writing {
            return Ok(());
        }
        records::insert_prepared(tx, self.now, &contact)?;
        self.report.imported += 1;
        for note in &notes {
            records::insert_prepared(tx, self.now, note)?;
            self.report.notes_imported += 1;
        }
        for task in &tasks {
            records::insert_prepared(tx, self.now, task)?;
            self.report.follow_ups_planned += 1;
        }
        Ok(())
    }

    /// The first stored contact or earlier row sharing one of `keys` (an earlier row first: it
    /// is what the person will recognise in their own file).
    fn duplicate_of(
        &self,
        tx: &Transaction<'_>,
        keys: &[MatchKey],
    ) -> Result<Option<(DuplicateOf, MatchKey)>, ReplicaError> {
        if let Some((key, line)) = keys
            .iter()
            .find_map(|k| self.seen.get(k).map(|line| (k, *line)))
        {
            return Ok(Some((DuplicateOf::Line(line), key.clone())));
        }
        for key in keys {
            if let Some(id) = contacts_with_key(tx, key)?.first() {
                return Ok(Some((DuplicateOf::Contact(*id), key.clone())));
            }
        }
        Ok(None)
    }

    fn reject(&mut self, line: u64, reason: String, fields: Vec<FieldError>) {
        self.report.rejected_count += 1;
        if self.options.mode == ImportMode::AllOrNothing {
            self.writing = false;
        }
        if self.report.rejected.len() < IMPORT_REPORT_ROWS_MAX {
            self.report.rejected.push(RejectedRow {
                line,
                reason,
                fields,
            });
        }
    }
}
