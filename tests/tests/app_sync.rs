//! The real app window with a second device of the same agent (a replica in this process,
//! syncing through the same real server process): work done while the server is down is kept,
//! the window says it is offline, and everything reaches the other device once the server is
//! back; a field changed on both devices at once shows its marker and is settled in the dialog.

mod app_support;

use app_support::{sync_until, App, Sync};
use fieldstone_model::{ContactId, RecordRef, Stage};
use fieldstone_replica::{contact_doc_id, Replica, SyncClient};
use fieldstone_tests::*;
use std::sync::Arc;

/// One window at a time: both tests resize and photograph theirs.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const AGENT: &str = "agent@example.com";

/// One agent with two devices: the laptop (the window) and a phone (a replica here), syncing
/// through a server process on a fixed address, so it can be stopped and started again.
struct Office {
    tmp: tempfile::TempDir,
    listen: String,
    url: String,
    phone_token: String,
}

impl Office {
    fn server_dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("server")
    }

    fn restart(&self) -> ServerProcess {
        ServerProcess::start(&self.server_dir(), &self.listen)
    }

    fn phone(&self) -> (Arc<Replica>, SyncClient) {
        (
            open_replica(&self.tmp.path().join("phone")),
            SyncClient::new(&self.url, &self.phone_token).expect("client"),
        )
    }
}

/// The office, its server running, and the laptop's window up to date with it.
async fn laptop_up_to_date() -> (Office, ServerProcess, App) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Solo");
    org.user(AGENT, "agent", None);
    let laptop = org.device_token(AGENT, "laptop");
    let phone_token = org.device_token(AGENT, "phone");
    let listen = format!("127.0.0.1:{}", free_port());
    let server = ServerProcess::start(&server_dir, &listen);
    let url = server.url.clone();
    let app = App::launch(Some(Sync {
        url: &url,
        token: &laptop,
    }))
    .await;
    app.until_synced("up_to_date").await;
    let office = Office {
        tmp,
        listen,
        url,
        phone_token,
    };
    (office, server, app)
}

