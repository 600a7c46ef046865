//! Field checks shared by every record kind: trimmed text with a length limit, lists with a size
//! limit, tags and money. Messages are sentences for people.

use crate::validation::ValidationErrors;
use std::collections::BTreeSet;

/// The largest amount of money (whole currency units) any price or budget may hold: far above any
/// real property, low enough to stay exact in JavaScript numbers (2^53) and to catch typos.
pub const MONEY_MAX: u64 = 1_000_000_000_000;
pub const TAGS_MAX: usize = 50;
pub const TAG_MAX_CHARS: usize = 40;

/// Joins a dotted error path: `path("emails.1", "address")` is `emails.1.address`.
pub(crate) fn path(prefix: &str, rest: impl std::fmt::Display) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{prefix}.{rest}")
    }
}

/// How one free-text field is checked. `what` names the field with its article, as a sentence
/// would ("a title", "an area"), so messages read "Enter a title." and "A title can be at most...".
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text {
    what: &'static str,
    max: usize,
    multiline: bool,
}

impl Text {
    /// One line: no control characters at all.
    pub(crate) const fn line(what: &'static str, max: usize) -> Self {
        Self {
            what,
            max,
            multiline: false,
        }
    }

    /// Free text: line breaks and tabs allowed, other control characters not.
    pub(crate) const fn multiline(what: &'static str, max: usize) -> Self {
        Self {
            what,
            max,
            multiline: true,
        }
    }

    /// The problem with an already-trimmed, non-empty value, if any.
    fn problem(self, value: &str) -> Option<String> {
        let what = capitalised(self.what);
        if value.chars().count() > self.max {
            return Some(format!("{what} can be at most {} characters.", self.max));
        }
        let allowed = |c: char| self.multiline && matches!(c, '\n' | '\r' | '\t');
        if value.chars().any(|c| c.is_control() && !allowed(c)) {
            return Some(if self.multiline {
                format!("{what} cannot contain control characters other than line breaks and tabs.")
            } else {
                format!("{what} cannot contain control characters or line breaks.")
            });
        }
        None
    }

    /// A value that must be present: trimmed, then checked.
    pub(crate) fn required(
        self,
        errors: &mut ValidationErrors,
        field: &str,
        value: &str,
    ) -> String {
        let value = value.trim();
        if value.is_empty() {
            errors.push(field, format!("Enter {}.", self.what));
        } else if let Some(problem) = self.problem(value) {
            errors.push(field, problem);
        }
        value.to_owned()
    }

    /// A value that may be absent: trimmed, and blank becomes `None`.
    pub(crate) fn optional(
        self,
        errors: &mut ValidationErrors,
        field: &str,
        value: Option<&str>,
    ) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        if let Some(problem) = self.problem(value) {
            errors.push(field, problem);
        }
        Some(value.to_owned())
    }

    /// A value that may be blank but is never `None` (given and family names).
    pub(crate) fn allow_blank(
        self,
        errors: &mut ValidationErrors,
        field: &str,
        value: &str,
    ) -> String {
        self.optional(errors, field, Some(value))
            .unwrap_or_default()
    }

    /// A list of short texts (areas, features...): each trimmed and checked under `field.N`,
    /// blanks dropped, repeats (ignoring case) dropped keeping the first, at most `max_items`.
    pub(crate) fn list(
        self,
        errors: &mut ValidationErrors,
        field: &str,
        values: &[String],
        max_items: usize,
        plural: &str,
    ) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut kept = Vec::new();
        for (i, value) in values.iter().enumerate() {
            if let Some(value) = self.optional(errors, &path(field, i), Some(value)) {
                if seen.insert(value.to_lowercase()) {
                    kept.push(value);
                }
            }
        }
        check_count(errors, field, kept.len(), max_items, plural);
        kept
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reports `field` when a list holds more than `max` items.
pub(crate) fn check_count(
    errors: &mut ValidationErrors,
    field: &str,
    len: usize,
    max: usize,
    plural: &str,
) {
    if len > max {
        errors.push(
            field,
            format!("At most {max} {plural} are allowed; there are {len}."),
        );
    }
}

/// Reports `field` when an amount of money is above [`MONEY_MAX`].
pub(crate) fn check_money(errors: &mut ValidationErrors, field: &str, amount: u64, what: &str) {
    if amount > MONEY_MAX {
        errors.push(
            field,
            format!(
                "{} can be at most {MONEY_MAX} (whole currency units).",
                capitalised(what)
            ),
        );
    }
}

