//! Three replicas — agent Ada's laptop and phone, and Bea, the broker of Ada's team — share
//! contacts through a real server, then edit them while the server is down: the same fields on
//! every device (stage, name, tags) and different fields, new contacts and notes. Once the server
//! is back they sync in a seeded random order until a full round changes nothing, and must then
//! hold the same documents, the same heads and the same read model.
//!
//! Every run prints its seed; `FIELDSTONE_TEST_SEED=<n> cargo test -p fieldstone-tests --test
//! three_replicas -- --nocapture` replays one.

use fieldstone_model::{ContactId, ContactInput, NoteId, NoteInput, RecordRef, Stage, UserId};
use fieldstone_replica::sync::sync_once;
use fieldstone_replica::{Replica, SyncClient, SyncError};
use fieldstone_tests::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::sync::Arc;

/// Seeds per run (each a whole scenario with its own server).
const SEEDS: u64 = 5;
/// A run that has not settled after this many rounds fails.
const MAX_ROUNDS: usize = 12;
const TAGS: [&str; 5] = ["hot", "vip", "cash-buyer", "relocating", "investor"];

struct Device {
    name: &'static str,
    replica: Arc<Replica>,
    token: String,
    /// The user who edits on this device.
    user: UserId,
    /// Contacts this device knows (shared ones first, then its own offline creations).
    contacts: Vec<ContactId>,
    /// Notes it may edit, with the contact each is about.
    notes: Vec<(NoteId, ContactId)>,
}

fn person(given: &str, family: &str, assigned: Option<UserId>) -> ContactInput {
    ContactInput {
        given_name: given.into(),
        family_name: family.into(),
        assigned_agent: assigned,
        ..ContactInput::default()
    }
}

fn edit(device: &Device, id: &ContactId, change: impl FnOnce(&mut ContactInput)) {
    let r = &device.replica;
    let mut input = r
        .get_contact(id)
        .expect("read contact")
        .expect("contact on device")
        .to_input();
    change(&mut input);
    r.update_contact(id, &input, device.user)
        .expect("update contact");
}

/// One sync of each device, in `order`; true when nothing moved (nothing pushed, nothing
/// changed anywhere, no outbox left).
async fn round(devices: &[Device], clients: &[SyncClient], order: &[usize]) -> bool {
    let mut quiet = true;
    for &i in order {
        let d = &devices[i];
        let report = sync_once(&d.replica, &clients[i])
            .await
            .unwrap_or_else(|e| panic!("{} syncs: {e}", d.name));
        assert!(
            report.refused.is_empty(),
            "{}: permitted edits were refused: {:?}",
            d.name,
            report.refused
        );
        quiet &= report.pushed == 0 && report.docs_changed == 0;
    }
    for d in devices {
        quiet &= d.replica.pending_changes().expect("pending") == 0;
    }
    quiet
}

/// Rounds (in an order from `rng`, or fixed) until one is quiet; returns how many it took.
async fn settle(devices: &[Device], clients: &[SyncClient], mut rng: Option<&mut StdRng>) -> usize {
    for n in 1..=MAX_ROUNDS {
        let mut order: Vec<usize> = (0..devices.len()).collect();
        if let Some(rng) = rng.as_deref_mut() {
            order.shuffle(rng);
        }
        if round(devices, clients, &order).await {
            return n;
        }
    }
    panic!("still changing after {MAX_ROUNDS} rounds");
}

fn clients(devices: &[Device], url: &str) -> Vec<SyncClient> {
    devices
        .iter()
        .map(|d| SyncClient::new(url, &d.token).expect("client"))
        .collect()
}

/// Contacts edited on purpose offline (checked field by field afterwards); random edits leave
/// them alone.
const SCRIPTED: usize = 4;

/// One random offline edit on `device`.
fn random_edit(device: &mut Device, rng: &mut StdRng, n: usize, ada: UserId) {
    let id = device.contacts[rng.random_range(SCRIPTED..device.contacts.len())];
    let tag = format!("{}-{n}", device.name);
    match rng.random_range(0..7) {
        0 => {
            let stage = Stage::ALL[rng.random_range(0..Stage::ALL.len())];
            device
                .replica
                .set_contact_stage(&id, stage, device.user)
                .expect("stage");
        }
        1 => {
            let t = TAGS[rng.random_range(0..TAGS.len())].to_owned();
            device
                .replica
                .tag_contact(&id, std::slice::from_ref(&t), &[])
                .expect("tag");
        }
        2 => {
            let t = TAGS[rng.random_range(0..TAGS.len())].to_owned();
            device.replica.tag_contact(&id, &[], &[t]).expect("untag");
        }
        3 => edit(device, &id, |c| c.family_name = format!("Family {tag}")),
        4 => edit(device, &id, |c| c.given_name = format!("Given {tag}")),
        5 => {
            // Bea's new contacts are assigned to Ada, so every device may read them.
            let assigned = (device.user != ada).then_some(ada);
            let c = device
                .replica
                .create_contact(&person("Offline", &tag, assigned), device.user)
                .expect("create");
            device.contacts.push(c.id);
        }
        _ if device.user == ada => {
            if device.notes.is_empty() || rng.random_bool(0.5) {
                let note = device
                    .replica
                    .create_note(
                        &NoteInput {
                            record: RecordRef::Contact(id),
                            body: format!("Called back {tag}"),
                            pinned: false,
                        },
                        device.user,
                    )
                    .expect("note");
                device.notes.push((note.id, id));
            } else {
                let (note, about) = device.notes[rng.random_range(0..device.notes.len())];
                device
                    .replica
                    .update_note(
                        &note,
                        &NoteInput {
                            record: RecordRef::Contact(about),
                            body: format!("Rewritten {tag}"),
                            pinned: rng.random_bool(0.5),
                        },
                    )
                    .expect("edit note");
            }
        }
        _ => edit(device, &id, |c| {
            c.source_detail = Some(format!("Met at {tag}"))
        }),
    }
}

