//! Campaigns on the device: written offline as a draft with every problem named, the audience
//! counted by the rule the server sends by, a variation previewed on a real contact, a launch
//! refused for each reason (nobody in it, a time that passed, over the plan) and allowed once
//! they are gone, and the server's figures arriving by sync.

mod support;

use chrono_tz::Tz;
use fieldstone_model::campaign::audience::Audience;
use fieldstone_model::campaign::record::{Campaign, StepCounts};
use fieldstone_model::campaign::*;
use fieldstone_model::plan::{Meter, Plan};
use fieldstone_model::{ContactInput, Stage};
use fieldstone_protocol::{DocId, DocUpdate};
use fieldstone_replica::{PlanKnown, Replica, ReplicaError};
use std::collections::HashMap;
use support::remote::stored_bytes;
use support::{clock, open, person, user};

fn newsletter(tag: &str) -> CampaignInput {
    CampaignInput {
        name: "Spring market".into(),
        kind: CampaignKind::Broadcast,
        audience: Audience {
            tags: vec![tag.into()],
            ..Audience::default()
        },
        trigger: None,
        steps: vec![CampaignStep {
            channel: StepChannel::Email,
            wait_days: 0,
            variations: vec![Variation {
                label: String::new(),
                percent: 100,
                subject: "Spring, {{ first_name }}".into(),
                body: "Hi {{ first_name }}, prices in {{ area }} moved. {{ agent_name }}".into(),
            }],
        }],
        schedule: Schedule::default(),
        ab: None,
        exit: Default::default(),
    }
}

fn tagged(given: &str, tag: &str) -> ContactInput {
    ContactInput {
        tags: [tag.to_owned()].into_iter().collect(),
        ..person(given, "Park")
    }
}

fn unlimited() -> PlanKnown {
    PlanKnown {
        plan: None,
        used: HashMap::new(),
    }
}

fn setup() -> (tempfile::TempDir, Replica) {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = open(&dir.path().join("c.db"), &clock());
    (dir, r)
}

#[test]
fn a_draft_is_checked_whole_and_the_audience_counted_like_the_server() {
    let (_dir, r) = setup();
    let mut bad = newsletter("buyer");
    bad.name = " ".into();
    bad.steps[0].variations[0].body = "Hi {{ frist_name }}".into();
    match r.save_campaign(None, &bad, user()) {
        Err(ReplicaError::Validation(errors)) => {
            assert_eq!(errors.fields(), ["name", "steps.0.variations.0.body"]);
            assert!(errors
                .for_field("steps.0.variations.0.body")
                .is_some_and(|m| m.contains("frist_name")));
        }
        other => panic!("refused, not {other:?}"),
    }
    assert!(r.list_campaigns().expect("list").is_empty());

    for (name, tag) in [("Ada", "buyer"), ("Bea", "buyer"), ("Cy", "seller")] {
        r.create_contact(&tagged(name, tag), user())
            .expect("contact");
    }
    let gone = r
        .create_contact(&tagged("Dee", "buyer"), user())
        .expect("dee");
    r.soft_delete_contact(&gone.id).expect("delete");
    let size = r
        .campaign_audience(&newsletter("buyer").audience)
        .expect("size");
    assert_eq!(size.size, 2, "deleted contacts and other tags are out");
    assert_eq!(
        size.sample
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada Park", "Bea Park"]
    );
    let mut leads = Audience {
        stages: vec![Stage::Lead],
        ..Audience::default()
    };
    assert_eq!(r.campaign_audience(&leads).expect("size").size, 3);
    leads.stages = vec![Stage::Closed];
    assert_eq!(r.campaign_audience(&leads).expect("size").size, 0);

    let saved = r
        .save_campaign(None, &newsletter("buyer"), user())
        .expect("save");
    assert_eq!(saved.status, CampaignStatus::Draft);
    let listed = r.list_campaigns().expect("list");
    assert_eq!(
        (listed.len(), listed[0].name.as_str()),
        (1, "Spring market")
    );
    // Edited as a draft: the same campaign.
    let mut edited = newsletter("seller");
    edited.name = "Sellers".into();
    let again = r
        .save_campaign(Some(saved.id), &edited, user())
        .expect("edit");
    assert_eq!((again.id, again.spec.name.as_str()), (saved.id, "Sellers"));
}

