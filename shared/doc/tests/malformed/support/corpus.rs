//! The kept inputs: one text file per case in `tests/malformed/corpus/`, named for how it once
//! failed, in lines of `key value`:
//!
//! ```text
//! # what it did before it was refused (a panic site, a document that did not load again)
//! input change|document|merge
//! base <hex of the saved document it is applied to, or ->
//! bytes <hex>
//! ```

use super::Input;
use std::path::{Path, PathBuf};

pub struct Case {
    pub name: String,
    pub what: String,
    pub input: Input,
}

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed/corpus")
}

pub fn read_all() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("read the corpus directory")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "case"))
        .collect();
    paths.sort();
    paths.iter().map(|path| read(path)).collect()
}

fn read(path: &Path) -> Case {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).expect("read a corpus case");
    let (mut what, mut kind, mut base, mut bytes) = (String::new(), "", Vec::new(), None);
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            what = comment.to_owned();
        } else if let Some((key, value)) = line.split_once(' ') {
            match key {
                "input" => {
                    kind = if value == "change" {
                        "change"
                    } else if value == "merge" {
                        "merge"
                    } else {
                        "document"
                    }
                }
                "base" if value != "-" => base = unhex(value),
                "bytes" => bytes = Some(unhex(value)),
                _ => {}
            }
        }
    }
    let bytes = bytes.unwrap_or_else(|| panic!("{name}: no bytes line"));
    let input = match kind {
        "change" => Input::Change { base, bytes },
        "merge" => Input::Merge { base, bytes },
        _ => Input::Document { bytes },
    };
    Case { name, what, input }
}

pub fn write(name: &str, what: &str, input: &Input) -> std::io::Result<()> {
    let (base, bytes) = match input {
        Input::Change { base, bytes } | Input::Merge { base, bytes } => (base.as_slice(), bytes),
        Input::Document { bytes } => (&[][..], bytes),
    };
    let base = if base.is_empty() {
        "-".to_owned()
    } else {
        hex(base)
    };
    let text = format!(
        "# {what}\ninput {}\nbase {base}\nbytes {}\n",
        input.kind(),
        hex(bytes)
    );
    std::fs::write(dir().join(format!("{name}.case")), text)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}