async fn scenario(seed: u64) {
    println!("three_replicas seed {seed} (FIELDSTONE_TEST_SEED={seed} replays it)");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tempdir");
    let server_dir = tmp.path().join("server");
    let org = Org::create(&server_dir, "Harbour");
    let team = org.team("North");
    let ada: UserId = org
        .user("ada@harbour.test", "agent", Some(&team))
        .parse()
        .expect("ada id");
    let bea: UserId = org
        .user("bea@harbour.test", "broker", Some(&team))
        .parse()
        .expect("bea id");
    let device = |name: &'static str, email: &str, user: UserId| Device {
        name,
        replica: open_replica(&PathBuf::from(tmp.path()).join(name)),
        token: org.device_token(email, name),
        user,
        contacts: Vec::new(),
        notes: Vec::new(),
    };
    let mut devices = vec![
        device("laptop", "ada@harbour.test", ada),
        device("phone", "ada@harbour.test", ada),
        device("bea", "bea@harbour.test", bea),
    ];

    // Online: every device creates contacts (Bea's assigned to Ada) and they all meet.
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let mut shared = Vec::new();
    for (d, count) in devices.iter().zip([6, 3, 3]) {
        for n in 0..count {
            let assigned = (d.user != ada).then_some(ada);
            let input = person(&format!("{} {n}", d.name), "Shared", assigned);
            shared.push(d.replica.create_contact(&input, d.user).expect("create").id);
        }
    }
    for d in &mut devices {
        d.contacts = shared.clone();
    }
    let note = devices[0]
        .replica
        .create_note(
            &NoteInput {
                record: RecordRef::Contact(shared[0]),
                body: "First meeting went well".into(),
                pinned: false,
            },
            ada,
        )
        .expect("note");
    devices[0].notes.push((note.id, shared[0]));
    devices[1].notes.push((note.id, shared[0]));
    settle(&devices, &clients(&devices, &server.url), None).await;
    assert_converged(
        &format!("seed {seed}, before going offline"),
        &pairs(&devices),
    );
    assert_eq!(devices[2].replica.document_ids().expect("ids").len(), 13);
    server.kill();

    // Offline: the same fields on every device, different fields, and random edits.
    let offline = clients(&devices, "http://127.0.0.1:9");
    assert!(matches!(
        sync_once(&devices[0].replica, &offline[0]).await,
        Err(SyncError::Unreachable(_))
    ));
    let stages = [Stage::Qualified, Stage::Showing, Stage::Offer];
    for (i, d) in devices.iter().enumerate() {
        let r = &d.replica;
        r.set_contact_stage(&shared[0], stages[i], d.user)
            .expect("stage");
        edit(d, &shared[1], |c| {
            c.given_name = format!("Renamed on {}", d.name)
        });
        r.tag_contact(&shared[2], &[format!("from-{}", d.name)], &[])
            .expect("tag");
        match i {
            0 => edit(d, &shared[3], |c| c.family_name = "Moved house".into()),
            1 => {
                r.set_contact_stage(&shared[3], Stage::Closed, d.user)
                    .expect("stage");
            }
            _ => {
                r.tag_contact(&shared[3], &["referral".to_owned()], &[])
                    .expect("tag");
            }
        }
    }
    for d in &mut devices {
        for n in 0..rng.random_range(5..15) {
            random_edit(d, &mut rng, n, ada);
        }
        assert!(d.replica.pending_changes().expect("pending") > 0);
    }

    // Back online (a new process on the same data): sync in a random order until quiet.
    let server = ServerProcess::start(&server_dir, "127.0.0.1:0");
    let rounds = settle(&devices, &clients(&devices, &server.url), Some(&mut rng)).await;
    println!("seed {seed}: settled after {rounds} rounds");
    assert_converged(&format!("seed {seed}, after the storm"), &pairs(&devices));

    let laptop = &devices[0].replica;
    let c0 = laptop.get_contact(&shared[0]).expect("read").expect("c0");
    assert!(
        stages.contains(&c0.stage),
        "one of the concurrent stages wins"
    );
    let c2 = laptop.get_contact(&shared[2]).expect("read").expect("c2");
    for d in &devices {
        assert!(
            c2.tags.contains(&format!("from-{}", d.name)),
            "concurrent tag from {} kept: {:?}",
            d.name,
            c2.tags
        );
    }
    let c3 = laptop.get_contact(&shared[3]).expect("read").expect("c3");
    assert_eq!(
        (
            c3.family_name.as_str(),
            c3.stage,
            c3.tags.contains("referral")
        ),
        ("Moved house", Stage::Closed, true),
        "edits of different fields all kept"
    );
    for d in &devices {
        for id in &d.contacts {
            assert!(
                laptop.get_contact(id).expect("read").is_some(),
                "contact {id} from {} reached the others",
                d.name
            );
        }
        assert!(d.replica.sync_notices().expect("notices").is_empty());
    }
}

fn pairs(devices: &[Device]) -> Vec<(&str, &Replica)> {
    devices
        .iter()
        .map(|d| (d.name, d.replica.as_ref()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_edits_on_three_replicas_converge_in_any_sync_order() {
    let seeds: Vec<u64> = match std::env::var("FIELDSTONE_TEST_SEED") {
        Ok(seed) => vec![seed.parse().expect("FIELDSTONE_TEST_SEED is a number")],
        Err(_) => {
            let base = rand::random::<u32>() as u64;
            (base..base + SEEDS).collect()
        }
    };
    for seed in seeds {
        scenario(seed).await;
    }
}
