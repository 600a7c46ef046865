//! Contacts in from vCard files as Google Contacts, an iPhone, Outlook and our own export write
//! them ([`super::vcard_parse`] reads the grammar): `N`/`FN`, every `TEL` and `EMAIL` with its
//! type (or an Apple `X-ABLabel`), `ADR` and `ORG` (kept as the custom fields "Address" and
//! "Company": a contact has no address of its own), `NOTE` as a note, `CATEGORIES` as tags, and
//! our own `X-FIELDSTONE-STAGE`/`X-FIELDSTONE-SOURCE` read back.

use super::census::Census;
use super::file::{ImportFileError, Scanned, Spool, IMPORT_MAX_ROWS};
use super::row::{self, RowInput, Rules};
use super::vcard_parse::{Card, CardReader, Prop};
use fieldstone_model::{
    ContactInput, ContactLabel, CustomField, CustomValue, EmailEntry, PhoneEntry, ValidationErrors,
};
use fieldstone_protocol::views::ColumnMapping;

/// The words of the reason for a card's problem: which kind of property it came from.
pub(crate) fn place(input: &ContactInput, field: &str) -> Option<String> {
    let mut parts = field.split('.');
    let head = parts.next()?;
    let words = match head {
        "given_name" | "family_name" => "Name",
        "emails" => "Email",
        "phones" => "Phone",
        "tags" => "Categories",
        "stage" => "Stage",
        "source" => "Source",
        "note" => "Note",
        "custom_fields" => {
            let index: usize = parts.next()?.parse().ok()?;
            return input.custom_fields.get(index).map(|f| f.key.clone());
        }
        _ => return None,
    };
    Some(words.to_owned())
}

/// Google's own groups in every export ("myContacts", "starred"): not tags anyone chose.
fn chosen_tag(tag: &str) -> bool {
    !tag.starts_with('*')
        && !tag.eq_ignore_ascii_case("mycontacts")
        && !tag.eq_ignore_ascii_case("starred")
}

fn email_label(prop: &Prop, group_label: Option<&str>) -> ContactLabel {
    if prop.has_type(&["work"]) {
        ContactLabel::Work
    } else if prop.has_type(&["home"]) {
        ContactLabel::Home
    } else {
        group_label.map_or(ContactLabel::Other, label_word)
    }
}

fn phone_label(prop: &Prop, group_label: Option<&str>) -> ContactLabel {
    if prop.has_type(&["cell", "mobile", "iphone"]) {
        ContactLabel::Mobile
    } else if prop.has_type(&["work"]) {
        ContactLabel::Work
    } else if prop.has_type(&["home"]) {
        ContactLabel::Home
    } else {
        group_label.map_or(ContactLabel::Other, label_word)
    }
}

fn label_word(word: &str) -> ContactLabel {
    row::lookup(word, row::LABEL_WORDS)
        .or_else(|| row::exact::<ContactLabel>(word))
        .unwrap_or(ContactLabel::Other)
}

