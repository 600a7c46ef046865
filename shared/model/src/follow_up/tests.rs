use super::*;
use crate::ids::ContactId;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
}

fn paris() -> Tz {
    "Europe/Paris".parse().expect("zone")
}

fn dues(settings: &FollowUpSettings, created: DateTime<Utc>, zone: Tz) -> Vec<DateTime<Utc>> {
    settings
        .schedule(created, zone)
        .into_iter()
        .map(|(_, due)| due)
        .collect()
}

#[test]
fn the_default_plan_is_seed_002s() {
    let plan = FollowUpSettings::default();
    let steps: Vec<(TaskKind, u16, Priority)> = plan
        .steps
        .iter()
        .map(|s| (s.kind, s.offset_days, s.priority))
        .collect();
    assert_eq!(
        steps,
        vec![
            (TaskKind::Day1, 1, Priority::High),
            (TaskKind::Day3, 3, Priority::Medium),
            (TaskKind::Week1, 7, Priority::Medium),
            (TaskKind::Week2, 14, Priority::Low),
            (TaskKind::Month1, 30, Priority::Low),
        ]
    );
    assert!(plan.validate().is_ok());
}

#[test]
fn steps_keep_the_local_time_of_day_across_spring_forward() {
    // 09:00 in Paris on Friday 27 March 2026 (UTC+1); the clocks go forward on the 29th.
    let created = utc(2026, 3, 27, 8, 0);
    assert_eq!(
        dues(&FollowUpSettings::default(), created, paris()),
        vec![
            utc(2026, 3, 28, 8, 0), // Day 1, still winter time: 09:00 = 08:00 UTC
            utc(2026, 3, 30, 7, 0), // Day 3, summer time: 09:00 = 07:00 UTC
            utc(2026, 4, 3, 7, 0),  // Week 1
            utc(2026, 4, 10, 7, 0), // Week 2
            utc(2026, 4, 26, 7, 0), // Month 1
        ]
    );
}

#[test]
fn steps_keep_the_local_time_of_day_across_fall_back_in_new_york() {
    // 18:30 in New York on Friday 30 October 2026 (UTC-4); the clocks go back on 1 November.
    let created = utc(2026, 10, 30, 22, 30);
    let ny: Tz = "America/New_York".parse().expect("zone");
    let due = dues(&FollowUpSettings::default(), created, ny);
    assert_eq!(due[0], utc(2026, 10, 31, 22, 30)); // still EDT
    assert_eq!(due[1], utc(2026, 11, 2, 23, 30)); // EST: 18:30 = 23:30 UTC
}

#[test]
fn in_utc_a_step_is_whole_days_later() {
    let created = utc(2024, 2, 28, 0, 0);
    let due = dues(&FollowUpSettings::default(), created, Tz::UTC);
    assert_eq!(due[0], utc(2024, 2, 29, 0, 0), "leap day");
    assert_eq!(due[4], utc(2024, 3, 29, 0, 0));
}

#[test]
fn a_time_the_clocks_skip_moves_to_just_after_the_gap() {
    // 02:30 in Paris on 28 March; on the 29th 02:00-03:00 does not exist.
    let created = utc(2026, 3, 28, 1, 30);
    let due = dues(&FollowUpSettings::default(), created, paris());
    assert_eq!(due[0], utc(2026, 3, 29, 1, 0), "03:00 CEST");
    assert_eq!(due[1], utc(2026, 3, 31, 0, 30), "02:30 CEST");
}

#[test]
fn a_time_that_happens_twice_is_the_first() {
    // 02:30 in Paris on 24 October (CEST); on the 25th 02:30 happens twice.
    let created = utc(2026, 10, 24, 0, 30);
    let due = dues(&FollowUpSettings::default(), created, paris());
    assert_eq!(due[0], utc(2026, 10, 25, 0, 30), "the CEST one");
}

#[test]
fn tasks_carry_kind_priority_and_the_contact() {
    let contact = ContactId::from_uuid(uuid::Uuid::from_u128(7));
    let tasks = FollowUpSettings::default().tasks(contact, utc(2026, 1, 5, 9, 0), Tz::UTC);
    assert_eq!(tasks.len(), 5);
    for task in &tasks {
        assert!(task.validate().is_ok(), "{task:?}");
        assert_eq!(task.record, Some(RecordRef::Contact(contact)));
        assert_eq!(task.status, TaskStatus::Pending);
        assert_eq!(task.title, task.kind.label());
    }
    assert_eq!(tasks[3].priority, Priority::Low);
}

#[test]
fn an_organisations_own_plan_is_used() {
    let settings = FollowUpSettings {
        steps: vec![
            FollowUpStep {
                kind: TaskKind::Day1,
                offset_days: 0,
                priority: Priority::High,
            },
            FollowUpStep {
                kind: TaskKind::Week2,
                offset_days: 10,
                priority: Priority::Medium,
            },
        ],
        off_for: vec![LeadSource::Import],
    };
    assert!(settings.validate().is_ok());
    let due = dues(&settings, utc(2026, 6, 1, 12, 0), Tz::UTC);
    assert_eq!(due, vec![utc(2026, 6, 1, 12, 0), utc(2026, 6, 11, 12, 0)]);
    assert!(settings.applies_to(LeadSource::WebForm));
    assert!(!settings.applies_to(LeadSource::Import));
    let none = FollowUpSettings {
        steps: Vec::new(),
        off_for: Vec::new(),
    };
    assert!(!none.applies_to(LeadSource::Manual), "no steps: no plan");
}

#[test]
fn bad_plans_are_refused_with_the_step_named() {
    let step = |kind, offset_days| FollowUpStep {
        kind,
        offset_days,
        priority: Priority::Medium,
    };
    let bad = FollowUpSettings {
        steps: vec![
            step(TaskKind::Custom, 1),
            step(TaskKind::Day3, 3),
            step(TaskKind::Day3, 5),
            step(TaskKind::Week1, 4),
            step(TaskKind::Month1, 400),
        ],
        off_for: vec![LeadSource::Zillow, LeadSource::Zillow],
    };
    let errors = bad.validate().expect_err("refused");
    assert!(errors
        .for_field("steps[0]")
        .is_some_and(|m| m.contains("custom")));
    assert!(errors
        .for_field("steps[2]")
        .is_some_and(|m| m.contains("twice")));
    assert!(errors
        .for_field("steps[3]")
        .is_some_and(|m| m.contains("must come after")));
    assert!(errors
        .for_field("steps[4]")
        .is_some_and(|m| m.contains("365")));
    assert!(errors
        .for_field("off_for[1]")
        .is_some_and(|m| m.contains("twice")));
    assert!(errors.for_field("steps[1]").is_none(), "{errors}");
}

#[test]
fn an_unknown_zone_name_falls_back_to_utc() {
    assert_eq!(zone_or_utc(Some("Europe/Paris")), paris());
    assert_eq!(zone_or_utc(Some("Mars/Olympus")), Tz::UTC);
    assert_eq!(zone_or_utc(None), Tz::UTC);
}
