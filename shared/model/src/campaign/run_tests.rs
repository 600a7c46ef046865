use super::ab::Verdict;
use super::record::{Campaign, CampaignId, StepCounts, StepWinner};
use super::run::*;
use super::trigger::{ExitReason, ExitRules};
use super::*;
use crate::contact::{Consent, ConsentStatus, Contact, ContactInput, Stage};
use crate::ids::ContactId;
use crate::message::{MessageEvent, MessageEventKind, MessageResult, MessageStatus};
use crate::test_support::{at, user, uuid};
use chrono::NaiveDate;

fn step(wait_days: u16, labels: &[(&str, u8)]) -> CampaignStep {
    CampaignStep {
        channel: StepChannel::Email,
        wait_days,
        variations: labels
            .iter()
            .map(|(label, percent)| Variation {
                label: (*label).into(),
                percent: *percent,
                subject: format!("Subject {label}"),
                body: "Hi {{ first_name }}".into(),
            })
            .collect(),
    }
}

fn drip(ab: Option<AbTest>) -> Campaign {
    campaign(ab, false)
}

/// A one-step broadcast (a test that can send its winner to the rest), or a three-step drip.
fn campaign(ab: Option<AbTest>, broadcast: bool) -> Campaign {
    let input = CampaignInput {
        name: "Spring drip".into(),
        kind: if broadcast {
            CampaignKind::Broadcast
        } else {
            CampaignKind::Drip
        },
        audience: Audience {
            everyone: true,
            ..Audience::default()
        },
        trigger: None,
        steps: if ab.is_some() && broadcast {
            vec![step(0, &[("A", 50), ("B", 50)])]
        } else if ab.is_some() {
            vec![
                step(0, &[("A", 50), ("B", 50)]),
                step(3, &[("", 100)]),
                step(7, &[("", 100)]),
            ]
        } else {
            vec![
                step(0, &[("", 100)]),
                step(3, &[("", 100)]),
                step(7, &[("", 100)]),
            ]
        },
        schedule: Schedule {
            start: Start::At {
                local: NaiveDate::from_ymd_opt(2026, 3, 27)
                    .and_then(|d| d.and_hms_opt(9, 0, 0))
                    .expect("time"),
            },
            repeat: Repeat::Once,
        },
        ab,
        exit: ExitRules {
            on_reply: true,
            on_stages: vec![Stage::Closed],
        },
    };
    let mut c = Campaign::create(
        CampaignId::from_uuid(uuid(77)),
        input.validate().expect("valid"),
        user(1),
        at(2026, 3, 20, 0, 0),
    );
    c.set_status(CampaignStatus::Running, at(2026, 3, 26, 12, 0))
        .expect("launch");
    c
}

fn test(control: u8, to_rest: bool, test_percent: u8) -> AbTest {
    AbTest {
        metric: AbMetric::Open,
        confidence: Default::default(),
        decide_after_hours: Some(24),
        min_per_variation: 100,
        split: Split {
            control_percent: control,
            winner_to_rest: to_rest,
            test_percent,
        },
    }
}

fn person(n: u128) -> Contact {
    Contact::create(
        ContactId::from_uuid(uuid(n)),
        ContactInput {
            given_name: "Lena".into(),
            ..ContactInput::default()
        }
        .validate()
        .expect("valid"),
        user(1),
        at(2026, 3, 1, 9, 0),
    )
}

#[test]
fn each_step_keeps_the_recipients_local_time_across_a_clock_change() {
    let c = drip(Some(test(0, false, 0)));
    let paris: chrono_tz::Tz = "Europe/Paris".parse().expect("zone");
    let times = step_times(&c.spec, c.launched_at.expect("launched"), paris);
    // 09:00 CET on 27 March is 08:00 UTC; three days later it is summer time: 07:00 UTC.
    assert_eq!(
        times,
        vec![
            at(2026, 3, 27, 8, 0),
            at(2026, 3, 30, 7, 0),
            at(2026, 4, 6, 7, 0)
        ]
    );
}

