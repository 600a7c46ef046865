//! Convergence: three replicas (three SQLite files, three devices) make random edits and swap
//! their changes in random order, partially and with duplicates; once everything has been
//! delivered everywhere they must hold the same documents, heads, records and read model.
//!
//! Delivery is simulated without a server: every change a replica writes is taken from its
//! outbox into one shared log (the order a server feed would have), and each replica has its own
//! set of log entries it has been given. A delivery hands a replica some entries it lacks, split
//! over pages and sometimes with entries it already had. `three_replicas_converge` keeps log
//! order; `three_replicas_converge_despite_reordering` may shuffle them, so a change can arrive
//! before the one it depends on. The final phase hands every replica, in log order, everything
//! it was never given.
//! Deterministic tests below pin one conflict-prone field each.
//!
//! Replaying a failure: proptest stores the failing case in
//! `proptest-regressions/convergence.txt` (checked in) and replays it first on every run. To
//! replay a run from its seed, `PROPTEST_RNG_SEED=<n> cargo test -p fieldstone-replica --test
//! convergence`; `PROPTEST_CASES=<n>` runs more (or fewer) cases than the default.

mod support;

use chrono::{DateTime, Duration, Utc};
use fieldstone_model::{
    Address, Channel, Contact, ContactId, ContactInput, Direction, EmailEntry, FixedClock,
    InteractionInput, ListingId, ListingInput, NoteId, NoteInput, Priority, PropertyType,
    RecordRef, Stage, TaskId, TaskInput, TaskKind, TaskStatus, UserId,
};
use fieldstone_protocol::{DocId, DocUpdate};
use fieldstone_replica::{Replica, ReplicaError};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;
use support::{proptest_config, t};

const REPLICAS: usize = 3;
/// Cases per property per run unless `PROPTEST_CASES` says otherwise: keeps the file's tests
/// well under 30 s together.
const DEFAULT_CASES: u32 = 32;
const MAX_OPS: usize = 40;
const TAGS: [&str; 4] = ["vip", "cash", "investor", "relocating"];
/// Pieces inserted into note bodies: multi-byte and astral characters on purpose, since
/// Automerge text positions are not byte offsets.
const SNIPPETS: [&str; 7] = ["a", "é", "日本語", "🙂", "Straße ", "x\ny", "Ωμέγα"];

fn user(n: usize) -> UserId {
    format!("00000000-0000-4000-8000-00000000000{}", n + 1)
        .parse()
        .expect("user id")
}

