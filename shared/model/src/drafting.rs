//! Drafting and enhancing emails with an AI model, as pure rules (DESIGN decision 18): what a
//! draft request may hold, which facts about a contact the prompt may carry (and nothing more:
//! no address, phone or consent ever leaves the server), how the model's answer is read, and
//! the labelled template that stands in when there is no answer. The server asks the model;
//! the app, offline, answers the same template at once.
//!
//! The follow-up kinds are the follow-up plan's own steps ([`TaskKind`]), so a draft answers
//! the task it was written for.

use crate::checks::Text;
use crate::choice::choice_enum;
use crate::contact::{Contact, ContactKind, Stage};
use crate::ids::ContactId;
use crate::task::TaskKind;
use crate::validation::{Valid, ValidationErrors};
use serde::{Deserialize, Serialize};

#[path = "drafting_answer.rs"]
mod answer;
#[path = "drafting_templates.rs"]
mod templates;

pub use answer::{parse_draft, parse_rewrite, signed, AnswerProblem};
pub use templates::{follow_up_brief, follow_up_name, template};

/// Custom instructions an agent adds to a draft request.
pub const INSTRUCTIONS_MAX_CHARS: usize = 500;
/// Notes the app may send along with a draft request (the prompt keeps a shorter excerpt).
pub const NOTES_MAX_CHARS: usize = 2_000;
/// The excerpt of the notes the prompt carries.
pub const NOTES_EXCERPT_MAX_CHARS: usize = 500;
/// A message or call script to enhance: far above any real one, small enough for a prompt.
pub const ENHANCE_TEXT_MAX_CHARS: usize = 10_000;

choice_enum! {
    /// The voice an enhanced text is rewritten in.
    pub enum Tone as "tone" {
        Professional => ("professional", "Professional"),
        Friendly => ("friendly", "Friendly"),
        Urgent => ("urgent", "Urgent"),
        Casual => ("casual", "Casual"),
        Persuasive => ("persuasive", "Persuasive"),
        Formal => ("formal", "Formal"),
    }
}

impl Tone {
    /// What the tone means, as the prompt tells the model.
    pub const fn brief(self) -> &'static str {
        match self {
            Tone::Professional => "clear, courteous and businesslike",
            Tone::Friendly => "warm and approachable, like a helpful neighbour",
            Tone::Urgent => {
                "prompt and direct about why acting soon matters, without pressure or alarm"
            }
            Tone::Casual => "relaxed and conversational, short sentences",
            Tone::Persuasive => "confident and convincing, leading with the benefits to the reader",
            Tone::Formal => "formal and polite, no contractions or slang",
        }
    }
}

choice_enum! {
    /// Who wrote a draft or rewrite: the model, or a template because the model could not.
    pub enum DraftSource as "draft source" {
        Ai => ("ai", "Written by AI"),
        Template => ("template", "Template"),
    }
}

/// Why a template (or the text unchanged) stands in for the model's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The app is signed out or cannot reach its server.
    Offline,
    /// The server has no AI provider configured.
    NotConfigured,
    /// AI is switched off for the organisation.
    Disabled,
    /// The provider did not answer within the server's timeout.
    Timeout,
    /// The provider failed, or its answer could not be used.
    Failed,
}

impl Fallback {
    /// The notice shown above a template draft.
    pub const fn draft_notice(self) -> &'static str {
        match self {
            Fallback::Offline => "AI needs a connection — this is a template.",
            Fallback::NotConfigured => {
                "AI is not set up on your team's server — this is a template."
            }
            Fallback::Disabled => "AI is switched off for your organisation — this is a template.",
            Fallback::Timeout => "The AI service did not answer in time — this is a template.",
            Fallback::Failed => {
                "The AI service could not write this just now — this is a template."
            }
        }
    }

    /// The notice shown beside a text that could not be enhanced.
    pub const fn enhance_notice(self) -> &'static str {
        match self {
            Fallback::Offline => "AI needs a connection — your text is unchanged.",
            Fallback::NotConfigured => {
                "AI is not set up on your team's server — your text is unchanged."
            }
            Fallback::Disabled => {
                "AI is switched off for your organisation — your text is unchanged."
            }
            Fallback::Timeout => "The AI service did not answer in time — your text is unchanged.",
            Fallback::Failed => {
                "The AI service could not rewrite this just now — your text is unchanged."
            }
        }
    }
}

