use super::*;
use chrono::{TimeZone, Utc};
use fieldstone_protocol::commands::{AgentPerformance, CommandError, TeamMember};

fn user(n: u8) -> UserId {
    format!("00000000-0000-4000-8000-0000000004{n:02}")
        .parse()
        .expect("id")
}

fn contact(n: u8) -> ContactId {
    format!("00000000-0000-4000-8000-0000000005{n:02}")
        .parse()
        .expect("id")
}

fn report(names_from: NamesFrom) -> TeamReport {
    TeamReport {
        period: TeamPeriod::Month,
        from: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        agents: vec![AgentPerformance {
            user_id: user(1),
            name: "Ana".into(),
            new_leads: 3,
            open_leads: 5,
            appointments: 1,
            deals_closed: 1,
            deals_lost: 1,
            conversion_rate: Some(0.5),
            avg_first_response_secs: Some(90),
            awaiting_response: 0,
            late: 0,
        }],
        members: vec![TeamMember {
            user_id: user(1),
            name: "Ana".into(),
        }],
        names_from,
        response_minutes: Some(15),
    }
}

fn lead(n: u8, stage: Stage) -> TeamLead {
    TeamLead {
        contact: contact(n),
        name: format!("Lead {n}"),
        stage,
        agent: user(1),
        agent_name: "Ana".into(),
        updated_at: Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
        waiting_since: None,
        late: false,
    }
}

fn reduce(state: TeamState, actions: impl IntoIterator<Item = TeamAction>) -> TeamState {
    let mut state = Rc::new(state);
    for action in actions {
        state = state.reduce(action);
    }
    (*state).clone()
}

#[test]
fn an_answer_for_another_period_or_an_older_read_is_dropped() {
    let state = reduce(
        TeamState::default(),
        [
            TeamAction::Period(TeamPeriod::Week),
            TeamAction::Report((TeamPeriod::Month, 0), Ok(report(NamesFrom::Server))),
        ],
    );
    assert_eq!(state.report, Load::Loading);
    let state = reduce(
        state,
        [TeamAction::Report(
            (TeamPeriod::Week, 0),
            Ok(report(NamesFrom::Server)),
        )],
    );
    assert!(matches!(state.report, Load::Loaded(_)));
    assert_eq!(state.names_note(), None);
}

#[test]
fn a_refusal_closes_the_screen_and_a_failed_reload_keeps_the_numbers() {
    let refused = reduce(
        TeamState::default(),
        [TeamAction::Report(
            (TeamPeriod::Month, 0),
            Err(CommandError::new(CommandErrorCode::Refused, "brokers only")),
        )],
    );
    assert_eq!(refused.report, Load::Closed("brokers only".into()));
    let shown = reduce(
        TeamState::default(),
        [
            TeamAction::Report((TeamPeriod::Month, 0), Ok(report(NamesFrom::Remembered))),
            TeamAction::Reload,
            TeamAction::Report(
                (TeamPeriod::Month, 1),
                Err(CommandError::new(CommandErrorCode::Storage, "disk")),
            ),
        ],
    );
    assert!(matches!(shown.report, Load::Loaded(_)));
    assert!(shown
        .names_note()
        .expect("a note")
        .contains("last connection"));
}

#[test]
fn a_move_keeps_the_picker_on_failure_and_reloads_on_success() {
    let open = reduce(
        TeamState::default(),
        [
            TeamAction::Pipeline((None, 0), Ok(vec![lead(1, Stage::Lead)])),
            TeamAction::OpenMove(contact(1)),
        ],
    );
    assert_eq!(open.chosen_move(), None, "nobody chosen yet");
    let chosen = reduce(
        open,
        [TeamAction::ChooseAgent(Some(user(2))), TeamAction::Moving],
    );
    assert_eq!(chosen.chosen_move(), Some((contact(1), user(2))));
    // While it is in flight the picker cannot be closed under it.
    let still = reduce(chosen.clone(), [TeamAction::CloseMove]);
    assert!(still.moving.is_some());
    let failed = reduce(
        chosen.clone(),
        [TeamAction::Moved(Err(CommandError::new(
            CommandErrorCode::Offline,
            "needs a connection",
        )))],
    );
    assert!(!failed.busy);
    assert_eq!(failed.chosen_move(), Some((contact(1), user(2))));
    assert_eq!(
        failed.notice,
        Some(Notice {
            ok: false,
            text: "needs a connection".into()
        })
    );
    let moved = reduce(
        chosen,
        [TeamAction::Moved(Ok(Reassigned {
            contact: contact(1),
            agent: user(2),
            reason: "Assigned to Ben by Dana.".into(),
        }))],
    );
    assert_eq!(moved.moving, None);
    assert_eq!(moved.revision, 1);
    assert!(moved.notice.expect("notice").ok);
}

#[test]
fn filtering_reads_that_agents_leads_and_drops_the_old_answer() {
    let state = reduce(
        TeamState::default(),
        [
            TeamAction::Filter(Some(user(1))),
            TeamAction::Pipeline((None, 0), Ok(vec![lead(1, Stage::Lead)])),
        ],
    );
    assert_eq!(state.pipeline, Load::Loading);
}

#[test]
fn leads_are_grouped_in_stage_order() {
    let leads = vec![
        lead(1, Stage::Offer),
        lead(2, Stage::Lead),
        lead(3, Stage::Offer),
    ];
    let groups = by_stage(&leads);
    let stages: Vec<Stage> = groups.iter().map(|(s, _)| *s).collect();
    assert_eq!(stages, [Stage::Lead, Stage::Offer]);
    assert_eq!(groups[1].1.len(), 2);
}

#[test]
fn rates_and_times_read_as_people_say_them() {
    assert_eq!(rate(None), "—");
    assert_eq!(rate(Some(0.625)), "63 %");
    assert_eq!(response_time(None), "—");
    assert_eq!(response_time(Some(10)), "under 1 min");
    assert_eq!(response_time(Some(45 * 60)), "45 min");
    assert_eq!(response_time(Some(3 * 3600)), "3 h");
    assert_eq!(response_time(Some(3 * 3600 + 20 * 60)), "3 h 20 min");
    assert_eq!(response_time(Some(2 * 86400 + 4 * 3600)), "2 d 4 h");
}