/// One step of a scenario. Record choices are small integers taken modulo the number of records
/// of that kind the acting replica holds at that moment.
#[derive(Debug, Clone)]
enum Op {
    CreateContact {
        on: usize,
        name: u8,
    },
    RenameContact {
        on: usize,
        pick: usize,
        name: u8,
    },
    AddEmail {
        on: usize,
        pick: usize,
        n: u8,
    },
    SetPriority {
        on: usize,
        pick: usize,
        priority: u8,
    },
    SetStage {
        on: usize,
        pick: usize,
        stage: usize,
    },
    Tag {
        on: usize,
        pick: usize,
        add: Option<usize>,
        remove: Option<usize>,
    },
    Delete {
        on: usize,
        pick: usize,
        delete: bool,
    },
    CreateNote {
        on: usize,
        pick: usize,
        body: usize,
    },
    EditNote {
        on: usize,
        pick: usize,
        pos: usize,
        del: usize,
        insert: Option<usize>,
    },
    CreateListing {
        on: usize,
        price: u32,
    },
    SetPrice {
        on: usize,
        pick: usize,
        price: u32,
    },
    LogInteraction {
        on: usize,
        pick: usize,
        minutes_ago: u16,
    },
    CreateTask {
        on: usize,
        pick: Option<usize>,
        title: u8,
    },
    SetTaskStatus {
        on: usize,
        pick: usize,
        status: usize,
    },
    Deliver {
        to: usize,
        count: usize,
        shuffle: bool,
        repeat: bool,
        seed: u64,
    },
    Tick {
        on: usize,
        ms: u32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let on = 0..REPLICAS;
    let pick = 0usize..16;
    prop_oneof![
        3 => (on.clone(), any::<u8>()).prop_map(|(on, name)| Op::CreateContact { on, name }),
        1 => (on.clone(), pick.clone(), any::<u8>())
            .prop_map(|(on, pick, name)| Op::RenameContact { on, pick, name }),
        1 => (on.clone(), pick.clone(), any::<u8>())
            .prop_map(|(on, pick, n)| Op::AddEmail { on, pick, n }),
        1 => (on.clone(), pick.clone(), 0u8..3)
            .prop_map(|(on, pick, priority)| Op::SetPriority { on, pick, priority }),
        2 => (on.clone(), pick.clone(), 0..Stage::ALL.len())
            .prop_map(|(on, pick, stage)| Op::SetStage { on, pick, stage }),
        2 => (
            on.clone(),
            pick.clone(),
            proptest::option::of(0..TAGS.len()),
            proptest::option::of(0..TAGS.len())
        )
            .prop_map(|(on, pick, add, remove)| Op::Tag { on, pick, add, remove }),
        1 => (on.clone(), pick.clone(), any::<bool>())
            .prop_map(|(on, pick, delete)| Op::Delete { on, pick, delete }),
        2 => (on.clone(), pick.clone(), 0..SNIPPETS.len())
            .prop_map(|(on, pick, body)| Op::CreateNote { on, pick, body }),
        3 => (
            on.clone(),
            pick.clone(),
            any::<usize>(),
            0usize..4,
            proptest::option::of(0..SNIPPETS.len())
        )
            .prop_map(|(on, pick, pos, del, insert)| Op::EditNote { on, pick, pos, del, insert }),
        1 => (on.clone(), 1u32..5_000).prop_map(|(on, price)| Op::CreateListing { on, price }),
        2 => (on.clone(), pick.clone(), 1u32..5_000)
            .prop_map(|(on, pick, price)| Op::SetPrice { on, pick, price }),
        1 => (on.clone(), pick.clone(), any::<u16>())
            .prop_map(|(on, pick, minutes_ago)| Op::LogInteraction { on, pick, minutes_ago }),
        1 => (on.clone(), proptest::option::of(pick.clone()), any::<u8>())
            .prop_map(|(on, pick, title)| Op::CreateTask { on, pick, title }),
        1 => (on.clone(), pick, 0usize..4)
            .prop_map(|(on, pick, status)| Op::SetTaskStatus { on, pick, status }),
        5 => (on.clone(), 1usize..8, any::<bool>(), any::<bool>(), any::<u64>())
            .prop_map(|(to, count, shuffle, repeat, seed)| Op::Deliver {
                to,
                count,
                shuffle,
                repeat,
                seed
            }),
        1 => (on, 1u32..100_000).prop_map(|(on, ms)| Op::Tick { on, ms }),
    ]
}

/// A replica with its own clock.
struct Device {
    replica: Replica,
    clock: Arc<FixedClock>,
    now: DateTime<Utc>,
    user: UserId,
}

/// Three devices, the shared change log and who has been given what.
struct Mesh {
    _dir: tempfile::TempDir,
    devices: Vec<Device>,
    /// Every change any device wrote, in the order it left its outbox.
    log: Vec<(DocId, Vec<u8>)>,
    /// Per device: indices of `log` it wrote or was given.
    given: Vec<BTreeSet<usize>>,
    /// Whether deliveries may reorder changes (a change before the one it depends on); without,
    /// they keep log order, as a server feed does.
    reorder: bool,
}

/// A tiny deterministic generator for choices inside one delivery (seeded by proptest).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).expect("small"))
            .expect("below n fits usize")
    }
}

impl Mesh {
    fn new(reorder: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let devices = (0..REPLICAS)
            .map(|n| {
                // Clocks a little apart, as real devices are.
                let now = t(0) + Duration::milliseconds(i64::try_from(n).expect("n") * 7);
                let clock = Arc::new(FixedClock::new(now));
                let replica =
                    Replica::open(&dir.path().join(format!("device-{n}.db")), clock.clone())
                        .expect("open replica");
                Device {
                    replica,
                    clock,
                    now,
                    user: user(n),
                }
            })
            .collect();
        Self {
            _dir: dir,
            devices,
            log: Vec::new(),
            given: vec![BTreeSet::new(); REPLICAS],
            reorder,
        }
    }

