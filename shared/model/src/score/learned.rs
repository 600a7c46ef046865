//! The learned score: one agent's own logistic regression of won against lost, on
//! [`LeadFeatures`], fitted by linfa-logistic (L-BFGS, L2-regularised).
//!
//! Features are standardised (mean 0, standard deviation 1 over the agent's outcomes) before the
//! fit, so each coefficient is "how much one typical step in this feature moves the odds" and
//! coefficients compare with each other: that is what ranks [`LearnedModel::top_factors`].

use super::features::{Feature, LeadFeatures, Outcome, FEATURES};
use super::{check_outcomes, ScoreError, WhichScore};
use linfa::traits::Fit;
use linfa::Dataset;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// L2 penalty. With standardised features, 1.0 (linfa's default) keeps a fit on a dozen
/// outcomes from running to huge coefficients on a feature that happens to separate them, and
/// barely moves a fit on thousands.
pub const ALPHA: f64 = 1.0;
/// L-BFGS steps; a fit on standardised features converges in a few dozen.
pub const MAX_ITERATIONS: u64 = 200;

/// One agent's fitted model. Plain numbers, so the device can keep it and reuse it until the
/// agent's outcomes change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedModel {
    means: [f64; FEATURES],
    scales: [f64; FEATURES],
    /// Coefficients on standardised features; positive points towards a win.
    weights: [f64; FEATURES],
    intercept: f64,
    outcomes: usize,
}

/// One factor of an agent's model, for "why" on the contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub feature: Feature,
    /// The standardised coefficient: positive means more of it, more often won.
    pub weight: f64,
    /// "For you, showings are the strongest signal: leads with more showings close more often."
    pub sentence: String,
}

/// Fits one agent's model on that agent's closed outcomes (never several agents' together:
/// the caller passes one agent's, as "User A's model ≠ User B's").
///
/// Errors: [`ScoreError::TooFewOutcomes`] under [`super::MIN_OUTCOMES`],
/// [`ScoreError::OneClass`] when all are won or all lost, [`ScoreError::Fit`] if linfa fails.
pub fn fit(outcomes: &[Outcome]) -> Result<LearnedModel, ScoreError> {
    let won = outcomes.iter().filter(|o| o.won).count();
    check_outcomes(won, outcomes.len() - won)?;

    let rows: Vec<[f64; FEATURES]> = outcomes.iter().map(|o| o.features.values()).collect();
    let (means, scales) = standardisation(&rows);
    let x = Array2::from_shape_fn((rows.len(), FEATURES), |(i, j)| {
        (rows[i][j] - means[j]) / scales[j]
    });
    let y: Array1<bool> = outcomes.iter().map(|o| o.won).collect();
    let fitted = LogisticRegression::default()
        .alpha(ALPHA)
        .max_iterations(MAX_ITERATIONS)
        .fit(&Dataset::new(x, y))
        .map_err(|e| ScoreError::Fit(e.to_string()))?;

    // linfa's "positive" class is the more frequent one, which may be `false`; turn the
    // coefficients so they always point towards a win.
    let towards_won = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    let mut weights = [0.0; FEATURES];
    for (w, p) in weights.iter_mut().zip(fitted.params().iter()) {
        *w = towards_won * p;
    }
    Ok(LearnedModel {
        means,
        scales,
        weights,
        intercept: towards_won * fitted.intercept(),
        outcomes: outcomes.len(),
    })
}

/// Each column's mean and standard deviation over the rows. A column that never varies (a
/// source this agent never gets) keeps scale 1: it standardises to 0 and carries no weight.
fn standardisation(rows: &[[f64; FEATURES]]) -> ([f64; FEATURES], [f64; FEATURES]) {
    let n = rows.len().max(1) as f64;
    let mut means = [0.0; FEATURES];
    let mut scales = [1.0; FEATURES];
    for (j, (mean, scale)) in means.iter_mut().zip(scales.iter_mut()).enumerate() {
        *mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
        let variance = rows.iter().map(|r| (r[j] - *mean).powi(2)).sum::<f64>() / n;
        if variance > 1e-12 {
            *scale = variance.sqrt();
        }
    }
    (means, scales)
}

impl LearnedModel {
    /// The probability, 0..=1, that this agent wins a lead like this one.
    pub fn predict(&self, lead: &LeadFeatures) -> f64 {
        let values = lead.values();
        let z = self.intercept
            + (0..FEATURES)
                .map(|j| self.weights[j] * (values[j] - self.means[j]) / self.scales[j])
                .sum::<f64>();
        logistic(z)
    }

    /// How many closed outcomes the model was fitted on.
    pub fn outcomes(&self) -> usize {
        self.outcomes
    }

    /// What the UI says is shown.
    pub fn which(&self) -> WhichScore {
        WhichScore::Learned {
            outcomes: self.outcomes,
        }
    }

    /// The standardised coefficient of one feature (positive: more of it, more often won).
    pub fn weight(&self, feature: Feature) -> f64 {
        Feature::ALL
            .iter()
            .position(|f| *f == feature)
            .map_or(0.0, |j| self.weights[j])
    }

    /// The `n` strongest factors for this agent, strongest first by the magnitude of their
    /// standardised coefficient, each with a sentence. Ties keep column order, so the list is
    /// the same on every device.
    pub fn top_factors(&self, n: usize) -> Vec<Factor> {
        let mut ranked: Vec<(Feature, f64)> = Feature::ALL
            .iter()
            .copied()
            .zip(self.weights.iter().copied())
            .collect();
        ranked.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        ranked
            .into_iter()
            .take(n)
            .enumerate()
            .map(|(rank, (feature, weight))| Factor {
                feature,
                weight,
                sentence: sentence(rank, feature, weight),
            })
            .collect()
    }
}

/// "For you, showings are the strongest signal: leads with more showings close more often."
fn sentence(rank: usize, feature: Feature, weight: f64) -> String {
    let (noun, plural) = feature.noun();
    let verb = if plural { "are" } else { "is" };
    let direction = if weight >= 0.0 { "more" } else { "less" };
    let effect = format!("{} close {direction} often", feature.when_high());
    match rank {
        0 => format!("For you, {noun} {verb} the strongest signal: {effect}."),
        _ => format!(
            "{} {verb} your {} strongest signal: {effect}.",
            capitalised(noun),
            ordinal(rank + 1)
        ),
    }
}

/// Ranks up to [`FEATURES`] (15): past the fifth every one ends in "th".
fn ordinal(n: usize) -> String {
    match n {
        2 => "second".to_owned(),
        3 => "third".to_owned(),
        4 => "fourth".to_owned(),
        5 => "fifth".to_owned(),
        _ => format!("{n}th"),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// 1 / (1 + e^−z), written so neither branch overflows.
fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
#[path = "learned_tests.rs"]
mod tests;
