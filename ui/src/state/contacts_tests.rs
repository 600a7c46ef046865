//! The contact list reducer: generations, pages, filters, selection, bulk changes, smart lists.

use super::*;
use chrono::{TimeZone, Utc};
use fieldstone_model::{Priority, UserId};
use fieldstone_protocol::commands::{BulkFailure, CommandError, CommandErrorCode, StageCount};
use fieldstone_protocol::views::SortKey;

pub(crate) fn user(n: u32) -> UserId {
    format!("00000000-0000-4000-9000-{n:012}")
        .parse()
        .expect("valid id")
}

pub(crate) fn contact_id(n: u32) -> ContactId {
    format!("00000000-0000-4000-8000-{n:012}")
        .parse()
        .expect("valid id")
}

pub(crate) fn summary(n: u32, name: &str) -> ContactSummary {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 3, 9, n % 60, 0)
        .single()
        .expect("valid time");
    ContactSummary {
        id: contact_id(n),
        display_name: name.into(),
        primary_email: Some(format!(
            "{}@example.com",
            name.to_lowercase().replace(' ', ".")
        )),
        primary_phone: None,
        stage: Stage::Lead,
        kind: ContactKind::Buyer,
        source: LeadSource::Manual,
        priority: Priority::Medium,
        score: 40,
        owner: user(1),
        assigned_agent: None,
        created_at: at,
        updated_at: at,
        last_contacted_at: None,
        deleted_at: None,
        tags: vec![],
        budget: None,
        stage_since: None,
        next_step: None,
    }
}

fn cursor(n: u32) -> Cursor {
    Cursor {
        sort: ContactSort::default(),
        key: SortKey::Int(i64::from(n)),
        id: contact_id(n),
    }
}

fn page(rows: &[(u32, &str)], next: Option<u32>) -> ContactPage {
    ContactPage {
        items: rows.iter().map(|(n, name)| summary(*n, name)).collect(),
        next: next.map(cursor),
    }
}

fn reduce_all(actions: impl IntoIterator<Item = ContactsAction>) -> Rc<ContactsState> {
    actions
        .into_iter()
        .fold(Rc::new(ContactsState::default()), |state, action| {
            state.reduce(action)
        })
}

fn names(state: &ContactsState) -> Vec<&str> {
    state.rows.iter().map(|r| r.display_name.as_str()).collect()
}

#[test]
fn the_first_page_is_asked_for_at_once_and_replaces_loading() {
    let state = ContactsState::default();
    assert_eq!(state.request, 1);
    assert_eq!(state.view, ListView::Loading);
    let state = reduce_all([ContactsAction::PageLoaded {
        request: 1,
        page: Box::new(page(&[(1, "Ada"), (2, "Grace")], Some(2))),
        more: false,
    }]);
    assert_eq!(state.view, ListView::Loaded);
    assert_eq!(names(&state), ["Ada", "Grace"]);
    assert_eq!(state.next, Some(cursor(2)));
}

#[test]
fn typing_starts_a_new_generation_and_old_answers_are_dropped() {
    let state = reduce_all([
        ContactsAction::Search("a".into()),
        ContactsAction::Search("ad".into()),
    ]);
    assert_eq!(state.request, 3);
    assert_eq!(state.filter().search.as_deref(), Some("ad"));
    let state = state.reduce(ContactsAction::PageLoaded {
        request: 2,
        page: Box::new(page(&[(1, "Alan"), (2, "Ada")], None)),
        more: false,
    });
    assert_eq!(
        state.view,
        ListView::Loading,
        "the answer for \"a\" is stale"
    );
    let state = state.reduce(ContactsAction::PageLoaded {
        request: 3,
        page: Box::new(page(&[(2, "Ada")], None)),
        more: false,
    });
    assert_eq!(names(&state), ["Ada"]);
    let same = Rc::clone(&state).reduce(ContactsAction::Search("ad".into()));
    assert_eq!(same.request, 3, "the same text asks nothing new");
    let blank = state.reduce(ContactsAction::Search("  ".into()));
    assert_eq!(blank.filter().search, None);
}

