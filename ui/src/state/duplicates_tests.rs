//! The duplicates reducer: the toolbar's count, stale answers dropped, which one is kept, what
//! the merge will do in words, the undo offered until used, and refusals shown.

use super::*;
use crate::state::contacts::tests::{contact_id, summary, user};
use chrono::{TimeZone, Utc};
use fieldstone_model::{Contact, ContactInput, EmailEntry, PhoneEntry};
use fieldstone_protocol::commands::CommandErrorCode;

fn reduce_all(
    state: Rc<DuplicatesState>,
    actions: impl IntoIterator<Item = DuplicatesAction>,
) -> Rc<DuplicatesState> {
    actions
        .into_iter()
        .fold(state, |state, action| state.reduce(action))
}

fn group(kind: &str, value: &str, members: &[(u32, &str)]) -> DuplicateGroup {
    DuplicateGroup {
        key_kind: kind.into(),
        key_value: value.into(),
        contacts: members.iter().map(|&(n, name)| summary(n, name)).collect(),
    }
}

fn contact(n: u32, given: &str, emails: &[&str], phones: &[&str], tags: &[&str]) -> Contact {
    let input = ContactInput {
        given_name: given.into(),
        family_name: "Diaz".into(),
        emails: emails
            .iter()
            .enumerate()
            .map(|(i, address)| EmailEntry {
                address: (*address).into(),
                label: Default::default(),
                primary: i == 0,
            })
            .collect(),
        phones: phones
            .iter()
            .enumerate()
            .map(|(i, number)| PhoneEntry {
                number: (*number).into(),
                label: Default::default(),
                primary: i == 0,
            })
            .collect(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..ContactInput::default()
    }
    .validate()
    .expect("valid");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 3, 9, 0, 0)
        .single()
        .expect("time");
    Contact::create(contact_id(n), input, user(1), at)
}

fn side(contact: Contact, notes: u32, interactions: u32) -> MergeSide {
    MergeSide {
        contact,
        notes,
        interactions,
        bookings: 0,
        tasks: 0,
        more: false,
    }
}

fn ada_and_bo() -> MergePreview {
    MergePreview {
        survivor: side(contact(1, "Ada", &["ada@example.com"], &[], &["vip"]), 0, 0),
        merged: side(
            contact(
                2,
                "Bo",
                &["ADA@example.com", "bo@work.example"],
                &["+1 415 555 0100"],
                &["investor", "vip"],
            ),
            1,
            2,
        ),
    }
}

fn refused(message: &str) -> CommandError {
    CommandError::new(CommandErrorCode::Validation, message)
}

/// The dialog open on the Ada/Bo group, its comparison loaded.
fn comparing() -> Rc<DuplicatesState> {
    let state = reduce_all(
        Rc::new(DuplicatesState::default()),
        [DuplicatesAction::Open],
    );
    let request = state.groups_request;
    let state = reduce_all(
        state,
        [
            DuplicatesAction::GroupsLoaded {
                request,
                groups: Ok(vec![group(
                    "email",
                    "ada@example.com",
                    &[(1, "Ada Diaz"), (2, "Bo Diaz")],
                )]),
            },
            DuplicatesAction::Choose(0),
        ],
    );
    let request = state.preview_request;
    state.reduce(DuplicatesAction::PreviewLoaded {
        request,
        preview: Ok(Box::new(ada_and_bo())),
    })
}

fn receipt() -> MergeReceipt {
    MergeReceipt {
        merge_id: "m-1".into(),
        survivor: contact_id(1),
        merged: contact_id(2),
        moved_records: 3,
        merged_at: Utc
            .with_ymd_and_hms(2026, 11, 3, 10, 0, 0)
            .single()
            .expect("time"),
    }
}

#[test]
fn the_toolbar_counts_groups_once_known_and_hides_when_there_are_none() {
    let state = Rc::new(DuplicatesState::default());
    assert_eq!(state.button_label(), None, "unknown while loading");
    let request = state.groups_request;
    let none = state.clone().reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Ok(vec![]),
    });
    assert_eq!(none.groups_view, ListView::Loaded);
    assert_eq!(none.button_label(), None, "no button without duplicates");

    let many: Vec<DuplicateGroup> = (0..=GROUPS_SHOWN)
        .map(|n| group("email", &format!("{n}@example.com"), &[(1, "A"), (2, "B")]))
        .collect();
    let full = state.clone().reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Ok(many),
    });
    assert_eq!(full.groups.len(), GROUPS_SHOWN as usize);
    assert_eq!(full.button_label().as_deref(), Some("Duplicates · 100+"));

    let three = state.reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Ok(vec![group("email", "a@x.test", &[(1, "A"), (2, "B")]); 3]),
    });
    assert_eq!(three.button_label().as_deref(), Some("Duplicates · 3"));
}

