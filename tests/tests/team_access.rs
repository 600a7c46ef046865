//! Access control seen from real devices: one team with agents Ada and Cal and broker Bea, a real
//! server process, and replicas in temp dirs. Leaving a team stops its documents at once (and
//! removes them from the device); an edit a role may not make comes back as the server's
//! version with a notice; a revoked device wipes itself; live news reaches a teammate without
//! waiting for a poll.

use fieldstone_model::{ContactId, ContactInput, Stage, TeamId, UserId};
use fieldstone_protocol::commands::SyncState;
use fieldstone_protocol::{DocId, PullRequest, Scope, MAX_PULL_DOCS};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{
    contact_doc_id, ContactQuery, Replica, SyncClient, SyncDetail, SyncError, SyncHandle,
    SyncOptions,
};
use fieldstone_tests::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADA: &str = "ada@harbour.test";
const BEA: &str = "bea@harbour.test";
const CAL: &str = "cal@harbour.test";
const LIMIT: Duration = Duration::from_secs(20);

struct Office {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    server: ServerProcess,
    org: Org,
    team: TeamId,
    ada: UserId,
    bea: UserId,
    cal: UserId,
}

/// One device: its replica, its session token and a client.
struct Device {
    replica: Arc<Replica>,
    token: String,
    client: SyncClient,
}

fn office() -> Office {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_owned();
    let server_dir = root.join("server");
    let org = Org::create(&server_dir, "Harbour");
    let team = org.team("North");
    let user =
        |email, role| -> UserId { org.user(email, role, Some(&team)).parse().expect("user id") };
    let (ada, bea, cal) = (user(ADA, "agent"), user(BEA, "broker"), user(CAL, "agent"));
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    Office {
        _tmp: tmp,
        root,
        server,
        team: team.parse().expect("team id"),
        org,
        ada,
        bea,
        cal,
    }
}

impl Office {
    fn device(&self, email: &str, name: &str) -> Device {
        let token = self.org.device_token(email, name);
        Device {
            replica: open_replica(&self.root.join(name)),
            client: SyncClient::new(&self.server.url, &token).expect("client"),
            token,
        }
    }

    /// `POST /v2/docs/{doc}/shares` with the team, as the device's user.
    async fn share_with_team(&self, device: &Device, doc: &DocId) {
        let response = reqwest::Client::new()
            .post(format!("{}/v2/docs/{doc}/shares", self.server.url))
            .bearer_auth(&device.token)
            .json(&serde_json::json!({ "team_id": self.team }))
            .send()
            .await
            .expect("share");
        assert!(
            response.status().is_success(),
            "sharing {doc}: {}",
            response.status()
        );
    }
}

impl Device {
    async fn sync(&self) -> fieldstone_replica::SyncReport {
        sync_once(&self.replica, &self.client).await.expect("sync")
    }

    fn create(&self, name: &str, by: UserId) -> ContactId {
        let input = ContactInput {
            given_name: name.into(),
            family_name: "Harbour".into(),
            ..ContactInput::default()
        };
        self.replica.create_contact(&input, by).expect("create").id
    }

    fn contacts(&self) -> u64 {
        self.replica
            .count_contacts(&ContactQuery::default())
            .expect("count")
    }
}

fn doc(id: &ContactId) -> DocId {
    contact_doc_id(id).expect("doc id")
}

/// How Cal leaves the team.
#[derive(Debug, Clone, Copy)]
enum Removal {
    /// `fieldstone-server admin remove-member` on the server's data dir, server running.
    AdminCommand,
    /// `DELETE /v2/teams/{team}/members/{user}` by the organisation's owner.
    Http,
}

