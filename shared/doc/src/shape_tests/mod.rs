//! Every document kind's stored form, frozen (`golden`), and what each kind does with damaged or
//! foreign documents (`corrupt`).

mod corrupt;
mod golden;

use std::path::PathBuf;

/// A checked-in golden document: its saved bytes as hex, 32 bytes a line.
pub(crate) fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes
        .chunks(32)
        .map(|line| line.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect()
}

pub(crate) fn from_hex(text: &str) -> Vec<u8> {
    let hex: String = text.split_whitespace().collect();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The checked-in bytes of golden document `name`.
pub(crate) fn golden_bytes(name: &str) -> Vec<u8> {
    let path = golden_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes a new one)", path.display()));
    from_hex(&text)
}