/// A tag as stored: trimmed, lower-case, inner runs of whitespace folded to one space, so
/// "  VIP  Buyer" and "vip buyer" are the same tag.
pub fn normalise_tag(tag: &str) -> String {
    tag.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Normalises a list of tags into a set; blank tags are dropped, repeats merged. Each tag is
/// checked under `field.N` (N is its position in the input), the count under `field`.
pub(crate) fn tags(
    errors: &mut ValidationErrors,
    field: &str,
    input: &[String],
) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for (i, raw) in input.iter().enumerate() {
        let tag = normalise_tag(raw);
        if tag.is_empty() {
            continue;
        }
        let key = path(field, i);
        if tag.chars().count() > TAG_MAX_CHARS {
            errors.push(
                &key,
                format!("A tag can be at most {TAG_MAX_CHARS} characters."),
            );
        } else if tag.chars().any(char::is_control) {
            errors.push(&key, "A tag cannot contain control characters.");
        } else if tag.contains(',') {
            errors.push(
                &key,
                "A tag cannot contain a comma; add each tag separately.",
            );
        } else {
            set.insert(tag);
        }
    }
    check_count(errors, field, set.len(), TAGS_MAX, "tags");
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_checked() {
        let title = Text::line("a title", 5);
        let mut errors = ValidationErrors::default();
        assert_eq!(title.required(&mut errors, "title", "  abc "), "abc");
        assert!(errors.is_empty());
        title.required(&mut errors, "title", "   ");
        title.required(&mut errors, "title", "abcdef");
        title.required(&mut errors, "title", "a\nb");
        let messages: Vec<_> = errors.0.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Enter a title.",
                "A title can be at most 5 characters.",
                "A title cannot contain control characters or line breaks.",
            ]
        );
    }

    #[test]
    fn multiline_text_allows_line_breaks_only() {
        let body = Text::multiline("a body", 100);
        let mut errors = ValidationErrors::default();
        assert_eq!(body.required(&mut errors, "body", "a\r\n\tb\n"), "a\r\n\tb");
        assert!(errors.is_empty());
        body.required(&mut errors, "body", "a\u{7}b");
        assert_eq!(errors.fields(), ["body"]);
    }

    #[test]
    fn optional_blank_text_is_none() {
        let mut errors = ValidationErrors::default();
        let spec = Text::line("a caption", 10);
        assert_eq!(spec.optional(&mut errors, "caption", Some("  ")), None);
        assert_eq!(spec.optional(&mut errors, "caption", None), None);
        assert_eq!(
            spec.optional(&mut errors, "caption", Some(" hi ")),
            Some("hi".to_owned())
        );
        assert!(errors.is_empty());
    }

    #[test]
    fn text_lists_drop_blanks_and_repeats_and_report_by_index() {
        let spec = Text::line("an area", 8);
        let mut errors = ValidationErrors::default();
        let input = [
            "Soho".to_owned(),
            " ".to_owned(),
            "SOHO".to_owned(),
            "Chelsea".to_owned(),
        ];
        let kept = spec.list(&mut errors, "areas", &input, 5, "areas");
        assert_eq!(kept, ["Soho", "Chelsea"]);
        assert!(errors.is_empty());
        let input = ["ok".to_owned(), "far too long".to_owned()];
        spec.list(&mut errors, "areas", &input, 5, "areas");
        assert_eq!(errors.fields(), ["areas.1"]);
        let mut errors = ValidationErrors::default();
        let input: Vec<String> = (0..3).map(|i| format!("a{i}")).collect();
        spec.list(&mut errors, "areas", &input, 2, "areas");
        assert_eq!(errors.fields(), ["areas"]);
    }

    #[test]
    fn tags_are_trimmed_lowercased_and_merged() {
        let mut errors = ValidationErrors::default();
        let input = ["  VIP  Buyer ", "vip buyer", "", "Cash"].map(String::from);
        let set = tags(&mut errors, "tags", &input);
        assert!(errors.is_empty());
        assert_eq!(set.into_iter().collect::<Vec<_>>(), ["cash", "vip buyer"]);
        assert_eq!(normalise_tag("\tHot\n Lead "), "hot lead");
    }

    #[test]
    fn bad_tags_are_reported_by_index() {
        let mut errors = ValidationErrors::default();
        let long = "x".repeat(TAG_MAX_CHARS + 1);
        let input = [
            "ok".to_owned(),
            long,
            "a,b".to_owned(),
            "a\u{0}b".to_owned(),
        ];
        tags(&mut errors, "tags", &input);
        assert_eq!(errors.fields(), ["tags.1", "tags.2", "tags.3"]);
        let mut errors = ValidationErrors::default();
        let max = "x".repeat(TAG_MAX_CHARS);
        assert_eq!(tags(&mut errors, "tags", &[max]).len(), 1);
        assert!(errors.is_empty());
    }

    #[test]
    fn too_many_tags_are_reported_on_the_list() {
        let mut errors = ValidationErrors::default();
        let input: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        tags(&mut errors, "tags", &input);
        assert_eq!(errors.fields(), ["tags"]);
        let mut errors = ValidationErrors::default();
        tags(&mut errors, "tags", &input[..TAGS_MAX]);
        assert!(errors.is_empty());
    }

    #[test]
    fn money_is_capped() {
        let mut errors = ValidationErrors::default();
        check_money(&mut errors, "price", MONEY_MAX, "a price");
        assert!(errors.is_empty());
        check_money(&mut errors, "price", MONEY_MAX + 1, "a price");
        assert_eq!(errors.fields(), ["price"]);
    }

    #[test]
    fn paths_join_with_dots() {
        assert_eq!(path("", "title"), "title");
        assert_eq!(path("emails.1", "address"), "emails.1.address");
        assert_eq!(path("reminders", 2), "reminders.2");
    }
}
