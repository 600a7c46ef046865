//! The broker's Team screen numbers on the device (issue 15): each agent's new and open leads,
//! appointments set, deals closed and lost, and first-response time over a period, counted by
//! assigned agent (else owner), with deleted contacts left out.

mod support;

use fieldstone_model::{BookingStatus, Channel, Direction, Stage, UserId};
use fieldstone_replica::RememberedMember;
use support::*;

fn agent(n: u8) -> UserId {
    format!("00000000-0000-4000-8000-0000000002{n:02}")
        .parse()
        .expect("agent id")
}

#[test]
fn each_agent_is_counted_over_the_period_by_assigned_agent_else_owner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    let (ana, ben) = (agent(1), agent(2));

    // Before the period: an old lead of Ana's, still open, and one she closes in the period.
    r.create_contact(&person("Old", "Open"), ana).expect("old");
    let won = r.create_contact(&person("Won", "Deal"), ana).expect("won");
    clock.set(t(10 * 24 * 60));
    let from = t(10 * 24 * 60 - 1);

    // In the period: Ana gets two new leads, one answered by a call an hour later.
    let fast = r
        .create_contact(&person("Fast", "Reply"), ana)
        .expect("fast");
    clock.set(t(10 * 24 * 60 + 60));
    let mut reply = call(fast.id, t(10 * 24 * 60 + 60), "Called back");
    reply.direction = Direction::Outbound;
    r.log_interaction(&reply, ana).expect("call");
    let waiting = r
        .create_contact(&person("No", "Reply"), ana)
        .expect("waiting");
    // An inbound message is the lead talking, not the agent answering.
    let mut inbound = call(waiting.id, t(10 * 24 * 60 + 61), "Any news?");
    inbound.direction = Direction::Inbound;
    inbound.channel = Channel::Sms;
    inbound.duration_seconds = None;
    r.log_interaction(&inbound, ana).expect("inbound");
    r.set_contact_stage(&won.id, Stage::Closed, ana)
        .expect("closed");

    // Ben: a lead created by Ana but assigned to him (his, not hers), then lost; a showing he
    // set and one cancelled.
    let mut handed = person("Handed", "Over");
    handed.assigned_agent = Some(ben);
    let handed = r.create_contact(&handed, ana).expect("handed");
    r.set_contact_stage(&handed.id, Stage::Lost, ben)
        .expect("lost");
    r.create_booking(&showing(vec![handed.id], t(11 * 24 * 60), 30), ben)
        .expect("showing");
    let mut cancelled = showing(vec![handed.id], t(12 * 24 * 60), 30);
    cancelled.status = BookingStatus::Cancelled;
    r.create_booking(&cancelled, ben).expect("cancelled");
    // A deleted lead counts for nobody.
    let gone = r
        .create_contact(&person("Gone", "Away"), ben)
        .expect("gone");
    r.soft_delete_contact(&gone.id).expect("delete");

    let to = t(20 * 24 * 60);
    // The response-time target's cut-off falls after "No Reply" arrived: she is late.
    let counts = r
        .team_counts(from, to, Some(t(10 * 24 * 60 + 120)))
        .expect("counts");
    let a = &counts[&ana];
    assert_eq!(a.new_leads, 2, "{a:?}");
    assert_eq!(a.open_leads, 3, "old, fast and waiting: {a:?}");
    assert_eq!((a.deals_closed, a.deals_lost), (1, 0), "{a:?}");
    assert_eq!((a.responded, a.awaiting_response), (1, 1), "{a:?}");
    assert_eq!(a.response_ms_total, 60 * 60 * 1000, "{a:?}");
    assert_eq!(a.late, 1, "{a:?}");
    let early_cut = r
        .team_counts(from, to, Some(t(10 * 24 * 60 + 30)))
        .expect("counts");
    assert_eq!(early_cut[&ana].late, 0, "she arrived after the cut-off");
    assert_eq!(a.appointments, 0);
    let b = &counts[&ben];
    assert_eq!(b.new_leads, 1, "the handed-over lead only: {b:?}");
    assert_eq!(
        (b.open_leads, b.deals_closed, b.deals_lost),
        (0, 0, 1),
        "{b:?}"
    );
    assert_eq!(
        b.appointments, 1,
        "the cancelled showing is not counted: {b:?}"
    );

    // A period after all this: nothing new, the open leads still open.
    let later = r
        .team_counts(t(30 * 24 * 60), t(40 * 24 * 60), None)
        .expect("later");
    assert_eq!(later[&ana].new_leads, 0);
    assert_eq!(later[&ana].open_leads, 3);
    assert_eq!(later[&ana].deals_closed, 0);

    // The team pipeline: open leads only, one agent's or everyone's.
    let all = r.team_pipeline(None).expect("pipeline");
    let names: Vec<&str> = all.iter().map(|l| l.name.as_str()).collect();
    assert!(
        names.contains(&"Old Open") && names.contains(&"No Reply"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"Won Deal") && !names.contains(&"Gone Away"),
        "{names:?}"
    );
    assert!(r.team_pipeline(Some(ben)).expect("ben's").is_empty());
    let replied: Vec<(&str, bool)> = all.iter().map(|l| (l.name.as_str(), l.replied)).collect();
    assert!(replied.contains(&("Fast Reply", true)), "{replied:?}");
    assert!(replied.contains(&("No Reply", false)), "{replied:?}");
    assert_eq!(r.team_pipeline(Some(ana)).expect("ana's").len(), 3);
}