    fn tick(&mut self, on: usize, ms: u32) {
        let device = &mut self.devices[on];
        device.now += Duration::milliseconds(i64::from(ms));
        device.clock.set(device.now);
    }

    /// Moves everything in each device's outbox to the shared log.
    fn collect(&mut self) {
        for (n, device) in self.devices.iter().enumerate() {
            loop {
                let (batch, last) = device.replica.outbox_batch(100, 1 << 22).expect("outbox");
                let Some(last) = last else { break };
                // Outbox order is kept per document, which is all Automerge's dependencies need.
                for doc in batch {
                    for change in doc.changes {
                        self.given[n].insert(self.log.len());
                        self.log.push((doc.doc_id.clone(), change));
                    }
                }
                device.replica.ack_outbox(last).expect("ack outbox");
            }
        }
    }

    /// Hands device `to` the log entries `indices`, in that order, as one feed page.
    fn hand(&mut self, to: usize, indices: &[usize]) {
        if indices.is_empty() {
            return;
        }
        let entries: Vec<DocUpdate> = indices
            .iter()
            .map(|&i| DocUpdate {
                doc_id: self.log[i].0.clone(),
                snapshot: None,
                changes: vec![self.log[i].1.clone()],
            })
            .collect();
        self.devices[to]
            .replica
            .apply_remote(&entries, None)
            .expect("apply remote changes");
        self.given[to].extend(indices.iter().copied());
    }

    /// Gives device `to` up to `count` entries it lacks: the oldest ones, or a random choice in
    /// random order; with `repeat`, some entries it already has come along too.
    fn deliver(&mut self, to: usize, count: usize, shuffle: bool, repeat: bool, seed: u64) {
        self.collect();
        let mut rng = SplitMix(seed);
        let mut missing: Vec<usize> = (0..self.log.len())
            .filter(|i| !self.given[to].contains(i))
            .collect();
        let mut chosen: Vec<usize> = if shuffle && self.reorder {
            for i in (1..missing.len()).rev() {
                missing.swap(i, rng.below(i + 1));
            }
            missing.into_iter().take(count).collect()
        } else {
            missing.into_iter().take(count).collect()
        };
        if repeat {
            let had: Vec<usize> = self.given[to].iter().copied().collect();
            for _ in 0..2 {
                if !had.is_empty() {
                    chosen.push(had[rng.below(had.len())]);
                }
                if !chosen.is_empty() {
                    chosen.push(chosen[rng.below(chosen.len())]);
                }
            }
            // Some of them in a page of their own.
            let split = rng.below(chosen.len() + 1);
            let rest = chosen.split_off(split);
            self.hand(to, &chosen);
            self.hand(to, &rest);
        } else {
            self.hand(to, &chosen);
        }
    }

    /// Delivers everything everywhere, in log order. One round is enough: applying remote
    /// changes never writes to the outbox, which the end of this checks.
    fn settle(&mut self) {
        self.collect();
        for to in 0..REPLICAS {
            // Only what each device was never given: changes that arrived before their
            // dependencies must have been kept by the engine (held_changes), not re-sent.
            let entries: Vec<usize> = (0..self.log.len())
                .filter(|i| !self.given[to].contains(i))
                .collect();
            self.hand(to, &entries);
        }
        for device in &self.devices {
            assert_eq!(
                device.replica.pending_changes().expect("pending"),
                0,
                "applying remote changes wrote to the outbox"
            );
        }
    }

    /// Ids of device `on`'s records of `kind`, parsed, in document-id order.
    fn ids<T: std::str::FromStr>(&self, on: usize, kind: &str) -> Vec<T>
    where
        T::Err: std::fmt::Debug,
    {
        self.devices[on]
            .replica
            .document_ids()
            .expect("document ids")
            .iter()
            .filter(|d| d.kind() == kind)
            .map(|d| d.record_id().parse::<T>().expect("record id"))
            .collect()
    }

