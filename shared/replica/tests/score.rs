//! The lead score on the device (issue 15): seed 001's rule score projected into the read model
//! (moves when an interaction is logged, decays when the day changes), and the learned score of
//! one agent from their own outcomes only.

mod support;

use fieldstone_model::score::{Band, Part, WhichScore};
use fieldstone_model::{Channel, ContactId, Direction, InteractionInput, Stage, UserId};
use fieldstone_protocol::commands::HOT_SCORE;
use fieldstone_replica::{ContactQuery, Replica, SortField};
use support::*;

fn agent(n: u8) -> UserId {
    format!("00000000-0000-4000-8000-0000000001{n:02}")
        .parse()
        .expect("agent id")
}

fn listed_score(r: &Replica, id: ContactId) -> u8 {
    r.list_contacts(&query())
        .expect("list")
        .items
        .into_iter()
        .find(|c| c.id == id)
        .expect("listed")
        .score
}

/// The lead's own words, inbound, over 50 characters.
fn inquiry(contact: ContactId, at: chrono::DateTime<chrono::Utc>) -> InteractionInput {
    InteractionInput {
        contact,
        listing: None,
        channel: Channel::Email,
        direction: Direction::Inbound,
        summary: "We are looking for a three-bedroom house near the park, ideally by spring."
            .into(),
        outcome: None,
        duration_seconds: None,
        occurred_at: at,
    }
}

#[test]
fn a_contacts_score_moves_when_an_interaction_is_logged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    // Full name, email, phone: 15. Budget: 10.
    let mut input = with_phone(person("Ada", "Lovelace"), "+44 20 7946 0958");
    input.preferences.budget_max = Some(600_000);
    let ada = r.create_contact(&input, user()).expect("ada");
    assert_eq!(listed_score(&r, ada.id), 25);

    clock.set(t(60));
    r.log_interaction(&inquiry(ada.id, t(55)), user())
        .expect("inquiry");
    // + first message over 50 characters 10, 1 interaction 5, last touch within 24 h 15.
    assert_eq!(listed_score(&r, ada.id), 55);
    let hot_only = r
        .list_contacts(&ContactQuery {
            min_score: Some(HOT_SCORE),
            ..query()
        })
        .expect("hot");
    assert!(
        hot_only.items.is_empty(),
        "55 is warm, not hot (hot from 80)"
    );

    let score = r
        .contact_score(&ada.id, &user())
        .expect("score")
        .expect("ada has a row");
    assert_eq!(score.rule.points, 55);
    assert_eq!(score.rule.band, Band::Warm);
    let lines: Vec<(Part, &str, u8)> = score
        .rule
        .lines
        .iter()
        .map(|l| (l.part, l.label.as_str(), l.points))
        .collect();
    assert_eq!(
        lines,
        [
            (Part::Completeness, "Phone on file", 5),
            (Part::Completeness, "Email on file", 5),
            (Part::Completeness, "Full name known", 5),
            (Part::Engagement, "First message over 50 characters", 10),
            (Part::Engagement, "Budget given", 10),
            (Part::History, "1 interaction logged", 5),
            (Part::Recency, "Last touch within 24 h", 15),
        ]
    );
    assert_eq!(score.which, WhichScore::Rule);
    assert_eq!(
        score.which_sentence(),
        "Rule score — 0 of 10 closed or lost leads needed for your own model"
    );

    // A showing at a listing is a property of interest (+2), a second interaction (+5).
    let home = r
        .create_listing(&listing("1 Elm St", "London", 550_000), user())
        .expect("listing");
    let mut booking = showing(vec![ada.id], t(24 * 60), 30);
    booking.listing = Some(home.id);
    r.create_booking(&booking, user()).expect("showing");
    assert_eq!(listed_score(&r, ada.id), 57);
    let call = r
        .log_interaction(&call(ada.id, t(70), "Called back"), user())
        .expect("call");
    assert_eq!(listed_score(&r, ada.id), 62);
    r.soft_delete_interaction(&call.id).expect("delete call");
    assert_eq!(
        listed_score(&r, ada.id),
        57,
        "a deleted interaction stops counting"
    );
}

#[test]
fn recency_decays_when_the_day_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let path = dir.path().join("r.db");
    let r = open(&path, &clock);
    let bo = r
        .create_contact(&person("Bo", "Diddley"), user())
        .expect("bo");
    r.log_interaction(&call(bo.id, t(0), "Intro call"), user())
        .expect("call");
    // Full name 5 + email 5 + 1 interaction 5 + within 24 h 15.
    assert_eq!(listed_score(&r, bo.id), 30);

    // Two days on: the first list of the new day rescores everyone (within 3 days: 10).
    clock.set(t(2 * 24 * 60));
    assert_eq!(listed_score(&r, bo.id), 25);
    // Eight days on, and the engine opened again: no recency points at all.
    drop(r);
    clock.set(t(8 * 24 * 60));
    let r = open(&path, &clock);
    let page = r
        .list_contacts(&ContactQuery {
            sort: fieldstone_replica::ContactSort {
                field: SortField::Score,
                descending: true,
            },
            ..query()
        })
        .expect("by score");
    assert_eq!(page.items[0].score, 15);
    let report = r.rescore_all().expect("rescore");
    assert_eq!(
        (report.contacts, report.changed),
        (1, 0),
        "nothing left to decay"
    );
}

