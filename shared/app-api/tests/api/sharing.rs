//! Sharing through the app API against a real server process: a contact made a moment ago (not
//! on the server yet) is sent first and offered to teammates only; another organisation's user
//! and a read-only teammate are refused in words; the owner's share stays; with no server, or
//! the server gone, the answer says so instead of hanging.

use crate::support::{open, person, t0, TestApp};
use fieldstone_model::{TeamId, UserId};
use fieldstone_protocol::commands::{CommandErrorCode, ShareContact, ShareWith, UnshareContact};
use fieldstone_tests::{Org, ServerProcess};
use std::path::Path;
use std::time::Duration;

async fn syncing(dir: &Path, url: &str, token: &str) -> TestApp {
    crate::support::syncing_at(dir, url, token, t0()).await
}

fn labels(shared: &fieldstone_protocol::commands::ShareTargets) -> Vec<(String, bool)> {
    shared
        .shares
        .iter()
        .map(|s| (s.label.clone(), s.owner))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_contact_is_shared_with_teammates_only_and_refusals_are_in_words() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let north = Org::create(&server_dir, "North");
    let sales = north.team("Sales");
    north.agent_in("ada@north.test", "Ada King", &sales);
    let bo: UserId = north
        .agent_in("bo@north.test", "Bo Diaz", &sales)
        .parse()
        .expect("id");
    north.user("vi@north.test", "viewer", Some(&sales));
    let cedar = Org::create(&server_dir, "Cedar");
    let zed: UserId = cedar
        .agent_in("zed@cedar.test", "Zed Outsider", &cedar.team("Cedar Sales"))
        .parse()
        .expect("id");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let ada = syncing(
        &tmp.path().join("ada"),
        &server.url,
        &north.device_token("ada@north.test", "laptop"),
    )
    .await;

    // Asked at once: the contact is still in the outbox, so it is sent first.
    let ivy = ada
        .api
        .create_contact(person("Ivy", "Stone", "ivy@example.com"))
        .await
        .expect("create");
    let targets = ada.api.share_targets(ivy.id).await.expect("targets");
    let people: Vec<&str> = targets.people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(people, ["Bo Diaz", "vi@north.test"]);
    assert_eq!(targets.teams.len(), 1);
    assert_eq!(targets.teams[0].name, "Sales");
    assert_eq!(labels(&targets), [("You".to_owned(), true)]);
    assert!(targets.has_teammates);

    // Another organisation's user is nobody Ada can share with.
    let error = ada
        .api
        .share_contact(ShareContact {
            contact: ivy.id,
            with: ShareWith::User(zed),
        })
        .await
        .expect_err("another organisation's user");
    assert_eq!(error.code, CommandErrorCode::NotFound);
    assert!(
        error
            .message
            .starts_with("You can only share with people on your teams"),
        "{}",
        error.message
    );

    // The whole team, once; again is no error.
    let team: TeamId = sales.parse().expect("team id");
    let share_team = ShareContact {
        contact: ivy.id,
        with: ShareWith::Team(team),
    };
    let shared = ada.api.share_contact(share_team).await.expect("share");
    assert_eq!(
        shared.message,
        "Shared with Everyone in Sales: it reaches them on their next sync."
    );
    assert_eq!(
        labels(&shared.targets),
        [
            ("You".to_owned(), true),
            ("Everyone in Sales".to_owned(), false)
        ]
    );
    assert!(shared.targets.teams.is_empty());
    let again = ada.api.share_contact(share_team).await.expect("again");
    assert_eq!(again.message, "Everyone in Sales already had this contact.");

    // The viewer on the team sees the contact but may not pass it on.
    let vi = syncing(
        &tmp.path().join("vi"),
        &server.url,
        &north.device_token("vi@north.test", "tablet"),
    )
    .await;
    crate::support::eventually("the viewer has Ivy", Duration::from_secs(30), || {
        vi.api
            .replica()
            .get_contact(&ivy.id)
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let error = vi
        .api
        .share_contact(ShareContact {
            contact: ivy.id,
            with: ShareWith::User(bo),
        })
        .await
        .expect_err("read only");
    assert_eq!(error.code, CommandErrorCode::Refused);
    assert_eq!(
        error.message,
        "You can see this contact but not share it: ask its owner to."
    );

    // The owner's share stays; the team's goes.
    let owner = shared.targets.shares[0].scope.clone();
    let error = ada
        .api
        .unshare_contact(UnshareContact {
            contact: ivy.id,
            scope: owner,
        })
        .await
        .expect_err("the owner's share");
    assert_eq!(error.code, CommandErrorCode::WrongState);
    let removed = ada
        .api
        .unshare_contact(UnshareContact {
            contact: ivy.id,
            scope: format!("team:{team}"),
        })
        .await
        .expect("unshare");
    assert_eq!(
        removed.message,
        "Everyone in Sales no longer has this contact."
    );
    assert_eq!(labels(&removed.targets), [("You".to_owned(), true)]);
    let error = ada
        .api
        .unshare_contact(UnshareContact {
            contact: ivy.id,
            scope: "nonsense".into(),
        })
        .await
        .expect_err("not a scope");
    assert!(error.field("scope").is_some());

    // The server gone: a sentence, not a hang.
    server.kill();
    let error = ada.api.share_targets(ivy.id).await.expect_err("offline");
    assert_eq!(error.code, CommandErrorCode::Offline);
    assert!(
        error
            .message
            .starts_with("Sharing needs a connection to your team's server"),
        "{}",
        error.message
    );

    // Not signed in anywhere: sign in first.
    let local = open(&tmp.path().join("local"), t0());
    let mine = local
        .api
        .create_contact(person("Jo", "Local", "jo@example.com"))
        .await
        .expect("create");
    let error = local
        .api
        .share_targets(mine.id)
        .await
        .expect_err("local only");
    assert_eq!(error.code, CommandErrorCode::WrongState);
    assert!(
        error.message.starts_with("Sign in to share"),
        "{}",
        error.message
    );
}