    fn pick<T: std::str::FromStr + Copy>(&self, on: usize, kind: &str, pick: usize) -> Option<T>
    where
        T::Err: std::fmt::Debug,
    {
        let ids = self.ids::<T>(on, kind);
        (!ids.is_empty()).then(|| ids[pick % ids.len()])
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Tick { on, ms } => self.tick(on, ms),
            Op::Deliver {
                to,
                count,
                shuffle,
                repeat,
                seed,
            } => self.deliver(to, count, shuffle, repeat, seed),
            _ => self.edit(op),
        }
    }

    fn edit(&mut self, op: &Op) {
        let on = match *op {
            Op::CreateContact { on, .. }
            | Op::RenameContact { on, .. }
            | Op::AddEmail { on, .. }
            | Op::SetPriority { on, .. }
            | Op::SetStage { on, .. }
            | Op::Tag { on, .. }
            | Op::Delete { on, .. }
            | Op::CreateNote { on, .. }
            | Op::EditNote { on, .. }
            | Op::CreateListing { on, .. }
            | Op::SetPrice { on, .. }
            | Op::LogInteraction { on, .. }
            | Op::CreateTask { on, .. }
            | Op::SetTaskStatus { on, .. } => on,
            Op::Deliver { .. } | Op::Tick { .. } => return,
        };
        // Every write happens a moment after the previous one on that device.
        self.tick(on, 1);
        let contact = |pick| self.pick::<ContactId>(on, "contact", pick);
        let device = &self.devices[on];
        let r = &device.replica;
        match *op {
            Op::CreateContact { name, .. } => {
                let input = ContactInput {
                    given_name: format!("Ada{name}"),
                    family_name: "Lovelace".into(),
                    ..Default::default()
                };
                r.create_contact(&input, device.user)
                    .expect("create contact");
            }
            Op::RenameContact { pick, name, .. } => {
                let Some(id) = contact(pick) else { return };
                let mut input = r.get_contact(&id).expect("get").expect("known").to_input();
                input.family_name = format!("Byron-{name}");
                edit_contact(r.update_contact(&id, &input, device.user), "rename contact");
            }
            Op::AddEmail { pick, n, .. } => {
                let Some(id) = contact(pick) else { return };
                let mut input = r.get_contact(&id).expect("get").expect("known").to_input();
                let address = format!("ada{n}@example.com");
                // Adding an address the contact already shows is refused as a duplicate.
                if input.emails.iter().any(|e| e.address == address) {
                    return;
                }
                input.emails.push(EmailEntry {
                    address,
                    label: Default::default(),
                    primary: false,
                });
                edit_contact(r.update_contact(&id, &input, device.user), "add email");
            }
            Op::SetPriority { pick, priority, .. } => {
                let Some(id) = contact(pick) else { return };
                let mut input = r.get_contact(&id).expect("get").expect("known").to_input();
                input.priority =
                    [Priority::Low, Priority::Medium, Priority::High][usize::from(priority)];
                edit_contact(r.update_contact(&id, &input, device.user), "set priority");
            }
            Op::SetStage { pick, stage, .. } => {
                let Some(id) = contact(pick) else { return };
                r.set_contact_stage(&id, Stage::ALL[stage], device.user)
                    .expect("set stage");
            }
            Op::Tag {
                pick, add, remove, ..
            } => {
                let Some(id) = contact(pick) else { return };
                let add: Vec<String> = add.map(|t| TAGS[t].to_owned()).into_iter().collect();
                let remove: Vec<String> = remove.map(|t| TAGS[t].to_owned()).into_iter().collect();
                edit_contact(r.tag_contact(&id, &add, &remove), "tag contact");
            }
            Op::Delete { pick, delete, .. } => {
                let Some(id) = contact(pick) else { return };
                if delete {
                    r.soft_delete_contact(&id).expect("delete contact");
                } else {
                    r.restore_contact(&id).expect("restore contact");
                }
            }
            Op::CreateNote { pick, body, .. } => {
                let Some(id) = contact(pick) else { return };
                let input = NoteInput {
                    record: RecordRef::Contact(id),
                    body: format!("Note {} about the house", SNIPPETS[body]),
                    pinned: false,
                };
                r.create_note(&input, device.user).expect("create note");
            }
            Op::EditNote {
                pick,
                pos,
                del,
                insert,
                ..
            } => {
                let Some(id) = self.pick::<NoteId>(on, "note", pick) else {
                    return;
                };
                let note = r.get_note(&id).expect("get note").expect("known note");
                let mut chars: Vec<char> = note.body.chars().collect();
                let at = pos % (chars.len() + 1);
                let del = del.min(chars.len() - at);
                let inserted = insert.map_or("", |s| SNIPPETS[s]);
                chars.splice(at..at + del, inserted.chars());
                let mut body: String = chars.into_iter().collect();
                if body.trim().is_empty() {
                    body.push('x');
                }
                let input = NoteInput {
                    record: note.record,
                    body,
                    pinned: note.pinned,
                };
                r.update_note(&id, &input).expect("edit note");
            }
            Op::CreateListing { price, .. } => {
                let input = listing_input(u64::from(price) * 1_000);
                r.create_listing(&input, device.user)
                    .expect("create listing");
            }
            Op::SetPrice { pick, price, .. } => {
                let Some(id) = self.pick::<ListingId>(on, "listing", pick) else {
                    return;
                };
                let mut input = r.get_listing(&id).expect("get").expect("known").to_input();
                input.price = u64::from(price) * 1_000;
                r.update_listing(&id, &input).expect("set price");
            }
            Op::LogInteraction {
                pick, minutes_ago, ..
            } => {
                let Some(id) = contact(pick) else { return };
                let input = InteractionInput {
                    contact: id,
                    listing: None,
                    channel: Channel::Call,
                    direction: Direction::Outbound,
                    summary: "Called about the viewing — ça va".into(),
                    outcome: None,
                    duration_seconds: Some(60),
                    occurred_at: device.now - Duration::minutes(i64::from(minutes_ago)),
                };
                r.log_interaction(&input, device.user)
                    .expect("log interaction");
            }
            Op::CreateTask { pick, title, .. } => {
                let record = pick.and_then(contact).map(RecordRef::Contact);
                let input = TaskInput {
                    title: format!("Call back #{title}"),
                    due_at: Some(device.now + Duration::days(1)),
                    priority: Priority::Medium,
                    status: TaskStatus::Pending,
                    kind: TaskKind::default(),
                    record,
                };
                r.create_task(&input, device.user).expect("create task");
            }
            Op::SetTaskStatus { pick, status, .. } => {
                let Some(id) = self.pick::<TaskId>(on, "task", pick) else {
                    return;
                };
                let status = [
                    TaskStatus::Completed,
                    TaskStatus::Pending,
                    TaskStatus::Skipped,
                    TaskStatus::Cancelled,
                ][status];
                r.set_task_status(&id, status).expect("set task status");
            }
            Op::Deliver { .. } | Op::Tick { .. } => {}
        }
    }

    /// Everything a device shows, hydrated from its documents, for comparing devices.
    fn records(&self, on: usize, ids: &[DocId]) -> Vec<String> {
        let r = &self.devices[on].replica;
        ids.iter()
            .map(|doc| {
                let id = doc.record_id();
                let value = match doc.kind() {
                    "contact" => format!("{:?}", r.get_contact(&id.parse().expect("id"))),
                    "note" => format!("{:?}", r.get_note(&id.parse().expect("id"))),
                    "listing" => format!("{:?}", r.get_listing(&id.parse().expect("id"))),
                    "interaction" => format!("{:?}", r.get_interaction(&id.parse().expect("id"))),
                    "task" => format!("{:?}", r.get_task(&id.parse().expect("id"))),
                    other => panic!("unexpected document kind {other}"),
                };
                format!("{doc} {value}")
            })
            .collect()
    }

    fn assert_converged(&self) {
        let ids = self.devices[0]
            .replica
            .document_ids()
            .expect("document ids");
        let heads = |on: usize| -> Vec<Vec<String>> {
            ids.iter()
                .map(|d| self.devices[on].replica.doc_heads(d).expect("heads"))
                .collect()
        };
        let records = self.records(0, &ids);
        let dump = self.devices[0].replica.read_model_dump().expect("dump");
        for on in 1..REPLICAS {
            let replica = &self.devices[on].replica;
            assert_eq!(
                replica.document_ids().expect("document ids"),
                ids,
                "device {on} holds other documents than device 0"
            );
            assert_eq!(
                heads(on),
                heads(0),
                "device {on}: heads differ from device 0"
            );
            assert_eq!(
                self.records(on, &ids),
                records,
                "device {on}: records differ from device 0"
            );
            assert_eq!(
                replica.read_model_dump().expect("dump"),
                dump,
                "device {on}: read model differs from device 0"
            );
        }
    }
}

