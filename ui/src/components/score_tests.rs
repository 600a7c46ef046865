use super::*;
use fieldstone_model::score::{rule_score, ScoreInput};
use fieldstone_protocol::views::{LearnedScore, ScoreFactor};
use yew::ServerRenderer;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time")
}

/// Phone, email, full name, budget, 3 interactions, touched an hour ago: 15 + 10 + 15 + 15.
fn rule() -> RuleScore {
    rule_score(
        &ScoreInput {
            has_phone: true,
            has_email: true,
            has_full_name: true,
            has_budget: true,
            interactions: 3,
            last_interaction: Some(now() - chrono::TimeDelta::hours(1)),
            ..ScoreInput::default()
        },
        now(),
    )
}

fn rule_only(won: u32, lost: u32) -> ContactScore {
    ContactScore {
        rule: rule(),
        which: WhichScore::Rule,
        learned: None,
        won,
        lost,
    }
}

fn learned() -> ContactScore {
    ContactScore {
        rule: rule(),
        which: WhichScore::Learned { outcomes: 37 },
        learned: Some(LearnedScore {
            probability: 0.714,
            factors: vec![ScoreFactor {
                feature: "showings".into(),
                weight: 1.2,
                sentence: "For you, showings are the strongest signal: leads with more showings close more often.".into(),
            }],
        }),
        won: 20,
        lost: 17,
    }
}

async fn render(score: ContactScore) -> String {
    ServerRenderer::<ScoreExplain>::with_props(move || ScoreExplainProps { score })
        .render()
        .await
}

#[test]
fn the_chip_reads_the_rule_score_and_the_model_when_there_is_one() {
    assert_eq!(rule().points, 55);
    assert_eq!(summary(&rule_only(1, 3)), "55 / 100 · warm");
    assert_eq!(summary(&learned()), "55 / 100 · warm · 71%");
}

#[test]
fn every_point_has_its_line() {
    let got = lines(&rule());
    let total: u32 = rule().lines.iter().map(|l| u32::from(l.points)).sum();
    assert_eq!(total, 55, "the lines add up to the score");
    assert_eq!(
        got[0],
        (
            "Contact details",
            "Phone on file".to_owned(),
            "+5".to_owned()
        )
    );
    assert_eq!(
        got.last().cloned(),
        Some((
            "Recency",
            "Last touch within 24 h".to_owned(),
            "+15".to_owned()
        ))
    );
    assert_eq!(got.len(), 6);
}

#[tokio::test]
async fn the_panel_says_which_score_is_shown() {
    let html = render(rule_only(3, 1)).await;
    assert!(
        html.contains("Rule score — 4 of 10 closed or lost leads needed for your own model"),
        "{html}"
    );
    assert!(html.contains("3 interactions logged"), "{html}");
    assert!(!html.contains("likely to close"));
    assert!(html.contains("data-which=\"rule\""));

    let html = render(learned()).await;
    assert!(html.contains("Your model, from 37 outcomes"), "{html}");
    assert!(html.contains("71% likely to close"), "{html}");
    assert!(html.contains("For you, showings are the strongest signal"));
    assert!(html.contains("data-which=\"learned\""));
}
