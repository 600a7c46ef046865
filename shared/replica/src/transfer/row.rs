//! One CSV row → a contact input (plus notes), with every problem of the row found at once and
//! phrased with the column it came from. The words other tools use for our choices, and the
//! person's answers for values we do not know ([`Rules`]), are here too: a vCard's stage and
//! source go through them as well.

use super::prefs;
use fieldstone_model::{
    Choice, ContactInput, ContactKind, ContactLabel, EmailEntry, LeadSource, PhoneEntry, Priority,
    Stage, ValidationErrors,
};
use fieldstone_protocol::views::{ColumnMapping, ColumnTarget, ImportOptions};
use std::collections::HashMap;

/// A row (or card) turned into what the engine validates, remembering which column each list
/// entry came from so an error on `emails.1.address` can name the column.
pub(crate) struct RowInput {
    pub input: ContactInput,
    pub notes: Vec<String>,
    email_columns: Vec<usize>,
    phone_columns: Vec<usize>,
    tag_column: Option<usize>,
    /// Built from a vCard: errors are placed by property, not column.
    vcard: bool,
}

impl RowInput {
    /// An empty row of a vCard file, for [`super::vcard_read`] to fill.
    pub(crate) fn card(input: ContactInput) -> Self {
        RowInput {
            input,
            notes: Vec::new(),
            email_columns: Vec::new(),
            phone_columns: Vec::new(),
            tag_column: None,
            vcard: true,
        }
    }
}

/// What reads a cell beyond the mapping: the person's answers for stage and source values we
/// do not know (keys folded, as known values are compared), the source of rows without one, and
/// the order (day or month first) the file's move-in column showed.
pub(crate) struct Rules {
    stages: HashMap<String, Stage>,
    sources: HashMap<String, LeadSource>,
    pub default_source: LeadSource,
    pub day_first: Option<bool>,
}

impl Rules {
    pub(crate) fn new(options: &ImportOptions, day_first: Option<bool>) -> Self {
        Rules {
            stages: fold_keys(&options.values.stage),
            sources: fold_keys(&options.values.source),
            default_source: options.source,
            day_first,
        }
    }

    /// A stage cell: known, or answered by the person, or an error naming the allowed ones.
    pub(crate) fn stage(&self, errors: &mut ValidationErrors, value: &str) -> Option<Stage> {
        choice_or(errors, "stage", "stage", value, known_stage, &self.stages)
    }

    pub(crate) fn source(&self, errors: &mut ValidationErrors, value: &str) -> Option<LeadSource> {
        choice_or(
            errors,
            "source",
            "source",
            value,
            known_source,
            &self.sources,
        )
    }
}

fn fold_keys<T: Copy>(map: &std::collections::BTreeMap<String, T>) -> HashMap<String, T> {
    map.iter().map(|(k, v)| (fold(k), *v)).collect()
}

/// The stage a value names by its name, label or another CRM's word for it.
pub(crate) fn known_stage(value: &str) -> Option<Stage> {
    exact::<Stage>(value).or_else(|| lookup(value, STAGE_WORDS))
}

/// The lead source a value names by its name, label or another CRM's word for it.
pub(crate) fn known_source(value: &str) -> Option<LeadSource> {
    exact::<LeadSource>(value).or_else(|| lookup(value, SOURCE_WORDS))
}

/// A cell as written, less a leading `'` our export adds before `=`, `@`, `+` or `-` so a
/// spreadsheet does not run the cell as a formula.
pub(crate) fn cell(record: &csv::StringRecord, column: usize) -> &str {
    let raw = record.get(column).unwrap_or("").trim();
    match raw.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '@', '+', '-']) => rest,
        _ => raw,
    }
}