/// "Draft with AI" for a contact and a follow-up step. Untrusted until validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftRequest {
    pub contact: ContactId,
    pub kind: TaskKind,
    /// What the agent wants said, at most 500 characters.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The agent's notes on the contact (the newest or pinned first), which only the device
    /// holds in one place; the prompt carries a short excerpt.
    #[serde(default)]
    pub notes: Option<String>,
}

impl DraftRequest {
    /// The kind is one of the five follow-up steps; instructions (≤ 500) and notes (≤ 2,000)
    /// are optional free text, trimmed, blank dropped.
    pub fn validate(&self) -> Result<Valid<DraftRequest>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.kind.offset_days().is_none() {
            errors.push(
                "kind",
                "Choose a follow-up step to draft: Day 1, Day 3, Week 1, Week 2 or Month 1.",
            );
        }
        let instructions = Text::multiline("custom instructions", INSTRUCTIONS_MAX_CHARS).optional(
            &mut errors,
            "instructions",
            self.instructions.as_deref(),
        );
        let notes = Text::multiline("the notes", NOTES_MAX_CHARS).optional(
            &mut errors,
            "notes",
            self.notes.as_deref(),
        );
        errors.into_valid(DraftRequest {
            contact: self.contact,
            kind: self.kind,
            instructions,
            notes,
        })
    }
}

/// "Enhance" a message or call script in a tone. Untrusted until validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnhanceRequest {
    pub text: String,
    pub tone: Tone,
}

impl EnhanceRequest {
    /// The text is required, at most 10,000 characters.
    pub fn validate(&self) -> Result<Valid<EnhanceRequest>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let text = Text::multiline("a text to enhance", ENHANCE_TEXT_MAX_CHARS).required(
            &mut errors,
            "text",
            &self.text,
        );
        errors.into_valid(EnhanceRequest {
            text,
            tone: self.tone,
        })
    }
}

/// A draft email: a preview for the agent to edit, never sent or logged by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub subject: String,
    pub body: String,
    pub source: DraftSource,
    /// Why this is a template rather than the model's, in words for people. Always present
    /// on a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

impl Draft {
    /// The model's draft, signed with the agent's name.
    pub fn ai(text: DraftText, agent_name: &str) -> Draft {
        Draft {
            subject: text.subject,
            body: signed(&text.body, agent_name),
            source: DraftSource::Ai,
            notice: None,
        }
    }

    /// The template for `kind`, labelled as one with the reason.
    pub fn template(kind: TaskKind, first_name: &str, agent_name: &str, why: Fallback) -> Draft {
        let text = template(kind, first_name, agent_name);
        Draft {
            subject: text.subject,
            body: text.body,
            source: DraftSource::Template,
            notice: Some(why.draft_notice().to_owned()),
        }
    }
}

/// A text and its rewrite, side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enhanced {
    pub original: String,
    pub rewrite: String,
    pub source: DraftSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

impl Enhanced {
    pub fn ai(original: String, rewrite: String) -> Enhanced {
        Enhanced {
            original,
            rewrite,
            source: DraftSource::Ai,
            notice: None,
        }
    }

    /// The text unchanged, with the reason.
    pub fn unchanged(original: String, why: Fallback) -> Enhanced {
        Enhanced {
            rewrite: original.clone(),
            original,
            source: DraftSource::Template,
            notice: Some(why.enhance_notice().to_owned()),
        }
    }
}

/// A subject and a body, checked against the message limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftText {
    pub subject: String,
    pub body: String,
}

/// The facts about a contact a draft prompt may carry, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFacts {
    /// May be blank (a contact known only by email).
    pub first_name: String,
    /// Given and family name; never the email or phone that lists fall back to.
    pub full_name: String,
    pub stage: Stage,
    pub property_interest: Option<String>,
    /// A short excerpt of the notes.
    pub notes: Option<String>,
}

