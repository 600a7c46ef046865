use super::*;
use crate::contact::LeadSource;
use crate::score::{auc, rule_score, ScoreInput, MIN_OUTCOMES};
use crate::test_support::at;
use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn now() -> DateTime<Utc> {
    at(2026, 3, 10, 12, 0)
}

/// One synthetic closed lead: what the learned score sees, what the rule score sees, and
/// whether the agent won it.
struct Lead {
    features: LeadFeatures,
    rule: ScoreInput,
    won: bool,
}

/// `n` closed leads of an agent who wins by `driver` (showings or email clicks, each 0..=4):
/// the log-odds of a win rise by 1.5 per unit above 2, shifted by `bias`. Everything else is
/// noise, and every lead has exactly 5 interactions, so the rule score (which counts
/// interactions, not their kind) sees no difference between a lead with many showings and one
/// with none. Seeded, so every run sees the same leads.
fn agent(seed: u64, n: usize, driver: Feature, bias: f64) -> Vec<Lead> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let showings = rng.random_range(0..=4u32);
            let mut rest = 5 - showings;
            let calls = rng.random_range(0..=rest);
            rest -= calls;
            let emails = rng.random_range(0..=rest);
            let texts = rest - emails;
            let email_clicks = rng.random_range(0..=4u32);
            let features = LeadFeatures {
                source: LeadSource::ALL[rng.random_range(0..LeadSource::ALL.len())],
                response_hours: rng.random_bool(0.9).then(|| rng.random_range(0.0..48.0)),
                calls,
                emails,
                texts,
                showings,
                bookings: rng.random_range(0..=2),
                property_views: rng.random_range(0..=10),
                email_opens: email_clicks + rng.random_range(0..=4),
                email_clicks,
                budget_fit: rng.random_range(0.0..=1.0),
            };
            let rule = ScoreInput {
                has_phone: rng.random_bool(0.8),
                has_email: rng.random_bool(0.8),
                has_full_name: rng.random_bool(0.6),
                has_whatsapp: rng.random_bool(0.3),
                first_message_chars: rng.random_range(0..=120),
                has_budget: rng.random_bool(0.5),
                has_preferred_areas: rng.random_bool(0.5),
                has_move_in_date: rng.random_bool(0.4),
                interactions: calls + emails + texts + showings,
                last_interaction: Some(now() - TimeDelta::hours(rng.random_range(0..240))),
                properties_of_interest: rng.random_range(0..=6),
            };
            let x = match driver {
                Feature::Showings => showings,
                _ => email_clicks,
            };
            let logit = 1.5 * (f64::from(x) - 2.0) + bias;
            let won = rng.random_bool(1.0 / (1.0 + (-logit).exp()));
            Lead {
                features,
                rule,
                won,
            }
        })
        .collect()
}

fn outcomes(leads: &[Lead]) -> Vec<Outcome> {
    leads
        .iter()
        .map(|l| Outcome {
            features: l.features.clone(),
            won: l.won,
        })
        .collect()
}

fn learned_auc(model: &LearnedModel, leads: &[Lead]) -> f64 {
    let scores: Vec<f64> = leads.iter().map(|l| model.predict(&l.features)).collect();
    let won: Vec<bool> = leads.iter().map(|l| l.won).collect();
    auc(&scores, &won).expect("both classes in the held-out set")
}

fn rule_auc(leads: &[Lead]) -> f64 {
    let scores: Vec<f64> = leads
        .iter()
        .map(|l| f64::from(rule_score(&l.rule, now()).points))
        .collect();
    let won: Vec<bool> = leads.iter().map(|l| l.won).collect();
    auc(&scores, &won).expect("both classes in the held-out set")
}

#[test]
fn the_learned_score_ranks_held_out_leads_better_than_the_rule_score() {
    // bias 0: about half won; bias −1.5: mostly lost, so linfa's "positive" class is `false`
    // and the coefficients must be turned round.
    for (seed, bias) in [(1, 0.0), (2, -1.5)] {
        let leads = agent(seed, 800, Feature::Showings, bias);
        let (train, held_out) = leads.split_at(400);
        let model = fit(&outcomes(train)).expect("fits");
        let (learned, rule) = (learned_auc(&model, held_out), rule_auc(held_out));
        assert!(
            learned > rule,
            "bias {bias}: learned AUC {learned:.3} should beat rule AUC {rule:.3}"
        );
        // Showings are the pattern; the rule score cannot see them.
        assert!(learned > 0.75, "bias {bias}: learned AUC {learned:.3}");
        assert!(model.weight(Feature::Showings) > 0.0);
        assert_eq!(model.which(), WhichScore::Learned { outcomes: 400 });
    }
}

