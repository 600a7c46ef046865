//! The vCard grammar the importer reads (RFC 6350 4.0, RFC 2426 3.0 and the older 2.1):
//! content lines unfolded, `group.NAME;PARAM=value:value` split, 2.1's bare parameters
//! (`TEL;CELL`) and quoted-printable values (in their `CHARSET`) understood, text unescaped.
//! Cards stream one at a time from the import's checked copy, so a file of 100,000 cards is
//! read in flat memory; what a card becomes is [`super::vcard_read`].
//!
//! A reader of our own for the same reasons as the writer ([`super::vcard`]): the grammar the
//! importer needs is a page.

use super::file::ImportFileError;
use std::io::BufRead;

/// Properties whose values are pictures, sounds or keys: never imported, so not kept in memory.
const BINARY_PROPERTIES: [&str; 4] = ["PHOTO", "LOGO", "SOUND", "KEY"];

/// One property of a card: `group.NAME;PARAM=value:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prop {
    pub group: Option<String>,
    /// Upper-cased.
    pub name: String,
    /// Names upper-cased; a bare 2.1 parameter (`TEL;CELL`) is a `TYPE` (or an `ENCODING`).
    pub params: Vec<(String, String)>,
    /// As written, quoted-printable soft line breaks joined.
    pub value: String,
}

/// A card: where its `BEGIN:VCARD` is and its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card {
    pub line: u64,
    pub props: Vec<Prop>,
    /// Ended by `END:VCARD` (a file cut short, or a card whose `END` is missing, is not).
    pub complete: bool,
}

impl Card {
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Prop> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    pub(crate) fn first(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }

    /// An Apple `itemN.X-ABLabel` naming the property of the same group.
    pub(crate) fn group_label(&self, prop: &Prop) -> Option<String> {
        let group = prop.group.as_deref()?;
        self.props
            .iter()
            .find(|p| {
                p.name == "X-ABLABEL"
                    && p.group
                        .as_deref()
                        .is_some_and(|g| g.eq_ignore_ascii_case(group))
            })
            .map(|p| {
                let text = p.text();
                // Apple's own labels are written `_$!<Mobile>!$_`.
                text.trim_start_matches("_$!<")
                    .trim_end_matches(">!$_")
                    .to_owned()
            })
    }
}

