//! A viewer sees what is shared with them and changes nothing: the app refuses a viewer's edit
//! before storing it (the server would refuse it at the next sync and put it back after the
//! person had seen it saved), and says why in words.

use crate::support::{in_child, open, person, sign_in, t0, Session};
use fieldstone_protocol::commands::CommandErrorCode;
use fieldstone_protocol::views::ContactQuery;
use fieldstone_tests::{Org, ServerProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_is_refused_every_edit_up_front_and_nothing_is_stored() {
    if !in_child(
        "viewer::a_viewer_is_refused_every_edit_up_front_and_nothing_is_stored",
        Session::Keyring,
    ) {
        return;
    }
    let server_dir = tempfile::tempdir().expect("tempdir");
    let org = Org::create(server_dir.path(), "Harbour");
    org.user("vic@harbour.test", "viewer", None);
    let server = ServerProcess::start(server_dir.path(), "127.0.0.1:0");
    let dir = tempfile::tempdir().expect("tempdir");
    let app = open(dir.path(), t0());
    // Local only, the device's own user writes freely.
    app.api
        .create_contact(person("Olive", "Field", "olive@example.com"))
        .await
        .expect("local only: writes are the device's own");
    app.api
        .sign_in(sign_in(&server.url, "vic@harbour.test"))
        .await
        .expect("sign in as a viewer");

    let refused = app
        .api
        .create_contact(person("Ada", "King", "ada@example.com"))
        .await
        .expect_err("a viewer cannot add a contact");
    assert_eq!(refused.code, CommandErrorCode::Refused);
    assert!(
        refused.message.contains("viewer in Harbour"),
        "{}",
        refused.message
    );
    let shown = app
        .api
        .list_contacts(ContactQuery::default())
        .await
        .expect("a viewer reads");
    assert!(
        shown.items.iter().all(|c| c.display_name != "Ada King"),
        "nothing was stored"
    );
    // Every other kind of write goes through the same door.
    let listing = app
        .api
        .delete_listing("00000000-0000-4000-8000-000000000001".parse().expect("id"))
        .await
        .expect_err("a viewer cannot delete");
    assert_eq!(listing.code, CommandErrorCode::Refused);
    let merge = app
        .api
        .undo_merge("00000000-0000-4000-8000-000000000002".into())
        .await
        .expect_err("a viewer cannot undo a merge");
    assert_eq!(merge.code, CommandErrorCode::Refused);

    // Signed out, the device is the agent's own again.
    app.api.sign_out().await.expect("sign out");
    app.api
        .create_contact(person("Bo", "Chen", "bo@example.com"))
        .await
        .expect("signed out: writes again");
}
