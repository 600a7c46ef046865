//! Who may read and write what. Scopes a user reads and writes follow from their role and team
//! memberships; the fields a role may change are checked on the diff a change makes (DESIGN
//! decision 5). Everything here is pure, so the rules are tested without a server.

use crate::store::UserRow;
use automerge::{Patch, PatchAction, Prop, ROOT};
use fieldstone_model::{DeviceId, OrgId, TeamId, UserId};
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{RejectCode, Scope};
use std::collections::BTreeSet;

/// The authenticated request's identity (see `auth::Caller` extractor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub org: OrgId,
    pub user: UserId,
    pub role: Role,
    pub device: DeviceId,
    pub token_hash: String,
}

/// Root fields only brokers, admins and owners may change once a document exists.
pub const REASSIGN_FIELDS: [&str; 2] = ["owner", "assigned_agent"];
/// Root fields nobody may change once a document exists: they tie it to its id.
pub const IDENTITY_FIELDS: [&str; 2] = ["id", "kind"];

/// Root fields of intents (DESIGN decision 13) only the server writes, by document kind: where
/// the server records what it did (a message's status, attempts and provider events). A device
/// writes the request; a result from a device would make the server skip a send, or make a
/// person believe one happened.
pub const SERVER_FIELDS: [(&str, &str); 2] = [
    (
        fieldstone_doc::message::KIND,
        fieldstone_doc::message::RESULT_KEY,
    ),
    // A campaign's counts and winners: a device writing them could declare a test's winner
    // (and send it to the rest of the audience) or hide refusals.
    (
        fieldstone_doc::campaign::KIND,
        fieldstone_doc::campaign::RESULT_KEY,
    ),
];

/// Kinds of document only the server writes, whole: the organisation's settings.
pub fn server_only_kind(kind: &str) -> bool {
    kind == fieldstone_doc::org_settings::KIND
}

/// Whether `field` of a `kind` document is written by the server alone.
pub fn server_field(kind: &str, field: &str) -> bool {
    SERVER_FIELDS.contains(&(kind, field))
}

/// A new intent must arrive as a request that has not been acted on: its result says queued,
/// no attempt, no outcome, no event. `Err` names the field.
pub fn check_new_intent(kind: &str, doc: &automerge::AutoCommit) -> Result<(), RejectCode> {
    use automerge::{ReadDoc, ScalarValue, Value};
    use fieldstone_doc::message::{KIND, RESULT_KEY};
    if kind == fieldstone_doc::campaign::KIND {
        return check_new_campaign(doc);
    }
    if kind != KIND {
        return Ok(());
    }
    let refused = || RejectCode::FieldNotAllowed {
        field: RESULT_KEY.to_owned(),
    };
    let Ok(Some((Value::Object(automerge::ObjType::Map), result))) = doc.get(ROOT, RESULT_KEY)
    else {
        // No result at all: the reader refuses the document as unreadable; nothing to send.
        return Ok(());
    };
    let scalar = |key: &str| match doc.get(&result, key) {
        Ok(Some((Value::Scalar(s), _))) => Some(s.into_owned()),
        _ => None,
    };
    let queued = matches!(scalar("status"), Some(ScalarValue::Str(s)) if s == "queued");
    let no_attempt = matches!(
        scalar("attempts"),
        Some(ScalarValue::Uint(0) | ScalarValue::Int(0))
    );
    let empty = ["reason", "provider_id", "status_at_ms"]
        .iter()
        .all(|key| matches!(scalar(key), None | Some(ScalarValue::Null)));
    let no_events = match doc.get(&result, "events") {
        Ok(Some((Value::Object(_), events))) => doc.length(&events) == 0,
        Ok(None) => true,
        _ => false,
    };
    if queued && no_attempt && empty && no_events {
        Ok(())
    } else {
        Err(refused())
    }
}

