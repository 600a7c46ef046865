//! The follow-up plan through the app's commands (issue 16): a contact typed in or imported
//! gets the organisation's plan in the agent's zone; the agent turns it off and on per contact
//! and finishes tasks with a note; an admin changes the plan through the server and every
//! teammate's device uses it from its next sync, offline included.

use crate::support::{open, person, syncing_at, t0, TestApp};
use base64::Engine;
use chrono_tz::Tz;
use fieldstone_model::{FollowUpSettings, FollowUpStep, Priority, RecordRef, TaskKind, TaskStatus};
use fieldstone_protocol::commands::{
    CommandErrorCode, ImportRequest, SetTaskStatus, SyncState, TimelineRequest, UploadChunk,
};
use fieldstone_protocol::views::{TaskSummary, TimelineEntry};
use fieldstone_tests::{Org, ServerProcess};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

/// The contact's tasks as its timeline lists them, soonest due first.
async fn tasks_of(app: &TestApp, contact: fieldstone_model::ContactId) -> Vec<TaskSummary> {
    let page = app
        .api
        .timeline(TimelineRequest {
            contact,
            limit: 200,
            after: None,
        })
        .await
        .expect("timeline");
    let mut tasks: Vec<TaskSummary> = page
        .entries
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Task(t) => Some(t),
            _ => None,
        })
        .collect();
    tasks.sort_by_key(|t| t.due_at);
    tasks
}

#[tokio::test]
async fn a_typed_contact_gets_the_plan_in_the_agents_zone_and_the_agent_controls_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let api = &app.api;

    let refused = api
        .set_time_zone("Mars/Olympus".into())
        .await
        .expect_err("not a zone");
    assert_eq!(refused.code, CommandErrorCode::Validation);
    assert!(refused.field("time_zone").is_some(), "{refused:?}");
    // The weekly report is the server's to send: not chosen on a device that never signed in.
    assert!(api.preferences().await.expect("prefs").weekly_report);
    let local = api
        .set_weekly_report(fieldstone_protocol::commands::WeeklyReportChoice { on: false })
        .await
        .expect_err("local only");
    assert!(
        local
            .field("weekly_report")
            .is_some_and(|m| m.contains("sign in")),
        "{local:?}"
    );
    let prefs = api
        .set_time_zone(" Asia/Tokyo ".into())
        .await
        .expect("zone");
    assert_eq!(
        (prefs.time_zone.as_str(), prefs.time_zone_chosen),
        ("Asia/Tokyo", true)
    );
    assert_eq!(
        api.follow_up_plan().await.expect("plan"),
        FollowUpSettings::default()
    );

    let ada = api
        .create_contact(person("Ada", "Lovelace", "ada@example.com"))
        .await
        .expect("ada");
    let detail = api.get_contact(ada.id).await.expect("detail");
    assert_eq!(detail.follow_ups_open, 5);
    let tasks = tasks_of(&app, ada.id).await;
    let tokyo: Tz = "Asia/Tokyo".parse().expect("zone");
    let made = ada.created_at.with_timezone(&tokyo);
    for (task, days) in tasks.iter().zip([1, 3, 7, 14, 30]) {
        let due = task.due_at.expect("due").with_timezone(&tokyo);
        assert_eq!(due.time(), made.time(), "{task:?}");
        assert_eq!((due.date_naive() - made.date_naive()).num_days(), days);
    }
    assert_eq!(
        detail.next_task.as_ref().map(|t| t.kind),
        Some(TaskKind::Day1)
    );

    // Day 1 done with what happened: the note is on the timeline.
    let day1 = tasks[0].id;
    api.set_task_status(SetTaskStatus {
        id: day1,
        status: TaskStatus::Completed,
        note: Some("Called; wants a 3-bed near the school".into()),
    })
    .await
    .expect("done");
    let page = api
        .timeline(TimelineRequest {
            contact: ada.id,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    assert!(page.entries.iter().any(|e| matches!(e,
        TimelineEntry::Note(n) if n.preview.contains("Day 1 follow-up (Completed): Called; wants a 3-bed"))));

    // Turned off: the four open steps are cancelled; on again: five from today.
    let stopped = api.stop_follow_ups(ada.id).await.expect("stop");
    assert_eq!(stopped.len(), 4);
    assert_eq!(
        api.get_contact(ada.id)
            .await
            .expect("detail")
            .follow_ups_open,
        0
    );
    let again = api.start_follow_ups(ada.id).await.expect("start");
    assert_eq!(again.len(), 5);
    let twice = api.start_follow_ups(ada.id).await.expect_err("running");
    assert_eq!(twice.code, CommandErrorCode::Validation);
    assert!(
        twice
            .field("follow_up")
            .is_some_and(|m| m.contains("already running")),
        "{twice:?}"
    );

    // Local only: nothing is sent for the agent (the server sends), and the plan is the
    // organisation's.
    let auto = api
        .set_follow_up_auto_send(Default::default())
        .await
        .expect_err("no server");
    assert_eq!(auto.code, CommandErrorCode::WrongState);
    assert_eq!(
        api.follow_up_auto_send().await.expect("read"),
        Default::default()
    );
    let local = api
        .set_follow_up_plan(FollowUpSettings::default())
        .await
        .expect_err("no server");
    assert_eq!(local.code, CommandErrorCode::WrongState);
}

#[tokio::test]
async fn an_import_plans_every_imported_contact_and_says_how_many() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    let csv = "First Name,Email\nAda,ada@example.com\nGrace,grace@example.com\nBad,not-an-email\n";
    let upload = app
        .api
        .upload_chunk(UploadChunk {
            upload_id: None,
            data_base64: base64::engine::general_purpose::STANDARD.encode(csv),
        })
        .await
        .expect("upload");
    let report = app
        .api
        .import_contacts(ImportRequest {
            upload_id: upload.upload_id,
            mapping: None,
            mode: Default::default(),
            duplicates: Default::default(),
            source: None,
            encoding: None,
            values: Default::default(),
        })
        .await
        .expect("import");
    assert_eq!((report.imported, report.follow_ups_planned), (2, 10));
}