/// A closed or lost contact of `owner`'s with `meetings` meetings logged.
fn outcome(r: &Replica, owner: UserId, n: usize, meetings: usize, won: bool) -> ContactId {
    let c = r
        .create_contact(&person(&format!("Lead{n}"), "Outcome"), owner)
        .expect("contact");
    for m in 0..meetings {
        let mut meeting = call(c.id, t(-(m as i64) * 60), "Showing");
        meeting.channel = Channel::Meeting;
        r.log_interaction(&meeting, owner).expect("meeting");
    }
    let stage = if won { Stage::Closed } else { Stage::Lost };
    r.set_contact_stage(&c.id, stage, owner).expect("stage");
    c.id
}

#[test]
fn an_agent_with_twelve_outcomes_gets_a_model_of_their_own_leads_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    let (me, mate, newcomer) = (agent(1), agent(2), agent(3));
    // Mine: won with many showings, lost with none.
    for n in 0..12 {
        let won = n % 2 == 0;
        outcome(&r, me, n, if won { 3 + n % 3 } else { n % 2 }, won);
    }
    // A teammate with the opposite pattern, and more of it: if their leads leaked into my fit,
    // showings would stop being my strongest positive signal.
    for n in 0..30 {
        let won = n % 2 == 0;
        outcome(&r, mate, 100 + n, if won { 0 } else { 4 }, won);
    }
    // A newcomer with four outcomes, and a contact of mine still open.
    for n in 0..4 {
        outcome(&r, newcomer, 200 + n, 1, n % 2 == 0);
    }
    let open_lead = r
        .create_contact(&person("Open", "Lead"), me)
        .expect("open lead");
    for m in 0..4 {
        let mut meeting = call(open_lead.id, t(m), "Showing");
        meeting.channel = Channel::Meeting;
        r.log_interaction(&meeting, me).expect("meeting");
    }

    let mine = r
        .contact_score(&open_lead.id, &me)
        .expect("score")
        .expect("row");
    assert_eq!(mine.which, WhichScore::Learned { outcomes: 12 });
    assert_eq!((mine.won, mine.lost), (6, 6));
    assert_eq!(mine.which_sentence(), "Your model, from 12 outcomes");
    let learned = mine.learned.as_ref().expect("a learned score");
    assert!(
        learned.probability > 0.5,
        "four showings look like my wins: {}",
        learned.probability
    );
    let top = &learned.factors[0];
    assert_eq!(top.feature, "showings");
    assert!(top.weight > 0.0);
    assert!(
        top.sentence
            .starts_with("For you, showings are the strongest signal"),
        "{}",
        top.sentence
    );

    // The teammate's own model reads showings the other way.
    let theirs = r
        .contact_score(&open_lead.id, &mate)
        .expect("score")
        .expect("row");
    assert_eq!(theirs.which, WhichScore::Learned { outcomes: 30 });
    let factors = &theirs.learned.as_ref().expect("their model").factors;
    let showings = factors
        .iter()
        .find(|f| f.feature == "showings")
        .expect("showings among their top factors");
    assert!(showings.weight < 0.0);

    // Four outcomes: the rule score, and the sentence says how far they are.
    let newcomers = r
        .contact_score(&open_lead.id, &newcomer)
        .expect("score")
        .expect("row");
    assert_eq!(newcomers.which, WhichScore::Rule);
    assert!(newcomers.learned.is_none());
    assert_eq!(
        newcomers.which_sentence(),
        "Rule score — 4 of 10 closed or lost leads needed for your own model"
    );

    // An outcome moving back to an open stage is refitted without it.
    let reopened = outcome(&r, me, 50, 0, false);
    assert_eq!(
        r.contact_score(&open_lead.id, &me)
            .expect("score")
            .expect("row")
            .which,
        WhichScore::Learned { outcomes: 13 }
    );
    r.set_contact_stage(&reopened, Stage::Qualified, me)
        .expect("reopen");
    assert_eq!(
        r.contact_score(&open_lead.id, &me)
            .expect("score")
            .expect("row")
            .which,
        WhichScore::Learned { outcomes: 12 }
    );
}

#[test]
fn the_score_reads_the_clock_not_the_last_rescore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let r = open(&dir.path().join("r.db"), &clock);
    let cy = r
        .create_contact(&person("Cy", "Twombly"), user())
        .expect("cy");
    r.log_interaction(&call(cy.id, t(0), "Intro"), user())
        .expect("call");
    clock.set(t(4 * 24 * 60));
    let score = r
        .contact_score(&cy.id, &user())
        .expect("score")
        .expect("row");
    let recency: Vec<&str> = score
        .rule
        .lines
        .iter()
        .filter(|l| l.part == Part::Recency)
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(recency, ["Last touch within 7 days"]);
}

#[test]
fn a_version_10_store_gets_the_rule_score_on_upgrade() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = clock();
    let db = dir.path().join("r.db");
    let r = open(&db, &clock);
    let mut input = with_phone(person("Di", "Prima"), "+1 555 0100 333");
    input.preferences.areas = vec!["Harbour".into()];
    let di = r.create_contact(&input, user()).expect("di");
    r.log_interaction(&inquiry(di.id, t(0)), user())
        .expect("inquiry");
    let before = listed_score(&r, di.id);
    // 15 (name, email, phone) + 5 (areas) + 10 (long message) + 5 + 15.
    assert_eq!(before, 50);
    drop(r);
    {
        // As the build with the home-made score left it: no score facts, another score.
        let conn = rusqlite::Connection::open(&db).expect("raw");
        conn.execute_batch(
            "DROP TABLE agent_score_models; ALTER TABLE contacts DROP COLUMN score_facts;
             UPDATE contacts SET score = 7; DELETE FROM meta WHERE key = 'score_at';
             DROP TABLE campaigns; PRAGMA user_version = 10;",
        )
        .expect("downgrade");
    }
    let r = open(&db, &clock);
    assert_eq!(listed_score(&r, di.id), before);
}
