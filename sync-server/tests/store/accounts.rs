//! Organisations, teams, users, devices, sessions, invitations, and tenant isolation.

use crate::support::{at, unknown_org, Backend, Record};
use crate::{cursor, new_user, org_with_owner};
use fieldstone_model::{DeviceId, OrgId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, Scope};
use fieldstone_server::store::{InvitationRow, Store, StoreError};

// ---------------------------------------------------------------------------------------------
// Organisations, teams, users

pub fn orgs_teams_and_users(b: &Backend) {
    let store = b.store();
    let zed = store.create_org("Zed Realty", at(0)).expect("org");
    let acme = store.create_org("Acme Homes", at(1)).expect("org");
    assert_eq!(store.org(zed.id).expect("org"), Some(zed.clone()));
    assert_eq!(store.org(unknown_org()).expect("org"), None);
    let names: Vec<String> = store
        .orgs()
        .expect("orgs")
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["Acme Homes", "Zed Realty"]);

    let north = store.create_team(acme.id, "North").expect("team");
    store.create_team(acme.id, "East").expect("team");
    assert!(matches!(
        store.create_team(acme.id, "North"),
        Err(StoreError::Conflict(_))
    ));
    // Team names are unique per organisation only.
    store
        .create_team(zed.id, "North")
        .expect("same name elsewhere");
    assert_eq!(
        store.team(acme.id, north.id).expect("team"),
        Some(north.clone())
    );
    let teams: Vec<String> = store
        .teams(acme.id)
        .expect("teams")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(teams, ["East", "North"]);

    let ann = store
        .create_user(acme.id, &new_user("ann@x.test", Role::Agent), at(2))
        .expect("user");
    assert_eq!(ann.org_id, acme.id);
    assert_eq!(ann.created_at, at(2));
    assert!(matches!(
        store.create_user(acme.id, &new_user("ann@x.test", Role::Viewer), at(3)),
        Err(StoreError::Conflict(_))
    ));
    let ann_at_zed = store
        .create_user(zed.id, &new_user("ann@x.test", Role::Broker), at(3))
        .expect("same email in another organisation");
    store
        .create_user(acme.id, &new_user("abe@x.test", Role::Viewer), at(4))
        .expect("user");
    assert_eq!(
        store.user(acme.id, ann.id).expect("user"),
        Some(ann.clone())
    );
    let emails: Vec<String> = store
        .users(acme.id)
        .expect("users")
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(emails, ["abe@x.test", "ann@x.test"]);

    let accounts = store.accounts_by_email("ann@x.test").expect("by email");
    let found: Vec<(String, UserId)> = accounts
        .iter()
        .map(|(o, u)| (o.name.clone(), u.id))
        .collect();
    assert_eq!(
        found,
        [
            ("Acme Homes".to_string(), ann.id),
            ("Zed Realty".to_string(), ann_at_zed.id)
        ]
    );
    assert!(store
        .accounts_by_email("nobody@x.test")
        .expect("by email")
        .is_empty());

    assert!(store
        .set_role(acme.id, ann.id, Role::Broker)
        .expect("set role"));
    assert_eq!(
        store.user(acme.id, ann.id).expect("user").map(|u| u.role),
        Some(Role::Broker)
    );
    assert!(!store
        .set_role(
            acme.id,
            UserId::from_uuid(uuid::Uuid::new_v4()),
            Role::Admin
        )
        .expect("set role"));
}

pub fn team_memberships(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let (other_org, stranger) = org_with_owner(store, "other");
    let team = store.create_team(org, "North").expect("team").id;
    let agent = store
        .create_user(org, &new_user("agent@acme.test", Role::Agent), at(1))
        .expect("user")
        .id;
    assert!(store.add_member(org, team, agent).expect("add"));
    assert!(!store.add_member(org, team, agent).expect("add twice"));
    assert!(store.add_member(org, team, owner).expect("add"));
    // A user of another organisation cannot join.
    assert!(!store.add_member(org, team, stranger).expect("add stranger"));
    let mut members = store.memberships(org).expect("memberships");
    members.sort();
    let mut expected = vec![(team, agent), (team, owner)];
    expected.sort();
    assert_eq!(members, expected);
    assert!(store
        .memberships(other_org)
        .expect("memberships")
        .is_empty());
    assert!(store.remove_member(org, team, agent).expect("remove"));
    assert!(!store.remove_member(org, team, agent).expect("remove twice"));
    assert_eq!(
        store.memberships(org).expect("memberships"),
        [(team, owner)]
    );
}

