use super::*;
use crate::booking::{Attendees, BookingKind};
use crate::campaign::record::{CampaignId, CampaignResult, StepCounts};
use crate::common::Priority;
use crate::contact::{Consents, ContactInput, StageChange};
use crate::ids::{BookingId, ContactId, TaskId};
use crate::task::TaskKind;
use crate::test_support::{at, user, uuid};

fn paris() -> Tz {
    "Europe/Paris".parse().expect("zone")
}

/// Monday 23 March to Monday 30 March 2026: the clocks go forward on the 29th.
fn week() -> Week {
    Week::last(at(2026, 4, 1, 10, 0), paris())
}

fn contact(n: u128, agent: u128, source: LeadSource, created: DateTime<Utc>) -> Contact {
    let input = ContactInput {
        given_name: format!("C{n}"),
        source,
        ..ContactInput::default()
    };
    let mut c = Contact::create(
        ContactId::from_uuid(uuid(n)),
        input.validate().expect("valid"),
        user(agent),
        created,
    );
    c.consent = Consents::default();
    c
}

fn task(
    n: u128,
    owner: u128,
    status: TaskStatus,
    due: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
) -> Task {
    Task {
        id: TaskId::from_uuid(uuid(n)),
        title: format!("T{n}"),
        due_at: Some(due),
        priority: Priority::Medium,
        status,
        kind: TaskKind::Day1,
        record: None,
        owner: user(owner),
        closed_at: closed,
        created_at: at(2026, 3, 1, 0, 0),
        updated_at: at(2026, 3, 1, 0, 0),
        deleted_at: None,
    }
}

fn booking(n: u128, by: u128, starts: DateTime<Utc>, status: BookingStatus) -> Booking {
    Booking {
        id: BookingId::from_uuid(uuid(n)),
        kind: BookingKind::Showing,
        title: None,
        starts_at: starts,
        ends_at: starts + chrono::Duration::hours(1),
        time_zone: "Europe/Paris".into(),
        location: None,
        attendees: Attendees::default(),
        listing: None,
        status,
        reminders: Vec::new(),
        created_by: user(by),
        created_at: at(2026, 3, 1, 0, 0),
        updated_at: at(2026, 3, 1, 0, 0),
        deleted_at: None,
    }
}

#[test]
fn last_week_is_monday_to_monday_in_the_readers_zone_across_dst() {
    let w = week();
    // 00:00 CET on the 23rd is 23:00 UTC on the 22nd; 00:00 CEST on the 30th is 22:00 UTC.
    assert_eq!(w.start, at(2026, 3, 22, 23, 0));
    assert_eq!(w.end, at(2026, 3, 29, 22, 0));
    assert!(w.contains(w.start) && !w.contains(w.end));
    // Asked on a Monday morning, it is the week that just ended.
    assert_eq!(Week::last(at(2026, 3, 30, 6, 0), paris()), w);
}