#[test]
fn load_more_appends_once_and_only_when_there_is_more() {
    let state = reduce_all([ContactsAction::PageLoaded {
        request: 1,
        page: Box::new(page(&[(1, "Ada")], Some(1))),
        more: false,
    }]);
    let state = state.reduce(ContactsAction::LoadMore);
    assert_eq!(state.loading_more, Some(cursor(1)));
    assert_eq!(state.more_seq, 1);
    let again = Rc::clone(&state).reduce(ContactsAction::LoadMore);
    assert!(Rc::ptr_eq(&state, &again), "one page at a time");
    assert_eq!(
        state.page_query(state.loading_more.clone()).after,
        Some(cursor(1))
    );
    let state = state.reduce(ContactsAction::PageLoaded {
        request: 1,
        page: Box::new(page(&[(2, "Grace")], None)),
        more: true,
    });
    assert_eq!(names(&state), ["Ada", "Grace"]);
    assert_eq!(state.loading_more, None);
    let end = Rc::clone(&state).reduce(ContactsAction::LoadMore);
    assert!(Rc::ptr_eq(&state, &end), "no next page");
}

#[test]
fn a_failed_first_page_is_shown_and_a_failed_later_one_keeps_the_rows() {
    let failed = reduce_all([ContactsAction::PageFailed {
        request: 1,
        message: "database is locked".into(),
        more: false,
    }]);
    assert_eq!(failed.view, ListView::Failed("database is locked".into()));
    let kept = reduce_all([
        ContactsAction::PageLoaded {
            request: 1,
            page: Box::new(page(&[(1, "Ada")], Some(1))),
            more: false,
        },
        ContactsAction::LoadMore,
        ContactsAction::PageFailed {
            request: 1,
            message: "busy".into(),
            more: true,
        },
    ]);
    assert_eq!(kept.view, ListView::Loaded);
    assert_eq!(kept.stale_error.as_deref(), Some("busy"));
    assert_eq!(kept.loading_more, None, "can try again");
}

#[test]
fn filters_build_the_query() {
    let state = reduce_all([
        ContactsAction::Me(Ok(user(7))),
        ContactsAction::ToggleStage(Stage::Offer),
        ContactsAction::ToggleStage(Stage::Showing),
        ContactsAction::ToggleStage(Stage::Offer),
        ContactsAction::Kind(Some(ContactKind::Seller)),
        ContactsAction::Source(Some(LeadSource::Referral)),
        ContactsAction::Tags("VIP,  garden  ,".into()),
        ContactsAction::Owner(OwnerFilter::Me),
    ]);
    let query = state.filter();
    assert_eq!(query.stages, [Stage::Showing]);
    assert_eq!(query.kinds, [ContactKind::Seller]);
    assert_eq!(query.sources, [LeadSource::Referral]);
    assert_eq!(query.tags, ["garden", "vip"]);
    assert_eq!(query.owner, Some(user(7)));
    assert_eq!(query.after, None);
    assert_eq!(
        state.filter_count(),
        6,
        "a stage, a kind, a source, two tags, the owner"
    );
    let cleared = state.reduce(ContactsAction::ClearFilters);
    assert!(!cleared.has_filters());
    assert_eq!(cleared.filter().stages, []);
}

#[test]
fn tag_text_that_means_the_same_tags_asks_nothing_new() {
    let state = reduce_all([ContactsAction::Tags("vip".into())]);
    let request = state.request;
    let state = state.reduce(ContactsAction::Tags("vip,".into()));
    assert_eq!(state.request, request);
    assert_eq!(state.tags, "vip,", "the text stays as typed");
}

#[test]
fn sorting_by_a_column_then_again_flips_it() {
    let state = reduce_all([ContactsAction::SortBy(SortField::Name)]);
    assert_eq!(state.sort.field, SortField::Name);
    assert!(!state.sort.descending, "names A to Z first");
    let state = state.reduce(ContactsAction::SortBy(SortField::Name));
    assert!(state.sort.descending);
    let state = state.reduce(ContactsAction::SortBy(SortField::Score));
    assert!(state.sort.descending, "highest score first");
    assert_eq!(state.request, 4);
}

#[test]
fn counts_of_an_old_generation_are_dropped() {
    let counts = ContactCounts {
        total: 2,
        by_stage: vec![StageCount {
            stage: Stage::Lead,
            count: 2,
        }],
    };
    let state = reduce_all([
        ContactsAction::Search("x".into()),
        ContactsAction::CountsLoaded {
            request: 1,
            counts: Ok(counts.clone()),
        },
    ]);
    assert_eq!(state.counts, None);
    let state = state.reduce(ContactsAction::CountsLoaded {
        request: 2,
        counts: Ok(counts),
    });
    assert_eq!(state.counts.as_ref().map(|c| c.total), Some(2));
}

