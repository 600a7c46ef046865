//! Who a campaign is for: criteria on the contact (stage, tags, source, score range) or a
//! pasted list of contacts. A pure rule (DESIGN decision 18): the device counts the audience
//! while the agent writes the campaign, the server expands it when a step falls due, and both
//! call [`Audience::includes`].

use crate::checks::{normalise_tag, TAG_MAX_CHARS};
use crate::contact::{Contact, LeadSource, Stage};
use crate::ids::ContactId;
use crate::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

/// The longest pasted list one campaign takes.
pub const PASTED_MAX: usize = 50_000;
/// The most tags one audience may require.
pub const TAGS_MAX: usize = 20;

/// Who receives a campaign. Empty lists mean "any"; a pasted list, when there is one, is the
/// audience on its own.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Audience {
    /// Every contact the sender may write to. Must be said, never implied by empty criteria,
    /// so a forgotten filter does not mail a whole database.
    pub everyone: bool,
    /// Any of these stages.
    pub stages: Vec<Stage>,
    /// All of these tags.
    pub tags: Vec<String>,
    /// Any of these sources.
    pub sources: Vec<LeadSource>,
    /// The lead score range, inclusive (0..=100).
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    /// The smart list the criteria were copied from, for the summary ("Hot buyers").
    pub list_name: Option<String>,
    /// Exactly these contacts (a pasted list, resolved on the device).
    pub contacts: Vec<ContactId>,
}

/// The longest pasted text the wizard matches (about 50,000 short lines).
pub const PASTED_TEXT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The lines of a pasted list worth matching: trimmed, without blanks or repeats, in order.
/// Lines are one per person; a spreadsheet column pastes that way.
pub fn pasted_lines(text: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .map(|l| l.trim().trim_matches(|c| c == ',' || c == ';').trim())
        .filter(|l| !l.is_empty() && seen.insert(l.to_lowercase()))
        .collect()
}

/// What one pasted line is matched on: an email address, else a phone number (seven digits
/// or more), else a name ("Ada King": the last word the family name).
pub fn pasted_key(line: &str) -> Option<crate::contact::MatchKey> {
    use crate::contact::MatchKey;
    if line.contains('@') {
        return MatchKey::email(line);
    }
    let digits = line.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 {
        return MatchKey::phone(line);
    }
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let family = words.pop()?;
    MatchKey::name(&words.join(" "), family)
}

/// What the audience rule reads of a contact.
pub struct AudienceFacts<'a> {
    pub id: ContactId,
    pub deleted: bool,
    pub stage: Stage,
    pub source: LeadSource,
    /// Whether the contact has this (normalised) tag.
    pub has_tag: &'a dyn Fn(&str) -> bool,
    pub score: Option<u8>,
}

impl Audience {
    /// Whether `contact` (with its lead score, when known) belongs to the audience. A deleted
    /// contact never does; consent and reachability are the broker's checks, at send time.
    pub fn includes(&self, contact: &Contact, score: Option<u8>) -> bool {
        self.includes_facts(&AudienceFacts {
            id: contact.id,
            deleted: contact.deleted_at.is_some(),
            stage: contact.stage,
            source: contact.source,
            has_tag: &|t: &str| contact.tags.contains(t),
            score,
        })
    }

    /// The same rule over what a read model keeps of a contact (the device counts its audience
    /// from its tables, without reading every document).
    pub fn includes_facts(&self, c: &AudienceFacts<'_>) -> bool {
        if c.deleted {
            return false;
        }
        if !self.contacts.is_empty() {
            return self.contacts.binary_search(&c.id).is_ok();
        }
        if self.everyone {
            return true;
        }
        if !self.stages.is_empty() && !self.stages.contains(&c.stage) {
            return false;
        }
        if !self.tags.iter().all(|t| (c.has_tag)(t)) {
            return false;
        }
        if !self.sources.is_empty() && !self.sources.contains(&c.source) {
            return false;
        }
        if self.min_score.is_some() || self.max_score.is_some() {
            let Some(score) = c.score else {
                return false;
            };
            if self.min_score.is_some_and(|min| score < min)
                || self.max_score.is_some_and(|max| score > max)
            {
                return false;
            }
        }
        true
    }

