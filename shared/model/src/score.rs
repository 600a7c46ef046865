//! Lead scores (issue 15), pure functions run wherever the data is (DESIGN decision 18).
//!
//! - The **rule score** ([`rule_score`]): seed 001's point table, 0..=100, with a line for
//!   every point, so the contact can say why it is hot. Always available, wasm32 included.
//! - The **learned score** (`learned::fit`, feature `learn`): a logistic regression fitted on
//!   one agent's own closed outcomes once there are enough of them ([`WhichScore::for_outcomes`]),
//!   giving a close probability and its top factors ("for you, showings are the strongest
//!   signal"). It is computed on the device from that agent's data only: `learned::fit` takes
//!   one agent's outcomes, and a model is never shared between agents.
//!
//! [`auc()`] measures how well either score ranks won leads above lost ones.

pub mod auc;
pub mod features;
mod input;
#[cfg(feature = "learn")]
pub mod learned;
pub mod rule;

pub use auc::auc;
pub use features::{Feature, LeadFeatures, Outcome, FEATURES};
#[cfg(feature = "learn")]
pub use learned::{fit, Factor, LearnedModel};
pub use rule::{rule_score, Band, Part, RuleScore, ScoreInput, ScoreLine};

use serde::{Deserialize, Serialize};

/// An agent needs at least this many closed outcomes (won and lost together) before their own
/// model replaces the rule score: below that a fit mostly learns noise.
pub const MIN_OUTCOMES: usize = 10;

/// Why an agent's learned score cannot be fitted (yet).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("needs at least {MIN_OUTCOMES} closed and lost outcomes, has {has}")]
    TooFewOutcomes { has: usize },
    /// Nothing to tell apart: every outcome was won, or every one lost.
    #[error("needs both won and lost outcomes, has {won} won and {lost} lost")]
    OneClass { won: usize, lost: usize },
    /// The optimiser failed; the message is linfa's.
    #[error("the fit failed: {0}")]
    Fit(String),
}

impl ScoreError {
    /// Stable machine-readable code the UI branches on (STYLE 7), never the message.
    pub const fn code(&self) -> &'static str {
        match self {
            ScoreError::TooFewOutcomes { .. } => "too_few_outcomes",
            ScoreError::OneClass { .. } => "one_class",
            ScoreError::Fit(_) => "fit_failed",
        }
    }
}

/// Whether an agent with these closed outcomes has enough to learn from: at least
/// [`MIN_OUTCOMES`] in all, and at least one won and one lost (logistic regression cannot
/// separate one class from nothing).
pub fn check_outcomes(won: usize, lost: usize) -> Result<(), ScoreError> {
    let has = won.saturating_add(lost);
    if has < MIN_OUTCOMES {
        return Err(ScoreError::TooFewOutcomes { has });
    }
    if won == 0 || lost == 0 {
        return Err(ScoreError::OneClass { won, lost });
    }
    Ok(())
}

/// Which score a contact shows, so the UI can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WhichScore {
    /// Seed 001's rule score: the agent has too few outcomes of their own yet.
    Rule,
    /// The agent's own model, fitted on this many closed outcomes.
    Learned { outcomes: usize },
}

impl WhichScore {
    /// The score an agent with these closed outcomes gets: learned once [`check_outcomes`]
    /// passes. (The device shows the rule score anyway where the `learn` feature is off.)
    pub fn for_outcomes(won: usize, lost: usize) -> Self {
        match check_outcomes(won, lost) {
            Ok(()) => WhichScore::Learned {
                outcomes: won + lost,
            },
            Err(_) => WhichScore::Rule,
        }
    }

    /// A short note for the contact's header.
    pub fn label(self) -> String {
        match self {
            WhichScore::Rule => "Rule score".to_owned(),
            WhichScore::Learned { outcomes } => {
                format!("Learned from your {outcomes} closed leads")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learned_score_needs_ten_outcomes_of_both_kinds() {
        assert_eq!(
            check_outcomes(5, 4),
            Err(ScoreError::TooFewOutcomes { has: 9 })
        );
        assert_eq!(
            check_outcomes(10, 0).map_err(|e| e.to_string()),
            Err("needs both won and lost outcomes, has 10 won and 0 lost".to_owned())
        );
        assert_eq!(check_outcomes(9, 1), Ok(()));
        assert_eq!(WhichScore::for_outcomes(3, 3), WhichScore::Rule);
        assert_eq!(WhichScore::for_outcomes(0, 12), WhichScore::Rule);
        let learned = WhichScore::for_outcomes(7, 5);
        assert_eq!(learned, WhichScore::Learned { outcomes: 12 });
        assert_eq!(learned.label(), "Learned from your 12 closed leads");
        assert_eq!(WhichScore::Rule.label(), "Rule score");
        assert_eq!(
            ScoreError::TooFewOutcomes { has: 9 }.to_string(),
            "needs at least 10 closed and lost outcomes, has 9"
        );
        assert_eq!(
            ScoreError::OneClass { won: 0, lost: 10 }.code(),
            "one_class"
        );
    }

    #[test]
    fn which_score_serialises_with_a_kind_tag() {
        crate::test_support::assert_json_round_trip(&WhichScore::Learned { outcomes: 12 });
        assert_eq!(
            serde_json::to_string(&WhichScore::Learned { outcomes: 12 }).expect("json"),
            r#"{"kind":"learned","outcomes":12}"#
        );
    }
}
