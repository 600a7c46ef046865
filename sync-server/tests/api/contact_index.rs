//! The server's contact index (what lead dedupe and the routing workload count read instead
//! of every contact document), end to end: it follows what a device pushes (an email changed,
//! a reassignment, a stage, a delete) and what intake writes, and it never crosses
//! organisations.

use crate::intake::{office, Office};
use crate::support::*;
use automerge::{ActorId, AutoCommit};
use fieldstone_model::*;
use fieldstone_protocol::DocId;
use fieldstone_server::config::{Config, Secret};
use fieldstone_server::store::contact_index::ContactIndexEntry;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn config() -> Config {
    Config {
        secret_key: Some(Secret::new(
            "Y29udGFjdCBpbmRleCBzdG9yaWVzJyBrZXksIHRoaXJ0eS10d28gYnl0ZXM=",
        )),
        ..Config::default()
    }
}

crate::support::on_both_stores! {
    the_index_follows_an_email_edited_a_reassignment_a_stage_and_a_delete_pushed_by_a_device(config());
    another_organisations_contact_with_the_same_email_is_never_matched(config());
}

/// A contact as a device holds it: the record and its document.
struct OnDevice {
    contact: Contact,
    doc: AutoCommit,
    sent: Vec<automerge::ChangeHash>,
    doc_id: DocId,
}

impl OnDevice {
    fn new(owner: UserId, email: &str) -> Self {
        let input = ContactInput {
            given_name: "Ada".into(),
            emails: vec![EmailEntry {
                address: email.into(),
                label: Default::default(),
                primary: true,
            }],
            ..ContactInput::default()
        };
        let id = ContactId::from_uuid(uuid::Uuid::new_v4());
        let contact = Contact::create(id, input.validate().expect("valid"), owner, now());
        let (doc, _) = fieldstone_doc::contact::create(ActorId::random(), &contact).expect("doc");
        let doc_id = DocId::new(fieldstone_doc::contact::KIND, id).expect("id");
        Self {
            contact,
            doc,
            sent: Vec::new(),
            doc_id,
        }
    }

    /// Edits the record with `edit` and pushes what changed from `token`'s device.
    async fn push(&mut self, s: &TestServer, token: &str, edit: impl FnOnce(&mut Contact)) {
        edit(&mut self.contact);
        self.contact.updated_at = now();
        fieldstone_doc::contact::update(&mut self.doc, &self.contact).expect("update");
        self.send(s, token).await;
    }

    async fn send(&mut self, s: &TestServer, token: &str) {
        let changes: Vec<Vec<u8>> = self
            .doc
            .get_changes(&self.sent)
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect();
        self.sent = self.doc.get_heads();
        let answer = s
            .push(
                token,
                vec![fieldstone_protocol::DocPush {
                    doc_id: self.doc_id.clone(),
                    changes,
                }],
            )
            .await;
        assert_eq!(answer.accepted, 1, "{answer:?}");
    }
}

fn entry(s: &TestServer, org: OrgId, contact: ContactId) -> ContactIndexEntry {
    s.with_store(|store| store.contact_index_entry(org, &contact.to_string()))
        .expect("store")
        .expect("indexed")
}

fn matching(s: &TestServer, org: OrgId, email: &str) -> Vec<String> {
    let key = format!("email:{email}");
    s.with_store(|store| store.contacts_matching(org, &[key], None, 10))
        .expect("store")
}

