//! Pulling the change feed: pages, cursors, the byte budget, scopes joined and shared.

use crate::support::{at, heads_after, heads_of, Backend, Record};
use crate::{cursor, new_user, org_with_owner, passing, pull_all};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};

pub fn pull_pages_follow_cursors(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let scope = Scope::User(owner);
    let mut records: Vec<Record> = (0..5)
        .map(|n| Record::new(&format!("doc-{n}"), 1, 2))
        .collect();
    let mut seqs = Vec::new();
    for (n, record) in records.iter_mut().enumerate() {
        let done = store
            .commit(org, vec![record.create(vec![scope], owner)], at(n as i64))
            .expect("create");
        seqs.push(done[0].seq);
    }
    let id = |n: usize| DocId::new("contact", format!("doc-{n}")).expect("id");

    let page = store
        .pull(org, &[cursor(scope, 0)], 2, 1 << 20)
        .expect("pull");
    let ids: Vec<DocId> = page.docs.iter().map(|d| d.doc_id.clone()).collect();
    assert_eq!(ids, [id(0), id(1)]);
    assert!(page.more);
    assert_eq!(page.cursors, [passing(scope, seqs[1], 0)]);
    // From the start, each document comes whole, loadable, with no separate changes.
    for (doc, record) in page.docs.iter().zip(records.iter_mut()) {
        assert!(doc.changes.is_empty());
        assert_eq!(
            heads_of(doc.snapshot.as_ref().expect("snapshot")),
            record.heads()
        );
    }
    assert_eq!(page.docs[0].updated_at, at(0));

    let page = store.pull(org, &page.cursors, 2, 1 << 20).expect("pull");
    let ids: Vec<DocId> = page.docs.iter().map(|d| d.doc_id.clone()).collect();
    assert_eq!((ids, page.more), (vec![id(2), id(3)], true));
    let page = store.pull(org, &page.cursors, 2, 1 << 20).expect("pull");
    let ids: Vec<DocId> = page.docs.iter().map(|d| d.doc_id.clone()).collect();
    assert_eq!((ids, page.more), (vec![id(4)], false));
    assert_eq!(page.cursors, [cursor(scope, seqs[4])]);
    let caught_up = page.cursors.clone();
    let page = store.pull(org, &caught_up, 2, 1 << 20).expect("pull");
    assert!(page.docs.is_empty() && !page.more);
    assert_eq!(page.cursors, caught_up);

    // An edit moves the document to the end of the feed; a device past its creation gets only
    // the new changes.
    let base = store.load_doc(org, &id(1)).expect("load").expect("stored");
    records[1].edit(2);
    let done = store
        .commit(
            org,
            vec![records[1].append(base.head_seq, false, owner)],
            at(10),
        )
        .expect("append");
    let page = store.pull(org, &caught_up, 10, 1 << 20).expect("pull");
    assert_eq!(page.docs.len(), 1);
    let doc = &page.docs[0];
    assert_eq!(
        (
            doc.doc_id.clone(),
            doc.snapshot.is_none(),
            doc.changes.len()
        ),
        (id(1), true, 2)
    );
    assert_eq!(doc.updated_at, at(10));
    assert_eq!(heads_after(&base.bytes, &doc.changes), records[1].heads());
    assert_eq!(page.cursors, [cursor(scope, done[0].seq)]);
    // A device from the start still gets one entry per document, the edited one last...
    let (pages, end) = pull_all(store, org, vec![cursor(scope, 0)], 3, 1 << 20);
    assert_eq!(pages, [vec![id(0), id(2), id(3)], vec![id(4), id(1)]]);
    assert_eq!(end, [cursor(scope, done[0].seq)]);
    // ...and whole, although its entry now sits past the first page's cursor: where an entry
    // sits says nothing about whether the device has its document, only the pass's base does.
    let first = store
        .pull(org, &[cursor(scope, 0)], 3, 1 << 20)
        .expect("pull");
    let second = store.pull(org, &first.cursors, 3, 1 << 20).expect("pull");
    assert_eq!(second.docs.len(), 2);
    assert!(
        second.docs.iter().all(|d| d.snapshot.is_some()),
        "a first pass sends every document whole"
    );
    // A page with no room left returns the cursor as it was.
    let other = Scope::Org(org);
    let page = store
        .pull(org, &[cursor(scope, 0), cursor(other, 0)], 5, 1 << 20)
        .expect("pull");
    assert!(page.more);
    assert_eq!(page.docs.len(), 5);
    assert_eq!(page.cursors[1], cursor(other, 0));

    // A cursor past the feed's end (the server was restored from an older backup) starts the
    // scope over: every document again, whole, and a cursor the device can follow.
    let past = cursor(scope, done[0].seq + 1_000);
    let (pages, end) = pull_all(store, org, vec![past], 10, 1 << 20);
    assert_eq!(pages.concat().len(), 5);
    assert_eq!(end, [cursor(scope, done[0].seq)]);
    let page = store.pull(org, &[past], 10, 1 << 20).expect("pull");
    assert!(page.docs.iter().all(|d| d.snapshot.is_some()));
}

