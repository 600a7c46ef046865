//! Which encoding a CSV file is written in, decided once for the preview and the import alike.
//!
//! A byte-order mark decides (UTF-8, UTF-16 little or big endian). Without one, a file that is
//! valid UTF-8 all the way through is UTF-8; otherwise it is in a legacy encoding, guessed by
//! chardetng from the bytes that are not UTF-8 (Excel on Windows saves "CSV" as Windows-1252,
//! and older tools in the local code page). A file with NUL bytes is not text at all (an .xlsx
//! workbook, a picture) and is refused rather than decoded into garbage.

use super::file::ImportFileError;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding a byte-order mark at the start of `head` names, and the mark's length.
pub fn bom(head: &[u8]) -> Option<(&'static Encoding, usize)> {
    if head.starts_with(UTF8_BOM) {
        Some((UTF_8, UTF8_BOM.len()))
    } else if head.starts_with(b"\xFF\xFE") {
        Some((UTF_16LE, 2))
    } else if head.starts_with(b"\xFE\xFF") {
        Some((UTF_16BE, 2))
    } else {
        None
    }
}

/// Watches a file without a byte-order mark go by, chunk after chunk, and says at the end
/// which encoding it is in.
pub struct Sniffer {
    /// The end of the last chunk when it stopped inside a UTF-8 sequence.
    carry: Vec<u8>,
    utf8: bool,
    /// Fed from the first chunk that is not UTF-8 on: only the non-ASCII bytes matter to it.
    detector: chardetng::EncodingDetector,
    nul: bool,
    started: bool,
    zip: bool,
}

impl Default for Sniffer {
    fn default() -> Self {
        Sniffer {
            carry: Vec::new(),
            utf8: true,
            detector: chardetng::EncodingDetector::new(),
            nul: false,
            started: false,
            zip: false,
        }
    }
}

impl Sniffer {
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        if !self.started {
            self.started = true;
            // An .xlsx (or any zip) starts with a local file header.
            self.zip = chunk.starts_with(b"PK\x03\x04");
        }
        if chunk.contains(&0) {
            self.nul = true;
        }
        if self.utf8 {
            let joined;
            let data = if self.carry.is_empty() {
                chunk
            } else {
                joined = [std::mem::take(&mut self.carry).as_slice(), chunk].concat();
                &joined
            };
            match std::str::from_utf8(data) {
                Ok(_) => {}
                // Cut inside a character: the rest of it comes with the next chunk.
                Err(e) if e.error_len().is_none() => {
                    self.carry = data[e.valid_up_to()..].to_vec();
                }
                Err(_) => {
                    self.utf8 = false;
                    self.detector.feed(data, false);
                }
            }
        } else {
            self.detector.feed(chunk, false);
        }
    }

    /// The file's encoding, or why it is not a text file.
    pub fn finish(mut self) -> Result<&'static Encoding, ImportFileError> {
        if self.zip || self.nul {
            return Err(ImportFileError::NotText);
        }
        if self.utf8 && self.carry.is_empty() {
            return Ok(UTF_8);
        }
        self.detector.feed(&self.carry, true);
        Ok(self.detector.guess(None, false))
    }
}

/// How the app names an encoding to a person: the family first, the technical name after.
pub fn label(encoding: &'static Encoding) -> String {
    let family = match encoding.name() {
        "UTF-8" => return "Unicode (UTF-8)".into(),
        "UTF-16LE" | "UTF-16BE" => return "Unicode (UTF-16)".into(),
        "windows-1252" | "ISO-8859-15" => "Western European",
        "windows-1250" | "ISO-8859-2" => "Central European",
        "windows-1251" | "KOI8-R" | "KOI8-U" | "IBM866" | "ISO-8859-5" => "Cyrillic",
        "windows-1253" | "ISO-8859-7" => "Greek",
        "windows-1254" => "Turkish",
        "windows-1255" | "ISO-8859-8" => "Hebrew",
        "windows-1256" | "ISO-8859-6" => "Arabic",
        "windows-1257" | "ISO-8859-4" | "ISO-8859-13" => "Baltic",
        "windows-1258" => "Vietnamese",
        "windows-874" => "Thai",
        "Shift_JIS" | "EUC-JP" | "ISO-2022-JP" => "Japanese",
        "GBK" | "gb18030" => "Chinese, simplified",
        "Big5" => "Chinese, traditional",
        "EUC-KR" => "Korean",
        other => return other.to_owned(),
    };
    let name = encoding.name();
    let name = name
        .strip_prefix("windows-")
        .map_or_else(|| name.to_owned(), |n| format!("Windows-{n}"));
    format!("{family} ({name})")
}