/// What an address reads as on one line: street, town, region and postcode, country.
fn address_line(prop: &Prop) -> String {
    let parts = prop.components();
    let part = |i: usize| parts.get(i).map_or("", |p| p.trim());
    let town = [part(3), part(4), part(5)]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [part(0), part(1), part(2), &town, part(6)]
        .into_iter()
        .flat_map(|p| p.split('\n'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A custom field's name not yet used on the card ("Address", then "Address 2"...).
fn free_key(fields: &[CustomField], key: &str) -> String {
    let taken = |k: &str| fields.iter().any(|f| f.key.eq_ignore_ascii_case(k));
    if !taken(key) {
        return key.to_owned();
    }
    (2..)
        .map(|n| format!("{key} {n}"))
        .find(|k| !taken(k))
        .unwrap_or_else(|| key.to_owned())
}

/// A card → what the engine validates, problems it cannot read (an unknown stage) in `errors`.
pub(crate) fn build(card: &Card, rules: &Rules, errors: &mut ValidationErrors) -> RowInput {
    let mut input = ContactInput {
        source: rules.default_source,
        ..Default::default()
    };
    if let Some(n) = card.first("N") {
        let parts = n.components();
        let part = |i: usize| parts.get(i).map_or("", |p| p.as_str());
        input.family_name = part(0).to_owned();
        input.given_name = [part(1), part(2)]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    if input.given_name.is_empty() && input.family_name.is_empty() {
        if let Some(full) = card.first("FN").map(Prop::text) {
            // A card for someone known only by a number or address names itself by it (our
            // export does, as the app shows them): that is not a name.
            let full = full.trim();
            let reach = |name: &str| card.all(name).any(|p| p.text().trim() == full);
            if !reach("TEL") && !reach("EMAIL") {
                (input.given_name, input.family_name) = row::split_name(full);
            }
        }
    }
    let mut primary_email = false;
    for prop in card.all("EMAIL") {
        let address = prop.text();
        let address = address.trim();
        let address = address
            .strip_prefix("mailto:")
            .or_else(|| address.strip_prefix("MAILTO:"))
            .unwrap_or(address);
        if address.is_empty() {
            continue;
        }
        let primary = prop.preferred() && !std::mem::replace(&mut primary_email, true);
        input.emails.push(EmailEntry {
            address: address.to_owned(),
            label: email_label(prop, card.group_label(prop).as_deref()),
            primary,
        });
    }
    let mut primary_phone = false;
    for prop in card.all("TEL") {
        let number = prop.text();
        let number = number.trim();
        // 4.0 may write a phone as a URI: `TEL;VALUE=uri:tel:+1-555-555-0100`.
        let number = number.strip_prefix("tel:").unwrap_or(number);
        if number.is_empty() {
            continue;
        }
        let primary = prop.preferred() && !std::mem::replace(&mut primary_phone, true);
        input.phones.push(PhoneEntry {
            number: number.to_owned(),
            label: phone_label(prop, card.group_label(prop).as_deref()),
            primary,
        });
    }
    for prop in card.all("CATEGORIES") {
        input
            .tags
            .extend(prop.list().into_iter().filter(|t| chosen_tag(t)));
    }
    for prop in card.all("ORG") {
        let company = prop
            .components()
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if !company.is_empty() {
            let key = free_key(&input.custom_fields, "Company");
            input.custom_fields.push(CustomField {
                key,
                value: CustomValue::Text(company),
            });
        }
    }
    for prop in card.all("ADR") {
        let line = address_line(prop);
        if line.is_empty() {
            continue;
        }
        let kind = if prop.has_type(&["work"]) {
            "Work address"
        } else if prop.has_type(&["home"]) {
            "Home address"
        } else {
            "Address"
        };
        let key = free_key(&input.custom_fields, kind);
        input.custom_fields.push(CustomField {
            key,
            value: CustomValue::Text(line),
        });
    }
    if let Some(stage) = card.first("X-FIELDSTONE-STAGE").map(Prop::text) {
        let stage = stage.trim();
        if !stage.is_empty() {
            if let Some(stage) = rules.stage(errors, stage) {
                input.stage = stage;
            }
        }
    }
    if let Some(source) = card.first("X-FIELDSTONE-SOURCE").map(Prop::text) {
        let source = source.trim();
        if !source.is_empty() {
            if let Some(source) = rules.source(errors, source) {
                input.source = source;
            }
        }
    }
    let mut row = RowInput::card(input);
    for prop in card.all("NOTE") {
        // Line breaks as the app's own text fields write them.
        let note = prop.text().replace("\r\n", "\n");
        if !note.trim().is_empty() {
            row.notes.push(note.trim().to_owned());
        }
    }
    if !card.complete {
        errors.push(
            "",
            "The card has no END:VCARD before the next card or the end of the file; the file \
             may have been cut short.",
        );
    }
    row
}

/// Reads every card of a vCard copy once, before anything is written: counts them (at most
/// [`IMPORT_MAX_ROWS`]) and their stage and source values.
pub(crate) fn scan(spool: &Spool) -> Result<Scanned, ImportFileError> {
    let mut reader = CardReader::new(spool.reader()?);
    let mut census = Census::default();
    let mut rows: u64 = 0;
    while let Some(card) = reader.next_card()? {
        rows += 1;
        if rows > IMPORT_MAX_ROWS {
            return Err(ImportFileError::TooManyRows);
        }
        let value = |name: &str| card.first(name).map(|p| p.text().trim().to_owned());
        census.stage(&value("X-FIELDSTONE-STAGE").unwrap_or_default());
        census.source(&value("X-FIELDSTONE-SOURCE").unwrap_or_default());
    }
    Ok(Scanned {
        header: SAMPLE_HEADERS.map(str::to_owned).to_vec(),
        rows,
        mapping: ColumnMapping::default(),
        census,
    })
}

/// A card's name, first email and phone, stage, source, tags and note, for the preview's table.
pub(crate) const SAMPLE_HEADERS: [&str; 7] =
    ["Name", "Email", "Phone", "Stage", "Source", "Tags", "Note"];

pub(crate) fn sample_row(card: &Card, rules: &Rules) -> Vec<String> {
    let mut errors = ValidationErrors::default();
    let row = build(card, rules, &mut errors);
    let input = &row.input;
    let name = [input.given_name.as_str(), input.family_name.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let stage = card
        .first("X-FIELDSTONE-STAGE")
        .map(|_| input.stage.label().to_owned())
        .unwrap_or_default();
    let source = card
        .first("X-FIELDSTONE-SOURCE")
        .map(|_| input.source.label().to_owned())
        .unwrap_or_default();
    vec![
        name,
        input
            .emails
            .first()
            .map(|e| e.address.clone())
            .unwrap_or_default(),
        input
            .phones
            .first()
            .map(|p| p.number.clone())
            .unwrap_or_default(),
        stage,
        source,
        input.tags.join(", "),
        row.notes.first().cloned().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::vcard_parse::parse_line;
    use super::*;

    #[test]
    fn an_address_reads_as_one_line() {
        let prop = parse_line(r"ADR;TYPE=work:;;1 Main St\, Suite 4;Springfield;IL;62701;USA")
            .expect("adr");
        assert_eq!(
            address_line(&prop),
            "1 Main St, Suite 4, Springfield IL 62701, USA"
        );
        let blank = parse_line("ADR:;;;;;;").expect("adr");
        assert_eq!(address_line(&blank), "");
    }

    #[test]
    fn a_second_address_gets_a_name_of_its_own() {
        let taken = [CustomField {
            key: "Address".into(),
            value: CustomValue::Text("x".into()),
        }];
        assert_eq!(free_key(&taken, "address"), "address 2");
        assert_eq!(free_key(&taken, "Company"), "Company");
    }
}