/// A contact edit's result: every edit must succeed (a merge never leaves a contact that fails
/// validation; see `concurrently_added_emails_leave_the_contact_editable`).
fn edit_contact(result: Result<Contact, ReplicaError>, what: &str) {
    if let Err(e) = result {
        panic!("{what}: {e:?}");
    }
}

fn listing_input(price: u64) -> ListingInput {
    ListingInput {
        address: Address {
            line1: "12 Rue de l’Église".into(),
            city: "Montréal".into(),
            country: "CA".into(),
            ..Default::default()
        },
        price,
        currency: "CAD".into(),
        beds: Some(3),
        baths: None,
        living_area: None,
        lot_area: None,
        property_type: PropertyType::House,
        status: Default::default(),
        visibility: Default::default(),
        description: "Lumineux, près du métro".into(),
        features: Vec::new(),
        media: Vec::new(),
        open_houses: Vec::new(),
        mls_number: None,
    }
}

fn run(mut mesh: Mesh, ops: &[Op]) {
    for op in ops {
        mesh.apply(op);
    }
    mesh.settle();
    mesh.assert_converged();
}

fn config() -> ProptestConfig {
    proptest_config("proptest-regressions/convergence.txt", DEFAULT_CASES)
}

proptest! {
    #![proptest_config(config())]

    /// Deliveries in feed (log) order, partial and with duplicates.
    #[test]
    fn three_replicas_converge(ops in proptest::collection::vec(op(), 1..=MAX_OPS)) {
        run(Mesh::new(false), &ops);
    }

    /// Deliveries that may also put a change before the one it depends on.
    #[test]
    fn three_replicas_converge_despite_reordering(
        ops in proptest::collection::vec(op(), 1..=MAX_OPS)
    ) {
        run(Mesh::new(true), &ops);
    }
}

