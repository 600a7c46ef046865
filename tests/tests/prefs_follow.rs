//! An agent's preferences follow them: a real server process and two devices of one agent (and
//! a teammate's device). A smart list saved on the laptop reaches the phone; entries both
//! devices wrote before they ever synced are all kept; a teammate never receives them; and they
//! never show as conflicts to settle.

use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{prefs_doc_id, Replica, SyncClient};
use fieldstone_tests::*;
use std::sync::Arc;

fn set(key: &str, value: &str) -> (String, Option<String>) {
    (key.to_owned(), Some(value.to_owned()))
}

async fn sync(replica: &Arc<Replica>, client: &SyncClient) {
    sync_once(replica, client).await.expect("sync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_follow_the_agent_to_their_other_devices_and_no_one_else() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let team = org.team("Sales");
    let ada = org.agent_in("ada@harbour.test", "Ada King", &team);
    org.agent_in("bo@harbour.test", "Bo Diaz", &team);
    let ada: fieldstone_model::UserId = ada.trim().parse().expect("ada's id");
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let device = |email: &str, name: &str| -> (Arc<Replica>, SyncClient) {
        (
            open_replica(&tmp.path().join(name)),
            SyncClient::new(&server.url, &org.device_token(email, name)).expect("client"),
        )
    };
    let (laptop, laptop_sync) = device("ada@harbour.test", "laptop");
    let (phone, phone_sync) = device("ada@harbour.test", "phone");
    let (bo, bo_sync) = device("bo@harbour.test", "bo-phone");

    // Both devices write before either has synced: each makes the document.
    laptop
        .set_preferences(&ada, &[set("smart_list:hot", "Hot buyers")])
        .expect("laptop");
    phone
        .set_preferences(&ada, &[set("locale", "{\"date_order\":\"mdy\"}")])
        .expect("phone");
    sync(&laptop, &laptop_sync).await;
    sync(&phone, &phone_sync).await;
    sync(&laptop, &laptop_sync).await;
    for (name, replica) in [("laptop", &laptop), ("phone", &phone)] {
        let prefs = replica.preferences(&ada).expect("read");
        assert_eq!(
            prefs.get("smart_list:hot").map(String::as_str),
            Some("Hot buyers"),
            "{name} lost the laptop's list"
        );
        assert!(
            prefs.contains_key("locale"),
            "{name} lost the phone's locale"
        );
    }

    // A later change and a removal travel like any edit.
    laptop
        .set_preferences(
            &ada,
            &[
                ("smart_list:hot".to_owned(), None),
                set("smart_list:new", "New leads"),
            ],
        )
        .expect("edit");
    sync(&laptop, &laptop_sync).await;
    sync(&phone, &phone_sync).await;
    let on_phone = phone.preferences(&ada).expect("phone");
    assert!(!on_phone.contains_key("smart_list:hot"));
    assert_eq!(
        on_phone.get("smart_list:new").map(String::as_str),
        Some("New leads")
    );
    assert!(
        phone
            .documents_with_conflicts()
            .expect("conflicts")
            .is_empty(),
        "preferences are never conflicts to settle"
    );

    // The teammate shares Ada's team, not her private scope: nothing of hers arrives.
    sync(&bo, &bo_sync).await;
    let doc = prefs_doc_id(&ada).expect("doc id");
    assert!(
        !bo.document_ids().expect("ids").contains(&doc),
        "a teammate received Ada's preferences"
    );
    assert!(bo.preferences(&ada).expect("read").is_empty());
}
