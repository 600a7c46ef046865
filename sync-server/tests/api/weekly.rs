//! The weekly report email (issue 16) against a real SMTP server, the clock passed in: on
//! Monday at eight each person gets last week's figures — an agent their own, a broker their
//! team's (not another team's agent), nobody another organisation's — once, and again the
//! Monday after, unless they turned it off; a server with weekly reports off sends none.

use crate::campaigns::{advance, campaign_config, header};
use crate::dispatch::{agent, at, Agent, SmtpSink};
use crate::support::*;
use chrono::Duration;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::DocId;
use fieldstone_server::store::jobs::WEEKLY;

/// A contact of `agent`'s from `source`, made at `made`.
async fn lead(
    s: &TestServer,
    agent: &Agent,
    name: &str,
    source: LeadSource,
    made: chrono::DateTime<chrono::Utc>,
) {
    let input = ContactInput {
        given_name: name.into(),
        family_name: "Park".into(),
        source,
        ..ContactInput::default()
    };
    let contact = Contact::create(
        ContactId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        agent.user,
        made,
    );
    push_new_contact(s, &agent.token, &contact).await;
}

/// A follow-up of `agent`'s completed at `done`.
async fn done_task(s: &TestServer, agent: &Agent, done: chrono::DateTime<chrono::Utc>) {
    let input = TaskInput {
        title: "Call back".into(),
        due_at: Some(done),
        priority: Priority::High,
        status: TaskStatus::Pending,
        kind: TaskKind::Custom,
        record: None,
    };
    let mut task = Task::create(
        TaskId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        agent.user,
        done - Duration::days(1),
    );
    task.status = TaskStatus::Completed;
    task.closed_at = Some(done);
    let (doc, _) = fieldstone_doc::task::create(automerge::ActorId::random(), &task).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::task::KIND, task.id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
}

/// The mails the SMTP server holds for `to`.
fn mails_to(smtp: &SmtpSink, to: &str) -> Vec<String> {
    smtp.received()
        .into_iter()
        .filter(|m| header(m, "To").is_some_and(|t| t.contains(to)))
        .collect()
}