#[test]
fn the_report_counts_one_agents_week_and_a_teams() {
    let w = week();
    let inside = at(2026, 3, 25, 10, 0);
    let before = at(2026, 3, 20, 10, 0);
    let mut moved = contact(1, 1, LeadSource::Zillow, before);
    moved.stage_history.push(StageChange {
        from: Stage::Lead,
        to: Stage::Showing,
        at: inside,
        by: user(1),
    });
    moved.stage = Stage::Showing;
    let mut gone = contact(5, 1, LeadSource::Zillow, inside);
    gone.deleted_at = Some(inside);
    let mut handed = contact(6, 2, LeadSource::Referral, inside);
    handed.assigned_agent = Some(user(1));
    let contacts = vec![
        moved,
        contact(2, 1, LeadSource::Zillow, inside),
        contact(3, 1, LeadSource::WebForm, inside),
        contact(4, 2, LeadSource::Zillow, inside),
        gone,
        handed,
    ];
    let tasks = vec![
        task(10, 1, TaskStatus::Completed, before, Some(inside)),
        task(11, 1, TaskStatus::Completed, before, Some(before)),
        task(12, 1, TaskStatus::Pending, inside, None),
        task(13, 1, TaskStatus::Pending, at(2026, 4, 5, 0, 0), None),
        task(14, 2, TaskStatus::Pending, inside, None),
        task(15, 1, TaskStatus::Skipped, inside, Some(inside)),
    ];
    let mut with_ann = booking(24, 2, inside, BookingStatus::Scheduled);
    with_ann.attendees.users.push(user(1));
    let bookings = vec![
        booking(20, 1, inside, BookingStatus::Completed),
        booking(21, 1, inside, BookingStatus::Cancelled),
        booking(22, 1, at(2026, 4, 1, 9, 0), BookingStatus::Scheduled),
        booking(23, 1, at(2026, 4, 20, 9, 0), BookingStatus::Scheduled),
        with_ann,
    ];
    let spring = spring_update();
    let mut campaign = Campaign::create(
        CampaignId::from_uuid(uuid(30)),
        spring.validate().expect("valid"),
        user(1),
        before,
    );
    campaign
        .set_status(CampaignStatus::Running, before)
        .expect("launch");
    campaign.result = CampaignResult {
        enrolled: 100,
        counts: vec![
            StepCounts {
                step: 0,
                variation: "A".into(),
                sent: 45,
                opened: 20,
                refused: 5,
                ..StepCounts::default()
            },
            StepCounts {
                step: 0,
                variation: "B".into(),
                sent: 45,
                opened: 25,
                clicked: 4,
                unsubscribed: 1,
                ..StepCounts::default()
            },
        ],
        ..CampaignResult::default()
    };
    let campaigns = vec![campaign];
    let records = Records {
        contacts: &contacts,
        tasks: &tasks,
        bookings: &bookings,
        campaigns: &campaigns,
    };
    let ann = WeeklyReport::build(records, &[user(1)], w);
    assert_eq!(
        ann.new_leads, 3,
        "two of hers, one handed to her; not the deleted one"
    );
    // Most first, then in the sources' own order.
    assert_eq!(
        ann.by_source,
        vec![
            (LeadSource::WebForm, 1),
            (LeadSource::Referral, 1),
            (LeadSource::Zillow, 1)
        ]
    );
    assert_eq!(ann.follow_ups_done, 1);
    assert_eq!(ann.overdue, 1, "due before the week ended and still open");
    assert_eq!(
        ann.bookings_held, 2,
        "hers and the one she attended; not the cancelled"
    );
    assert_eq!(ann.bookings_ahead, 1);
    assert_eq!(ann.moved_to, vec![(Stage::Showing, 1)]);
    assert_eq!(ann.campaigns.len(), 1);
    let line = &ann.campaigns[0];
    assert_eq!(
        (line.sent, line.opened, line.clicked, line.refused),
        (90, 45, 4, 5)
    );
    let team = WeeklyReport::build(records, &[user(1), user(2)], w);
    assert_eq!(team.new_leads, 4);
    assert_eq!(team.overdue, 2);
    let text = ann.text("Ann", w, paris());
    assert!(
        text.starts_with("Ann: your week, 23 March to 29 March"),
        "{text}"
    );
    assert!(text.contains("- 3 new leads ("), "{text}");
    assert!(text.contains("- 1 follow-up done, 1 overdue"), "{text}");
    assert!(
        text.contains("- 2 showings and meetings held, 1 booked for the week ahead"),
        "{text}"
    );
    assert!(text.contains("- Pipeline: 1 to Showing"), "{text}");
    assert!(
        text.contains("Spring update (running): 90 sent, 45 opened, 4 clicked"),
        "{text}"
    );
    let nobody = WeeklyReport::build(records, &[user(9)], w);
    assert_eq!(nobody, WeeklyReport::default());
    assert!(nobody
        .text("Zed", w, paris())
        .contains("- No moves through the pipeline"));
}

fn spring_update() -> crate::campaign::CampaignInput {
    use crate::campaign::*;
    CampaignInput {
        name: "Spring update".into(),
        kind: CampaignKind::Broadcast,
        audience: audience::Audience {
            everyone: true,
            ..Default::default()
        },
        trigger: None,
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![
                Variation {
                    label: "A".into(),
                    percent: 50,
                    subject: "Spring".into(),
                    body: "Hi".into(),
                },
                Variation {
                    label: "B".into(),
                    percent: 50,
                    subject: "Spring is here".into(),
                    body: "Hi".into(),
                },
            ],
        }],
        schedule: Schedule::default(),
        ab: Some(AbTest::default()),
        exit: Default::default(),
    }
}

#[test]
fn the_next_report_goes_on_monday_at_eight_local() {
    let zone: Tz = "Europe/London".parse().expect("zone");
    let t = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    };
    // Wednesday 2 December 2026 → Monday 7 December, 08:00 GMT.
    assert_eq!(
        Week::next_report_at(t("2026-12-02T15:00:00Z"), zone),
        t("2026-12-07T08:00:00Z")
    );
    // Monday before eight: that morning; at eight exactly: then; after: next Monday.
    assert_eq!(
        Week::next_report_at(t("2026-12-07T07:59:00Z"), zone),
        t("2026-12-07T08:00:00Z")
    );
    assert_eq!(
        Week::next_report_at(t("2026-12-07T08:00:00Z"), zone),
        t("2026-12-07T08:00:00Z")
    );
    assert_eq!(
        Week::next_report_at(t("2026-12-07T08:00:01Z"), zone),
        t("2026-12-14T08:00:00Z")
    );
    // Summer time: 08:00 BST is 07:00 UTC.
    assert_eq!(
        Week::next_report_at(t("2027-06-09T12:00:00Z"), zone),
        t("2027-06-14T07:00:00Z")
    );
}