// Deterministic conflicts: device 0 creates a record, everyone gets it, devices 0 and 1 edit the
// same field at the same time, then everything is exchanged. All three must agree on the value
// (which edit wins is Automerge's choice; that they agree is the point).

/// Three devices that all hold what device 0 created with `create`.
fn shared<T>(create: impl FnOnce(&Device) -> T) -> (Mesh, T) {
    let mut mesh = Mesh::new(false);
    let made = create(&mesh.devices[0]);
    mesh.settle();
    // The concurrent edits happen at the same moment on both devices' clocks.
    mesh.tick(0, 1_000);
    mesh.tick(1, 1_007);
    (mesh, made)
}

fn new_contact(device: &Device) -> ContactId {
    let input = ContactInput {
        given_name: "Grace".into(),
        family_name: "Hopper".into(),
        tags: vec!["cash".into()],
        ..Default::default()
    };
    device
        .replica
        .create_contact(&input, device.user)
        .expect("create contact")
        .id
}

/// The value `read` gives on every device, after checking they all agree.
fn agreed<T: PartialEq + std::fmt::Debug>(mesh: &Mesh, read: impl Fn(&Replica) -> T) -> T {
    mesh.assert_converged();
    let first = read(&mesh.devices[0].replica);
    for (n, device) in mesh.devices.iter().enumerate().skip(1) {
        assert_eq!(read(&device.replica), first, "device {n} disagrees");
    }
    first
}

