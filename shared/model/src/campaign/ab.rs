//! A/B tests: which variation wins, and whether anyone may say so yet.
//!
//! Each variation's success rate (opens, clicks, replies or bookings over recipients sent) is
//! compared with a **two-proportion z-test**: the pooled rate gives the standard error under
//! "no difference", and the two-sided p-value says how surprising the gap is. The confidence
//! interval shown next to it is the unpooled (Wald) interval of the difference, at the level the
//! agent chose. With more than two variations the leader must beat every other one, each at
//! alpha divided by the number of comparisons (Bonferroni), so testing four subject lines does
//! not find a "winner" by chance four times as often. Until then the verdict says "not
//! significant yet", with the figures, never a guess.

use super::AbMetric;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How sure the test must be before it names a winner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    #[serde(rename = "90")]
    Ninety,
    #[default]
    #[serde(rename = "95")]
    NinetyFive,
    #[serde(rename = "99")]
    NinetyNine,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::Ninety,
        Confidence::NinetyFive,
        Confidence::NinetyNine,
    ];

    /// The chance of calling a difference that is not there (two-sided).
    pub const fn alpha(self) -> f64 {
        match self {
            Confidence::Ninety => 0.10,
            Confidence::NinetyFive => 0.05,
            Confidence::NinetyNine => 0.01,
        }
    }

    /// The standard normal quantile at 1 − alpha/2 (the interval's half-width in standard
    /// errors), to full double precision.
    pub const fn z(self) -> f64 {
        match self {
            Confidence::Ninety => 1.644_853_626_951_472_2,
            Confidence::NinetyFive => 1.959_963_984_540_054,
            Confidence::NinetyNine => 2.575_829_303_548_900_4,
        }
    }

    pub const fn percent(self) -> u8 {
        match self {
            Confidence::Ninety => 90,
            Confidence::NinetyFive => 95,
            Confidence::NinetyNine => 99,
        }
    }
}

/// What one variation has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Arm {
    /// Recipients the variation reached (sent, not refused).
    pub sent: u64,
    /// Of them, those who did what the test measures.
    pub successes: u64,
}

impl Arm {
    pub fn rate(self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            self.successes as f64 / self.sent as f64
        }
    }
}

/// One variation against another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub rate_a: f64,
    pub rate_b: f64,
    /// `rate_a − rate_b`.
    pub difference: f64,
    /// The confidence interval of the difference.
    pub low: f64,
    pub high: f64,
    pub z: f64,
    /// Two-sided.
    pub p_value: f64,
}

/// The error of a comparison that cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("a variation has not reached anyone yet")]
    Empty,
    #[error("a variation has more successes than recipients")]
    Impossible,
}

/// The two-proportion z-test of `a` against `b`, with the difference's interval at `confidence`.
pub fn compare(a: Arm, b: Arm, confidence: Confidence) -> Result<Comparison, CompareError> {
    if a.sent == 0 || b.sent == 0 {
        return Err(CompareError::Empty);
    }
    if a.successes > a.sent || b.successes > b.sent {
        return Err(CompareError::Impossible);
    }
    let (na, nb) = (a.sent as f64, b.sent as f64);
    let (pa, pb) = (a.rate(), b.rate());
    let difference = pa - pb;
    let pooled = (a.successes + b.successes) as f64 / (na + nb);
    let se_pooled = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    // Both rates 0 or both 1: nothing varies, so nothing differs.
    let z = if se_pooled > 0.0 {
        difference / se_pooled
    } else {
        0.0
    };
    let p_value = (2.0 * upper_tail(z.abs())).min(1.0);
    let se = (pa * (1.0 - pa) / na + pb * (1.0 - pb) / nb).sqrt();
    let half = confidence.z() * se;
    Ok(Comparison {
        rate_a: pa,
        rate_b: pb,
        difference,
        low: difference - half,
        high: difference + half,
        z,
        p_value,
    })
}

/// P(Z > x) for a standard normal Z: `erfc(x/√2)/2`, accurate in the tails too (libm's erfc).
pub fn upper_tail(x: f64) -> f64 {
    0.5 * libm::erfc(x / std::f64::consts::SQRT_2)
}