#[test]
fn stale_answers_are_dropped_and_a_failed_reload_keeps_the_groups() {
    let state = Rc::new(DuplicatesState::default());
    let first = state.groups_request;
    let state = state.reduce(DuplicatesAction::Open);
    assert!(state.open);
    assert!(state.groups_request > first, "opening asks again");
    let state = state.reduce(DuplicatesAction::GroupsLoaded {
        request: first,
        groups: Ok(vec![group("email", "a@x.test", &[(1, "A"), (2, "B")])]),
    });
    assert_eq!(
        state.groups_view,
        ListView::Loading,
        "an older answer is dropped"
    );

    let request = state.groups_request;
    let failed = state.clone().reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Err("disk I/O error".into()),
    });
    assert_eq!(
        failed.groups_view,
        ListView::Failed("disk I/O error".into())
    );

    let loaded = state.reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Ok(vec![group("email", "a@x.test", &[(1, "A"), (2, "B")])]),
    });
    let reloading = loaded.reduce(DuplicatesAction::Reload);
    let request = reloading.groups_request;
    let stale = reloading.reduce(DuplicatesAction::GroupsLoaded {
        request,
        groups: Err("busy".into()),
    });
    assert_eq!(stale.groups_view, ListView::Loaded);
    assert_eq!(stale.groups.len(), 1, "the groups shown stay");
    assert_eq!(stale.groups_error.as_deref(), Some("busy"));
}

#[test]
fn a_group_compares_its_first_two_and_the_oldest_is_kept_unless_chosen() {
    let state = comparing();
    assert_eq!(state.step, Step::Compare);
    assert_eq!(state.pair, Some((contact_id(1), contact_id(2))));
    assert_eq!(
        state.merge_request(),
        Some(MergeRequest {
            survivor: contact_id(1),
            merged: contact_id(2)
        })
    );
    assert_eq!(
        state.consequence().as_deref(),
        Some(
            "Bo Diaz's 1 note and 2 calls and messages move to Ada Diaz; bo@work.example, \
             +1 415 555 0100 and the tag investor are added to Ada Diaz; Bo Diaz is deleted."
        )
    );

    // Keeping Bo turns the sentence round; a contact not in the pair cannot be kept.
    let state = state.reduce(DuplicatesAction::Keep(contact_id(2)));
    assert_eq!(
        state.merge_request(),
        Some(MergeRequest {
            survivor: contact_id(2),
            merged: contact_id(1)
        })
    );
    assert_eq!(
        state.consequence().as_deref(),
        Some("Ada Diaz has no notes, calls, bookings or tasks to move; Ada Diaz is deleted.")
    );
    let state = state.reduce(DuplicatesAction::Keep(contact_id(7)));
    assert_eq!(state.keep, Some(contact_id(2)));
}

#[test]
fn the_sentence_agrees_with_one_record_and_says_when_there_are_more() {
    let preview = ada_and_bo();
    let mut bo = side(preview.merged.contact.clone(), 1, 0);
    assert!(consequence(&preview.survivor, &bo).starts_with("Bo Diaz's 1 note moves to Ada Diaz;"));
    bo.tasks = 1;
    assert!(consequence(&preview.survivor, &bo)
        .starts_with("Bo Diaz's 1 note and 1 task move to Ada Diaz;"));
    bo.notes = 150;
    bo.tasks = 50;
    bo.more = true;
    assert!(consequence(&preview.survivor, &bo).starts_with(
        "Bo Diaz's notes, calls, bookings and tasks (more than 200) move to Ada Diaz;"
    ));
}

#[test]
fn a_preview_for_another_pair_is_dropped_and_larger_groups_go_a_pair_at_a_time() {
    let state = reduce_all(
        Rc::new(DuplicatesState::default()),
        [DuplicatesAction::Open],
    );
    let request = state.groups_request;
    let state = reduce_all(
        state,
        [
            DuplicatesAction::GroupsLoaded {
                request,
                groups: Ok(vec![group(
                    "phone",
                    "4155550100",
                    &[(1, "Ada Diaz"), (2, "Bo Diaz"), (3, "Cy Diaz")],
                )]),
            },
            DuplicatesAction::Choose(0),
        ],
    );
    let for_bo = state.preview_request;
    let state = state.reduce(DuplicatesAction::CompareWith(contact_id(3)));
    assert_eq!(state.pair, Some((contact_id(1), contact_id(3))));
    assert_eq!(state.preview, Some(Preview::Loading));
    let state = state.reduce(DuplicatesAction::PreviewLoaded {
        request: for_bo,
        preview: Ok(Box::new(ada_and_bo())),
    });
    assert_eq!(
        state.preview,
        Some(Preview::Loading),
        "Bo's comparison does not show for Cy"
    );
    let state = state.reduce(DuplicatesAction::Merge);
    assert_eq!(
        state.merging, None,
        "nothing to merge before the pair is loaded"
    );
    assert_eq!(state.merge_seq, 0);
    // Only contacts of the group can be compared.
    let state = state.reduce(DuplicatesAction::CompareWith(contact_id(9)));
    assert_eq!(state.pair, Some((contact_id(1), contact_id(3))));

    let request = state.preview_request;
    let state = state.reduce(DuplicatesAction::PreviewLoaded {
        request,
        preview: Err(refused(
            "The contact to merge, Cy Diaz, was deleted (or merged already).",
        )),
    });
    assert_eq!(
        state.preview,
        Some(Preview::Failed(
            "The contact to merge, Cy Diaz, was deleted (or merged already).".into()
        ))
    );
}

