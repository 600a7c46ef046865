//! The broker's view and lead routing in the real app window (issue 15), through a real server
//! process: a broker signs in, reads each agent's numbers on the Team screen, filters the team
//! pipeline to one agent and moves a lead to another, whose device receives it; an agent is
//! offered a lead routed first-to-claim, claims it from Today, and the OS is asked to show
//! "New lead" once it arrives (seen on the window's private session bus). An agent is never
//! offered the Team screen.

mod app_support;

use app_support::{sync_until, App, Keyring};
use fieldstone_model::{
    Channel, ContactId, ContactInput, Direction, EmailEntry, InteractionInput, UserId,
};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient};
use fieldstone_tests::*;
use serde_json::json;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// One window at a time: both tests resize and photograph theirs.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn person(given: &str, family: &str) -> ContactInput {
    ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        emails: vec![EmailEntry {
            address: format!("{}@example.com", given.to_lowercase()),
            label: Default::default(),
            primary: true,
        }],
        ..ContactInput::default()
    }
}

fn user_id(id: &str) -> UserId {
    id.parse().expect("a user id")
}

/// A user with a display name and role in `team`.
fn member(org: &Org, email: &str, name: &str, role: &str, team: &str) -> UserId {
    user_id(&admin(
        &org.data_dir,
        &[
            "create-user",
            "--org",
            &org.id,
            "--email",
            email,
            "--role",
            role,
            "--name",
            name,
            "--team",
            team,
            "--password-stdin",
        ],
    ))
}

fn find(replica: &Replica, name: &str) -> Option<fieldstone_model::Contact> {
    let page = replica.list_contacts(&Default::default()).expect("list");
    let id = page.items.iter().find(|c| c.display_name == name)?.id;
    replica.get_contact(&id).expect("read")
}

/// Signs the window in through Settings, as a person would.
async fn sign_in(app: &App, url: &str, email: &str) {
    app.goto("settings").await;
    app.type_into("#sign-in-server-url", url).await;
    app.type_into("#sign-in-email", email).await;
    app.type_into("#sign-in-password", &format!("{PASSWORD}\u{e007}"))
        .await;
    app.wait_for("#settings-session").await;
    app.until_synced("up_to_date").await;
    // After a sign-in WebKit under Xvfb may stop drawing until the window is resized, and a
    // screenshot then never comes: one round trip makes it draw again.
    app.resize(app_support::PHONE).await;
    app.resize(app_support::DESKTOP).await;
}

/// Watches the window's session bus for notifications asked of the OS.
struct BusWatch {
    child: Child,
    out: std::path::PathBuf,
}

impl BusWatch {
    fn start(address: &str, dir: &Path) -> BusWatch {
        let out = dir.join("notifications.txt");
        let file = std::fs::File::create(&out).expect("monitor output");
        let child = Command::new("dbus-monitor")
            .args(["--address", address])
            .arg("interface='org.freedesktop.Notifications',member='Notify'")
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-monitor (part of dbus, installed by `cargo xtask test`)");
        BusWatch { child, out }
    }