#[test]
fn bulk_changes_run_once_over_the_selection_then_reload() {
    let state = reduce_all([
        ContactsAction::PageLoaded {
            request: 1,
            page: Box::new(page(&[(1, "Ada"), (2, "Grace"), (3, "Alan")], None)),
            more: false,
        },
        ContactsAction::Bulk(BulkOp::Stage(Stage::Offer)),
    ]);
    assert_eq!(state.bulk, None, "nothing selected");
    let state = reduce_all([
        ContactsAction::PageLoaded {
            request: 1,
            page: Box::new(page(&[(1, "Ada"), (2, "Grace"), (3, "Alan")], None)),
            more: false,
        },
        ContactsAction::SelectAllShown(true),
        ContactsAction::Select(contact_id(2), false),
        ContactsAction::BulkTagText("  ".into()),
        ContactsAction::Bulk(BulkOp::AddTag("  ".into())),
    ]);
    assert!(!state.all_shown_selected());
    assert_eq!(state.bulk, None);
    assert_eq!(state.bulk_message.as_deref(), Some("Type a tag first."));
    let state = state.reduce(ContactsAction::Bulk(BulkOp::AddTag("Hot Lead".into())));
    let run = state.bulk.clone().expect("a bulk run");
    assert_eq!(run.ids, [contact_id(1), contact_id(3)]);
    assert_eq!(run.seq, 1);
    let twice = Rc::clone(&state).reduce(ContactsAction::Bulk(BulkOp::Stage(Stage::Lost)));
    assert!(Rc::ptr_eq(&state, &twice), "one bulk change at a time");
    let request = state.request;
    let state = state.reduce(ContactsAction::BulkDone(Ok(BulkResult {
        done: 1,
        failed: vec![BulkFailure {
            id: contact_id(3),
            error: CommandError::new(CommandErrorCode::NotFound, "That contact was deleted."),
        }],
    })));
    assert_eq!(
        state.bulk_message.as_deref(),
        Some("Tagged 1 contact “hot lead”. 1 contact could not be changed: That contact was deleted.")
    );
    assert!(state.selected.is_empty());
    assert_eq!(state.request, request + 1, "reloaded");
    assert_eq!(state.bulk, None);
}

#[test]
fn smart_lists_show_their_filters_until_one_is_changed() {
    let list = SmartList {
        id: "hot".into(),
        name: "Hot sellers".into(),
        query: ContactQuery {
            stages: vec![Stage::Offer],
            kinds: vec![ContactKind::Seller],
            search: Some("garden".into()),
            owner: Some(user(7)),
            ..ContactQuery::default()
        },
    };
    let state = reduce_all([
        ContactsAction::Me(Ok(user(7))),
        ContactsAction::SmartListsLoaded(Ok(vec![list.clone()])),
        ContactsAction::ApplySmartList("hot".into()),
    ]);
    assert_eq!(state.active_list.as_deref(), Some("hot"));
    assert_eq!(state.search, "garden");
    assert_eq!(state.owner, OwnerFilter::Me);
    let query = state.filter();
    assert_eq!(query.stages, list.query.stages);
    assert_eq!(query.kinds, list.query.kinds);
    let changed = state.reduce(ContactsAction::ToggleStage(Stage::Lead));
    assert_eq!(changed.active_list, None);
    let deleted = reduce_all([
        ContactsAction::SmartListSaved(Ok(Box::new(list))),
        ContactsAction::SmartListDeleted(Ok("hot".into())),
    ]);
    assert!(deleted.smart_lists.is_empty());
    assert_eq!(deleted.active_list, None);
}

#[test]
fn a_refused_smart_list_name_puts_the_engines_message_in_state() {
    let state = reduce_all([ContactsAction::SmartListSaved(Err(
        "A smart list named \"Hot\" already exists.".into(),
    ))]);
    assert_eq!(
        state.list_error.as_deref(),
        Some("A smart list named \"Hot\" already exists.")
    );
    assert!(state.smart_lists.is_empty());
    let refused = state.reduce(ContactsAction::SmartListDeleted(Err("Disk full.".into())));
    assert_eq!(refused.list_error.as_deref(), Some("Disk full."));
    let list = SmartList {
        id: "hot".into(),
        name: "Hot".into(),
        query: ContactQuery::default(),
    };
    let saved = refused.reduce(ContactsAction::SmartListSaved(Ok(Box::new(list))));
    assert_eq!(saved.list_error, None, "a later save clears the refusal");
}