/// A new campaign arrives with nothing done yet: no one enrolled or gone, no counts, no winner,
/// not finished. `Err` names the result.
fn check_new_campaign(doc: &automerge::AutoCommit) -> Result<(), RejectCode> {
    use automerge::{ReadDoc, ScalarValue, Value};
    use fieldstone_doc::campaign::RESULT_KEY;
    let Ok(Some((Value::Object(automerge::ObjType::Map), result))) = doc.get(ROOT, RESULT_KEY)
    else {
        return Ok(());
    };
    let zero = |key: &str| {
        matches!(
            doc.get(&result, key),
            Ok(Some((Value::Scalar(s), _)))
                if matches!(s.as_ref(), ScalarValue::Uint(0) | ScalarValue::Int(0))
        ) || matches!(doc.get(&result, key), Ok(None))
    };
    let empty_list = |key: &str| match doc.get(&result, key) {
        Ok(Some((Value::Object(_), list))) => doc.length(&list) == 0,
        Ok(None) => true,
        _ => false,
    };
    let unfinished = match doc.get(&result, "finished_at_ms") {
        Ok(None) => true,
        Ok(Some((Value::Scalar(s), _))) => s.is_null(),
        _ => false,
    };
    if zero("enrolled")
        && zero("left")
        && empty_list("counts")
        && empty_list("winners")
        && unfinished
    {
        Ok(())
    } else {
        Err(RejectCode::FieldNotAllowed {
            field: RESULT_KEY.to_owned(),
        })
    }
}

/// The scopes one user reads and writes, computed from the organisation's users and teams.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    pub readable: BTreeSet<Scope>,
    pub writable: BTreeSet<Scope>,
}

impl Access {
    pub fn compute(
        org: OrgId,
        user: UserId,
        role: Role,
        users: &[UserRow],
        teams: &[TeamId],
        memberships: &[(TeamId, UserId)],
    ) -> Self {
        let mut readable = BTreeSet::new();
        let mut writable = BTreeSet::new();
        let my_teams: BTreeSet<TeamId> = memberships
            .iter()
            .filter(|(_, u)| *u == user)
            .map(|(t, _)| *t)
            .collect();
        readable.insert(Scope::Org(org));
        match role {
            Role::Owner | Role::Admin => {
                readable.extend(users.iter().map(|u| Scope::User(u.id)));
                readable.extend(teams.iter().map(|t| Scope::Team(*t)));
                writable = readable.clone();
            }
            Role::Broker => {
                readable.insert(Scope::User(user));
                readable.extend(my_teams.iter().map(|t| Scope::Team(*t)));
                // The private work of everyone in the broker's teams.
                readable.extend(
                    memberships
                        .iter()
                        .filter(|(t, _)| my_teams.contains(t))
                        .map(|(_, u)| Scope::User(*u)),
                );
                writable = readable.clone();
            }
            Role::Agent => {
                readable.insert(Scope::User(user));
                readable.extend(my_teams.iter().map(|t| Scope::Team(*t)));
                writable.insert(Scope::User(user));
                writable.extend(my_teams.iter().map(|t| Scope::Team(*t)));
            }
            Role::Viewer => {
                // Their own scope holds their preferences (which they alone write, see the
                // judge) and whatever they made before the role was lowered.
                readable.insert(Scope::User(user));
                readable.extend(my_teams.iter().map(|t| Scope::Team(*t)));
            }
        }
        Self { readable, writable }
    }

    pub fn can_read(&self, scopes: &[Scope]) -> bool {
        scopes.iter().any(|s| self.readable.contains(s))
    }

    pub fn can_write(&self, scopes: &[Scope]) -> bool {
        scopes.iter().any(|s| self.writable.contains(s))
    }
}

/// The organisation's own rules: who sees everyone, who administers teams and roles, who
/// invites whom. Pure, like the document rules, so routes only ask and tests need no server.
pub mod org {
    use super::*;

