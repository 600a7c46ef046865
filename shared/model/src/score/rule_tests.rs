use super::*;
use crate::test_support::at;

fn now() -> DateTime<Utc> {
    at(2026, 3, 10, 12, 0)
}

/// The score's points and its lines as shown.
fn scored(input: &ScoreInput) -> (u8, Vec<String>) {
    let score = rule_score(input, now());
    let sum: u32 = score.lines.iter().map(|l| u32::from(l.points)).sum();
    assert_eq!(
        u32::from(score.points),
        sum,
        "the lines add up to the score"
    );
    assert_eq!(score.band, Band::of(score.points));
    (
        score.points,
        score.lines.iter().map(ScoreLine::text).collect(),
    )
}

/// Everything seed 001's table rewards, at its maximum.
fn full() -> ScoreInput {
    ScoreInput {
        has_phone: true,
        has_email: true,
        has_full_name: true,
        has_whatsapp: true,
        first_message_chars: 51,
        has_budget: true,
        has_preferred_areas: true,
        has_move_in_date: true,
        interactions: 5,
        last_interaction: Some(now() - TimeDelta::hours(2)),
        properties_of_interest: 5,
    }
}

#[test]
fn an_empty_contact_scores_zero_and_cold_with_no_lines() {
    let score = rule_score(&ScoreInput::default(), now());
    assert_eq!(score.points, 0);
    assert_eq!(score.band, Band::Cold);
    assert!(score.lines.is_empty());
}

#[test]
fn everything_at_its_maximum_is_exactly_100_with_every_line() {
    let (points, lines) = scored(&full());
    assert_eq!(points, 100);
    assert_eq!(
        lines,
        [
            "Phone on file +5",
            "Email on file +5",
            "Full name known +5",
            "WhatsApp on file +5",
            "First message over 50 characters +10",
            "Budget given +10",
            "Preferred areas given +5",
            "Move-in date given +5",
            "5 interactions logged +25",
            "Last touch within 24 h +15",
            "5 properties of interest +10",
        ]
    );
}

#[test]
fn completeness_is_5_each_from_0_to_20() {
    let none = ScoreInput::default();
    assert_eq!(scored(&none).0, 0);
    let phone = ScoreInput {
        has_phone: true,
        ..none.clone()
    };
    assert_eq!(scored(&phone), (5, vec!["Phone on file +5".to_owned()]));
    for (input, line) in [
        (
            ScoreInput {
                has_email: true,
                ..none.clone()
            },
            "Email on file +5",
        ),
        (
            ScoreInput {
                has_full_name: true,
                ..none.clone()
            },
            "Full name known +5",
        ),
        (
            ScoreInput {
                has_whatsapp: true,
                ..none.clone()
            },
            "WhatsApp on file +5",
        ),
    ] {
        assert_eq!(scored(&input), (5, vec![line.to_owned()]));
    }
    let all = ScoreInput {
        has_phone: true,
        has_email: true,
        has_full_name: true,
        has_whatsapp: true,
        ..none
    };
    assert_eq!(scored(&all).0, 20);
    assert!(rule_score(&all, now())
        .lines
        .iter()
        .all(|l| l.part == Part::Completeness));
}

#[test]
fn engagement_is_message_10_budget_10_areas_5_move_in_5_from_0_to_30() {
    let none = ScoreInput::default();
    let cases = [
        (
            ScoreInput {
                has_budget: true,
                ..none.clone()
            },
            10,
            "Budget given +10",
        ),
        (
            ScoreInput {
                has_preferred_areas: true,
                ..none.clone()
            },
            5,
            "Preferred areas given +5",
        ),
        (
            ScoreInput {
                has_move_in_date: true,
                ..none.clone()
            },
            5,
            "Move-in date given +5",
        ),
    ];
    for (input, points, line) in cases {
        assert_eq!(scored(&input), (points, vec![line.to_owned()]));
    }
    let all = ScoreInput {
        first_message_chars: 200,
        has_budget: true,
        has_preferred_areas: true,
        has_move_in_date: true,
        ..none
    };
    assert_eq!(scored(&all).0, 30);
}

#[test]
fn a_message_must_be_over_50_characters_exactly_50_is_not() {
    let with = |chars| ScoreInput {
        first_message_chars: chars,
        ..ScoreInput::default()
    };
    assert_eq!(scored(&with(0)).0, 0);
    assert_eq!(scored(&with(50)).0, 0, "exactly 50 is not over 50");
    assert_eq!(
        scored(&with(51)),
        (10, vec!["First message over 50 characters +10".to_owned()])
    );
    // Characters, not bytes; surrounding whitespace does not count.
    assert_eq!(ScoreInput::message_chars(&"é".repeat(50)), 50);
    assert_eq!(
        ScoreInput::message_chars(&format!("  {}\n", "a".repeat(50))),
        50
    );
    assert_eq!(ScoreInput::message_chars(&"a".repeat(51)), 51);
}

