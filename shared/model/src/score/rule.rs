//! The rule score of seed 001: points for what is known about a lead and how recently and how
//! often it was in touch, 0..=100, with one line per point awarded.
//!
//! | part | what earns points | points |
//! |---|---|---|
//! | completeness | phone, email, full name, WhatsApp | 5 each, 0–20 |
//! | engagement | first message over 50 characters 10, budget 10, preferred areas 5, move-in date 5 | 0–30 |
//! | history | each interaction logged | 5 each, at most 25 |
//! | recency | last touch within 24 h / 3 days / 7 days | 15 / 10 / 5 |
//! | specificity | each property of interest | 2 each, at most 10 |
//!
//! Hot from 80, warm from 50, cold below (seed 003).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Points per way to reach the person (phone, email, full name, WhatsApp).
pub const COMPLETENESS_EACH: u8 = 5;
/// A first message longer than [`LONG_MESSAGE_OVER`] characters.
pub const LONG_MESSAGE_POINTS: u8 = 10;
/// A message must be longer than this many characters (51 or more) to count as engaged.
pub const LONG_MESSAGE_OVER: usize = 50;
pub const BUDGET_POINTS: u8 = 10;
pub const AREAS_POINTS: u8 = 5;
pub const MOVE_IN_POINTS: u8 = 5;
pub const INTERACTION_EACH: u8 = 5;
pub const INTERACTIONS_MAX: u8 = 25;
pub const PROPERTY_EACH: u8 = 2;
pub const PROPERTIES_MAX: u8 = 10;

/// Recency steps, longest window last: a touch at most this long ago earns these points. Each
/// window includes its end (a touch exactly 24 h ago is still "within 24 h"), so a lead does
/// not drop a step a moment before the agent reads "within 24 h".
pub const RECENCY: [(TimeDelta, u8, &str); 3] = [
    (TimeDelta::hours(24), 15, "24 h"),
    (TimeDelta::days(3), 10, "3 days"),
    (TimeDelta::days(7), 5, "7 days"),
];

/// Everything the rule score reads about one contact. A plain struct, not the contact itself,
/// so the score does not change when the contact record grows a field, and the engine can fill
/// it from the read model without loading the document (DESIGN decision 2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreInput {
    pub has_phone: bool,
    pub has_email: bool,
    /// Both a given and a family name.
    pub has_full_name: bool,
    pub has_whatsapp: bool,
    /// Length of the lead's first message in characters (see [`ScoreInput::message_chars`]).
    pub first_message_chars: usize,
    pub has_budget: bool,
    pub has_preferred_areas: bool,
    pub has_move_in_date: bool,
    /// Interactions logged with the contact (calls, emails, texts, meetings...).
    pub interactions: u32,
    /// The most recent interaction, if any.
    pub last_interaction: Option<DateTime<Utc>>,
    pub properties_of_interest: u32,
}

impl ScoreInput {
    /// How long a message counts as: characters (not bytes, so "é" is one), without the
    /// whitespace around it, so a padded one-liner does not pass as engaged.
    pub fn message_chars(text: &str) -> usize {
        text.trim().chars().count()
    }
}

/// Which part of the score a line belongs to, so the UI can group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Completeness,
    Engagement,
    History,
    Recency,
    Specificity,
}

/// One reason for points: "Phone on file" +5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    pub part: Part,
    /// A readable sentence without the points ("Last touch within 24 h").
    pub label: String,
    pub points: u8,
}

impl ScoreLine {
    fn new(part: Part, label: impl Into<String>, points: u8) -> Self {
        ScoreLine {
            part,
            label: label.into(),
            points,
        }
    }

    /// The line as shown: "Last touch within 24 h +15".
    pub fn text(&self) -> String {
        format!("{} +{}", self.label, self.points)
    }
}

impl std::fmt::Display for ScoreLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} +{}", self.label, self.points)
    }
}

/// How warm a rule score reads (seed 003's bands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Hot,
    Warm,
    Cold,
}

impl Band {
    /// The lowest hot score.
    pub const HOT_FROM: u8 = 80;
    /// The lowest warm score.
    pub const WARM_FROM: u8 = 50;

