//! A mutation campaign over the raw Automerge calls (no `fieldstone_doc` guard), so it sees how
//! each input fails: a panic, or a document accepted but not loadable again. Each new way is
//! kept in the corpus under a name saying which.

use super::{corpus, last_panic, mutate, quiet_automerge_panics, samples, Input, Mutation};
use automerge::{AutoCommit, Change};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// xorshift64: enough for picking mutations, and the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn mutation(&mut self) -> Mutation {
        let at = self.next() as usize;
        match self.below(7) {
            0 => Mutation::FlipBit {
                at,
                bit: self.below(8) as u8,
            },
            1 => Mutation::SetByte {
                at,
                value: [0, 0x7f, 0x80, 0xff, self.next() as u8][self.below(5)],
            },
            2 => Mutation::Truncate { at },
            3 => Mutation::Delete {
                at,
                len: 1 + self.below(16),
            },
            4 => Mutation::Insert {
                at,
                bytes: vec![0xff; 1 + self.below(8)],
            },
            5 => Mutation::Splice {
                at,
                from: self.next() as usize,
                start: self.next() as usize,
                len: 1 + self.below(48),
            },
            _ => Mutation::HugeVarint { at },
        }
    }
}

/// Runs `iterations` mutated inputs; returns how many new cases were written.
pub fn run(iterations: usize, seed: u64) -> usize {
    quiet_automerge_panics();
    let samples = samples();
    let sources = samples.all_bytes();
    let mut known: BTreeSet<String> = corpus::read_all().into_iter().map(|c| c.name).collect();
    let mut rng = Rng(seed.max(1));
    let mut found = 0;
    for _ in 0..iterations {
        let mutations: Vec<Mutation> = (0..1 + rng.below(3)).map(|_| rng.mutation()).collect();
        let fit = rng.below(2) == 0;
        let input = match rng.below(3) {
            0 => {
                let (base, change) = &samples.changes()[rng.below(samples.changes().len())];
                Input::Change {
                    base: base.clone(),
                    bytes: mutate(change, &mutations, fit, &sources),
                }
            }
            1 => {
                let doc = &samples.documents()[rng.below(samples.documents().len())];
                Input::Document {
                    bytes: mutate(doc, &mutations, fit, &sources),
                }
            }
            _ => {
                let docs = samples.documents();
                let doc = &docs[rng.below(docs.len())];
                Input::Merge {
                    base: docs[rng.below(docs.len())].clone(),
                    bytes: mutate(doc, &mutations, fit, &sources),
                }
            }
        };
        if let Some((slug, what)) = classify(&input) {
            let name = format!("{}-{slug}", input.kind());
            if known.insert(name.clone()) {
                corpus::write(&name, &what, &input).expect("write a corpus case");
                eprintln!("new: {name} ({what})");
                found += 1;
            }
        }
    }
    found
}

fn panicked<T>(work: impl FnOnce() -> T) -> Result<T, (String, String)> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|_| {
        let site = last_panic().unwrap_or_else(|| "unknown".into());
        let file = site
            .rsplit('/')
            .next()
            .unwrap_or("unknown")
            .replace(['.', ':'], "-");
        let krate = if site.contains("/hexane-") {
            "hexane"
        } else if site.contains("/rustc/") {
            "core" // a standard library call inside Automerge (a sort, an index)
        } else {
            "automerge"
        };
        (
            format!("{krate}-{file}"),
            site.split("/src/").last().unwrap_or("").to_owned(),
        )
    })
}

/// How the raw calls fail on `input`, as (name, description), or `None` when they do not.
fn classify(input: &Input) -> Option<(String, String)> {
    let mut doc = match input {
        Input::Change { base, bytes } => {
            let mut doc = if base.is_empty() {
                AutoCommit::new()
            } else {
                AutoCommit::load(base).ok()?
            };
            let change = match panicked(|| Change::try_from(&bytes[..])) {
                Err((slug, site)) => {
                    return Some((
                        format!("parse-panics-{slug}"),
                        format!("Change::try_from panicked at {site}"),
                    ))
                }
                Ok(parsed) => parsed.ok()?,
            };
            match panicked(|| doc.apply_changes([change])) {
                Err((slug, site)) => {
                    return Some((
                        format!("apply-panics-{slug}"),
                        format!("apply_changes panicked at {site}"),
                    ))
                }
                Ok(applied) => applied.ok()?,
            }
            doc
        }
        Input::Document { bytes } => match panicked(|| AutoCommit::load(bytes)) {
            Err((slug, site)) => {
                return Some((
                    format!("load-panics-{slug}"),
                    format!("AutoCommit::load panicked at {site}"),
                ))
            }
            Ok(loaded) => loaded.ok()?,
        },
        Input::Merge { base, bytes } => {
            let mut doc = AutoCommit::load(base).ok()?;
            match panicked(|| doc.load_incremental(bytes)) {
                Err((slug, site)) => {
                    return Some((
                        format!("panics-{slug}"),
                        format!("load_incremental panicked at {site}"),
                    ))
                }
                Ok(merged) => merged.ok()?,
            };
            doc
        }
    };
    let heads = panicked(|| doc.get_heads()).ok()?;
    let saved = match panicked(|| doc.save()) {
        Err((slug, site)) => {
            return Some((
                format!("save-panics-{slug}"),
                format!("save panicked at {site}"),
            ))
        }
        Ok(saved) => saved,
    };
    match panicked(|| AutoCommit::load(&saved)) {
        Err((slug, site)) => Some((
            format!("reload-panics-{slug}"),
            format!("accepted, then loading the saved result panicked at {site}"),
        )),
        Ok(Err(error)) => {
            let words: Vec<String> = error
                .to_string()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(3)
                .map(str::to_lowercase)
                .collect();
            Some((
                format!("poisons-{}", words.join("-")),
                format!("accepted, but the saved result does not load again: {error}"),
            ))
        }
        Ok(Ok(mut again)) => (again.get_heads() != heads).then(|| {
            (
                "poisons-heads".into(),
                "accepted, but the saved result loads to other heads".into(),
            )
        }),
    }
}
