use super::ab::{compare, decide, Arm, CompareError, DecideWhen, Verdict};
use super::personalise::{check, render, TemplateError, Variables};
use super::split::{assign, bucket, place, Assignment, BUCKETS};
use super::trigger::{is_birthday, Event, ExitReason};
use super::*;
use crate::contact::{Contact, ContactInput, CustomValue, LeadSource, Stage};
use crate::ids::ContactId;
use crate::test_support::{assert_json_round_trip, at, user, uuid};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};

fn contact(n: u128, stage: Stage, tags: &[&str], source: LeadSource) -> Contact {
    let input = ContactInput {
        given_name: "Ada".into(),
        family_name: "Diaz".into(),
        stage,
        source,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..ContactInput::default()
    };
    Contact::create(
        ContactId::from_uuid(uuid(n)),
        input.validate().expect("valid"),
        user(1),
        at(2026, 3, 1, 9, 0),
    )
}

fn email(label: &str, percent: u8, subject: &str, body: &str) -> Variation {
    Variation {
        label: label.into(),
        percent,
        subject: subject.into(),
        body: body.into(),
    }
}

fn broadcast() -> CampaignInput {
    CampaignInput {
        name: "  Spring market update ".into(),
        kind: CampaignKind::Broadcast,
        audience: Audience {
            stages: vec![Stage::Lead, Stage::Qualified],
            tags: vec!["  Buyer ".into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![email(
                "",
                100,
                "Hi {{ first_name | default('there') }}",
                "Prices in {{ area }} moved this spring. {{ agent_name }}",
            )],
        }],
        schedule: Schedule::default(),
        ab: None,
        exit: Default::default(),
    }
}

fn fields(input: &CampaignInput) -> Vec<String> {
    match input.validate() {
        Ok(_) => Vec::new(),
        Err(e) => e.0.into_iter().map(|f| f.field).collect(),
    }
}

// ---- the campaign as written -----------------------------------------------------------------

#[test]
fn a_broadcast_is_checked_and_normalised() {
    let valid = broadcast().validate().expect("valid").into_inner();
    assert_eq!(valid.name, "Spring market update");
    assert_eq!(valid.audience.tags, vec!["buyer".to_owned()]);
    assert_eq!(valid.steps[0].variations[0].label, "A");
    assert_json_round_trip(&valid);
    crate::choice::assert_choice_names::<CampaignKind>();
    crate::choice::assert_choice_names::<StepChannel>();
    crate::choice::assert_choice_names::<CampaignStatus>();
    crate::choice::assert_choice_names::<Repeat>();
    crate::choice::assert_choice_names::<AbMetric>();
}

#[test]
fn every_problem_is_named_at_its_field() {
    let mut c = broadcast();
    c.name = " ".into();
    c.audience = Audience::default();
    c.steps.push(c.steps[0].clone());
    c.steps[0].variations[0].subject = "Hi {{ frist_name }}".into();
    let got = fields(&c);
    assert_eq!(
        got,
        vec!["name", "audience", "steps", "steps.0.variations.0.subject"]
    );
    let err = c.validate().expect_err("refused");
    let typo = err
        .for_field("steps.0.variations.0.subject")
        .expect("message");
    assert!(
        typo.contains("frist_name") && typo.contains("first_name"),
        "{typo}"
    );
}

#[test]
fn texts_and_calls_have_their_own_rules() {
    let mut c = broadcast();
    c.steps[0].channel = StepChannel::Sms;
    c.steps[0].variations[0].body = "x".repeat(SMS_MAX_CHARS + 1);
    assert_eq!(
        fields(&c),
        vec!["steps.0.variations.0.subject", "steps.0.variations.0.body"]
    );
    c.steps[0].channel = StepChannel::Call;
    c.steps[0].variations[0].subject.clear();
    c.steps[0].variations[0].body = "Ask how the viewing went".into();
    assert_eq!(fields(&c), vec!["steps.0.channel"]);
    c.kind = CampaignKind::MultiTouch;
    assert!(fields(&c).is_empty());
}