#[test]
fn the_member_list_is_remembered_for_offline_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let path = dir.path().join("r.db");
    let r = open(&path, &clock);
    assert_eq!(r.remembered_team().expect("none yet"), None);
    let members = vec![RememberedMember {
        user_id: agent(1),
        name: "Ana Agent".into(),
        takes_leads: true,
    }];
    r.remember_team(&members).expect("remember");
    r.remember_response_target(Some(15)).expect("target");
    drop(r);
    let r = open(&path, &clock);
    assert_eq!(r.remembered_team().expect("kept"), Some(members));
    assert_eq!(r.remembered_response_target().expect("kept"), Some(15));
    r.remember_response_target(None).expect("cleared");
    assert_eq!(r.remembered_response_target().expect("none"), None);
}

#[test]
fn leads_handed_to_an_agent_are_those_someone_else_owns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    let (ana, ben) = (agent(1), agent(2));
    // Ben's own lead, assigned to himself: typed in by him, nothing to announce.
    let mut own = person("Own", "Lead");
    own.assigned_agent = Some(ben);
    r.create_contact(&own, ben).expect("own");
    // Ana's lead given to Ben: announced. One given and then lost: not open any more.
    let mut given = person("Given", "Lead");
    given.assigned_agent = Some(ben);
    let given = r.create_contact(&given, ana).expect("given");
    let mut lost = person("Lost", "Lead");
    lost.assigned_agent = Some(ben);
    let lost = r.create_contact(&lost, ana).expect("lost");
    r.set_contact_stage(&lost.id, Stage::Lost, ben)
        .expect("lost");
    let handed = r.leads_handed_to(ben, 10).expect("handed");
    let ids: Vec<_> = handed.iter().map(|l| l.contact).collect();
    assert_eq!(ids, [given.id]);
    assert!(r.leads_handed_to(ana, 10).expect("ana's").is_empty());
}

#[test]
fn a_leads_records_are_listed_for_a_reassignment_and_no_one_elses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    let ana = agent(1);
    let lead = r
        .create_contact(&person("Lena", "Lead"), ana)
        .expect("lead");
    let other = r
        .create_contact(&person("Otto", "Other"), ana)
        .expect("other");
    let call = r
        .log_interaction(&call(lead.id, t(1), "Talked"), ana)
        .expect("call");
    let kept = r
        .create_note(&note(lead.id, "Wants a garden"), ana)
        .expect("note");
    let gone = r.create_note(&note(lead.id, "Typo"), ana).expect("note");
    r.soft_delete_note(&gone.id).expect("delete");
    let todo = r
        .create_task(
            &task(
                "Send plans",
                Some(t(60)),
                Some(fieldstone_model::RecordRef::Contact(lead.id)),
            ),
            ana,
        )
        .expect("task");
    let visit = r
        .create_booking(&showing(vec![lead.id, other.id], t(120), 30), ana)
        .expect("booking");
    r.create_note(&note(other.id, "Otto's"), ana)
        .expect("other note");

    let mut listed: Vec<String> = r
        .records_about_contact(lead.id)
        .expect("records")
        .iter()
        .map(|d| d.to_string())
        .collect();
    listed.sort();
    let mut expected = vec![
        format!("interaction:{}", call.id),
        format!("note:{}", kept.id),
        format!("task:{}", todo.id),
        format!("booking:{}", visit.id),
    ];
    expected.sort();
    assert_eq!(
        listed, expected,
        "deleted and other people's records left out"
    );
}