#[test]
fn the_control_group_gets_nothing_at_any_step_and_the_rest_waits_for_the_winner() {
    // A drip testing its first step on everyone but a control group.
    let d = drip(Some(test(10, false, 0)));
    for n in 0..500u128 {
        let id = ContactId::from_uuid(uuid(1_000 + n));
        let first = plan_for(&d, 0, id).expect("step");
        let later = plan_for(&d, 1, id).expect("step");
        match first {
            StepPlan::Control => assert_eq!(later, StepPlan::Control),
            StepPlan::Send(_) => {
                assert_eq!(
                    later,
                    StepPlan::Send(0),
                    "one version goes to all the others"
                )
            }
            StepPlan::WaitForWinner => panic!("a sequence tests on everyone"),
        }
    }
    let mut c = campaign(Some(test(10, true, 20)), true);
    let mut seen = std::collections::BTreeMap::new();
    for n in 0..2_000u128 {
        let id = ContactId::from_uuid(uuid(1_000 + n));
        let first = plan_for(&c, 0, id).expect("step");
        *seen.entry(format!("{first:?}")).or_insert(0u32) += 1;
    }
    assert!(seen["WaitForWinner"] > 1_200, "{seen:?}");
    assert!(seen["Control"] > 100 && seen["Control"] < 300, "{seen:?}");
    // The test names B: the rest get B, the test group keeps what it had.
    c.result.winners.push(StepWinner {
        step: 0,
        variation: "B".into(),
        decided_at: at(2026, 3, 28, 9, 0),
    });
    assert_eq!(winner(&c, 0), Some(1));
    for n in 0..2_000u128 {
        let id = ContactId::from_uuid(uuid(1_000 + n));
        assert_ne!(plan_for(&c, 0, id), Some(StepPlan::WaitForWinner));
    }
    assert_eq!(plan_for(&c, 9, ContactId::from_uuid(uuid(1))), None);
    // Without a test: everyone gets the first (only) variation.
    let plain = drip(None);
    assert_eq!(
        plan_for(&plain, 0, ContactId::from_uuid(uuid(5))),
        Some(StepPlan::Send(0))
    );
}

#[test]
fn a_recipient_leaves_after_the_first_step_on_reply_unsubscribe_or_stage() {
    let c = drip(None);
    let mut lena = person(1);
    assert_eq!(leaves(&c.spec, 1, &lena, false), None);
    assert_eq!(
        leaves(&c.spec, 0, &lena, true),
        None,
        "the first step always goes"
    );
    assert_eq!(leaves(&c.spec, 1, &lena, true), Some(ExitReason::Replied));
    lena.consent.email = Consent {
        status: ConsentStatus::Denied,
        ..Consent::default()
    };
    assert_eq!(
        leaves(&c.spec, 2, &lena, false),
        Some(ExitReason::Unsubscribed)
    );
    let mut sold = person(2);
    sold.stage = Stage::Closed;
    assert_eq!(
        leaves(&c.spec, 1, &sold, false),
        Some(ExitReason::ReachedStage(Stage::Closed))
    );
}

fn result(status: MessageStatus, events: &[MessageEventKind]) -> MessageResult {
    MessageResult {
        status,
        events: events
            .iter()
            .map(|kind| MessageEvent {
                at: at(2026, 3, 27, 10, 0),
                kind: *kind,
                url: None,
                user_agent: None,
                provider_event: None,
            })
            .collect(),
        ..MessageResult::queued()
    }
}

#[test]
fn each_outcome_counts_where_it_belongs() {
    use MessageEventKind as E;
    use MessageStatus as S;
    let mut c = StepCounts::default();
    count(&mut c, &result(S::Queued, &[]), false, false);
    count(&mut c, &result(S::Refused, &[]), false, false);
    count(&mut c, &result(S::Sent, &[]), false, false);
    count(
        &mut c,
        &result(S::Clicked, &[E::Delivered, E::Clicked]),
        true,
        false,
    );
    // A bounce after an open is still an open and a bounce.
    count(
        &mut c,
        &result(S::Bounced, &[E::Opened, E::Bounced]),
        false,
        true,
    );
    count(
        &mut c,
        &result(S::Delivered, &[E::Unsubscribed]),
        false,
        false,
    );
    assert_eq!(
        (c.sent, c.delivered, c.opened, c.clicked, c.bounced),
        (4, 2, 2, 1, 1)
    );
    assert_eq!(
        (c.refused, c.replied, c.bookings, c.unsubscribed),
        (1, 1, 1, 1)
    );
}