#[test]
fn variations_need_a_test_and_shares_that_add_up() {
    let mut c = broadcast();
    let body = "Hello {{ first_name }}";
    c.steps[0].variations = vec![email("A", 60, "One", body), email("A", 30, "Two", body)];
    assert_eq!(
        fields(&c),
        vec!["steps.0.variations", "steps.0.variations.1.label", "ab"]
    );
    c.steps[0].variations[1].label = "B".into();
    c.steps[0].variations[1].percent = 40;
    c.ab = Some(AbTest::default());
    assert!(fields(&c).is_empty());
    // Waiting for the winner needs a test share that leaves room, and a moment to decide.
    c.ab = Some(AbTest {
        split: Split {
            control_percent: 10,
            winner_to_rest: true,
            test_percent: 90,
        },
        ..AbTest::default()
    });
    assert_eq!(
        fields(&c),
        vec!["ab.split.test_percent", "ab.decide_after_hours"]
    );
    c.ab = Some(AbTest {
        decide_after_hours: Some(4),
        split: Split {
            control_percent: 60,
            winner_to_rest: true,
            test_percent: 20,
        },
        ..AbTest::default()
    });
    assert_eq!(fields(&c), vec!["ab.split.control_percent"]);
}

#[test]
fn sequences_start_on_triggers_and_broadcasts_do_not() {
    let mut c = broadcast();
    c.trigger = Some(Trigger::Silent { days: 0 });
    assert_eq!(fields(&c), vec!["trigger", "trigger.days"]);
    c.kind = CampaignKind::Drip;
    c.trigger = Some(Trigger::TagAdded {
        tag: "  Open House ".into(),
    });
    c.schedule.repeat = Repeat::Weekly;
    c.schedule.start = Start::At {
        local: NaiveDate::from_ymd_opt(2026, 4, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("time"),
    };
    assert_eq!(fields(&c), vec!["schedule.repeat", "schedule.start"]);
    c.schedule = Schedule::default();
    let valid = c.validate().expect("valid").into_inner();
    assert_eq!(
        valid.trigger,
        Some(Trigger::TagAdded {
            tag: "open house".into()
        })
    );
}

#[test]
fn the_status_moves_only_as_an_agent_may_move_it() {
    use CampaignStatus::*;
    assert!(Draft.can_become(Running));
    assert!(Running.can_become(Paused) && Paused.can_become(Running));
    assert!(Paused.can_become(Stopped) && Running.can_become(Stopped));
    assert!(
        !Stopped.can_become(Running),
        "a stopped campaign stays stopped"
    );
    assert!(!Draft.can_become(Finished) && !Running.can_become(Finished));
}

#[test]
fn the_cost_leaves_out_the_control_group_and_is_weighed_against_the_plan() {
    let mut c = broadcast();
    c.kind = CampaignKind::MultiTouch;
    c.steps.push(CampaignStep {
        channel: StepChannel::Sms,
        wait_days: 2,
        variations: vec![email("", 100, "", "Hi {{ first_name }}")],
    });
    c.steps.push(CampaignStep {
        channel: StepChannel::Call,
        wait_days: 3,
        variations: vec![email("", 100, "", "Call them")],
    });
    assert_eq!(
        c.cost(1_000),
        Cost {
            emails: 1_000,
            sms: 1_000,
            call_tasks: 1_000
        }
    );
    c.steps[0].variations = vec![email("A", 50, "One", "x"), email("B", 50, "Two", "y")];
    c.ab = Some(AbTest {
        split: Split {
            control_percent: 10,
            ..Split::default()
        },
        ..AbTest::default()
    });
    let cost = c.cost(1_000);
    assert_eq!((cost.emails, cost.sms), (900, 900));
    let free_emails = Plan::Free
        .allowance(Meter::Emails)
        .expect("the free plan caps email");
    let over = cost.over_allowance(Plan::Free, |m| match m {
        Meter::Emails => free_emails.saturating_sub(100),
        _ => 0,
    });
    assert!(
        over.iter()
            .any(|(m, needed, left)| *m == Meter::Emails && *needed == 900 && *left == 100),
        "{over:?}"
    );
    assert!(cost
        .over_allowance(Plan::Enterprise, |_| 1_000_000)
        .is_empty());
}

// ---- schedule ---------------------------------------------------------------------------------

fn nine_am(y: i32, m: u32, d: u32) -> Schedule {
    Schedule {
        start: Start::At {
            local: NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .expect("time"),
        },
        repeat: Repeat::Once,
    }
}

#[test]
fn a_set_time_is_the_recipients_own_and_never_in_their_past() {
    let s = nine_am(2026, 4, 1);
    let launched = at(2026, 4, 1, 6, 0);
    let ny: Tz = "America/New_York".parse().expect("zone");
    let tokyo: Tz = "Asia/Tokyo".parse().expect("zone");
    // 09:00 in New York is 13:00 UTC; in Tokyo 09:00 was 00:00 UTC, already past: next day.
    assert_eq!(s.first_send(launched, ny), at(2026, 4, 1, 13, 0));
    assert_eq!(s.first_send(launched, tokyo), at(2026, 4, 2, 0, 0));
    assert_eq!(Schedule::default().first_send(launched, ny), launched);
}

#[test]
fn a_repeating_broadcast_keeps_its_local_time_across_dst_and_month_ends() {
    let paris: Tz = "Europe/Paris".parse().expect("zone");
    let mut s = nine_am(2026, 3, 26);
    s.repeat = Repeat::Weekly;
    // 09:00 CET is 08:00 UTC; a week later, after the clocks went forward, 09:00 CEST is 07:00.
    let first = s.first_send(at(2026, 3, 20, 0, 0), paris);
    assert_eq!(first, at(2026, 3, 26, 8, 0));
    assert_eq!(s.next_after(first, paris), Some(at(2026, 4, 2, 7, 0)));
    let mut m = nine_am(2026, 1, 31);
    m.repeat = Repeat::Monthly;
    let jan = m.first_send(at(2026, 1, 1, 0, 0), paris);
    let feb = m.next_after(jan, paris).expect("february");
    let mar = m.next_after(feb, paris).expect("march");
    assert_eq!(feb, at(2026, 2, 28, 8, 0), "31 January → 28 February");
    assert_eq!(
        mar,
        at(2026, 3, 31, 7, 0),
        "back to the 31st, in summer time"
    );
    assert_eq!(nine_am(2026, 1, 31).next_after(jan, paris), None);
}

// ---- audience ---------------------------------------------------------------------------------

#[test]
fn the_audience_is_the_same_rule_everywhere() {
    let a = Audience {
        stages: vec![Stage::Lead, Stage::Qualified],
        tags: vec!["buyer".into()],
        sources: vec![LeadSource::WebForm, LeadSource::Zillow],
        min_score: Some(40),
        ..Audience::default()
    };
    let fits = contact(1, Stage::Lead, &["buyer", "vip"], LeadSource::Zillow);
    assert!(a.includes(&fits, Some(55)));
    assert!(!a.includes(&fits, Some(39)), "below the score range");
    assert!(!a.includes(&fits, None), "no score is not in a score range");
    assert!(!a.includes(
        &contact(2, Stage::Closed, &["buyer"], LeadSource::Zillow),
        Some(90)
    ));
    assert!(!a.includes(
        &contact(3, Stage::Lead, &["seller"], LeadSource::Zillow),
        Some(90)
    ));
    assert!(!a.includes(
        &contact(4, Stage::Lead, &["buyer"], LeadSource::Referral),
        Some(90)
    ));
    let mut gone = fits.clone();
    gone.deleted_at = Some(at(2026, 3, 2, 0, 0));
    assert!(!a.includes(&gone, Some(90)));
    // A pasted list is the audience on its own.
    let pasted = Audience {
        contacts: vec![ContactId::from_uuid(uuid(3))],
        ..a.clone()
    };
    assert!(pasted.includes(&contact(3, Stage::Lost, &[], LeadSource::Other), None));
    assert!(!pasted.includes(&fits, Some(90)));
    assert!(Audience {
        everyone: true,
        ..Audience::default()
    }
    .includes(&contact(9, Stage::Lost, &[], LeadSource::Other), None));
    assert_eq!(
        a.summary(),
        "Lead or Qualified, tagged buyer, from Web form or Zillow, score 40 or more"
    );
}

#[test]
fn an_audience_with_a_bad_range_or_nothing_chosen_is_refused() {
    let mut c = broadcast();
    c.audience = Audience {
        min_score: Some(80),
        max_score: Some(120),
        ..Audience::default()
    };
    assert_eq!(fields(&c), vec!["audience.max_score"]);
    c.audience.max_score = Some(10);
    match c.validate() {
        Err(e) => assert_eq!(
            e.for_field("audience.max_score"),
            Some("The highest score must not be below the lowest.")
        ),
        Ok(_) => panic!("a range upside down is refused"),
    }
    c.audience = Audience {
        tags: vec!["   ".into()],
        ..Audience::default()
    };
    assert_eq!(fields(&c), vec!["audience.tags.0", "audience"]);
}

// ---- personalisation --------------------------------------------------------------------------

#[test]
fn a_template_names_only_known_variables_and_fills_them_per_recipient() {
    let text = "Hi {{ first_name | default('there') }}, {{ property }} in {{ area }} is new.";
    assert_eq!(
        check(text).expect("known"),
        vec!["area", "first_name", "property"]
    );
    let vars = Variables {
        first_name: Some("Ada".into()),
        property: Some("12 Elm Road".into()),
        area: Some("Islington".into()),
        ..Variables::default()
    };
    assert_eq!(
        render(text, &vars).expect("filled"),
        "Hi Ada, 12 Elm Road in Islington is new."
    );
    let blank = Variables {
        first_name: Some("  ".into()),
        ..Variables::default()
    };
    assert_eq!(
        render(text, &blank).expect("filled"),
        "Hi there,  in  is new."
    );
    let used = check(text).expect("known");
    assert_eq!(blank.missing(&used), vec!["area", "first_name", "property"]);
    // Plain text: the sender escapes it once, when it writes the HTML part.
    let html = Variables {
        first_name: Some("<b>Bo</b> & co".into()),
        ..Variables::default()
    };
    assert_eq!(
        render("{{ first_name }}", &html).expect("filled"),
        "<b>Bo</b> & co"
    );
    let full = Variables {
        first_name: Some("Ada".into()),
        last_name: Some("Diaz".into()),
        ..Variables::default()
    };
    assert_eq!(
        render("{{ full_name }}", &full).expect("filled"),
        "Ada Diaz"
    );
}

#[test]
fn a_bad_template_is_refused_with_a_sentence() {
    match check("Hi {{ first_name ") {
        Err(TemplateError::Syntax(s)) => assert!(s.starts_with("Line 1:"), "{s}"),
        other => panic!("expected a syntax error, got {other:?}"),
    }
    match check("Line one\n{{ secret_key }}") {
        Err(TemplateError::Unknown { name, .. }) => assert_eq!(name, "secret_key"),
        other => panic!("expected an unknown variable, got {other:?}"),
    }
    assert_eq!(
        check(&"x".repeat(personalise::TEMPLATE_MAX_CHARS + 1)),
        Err(TemplateError::TooLong)
    );
    // Functions are not variables: `range` is refused like any unknown name.
    assert!(matches!(
        check("{% for i in range(9) %}x{% endfor %}"),
        Err(TemplateError::Unknown { name, .. }) if name == "range"
    ));
    // A million turns of a loop over text written into the template: well-formed, and stopped
    // by the fuel limit, not by the sender's patience.
    let text = "x".repeat(1_000);
    let bomb =
        format!("{{% for a in '{text}' %}}{{% for b in '{text}' %}}y{{% endfor %}}{{% endfor %}}");
    assert!(check(&bomb).is_ok(), "it is a well-formed template");
    assert_eq!(
        render(&bomb, &Variables::default()),
        Err(TemplateError::TooMuchWork)
    );
}

// ---- split ------------------------------------------------------------------------------------

#[test]
fn the_bucket_is_frozen() {
    // Computed independently (the same FNV-1a + fmix64 written in Python): if these move,
    // recipients already in a test would change variation mid-campaign.
    assert_eq!(bucket(uuid(1), uuid(2)), 9443);
    assert_eq!(bucket(uuid(1), uuid(3)), 5011);
    assert_eq!(bucket(uuid(0xabc), uuid(0xdef)), 6165);
    assert_eq!(bucket(uuid(1 << 127), uuid(12345)), 3000);
}

#[test]
fn the_split_matches_its_shares_over_many_recipients() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let campaign = uuid(77);
    let split = Split {
        control_percent: 10,
        ..Split::default()
    };
    let percents = [25, 25, 25, 25];
    let n = 100_000;
    let mut counts = [0u32; 5];
    for _ in 0..n {
        let contact = uuid::Uuid::from_u128(rng.random());
        match assign(campaign, contact, &split, &percents) {
            Assignment::Control => counts[4] += 1,
            Assignment::Variation(i) => counts[i] += 1,
            Assignment::Rest => panic!("no rest without winner_to_rest"),
        }
        assert_eq!(
            assign(campaign, contact, &split, &percents),
            assign(campaign, contact, &split, &percents),
            "the same recipient always gets the same variation"
        );
    }
    // 22.5% each and 10% control, within half a point (about five standard errors).
    for (i, want) in [(0, 22.5), (1, 22.5), (2, 22.5), (3, 22.5), (4, 10.0)] {
        let got = f64::from(counts[i]) * 100.0 / f64::from(n);
        assert!((got - want).abs() < 0.5, "share {i}: {got}% (want {want}%)");
    }
}