pub fn pull_respects_the_byte_budget(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let scope = Scope::User(owner);
    for n in 0..4 {
        let mut record = Record::new(&format!("doc-{n}"), 1, 3);
        store
            .commit(org, vec![record.create(vec![scope], owner)], at(n))
            .expect("create");
    }
    // A budget smaller than one document still returns one per page, so sync always advances.
    let (pages, _) = pull_all(store, org, vec![cursor(scope, 0)], 100, 1);
    assert_eq!(pages.len(), 4);
    assert!(pages.iter().all(|p| p.len() == 1));
    let page = store.pull(org, &[cursor(scope, 0)], 100, 1).expect("pull");
    assert!(page.more);
    // Enough for everything: one page.
    let (pages, _) = pull_all(store, org, vec![cursor(scope, 0)], 100, 1 << 20);
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].len(), 4);
    // A budget the first document reaches stops the page after it; the next cursor's scope is
    // then not read at all.
    let size = {
        let page = store
            .pull(org, &[cursor(scope, 0)], 1, 1 << 20)
            .expect("pull");
        page.docs[0].snapshot.as_ref().expect("snapshot").len()
    };
    let org_scope = Scope::Org(org);
    let page = store
        .pull(org, &[cursor(scope, 0), cursor(org_scope, 0)], 100, size)
        .expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert!(page.more);
    assert_eq!(page.cursors[1], cursor(org_scope, 0));
}