#[test]
fn concurrent_stage_changes_agree_on_one_winner() {
    let (mut mesh, id) = shared(new_contact);
    for (on, stage) in [(0, Stage::Showing), (1, Stage::Offer)] {
        let device = &mesh.devices[on];
        device
            .replica
            .set_contact_stage(&id, stage, device.user)
            .expect("set stage");
    }
    mesh.settle();
    let stage = agreed(&mesh, |r| {
        r.get_contact(&id).expect("get").expect("contact").stage
    });
    assert!([Stage::Showing, Stage::Offer].contains(&stage), "{stage:?}");
}

#[test]
fn concurrent_name_edits_agree_on_one_winner() {
    let (mut mesh, id) = shared(new_contact);
    for (on, family) in [(0, "Murray"), (1, "Hopper-Murray")] {
        let device = &mesh.devices[on];
        let mut input = device
            .replica
            .get_contact(&id)
            .expect("get")
            .expect("contact")
            .to_input();
        input.family_name = family.into();
        device
            .replica
            .update_contact(&id, &input, device.user)
            .expect("rename");
    }
    mesh.settle();
    let family = agreed(&mesh, |r| {
        r.get_contact(&id)
            .expect("get")
            .expect("contact")
            .family_name
    });
    assert!(
        ["Murray", "Hopper-Murray"].contains(&family.as_str()),
        "{family}"
    );
}

#[test]
fn concurrent_tag_changes_merge_as_a_set() {
    let (mut mesh, id) = shared(new_contact);
    let tag = |on: usize, add: &[&str], remove: &[&str]| {
        let add: Vec<String> = add.iter().map(|t| (*t).to_owned()).collect();
        let remove: Vec<String> = remove.iter().map(|t| (*t).to_owned()).collect();
        mesh.devices[on]
            .replica
            .tag_contact(&id, &add, &remove)
            .expect("tag");
    };
    tag(0, &["vip"], &["cash"]);
    tag(1, &["investor"], &[]);
    mesh.settle();
    let tags = agreed(&mesh, |r| {
        r.get_contact(&id).expect("get").expect("contact").tags
    });
    assert_eq!(
        tags.iter().map(String::as_str).collect::<Vec<_>>(),
        ["investor", "vip"]
    );
}

#[test]
fn concurrent_delete_and_edit_both_survive() {
    let (mut mesh, id) = shared(new_contact);
    mesh.devices[0]
        .replica
        .soft_delete_contact(&id)
        .expect("delete");
    let device = &mesh.devices[1];
    device
        .replica
        .set_contact_stage(&id, Stage::Qualified, device.user)
        .expect("set stage");
    mesh.settle();
    let (deleted, stage) = agreed(&mesh, |r| {
        let c = r.get_contact(&id).expect("get").expect("contact");
        (c.deleted_at.is_some(), c.stage)
    });
    assert!(deleted);
    assert_eq!(stage, Stage::Qualified);
}

#[test]
fn concurrent_note_edits_keep_both() {
    let (mut mesh, note) = shared(|d| {
        let contact = new_contact(d);
        let input = NoteInput {
            record: RecordRef::Contact(contact),
            body: "Wants a garden; budget firm".into(),
            pinned: false,
        };
        d.replica.create_note(&input, d.user).expect("note").id
    });
    for (on, body) in [
        (0, "🙂 Wants a garden; budget firm"),
        (1, "Wants a garden — près de l’école; budget firm"),
    ] {
        let device = &mesh.devices[on];
        let record = RecordRef::Contact(mesh.ids::<ContactId>(on, "contact")[0]);
        let input = NoteInput {
            record,
            body: body.into(),
            pinned: false,
        };
        device
            .replica
            .update_note(&note, &input)
            .expect("edit note");
    }
    mesh.settle();
    let body = agreed(&mesh, |r| {
        r.get_note(&note).expect("get").expect("note").body
    });
    assert_eq!(body, "🙂 Wants a garden — près de l’école; budget firm");
}