    pub const fn of(points: u8) -> Self {
        if points >= Self::HOT_FROM {
            Band::Hot
        } else if points >= Self::WARM_FROM {
            Band::Warm
        } else {
            Band::Cold
        }
    }

    pub const fn word(self) -> &'static str {
        match self {
            Band::Hot => "hot",
            Band::Warm => "warm",
            Band::Cold => "cold",
        }
    }
}

/// A contact's rule score: the total, its band and every line that adds up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleScore {
    /// 0..=100; the sum of `lines`.
    pub points: u8,
    pub band: Band,
    /// One line per criterion that earned points, in the table's order.
    pub lines: Vec<ScoreLine>,
}

/// Scores one contact at `now` (passed in, DESIGN decision 10: the same input and instant give
/// the same score on every device and on the server).
///
/// A last interaction after `now` (another device's clock running ahead) counts as a touch just
/// now rather than as no touch.
pub fn rule_score(input: &ScoreInput, now: DateTime<Utc>) -> RuleScore {
    use Part::*;
    let mut lines = Vec::with_capacity(14);
    let mut award = |part, earned: bool, label: &str, points| {
        if earned {
            lines.push(ScoreLine::new(part, label, points));
        }
    };
    award(
        Completeness,
        input.has_phone,
        "Phone on file",
        COMPLETENESS_EACH,
    );
    award(
        Completeness,
        input.has_email,
        "Email on file",
        COMPLETENESS_EACH,
    );
    award(
        Completeness,
        input.has_full_name,
        "Full name known",
        COMPLETENESS_EACH,
    );
    award(
        Completeness,
        input.has_whatsapp,
        "WhatsApp on file",
        COMPLETENESS_EACH,
    );
    award(
        Engagement,
        input.first_message_chars > LONG_MESSAGE_OVER,
        "First message over 50 characters",
        LONG_MESSAGE_POINTS,
    );
    award(Engagement, input.has_budget, "Budget given", BUDGET_POINTS);
    award(
        Engagement,
        input.has_preferred_areas,
        "Preferred areas given",
        AREAS_POINTS,
    );
    award(
        Engagement,
        input.has_move_in_date,
        "Move-in date given",
        MOVE_IN_POINTS,
    );

    if input.interactions > 0 {
        let n = input.interactions;
        let points = capped(n, INTERACTION_EACH, INTERACTIONS_MAX);
        let noun = if n == 1 {
            "interaction"
        } else {
            "interactions"
        };
        let cap = if n.saturating_mul(u32::from(INTERACTION_EACH)) > u32::from(INTERACTIONS_MAX) {
            " (at most 25)"
        } else {
            ""
        };
        lines.push(ScoreLine::new(
            History,
            format!("{n} {noun} logged{cap}"),
            points,
        ));
    }

    if let Some(last) = input.last_interaction {
        let ago = (now - last).max(TimeDelta::zero());
        if let Some((_, points, window)) = RECENCY.iter().find(|(within, _, _)| ago <= *within) {
            lines.push(ScoreLine::new(
                Recency,
                format!("Last touch within {window}"),
                *points,
            ));
        }
    }

    if input.properties_of_interest > 0 {
        let n = input.properties_of_interest;
        let points = capped(n, PROPERTY_EACH, PROPERTIES_MAX);
        let noun = if n == 1 { "property" } else { "properties" };
        let cap = if n.saturating_mul(u32::from(PROPERTY_EACH)) > u32::from(PROPERTIES_MAX) {
            " (at most 10)"
        } else {
            ""
        };
        lines.push(ScoreLine::new(
            Specificity,
            format!("{n} {noun} of interest{cap}"),
            points,
        ));
    }

    // The parts' maxima add up to exactly 100 (20 + 30 + 25 + 15 + 10); the min keeps the
    // promise of 0..=100 should a weight ever change.
    let total: u32 = lines.iter().map(|l| u32::from(l.points)).sum();
    let points = u8::try_from(total.min(100)).unwrap_or(100);
    RuleScore {
        points,
        band: Band::of(points),
        lines,
    }
}

/// `n × each`, at most `max`, without overflow for any count.
fn capped(n: u32, each: u8, max: u8) -> u8 {
    let total = n.saturating_mul(u32::from(each)).min(u32::from(max));
    u8::try_from(total).unwrap_or(max)
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