#[test]
fn the_verdict_waits_for_its_time_then_names_the_winner_or_says_not_yet() {
    let c = campaign(Some(test(0, true, 20)), true);
    let sent_at = at(2026, 3, 27, 8, 0);
    let figures = |a: (u64, u64), b: (u64, u64)| {
        vec![
            StepCounts {
                step: 0,
                variation: "A".into(),
                sent: a.0,
                opened: a.1,
                ..StepCounts::default()
            },
            StepCounts {
                step: 0,
                variation: "B".into(),
                sent: b.0,
                opened: b.1,
                ..StepCounts::default()
            },
        ]
    };
    let strong = figures((500, 100), (500, 160));
    let early = verdict(&c, 0, &strong, sent_at, at(2026, 3, 27, 20, 0));
    assert!(
        matches!(early, Some(Ok(Verdict::Waiting { .. }))),
        "{early:?}"
    );
    let late = at(2026, 3, 28, 9, 0);
    match verdict(&c, 0, &strong, sent_at, late) {
        Some(Ok(Verdict::Winner { winner, .. })) => assert_eq!(winner, 1),
        other => panic!("{other:?}"),
    }
    let tie = figures((500, 120), (500, 120));
    assert!(matches!(
        verdict(&c, 0, &tie, sent_at, late),
        Some(Ok(Verdict::NotSignificant { .. }))
    ));
    let d = drip(Some(test(0, false, 0)));
    assert!(
        verdict(&d, 1, &strong, sent_at, late).is_none(),
        "one version: no test"
    );
}

#[test]
fn a_birthday_sequence_starts_at_nine_local_and_others_at_once() {
    use crate::campaign::trigger::Trigger;
    let zone: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let birthday = Trigger::Birthday {
        field: "birthday".into(),
    };
    // 05:10 in New York (EST, UTC-5) on 2027-01-15.
    let early = chrono::DateTime::parse_from_rfc3339("2027-01-15T10:10:00Z")
        .expect("t")
        .with_timezone(&chrono::Utc);
    assert_eq!(
        birthday.starts(early, zone).to_rfc3339(),
        "2027-01-15T14:00:00+00:00"
    );
    // After nine it goes now, and every other trigger starts at once.
    let late = early + chrono::Duration::hours(6);
    assert_eq!(birthday.starts(late, zone), late);
    assert_eq!(Trigger::Silent { days: 30 }.starts(early, zone), early);
    assert!(Trigger::TagAdded { tag: "vip".into() }.is_stateful());
    assert!(!birthday.is_stateful());
}

#[test]
fn a_campaign_that_keeps_enrolling_cannot_choose_by_score() {
    use crate::campaign::audience::Audience;
    use crate::campaign::trigger::Trigger;
    use crate::plan::Plan;
    let input = CampaignInput {
        name: "Hot".into(),
        kind: CampaignKind::Drip,
        audience: Audience {
            min_score: Some(70),
            ..Audience::default()
        },
        trigger: Some(Trigger::TagAdded { tag: "hot".into() }),
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![Variation {
                label: "A".into(),
                percent: 100,
                subject: "Hi".into(),
                body: "Hello".into(),
            }],
        }],
        schedule: Schedule::default(),
        ab: None,
        exit: Default::default(),
    };
    let ctx = LaunchContext {
        audience_size: 3,
        now: at(2027, 1, 4, 9, 0),
        zone: chrono_tz::UTC,
        plan: Plan::Enterprise,
        used: |_| 0,
    };
    let errors = input.launch_check(&ctx).expect_err("refused");
    assert_eq!(errors.0[0].field, "audience.min_score");
    let once = CampaignInput {
        trigger: None,
        ..input
    };
    assert!(
        once.launch_check(&ctx).is_ok(),
        "a one-off launches by score"
    );
}

#[test]
fn a_pasted_list_is_matched_by_email_phone_or_name_once_per_line() {
    use crate::campaign::audience::{pasted_key, pasted_lines};
    use crate::contact::MatchKey;
    let lines = pasted_lines(
        "ada@example.com,\n\n  Bo Lee ;\nADA@example.com\n+1 (555) 010-0222\nMadonna\n",
    );
    assert_eq!(
        lines,
        ["ada@example.com", "Bo Lee", "+1 (555) 010-0222", "Madonna"]
    );
    assert_eq!(
        pasted_key("Ada@Example.com"),
        Some(MatchKey::Email("ada@example.com".into()))
    );
    assert_eq!(
        pasted_key("+1 (555) 010-0222"),
        Some(MatchKey::Phone("5550100222".into()))
    );
    assert_eq!(
        pasted_key("Mary Ann  Lee"),
        Some(MatchKey::Name("mary ann lee".into()))
    );
    // One word names nobody for sure.
    assert_eq!(pasted_key("Madonna"), None);
}
