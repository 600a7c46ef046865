//! An open house in a basement (issue 15): an agent's laptop runs sign-in mode with no server,
//! twenty sign-ins are written on it, and when the server is back the visitors sync, are
//! deduped against the whole organisation (clients of another agent the laptop never held)
//! and routed by the office's rules to the agents whose devices then hold them. Real server
//! process, real SQLite files on four devices, the token in a private gnome-keyring
//! (`support::in_child`).

use crate::support::{in_child, open, sign_in, syncing_at, t0, Session, TestApp};
use chrono::Duration as Days;
use fieldstone_model::sign_in::SignIn;
use fieldstone_model::{ContactId, ContactInput, LeadSource, PhoneEntry, UserId};
use fieldstone_protocol::commands::{EndKiosk, StartKiosk, TimelineRequest};
use fieldstone_protocol::views::{ContactQuery, ContactSummary, TimelineEntry};
use fieldstone_tests::{free_port, Org, ServerProcess};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

async fn contacts(app: &TestApp) -> Vec<ContactSummary> {
    let query = ContactQuery {
        limit: 200,
        ..ContactQuery::default()
    };
    app.api.list_contacts(query).await.expect("list").items
}

/// Polls `app`'s contacts until `check` holds; panics with `what` and the last list otherwise.
async fn until(app: &TestApp, what: &str, check: impl Fn(&[ContactSummary]) -> bool) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = contacts(app).await;
        if check(&now) {
            return;
        }
        let names: Vec<String> = now.iter().map(|c| c.display_name.clone()).collect();
        assert!(
            Instant::now() < deadline,
            "timed out waiting: {what}; holds {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn http(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.expect("request");
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

fn visitor(n: usize) -> SignIn {
    SignIn {
        given_name: "Visitor".into(),
        family_name: format!("No{n:02}"),
        email: format!("visitor{n}@example.com"),
        phone: if n == 2 {
            "(555) 010-0102".into()
        } else {
            String::new()
        },
        consent: n.is_multiple_of(2),
        note: String::new(),
    }
}

async fn visits(app: &TestApp, contact: ContactId) -> Vec<String> {
    let page = app
        .api
        .timeline(TimelineRequest {
            contact,
            limit: 50,
            after: None,
        })
        .await
        .expect("timeline");
    page.entries
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Interaction(i) if i.deleted_at.is_none() => Some(i.summary),
            _ => None,
        })
        .filter(|s| s.starts_with("Signed in at the open house at 12 Elm Street"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_open_house_of_20_sign_ins_syncs_dedupes_and_routes_after_reconnect() {
    if !in_child(
        "open_house::an_offline_open_house_of_20_sign_ins_syncs_dedupes_and_routes_after_reconnect",
        Session::Keyring,
    ) {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let harbour = Org::create(&server_dir, "Harbour");
    let sales = harbour.team("Sales");
    harbour.agent_in("ann@harbour.test", "Ann Lee", &sales);
    let bob: UserId = harbour
        .agent_in("bob@harbour.test", "Bob Diaz", &sales)
        .parse()
        .expect("id");
    let cat: UserId = harbour
        .agent_in("cat@harbour.test", "Cat Moss", &sales)
        .parse()
        .expect("id");
    let listen = format!("127.0.0.1:{}", free_port());
    let server = ServerProcess::start(&server_dir, &listen);
    let url = server.url.clone();

    // The office's rule: open-house visitors go round robin to Bob and Cat.
    let owner = harbour.token("owner@harbour.test");
    for agent in [bob, cat] {
        let path = format!("{url}/v2/org/agents/{agent}/profile");
        let profile = json!({"active": true, "max_open_leads": 50});
        http(reqwest::Method::PUT, &path, &owner, Some(profile)).await;
    }
    let rules = json!({"rules": [{"name": "open houses", "when": {"sources": ["open_house"]},
        "agents": [bob, cat], "strategy": {"kind": "round_robin"}}]});
    http(
        reqwest::Method::PUT,
        &format!("{url}/v2/org/routing"),
        &owner,
        Some(rules),
    )
    .await;

    // Bob's clients since yesterday, which Ann's laptop never holds: one has visitor 1's email
    // (another case), the other visitor 2's phone number (another format).
    let bob_app = syncing_at(
        &tmp.path().join("bob"),
        &url,
        &harbour.device_token("bob@harbour.test", "bob's phone"),
        t0() - Days::days(1),
    )
    .await;
    let mut vera = crate::support::person("Vera", "Known", "VISITOR1@example.com");
    vera.source = LeadSource::Referral;
    let vera = bob_app.api.create_contact(vera).await.expect("vera");
    let walt = ContactInput {
        given_name: "Walt".into(),
        family_name: "Known".into(),
        phones: vec![PhoneEntry {
            number: "+1 555 010 0102".into(),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    };
    let walt = bob_app.api.create_contact(walt).await.expect("walt");
    let cat_app = syncing_at(
        &tmp.path().join("cat"),
        &url,
        &harbour.device_token("cat@harbour.test", "cat's laptop"),
        t0(),
    )
    .await;
    // What the server holds, as the owner's fresh device reads it.
    let office = syncing_at(
        &tmp.path().join("owner"),
        &url,
        &harbour.device_token("owner@harbour.test", "office"),
        t0(),
    )
    .await;
    until(&office, "the server has Bob's clients", |c| {
        c.iter().any(|c| c.id == vera.id) && c.iter().any(|c| c.id == walt.id)
    })
    .await;

    // Ann signs in on her laptop and adds the listing while she has a connection.
    let ann = open(&tmp.path().join("ann"), t0());
    ann.api
        .sign_in(sign_in(&url, "ann@harbour.test"))
        .await
        .expect("sign in");
    let elm = ann
        .api
        .create_listing(fieldstone_tests::elm_street())
        .await
        .expect("listing");
    let deadline = Instant::now() + WAIT;
    while office.api.get_listing(elm.id).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the listing never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The basement: no server at all while the visitors sign in.
    server.kill();
    ann.api
        .start_kiosk(StartKiosk {
            listing: elm.id,
            pin: "2468".into(),
        })
        .await
        .expect("kiosk");
    let mut signed = Vec::new();
    for n in 0..19 {
        let s = ann.api.kiosk_sign_in(visitor(n)).await.expect("sign-in");
        assert!(!s.returning, "visitor {n} is new on this laptop");
        signed.push(s.contact);
    }
    // Visitor 0 comes back to the form later: the laptop knows them.
    let mut again = visitor(0);
    again.email = "Visitor0@Example.COM".into();
    let back = ann.api.kiosk_sign_in(again).await.expect("again");
    assert!(back.returning && back.contact == signed[0]);
    assert_eq!(back.visitors, 20);
    ann.api
        .end_kiosk(EndKiosk { pin: "2468".into() })
        .await
        .expect("end");
    let offline = contacts(&ann).await;
    let held: Vec<&ContactSummary> = offline
        .iter()
        .filter(|c| c.source == LeadSource::OpenHouse)
        .collect();
    assert_eq!(held.len(), 19, "nineteen people, one of them twice");
    assert!(held.iter().all(|c| c.assigned_agent.is_none()));

    // Back online: the same server, same address.
    let server = ServerProcess::start(&server_dir, &listen);
    let merged: BTreeSet<ContactId> = [signed[1], signed[2]].into();
    let routed: BTreeSet<ContactId> = signed
        .iter()
        .copied()
        .filter(|c| !merged.contains(c))
        .collect();
    until(&ann, "Ann's visitors are routed and deduped", |c| {
        let live: BTreeSet<ContactId> = c
            .iter()
            .filter(|c| c.source == LeadSource::OpenHouse)
            .map(|c| c.id)
            .collect();
        live == routed
            && c.iter()
                .filter(|c| routed.contains(&c.id))
                .all(|c| c.assigned_agent.is_some_and(|a| a == bob || a == cat))
    })
    .await;

    // The server decided once per lead, by the rule, and says why.
    let rows = http(
        reqwest::Method::GET,
        &format!("{}/v2/leads/routing", server.url),
        &owner,
        None,
    )
    .await;
    let rows = rows.as_array().cloned().unwrap_or_default();
    let decided: Vec<&Value> = rows
        .iter()
        .filter(|r| {
            r["contact"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .is_some_and(|c: ContactId| routed.contains(&c))
        })
        .collect();
    assert_eq!(decided.len(), routed.len(), "{rows:?}");
    assert!(decided
        .iter()
        .all(|r| r["decision"] == "agent"
            && r["reason"].as_str().unwrap_or("").contains("open houses")));
    assert!(
        !rows
            .iter()
            .any(|r| merged.iter().any(|m| r["contact"] == m.to_string())),
        "a duplicate was routed: {rows:?}"
    );

    // Each agent's device holds their own routed visitors (and not the other's), with every
    // visit: visitor 0's two sign-ins both moved with them.
    let to = |agent: UserId| -> BTreeSet<ContactId> {
        decided
            .iter()
            .filter(|r| r["agent"] == agent.to_string())
            .filter_map(|r| r["contact"].as_str()?.parse().ok())
            .collect()
    };
    let (bobs, cats) = (to(bob), to(cat));
    assert_eq!(bobs.len() + cats.len(), routed.len());
    assert!(
        bobs.len().abs_diff(cats.len()) <= 1,
        "round robin: {bobs:?} {cats:?}"
    );
    for (app, mine, theirs, who) in [
        (&bob_app, &bobs, &cats, "Bob"),
        (&cat_app, &cats, &bobs, "Cat"),
    ] {
        until(app, &format!("{who} holds his visitors"), |c| {
            let held: BTreeSet<ContactId> = c.iter().map(|c| c.id).collect();
            mine.is_subset(&held) && held.is_disjoint(theirs)
        })
        .await;
    }
    let first = if bobs.contains(&signed[0]) {
        &bob_app
    } else {
        &cat_app
    };
    let deadline = Instant::now() + WAIT;
    while visits(first, signed[0]).await.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "visitor 0's second visit never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The two Bob already knew were not created twice: the visit is on his client's timeline,
    // and he was not given the visitor again.
    for (known, who) in [(vera.id, "visitor 1"), (walt.id, "visitor 2")] {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = visits(&bob_app, known).await;
            if found.len() == 1 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{who}'s visit never reached Bob: {found:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let bob_holds = contacts(&bob_app).await;
    assert!(bob_holds.iter().all(|c| !merged.contains(&c.id)));
    // Ann keeps the visitors she met, now assigned to the agents; she never gains Bob's clients.
    let ann_holds = contacts(&ann).await;
    assert!(!ann_holds.iter().any(|c| c.id == vera.id || c.id == walt.id));
    drop(server);
}
