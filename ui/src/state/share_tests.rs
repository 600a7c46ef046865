//! The share sheet's reducer: the picker searched and chosen from, late answers dropped, the
//! owner's share never removable, refusals kept for the screen and a confirmation after a share.

use super::*;
use fieldstone_model::{TeamId, UserId};
use fieldstone_protocol::commands::{CommandErrorCode, CurrentShare, SharePerson, ShareTeam};

fn reduce_all(
    state: Rc<ShareState>,
    actions: impl IntoIterator<Item = ShareAction>,
) -> Rc<ShareState> {
    actions
        .into_iter()
        .fold(state, |state, action| state.reduce(action))
}

fn contact() -> ContactId {
    "00000000-0000-4000-a000-000000000001".parse().expect("id")
}

fn user(n: u8) -> UserId {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
        .parse()
        .expect("id")
}

fn team() -> TeamId {
    "00000000-0000-4000-9000-000000000001".parse().expect("id")
}

fn targets() -> ShareTargets {
    ShareTargets {
        contact: contact(),
        people: vec![
            SharePerson {
                user_id: user(2),
                name: "Bo Diaz".into(),
                email: "bo@north.test".into(),
            },
            SharePerson {
                user_id: user(3),
                name: "Cy Tan".into(),
                email: "cy@north.test".into(),
            },
        ],
        teams: vec![ShareTeam {
            team_id: team(),
            name: "North".into(),
        }],
        shares: vec![
            CurrentShare {
                scope: format!("user:{}", user(1)),
                label: "You".into(),
                detail: None,
                owner: true,
            },
            CurrentShare {
                scope: format!("user:{}", user(4)),
                label: "Di Lee".into(),
                detail: Some("di@north.test".into()),
                owner: false,
            },
        ],
        has_teammates: true,
    }
}

fn opened() -> Rc<ShareState> {
    let state = reduce_all(Rc::new(ShareState::new(contact())), [ShareAction::Open]);
    let request = state.request;
    reduce_all(
        state,
        [ShareAction::Loaded {
            request,
            targets: Ok(targets()),
        }],
    )
}

#[test]
fn the_picker_lists_the_team_then_people_and_the_search_narrows_it() {
    let state = opened();
    assert_eq!(state.view, ListView::Loaded);
    let labels: Vec<String> = state.choices().into_iter().map(|c| c.label).collect();
    assert_eq!(labels, ["Everyone in North", "Bo Diaz", "Cy Tan"]);
    // By name, by email, any case.
    let state = reduce_all(state, [ShareAction::Search("CY@".into())]);
    let labels: Vec<String> = state.choices().into_iter().map(|c| c.label).collect();
    assert_eq!(labels, ["Cy Tan"]);
    let state = reduce_all(state, [ShareAction::Search("north".into())]);
    assert_eq!(
        state.choices().len(),
        3,
        "the team's name and the emails match"
    );
}

#[test]
fn a_choice_the_search_hides_is_dropped_and_share_needs_one() {
    let state = reduce_all(opened(), [ShareAction::Share]);
    assert_eq!(state.running, None, "nothing chosen: nothing to share");
    let state = reduce_all(state, [ShareAction::Choose(ShareWith::User(user(2)))]);
    assert_eq!(state.chosen_label().as_deref(), Some("Bo Diaz"));
    let state = reduce_all(state, [ShareAction::Search("cy".into())]);
    assert_eq!(state.chosen, None);
}