impl DraftFacts {
    pub fn of(contact: &Contact, notes: Option<&str>) -> DraftFacts {
        let first_name = contact.given_name.trim().to_owned();
        let full_name = [contact.given_name.trim(), contact.family_name.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        DraftFacts {
            first_name,
            full_name,
            stage: contact.stage,
            property_interest: property_interest(contact),
            notes: notes
                .map(|n| excerpt(n, NOTES_EXCERPT_MAX_CHARS))
                .filter(|n| !n.is_empty()),
        }
    }
}

/// What the contact is looking for, in one line: what they want to do, the property types,
/// areas, size, budget and must-haves they gave (a few of each).
fn property_interest(contact: &Contact) -> Option<String> {
    const FEW: usize = 5;
    let p = &contact.preferences;
    let mut parts = Vec::new();
    match contact.kind {
        ContactKind::Buyer => parts.push("buying".to_owned()),
        ContactKind::Seller => parts.push("selling".to_owned()),
        ContactKind::Both => parts.push("buying and selling".to_owned()),
        ContactKind::Other => {}
    }
    if !p.property_types.is_empty() {
        let types: Vec<&str> = p
            .property_types
            .iter()
            .take(FEW)
            .map(|t| t.label())
            .collect();
        parts.push(types.join(" or ").to_lowercase());
    }
    if !p.areas.is_empty() {
        let areas: Vec<&str> = p.areas.iter().take(FEW).map(String::as_str).collect();
        parts.push(format!("in {}", areas.join(", ")));
    }
    if let Some(beds) = p.bedrooms_min {
        parts.push(format!("{beds}+ bedrooms"));
    }
    match (p.budget_min, p.budget_max) {
        (Some(min), Some(max)) => parts.push(format!("budget {}–{}", grouped(min), grouped(max))),
        (None, Some(max)) => parts.push(format!("budget up to {}", grouped(max))),
        (Some(min), None) => parts.push(format!("budget from {}", grouped(min))),
        (None, None) => {}
    }
    if !p.must_haves.is_empty() {
        let musts: Vec<&str> = p.must_haves.iter().take(FEW).map(String::as_str).collect();
        parts.push(format!("must have {}", musts.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first `max` characters of `text` with its whitespace collapsed, cut at a word and
/// ended with "…" when shortened.
pub fn excerpt(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > cut.len() / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// Who says a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    System,
    User,
}

/// One message of a chat prompt, as chat-completion APIs take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

const DRAFT_SYSTEM: &str = "You write short follow-up emails for a real-estate agent to a \
lead or client. Write plain text, warm and specific, under 200 words. Use only the facts \
given: never invent prices, addresses, listings or market figures. Never express a \
preference based on race, colour, religion, sex, disability, familial status or national \
origin. Do not sign the email: the agent's signature is added after. Answer with only a JSON \
object: {\"subject\": \"...\", \"body\": \"...\"}.";

/// The chat prompt for a draft: the follow-up step's purpose, the contact's facts, and the
/// agent's instructions — only what [`DraftFacts`] holds about the contact.
pub fn draft_prompt(
    kind: TaskKind,
    facts: &DraftFacts,
    instructions: Option<&str>,
) -> Vec<ChatMessage> {
    let mut user = format!(
        "Write the {} email.\nPurpose: {}\n",
        follow_up_name(kind),
        follow_up_brief(kind)
    );
    let known = |value: &str| {
        if value.is_empty() {
            "(not known)".to_owned()
        } else {
            value.to_owned()
        }
    };
    user.push_str(&format!(
        "Contact's first name: {}\n",
        known(&facts.first_name)
    ));
    user.push_str(&format!(
        "Contact's full name: {}\n",
        known(&facts.full_name)
    ));
    user.push_str(&format!("Pipeline stage: {}\n", facts.stage.label()));
    if let Some(interest) = &facts.property_interest {
        user.push_str(&format!("Property interest: {interest}\n"));
    }
    if let Some(notes) = &facts.notes {
        user.push_str(&format!("From the agent's notes: {notes}\n"));
    }
    if let Some(instructions) = instructions.map(str::trim).filter(|i| !i.is_empty()) {
        user.push_str(&format!("The agent's instructions: {instructions}\n"));
    }
    vec![
        ChatMessage {
            role: ChatRole::System,
            content: DRAFT_SYSTEM.to_owned(),
        },
        ChatMessage {
            role: ChatRole::User,
            content: user,
        },
    ]
}

const ENHANCE_SYSTEM: &str = "You rewrite a real-estate agent's message or call script in \
the tone asked for. Keep its meaning, facts, names, numbers and links; add no new facts. \
Never express a preference based on race, colour, religion, sex, disability, familial status \
or national origin. Answer with the rewritten text only: no preamble, no quotes.";

/// The chat prompt for enhancing `text` in `tone`.
pub fn enhance_prompt(text: &str, tone: Tone) -> Vec<ChatMessage> {
    vec![
        ChatMessage {
            role: ChatRole::System,
            content: ENHANCE_SYSTEM.to_owned(),
        },
        ChatMessage {
            role: ChatRole::User,
            content: format!(
                "Tone: {} ({}).\n\nText:\n{}",
                tone.label(),
                tone.brief(),
                text.trim()
            ),
        },
    ]
}

#[cfg(test)]
#[path = "drafting_tests.rs"]
mod tests;