#[test]
fn what_the_screen_reads_once_says_when_it_could_not_be_read() {
    let state = reduce_all([ContactsAction::SmartListsLoaded(Err("Locked.".into()))]);
    assert_eq!(
        state.notice.as_deref(),
        Some("Couldn't load your smart lists: Locked.")
    );
    let state = reduce_all([ContactsAction::Me(Err("No account.".into()))]);
    assert_eq!(
        state.notice.as_deref(),
        Some("Couldn't tell whose contacts are yours: No account.")
    );
    let state = reduce_all([ContactsAction::Conflicted(Err("Busy.".into()))]);
    assert!(state
        .notice
        .as_deref()
        .is_some_and(|n| n.ends_with("Busy.")));
    let state = reduce_all([ContactsAction::CountsLoaded {
        request: 1,
        counts: Err("Busy.".into()),
    }]);
    assert_eq!(
        state.counts_error.as_deref(),
        Some("Couldn't count your contacts: Busy.")
    );
    let state = state.reduce(ContactsAction::CountsLoaded {
        request: 1,
        counts: Ok(ContactCounts {
            total: 0,
            by_stage: vec![],
        }),
    });
    assert_eq!(state.counts_error, None, "counts read later clear it");
}

#[test]
fn a_custom_field_filter_joins_the_query_once_complete_and_a_smart_list_keeps_it() {
    use crate::state::custom_filter::CustomFilterEdit;
    use fieldstone_model::CustomFieldType;
    use fieldstone_protocol::views::{CustomFilter, CustomOp};
    let state = reduce_all([ContactsAction::Custom(CustomFilterEdit::Field(
        "School district".into(),
        CustomFieldType::Text,
    ))]);
    assert_eq!(state.request, 1, "no value yet: nothing new to ask");
    assert!(state.filter().custom.is_empty());
    assert!(state.has_filters() && state.filter_count() == 1);
    let state = state.reduce(ContactsAction::Custom(CustomFilterEdit::Value(
        "Lincoln".into(),
    )));
    assert_eq!(state.request, 2);
    let lincoln = CustomFilter {
        key: "School district".into(),
        field_type: CustomFieldType::Text,
        op: CustomOp::Contains,
        value: "Lincoln".into(),
    };
    assert_eq!(state.filter().custom, std::slice::from_ref(&lincoln));

    let list = SmartList {
        id: "lincoln".into(),
        name: "Lincoln".into(),
        query: state.filter(),
    };
    let applied = reduce_all([
        ContactsAction::SmartListsLoaded(Ok(vec![list])),
        ContactsAction::ApplySmartList("lincoln".into()),
    ]);
    assert_eq!(applied.custom.key, "School district");
    assert_eq!(applied.filter().custom, [lincoln]);
    let cleared = applied.reduce(ContactsAction::ClearFilters);
    assert!(cleared.filter().custom.is_empty());
    assert!(!cleared.has_filters());
}

#[test]
fn the_engines_refusal_of_a_custom_value_is_shown_by_the_filter() {
    use crate::state::custom_filter::CustomFilterEdit;
    use fieldstone_model::CustomFieldType;
    let state = reduce_all([
        ContactsAction::Custom(CustomFilterEdit::Field(
            "Deposit".into(),
            CustomFieldType::Number,
        )),
        ContactsAction::Custom(CustomFilterEdit::Value("ten".into())),
    ]);
    let request = state.request;
    let state = state.reduce(ContactsAction::CustomRefused {
        request,
        message: "Enter a number, such as 3 or 2.5.".into(),
    });
    assert_eq!(
        state.custom_error.as_deref(),
        Some("Enter a number, such as 3 or 2.5.")
    );
    assert_eq!(state.view, ListView::Loaded, "not a failed list");
    assert!(state.rows.is_empty(), "nothing matches it");
    let state = state.reduce(ContactsAction::CountsLoaded {
        request,
        counts: Err("Some fields need attention.".into()),
    });
    assert_eq!(state.counts_error, None, "said once, by the filter");
    let state = state.reduce(ContactsAction::Custom(CustomFilterEdit::Value("10".into())));
    assert_eq!(state.custom_error, None);
    assert_eq!(state.request, request + 1);
}
