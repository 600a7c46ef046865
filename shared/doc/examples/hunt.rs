//! A mutation campaign over Automerge's own calls (no `fieldstone_doc` guard) that keeps every
//! new way to crash or poison a document in `tests/malformed/corpus/`, where the malformed-input
//! tests replay it. A tool, not a test:
//!
//! ```sh
//! cargo run -p fieldstone-doc --example hunt -- 100000 1   # iterations, seed
//! ```

#[path = "../tests/malformed/support/mod.rs"]
#[allow(dead_code)] // the tests use the rest of it
mod support;

fn main() {
    let mut args = std::env::args().skip(1);
    let iterations = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let seed = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15_u64);
    let found = support::hunt::run(iterations, seed);
    println!("{found} new case(s) written to tests/malformed/corpus/");
}