#[test]
fn a_preview_fills_a_real_contacts_text_and_names_what_is_missing() {
    let (_dir, r) = setup();
    let ada = r
        .create_contact(&tagged("Ada", "buyer"), user())
        .expect("ada");
    let spec = newsletter("buyer");
    let v = &spec.steps[0].variations[0];
    let preview = r
        .preview_campaign(&spec.audience, &v.subject, &v.body, None, "Jo Agent")
        .expect("preview");
    assert_eq!(preview.contact.map(|c| c.id), Some(ada.id));
    assert_eq!(preview.subject, "Spring, Ada");
    assert_eq!(preview.body, "Hi Ada, prices in  moved. Jo Agent");
    assert_eq!(preview.missing, ["area"]);
    match r.preview_campaign(&spec.audience, "Hi {{ nmae }}", "x", None, "Jo") {
        Err(ReplicaError::Validation(errors)) => {
            assert!(errors
                .for_field("subject")
                .is_some_and(|m| m.contains("nmae")))
        }
        other => panic!("refused, not {other:?}"),
    }
}

#[test]
fn a_launch_is_refused_for_each_reason_then_allowed_and_paused() {
    let (_dir, r) = setup();
    let zone: Tz = "Europe/Paris".parse().expect("zone");
    let empty = r
        .save_campaign(None, &newsletter("nobody"), user())
        .expect("save");
    match r.set_campaign_status(
        &empty.id,
        CampaignStatus::Running,
        false,
        &unlimited(),
        zone,
    ) {
        Err(ReplicaError::Validation(errors)) => assert_eq!(errors.fields(), ["audience"]),
        other => panic!("refused, not {other:?}"),
    }
    for i in 0..30 {
        r.create_contact(&tagged(&format!("P{i}"), "buyer"), user())
            .expect("contact");
    }
    // A set time that passed: refused, unless the agent says to send it now.
    let mut late = newsletter("buyer");
    late.schedule.start = Start::At {
        local: support::t(-120).naive_utc(),
    };
    let late = r.save_campaign(None, &late, user()).expect("save");
    match r.set_campaign_status(&late.id, CampaignStatus::Running, false, &unlimited(), zone) {
        Err(ReplicaError::Validation(errors)) => assert_eq!(errors.fields(), ["schedule.start"]),
        other => panic!("refused, not {other:?}"),
    }
    let now = r
        .set_campaign_status(&late.id, CampaignStatus::Running, true, &unlimited(), zone)
        .expect("sent now");
    assert_eq!(now.spec.schedule.start, Start::Now);
    assert_eq!(now.status, CampaignStatus::Running);
    // Over the free plan's emails this month: says how far over.
    let near_cap = PlanKnown {
        plan: Some(Plan::Free),
        used: [(
            Meter::Emails,
            Plan::Free.allowance(Meter::Emails).expect("cap") - 10,
        )]
        .into_iter()
        .collect(),
    };
    let big = r
        .save_campaign(None, &newsletter("buyer"), user())
        .expect("save");
    match r.set_campaign_status(&big.id, CampaignStatus::Running, false, &near_cap, zone) {
        Err(ReplicaError::Validation(errors)) => {
            assert!(
                errors
                    .for_field("steps")
                    .is_some_and(|m| m.contains("(20 over)")),
                "{errors:?}"
            )
        }
        other => panic!("refused, not {other:?}"),
    }
    // Running campaigns pause and resume; content changes only while paused.
    let paused = r
        .set_campaign_status(&now.id, CampaignStatus::Paused, false, &unlimited(), zone)
        .expect("pause");
    assert_eq!(paused.status, CampaignStatus::Paused);
    let resumed = r
        .set_campaign_status(&now.id, CampaignStatus::Running, false, &unlimited(), zone)
        .expect("resume");
    assert_eq!(resumed.launched_at, now.launched_at, "launched once");
    assert!(matches!(
        r.save_campaign(Some(now.id), &newsletter("seller"), user()),
        Err(ReplicaError::Validation(_))
    ));
    let stopped = r
        .set_campaign_status(&now.id, CampaignStatus::Stopped, false, &unlimited(), zone)
        .expect("stop");
    assert!(matches!(
        r.set_campaign_status(&now.id, CampaignStatus::Running, false, &unlimited(), zone),
        Err(ReplicaError::Validation(_))
    ));
    assert_eq!(stopped.status, CampaignStatus::Stopped);
}

