//! Getting an uploaded file into a shape the importer can trust before it writes anything:
//! copied to a temporary file as UTF-8 (the input is a one-pass stream, and a file-level
//! problem found at row 150,000 must still mean nothing was written), then checked whole —
//! size, encoding, row count, CSV syntax — without keeping any of it in memory.

use super::census::Census;
use super::encoding::Sniffer;
use encoding_rs::{Encoding, UTF_8};
use fieldstone_protocol::views::{ColumnMapping, ImportFormat};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use thiserror::Error;

/// The largest file an import accepts.
pub const IMPORT_MAX_BYTES: u64 = 100 * 1024 * 1024;
/// The most data rows (header not counted) an import accepts.
pub const IMPORT_MAX_ROWS: u64 = 200_000;

/// The longest byte-order mark the first read must see whole.
const BOM_MAX_LEN: usize = 3;

/// Why a whole file was refused. Nothing was written when one of these is reported.
#[derive(Debug, Error)]
pub enum ImportFileError {
    #[error("the file is empty or has no header row; the first line must name the columns")]
    NoHeader,
    #[error("the file is larger than {max_mb} MB; split it into smaller files", max_mb = IMPORT_MAX_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the file has more than {IMPORT_MAX_ROWS} rows; split it into smaller files")]
    TooManyRows,
    #[error("the file is not text (an .xlsx workbook or another binary file); save it as CSV and try again")]
    NotText,
    #[error("line {line}: the file is not UTF-8 text; if it came from Excel, save it as \"CSV UTF-8\" (an .xlsx workbook cannot be imported directly)")]
    NotUtf8 { line: u64 },
    #[error("line {line}: not readable as CSV ({message})")]
    NotCsv { line: u64, message: String },
    #[error("the column mapping cannot be used: {0}")]
    Mapping(String),
    #[error("{0:?} is not an encoding this app can read; choose one of those offered")]
    UnknownEncoding(String),
    #[error("could not read the file: {0}")]
    Read(#[source] std::io::Error),
    #[error("could not use a temporary file for the import: {0}")]
    Spool(#[source] std::io::Error),
}

/// A temporary copy of the input, removed when dropped.
pub(crate) struct Spool {
    path: PathBuf,
    file: File,
    /// What the input was decoded from (the copy is always UTF-8).
    encoding: &'static Encoding,
    /// What the file itself says it is in (its byte-order mark, else the sniffer's guess),
    /// whichever encoding a person chose to read it in.
    found: &'static Encoding,
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Best effort: a leftover file in the temp dir is harmless and the OS cleans it.
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Spool {
    /// Copies `input` to a new temporary file as UTF-8 with LF line ends, decoding it from
    /// `forced` when a person chose an encoding, else from the one its byte-order mark names
    /// or, without one, the one [`Sniffer`] finds (a second pass then decodes the copy).
    /// Refuses files over [`IMPORT_MAX_BYTES`], empty ones and ones that are not text (a
    /// workbook is refused whatever encoding is chosen; bytes a chosen encoding has no
    /// character for become U+FFFD, as a text editor shows them).
    pub(crate) fn copy(
        mut input: impl Read,
        forced: Option<&'static Encoding>,
    ) -> Result<Self, ImportFileError> {
        let mut spool = Spool::create(UTF_8)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut total: u64 = 0;
        let mut first = true;
        let mut pending_cr = false;
        let mut lf = Vec::with_capacity(buf.len());
        // Set by a byte-order mark: the file is decoded as it is copied.
        let mut decoder: Option<encoding_rs::Decoder> = None;
        let mut decoded = String::new();
        let mut sniffer = Sniffer::default();
        // With an encoding chosen, what the file would have been read in otherwise is still
        // found, for the choices to start with.
        let mut found_bom = None;
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ImportFileError::Read(e)),
            };
            let mut chunk = &buf[..n];
            if first {
                // A read may return fewer bytes than a BOM; top the first chunk up to 3 bytes.
                let mut filled = n;
                while filled < BOM_MAX_LEN {
                    match input.read(&mut buf[filled..]) {
                        Ok(0) => break,
                        Ok(m) => filled += m,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(ImportFileError::Read(e)),
                    }
                }
                chunk = &buf[..filled];
                if let Some(forced) = forced {
                    if chunk.starts_with(b"PK\x03\x04") {
                        return Err(ImportFileError::NotText);
                    }
                    // Its own byte-order mark, if the file has one, is not text.
                    found_bom = super::encoding::bom(chunk).map(|(encoding, _)| encoding);
                    spool.encoding = forced;
                    decoder = Some(forced.new_decoder_with_bom_removal());
                } else if let Some((encoding, len)) = super::encoding::bom(chunk) {
                    chunk = &chunk[len..];
                    spool.encoding = encoding;
                    if encoding != UTF_8 {
                        decoder = Some(encoding.new_decoder_without_bom_handling());
                    }
                }
                first = false;
            }
            total += chunk.len() as u64;
            if total > IMPORT_MAX_BYTES {
                return Err(ImportFileError::TooLarge);
            }
            lf.clear();
            match decoder.as_mut() {
                Some(decoder) => {
                    if forced.is_some() && found_bom.is_none() {
                        sniffer.feed(chunk);
                    }
                    decode_chunk(decoder, chunk, false, &mut decoded);
                    to_lf(decoded.as_bytes(), &mut pending_cr, &mut lf);
                }
                None => {
                    sniffer.feed(chunk);
                    to_lf(chunk, &mut pending_cr, &mut lf);
                }
            }
            spool.file.write_all(&lf).map_err(ImportFileError::Spool)?;
        }
        if total == 0 {
            return Err(ImportFileError::NoHeader);
        }
        if let Some(decoder) = decoder.as_mut() {
            lf.clear();
            decode_chunk(decoder, &[], true, &mut decoded);
            to_lf(decoded.as_bytes(), &mut pending_cr, &mut lf);
            spool.file.write_all(&lf).map_err(ImportFileError::Spool)?;
        }
        if pending_cr {
            spool
                .file
                .write_all(b"\n")
                .map_err(ImportFileError::Spool)?;
        }
        if let Some(forced) = forced {
            // A file that would not pass as text unread (NUL bytes in UTF-16 without a mark)
            // was found to be in nothing; the chosen encoding stands for it.
            spool.found = found_bom
                .or_else(|| sniffer.finish().ok())
                .unwrap_or(forced);
            return Ok(spool);
        }
        if decoder.is_none() && spool.encoding == UTF_8 {
            let found = sniffer.finish()?;
            if found != UTF_8 {
                // Line ends are the same bytes in every encoding a sniffer can find (ASCII
                // supersets), so the copy only needs decoding.
                return spool.decoded(found);
            }
        }
        spool.found = spool.encoding;
        Ok(spool)
    }

