//! Real documents and changes to mutate, the mutations, and what the library does with the
//! result.

pub mod corpus;
pub mod hunt;

use automerge::{ActorId, AutoCommit, ChangeHash};
use chrono::{DateTime, Utc};
use fieldstone_doc::DocError;
use fieldstone_model::{
    Contact, ContactId, ContactInput, EmailEntry, Note, NoteId, NoteInput, PhoneEntry, RecordRef,
    UserId,
};
use std::sync::{Once, OnceLock};

/// The magic number every Automerge chunk starts with.
pub const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

std::thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Hides the report Automerge's own panics print (they are expected here, caught and turned
/// into errors) and remembers where the last one was (for naming corpus cases); any other
/// panic is reported as usual.
pub fn quiet_automerge_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let site = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            let in_automerge = site.as_deref().is_some_and(|f| {
                f.contains("/automerge-") || f.contains("/hexane-") || f.contains("/rustc/")
            });
            if in_automerge {
                LAST_PANIC.with(|last| *last.borrow_mut() = site);
            } else {
                previous(info);
            }
        }));
    });
}

/// Where the last Automerge panic on this thread happened (`file:line`).
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|last| last.borrow().clone())
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_763_700_000_000 + minutes * 60_000).expect("time")
}

fn user() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(1))
}

/// Real documents, built the way the engine builds them, and every change of them.
pub struct Samples {
    /// Each change with the saved document of the changes before it.
    changes: Vec<(Vec<u8>, Vec<u8>)>,
    documents: Vec<Vec<u8>>,
}

impl Samples {
    pub fn changes(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.changes
    }

    pub fn documents(&self) -> &[Vec<u8>] {
        &self.documents
    }

    /// Everything, as sources of splices.
    pub fn all_bytes(&self) -> Vec<Vec<u8>> {
        self.changes
            .iter()
            .map(|(_, c)| c.clone())
            .chain(self.documents.iter().cloned())
            .collect()
    }
}

pub fn samples() -> &'static Samples {
    static SAMPLES: OnceLock<Samples> = OnceLock::new();
    SAMPLES.get_or_init(build_samples)
}

fn build_samples() -> Samples {
    let actor = ActorId::from(vec![1u8; 16]);
    let input = ContactInput {
        given_name: "Ada".into(),
        family_name: "Lovelace".into(),
        emails: vec![EmailEntry {
            address: "ada@example.com".into(),
            label: Default::default(),
            primary: true,
        }],
        tags: vec!["vip".into(), "first time buyer".into()],
        ..Default::default()
    };
    let valid = input.validate().expect("valid contact");
    let id = ContactId::from_uuid(uuid::Uuid::from_u128(7));
    let mut contact = Contact::create(id, valid, user(), at(0));
    let (mut contact_doc, _) =
        fieldstone_doc::contact::create(actor.clone(), &contact).expect("contact");
    contact.given_name = "Augusta Ada".into();
    contact.phones.push(PhoneEntry {
        number: "+44 20 7946 0958".into(),
        label: Default::default(),
        primary: true,
    });
    contact.tags.insert("investor".into());
    contact.updated_at = at(5);
    fieldstone_doc::contact::update(&mut contact_doc, &contact).expect("update");
    contact.tags.remove("vip");
    contact.updated_at = at(9);
    fieldstone_doc::contact::update(&mut contact_doc, &contact).expect("update");

    let note_input = NoteInput {
        record: RecordRef::Contact(id),
        body: "Likes gardens and quiet streets".into(),
        pinned: false,
    };
    let note = Note::create(
        NoteId::from_uuid(uuid::Uuid::from_u128(8)),
        note_input.validate().expect("valid note"),
        user(),
        at(1),
    );
    let (mut note_doc, _) = fieldstone_doc::note::create(actor, &note).expect("note");
    fieldstone_doc::note::update_body(
        &mut note_doc,
        "Likes gardens, 日本庭園 🙂 and quiet streets",
    )
    .expect("edit");
    fieldstone_doc::note::update_body(&mut note_doc, "Loves gardens, 日本庭園 🙂; no busy roads")
        .expect("edit");

    let mut changes = Vec::new();
    let mut documents = Vec::new();
    for doc in [&mut contact_doc, &mut note_doc] {
        let all = doc.get_changes(&[]);
        let mut so_far = AutoCommit::new();
        for change in all {
            changes.push((so_far.save(), change.raw_bytes().to_vec()));
            so_far.apply_changes([change]).expect("apply own change");
            documents.push(so_far.save());
        }
    }
    Samples { changes, documents }
}

