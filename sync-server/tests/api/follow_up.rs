//! The follow-up plan on a real server (issue 16): the organisation's plan is a settings
//! document only the server writes, on an admin's checked request, and every member's device
//! pulls; leads the server places get the plan as tasks of the agent who holds them, due in
//! that agent's zone, once however often the lead is delivered or claimed.

use crate::routing::*;
use crate::support::*;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::{DocId, DocUpdate, RejectCode};
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::support::on_both_stores! {
    admins_set_the_plan_checked_whole_and_every_device_pulls_it(Default::default());
    no_device_may_write_the_settings_document_itself(Default::default());
    a_routed_lead_gets_the_plan_in_its_agents_zone_once(Default::default());
    an_offered_lead_gets_its_plan_when_claimed(Default::default());
    preferences_are_written_by_their_person_alone(Default::default());
}

fn two_steps() -> Value {
    json!({
        "steps": [
            {"kind": "day_1", "offset_days": 1, "priority": "high"},
            {"kind": "week_1", "offset_days": 5, "priority": "low"}
        ],
        "off_for": ["zillow"]
    })
}

fn load(d: &DocUpdate) -> Option<automerge::AutoCommit> {
    fieldstone_doc::load(d.snapshot.as_deref()?).ok()
}

/// The follow-up plan as a device pulls it in the settings document (`None`: no document).
async fn plan_on_device(s: &TestServer, token: &str) -> Option<FollowUpSettings> {
    let (docs, _) = s.pull_all(token, vec![]).await;
    let doc = docs
        .iter()
        .find(|d| d.doc_id.kind() == fieldstone_doc::org_settings::KIND)?;
    let entries = fieldstone_doc::org_settings::read(&load(doc)?).ok()?;
    serde_json::from_str(entries.get(fieldstone_doc::org_settings::FOLLOW_UP_KEY)?).ok()
}

/// The tasks a device of `token` pulls about `contact`, soonest first.
async fn tasks_on_device(s: &TestServer, token: &str, contact: ContactId) -> Vec<Task> {
    let (docs, _) = s.pull_all(token, vec![]).await;
    let mut tasks: Vec<Task> = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::task::KIND)
        .filter_map(|d| fieldstone_doc::task::read(&load(d)?).ok())
        .filter(|t| t.record == Some(RecordRef::Contact(contact)))
        .collect();
    tasks.sort_by_key(|t| t.due_at);
    tasks
}

