//! Sequences that start on their own and broadcasts that repeat (issue 16), against a real SMTP
//! server with the clock passed in: a tag added after launch enrols the contact (one who had it
//! at launch is not), removing and adding it again is a new occasion, reaching a stage ends it;
//! a new lead from a source, a completed showing and a birthday each start their sequence once;
//! a weekly broadcast goes to the audience of each week, with each sending's figures; a test's
//! control group gets nothing, and the bookings its members make anyway are counted; a listing
//! new since launch that fits a buyer announces itself to them once, by its address.

use crate::campaigns::{
    advance, campaign_config, mail_by_recipient, push_campaign, step, until_mail, until_result,
};
use crate::dispatch::{agent, at, Agent, SmtpSink};
use crate::support::*;
use chrono::{DateTime, Datelike, Duration, Utc};
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::{Campaign, CampaignId};
use fieldstone_model::campaign::trigger::{ExitRules, Trigger};
use fieldstone_model::campaign::*;
use fieldstone_model::*;
use fieldstone_protocol::DocId;

/// A contact as one device keeps it: its document, what it last pushed, the record.
struct Person {
    id: DocId,
    device: Device,
    contact: Contact,
}

/// A contact of `agent`'s, `email` at example.com, made at `made`, pushed as a device would.
async fn person(
    s: &TestServer,
    agent: &Agent,
    email: &str,
    made: DateTime<Utc>,
    edit: impl FnOnce(&mut ContactInput),
) -> Person {
    let mut input = ContactInput {
        given_name: email.to_owned(),
        family_name: "Park".into(),
        emails: vec![EmailEntry {
            address: format!("{email}@example.com"),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    edit(&mut input);
    let id = ContactId::from_uuid(uuid::Uuid::new_v4());
    let contact = Contact::create(id, input.validate().expect("valid"), agent.user, made);
    let (doc, _) =
        fieldstone_doc::contact::create(automerge::ActorId::random(), &contact).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let doc_id = DocId::new(fieldstone_doc::contact::KIND, id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&doc_id)]).await;
    assert!(answer.rejected.is_empty(), "{answer:?}");
    Person {
        id: doc_id,
        device,
        contact,
    }
}

/// Changes `p` on its device and pushes the change.
async fn change(s: &TestServer, agent: &Agent, p: &mut Person, edit: impl FnOnce(&mut Contact)) {
    edit(&mut p.contact);
    p.contact.updated_at = fieldstone_model::clock::Clock::now(&*s.clock);
    fieldstone_doc::contact::update(&mut p.device.doc, &p.contact).expect("update");
    let answer = s.push(&agent.token, vec![p.device.unsent(&p.id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
}

/// A showing with `contact`, starting now, pushed by `agent`'s device.
async fn push_booking(s: &TestServer, agent: &Agent, contact: ContactId, status: BookingStatus) {
    let starts = fieldstone_model::clock::Clock::now(&*s.clock);
    let input = BookingInput {
        kind: BookingKind::Showing,
        title: None,
        starts_at: starts,
        ends_at: starts + Duration::minutes(30),
        time_zone: "UTC".into(),
        location: None,
        attendees: Attendees {
            contacts: vec![contact],
            users: vec![agent.user],
        },
        listing: None,
        status,
        reminders: Vec::new(),
    };
    let booking = Booking::create(
        BookingId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        agent.user,
        starts,
    );
    let (doc, _) =
        fieldstone_doc::booking::create(automerge::ActorId::random(), &booking).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let booking_id = DocId::new(fieldstone_doc::booking::KIND, booking.id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&booking_id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
}

/// A launched sequence of `steps` owned by `owner`, started by `trigger`.
fn sequence(owner: UserId, name: &str, trigger: Trigger, steps: Vec<CampaignStep>) -> Campaign {
    let input = CampaignInput {
        name: name.into(),
        kind: CampaignKind::Drip,
        audience: Audience {
            everyone: true,
            ..Audience::default()
        },
        trigger: Some(trigger),
        steps,
        schedule: Schedule::default(),
        ab: None,
        exit: ExitRules::default(),
    };
    launched(input, owner)
}

fn launched(input: CampaignInput, owner: UserId) -> Campaign {
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

/// Waits until the campaign's first round has seen how things stood at launch.
async fn until_seen_at_launch(s: &TestServer, org: OrgId, campaign: &Campaign) {
    for _ in 0..1_200 {
        let rows = s
            .store
            .enrolments(org, &campaign.id.to_string())
            .expect("enrolments");
        if rows.iter().any(|r| r.episode == "baseline") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the campaign's first round never ran");
}

/// The next round (the server looks at every contact each quarter of an hour).
fn next_round(s: &TestServer) {
    advance(s, Duration::minutes(16));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_added_after_launch_starts_the_sequence_once_per_adding_and_a_stage_ends_it() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let mut had = person(&s, &ada, "had", at(), |c| {
        c.tags = vec!["hot".into()];
    })
    .await;
    let mut gets = person(&s, &ada, "gets", at(), |_| {}).await;
    let mut closes = person(&s, &ada, "closes", at(), |_| {}).await;
    let campaign = sequence(
        ada.user,
        "Hot leads",
        Trigger::TagAdded { tag: "hot".into() },
        vec![step(0, "Welcome, {{ first_name }}"), step(2, "Two days on")],
    );
    push_campaign(&s, &ada, &campaign).await;
    until_seen_at_launch(&s, ada.org, &campaign).await;

    // "hot" is added to two contacts after launch; the one who had it gets nothing.
    change(&s, &ada, &mut gets, |c| {
        c.tags.insert("hot".into());
    })
    .await;
    change(&s, &ada, &mut closes, |c| {
        c.tags.insert("hot".into());
    })
    .await;
    // An edit elsewhere on the tagged contact is not a new adding.
    change(&s, &ada, &mut had, |c| c.family_name = "Parker".into()).await;
    next_round(&s);
    until_mail(&smtp, 2, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail["gets@example.com"], vec!["Welcome, gets".to_owned()]);
    assert!(!mail.contains_key("had@example.com"));

    // One of them reaches Closed (an exit stage) before step two; the other gets it.
    change(&s, &ada, &mut closes, |c| c.stage = Stage::Closed).await;
    advance(&s, Duration::days(2) + Duration::minutes(1));
    until_mail(&smtp, 3, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail["gets@example.com"].len(), 2);
    assert_eq!(
        mail["closes@example.com"].len(),
        1,
        "left on reaching Closed"
    );
    // Leaving is for good: back to an open stage, still nothing.
    change(&s, &ada, &mut closes, |c| c.stage = Stage::Lead).await;
    next_round(&s);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(smtp.received().len(), 3, "no step two after coming back");

    // Removing the tag and adding it again is a new occasion: the sequence starts again.
    change(&s, &ada, &mut gets, |c| {
        c.tags.remove("hot");
    })
    .await;
    next_round(&s);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    change(&s, &ada, &mut gets, |c| {
        c.tags.insert("hot".into());
    })
    .await;
    next_round(&s);
    until_mail(&smtp, 4, &s, ada.org, &campaign).await;
    assert_eq!(
        mail_by_recipient(&smtp)["gets@example.com"],
        vec![
            "Welcome, gets".to_owned(),
            "Two days on".to_owned(),
            "Welcome, gets".to_owned()
        ]
    );
    // Still running (a triggered sequence runs until it is stopped), with its figures.
    let agent_view = Agent {
        org: ada.org,
        user: ada.user,
        token: s.token(ada.org, ada.user),
    };
    let id = DocId::new(fieldstone_doc::campaign::KIND, campaign.id).expect("id");
    let seen = until_result(
        &s,
        &agent_view,
        &id,
        "both enrolled and the third sending counted",
        |c| c.result.enrolled == 2 && c.result.counts.iter().any(|k| k.sent == 3),
    )
    .await;
    assert_eq!(seen.status, CampaignStatus::Running);
    assert_eq!((seen.result.enrolled, seen.result.left), (2, 1));
    let first = seen
        .result
        .counts
        .iter()
        .find(|c| c.step == 0)
        .expect("step one");
    assert_eq!(first.sent, 3, "{:?}", seen.result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_lead_a_completed_showing_and_a_birthday_each_start_their_sequence_once() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    // Before launch: a Zillow lead who is not new.
    person(&s, &ada, "old", at() - Duration::days(3), |c| {
        c.source = LeadSource::Zillow;
    })
    .await;
    let new_leads = sequence(
        ada.user,
        "Zillow welcome",
        Trigger::NewLead {
            source: Some(LeadSource::Zillow),
        },
        vec![step(0, "Welcome from Zillow")],
    );
    let feedback = sequence(
        ada.user,
        "After the showing",
        Trigger::BookingCompleted,
        vec![step(0, "How was the showing?")],
    );
    let birthdays = sequence(
        ada.user,
        "Birthdays",
        Trigger::Birthday {
            field: "birthday".into(),
        },
        vec![step(0, "Happy birthday, {{ first_name }}")],
    );
    for c in [&new_leads, &feedback, &birthdays] {
        push_campaign(&s, &ada, c).await;
        until_seen_at_launch(&s, ada.org, c).await;
    }

    // After launch: a Zillow lead (welcomed), a referral (not).
    let later = at() + Duration::minutes(5);
    let zillow = person(&s, &ada, "zillow", later, |c| c.source = LeadSource::Zillow).await;
    person(&s, &ada, "referral", later, |c| {
        c.source = LeadSource::Referral
    })
    .await;
    next_round(&s);
    until_mail(&smtp, 1, &s, ada.org, &new_leads).await;
    assert_eq!(
        mail_by_recipient(&smtp)["zillow@example.com"],
        vec!["Welcome from Zillow".to_owned()]
    );

    // A showing with the Zillow lead is completed: feedback is asked once, however often
    // the server looks again.
    push_booking(&s, &ada, zillow.contact.id, BookingStatus::Completed).await;
    advance(&s, Duration::hours(1));
    until_mail(&smtp, 2, &s, ada.org, &feedback).await;
    next_round(&s);
    next_round(&s);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(
        mail_by_recipient(&smtp)["zillow@example.com"],
        vec![
            "Welcome from Zillow".to_owned(),
            "How was the showing?".to_owned()
        ]
    );

    // Someone born on tomorrow's date (in another year) gets a greeting tomorrow at nine in
    // their zone, once.
    let tomorrow =
        (fieldstone_model::clock::Clock::now(&*s.clock) + Duration::days(1)).date_naive();
    let born = tomorrow.with_year(1990).expect("a date in 1990");
    let mut bea = person(&s, &ada, "bea", later, |_| {}).await;
    change(&s, &ada, &mut bea, |c| {
        c.custom_fields
            .insert("birthday".into(), CustomValue::Date(born));
        c.time_zone = Some("UTC".into());
    })
    .await;
    next_round(&s);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert!(
        !mail_by_recipient(&smtp).contains_key("bea@example.com"),
        "not today"
    );
    let nine = tomorrow.and_hms_opt(9, 1, 0).expect("time").and_utc();
    s.clock.set(nine);
    until_mail(&smtp, 3, &s, ada.org, &birthdays).await;
    for _ in 0..3 {
        next_round(&s);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(
        mail_by_recipient(&smtp)["bea@example.com"],
        vec!["Happy birthday, bea".to_owned()]
    );
    assert_eq!(smtp.received().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_broadcast_goes_to_each_weeks_audience_with_each_sendings_figures() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let newsletter = |c: &mut ContactInput| {
        c.tags = vec!["newsletter".into()];
    };
    person(&s, &ada, "first", at(), newsletter).await;
    person(&s, &ada, "second", at(), newsletter).await;
    let input = CampaignInput {
        name: "Market update".into(),
        kind: CampaignKind::Broadcast,
        audience: Audience {
            tags: vec!["newsletter".into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![step(0, "This week's market")],
        schedule: Schedule {
            start: Start::Now,
            repeat: Repeat::Weekly,
        },
        ab: None,
        exit: ExitRules::default(),
    };
    let campaign = launched(input, ada.user);
    let id = push_campaign(&s, &ada, &campaign).await;
    until_mail(&smtp, 2, &s, ada.org, &campaign).await;

    // Someone joins the list during the week: they get the next sending, not the last.
    person(&s, &ada, "third", at(), newsletter).await;
    for _ in 0..4 {
        next_round(&s);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(smtp.received().len(), 2, "nothing more until next week");
    s.clock.set(at() + Duration::days(7) + Duration::seconds(1));
    until_mail(&smtp, 5, &s, ada.org, &campaign).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(mail["first@example.com"].len(), 2);
    assert_eq!(
        mail["third@example.com"],
        vec!["This week's market".to_owned()]
    );

    // Each sending is a row of the report; the campaign keeps running.
    let agent_view = Agent {
        org: ada.org,
        user: ada.user,
        token: s.token(ada.org, ada.user),
    };
    let seen = until_result(&s, &agent_view, &id, "each sending counted", |c| {
        c.result
            .counts
            .iter()
            .map(|k| (k.step, k.sent))
            .collect::<Vec<_>>()
            == vec![(0, 2), (1, 3)]
    })
    .await;
    let sent: Vec<(u16, u64)> = seen
        .result
        .counts
        .iter()
        .map(|c| (c.step, c.sent))
        .collect();
    assert_eq!(sent, vec![(0, 2), (1, 3)], "{:?}", seen.result);
    assert_eq!(seen.status, CampaignStatus::Running);

    // Three weeks later the earlier sendings keep their figures; the server missed two weeks
    // (it was down, say) and sends only the latest, not three at once.
    s.clock
        .set(at() + Duration::days(21) + Duration::seconds(1));
    until_mail(&smtp, 8, &s, ada.org, &campaign).await;
    let seen = until_result(&s, &agent_view, &id, "the fourth sending counted", |c| {
        c.result.counts.iter().any(|k| k.step == 3 && k.sent == 3)
    })
    .await;
    let sent: Vec<(u16, u64)> = seen
        .result
        .counts
        .iter()
        .map(|c| (c.step, c.sent))
        .collect();
    assert_eq!(sent, vec![(0, 2), (1, 3), (3, 3)], "{:?}", seen.result);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_control_group_gets_nothing_and_its_bookings_are_counted_against_the_campaign() {
    use fieldstone_model::campaign::ab::Confidence;
    use fieldstone_model::campaign::run::{self, StepPlan};
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let people = crate::campaigns::push_contacts(&s, &ada, 60, "control").await;
    let variation = |label: &str| Variation {
        label: label.into(),
        percent: 50,
        subject: format!("Subject {label}"),
        body: "Hi {{ first_name }}".into(),
    };
    let input = CampaignInput {
        name: "Measured".into(),
        kind: CampaignKind::Broadcast,
        audience: Audience {
            tags: vec!["control".into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![variation("A"), variation("B")],
        }],
        schedule: Schedule::default(),
        ab: Some(AbTest {
            metric: AbMetric::Booking,
            confidence: Confidence::default(),
            decide_after_hours: None,
            min_per_variation: 1_000,
            split: Split {
                control_percent: 30,
                winner_to_rest: false,
                test_percent: 0,
            },
        }),
        exit: ExitRules::default(),
    };
    let campaign = launched(input, ada.user);
    let control: Vec<ContactId> = people
        .iter()
        .copied()
        .filter(|p| run::plan_for(&campaign, 0, *p) == Some(StepPlan::Control))
        .collect();
    assert!(
        !control.is_empty() && control.len() < 40,
        "{}",
        control.len()
    );
    let id = push_campaign(&s, &ada, &campaign).await;
    until_mail(&smtp, 60 - control.len(), &s, ada.org, &campaign).await;

    // Two of the control group book a showing anyway; the figures say so.
    advance(&s, Duration::minutes(5));
    for p in &control[..2] {
        push_booking(&s, &ada, *p, BookingStatus::Scheduled).await;
    }
    let agent_view = Agent {
        org: ada.org,
        user: ada.user,
        token: s.token(ada.org, ada.user),
    };
    let seen = until_result(
        &s,
        &agent_view,
        &id,
        "the control group's bookings counted",
        |c| {
            c.result
                .counts
                .iter()
                .any(|k| k.variation == "control" && k.bookings == 2)
        },
    )
    .await;
    let control_row = seen
        .result
        .counts
        .iter()
        .find(|c| c.variation == "control")
        .expect("a control row");
    assert_eq!(
        (control_row.sent, control_row.bookings),
        (0, 2),
        "{:?}",
        seen.result
    );
    let sent: u64 = seen.result.counts.iter().map(|c| c.sent).sum();
    assert_eq!(sent, (60 - control.len()) as u64);
    assert_eq!(
        smtp.received().len(),
        60 - control.len(),
        "nothing to the control group"
    );
}

/// A listing pushed by `agent`'s device, made now.
async fn push_listing(
    s: &TestServer,
    agent: &Agent,
    line1: &str,
    price: u64,
    features: &[&str],
) -> Listing {
    let now = fieldstone_model::clock::Clock::now(&*s.clock);
    let input = ListingInput {
        address: Address {
            line1: line1.into(),
            line2: None,
            city: "London".into(),
            region: None,
            postal_code: Some("N1 2AB".into()),
            country: "GB".into(),
            latitude: None,
            longitude: None,
        },
        price,
        currency: "GBP".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: ListingStatus::Active,
        visibility: Visibility::Private,
        description: String::new(),
        features: features.iter().map(|f| (*f).to_owned()).collect(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    };
    let listing = Listing::create(
        ListingId::from_uuid(uuid::Uuid::new_v4()),
        input.validate().expect("valid"),
        agent.user,
        now,
    );
    let (doc, _) =
        fieldstone_doc::listing::create(automerge::ActorId::random(), &listing).expect("doc");
    let mut device = Device::new();
    device.doc = doc;
    let id = DocId::new(fieldstone_doc::listing::KIND, listing.id).expect("id");
    let answer = s.push(&agent.token, vec![device.unsent(&id)]).await;
    assert_eq!(answer.accepted, 1, "{answer:?}");
    listing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_listing_that_fits_a_buyer_starts_their_announcement_once_naming_the_listing() {
    let smtp = SmtpSink::start();
    let s = TestServer::start_with(campaign_config(&smtp)).await;
    s.clock.set(at());
    let ada = agent(&s);
    let wants = |c: &mut ContactInput| {
        c.preferences = Preferences {
            budget_max: Some(500_000),
            areas: vec!["London".into()],
            bedrooms_min: Some(3),
            must_haves: vec!["garden".into()],
            ..Preferences::default()
        };
    };
    person(&s, &ada, "fits", at(), wants).await;
    person(&s, &ada, "richer", at(), |c| {
        wants(c);
        c.preferences.budget_max = Some(300_000);
    })
    .await;
    person(&s, &ada, "nowish", at(), |_| {}).await;
    // On the market since the day before launch: not news.
    s.clock.set(at() - Duration::days(1));
    push_listing(&s, &ada, "1 Old Road", 450_000, &["garden"]).await;
    s.clock.set(at());
    let mut announce = step(0, "New for you: {{ property }} at {{ property_price }}");
    announce.variations[0].body = "Hi {{ first_name }}, {{ property }} just came up.".into();
    let campaign = sequence(
        ada.user,
        "New listings",
        Trigger::ListingMatch,
        vec![announce],
    );
    push_campaign(&s, &ada, &campaign).await;
    // A listing-match trigger is not stateful: its first round looks only at listings made
    // or changed since launch, so nothing is sent before the new one arrives.
    advance(&s, Duration::minutes(1));
    push_listing(&s, &ada, "12 Upper Street", 480_000, &["garden", "parking"]).await;
    // One that does not fit anyone (no garden, over every budget).
    push_listing(&s, &ada, "9 Grand Avenue", 900_000, &[]).await;
    next_round(&s);
    until_mail(&smtp, 1, &s, ada.org, &campaign).await;
    next_round(&s);
    next_round(&s);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let mail = mail_by_recipient(&smtp);
    assert_eq!(
        mail["fits@example.com"],
        vec!["New for you: 12 Upper Street, London, N1 2AB, GB at GBP 480,000".to_owned()],
        "once, about the new listing only: {mail:?}"
    );
    assert!(!mail.contains_key("richer@example.com"), "{mail:?}");
    assert!(!mail.contains_key("nowish@example.com"), "{mail:?}");
    let received = smtp.received();
    assert!(
        received
            .iter()
            .any(|m| m.contains("12 Upper Street, London, N1 2AB, GB just came up")),
        "{received:?}"
    );
}