/// When the agent asked the test to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecideWhen {
    /// Not before this time (the launch plus the hours the agent chose).
    #[serde(default)]
    pub not_before: Option<DateTime<Utc>>,
    /// Not before every variation has reached this many recipients.
    #[serde(default)]
    pub min_per_variation: u64,
}

/// What the test can say now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Too early to look: the time or the sample the agent asked for is not reached.
    Waiting { reason: String },
    /// The leader so far, and its comparison with the strongest challenger; no winner yet.
    NotSignificant {
        leader: usize,
        against: usize,
        comparison: Comparison,
    },
    /// The leader beat every other variation at the chosen confidence.
    Winner {
        winner: usize,
        /// Its comparison with the runner-up (the weakest of its wins).
        against: usize,
        comparison: Comparison,
    },
}

impl Verdict {
    /// The sentence the app shows under the test's figures.
    pub fn sentence(&self, metric: AbMetric, labels: &[&str], confidence: Confidence) -> String {
        let label = |i: usize| labels.get(i).copied().unwrap_or("?");
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        let points = |x: f64| format!("{:+.1}", x * 100.0);
        let (opening, against, c) = match self {
            Verdict::Waiting { reason } => return reason.clone(),
            Verdict::NotSignificant {
                leader,
                against,
                comparison,
            } => (
                format!("Not significant yet: {} leads with a", label(*leader)),
                *against,
                comparison,
            ),
            Verdict::Winner {
                winner,
                against,
                comparison,
            } => (format!("{} wins:", label(*winner)), *against, comparison),
        };
        format!(
            "{opening} {} {} against {} for {} (difference {} points, {}% interval {} to {}, \
             p = {:.3}).",
            pct(c.rate_a),
            metric.rate_name(),
            pct(c.rate_b),
            label(against),
            points(c.difference),
            confidence.percent(),
            points(c.low),
            points(c.high),
            c.p_value
        )
    }
}

/// The verdict on `arms` (one per variation, in order) at `now`.
pub fn decide(
    arms: &[Arm],
    when: DecideWhen,
    confidence: Confidence,
    now: DateTime<Utc>,
) -> Result<Verdict, CompareError> {
    if arms.len() < 2 {
        return Ok(Verdict::Waiting {
            reason: "A test needs at least two variations.".to_owned(),
        });
    }
    if let Some(at) = when.not_before {
        if now < at {
            return Ok(Verdict::Waiting {
                reason: format!(
                    "The test decides from {} (UTC).",
                    at.format("%Y-%m-%d %H:%M")
                ),
            });
        }
    }
    let fewest = arms.iter().map(|a| a.sent).min().unwrap_or(0);
    let needed = when.min_per_variation.max(1);
    if fewest < needed {
        return Ok(Verdict::Waiting {
            reason: format!(
                "The test decides once every variation has reached {needed} recipients \
                 (the smallest has {fewest})."
            ),
        });
    }
    // The leader by rate; a tie goes to the earlier variation, so the verdict is stable.
    let mut leader = 0;
    for (i, arm) in arms.iter().enumerate() {
        if arm.rate() > arms[leader].rate() {
            leader = i;
        }
    }
    let comparisons = (arms.len() - 1) as f64;
    let alpha = confidence.alpha() / comparisons;
    let mut weakest: Option<(usize, Comparison)> = None;
    for (i, arm) in arms.iter().enumerate() {
        if i == leader {
            continue;
        }
        let c = compare(arms[leader], *arm, confidence)?;
        if weakest.is_none_or(|(_, w)| c.p_value > w.p_value) {
            weakest = Some((i, c));
        }
    }
    let Some((against, comparison)) = weakest else {
        return Ok(Verdict::Waiting {
            reason: "A test needs at least two variations.".to_owned(),
        });
    };
    if comparison.difference > 0.0 && comparison.p_value < alpha {
        Ok(Verdict::Winner {
            winner: leader,
            against,
            comparison,
        })
    } else {
        Ok(Verdict::NotSignificant {
            leader,
            against,
            comparison,
        })
    }
}