/// Builds the row's input. Values that cannot be read (an unknown stage, a budget of "lots")
/// are reported in `errors` and left at their default, so the caller can still validate the
/// rest and report everything wrong with the row in one go.
pub(crate) fn build(
    mapping: &ColumnMapping,
    record: &csv::StringRecord,
    rules: &Rules,
    errors: &mut ValidationErrors,
) -> RowInput {
    let mut input = ContactInput {
        source: rules.default_source,
        ..Default::default()
    };
    let mut row = RowInput {
        input: ContactInput::default(),
        notes: Vec::new(),
        email_columns: Vec::new(),
        phone_columns: Vec::new(),
        tag_column: None,
        vcard: false,
    };
    let mut full_name = None;
    for column in 0..record.len().min(mapping.columns.len()) {
        let value = cell(record, column);
        if value.is_empty() {
            continue;
        }
        let first = |slot: &mut String| {
            if slot.is_empty() {
                *slot = value.to_owned();
            }
        };
        match mapping.target(column) {
            ColumnTarget::Ignore
            | ColumnTarget::EmailLabel { .. }
            | ColumnTarget::PhoneLabel { .. } => {}
            ColumnTarget::GivenName => first(&mut input.given_name),
            ColumnTarget::FamilyName => first(&mut input.family_name),
            ColumnTarget::FullName => {
                full_name.get_or_insert(value);
            }
            ColumnTarget::Email { label } => {
                input.emails.push(EmailEntry {
                    address: value.to_owned(),
                    label: label_for(mapping, record, column).unwrap_or(label),
                    primary: false,
                });
                row.email_columns.push(column);
            }
            ColumnTarget::Phone { label } => {
                input.phones.push(PhoneEntry {
                    number: value.to_owned(),
                    label: label_for(mapping, record, column).unwrap_or(label),
                    primary: false,
                });
                row.phone_columns.push(column);
            }
            ColumnTarget::Instagram => {
                input.instagram.get_or_insert_with(|| value.to_owned());
            }
            ColumnTarget::WhatsApp => {
                input.whatsapp.get_or_insert_with(|| value.to_owned());
            }
            ColumnTarget::Tags => {
                input.tags.extend(split_tags(value));
                row.tag_column.get_or_insert(column);
            }
            ColumnTarget::Stage => {
                if let Some(stage) = rules.stage(errors, value) {
                    input.stage = stage;
                }
            }
            ColumnTarget::Source => {
                if let Some(source) = rules.source(errors, value) {
                    input.source = source;
                }
            }
            ColumnTarget::SourceDetail => {
                input.source_detail.get_or_insert_with(|| value.to_owned());
            }
            ColumnTarget::Kind => {
                if let Some(kind) = choice(errors, "kind", "kind", value, KIND_WORDS) {
                    input.kind = kind;
                }
            }
            ColumnTarget::Priority => {
                if let Some(priority) =
                    choice(errors, "priority", "priority", value, PRIORITY_WORDS)
                {
                    input.priority = priority;
                }
            }
            ColumnTarget::Note => row.notes.push(value.to_owned()),
            target => prefs::cell(&mut input, target, value, rules, errors),
        }
    }
    if input.given_name.is_empty() && input.family_name.is_empty() {
        if let Some(full) = full_name {
            (input.given_name, input.family_name) = split_name(full);
        }
    }
    row.input = input;
    row
}

impl RowInput {
    /// Where a field error came from, for the reason a person reads: the column's header, or
    /// for a vCard the kind of property.
    pub(crate) fn place(&self, mapping: &ColumnMapping, field: &str) -> Option<String> {
        if self.vcard {
            return super::vcard_read::place(&self.input, field);
        }
        self.column_of(mapping, field)
            .map(|column| mapping.header(column).to_owned())
    }