#[test]
fn a_merge_runs_once_then_offers_its_undo_until_used() {
    let state = comparing();
    let state = reduce_all(state, [DuplicatesAction::Merge, DuplicatesAction::Merge]);
    assert_eq!(
        state.merge_seq, 1,
        "a second press while merging asks nothing"
    );
    assert!(state.busy());
    let closed = state.clone().reduce(DuplicatesAction::Close);
    assert!(closed.open, "the dialog stays while the merge runs");

    let changed = state.changed;
    let groups_asked = state.groups_request;
    let state = state.reduce(DuplicatesAction::Merged(Ok(receipt())));
    assert_eq!(state.step, Step::Merged);
    assert_eq!(state.merging, None);
    assert!(state.changed > changed, "the contact list reloads");
    assert!(
        state.groups_request > groups_asked,
        "the groups are asked again"
    );
    let offer = state.offer.clone().expect("undo offered");
    assert_eq!(
        offer.sentence(),
        "Bo Diaz was merged into Ada Diaz (3 records moved)."
    );
    assert_eq!(offer.undo, UndoState::Offered);

    // The survivor's timeline after the merge, for this merge only.
    let request = state.result_request;
    let state = reduce_all(
        state,
        [
            DuplicatesAction::ResultTimeline {
                request: request - 1,
                entries: Err("old".into()),
            },
            DuplicatesAction::ResultTimeline {
                request,
                entries: Ok(vec![]),
            },
        ],
    );
    assert_eq!(state.result_entries, Some(Ok(Rc::new(vec![]))));

    // Closed, the offer stays (the list shows it); a failed undo says why and can be retried.
    let state = reduce_all(state, [DuplicatesAction::Close, DuplicatesAction::Undo]);
    assert!(!state.open);
    assert_eq!(state.undo_seq, 1);
    let state = state.reduce(DuplicatesAction::Undo);
    assert_eq!(state.undo_seq, 1, "one undo at a time");
    let state = state.reduce(DuplicatesAction::DismissOffer);
    assert!(state.offer.is_some(), "not dismissed while it runs");
    let state = state.reduce(DuplicatesAction::Undone(Err(refused(
        "This merge has already been undone.",
    ))));
    assert_eq!(
        state.offer.as_ref().map(|o| o.undo.clone()),
        Some(UndoState::Failed(
            "This merge has already been undone.".into()
        ))
    );
    let state = reduce_all(state, [DuplicatesAction::Undo]);
    assert_eq!(state.undo_seq, 2);
    let changed = state.changed;
    let state = state.reduce(DuplicatesAction::Undone(Ok(())));
    assert_eq!(state.offer, None);
    assert!(state.changed > changed);
    assert_eq!(
        state.notice.as_deref(),
        Some("Merge undone: Ada Diaz and Bo Diaz are both back.")
    );
}

#[test]
fn a_refused_merge_is_said_by_the_comparison_and_can_be_tried_again() {
    let state = reduce_all(comparing(), [DuplicatesAction::Merge]);
    let state = state.reduce(DuplicatesAction::Merged(Err(refused(
        "The contact to keep is not on this device.",
    ))));
    assert_eq!(state.step, Step::Compare);
    assert_eq!(state.offer, None);
    assert_eq!(
        state.merge_error.as_deref(),
        Some("The contact to keep is not on this device.")
    );
    assert!(!state.busy());
    let state = state.reduce(DuplicatesAction::Keep(contact_id(2)));
    assert_eq!(state.merge_error, None, "choosing again clears it");
    let state = state.reduce(DuplicatesAction::Merge);
    assert_eq!(state.merge_seq, 2);
    assert_eq!(state.merging.map(|m| m.survivor), Some(contact_id(2)));
}

#[test]
fn groups_are_titled_by_what_their_contacts_share() {
    let by_email = group(
        "email",
        "ada@example.com",
        &[(1, "Ada Diaz"), (2, "Bo Diaz")],
    );
    assert_eq!(group_title(&by_email), "Same email: ada@example.com");
    let mut by_phone = group("phone", "4155550100", &[(1, "Ada Diaz"), (2, "Bo Diaz")]);
    assert_eq!(group_title(&by_phone), "Same phone: 4155550100");
    by_phone.contacts[0].primary_phone = Some("+1 (415) 555-0100".into());
    assert_eq!(group_title(&by_phone), "Same phone: +1 (415) 555-0100");
    let by_name = group("name", "ada diaz", &[(1, "Ada Diaz"), (2, "Ada  Diaz")]);
    assert_eq!(group_title(&by_name), "Same name: Ada Diaz");
}
