//! Statistics, backups, concurrency, and calls from Tokio's blocking threads.

use crate::support::{at, heads_of, Backend, Kind, Record};
use crate::{cursor, new_user, org_with_owner};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::Scope;
use fieldstone_server::store::{Stats, StoreError};

// ---------------------------------------------------------------------------------------------
// Operations

pub fn stats_count_what_is_stored(b: &Backend) {
    let store = b.store();
    assert_eq!(
        Stats {
            stored_bytes: 0,
            ..store.stats().expect("stats")
        },
        Stats::default()
    );
    let (org, owner) = org_with_owner(store, "acme");
    store.create_org("empty", at(0)).expect("org");
    let agent = store
        .create_user(org, &new_user("agent@acme.test", Role::Agent), at(0))
        .expect("user")
        .id;
    let laptop = store
        .create_device(org, owner, "laptop", at(0))
        .expect("device")
        .id;
    let phone = store
        .create_device(org, agent, "phone", at(0))
        .expect("device")
        .id;
    store
        .create_session(org, owner, laptop, "s1", at(60))
        .expect("session");
    store
        .create_session(org, agent, phone, "s2", at(60))
        .expect("session");
    store.revoke_device(org, phone, at(1)).expect("revoke");
    let mut alpha = Record::new("alpha", 1, 2);
    let mut beta = Record::new("beta", 1, 1);
    store
        .commit(
            org,
            vec![
                alpha.create(vec![Scope::User(owner)], owner),
                beta.create(vec![Scope::Org(org)], owner),
            ],
            at(2),
        )
        .expect("commit");
    let stats = store.stats().expect("stats");
    assert!(stats.stored_bytes > 0);
    assert_eq!(
        stats,
        Stats {
            orgs: 2,
            users: 2,
            devices: 1,
            active_sessions: 2,
            documents: 2,
            changes: 3,
            stored_bytes: stats.stored_bytes,
        }
    );
}

pub fn backup_is_a_store_with_the_data(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let mut record = Record::new("alpha", 1, 3);
    store
        .commit(
            org,
            vec![record.create(vec![Scope::User(owner)], owner)],
            at(1),
        )
        .expect("create");
    let dest = b.backup_path();
    std::fs::create_dir_all(dest.parent().expect("parent")).expect("backup dir");
    store.backup(&dest).expect("backup");
    assert!(dest.is_file());
    if b.kind == Kind::Postgres {
        let head = std::fs::read(&dest).expect("read the dump");
        assert!(
            head.starts_with(b"PGDMP"),
            "a pg_dump custom-format archive"
        );
    }
    // Never over an existing file.
    assert!(matches!(store.backup(&dest), Err(StoreError::Conflict(_))));

    let restored = b.open_backup(&dest);
    let copy = restored.store.as_ref();
    assert_eq!(
        copy.org(org).expect("org").map(|o| o.name),
        Some("acme".to_string())
    );
    assert_eq!(
        copy.user(org, owner).expect("user"),
        store.user(org, owner).expect("user")
    );
    let loaded = copy
        .load_doc(org, &record.id)
        .expect("load")
        .expect("stored");
    assert_eq!(heads_of(&loaded.bytes), record.heads());
    // The copy goes on numbering after the original's feed.
    let head = loaded.head_seq;
    record.edit(1);
    let done = copy
        .commit(org, vec![record.append(head, false, owner)], at(2))
        .expect("commit");
    assert!(done[0].seq > head);
}

/// Writers in two organisations commit at once while a device follows one organisation's
/// feed: whatever it saw, following its cursor it never skips a document (a feed number must
/// never become visible before a smaller one of the same organisation).
pub fn concurrent_commits_never_hide_from_a_follower(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let (other, other_owner) = org_with_owner(store, "other");
    let scope = Scope::Org(org);
    const WRITERS: usize = 4;
    const DOCS: usize = 15;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let seen = std::thread::scope(|s| {
        for w in 0..WRITERS {
            let done = &done;
            s.spawn(move || {
                // Counted even if this writer panics, so the follower stops and the panic shows.
                let _finished = Finished(done);
                for n in 0..DOCS {
                    let mut record = Record::new(&format!("w{w}-{n}"), w as u8 + 1, 1);
                    store
                        .commit(org, vec![record.create(vec![scope], owner)], at(n as i64))
                        .expect("commit");
                    let mut noise = Record::new(&format!("w{w}-{n}"), w as u8 + 1, 1);
                    store
                        .commit(
                            other,
                            vec![noise.create(vec![Scope::Org(other)], other_owner)],
                            at(n as i64),
                        )
                        .expect("commit elsewhere");
                }
            });
        }
        let follower = s.spawn(|| {
            let mut seen = std::collections::BTreeSet::new();
            let mut cursors = vec![cursor(scope, 0)];
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
                let page = store.pull(org, &cursors, 7, 1 << 20).expect("pull");
                seen.extend(page.docs.iter().map(|d| d.doc_id.clone()));
                cursors = page.cursors;
                if finished && !page.more {
                    return seen;
                }
            }
        });
        follower.join().expect("follower")
    });
    assert_eq!(seen.len(), WRITERS * DOCS);
}

struct Finished<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The server calls the store from Tokio's blocking threads.
pub fn works_from_spawn_blocking_threads(b: &Backend) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let store = b.shared();
    runtime.block_on(async move {
        let org = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || store.create_org("acme", at(0)))
                .await
                .expect("join")
                .expect("create org")
                .id
        };
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let store = store.clone();
                tokio::task::spawn_blocking(move || {
                    let user = store.create_user(
                        org,
                        &new_user(&format!("u{n}@acme.test"), Role::Agent),
                        at(n),
                    )?;
                    let mut record = Record::new(&format!("doc-{n}"), n as u8 + 1, 1);
                    store.commit(
                        org,
                        vec![record.create(vec![Scope::Org(org)], user.id)],
                        at(n),
                    )?;
                    store.pull(org, &[cursor(Scope::Org(org), 0)], 100, 1 << 20)
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("join").expect("store calls");
        }
        let page = tokio::task::spawn_blocking(move || {
            store.pull(org, &[cursor(Scope::Org(org), 0)], 100, 1 << 20)
        })
        .await
        .expect("join")
        .expect("pull");
        assert_eq!(page.docs.len(), 8);
    });
}
