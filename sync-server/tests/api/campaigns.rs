//! Campaigns the server runs (issue 16), against a real SMTP server with the clock passed in: a
//! drip written on a device goes to its audience step by step, once per recipient and step;
//! whoever unsubscribes after the first step gets nothing more, whoever replies leaves; a
//! restart in the middle of a step sends nothing twice and leaves no one out; the figures come
//! back into the campaign for every device; two server processes on one PostgreSQL run one
//! campaign once.

use crate::dispatch::{agent, at, Agent, SmtpSink, PUBLIC_URL};
use crate::support::*;
use crate::texts::{post_signed, sms_config, FROM, TOKEN};
use chrono::Duration;
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::{Campaign, CampaignId};
use fieldstone_model::campaign::*;
use fieldstone_model::*;
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use reqwest::StatusCode;
use std::collections::BTreeMap;

pub(crate) fn advance(s: &TestServer, by: Duration) {
    use fieldstone_model::clock::Clock;
    s.clock.set(s.clock.now() + by);
}

pub(crate) fn step(wait_days: u16, subject: &str) -> CampaignStep {
    CampaignStep {
        channel: StepChannel::Email,
        wait_days,
        variations: vec![Variation {
            label: String::new(),
            percent: 100,
            subject: subject.into(),
            body: "Hi {{ first_name }}, {{ agent_name }} here.".into(),
        }],
    }
}

