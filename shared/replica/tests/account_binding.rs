//! A store belongs to one account once it has one: binding, refusing another account, and
//! reading the binding of a store that is not open.

mod support;

use fieldstone_model::{OrgId, UserId};
use fieldstone_protocol::{Scope, ScopeCursor};
use fieldstone_replica::{AccountBinding, Replica, ReplicaError};
use support::{clock, open};

fn account(org: u128, user: u128, org_name: &str) -> AccountBinding {
    AccountBinding {
        server_url: "https://sync.example.com".into(),
        org_id: OrgId::from_uuid(uuid::Uuid::from_u128(org)),
        org_name: org_name.into(),
        user_id: UserId::from_uuid(uuid::Uuid::from_u128(user)),
        email: "ada@example.com".into(),
    }
}

#[test]
fn a_store_is_bound_once_and_refuses_every_other_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("f.db");
    let r = open(&db, &clock());
    assert_eq!(r.account_binding().expect("binding"), None);
    assert!(!r.has_synced().expect("synced?"));

    let harbour = account(1, 10, "Harbour Realty");
    r.bind_account(&harbour).expect("bind");
    assert_eq!(r.account_binding().expect("binding"), Some(harbour.clone()));
    assert!(r.has_synced().expect("synced?"), "bound counts as synced");

    // The same organisation and user: the names and address may change.
    let renamed = AccountBinding {
        org_name: "Harbour Realty Group".into(),
        server_url: "https://new.example.com".into(),
        ..harbour.clone()
    };
    r.bind_account(&renamed).expect("same account");
    assert_eq!(r.account_binding().expect("binding"), Some(renamed.clone()));

    // Another organisation, or another user of the same one: refused, nothing changes.
    for other in [
        account(2, 10, "Cedar Homes"),
        account(1, 11, "Harbour Realty"),
    ] {
        let error = r.bind_account(&other).expect_err("another account");
        assert!(
            matches!(error, ReplicaError::OtherAccount { .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("Harbour Realty Group"),
            "names the store's account: {error}"
        );
        assert_eq!(r.account_binding().expect("binding"), Some(renamed.clone()));
    }
    drop(r);

    // Read without opening the store as an engine, and kept across reopening.
    assert_eq!(
        Replica::peek_account_binding(&db).expect("peek"),
        Some(renamed.clone())
    );
    assert_eq!(
        open(&db, &clock()).account_binding().expect("binding"),
        Some(renamed)
    );
}

#[test]
fn a_store_that_synced_before_bindings_existed_counts_as_synced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = open(&dir.path().join("f.db"), &clock());
    let scope = Scope::User(support::user());
    r.apply_remote(&[], Some(&[ScopeCursor::start(scope)]))
        .expect("cursors");
    assert!(r.has_synced().expect("synced?"));
    assert_eq!(r.account_binding().expect("binding"), None);
}

#[test]
fn peeking_a_missing_or_older_store_finds_no_binding() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        Replica::peek_account_binding(&dir.path().join("none.db")).expect("peek"),
        None
    );
    let older = dir.path().join("older.db");
    rusqlite::Connection::open(&older)
        .expect("raw")
        .execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY NOT NULL);")
        .expect("an older store");
    assert_eq!(Replica::peek_account_binding(&older).expect("peek"), None);
}

#[test]
fn records_made_before_the_first_sign_in_are_handed_to_the_account_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = open(&dir.path().join("f.db"), &clock());
    let local = support::user();
    let agent = UserId::from_uuid(uuid::Uuid::from_u128(77));
    let ada = r
        .create_contact(&support::person("Ada", "Lovelace"), local)
        .expect("contact");
    let elm = r
        .create_listing(&support::listing("12 Elm St", "Camden", 1), local)
        .expect("listing");
    let call = r
        .create_task(&support::task("Call Ada", None, None), local)
        .expect("task");
    let pending = r.pending_changes().expect("pending");

    assert_eq!(r.hand_over_records(local, agent).expect("hand over"), 3);
    assert_eq!(
        r.get_contact(&ada.id).expect("get").expect("ada").owner,
        agent
    );
    assert_eq!(
        r.get_listing(&elm.id).expect("get").expect("elm").owner,
        agent
    );
    assert_eq!(
        r.get_task(&call.id).expect("get").expect("task").owner,
        agent
    );
    assert_eq!(
        r.pending_changes().expect("pending"),
        pending + 3,
        "each an edit that syncs"
    );
    assert_eq!(
        r.hand_over_records(local, agent).expect("again"),
        0,
        "nothing left"
    );
}