async fn until_mails(smtp: &SmtpSink, n: usize) {
    for _ in 0..1_200 {
        if smtp.received().len() >= n {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            assert_eq!(smtp.received().len(), n, "exactly {n}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{} of {n} reports arrived", smtp.received().len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_gets_last_weeks_figures_on_monday_morning_once() {
    let smtp = SmtpSink::start();
    let mut config = campaign_config(&smtp);
    config.weekly_reports = true;
    let s = TestServer::start_with(config).await;
    // at() is Monday 29 December 2025, 09:20 UTC: the week reported is 22 to 28 December.
    let friday = at() - Duration::days(3);
    s.clock.set(friday);
    let ada = agent(&s);
    let team = s.team(ada.org, "North");
    let bea = s.user(ada.org, "bea@harbour.test", Role::Broker, Some(team));
    let cy_id = s.user(ada.org, "cy@harbour.test", Role::Agent, Some(team));
    let cy = Agent {
        org: ada.org,
        user: cy_id,
        token: s.token(ada.org, cy_id),
    };
    lead(&s, &ada, "Ana", LeadSource::Zillow, friday).await;
    lead(&s, &ada, "Ben", LeadSource::Zillow, friday).await;
    lead(&s, &ada, "Cat", LeadSource::Referral, friday).await;
    // Before the week: not a new lead of it.
    lead(
        &s,
        &ada,
        "Old",
        LeadSource::Zillow,
        friday - Duration::days(30),
    )
    .await;
    done_task(&s, &ada, friday).await;
    lead(&s, &cy, "Dee", LeadSource::OpenHouse, friday).await;
    // Cy turned the weekly report off (in Settings, on a device: the preference follows him).
    let (doc, _) = fieldstone_doc::prefs::write(
        None,
        automerge::ActorId::random(),
        friday,
        &[("weekly_report".into(), Some("false".into()))],
    )
    .expect("prefs");
    let mut device = Device::new();
    device.doc = doc;
    let prefs = DocId::new(fieldstone_doc::prefs::KIND, cy.user).expect("id");
    let answer = s.push(&cy.token, vec![device.unsent(&prefs)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    // Another organisation's agent and leads.
    let other_org = s.org("Elsewhere");
    let eve_id = s.user(other_org, "eve@elsewhere.test", Role::Agent, None);
    let eve = Agent {
        org: other_org,
        user: eve_id,
        token: s.token(other_org, eve_id),
    };
    for name in ["E1", "E2", "E3", "E4", "E5"] {
        lead(&s, &eve, name, LeadSource::Zillow, friday).await;
    }

    // The sweep gives each person their job, due on Monday at eight (UTC here).
    let state = s.state.clone();
    let made = tokio::task::spawn_blocking(move || fieldstone_server::weekly::sweep(&state))
        .await
        .expect("join")
        .expect("sweep");
    assert!(made >= 4, "ada, bea, cy, eve: {made}");
    let monday_eight = (at() - Duration::minutes(80)).to_rfc3339();
    let job = s
        .store
        .job(ada.org, WEEKLY, &ada.user.to_string())
        .expect("job")
        .expect("made");
    assert_eq!(job.due_at.to_rfc3339(), monday_eight);
    // A second sweep makes none again.
    let state = s.state.clone();
    let again = tokio::task::spawn_blocking(move || fieldstone_server::weekly::sweep(&state))
        .await
        .expect("join")
        .expect("sweep");
    assert_eq!(again, 0);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert!(smtp.received().is_empty(), "nothing before Monday");

    // Monday, 08:00: three reports (not Cy's).
    s.clock.set(at() - Duration::minutes(80));
    until_mails(&smtp, 3).await;
    assert!(mails_to(&smtp, "cy@harbour.test").is_empty(), "turned off");
    let ada_mail = mails_to(&smtp, "ada@harbour.test");
    assert_eq!(ada_mail.len(), 1);
    assert_eq!(
        header(&ada_mail[0], "Subject"),
        Some("Harbour: your week, 22 December to 28 December")
    );
    let body = ada_mail[0].replace("=\r\n", "").replace("\r\n", "\n");
    assert!(
        body.contains("3 new leads (2 from Zillow, 1 from Referral)"),
        "{body}"
    );
    assert!(body.contains("1 follow-up done, 0 overdue"), "{body}");
    // The broker's team is Bea and Cy: Cy's lead, not Ada's.
    let bea_mail = mails_to(&smtp, "bea@harbour.test");
    let body = bea_mail[0].replace("=\r\n", "").replace("\r\n", "\n");
    assert!(body.contains("1 new lead (1 from Open house)"), "{body}");
    let eve_mail = mails_to(&smtp, "eve@elsewhere.test");
    let body = eve_mail[0].replace("=\r\n", "").replace("\r\n", "\n");
    assert!(body.contains("5 new leads (5 from Zillow)"), "{body}");
    let _ = bea;

    // Later rounds that Monday send nothing more; the next Monday brings the next week's.
    for _ in 0..4 {
        advance(&s, Duration::minutes(16));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(smtp.received().len(), 3, "once a week");
    let job = s
        .store
        .job(ada.org, WEEKLY, &ada.user.to_string())
        .expect("job")
        .expect("kept");
    assert_eq!(job.state, "waiting");
    assert_eq!(
        job.due_at.to_rfc3339(),
        (at() - Duration::minutes(80) + Duration::days(7)).to_rfc3339()
    );
    s.clock.set(at() + Duration::days(7));
    until_mails(&smtp, 6).await;
    let ada_mail = mails_to(&smtp, "ada@harbour.test");
    assert_eq!(
        header(&ada_mail[1], "Subject"),
        Some("Harbour: your week, 29 December to 4 January")
    );
    let body = ada_mail[1].replace("=\r\n", "").replace("\r\n", "\n");
    assert!(body.contains("0 new leads"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_weekly_reports_off_sends_none() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at() - Duration::days(3));
    let ada = agent(&s);
    lead(
        &s,
        &ada,
        "Ana",
        LeadSource::Zillow,
        at() - Duration::days(3),
    )
    .await;
    let state = s.state.clone();
    tokio::task::spawn_blocking(move || fieldstone_server::weekly::sweep(&state))
        .await
        .expect("join")
        .expect("sweep");
    s.clock.set(at());
    for _ in 0..40 {
        let job = s
            .store
            .job(ada.org, WEEKLY, &ada.user.to_string())
            .expect("job");
        if job.as_ref().is_some_and(|j| j.state == "done") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let job = s
        .store
        .job(ada.org, WEEKLY, &ada.user.to_string())
        .expect("job")
        .expect("made");
    assert_eq!(job.state, "done", "{job:?}");
    assert!(smtp.received().is_empty());
}
