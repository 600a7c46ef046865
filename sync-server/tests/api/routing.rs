//! Lead routing on a real server (issue 15): the server decides once who a new lead goes to,
//! and the chosen agent's device is the one that receives it. Profiles and rules are set over
//! HTTP by brokers and admins, leads arrive through the intake API, and what happened is
//! checked where people see it: on the devices that pull, and in the routed-leads list.

use crate::support::*;
use fieldstone_model::*;
use fieldstone_protocol::account::Role;
use fieldstone_protocol::Scope;
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::support::on_both_stores! {
    best_agent_routing_picks_the_formulas_agent_and_only_their_device_pulls_the_lead(Default::default());
    agents_cannot_change_routing_rules_or_profiles(Default::default());
    bad_rule_and_profile_bodies_get_specific_errors_and_nothing_is_stored(Default::default());
    a_second_organisations_agents_are_never_chosen(Default::default());
    rules_apply_in_order_by_source_price_band_and_language(Default::default());
    a_routed_lead_is_news_on_the_chosen_agents_live_socket_only(Default::default());
    a_response_time_target_is_kept_without_turning_routing_on(Default::default());
}

pub(crate) struct Office {
    pub(crate) admin: String,
    pub(crate) broker: String,
    /// (id, token) of ann, bob and cat, agents of the broker's team.
    pub(crate) agents: Vec<(UserId, String)>,
    pub(crate) key: String,
}