    fn seen(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(&self.out) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for BusWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_broker_reads_each_agents_numbers_filters_the_pipeline_and_moves_a_lead() {
    let _one = ONE_WINDOW.lock().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let sales = org.team("Sales");
    member(&org, "dana@harbour.test", "Dana Broker", "broker", &sales);
    let ana = user_id(&org.agent_in("ana@harbour.test", "Ana Alvarez", &sales));
    let ben = user_id(&org.agent_in("ben@harbour.test", "Ben Ito", &sales));
    let ana_token = org.device_token("ana@harbour.test", "ana's phone");
    let ben_token = org.device_token("ben@harbour.test", "ben's phone");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");

    // The organisation wants a first reply within 15 minutes.
    let dana_token = org.device_token("dana@harbour.test", "script");
    let routing = reqwest::Client::new()
        .put(format!("{}/v2/org/routing", server.url))
        .bearer_auth(&dana_token)
        .json(&json!({"rules": [], "response_minutes": 15}))
        .send()
        .await
        .expect("the server answers");
    assert!(routing.status().is_success(), "{}", routing.status());

    // Ana's phone, two hours ago: two new leads, one of them called back at once.
    let two_hours_ago = chrono::Utc::now() - chrono::Duration::hours(2);
    std::fs::create_dir_all(tmp.path().join("ana")).expect("dir");
    let ana_phone = Arc::new(
        Replica::open(
            &tmp.path().join("ana").join("fieldstone.db"),
            Arc::new(fieldstone_model::FixedClock::new(two_hours_ago)),
        )
        .expect("ana's phone"),
    );
    let ana_client = SyncClient::new(&server.url, &ana_token).expect("client");
    sync_once(&ana_phone, &ana_client)
        .await
        .expect("first sync");
    let lena = ana_phone
        .create_contact(&person("Lena", "Park"), ana)
        .expect("lena");
    let omar = ana_phone
        .create_contact(&person("Omar", "Reyes"), ana)
        .expect("omar");
    ana_phone
        .log_interaction(
            &InteractionInput {
                contact: lena.id,
                listing: None,
                channel: Channel::Call,
                direction: Direction::Outbound,
                summary: "Called back about the flat".into(),
                outcome: None,
                duration_seconds: Some(120),
                occurred_at: two_hours_ago + chrono::Duration::minutes(5),
            },
            ana,
        )
        .expect("call");
    sync_once(&ana_phone, &ana_client).await.expect("push");

    let app = App::launch_with(None, Keyring::Unlocked).await;
    sign_in(&app, &server.url, "dana@harbour.test").await;
    app.goto("team").await;
    let ana_row = format!(".team-row[data-agent='{ana}']");
    let ben_row = format!(".team-row[data-agent='{ben}']");
    app.until_text(&format!("{ana_row} .team-cell--new"), "2")
        .await;
    app.until_text(&format!("{ana_row} .team-agent__name"), "Ana Alvarez")
        .await;
    // Ben has nothing yet but is listed, named; Ana's first response is counted.
    app.until_text(&format!("{ben_row} .team-agent__name"), "Ben Ito")
        .await;
    assert_eq!(
        app.dom_text(&format!("{ben_row} .team-cell--new .team-cell__value"))
            .await,
        "0"
    );
    let response = app
        .dom_text(&format!("{ana_row} .team-cell--response"))
        .await;
    assert!(response.contains("1 awaiting"), "{response}");
    assert!(
        response.contains("5 min"),
        "Lena was answered in 5: {response}"
    );
    // Omar has waited two hours against a 15-minute target: flagged.
    app.until_text(
        &format!("{ana_row} .team-cell__late"),
        "1 past the 15 min target",
    )
    .await;
    app.until_text("#team-target", "within 15 min").await;
    // Another period reads again.
    app.click("#team-period-week").await;
    app.until_text(&format!("{ana_row} .team-cell--new"), "2")
        .await;
    app.screens("team").await;
    app.assert_phone_layout("the Team screen").await;

    // Ana's leads only, then Lena moved to Ben.
    app.click(&format!("{ana_row} .team-agent")).await;
    app.until("the pipeline shows Ana's two leads", || async {
        let mut names = app.texts("#team-pipeline .team-lead__name").await;
        names.sort();
        names == ["Lena Park", "Omar Reyes"]
    })
    .await;
    let lena_row = format!(".team-lead[data-contact='{}']", lena.id);
    app.until_text(
        &format!(
            ".team-lead[data-contact='{}'] .team-lead__waiting--late",
            omar.id
        ),
        "no reply yet, 2 h",
    )
    .await;
    assert!(!app.exists(&format!("{lena_row} .team-lead__waiting")).await);
    app.click(&format!("{lena_row} .team-lead__move")).await;
    app.wait_for("#team-move-agent").await;
    app.select("#team-move-agent", &ben.to_string()).await;
    app.screens("team-reassign").await;
    app.click("#team-move-confirm").await;
    app.until_text("#team-notice", "Assigned to Ben Ito by Dana Broker")
        .await;
    app.screens("team-reassigned").await;

    // Ben's phone receives Lena, assigned to him.
    let ben_phone = open_replica(&tmp.path().join("ben"));
    let ben_client = SyncClient::new(&server.url, &ben_token).expect("client");
    let got = sync_until(&ben_phone, &ben_client, "Ben has Lena", |r| {
        find(r, "Lena Park")
    })
    .await;
    assert_eq!(got.assigned_agent, Some(ben));
    // The broker's screen follows once its device has synced the move.
    app.click(&format!("{ana_row} .team-agent")).await;
    app.until_text(&format!("{lena_row} .team-lead__agent"), "Ben Ito")
        .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn an_agent_claims_an_offered_lead_from_today_and_the_os_is_told() {
    let _one = ONE_WINDOW.lock().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Quay");
    let sales = org.team("Sales");
    member(&org, "dana@quay.test", "Dana Broker", "broker", &sales);
    let ana = user_id(&org.agent_in("ana@quay.test", "Ana Alvarez", &sales));
    let ben = user_id(&org.agent_in("ben@quay.test", "Ben Ito", &sales));
    let dana_token = org.device_token("dana@quay.test", "script");
    let key = admin(
        &server_dir,
        &["create-intake-key", "--org", &org.id, "--label", "Website"],
    );
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let http = reqwest::Client::new();
    let put = |path: String, body: serde_json::Value| {
        let request = http
            .put(format!("{}{path}", server.url))
            .bearer_auth(&dana_token)
            .json(&body);
        async move {
            let answer = request.send().await.expect("the server answers");
            assert!(answer.status().is_success(), "{path}: {}", answer.status());
        }
    };
    for agent in [ana, ben] {
        put(
            format!("/v2/org/agents/{agent}/profile"),
            json!({"active": true, "max_open_leads": 20}),
        )
        .await;
    }
    put(
        "/v2/org/routing".into(),
        json!({"rules": [{"name": "first to claim", "strategy": {"kind": "first_to_claim", "minutes": 30}}]}),
    )
    .await;

    let app = App::launch_with(None, Keyring::Unlocked).await;
    let bus = app.bus_address().expect("a private bus").to_owned();
    let watch = BusWatch::start(&bus, tmp.path());
    sign_in(&app, &server.url, "ana@quay.test").await;
    // An agent is not offered the Team screen, and typing its address says why.
    assert!(!app.exists("#nav-team").await);
    app.js("location.hash = '#/team'", vec![]).await;
    app.until_text("#team-closed", "brokers and admins").await;

    // A lead arrives from the website, offered to Ana and Ben.
    let posted = http
        .post(format!("{}/v2/intake/leads", server.url))
        .bearer_auth(&key)
        .json(&json!({
            "event_id": "web-1", "source": "website",
            "person": {"first_name": "Maya", "last_name": "Lind", "emails": ["maya@example.com"]},
            "message": "Is the harbour flat still available?"
        }))
        .send()
        .await
        .expect("intake answers");
    assert_eq!(posted.status(), reqwest::StatusCode::CREATED);
    let answer: serde_json::Value = posted.json().await.expect("json");
    let maya: ContactId = answer["contact"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("the lead's id");

    app.goto("today").await;
    // Offers are read when Today opens (and every minute): open it again until it is there.
    app.until("Maya is offered on Today", || async {
        if app.exists("#lead-offers").await {
            return true;
        }
        app.goto("contacts").await;
        app.goto("today").await;
        false
    })
    .await;
    let offer = format!(".lead-offer[data-contact='{maya}']");
    app.until_text(&format!("{offer} .lead-offer__name"), "Maya Lind")
        .await;
    app.screens("today-lead-offer").await;
    app.assert_phone_layout("Today with an offer").await;
    app.click(&format!("{offer} .lead-offer__claim")).await;
    app.until_text("#lead-offers-said", "Maya Lind is yours")
        .await;
    // Hers now: in her contacts after the next sync, and the OS was asked to say so.
    app.goto("contacts").await;
    app.until_text("#contact-rows", "Maya Lind").await;
    app.until("a New lead notification was asked for", || async {
        watch.seen().contains("New lead: Maya Lind")
    })
    .await;
    assert!(watch.seen().contains("assigned to you"), "{}", watch.seen());
    // Ben, too late, is told who has it.
    let ben_token = org.device_token("ben@quay.test", "phone");
    let late = http
        .post(format!("{}/v2/leads/{maya}/claim", server.url))
        .bearer_auth(&ben_token)
        .send()
        .await
        .expect("answer");
    assert_eq!(late.status(), reqwest::StatusCode::CONFLICT);
    app.close().await;
}