#[test]
fn sharing_runs_once_and_its_answer_replaces_the_list_with_a_confirmation() {
    let state = reduce_all(
        opened(),
        [
            ShareAction::Choose(ShareWith::User(user(2))),
            ShareAction::Share,
            ShareAction::Share,
        ],
    );
    assert_eq!(state.running, Some(Change::Share(ShareWith::User(user(2)))));
    assert_eq!(
        state.change_seq, 1,
        "a second click while it runs does nothing"
    );
    let mut after = targets();
    after.people.remove(0);
    let seq = state.change_seq;
    let state = reduce_all(
        state,
        [ShareAction::Changed {
            seq,
            result: Ok(Shared {
                targets: after,
                message: "Shared with Bo Diaz: it reaches them on their next sync.".into(),
            }),
        }],
    );
    assert_eq!(state.running, None);
    assert_eq!(state.chosen, None);
    assert_eq!(
        state.confirmation.as_deref(),
        Some("Shared with Bo Diaz: it reaches them on their next sync.")
    );
    assert_eq!(state.choices().len(), 2);
}

#[test]
fn a_refusal_is_kept_for_the_screen_and_the_choice_stays_to_try_again() {
    let state = reduce_all(
        opened(),
        [
            ShareAction::Choose(ShareWith::Team(team())),
            ShareAction::Share,
        ],
    );
    let seq = state.change_seq;
    let state = reduce_all(
        state,
        [ShareAction::Changed {
            seq,
            result: Err(CommandError::new(
                CommandErrorCode::Offline,
                "Sharing needs a connection to your team's server.",
            )),
        }],
    );
    assert_eq!(
        state.error.as_deref(),
        Some("Sharing needs a connection to your team's server.")
    );
    assert_eq!(state.chosen, Some(ShareWith::Team(team())));
    assert_eq!(state.running, None);
}

#[test]
fn the_owner_cannot_be_removed_and_another_share_can() {
    let owner = format!("user:{}", user(1));
    let state = reduce_all(opened(), [ShareAction::Unshare(owner)]);
    assert_eq!(state.running, None);
    let other = format!("user:{}", user(4));
    let state = reduce_all(state, [ShareAction::Unshare(other.clone())]);
    assert_eq!(state.running, Some(Change::Unshare(other)));
    // Something not listed is not removed either.
    let state = reduce_all(opened(), [ShareAction::Unshare("team:nope".into())]);
    assert_eq!(state.running, None);
}

#[test]
fn answers_for_an_earlier_opening_or_a_closed_sheet_are_dropped() {
    let first = reduce_all(Rc::new(ShareState::new(contact())), [ShareAction::Open]);
    let stale = first.request;
    let state = reduce_all(first, [ShareAction::Close, ShareAction::Open]);
    assert!(state.request > stale);
    let state = reduce_all(
        state,
        [ShareAction::Loaded {
            request: stale,
            targets: Ok(targets()),
        }],
    );
    assert_eq!(state.view, ListView::Loading);
    // Closed while a share ran: its answer changes nothing.
    let state = reduce_all(
        opened(),
        [
            ShareAction::Choose(ShareWith::User(user(2))),
            ShareAction::Share,
        ],
    );
    let seq = state.change_seq;
    let state = reduce_all(
        state,
        [
            ShareAction::Close,
            ShareAction::Changed {
                seq,
                result: Err(CommandError::new(CommandErrorCode::Offline, "late")),
            },
        ],
    );
    assert_eq!(state.error, None);
    assert!(!state.open);
}

#[test]
fn a_failed_first_load_is_the_sheets_error_and_no_team_is_its_empty_state() {
    let state = reduce_all(Rc::new(ShareState::new(contact())), [ShareAction::Open]);
    let request = state.request;
    let failed = reduce_all(
        state.clone(),
        [ShareAction::Loaded {
            request,
            targets: Err("Sign in to share".into()),
        }],
    );
    assert_eq!(failed.view, ListView::Failed("Sign in to share".into()));
    let retried = reduce_all(failed, [ShareAction::Reload]);
    assert_eq!(retried.view, ListView::Loading);
    assert_eq!(retried.request, request + 1);

    let mut alone = targets();
    alone.people.clear();
    alone.teams.clear();
    alone.shares.truncate(1);
    alone.has_teammates = false;
    let state = reduce_all(
        state,
        [ShareAction::Loaded {
            request,
            targets: Ok(alone),
        }],
    );
    assert!(state.no_teammates());
}
