//! The contact's lead score in its header (issue 15): seed 001's rule score with every point's
//! reason, and, once the agent has a model of their own, the close probability with its top
//! factors; a sentence says which score is shown. The engine computes both (the UI never
//! scores, DESIGN decision 9); this only words and lays them out.

use fieldstone_model::score::{Part, RuleScore, WhichScore};
use fieldstone_protocol::views::ContactScore;
use yew::prelude::*;

/// "Contact details", "Engagement"...: the heading of a part of the rule score.
pub fn part_label(part: Part) -> &'static str {
    match part {
        Part::Completeness => "Contact details",
        Part::Engagement => "Engagement",
        Part::History => "Interactions",
        Part::Recency => "Recency",
        Part::Specificity => "Properties",
    }
}

/// The chip's text: "55 / 100 · warm", and with the agent's model "55 / 100 · warm · 62%".
pub fn summary(score: &ContactScore) -> String {
    let rule = super::contact_head::score_line(score.rule.points);
    match &score.learned {
        Some(learned) => format!(
            "{rule} · {:.0}%",
            (learned.probability * 100.0).clamp(0.0, 100.0)
        ),
        None => rule,
    }
}

/// Every line of the rule score as `(part, reason, "+5")`, in the table's order.
pub fn lines(rule: &RuleScore) -> Vec<(&'static str, String, String)> {
    rule.lines
        .iter()
        .map(|l| {
            (
                part_label(l.part),
                l.label.clone(),
                format!("+{}", l.points),
            )
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ScoreExplainProps {
    pub score: ContactScore,
}

/// The score chip; tapping it opens the explanation (a `<details>`, so it works without
/// script state and by keyboard).
#[component]
pub fn ScoreExplain(props: &ScoreExplainProps) -> Html {
    let score = &props.score;
    let band = score.rule.band.word();
    let learned = matches!(score.which, WhichScore::Learned { .. });
    html! {
        <details id="contact-score" class="score-explain" data-band={band} data-which={if learned { "learned" } else { "rule" }}>
            <summary class={classes!("score-explain__summary", format!("score-explain__summary--{band}"))}>
                { summary(score) }
            </summary>
            <div class="score-explain__panel" role="note">
                <p id="contact-score-which" class="score-explain__which">{ score.which_sentence() }</p>
                if let (Some(line), Some(model)) = (score.probability_line(), &score.learned) {
                    <div class="score-explain__learned">
                        <p class="score-explain__probability">{ line }</p>
                        <ul class="score-explain__factors">
                            for factor in &model.factors {
                                <li data-feature={factor.feature.clone()}>{ &factor.sentence }</li>
                            }
                        </ul>
                    </div>
                }
                <p class="score-explain__what">
                    { format!("Rule score {} / 100: a point for everything below (hot from 80, warm from 50).", score.rule.points) }
                </p>
                <ul class="score-explain__reasons">
                    for (part, reason, points) in lines(&score.rule) {
                        <li>
                            <span><span class="score-explain__part">{ part }</span>{ reason }</span>
                            <span class="tabular">{ points }</span>
                        </li>
                    }
                </ul>
                if score.rule.lines.is_empty() {
                    <p class="score-explain__what">{ "No points yet: add a phone or email, their budget and areas, or log a call." }</p>
                }
                <p class="score-explain__what">{ "Priority is yours to set: how urgent they are to you." }</p>
            </div>
        </details>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "score_tests.rs"]
mod tests;