    /// The column a field error belongs to (`emails.1.address` → the second email column).
    pub(crate) fn column_of(&self, mapping: &ColumnMapping, field: &str) -> Option<usize> {
        let mut parts = field.split('.');
        let head = parts.next()?;
        let index = parts.next().and_then(|i| i.parse::<usize>().ok());
        let find = |wanted: fn(ColumnTarget) -> bool| {
            (0..mapping.columns.len()).find(|&c| wanted(mapping.target(c)))
        };
        match head {
            "emails" => index.and_then(|i| self.email_columns.get(i).copied()),
            "phones" => index.and_then(|i| self.phone_columns.get(i).copied()),
            "tags" => self.tag_column,
            "given_name" => find(|t| matches!(t, ColumnTarget::GivenName | ColumnTarget::FullName)),
            "family_name" => {
                find(|t| matches!(t, ColumnTarget::FamilyName | ColumnTarget::FullName))
            }
            "instagram" => find(|t| t == ColumnTarget::Instagram),
            "whatsapp" => find(|t| t == ColumnTarget::WhatsApp),
            "stage" => find(|t| t == ColumnTarget::Stage),
            "source" => find(|t| t == ColumnTarget::Source),
            "source_detail" => find(|t| t == ColumnTarget::SourceDetail),
            "kind" => find(|t| t == ColumnTarget::Kind),
            "priority" => find(|t| t == ColumnTarget::Priority),
            "note" => find(|t| t == ColumnTarget::Note),
            "preferences" => match index_name(field) {
                "budget" => find(|t| t == ColumnTarget::Budget),
                "budget_min" => {
                    find(|t| matches!(t, ColumnTarget::Budget | ColumnTarget::BudgetMin))
                }
                "budget_max" => {
                    find(|t| matches!(t, ColumnTarget::Budget | ColumnTarget::BudgetMax))
                }
                "areas" => find(|t| t == ColumnTarget::Areas),
                "bedrooms_min" => find(|t| t == ColumnTarget::Bedrooms),
                "move_in" => find(|t| t == ColumnTarget::MoveIn),
                "property_types" => find(|t| t == ColumnTarget::PropertyTypes),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The second part of a dotted field path (`preferences.budget_max` → `budget_max`).
fn index_name(field: &str) -> &str {
    field.split('.').nth(1).unwrap_or("")
}

/// The label a label column gives the email/phone in `column`. A label we do not know (Google
/// lets people type any) is "other" rather than a reason to refuse the row.
fn label_for(
    mapping: &ColumnMapping,
    record: &csv::StringRecord,
    column: usize,
) -> Option<ContactLabel> {
    let label_column = (0..mapping.columns.len()).find(|&c| {
        matches!(mapping.target(c),
            ColumnTarget::EmailLabel { of } | ColumnTarget::PhoneLabel { of } if of == column)
    })?;
    let value = cell(record, label_column);
    if value.is_empty() {
        return None;
    }
    Some(
        lookup(value, LABEL_WORDS)
            .or_else(|| exact::<ContactLabel>(value))
            .unwrap_or(ContactLabel::Other),
    )
}

/// "Ada Lovelace" → ("Ada", "Lovelace"); "Lovelace, Ada" → ("Ada", "Lovelace"); a single word
/// is a given name. Several given names stay together: "Mary Ann Evans" → ("Mary Ann", "Evans").
pub(crate) fn split_name(full: &str) -> (String, String) {
    if let Some((family, given)) = full.split_once(',') {
        return (given.trim().to_owned(), family.trim().to_owned());
    }
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.join(" "), (*last).to_owned()),
        _ => (full.trim().to_owned(), String::new()),
    }
}

/// Tags split on commas or semicolons (tags may not hold a comma, so a cell with one splits on
/// commas only, keeping a `;` inside a tag) and on Google's " ::: ". Google's system groups
/// ("* myContacts", "* starred") are not tags people chose, so they are dropped.
pub(crate) fn split_tags(value: &str) -> Vec<String> {
    let separators: &[char] = if value.contains(',') { &[','] } else { &[';'] };
    value
        .split(":::")
        .flat_map(|part| part.split(separators))
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && !tag.starts_with('*'))
        .map(str::to_owned)
        .collect()
}

/// A value reduced for comparison: letters and digits, lower-cased ("Open house" = "open_house").
pub(crate) fn fold(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub(crate) fn lookup<T: Copy>(value: &str, words: &[(&str, T)]) -> Option<T> {
    let folded = fold(value);
    words.iter().find(|(w, _)| *w == folded).map(|(_, t)| *t)
}

/// A variant named by its machine name or its label, in any case or punctuation.
pub(crate) fn exact<T: Choice>(value: &str) -> Option<T> {
    let folded = fold(value);
    T::all()
        .iter()
        .copied()
        .find(|c| fold(c.as_str()) == folded || fold(c.label()) == folded)
}

/// Parses a choice cell; an unknown value is reported under `field` naming the value (a
/// `what`) and every allowed one.
pub(crate) fn choice<T: Choice>(
    errors: &mut ValidationErrors,
    field: &str,
    what: &str,
    value: &str,
    words: &[(&str, T)],
) -> Option<T> {
    let found = exact::<T>(value).or_else(|| lookup(value, words));
    if found.is_none() {
        unknown::<T>(errors, field, what, value);
    }
    found
}

/// Like [`choice`], with the person's answers for values we do not know tried before refusing.
fn choice_or<T: Choice>(
    errors: &mut ValidationErrors,
    field: &str,
    what: &str,
    value: &str,
    known: fn(&str) -> Option<T>,
    answers: &HashMap<String, T>,
) -> Option<T> {
    let found = known(value).or_else(|| answers.get(&fold(value)).copied());
    if found.is_none() {
        unknown::<T>(errors, field, what, value);
    }
    found
}

fn unknown<T: Choice>(errors: &mut ValidationErrors, field: &str, what: &str, value: &str) {
    let allowed: Vec<&str> = T::all().iter().map(|c| c.label()).collect();
    errors.push(
        field,
        format!(
            "{value:?} is not a known {what}; use one of: {}.",
            allowed.join(", ")
        ),
    );
}

// Other CRMs' words for our choices (folded). Kept short and unambiguous: a value not here is
// reported rather than guessed, so nobody's pipeline is silently rearranged.
const STAGE_WORDS: &[(&str, Stage)] = &[
    ("new", Stage::Lead),
    ("newlead", Stage::Lead),
    ("prospect", Stage::Qualified),
    ("undercontract", Stage::Offer),
    ("pending", Stage::Offer),
    ("won", Stage::Closed),
    ("closedwon", Stage::Closed),
    ("pastclient", Stage::Closed),
    ("closedlost", Stage::Lost),
    ("dead", Stage::Lost),
    ("trash", Stage::Lost),
];
const SOURCE_WORDS: &[(&str, LeadSource)] = &[
    ("website", LeadSource::WebForm),
    ("web", LeadSource::WebForm),
    ("form", LeadSource::WebForm),
    ("fb", LeadSource::Facebook),
    ("ig", LeadSource::Instagram),
    ("referred", LeadSource::Referral),
    ("csv", LeadSource::Import),
];
const KIND_WORDS: &[(&str, ContactKind)] = &[
    ("buy", ContactKind::Buyer),
    ("sell", ContactKind::Seller),
    ("buyerseller", ContactKind::Both),
    ("sellerbuyer", ContactKind::Both),
];
const PRIORITY_WORDS: &[(&str, Priority)] = &[
    ("normal", Priority::Medium),
    ("hot", Priority::High),
    ("urgent", Priority::High),
    ("cold", Priority::Low),
];
pub(crate) const LABEL_WORDS: &[(&str, ContactLabel)] = &[
    ("cell", ContactLabel::Mobile),
    ("cellphone", ContactLabel::Mobile),
    ("iphone", ContactLabel::Mobile),
    ("personal", ContactLabel::Home),
    ("business", ContactLabel::Work),
    ("office", ContactLabel::Work),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_the_last_word_or_a_comma() {
        assert_eq!(
            split_name("Mary Ann Evans"),
            ("Mary Ann".into(), "Evans".into())
        );
        assert_eq!(
            split_name("Lovelace, Ada"),
            ("Ada".into(), "Lovelace".into())
        );
        assert_eq!(split_name("Cher"), ("Cher".into(), String::new()));
    }

    #[test]
    fn tags_split_on_either_separator_and_drop_google_groups() {
        assert_eq!(split_tags("a; b"), ["a", "b"]);
        assert_eq!(split_tags("a;b, c"), ["a;b", "c"]);
        assert_eq!(
            split_tags("* myContacts ::: Friends ::: VIP"),
            ["Friends", "VIP"]
        );
    }

    #[test]
    fn choices_accept_names_labels_and_synonyms() {
        let mut errors = ValidationErrors::default();
        assert_eq!(
            choice(&mut errors, "source", "source", "Open House", SOURCE_WORDS),
            Some(LeadSource::OpenHouse)
        );
        assert_eq!(
            choice(&mut errors, "kind", "kind", "Buyer and seller", KIND_WORDS),
            Some(ContactKind::Both)
        );
        assert!(errors.is_empty());
        assert_eq!(
            choice(&mut errors, "stage", "stage", "Sphere", STAGE_WORDS),
            None
        );
        assert!(errors
            .for_field("stage")
            .is_some_and(|m| m.contains("Qualified")));
    }

    #[test]
    fn the_persons_answers_for_unknown_values_match_as_known_ones_do() {
        let mut options =
            ImportOptions::new(fieldstone_model::UserId::from_uuid(uuid::Uuid::nil()));
        options
            .values
            .stage
            .insert("Negotiating".into(), Stage::Offer);
        let rules = Rules::new(&options, None);
        let mut errors = ValidationErrors::default();
        assert_eq!(rules.stage(&mut errors, " NEGOTIATING"), Some(Stage::Offer));
        assert_eq!(
            rules.stage(&mut errors, "Under contract"),
            Some(Stage::Offer)
        );
        assert!(errors.is_empty());
        assert_eq!(rules.stage(&mut errors, "Nurture"), None);
        assert_eq!(rules.source(&mut errors, "Zillow Premier"), None);
        assert_eq!(errors.fields(), ["stage", "source"]);
    }
}
