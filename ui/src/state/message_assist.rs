//! Help with writing in the Email and Text tabs: "Draft with AI" (a follow-up step and optional
//! instructions; the answer fills the subject and message as a preview to edit, never sent by
//! itself) and "Enhance" (the text rewritten in a tone, shown beside the agent's own, kept only
//! when they choose it). A template stands in when there is no AI answer, and says so.

use fieldstone_model::drafting::{
    Draft, DraftRequest, DraftSource, EnhanceRequest, Enhanced, Tone, INSTRUCTIONS_MAX_CHARS,
};
use fieldstone_model::{ContactId, MessageChannel, TaskKind};
use std::rc::Rc;
use yew::Reducible;

/// The assistant's state for one composer: what is asked, what is waiting, what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assist {
    /// The follow-up step a draft is written for (Day 1 unless chosen).
    pub kind: TaskKind,
    pub instructions: String,
    pub tone: Tone,
    /// A draft was asked for and has not answered yet.
    pub drafting: bool,
    /// The text being enhanced, while it is.
    pub enhancing: Option<MessageChannel>,
    /// Where the last draft came from (AI or a template) and why, while its preview is shown.
    pub draft: Option<Draft>,
    /// The before and after of an enhanced text, in the tab it was asked from.
    pub enhanced: Option<(MessageChannel, Enhanced)>,
    /// What went wrong with the last request, in words for people.
    pub error: Option<String>,
}

impl Default for Assist {
    fn default() -> Self {
        Assist {
            kind: TaskKind::Day1,
            instructions: String::new(),
            tone: Tone::Professional,
            drafting: false,
            enhancing: None,
            draft: None,
            enhanced: None,
            error: None,
        }
    }
}

/// "340 / 500 characters", or how far over the limit the instructions are.
pub fn instructions_count(instructions: &str) -> (String, bool) {
    let chars = instructions.chars().count();
    if chars > INSTRUCTIONS_MAX_CHARS {
        (
            format!(
                "{chars} / {INSTRUCTIONS_MAX_CHARS} characters: {} over the limit",
                chars - INSTRUCTIONS_MAX_CHARS
            ),
            true,
        )
    } else {
        (
            format!("{chars} / {INSTRUCTIONS_MAX_CHARS} characters"),
            false,
        )
    }
}

/// The input name of a channel's message text.
pub const fn body_input(channel: MessageChannel) -> &'static str {
    match channel {
        MessageChannel::Email => "email_body",
        MessageChannel::Sms => "sms_body",
    }
}

impl Assist {
    /// The draft request for `contact`, or why it cannot be asked (instructions too long).
    pub fn draft_request(&self, contact: ContactId) -> Result<DraftRequest, String> {
        let request = DraftRequest {
            contact,
            kind: self.kind,
            instructions: Some(self.instructions.clone()).filter(|i| !i.trim().is_empty()),
            notes: None,
        };
        request
            .validate()
            .map(|valid| valid.into_inner())
            .map_err(|problems| {
                problems
                    .0
                    .into_iter()
                    .map(|p| p.message)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
    }

    /// The enhance request for `text`, or why it cannot be asked (nothing written yet).
    pub fn enhance_request(&self, text: &str) -> Result<EnhanceRequest, String> {
        if text.trim().is_empty() {
            return Err("Write something first, then enhance it.".to_owned());
        }
        EnhanceRequest {
            text: text.to_owned(),
            tone: self.tone,
        }
        .validate()
        .map(|valid| valid.into_inner())
        .map_err(|problems| {
            problems
                .0
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// What the draft preview is labelled: "AI draft", or "Template" (never presented as AI).
    pub fn draft_label(&self) -> Option<&'static str> {
        self.draft.as_ref().map(|d| match d.source {
            DraftSource::Ai => "AI draft",
            DraftSource::Template => "Template",
        })
    }

    /// The before/after shown in `channel`'s tab.
    pub fn enhanced_in(&self, channel: MessageChannel) -> Option<&Enhanced> {
        match &self.enhanced {
            Some((c, e)) if *c == channel => Some(e),
            _ => None,
        }
    }
}

/// What happens to the assistant.
#[derive(Debug, Clone, PartialEq)]
pub enum AssistAction {
    Kind(TaskKind),
    Instructions(String),
    Tone(Tone),
    /// A draft was asked for.
    Drafting,
    /// The draft (already put into the fields by [`fill`]) or the error.
    Drafted(Result<Draft, String>),
    Enhancing(MessageChannel),
    Enhanced(MessageChannel, Result<Enhanced, String>),
    /// "Use this" or "Keep mine" closed the before/after.
    Settled,
    /// The request could not be asked; why.
    Refused(String),
    /// The draft preview label is put away (the message was sent or cleared).
    Dismiss,
}

impl Reducible for Assist {
    type Action = AssistAction;

    fn reduce(self: Rc<Self>, action: AssistAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AssistAction::Kind(kind) => next.kind = kind,
            AssistAction::Instructions(text) => next.instructions = text,
            AssistAction::Tone(tone) => next.tone = tone,
            AssistAction::Drafting => {
                next.drafting = true;
                next.error = None;
            }
            AssistAction::Drafted(result) => {
                next.drafting = false;
                match result {
                    Ok(draft) => {
                        next.draft = Some(draft);
                        next.error = None;
                    }
                    Err(message) => next.error = Some(message),
                }
            }
            AssistAction::Enhancing(channel) => {
                next.enhancing = Some(channel);
                next.enhanced = None;
                next.error = None;
            }
            AssistAction::Enhanced(channel, result) => {
                next.enhancing = None;
                match result {
                    Ok(enhanced) => next.enhanced = Some((channel, enhanced)),
                    Err(message) => next.error = Some(message),
                }
            }
            AssistAction::Settled => next.enhanced = None,
            AssistAction::Refused(message) => next.error = Some(message),
            AssistAction::Dismiss => {
                next.draft = None;
                next.error = None;
            }
        }
        Rc::new(next)
    }
}

/// A draft's subject and body, by input name, for the Email tab: a preview the agent edits
/// (the To stays).
pub fn draft_fields(draft: &Draft) -> [(&'static str, String); 2] {
    [
        ("subject", draft.subject.clone()),
        ("email_body", draft.body.clone()),
    ]
}

/// "Use this": the rewrite replaces the channel's text ("Keep mine" changes nothing).
pub fn rewrite_field(channel: MessageChannel, enhanced: &Enhanced) -> (&'static str, String) {
    (body_input(channel), enhanced.rewrite.clone())
}

#[cfg(test)]
#[path = "message_assist_tests.rs"]
mod tests;
