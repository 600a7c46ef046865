use super::*;
use crate::test_support::{assert_json_round_trip, user};

fn agent(
    n: u128,
    areas: &[&str],
    types: &[PropertyType],
    open: u32,
    max: u32,
    rate: f64,
) -> Candidate {
    Candidate {
        user: user(n),
        profile: AgentProfile {
            active: true,
            max_open_leads: max,
            areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            property_types: types.iter().copied().collect(),
            languages: Vec::new(),
            weight: 1,
        },
        open_leads: open,
        conversion_rate: rate,
        teams: BTreeSet::new(),
    }
}

fn lead(areas: &[&str], types: &[PropertyType]) -> LeadFacts {
    LeadFacts {
        source: LeadSource::WebForm,
        areas: areas.iter().map(|a| (*a).to_owned()).collect(),
        property_types: types.iter().copied().collect(),
        price: None,
        language: None,
    }
}

fn rules(list: Vec<RoutingRule>) -> Valid<RoutingRules> {
    RoutingRules {
        rules: list,
        response_minutes: None,
    }
    .validate()
    .expect("valid rules")
}

fn rule(name: &str, strategy: Strategy) -> RoutingRule {
    RoutingRule {
        name: name.to_owned(),
        when: Conditions::default(),
        team: None,
        agents: Vec::new(),
        strategy,
    }
}

fn decide(rs: &Valid<RoutingRules>, facts: &LeadFacts, agents: &[Candidate]) -> Routed {
    route(rs, facts, agents, &Cursors::new(), 0, 0)
}

fn picked(routed: &Routed) -> Option<UserId> {
    match routed.decision {
        Decision::Agent { agent } => Some(agent),
        _ => None,
    }
}

#[test]
fn best_agent_scores_seed_001s_points_with_a_line_for_each() {
    let ann = agent(1, &["Central"], &[PropertyType::Condo], 3, 20, 0.25);
    let (score, lines) = best_agent_score(&ann, &lead(&["central "], &[PropertyType::Condo]));
    assert!((score - (20.0 + 15.0 + 8.5 + 2.5)).abs() < 1e-9, "{score}");
    assert_eq!(
        lines,
        "area match central +20, property type match Condo +15, workload 3/20 +8.5, conversion 25% +2.5"
    );
    // Nothing in common, idle, never converted: the workload's 10 only.
    let bob = agent(2, &["North"], &[PropertyType::House], 0, 10, 0.0);
    let (score, _) = best_agent_score(&bob, &lead(&["Central"], &[PropertyType::Condo]));
    assert!((score - 10.0).abs() < 1e-9, "{score}");
}

#[test]
fn best_agent_picks_the_agent_the_formula_picks_on_a_table_of_cases() {
    use PropertyType::*;
    // (case, agents, lead, expected winner)
    let cases: Vec<(&str, Vec<Candidate>, LeadFacts, u128)> = vec![
        (
            "area beats an idle agent",
            vec![
                agent(1, &["Central"], &[], 10, 20, 0.0),
                agent(2, &[], &[], 0, 20, 0.0),
            ],
            lead(&["Central"], &[]),
            1, // 20 + 5 against 10
        ),
        (
            "property type beats a lighter workload",
            vec![
                agent(1, &[], &[House], 0, 10, 0.0),
                agent(2, &[], &[Condo], 5, 10, 0.0),
            ],
            lead(&[], &[Condo]),
            2, // 15 + 5 against 10
        ),
        (
            "conversion decides between equal matches",
            vec![
                agent(1, &["Docks"], &[], 2, 10, 0.1),
                agent(2, &["Docks"], &[], 2, 10, 0.6),
            ],
            lead(&["Docks"], &[]),
            2,
        ),
        (
            "workload outweighs a small conversion edge",
            vec![
                agent(1, &[], &[], 9, 10, 0.5),
                agent(2, &[], &[], 0, 10, 0.3),
            ],
            lead(&[], &[]),
            2, // 1 + 5 against 10 + 3
        ),
        (
            "area and type together win over everything else",
            vec![
                agent(1, &["Old Town"], &[Townhouse], 15, 20, 0.0),
                agent(2, &[], &[], 0, 20, 1.0),
            ],
            lead(&["old town"], &[Townhouse]),
            1, // 20 + 15 + 2.5 against 10 + 10
        ),
        (
            "a tie goes to fewer open leads",
            vec![agent(1, &[], &[], 2, 4, 0.5), agent(2, &[], &[], 1, 2, 0.5)],
            lead(&[], &[]),
            2, // both 5 + 5; 1 open lead against 2
        ),
        (
            "a full tie goes to the lower id",
            vec![agent(7, &[], &[], 0, 4, 0.0), agent(3, &[], &[], 0, 4, 0.0)],
            lead(&[], &[]),
            3,
        ),
    ];
    let rs = rules(vec![rule("best", Strategy::BestAgent)]);
    for (case, agents, facts, winner) in cases {
        let routed = decide(&rs, &facts, &agents);
        assert_eq!(
            picked(&routed),
            Some(user(winner)),
            "{case}: {}",
            routed.reason
        );
        assert!(
            routed.reason.starts_with("rule \"best\": best agent"),
            "{case}: {}",
            routed.reason
        );
    }
}