/// A three-step drip to everyone tagged `spring`: now, three days later, a week after that.
fn drip(owner: UserId) -> Campaign {
    let input = CampaignInput {
        name: "Spring buyers".into(),
        kind: CampaignKind::Drip,
        audience: Audience {
            tags: vec!["spring".into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![
            step(0, "Step one for {{ first_name }}"),
            step(3, "Step two"),
            step(7, "Step three"),
        ],
        schedule: Schedule::default(),
        ab: None,
        exit: Default::default(),
    };
    let mut campaign = Campaign::create(
        CampaignId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        at(),
    );
    campaign
        .set_status(CampaignStatus::Running, at())
        .expect("launch");
    campaign
}

/// `n` contacts of `agent`'s (`lena{i}@example.com`), tagged `tag`, pushed 100 at a time as a
/// device would; the second has a phone number (to reply by text). Answers their ids.
pub(crate) async fn push_contacts(
    s: &TestServer,
    agent: &Agent,
    n: usize,
    tag: &str,
) -> Vec<ContactId> {
    let mut ids = Vec::with_capacity(n);
    let mut pushes = Vec::new();
    for i in 0..n {
        let input = ContactInput {
            given_name: format!("Lena{i}"),
            family_name: "Park".into(),
            emails: vec![EmailEntry {
                address: format!("lena{i}@{tag}.example.com"),
                label: Default::default(),
                primary: true,
            }],
            phones: if i == 1 {
                vec![PhoneEntry {
                    number: "+15555550123".into(),
                    label: Default::default(),
                    primary: true,
                }]
            } else {
                Vec::new()
            },
            tags: [tag.to_owned()].into_iter().collect(),
            ..ContactInput::default()
        };
        let id = ContactId::from_uuid(uuid::Uuid::new_v4());
        let contact = Contact::create(id, input.validate().expect("valid"), agent.user, at());
        let (doc, _) =
            fieldstone_doc::contact::create(automerge::ActorId::random(), &contact).expect("doc");
        let mut device = Device::new();
        device.doc = doc;
        pushes.push(device.unsent(&DocId::new(fieldstone_doc::contact::KIND, id).expect("id")));
        ids.push(id);
        if pushes.len() == 100 || i + 1 == n {
            let answer = s.push(&agent.token, std::mem::take(&mut pushes)).await;
            assert!(answer.rejected.is_empty(), "{answer:?}");
        }
    }
    ids
}

pub(crate) async fn push_campaign(s: &TestServer, agent: &Agent, campaign: &Campaign) -> DocId {
    let (doc, _) =
        fieldstone_doc::campaign::create(automerge::ActorId::random(), campaign).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::campaign::KIND, campaign.id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    id
}

/// Each recipient's address → the subjects they received, from the SMTP server's mailbox.
pub(crate) fn mail_by_recipient(smtp: &SmtpSink) -> BTreeMap<String, Vec<String>> {
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for mail in smtp.received() {
        let to = header(&mail, "To").unwrap_or_default().to_owned();
        let subject = header(&mail, "Subject").unwrap_or_default().to_owned();
        by.entry(to).or_default().push(subject);
    }
    by
}

pub(crate) fn header<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

/// Waits until the SMTP server holds `n` messages (bounded at two minutes: a hang is a failure,
/// a loaded CI machine is not), then a little longer to be sure no more arrive.
pub(crate) async fn until_mail(
    smtp: &SmtpSink,
    n: usize,
    s: &TestServer,
    org: OrgId,
    campaign: &Campaign,
) {
    for _ in 0..2_400 {
        if smtp.received().len() >= n {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert_eq!(smtp.received().len(), n, "no more than {n}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let job = s.store.job(
        org,
        fieldstone_server::store::jobs::CAMPAIGN,
        &format!(
            "{}:{}",
            campaign.id,
            campaign.status_at.map_or(0, |t| t.timestamp_millis())
        ),
    );
    panic!(
        "{} of {n} messages arrived; the campaign's job: {job:?}",
        smtp.received().len()
    );
}

/// The campaign as the agent's device pulls it.
pub(crate) async fn pulled_campaign(s: &TestServer, agent: &Agent, id: &DocId) -> Campaign {
    let (docs, _) = s.pull_all(&agent.token, vec![]).await;
    let doc = docs.iter().find(|d| &d.doc_id == id).expect("campaign");
    let loaded = fieldstone_doc::load(doc.snapshot.as_deref().expect("whole")).expect("load");
    fieldstone_doc::campaign::read(&loaded).expect("read")
}

/// Moves the clock and waits for the campaign's figures to reach `sent` at step `step`.
async fn until_counted(
    s: &TestServer,
    agent: &Agent,
    id: &DocId,
    step: u16,
    sent: u64,
) -> Campaign {
    for _ in 0..600 {
        let c = pulled_campaign(s, agent, id).await;
        if c.result
            .counts
            .iter()
            .any(|k| k.step == step && k.sent == sent)
        {
            return c;
        }
        // The next round counts again (the figures refresh every few minutes).
        advance(s, Duration::minutes(16));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "never counted {sent} at step {step}: {:?}",
        pulled_campaign(s, agent, id).await.result
    );
}

pub(crate) fn campaign_config(smtp: &SmtpSink) -> Config {
    let mut config = sms_config(&smtp.url(), "http://127.0.0.1:9");
    if let Some(email) = config.email.as_mut() {
        email.connections = 4;
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drip_reaches_a_thousand_contacts_step_by_step_once_each_and_lets_people_leave() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let people = push_contacts(&s, &ada, 1_000, "spring").await;
    // Not in the audience: never written to.
    push_contacts(&s, &ada, 5, "autumn").await;
    let campaign = drip(ada.user);
    let id = push_campaign(&s, &ada, &campaign).await;

    // Step one goes to the thousand, once each, personalised.
    until_mail(&smtp, 1_000, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail.len(), 1_000);
    assert!(mail.keys().all(|to| to.ends_with("@spring.example.com")));
    assert_eq!(
        mail["lena7@spring.example.com"],
        vec!["Step one for Lena7".to_owned()]
    );

    // Lena0 unsubscribes with the link in her email; Lena1 answers by text.
    let raw = smtp
        .received()
        .into_iter()
        .find(|m| header(m, "To") == Some("lena0@spring.example.com"))
        .expect("Lena0's mail");
    let link = header(&raw, "List-Unsubscribe")
        .expect("a campaign email can be left in one click")
        .trim_matches(['<', '>'])
        .replace(PUBLIC_URL, &s.url);
    let answer = s
        .http
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("unsubscribe");
    assert_eq!(answer.status(), StatusCode::OK);
    let inbound = format!("/hooks/twilio/{}/inbound", ada.org);
    let reply = [
        ("From", "+1 555 555 0123"),
        ("To", FROM),
        ("Body", "Yes, call me!"),
        ("MessageSid", "SMcampaign1"),
    ];
    assert_eq!(
        post_signed(&s, &inbound, &reply, Some(TOKEN)).await,
        StatusCode::OK
    );

    // Three days on: step two goes to everyone else.
    advance(&s, Duration::days(3) + Duration::minutes(1));
    until_mail(&smtp, 1_998, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail["lena0@spring.example.com"].len(), 1, "unsubscribed");
    assert_eq!(mail["lena1@spring.example.com"].len(), 1, "replied: left");
    assert_eq!(
        mail["lena2@spring.example.com"],
        vec!["Step one for Lena2".to_owned(), "Step two".to_owned()]
    );
    for gone in &people[..2] {
        let doc = fieldstone_server::campaign::step_doc(&campaign, 1, *gone).expect("id");
        assert!(s
            .with_store(|st| st.load_doc(ada.org, &doc))
            .expect("load")
            .is_none());
    }

    // The figures come back to the device.
    let counted = until_counted(&s, &ada, &id, 1, 998).await;
    assert_eq!(counted.result.enrolled, 1_000);
    assert_eq!(counted.result.left, 2);
    let first = counted
        .result
        .counts
        .iter()
        .find(|k| k.step == 0)
        .expect("step one");
    assert_eq!((first.sent, first.unsubscribed), (1_000, 1));
    assert_eq!(first.replied, 1);

    // The server restarts between steps (the job table keeps the campaign's place): step
    // three goes out a week later, to each of the 998 once.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let s = s.restart().await;
    advance(&s, Duration::days(7));
    until_mail(&smtp, 2_996, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert!(mail
        .iter()
        .filter(|(to, _)| !to.starts_with("lena0@") && !to.starts_with("lena1@"))
        .all(|(_, subjects)| subjects.len() == 3 && subjects[2] == "Step three"));

    // Everything sent; a week of counting later the campaign is finished, on every device.
    let signed_in = |s: &TestServer| Agent {
        org: ada.org,
        user: ada.user,
        // A fresh session: the clock has moved weeks.
        token: s.token(ada.org, ada.user),
    };
    for _ in 0..60 {
        advance(&s, Duration::days(1));
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        if pulled_campaign(&s, &signed_in(&s), &id).await.status == CampaignStatus::Finished {
            break;
        }
    }
    let done = pulled_campaign(&s, &signed_in(&s), &id).await;
    let job = s.store.job(
        ada.org,
        fieldstone_server::store::jobs::CAMPAIGN,
        &format!(
            "{}:{}",
            campaign.id,
            campaign.status_at.map_or(0, |t| t.timestamp_millis())
        ),
    );
    assert_eq!(
        done.status,
        CampaignStatus::Finished,
        "{:?} {job:?}",
        done.result
    );
    assert!(done.result.finished_at.is_some());
    assert_eq!(smtp.received().len(), 2_996, "nothing more after the end");
}

/// A one-step broadcast testing two subjects on 40% of the audience by open rate, the
/// winner then going to the rest.
fn ab_broadcast(owner: UserId) -> Campaign {
    let variation = |label: &str, subject: &str| Variation {
        label: label.into(),
        percent: 50,
        subject: subject.into(),
        body: "Hi {{ first_name }},\n\nThree homes fit what you asked for.".into(),
    };
    let input = CampaignInput {
        name: "Which subject".into(),
        kind: CampaignKind::Broadcast,
        audience: Audience {
            tags: vec!["ab".into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![
                variation("A", "Homes for you"),
                variation("B", "Your next home"),
            ],
        }],
        schedule: Schedule::default(),
        ab: Some(AbTest {
            metric: AbMetric::Open,
            confidence: Default::default(),
            decide_after_hours: Some(2),
            min_per_variation: 20,
            split: Split {
                control_percent: 0,
                winner_to_rest: true,
                test_percent: 40,
            },
        }),
        exit: Default::default(),
    };
    let mut campaign = Campaign::create(
        CampaignId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        at(),
    );
    campaign
        .set_status(CampaignStatus::Running, at())
        .expect("launch");
    campaign
}

/// Opens the mail to `to` (its tracking pixel, as a mail client would).
async fn open(s: &TestServer, smtp: &SmtpSink, to: &str) {
    let raw = smtp
        .received()
        .into_iter()
        .find(|m| header(m, "To") == Some(to))
        .expect("the recipient's mail");
    let html = crate::outreach::html_part(&raw);
    let pixel = crate::outreach::attribute(&html, "<img", "src");
    let answer = s
        .http
        .get(crate::outreach::local(s, &pixel))
        .send()
        .await
        .expect("pixel");
    assert_eq!(answer.status(), StatusCode::OK);
}

/// Pulls the campaign until `done` holds of it, moving the clock a round at a time.
pub(crate) async fn until_result(
    s: &TestServer,
    agent: &Agent,
    id: &DocId,
    what: &str,
    done: impl Fn(&Campaign) -> bool,
) -> Campaign {
    for _ in 0..300 {
        let c = pulled_campaign(s, agent, id).await;
        if done(&c) {
            return c;
        }
        advance(s, Duration::minutes(16));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: {:?}", pulled_campaign(s, agent, id).await.result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ab_test_waits_on_a_tie_then_names_the_winner_for_the_rest() {
    use fieldstone_model::campaign::ab::Verdict;
    use fieldstone_model::campaign::run::{self, StepPlan};
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let people = push_contacts(&s, &ada, 200, "ab").await;
    let address = |i: usize| format!("lena{i}@ab.example.com");
    let split = |campaign: &Campaign| {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, p) in people.iter().enumerate() {
            let group = match run::plan_for(campaign, 0, *p) {
                Some(StepPlan::Send(0)) => "A",
                Some(StepPlan::Send(_)) => "B",
                _ => "rest",
            };
            groups.entry(group).or_default().push(i);
        }
        groups
    };
    // The split hashes the campaign's and each contact's (random) ids: a campaign whose split
    // gives each variation at least 30 people, so the opens below mean what they say.
    let (campaign, groups) = (0..100)
        .map(|_| {
            let campaign = ab_broadcast(ada.user);
            let groups = split(&campaign);
            (campaign, groups)
        })
        .find(|(_, g)| g.get("A").map_or(0, Vec::len) >= 30 && g.get("B").map_or(0, Vec::len) >= 30)
        .expect("a split with 30 in each variation");
    let (a, b) = (groups["A"].clone(), groups["B"].clone());
    let id = push_campaign(&s, &ada, &campaign).await;

    // The test group gets its variations; the rest waits.
    until_mail(&smtp, a.len() + b.len(), &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert!(a.iter().all(|i| mail[&address(*i)] == ["Homes for you"]));
    assert!(b.iter().all(|i| mail[&address(*i)] == ["Your next home"]));

    // Ten opens each: past the two hours, the test says "not significant yet", and the rest
    // still waits.
    for i in a.iter().take(10).chain(b.iter().take(10)) {
        open(&s, &smtp, &address(*i)).await;
    }
    advance(&s, Duration::hours(2) + Duration::minutes(1));
    let tied = until_result(&s, &ada, &id, "ten opens each counted", |c| {
        c.result.counts.iter().filter(|k| k.opened == 10).count() == 2
    })
    .await;
    assert!(tied.result.winners.is_empty());
    let verdict = run::verdict(&tied, 0, &tied.result.counts, at(), {
        use fieldstone_model::clock::Clock;
        s.clock.now()
    });
    assert!(
        matches!(verdict, Some(Ok(Verdict::NotSignificant { .. }))),
        "{verdict:?}"
    );
    assert_eq!(smtp.received().len(), a.len() + b.len(), "the rest waits");

    // B's subject is opened far more: B wins, and the rest get B, once each.
    for i in b.iter().skip(10).take(20) {
        open(&s, &smtp, &address(*i)).await;
    }
    let won = until_result(&s, &ada, &id, "a winner", |c| !c.result.winners.is_empty()).await;
    assert_eq!(won.result.winners[0].variation, "B");
    until_mail(&smtp, 200, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert!(groups["rest"]
        .iter()
        .all(|i| mail[&address(*i)] == ["Your next home"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: FIELDSTONE_TEST_POSTGRES_URL (cargo xtask test starts one and runs ignored tests)"]
async fn two_server_processes_on_one_postgresql_run_one_campaign_once_and_survive_one_stopping() {
    let smtp = SmtpSink::start();
    let first = TestServer::start_postgres(campaign_config(&smtp)).await;
    first.clock.set(at());
    let second = first.beside().await;
    let ada = agent(&first);
    push_contacts(&second, &ada, 300, "spring").await;
    let campaign = drip(ada.user);
    // The device talks to the second process; both run jobs and send.
    push_campaign(&second, &ada, &campaign).await;
    until_mail(&smtp, 300, &first, ada.org, &campaign).await;

    // Step two: the second process stops while it goes out; the first finishes it, and
    // nobody gets it twice or not at all.
    advance(&first, Duration::days(3) + Duration::minutes(1));
    for _ in 0..2_400 {
        if smtp.received().len() > 300 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    drop(second);
    // Past the stopped process's job lease.
    advance(&first, Duration::minutes(6));
    until_mail(&smtp, 600, &first, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail.len(), 300);
    assert!(mail
        .values()
        .all(|subjects| subjects.len() == 2 && subjects[1] == "Step two"));
}

#[tokio::test]
async fn nobody_writes_a_campaign_for_someone_else() {
    let s = TestServer::start().await;
    let ada = agent(&s);
    let admin = s.user(
        ada.org,
        "admin@harbour.test",
        fieldstone_protocol::account::Role::Admin,
        None,
    );
    // Ada's device writing a campaign "owned" by the admin (who reads every contact).
    let theirs = drip(admin);
    let (doc, _) =
        fieldstone_doc::campaign::create(automerge::ActorId::random(), &theirs).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::campaign::KIND, theirs.id).expect("id");
    let answer = s.push(&ada.token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    assert_eq!(
        answer.rejected[0].code,
        fieldstone_protocol::RejectCode::FieldNotAllowed {
            field: "owner".into()
        }
    );
    let job = s.store.job(
        ada.org,
        fieldstone_server::store::jobs::CAMPAIGN,
        &fieldstone_server::campaign::job_key(&theirs),
    );
    assert_eq!(job.expect("read"), None, "nothing runs");
}