/// One way to damage bytes. Positions are taken modulo the length, so any value fits any input.
#[derive(Debug, Clone)]
pub enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    SetByte {
        at: usize,
        value: u8,
    },
    Truncate {
        at: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Copies `len` bytes from `start` of another real input (`from`) in at `at`.
    Splice {
        at: usize,
        from: usize,
        start: usize,
        len: usize,
    },
    /// Inserts a LEB128 number near `u64::MAX` (lengths, counts, deltas).
    HugeVarint {
        at: usize,
    },
}

/// `original` with `mutations` applied; with `fit_checksum` the chunk checksum is recomputed,
/// so the damage reaches the parser instead of stopping at the checksum.
pub fn mutate(
    original: &[u8],
    mutations: &[Mutation],
    fit_checksum: bool,
    sources: &[Vec<u8>],
) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for mutation in mutations {
        let len = bytes.len();
        let pos = |at: usize| if len == 0 { 0 } else { at % len };
        match mutation {
            Mutation::FlipBit { at, bit } if len > 0 => bytes[pos(*at)] ^= 1 << (bit % 8),
            Mutation::SetByte { at, value } if len > 0 => bytes[pos(*at)] = *value,
            Mutation::Truncate { at } => bytes.truncate(pos(*at)),
            Mutation::Delete { at, len: n } => {
                let start = pos(*at);
                let end = (start + n).min(len);
                bytes.drain(start..end);
            }
            Mutation::Insert { at, bytes: extra } => {
                let at = at % (len + 1);
                bytes.splice(at..at, extra.iter().copied());
            }
            Mutation::Splice {
                at,
                from,
                start,
                len: n,
            } => {
                let Some(source) = sources.get(from % sources.len().max(1)) else {
                    continue;
                };
                if source.is_empty() {
                    continue;
                }
                let start = start % source.len();
                let end = (start + n).min(source.len());
                let at = at % (len + 1);
                bytes.splice(at..at, source[start..end].iter().copied());
            }
            Mutation::HugeVarint { at } => {
                let at = at % (len + 1);
                let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
                bytes.splice(at..at, huge);
            }
            _ => {}
        }
    }
    if fit_checksum {
        fit(&mut bytes);
    }
    bytes
}

/// Recomputes a chunk's checksum (the first 4 bytes of the SHA-256 of what follows it).
fn fit(bytes: &mut [u8]) {
    use sha2::{Digest, Sha256};
    if bytes.len() > 8 && bytes[..4] == MAGIC {
        let hash = Sha256::digest(&bytes[8..]);
        bytes[4..8].copy_from_slice(&hash[..4]);
    }
}

/// Bytes from elsewhere and what they are applied to.
#[derive(Debug, Clone)]
pub enum Input {
    /// A change, applied to the saved document `base` (empty: a new document).
    Change { base: Vec<u8>, bytes: Vec<u8> },
    /// A saved document, loaded alone.
    Document { bytes: Vec<u8> },
    /// Saved bytes merged (`load_incremental`) into the saved document `base`.
    Merge { base: Vec<u8>, bytes: Vec<u8> },
}

impl Input {
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Change { .. } => "change",
            Input::Document { .. } => "document",
            Input::Merge { .. } => "merge",
        }
    }
}

/// What the library made of an input, going as far as the engine would: parse, apply or load,
/// then save what it would store.
#[derive(Debug)]
pub enum Outcome {
    Refused(DocError),
    Stored {
        bytes: Vec<u8>,
        heads: Vec<ChangeHash>,
    },
}

pub fn outcome(input: &Input) -> Outcome {
    match run(input) {
        Ok((bytes, heads)) => Outcome::Stored { bytes, heads },
        Err(error) => Outcome::Refused(error),
    }
}

// The library's own error type, compared as it is; these run once per case.
#[allow(clippy::result_large_err)]
fn run(input: &Input) -> Result<(Vec<u8>, Vec<ChangeHash>), DocError> {
    let mut doc = match input {
        Input::Change { base, bytes } => {
            let mut doc = open(base)?;
            let change = fieldstone_doc::parse_change(bytes)?;
            fieldstone_doc::apply_changes(&mut doc, [change])?;
            doc
        }
        Input::Document { bytes } => fieldstone_doc::load(bytes)?,
        Input::Merge { base, bytes } => {
            let mut doc = open(base)?;
            fieldstone_doc::load_incremental(&mut doc, bytes)?;
            doc
        }
    };
    let bytes = fieldstone_doc::save_checked(&mut doc)?;
    Ok((bytes, doc.get_heads()))
}

#[allow(clippy::result_large_err)]
fn open(base: &[u8]) -> Result<AutoCommit, DocError> {
    if base.is_empty() {
        Ok(AutoCommit::new())
    } else {
        fieldstone_doc::load(base)
    }
}