#[test]
fn inactive_and_full_agents_are_never_chosen() {
    let mut away = agent(1, &["Central"], &[], 0, 20, 1.0);
    away.profile.active = false;
    let full = agent(2, &["Central"], &[], 20, 20, 1.0);
    let free = agent(3, &[], &[], 19, 20, 0.0);
    let rs = rules(vec![rule("best", Strategy::BestAgent)]);
    let routed = decide(
        &rs,
        &lead(&["Central"], &[]),
        &[away.clone(), full.clone(), free],
    );
    assert_eq!(picked(&routed), Some(user(3)), "{}", routed.reason);
    for strategy in [
        Strategy::RoundRobin,
        Strategy::Weighted,
        Strategy::BestAgent,
    ] {
        let rs = rules(vec![rule("only", strategy)]);
        let routed = decide(&rs, &lead(&[], &[]), &[away.clone(), full.clone()]);
        assert_eq!(routed.decision, Decision::Pond, "{strategy:?}");
        assert_eq!(routed.rule, None);
        assert!(
            routed
                .reason
                .contains("rule \"only\": no active agent under capacity"),
            "{}",
            routed.reason
        );
        assert!(routed.reason.contains("pond"), "{}", routed.reason);
    }
}

#[test]
fn rules_are_tried_in_order_and_the_first_that_matches_decides() {
    let mut agents = [agent(1, &[], &[], 0, 5, 0.0), agent(2, &[], &[], 0, 5, 0.0)];
    agents[0].profile.languages = vec!["Spanish".into()];
    let mut zillow = rule("zillow to 2", Strategy::BestAgent);
    zillow.when.sources = vec![LeadSource::Zillow];
    zillow.agents = vec![user(2)];
    let mut spanish = rule("spanish to 1", Strategy::BestAgent);
    spanish.when.languages = vec!["Spanish".into()];
    spanish.agents = vec![user(1)];
    let mut luxury = rule("luxury to 2", Strategy::BestAgent);
    luxury.when.price_min = Some(1_000_000);
    luxury.agents = vec![user(2)];
    let mut docks = rule("docks to 1", Strategy::BestAgent);
    docks.when.areas = vec!["Docks".into()];
    docks.agents = vec![user(1)];
    let rs = rules(vec![
        zillow,
        spanish,
        luxury,
        docks,
        rule("rest", Strategy::FirstToClaim { minutes: 5 }),
    ]);
    let mut facts = lead(&["docks"], &[]);
    facts.source = LeadSource::Zillow;
    facts.language = Some("spanish".into());
    let routed = decide(&rs, &facts, &agents);
    assert_eq!(
        (routed.rule, picked(&routed)),
        (Some(0), Some(user(2))),
        "source first"
    );
    facts.source = LeadSource::WebForm;
    let routed = decide(&rs, &facts, &agents);
    assert_eq!(
        (routed.rule, picked(&routed)),
        (Some(1), Some(user(1))),
        "then language"
    );
    facts.language = None;
    facts.price = Some(2_000_000);
    assert_eq!(
        decide(&rs, &facts, &agents).rule,
        Some(2),
        "then the price band"
    );
    facts.price = Some(999_999);
    assert_eq!(decide(&rs, &facts, &agents).rule, Some(3), "then the area");
    facts.areas.clear();
    let routed = decide(&rs, &facts, &agents);
    assert_eq!(routed.rule, Some(4));
    assert_eq!(
        routed.decision,
        Decision::Offer {
            agents: vec![user(1), user(2)],
            minutes: 5
        }
    );
    // After the offer's time, the rules after it decide: none here, so the pond.
    let after = route(&rs, &facts, &agents, &Cursors::new(), 0, 5);
    assert_eq!(after.decision, Decision::Pond);
}

