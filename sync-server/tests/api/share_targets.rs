//! Who the app offers to share a contact with comes from `GET /v2/users` and `GET /v2/teams`:
//! an agent sees their teammates and their own teams only, an admin everyone, and nobody sees
//! another organisation's people. Run on every store.

use crate::support::*;
use fieldstone_protocol::account::Role;
use std::collections::BTreeSet;

on_both_stores! {
    an_agent_is_offered_their_teammates_and_an_admin_everyone(fieldstone_server::Config::default());
}

async fn an_agent_is_offered_their_teammates_and_an_admin_everyone(s: TestServer) {
    let org = s.org("Harbour");
    let downtown = s.team(org, "Downtown");
    let uptown = s.team(org, "Uptown");
    let ada = s.user(org, "ada@harbour.test", Role::Agent, Some(downtown));
    s.user(org, "cal@harbour.test", Role::Agent, Some(downtown));
    s.user(org, "uma@harbour.test", Role::Agent, Some(uptown));
    s.user(org, "nat@harbour.test", Role::Agent, None);
    let root = s.user(org, "root@harbour.test", Role::Admin, None);
    let other = s.org("Cedar");
    let cedar = s.team(other, "Cedar");
    s.user(other, "zed@cedar.test", Role::Agent, Some(cedar));

    let emails = |token: String| {
        let s = &s;
        async move {
            let (status, users) = s.json("GET", "/v2/users", Some(&token), None).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{users}");
            users
                .as_array()
                .expect("a list")
                .iter()
                .filter_map(|u| u["email"].as_str().map(str::to_owned))
                .collect::<BTreeSet<String>>()
        }
    };
    let teams = |token: String| {
        let s = &s;
        async move {
            let (status, teams) = s.json("GET", "/v2/teams", Some(&token), None).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{teams}");
            teams
                .as_array()
                .expect("a list")
                .iter()
                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                .collect::<BTreeSet<String>>()
        }
    };
    let set = |items: &[&str]| {
        items
            .iter()
            .map(|i| (*i).to_owned())
            .collect::<BTreeSet<_>>()
    };

    // Ada: herself and Cal (Downtown), not Uptown's Uma, not Nat on no team, not Cedar.
    let ada_token = s.token(org, ada);
    assert_eq!(
        emails(ada_token.clone()).await,
        set(&["ada@harbour.test", "cal@harbour.test"])
    );
    assert_eq!(teams(ada_token).await, set(&["Downtown"]));
    // An admin may share with anyone in the organisation, still not with Cedar.
    let root_token = s.token(org, root);
    let everyone = emails(root_token.clone()).await;
    assert_eq!(everyone.len(), 5, "{everyone:?}");
    assert!(!everyone.contains("zed@cedar.test"));
    assert_eq!(teams(root_token).await, set(&["Downtown", "Uptown"]));
}
