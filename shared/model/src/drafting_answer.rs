//! How a model's answer is read: a draft as JSON `{subject, body}` (also inside a code fence)
//! or as plain text with a `Subject:` line, a rewrite as plain text; both checked against the
//! message limits before anyone sees them.

use super::DraftText;
use crate::checks::Text;
use crate::message::{EMAIL_BODY_MAX_CHARS, SUBJECT_MAX_CHARS};
use crate::validation::ValidationErrors;
use serde::Deserialize;
use std::fmt;

/// Why a model's answer could not be used (for the server's log; people see a [`Fallback`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    Empty,
    /// It looked like JSON but was not the object asked for.
    Malformed(String),
    MissingSubject,
    MissingBody,
    /// A part broke the message limits (too long, control characters).
    OutOfLimits(String),
}

impl fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerProblem::Empty => f.write_str("the answer was empty"),
            AnswerProblem::Malformed(why) => {
                write!(f, "the answer was not the JSON asked for: {why}")
            }
            AnswerProblem::MissingSubject => f.write_str("the answer had no subject"),
            AnswerProblem::MissingBody => f.write_str("the answer had no body"),
            AnswerProblem::OutOfLimits(why) => {
                write!(f, "the answer broke the message limits: {why}")
            }
        }
    }
}

impl std::error::Error for AnswerProblem {}

/// The inside of a Markdown code fence (```json … ``` or ``` … ```) if the answer is, or
/// holds, one; else the answer.
fn unfenced(answer: &str) -> &str {
    let Some(start) = answer.find("```") else {
        return answer;
    };
    let after = &answer[start + 3..];
    // The fence's info string ("json") runs to the end of its line.
    let body = after.split_once('\n').map_or(after, |(_, rest)| rest);
    match body.rfind("```") {
        Some(end) => &body[..end],
        None => body,
    }
}

#[derive(Deserialize)]
struct DraftJson {
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// Reads a model's draft: a JSON object `{subject, body}` (also inside a ```json fence), else
/// plain text whose first line is `Subject: …` and the rest the body. Both parts must be
/// present and within the email limits (subject ≤ 200 characters on one line, body ≤ 100,000).
pub fn parse_draft(answer: &str) -> Result<DraftText, AnswerProblem> {
    let text = unfenced(answer).trim();
    if text.is_empty() {
        return Err(AnswerProblem::Empty);
    }
    let (subject, body) = if text.starts_with('{') {
        let parsed: DraftJson =
            serde_json::from_str(text).map_err(|e| AnswerProblem::Malformed(e.to_string()))?;
        (parsed.subject, parsed.body)
    } else {
        let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
        let subject = strip_label(first, "subject:");
        match subject {
            Some(subject) => (Some(subject.to_owned()), Some(rest.to_owned())),
            None => (None, Some(text.to_owned())),
        }
    };
    let subject = subject.map(|s| s.trim().to_owned()).unwrap_or_default();
    let body = body.map(|b| b.trim().to_owned()).unwrap_or_default();
    if subject.is_empty() {
        return Err(AnswerProblem::MissingSubject);
    }
    if body.is_empty() {
        return Err(AnswerProblem::MissingBody);
    }
    let mut errors = ValidationErrors::default();
    let subject =
        Text::line("a subject", SUBJECT_MAX_CHARS).required(&mut errors, "subject", &subject);
    let body = Text::multiline("a body", EMAIL_BODY_MAX_CHARS).required(&mut errors, "body", &body);
    errors
        .into_result()
        .map_err(|e| AnswerProblem::OutOfLimits(e.to_string()))?;
    Ok(DraftText { subject, body })
}

/// `line` without a leading `label` (any case, optional Markdown bold), if it has one.
fn strip_label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let line = line.trim().trim_start_matches("**");
    let head = line.get(..label.len())?;
    head.eq_ignore_ascii_case(label)
        .then(|| line[label.len()..].trim().trim_start_matches("**").trim())
}

#[derive(Deserialize)]
struct RewriteJson {
    #[serde(alias = "text", alias = "body")]
    rewrite: String,
}

/// Reads a model's rewrite: the text itself (a code fence and surrounding quotes removed; a
/// JSON object with a `rewrite` field accepted too), non-empty and within the email body limit.
pub fn parse_rewrite(answer: &str) -> Result<String, AnswerProblem> {
    let text = unfenced(answer).trim();
    let text = if text.starts_with('{') {
        serde_json::from_str::<RewriteJson>(text)
            .map_err(|e| AnswerProblem::Malformed(e.to_string()))?
            .rewrite
    } else {
        text.to_owned()
    };
    let text = text.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .trim();
    if text.is_empty() {
        return Err(AnswerProblem::Empty);
    }
    let mut errors = ValidationErrors::default();
    let text =
        Text::multiline("a rewrite", EMAIL_BODY_MAX_CHARS).required(&mut errors, "rewrite", text);
    errors
        .into_result()
        .map_err(|e| AnswerProblem::OutOfLimits(e.to_string()))?;
    Ok(text)
}

/// `body` ending with the agent's name on its own line (unless it already does, or there is
/// no name).
pub fn signed(body: &str, agent_name: &str) -> String {
    let body = body.trim_end();
    let agent = agent_name.trim();
    if agent.is_empty() || body.ends_with(agent) {
        body.to_owned()
    } else {
        format!("{body}\n{agent}")
    }
}