#[test]
fn two_agents_with_opposite_patterns_get_opposite_top_factors() {
    let shows = fit(&outcomes(&agent(3, 600, Feature::Showings, 0.0))).expect("fits");
    let clicks = fit(&outcomes(&agent(4, 600, Feature::EmailClicks, 0.0))).expect("fits");

    let top = |m: &LearnedModel| m.top_factors(2);
    let (a, b) = (top(&shows), top(&clicks));
    assert_eq!(a[0].feature, Feature::Showings);
    assert_eq!(b[0].feature, Feature::EmailClicks);
    assert_eq!(
        a[0].sentence,
        "For you, showings are the strongest signal: leads with more showings close more often."
    );
    assert_eq!(
        b[0].sentence,
        "For you, email clicks are the strongest signal: leads who click more in emails close \
         more often."
    );
    assert!(a[1].sentence.contains("your second strongest signal"));
    // Each agent's signal is the other's noise.
    assert!(shows.weight(Feature::Showings) > 3.0 * shows.weight(Feature::EmailClicks).abs());
    assert!(clicks.weight(Feature::EmailClicks) > 3.0 * clicks.weight(Feature::Showings).abs());
    // A lead with many showings and no clicks is likelier to close for the first agent.
    let lead = LeadFeatures {
        showings: 4,
        email_clicks: 0,
        ..LeadFeatures::default()
    };
    assert!(shows.predict(&lead) > 0.7, "{}", shows.predict(&lead));
    assert!(clicks.predict(&lead) < 0.3, "{}", clicks.predict(&lead));
}

#[test]
fn too_few_outcomes_or_one_class_are_specific_errors() {
    let leads = outcomes(&agent(5, 40, Feature::Showings, 0.0));
    assert_eq!(
        fit(&leads[..MIN_OUTCOMES - 1]),
        Err(ScoreError::TooFewOutcomes { has: 9 })
    );
    assert_eq!(
        fit(&[]).map_err(|e| e.to_string()),
        Err("needs at least 10 closed and lost outcomes, has 0".to_owned())
    );
    let all_won: Vec<Outcome> = leads
        .iter()
        .cloned()
        .map(|o| Outcome { won: true, ..o })
        .collect();
    assert_eq!(
        fit(&all_won[..12]),
        Err(ScoreError::OneClass { won: 12, lost: 0 })
    );
    let all_lost: Vec<Outcome> = leads
        .into_iter()
        .map(|o| Outcome { won: false, ..o })
        .collect();
    assert_eq!(
        fit(&all_lost).map_err(|e| e.code()),
        Err("one_class"),
        "all lost"
    );
}

#[test]
fn ten_outcomes_of_both_kinds_are_enough_and_predictions_stay_probabilities() {
    let mut leads = outcomes(&agent(6, 10, Feature::Showings, 0.0));
    leads[0].won = true;
    leads[1].won = false;
    let model = fit(&leads).expect("ten outcomes with both classes fit");
    assert_eq!(model.outcomes(), 10);
    let odd = LeadFeatures {
        response_hours: Some(f64::NAN),
        budget_fit: f64::INFINITY,
        showings: u32::MAX,
        ..LeadFeatures::default()
    };
    for lead in [LeadFeatures::default(), odd] {
        let p = model.predict(&lead);
        assert!((0.0..=1.0).contains(&p), "{p}");
    }
    assert_eq!(model.top_factors(FEATURES + 3).len(), FEATURES);
    assert!(model.top_factors(0).is_empty());
}

#[test]
fn a_negative_factor_reads_as_less_often() {
    assert_eq!(
        sentence(0, Feature::ResponseTime, -0.8),
        "For you, response time is the strongest signal: leads answered later close less often."
    );
    assert_eq!(
        sentence(2, Feature::BudgetFit, 0.4),
        "Budget fit is your third strongest signal: leads whose budget fits better close more \
         often."
    );
    assert_eq!(ordinal(7), "7th");
}