async fn admins_set_the_plan_checked_whole_and_every_device_pulls_it(s: TestServer) {
    let o = office(&s, "Harbour").await;
    let path = "/v2/org/settings/follow-up";
    let (status, plan) = s.json("GET", path, Some(&o.agents[0].1), None).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let standard: FollowUpSettings = serde_json::from_value(plan).expect("plan");
    assert_eq!(standard, FollowUpSettings::default());
    assert!(plan_on_device(&s, &o.agents[0].1).await.is_none());

    // Brokers and agents may read, not change.
    for token in [&o.broker, &o.agents[0].1] {
        let (status, answer) = put(&s, token, path, two_steps()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    }
    // Out of order and over a year: refused whole, with each step named, nothing stored.
    let bad = json!({"steps": [
        {"kind": "week_1", "offset_days": 7, "priority": "low"},
        {"kind": "day_3", "offset_days": 3, "priority": "low"},
        {"kind": "month_1", "offset_days": 400, "priority": "low"}
    ]});
    let (status, answer) = put(&s, &o.admin, path, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let fields: Vec<&str> = answer["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(fields, ["steps[1]", "steps[2]"], "{answer}");
    let (status, answer) = put(&s, &o.admin, path, json!({"steps": [{"kind": "someday"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        plan_on_device(&s, &o.admin).await.is_none(),
        "nothing stored"
    );

    let (status, answer) = put(&s, &o.admin, path, two_steps()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let wanted: FollowUpSettings = serde_json::from_value(two_steps()).expect("plan");
    for token in [&o.admin, &o.broker, &o.agents[2].1] {
        assert_eq!(plan_on_device(&s, token).await.as_ref(), Some(&wanted));
        let (_, read) = s.json("GET", path, Some(token), None).await;
        assert_eq!(
            serde_json::from_value::<FollowUpSettings>(read)
                .ok()
                .as_ref(),
            Some(&wanted)
        );
    }
    // A second change edits the same document.
    let (status, _) = put(&s, &o.admin, path, json!({"steps": []})).await;
    assert_eq!(status, StatusCode::OK);
    let off = plan_on_device(&s, &o.agents[1].1).await.expect("plan");
    assert!(off.steps.is_empty());
    // Another organisation still has the standard plan.
    let other = office(&s, "Inland").await;
    let (_, theirs) = s.json("GET", path, Some(&other.admin), None).await;
    assert_eq!(
        serde_json::from_value::<FollowUpSettings>(theirs).ok(),
        Some(FollowUpSettings::default())
    );
    assert!(plan_on_device(&s, &other.admin).await.is_none());
}

async fn no_device_may_write_the_settings_document_itself(s: TestServer) {
    let o = office(&s, "Quay").await;
    let (status, _) = put(&s, &o.admin, "/v2/org/settings/follow-up", two_steps()).await;
    assert_eq!(status, StatusCode::OK);
    let (docs, _) = s.pull_all(&o.admin, vec![]).await;
    let settings = docs
        .iter()
        .find(|d| d.doc_id.kind() == fieldstone_doc::org_settings::KIND)
        .expect("settings document");
    // An admin's device editing the synced document: refused, even for an admin.
    let mut edit = Device::from_snapshot(settings.snapshot.as_deref().expect("snapshot"));
    edit.set(
        fieldstone_doc::org_settings::FOLLOW_UP_KEY,
        "{\"steps\":[]}",
    );
    let answer = s.push(&o.admin, vec![edit.unsent(&settings.doc_id)]).await;
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    assert_eq!(answer.rejected[0].code, RejectCode::NotWritable);
    assert!(answer.rejected[0]
        .message
        .contains("changed by an admin in Settings"));
    // A device making its own settings document for another organisation's id, or a second
    // one: refused too.
    for id in [
        uuid::Uuid::new_v4().to_string(),
        settings
            .doc_id
            .as_str()
            .split_once(':')
            .map(|(_, i)| i.to_owned())
            .unwrap_or_default(),
    ] {
        let mut made = Device::new();
        made.set(
            fieldstone_doc::org_settings::FOLLOW_UP_KEY,
            "{\"steps\":[]}",
        );
        let doc_id = DocId::new(fieldstone_doc::org_settings::KIND, &id).expect("id");
        let answer = s.push(&o.agents[0].1, vec![made.unsent(&doc_id)]).await;
        assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    }
    let (_, plan) = s
        .json(
            "GET",
            "/v2/org/settings/follow-up",
            Some(&o.agents[0].1),
            None,
        )
        .await;
    assert_eq!(plan, two_steps(), "unchanged");
}

/// Pushes `user`'s preferences document with their zone, as their app does.
async fn set_zone(s: &TestServer, token: &str, user: UserId, zone: &str) {
    let (doc, change) = fieldstone_doc::prefs::write(
        None,
        automerge::ActorId::random(),
        now(),
        &[("time_zone".to_owned(), Some(format!("{zone:?}")))],
    )
    .expect("prefs");
    let change = change.expect("change");
    drop(doc);
    let doc_id = DocId::new(fieldstone_doc::prefs::KIND, user).expect("id");
    let answer = s
        .push(
            token,
            vec![fieldstone_protocol::DocPush {
                doc_id,
                changes: vec![change.raw_bytes().to_vec()],
            }],
        )
        .await;
    assert!(answer.rejected.is_empty(), "{answer:?}");
}

fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%H:%M").to_string()
}

async fn a_routed_lead_gets_the_plan_in_its_agents_zone_once(s: TestServer) {
    let o = office(&s, "Wharf").await;
    profile(&s, &o, 0, json!({"active": true, "max_open_leads": 100})).await;
    rules(&s, &o, json!([{"name": "all", "agents": [o.agents[0].0.to_string()], "strategy": {"kind": "round_robin"}}])).await;
    let (status, _) = put(&s, &o.admin, "/v2/org/settings/follow-up", two_steps()).await;
    assert_eq!(status, StatusCode::OK);
    let ny: Tz = "America/New_York".parse().expect("zone");
    set_zone(&s, &o.agents[0].1, o.agents[0].0, "America/New_York").await;

    let contact = lead(&s, &o, 1, "Docks", None).await;
    let (contacts, _) = device(&s, &o.agents[0].1).await;
    let created = holds(&contacts, contact)
        .expect("ann holds the lead")
        .created_at;
    let tasks = tasks_on_device(&s, &o.agents[0].1, contact).await;
    let summary: Vec<(TaskKind, Priority, UserId, TaskStatus)> = tasks
        .iter()
        .map(|t| (t.kind, t.priority, t.owner, t.status))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                TaskKind::Day1,
                Priority::High,
                o.agents[0].0,
                TaskStatus::Pending
            ),
            (
                TaskKind::Week1,
                Priority::Low,
                o.agents[0].0,
                TaskStatus::Pending
            ),
        ]
    );
    for (task, days) in tasks.iter().zip([1, 5]) {
        let due = task.due_at.expect("due");
        assert_eq!(
            local(due, ny),
            local(created, ny),
            "same time of day in New York"
        );
        assert_eq!(
            (due.with_timezone(&ny).date_naive() - created.with_timezone(&ny).date_naive())
                .num_days(),
            days
        );
    }
    // Another agent's device holds none of them.
    assert!(tasks_on_device(&s, &o.agents[1].1, contact)
        .await
        .is_empty());
    // The same event delivered again: nothing more.
    let body = json!({
        "event_id": "lead-1", "source": "website",
        "person": {"first_name": "Lead 1", "emails": ["lead1@example.com"]},
        "property": {"address": "1 High St", "area": "Docks", "price": 400000}
    });
    let (status, again) = s
        .json("POST", "/v2/intake/leads", Some(&o.key), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(tasks_on_device(&s, &o.agents[0].1, contact).await.len(), 2);
}

async fn an_offered_lead_gets_its_plan_when_claimed(s: TestServer) {
    let o = office(&s, "Pier").await;
    for agent in 0..2 {
        profile(
            &s,
            &o,
            agent,
            json!({"active": true, "max_open_leads": 100}),
        )
        .await;
    }
    rules(
        &s,
        &o,
        json!([{"name": "offer", "strategy": {"kind": "first_to_claim", "minutes": 10}}]),
    )
    .await;
    let contact = lead(&s, &o, 7, "Docks", None).await;
    // Offered: nobody's plan yet.
    for agent in 0..2 {
        assert!(tasks_on_device(&s, &o.agents[agent].1, contact)
            .await
            .is_empty());
    }
    let path = format!("/v2/leads/{contact}/claim");
    let (status, answer) = s.json("POST", &path, Some(&o.agents[1].1), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let tasks = tasks_on_device(&s, &o.agents[1].1, contact).await;
    assert_eq!(tasks.len(), 5, "the standard plan");
    assert!(tasks.iter().all(|t| t.owner == o.agents[1].0));
    assert!(tasks_on_device(&s, &o.agents[0].1, contact)
        .await
        .is_empty());
    // A broker moving it on makes no second plan: the plan moves with the history the
    // broker's device names (the app's reassign story), and none is named here.
    let (status, answer) = s
        .json(
            "POST",
            &format!("/v2/leads/{contact}/assign"),
            Some(&o.broker),
            Some(json!({"agent": o.agents[0].0.to_string()})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(tasks_on_device(&s, &o.agents[0].1, contact)
        .await
        .is_empty());
    assert_eq!(tasks_on_device(&s, &o.agents[1].1, contact).await.len(), 5);
}

// Drafts of due follow-ups (the job runner) ----------------------------------------------------

mod due {
    use super::*;
    use crate::dispatch::{agent, at, config, pulled, push_contact, Agent, SmtpSink};
    use fieldstone_model::contact::Consent;
    use fieldstone_server::store::jobs::{JobClaim, JobFinish, FOLLOW_UP};
    use std::time::Duration;

    /// Pushes `contact`'s plan (Day 1, Day 3 and Week 1 from `at()`) as the agent's device
    /// would; answers the tasks.
    async fn push_plan(s: &TestServer, agent: &Agent, contact: ContactId) -> Vec<Task> {
        let mut tasks = Vec::new();
        for input in FollowUpSettings::default()
            .tasks(contact, at(), Tz::UTC)
            .into_iter()
            .take(3)
        {
            let task = Task::create(
                TaskId::from_uuid(uuid::Uuid::new_v4()),
                input.validate().expect("valid"),
                agent.user,
                at(),
            );
            let (doc, _) =
                fieldstone_doc::task::create(automerge::ActorId::random(), &task).expect("doc");
            let mut device = Device::new();
            device.doc = doc;
            let id = DocId::new(fieldstone_doc::task::KIND, task.id).expect("id");
            let answer = s.push(&agent.token, vec![device.unsent(&id)]).await;
            assert_eq!(answer.accepted, 1, "{answer:?}");
            tasks.push(task);
        }
        tasks
    }

    fn message_doc(task: &Task) -> DocId {
        DocId::new(
            fieldstone_doc::message::KIND,
            fieldstone_server::follow_up::message_id(&task.id),
        )
        .expect("id")
    }

    /// The task as the agent's device pulls it.
    async fn pulled_task(s: &TestServer, agent: &Agent, task: &Task) -> Task {
        let (docs, _) = s.pull_all(&agent.token, vec![]).await;
        let id = DocId::new(fieldstone_doc::task::KIND, task.id).expect("id");
        let doc = docs.iter().find(|d| d.doc_id == id).expect("task");
        fieldstone_doc::task::read(&load(doc).expect("load")).expect("read")
    }

    /// Pulls until the message exists with `status` (bounded at half a minute), saying where
    /// its job stands if it never does.
    async fn until_message(
        s: &TestServer,
        agent: &Agent,
        task: &Task,
        status: MessageStatus,
    ) -> Message {
        let doc_id = message_doc(task);
        for _ in 0..1200 {
            if holds(s, agent, &doc_id).await {
                let message = pulled(s, agent, &doc_id).await;
                if message.result.status == status {
                    return message;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let job = s.store.job(agent.org, FOLLOW_UP, &task.id.to_string());
        panic!("no {status:?} message for {}: job {job:?}", task.title);
    }

    async fn holds(s: &TestServer, agent: &Agent, doc_id: &DocId) -> bool {
        let (docs, _) = s.pull_all(&agent.token, vec![]).await;
        docs.iter().any(|d| &d.doc_id == doc_id)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn due_follow_ups_are_drafted_for_review_or_sent_once_for_the_agent() {
        let smtp = SmtpSink::start();
        let s = TestServer::start_with(config(&smtp.url())).await;
        s.clock.set(at());
        let ada = agent(&s);
        let lena = push_contact(&s, &ada, Consent::default()).await;
        let plan = push_plan(&s, &ada, lena).await;
        let (day1, day3, week1) = (&plan[0], &plan[1], &plan[2]);
        let job = |task: &Task| {
            s.store
                .job(ada.org, FOLLOW_UP, &task.id.to_string())
                .expect("job")
                .expect("scheduled")
        };
        assert_eq!(job(day1).state, "waiting");
        assert_eq!(Some(job(day1).due_at), day1.due_at);

        // Day 3 is done by hand before its day: its job is no longer wanted.
        let mut done = day3.clone();
        done.set_status(TaskStatus::Completed, at());
        let stored = s
            .pull_all(&ada.token, vec![])
            .await
            .0
            .into_iter()
            .find(|d| d.doc_id.record_id() == day3.id.to_string())
            .expect("day 3");
        let mut edit = Device::from_snapshot(stored.snapshot.as_deref().expect("whole"));
        fieldstone_doc::task::update(&mut edit.doc, &done).expect("update");
        let answer = s.push(&ada.token, vec![edit.unsent(&stored.doc_id)]).await;
        assert_eq!(answer.accepted, 1, "{answer:?}");
        assert_eq!(job(day3).state, "done");

        // Day 1 falls due: a draft for Ada to review, the template (no AI here), nothing sent.
        s.clock
            .set(day1.due_at.expect("due") + chrono::Duration::minutes(1));
        let draft = until_message(&s, &ada, day1, MessageStatus::Draft).await;
        assert_eq!(draft.task, Some(day1.id));
        assert_eq!(draft.to, "lena@example.com");
        assert!(draft.body.contains("Lena"), "{}", draft.body);
        assert!(
            draft
                .result
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("this is a template")),
            "{:?}",
            draft.result
        );
        assert_eq!(
            pulled_task(&s, &ada, day1).await.status,
            TaskStatus::Pending
        );
        assert!(smtp.received().is_empty(), "a draft is never sent");
        // Running the job again (a second process, a lost lease) writes nothing more.
        let again = fieldstone_server::follow_up::draft_job(
            &s.state,
            &JobClaim {
                org: ada.org,
                kind: FOLLOW_UP.into(),
                key: day1.id.to_string(),
                attempt: 9,
            },
        )
        .await;
        assert!(
            matches!(&again, JobFinish::Done(d) if d == "the task was closed before it was due" || d == "drafted before"),
            "{again:?}"
        );

        // Ada lets the server send Lena's follow-ups: Week 1 goes out once, and is done.
        let (_, change) = fieldstone_doc::prefs::write(
            None,
            automerge::ActorId::random(),
            at(),
            &[(
                fieldstone_server::follow_up::AUTO_SEND_PREF.to_owned(),
                Some(json!({"contacts": [lena.to_string()]}).to_string()),
            )],
        )
        .expect("prefs");
        let answer = s
            .push(
                &ada.token,
                vec![fieldstone_protocol::DocPush {
                    doc_id: DocId::new(fieldstone_doc::prefs::KIND, ada.user).expect("id"),
                    changes: vec![change.expect("change").raw_bytes().to_vec()],
                }],
            )
            .await;
        assert!(answer.rejected.is_empty(), "{answer:?}");
        s.clock
            .set(week1.due_at.expect("due") + chrono::Duration::minutes(1));
        let sent = until_message(&s, &ada, week1, MessageStatus::Sent).await;
        assert_eq!(sent.result.attempts, 1);
        assert_eq!(smtp.received().len(), 1, "sent once");
        assert_eq!(
            pulled_task(&s, &ada, week1).await.status,
            TaskStatus::Completed
        );
        // Day 3 never got a message.
        assert!(!holds(&s, &ada, &message_doc(day3)).await);
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(smtp.received().len(), 1, "and only once");
        let _ = pulled(&s, &ada, &message_doc(day1)).await;
    }
}

/// The server reads `prefs:<user>` as that user's word (their zone, what it may send for them
/// without review): a viewer keeps their own, and nobody, an admin included, writes another's.
async fn preferences_are_written_by_their_person_alone(s: TestServer) {
    let org = s.org("Pier");
    let team = s.team(org, "Sales");
    let ann = s.user(org, "ann@pier.test", Role::Agent, Some(team));
    let vic = s.user(org, "vic@pier.test", Role::Viewer, Some(team));
    let admin = s.user(org, "admin@pier.test", Role::Admin, None);
    let (ann_t, vic_t, admin_t) = (s.token(org, ann), s.token(org, vic), s.token(org, admin));
    let prefs = |entries: &[(&str, &str)]| {
        let entries: Vec<(String, Option<String>)> = entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Some((*v).to_owned())))
            .collect();
        let (_, change) =
            fieldstone_doc::prefs::write(None, automerge::ActorId::random(), now(), &entries)
                .expect("prefs");
        change.expect("change").raw_bytes().to_vec()
    };
    // A read-only role still keeps its own preferences.
    set_zone(&s, &vic_t, vic, "Europe/Paris").await;
    let (docs, _) = s.pull_all(&vic_t, vec![]).await;
    let own = DocId::new(fieldstone_doc::prefs::KIND, vic).expect("id");
    assert!(
        docs.iter().any(|d| d.doc_id == own),
        "the viewer's own preferences sync back"
    );
    // Nobody makes Ann's preferences for her (letting the server send for her unreviewed).
    let auto = json!({"sources": ["web_form"]}).to_string();
    let hers = DocId::new(fieldstone_doc::prefs::KIND, ann).expect("id");
    for token in [&vic_t, &admin_t] {
        let answer = s
            .push(
                token,
                vec![fieldstone_protocol::DocPush {
                    doc_id: hers.clone(),
                    changes: vec![prefs(&[(
                        fieldstone_server::follow_up::AUTO_SEND_PREF,
                        &auto,
                    )])],
                }],
            )
            .await;
        assert_eq!(answer.rejected.len(), 1, "{answer:?}");
        assert_eq!(answer.rejected[0].code, RejectCode::NotWritable);
        assert!(answer.rejected[0]
            .message
            .contains("only they can change them"));
    }
    let (docs, _) = s.pull_all(&ann_t, vec![]).await;
    assert!(
        !docs.iter().any(|d| d.doc_id == hers),
        "nothing was stored as Ann's preferences"
    );
    // Ann writes her own, and then no one else may edit them either.
    set_zone(&s, &ann_t, ann, "America/New_York").await;
    let (docs, _) = s.pull_all(&admin_t, vec![]).await;
    let stored = docs
        .iter()
        .find(|d| d.doc_id == hers)
        .expect("the admin's device holds Ann's preferences");
    let mut edit = Device::from_snapshot(stored.snapshot.as_deref().expect("snapshot"));
    edit.set(fieldstone_server::follow_up::AUTO_SEND_PREF, &auto);
    let answer = s.push(&admin_t, vec![edit.unsent(&hers)]).await;
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    assert_eq!(answer.rejected[0].code, RejectCode::NotWritable);
}