fn find(phone: &Replica, name: &str) -> Option<ContactId> {
    let page = phone.list_contacts(&Default::default()).expect("list");
    page.items
        .iter()
        .find(|c| c.display_name == name)
        .map(|c| c.id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn work_done_offline_reaches_a_second_device_once_the_server_is_back() {
    let _one = ONE_WINDOW.lock().await;
    let (office, server, app) = laptop_up_to_date().await;

    server.kill();
    app.until_synced("offline").await;

    // Everything still works against the local engine.
    app.goto("contacts").await;
    app.new_contact("Ada", "Lovelace", "ada@example.com").await;
    app.type_into("#contact-family-name", "King").await;
    app.click("#contact-save").await;
    app.until_text("#contact-saved", "Saved").await;
    app.type_into("#composer-body", "Prefers mornings; call before 10.")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "Prefers mornings").await;
    app.click("#composer-tab-booking").await;
    app.set_input("#composer-time", "09:30").await;
    app.type_into("#composer-title", "Viewing at 8 Mill Road")
        .await;
    app.click("#composer-submit").await;
    app.until_text("#timeline", "8 Mill Road").await;
    app.goto("pipeline").await;
    app.drag_to_stage("Ada King", "qualified").await;
    app.until_synced("offline").await;
    app.until_text("#sync-status", "waiting to sync").await;
    app.screens("offline").await;

    // The server comes back on the same address: the window catches up by itself.
    let _server = office.restart();
    app.until_synced("up_to_date").await;
    app.until("nothing left unsent", || async {
        !app.dom_text("#sync-status")
            .await
            .contains("waiting to sync")
    })
    .await;

    let (phone, client) = office.phone();
    let ada = sync_until(&phone, &client, "the phone has Ada, renamed", |p| {
        find(p, "Ada King")
    })
    .await;
    let contact = phone.get_contact(&ada).expect("get").expect("stored");
    assert_eq!(
        contact.stage,
        Stage::Qualified,
        "the drag reached the phone"
    );
    let notes = phone
        .notes_for(&RecordRef::Contact(ada))
        .expect("notes on the phone");
    assert!(
        notes.iter().any(|n| n.preview.contains("Prefers mornings")),
        "the note reached the phone: {notes:?}"
    );
    let bookings = phone.bookings_for_contact(&ada).expect("bookings");
    assert!(
        bookings
            .iter()
            .any(|b| b.title.as_deref() == Some("Viewing at 8 Mill Road")),
        "the booking reached the phone: {bookings:?}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app and a display: run `cargo xtask test`"]
async fn a_stage_changed_on_two_devices_is_marked_and_settled_in_the_dialog() {
    let _one = ONE_WINDOW.lock().await;
    let (office, server, app) = laptop_up_to_date().await;
    app.goto("contacts").await;
    app.new_contact("Grace", "Hopper", "grace@example.com")
        .await;

    let (phone, client) = office.phone();
    let grace = sync_until(&phone, &client, "the phone has Grace", |p| {
        find(p, "Grace Hopper")
    })
    .await;
    let owner = phone
        .get_contact(&grace)
        .expect("get")
        .expect("stored")
        .owner;

    // Both devices move Grace while neither can see the other's move.
    server.kill();
    app.until_synced("offline").await;
    app.goto("pipeline").await;
    app.drag_to_stage("Grace Hopper", "qualified").await;
    phone
        .set_contact_stage(&grace, Stage::Showing, owner)
        .expect("the phone moves Grace");

    let _server = office.restart();
    app.until_synced("up_to_date").await;
    let doc = contact_doc_id(&grace).expect("doc id");
    sync_until(&phone, &client, "the phone sees both moves", |p| {
        (!p.conflicts(&doc).expect("conflicts").is_empty()).then_some(())
    })
    .await;

    // The window hears of the phone's move and marks the field.
    app.goto("contacts").await;
    app.click(&format!(
        "#contact-rows [data-contact-id='{grace}'] .contact-row__name"
    ))
    .await;
    app.until_text("#conflict-banner", "two devices").await;
    // The pill counts it; the banner names the field and both values.
    app.until_text("#sync-conflicts", "1 conflict").await;
    app.until_text("#conflict-banner [data-conflict-field='stage']", "Stage: ")
        .await;
    app.until_text("#conflict-banner [data-conflict-field='stage']", " or ")
        .await;
    app.screens("conflict").await;
    app.click("#conflict-banner [data-field='stage']").await;
    app.wait_for("#conflict-dialog").await;
    let choices = app.texts("#conflict-dialog .conflict-option__value").await;
    assert!(
        choices.iter().any(|c| c.contains("Qualified"))
            && choices.iter().any(|c| c.contains("Showing")),
        "both values are offered: {choices:?}"
    );
    app.screens("conflict-dialog").await;
    let showing = app
        .js(
            "return Array.from(document.querySelectorAll('#conflict-dialog .conflict-option'))
               .find(e => e.textContent.includes('Showing')).id",
            vec![],
        )
        .await;
    app.click(&format!("#{}", showing.as_str().unwrap_or_default()))
        .await;
    app.until_gone("#conflict-dialog").await;
    app.until_gone("#conflict-banner").await;
    app.until_gone("#sync-conflicts").await;

    // The choice is a change like any other: it reaches the phone and settles it there too.
    app.until("nothing left unsent", || async {
        !app.dom_text("#sync-status")
            .await
            .contains("waiting to sync")
    })
    .await;
    sync_until(&phone, &client, "the choice settles the phone too", |p| {
        p.conflicts(&doc)
            .expect("conflicts")
            .is_empty()
            .then_some(())
    })
    .await;
    assert_eq!(
        phone
            .get_contact(&grace)
            .expect("get")
            .expect("stored")
            .stage,
        Stage::Showing
    );
    app.close().await;
}