    /// Admins and owners see every user, team and device of the organisation; others see
    /// their own teams' members and their own devices.
    pub fn sees_everyone(role: Role) -> bool {
        role.is_admin()
    }

    /// Creating teams, changing a team's members, reading the audit log: an admin's decision
    /// (team membership gives a team's broker its members' private work).
    pub fn administers(role: Role) -> bool {
        role.is_admin()
    }

    /// Admins set agent, broker and viewer roles; only an owner makes or unmakes admins and
    /// owners; nobody changes their own role (an organisation never loses its last owner).
    pub fn may_set_role(
        caller: &Caller,
        target: UserId,
        from: Role,
        to: Role,
    ) -> Result<(), &'static str> {
        if !caller.role.is_admin() {
            return Err("only an admin or owner may change roles");
        }
        if target == caller.user {
            return Err("you cannot change your own role");
        }
        if (from.is_admin() || to.is_admin()) && caller.role != Role::Owner {
            return Err("only an owner may grant or remove admin and owner roles");
        }
        Ok(())
    }

    /// Owners invite anyone; admins anyone but owners; brokers agents and viewers into a team of
    /// their own.
    pub fn may_invite(caller: Role, invited: Role, into_own_team: bool) -> bool {
        match caller {
            Role::Owner => true,
            Role::Admin => invited != Role::Owner,
            Role::Broker => matches!(invited, Role::Agent | Role::Viewer) && into_own_team,
            Role::Agent | Role::Viewer => false,
        }
    }

    /// A device may be revoked by its user, or by an admin.
    pub fn may_revoke_device(caller: &Caller, device_user: UserId) -> bool {
        device_user == caller.user || caller.role.is_admin()
    }
}

/// The root field a patch touches, if it touches one (directly or anywhere inside it).
fn root_field(patch: &Patch) -> Option<&str> {
    if let Some((obj, Prop::Map(key))) = patch.path.first() {
        if *obj == ROOT {
            return Some(key);
        }
    }
    if patch.obj == ROOT {
        return match &patch.action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key),
            PatchAction::Increment {
                prop: Prop::Map(key),
                ..
            }
            | PatchAction::Conflict {
                prop: Prop::Map(key),
            } => Some(key),
            _ => None,
        };
    }
    None
}

/// Checks what a change did to an existing document of `kind` (`patches`: the diff from the
/// server's heads to the heads after applying it) against the writer's role. A device never
/// writes an intent's result, whatever its role.
pub fn check_patches(role: Role, kind: &str, patches: &[Patch]) -> Result<(), RejectCode> {
    for patch in patches {
        let Some(field) = root_field(patch) else {
            continue;
        };
        // A campaign runs over its owner's contacts in its owner's name: whose it is never
        // changes (a broker handing one to an admin would reach the whole organisation).
        let campaign_owner = kind == fieldstone_doc::campaign::KIND && field == "owner";
        if IDENTITY_FIELDS.contains(&field) || server_field(kind, field) || campaign_owner {
            return Err(RejectCode::FieldNotAllowed {
                field: field.to_owned(),
            });
        }
        if REASSIGN_FIELDS.contains(&field) && !role.may_reassign() {
            return Err(RejectCode::FieldNotAllowed {
                field: field.to_owned(),
            });
        }
    }
    Ok(())
}