pub(crate) async fn office(s: &TestServer, name: &str) -> Office {
    let org = s.org(name);
    let domain = name.to_lowercase();
    let team = s.team(org, "Sales");
    s.user(org, &format!("owner@{domain}.test"), Role::Owner, None);
    let admin = s.user(org, &format!("admin@{domain}.test"), Role::Admin, None);
    let broker = s.user(
        org,
        &format!("broker@{domain}.test"),
        Role::Broker,
        Some(team),
    );
    let agents = ["ann", "bob", "cat"]
        .iter()
        .map(|n| {
            let id = s.user(org, &format!("{n}@{domain}.test"), Role::Agent, Some(team));
            (id, s.token(org, id))
        })
        .collect();
    let admin = s.token(org, admin);
    let (status, made) = s
        .json(
            "POST",
            "/v2/org/intake-keys",
            Some(&admin),
            Some(json!({"label": "Website"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    Office {
        admin,
        broker: s.token(org, broker),
        agents,
        key: made["key"].as_str().expect("key").to_owned(),
    }
}

pub(crate) async fn put(
    s: &TestServer,
    token: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    s.json("PUT", path, Some(token), Some(body)).await
}

pub(crate) async fn profile(s: &TestServer, o: &Office, agent: usize, body: Value) {
    let path = format!("/v2/org/agents/{}/profile", o.agents[agent].0);
    let (status, answer) = put(s, &o.broker, &path, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

pub(crate) async fn rules(s: &TestServer, o: &Office, rules: Value) {
    let (status, answer) = put(s, &o.admin, "/v2/org/routing", json!({ "rules": rules })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Sends a lead asking about a property in `area` of `kind`; answers its contact's id.
pub(crate) async fn lead(
    s: &TestServer,
    o: &Office,
    n: u32,
    area: &str,
    kind: Option<&str>,
) -> ContactId {
    let body = json!({
        "event_id": format!("lead-{n}"), "source": "website",
        "person": {"first_name": format!("Lead {n}"), "emails": [format!("lead{n}@example.com")]},
        "property": {"address": format!("{n} High St"), "area": area, "type": kind, "price": 400000}
    });
    let (status, answer) = s
        .json("POST", "/v2/intake/leads", Some(&o.key), Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["contact"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no contact in {answer}"))
}

/// The contacts a device pulls from scratch, and the bodies of the notes it pulls.
pub(crate) async fn device(s: &TestServer, token: &str) -> (Vec<Contact>, Vec<String>) {
    let (docs, _) = s.pull_all(token, vec![]).await;
    let load =
        |d: &fieldstone_protocol::DocUpdate| fieldstone_doc::load(d.snapshot.as_deref()?).ok();
    let contacts = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::contact::KIND)
        .filter_map(|d| fieldstone_doc::contact::read(&load(d)?).ok())
        .collect();
    let notes = docs
        .iter()
        .filter(|d| d.doc_id.kind() == fieldstone_doc::note::KIND)
        .filter_map(|d| fieldstone_doc::note::read(&load(d)?).ok())
        .map(|n| n.body)
        .collect();
    (contacts, notes)
}

pub(crate) fn holds(contacts: &[Contact], id: ContactId) -> Option<&Contact> {
    contacts.iter().find(|c| c.id == id)
}

pub(crate) async fn routed(s: &TestServer, token: &str, contact: ContactId) -> Value {
    let (status, list) = s.json("GET", "/v2/leads/routing", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .and_then(|l| l.iter().find(|r| r["contact"] == contact.to_string()))
        .cloned()
        .unwrap_or_else(|| panic!("{contact} is not in {list}"))
}

async fn best_agent_routing_picks_the_formulas_agent_and_only_their_device_pulls_the_lead(
    s: TestServer,
) {
    let o = office(&s, "Harbour").await;
    profile(
        &s,
        &o,
        0,
        json!({"active": true, "max_open_leads": 20, "areas": ["Central"]}),
    )
    .await;
    profile(&s, &o, 1, json!({"active": true, "max_open_leads": 10, "areas": ["Central"], "property_types": ["condo"]})).await;
    // Cat would score best on everything, but is away.
    profile(&s, &o, 2, json!({"active": false, "max_open_leads": 50, "areas": ["Central", "North"], "property_types": ["condo", "house"]})).await;
    rules(
        &s,
        &o,
        json!([{"name": "best", "strategy": {"kind": "best_agent"}}]),
    )
    .await;
    // (area, type, who seed 001's formula picks, why)
    let table = [
        (
            "central",
            Some("condo"),
            1,
            "bob 20+15+10 = 45, ann 20+10 = 30",
        ),
        ("North", Some("house"), 0, "ann 10, bob 10×(1−1/10) = 9"),
        (
            "Central",
            None,
            0,
            "ann 20+10×(1−1/20) = 29.5, bob 20+9 = 29",
        ),
    ];
    let mut leads = Vec::new();
    for (n, (area, kind, winner, why)) in table.iter().enumerate() {
        let contact = lead(&s, &o, n as u32, area, *kind).await;
        let row = routed(&s, &o.broker, contact).await;
        assert_eq!(row["decision"], "agent", "{why}: {row}");
        assert_eq!(
            row["agent"],
            o.agents[*winner].0.to_string(),
            "{why}: {row}"
        );
        leads.push((contact, *winner));
    }
    let first = routed(&s, &o.broker, leads[0].0).await;
    let reason = first["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("best agent bob with 45: area match central +20, property type match Condo +15, workload 0/10 +10"),
        "{reason}"
    );
    // Each agent's device holds exactly their leads, assigned to them, with the reason.
    for (i, (_, token)) in o.agents.iter().enumerate() {
        let (contacts, notes) = device(&s, token).await;
        for (contact, winner) in &leads {
            let held = holds(&contacts, *contact);
            if *winner == i {
                let held = held.unwrap_or_else(|| panic!("agent {i} lacks {contact}"));
                assert_eq!(held.assigned_agent, Some(o.agents[i].0));
                assert_eq!(held.preferences.areas.len(), 1);
            } else {
                assert!(held.is_none(), "agent {i} holds another's lead {contact}");
            }
        }
        let mine = leads.iter().filter(|(_, w)| *w == i).count();
        assert_eq!(
            notes
                .iter()
                .filter(|n| n.starts_with("Lead routing: rule \"best\""))
                .count(),
            mine,
            "{notes:?}"
        );
    }
    // The broker reads the team's work: all three.
    let (contacts, _) = device(&s, &o.broker).await;
    assert!(leads.iter().all(|(c, _)| holds(&contacts, *c).is_some()));
    // The same event again changes nothing: still routed once.
    let again = json!({"event_id": "lead-0", "source": "website",
        "person": {"first_name": "Lead 0", "emails": ["lead0@example.com"]}});
    let (status, answer) = s
        .json("POST", "/v2/intake/leads", Some(&o.key), Some(again))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["contact"], leads[0].0.to_string());
    assert_eq!(
        routed(&s, &o.broker, leads[0].0).await["decided_at"],
        first["decided_at"]
    );
}

async fn agents_cannot_change_routing_rules_or_profiles(s: TestServer) {
    let o = office(&s, "Dock").await;
    let (ann, ann_token) = &o.agents[0];
    let own = format!("/v2/org/agents/{ann}/profile");
    let (status, _) = put(
        &s,
        ann_token,
        &own,
        json!({"active": true, "max_open_leads": 999}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put(&s, ann_token, "/v2/org/routing", json!({"rules": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    profile(&s, &o, 0, json!({"active": true, "max_open_leads": 3})).await;
    // She reads her own profile, not bob's.
    let (status, mine) = s.json("GET", &own, Some(ann_token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["profile"]["max_open_leads"], 3);
    let bobs = format!("/v2/org/agents/{}/profile", o.agents[1].0);
    let (status, _) = s.json("GET", &bobs, Some(ann_token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, theirs) = s.json("GET", &bobs, Some(&o.broker), None).await;
    assert_eq!((status, &theirs["profile"]), (StatusCode::OK, &Value::Null));
}

async fn bad_rule_and_profile_bodies_get_specific_errors_and_nothing_is_stored(s: TestServer) {
    let o = office(&s, "Mole").await;
    let good = json!([{"name": "best", "strategy": {"kind": "best_agent"}}]);
    rules(&s, &o, good.clone()).await;
    let other = s.org("Elsewhere");
    let stranger = s.user(other, "x@elsewhere.test", Role::Agent, None);
    let cases = [
        (
            json!({"rules": [{"name": "band", "when": {"price_min": 9, "price_max": 1}, "strategy": {"kind": "weighted"}}]}),
            "rules.0.when.price_max",
        ),
        (
            json!({"rules": [{"name": "a", "strategy": {"kind": "first_to_claim", "minutes": 0}}]}),
            "rules.0.strategy.minutes",
        ),
        (
            json!({"rules": [{"name": "a", "strategy": {"kind": "weighted"}}, {"name": "a", "strategy": {"kind": "weighted"}}]}),
            "rules.1.name",
        ),
        (
            json!({"rules": [{"name": "a", "agents": [stranger], "strategy": {"kind": "weighted"}}]}),
            "rules.0.agents.0",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = put(&s, &o.admin, "/v2/org/routing", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let fields: Vec<&str> = answer["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["field"].as_str())
            .collect();
        assert_eq!(fields, [field], "{answer}");
    }
    for body in [
        json!({"rules": [{"name": "a", "strategy": {"kind": "fastest"}}]}),
        json!({"rules": "all"}),
        json!({"rulez": []}),
    ] {
        let (status, answer) = put(&s, &o.admin, "/v2/org/routing", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    }
    let (_, stored) = s.json("GET", "/v2/org/routing", Some(&o.admin), None).await;
    assert_eq!(
        stored["rules"][0]["name"], "best",
        "the good rules stand: {stored}"
    );
    assert_eq!(stored["rules"].as_array().map(Vec::len), Some(1));
    let path = format!("/v2/org/agents/{}/profile", o.agents[0].0);
    let (status, answer) = put(
        &s,
        &o.broker,
        &path,
        json!({"active": true, "max_open_leads": 0, "areas": [" "]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["fields"][0]["field"], "max_open_leads", "{answer}");
    assert_eq!(answer["fields"][1]["field"], "areas.0", "{answer}");
    let (status, _) = put(
        &s,
        &o.broker,
        &path,
        json!({"active": true, "max_open_leads": 2, "boss": true}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, stored) = s.json("GET", &path, Some(&o.broker), None).await;
    assert_eq!(stored["profile"], Value::Null, "nothing stored: {stored}");
}

async fn a_second_organisations_agents_are_never_chosen(s: TestServer) {
    let a = office(&s, "Alpha").await;
    let b = office(&s, "Beta").await;
    // B's agent would win on every point; A's only agent is away.
    profile(&s, &b, 0, json!({"active": true, "max_open_leads": 50, "areas": ["Central"], "property_types": ["condo"]})).await;
    profile(&s, &a, 0, json!({"active": false, "max_open_leads": 5})).await;
    rules(
        &s,
        &a,
        json!([{"name": "best", "strategy": {"kind": "best_agent"}}]),
    )
    .await;
    let contact = lead(&s, &a, 1, "Central", Some("condo")).await;
    let row = routed(&s, &a.broker, contact).await;
    assert_eq!(row["decision"], "pond", "{row}");
    assert!(
        row["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("no active agent under capacity"),
        "{row}"
    );
    let (contacts, _) = device(&s, &b.agents[0].1).await;
    assert!(holds(&contacts, contact).is_none());
    // A's agent back from holiday gets the next one; B's still nothing.
    profile(&s, &a, 0, json!({"active": true, "max_open_leads": 5})).await;
    let next = lead(&s, &a, 2, "Central", Some("condo")).await;
    assert_eq!(
        routed(&s, &a.broker, next).await["agent"],
        a.agents[0].0.to_string()
    );
    let (contacts, _) = device(&s, &b.agents[0].1).await;
    assert!(contacts.is_empty(), "{contacts:?}");
    // B's agent claiming A's pond lead: not found.
    let path = format!("/v2/leads/{contact}/claim");
    let (status, _) = s.json("POST", &path, Some(&b.agents[0].1), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A's pond lead is claimable by A's agents.
    let (status, answer) = s.json("POST", &path, Some(&a.agents[1].1), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn rules_apply_in_order_by_source_price_band_and_language(s: TestServer) {
    let o = office(&s, "Rules").await;
    profile(&s, &o, 0, json!({"active": true, "max_open_leads": 9})).await;
    profile(
        &s,
        &o,
        1,
        json!({"active": true, "max_open_leads": 9, "languages": ["Spanish"]}),
    )
    .await;
    profile(&s, &o, 2, json!({"active": true, "max_open_leads": 9})).await;
    let (ann, cat) = (o.agents[0].0, o.agents[2].0);
    rules(&s, &o, json!([
        {"name": "zillow to cat", "when": {"sources": ["zillow"]}, "agents": [cat], "strategy": {"kind": "round_robin"}},
        {"name": "spanish", "when": {"languages": ["spanish"]}, "strategy": {"kind": "best_agent"}},
        {"name": "luxury to ann", "when": {"price_min": 1000000}, "agents": [ann], "strategy": {"kind": "best_agent"}},
        {"name": "the rest", "strategy": {"kind": "first_to_claim", "minutes": 30}}
    ])).await;
    // (source, language, price, rule, agent)
    let table = [
        (
            "zillow",
            Some("Spanish"),
            2_000_000,
            "zillow to cat",
            Some(2),
        ),
        ("website", Some("Spanish"), 2_000_000, "spanish", Some(1)),
        ("website", None, 2_000_000, "luxury to ann", Some(0)),
        ("website", None, 300_000, "the rest", None),
    ];
    for (n, (source, language, price, rule, agent)) in table.into_iter().enumerate() {
        let body = json!({"event_id": format!("r-{n}"), "source": source,
            "person": {"first_name": "Rule", "emails": [format!("r{n}@example.com")], "language": language},
            "property": {"price": price}});
        let (status, answer) = s
            .json("POST", "/v2/intake/leads", Some(&o.key), Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let contact: ContactId = answer["contact"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .expect("id");
        let row = routed(&s, &o.broker, contact).await;
        let reason = row["reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with(&format!("rule \"{rule}\"")), "{reason}");
        match agent {
            Some(i) => assert_eq!(row["agent"], o.agents[i].0.to_string(), "{row}"),
            None => assert_eq!(row["decision"], "offer", "{row}"),
        }
    }
}

/// The next scope `socket` hears news of.
async fn news(socket: &mut LiveSocket) -> String {
    use futures_util::StreamExt;
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("news arrives")
        .expect("open")
        .expect("message");
    let text = message.into_text().expect("text");
    match serde_json::from_str(&text).expect("json") {
        fieldstone_protocol::LiveMessage::News { scope, .. } => scope,
        other => panic!("{other:?}"),
    }
}

async fn a_routed_lead_is_news_on_the_chosen_agents_live_socket_only(s: TestServer) {
    let o = office(&s, "Live").await;
    profile(
        &s,
        &o,
        0,
        json!({"active": true, "max_open_leads": 9, "areas": ["West"]}),
    )
    .await;
    profile(
        &s,
        &o,
        1,
        json!({"active": true, "max_open_leads": 9, "areas": ["East"]}),
    )
    .await;
    rules(
        &s,
        &o,
        json!([{"name": "best", "strategy": {"kind": "best_agent"}}]),
    )
    .await;
    let mut ann = live(&s, &o.agents[0].1).await;
    let mut bob = live(&s, &o.agents[1].1).await;
    lead(&s, &o, 1, "East", None).await;
    let bobs = Scope::User(o.agents[1].0).to_string();
    assert_eq!(news(&mut bob).await, bobs);
    // Ann's first news is of her own lead: she was never told of bob's.
    lead(&s, &o, 2, "West", None).await;
    assert_eq!(news(&mut ann).await, Scope::User(o.agents[0].0).to_string());
}

async fn a_response_time_target_is_kept_without_turning_routing_on(s: TestServer) {
    let o = office(&s, "Target").await;
    let (status, answer) = put(
        &s,
        &o.broker,
        "/v2/org/routing",
        json!({"rules": [], "response_minutes": 0}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["fields"][0]["field"], "response_minutes", "{answer}");
    let (status, answer) = put(
        &s,
        &o.broker,
        "/v2/org/routing",
        json!({"rules": [], "response_minutes": 15}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // Every member reads it (their devices flag late leads with it).
    let (status, read) = s
        .json("GET", "/v2/org/routing", Some(&o.agents[0].1), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["response_minutes"], 15, "{read}");
    assert_eq!(read["rules"], json!([]));
    // Routing stays off: a lead is nobody's but the organisation's.
    let contact = lead(&s, &o, 1, "Central", None).await;
    let (_, list) = s
        .json("GET", "/v2/leads/routing", Some(&o.broker), None)
        .await;
    assert!(
        !list.to_string().contains(&contact.to_string()),
        "routed with no rules: {list}"
    );
}