    fn create(encoding: &'static Encoding) -> Result<Self, ImportFileError> {
        let path =
            std::env::temp_dir().join(format!("fieldstone-import-{}.csv", uuid::Uuid::new_v4()));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(ImportFileError::Spool)?;
        Ok(Spool {
            path,
            file,
            encoding,
            found: encoding,
        })
    }

    /// A new copy of this one decoded from `encoding` to UTF-8.
    fn decoded(self, encoding: &'static Encoding) -> Result<Self, ImportFileError> {
        let mut out = Spool::create(encoding)?;
        let mut reader = self.reader()?;
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let mut buf = vec![0u8; 64 * 1024];
        let mut decoded = String::new();
        loop {
            let n = match reader.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ImportFileError::Spool(e)),
            };
            decode_chunk(&mut decoder, &buf[..n], n == 0, &mut decoded);
            out.file
                .write_all(decoded.as_bytes())
                .map_err(ImportFileError::Spool)?;
            if n == 0 {
                return Ok(out);
            }
        }
    }

    /// The encoding the file was read in.
    pub(crate) fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// The encoding the file would be read in had none been chosen.
    pub(crate) fn found(&self) -> &'static Encoding {
        self.found
    }

    /// A reader of the copy from its start.
    pub(crate) fn reader(&self) -> Result<BufReader<File>, ImportFileError> {
        let mut file = self.file.try_clone().map_err(ImportFileError::Spool)?;
        file.seek(SeekFrom::Start(0))
            .map_err(ImportFileError::Spool)?;
        Ok(BufReader::with_capacity(256 * 1024, file))
    }

    /// The field separator ([`super::guess_delimiter`], the guess the preview shows too).
    pub(crate) fn sniff_delimiter(&self) -> Result<u8, ImportFileError> {
        let mut head = Vec::with_capacity(64 * 1024);
        self.reader()?
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(ImportFileError::Spool)?;
        Ok(super::sniff::guess_delimiter(&head))
    }

    pub(crate) fn csv_reader(
        &self,
        delimiter: u8,
    ) -> Result<csv::Reader<BufReader<File>>, ImportFileError> {
        Ok(csv::ReaderBuilder::new()
            .has_headers(false)
            // Rows shorter than the header are common (trailing blanks dropped); the importer
            // treats missing cells as blank and checks longer rows itself.
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(self.reader()?))
    }

    /// Whether the copy is a vCard file: its first non-blank line is `BEGIN:VCARD`, whatever
    /// the file is called.
    pub(crate) fn format(&self) -> Result<ImportFormat, ImportFileError> {
        let mut head = Vec::with_capacity(4096);
        self.reader()?
            .take(4096)
            .read_to_end(&mut head)
            .map_err(ImportFileError::Spool)?;
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        let vcard = head[start..]
            .get(..11)
            .is_some_and(|first| first.eq_ignore_ascii_case(b"BEGIN:VCARD"));
        Ok(if vcard {
            ImportFormat::Vcard
        } else {
            ImportFormat::Csv
        })
    }

    /// Reads the whole copy as CSV: every field UTF-8, every row readable, a non-blank header,
    /// at most [`IMPORT_MAX_ROWS`] rows. `mapping_for` says how the header is mapped (the
    /// caller's mapping or a guess, checked), and every row is counted into a [`Census`] of
    /// that mapping's stage, source and move-in columns.
    pub(crate) fn scan(
        &self,
        delimiter: u8,
        mapping_for: impl FnOnce(&[String]) -> Result<ColumnMapping, ImportFileError>,
    ) -> Result<Scanned, ImportFileError> {
        let mut reader = self.csv_reader(delimiter)?;
        let mut record = csv::StringRecord::new();
        let header: Vec<String> = match reader.read_record(&mut record) {
            Ok(true) => record.iter().map(|h| h.trim().to_owned()).collect(),
            Ok(false) => return Err(ImportFileError::NoHeader),
            Err(e) => return Err(file_error(e)),
        };
        if header.iter().all(String::is_empty) {
            return Err(ImportFileError::NoHeader);
        }
        let mapping = mapping_for(&header)?;
        let mut census = Census::for_mapping(&mapping);
        let mut rows: u64 = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    rows += 1;
                    if rows > IMPORT_MAX_ROWS {
                        return Err(ImportFileError::TooManyRows);
                    }
                    census.record(&record);
                }
                Err(e) => return Err(file_error(e)),
            }
        }
        Ok(Scanned {
            header,
            rows,
            mapping,
            census,
        })
    }
}

