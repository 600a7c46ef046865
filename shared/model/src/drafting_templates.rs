//! The follow-up plan's steps as a draft knows them (seed 002's five emails), and one template
//! each: what the app shows when the model cannot write the draft, always labelled as a
//! template (see [`super::Draft::template`]). Admins will edit these later (organisation
//! settings); until then they are the same everywhere, so the app has them offline.

use super::DraftText;
use crate::task::TaskKind;

/// The step's name as the agent and the prompt know it.
pub const fn follow_up_name(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Day1 => "Day 1 warm introduction",
        TaskKind::Day3 => "Day 3 check-in",
        TaskKind::Week1 => "Week 1 market insights and showings",
        TaskKind::Week2 => "Week 2 concerns",
        TaskKind::Month1 => "Month 1 relationship",
        TaskKind::Custom => "follow-up",
    }
}

/// What the step's email is for, as the prompt tells the model.
pub const fn follow_up_brief(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Day1 => {
            "thank them for getting in touch, introduce yourself as their agent, and ask one \
             question about what they are looking for."
        }
        TaskKind::Day3 => {
            "check in briefly, offer help, and ask whether they have questions or would like \
             to see homes."
        }
        TaskKind::Week1 => {
            "share what is happening in the market they are interested in, in general terms \
             (no invented figures), and offer to arrange showings."
        }
        TaskKind::Week2 => {
            "ask kindly about any concerns or hesitations (timing, financing, the area) and \
             offer to help with them."
        }
        TaskKind::Month1 => {
            "keep the relationship warm with no pressure: offer to stay in touch and be there \
             when they are ready."
        }
        TaskKind::Custom => "follow up on their enquiry and offer help.",
    }
}

/// The template for `kind`, greeting the contact by first name and signed by the agent
/// ("there" and "Your agent" when a name is not known).
pub fn template(kind: TaskKind, first_name: &str, agent_name: &str) -> DraftText {
    let first = match first_name.trim() {
        "" => "there",
        name => name,
    };
    let agent = match agent_name.trim() {
        "" => "Your agent",
        name => name,
    };
    // Inside a sentence an unknown name reads "I'm your agent", not "I'm Your agent".
    let intro = match agent_name.trim() {
        "" => "I'm your agent".to_owned(),
        name => format!("I'm {name}"),
    };
    let (subject, middle) = match kind {
        TaskKind::Day1 => (
            format!("Great to meet you, {first}"),
            format!(
                "Thank you for getting in touch. {intro}, and I'll be helping you with \
                 your search.\n\nTo point you to the right homes, could you tell me a little \
                 about what matters most to you — the area, the size, and your timing?"
            ),
        ),
        TaskKind::Day3 => (
            "Checking in".to_owned(),
            "I wanted to check in and see how your search is going. Do you have any questions \
             so far, or would you like to see a few homes this week?"
                .to_owned(),
        ),
        TaskKind::Week1 => (
            "What's happening in the market, and showings".to_owned(),
            "The market moves quickly, and I'm happy to walk you through what's selling in \
             the areas you like and what that means for you.\n\nIf any homes have caught \
             your eye, I can arrange showings at times that suit you."
                .to_owned(),
        ),
        TaskKind::Week2 => (
            "Anything on your mind?".to_owned(),
            "Buying or selling a home raises questions — about timing, financing or the \
             neighbourhood. If anything is holding you back, tell me and we'll work through \
             it together."
                .to_owned(),
        ),
        TaskKind::Month1 | TaskKind::Custom => (
            "Here whenever you're ready".to_owned(),
            "It's been a month since we first spoke, and I wanted to say I'm still here to \
             help — no pressure at all. Whenever you're ready to take the next step, just \
             reply to this email."
                .to_owned(),
        ),
    };
    DraftText {
        subject,
        body: format!("Hi {first},\n\n{middle}\n\nBest regards,\n{agent}"),
    }
}