pub fn documents_joining_a_scope_come_whole(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let team = store.create_team(org, "North").expect("team").id;
    let agent = store
        .create_user(org, &new_user("agent@acme.test", Role::Agent), at(0))
        .expect("user")
        .id;
    let mine = Scope::User(owner);
    let team_scope = Scope::Team(team);
    let mut record = Record::new("alpha", 1, 2);
    let created = store
        .commit(org, vec![record.create(vec![mine], owner)], at(1))
        .expect("create");
    let mut filler = Record::new("filler", 1, 1);
    let filled = store
        .commit(org, vec![filler.create(vec![team_scope], owner)], at(2))
        .expect("create");
    // A device that has read the team feed up to now.
    let team_cursor = cursor(team_scope, filled[0].seq);

    let joined = store
        .add_doc_scope(org, &record.id, team_scope, at(3))
        .expect("add scope")
        .expect("added");
    assert!(joined > filled[0].seq);
    assert_eq!(
        store
            .add_doc_scope(org, &record.id, team_scope, at(4))
            .expect("add again"),
        None
    );
    let nobody = DocId::new("contact", "nobody").expect("id");
    assert_eq!(
        store
            .add_doc_scope(org, &nobody, team_scope, at(4))
            .expect("add missing"),
        None
    );
    assert_eq!(
        store.doc_scopes(org, &record.id).expect("scopes"),
        Some(vec![mine, team_scope])
    );
    assert_eq!(store.doc_scopes(org, &nobody).expect("scopes"), None);

    let page = store.pull(org, &[team_cursor], 10, 1 << 20).expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert_eq!(page.docs[0].doc_id, record.id);
    assert_eq!(
        heads_of(page.docs[0].snapshot.as_ref().expect("whole")),
        record.heads()
    );
    assert_eq!(page.cursors, [cursor(team_scope, joined)]);
    // The owner's own feed did not move.
    let page = store
        .pull(org, &[cursor(mine, created[0].seq)], 10, 1 << 20)
        .expect("pull");
    assert!(page.docs.is_empty());

    // A reassignment in a commit brings the document into the agent's scope, whole.
    let agent_scope = Scope::User(agent);
    let head = store
        .load_doc(org, &record.id)
        .expect("load")
        .expect("stored")
        .head_seq;
    record.edit(1);
    let mut write = record.append(head, false, owner);
    write.add_scopes = vec![agent_scope];
    let done = store.commit(org, vec![write], at(5)).expect("reassign");
    assert_eq!(done[0].scopes, [mine, team_scope, agent_scope]);
    let page = store
        .pull(org, &[cursor(agent_scope, joined)], 10, 1 << 20)
        .expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert_eq!(
        heads_of(page.docs[0].snapshot.as_ref().expect("whole")),
        record.heads()
    );
    // The team, which had it, gets the change alone.
    let page = store
        .pull(org, &[cursor(team_scope, joined)], 10, 1 << 20)
        .expect("pull");
    assert_eq!(
        (page.docs[0].snapshot.is_none(), page.docs[0].changes.len()),
        (true, 1)
    );

    assert!(store
        .remove_doc_scope(org, &record.id, team_scope)
        .expect("remove"));
    assert!(!store
        .remove_doc_scope(org, &record.id, team_scope)
        .expect("remove again"));
    assert_eq!(
        store.doc_scopes(org, &record.id).expect("scopes"),
        Some(vec![mine, agent_scope])
    );
    let page = store
        .pull(org, &[cursor(team_scope, 0)], 10, 1 << 20)
        .expect("pull");
    let ids: Vec<DocId> = page.docs.iter().map(|d| d.doc_id.clone()).collect();
    assert_eq!(ids, [filler.id.clone()]);
}

pub fn a_document_in_two_scopes_comes_once(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let mine = Scope::User(owner);
    let everyone = Scope::Org(org);
    let mut record = Record::new("alpha", 1, 2);
    let created = store
        .commit(org, vec![record.create(vec![mine, everyone], owner)], at(1))
        .expect("create");
    let seq = created[0].seq;
    let page = store
        .pull(org, &[cursor(mine, 0), cursor(everyone, 0)], 10, 1 << 20)
        .expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert_eq!(page.cursors, [cursor(mine, seq), cursor(everyone, seq)]);

    // Seen through one scope as changes and through the other as new: it comes once, whole.
    let mut other = Record::new("beta", 1, 1);
    let done = store
        .commit(org, vec![other.create(vec![mine], owner)], at(2))
        .expect("create");
    record.edit(1);
    let edited = store
        .commit(org, vec![record.append(seq, false, owner)], at(3))
        .expect("edit");
    let page = store
        .pull(
            org,
            &[cursor(mine, done[0].seq), cursor(everyone, 0)],
            10,
            1 << 20,
        )
        .expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert_eq!(
        heads_of(page.docs[0].snapshot.as_ref().expect("whole")),
        record.heads()
    );
    assert_eq!(
        page.cursors,
        [cursor(mine, edited[0].seq), cursor(everyone, edited[0].seq)]
    );
    // Whole first, then as changes: still once, whole.
    let page = store
        .pull(
            org,
            &[cursor(everyone, 0), cursor(mine, done[0].seq)],
            10,
            1 << 20,
        )
        .expect("pull");
    assert_eq!(page.docs.len(), 1);
    assert!(page.docs[0].snapshot.is_some());
}