#[test]
fn the_servers_figures_arrive_by_sync_and_the_list_shows_them() {
    let (dir, r) = setup();
    let saved = r
        .save_campaign(None, &newsletter("buyer"), user())
        .expect("save");
    let doc_id = DocId::new(fieldstone_doc::campaign::KIND, saved.id).expect("id");
    let mut doc = fieldstone_doc::load(&stored_bytes(&dir.path().join("c.db"), &doc_id))
        .expect("load")
        .with_actor(automerge::ActorId::from(b"fieldstone-server".as_slice()));
    let mut c: Campaign = fieldstone_doc::campaign::read(&doc).expect("read");
    c.result.enrolled = 40;
    c.result.counts = vec![StepCounts {
        step: 0,
        variation: "A".into(),
        sent: 38,
        opened: 12,
        refused: 2,
        ..StepCounts::default()
    }];
    let change = fieldstone_doc::campaign::update(&mut doc, &c)
        .expect("update")
        .expect("change");
    r.apply_remote(
        &[DocUpdate {
            doc_id,
            snapshot: None,
            changes: vec![change.raw_bytes().to_vec()],
        }],
        None,
    )
    .expect("apply");
    let listed = r.list_campaigns().expect("list");
    assert_eq!(
        (
            listed[0].enrolled,
            listed[0].sent,
            listed[0].opened,
            listed[0].refused
        ),
        (40, 38, 12, 2)
    );
    assert_eq!(
        r.get_campaign(&saved.id)
            .expect("get")
            .expect("some")
            .result,
        c.result
    );
}

#[test]
fn an_audience_chosen_by_score_is_launched_as_the_contacts_it_holds() {
    let (_dir, r) = setup();
    let zone: Tz = "Europe/Paris".parse().expect("zone");
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            r.create_contact(&tagged(&format!("P{i}"), "buyer"), user())
                .expect("contact")
                .id,
        );
    }
    let mut by_score = newsletter("buyer");
    by_score.audience.tags.clear();
    by_score.audience.min_score = Some(0);
    let saved = r.save_campaign(None, &by_score, user()).expect("save");
    let launched = r
        .set_campaign_status(
            &saved.id,
            CampaignStatus::Running,
            false,
            &unlimited(),
            zone,
        )
        .expect("launch");
    ids.sort();
    assert_eq!(
        launched.spec.audience.contacts, ids,
        "the server sends to these"
    );
    assert_eq!(
        launched.spec.audience.min_score,
        Some(0),
        "the choice is kept"
    );
}

#[test]
fn a_pasted_list_matches_emails_phones_and_names_and_says_what_it_could_not() {
    use fieldstone_model::{EmailEntry, PhoneEntry};
    let (_dir, r) = setup();
    let ada = r
        .create_contact(
            &ContactInput {
                emails: vec![EmailEntry {
                    address: "ada@example.com".into(),
                    label: Default::default(),
                    primary: true,
                }],
                ..person("Ada", "King")
            },
            user(),
        )
        .expect("ada");
    let bo = r
        .create_contact(
            &ContactInput {
                phones: vec![PhoneEntry {
                    number: "+1 555 010 0222".into(),
                    label: Default::default(),
                    primary: true,
                }],
                ..person("Bo", "Lee")
            },
            user(),
        )
        .expect("bo");
    let cy = r
        .create_contact(&person("Cy", "Young"), user())
        .expect("cy");
    // Two contacts named Dee Park: a name that cannot say which.
    r.create_contact(&person("Dee", "Park"), user())
        .expect("dee");
    r.create_contact(&person("Dee", "Park"), user())
        .expect("dee 2");
    let gone = r
        .create_contact(&person("Eve", "Gone"), user())
        .expect("eve");
    r.soft_delete_contact(&gone.id).expect("delete");

    let pasted = r
        .match_pasted_list(
            "ADA@example.com\n(555) 010-0222\nCy Young\nDee Park\nEve Gone\nnobody@example.com\n\nada@example.com\n",
        )
        .expect("matched");
    assert_eq!(pasted.contacts, [ada.id, bo.id, cy.id]);
    assert_eq!(
        pasted.lines, 6,
        "the blank line and the repeat are not read"
    );
    assert_eq!(pasted.not_found, ["Eve Gone", "nobody@example.com"]);
    assert_eq!(pasted.ambiguous, ["Dee Park"]);
    assert_eq!((pasted.not_found_count, pasted.ambiguous_count), (2, 1));

    // The list is the audience on its own.
    let audience = Audience {
        contacts: pasted.contacts.clone(),
        ..Audience::default()
    };
    assert_eq!(r.campaign_audience(&audience).expect("size").size, 3);

    // Too long is refused with the limit named; nothing is matched.
    let huge = "x@example.com\n".repeat(200_000);
    match r.match_pasted_list(&huge) {
        Err(ReplicaError::Validation(errors)) => {
            assert!(errors.for_field("list").is_some_and(|m| m.contains("MB")));
        }
        other => panic!("refused, not {other:?}"),
    }
}
