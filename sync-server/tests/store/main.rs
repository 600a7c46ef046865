//! Stories about the server store, each written once against `&dyn Store` and run for every
//! backend: SQLite (a temp dir) and PostgreSQL (a database of its own; see `support`).

mod accounts;
mod documents;
mod enrolments;
mod intake;
mod intents;
mod operations;
mod outreach;
mod postgres_only;
mod pull;
mod routing;
mod support;

use fieldstone_model::{OrgId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope, ScopeCursor};
use fieldstone_server::store::{NewUser, Store};
use support::at;

/// Runs each story as `sqlite::<story>` and `postgres::<story>`.
macro_rules! stories {
    ($($module:ident::$story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $story() {
                    crate::$module::$story(&crate::support::Backend::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                #[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
                fn $story() {
                    crate::$module::$story(&crate::support::Backend::postgres());
                }
            )*
        }
    };
}

stories!(
    accounts::orgs_teams_and_users,
    accounts::team_memberships,
    accounts::devices_sessions_and_revocation,
    accounts::invitations_are_taken_once_and_expire,
    accounts::tenants_never_see_or_change_each_other,
    documents::documents_commit_append_and_compact,
    documents::a_stale_commit_stores_nothing,
    documents::doc_ids_in_range_is_the_repair_view,
    documents::actors_are_bound_to_their_first_writer,
    pull::pull_pages_follow_cursors,
    pull::pull_respects_the_byte_budget,
    pull::documents_joining_a_scope_come_whole,
    pull::a_document_in_two_scopes_comes_once,
    operations::stats_count_what_is_stored,
    operations::backup_is_a_store_with_the_data,
    operations::concurrent_commits_never_hide_from_a_follower,
    operations::works_from_spawn_blocking_threads,
    intents::an_intent_is_queued_once_taken_once_and_finished_by_its_holder,
    intents::a_transient_failure_is_taken_again_after_its_time,
    intents::a_send_whose_worker_stopped_is_closed_as_unknown_and_never_taken_again,
    intents::racing_workers_never_take_the_same_intent,
    outreach::providers_are_set_replaced_listed_and_removed_per_organisation,
    outreach::the_do_not_call_list_dedupes_pages_and_stays_in_its_organisation,
    outreach::metering_stops_at_the_allowance_and_gives_back,
    outreach::racing_servers_never_meter_past_the_allowance,
    routing::racing_claims_of_one_lead_leave_one_owner,
    routing::a_lead_is_decided_once_and_an_offer_falls_back_only_unclaimed_and_late,
    routing::open_house_visitors_wait_in_a_queue_per_organisation,
    intake::a_leads_documents_and_its_event_are_stored_together_or_not_at_all,
    intake::a_leads_routing_row_is_stored_with_its_documents_or_not_at_all,
    enrolments::an_occasion_is_enrolled_once_per_campaign_and_organisation,
);

// ---------------------------------------------------------------------------------------------
// Helpers

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: format!("User {email}"),
        role,
        password_hash: format!("hash-of-{email}"),
    }
}

/// An organisation with one owner.
fn org_with_owner(store: &dyn Store, name: &str) -> (OrgId, UserId) {
    let org = store.create_org(name, at(0)).expect("create org");
    let owner = store
        .create_user(
            org.id,
            &new_user(&format!("owner@{name}.test"), Role::Owner),
            at(0),
        )
        .expect("create owner");
    (org.id, owner.id)
}

/// A cursor between passes: everything up to `seq` received, the pass complete.
fn cursor(scope: Scope, seq: u64) -> ScopeCursor {
    ScopeCursor {
        scope,
        seq,
        base: seq,
    }
}

/// A cursor in the middle of a pass that started at `base`.
fn passing(scope: Scope, seq: u64, base: u64) -> ScopeCursor {
    ScopeCursor { scope, seq, base }
}

/// Follows `cursors` to the end, `max_docs`/`max_bytes` per page; every page's documents.
fn pull_all(
    store: &dyn Store,
    org: OrgId,
    mut cursors: Vec<ScopeCursor>,
    max_docs: usize,
    max_bytes: usize,
) -> (Vec<Vec<DocId>>, Vec<ScopeCursor>) {
    let mut pages = Vec::new();
    for _ in 0..1000 {
        let page = store
            .pull(org, &cursors, max_docs, max_bytes)
            .expect("pull");
        pages.push(page.docs.iter().map(|d| d.doc_id.clone()).collect());
        cursors = page.cursors;
        if !page.more {
            return (pages, cursors);
        }
    }
    panic!("pull never finished");
}
