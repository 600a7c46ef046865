//! How to read a file, guessed once for everyone: CSV or vCard, its encoding
//! ([`super::encoding`]) and its separator (`,`, `;` or tab). The import uses these and so does
//! the app's preview ([`preview_file`]), so what the person sees before importing is what the
//! import will read.

use super::encoding;
use super::file::{file_error, ImportFileError, Spool};
use super::guess::guess_mapping;
use super::row::Rules;
use super::vcard_parse::CardReader;
use super::vcard_read;
use encoding_rs::Encoding;
use fieldstone_model::UserId;
use fieldstone_protocol::views::{ColumnMapping, ImportFormat, ImportOptions, UnknownValues};
use std::io::Read;
use uuid::Uuid;

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

/// What a preview asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewOptions {
    /// Data rows (cards) to show.
    pub rows: usize,
    /// An encoding label a person chose; `None`: the one found in the file.
    pub encoding: Option<String>,
    /// The mapping a person has so far; `None`, or one that does not fit the header: the guess.
    pub mapping: Option<ColumnMapping>,
}

/// A file read as the import will read it: its kind, encoding, header (the fields shown, for a
/// vCard), first rows, mapping, size, and the stage and source values it does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePreview {
    pub format: ImportFormat,
    /// The column names, trimmed (as the import reports them).
    pub headers: Vec<String>,
    /// Up to the rows asked for: cells as written, or a card's fields.
    pub sample: Vec<Vec<String>>,
    /// The separator the import will use (`,` for a vCard file, which has none).
    pub delimiter: u8,
    /// The encoding the import will read the file in.
    pub encoding: &'static Encoding,
    /// The encoding the file would be read in had none been chosen.
    pub found: &'static Encoding,
    /// Empty for a vCard file.
    pub mapping: ColumnMapping,
    /// Data rows (cards) in the whole file.
    pub rows: u64,
    pub unknown_stages: UnknownValues,
    pub unknown_sources: UnknownValues,
}

/// Reads a whole file as the import would (the same copy, encoding, separator, mapping checks
/// and census), keeping its first rows. It reads every row, so the counts of unknown values are
/// the file's, not the sample's.
pub fn preview_file(
    input: impl Read,
    options: &PreviewOptions,
) -> Result<FilePreview, ImportFileError> {
    let forced = options
        .encoding
        .as_deref()
        .map(encoding::resolve)
        .transpose()?;
    let spool = Spool::copy(input, forced)?;
    let format = spool.format()?;
    let (scanned, delimiter, sample) = match format {
        ImportFormat::Csv => {
            let delimiter = spool.sniff_delimiter()?;
            let scanned = spool.scan(delimiter, |header| {
                Ok(match &options.mapping {
                    Some(mapping) if fits(mapping, header) => mapping.clone(),
                    _ => guess_mapping(header),
                })
            })?;
            let mut sample = Vec::new();
            for record in spool
                .csv_reader(delimiter)?
                .into_records()
                .skip(1)
                .take(options.rows)
            {
                let record = record.map_err(file_error)?;
                sample.push(record.iter().map(str::to_owned).collect());
            }
            (scanned, delimiter, sample)
        }
        ImportFormat::Vcard => {
            let scanned = vcard_read::scan(&spool)?;
            let rules = Rules::new(&ImportOptions::new(UserId::from_uuid(Uuid::nil())), None);
            let mut cards = CardReader::new(spool.reader()?);
            let mut sample = Vec::new();
            while sample.len() < options.rows {
                match cards.next_card()? {
                    Some(card) => sample.push(vcard_read::sample_row(&card, &rules)),
                    None => break,
                }
            }
            (scanned, b',', sample)
        }
    };
    Ok(FilePreview {
        format,
        unknown_stages: scanned.census.unknown_stages(),
        unknown_sources: scanned.census.unknown_sources(),
        headers: scanned.header,
        sample,
        delimiter,
        encoding: spool.encoding(),
        found: spool.found(),
        mapping: scanned.mapping,
        rows: scanned.rows,
    })
}