impl Prop {
    /// Every value of parameter `name` (comma lists split), lower-cased.
    pub(crate) fn param(&self, name: &str) -> Vec<String> {
        self.params
            .iter()
            .filter(|(key, _)| key == name)
            .flat_map(|(_, value)| value.split(','))
            .map(|v| v.trim().to_lowercase())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub(crate) fn has_type(&self, wanted: &[&str]) -> bool {
        self.param("TYPE")
            .iter()
            .any(|t| wanted.contains(&t.as_str()))
    }

    /// Marked as preferred: `TYPE=pref` (3.0, 2.1) or `PREF=n` (4.0).
    pub(crate) fn preferred(&self) -> bool {
        self.has_type(&["pref"]) || !self.param("PREF").is_empty()
    }

    /// The value with quoted-printable decoded (in its `CHARSET`, UTF-8 by default), escapes
    /// still in.
    fn raw(&self) -> String {
        let quoted_printable = self
            .param("ENCODING")
            .iter()
            .any(|e| e == "quoted-printable");
        if !quoted_printable {
            return self.value.clone();
        }
        let bytes = decode_quoted_printable(&self.value);
        let charset = self.param("CHARSET");
        let encoding = charset
            .first()
            .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
            .unwrap_or(encoding_rs::UTF_8);
        encoding.decode_without_bom_handling(&bytes).0.into_owned()
    }

    /// A text value, unescaped.
    pub(crate) fn text(&self) -> String {
        unescape(&self.raw())
    }

    /// A structured value (`N`, `ADR`, `ORG`): its `;`-separated components, each with its
    /// `,`-separated list items joined by a space, unescaped.
    pub(crate) fn components(&self) -> Vec<String> {
        split_unescaped(&self.raw(), ';')
            .into_iter()
            .map(|component| {
                split_unescaped(&component, ',')
                    .iter()
                    .map(|item| unescape(item).trim().to_owned())
                    .filter(|item| !item.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// A list value (`CATEGORIES`), unescaped.
    pub(crate) fn list(&self) -> Vec<String> {
        split_unescaped(&self.raw(), ',')
            .iter()
            .map(|item| unescape(item).trim().to_owned())
            .filter(|item| !item.is_empty())
            .collect()
    }
}

/// Splits at `sep` where it is not escaped by a backslash (escapes kept for [`unescape`]).
fn split_unescaped(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = parts.last_mut().expect("one part at least");
                last.push('\\');
                if let Some(next) = chars.next() {
                    last.push(next);
                }
            }
            c if c == sep => parts.push(String::new()),
            c => parts.last_mut().expect("one part at least").push(c),
        }
    }
    parts
}

/// RFC 6350 §3.4: `\n` (or `\N`) is a line break, `\,` `\;` `\\` are themselves; any other
/// escaped character is kept as it is, as lenient readers do.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn decode_quoted_printable(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let hex = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// `group.NAME;PARAM=a,b;BARE:value` → a property; `None` for a line without a `:`.
pub(crate) fn parse_line(line: &str) -> Option<Prop> {
    // The value starts at the first `:` outside a quoted parameter value.
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_params(head).into_iter();
    let name = parts.next().unwrap_or_default();
    let (group, name) = match name.split_once('.') {
        Some((group, name)) => (Some(group.trim().to_owned()), name),
        None => (None, name.as_str()),
    };
    let name = name.trim().to_uppercase();
    if name.is_empty() {
        return None;
    }
    let params = parts
        .map(|param| match param.split_once('=') {
            Some((key, value)) => (
                key.trim().to_uppercase(),
                value.trim().trim_matches('"').to_owned(),
            ),
            None => {
                let bare = param.trim().to_owned();
                let key = match bare.to_uppercase().as_str() {
                    "QUOTED-PRINTABLE" | "BASE64" | "B" | "8BIT" | "7BIT" => "ENCODING",
                    _ => "TYPE",
                };
                (key.to_owned(), bare)
            }
        })
        .collect();
    Some(Prop {
        group,
        name,
        params,
        value: value.to_owned(),
    })
}

/// The name and parameters of a property, split at `;` outside quotes.
fn split_params(head: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in head.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                parts.last_mut().expect("one part at least").push(c);
            }
            ';' if !quoted => parts.push(String::new()),
            c => parts.last_mut().expect("one part at least").push(c),
        }
    }
    parts
}

/// Cards, one at a time, from the text of a vCard file (UTF-8, LF line ends: the import's
/// checked copy).
pub(crate) struct CardReader<R> {
    reader: R,
    /// The physical line last read.
    line: u64,
    /// A physical line read ahead (to see whether it continues the one before), with its number.
    ahead: Option<(u64, String)>,
    /// The `BEGIN:VCARD` that ended the previous card early, with its line.
    begun: Option<u64>,
}

impl<R: BufRead> CardReader<R> {
    pub(crate) fn new(reader: R) -> Self {
        CardReader {
            reader,
            line: 0,
            ahead: None,
            begun: None,
        }
    }

