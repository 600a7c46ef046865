//! Documents: commits, appends, compaction, stale writes, actors, and the repair view.

use crate::support::{at, heads_of, Backend, Record};
use crate::{cursor, new_user, org_with_owner};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};
use fieldstone_server::store::StoreError;

// ---------------------------------------------------------------------------------------------
// Documents and the change feed

pub fn documents_commit_append_and_compact(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let scope = Scope::User(owner);
    let mut record = Record::new("alpha", 1, 3);
    let created = store
        .commit(org, vec![record.create(vec![scope], owner)], at(1))
        .expect("create");
    assert_eq!(created.len(), 1);
    assert_eq!(
        (
            created[0].doc_id.clone(),
            created[0].scopes.clone(),
            created[0].tail_len
        ),
        (record.id.clone(), vec![scope], 0)
    );
    let stored = store
        .load_doc(org, &record.id)
        .expect("load")
        .expect("stored");
    assert_eq!(stored.head_seq, created[0].seq);
    assert_eq!((stored.scopes.clone(), stored.tail_len), (vec![scope], 0));
    assert_eq!(heads_of(&stored.bytes), record.heads());

    // Appended changes go after the snapshot; loading reads both.
    record.edit(2);
    let appended = store
        .commit(
            org,
            vec![record.append(stored.head_seq, false, owner)],
            at(2),
        )
        .expect("append");
    assert!(appended[0].seq > created[0].seq);
    assert_eq!(appended[0].tail_len, 2);
    let stored = store
        .load_doc(org, &record.id)
        .expect("load")
        .expect("stored");
    assert_eq!((stored.head_seq, stored.tail_len), (appended[0].seq, 2));
    assert_eq!(heads_of(&stored.bytes), record.heads());

    record.edit(1);
    let appended = store
        .commit(
            org,
            vec![record.append(stored.head_seq, false, owner)],
            at(3),
        )
        .expect("append");
    assert_eq!(appended[0].tail_len, 3);

    // Compaction: a fresh snapshot folds the tail in.
    record.edit(1);
    let compacted = store
        .commit(
            org,
            vec![record.append(appended[0].seq, true, owner)],
            at(4),
        )
        .expect("compact");
    assert_eq!(compacted[0].tail_len, 0);
    let stored = store
        .load_doc(org, &record.id)
        .expect("load")
        .expect("stored");
    assert_eq!((stored.head_seq, stored.tail_len), (compacted[0].seq, 0));
    assert_eq!(heads_of(&stored.bytes), record.heads());

    // Several documents in one commit.
    let mut beta = Record::new("beta", 1, 1);
    let mut gamma = Record::new("gamma", 1, 1);
    record.edit(1);
    let done = store
        .commit(
            org,
            vec![
                beta.create(vec![scope], owner),
                record.append(compacted[0].seq, false, owner),
                gamma.create(vec![Scope::Org(org)], owner),
            ],
            at(5),
        )
        .expect("commit three");
    let ids: Vec<DocId> = done.iter().map(|c| c.doc_id.clone()).collect();
    assert_eq!(ids, [beta.id.clone(), record.id.clone(), gamma.id.clone()]);
    assert!(done[0].seq < done[1].seq && done[1].seq < done[2].seq);
    assert_eq!(done[1].tail_len, 1);
    assert_eq!(
        heads_of(
            &store
                .load_doc(org, &record.id)
                .expect("load")
                .expect("stored")
                .bytes
        ),
        record.heads()
    );
    assert_eq!(
        heads_of(
            &store
                .load_doc(org, &gamma.id)
                .expect("load")
                .expect("stored")
                .bytes
        ),
        gamma.heads()
    );
    assert!(store
        .load_doc(org, &DocId::new("contact", "nobody").expect("id"))
        .expect("load")
        .is_none());
}