// ---------------------------------------------------------------------------------------------
// Devices, sessions, invitations

pub fn devices_sessions_and_revocation(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let agent = store
        .create_user(org, &new_user("agent@acme.test", Role::Agent), at(0))
        .expect("user")
        .id;
    let laptop = store
        .create_device(org, owner, "laptop", at(1))
        .expect("device");
    let phone = store
        .create_device(org, agent, "phone", at(2))
        .expect("device");
    assert_eq!(laptop.last_seen_at, None);
    assert_eq!(
        store.device(org, laptop.id).expect("device"),
        Some(laptop.clone())
    );
    let all: Vec<DeviceId> = store
        .devices(org, None)
        .expect("devices")
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(all, [laptop.id, phone.id]);
    let agents: Vec<DeviceId> = store
        .devices(org, Some(agent))
        .expect("devices")
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(agents, [phone.id]);

    store.touch_device(org, laptop.id, at(5)).expect("touch");
    assert_eq!(
        store
            .device(org, laptop.id)
            .expect("device")
            .and_then(|d| d.last_seen_at),
        Some(at(5))
    );

    store
        .create_session(org, owner, laptop.id, "hash-laptop", at(60))
        .expect("session");
    store
        .create_session(org, agent, phone.id, "hash-phone-1", at(60))
        .expect("session");
    store
        .create_session(org, agent, phone.id, "hash-phone-2", at(61))
        .expect("session");
    let session = store
        .session("hash-phone-1")
        .expect("session")
        .expect("exists");
    assert_eq!(
        (
            session.org_id,
            session.user_id,
            session.device_id,
            session.role,
            session.expires_at
        ),
        (org, agent, phone.id, Role::Agent, at(60))
    );
    assert!(!session.device_revoked);
    assert_eq!(store.session("no-such-hash").expect("session"), None);

    // Revocation keeps the sessions so the device can be told to wipe; the first time stays.
    assert!(store.revoke_device(org, phone.id, at(10)).expect("revoke"));
    assert!(store
        .revoke_device(org, phone.id, at(20))
        .expect("revoke again"));
    assert_eq!(
        store
            .device(org, phone.id)
            .expect("device")
            .and_then(|d| d.revoked_at),
        Some(at(10))
    );
    assert!(
        store
            .session("hash-phone-1")
            .expect("session")
            .expect("kept")
            .device_revoked
    );
    assert!(!store
        .revoke_device(org, DeviceId::from_uuid(uuid::Uuid::new_v4()), at(10))
        .expect("revoke"));

    store.end_session(org, "hash-phone-1").expect("end");
    assert_eq!(store.session("hash-phone-1").expect("session"), None);
    assert_eq!(store.end_sessions(org, agent).expect("end all"), 1);
    assert_eq!(store.session("hash-phone-2").expect("session"), None);
    assert_eq!(store.end_sessions(org, agent).expect("end all"), 0);

    // A new password ends every session of its user, and only theirs.
    store
        .create_session(org, agent, phone.id, "hash-phone-3", at(60))
        .expect("session");
    assert!(store
        .set_password(org, owner, "new-hash")
        .expect("set password"));
    assert_eq!(store.session("hash-laptop").expect("session"), None);
    assert!(store.session("hash-phone-3").expect("session").is_some());
    assert_eq!(
        store
            .user(org, owner)
            .expect("user")
            .map(|u| u.password_hash),
        Some("new-hash".to_string())
    );
    assert!(!store
        .set_password(org, UserId::from_uuid(uuid::Uuid::new_v4()), "x")
        .expect("set password"));
}