    fn physical(&mut self) -> Result<Option<(u64, String)>, ImportFileError> {
        if let Some(ahead) = self.ahead.take() {
            return Ok(Some(ahead));
        }
        let mut text = String::new();
        match self.reader.read_line(&mut text) {
            Ok(0) => Ok(None),
            Ok(_) => {
                self.line += 1;
                if text.ends_with('\n') {
                    text.pop();
                }
                Ok(Some((self.line, text)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                Err(ImportFileError::NotUtf8 {
                    line: self.line + 1,
                })
            }
            Err(e) => Err(ImportFileError::Spool(e)),
        }
    }

    /// The next content line, unfolded (a line starting with a space or tab continues the one
    /// before, less that one character), with the number of its first physical line.
    fn logical(&mut self) -> Result<Option<(u64, String)>, ImportFileError> {
        let Some((number, mut text)) = self.physical()? else {
            return Ok(None);
        };
        loop {
            match self.physical()? {
                Some((_, next)) if next.starts_with([' ', '\t']) => text.push_str(&next[1..]),
                other => {
                    self.ahead = other;
                    return Ok(Some((number, text)));
                }
            }
        }
    }

    /// The next property, with a quoted-printable value's soft line breaks (`=` at the end of a
    /// line) joined.
    fn property(&mut self) -> Result<Option<(u64, Prop)>, ImportFileError> {
        loop {
            let Some((number, text)) = self.logical()? else {
                return Ok(None);
            };
            let Some(mut prop) = parse_line(&text) else {
                // Blank lines and stray text between properties are passed over.
                continue;
            };
            let quoted_printable = prop.params.iter().any(|(key, value)| {
                key == "ENCODING" && value.eq_ignore_ascii_case("quoted-printable")
            });
            while quoted_printable && prop.value.ends_with('=') {
                let Some((_, next)) = self.logical()? else {
                    break;
                };
                prop.value.pop();
                prop.value.push_str(&next);
            }
            return Ok(Some((number, prop)));
        }
    }

    /// The next card, or `None` at the end of the file.
    pub(crate) fn next_card(&mut self) -> Result<Option<Card>, ImportFileError> {
        let begin =
            |prop: &Prop| prop.name == "BEGIN" && prop.value.trim().eq_ignore_ascii_case("vcard");
        let start = match self.begun.take() {
            Some(line) => line,
            None => loop {
                match self.property()? {
                    None => return Ok(None),
                    Some((line, prop)) if begin(&prop) => break line,
                    // Anything outside a card is not a contact.
                    Some(_) => {}
                }
            },
        };
        let mut card = Card {
            line: start,
            props: Vec::new(),
            complete: false,
        };
        while let Some((line, mut prop)) = self.property()? {
            if begin(&prop) {
                // A card whose END is missing: it ends here and the next one starts.
                self.begun = Some(line);
                return Ok(Some(card));
            }
            if prop.name == "END" && prop.value.trim().eq_ignore_ascii_case("vcard") {
                card.complete = true;
                return Ok(Some(card));
            }
            if BINARY_PROPERTIES.contains(&prop.name.as_str()) {
                prop.value.clear();
            }
            card.props.push(prop);
        }
        Ok(Some(card))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cards(text: &str) -> Vec<Card> {
        let mut reader = CardReader::new(text.as_bytes());
        let mut out = Vec::new();
        while let Some(card) = reader.next_card().expect("read") {
            out.push(card);
        }
        out
    }

    #[test]
    fn lines_are_unfolded_and_parameters_read_in_every_version() {
        let text = "BEGIN:VCARD\nVERSION:3.0\nNOTE:one two\n  three\nitem1.TEL;type=CELL;type=\"pref,voice\":+1 555\nTEL;HOME;PREF:+2\nEND:VCARD\n";
        let card = &cards(text)[0];
        assert_eq!(card.line, 1);
        assert!(card.complete);
        let note = card.first("NOTE").expect("note");
        assert_eq!(note.text(), "one two three");
        let tel = card.first("TEL").expect("tel");
        assert_eq!(tel.group.as_deref(), Some("item1"));
        assert_eq!(tel.param("TYPE"), ["cell", "pref", "voice"]);
        assert!(tel.preferred());
        let bare = card.all("TEL").nth(1).expect("second tel");
        assert_eq!(bare.param("TYPE"), ["home", "pref"]);
    }

    #[test]
    fn quoted_printable_values_are_decoded_in_their_charset() {
        let text = "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Zo=C3=AB\nNOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 =\ncr=E8me=0D=0Aline two\nEND:VCARD\n";
        let card = &cards(text)[0];
        assert_eq!(card.first("N").expect("n").components(), ["Müller", "Zoë"]);
        assert_eq!(
            card.first("NOTE").expect("note").text(),
            "Café crème\r\nline two"
        );
    }

    #[test]
    fn escapes_and_lists() {
        let cats = parse_line(r"CATEGORIES:VIP,a\,b,myContacts").expect("categories");
        assert_eq!(cats.list(), ["VIP", "a,b", "myContacts"]);
        let adr = parse_line(r"ADR;TYPE=work:;;1 Main St\, Suite 4;Springfield").expect("adr");
        assert_eq!(
            adr.components(),
            ["", "", "1 Main St, Suite 4", "Springfield"]
        );
        assert_eq!(unescape(r"a\nb\\c\;d"), "a\nb\\c;d");
        assert_eq!(parse_line("no colon here"), None);
    }

    #[test]
    fn a_card_without_its_end_is_kept_apart_from_the_next() {
        let text = "junk before\nBEGIN:VCARD\nFN:One\nBEGIN:VCARD\nFN:Two\nEND:VCARD\nBEGIN:VCARD\nFN:Three\n";
        let read = cards(text);
        assert_eq!(read.len(), 3);
        assert_eq!(
            read.iter()
                .map(|c| (c.line, c.complete))
                .collect::<Vec<_>>(),
            [(2, false), (4, true), (7, false)]
        );
    }
}