pub fn a_stale_commit_stores_nothing(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let scope = Scope::User(owner);
    let mut alpha = Record::new("alpha", 1, 1);
    let head = store
        .commit(org, vec![alpha.create(vec![scope], owner)], at(1))
        .expect("create")[0]
        .seq;
    let before = store
        .load_doc(org, &alpha.id)
        .expect("load")
        .expect("stored");

    // The second write of the push is stale: the first (a new document) is not stored either.
    let mut beta = Record::new("beta", 1, 1);
    alpha.edit(1);
    let unsent = alpha.stored_heads.clone();
    let stale = store.commit(
        org,
        vec![
            beta.create(vec![scope], owner),
            alpha.append(head + 1000, false, owner),
        ],
        at(2),
    );
    assert!(matches!(stale, Err(StoreError::Stale(d)) if d == alpha.id));
    alpha.stored_heads = unsent;
    assert!(store.load_doc(org, &beta.id).expect("load").is_none());
    assert!(store.doc_scopes(org, &beta.id).expect("scopes").is_none());
    let after = store
        .load_doc(org, &alpha.id)
        .expect("load")
        .expect("stored");
    assert_eq!(
        (after.bytes, after.head_seq, after.tail_len),
        (before.bytes, before.head_seq, before.tail_len)
    );
    let page = store
        .pull(org, &[cursor(scope, head)], 10, 1 << 20)
        .expect("pull");
    assert!(page.docs.is_empty());

    // A "new" document that exists, and an update of one that does not, are stale too.
    let mut again = Record::new("alpha", 2, 1);
    assert!(matches!(
        store.commit(org, vec![again.create(vec![scope], owner)], at(3)),
        Err(StoreError::Stale(d)) if d == alpha.id
    ));
    let mut ghost = Record::new("ghost", 1, 1);
    let mut write = ghost.append(head, false, owner);
    write.add_scopes = vec![scope];
    assert!(matches!(
        store.commit(org, vec![write], at(3)),
        Err(StoreError::Stale(_))
    ));

    // With the right head the same edit goes through.
    let done = store
        .commit(org, vec![alpha.append(head, false, owner)], at(4))
        .expect("commit");
    assert_eq!(done[0].tail_len, 1);
    assert_eq!(
        heads_of(
            &store
                .load_doc(org, &alpha.id)
                .expect("load")
                .expect("stored")
                .bytes
        ),
        alpha.heads()
    );
}

pub fn doc_ids_in_range_is_the_repair_view(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let team = store.create_team(org, "North").expect("team").id;
    let mine = Scope::User(owner);
    let team_scope = Scope::Team(team);
    let everyone = Scope::Org(org);
    let plan = [
        ("a", mine),
        ("b", team_scope),
        ("c", everyone),
        ("d", mine),
        ("e", team_scope),
    ];
    for (n, (name, scope)) in plan.iter().enumerate() {
        let mut record = Record::new(name, 1, 1);
        let mut scopes = vec![*scope];
        if *name == "d" {
            scopes.push(team_scope);
        }
        store
            .commit(org, vec![record.create(scopes, owner)], at(n as i64))
            .expect("create");
    }
    let id = |n: &str| DocId::new("contact", n).expect("id");
    let ids = |scopes: &[Scope], after: Option<&str>, upto: Option<&str>, limit: usize| {
        let after = after.map(id);
        let upto = upto.map(id);
        store
            .doc_ids_in_range(org, scopes, after.as_ref(), upto.as_ref(), limit)
            .expect("range")
            .into_iter()
            .map(|d| d.record_id().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&[mine, team_scope], None, None, 100),
        ["a", "b", "d", "e"]
    );
    assert_eq!(ids(&[mine, team_scope], None, None, 2), ["a", "b"]);
    assert_eq!(ids(&[mine, team_scope], Some("b"), None, 100), ["d", "e"]);
    assert_eq!(
        ids(&[mine, team_scope], Some("a"), Some("d"), 100),
        ["b", "d"]
    );
    assert_eq!(
        ids(&[mine, team_scope, everyone], None, Some("c"), 100),
        ["a", "b", "c"]
    );
    assert_eq!(ids(&[everyone], None, None, 100), ["c"]);
    assert!(ids(&[], None, None, 100).is_empty());
    assert!(ids(&[mine], Some("e"), None, 100).is_empty());
    // Byte order, whatever the database's locale: '-' (0x2d) sorts before digits and letters.
    let mut odd = Record::new("a-z", 1, 1);
    store
        .commit(org, vec![odd.create(vec![everyone], owner)], at(9))
        .expect("create");
    let mut upper = Record::new("a0", 1, 1);
    store
        .commit(org, vec![upper.create(vec![everyone], owner)], at(9))
        .expect("create");
    assert_eq!(ids(&[everyone], None, None, 100), ["a-z", "a0", "c"]);
}

pub fn actors_are_bound_to_their_first_writer(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let agent = store
        .create_user(org, &new_user("agent@acme.test", Role::Agent), at(0))
        .expect("user")
        .id;
    let mut record = Record::new("alpha", 7, 1);
    let write = record.create(vec![Scope::User(owner)], owner);
    assert_eq!(write.new_actors, [crate::support::actor_bytes(7)]);
    store.commit(org, vec![write], at(1)).expect("create");
    let mut later = Record::new("beta", 7, 1);
    let mut write = later.create(vec![Scope::User(agent)], agent);
    write.new_actors.push(crate::support::actor_bytes(8));
    store.commit(org, vec![write], at(2)).expect("create");
    let owners = store
        .actor_owners(
            org,
            &[
                crate::support::actor_bytes(7),
                crate::support::actor_bytes(8),
                crate::support::actor_bytes(9),
            ],
        )
        .expect("owners");
    assert_eq!(owners.len(), 2);
    assert_eq!(owners.get(&crate::support::actor_bytes(7)), Some(&owner));
    assert_eq!(owners.get(&crate::support::actor_bytes(8)), Some(&agent));
    assert!(store.actor_owners(org, &[]).expect("owners").is_empty());
}
