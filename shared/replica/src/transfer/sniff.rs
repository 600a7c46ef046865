//! How to read a CSV file, guessed once for everyone: its encoding ([`super::encoding`]) and its
//! separator (`,`, `;` or tab). The import uses these and so does the app's preview
//! ([`preview_csv`]), so what the person sees before importing is what the import will read.

use super::encoding::{self, Sniffer};
use super::file::{file_error, ImportFileError};
use encoding_rs::Encoding;
use std::io::Read;

/// How much of a file the preview shows rows from: enough for a header and a few rows of any
/// real export. (The whole file is still read once, to find its encoding as the import will.)
const PREVIEW_BYTES: usize = 256 * 1024;

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
    /// The encoding the import will read the file in.
    pub encoding: &'static Encoding,
}

/// Reads the header and up to `rows` rows of a CSV file with the import's own guesses (its
/// encoding from the whole file, [`guess_delimiter`]), the rows from its first 256 KiB.
pub fn preview_csv(mut input: impl Read, rows: usize) -> Result<CsvPreview, ImportFileError> {
    let mut head = Vec::new();
    (&mut input)
        .take(PREVIEW_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(ImportFileError::Read)?;
    let cut = head.len() == PREVIEW_BYTES;
    let (encoding, text) = match encoding::bom(&head) {
        Some((encoding, len)) => (encoding, encoding::decode(encoding, &head[len..])),
        None => {
            let mut sniffer = Sniffer::default();
            sniffer.feed(&head);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match input.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => sniffer.feed(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(ImportFileError::Read(e)),
                }
            }
            let encoding = sniffer.finish()?;
            (encoding, encoding::decode(encoding, &head))
        }
    };
    let delimiter = guess_delimiter(text.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
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
            Err(_) if !sample.is_empty() && cut => break,
            Err(e) => return Err(file_error(e)),
        }
    }
    Ok(CsvPreview {
        headers,
        sample,
        delimiter,
        encoding,
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
    fn a_preview_reads_what_the_import_reads() {
        let preview = preview_csv(
            &b"\xEF\xBB\xBF Name ;Email\r\nAda;ada@example.com\r\n"[..],
            5,
        )
        .expect("preview");
        assert_eq!(preview.delimiter, b';');
        assert_eq!(preview.encoding.name(), "UTF-8");
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
        // Not UTF-8: read in the legacy encoding the import will use, not refused.
        let legacy = preview_csv(&b"Name;City\nZo\xEB;Z\xFCrich\n"[..], 5).expect("preview");
        assert_eq!(legacy.encoding.name(), "windows-1252");
        assert_eq!(legacy.sample, [["Zoë", "Zürich"]]);
        let utf16: Vec<u8> = "\u{feff}Name,City\r\nZoë,Zürich\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16 = preview_csv(&utf16[..], 5).expect("preview");
        assert_eq!(utf16.encoding.name(), "UTF-16LE");
        assert_eq!(utf16.sample, [["Zoë", "Zürich"]]);
        assert!(matches!(
            preview_csv(&b"PK\x03\x04\x14\0"[..], 5),
            Err(ImportFileError::NotText)
        ));
    }
}