async fn new_key(s: &TestServer, office: &Office) -> String {
    let (status, made) = s
        .json(
            "POST",
            "/v2/org/intake-keys",
            Some(&office.admin),
            Some(json!({ "label": "Website" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["key"].as_str().expect("key").to_owned()
}

/// Sends a lead from `email`: (whether it created a contact, the contact's id).
async fn lead(s: &TestServer, key: &str, email: &str) -> (bool, String) {
    let body = json!({"source": "website", "person": {"first_name": "Ada", "emails": [email]}});
    let (status, answer): (StatusCode, Value) = s
        .json("POST", "/v2/intake/leads", Some(key), Some(body))
        .await;
    assert!(status.is_success(), "{status}: {answer}");
    (
        answer["created"].as_bool().expect("created"),
        answer["contact"].as_str().expect("contact").to_owned(),
    )
}

async fn the_index_follows_an_email_edited_a_reassignment_a_stage_and_a_delete_pushed_by_a_device(
    s: TestServer,
) {
    let harbour = office(&s, "Harbour");
    let key = new_key(&s, &harbour).await;
    let admin = s.with_store(|store| {
        store
            .users(harbour.org)
            .expect("users")
            .into_iter()
            .find(|u| u.email.starts_with("admin@"))
            .expect("admin")
            .id
    });
    let mut ada = OnDevice::new(admin, "Ada@Old.test");
    ada.send(&s, &harbour.admin).await;
    let id = ada.contact.id;
    assert_eq!(entry(&s, harbour.org, id).keys, vec!["email:ada@old.test"]);
    let (created, found) = lead(&s, &key, "ada@old.test").await;
    assert_eq!(
        (created, found),
        (false, id.to_string()),
        "a pushed contact"
    );

    // The email edited on the device: the old address no longer finds her, the new one does.
    ada.push(&s, &harbour.admin, |c| {
        c.emails[0].address = "ada@new.test".into();
    })
    .await;
    assert_eq!(entry(&s, harbour.org, id).keys, vec!["email:ada@new.test"]);
    assert!(matching(&s, harbour.org, "ada@old.test").is_empty());
    let (created, _) = lead(&s, &key, "ada@old.test").await;
    assert!(created, "the old address is someone new now");
    let (created, found) = lead(&s, &key, "ada@new.test").await;
    assert_eq!((created, found), (false, id.to_string()));

    // Given to the agent, then closed: the routing workload counts follow.
    let agent = harbour.agent.0;
    ada.push(&s, &harbour.admin, |c| c.assigned_agent = Some(agent))
        .await;
    assert_eq!(entry(&s, harbour.org, id).agent, Some(agent));
    let load = |s: &TestServer| {
        s.with_store(|store| fieldstone_server::routing::workloads(store, harbour.org))
            .expect("workloads")
            .get(&agent)
            .copied()
            .unwrap_or_default()
    };
    assert_eq!((load(&s).open, load(&s).closed), (1, 0));
    ada.push(&s, &harbour.admin, |c| c.stage = Stage::Closed)
        .await;
    assert_eq!(entry(&s, harbour.org, id).stage, "closed");
    assert_eq!((load(&s).open, load(&s).closed), (0, 1));

    // Deleted: matched and counted no more.
    ada.push(&s, &harbour.admin, |c| c.deleted_at = Some(now()))
        .await;
    assert!(entry(&s, harbour.org, id).deleted);
    assert!(matching(&s, harbour.org, "ada@new.test").is_empty());
    assert_eq!(load(&s), Default::default());
    let (created, found) = lead(&s, &key, "ada@new.test").await;
    assert!(created, "a deleted contact is not enriched");
    assert_ne!(found, id.to_string());
}

async fn another_organisations_contact_with_the_same_email_is_never_matched(s: TestServer) {
    let harbour = office(&s, "Harbour");
    let quay = office(&s, "Quay");
    let quay_admin = s.with_store(|store| {
        store
            .users(quay.org)
            .expect("users")
            .into_iter()
            .find(|u| u.email.starts_with("admin@"))
            .expect("admin")
            .id
    });
    let mut in_quay = OnDevice::new(quay_admin, "lena@example.com");
    in_quay.send(&s, &quay.admin).await;
    assert_eq!(matching(&s, quay.org, "lena@example.com").len(), 1);
    assert!(matching(&s, harbour.org, "lena@example.com").is_empty());

    let key = new_key(&s, &harbour).await;
    let (created, in_harbour) = lead(&s, &key, "lena@example.com").await;
    assert!(created, "Harbour's lead is Harbour's own contact");
    assert_ne!(in_harbour, in_quay.contact.id.to_string());
    // Each organisation's index holds its own contact only.
    assert_eq!(
        matching(&s, harbour.org, "lena@example.com"),
        vec![in_harbour]
    );
    assert_eq!(
        matching(&s, quay.org, "lena@example.com"),
        vec![in_quay.contact.id.to_string()]
    );
}