async fn remove_cal(o: &Office, cal: &Device, how: Removal) {
    match how {
        Removal::AdminCommand => {
            admin(
                &o.server.data_dir,
                &[
                    "remove-member",
                    "--org",
                    &o.org.id,
                    "--team",
                    "North",
                    "--email",
                    CAL,
                ],
            );
            // The command runs in another process: the server hears of it through the store's
            // announcements, within a poll interval.
            let team = Scope::Team(o.team);
            let mut heard = false;
            for _ in 0..200 {
                let page = cal
                    .client
                    .pull(&PullRequest {
                        cursors: Vec::new(),
                        max_docs: 1,
                    })
                    .await
                    .expect("probe pull");
                if !page.cursors.iter().any(|c| c.scope == team) {
                    heard = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            assert!(heard, "the server never heard of the admin command");
        }
        Removal::Http => {
            let token = o.org.device_token("owner@harbour.test", "owner-laptop");
            let response = reqwest::Client::new()
                .delete(format!(
                    "{}/v2/teams/{}/members/{}",
                    o.server.url, o.team, o.cal
                ))
                .bearer_auth(token)
                .send()
                .await
                .expect("remove member");
            assert!(response.status().is_success(), "{}", response.status());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_from_a_team_by_the_admin_command_receives_none_of_its_documents() {
    removed_from_a_team(Removal::AdminCommand).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_from_a_team_through_the_api_receives_none_of_its_documents() {
    removed_from_a_team(Removal::Http).await;
}

async fn removed_from_a_team(how: Removal) {
    let o = office();
    let ada = o.device(ADA, "ada-laptop");
    let cal = o.device(CAL, "cal-laptop");
    let before: Vec<ContactId> = (0..5)
        .map(|n| ada.create(&format!("Team {n}"), o.ada))
        .collect();
    ada.sync().await;
    for id in &before {
        o.share_with_team(&ada, &doc(id)).await;
    }
    let report = cal.sync().await;
    assert_eq!(report.pulled, 5, "Cal receives the team's documents");
    assert_eq!(cal.contacts(), 5);

    remove_cal(&o, &cal, how).await;
    for id in &before {
        ada.replica
            .set_contact_stage(id, Stage::Showing, o.ada)
            .expect("edit");
    }
    let after: Vec<ContactId> = (0..3)
        .map(|n| ada.create(&format!("Later {n}"), o.ada))
        .collect();
    ada.sync().await;
    for id in &after {
        o.share_with_team(&ada, &doc(id)).await;
    }
    let team_docs: BTreeSet<DocId> = before.iter().chain(&after).map(doc).collect();

    // What the server would send Cal from his cursors: nothing of the team.
    let cursors = cal.replica.scope_cursors().expect("cursors");
    assert!(cursors.iter().any(|c| c.scope == Scope::Team(o.team)));
    let page = cal
        .client
        .pull(&PullRequest {
            cursors,
            max_docs: MAX_PULL_DOCS,
        })
        .await
        .expect("raw pull");
    let leaked: Vec<&DocId> = page
        .docs
        .iter()
        .map(|d| &d.doc_id)
        .filter(|d| team_docs.contains(*d))
        .collect();
    assert!(
        leaked.is_empty(),
        "team documents sent after leaving: {leaked:?}"
    );
    assert!(
        !page.cursors.iter().any(|c| c.scope == Scope::Team(o.team)),
        "the team's scope is no longer listed"
    );

    let report = cal.sync().await;
    assert_eq!(report.pulled, 0, "{report:?}");
    let held: BTreeSet<DocId> = cal
        .replica
        .document_ids()
        .expect("ids")
        .into_iter()
        .collect();
    assert!(
        held.is_disjoint(&team_docs),
        "the device dropped the team's documents: still holds {:?}",
        held.intersection(&team_docs).collect::<Vec<_>>()
    );
    assert_eq!(cal.contacts(), 0);
    assert_eq!(cal.replica.pending_changes().expect("pending"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_reassignment_is_refused_and_converges_back_a_brokers_is_accepted() {
    let o = office();
    let ada = o.device(ADA, "ada-laptop");
    let bea = o.device(BEA, "bea-laptop");
    let cal = o.device(CAL, "cal-laptop");
    let id = ada.create("Reassign Me", o.ada);
    let doc_id = doc(&id);
    ada.sync().await;

    let mut input = ada
        .replica
        .get_contact(&id)
        .expect("read")
        .expect("contact")
        .to_input();
    let original = input.assigned_agent;
    input.assigned_agent = Some(o.cal);
    ada.replica
        .update_contact(&id, &input, o.ada)
        .expect("the device itself lets the edit through");
    let report = ada.sync().await;
    assert_eq!(report.refused.len(), 1, "{report:?}");
    assert_eq!(report.refused[0].doc_id, doc_id.to_string());
    let back = ada
        .replica
        .get_contact(&id)
        .expect("read")
        .expect("contact");
    assert_eq!(
        back.assigned_agent, original,
        "the server's version is back"
    );
    assert_eq!(ada.replica.pending_changes().expect("pending"), 0);
    let notices = ada.replica.sync_notices().expect("notices");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].doc_id, doc_id.to_string());
    assert!(notices[0].message.contains("assigned agent"), "{notices:?}");
    assert_eq!(cal.sync().await.pulled, 0, "nothing reached Cal");

    bea.sync().await;
    let mut input = bea
        .replica
        .get_contact(&id)
        .expect("read")
        .expect("Bea reads Ada's work")
        .to_input();
    assert_eq!(input.assigned_agent, original);
    input.assigned_agent = Some(o.cal);
    bea.replica
        .update_contact(&id, &input, o.bea)
        .expect("reassign");
    let report = bea.sync().await;
    assert!(
        report.refused.is_empty(),
        "a broker may reassign: {report:?}"
    );

    cal.sync().await;
    let received = cal
        .replica
        .get_contact(&id)
        .expect("read")
        .expect("Cal receives the contact");
    assert_eq!(received.assigned_agent, Some(o.cal));
    ada.sync().await;
    assert_converged(
        "after the reassignment",
        &[("ada", &ada.replica), ("bea", &bea.replica)],
    );
    assert_eq!(
        cal.replica.doc_heads(&doc_id).expect("heads"),
        ada.replica.doc_heads(&doc_id).expect("heads")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_wipes_itself_and_the_others_keep_working() {
    let o = office();
    let laptop = o.device(ADA, "ada-laptop");
    let phone = o.device(ADA, "ada-phone");
    for n in 0..3 {
        laptop.create(&format!("Client {n}"), o.ada);
    }
    laptop.sync().await;
    let options = SyncOptions {
        poll_interval: Duration::from_millis(200),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        ..SyncOptions::default()
    };
    let handle = SyncHandle::spawn(phone.replica.clone(), phone.client.clone(), options);
    eventually("the phone syncs", LIMIT, || {
        (handle.status().state == SyncState::UpToDate && phone.contacts() == 3).then_some(())
    })
    .await;

    let ids = o.org.device_ids(ADA, "ada-phone");
    assert_eq!(ids.len(), 1, "{ids:?}");
    admin(
        &o.server.data_dir,
        &["revoke-device", "--org", &o.org.id, "--device", &ids[0]],
    );
    let status = eventually("the phone is signed out and wiped", LIMIT, || {
        let s = handle.status();
        (s.detail == SyncDetail::Revoked && phone.contacts() == 0).then_some(s)
    })
    .await;
    assert_eq!(status.state, SyncState::SignInAgain);
    assert!(phone.replica.document_ids().expect("ids").is_empty());
    assert_eq!(phone.replica.pending_changes().expect("pending"), 0);
    assert!(matches!(
        sync_once(&phone.replica, &phone.client).await,
        Err(SyncError::Revoked)
    ));

    laptop.create("After the revocation", o.ada);
    let report = laptop.sync().await;
    assert_eq!(report.pushed, 1);
    assert_eq!(laptop.contacts(), 4, "the laptop keeps everything");
}

/// Polls the server's metrics until `name` reaches `at_least`.
async fn metric_reaches(server: &ServerProcess, name: &str, at_least: f64) {
    let deadline = Instant::now() + LIMIT;
    while metric(&server.metrics().await, name) < at_least {
        assert!(Instant::now() < deadline, "gave up waiting for {name}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_news_reaches_a_teammate_without_waiting_for_a_poll() {
    let o = office();
    let ada = o.device(ADA, "ada-laptop");
    let bea = o.device(BEA, "bea-laptop");
    // Polls far beyond the deadline below: only the live connection can deliver in time.
    let options = SyncOptions {
        poll_interval: Duration::from_secs(60),
        live_poll_interval: Duration::from_secs(60),
        min_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
        live: true,
        ..SyncOptions::default()
    };
    let sync_ada = SyncHandle::spawn(ada.replica.clone(), ada.client.clone(), options.clone());
    let sync_bea = SyncHandle::spawn(bea.replica.clone(), bea.client.clone(), options);
    eventually("both devices sync once", LIMIT, || {
        [&sync_ada, &sync_bea]
            .iter()
            .all(|h| h.status().state == SyncState::UpToDate)
            .then_some(())
    })
    .await;
    metric_reaches(&o.server, "fieldstone_live_connections", 2.0).await;

    let id = ada.create("Walk-in at the open house", o.ada);
    sync_ada.nudge();
    eventually("Bea's device has Ada's new contact", LIMIT, || {
        bea.replica.get_contact(&id).expect("read").map(|_| ())
    })
    .await;
    assert!(sync_bea.status().remote_revision > 0);
}