/// The encodings a person may pick when the one found reads wrong, in the order offered:
/// Unicode, then Western European (Excel on Windows, old Macs' exports re-saved), then the
/// legacy encodings of the larger markets. ISO-8859-1 is not its own entry: browsers and
/// encoding_rs read it as Windows-1252, its superset, and so does this app.
const OFFERED: [&Encoding; 10] = [
    UTF_8,
    encoding_rs::WINDOWS_1252,
    encoding_rs::ISO_8859_15,
    UTF_16LE,
    UTF_16BE,
    encoding_rs::WINDOWS_1251,
    encoding_rs::SHIFT_JIS,
    encoding_rs::GB18030,
    encoding_rs::BIG5,
    encoding_rs::EUC_KR,
];

/// The encoding an encoding label names ("windows-1252", "latin1", "utf-16le", "sjis": the
/// WHATWG labels, any case), or why it cannot be used.
pub fn resolve(label: &str) -> Result<&'static Encoding, ImportFileError> {
    match Encoding::for_label(label.trim().as_bytes()) {
        // "replacement" is a WHATWG label for decoders that refuse everything: no use here.
        Some(encoding) if encoding != encoding_rs::REPLACEMENT => Ok(encoding),
        _ => Err(ImportFileError::UnknownEncoding(label.to_owned())),
    }
}

/// The label to send back for `encoding` and its name for people, which unlike [`label`]
/// tells the two UTF-16 byte orders apart (a picker needs both) and says that Windows-1252 is
/// what ISO-8859-1 files are read as.
pub fn choice(encoding: &'static Encoding) -> (String, String) {
    let name = match encoding.name() {
        "UTF-16LE" => "Unicode (UTF-16, little-endian)".to_owned(),
        "UTF-16BE" => "Unicode (UTF-16, big-endian)".to_owned(),
        "windows-1252" => "Western European (Windows-1252, ISO-8859-1)".to_owned(),
        _ => label(encoding),
    };
    (encoding.name().to_owned(), name)
}

/// What a picker offers: the encoding `found` in the file first (marked "detected"), then the others of
/// [`OFFERED`], then `used` if a person chose one outside them. The same list whichever is in
/// use, so a picker's options keep their places as the file is read again.
pub fn choices(found: &'static Encoding, used: &'static Encoding) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::iter::once(found)
        .chain(OFFERED.into_iter().filter(|e| *e != found))
        .map(choice)
        .collect();
    out[0].1.push_str(" — detected");
    if !out.iter().any(|(label, _)| label == used.name()) {
        out.push(choice(used));
    }
    out
}