#[test]
fn every_bucket_has_a_place_and_the_rest_waits_for_the_winner() {
    let split = Split {
        control_percent: 10,
        winner_to_rest: true,
        test_percent: 20,
    };
    let percents = [34, 33, 33];
    let mut seen = std::collections::BTreeMap::new();
    for b in 0..BUCKETS {
        *seen.entry(place(b, &split, &percents)).or_insert(0u32) += 1;
    }
    assert_eq!(seen[&Assignment::Control], 1_000);
    assert_eq!(seen[&Assignment::Rest], 7_000);
    assert_eq!(
        seen[&Assignment::Variation(0)]
            + seen[&Assignment::Variation(1)]
            + seen[&Assignment::Variation(2)],
        2_000
    );
    assert_eq!(seen[&Assignment::Variation(0)], 680);
    // No test: everyone gets the one variation.
    assert!((0..BUCKETS).all(|b| place(b, &Split::default(), &[100]) == Assignment::Variation(0)));
}

// ---- A/B verdicts -----------------------------------------------------------------------------

fn arm(successes: u64, sent: u64) -> Arm {
    Arm { sent, successes }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_two_proportion_test_matches_an_independent_computation() {
    // Expected values from Python's math.erfc on the same formulas.
    let c = compare(arm(200, 1000), arm(150, 1000), Confidence::NinetyFive).expect("comparable");
    assert!(close(c.z, 2.942_449_431_682_5), "{c:?}");
    assert!(close(c.p_value, 0.003_256_269_628_412_063_3), "{c:?}");
    assert!(close(c.low, 0.016_767_193_754_520_82), "{c:?}");
    assert!(close(c.high, 0.083_232_806_245_479_21), "{c:?}");
    let small = compare(arm(12, 100), arm(10, 100), Confidence::NinetyFive).expect("comparable");
    assert!(close(small.p_value, 0.651_280_066_104_175_3), "{small:?}");
    assert!(small.low < 0.0 && small.high > 0.0);
    assert_eq!(
        compare(arm(0, 0), arm(1, 10), Confidence::NinetyFive),
        Err(CompareError::Empty)
    );
    assert_eq!(
        compare(arm(11, 10), arm(1, 10), Confidence::NinetyFive),
        Err(CompareError::Impossible)
    );
    let same = compare(arm(0, 50), arm(0, 50), Confidence::NinetyFive).expect("comparable");
    assert_eq!((same.z, same.p_value), (0.0, 1.0));
}

#[test]
fn a_winner_is_named_only_when_the_time_the_sample_and_the_evidence_allow() {
    let now = at(2026, 4, 2, 12, 0);
    let when = DecideWhen {
        not_before: Some(at(2026, 4, 2, 13, 0)),
        min_per_variation: 500,
    };
    let clear = [arm(200, 1000), arm(150, 1000)];
    let conf = Confidence::NinetyFive;
    assert!(matches!(
        decide(&clear, when, conf, now),
        Ok(Verdict::Waiting { .. })
    ));
    let later = at(2026, 4, 2, 14, 0);
    let few = [arm(20, 100), arm(15, 100)];
    match decide(&few, when, conf, later) {
        Ok(Verdict::Waiting { reason }) => assert!(reason.contains("500"), "{reason}"),
        other => panic!("expected waiting, got {other:?}"),
    }
    let verdict = decide(&clear, when, conf, later).expect("decides");
    assert!(
        matches!(
            verdict,
            Verdict::Winner {
                winner: 0,
                against: 1,
                ..
            }
        ),
        "{verdict:?}"
    );
    let sentence = verdict.sentence(AbMetric::Open, &["A", "B"], conf);
    assert!(
        sentence.starts_with("A wins: 20.0% open rate against 15.0% for B"),
        "{sentence}"
    );
    // B leads but not clearly: no winner, and the sentence says so.
    let close_call = [arm(100, 1000), arm(110, 1000)];
    let verdict = decide(&close_call, DecideWhen::default(), conf, later).expect("decides");
    assert!(
        matches!(verdict, Verdict::NotSignificant { leader: 1, .. }),
        "{verdict:?}"
    );
    assert!(verdict
        .sentence(AbMetric::Click, &["A", "B"], conf)
        .starts_with("Not significant yet: B leads with a 11.0% click rate"));
}

#[test]
fn more_variations_need_stronger_evidence() {
    // 12.8% against 10.0% on 1,000 each: p ≈ 0.049, a win with two variations at 95%, but not
    // with three, where each comparison must pass at 0.025.
    let conf = Confidence::NinetyFive;
    let now = at(2026, 4, 2, 0, 0);
    let two = [arm(128, 1000), arm(100, 1000)];
    assert!(matches!(
        decide(&two, DecideWhen::default(), conf, now),
        Ok(Verdict::Winner { .. })
    ));
    let three = [arm(128, 1000), arm(100, 1000), arm(60, 1000)];
    assert!(matches!(
        decide(&three, DecideWhen::default(), conf, now),
        Ok(Verdict::NotSignificant {
            leader: 0,
            against: 1,
            ..
        })
    ));
}

#[test]
fn identical_variations_are_called_different_about_as_often_as_alpha_says() {
    // 2,000 A/A tests of 500 recipients each at a 20% rate: at 95% confidence about 5% should
    // (wrongly) find a winner. Far more would mean the test cries wolf; far fewer, that it
    // never finds anything.
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let runs = 2_000;
    let mut wins = 0;
    for _ in 0..runs {
        let mut draw = || (0..500).filter(|_| rng.random_bool(0.2)).count() as u64;
        let arms = [arm(draw(), 500), arm(draw(), 500)];
        if let Ok(Verdict::Winner { .. }) = decide(
            &arms,
            DecideWhen::default(),
            Confidence::NinetyFive,
            at(2026, 1, 1, 0, 0),
        ) {
            wins += 1;
        }
    }
    let rate = f64::from(wins) / f64::from(runs);
    assert!((0.03..=0.07).contains(&rate), "false winner rate {rate}");
}

// ---- triggers and exits ------------------------------------------------------------------------

#[test]
fn triggers_fire_once_per_occasion() {
    let before = contact(1, Stage::Lead, &[], LeadSource::Zillow);
    let mut after = before.clone();
    after.tags.insert("open house".into());
    after.updated_at = at(2026, 3, 5, 10, 0);
    let tag = Trigger::TagAdded {
        tag: "open house".into(),
    };
    let first = tag.fires(Event::Changed {
        before: Some(&before),
        after: &after,
    });
    assert!(first.is_some());
    assert_eq!(
        tag.fires(Event::Changed {
            before: Some(&after),
            after: &after
        }),
        None,
        "the tag was already there"
    );
    let mut showing = after.clone();
    showing.stage = Stage::Showing;
    let stage = Trigger::StageReached {
        stage: Stage::Showing,
    };
    assert!(stage
        .fires(Event::Changed {
            before: Some(&after),
            after: &showing
        })
        .is_some());
    assert!(stage
        .fires(Event::Changed {
            before: Some(&showing),
            after: &showing
        })
        .is_none());
    let zillow = Trigger::NewLead {
        source: Some(LeadSource::Zillow),
    };
    assert_eq!(
        zillow.fires(Event::Changed {
            before: None,
            after: &before
        }),
        Some("new".to_owned())
    );
    assert!(zillow
        .fires(Event::Changed {
            before: Some(&before),
            after: &after
        })
        .is_none());
    let booking = uuid::Uuid::from_u128(5);
    assert_eq!(
        Trigger::BookingCompleted.fires(Event::BookingCompleted {
            contact: &before,
            booking
        }),
        Some(format!("booking:{booking}"))
    );
    assert!(Trigger::ListingMatch
        .fires(Event::BookingCompleted {
            contact: &before,
            booking
        })
        .is_none());
}

#[test]
fn birthdays_and_silences_fire_on_the_day() {
    let mut c = contact(1, Stage::Lead, &[], LeadSource::Referral);
    let born = NaiveDate::from_ymd_opt(1988, 2, 29).expect("date");
    c.custom_fields
        .insert("birthday".into(), CustomValue::Date(born));
    let birthday = Trigger::Birthday {
        field: "birthday".into(),
    };
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    assert!(
        is_birthday(born, day(2027, 2, 28)),
        "28 February in a common year"
    );
    assert!(
        !is_birthday(born, day(2028, 2, 28)),
        "29 February in a leap year"
    );
    assert_eq!(
        birthday.fires(Event::Daily {
            contact: &c,
            today: day(2027, 2, 28)
        }),
        Some("birthday:2027".to_owned())
    );
    let silent = Trigger::Silent { days: 30 };
    c.last_contacted_at = Some(at(2026, 3, 1, 18, 0));
    assert!(silent
        .fires(Event::Daily {
            contact: &c,
            today: day(2026, 3, 30)
        })
        .is_none());
    let key = silent.fires(Event::Daily {
        contact: &c,
        today: day(2026, 3, 31),
    });
    assert!(key.is_some());
    assert_eq!(
        key,
        silent.fires(Event::Daily {
            contact: &c,
            today: day(2026, 4, 9)
        }),
        "the same silence is one occasion"
    );
}

#[test]
fn a_contact_leaves_on_reply_unsubscribe_or_a_chosen_stage() {
    let rules = ExitRules::default();
    let mut c = contact(1, Stage::Qualified, &[], LeadSource::Referral);
    assert_eq!(rules.exit(&c, false, false), None);
    assert_eq!(rules.exit(&c, true, false), Some(ExitReason::Replied));
    assert_eq!(rules.exit(&c, true, true), Some(ExitReason::Unsubscribed));
    c.stage = Stage::Closed;
    assert_eq!(
        rules.exit(&c, false, false),
        Some(ExitReason::ReachedStage(Stage::Closed))
    );
    let keep_on_reply = ExitRules {
        on_reply: false,
        on_stages: Vec::new(),
    };
    assert_eq!(keep_on_reply.exit(&c, true, false), None);
    assert_eq!(
        keep_on_reply.exit(&c, false, true),
        Some(ExitReason::Unsubscribed),
        "unsubscribing always ends it"
    );
}

#[test]
fn a_launch_needs_someone_to_send_to_a_time_to_come_and_the_allowance() {
    let paris: Tz = "Europe/Paris".parse().expect("zone");
    let now = at(2026, 4, 1, 12, 0);
    let free_emails = Plan::Free.allowance(Meter::Emails).expect("a cap");
    let ctx = |audience_size: u64, used: u64| LaunchContext {
        audience_size,
        now,
        zone: paris,
        plan: Plan::Free,
        used: move |m: Meter| if m == Meter::Emails { used } else { 0 },
    };
    let c = broadcast();
    assert_eq!(c.launch_check(&ctx(10, 0)), Ok(()));
    let empty = c.launch_check(&ctx(0, 0)).expect_err("nobody");
    assert_eq!(empty.fields(), vec!["audience"]);
    // A sequence on a trigger may start empty: contacts join as the trigger fires.
    let mut drip = broadcast();
    drip.kind = CampaignKind::Drip;
    drip.trigger = Some(Trigger::NewLead { source: None });
    assert_eq!(drip.launch_check(&ctx(0, 0)), Ok(()));
    // 09:00 Paris on 1 April has passed at 12:00 UTC; 15:00 has not.
    let mut morning = broadcast();
    morning.schedule = nine_am(2026, 4, 1);
    let passed = morning.launch_check(&ctx(10, 0)).expect_err("passed");
    let said = passed.for_field("schedule.start").expect("message");
    assert!(
        said.starts_with("1 April 2026, 09:00 has already passed"),
        "{said}"
    );
    morning.schedule.start = Start::At {
        local: NaiveDate::from_ymd_opt(2026, 4, 1)
            .and_then(|d| d.and_hms_opt(15, 0, 0))
            .expect("time"),
    };
    assert_eq!(morning.launch_check(&ctx(10, 0)), Ok(()));
    // Over the allowance: how far, in words.
    let over = c
        .launch_check(&ctx(120, free_emails - 20))
        .expect_err("over");
    let said = over.for_field("steps").expect("message");
    assert!(
        said.starts_with("This needs 120 emails; the Free plan has 20 left this month (100 over)."),
        "{said}"
    );
}