async fn device(dir: &std::path::Path, url: &str, token: &str) -> TestApp {
    let app = syncing_at(dir, url, token, t0()).await;
    let deadline = Instant::now() + WAIT;
    while app.api.sync_status().state != SyncState::UpToDate {
        assert!(Instant::now() < deadline, "the device never synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_plan_reaches_every_device_and_an_agent_cannot_change_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    let sales = harbour.team("Sales");
    harbour.agent_in("ann@harbour.test", "Ann Lee", &sales);
    harbour.user("ada@harbour.test", "admin", None);
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let admin = device(
        &tmp.path().join("admin"),
        &server.url,
        &harbour.device_token("ada@harbour.test", "office"),
    )
    .await;
    let ann = device(
        &tmp.path().join("ann"),
        &server.url,
        &harbour.device_token("ann@harbour.test", "laptop"),
    )
    .await;

    let plan = FollowUpSettings {
        steps: vec![
            FollowUpStep {
                kind: TaskKind::Day1,
                offset_days: 0,
                priority: Priority::High,
            },
            FollowUpStep {
                kind: TaskKind::Week2,
                offset_days: 10,
                priority: Priority::Medium,
            },
        ],
        off_for: vec![fieldstone_model::LeadSource::Referral],
    };
    // Checked on the device first, with the step named.
    let mut bad = plan.clone();
    bad.steps[1].offset_days = 0;
    let refused = admin.api.set_follow_up_plan(bad).await.expect_err("order");
    assert_eq!(refused.code, CommandErrorCode::Validation);
    assert!(refused.field("steps[1]").is_some(), "{refused:?}");
    // An agent asks: the server refuses.
    let agent = ann
        .api
        .set_follow_up_plan(plan.clone())
        .await
        .expect_err("agent");
    assert_eq!(agent.code, CommandErrorCode::Refused, "{agent:?}");
    assert_eq!(
        admin
            .api
            .set_follow_up_plan(plan.clone())
            .await
            .expect("admin"),
        plan
    );

    let deadline = Instant::now() + WAIT;
    while ann.api.follow_up_plan().await.expect("plan") != plan {
        assert!(Instant::now() < deadline, "ann's device never got the plan");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Offline, Ann's new contact gets the organisation's plan; a referral gets none.
    server.kill();
    let tess = ann
        .api
        .create_contact(person("Tess", "Lead", "tess@example.com"))
        .await
        .expect("tess");
    let tasks = tasks_of(&ann, tess.id).await;
    let steps: Vec<(TaskKind, Priority)> = tasks.iter().map(|t| (t.kind, t.priority)).collect();
    assert_eq!(
        steps,
        [
            (TaskKind::Day1, Priority::High),
            (TaskKind::Week2, Priority::Medium)
        ]
    );
    assert!(tasks
        .iter()
        .all(|t| t.record == Some(RecordRef::Contact(tess.id))));
    let mut referred = person("Rob", "Referred", "rob@example.com");
    referred.source = fieldstone_model::LeadSource::Referral;
    let rob = ann.api.create_contact(referred).await.expect("rob");
    assert!(tasks_of(&ann, rob.id).await.is_empty());
    // The server is gone: changing the plan says so and changes nothing.
    let offline = admin
        .api
        .set_follow_up_plan(FollowUpSettings::default())
        .await
        .expect_err("offline");
    assert_eq!(offline.code, CommandErrorCode::Offline);
    assert!(
        offline.message.contains("nothing was changed"),
        "{offline:?}"
    );
    assert_eq!(admin.api.follow_up_plan().await.expect("plan"), plan);
}

/// Today's Ready to send, read until it holds `count` drafts (bounded).
async fn ready(app: &TestApp, count: usize) -> Vec<fieldstone_protocol::views::MessageSummary> {
    let deadline = Instant::now() + WAIT;
    loop {
        let today = app
            .api
            .today(fieldstone_protocol::commands::TodayRequest {
                day_start: t0(),
                day_end: t0() + chrono::Duration::hours(24),
                rows: 50,
            })
            .await
            .expect("today");
        if today.ready_to_send.len() == count {
            return today.ready_to_send;
        }
        assert!(
            Instant::now() < deadline,
            "Ready to send never held {count}: {:?}",
            today.ready_to_send
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_follow_ups_arrive_ready_to_send_and_the_agent_sends_or_skips_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    harbour.user("ann@harbour.test", "agent", None);
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let token = harbour.device_token("ann@harbour.test", "laptop");
    let ann = device(&tmp.path().join("ann"), &server.url, &token).await;

    // Tess was added a year ago on this device's clock: every step of her plan is due on the
    // server's, so each is drafted (the labelled template: no AI on this server).
    let tess = ann
        .api
        .create_contact(person("Tess", "Lead", "tess@example.com"))
        .await
        .expect("tess");
    let drafts = ready(&ann, 5).await;
    assert!(drafts
        .iter()
        .all(|d| d.contact == tess.id && d.to == "tess@example.com"));
    assert!(drafts
        .iter()
        .all(|d| d.reason.as_deref().is_some_and(|r| r.contains("template"))));
    let first = drafts[0].clone();
    let full = ann.api.get_message(first.id).await.expect("draft");
    let step = full.task.expect("the draft answers a follow-up");

    // Sent with an edit: a new message queued, the follow-up done, the draft gone from Today.
    let sent = ann
        .api
        .send_draft(fieldstone_protocol::commands::SendDraft {
            id: first.id,
            subject: Some("Homes for you, Tess".into()),
            body: format!("{}\n\nP.S. The open house is on Sunday.", full.body),
        })
        .await
        .expect("send");
    assert_eq!(sent.result.status, fieldstone_model::MessageStatus::Queued);
    assert_eq!(sent.task, Some(step));
    assert_eq!(sent.subject.as_deref(), Some("Homes for you, Tess"));
    assert!(sent.body.ends_with("Sunday."));
    let tasks = tasks_of(&ann, tess.id).await;
    let done = tasks.iter().find(|t| t.id == step).expect("step");
    assert_eq!(done.status, TaskStatus::Completed);
    let left = ready(&ann, 4).await;
    assert!(left.iter().all(|d| d.id != first.id));
    // Sending it twice is refused in words.
    let twice = ann
        .api
        .send_draft(fieldstone_protocol::commands::SendDraft {
            id: first.id,
            subject: None,
            body: "again".into(),
        })
        .await
        .expect_err("twice");
    assert!(
        twice
            .field("draft")
            .is_some_and(|m| m.contains("already sent or skipped")),
        "{twice:?}"
    );

    // Skipped: the follow-up is skipped and the draft goes.
    let skip = left[0].clone();
    let skipped_step = ann
        .api
        .get_message(skip.id)
        .await
        .expect("draft")
        .task
        .expect("task");
    ann.api.skip_draft(skip.id).await.expect("skip");
    ready(&ann, 3).await;
    let tasks = tasks_of(&ann, tess.id).await;
    assert_eq!(
        tasks
            .iter()
            .find(|t| t.id == skipped_step)
            .map(|t| t.status),
        Some(TaskStatus::Skipped)
    );

    // Ann's phone, synced: the same three drafts, none of those she dealt with.
    let phone = device(
        &tmp.path().join("phone"),
        &server.url,
        &harbour.device_token("ann@harbour.test", "phone"),
    )
    .await;
    let there = ready(&phone, 3).await;
    let mut here: Vec<_> = ready(&ann, 3).await.into_iter().map(|d| d.id).collect();
    let mut there: Vec<_> = there.into_iter().map(|d| d.id).collect();
    here.sort();
    there.sort();
    assert_eq!(here, there);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_an_agent_lets_the_server_send_go_out_once_each() {
    if !crate::support::in_child(
        "follow_ups::follow_ups_an_agent_lets_the_server_send_go_out_once_each",
        crate::support::Session::Keyring,
    ) {
        return;
    }
    let smtp = fieldstone_tests::smtp::SmtpSink::start();
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    harbour.user("ann@harbour.test", "agent", None);
    let config = tmp.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "secret_key = \"c2VydmVyIHNlY3JldCBmb3IgdGhlIGF1dG8tc2VuZCBzdG9yeQ==\"\n\n[email]\nsmtp_url = \"{}\"\nfrom = \"crm@harbour.test\"\npoll_ms = 100\n",
            smtp.url()
        ),
    )
    .expect("config");
    let config = config.to_string_lossy().into_owned();
    let server = ServerProcess::start_with_env(
        &server_dir,
        "127.0.0.1:0",
        &[("FIELDSTONE_CONFIG", config.as_str())],
    );
    let app = open(&tmp.path().join("ann"), t0());
    app.api
        .sign_in(crate::support::sign_in(&server.url, "ann@harbour.test"))
        .await
        .expect("sign in");

    // Referrals go out without review; too many contacts named is refused in words.
    let too_many = fieldstone_model::follow_up::AutoSend {
        sources: Vec::new(),
        contacts: (0..1_001u128)
            .map(|n| fieldstone_model::ContactId::from_uuid(uuid::Uuid::from_u128(n + 1)))
            .collect(),
    };
    let refused = app
        .api
        .set_follow_up_auto_send(too_many)
        .await
        .expect_err("too many");
    assert!(refused.field("contacts").is_some(), "{refused:?}");
    let chosen = app
        .api
        .set_follow_up_auto_send(fieldstone_model::follow_up::AutoSend {
            sources: vec![
                fieldstone_model::LeadSource::Referral,
                fieldstone_model::LeadSource::Referral,
            ],
            contacts: Vec::new(),
        })
        .await
        .expect("auto-send");
    assert_eq!(chosen.sources, [fieldstone_model::LeadSource::Referral]);
    assert_eq!(app.api.follow_up_auto_send().await.expect("read"), chosen);

    // Rob, referred a year ago on this device's clock: all five steps are due on the
    // server's, and each email goes out once, for Ann; her steps are done.
    let mut rob = person("Rob", "Referred", "rob@example.com");
    rob.source = fieldstone_model::LeadSource::Referral;
    let rob = app.api.create_contact(rob).await.expect("rob");
    let mails =
        fieldstone_tests::eventually("five follow-ups sent", Duration::from_secs(60), || {
            let mails = smtp.received();
            (mails.len() >= 5).then_some(mails)
        })
        .await;
    let mut subjects: Vec<String> = mails
        .iter()
        .filter_map(|m| fieldstone_tests::smtp::header(m, "Subject"))
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 5, "one email per step: {subjects:?}");
    let deadline = Instant::now() + WAIT;
    loop {
        let tasks = tasks_of(&app, rob.id).await;
        if tasks.len() == 5 && tasks.iter().all(|t| t.status == TaskStatus::Completed) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the steps never came back done: {tasks:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready(&app, 0).await.is_empty(), "nothing to review");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(smtp.received().len(), 5, "each sent once");
}