#[test]
fn concurrent_price_changes_agree_on_one_winner() {
    let (mut mesh, id) = shared(|d| {
        d.replica
            .create_listing(&listing_input(500_000), d.user)
            .expect("listing")
            .id
    });
    for (on, price) in [(0, 480_000), (1, 510_000)] {
        let r = &mesh.devices[on].replica;
        let mut input = r
            .get_listing(&id)
            .expect("get")
            .expect("listing")
            .to_input();
        input.price = price;
        r.update_listing(&id, &input).expect("set price");
    }
    mesh.settle();
    let price = agreed(&mesh, |r| {
        r.get_listing(&id).expect("get").expect("listing").price
    });
    assert!([480_000, 510_000].contains(&price), "{price}");
}

#[test]
fn concurrent_task_status_changes_agree_on_one_winner() {
    let (mut mesh, id) = shared(|d| {
        let input = TaskInput {
            title: "Call back".into(),
            due_at: None,
            priority: Priority::High,
            status: TaskStatus::Pending,
            kind: TaskKind::default(),
            record: None,
        };
        d.replica.create_task(&input, d.user).expect("task").id
    });
    for (on, status) in [(0, TaskStatus::Completed), (1, TaskStatus::Cancelled)] {
        mesh.devices[on]
            .replica
            .set_task_status(&id, status)
            .expect("set status");
    }
    mesh.settle();
    let (status, closed) = agreed(&mesh, |r| {
        let t = r.get_task(&id).expect("get").expect("task");
        (t.status, t.closed_at.is_some())
    });
    assert!(
        [TaskStatus::Completed, TaskStatus::Cancelled].contains(&status),
        "{status:?}"
    );
    assert!(closed);
}

// A change whose dependency has not arrived yet must be kept (Automerge only queues it in
// memory and `save()` leaves it out) and applied when the dependency comes. Minimal case: device
// 0 creates a contact (change 1) and sets its stage (change 2); device 1 gets change 2 in one
// page, then change 1 in the next.
#[test]
fn a_change_arriving_before_its_dependency_is_kept() {
    let mut mesh = Mesh::new(false);
    let id = new_contact(&mesh.devices[0]);
    mesh.tick(0, 1_000);
    let device = &mesh.devices[0];
    device
        .replica
        .set_contact_stage(&id, Stage::Qualified, device.user)
        .expect("set stage");
    mesh.collect();
    assert_eq!(mesh.log.len(), 2);
    mesh.hand(1, &[1]);
    mesh.hand(1, &[0]);
    let doc = fieldstone_replica::contact_doc_id(&id).expect("doc id");
    assert_eq!(
        mesh.devices[1].replica.get_contact(&id).expect("get"),
        mesh.devices[0].replica.get_contact(&id).expect("get"),
        "the stage change that arrived first was lost"
    );
    assert_eq!(
        mesh.devices[1].replica.doc_heads(&doc).expect("heads"),
        mesh.devices[0].replica.doc_heads(&doc).expect("heads")
    );
}

// Devices 0 and 1 each add an email to a contact that had none; each entry is made primary and
// the merge keeps both. Reading settles the list the model's way (one primary, no repeats), so
// the contact stays editable everywhere.
#[test]
fn concurrently_added_emails_leave_the_contact_editable() {
    let (mut mesh, id) = shared(new_contact);
    for (on, address) in [(0, "grace@example.com"), (1, "g.hopper@example.com")] {
        let device = &mesh.devices[on];
        let mut input = device
            .replica
            .get_contact(&id)
            .expect("get")
            .expect("contact")
            .to_input();
        input.emails.push(EmailEntry {
            address: address.into(),
            label: Default::default(),
            primary: false,
        });
        device
            .replica
            .update_contact(&id, &input, device.user)
            .expect("add email");
    }
    mesh.settle();
    let emails = agreed(&mesh, |r| {
        r.get_contact(&id).expect("get").expect("contact").emails
    });
    assert_eq!(emails.len(), 2);
    assert_eq!(emails.iter().filter(|e| e.primary).count(), 1, "{emails:?}");
    for device in &mesh.devices {
        device
            .replica
            .tag_contact(&id, &["vip".to_owned()], &[])
            .expect("a merged contact can still be tagged");
    }
}