#[test]
fn interactions_are_5_each_at_most_25() {
    let with = |n| ScoreInput {
        interactions: n,
        ..ScoreInput::default()
    };
    assert_eq!(scored(&with(0)), (0, vec![]));
    assert_eq!(
        scored(&with(1)),
        (5, vec!["1 interaction logged +5".to_owned()])
    );
    assert_eq!(scored(&with(4)).0, 20);
    assert_eq!(
        scored(&with(5)),
        (25, vec!["5 interactions logged +25".to_owned()])
    );
    assert_eq!(
        scored(&with(6)),
        (
            25,
            vec!["6 interactions logged (at most 25) +25".to_owned()]
        )
    );
    assert_eq!(scored(&with(u32::MAX)).0, 25, "no overflow");
}

#[test]
fn properties_of_interest_are_2_each_at_most_10() {
    let with = |n| ScoreInput {
        properties_of_interest: n,
        ..ScoreInput::default()
    };
    assert_eq!(scored(&with(0)), (0, vec![]));
    assert_eq!(
        scored(&with(1)),
        (2, vec!["1 property of interest +2".to_owned()])
    );
    assert_eq!(scored(&with(5)).0, 10);
    assert_eq!(
        scored(&with(6)),
        (
            10,
            vec!["6 properties of interest (at most 10) +10".to_owned()]
        )
    );
    assert_eq!(scored(&with(u32::MAX)).0, 10, "no overflow");
}

#[test]
fn recency_steps_include_their_end() {
    let ago = |d: TimeDelta| ScoreInput {
        last_interaction: Some(now() - d),
        ..ScoreInput::default()
    };
    let second = TimeDelta::seconds(1);
    let cases = [
        (TimeDelta::zero(), 15),
        (TimeDelta::hours(24), 15),
        (TimeDelta::hours(24) + second, 10),
        (TimeDelta::days(3), 10),
        (TimeDelta::days(3) + second, 5),
        (TimeDelta::days(7), 5),
        (TimeDelta::days(7) + second, 0),
        (TimeDelta::days(400), 0),
    ];
    for (d, points) in cases {
        assert_eq!(scored(&ago(d)).0, points, "{d} ago");
    }
    assert_eq!(
        scored(&ago(TimeDelta::hours(30))).1,
        ["Last touch within 3 days +10"]
    );
    assert_eq!(
        scored(&ago(TimeDelta::days(5))).1,
        ["Last touch within 7 days +5"]
    );
    assert_eq!(scored(&ScoreInput::default()).0, 0, "never touched");
    // Another device's clock ahead: a touch "in the future" is a touch just now.
    assert_eq!(
        scored(&ago(-TimeDelta::hours(3))).1,
        ["Last touch within 24 h +15"]
    );
}

#[test]
fn bands_are_cold_below_50_warm_to_79_hot_from_80() {
    assert_eq!(Band::of(0), Band::Cold);
    assert_eq!(Band::of(49), Band::Cold);
    assert_eq!(Band::of(50), Band::Warm);
    assert_eq!(Band::of(79), Band::Warm);
    assert_eq!(Band::of(80), Band::Hot);
    assert_eq!(Band::of(100), Band::Hot);
    assert_eq!(Band::Warm.word(), "warm");

    // The same boundaries reached through the score itself.
    // Completeness and engagement in full, nothing else: 20 + 30 = 50, warm.
    let fifty = ScoreInput {
        interactions: 0,
        last_interaction: None,
        properties_of_interest: 0,
        ..full()
    };
    assert_eq!(rule_score(&fifty, now()).points, 50);
    assert_eq!(rule_score(&fifty, now()).band, Band::Warm);
    // 50 − 10 (a message of exactly 50) + 5 (one interaction) + 4 (two properties) = 49.
    let forty_nine = ScoreInput {
        first_message_chars: 50,
        interactions: 1,
        properties_of_interest: 2,
        ..fifty.clone()
    };
    assert_eq!(scored(&forty_nine).0, 49);
    assert_eq!(rule_score(&forty_nine, now()).band, Band::Cold);
    let seventy_nine = ScoreInput {
        last_interaction: Some(now() - TimeDelta::days(5)),
        properties_of_interest: 2,
        interactions: 5,
        has_whatsapp: false,
        ..full()
    };
    // 100 − 10 (recency 5 not 15) − 6 (4 not 10) − 5 (no WhatsApp) = 79
    assert_eq!(scored(&seventy_nine).0, 79);
    assert_eq!(rule_score(&seventy_nine, now()).band, Band::Warm);
    // 100 − 5 (recency 10 not 15) − 10 (no properties) − 5 (one interaction fewer) = 80
    let eighty = ScoreInput {
        last_interaction: Some(now() - TimeDelta::days(2)),
        properties_of_interest: 0,
        interactions: 4,
        ..full()
    };
    assert_eq!(scored(&eighty).0, 80);
    assert_eq!(rule_score(&eighty, now()).band, Band::Hot);
}

#[test]
fn a_score_serialises_for_the_app() {
    let score = rule_score(&full(), now());
    crate::test_support::assert_json_round_trip(&score);
    let json = serde_json::to_value(&score).expect("json");
    assert_eq!(json["band"], "hot");
    assert_eq!(json["lines"][9]["part"], "recency");
    assert_eq!(score.lines[9].to_string(), "Last touch within 24 h +15");
}