/// The sentence shown to the person whose edit was refused. It names the kind of record, not
/// its id: the notice carries the document id for the app to link, and an id means nothing to
/// people.
pub fn reject_message(code: &RejectCode, doc: &fieldstone_protocol::DocId) -> String {
    let record = match doc.kind() {
        "" => "this record".to_owned(),
        kind => format!("this {}", kind.replace('_', " ")),
    };
    match code {
        RejectCode::NotWritable => format!(
            "You may not change {record}: it is not in your work or your team's, or your role is read-only. It was put back as it is on the server."
        ),
        RejectCode::FieldNotAllowed { field } if IDENTITY_FIELDS.contains(&field.as_str()) => {
            format!("The {field} of {record} cannot change. Your edit was undone.")
        }
        RejectCode::FieldNotAllowed { field } if server_field(doc.kind(), field) => format!(
            "Only the server records the {field} of {record} (what it sent and what happened to it). Your edit was undone."
        ),
        RejectCode::FieldNotAllowed { field } => format!(
            "Only a broker or admin may change the {} of {record}. Your edit was undone.",
            field.replace('_', " ")
        ),
        RejectCode::ForeignActor => format!(
            "The edit to {record} was signed as another user's device and was refused."
        ),
        RejectCode::Malformed => format!("The edit to {record} was not readable and was refused."),
        RejectCode::MissingDependencies => format!(
            "The server is missing earlier edits of {record}; this device will send its full history."
        ),
        RejectCode::LimitReached { limit } => format!(
            "The edit to {record} was refused: it would pass the server's {} limit. It stays on this device.",
            limit.replace('_', " ")
        ),
        RejectCode::Unreadable => format!(
            "The server's copy of {record} cannot be read and was set aside for an administrator; this device keeps its own."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_kind_of_record_not_its_id() {
        let doc: fieldstone_protocol::DocId = "contact:0190a6f4-8c2b-7d1e-9a3b-5c6d7e8f9a0b"
            .parse()
            .expect("doc id");
        let message = reject_message(&RejectCode::NotWritable, &doc);
        assert!(
            message.starts_with("You may not change this contact:"),
            "{message}"
        );
        assert!(!message.contains("0190a6f4"), "{message}");
        let message = reject_message(
            &RejectCode::FieldNotAllowed {
                field: "assigned_agent".into(),
            },
            &doc,
        );
        assert!(
            message.contains("the assigned agent of this contact"),
            "{message}"
        );
    }
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ReadDoc, ScalarValue};
    use chrono::Utc;
    use uuid::Uuid;

    fn user_row(org: OrgId, n: u128, role: Role) -> UserRow {
        UserRow {
            id: UserId::from_uuid(Uuid::from_u128(n)),
            org_id: org,
            email: format!("u{n}@example.com"),
            display_name: format!("U{n}"),
            role,
            password_hash: String::new(),
            created_at: Utc::now(),
        }
    }

    struct Org {
        org: OrgId,
        users: Vec<UserRow>,
        teams: Vec<TeamId>,
        members: Vec<(TeamId, UserId)>,
    }

    /// Team 1: broker 1, agents 2 and 3, viewer 4. Team 2: agent 5. Admin 6 in no team.
    fn org() -> Org {
        let org = OrgId::from_uuid(Uuid::from_u128(100));
        let roles = [
            (1, Role::Broker),
            (2, Role::Agent),
            (3, Role::Agent),
            (4, Role::Viewer),
            (5, Role::Agent),
            (6, Role::Admin),
        ];
        let users: Vec<UserRow> = roles.iter().map(|(n, r)| user_row(org, *n, *r)).collect();
        let t1 = TeamId::from_uuid(Uuid::from_u128(201));
        let t2 = TeamId::from_uuid(Uuid::from_u128(202));
        let u = |n: usize| users[n - 1].id;
        let members = vec![(t1, u(1)), (t1, u(2)), (t1, u(3)), (t1, u(4)), (t2, u(5))];
        Org {
            org,
            teams: vec![t1, t2],
            members,
            users,
        }
    }

    fn access(o: &Org, n: usize) -> Access {
        let u = &o.users[n - 1];
        Access::compute(o.org, u.id, u.role, &o.users, &o.teams, &o.members)
    }

    #[test]
    fn scopes_follow_role_and_team() {
        let o = org();
        let user = |n: usize| Scope::User(o.users[n - 1].id);
        let (t1, t2) = (Scope::Team(o.teams[0]), Scope::Team(o.teams[1]));
        let broker = access(&o, 1);
        assert!(broker.can_read(&[user(2)]) && broker.can_write(&[user(3)]));
        assert!(!broker.can_read(&[user(5)]), "not the broker's team");
        assert!(broker.can_read(&[t1]) && !broker.can_read(&[t2]));

        let agent = access(&o, 2);
        assert!(agent.can_write(&[user(2)]) && agent.can_write(&[t1]));
        assert!(!agent.can_read(&[user(3)]), "a teammate's private work");
        assert!(
            agent.can_read(&[user(3), t1]),
            "a teammate's document shared with the team"
        );
        assert!(!agent.can_write(&[Scope::Org(o.org)]));
        assert!(agent.can_read(&[Scope::Org(o.org)]));

        let viewer = access(&o, 4);
        assert!(viewer.can_read(&[t1]));
        assert!(viewer.writable.is_empty(), "read-only role writes nothing");

        let admin = access(&o, 6);
        assert!(admin.can_write(&[user(5)]) && admin.can_write(&[t2]));

        let other_org = Scope::User(UserId::from_uuid(Uuid::from_u128(999)));
        for n in 1..=6 {
            assert!(!access(&o, n).can_read(&[other_org]));
        }
    }

    fn patches_after(edit: impl FnOnce(&mut AutoCommit)) -> Vec<Patch> {
        let mut doc = AutoCommit::new();
        for (k, v) in [
            ("id", "x"),
            ("kind", "contact"),
            ("owner", "a"),
            ("stage", "new"),
        ] {
            doc.put(ROOT, k, v).expect("put");
        }
        let before = doc.get_heads();
        edit(&mut doc);
        let after = doc.get_heads();
        doc.diff(&before, &after)
    }

    #[test]
    fn organisation_rules() {
        let o = org();
        let caller = |n: usize| Caller {
            org: o.org,
            user: o.users[n - 1].id,
            role: o.users[n - 1].role,
            device: DeviceId::from_uuid(Uuid::from_u128(900 + n as u128)),
            token_hash: String::new(),
        };
        let (broker, agent, admin) = (caller(1), caller(2), caller(6));
        let owner = Caller {
            role: Role::Owner,
            ..caller(6)
        };
        assert!(org::administers(Role::Admin) && !org::administers(Role::Broker));
        assert!(org::sees_everyone(Role::Owner) && !org::sees_everyone(Role::Broker));
        let ada = o.users[1].id;
        assert_eq!(
            org::may_set_role(&admin, ada, Role::Agent, Role::Broker),
            Ok(())
        );
        assert!(org::may_set_role(&admin, ada, Role::Agent, Role::Admin).is_err());
        assert_eq!(
            org::may_set_role(&owner, ada, Role::Agent, Role::Admin),
            Ok(())
        );
        assert!(org::may_set_role(&broker, ada, Role::Agent, Role::Viewer).is_err());
        assert!(org::may_set_role(&admin, admin.user, Role::Admin, Role::Agent).is_err());
        assert!(org::may_invite(Role::Broker, Role::Agent, true));
        assert!(!org::may_invite(Role::Broker, Role::Agent, false));
        assert!(!org::may_invite(Role::Broker, Role::Broker, true));
        assert!(!org::may_invite(Role::Admin, Role::Owner, false));
        assert!(org::may_invite(Role::Owner, Role::Owner, false));
        assert!(!org::may_invite(Role::Agent, Role::Viewer, true));
        assert!(org::may_revoke_device(&agent, agent.user));
        assert!(!org::may_revoke_device(&agent, broker.user));
        assert!(org::may_revoke_device(&admin, broker.user));
    }

    #[test]
    fn field_rules_on_the_diff() {
        let stage = patches_after(|d| d.put(ROOT, "stage", "won").expect("put"));
        assert_eq!(check_patches(Role::Agent, "contact", &stage), Ok(()));

        let reassign = patches_after(|d| d.put(ROOT, "assigned_agent", "b").expect("put"));
        assert_eq!(
            check_patches(Role::Agent, "contact", &reassign),
            Err(RejectCode::FieldNotAllowed {
                field: "assigned_agent".into()
            })
        );
        assert_eq!(check_patches(Role::Broker, "contact", &reassign), Ok(()));

        let owner = patches_after(|d| d.delete(ROOT, "owner").expect("delete"));
        assert!(check_patches(Role::Agent, "contact", &owner).is_err());
        assert!(check_patches(Role::Admin, "contact", &owner).is_ok());

        let identity = patches_after(|d| d.put(ROOT, "kind", "listing").expect("put"));
        assert!(
            check_patches(Role::Owner, "contact", &identity).is_err(),
            "nobody"
        );

        let nested = patches_after(|d| {
            let obj = d
                .put_object(ROOT, "owner", automerge::ObjType::Map)
                .expect("obj");
            d.put(&obj, "sneaky", "b").expect("put");
        });
        assert!(check_patches(Role::Agent, "contact", &nested).is_err());
    }

    fn message_doc() -> AutoCommit {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "id", "m").expect("put");
        doc.put(ROOT, "kind", "message").expect("put");
        doc.put(ROOT, "deleted_at_ms", ScalarValue::Null)
            .expect("put");
        let result = doc
            .put_object(ROOT, "result", automerge::ObjType::Map)
            .expect("result");
        doc.put(&result, "status", "queued").expect("put");
        doc.put(&result, "attempts", 0_u64).expect("put");
        doc.put(&result, "reason", ScalarValue::Null).expect("put");
        doc.put_object(&result, "events", automerge::ObjType::List)
            .expect("events");
        doc
    }

    #[test]
    fn only_the_server_writes_a_messages_result() {
        let mut doc = message_doc();
        assert_eq!(check_new_intent("message", &doc), Ok(()));
        let before = doc.get_heads();
        let (_, result) = doc.get(ROOT, "result").expect("get").expect("result");
        doc.put(&result, "status", "sent").expect("put");
        let after = doc.get_heads();
        let patches = doc.diff(&before, &after);
        let refused = RejectCode::FieldNotAllowed {
            field: "result".into(),
        };
        assert_eq!(
            check_patches(Role::Owner, "message", &patches),
            Err(refused.clone())
        );
        // The same key on another kind is that kind's business.
        assert_eq!(check_patches(Role::Agent, "contact", &patches), Ok(()));
        // Withdrawing (the request half) is the device's.
        let before = doc.get_heads();
        doc.put(ROOT, "deleted_at_ms", 5_i64).expect("put");
        let after = doc.get_heads();
        assert_eq!(
            check_patches(Role::Agent, "message", &doc.diff(&before, &after)),
            Ok(())
        );
        let doc_id = fieldstone_protocol::DocId::new("message", "m").expect("id");
        assert!(reject_message(&refused, &doc_id)
            .starts_with("Only the server records the result of this message"));
    }

    #[test]
    fn a_new_message_must_arrive_unsent() {
        let mut sent = message_doc();
        let (_, result) = sent.get(ROOT, "result").expect("get").expect("result");
        sent.put(&result, "status", "sent").expect("put");
        assert!(check_new_intent("message", &sent).is_err());
        let mut tried = message_doc();
        let (_, result) = tried.get(ROOT, "result").expect("get").expect("result");
        tried.put(&result, "attempts", 1_u64).expect("put");
        assert!(check_new_intent("message", &tried).is_err());
        let mut with_event = message_doc();
        let (_, result) = with_event
            .get(ROOT, "result")
            .expect("get")
            .expect("result");
        let (_, events) = with_event
            .get(&result, "events")
            .expect("get")
            .expect("events");
        with_event
            .insert_object(&events, 0, automerge::ObjType::Map)
            .expect("event");
        assert!(check_new_intent("message", &with_event).is_err());
        let mut with_reason = message_doc();
        let (_, result) = with_reason
            .get(ROOT, "result")
            .expect("get")
            .expect("result");
        with_reason.put(&result, "reason", "made up").expect("put");
        assert!(check_new_intent("message", &with_reason).is_err());
        // Other kinds have no result to check.
        assert_eq!(check_new_intent("contact", &sent), Ok(()));
    }

    fn campaign(result: fieldstone_model::campaign::record::CampaignResult) -> AutoCommit {
        use fieldstone_model::campaign::audience::Audience;
        use fieldstone_model::campaign::record::{Campaign, CampaignId};
        use fieldstone_model::campaign::*;
        let spec = CampaignInput {
            name: "Spring".into(),
            kind: CampaignKind::Broadcast,
            audience: Audience {
                everyone: true,
                ..Audience::default()
            },
            trigger: None,
            steps: vec![CampaignStep {
                channel: StepChannel::Email,
                wait_days: 0,
                variations: vec![Variation {
                    label: "A".into(),
                    percent: 100,
                    subject: "Spring".into(),
                    body: "Hi {{ first_name }}".into(),
                }],
            }],
            schedule: Schedule::default(),
            ab: None,
            exit: Default::default(),
        };
        let at = chrono::DateTime::from_timestamp(1_767_000_000, 0).expect("time");
        let mut c = Campaign::create(
            CampaignId::from_uuid(uuid::Uuid::from_u128(1)),
            spec.validate().expect("valid"),
            UserId::from_uuid(uuid::Uuid::from_u128(2)),
            at,
        );
        c.result = result;
        fieldstone_doc::campaign::create(automerge::ActorId::random(), &c)
            .expect("campaign")
            .0
    }

    #[test]
    fn a_campaign_arrives_undone_and_only_the_server_counts_it() {
        use fieldstone_model::campaign::record::{CampaignResult, StepCounts};
        let fresh = campaign(CampaignResult::default());
        assert_eq!(check_new_intent("campaign", &fresh), Ok(()));
        let counted = CampaignResult {
            counts: vec![StepCounts {
                variation: "A".into(),
                sent: 10,
                ..StepCounts::default()
            }],
            ..CampaignResult::default()
        };
        let refused = Err(RejectCode::FieldNotAllowed {
            field: "result".into(),
        });
        assert_eq!(check_new_intent("campaign", &campaign(counted)), refused);
        let finished = CampaignResult {
            finished_at: chrono::DateTime::from_timestamp(1_767_000_100, 0),
            ..CampaignResult::default()
        };
        assert_eq!(check_new_intent("campaign", &campaign(finished)), refused);
        // Once it exists, a device's edit of the counts is refused, even an owner's; pausing is
        // the agent's.
        let mut doc = fresh;
        let (_, result) = doc.get(ROOT, "result").expect("get").expect("result");
        let before = doc.get_heads();
        doc.put(&result, "enrolled", 500_u64).expect("put");
        let after = doc.get_heads();
        assert_eq!(
            check_patches(Role::Owner, "campaign", &doc.diff(&before, &after)),
            refused
        );
        let before = doc.get_heads();
        doc.put(ROOT, "status", "paused").expect("put");
        let after = doc.get_heads();
        assert_eq!(
            check_patches(Role::Agent, "campaign", &doc.diff(&before, &after)),
            Ok(())
        );
        // Whose it is never changes, not even by an owner of the organisation.
        let before = doc.get_heads();
        doc.put(ROOT, "owner", uuid::Uuid::new_v4().to_string())
            .expect("put");
        let after = doc.get_heads();
        assert_eq!(
            check_patches(Role::Owner, "campaign", &doc.diff(&before, &after)),
            Err(RejectCode::FieldNotAllowed {
                field: "owner".into()
            })
        );
    }
}
