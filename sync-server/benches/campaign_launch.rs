//! Launching a campaign on the server: a broadcast to every one of 10,000 contacts, expanded by
//! the campaign's job (each contact read, checked against the audience, its message written
//! personalised and queued in the attempt ledger, 500 to a commit), then sent by the
//! dispatcher's own rounds to a real SMTP server on loopback (`python3-aiosmtpd`), each checked
//! against the contact's marketing consent, with its unsubscribe header and tracking.
//!
//! A timed run rather than criterion (one run writes and sends thousands of messages). Run
//! with `cargo bench -p fieldstone-server --bench campaign_launch` (`RECIPIENTS=n`, and
//! `SEND=n` for how many of them the sending figure covers).

mod common;

use common::{secret_key, write, Harbour};
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::{Campaign, CampaignId};
use fieldstone_model::campaign::*;
use fieldstone_model::FixedClock;
use fieldstone_protocol::DocId;
use fieldstone_server::config::Config;
use fieldstone_server::dispatch::{round, EmailConfig, Mailer, Senders};
use fieldstone_server::store::jobs::JobFinish;
use fieldstone_server::AppState;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let recipients = common::env("RECIPIENTS", 10_000);
    let send = common::env("SEND", 2_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let smtp = common::SmtpSink::start();
    let at = chrono::DateTime::from_timestamp_millis(1_767_000_000_000).expect("time");
    let harbour = Harbour::open(&dir.path().join("data"), at);
    // Lena (no email) is refused at expansion; the others are Known 0 …
    harbour.seed_contacts(recipients - 1, at);
    let (store, org, owner) = (harbour.store.clone(), harbour.org, harbour.owner);
    let email = EmailConfig::new(&smtp.url, "crm@harbour.test");
    let mut config = Config {
        email: Some(email.clone()),
        secret_key: Some(secret_key()),
        ..Config::default()
    };
    config.http.public_url = Some("https://crm.harbour.test".into());
    let state = AppState::new(store.clone(), config, Arc::new(FixedClock::new(at))).expect("state");

    let input = CampaignInput {
        name: "Spring market update".into(),
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
                label: String::new(),
                percent: 100,
                subject: "Spring prices, {{ first_name }}".into(),
                body: "Hi {{ first_name }},\n\nPrices moved this spring. {{ agent_name }}".into(),
            }],
        }],
        schedule: Schedule::default(),
        ab: None,
        exit: Default::default(),
    };
    let mut campaign = Campaign::create(
        CampaignId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        owner,
        at,
    );
    campaign
        .set_status(CampaignStatus::Running, at)
        .expect("launch");
    let (mut doc, _) =
        fieldstone_doc::campaign::create(automerge::ActorId::random(), &campaign).expect("doc");
    let doc_id = DocId::new(fieldstone_doc::campaign::KIND, campaign.id).expect("id");
    store
        .commit(org, vec![write(doc_id, &mut doc, owner, false)], at)
        .expect("campaign");

    let key = fieldstone_server::campaign::job_key(&campaign);
    let started = Instant::now();
    let finish = fieldstone_server::campaign::run(&state, org, &key).expect("launch");
    let launch = started.elapsed();
    assert!(
        matches!(&finish, JobFinish::Later { detail, .. } if detail.starts_with(&format!("{} created", recipients - 1))),
        "{finish:?}"
    );
    println!(
        "launch a broadcast to {recipients} contacts (audience, personalised message written and \
         queued for each): {:.2} s",
        launch.as_secs_f64()
    );

    let mailer = Mailer::new(&email, None).expect("mailer");
    let started = Instant::now();
    let mut taken = 0;
    while taken < send {
        let senders = Senders {
            mailer: Some(&mailer),
            texter: None,
            runtime: None,
        };
        let n = round(&state, &email, &senders, "bench").expect("round");
        if n == 0 {
            break;
        }
        taken += n;
    }
    let elapsed = started.elapsed();
    assert!(taken >= send, "{taken} of {send} taken");
    println!(
        "send {taken} of its emails (marketing consent checked, unsubscribe header, tracked) to \
         a local SMTP server: {:.2} s, {:.0} messages/s",
        elapsed.as_secs_f64(),
        taken as f64 / elapsed.as_secs_f64()
    );

    // A later round of the same campaign (every quarter of an hour while it runs): each
    // recipient's message is read and counted.
    let started = Instant::now();
    fieldstone_server::campaign::run(&state, org, &key).expect("count");
    println!(
        "a later round of it, counting {} messages: {:.2} s",
        recipients - 1,
        started.elapsed().as_secs_f64()
    );

    // A sequence started by a tag over the same contacts: its first round notes how things
    // stood at launch, each later one looks for new occasions.
    let mut sequence = input.clone();
    sequence.kind = CampaignKind::Drip;
    sequence.trigger = Some(trigger::Trigger::TagAdded { tag: "hot".into() });
    let mut triggered = Campaign::create(
        CampaignId::from_uuid(uuid::Uuid::new_v4()),
        sequence.validate().expect("valid"),
        owner,
        at,
    );
    triggered
        .set_status(CampaignStatus::Running, at)
        .expect("launch");
    let (mut doc, _) =
        fieldstone_doc::campaign::create(automerge::ActorId::random(), &triggered).expect("doc");
    let doc_id = DocId::new(fieldstone_doc::campaign::KIND, triggered.id).expect("id");
    store
        .commit(org, vec![write(doc_id, &mut doc, owner, false)], at)
        .expect("campaign");
    let key = fieldstone_server::campaign::job_key(&triggered);
    for which in [
        "first (how things stood at launch)",
        "later (looking for new occasions)",
    ] {
        let started = Instant::now();
        fieldstone_server::campaign::run(&state, org, &key).expect("round");
        println!(
            "a triggered sequence's {which} round over {recipients} contacts: {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
}