#[test]
fn a_language_rule_goes_to_agents_who_speak_the_language() {
    let mut maria = agent(2, &[], &[], 9, 10, 0.0);
    maria.profile.languages = vec!["Spanish".into()];
    let idle = agent(1, &[], &[], 0, 10, 1.0);
    let mut spanish = rule("spanish", Strategy::BestAgent);
    spanish.when.languages = vec!["spanish".into(), "es".into()];
    let rs = rules(vec![spanish, rule("rest", Strategy::BestAgent)]);
    let mut facts = lead(&[], &[]);
    facts.language = Some("Spanish".into());
    let routed = decide(&rs, &facts, &[idle.clone(), maria.clone()]);
    assert_eq!((routed.rule, picked(&routed)), (Some(0), Some(user(2))));
    // Nobody speaks it: the next rule decides, on the usual points.
    facts.language = Some("es".into());
    let routed = decide(&rs, &facts, &[idle, maria]);
    assert_eq!((routed.rule, picked(&routed)), (Some(1), Some(user(1))));
    assert!(
        routed
            .reason
            .starts_with("rule \"spanish\": no active agent"),
        "{}",
        routed.reason
    );
}

#[test]
fn round_robin_cycles_through_eligible_agents_from_the_cursor() {
    let mut agents = vec![
        agent(3, &[], &[], 0, 5, 0.0),
        agent(1, &[], &[], 0, 5, 0.0),
        agent(2, &[], &[], 0, 5, 0.0),
    ];
    let rs = rules(vec![rule("rr", Strategy::RoundRobin)]);
    let mut cursors = Cursors::new();
    let mut order = Vec::new();
    for _ in 0..6 {
        let routed = route(&rs, &lead(&[], &[]), &agents, &cursors, 0, 0);
        let (name, given) = routed.cursor.clone().expect("a cursor");
        cursors.insert(name, given);
        order.push(picked(&routed).expect("an agent"));
    }
    assert_eq!(order, [1, 2, 3, 1, 2, 3].map(user));
    // Agent 2 fills up: the cycle skips them.
    agents[2].open_leads = 5;
    let routed = route(&rs, &lead(&[], &[]), &agents, &cursors, 0, 0);
    assert_eq!(picked(&routed), Some(user(1)));
    cursors.insert("rr".into(), user(1));
    assert_eq!(
        picked(&route(&rs, &lead(&[], &[]), &agents, &cursors, 0, 0)),
        Some(user(3))
    );
}