/// Decodes the whole of `bytes` (a byte-order mark already removed) to UTF-8; bytes the
/// encoding has no character for become U+FFFD, as every text editor shows them.
#[cfg(test)]
pub fn decode(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding of a whole file's bytes (`bytes` from its start, less nothing).
    pub fn detect(bytes: &[u8]) -> Result<&'static Encoding, ImportFileError> {
        if let Some((encoding, _)) = bom(bytes) {
            return Ok(encoding);
        }
        let mut sniffer = Sniffer::default();
        sniffer.feed(bytes);
        sniffer.finish()
    }

    fn sniff_in_chunks(bytes: &[u8], size: usize) -> Result<&'static Encoding, ImportFileError> {
        let mut sniffer = Sniffer::default();
        for chunk in bytes.chunks(size) {
            sniffer.feed(chunk);
        }
        sniffer.finish()
    }

    #[test]
    fn utf8_is_recognised_even_when_a_character_is_cut_between_chunks() {
        let text = "Name,City\nZoë,Zürich\nJosé,São Paulo\n".as_bytes();
        for size in 1..text.len() {
            assert_eq!(
                sniff_in_chunks(text, size).ok(),
                Some(UTF_8),
                "chunks of {size}"
            );
        }
        assert_eq!(detect(b"Name\nAda\n").ok(), Some(UTF_8));
    }

    #[test]
    fn excel_on_windows_is_read_as_windows_1252() {
        // "Zoë Müller,Café crème" as Excel for Windows saves it.
        let bytes = b"Name,Notes\nZo\xEB M\xFCller,Caf\xE9 cr\xE8me\nJos\xE9,Se\xF1or\n";
        let encoding = detect(bytes).expect("text");
        assert_eq!(encoding.name(), "windows-1252");
        assert_eq!(label(encoding), "Western European (Windows-1252)");
        assert!(decode(encoding, bytes).contains("Zoë Müller,Café crème"));
        // Whatever the chunking.
        assert_eq!(sniff_in_chunks(bytes, 3).ok(), Some(encoding));
    }

    #[test]
    fn a_byte_order_mark_decides() {
        assert_eq!(bom(b"\xEF\xBB\xBFa"), Some((UTF_8, 3)));
        assert_eq!(bom(b"\xFF\xFEa\0"), Some((UTF_16LE, 2)));
        assert_eq!(bom(b"\xFE\xFF\0a"), Some((UTF_16BE, 2)));
        assert_eq!(bom(b"a,b"), None);
        assert_eq!(label(UTF_16LE), "Unicode (UTF-16)");
        let utf16: Vec<u8> = "Name\nZoë\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(UTF_16LE, &utf16), "Name\nZoë\n");
    }

    #[test]
    fn labels_people_send_back_resolve_and_unknown_ones_are_refused() {
        assert_eq!(
            resolve("windows-1252").ok(),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(resolve(" Latin1 ").ok(), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(resolve("ISO-8859-1").ok(), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(resolve("utf-16le").ok(), Some(UTF_16LE));
        assert_eq!(resolve("Shift_JIS").ok(), Some(encoding_rs::SHIFT_JIS));
        for bad in ["klingon", "", "replacement"] {
            assert!(
                matches!(resolve(bad), Err(ImportFileError::UnknownEncoding(ref l)) if l == bad),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_choices_start_with_the_one_found_and_name_each_once() {
        let offered = choices(encoding_rs::WINDOWS_1251, UTF_8);
        assert_eq!(
            offered[0],
            (
                "windows-1251".into(),
                "Cyrillic (Windows-1251) — detected".into()
            )
        );
        assert_eq!(offered.len(), OFFERED.len());
        // The same list, in the same order, whichever is in use.
        assert_eq!(
            choices(encoding_rs::WINDOWS_1251, encoding_rs::SHIFT_JIS),
            offered
        );
        let names: std::collections::BTreeSet<&str> =
            offered.iter().map(|(_, name)| name.as_str()).collect();
        assert_eq!(
            names.len(),
            offered.len(),
            "two choices read the same: {offered:?}"
        );
        for (label, _) in &offered {
            assert!(resolve(label).is_ok(), "{label}");
        }
        // One found outside the list is offered too, first; one chosen outside it, last.
        let greek = choices(encoding_rs::WINDOWS_1253, encoding_rs::KOI8_R);
        assert_eq!(greek[0].1, "Greek (Windows-1253) — detected");
        assert_eq!(greek.len(), OFFERED.len() + 2);
        assert_eq!(greek[greek.len() - 1].0, "KOI8-R");
    }

    #[test]
    fn a_workbook_or_a_binary_file_is_not_text() {
        assert!(matches!(
            detect(b"PK\x03\x04\x14\0\x06\0"),
            Err(ImportFileError::NotText)
        ));
        assert!(matches!(
            detect(b"Name\nAda\0\0\x89PNG"),
            Err(ImportFileError::NotText)
        ));
    }
}