/// What [`Spool::scan`] found in a whole file.
pub(crate) struct Scanned {
    pub header: Vec<String>,
    /// Data rows (cards, for a vCard file).
    pub rows: u64,
    /// Empty for a vCard file.
    pub mapping: ColumnMapping,
    pub census: Census,
}

/// Decodes `chunk` into `out` (cleared first); characters cut between chunks wait in `decoder`.
fn decode_chunk(decoder: &mut encoding_rs::Decoder, chunk: &[u8], last: bool, out: &mut String) {
    out.clear();
    let room = decoder
        .max_utf8_buffer_length(chunk.len())
        .unwrap_or(chunk.len().saturating_mul(3) + 16);
    out.reserve(room);
    // With room for the worst case reserved, one call decodes the whole chunk.
    let _ = decoder.decode_to_string(chunk, out, last);
}

/// Appends `chunk` to `out` with every line end (CRLF, or a lone CR from old Mac tools) made LF.
///
/// Why: the CSV reader counts lines by LF, and on a CRLF file it dates a record's start before
/// the LF that ends the previous one, so rows would be reported one line early. With LF only,
/// its line numbers are the ones an editor shows. Line breaks inside quoted cells (a note) come
/// out as LF, which is what the app's own text fields produce.
fn to_lf(chunk: &[u8], pending_cr: &mut bool, out: &mut Vec<u8>) {
    for &b in chunk {
        if std::mem::take(pending_cr) {
            out.push(b'\n');
            if b == b'\n' {
                continue;
            }
        }
        if b == b'\r' {
            *pending_cr = true;
        } else {
            out.push(b);
        }
    }
}

/// A CSV reader's error as a file-level refusal.
pub(crate) fn file_error(error: csv::Error) -> ImportFileError {
    let line = error.position().map_or(0, csv::Position::line);
    match error.into_kind() {
        csv::ErrorKind::Utf8 { pos, .. } => ImportFileError::NotUtf8 {
            line: pos.map_or(line, |p| p.line()),
        },
        csv::ErrorKind::Io(e) => ImportFileError::Read(e),
        other => ImportFileError::NotCsv {
            line,
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_lf_even_across_chunks() {
        let mut out = Vec::new();
        let mut pending = false;
        to_lf(b"a\r\nb\r", &mut pending, &mut out);
        to_lf(b"\nc\rd", &mut pending, &mut out);
        assert_eq!(out, b"a\nb\nc\nd");
    }
}