    /// Whether anything narrows the audience (or `everyone` was chosen).
    pub fn is_chosen(&self) -> bool {
        self.everyone
            || !self.contacts.is_empty()
            || !self.stages.is_empty()
            || !self.tags.is_empty()
            || !self.sources.is_empty()
            || self.min_score.is_some()
            || self.max_score.is_some()
    }

    /// Normalises (tags as stored, lists sorted and deduplicated) and checks, pushing errors
    /// under `audience.*`.
    pub(super) fn check(&mut self, errors: &mut ValidationErrors) {
        self.stages.sort();
        self.stages.dedup();
        self.sources.sort();
        self.sources.dedup();
        self.contacts.sort();
        self.contacts.dedup();
        let mut tags = Vec::with_capacity(self.tags.len());
        for (i, raw) in self.tags.iter().enumerate() {
            let tag = normalise_tag(raw);
            if tag.is_empty() {
                errors.push(&format!("audience.tags.{i}"), "A tag cannot be blank.");
            } else if tag.chars().count() > TAG_MAX_CHARS {
                errors.push(
                    &format!("audience.tags.{i}"),
                    format!("A tag can be at most {TAG_MAX_CHARS} characters."),
                );
            } else {
                tags.push(tag);
            }
        }
        tags.sort();
        tags.dedup();
        self.tags = tags;
        if self.tags.len() > TAGS_MAX {
            errors.push(
                "audience.tags",
                format!("At most {TAGS_MAX} tags can be required."),
            );
        }
        if let Some(name) = &self.list_name {
            let name = name.trim();
            self.list_name = (!name.is_empty()).then(|| name.chars().take(60).collect());
        }
        for (field, value) in [("min_score", self.min_score), ("max_score", self.max_score)] {
            if value.is_some_and(|v| v > 100) {
                errors.push(
                    &format!("audience.{field}"),
                    "A lead score is between 0 and 100.",
                );
            }
        }
        if let (Some(min), Some(max)) = (self.min_score, self.max_score) {
            if min > max {
                errors.push(
                    "audience.max_score",
                    "The highest score must not be below the lowest.",
                );
            }
        }
        if self.contacts.len() > PASTED_MAX {
            errors.push(
                "audience.contacts",
                format!("A pasted list takes at most {PASTED_MAX} contacts; use criteria instead."),
            );
        }
        if self.everyone && !self.contacts.is_empty() {
            errors.push(
                "audience.everyone",
                "Choose either every contact or a pasted list, not both.",
            );
        }
        if !self.is_chosen() {
            errors.push(
                "audience",
                "Choose who receives it: a stage, tags, a source, a score range, a list of \
                 contacts, or every contact.",
            );
        }
    }

    /// The audience in a few words, for the review step ("Leads and Qualified tagged buyer").
    pub fn summary(&self) -> String {
        if !self.contacts.is_empty() {
            return match self.contacts.len() {
                1 => "1 chosen contact".to_owned(),
                n => format!("{n} chosen contacts"),
            };
        }
        if self.everyone {
            return "Every contact".to_owned();
        }
        let mut parts = Vec::new();
        if let Some(name) = &self.list_name {
            parts.push(format!("“{name}”"));
        }
        if !self.stages.is_empty() {
            parts.push(join_or(self.stages.iter().map(|s| s.label())));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tagged {}", self.tags.join(" and ")));
        }
        if !self.sources.is_empty() {
            parts.push(format!(
                "from {}",
                join_or(self.sources.iter().map(|s| s.label()))
            ));
        }
        match (self.min_score, self.max_score) {
            (Some(min), Some(max)) => parts.push(format!("score {min}–{max}")),
            (Some(min), None) => parts.push(format!("score {min} or more")),
            (None, Some(max)) => parts.push(format!("score {max} or less")),
            (None, None) => {}
        }
        parts.join(", ")
    }
}

fn join_or<'a>(labels: impl Iterator<Item = &'a str>) -> String {
    let labels: Vec<&str> = labels.collect();
    match labels.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
