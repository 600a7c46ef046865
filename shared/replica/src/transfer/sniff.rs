//! How to read a CSV file, guessed once for everyone: its encoding (UTF-8, with or without a
//! byte-order mark; UTF-16 is refused with advice) and its separator (`,`, `;` or tab). The
//! import uses these and so does the app's preview ([`preview_csv`]), so what the person sees
//! before importing is what the import will read.

use super::file::{file_error, ImportFileError};
use std::io::Read;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How much of a file the preview reads: enough for a header and a few rows of any real export,
/// bounded so a preview of a 100 MB file costs nothing.
const PREVIEW_BYTES: u64 = 256 * 1024;

/// The text of a file's first bytes, less a UTF-8 byte-order mark; UTF-16 (Excel's "Unicode
/// text") is refused, since every byte pair would read as garbage. Needs at least the first
/// three bytes of the file (fewer only when the file is that short).
pub fn strip_bom(head: &[u8]) -> Result<&[u8], ImportFileError> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(ImportFileError::Utf16);
    }
    Ok(head.strip_prefix(UTF8_BOM).unwrap_or(head))
}

/// The field separator of a file whose text (less any byte-order mark) starts with `head`:
/// `,` unless the header line has more `;` or tabs (Excel in many European locales writes `;`,
/// and "CSV" from some tools is tab-separated). A tie keeps `,`, then `;`: on `a,b;c` the
/// answer is `,`.
pub fn guess_delimiter(head: &[u8]) -> u8 {
    // The header line ends at the first line break of any kind (CRLF, LF, or an old Mac's CR).
    let line = head
        .split(|b| *b == b'\n' || *b == b'\r')
        .next()
        .unwrap_or(&[]);
    let count = |d: u8| line.iter().filter(|b| **b == d).count();
    let (comma, semicolon, tab) = (count(b','), count(b';'), count(b'\t'));
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma {
        b'\t'
    } else {
        b','
    }
}

/// A file's header and first rows, read as the import would read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvPreview {
    /// The column names, trimmed (as the import reports them).
    pub headers: Vec<String>,
    /// Up to the rows asked for, as written.
    pub sample: Vec<Vec<String>>,
    /// The separator the import will use.
    pub delimiter: u8,
}

/// Reads the header and up to `rows` rows of a CSV file with the import's own guesses
/// ([`strip_bom`], [`guess_delimiter`]), from at most its first 256 KiB.
pub fn preview_csv(input: impl Read, rows: usize) -> Result<CsvPreview, ImportFileError> {
    let mut head = Vec::new();
    input
        .take(PREVIEW_BYTES)
        .read_to_end(&mut head)
        .map_err(ImportFileError::Read)?;
    let text = strip_bom(&head)?;
    let delimiter = guess_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text);
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|h| h.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(file_error(e)),
        None => return Err(ImportFileError::NoHeader),
    };
    if headers.iter().all(String::is_empty) {
        return Err(ImportFileError::NoHeader);
    }
    let mut sample = Vec::new();
    for record in records.take(rows) {
        match record {
            Ok(record) => sample.push(record.iter().map(str::to_owned).collect()),
            // The last row read may be cut by the preview's size limit: show the ones before.
            Err(_) if !sample.is_empty() && head.len() as u64 == PREVIEW_BYTES => break,
            Err(e) => return Err(file_error(e)),
        }
    }
    Ok(CsvPreview {
        headers,
        sample,
        delimiter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_commonest_on_the_header_line_and_a_tie_keeps_the_comma() {
        for (head, expected) in [
            (&b"a,b;c"[..], b','),
            (b"a;b,c", b','),
            (b"a,b\tc", b','),
            (b"a;b\tc", b';'),
            (b"a;b;c,d", b';'),
            (b"a\tb\tc;d", b'\t'),
            (b"name", b','),
            (b"", b','),
            // Only the header line counts, whatever its line end.
            (b"a;b\r\nc,d,e,f", b';'),
            (b"a;b\rc,d,e,f", b';'),
            (b"a;b\nc,d,e,f", b';'),
        ] {
            assert_eq!(
                guess_delimiter(head) as char,
                expected as char,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn utf16_is_refused_and_a_utf8_mark_dropped() {
        assert!(matches!(
            strip_bom(b"\xFF\xFEa\0"),
            Err(ImportFileError::Utf16)
        ));
        assert!(matches!(
            strip_bom(b"\xFE\xFF\0a"),
            Err(ImportFileError::Utf16)
        ));
        assert_eq!(strip_bom(b"\xEF\xBB\xBFa,b").ok(), Some(&b"a,b"[..]));
        assert_eq!(strip_bom(b"a,b").ok(), Some(&b"a,b"[..]));
    }

    #[test]
    fn a_preview_reads_what_the_import_reads() {
        let preview = preview_csv(
            &b"\xEF\xBB\xBF Name ;Email\r\nAda;ada@example.com\r\n"[..],
            5,
        )
        .expect("preview");
        assert_eq!(preview.delimiter, b';');
        assert_eq!(preview.headers, ["Name", "Email"]);
        assert_eq!(preview.sample, [["Ada", "ada@example.com"]]);
        assert!(matches!(
            preview_csv(&b""[..], 5),
            Err(ImportFileError::NoHeader)
        ));
        assert!(matches!(
            preview_csv(&b" , \nx,y"[..], 5),
            Err(ImportFileError::NoHeader)
        ));
        assert!(matches!(
            preview_csv(&b"Name\n\xC3(\n"[..], 5),
            Err(ImportFileError::NotUtf8 { line: 2 })
        ));
    }
}