pub fn invitations_are_taken_once_and_expire(b: &Backend) {
    let store = b.store();
    let (org, owner) = org_with_owner(store, "acme");
    let team = store.create_team(org, "North").expect("team").id;
    let invitation = InvitationRow {
        token_hash: "invite-1".into(),
        org_id: org,
        email: "new@acme.test".into(),
        role: Role::Agent,
        team_id: Some(team),
        created_by: owner,
        expires_at: at(100),
    };
    store.create_invitation(&invitation).expect("invite");
    store
        .create_invitation(&InvitationRow {
            token_hash: "invite-2".into(),
            team_id: None,
            expires_at: at(10),
            ..invitation.clone()
        })
        .expect("invite");
    assert_eq!(
        store.take_invitation("invite-1", at(50)).expect("take"),
        Some(invitation)
    );
    assert_eq!(
        store
            .take_invitation("invite-1", at(51))
            .expect("take again"),
        None
    );
    // Expired: refused, at the second it expires and after.
    assert_eq!(
        store
            .take_invitation("invite-2", at(10))
            .expect("take expired"),
        None
    );
    assert_eq!(
        store
            .take_invitation("unknown", at(1))
            .expect("take unknown"),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Tenant isolation

/// Everything the store knows about `org`, to compare before and after.
fn tenant_view(store: &dyn Store, org: OrgId, doc: &DocId, session: &str) -> String {
    let loaded = store
        .load_doc(org, doc)
        .expect("load")
        .map(|d| (d.bytes, d.scopes, d.head_seq, d.tail_len));
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.org(org).expect("org"),
        store.teams(org).expect("teams"),
        store.users(org).expect("users"),
        store.memberships(org).expect("memberships"),
        store.devices(org, None).expect("devices"),
        store.session(session).expect("session"),
        loaded,
        store.doc_scopes(org, doc).expect("scopes"),
    )
}

pub fn tenants_never_see_or_change_each_other(b: &Backend) {
    let store = b.store();
    let (a, owner) = org_with_owner(store, "a");
    let (other, other_owner) = org_with_owner(store, "b");
    let team = store.create_team(a, "North").expect("team").id;
    assert!(store.add_member(a, team, owner).expect("add"));
    let device = store
        .create_device(a, owner, "laptop", at(0))
        .expect("device")
        .id;
    store
        .create_session(a, owner, device, "hash-a", at(60))
        .expect("session");
    let mut record = Record::new("alpha", 1, 2);
    let scope = Scope::User(owner);
    let committed = store
        .commit(
            a,
            vec![record.create(vec![scope, Scope::Team(team)], owner)],
            at(1),
        )
        .expect("commit");
    let head = committed[0].seq;
    let doc = record.id.clone();
    let before = tenant_view(store, a, &doc, "hash-a");

    for them in [other, unknown_org()] {
        let b = them;
        assert_eq!(
            store.org(b).expect("org").map(|o| o.id),
            if b == other { Some(other) } else { None }
        );
        assert_eq!(store.team(b, team).expect("team"), None);
        assert!(store.teams(b).expect("teams").is_empty());
        assert_eq!(store.user(b, owner).expect("user"), None);
        assert!(store.users(b).expect("users").iter().all(|u| u.org_id == b));
        assert!(!store.set_role(b, owner, Role::Viewer).expect("set role"));
        assert!(!store
            .set_password(b, owner, "stolen")
            .expect("set password"));
        assert!(!store.add_member(b, team, owner).expect("add member"));
        assert!(!store.remove_member(b, team, owner).expect("remove member"));
        assert!(store.memberships(b).expect("memberships").is_empty());
        assert_eq!(store.device(b, device).expect("device"), None);
        assert!(store.devices(b, None).expect("devices").is_empty());
        assert!(store.devices(b, Some(owner)).expect("devices").is_empty());
        assert!(!store.revoke_device(b, device, at(5)).expect("revoke"));
        store.touch_device(b, device, at(5)).expect("touch");
        store.end_session(b, "hash-a").expect("end session");
        assert_eq!(store.end_sessions(b, owner).expect("end sessions"), 0);
        assert!(store.load_doc(b, &doc).expect("load").is_none());
        assert!(store
            .actor_owners(b, &[crate::support::actor_bytes(1)])
            .expect("actors")
            .is_empty());
        assert!(store.doc_scopes(b, &doc).expect("scopes").is_none());
        let page = store
            .pull(
                b,
                &[cursor(scope, 0), cursor(Scope::Team(team), 0)],
                100,
                1 << 20,
            )
            .expect("pull");
        assert!(page.docs.is_empty() && !page.more);
        assert_eq!(
            page.cursors,
            [cursor(scope, 0), cursor(Scope::Team(team), 0)]
        );
        assert_eq!(
            store
                .add_doc_scope(b, &doc, Scope::Org(b), at(5))
                .expect("add scope"),
            None
        );
        assert!(!store
            .remove_doc_scope(b, &doc, scope)
            .expect("remove scope"));
        assert!(store
            .doc_ids_in_range(b, &[scope, Scope::Team(team)], None, None, 100)
            .expect("range")
            .is_empty());
        record.edit(1);
        let write = record.append(head, false, owner);
        assert!(matches!(
            store.commit(b, vec![write], at(6)),
            Err(StoreError::Stale(d)) if d == doc
        ));
    }
    assert_eq!(before, tenant_view(store, a, &doc, "hash-a"));
    assert!(store
        .users(other)
        .expect("users")
        .iter()
        .all(|u| u.id == other_owner));
}