/// Whether a mapping was made for this header (a re-preview in another encoding may read the
/// header otherwise, and then the person's mapping no longer means anything).
fn fits(mapping: &ColumnMapping, header: &[String]) -> bool {
    mapping.columns.len() == header.len()
        && mapping
            .columns
            .iter()
            .zip(header)
            .all(|(column, name)| column.header == *name)
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

    fn read(bytes: &[u8]) -> Result<FilePreview, ImportFileError> {
        preview_file(
            bytes,
            &PreviewOptions {
                rows: 5,
                ..PreviewOptions::default()
            },
        )
    }

    #[test]
    fn a_preview_reads_what_the_import_reads() {
        let preview =
            read(&b"\xEF\xBB\xBF Name ;Email\r\nAda;ada@example.com\r\n"[..]).expect("preview");
        assert_eq!(preview.delimiter, b';');
        assert_eq!(preview.encoding.name(), "UTF-8");
        assert_eq!(preview.headers, ["Name", "Email"]);
        assert_eq!(preview.sample, [["Ada", "ada@example.com"]]);
        assert!(matches!(read(&b""[..]), Err(ImportFileError::NoHeader)));
        assert!(matches!(
            read(&b" , \nx,y"[..]),
            Err(ImportFileError::NoHeader)
        ));
        // Not UTF-8: read in the legacy encoding the import will use, not refused.
        let legacy = read(&b"Name;City\nZo\xEB;Z\xFCrich\n"[..]).expect("preview");
        assert_eq!(legacy.encoding.name(), "windows-1252");
        assert_eq!(legacy.sample, [["Zoë", "Zürich"]]);
        let utf16: Vec<u8> = "\u{feff}Name,City\r\nZoë,Zürich\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let utf16 = read(&utf16[..]).expect("preview");
        assert_eq!(utf16.encoding.name(), "UTF-16LE");
        assert_eq!(utf16.sample, [["Zoë", "Zürich"]]);
        assert!(matches!(
            read(&b"PK\x03\x04\x14\0"[..]),
            Err(ImportFileError::NotText)
        ));
    }

    #[test]
    fn a_chosen_encoding_is_read_instead_of_the_one_found() {
        let bytes = b"Name\nZo\xEB\n";
        let chosen = |label: &str| {
            preview_file(
                &bytes[..],
                &PreviewOptions {
                    rows: 5,
                    encoding: Some(label.into()),
                    mapping: None,
                },
            )
        };
        let greek = chosen("windows-1253").expect("preview");
        assert_eq!(greek.encoding.name(), "windows-1253");
        assert_eq!(
            greek.found.name(),
            "windows-1252",
            "what it would be read in"
        );
        assert_eq!(greek.sample, [["Zoλ"]]);
        // UTF-8 chosen for a file that is not: what cannot be read shows as such, not refused.
        assert_eq!(chosen("utf-8").expect("preview").sample, [["Zo\u{FFFD}"]]);
        assert!(matches!(
            chosen("klingon"),
            Err(ImportFileError::UnknownEncoding(_))
        ));
    }

    #[test]
    fn a_vcard_is_told_by_its_content_and_previewed_card_by_card() {
        let file = "\r\nbegin:vcard\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
                    EMAIL;TYPE=INTERNET:ada@example.com\r\nX-FIELDSTONE-STAGE:Negotiating\r\n\
                    END:VCARD\r\n";
        let preview = read(file.as_bytes()).expect("preview");
        assert_eq!(preview.format, ImportFormat::Vcard);
        assert_eq!(preview.rows, 1);
        assert_eq!(preview.headers[..3], ["Name", "Email", "Phone"]);
        assert_eq!(
            preview.sample[0][..3],
            ["Ada Lovelace", "ada@example.com", ""]
        );
        assert!(preview.mapping.columns.is_empty());
        assert_eq!(preview.unknown_stages.values[0].value, "Negotiating");
    }
}