#[test]
fn weighted_gives_each_agent_its_share_of_the_draws() {
    let mut agents = vec![
        agent(1, &[], &[], 0, 5, 0.0),
        agent(2, &[], &[], 0, 5, 0.0),
        agent(3, &[], &[], 0, 5, 0.0),
    ];
    agents[0].profile.weight = 1;
    agents[1].profile.weight = 3;
    agents[2].profile.weight = 6;
    let rs = rules(vec![rule("w", Strategy::Weighted)]);
    let mut counts = BTreeMap::new();
    // Draws spread like a server's random numbers: a fixed multiplicative sequence.
    let mut draw: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..10_000 {
        draw = draw
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let routed = route(
            &rs,
            &lead(&[], &[]),
            &agents,
            &Cursors::new(),
            draw >> 11,
            0,
        );
        *counts
            .entry(picked(&routed).expect("agent"))
            .or_insert(0u32) += 1;
    }
    let share = |n| f64::from(counts[&user(n)]) / 10_000.0;
    assert!((share(1) - 0.1).abs() < 0.02, "{counts:?}");
    assert!((share(2) - 0.3).abs() < 0.02, "{counts:?}");
    assert!((share(3) - 0.6).abs() < 0.02, "{counts:?}");
    // Over draws 0..10 each agent is picked exactly its weight's times.
    let exact: Vec<_> = (0..10)
        .map(|d| picked(&route(&rs, &lead(&[], &[]), &agents, &Cursors::new(), d, 0)))
        .collect();
    assert_eq!(exact.iter().filter(|a| **a == Some(user(3))).count(), 6);
}

#[test]
fn a_rule_limited_to_a_team_sees_only_its_members() {
    let team = TeamId::from_uuid(uuid::Uuid::from_u128(99));
    let mut member = agent(2, &[], &[], 4, 5, 0.0);
    member.teams.insert(team);
    let outsider = agent(1, &[], &[], 0, 5, 1.0);
    let mut r = rule("team", Strategy::BestAgent);
    r.team = Some(team);
    let routed = decide(&rules(vec![r]), &lead(&[], &[]), &[outsider, member]);
    assert_eq!(picked(&routed), Some(user(2)));
}

#[test]
fn bad_rules_and_profiles_are_refused_with_every_problem_at_its_path() {
    let mut cheap = rule("band", Strategy::FirstToClaim { minutes: 0 });
    cheap.when.price_min = Some(10);
    cheap.when.price_max = Some(5);
    cheap.when.areas = vec!["  ".into()];
    let errors = RoutingRules {
        rules: vec![
            cheap,
            rule(" ", Strategy::BestAgent),
            rule("band", Strategy::Weighted),
        ],
        response_minutes: Some(0),
    }
    .validate()
    .expect_err("refused");
    assert_eq!(
        errors.fields(),
        [
            "rules.0.when.price_max",
            "rules.0.strategy.minutes",
            "rules.0.when.areas.0",
            "rules.1.name",
            "rules.2.name",
            "response_minutes"
        ]
    );
    let errors = AgentProfile {
        max_open_leads: 0,
        weight: 0,
        areas: vec!["x".repeat(101)],
        ..AgentProfile::default()
    }
    .validate()
    .expect_err("refused");
    assert_eq!(errors.fields(), ["max_open_leads", "weight", "areas.0"]);
    let fine = AgentProfile {
        areas: vec![" Central ".into(), "central".into()],
        ..AgentProfile::default()
    }
    .validate()
    .expect("valid");
    assert_eq!(fine.areas, ["Central"]);
}

#[test]
fn rules_profiles_and_decisions_read_back_as_written() {
    let mut r = rule("claim", Strategy::FirstToClaim { minutes: 15 });
    r.when.sources = vec![LeadSource::Instagram];
    r.when.price_max = Some(500_000);
    assert_json_round_trip(&RoutingRules {
        rules: vec![r, rule("rr", Strategy::RoundRobin)],
        response_minutes: Some(15),
    });
    assert_json_round_trip(&AgentProfile::default());
    assert_json_round_trip(&Decision::Offer {
        agents: vec![user(1)],
        minutes: 3,
    });
    let wire: RoutingRules = serde_json::from_str(
        r#"{"rules":[{"name":"a","strategy":{"kind":"first_to_claim","minutes":10}}]}"#,
    )
    .expect("reads");
    assert_eq!(
        wire.rules[0].strategy,
        Strategy::FirstToClaim { minutes: 10 }
    );
    assert!(serde_json::from_str::<RoutingRules>(
        r#"{"rules":[{"name":"a","strategy":{"kind":"fastest"}}]}"#
    )
    .is_err());
}
